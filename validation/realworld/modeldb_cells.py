"""Cells of ModelDB models, imported with NetPyNE's importCellParams from every hoc
template a model defines, run in NEURON and in Ranvier, compared sample by sample.

For each model folder ROOT/<id> (placed by place.sh): the model's mods are compiled with
nrnivmodl in a scratch copy of their folder; every `begintemplate NAME` of a .hoc file is
a candidate cell. Each candidate is imported (importCellParams, no arguments) from the
model's folder in its own process, put alone in a population, driven by a 0.3 nA step at
`soma` (NetPyNE moves it to the first section when there is none) from 20 to 220 ms,
recorded at every step at the same section for 300 ms, exported to model JSON
(netpyne_export.py) and rerun from that file in NEURON. Ranvier runs the file with the
model's mod folder. A candidate NetPyNE cannot import, or that NEURON cannot run, is
listed as such (not Ranvier's failure).

    python3 validation/realworld/modeldb_cells.py --root ROOT [--ids 2488,3817] \\
        [--table validation/realworld/results/modeldb_cells.md]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

DURATION, DT, AMP = 300.0, 0.025, 0.3

# Models whose cells need more than a bare template: files to load first and the
# template's arguments, as the model's own scripts do (read from the model).
RECIPES = {
    "139653": [{"preload": ["import3d.hoc", "models/L5PCbiophys3.hoc"], "file": "models/L5PCtemplate.hoc",
                "cell": "L5PCtemplate", "args": ["morphologies/cell1.asc"], "amp": 1.0}],
}


def templates(model_dir):
    out = []
    for d, _, files in os.walk(model_dir):
        for f in sorted(files):
            if f.endswith(".hoc"):
                path = os.path.join(d, f)
                try:
                    text = open(path, errors="replace").read()
                except OSError:
                    continue
                for m in re.finditer(r"^\s*begintemplate\s+(\w+)", text, re.M):
                    out.append((os.path.relpath(path, model_dir), m.group(1)))
    return out


def mod_dir(model_dir):
    dirs = sorted({d for d, _, fs in os.walk(model_dir) if any(f.endswith(".mod") for f in fs)})
    return dirs[0] if dirs else None


def compile_mods(folder):
    """nrnivmodl in a copy of the folder; the library's directory, or None."""
    scratch = tempfile.mkdtemp(prefix="ranvier_mdb_")
    for f in os.listdir(folder):
        src = os.path.join(folder, f)
        if os.path.isfile(src) and f.endswith((".mod", ".inc", ".h", ".c", ".cpp")):
            shutil.copy(src, scratch)
    r = subprocess.run(["nrnivmodl"], cwd=scratch, capture_output=True, text=True)
    return scratch if r.returncode == 0 else None


def stage_export(model_dir, libdir, hoc, cell, out, recipe="{}"):
    import neuron
    from neuron import h
    from netpyne import sim, specs
    from netpyne_export import export_model

    recipe = json.loads(recipe)
    neuron.load_mechanisms(libdir)
    os.chdir(model_dir)
    for f in recipe.get("preload", []):
        h.load_file(f)
    net = specs.NetParams()
    net.popParams["cell"] = {"cellType": "C", "numCells": 1}
    rule = net.importCellParams(label="C", conds={"cellType": "C"}, fileName=hoc, cellName=cell,
                                cellArgs=recipe.get("args"))
    if not rule or not rule.get("secs"):
        raise SystemExit("the import gave no sections")
    soma = "soma" if "soma" in rule["secs"] else list(rule["secs"])[0]
    net.stimSourceParams["step"] = {"type": "IClamp", "del": 20, "dur": 200, "amp": recipe.get("amp", AMP)}
    net.stimTargetParams["step->cell"] = {"source": "step", "conds": {"pop": "cell"}, "sec": "soma", "loc": 0.5}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = DURATION, DT, DT
    cfg.recordCells = [0]
    cfg.recordTraces = {"V_soma": {"sec": soma, "loc": 0.5, "var": "v"}}
    cfg.verbose = False
    cfg.filename = "cell"
    cfg.saveJson = cfg.savePickle = False
    sim.create(netParams=net, simConfig=cfg, output=False)
    export_model(sim, os.path.join(out, "model.json"))


def stage_neuron(libdir, out):
    import neuron
    from netpyne_export import save_neuron_run

    neuron.load_mechanisms(libdir)
    save_neuron_run(os.path.join(out, "model.json"), os.path.join(out, "neuron.json"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--ids", default=None)
    p.add_argument("--out", default="/tmp/ranvier_rw/modeldb_cells")
    p.add_argument("--ranvier", default=os.path.join(ROOT, "target", "release", "ranvier"))
    p.add_argument("--table", default=None)
    p.add_argument("--skip-neuron", action="store_true",
                   help="reuse the exports, NEURON runs and NetPyNE failures found in --out")
    p.add_argument("--stage", nargs="*", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.stage:
        sys.argv = [sys.argv[0]]
        if a.stage[0] == "export":
            stage_export(*a.stage[1:])
        else:
            stage_neuron(*a.stage[1:])
        return
    from tutorial_cells import compare

    root = os.path.abspath(a.root)
    ids = a.ids.split(",") if a.ids else sorted(os.listdir(root), key=lambda x: int(x) if x.isdigit() else 0)
    rows = []
    for mid in ids:
        model_dir = os.path.join(root, mid)
        mods = mod_dir(model_dir)
        cands = [(r["file"], r["cell"], r) for r in RECIPES[mid]] if mid in RECIPES else \
            [(hoc, cell, {}) for hoc, cell in templates(model_dir)]
        if not cands:
            rows.append((mid, "-", "no hoc template", "", ""))
            continue
        lib = "" if a.skip_neuron else (compile_mods(mods) if mods else tempfile.mkdtemp())
        if lib is None:
            rows.append((mid, "-", "its mod folder does not build in NEURON", "", ""))
            continue
        for hoc, cell, recipe in cands:
            out = os.path.join(os.path.abspath(a.out), mid, cell)
            os.makedirs(out, exist_ok=True)
            me = [sys.executable, os.path.abspath(__file__), "--root", root, "--stage"]
            status = os.path.join(out, "netpyne_status.json")
            if not a.skip_neuron:
                failed = None
                r = subprocess.run(me + ["export", model_dir, lib, hoc, cell, out, json.dumps(recipe)],
                                   capture_output=True, text=True, timeout=600)
                if r.returncode != 0:
                    failed = ("NetPyNE cannot import it", (r.stderr.strip().splitlines() or ["?"])[-1][:120])
                else:
                    r = subprocess.run(me + ["neuron", lib, out], capture_output=True, text=True, timeout=600)
                    if r.returncode != 0:
                        failed = ("NEURON cannot run the export", (r.stderr.strip().splitlines() or ["?"])[-1][:120])
                with open(status, "w") as f:
                    json.dump(failed, f)
            try:
                with open(status) as f:
                    failed = json.load(f)
            except OSError:  # an earlier run without status files: what it left says
                if not os.path.exists(os.path.join(out, "model.json")):
                    failed = ("NetPyNE cannot import it", "(see that run's log)")
                elif not os.path.exists(os.path.join(out, "neuron.json")):
                    failed = ("NEURON cannot run the export", "(see that run's log)")
                else:
                    failed = None
            if failed:
                rows.append((mid, f"{cell} ({hoc})", failed[0], failed[1].replace("|", "/"), ""))
                print(mid, cell, failed[0] + ":", failed[1])
                continue
            cmd = [a.ranvier, "run", os.path.join(out, "model.json"), "-o", os.path.join(out, "ranvier"), "-t", "1"]
            if mods:
                cmd += ["--mods", mods]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            with open(os.path.join(out, "neuron.json")) as f:
                ref = json.load(f)
            if r.returncode != 0:
                err = next((l for l in r.stderr.splitlines() if "error" in l), r.stderr.strip()[:200])[:200]
                rows.append((mid, f"{cell} ({hoc})", "Ranvier error", err.replace("|", "/"), len(ref["spkt"])))
                print(mid, cell, "RANVIER ERROR", err)
                continue
            with open(os.path.join(out, "ranvier", "cell_data.json")) as f:
                sd = json.load(f)["simData"]
            got = {"spkt": sd.get("spkt", []), "traces": {k: v for k, v in sd.items() if isinstance(v, dict)}}
            worst, nref, ngot, sref, sgot, dspk = compare(ref, got)
            ok = worst is not None and worst <= 1e-3 and nref == ngot and dspk is not None and dspk <= 1e-3
            detail = (f"max dV {worst:.3g} mV" if worst is not None else "trace missing") + \
                f", samples {nref}/{ngot}, spikes {sref}/{sgot}"
            rows.append((mid, f"{cell} ({hoc})", "match" if ok else "differs", detail, sref))
            print(mid, cell, "match" if ok else "differs", detail)
    if a.table:
        n_run = [r for r in rows if r[2] in ("match", "differs", "Ranvier error")]
        n_ok = [r for r in rows if r[2] == "match"]
        with open(a.table, "w") as f:
            f.write(f"{len(n_ok)} of the {len(n_run)} cells NEURON simulates match it (max |dV| <= 1e-3 mV, "
                    f"spikes within 1e-3 ms).\n\n")
            f.write("| model | cell (file) | result | detail | NEURON spikes |\n|---|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(str(x) for x in row) + " |\n")


if __name__ == "__main__":
    main()
