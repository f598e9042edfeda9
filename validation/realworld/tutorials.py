"""NetPyNE's own tutorial networks (doc/source/code: tut_import, tut1 ... tut8, tut_artif,
tut_gap, tut_graded), exported to model JSON exactly as the tutorial script builds them,
run in NEURON (through NetPyNE 1.1.1) and in Ranvier, compared per population.

Each script runs unchanged except that `sim.createSimulateAnalyze` / `createSimulate` only
create the network (tut8 is a batch: its cfg/netParams pair is run as one model with the
cfg defaults; tut7 changes its network after the first run, which an exported file cannot
hold, so the export is the network as first built). The network NetPyNE holds is then
exported in insertion order (netpyne_export.py), reloaded from the file in a fresh
process and run with seeds 1..N (`simConfig.seeds` conn/loc/stim/cell = s): the spread of
each population's rate. Ranvier runs the file with seed 1 and the comparison reports
spikes per population (and whether the spike trains are identical), and whether each rate
lies within NetPyNE's mean +- (2.5 sd + 3 % of the mean).

Usage (NEURON 9.0.2, NetPyNE 1.1.1; CODE is NetPyNE's doc/source/code with its mods
compiled there, `nrnivmodl mod`; HHTUT is NetPyNE's examples/HHTut/src, for tut1):

    python3 validation/realworld/tutorials.py --code CODE [--hhtut HHTUT] [--seeds 10]
        [--only tut_import,tut2] [--skip-neuron] [--table results/tutorials.md]
"""
import argparse
import json
import os
import runpy
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

TUTORIALS = ["tut_import", "tut1", "tut2", "tut3", "tut4", "tut5", "tut6", "tut7", "tut8",
             "tut_artif", "tut_gap", "tut_graded"]


def stage_export(name, code, hhtut, out):
    from netpyne import sim
    from netpyne_export import export_model

    def create_only(netParams=None, simConfig=None, output=False, **_):
        sim.create(netParams=netParams, simConfig=simConfig)

    sim.createSimulateAnalyze = create_only
    sim.createSimulate = create_only
    if hhtut:
        sys.path.insert(0, hhtut)
    sys.path.insert(0, code)
    sys.argv = [name + ".py"]
    if name == "tut8":
        from netpyne import specs
        cfg = runpy.run_path(os.path.join(code, "tut8_cfg.py"))["cfg"]
        sys.modules.setdefault("tut8_cfg", type(sys)("tut8_cfg")).cfg = cfg
        net = runpy.run_path(os.path.join(code, "tut8_netParams.py"))["netParams"]
        sim.create(netParams=net, simConfig=cfg)
    else:
        try:
            runpy.run_path(os.path.join(code, name + ".py"), run_name="__main__")
        except SystemExit:
            pass
    export_model(sim, os.path.join(out, "model.json"))


def stage_neuron(out, seed):
    from netpyne_export import rerun

    path = os.path.join(out, "model.json")
    if seed != 1:
        with open(path) as f:
            d = json.load(f)
        d["simConfig"]["seeds"] = {"conn": seed, "loc": seed, "stim": seed, "cell": seed}
        path = os.path.join(out, f"model_seed{seed}.json")
        with open(path, "w") as f:
            json.dump(d, f)
    t0 = time.perf_counter()
    sim = rerun(path)
    wall = time.perf_counter() - t0
    pops = {p: list(v.cellGids) for p, v in sim.net.pops.items()}
    res = {"spkt": [float(x) for x in sim.allSimData["spkt"]],
           "spkid": [int(x) for x in sim.allSimData["spkid"]],
           "pops": pops, "duration": float(sim.cfg.duration), "wall_s": wall}
    with open(os.path.join(out, f"neuron_seed{seed}.json"), "w") as f:
        json.dump(res, f)


def per_pop(spkid, pops):
    gid_pop = {g: p for p, gs in pops.items() for g in gs}
    counts = {p: 0 for p in pops}
    for g in spkid:
        counts[gid_pop.get(int(g), "?")] = counts.get(gid_pop.get(int(g), "?"), 0) + 1
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--code", required=True)
    p.add_argument("--hhtut", default=None)
    p.add_argument("--out", default="/tmp/ranvier_rw/tutorials")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--only", default=",".join(TUTORIALS))
    p.add_argument("--ranvier", default=os.path.join(ROOT, "target", "release", "ranvier"))
    p.add_argument("--skip-neuron", action="store_true")
    p.add_argument("--table", default=None)
    p.add_argument("--stage", nargs="*", help=argparse.SUPPRESS)
    a = p.parse_args()
    code = os.path.abspath(a.code)
    if a.stage:
        os.chdir(code)
        if a.stage[0] == "export":
            stage_export(a.stage[1], code, a.hhtut and os.path.abspath(a.hhtut), a.stage[2])
        else:
            stage_neuron(a.stage[1], int(a.stage[2]))
        return
    rows = []
    for name in a.only.split(","):
        out = os.path.join(os.path.abspath(a.out), name)
        os.makedirs(out, exist_ok=True)
        me = [sys.executable, os.path.abspath(__file__), "--code", code] + (["--hhtut", a.hhtut] if a.hhtut else [])
        if not a.skip_neuron:
            r = subprocess.run(me + ["--stage", "export", name, out], cwd=code, capture_output=True, text=True)
            if r.returncode != 0:
                sys.stderr.write(r.stderr[-3000:])
                rows.append((name, "export failed", (r.stderr.strip().splitlines() or ["?"])[-1], "", "", ""))
                print(name, "export failed")
                continue
            for s in range(1, a.seeds + 1):
                r = subprocess.run(me + ["--stage", "neuron", out, str(s)], cwd=code, capture_output=True, text=True)
                if r.returncode != 0:
                    sys.stderr.write(r.stderr[-3000:])
                    raise SystemExit(f"{name}: NEURON run of seed {s} failed")
        refs = []
        for s in range(1, a.seeds + 1):
            path = os.path.join(out, f"neuron_seed{s}.json")
            if os.path.exists(path):
                with open(path) as f:
                    refs.append(json.load(f))
        ref = refs[0]
        t0 = time.perf_counter()
        r = subprocess.run([a.ranvier, "run", os.path.join(out, "model.json"), "--mods", os.path.join(code, "mod"),
                            "-I", code, "-o", os.path.join(out, "ranvier")], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            err = next((l for l in r.stderr.splitlines() if l.startswith("error")), r.stderr.strip()[:200])
            rows.append((name, "error", err, "", f"{ref['wall_s']:.2f}", ""))
            print(name, "ERROR", err)
            continue
        data_files = [f for f in os.listdir(os.path.join(out, "ranvier")) if f.endswith("_data.json")]
        with open(os.path.join(out, "ranvier", data_files[0])) as f:
            got = json.load(f)["simData"]
        dur = ref["duration"] / 1000.0
        want = per_pop(ref["spkid"], ref["pops"])
        ours = per_pop(got.get("spkid", []), ref["pops"])
        same = sorted(zip(ref["spkid"], ref["spkt"])) == sorted(zip(got.get("spkid", []), got.get("spkt", []))) or (
            len(ref["spkt"]) == len(got.get("spkt", [])) and all(
                i == j and abs(x - y) < 1e-6 for (i, x), (j, y) in
                zip(sorted(zip(ref["spkid"], ref["spkt"])), sorted(zip(got.get("spkid", []), got.get("spkt", []))))))
        inside = True
        detail = []
        for pop, gids in ref["pops"].items():
            n = max(len(gids), 1)
            rates = [per_pop(x["spkid"], x["pops"])[pop] / n / dur for x in refs]
            mean = statistics.mean(rates)
            sd = statistics.stdev(rates) if len(rates) > 1 else 0.0
            ok = abs(ours[pop] / n / dur - mean) <= 2.5 * sd + 0.03 * mean + 1e-12
            inside &= ok
            detail.append(f"{pop} {ours[pop]}/{want[pop]}" + ("" if ok else " (outside)"))
        status = "spike for spike" if same else ("rates inside spread" if inside else "differs")
        rows.append((name, status, ", ".join(detail), f"{sum(want.values())}/{sum(ours.values())}",
                     f"{ref['wall_s']:.2f}", f"{wall:.2f}"))
        print(name, status, "; ".join(detail))
    if a.table:
        with open(a.table, "w") as f:
            f.write(f"| tutorial | result | spikes per population, Ranvier/NEURON (seed 1) | total NEURON/Ranvier "
                    f"| NetPyNE load+run [s] | ranvier run [s] |\n|---|---|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(str(x) for x in row) + " |\n")


if __name__ == "__main__":
    main()
