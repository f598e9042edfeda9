#!/usr/bin/env python3
"""NEURON references for hoc segment loops and range-variable tapers.

Usage:  python3 neuron_ref.py            (writes ref.json next to this script)

Each case is a piece of hoc run in a fresh set of sections.  The file records, per
case, the hoc text itself (Ranvier's test runs exactly that text), whether NEURON
rejected it, the numbers the hoc collected in Vectors and scalars (the locations a
`for (x)` loop visited, the loop variable afterwards), and for every section its
nseg, L, orientation, 3-D point diameters and the per-segment values (from x = 0 to
1, `for seg in sec`) of the range variables the case names.

crates/hoc/tests/neuron_tapers.rs compares Ranvier's interpreter with ref.json, so
the test needs no NEURON.  Rerun this after changing a case (NEURON 9.0.2 made the
committed file).
"""

import json
import os

from neuron import h

HERE = os.path.dirname(os.path.abspath(__file__))

# name, hoc, range variables to record per segment, Vectors to record, scalars to record
CASES = []


def case(name, hoc, rvars=("diam",), vectors=(), scalars=()):
    CASES.append(dict(name=name, hoc=hoc.strip() + "\n", rvars=list(rvars),
                      vectors=list(vectors), scalars=list(scalars)))


for n in (1, 3, 5):
    case(f"for_x_nseg{n}", f"""
create a
a {{ nseg = {n}  L = 100  diam = 1  insert hh }}
objref xs, ys
xs = new Vector()
ys = new Vector()
a for (x) xs.append(x)
xa = x
a for (x, 0) ys.append(x)
ya = x
// Assignments at x: the ends write into the first and last segments.
a for (x) gnabar_hh(x) = 0.1 * x + 0.01
a for (x, 0) diam(x) = 1 + x
""", rvars=("diam", "gnabar_hh"), vectors=("xs", "ys"), scalars=("xa", "ya"))

case("for_x_control", """
create a
a { nseg = 5 }
objref zs, ws, cs
zs = new Vector()
ws = new Vector()
cs = new Vector()
// A local loop variable; break leaves it where it was.
proc loop_local() { local y
    for (y) { if (y > 0.5) break
        zs.append(y) }
    zs.append(y)
}
a loop_local()
// A nonzero second argument keeps the ends; continue goes on to the next location.
a for (x, 1) { if (x < 0.4) continue
    ws.append(x) }
after_c = x
// A body that moves x moves the rest of the loop.
a for (x, 0) { cs.append(x)  x = x + 0.05 }
after_m = x
func first() { for (x) { if (x > 0.2) return x } return -1 }
a got_f = first()
""", rvars=(), vectors=("zs", "ws", "cs"), scalars=("after_c", "after_m", "got_f"))

case("taper_cylinder", """
create c
c { nseg = 5  L = 200  diam = 1 }
c diam(0:1) = 2:1
""")

case("taper_l_only", """
create b
b { L = 50  nseg = 3 }
b diam(0:1) = 3:1
""")

case("taper_mech_subrange", """
create d[2]
d[0] { nseg = 7  L = 300  diam = 2  insert hh  insert pas }
d[0] gnabar_hh(0.2:0.8) = 0.1:0.05
d[0] gl_hh(0.3:1) += 0.0001:0.0003
d[0].gkbar_hh(0:0.5) = 0.01:0.02
d[0] cm(0.5:1) = 1:2
d[0] ena(0:1) = 40:60
d[0] e_pas(0.1:0.9) *= 1:1.5
""", rvars=("diam", "cm", "gnabar_hh", "gkbar_hh", "gl_hh", "ena", "e_pas"))

case("taper_boundaries", """
create e
e { nseg = 4  L = 100  diam = 3  insert hh }
// Centres at 0.125, 0.375, 0.625, 0.875: only the middle two are in range.
e diam(0.25:0.75) = 1:2
// A range that starts and ends exactly on centres includes both.
e gnabar_hh(0.375:0.625) = 1:2
// A range inside one segment that contains no centre changes nothing.
e gkbar_hh(0.3:0.35) = 5:6
""", rvars=("diam", "gnabar_hh", "gkbar_hh"))

case("taper_reversed_section", """
create par, chl
connect chl(1), par(1)
chl { nseg = 4  L = 100  diam = 1  insert pas }
chl diam(0:0.5) = 2:3
chl g_pas(0.3:1) += 0.1:0.2
// With nseg = 3, 1 - (node + 0.5)/3 is not exactly (k + 0.5)/3.
create chl3
connect chl3(1), par(0.5)
chl3 { nseg = 3  L = 30  diam = 1  insert hh }
chl3 diam(0:0.5) = 2:3
chl3 gnabar_hh(0.1:0.9) = 0.3:0.7
""", rvars=("diam", "g_pas", "gnabar_hh"))

case("taper_pt3d", """
create s
s { nseg = 3  pt3dadd(0, 0, 0, 2)  pt3dadd(30, 0, 0, 2)  pt3dadd(90, 0, 0, 2) }
s diam(0:1) = 4:1
""")

# Only some segments assigned on a section with 3-D points: NEURON fills the 3-D
# diameters from every segment's stored diameter, and a section that nothing has
# recomputed yet still stores the default 500 um in the others.
case("taper_pt3d_partial", """
create s
s { nseg = 3  pt3dadd(0, 0, 0, 2)  pt3dadd(30, 0, 0, 2)  pt3dadd(90, 0, 0, 2) }
s diam(0:0.5) = 4:1
""")

for name, stmt in [
    ("error_equal_ends", "a diam(0.5:0.5) = 1:2"),
    ("error_reversed_range", "a diam(0.8:0.2) = 1:2"),
    ("error_outside", "a diam(-0.1:0.5) = 1:2"),
    ("error_not_inserted", "a gnabar_hh(0:1) = 1:2"),
]:
    case(name, f"create a\na nseg = 3\n{stmt}\n", rvars=())


def run(c):
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)
    ok = h(c["hoc"])
    out = dict(name=c["name"], hoc=c["hoc"], error=not ok)
    if not ok:
        return out
    out["vectors"] = {v: list(getattr(h, v)) for v in c["vectors"]}
    out["scalars"] = {v: getattr(h, v) for v in c["scalars"]}
    secs = []
    for sec in h.allsec():
        s = dict(name=sec.name(), nseg=sec.nseg, L=sec.L,
                 orientation=h.section_orientation(sec=sec),
                 pt3d_diam=[sec.diam3d(i) for i in range(sec.n3d())])
        # Only the variables the section has (a mechanism may be in some sections).
        s["values"] = {}
        for v in c["rvars"]:
            try:
                s["values"][v] = [getattr(seg, v) for seg in sec]
            except AttributeError:
                pass
        secs.append(s)
    out["sections"] = secs
    return out


def main():
    cases = [run(c) for c in CASES]
    ref = dict(neuron=h.nrnversion(), cases=cases)
    path = os.path.join(HERE, "ref.json")
    with open(path, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
