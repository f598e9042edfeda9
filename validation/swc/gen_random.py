#!/usr/bin/env python3
"""Write the random-tree SWC fixtures (random_a.swc, random_b.swc).

Deterministic (fixed seeds); rerun only to change the fixtures, then rerun
neuron_ref.py.  The trees exercise every branch of Import3d's sectioning:
multi-point somas with side branches, children listed far from their parents,
branches from the first point of a dendrite that hangs off the soma, type
changes in the middle of an unbranched run, and coordinates with more digits
than single precision keeps.
"""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def gen(seed, n_soma, n_other):
    rng = random.Random(seed)
    pts = []  # (id, type, x, y, z, r, pid)

    def num(v):
        return f"{v:.{rng.randint(2, 9)}f}"

    def step(p, lo, hi):
        while True:
            dx, dy, dz = (rng.uniform(-1, 1) for _ in range(3))
            n = (dx * dx + dy * dy + dz * dz) ** 0.5
            if 0.2 < n <= 1:
                break
        s = rng.uniform(lo, hi) / n
        return (p[2] + dx * s, p[3] + dy * s, p[4] + dz * s)

    pts.append((1, 1, rng.uniform(-50, 50), rng.uniform(-50, 50), rng.uniform(-10, 10),
                rng.uniform(3, 8), -1))
    for i in range(2, n_soma + 1):
        par = pts[-1] if rng.random() < 0.6 else rng.choice(pts)
        x, y, z = step(par, 2, 5)
        pts.append((i, 1, x, y, z, rng.uniform(1, 6), par[0]))
    for i in range(n_soma + 1, n_soma + n_other + 1):
        prev = pts[-1]
        if prev[1] != 1 and rng.random() < 0.72:
            par = prev
        else:
            par = rng.choice(pts)
        if par[1] == 1:
            t = rng.choice([2, 3, 3, 4])
        elif rng.random() < 0.88:
            t = par[1]
        else:
            t = rng.choice([2, 3, 4])
        x, y, z = step(par, 3, 18)
        r = max(0.15, par[5] * rng.uniform(0.8, 1.0)) if par[1] != 1 else rng.uniform(0.5, 2.5)
        pts.append((i, t, x, y, z, r, par[0]))
    lines = [f"# Ranvier validation fixture: random tree (gen_random.py, seed {seed})."]
    for (i, t, x, y, z, r, p) in pts:
        lines.append(f"{i} {t} {num(x)} {num(y)} {num(z)} {num(r)} {p}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    for name, seed, ns, no in [("random_a", 11, 4, 70), ("random_b", 23, 7, 90)]:
        with open(os.path.join(HERE, name + ".swc"), "w") as f:
            f.write(gen(seed, ns, no))
