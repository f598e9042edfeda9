"""Spatial network with distance-dependent connectivity (in the spirit of NetPyNE's tut3/tut5).

Three populations of one-compartment HH cells in a 100 x 1000 x 100 um volume:
  E2: 'PYR' cells placed by density (cells/mm^3) in yRange [100, 400] um
  I2: 'BAS' cells, numCells 30, yRange [100, 400] um
  E5: 'PYR' cells, numCells 60, ynormRange [0.6, 1.0]
Connectivity uses string functions of dist_3D / post_ynorm, netParams numeric
variables (probLengthConst, propVelocity), a convergence rule with a random
string expression, and ynorm-range postConds.

Usage: MPLBACKEND=Agg python spatial.py [--seed N] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _run import main  # noqa: E402


def build(seed, out):
    from netpyne import specs
    netParams = specs.NetParams()

    netParams.sizeX = 100
    netParams.sizeY = 1000
    netParams.sizeZ = 100
    netParams.propVelocity = 100.0     # um/ms, used in delay strings
    netParams.probLengthConst = 150.0  # um, used in probability strings

    netParams.cellParams['PYR'] = {'secs': {'soma': {
        'geom': {'diam': 15, 'L': 14, 'Ra': 120.0},
        'mechs': {'hh': {'gnabar': 0.13, 'gkbar': 0.036, 'gl': 0.003, 'el': -70}}}}}
    netParams.cellParams['BAS'] = {'secs': {'soma': {
        'geom': {'diam': 10.0, 'L': 9.0, 'Ra': 110.0},
        'mechs': {'hh': {'gnabar': 0.11, 'gkbar': 0.036, 'gl': 0.003, 'el': -70}}}}}

    # density in cells/mm^3: volume = 0.1 * 0.3 * 0.1 mm^3 = 0.003 mm^3 -> 60 cells
    netParams.popParams['E2'] = {'cellType': 'PYR', 'density': 20000, 'yRange': [100, 400]}
    netParams.popParams['I2'] = {'cellType': 'BAS', 'numCells': 30, 'yRange': [100, 400]}
    netParams.popParams['E5'] = {'cellType': 'PYR', 'numCells': 60, 'ynormRange': [0.6, 1.0]}

    netParams.synMechParams['exc'] = {'mod': 'Exp2Syn', 'tau1': 0.8, 'tau2': 5.3, 'e': 0}
    netParams.synMechParams['inh'] = {'mod': 'Exp2Syn', 'tau1': 0.6, 'tau2': 8.5, 'e': -75}

    netParams.stimSourceParams['bkg'] = {'type': 'NetStim', 'rate': 20, 'noise': 0.3}
    netParams.stimTargetParams['bkg->all'] = {'source': 'bkg', 'conds': {'cellType': ['PYR', 'BAS']},
                                              'weight': 0.01, 'delay': 5, 'synMech': 'exc'}

    # E -> cells in the upper half (ynorm 0.1-0.5), distance-dependent probability
    netParams.connParams['E->upper'] = {
        'preConds': {'cellType': 'PYR'}, 'postConds': {'ynorm': [0.1, 0.5]},
        'probability': '0.3*exp(-dist_3D/probLengthConst)',
        'weight': '0.004*exp(-dist_3D/500)',
        'delay': 'dist_3D/propVelocity + 1',
        'synMech': 'exc'}
    # I -> E, distance-dependent probability
    netParams.connParams['I->E'] = {
        'preConds': {'pop': 'I2'}, 'postConds': {'pop': ['E2', 'E5']},
        'probability': '0.4*exp(-dist_3D/probLengthConst)',
        'weight': 0.002,
        'delay': 'dist_3D/propVelocity + 1',
        'synMech': 'inh'}
    # E2 -> deep E5 (ynorm 0.6-1.0) by convergence with a random count per post cell
    netParams.connParams['E2->E5'] = {
        'preConds': {'pop': 'E2'}, 'postConds': {'pop': 'E5', 'ynorm': [0.6, 1.0]},
        'convergence': 'uniform(1, 10)',
        'weight': '0.002*post_ynorm',
        'delay': 'dist_3D/propVelocity',
        'synMech': 'exc'}

    simConfig = specs.SimConfig()
    simConfig.duration = 1 * 1e3
    simConfig.dt = 0.025
    simConfig.recordTraces = {'V_soma': {'sec': 'soma', 'loc': 0.5, 'var': 'v'}}
    simConfig.recordStep = 1
    simConfig.analysis['plotRaster'] = {'saveFig': os.path.join(out, 'spatial_raster.png')}
    return netParams, simConfig


if __name__ == '__main__':
    main(build, 'spatial')
