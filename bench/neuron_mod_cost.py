"""Issue 4 benchmark in NEURON: an unbranched cable of nseg compartments with hh (NEURON's
hh is nocmodl-compiled hh.mod, the same code nrnivmodl produces), IClamp at 0, tstop ms
at dt 0.025. Prints ns_per_comp_step. With a MOD_DIR, its .mod files are compiled with
nrnivmodl (in a scratch copy) and every SUFFIX is inserted with pas instead of hh, at 36
degC. Usage: python3 neuron_mod_cost.py [nseg] [tstop_ms] [MOD_DIR]"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

suffixes = []
if len(sys.argv) > 3:
    moddir = sys.argv[3]
    scratch = tempfile.mkdtemp(prefix="ranvier_modcost_")
    for f in sorted(os.listdir(moddir)):
        if f.endswith(".mod"):
            shutil.copy(os.path.join(moddir, f), scratch)
            m = re.search(r"SUFFIX\s+(\w+)", open(os.path.join(moddir, f)).read())
            if m:
                suffixes.append(m.group(1))
    subprocess.run(["nrnivmodl"], cwd=scratch, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

t0 = time.perf_counter()
import neuron  # noqa: E402
from neuron import h  # noqa: E402

if suffixes:
    neuron.load_mechanisms(scratch)

h.load_file("stdrun.hoc")
nseg = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
tstop = float(sys.argv[2]) if len(sys.argv) > 2 else 100.0
cable = h.Section(name="cable")
cable.L = nseg * 10.0
cable.diam = 2.0
cable.nseg = nseg
for m in suffixes or ["hh"]:
    cable.insert(m)
if suffixes:
    cable.insert("pas")
stim = h.IClamp(cable(0.0))
stim.delay = 1.0
stim.dur = 1e9
stim.amp = 0.5
nc = h.NetCon(cable(0.5)._ref_v, None, sec=cable)
nc.threshold = 10.0
tv = h.Vector()
nc.record(tv)
h.dt = 0.025
h.steps_per_ms = 40
h.celsius = 36.0 if suffixes else 6.3
h.finitialize(-65.0)
build = time.perf_counter() - t0
t1 = time.perf_counter()
h.continuerun(tstop)
run = time.perf_counter() - t1
steps = round(tstop / 0.025)
print(f"build_s {build:.6f}")
print(f"run_s {run:.6f}")
print(f"spikes {len(tv)}")
print(f"ns_per_comp_step {run * 1e9 / (nseg * steps):.3f}")
