"""Benchmark (b) in NEURON: 1000 hh somas, 100 ExpSyn inputs each + one NetStim.
Usage: python3 neuron_hh_network.py [tstop_ms] [multi|single] [spike_file]
  multi:  100 ExpSyn objects per cell (one per NetCon; NetStim -> syn[0])
  single: one ExpSyn per cell receiving all 101 NetCons"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
t0 = time.perf_counter()
from neuron import h  # noqa: E402
import common as C  # noqa: E402

h.load_file("stdrun.hoc")
tstop = float(sys.argv[1]) if len(sys.argv) > 1 else 1000.0
mode = sys.argv[2] if len(sys.argv) > 2 else "multi"
spike_file = sys.argv[3] if len(sys.argv) > 3 else None
h.celsius = 6.3
h.dt = 0.025
h.steps_per_ms = 40

somas, syns, stims, ncs, dets = [], [], [], [], []
tv, idv = h.Vector(), h.Vector()
for i in range(C.NCELLS):
    s = h.Section(name=f"soma{i}")
    s.L = s.diam = C.SOMA_SIZE
    s.insert("hh")
    somas.append(s)
    nsyn = C.FANIN if mode == "multi" else 1
    cs = []
    for _ in range(nsyn):
        e = h.ExpSyn(s(0.5))
        e.tau = C.TAU
        e.e = C.E_SYN
        cs.append(e)
    syns.append(cs)
    d = h.NetCon(s(0.5)._ref_v, None, sec=s)
    d.threshold = C.THRESHOLD
    d.record(tv, idv, i)
    dets.append(d)
    ns = h.NetStim()
    ns.interval = C.STIM_INTERVAL
    ns.number = 1e9
    ns.start = C.stim_start(i)
    ns.noise = 0
    stims.append(ns)
    nc = h.NetCon(ns, cs[0])
    nc.weight[0] = C.W_EXT
    nc.delay = C.STIM_DELAY
    ncs.append(nc)
for post in range(C.NCELLS):
    for k in range(C.FANIN):
        pre, delay = C.connection(post, k)
        tgt = syns[post][k] if mode == "multi" else syns[post][0]
        nc = h.NetCon(somas[pre](0.5)._ref_v, tgt, sec=somas[pre])
        nc.threshold = C.THRESHOLD
        nc.weight[0] = C.W_REC
        nc.delay = delay
        ncs.append(nc)
h.finitialize(-65.0)
build = time.perf_counter() - t0
t1 = time.perf_counter()
h.continuerun(tstop)
run = time.perf_counter() - t1
print(f"build_s {build:.6f}")
print(f"run_s {run:.6f}")
print(f"spikes {len(tv)}")
if spike_file:
    pairs = sorted(zip(tv, idv), key=lambda p: (p[0], p[1]))
    with open(spike_file, "w") as f:
        for t, g in pairs:
            f.write(f"{int(g)} {t:.9f}\n")
