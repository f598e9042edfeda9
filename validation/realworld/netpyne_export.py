"""Shared helpers for the real-model harness: NetPyNE models exported to JSON without
changing them, and NetPyNE runs whose results the comparison reads.

A NetPyNE model is exported from memory after NetPyNE built it (``sim.net.params``,
``sim.cfg``), converted to plain dicts in insertion order and dumped *without*
``sort_keys``: NetPyNE's own ``saveJSON`` sorts every dict, and a sorted file builds a
different network (population order sets gids; the first synMechParams key is the default
synMech). ``roundtrip`` then reloads the file with ``sim.loadNetParams`` / ``loadSimCfg``
and reruns it, so the reference describes exactly the file Ranvier reads.
"""
import json
import os
import time

os.environ.setdefault("MPLBACKEND", "Agg")


def plain(obj):
    """NetPyNE's Dict/ODict/NetParams/SimConfig and NumPy values as plain JSON data, keys in
    insertion order."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if hasattr(obj, "todict") and not isinstance(obj, (list, tuple)):
        try:
            return plain(obj.todict())
        except TypeError:
            pass
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [plain(v) for v in obj.tolist()]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "__dict__"):
        return {k: plain(v) for k, v in vars(obj).items() if not k.startswith("_")}
    if hasattr(obj, "to_python"):  # hoc Vector
        return list(obj.to_python())
    return str(obj)


def export_model(sim, path):
    """Write ``{"netParams", "simConfig"}`` of the model NetPyNE holds in memory."""
    net_params = plain(sim.net.params)
    net_params.pop("_labelid", None)
    sim_config = plain(sim.cfg)
    with open(path, "w") as f:
        json.dump({"netParams": net_params, "simConfig": sim_config}, f, indent=1)


def results(sim):
    """Spikes and traces of the last run, gathered, as plain data."""
    data = sim.allSimData
    out = {
        "spkt": [float(x) for x in data["spkt"]],
        "spkid": [int(x) for x in data["spkid"]],
        "t": [float(x) for x in data["t"]] if "t" in data else [],
        "traces": {},
    }
    for key in sim.cfg.recordTraces:
        if key in data:
            out["traces"][key] = {c: [float(x) for x in v] for c, v in data[key].items()}
    return out


def rerun(model_path):
    """Load an exported model file with NetPyNE's loaders and simulate it (in this process;
    call once per process, NetPyNE keeps global state)."""
    from netpyne import sim, specs

    with open(model_path) as f:
        d = json.load(f)
    net_params = specs.NetParams(d["netParams"])
    sim_config = specs.SimConfig(d["simConfig"])
    sim_config.saveJson = False
    sim_config.savePickle = False
    sim_config.analysis = {}
    sim.create(netParams=net_params, simConfig=sim_config, output=False)
    sim.simulate()
    return sim


def save_neuron_run(model_path, out_path):
    """Rerun an exported model in NEURON (`rerun`) and write its spikes, traces and the
    wall time of load and run (`run_s`) to `out_path`."""
    t0 = time.perf_counter()
    sim = rerun(model_path)
    res = results(sim)
    res["run_s"] = time.perf_counter() - t0
    with open(out_path, "w") as f:
        json.dump(res, f)
