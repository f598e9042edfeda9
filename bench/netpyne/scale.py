#!/usr/bin/env python3
"""Write bench/netpyne/tut2_10k.json: examples/tut2/model.json (NetPyNE tutorial 2) scaled to
10,000 cells (popParams S and M: numCells 5000 each). Everything else is kept (divergence 12
S->M, NetStim bkg onto every cell, seeds, dt, 1000 ms) except:
  - simConfig.analysis = {} (no raster/trace plots, for timing fairness in both simulators)
  - recordTraces V_soma is kept, recorded for one cell only (recordCells = [1])
  - saveFolder/filename point at out/tut2_10k (both runners override the folder anyway)

usage: python3 bench/netpyne/scale.py [DURATION_MS]   (default 1000)
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
src = os.path.join(root, 'examples', 'tut2', 'model.json')
dst = os.path.join(here, 'tut2_10k.json')

duration = float(sys.argv[1]) if len(sys.argv) > 1 else 1000.0

with open(src) as f:
    model = json.load(f)
net, cfg = model['netParams'], model['simConfig']
for pop in net['popParams'].values():
    pop['numCells'] = 5000
cfg['analysis'] = {}
cfg['recordCells'] = [1]
cfg['duration'] = duration
if 'tstop' in cfg:
    cfg['tstop'] = duration
cfg['filename'] = 'tut2_10k'
cfg['saveFolder'] = 'out/tut2_10k'

with open(dst, 'w') as f:
    json.dump(model, f, indent=1)
print('wrote %s (%d cells, %g ms)' % (dst, sum(p['numCells'] for p in net['popParams'].values()), duration))
