"""Benchmark (a) in NEURON: one hh soma, IClamp, 10 s at dt 0.025.
Usage: python3 neuron_hh_soma.py [tstop_ms]"""
import sys
import time

t0 = time.perf_counter()
from neuron import h  # noqa: E402

h.load_file("stdrun.hoc")
tstop = float(sys.argv[1]) if len(sys.argv) > 1 else 10000.0
soma = h.Section(name="soma")
soma.L = soma.diam = 18.8
soma.insert("hh")
stim = h.IClamp(soma(0.5))
stim.delay = 0.0
stim.dur = 1e9
stim.amp = 0.1
nc = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
nc.threshold = 10.0
tv = h.Vector()
nc.record(tv)
h.dt = 0.025
h.steps_per_ms = 40
h.celsius = 6.3
h.finitialize(-65.0)
build = time.perf_counter() - t0
t1 = time.perf_counter()
h.continuerun(tstop)
run = time.perf_counter() - t1
print(f"build_s {build:.6f}")
print(f"run_s {run:.6f}")
print(f"spikes {len(tv)}")
if len(tv):
    print(f"first_spike {tv[0]:.6f} last_spike {tv[-1]:.6f}")
