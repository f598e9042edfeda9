"""Regenerate the NetPyNE reference statistics and model files for Ranvier.

Runs each model in validation/netpyne/models/ in its own Python process
(tut2 and spatial: seeds 1..10; connlist: seed 1), then writes

  validation/netpyne/ref/<model>_stats.json       per-seed values, mean, sd
  validation/netpyne/ref/connlist_spikes.json     connlist spkt/spkid (full precision)
  validation/netpyne/ref/connlist_output_sample.json   NetPyNE saveJson output (connlist)
  validation/netpyne/ref/connlist_netParams_save.json  raw netParams.save() output
  validation/netpyne/ref/connlist_simConfig_save.json  raw simConfig.save() output
  examples/tut2/model.json, validation/netpyne/models/{spatial,connlist}.json
                                                   {"netParams": ..., "simConfig": ...}

Usage (from the repository root):
  pip install netpyne
  MPLBACKEND=Agg python validation/netpyne/make_refs.py [--seeds 10] [--work /tmp/ranvier_netpyne]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
MODELS = os.path.join(HERE, 'models')
REF = os.path.join(HERE, 'ref')

MODEL_FILE_DEST = {
    'tut2': os.path.join(ROOT, 'examples', 'tut2', 'model.json'),
    'spatial': os.path.join(MODELS, 'spatial.json'),
    'connlist': os.path.join(MODELS, 'connlist.json'),
}


def run(model, seed, out, extra=(), cwd=None):
    env = dict(os.environ, MPLBACKEND='Agg')
    cmd = [sys.executable, os.path.join(MODELS, model + '.py'), '--seed', str(seed), '--out', out] + list(extra)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit('%s seed %d failed' % (model, seed))
    print(r.stdout.strip().splitlines()[-1])
    return wall


def mean_sd(vals):
    vals = [float(v) for v in vals]
    return {'mean': statistics.fmean(vals), 'sd': statistics.stdev(vals) if len(vals) > 1 else 0.0,
            'min': min(vals), 'max': max(vals)}


def summarize(per_seed):
    """mean/sd (sample sd, ddof=1) over seeds of every scalar and every dict entry."""
    summary = {}
    for key in ['num_cells', 'num_conns', 'num_stim_conns', 'num_spikes']:
        summary[key] = mean_sd([s[key] for s in per_seed])
    for key in ['cells_per_pop', 'conns_per_rule', 'conns_per_pair', 'spikes_per_pop', 'rate_per_pop_hz',
                'wall_s']:
        names = []
        for s in per_seed:
            names += [k for k in s[key] if k not in names]
        summary[key] = {k: mean_sd([s[key].get(k, 0) for s in per_seed]) for k in names}
    summary['process_wall_s'] = mean_sd([s['process_wall_s'] for s in per_seed])
    return summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, default=10)
    ap.add_argument('--work', default='/tmp/ranvier_netpyne')
    ap.add_argument('--models', default='tut2,spatial,connlist')
    args = ap.parse_args()
    os.makedirs(REF, exist_ok=True)

    for model in args.models.split(','):
        seeds = [1] if model == 'connlist' else list(range(1, args.seeds + 1))
        per_seed = []
        for seed in seeds:
            out = os.path.join(args.work, model, 'seed%d' % seed)
            shutil.rmtree(out, ignore_errors=True)
            wall = run(model, seed, out)
            with open(os.path.join(out, 'stats.json')) as f:
                st = json.load(f)
            st['process_wall_s'] = wall
            per_seed.append(st)
        versions = per_seed[0]['versions']
        result = {
            'model': model,
            'script': 'validation/netpyne/models/%s.py' % model,
            'versions': versions,
            'seeds': seeds,
            'sd': 'sample standard deviation (ddof=1) over seeds',
            'rate_definition': 'spikes in pop / cells in pop / (duration/1000) [Hz]',
            'conn_counting': 'entries of cell conns with numeric preGid (NetStim stim conns excluded); '
                             'pair key = "<prePop>-><postPop>"; rule key = conn label',
            'summary': summarize(per_seed),
            'per_seed': [{k: v for k, v in s.items() if k not in ('spkt', 'spkid', 'versions')} for s in per_seed],
        }
        with open(os.path.join(REF, model + '_stats.json'), 'w') as f:
            json.dump(result, f, indent=1)

        # model file consumed by Ranvier: regenerate with a relative --out so that
        # simConfig.saveFolder / figure paths are relative ("out/<model>")
        tmp = os.path.join(args.work, model, 'modelfile')
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        run_nofig = run(model, 1, os.path.join('out', model), ['--no-run'], cwd=tmp)  # noqa: F841
        dest = MODEL_FILE_DEST[model]
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(os.path.join(tmp, 'out', model, 'model.json'), dest)

        if model == 'connlist':
            st = per_seed[0]
            out = os.path.join(args.work, model, 'seed1')
            with open(os.path.join(REF, 'connlist_spikes.json'), 'w') as f:
                # json.dump writes floats with repr(): shortest string that round-trips exactly
                json.dump({'versions': versions, 'spkt': st['spkt'], 'spkid': st['spkid']}, f)
            shutil.copyfile(os.path.join(out, 'connlist_data.json'), os.path.join(REF, 'connlist_output_sample.json'))
            shutil.copyfile(os.path.join(tmp, 'out', model, 'netParams.json'),
                            os.path.join(REF, 'connlist_netParams_save.json'))
            shutil.copyfile(os.path.join(tmp, 'out', model, 'simConfig.json'),
                            os.path.join(REF, 'connlist_simConfig_save.json'))
    print('done')


if __name__ == '__main__':
    main()
