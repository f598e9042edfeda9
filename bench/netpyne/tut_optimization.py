"""NetPyNE + inspyred baseline for `ranvier optimize`: NetPyNE's tutorial optimisation
(tut_optimization.py: vary S->M probability, weight, delay of the two-population network
so that the mean rate is 17 Hz; GA with tournament selection, uniform crossover +
gaussian mutation at rate 0.2, generational replacement with 1 elite, population 10, 50
evaluations) on the same model file Ranvier uses (examples/optimize/model.json).

Usage: python3 bench/netpyne/tut_optimization.py SEED [MODEL.json]
Prints the final best fitness, its candidate and the wall time.
"""
import json
import sys
import time
from random import Random

from inspyred import ec
from netpyne import sim, specs

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
path = sys.argv[2] if len(sys.argv) > 2 else "examples/optimize/model.json"
model = json.load(open(path))


def make():
    net = specs.NetParams(model["netParams"])
    cfg = specs.SimConfig(model["simConfig"])
    cfg.analysis = {}
    cfg.verbose = False
    cfg.printRunTime = False
    cfg.saveJson = False
    cfg.savePickle = False
    return net, cfg


target = 17.0
lo = [0.01, 0.001, 1]
hi = [0.5, 0.1, 20]


def generate(random, args):
    return [random.uniform(lo[i], hi[i]) for i in range(3)]


def evaluate(candidates, args):
    out = []
    for cand in candidates:
        net, cfg = make()
        net.connParams["S->M"]["probability"] = cand[0]
        net.connParams["S->M"]["weight"] = cand[1]
        net.connParams["S->M"]["delay"] = cand[2]
        sim.createSimulate(netParams=net, simConfig=cfg)
        rate = len(sim.simData["spkt"]) / len(sim.net.cells) / (cfg.duration / 1000.0)
        out.append(abs(target - rate))
    return out


rand = Random()
rand.seed(seed)
e = ec.EvolutionaryComputation(rand)
e.selector = ec.selectors.tournament_selection
e.variator = [ec.variators.uniform_crossover, ec.variators.gaussian_mutation]
e.replacer = ec.replacers.generational_replacement
e.terminator = ec.terminators.evaluation_termination
t0 = time.perf_counter()
final = e.evolve(generator=generate, evaluator=evaluate, pop_size=10, maximize=False,
                 bounder=ec.Bounder(lo, hi), max_evaluations=50, num_selected=10,
                 mutation_rate=0.2, num_elites=1)
wall = time.perf_counter() - t0
best = max(final)
print(json.dumps({"seed": seed, "best_fitness": best.fitness, "candidate": best.candidate,
                  "evaluations": e.num_evaluations, "wall_s": wall}))
