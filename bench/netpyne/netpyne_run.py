#!/usr/bin/env python3
"""Run a NetPyNE model JSON ({"netParams": ..., "simConfig": ...}) with NetPyNE, the way a
user would (create + simulate + analyze + save), and print per-phase wall-clock times.

usage: python3 bench/netpyne/netpyne_run.py MODEL.json OUTDIR

Phases (perf_counter, seconds), printed as `phase NAME SECONDS` lines on stdout:
  import    `from netpyne import specs, sim` (includes `import neuron`)
  load      json.load + specs.NetParams/specs.SimConfig from the dicts
  init      sim.initialize (creates sim.net, sets cfg/hParams)
  create    sim.net.createPops + sim.net.createCells
  connect   sim.net.connectCells
  stims     sim.net.addStims (the NetStim bkg sources + their NetCons)
  record    sim.setupRecording
  build     init + create + connect + stims + record (what sim.create does, minus addRxD)
  simulate  sim.runSim (preRun + finitialize + psolve)
  gather    sim.gatherData
  save      sim.saveData
  plot      sim.analysis.plotData (whatever simConfig.analysis asks for)
  total     from before the import to the end
Also prints NetPyNE's own sim.timingData (`netpyne_timing KEY SECONDS`) and the spike count
per population (`spikes POP N`).
"""
import json
import os
import sys
import time

t_start = time.perf_counter()
phases = {}


def mark(name, t0):
    t = time.perf_counter()
    phases[name] = t - t0
    return t


model_path, outdir = sys.argv[1], sys.argv[2]
os.makedirs(outdir, exist_ok=True)

t = time.perf_counter()
from netpyne import specs, sim  # noqa: E402

t = mark('import', t)

with open(model_path) as f:
    model = json.load(f)
cfg_dict = model['simConfig']
cfg_dict['saveFolder'] = outdir
# keep the analyses the model asks for, but write their figures into OUTDIR
for name, a in (cfg_dict.get('analysis') or {}).items():
    if isinstance(a, dict) and isinstance(a.get('saveFig'), str):
        a['saveFig'] = os.path.join(outdir, os.path.basename(a['saveFig']))
netParams = specs.NetParams(model['netParams'])
simConfig = specs.SimConfig(cfg_dict)
t = mark('load', t)

sim.initialize(netParams, simConfig)
t = mark('init', t)
sim.net.createPops()
sim.net.createCells()
t = mark('create', t)
sim.net.connectCells()
t = mark('connect', t)
sim.net.addStims()
t = mark('stims', t)
sim.setupRecording()
t = mark('record', t)
sim.runSim()
t = mark('simulate', t)
sim.gatherData()
t = mark('gather', t)
sim.saveData()
t = mark('save', t)
sim.analysis.plotData()
t = mark('plot', t)
phases['build'] = sum(phases[k] for k in ('init', 'create', 'connect', 'stims', 'record'))
phases['total'] = time.perf_counter() - t_start

# spike counts per population
gid2pop = {}
for c in sim.net.allCells:
    gid2pop[c['gid']] = c['tags']['pop']
counts = {p: 0 for p in sim.net.allPops}
for gid in sim.allSimData['spkid']:
    counts[gid2pop[int(gid)]] += 1
nconns = sum(len(c['conns']) for c in sim.net.allCells)

sys.stdout.flush()
print('=== netpyne_run results ===')
for k in ('import', 'load', 'init', 'create', 'connect', 'stims', 'record', 'build',
          'simulate', 'gather', 'save', 'plot', 'total'):
    print('phase %-9s %.4f' % (k, phases[k]))
for k, v in sorted(sim.timingData.items()):
    if isinstance(v, float):
        print('netpyne_timing %s %.4f' % (k, v))
for p, n in counts.items():
    print('spikes %s %d' % (p, n))
print('cells %d' % len(sim.net.allCells))
print('connections %d' % nconns)
