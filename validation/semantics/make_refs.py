"""NEURON references for the NetPyNE semantics that real models rely on (issue 11), on
models of our own shaped after the tutorial's cells: user ions (`other`, a divalent `tt`)
with NEURON's defaults, ions listed in a section that no mechanism there uses (NetPyNE's
_addIons with its cai0_ca_ion global), a calcium STATE that INITIAL leaves alone, rule
globals (the first rule wins), a point process with `vref` receiving NetStims and
connections in the weight slot its `synList` gives, `pointp` traces, GLOBALs written
and read at run time (each instance in turn), string functions of stimulation sources and
targets evaluated per target cell from NetPyNE's stream, synMech string parameters per
synapse, an AlphaSynapse stimulus, a cell without
`soma` (stims, connections fall back to its first section), 3-D points offset by the cell
position, and samples taken as `Vector.record(ptr, recordStep)` takes them.

Each model is built with NetPyNE 1.1.1 from the Python below, exported to
`models/<name>.json` in insertion order (../realworld/netpyne_export.py), reloaded from
that file in a fresh process and run in NEURON 9.0.2; `ref/<name>.json` holds spikes and
traces. crates/cli/tests/semantics.rs runs the same files with `ranvier run`.

Usage (NEURON 9.0.2 and NetPyNE 1.1.1 from pip, gcc):
    python3 validation/semantics/make_refs.py [names...]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "validation", "realworld"))
MODS = [os.path.join(HERE, "mod"), os.path.join(ROOT, "examples", "mod", "izhi")]


def ions():
    from netpyne import specs
    net = specs.NetParams()
    net.popParams["A"] = {"cellType": "C", "numCells": 2, "cellModel": "Ion1"}
    net.popParams["B"] = {"cellType": "C", "numCells": 2, "cellModel": "Ion2"}
    for label, model, cai0, cainf in (("IonCell1", "Ion1", 1e-4, 1e-4), ("IonCell2", "Ion2", 2e-4, 3e-4)):
        soma = {"geom": {"L": 20, "diam": 20, "Ra": 100, "cm": 1},
                "mechs": {"hh": {}, "lkother": {"g": 3e-4}, "ttconc": {}},
                # ca: used by no mechanism in the soma, inserted by NetPyNE's _addIons
                "ions": {"ca": {"e": 120.0, "i": cai0, "o": 2.5}}}
        dend = {"geom": {"L": 200, "diam": 2, "Ra": 100, "cm": 1, "nseg": 5},
                "topol": {"parentSec": "soma", "parentX": 1, "childX": 0},
                "mechs": {"pas": {"g": 1e-4, "e": -65}, "castate": {"tau": 30}, "cachan": {},
                          "lkother": {}},
                "ions": {"other": {"e": -30.0}}}
        net.cellParams[label] = {"conds": {"cellModel": model}, "secs": {"soma": soma, "dend": dend},
                                 "globals": {"cainf_castate": cainf}}
    net.stimSourceParams["step"] = {"type": "IClamp", "del": 20, "dur": 100, "amp": 0.3}
    net.stimTargetParams["step->all"] = {"source": "step", "conds": {"cellType": "C"}, "sec": "soma", "loc": 0.5}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = 150, 0.025, 0.1
    cfg.recordCells = [0, 2]
    cfg.recordTraces = {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"},
                        "V_dend": {"sec": "dend", "loc": 0.7, "var": "v"},
                        "cai_dend": {"sec": "dend", "loc": 0.7, "var": "cai"},
                        "eca_dend": {"sec": "dend", "loc": 0.3, "var": "eca"}}
    return net, cfg


def routing():
    from netpyne import specs
    net = specs.NetParams()
    net.sizeY = 400
    net.popParams["IZ"] = {"cellType": "IZ", "numCells": 2}
    net.popParams["NS"] = {"cellType": "NS", "numCells": 2}
    net.cellParams["IzCell"] = {"conds": {"cellType": "IZ"}, "secs": {"soma": {
        "geom": {"L": 10, "diam": 10}, "mechs": {"pas": {}},
        "pointps": {"izh": {"mod": "IzhOwn", "loc": 0.5, "vref": "V", "synList": ["exc", "inh"], "Iin": 4}}}}}
    net.cellParams["NoSoma"] = {"conds": {"cellType": "NS"}, "secs": {
        "comp_1": {"geom": {"pt3d": [[0, 0, 0, 12], [0, 12.5, 0, 12]], "Ra": 120},
                   "mechs": {"hh": {}}},
        "comp_2": {"geom": {"pt3d": [[0, 12.5, 0, 2], [3.3, 60.1, 1.7, 1.5], [0, 112.5, 0, 1]], "nseg": 3, "Ra": 120},
                   "topol": {"parentSec": "comp_1", "parentX": 1, "childX": 0},
                   "mechs": {"pas": {"g": 1e-4, "e": -65}}}}}
    net.synMechParams["exc"] = {"mod": "Exp2Syn", "tau1": 0.5, "tau2": 3, "e": 0}
    net.synMechParams["inh"] = {"mod": "Exp2Syn", "tau1": 1, "tau2": 5, "e": -80}
    net.stimSourceParams["bkg"] = {"type": "NetStim", "rate": 40, "noise": 0.5}
    net.stimTargetParams["bkg->IZ exc"] = {"source": "bkg", "conds": {"pop": "IZ"}, "weight": 0.05,
                                           "delay": 2, "sec": "soma", "synMech": "exc"}
    net.stimTargetParams["bkg->IZ inh"] = {"source": "bkg", "conds": {"pop": "IZ"}, "weight": 0.02,
                                           "delay": 3, "sec": "soma", "synMech": "inh"}
    # no `soma`: NetPyNE uses the first section
    net.stimTargetParams["bkg->NS"] = {"source": "bkg", "conds": {"pop": "NS"}, "weight": 0.02,
                                       "delay": 2, "sec": "soma"}
    net.connParams["NS->IZ"] = {"preConds": {"pop": "NS"}, "postConds": {"pop": "IZ"}, "weight": 0.03,
                                "delay": 4, "sec": "soma", "synMech": "inh"}
    net.connParams["IZ->NS"] = {"preConds": {"pop": "IZ"}, "postConds": {"pop": "NS"}, "weight": 0.01,
                                "delay": 3, "sec": "soma"}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = 120, 0.025, 0.025
    cfg.recordCells = [0, 2]
    cfg.recordTraces = {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"},
                        "V_izh": {"sec": "soma", "loc": 0.5, "pointp": "izh", "var": "V"},
                        "V_comp2": {"sec": "comp_2", "loc": 0.9, "var": "v"}}
    return net, cfg


def shared_global():
    from netpyne import specs
    net = specs.NetParams()
    for i, amp in enumerate((0.05, 0.2, 0.4)):
        net.popParams[f"P{i}"] = {"cellType": "K", "numCells": 1}
        net.stimSourceParams[f"step{i}"] = {"type": "IClamp", "del": 10, "dur": 60, "amp": amp}
        net.stimTargetParams[f"step{i}->P{i}"] = {"source": f"step{i}", "conds": {"pop": f"P{i}"},
                                                  "sec": "soma", "loc": 0.5}
    net.cellParams["KCell"] = {"conds": {"cellType": "K"}, "secs": {"soma": {
        "geom": {"L": 20, "diam": 20}, "mechs": {"hh": {"gkbar": 0.01}, "kvglob": {}}}}}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = 80, 0.025, 0.1
    cfg.recordCells = ["all"]
    cfg.recordTraces = {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"}}
    return net, cfg


def stim_strings():
    from netpyne import specs
    net = specs.NetParams()
    net.sizeY = 500
    net.popParams["A"] = {"cellType": "P", "numCells": 6}
    net.popParams["B"] = {"cellType": "P", "numCells": 4}
    net.cellParams["P"] = {"conds": {"cellType": "P"}, "secs": {"soma": {
        "geom": {"L": 18.8, "diam": 18.8, "Ra": 123}, "mechs": {"hh": {}}}}}
    net.synMechParams["exc"] = {"mod": "Exp2Syn", "tau1": 0.1, "tau2": 5, "e": 0}
    # every kind of string a stimulus may hold, each evaluated per target cell
    net.stimSourceParams["bkg"] = {"type": "NetStim", "rate": "10 + 20*post_ynorm", "noise": "uniform(0.2, 0.8)",
                                   "start": "uniform(0, 20)", "number": "50 + 10*post_xnorm"}
    net.stimTargetParams["bkg->A"] = {"source": "bkg", "conds": {"pop": "A"}, "weight": "0.005 + uniform(0, 0.01)",
                                      "delay": "max(1, normal(5, 2))", "loc": "0.3 + 0.4*post_znorm", "synMech": "exc"}
    net.stimTargetParams["bkg->B"] = {"source": "bkg", "conds": {"pop": "B"}, "weight": 0.01,
                                      "delay": "uniform(1, 5)"}
    net.stimSourceParams["step"] = {"type": "IClamp", "del": "uniform(20, 60)", "dur": "20 + 40*post_ynorm",
                                    "amp": "uniform(0.1, 0.3)"}
    net.stimTargetParams["step->B"] = {"source": "step", "conds": {"pop": "B"}, "sec": "soma", "loc": 0.5}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = 200, 0.025, 0.1
    cfg.seeds = {"conn": 3, "stim": 5, "loc": 7, "cell": 2}
    cfg.recordCells = [0, 7]
    cfg.recordTraces = {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"}}
    return net, cfg


def syn_strings():
    """tut6's AlphaSynapse stimulus and synMech string functions, without its VClamp (and
    with positive NetStim weights: tut6's `0.1+normal(0.2,0.05)` can be negative, which
    makes a cell blow up to -900 mV, where both simulators only agree to round-off)."""
    from netpyne import specs
    net = specs.NetParams()
    net.cellParams["PYR"] = {"secs": {"soma": {"geom": {"diam": 18.8, "L": 18.8},
                                               "mechs": {"hh": {"gnabar": 0.12, "gkbar": 0.036, "gl": 0.003, "el": -70}}}}}
    net.popParams["S"] = {"cellType": "PYR", "numCells": 8}
    net.popParams["M"] = {"cellType": "PYR", "numCells": 8}
    net.synMechParams["exc"] = {"mod": "Exp2Syn", "tau1": "0.1 + 0.01*post_ynorm", "tau2": "abs(normal(5.0, 0.5))", "e": 0}
    net.stimSourceParams["Input_1"] = {"type": "IClamp", "del": 30, "dur": 100, "amp": "uniform(0.4,0.5)"}
    net.stimSourceParams["Input_3"] = {"type": "AlphaSynapse", "onset": "uniform(30,60)", "tau": 5, "gmax": "post_ynorm", "e": 0}
    net.stimSourceParams["Input_4"] = {"type": "NetStim", "interval": "uniform(20,100)", "start": 60, "noise": 0.1}
    net.stimTargetParams["Input_1->S"] = {"source": "Input_1", "sec": "soma", "loc": 0.8, "conds": {"pop": "S", "cellList": list(range(5))}}
    net.stimTargetParams["Input_3->M1"] = {"source": "Input_3", "sec": "soma", "loc": 0.2, "conds": {"pop": "M", "cellList": [1, 2, 4, 6]}}
    net.stimTargetParams["Input_4->PYR"] = {"source": "Input_4", "sec": "soma", "loc": 0.5, "weight": "0.002 + abs(normal(0.004, 1e-6))", "delay": 1,
                                            "conds": {"cellType": "PYR", "ynorm": [0.3, 1.0]}}
    net.connParams["S->M"] = {"preConds": {"pop": "S"}, "postConds": {"pop": "M"}, "probability": 0.5,
                              "weight": 0.01, "delay": 5, "synMech": "exc"}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = 200, 0.025, 0.1
    cfg.recordCells = [0, 9, 12]
    cfg.recordTraces = {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"}}
    return net, cfg


def spike_source():
    """NetPyNE's spike source: the first section with spikeGenLoc, else the first root
    section (no topol), which need not be the soma (ModelDB 37819's `nullseg`)."""
    from netpyne import specs
    net = specs.NetParams()
    net.popParams["A"] = {"cellType": "A", "numCells": 1}
    net.popParams["B"] = {"cellType": "B", "numCells": 1}
    soma = {"geom": {"L": 18.8, "diam": 18.8, "Ra": 123}, "mechs": {"hh": {}}}
    net.cellParams["A"] = {"conds": {"cellType": "A"}, "secs": {
        "nullseg": {"geom": {"L": 10, "diam": 10}, "mechs": {"pas": {}}}, "soma": soma}}
    net.cellParams["B"] = {"conds": {"cellType": "B"}, "secs": {
        "nullseg": {"geom": {"L": 10, "diam": 10}, "mechs": {"pas": {}}},
        "soma": dict(soma, spikeGenLoc=0.5)}}
    net.stimSourceParams["step"] = {"type": "IClamp", "del": 10, "dur": 80, "amp": 0.3}
    net.stimTargetParams["step->all"] = {"source": "step", "conds": {"cellType": ["A", "B"]}, "sec": "soma", "loc": 0.5}
    cfg = specs.SimConfig()
    cfg.duration, cfg.dt, cfg.recordStep = 100, 0.025, 0.1
    cfg.recordCells = [0]
    cfg.recordTraces = {"V_soma": {"sec": "soma", "loc": 0.5, "var": "v"}}
    return net, cfg


MODELS = {"ions": ions, "routing": routing, "shared_global": shared_global, "stim_strings": stim_strings,
          "syn_strings": syn_strings, "spike_source": spike_source}


def build_mods():
    scratch = tempfile.mkdtemp(prefix="ranvier_sem_")
    for d in MODS:
        for f in os.listdir(d):
            if f.endswith(".mod"):
                shutil.copy(os.path.join(d, f), scratch)
    subprocess.run(["nrnivmodl"], cwd=scratch, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return scratch


def child(stage, name, scratch):
    os.chdir(scratch)  # NEURON loads ./x86_64
    sys.argv = [sys.argv[0]]
    from netpyne_export import export_model, rerun, results
    path = os.path.join(HERE, "models", name + ".json")
    if stage == "export":
        from netpyne import sim
        net, cfg = MODELS[name]()
        cfg.saveJson = cfg.savePickle = False
        cfg.filename = name
        sim.create(netParams=net, simConfig=cfg, output=False)
        export_model(sim, path)
    else:
        sim = rerun(path)
        res = results(sim)
        # spike and sample times in full; values to 12 significant digits (the test
        # compares within 1e-9 mV)
        res = {"spkt": res["spkt"], "spkid": res["spkid"], "t": res["t"],
               "traces": {k: {c: [float("%.12g" % x) for x in v] for c, v in cs.items()}
                          for k, cs in res["traces"].items()}}
        with open(os.path.join(HERE, "ref", name + ".json"), "w") as f:
            json.dump(res, f, separators=(",", ":"))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    names = sys.argv[1:] or list(MODELS)
    os.makedirs(os.path.join(HERE, "models"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "ref"), exist_ok=True)
    scratch = build_mods()
    for name in names:
        for stage in ("export", "neuron"):
            subprocess.run([sys.executable, os.path.abspath(__file__), "--child", stage, name, scratch], check=True)
        print("wrote", name)


if __name__ == "__main__":
    main()
