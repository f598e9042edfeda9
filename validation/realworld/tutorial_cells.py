"""The ten cells of NetPyNE's tut_import, one at a time, in NEURON (through NetPyNE 1.1.1)
and in Ranvier.

Each cell is imported exactly as doc/source/code/tut_import.py imports it (importCellParams
plus the tutorial's edits of the rule), put alone in a one-cell population, driven by a
current step (IClamp at `soma`, 0.5, which NetPyNE moves to the cell's default section when
there is no `soma`) and tut_import's noisy NetStim background (bg1 onto the default synMech;
the Izhikevich cells with their own voltage `V` get bg2 onto their point process and no
step), recorded at every time step, run for 500 ms, and exported to a model JSON in
insertion order (netpyne_export.py). The NEURON reference is the exported file reloaded by
NetPyNE in a fresh process. Ranvier runs the same file with `ranvier run MODEL --mods mod`.

Usage (NEURON 9.0.2 and NetPyNE 1.1.1 from pip; CODE is a local copy of NetPyNE's
doc/source/code, see validation/realworld/README.md):

    python3 validation/realworld/tutorial_cells.py --code CODE [--out DIR] [--cells A,B]
        [--ranvier target/release/ranvier] [--table validation/realworld/results/tutorial_cells.md]

Stages (each cell, each stage in its own Python process, as NetPyNE keeps global state):
export (build in NetPyNE, write model.json), neuron (reload model.json, run, write
neuron.json), ranvier (ranvier run), compare (max |dV| over every sample, spike times).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

DURATION, DT = 500.0, 0.025

# label: (cellModel, current step [nA] or None for a NetStim drive onto the point process)
CELLS = {
    "HH": ("HH", 0.5),
    "HH3D_hoc": ("HH3D_hoc", 0.7),
    "HH3D_swc": ("HH3D_swc", 2.0),
    "Traub": ("Traub", 0.5),
    "Mainen": ("Mainen", 0.2),
    "Friesen": ("Friesen", 2.0),
    "Izhi2003a": ("Izh2003a", None),
    "Izhi2003b": ("Izh2003b", 0.01),
    "Izhi2007a": ("Izh2007a", None),
    "Izhi2007b": ("Izh2007b", 0.1),
}


def import_rule(netParams, model):
    """tut_import.py's importCellParams call and rule edits for one cell model."""
    cond = {"cellType": "PYR", "cellModel": model}
    if model == "HH":
        netParams.importCellParams(label="PYR_HH_rule", conds=cond, fileName="HHCellFile.py",
                                   cellName="HHCellClass", importSynMechs=True)
    elif model == "HH3D_hoc":
        r = netParams.importCellParams(label="PYR_HH3D_hoc_rule", conds=cond, fileName="geom.hoc",
                                       cellName="E21", importSynMechs=False)
        r["secs"]["soma"]["mechs"]["hh"] = {"gnabar": 0.12, "gkbar": 0.036, "gl": 0.003, "el": -70}
        for s in r["secs"]:
            r["secs"][s]["mechs"]["pas"] = {"g": 0.0000357, "e": -70}
            r["secs"][s]["geom"]["cm"] = 1
    elif model == "HH3D_swc":
        r = netParams.importCellParams(label="PYR_HH3D_swc_rule", conds=cond, fileName="BS0284.swc",
                                       cellName="BS0284")
        netParams.renameCellParamsSec("PYR_HH3D_swc_rule", "soma_0", "soma")
        for s in r["secs"]:
            r["secs"][s]["mechs"]["pas"] = {"g": 0.0000357, "e": -70}
            r["secs"][s]["geom"]["cm"] = 1
            if s.startswith("soma"):
                r["secs"][s]["mechs"]["hh"] = {"gnabar": 0.12, "gkbar": 0.036, "gl": 0.003, "el": -70}
    elif model == "Traub":
        r = netParams.importCellParams(label="PYR_Traub_rule", conds=cond, fileName="pyr3_traub.hoc",
                                       cellName="pyr3")
        r["secs"][r["secLists"]["Soma"][0]]["spikeGenLoc"] = 0.5
    elif model == "Mainen":
        netParams.importCellParams(label="PYR_Mainen_rule", conds=cond, fileName="mainen.py",
                                   cellName="PYR2")
    elif model == "Friesen":
        r = netParams.importCellParams(label="PYR_Friesen_rule", conds=cond, fileName="friesen.py",
                                       cellName="MakeRSFCELL")
        r["secs"]["axon"]["spikeGenLoc"] = 0.5
    elif model == "Izh2003a":
        r = netParams.importCellParams(label="PYR_Izhi03a_rule", conds=cond, fileName="izhi2003Wrapper.py",
                                       cellName="IzhiCell", cellArgs={"type": "tonic spiking", "host": "dummy"})
        netParams.renameCellParamsSec("PYR_Izhi03a_rule", "sec", "soma")
        r["secs"]["soma"]["pointps"]["Izhi2003a_0"]["vref"] = "V"
    elif model == "Izh2003b":
        netParams.importCellParams(label="PYR_Izhi03b_rule", conds=cond, fileName="izhi2003Wrapper.py",
                                   cellName="IzhiCell", cellArgs={"type": "tonic spiking"})
    elif model == "Izh2007a":
        r = netParams.importCellParams(label="PYR_Izhi07a_rule", conds=cond, fileName="izhi2007Wrapper.py",
                                       cellName="IzhiCell", cellArgs={"type": "RS", "host": "dummy"})
        netParams.renameCellParamsSec("PYR_Izhi07a_rule", "sec", "soma")
        r["secs"]["soma"]["pointps"]["Izhi2007a_0"]["vref"] = "V"
        r["secs"]["soma"]["pointps"]["Izhi2007a_0"]["synList"] = ["AMPA", "NMDA", "GABAA", "GABAB"]
    elif model == "Izh2007b":
        netParams.importCellParams(label="PYR_Izhi07b_rule", conds=cond, fileName="izhi2007Wrapper.py",
                                   cellName="IzhiCell", cellArgs={"type": "RS"})
    else:
        raise SystemExit("unknown cell model " + model)


def stage_export(label, out):
    from netpyne import sim, specs
    from netpyne_export import export_model

    model, amp = CELLS[label]
    netParams = specs.NetParams()
    netParams.popParams["cell"] = {"cellType": "PYR", "numCells": 1, "cellModel": model}
    import_rule(netParams, model)
    netParams.synMechParams["AMPA"] = {"mod": "Exp2Syn", "tau1": 1.0, "tau2": 5.0, "e": 0}
    cfg = specs.SimConfig()
    cfg.duration = DURATION
    cfg.dt = DT
    cfg.recordStep = DT
    cfg.verbose = False
    cfg.recordCells = [0]
    # The soma, or the first section of the `Soma` list (the Traub cell has no `soma`):
    # NetPyNE records nothing for a trace whose `sec` the cell lacks.
    rule = netParams.cellParams[list(netParams.cellParams)[0]]
    soma = "soma" if "soma" in rule["secs"] else rule.get("secLists", {}).get("Soma", [list(rule["secs"])[0]])[0]
    cfg.recordTraces = {"V_soma": {"sec": soma, "loc": 0.5, "var": "v"}}
    # tut_import's background: bg1 (weight 0.1 onto the default synMech) or, for the cells
    # with their own voltage, bg2 (weight 5 onto the point process); noisy, so NetPyNE's
    # Random123 NetStim streams are compared too.
    weight = 5 if amp is None else 0.1
    netParams.stimSourceParams["bkg"] = {"type": "NetStim", "rate": 50 if amp else 20, "noise": 0.5}
    netParams.stimTargetParams["bkg->cell"] = {"source": "bkg", "conds": {"pop": "cell"},
                                               "weight": weight, "delay": 5, "sec": "soma"}
    if amp is None:
        pointp = [p for p in rule["secs"]["soma"]["pointps"]][0]
        cfg.recordTraces["V_pointp"] = {"sec": "soma", "loc": 0.5, "pointp": pointp, "var": "V"}
    else:
        netParams.stimSourceParams["step"] = {"type": "IClamp", "del": 100, "dur": 300, "amp": amp}
        netParams.stimTargetParams["step->cell"] = {"source": "step", "conds": {"pop": "cell"},
                                                    "sec": "soma", "loc": 0.5}
    cfg.saveJson = False
    cfg.savePickle = False
    cfg.filename = label
    sim.create(netParams=netParams, simConfig=cfg, output=False)
    export_model(sim, os.path.join(out, "model.json"))


def stage_neuron(label, out):
    from netpyne_export import save_neuron_run

    save_neuron_run(os.path.join(out, "model.json"), os.path.join(out, "neuron.json"))


def ranvier_results(out, label):
    path = os.path.join(out, "ranvier", label + "_data.json")
    with open(path) as f:
        d = json.load(f)
    sd = d["simData"]
    return {
        "spkt": sd.get("spkt", []),
        "spkid": sd.get("spkid", []),
        "t": sd.get("t", []),
        "traces": {k: v for k, v in sd.items() if isinstance(v, dict) and any(c.startswith("cell_") for c in v)},
    }


def compare(ref, got):
    """(max |dV| [mV] over the common samples, samples ref/got, spikes ref/got, max |dt_spike| [ms])."""
    worst = 0.0
    nref = ngot = 0
    for key, cells in ref["traces"].items():
        for cell, v in cells.items():
            w = got["traces"].get(key, {}).get(cell)
            if w is None:
                return None, len(v), 0, len(ref["spkt"]), len(got["spkt"]), None
            nref, ngot = len(v), len(w)
            n = min(len(v), len(w))
            worst = max(worst, max((abs(a - b) for a, b in zip(v[:n], w[:n])), default=0.0))
    sref, sgot = sorted(ref["spkt"]), sorted(got["spkt"])
    dspk = max((abs(a - b) for a, b in zip(sref, sgot)), default=0.0) if len(sref) == len(sgot) else None
    return worst, nref, ngot, len(sref), len(sgot), dspk


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--code", required=True, help="NetPyNE's doc/source/code (mods compiled there: nrnivmodl mod)")
    p.add_argument("--out", default="/tmp/ranvier_rw/tutorial_cells")
    p.add_argument("--cells", default=",".join(CELLS))
    p.add_argument("--ranvier", default=os.path.join(ROOT, "target", "release", "ranvier"))
    p.add_argument("--table", default=None, help="write the result table (markdown) here")
    p.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    p.add_argument("--skip-neuron", action="store_true", help="reuse export and NEURON results in --out")
    a = p.parse_args()
    code = os.path.abspath(a.code)
    if a.stage:
        label = a.cells
        out = os.path.join(os.path.abspath(a.out), label)
        os.makedirs(out, exist_ok=True)
        os.chdir(code)
        sys.argv = [sys.argv[0]]
        {"export": stage_export, "neuron": stage_neuron}[a.stage](label, out)
        return
    rows = []
    for label in a.cells.split(","):
        out = os.path.join(os.path.abspath(a.out), label)
        os.makedirs(out, exist_ok=True)
        if not a.skip_neuron:
            for stage in ("export", "neuron"):
                r = subprocess.run([sys.executable, os.path.abspath(__file__), "--code", code, "--out",
                                    os.path.abspath(a.out), "--cells", label, "--stage", stage],
                                   cwd=code, capture_output=True, text=True)
                if r.returncode != 0:
                    sys.stderr.write(r.stdout[-2000:] + r.stderr[-4000:])
                    raise SystemExit(f"{label}: NetPyNE stage {stage} failed")
        t0 = time.perf_counter()
        r = subprocess.run([a.ranvier, "run", os.path.join(out, "model.json"), "--mods", os.path.join(code, "mod"),
                            "-I", code, "-o", os.path.join(out, "ranvier"), "-t", "1"],
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
        with open(os.path.join(out, "neuron.json")) as f:
            ref = json.load(f)
        if r.returncode != 0:
            err = (r.stderr.strip().splitlines() or ["?"])[0]
            rows.append((label, "error", err, len(ref["spkt"]), "", ""))
            print(f"{label:10s} ERROR {err}")
            continue
        got = ranvier_results(out, label)
        worst, nref, ngot, sref, sgot, dspk = compare(ref, got)
        ok = worst is not None and worst <= 1e-3 and nref == ngot and dspk is not None and dspk <= 1e-3
        status = "match" if ok else "differs"
        detail = (f"max dV {worst:.3g} mV" if worst is not None else "trace missing") + \
                 f", samples {nref}/{ngot}, spikes {sref}/{sgot}" + \
                 (f", max dt_spike {dspk:.3g} ms" if dspk is not None else "")
        rows.append((label, status, detail, sref, f"{ref.get('run_s', 0):.2f}", f"{wall:.2f}"))
        print(f"{label:10s} {status:8s} {detail}")
        dec = {"t": ref["t"][::40], "traces": {k: {c: v[::40] for c, v in cs.items()} for k, cs in ref["traces"].items()},
               "spkt": ref["spkt"]}
        with open(os.path.join(out, "ref_decimated.json"), "w") as f:
            json.dump(dec, f)
    if a.table:
        with open(a.table, "w") as f:
            f.write("| cell | result | detail | NEURON spikes | NetPyNE load+run [s] | ranvier run [s] |\n")
            f.write("|---|---|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(str(x) for x in row) + " |\n")


if __name__ == "__main__":
    main()
