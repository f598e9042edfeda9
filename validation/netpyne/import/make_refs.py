"""NetPyNE `importCellParams` references for Ranvier's hoc/SWC import.

For every case below, a fresh Python process compiles the case's `.mod` folder with
nrnivmodl (in a scratch copy), loads it, runs NetPyNE's
`netParams.importCellParams(label, fileName, cellName, cellArgs, importSynMechs=...)`
and writes `ref/<case>.json`:

    {"cellRule": <netParams.cellParams[label]>, "synMechParams": <netParams.synMechParams>}

Usage (from the repository root; needs NetPyNE 1.1.1, NEURON 9, gcc):

    python3 validation/netpyne/import/make_refs.py [case ...]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# name: (file relative to the repo, cellName, cellArgs, mod folder or None, importSynMechs)
CASES = {
    "multidend3d": ("examples/cells/multidend3d.hoc", "MultiDend3D", [], None, False),
    "traub_pyr": ("examples/cells/traub_pyr.hoc", "TraubPyr", [1], "examples/mod/traub", False),
    "axon_cell": ("examples/cells/axon_cell.hoc", "AxonCell", [], None, False),
    "izhi_sec": ("examples/cells/izhi_cells.hoc", "IzhiSecCell", [5], "examples/mod/izhi", False),
    "izhi_own": ("examples/cells/izhi_cells.hoc", "IzhiOwnCell", [4], "examples/mod/izhi", False),
    "syn_cell": ("validation/netpyne/import/cells/syn_cell.hoc", "SynCell", [], None, True),
    "swc_apical_tree": ("validation/swc/apical_tree.swc", "apical_tree", [], None, False),
    "swc_single_point_soma": ("validation/swc/single_point_soma.swc", "cell", [], None, False),
    "swc_three_point_soma": ("validation/swc/three_point_soma.swc", "cell", [], None, False),
    "swc_soma_chain": ("validation/swc/soma_chain.swc", "cell", [], None, False),
}


def child(case, out):
    import neuron
    from neuron import h
    from netpyne import specs

    fname, cell, args, mods, syn = CASES[case]
    if mods:
        scratch = tempfile.mkdtemp(prefix="ranvier_imp_")
        for f in os.listdir(os.path.join(ROOT, mods)):
            if f.endswith((".mod", ".inc")):
                shutil.copy(os.path.join(ROOT, mods, f), scratch)
        subprocess.run(["nrnivmodl"], cwd=scratch, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        neuron.load_mechanisms(scratch)
    net = specs.NetParams()
    net.importCellParams(label=case, fileName=os.path.join(ROOT, fname), cellName=cell,
                         cellArgs=args, importSynMechs=syn)
    rule = net.cellParams[case]
    rule = rule.todict() if hasattr(rule, "todict") else dict(rule)
    syns = {k: (v.todict() if hasattr(v, "todict") else dict(v)) for k, v in net.synMechParams.items()}
    with open(out, "w") as f:
        json.dump({"cellRule": rule, "synMechParams": syns}, f, indent=1)
        f.write("\n")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        case, out = sys.argv[2].split("=", 1)
        child(case, out)
        return
    cases = sys.argv[1:] or list(CASES)
    os.makedirs(os.path.join(HERE, "ref"), exist_ok=True)
    for case in cases:
        out = os.path.join(HERE, "ref", case + ".json")
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([sys.executable, __file__, "--child", f"{case}={out}"], cwd=d, check=True)
        print(f"{case:20s} {os.path.getsize(out):8d} bytes")


if __name__ == "__main__":
    main()
