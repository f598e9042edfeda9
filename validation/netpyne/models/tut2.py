"""Two-population network equivalent to NetPyNE's tutorial 2 (tut2).

Usage: MPLBACKEND=Agg python tut2.py [--seed N] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _run import main  # noqa: E402


def build(seed, out):
    from netpyne import specs
    netParams = specs.NetParams()

    # one-compartment HH pyramidal cell; diam drawn per cell, gnabar depends on ynorm
    cell = {'secs': {'soma': {'geom': {}, 'mechs': {}}}}
    cell['secs']['soma']['geom'] = {'diam': '19 + uniform(-0.5, 0.5)', 'L': 18.8, 'Ra': 123.0}
    cell['secs']['soma']['mechs']['hh'] = {'gnabar': '0.12 + 0.001*ynorm', 'gkbar': 0.036,
                                           'gl': 0.003, 'el': -70}
    netParams.cellParams['PYR'] = cell

    netParams.popParams['S'] = {'cellType': 'PYR', 'numCells': 20}
    netParams.popParams['M'] = {'cellType': 'PYR', 'numCells': 20}

    netParams.synMechParams['exc'] = {'mod': 'Exp2Syn', 'tau1': 0.1, 'tau2': 5.0, 'e': 0}

    netParams.stimSourceParams['bkg'] = {'type': 'NetStim', 'rate': 10, 'noise': 0.5}
    netParams.stimTargetParams['bkg->PYR'] = {'source': 'bkg', 'conds': {'cellType': 'PYR'},
                                              'weight': 0.01, 'delay': 5, 'synMech': 'exc'}

    netParams.connParams['S->M'] = {'preConds': {'pop': 'S'}, 'postConds': {'pop': 'M'},
                                    'divergence': 12, 'weight': 0.01, 'delay': 5,
                                    'synMech': 'exc'}

    simConfig = specs.SimConfig()
    simConfig.duration = 1 * 1e3
    simConfig.dt = 0.025
    simConfig.recordTraces = {'V_soma': {'sec': 'soma', 'loc': 0.5, 'var': 'v'}}
    simConfig.recordStep = 0.1
    simConfig.analysis['plotRaster'] = {'saveFig': os.path.join(out, 'tut2_raster.png')}
    simConfig.analysis['plotTraces'] = {'include': [1], 'saveFig': os.path.join(out, 'tut2_traces.png')}
    return netParams, simConfig


if __name__ == '__main__':
    main(build, 'tut2')
