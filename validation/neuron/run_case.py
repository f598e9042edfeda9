#!/usr/bin/env python3
"""Build one Ranvier validation case in NEURON, run it, write the reference.

Usage:  python3 run_case.py CASE.json OUT.json

The case format is described in validation/README.md.  The run is always a
fixed-step run: h.finitialize(v_init) followed by exactly round(tstop/dt)
calls of h.fadvance(), so every trace (and the t vector) has
round(tstop/dt) + 1 samples (the t = 0 sample comes from finitialize).

The VecStim artificial cell (validation/neuron/mod/vecstim.mod) is compiled
with nrnivmodl into validation/neuron/mod/<arch>/ (git-ignored) when that
library is missing or older than the .mod file, then loaded.
"""

import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODDIR = os.path.join(HERE, "mod")


# --------------------------------------------------------------------------
# mechanisms
# --------------------------------------------------------------------------

def _mech_lib(moddir):
    # NEURON 9 nrnivmodl writes <arch>/libnrnmech.so (.dylib on macOS)
    arch = os.uname().machine
    ext = ".dylib" if sys.platform == "darwin" else ".so"
    return os.path.join(moddir, arch, "libnrnmech" + ext)


def ensure_mechanisms_compiled(moddir=MODDIR):
    """Run nrnivmodl in moddir if the library is missing or out of date."""
    lib = _mech_lib(moddir)
    mods = [os.path.join(moddir, f) for f in os.listdir(moddir) if f.endswith(".mod")]
    newest = max(os.path.getmtime(m) for m in mods)
    if not os.path.exists(lib) or os.path.getmtime(lib) < newest:
        subprocess.run(["nrnivmodl"], cwd=moddir, check=True,
                       stdout=subprocess.DEVNULL)
    if not os.path.exists(lib):
        raise RuntimeError("nrnivmodl did not produce " + lib)


def load_mechanisms(h, neuron, moddir=MODDIR):
    ensure_mechanisms_compiled(moddir)
    try:
        h.VecStim  # already there (e.g. auto-loaded from ./<arch>/ in cwd)
        sys.stderr.write("run_case: VecStim already defined, not loading %s\n" % moddir)
    except AttributeError:
        if not neuron.load_mechanisms(moddir):
            raise RuntimeError("could not load mechanisms from " + moddir)


# --------------------------------------------------------------------------
# model construction
# --------------------------------------------------------------------------

def build(h, case):
    """Instantiate the case. Returns a dict of NEURON objects (keep alive!)."""
    m = {"secs": {}, "pps": {}, "cells": {}, "netcons": [], "vecs": [],
         "spike_vecs": {}, "traces": {}}
    secs = m["secs"]

    # 1. sections + geometry + passive properties, in the order given
    for s in case["sections"]:
        name = s["name"]
        if name in secs:
            raise ValueError("duplicate section name " + name)
        sec = h.Section(name=name)
        secs[name] = sec
        sec.nseg = int(s.get("nseg", 1))
        if "pt3d" in s:
            if "L" in s or "diam" in s:
                raise ValueError(name + ": give either pt3d or L+diam, not both")
            h.pt3dclear(sec=sec)
            for (x, y, z, d) in s["pt3d"]:
                h.pt3dadd(x, y, z, d, sec=sec)
        else:
            sec.L = s["L"]
            sec.diam = s["diam"]  # all segments
        for k, v in s.get("after_pt3d", {}).items():
            if "pt3d" not in s:
                raise ValueError(name + ": after_pt3d needs pt3d")
            if k not in ("L", "diam"):
                raise ValueError(name + ": after_pt3d supports only L and diam")
            setattr(sec, k, v)
        if "Ra" in s:
            sec.Ra = s["Ra"]
        if "cm" in s:
            sec.cm = s["cm"]  # all segments

    # 2. connections (child(child_end) -> parent(x))
    for s in case["sections"]:
        p = s.get("parent")
        if p:
            secs[s["name"]].connect(secs[p["sec"]](p["x"]), p.get("child_end", 0))

    # 3. mechanisms and ion values, set in every segment
    for s in case["sections"]:
        sec = secs[s["name"]]
        for mech, params in s.get("mechs", {}).items():
            sec.insert(mech)
            for k, v in params.items():
                for seg in sec:
                    setattr(seg, "%s_%s" % (k, mech), v)
        for ion, vals in s.get("ions", {}).items():
            for k, v in vals.items():
                for seg in sec:
                    setattr(seg, k, v)
        for ion, style in s.get("ion_style", {}).items():
            # [c_style, e_style, einit, eadvance, cinit]
            h.ion_style(ion + "_ion", *style, sec=sec)

    # 4. point processes
    for p in case.get("point_processes", []):
        pp = getattr(h, p["type"])(secs[p["sec"]](p["x"]))
        for k, v in p.get("params", {}).items():
            # "del" is fine as a string attribute name (same as pp.delay)
            setattr(pp, k, v)
        m["pps"][p["name"]] = pp

    # 5. artificial cells
    for c in case.get("artificial_cells", []):
        cell = getattr(h, c["type"])()
        for k, v in c.get("params", {}).items():
            setattr(cell, k, v)
        if "random123" in c:
            cell.noiseFromRandom123(*c["random123"])
        if "times" in c:
            vec = h.Vector(c["times"])
            m["vecs"].append(vec)
            cell.play(vec)
        m["cells"][c["name"]] = cell

    # 6. NetCons
    targets = dict(m["pps"])
    targets.update(m["cells"])
    sources_seen = {}
    for n in case.get("netcons", []):
        tgt = targets[n["target"]] if n.get("target") is not None else None
        src = n["source"]
        if "cell" in src:
            nc = h.NetCon(m["cells"][src["cell"]], tgt)
            key = ("cell", src["cell"])
        elif "pp" in src and "var" in src:
            # threshold on a point-process variable
            pp = m["pps"][src["pp"]]
            nc = h.NetCon(getattr(pp, "_ref_" + src["var"]), tgt, sec=pp.get_segment().sec)
            if "threshold" in n:
                nc.threshold = n["threshold"]
            key = ("ppvar", src["pp"], src["var"])
        elif "pp" in src:
            # a point process that calls net_event
            nc = h.NetCon(m["pps"][src["pp"]], tgt)
            key = ("pp", src["pp"])
        else:
            sec = secs[src["sec"]]
            nc = h.NetCon(sec(src["x"])._ref_v, tgt, sec=sec)
            if "threshold" in n:
                nc.threshold = n["threshold"]
            key = ("sec", src["sec"], _node_key(sec, src["x"]))
        nc.weight[0] = n.get("weight", 0.0)
        nc.delay = n.get("delay", 1.0)
        if "record" in n:
            if n["record"] in m["spike_vecs"]:
                raise ValueError("duplicate spike record name " + n["record"])
            vec = h.Vector()
            nc.record(vec)
            m["spike_vecs"][n["record"]] = vec
            if key in sources_seen and sources_seen[key][1]:
                raise ValueError("two NetCons with the same source record spikes "
                                 "(a source has only one record vector)")
        sources_seen.setdefault(key, [n, False])
        sources_seen[key][1] = sources_seen[key][1] or ("record" in n)
        m["netcons"].append((n, nc))
    # all NetCons with the same source share one threshold (one PreSyn):
    # make sure the case does not silently depend on which one was set last
    for n, nc in m["netcons"]:
        if "sec" in n["source"] and "threshold" in n and nc.threshold != n["threshold"]:
            raise ValueError("NetCons sharing a source need the same threshold")

    return m


def _node_key(sec, x):
    if x <= 0.0:
        return "0"
    if x >= 1.0:
        return "1"
    return str(min(int(x * sec.nseg), sec.nseg - 1))


def setup_records(h, case, m):
    tvec = h.Vector()
    tvec.record(h._ref_t)
    m["tvec"] = tvec
    for r in case.get("record", []):
        if r["name"] in m["traces"] or r["name"] == "t":
            raise ValueError("duplicate record name " + r["name"])
        if "pp" in r:
            obj = m["pps"].get(r["pp"]) or m["cells"][r["pp"]]
            ref = getattr(obj, "_ref_" + r["var"])
        else:
            ref = getattr(m["secs"][r["sec"]](r["x"]), "_ref_" + r["var"])
        vec = h.Vector()
        vec.record(ref)  # default: every fixed step, plus t = 0
        m["traces"][r["name"]] = vec


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------

def geometry(h, sec):
    segs = list(sec)
    g = {
        "L": sec.L, "Ra": sec.Ra, "nseg": sec.nseg,
        "x": [seg.x for seg in segs],
        "area": [seg.area() for seg in segs],
        "ri": [seg.ri() for seg in segs],
        "diam": [seg.diam for seg in segs],
        "cm": [seg.cm for seg in segs],
        "area_ends": [sec(0).area(), sec(1).area()],
        "ri_ends": [sec(0).ri(), sec(1).ri()],
        "pt3d": [[sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)]
                 for i in range(sec.n3d())],
        "arc3d": [sec.arc3d(i) for i in range(sec.n3d())],
    }
    ps = sec.parentseg()
    g["parent"] = None if ps is None else {"sec": ps.sec.name(), "x": ps.x,
                                           "child_end": sec.orientation()}
    return g


def _finite(name, xs):
    for v in xs:
        if not math.isfinite(v):
            raise ValueError("non-finite value in " + name)
    return xs


def run_case(case):
    import neuron
    from neuron import h
    h.load_file("stdrun.hoc")
    load_mechanisms(h, neuron)
    if case.get("mod_dir"):
        # A folder of the repository with more .mod files (compiled in a scratch copy).
        import shutil
        import subprocess
        import tempfile
        src = os.path.join(HERE, "..", "..", case["mod_dir"])
        scratch = tempfile.mkdtemp(prefix="ranvier_case_")
        for f in os.listdir(src):
            if f.endswith(".mod"):
                shutil.copy(os.path.join(src, f), scratch)
        subprocess.run(["nrnivmodl"], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not neuron.load_mechanisms(scratch):
            raise RuntimeError("cannot load the mechanisms of " + case["mod_dir"])

    m = build(h, case)
    setup_records(h, case, m)

    h.dt = case["dt"]
    h.celsius = case["celsius"]
    h.secondorder = case.get("secondorder", 0)
    for k, v in case.get("globals", {}).items():
        setattr(h, k, v)

    nsteps = int(round(case["tstop"] / case["dt"]))
    h.finitialize(case["v_init"])
    for _ in range(nsteps):
        h.fadvance()

    t = list(m["tvec"])
    if len(t) != nsteps + 1:
        raise RuntimeError("t has %d samples, expected %d" % (len(t), nsteps + 1))
    traces = {}
    for name, vec in m["traces"].items():
        traces[name] = _finite(name, list(vec))
        if len(traces[name]) != len(t):
            raise RuntimeError("trace %s has wrong length" % name)

    out = {
        "neuron_version": neuron.__version__,
        "nrnversion": h.nrnversion(),
        "case": case["name"],
        "dt": h.dt, "tstop": case["tstop"], "nsteps": nsteps,
        "t": t,
        "traces": traces,
        "spikes": {k: list(v) for k, v in m["spike_vecs"].items()},
        "geometry": {name: geometry(h, sec) for name, sec in m["secs"].items()},
    }
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        case = json.load(f)
    out = run_case(case)
    with open(argv[2], "w") as f:
        # json writes floats with repr(): exact round trip
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
