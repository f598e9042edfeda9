"""Shared driver for the NetPyNE reference models (Ranvier validation).

Every model script builds `netParams`/`simConfig` with a `build(seed, out)`
function and calls `main(build, name)`, which:

* parses `--seed N` (sets simConfig.seeds conn/loc/stim/cell = N) and `--out DIR`;
* saves the model description the NetPyNE way:
    DIR/netParams.json  (netParams.save -> {"net": {"params": {...}}})
    DIR/simConfig.json  (simConfig.save -> {"simConfig": {...}})
    DIR/model.json      ({"netParams": ..., "simConfig": ...} composed from the two)
* reloads DIR/model.json (unless --from-script) so the simulated network is exactly
  the one described by the file Ranvier reads;
* runs sim.create / sim.simulate / sim.analyze (analyze saves DIR/<name>_data.json
  because simConfig.saveJson = True);
* writes DIR/stats.json: cells per pop, connections per rule and per pop pair,
  spikes and rates per pop, wall times of the phases, versions.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault('MPLBACKEND', 'Agg')


def parse_args(name):
    p = argparse.ArgumentParser(description='NetPyNE reference model %s' % name)
    p.add_argument('--seed', type=int, default=1, help='seed for simConfig.seeds conn/loc/stim/cell')
    p.add_argument('--out', default=os.path.join('out', 'netpyne', name), help='output directory')
    p.add_argument('--no-run', action='store_true', help='only write the model JSON files')
    p.add_argument('--from-script', action='store_true',
                   help='simulate the in-memory netParams/simConfig instead of reloading model.json '
                        '(population order then follows the script, not the sorted JSON keys)')
    return p.parse_args()


def set_common(simConfig, seed, out, name):
    simConfig.seeds = {'conn': seed, 'loc': seed, 'stim': seed, 'cell': seed}
    simConfig.saveFolder = out
    simConfig.filename = name
    simConfig.saveJson = True
    simConfig.savePickle = False
    simConfig.verbose = False
    simConfig.progressBar = 0


def save_model(netParams, simConfig, out):
    """Save with NetPyNE's own writers, then compose the single model file."""
    from netpyne import sim
    np_path = os.path.join(out, 'netParams.json')
    sc_path = os.path.join(out, 'simConfig.json')
    netParams.save(np_path)      # writes {"net": {"params": <netParams.todict()>}}
    simConfig.save(sc_path)      # writes {"simConfig": <simConfig.__dict__>}
    with open(np_path) as f:
        npd = json.load(f)['net']['params']
    with open(sc_path) as f:
        scd = json.load(f)['simConfig']
    # same serializer and options as NetPyNE (sim.saveJSON: indent=4, sort_keys=True)
    sim.saveJSON(os.path.join(out, 'model.json'), {'netParams': npd, 'simConfig': scd})


def stats(sim, simConfig, t_create, t_sim, t_analyze):
    import neuron
    import netpyne
    cells = sim.net.allCells
    gid_pop = {c['gid']: c['tags']['pop'] for c in cells}
    pops = list(sim.net.allPops.keys())
    n_pop = {p: 0 for p in pops}
    for c in cells:
        n_pop[c['tags']['pop']] += 1
    by_rule, by_pair, n_stim_conns = {}, {}, 0
    for c in cells:
        post = c['tags']['pop']
        for conn in c['conns']:
            pre = conn['preGid']
            if pre == 'NetStim' or isinstance(pre, str):
                n_stim_conns += 1
                continue
            lab = conn.get('label', '?')
            by_rule[lab] = by_rule.get(lab, 0) + 1
            key = '%s->%s' % (gid_pop[pre], post)
            by_pair[key] = by_pair.get(key, 0) + 1
    spkid = list(sim.allSimData['spkid'])
    spkt = list(sim.allSimData['spkt'])
    dur_s = simConfig.duration / 1000.0
    spk_pop = {p: 0 for p in pops}
    for g in spkid:
        spk_pop[gid_pop[int(g)]] += 1
    rate = {p: (spk_pop[p] / n_pop[p] / dur_s if n_pop[p] else 0.0) for p in pops}
    return {
        'seed': simConfig.seeds['conn'],
        'versions': {'netpyne': netpyne.__version__, 'neuron': neuron.__version__,
                     'python': sys.version.split()[0]},
        'cells_per_pop': n_pop,
        'num_cells': len(cells),
        'conns_per_rule': by_rule,
        'conns_per_pair': by_pair,
        'num_conns': sum(by_rule.values()),
        'num_stim_conns': n_stim_conns,
        'spikes_per_pop': spk_pop,
        'rate_per_pop_hz': rate,
        'num_spikes': len(spkt),
        'wall_s': {'create': t_create, 'simulate': t_sim, 'analyze_save': t_analyze},
        'netpyne_timing_s': {k: float(v) for k, v in sim.timingData.items()},
        'spkt': [float(t) for t in spkt],
        'spkid': [int(g) for g in spkid],
    }


def main(build, name):
    args = parse_args(name)
    out = args.out  # kept as given: relative paths stay relative in simConfig.saveFolder and figure paths
    os.makedirs(out, exist_ok=True)
    netParams, simConfig = build(args.seed, out)
    set_common(simConfig, args.seed, out, name)
    save_model(netParams, simConfig, out)
    if args.no_run:
        return
    from netpyne import sim, specs
    if not args.from_script:
        # Simulate exactly what Ranvier consumes: the composed model.json. NetPyNE writes JSON
        # with sort_keys=True, so popParams (and hence gid blocks) come back in sorted order.
        with open(os.path.join(out, 'model.json')) as f:
            model = json.load(f)
        netParams = specs.NetParams(model['netParams'])
        simConfig = specs.SimConfig(model['simConfig'])
    t0 = time.perf_counter()
    sim.create(netParams=netParams, simConfig=simConfig)
    t1 = time.perf_counter()
    sim.simulate()
    t2 = time.perf_counter()
    sim.analyze()
    t3 = time.perf_counter()
    st = stats(sim, simConfig, t1 - t0, t2 - t1, t3 - t2)
    with open(os.path.join(out, 'stats.json'), 'w') as f:
        json.dump(st, f, indent=1)
    print('[%s seed %d] cells %d conns %d spikes %d create %.2fs simulate %.2fs' % (
        name, args.seed, st['num_cells'], st['num_conns'], st['num_spikes'],
        st['wall_s']['create'], st['wall_s']['simulate']))
