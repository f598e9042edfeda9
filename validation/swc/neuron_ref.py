#!/usr/bin/env python3
"""NEURON / NetPyNE references for Ranvier's SWC import (crates/morph/src/swc.rs).

Usage:  python3 neuron_ref.py [FILE.swc ...]     (default: every *.swc here)

For each fixture, writes ref/<name>.json with two views of the same import:

* "sections": the cell exactly as NetPyNE builds it.  NetPyNE's
  ``netpyne.support.morphology.load`` reads the file with NEURON's
  ``Import3d_SWC_read``, wraps it in ``Import3d_GUI(morph, 0)`` (no GUI), and then
  walks ``i3d.swc.sections`` itself (it does not call ``instantiate``): one
  ``h.Section(name="dend[%d]")`` per Import3d section, numbered per type in
  Import3d's section order, connected ``child(0) -> parent(parentx)``,
  ``pt3dstyle`` for wires, a lone point expanded to a 3-point cylinder along x.
  NetPyNE's ``importCell`` then reads ``h.allsec()`` and renames ``dend[3]`` to
  ``dend_3``.  Fixtures whose point types are all 1-4 go through NetPyNE's own
  ``load`` (and are cross-checked against ``importCell``'s cell parameters);
  fixtures with other types, which NetPyNE rejects ("unsupported point type"),
  go through a copy of ``load`` that files them under ``dend`` -- Ranvier's rule.
* "instantiate": the same file through ``Import3d_GUI(morph, 0).instantiate(None)``
  (what NEURON's GUI and hoc templates do): hoc arrays created per type
  (so h.allsec() is ordered by type), other types named ``dend_<type>``,
  zero-length sections removed, coordinates passed through "%.8g".

Every section records: name, parent name, parent_connection(), section_orientation(),
nseg, L, the pt3dstyle logical-connection point ("wire", or null) and the 3-D
points (x, y, z, diam) as NEURON stores them.

Each fixture and each view runs in a fresh NEURON process.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "ref")


def sec_name(sec):
    # NetPyNE's conversion.neuronPyHoc.getSecName (without the cell-attribute lookup,
    # which never matches for SWC cells): "dend[3]" -> "dend_3".
    from netpyne.conversion.neuronPyHoc import getSecName

    return getSecName(sec)


def dump_allsec():
    from neuron import h

    out = []
    for sec in h.allsec():
        ref = h.SectionRef(sec=sec)
        n = int(sec.n3d())
        pts = [[sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)] for i in range(n)]
        wire = None
        xx, yy, zz = h.ref(0.0), h.ref(0.0), h.ref(0.0)
        if h.pt3dstyle(sec=sec):  # a logical connection point ("wire" to the parent)
            h.pt3dstyle(1, xx, yy, zz, sec=sec)  # with pointers: read it back
            wire = [xx[0], yy[0], zz[0]]
        rec = {
            "name": sec_name(sec),
            "parent": sec_name(ref.parent().sec) if ref.has_parent() else None,
            "parentX": h.parent_connection(sec=sec) if ref.has_parent() else None,
            "childX": h.section_orientation(sec=sec) if ref.has_parent() else None,
            "nseg": sec.nseg,
            "L": sec.L,
            "wire": wire,
            "pt3d": pts,
        }
        out.append(rec)
    return out


def load_unknown_as_dend(filename):
    """NetPyNE's support.morphology.load (NetPyNE 1.1.1), with one change: point types
    outside 1-4 are filed under ``dend`` instead of raising 'unsupported point type'."""
    from neuron import h
    from netpyne.support.morphology import Cell

    cell = Cell(name=".".join(filename.split(".")[:-1]))
    name_form = {1: "soma[%d]", 2: "axon[%d]", 3: "dend[%d]", 4: "apic[%d]"}
    morph = h.Import3d_SWC_read()
    morph.input(filename)
    i3d = h.Import3d_GUI(morph, 0)
    swc_secs = i3d.swc.sections
    swc_secs = [swc_secs.object(i) for i in range(int(swc_secs.count()))]
    sec_list = {1: cell.soma, 2: cell.axon, 3: cell.dend, 4: cell.apic}
    real_secs = {}
    for swc_sec in swc_secs:
        cell_part = int(swc_sec.type)
        if swc_sec.is_subsidiary:
            continue
        if cell_part not in name_form:
            cell_part = 3  # the one change
        name = name_form[cell_part] % len(sec_list[cell_part])
        sec = h.Section(name=name)
        if swc_sec.parentsec is not None:
            sec.connect(real_secs[swc_sec.parentsec.hname()](swc_sec.parentx))
        if swc_sec.first == 1:
            h.pt3dstyle(1, swc_sec.raw.getval(0, 0), swc_sec.raw.getval(1, 0),
                        swc_sec.raw.getval(2, 0), sec=sec)
        j = swc_sec.first
        xx, yy, zz = [swc_sec.raw.getrow(i).c(j) for i in range(3)]
        dd = swc_sec.d.c(j)
        if dd.size() == 1:
            x, y, z, d = [dim.x[0] for dim in [xx, yy, zz, dd]]
            for xprime in [x - d / 2.0, x, x + d / 2.0]:
                h.pt3dadd(xprime, y, z, d, sec=sec)
        else:
            for x, y, z, d in zip(xx, yy, zz, dd):
                h.pt3dadd(x, y, z, d, sec=sec)
        sec_list[cell_part].append(sec)
        real_secs[swc_sec.hname()] = sec
    cell.all = cell.soma + cell.apic + cell.dend + cell.axon
    return cell


def has_unknown_types(path):
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 7 and not parts[0].startswith("#"):
                if int(float(parts[1])) not in (1, 2, 3, 4):
                    return True
    return False


def child(mode, path, out):
    from neuron import h

    h.load_file("stdlib.hoc")
    h.load_file("import3d.hoc")
    keep = None
    if mode == "netpyne":
        if has_unknown_types(path):
            keep = load_unknown_as_dend(path)
            loader = "neuron_ref.load_unknown_as_dend (NetPyNE's load, other types as dend)"
        else:
            from netpyne.support.morphology import load

            keep = load(path)
            loader = "netpyne.support.morphology.load"
        result = {"loader": loader, "sections": dump_allsec()}
    elif mode == "importcell":
        from netpyne.conversion.neuronPyHoc import importCell

        secs, _, _, _ = importCell(path, "cell")
        result = {"secs": secs}
    elif mode == "instantiate":
        morph = h.Import3d_SWC_read()
        morph.input(path)
        i3d = h.Import3d_GUI(morph, 0)
        i3d.instantiate(None)
        keep = (morph, i3d)
        result = {"sections": dump_allsec()}
    else:
        raise SystemExit(f"unknown mode {mode}")
    del keep
    with open(out, "w") as f:
        json.dump(result, f)


def run_child(mode, path):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = tmp.name
    try:
        subprocess.run([sys.executable, __file__, "--child", mode, path, out], check=True,
                       stdout=subprocess.DEVNULL)
        with open(out) as f:
            return json.load(f)
    finally:
        os.unlink(out)


def cross_check(ours, secs, path):
    """NetPyNE's importCell must report exactly what our dump of load() reports."""
    assert list(secs) == [s["name"] for s in ours], (path, list(secs))
    for s in ours:
        p = secs[s["name"]]
        assert [list(pt) for pt in p["geom"].get("pt3d", [])] == s["pt3d"], (path, s["name"])
        assert p["geom"]["nseg"] == s["nseg"] and p["geom"]["L"] == s["L"], (path, s["name"])
        topol = p["topol"]
        if s["parent"] is None:
            assert topol == {}, (path, s["name"], topol)
        else:
            assert topol == {"parentSec": s["parent"], "parentX": s["parentX"],
                             "childX": s["childX"]}, (path, s["name"], topol)


def main(argv):
    import neuron
    import netpyne

    files = argv or sorted(glob.glob(os.path.join(HERE, "*.swc")))
    os.makedirs(REF, exist_ok=True)
    for path in files:
        path = os.path.abspath(path)
        name = os.path.splitext(os.path.basename(path))[0]
        net = run_child("netpyne", path)
        if not has_unknown_types(path):
            cross_check(net["sections"], run_child("importcell", path)["secs"], path)
        inst = run_child("instantiate", path)
        ref = {
            "file": os.path.basename(path),
            "neuron": neuron.__version__,
            "netpyne": netpyne.__version__,
            "loader": net["loader"],
            "sections": net["sections"],
            "instantiate": inst["sections"],
        }
        with open(os.path.join(REF, name + ".json"), "w") as f:
            json.dump(ref, f, indent=None, separators=(",", ":"))
            f.write("\n")
        print(f"{name}: {len(net['sections'])} sections ({len(inst['sections'])} via instantiate)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main(sys.argv[1:])
