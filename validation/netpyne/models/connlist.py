"""Ten one-compartment HH cells wired by an explicit connList (feed-forward, no loops), driven deterministically.

* pop 'C' (10 cells, cellType 'HH'): soma diam 18.8, L 18.8, Ra 123, hh (default gbar).
* connParams 'list': connList of [pre, post] indices (relative to the sorted gids
  matching preConds/postConds), with one weight and one delay per connection.
* IClamp 'pulse' (delay 10 ms, dur 5 ms, amp 0.5 nA) on cell 0 and a second one on
  cell 6 at 120 ms; NetStim 'drive' with noise 0 (regular, 4 events from 60 ms at
  50 Hz) onto cell 3. No randomness enters the simulation, so spike times are
  deterministic (seeds only affect nothing here; --seed is accepted for symmetry).

Usage: MPLBACKEND=Agg python connlist.py [--seed N] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _run import main  # noqa: E402

CONN_LIST = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7], [7, 8], [8, 9],
             [0, 5], [3, 7], [1, 9], [4, 9], [2, 8]]
WEIGHTS = [0.05, 0.04, 0.06, 0.05, 0.045, 0.05, 0.055, 0.05, 0.06,
           0.02, 0.03, 0.05, 0.025, 0.015]
DELAYS = [2.0, 3.5, 1.25, 4.0, 2.5, 5.0, 1.5, 3.0, 2.25,
          6.0, 7.5, 10.0, 4.75, 8.0]


def build(seed, out):
    from netpyne import specs
    netParams = specs.NetParams()

    netParams.cellParams['HH'] = {'secs': {'soma': {
        'geom': {'diam': 18.8, 'L': 18.8, 'Ra': 123.0},
        'mechs': {'hh': {'gnabar': 0.12, 'gkbar': 0.036, 'gl': 0.0003, 'el': -54.3}}}}}
    netParams.popParams['C'] = {'cellType': 'HH', 'numCells': 10}

    netParams.synMechParams['exc'] = {'mod': 'Exp2Syn', 'tau1': 0.1, 'tau2': 5.0, 'e': 0}

    netParams.connParams['list'] = {
        'preConds': {'pop': 'C'}, 'postConds': {'pop': 'C'},
        'connList': CONN_LIST, 'weight': WEIGHTS, 'delay': DELAYS,
        'synMech': 'exc'}

    netParams.stimSourceParams['pulse'] = {'type': 'IClamp', 'del': 10, 'dur': 5, 'amp': 0.5}
    netParams.stimTargetParams['pulse->C0'] = {'source': 'pulse', 'sec': 'soma', 'loc': 0.5,
                                               'conds': {'pop': 'C', 'cellList': [0]}}
    netParams.stimSourceParams['pulse2'] = {'type': 'IClamp', 'del': 120, 'dur': 2, 'amp': 0.8}
    netParams.stimTargetParams['pulse2->C6'] = {'source': 'pulse2', 'sec': 'soma', 'loc': 0.5,
                                                'conds': {'pop': 'C', 'cellList': [6]}}
    netParams.stimSourceParams['drive'] = {'type': 'NetStim', 'rate': 50, 'noise': 0,
                                           'start': 60, 'number': 4}
    netParams.stimTargetParams['drive->C3'] = {'source': 'drive', 'conds': {'pop': 'C', 'cellList': [3]},
                                               'weight': 0.05, 'delay': 1, 'synMech': 'exc'}

    simConfig = specs.SimConfig()
    simConfig.duration = 200
    simConfig.dt = 0.025
    simConfig.recordCells = [3]
    simConfig.recordTraces = {'V_soma': {'sec': 'soma', 'loc': 0.5, 'var': 'v'}}
    simConfig.recordStep = 0.1
    simConfig.analysis['plotRaster'] = {'saveFig': os.path.join(out, 'connlist_raster.png')}
    return netParams, simConfig


if __name__ == '__main__':
    main(build, 'connlist')
