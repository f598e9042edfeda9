#!/usr/bin/env python3
"""Summarize bench/netpyne/results (written by bench/netpyne/run.sh) as Markdown tables.

usage: python3 bench/netpyne/summarize.py [RESULTS_DIR]
"""
import glob
import os
import re
import statistics
import sys

RES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'results')


def parse_time(path):
    wall = rss = None
    for line in open(path):
        line = line.strip()
        if line.startswith('Elapsed (wall clock)'):
            v = line.split()[-1].split(':')
            wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(v)))
        elif line.startswith('Maximum resident set size'):
            rss = int(line.split()[-1]) / 1024.0  # MB (MiB)
    return wall, rss


def parse_netpyne(path):
    phases, spikes = {}, {}
    for line in open(path):
        p = line.split()
        if len(p) == 3 and p[0] == 'phase':
            phases[p[1]] = float(p[2])
        elif len(p) == 3 and p[0] == 'spikes':
            spikes[p[1]] = int(p[2])
    return phases, spikes


def parse_ranvier(path):
    phases, spikes = {}, {}
    for line in open(path):
        m = re.match(r'\s+(create|connect|run|save|plot)\s+([0-9.]+) s', line)
        if m:
            phases[m.group(1)] = float(m.group(2))
        m = re.match(r'\s+(\S+)\s+\d+ cells\s+(\d+) spikes', line)
        if m:
            spikes[m.group(1)] = int(m.group(2))
    phases['build'] = phases.get('create', 0) + phases.get('connect', 0)
    return phases, spikes


def runs(prefix, parser):
    out = []
    for t in sorted(glob.glob(os.path.join(RES, prefix + '_*.time'))):
        base = t[:-5]
        wall, rss = parse_time(t)
        phases, spikes = parser(base + '.out')
        phases['wall'] = wall
        out.append((phases, spikes, rss))
    return out


def med(rs, key):
    xs = [r[0][key] for r in rs if key in r[0]]
    return statistics.median(xs), min(xs), max(xs), len(xs)


def fmt(rs, key, nd=3):
    m, lo, hi, n = med(rs, key)
    return '%.*f (%.*f-%.*f)' % (nd, m, nd, lo, nd, hi)


def rss(rs):
    return max(r[2] for r in rs)


def spikes(rs):
    s = {}
    for r in rs:
        for k, v in r[1].items():
            s.setdefault(k, set()).add(v)
    return ', '.join('%s %s' % (k, '/'.join(str(x) for x in sorted(v))) for k, v in sorted(s.items()))


def section_tut2():
    np_ = runs('tut2_netpyne', parse_netpyne)
    r1 = runs('tut2_ranvier_t1', parse_ranvier)
    r0 = runs('tut2_ranvier_t0', parse_ranvier)
    if not np_:
        return
    npw = med(np_, 'wall')[0]
    print('### tut2 end to end (40 cells, 1000 ms), n = %d' % len(np_))
    print()
    print('| program | median wall [s] (min-max) | NetPyNE / this | peak RSS [MB] | spikes (S, M) |')
    print('|---|---|---|---|---|')
    print('| NetPyNE 1.1.1 + NEURON 9.0.2 (`python3 netpyne_run.py`) | %s | 1 | %.1f | %s |'
          % (fmt(np_, 'wall'), rss(np_), spikes(np_)))
    for name, rs in (('Ranvier `-t 1`', r1), ('Ranvier default threads', r0)):
        if rs:
            print('| %s | %s | **%.0fx** | %.1f | %s |' % (name, fmt(rs, 'wall'), npw / med(rs, 'wall')[0],
                                                         rss(rs), spikes(rs)))
    print()
    print('NetPyNE phases inside the process (median (min-max) [s]):')
    print()
    print('| import | build (init+create+connect+stims+record) | create | connect | stims | simulate | gather | save | plot | total in-process |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    print('| ' + ' | '.join(fmt(np_, k) for k in ('import', 'build', 'create', 'connect', 'stims',
                                                   'simulate', 'gather', 'save', 'plot', 'total')) + ' |')
    print()
    print('Ranvier phases (`ranvier run` timings, median (min-max) [s]):')
    print()
    print('| threads | create | connect | run | save | plot |')
    print('|---|---|---|---|---|---|')
    for name, rs in (('1', r1), ('default (2)', r0)):
        if rs:
            print('| %s | ' % name + ' | '.join(fmt(rs, k) for k in ('create', 'connect', 'run', 'save', 'plot')) + ' |')
    print()


def section_10k():
    np_ = runs('10k_netpyne', parse_netpyne)
    r1 = runs('10k_ranvier_t1', parse_ranvier)
    r2 = runs('10k_ranvier_t2', parse_ranvier)
    if not np_:
        return
    nb, ns = med(np_, 'build')[0], med(np_, 'simulate')[0]
    print('### tut2_10k (10,000 cells, 60,000 S->M connections + 10,000 NetStims, 1000 ms), '
          'n = %d NetPyNE, %d Ranvier' % (len(np_), len(r1)))
    print()
    print('| program | build [s] median (min-max) | build ratio (NetPyNE / this) | run [s] median (min-max) | run ratio (this / NEURON) | save [s] | whole process wall [s] | peak RSS [MB] |')
    print('|---|---|---|---|---|---|---|---|')
    print('| NetPyNE + NEURON, 1 process | %s | 1 | %s | 1 | %s | %s | %.0f |'
          % (fmt(np_, 'build', 2), fmt(np_, 'simulate', 1), fmt(np_, 'save', 2), fmt(np_, 'wall', 1), rss(np_)))
    for name, rs in (('Ranvier `-t 1`', r1), ('Ranvier `-t 2`', r2)):
        if rs:
            print('| %s | %s | **%.1fx** faster | %s | **%.3fx** | %s | %s | %.0f |'
                  % (name, fmt(rs, 'build'), nb / med(rs, 'build')[0], fmt(rs, 'run', 2),
                     med(rs, 'run')[0] / ns, fmt(rs, 'save', 2), fmt(rs, 'wall', 1), rss(rs)))
    print()
    print('NetPyNE build breakdown (median [s]): init %.4f, createPops+createCells %.2f, connectCells %.2f, '
          'addStims %.2f, setupRecording %.4f; gather %.2f; import %.2f.'
          % tuple(med(np_, k)[0] for k in ('init', 'create', 'connect', 'stims', 'record', 'gather', 'import')))
    for name, rs in (('-t 1', r1), ('-t 2', r2)):
        if rs:
            print('Ranvier %s (median [s]): create %.3f, connect %.3f.'
                  % (name, med(rs, 'create')[0], med(rs, 'connect')[0]))
    print()
    print('Spike counts per population (distinct values over all runs): NetPyNE %s; Ranvier -t 1 %s; '
          'Ranvier -t 2 %s.' % (spikes(np_), spikes(r1), spikes(r2)))
    print()


section_tut2()
section_10k()
load = os.path.join(RES, 'load.log')
if os.path.exists(load):
    ls = [l.split() for l in open(load) if l.strip()]
    one = [float(l[1]) for l in ls]
    print('Load average (1 min) sampled before each run: median %.2f, min %.2f, max %.2f (%d samples).'
          % (statistics.median(one), min(one), max(one), len(one)))
