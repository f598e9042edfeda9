"""Summarize bench/results (written by bench/run.sh): medians and spike comparisons."""
import glob
import os
import re
import statistics
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
names = sorted({os.path.basename(p).rsplit(".", 2)[0] for p in glob.glob(f"{out}/*.out")})


def field(text, key):
    m = re.search(rf"^{key} (\S+)", text, re.M)
    return float(m.group(1)) if m else None


def elapsed(s):  # h:mm:ss or m:ss.ss
    parts = [float(x) for x in s.split(":")]
    v = 0.0
    for p in parts:
        v = v * 60 + p
    return v


rows = {}
for n in names:
    runs, builds, walls, rss, spikes = [], [], [], [], set()
    for p in sorted(glob.glob(f"{out}/{n}.*.out")):
        t = open(p).read()
        tm = open(p[:-4] + ".time").read()
        if field(t, "run_s") is None or "Elapsed" not in tm:
            continue  # unfinished or failed run
        runs.append(field(t, "run_s"))
        builds.append(field(t, "build_s"))
        spikes.add(int(field(t, "spikes")))
        walls.append(elapsed(re.search(r"Elapsed \(wall clock\) time.*: (\S+)", tm).group(1)))
        rss.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tm).group(1)))
    if not runs:
        continue
    rows[n] = dict(
        n=len(runs),
        run=statistics.median(runs),
        rmin=min(runs),
        rmax=max(runs),
        build=statistics.median(builds),
        wall=statistics.median(walls),
        rss=max(rss) / 1024,
        spikes=sorted(spikes),
    )

print(f"{'program':28} {'n':>2} {'run med [s]':>11} {'(min-max)':>17} {'build [s]':>9} "
      f"{'wall [s]':>8} {'peak RSS [MB]':>13}  spikes")
for n, r in rows.items():
    print(f"{n:28} {r['n']:2} {r['run']:11.3f} {r['rmin']:8.3f}-{r['rmax']:<8.3f} "
          f"{r['build']:9.3f} {r['wall']:8.2f} {r['rss']:13.1f}  {r['spikes']}")


def load(p):
    if not os.path.exists(p):
        return None
    return [(int(a), float(b)) for a, b in (ln.split() for ln in open(p) if ln.strip())]


rv = load(f"{out}/spikes_ranvier.txt")
for other in ["neuron_single", "neuron_multi", "arbor"]:
    o = load(f"{out}/spikes_{other}.txt")
    if rv is None or o is None:
        continue
    same_n = len(rv) == len(o)
    ids_equal = same_n and all(a[0] == b[0] for a, b in zip(rv, o))
    maxdt = max((abs(a[1] - b[1]) for a, b in zip(rv, o)), default=0.0) if ids_equal else None
    print(f"ranvier vs {other}: {len(rv)} vs {len(o)} spikes; same (gid, order): {ids_equal}; "
          f"max |dt| = {maxdt}")
