"""NEURON traces of our example hoc templates, simulated directly in NEURON (no NetPyNE):
the template is instantiated, an IClamp is put at soma(0.5) and v is recorded at the
soma and a second location. Ranvier imports the same template into a NetPyNE model and
must give the same traces (crates/cli/tests/import_traces.rs).

Usage (from the repository root; NEURON 9, gcc): python3 validation/netpyne/import/traces_ref.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# name: (file, template, args, mod folder, inserts {section: [(mech, {param: value})]},
#        second recording site, IClamp amp [nA], celsius)
CASES = {
    "traub_pyr": ("examples/cells/traub_pyr.hoc", "TraubPyr", [1], "examples/mod/traub", {},
                  ("dend[2]", 0.5), 0.3, 36.0),
    "multidend3d": ("examples/cells/multidend3d.hoc", "MultiDend3D", [], None,
                    {"soma": [("hh", {})], "dend": [("pas", {"g": 1e-4, "e": -65})]},
                    ("dend[1]", 0.7), 0.2, 6.3),
    "axon_cell": ("examples/cells/axon_cell.hoc", "AxonCell", [], None, {},
                  ("axon", 0.9), 0.3, 6.3),
}
TSTOP, DT = 60.0, 0.025


def child(case, out):
    import neuron
    from neuron import h
    fname, cell, args, mods, inserts, site, amp, celsius = CASES[case]
    if mods:
        scratch = tempfile.mkdtemp(prefix="ranvier_tr_")
        for f in os.listdir(os.path.join(ROOT, mods)):
            if f.endswith(".mod"):
                shutil.copy(os.path.join(ROOT, mods, f), scratch)
        subprocess.run(["nrnivmodl"], cwd=scratch, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        neuron.load_mechanisms(scratch)
    h.load_file("stdrun.hoc")
    h.load_file(os.path.join(ROOT, fname))
    c = getattr(h, cell)(*args)
    for secname, mechs in inserts.items():
        targets = [s for s in h.allsec() if s.name().split(".")[-1].split("[")[0] == secname]
        for s in targets:
            for m, params in mechs:
                s.insert(m)
                for k, v in params.items():
                    setattr(s, f"{k}_{m}", v)
    soma = [s for s in h.allsec() if s.name().endswith(".soma")][0]
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = 5, 40, amp
    other = [s for s in h.allsec() if s.name().endswith("." + site[0])][0]
    vs, vo, tv = h.Vector(), h.Vector(), h.Vector()
    vs.record(soma(0.5)._ref_v)
    vo.record(other(site[1])._ref_v)
    tv.record(h._ref_t)
    h.celsius = celsius
    h.dt = DT
    h.steps_per_ms = 1 / DT
    h.finitialize(-65)
    h.continuerun(TSTOP)
    # Every 0.1 ms (NetPyNE's default recordStep).
    step = round(0.1 / DT)
    json.dump({"case": case, "t": list(tv)[::step], "soma": list(vs)[::step],
               "site": list(vo)[::step], "site_name": f"{site[0]}({site[1]})"}, open(out, "w"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        case, out = sys.argv[2].split("=", 1)
        child(case, out)
        return
    os.makedirs(os.path.join(HERE, "traces"), exist_ok=True)
    for case in sys.argv[1:] or list(CASES):
        out = os.path.join(HERE, "traces", case + ".json")
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([sys.executable, __file__, "--child", f"{case}={out}"], cwd=d, check=True)
        print(f"{case:20s} {os.path.getsize(out):8d} bytes")


if __name__ == "__main__":
    main()
