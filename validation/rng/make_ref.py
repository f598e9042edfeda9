#!/usr/bin/env python3
"""Generate validation/rng/ref.json from real NEURON (9.x).

Records, straight from NEURON's own nrnran123 / Random123 implementation:

  random_class     h.Random().Random123(id1, id2, id3) draws through the hoc
                   Random class (uniform(0,1) == nrnran123_dblpick, negexp(m)),
                   including Random123_globalindex changes and r.seq(...).
  probe            draws from an NMODL ``RANDOM`` variable (test-only mechanism
                   validation/rng/mod/ranprobe.mod, compiled into a temporary
                   directory with nrnivmodl): ipick (u32), dpick, negexp,
                   normal (nrnran123_normal), uniform(a, b), setseq(seq4which).
  netstim_ids      default Random123 ids of NetStim.ranvar when
                   noiseFromRandom123 is never called.
  netstim_runs     spike times of noisy NetStims recorded with
                   NetCon(ns, None).record(vec) after finitialize(-65) and
                   continuerun(tstop), dt = 0.025 ms.

Every double is stored as its Python repr() string (shortest string that
round-trips exactly), so the Rust test can parse it bit-exactly with
str::parse::<f64>().  Run from anywhere:

    python3 validation/rng/make_ref.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ref.json")
MOD = os.path.join(HERE, "mod", "ranprobe.mod")

N_DRAWS = 20


def r(x):
    """Full-precision repr of a double."""
    return repr(float(x))


def compile_probe():
    """Compile ranprobe.mod into a temp dir; return (tmpdir, libpath) or (None, None)."""
    tmp = tempfile.mkdtemp(prefix="ranvier_rng_probe_")
    shutil.copy(MOD, tmp)
    try:
        subprocess.run(
            ["nrnivmodl", "."],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError) as e:  # pragma: no cover
        sys.stderr.write(f"warning: could not compile ranprobe.mod ({e}); skipping probe\n")
        shutil.rmtree(tmp, ignore_errors=True)
        return None, None
    for root, _dirs, files in os.walk(tmp):
        for f in files:
            if f in ("libnrnmech.so", "libnrnmech.dylib", "nrnmech.dll"):
                return tmp, os.path.join(root, f)
    shutil.rmtree(tmp, ignore_errors=True)
    return None, None


def main():
    # Compile before importing neuron so the library can be loaded right away.
    tmp, lib = compile_probe()

    from neuron import h, __version__

    h.load_file("stdrun.hoc")
    have_probe = False
    if lib is not None:
        h.nrn_load_dll(lib)
        have_probe = hasattr(h, "RanProbe")

    gidx = h.Random()  # only used to get/set the global index

    def set_gix(k):
        gidx.Random123_globalindex(k)

    ref = {
        "neuron_version": __version__,
        "dt": r(h.dt),
        "notes": "doubles are repr() strings; u32 values are JSON integers",
    }

    # ------------------------------------------------------------------
    # (a) hoc Random class with the Random123 generator.
    # ------------------------------------------------------------------
    rc = []

    def uniform_case(name, ids, gix=0, n=N_DRAWS, seq=None):
        set_gix(gix)
        rr = h.Random()
        rr.Random123(*ids)
        if seq is not None:
            rr.seq(seq)
        vals = [r(rr.uniform(0, 1)) for _ in range(n)]
        end_seq = rr.seq()
        set_gix(0)
        rc.append(
            {
                "name": name,
                "ids": list(ids) + [0] * (3 - len(ids)),
                "gix": gix,
                "seq4which_start": seq if seq is not None else 0,
                "dist": "uniform01",
                "values": vals,
                "seq4which_end": end_seq,
            }
        )

    uniform_case("ids_1_2_3", (1, 2, 3))
    uniform_case("ids_0_0_0", (0, 0, 0))
    uniform_case("ids_max", (4294967295, 4294967295, 4294967295))
    uniform_case("ids_7_only", (7,))
    uniform_case("ids_123_456", (123, 456))
    uniform_case("gix_17_ids_1_2_3", (1, 2, 3), gix=17)
    uniform_case("gix_max_ids_9_8_7", (9, 8, 7), gix=4294967295)
    # sequence set via r.seq(seq*4 + which)
    uniform_case("seq_1000_which_2", (1, 2, 3), seq=1000 * 4 + 2)
    # counter word 0 wraps -> carry into counter word 1 (id3)
    uniform_case("seq_wrap_carry", (5, 6, 7), seq=4294967295 * 4 + 1, n=12)

    # negexp through the hoc Random class: -mean * log(dblpick)
    for mean in (1.0, 2.5):
        set_gix(0)
        rr = h.Random()
        rr.Random123(1, 2, 3)
        vals = [r(rr.negexp(mean)) for _ in range(N_DRAWS)]
        rc.append(
            {
                "name": f"negexp_{mean}",
                "ids": [1, 2, 3],
                "gix": 0,
                "seq4which_start": 0,
                "dist": "negexp",
                "mean": r(mean),
                "values": vals,
                "seq4which_end": rr.seq(),
            }
        )

    # Global index changed while a stream is live: NEURON keeps the block it
    # already computed and uses the new key from the next block on.
    set_gix(0)
    rr = h.Random()
    rr.Random123(5, 6, 7)
    before = [r(rr.uniform(0, 1)) for _ in range(2)]
    set_gix(3)
    after = [r(rr.uniform(0, 1)) for _ in range(10)]
    set_gix(0)
    ref["live_gix_change"] = {
        "ids": [5, 6, 7],
        "gix_before": 0,
        "gix_after": 3,
        "before": before,
        "after": after,
    }
    ref["random_class"] = rc

    # ------------------------------------------------------------------
    # NMODL RANDOM probe (ipick, dpick, negexp, normal, uniform(a,b)).
    # ------------------------------------------------------------------
    if have_probe:
        set_gix(0)
        p = h.RanProbe()
        probe = {"default_ids": [int(x) for x in p.rv.get_ids()]}
        cases = []

        def probe_case(name, ids, fn, n=N_DRAWS, seq4which=None, gix=0, as_int=False):
            set_gix(gix)
            p.rv.set_ids(*ids)
            if seq4which is None:
                p.rv.set_seq(0)
            else:
                p.setseq(seq4which)
            vals = []
            for _ in range(n):
                v = fn()
                vals.append(int(v) if as_int else r(v))
            end = p.rv.get_seq()
            set_gix(0)
            return {
                "name": name,
                "ids": list(ids),
                "gix": gix,
                "seq4which_start": seq4which if seq4which is not None else 0,
                "values": vals,
                "seq4which_end": end,
            }

        c = probe_case("ipick_1_2_3", (1, 2, 3), p.ipick, as_int=True)
        c["dist"] = "ipick"
        cases.append(c)
        c = probe_case("ipick_gix5_11_12_13", (11, 12, 13), p.ipick, gix=5, as_int=True)
        c["dist"] = "ipick"
        cases.append(c)
        c = probe_case(
            "ipick_wrap_all", (4294967295, 4294967295, 4294967295), p.ipick,
            n=12, seq4which=4294967295 * 4 + 0, as_int=True,
        )
        c["dist"] = "ipick"
        cases.append(c)
        c = probe_case("dpick_1_2_3", (1, 2, 3), p.dpick)
        c["dist"] = "dblpick"
        cases.append(c)
        c = probe_case("negexp1_3_4_5", (3, 4, 5), p.negexp1)
        c["dist"] = "negexp1"
        cases.append(c)
        c = probe_case("negexp_0.7_3_4_5", (3, 4, 5), lambda: p.negexp(0.7))
        c["dist"] = "negexp"
        c["mean"] = r(0.7)
        cases.append(c)
        c = probe_case("normal01_1_2_3", (1, 2, 3), p.normal01, n=40)
        c["dist"] = "normal01"
        cases.append(c)
        c = probe_case("normal_-65_2.5_8_9_10", (8, 9, 10), lambda: p.normal(-65.0, 2.5))
        c["dist"] = "normal"
        c["mu"] = r(-65.0)
        c["sigma"] = r(2.5)
        cases.append(c)
        c = probe_case("uniform_-2_3_1_2_3", (1, 2, 3), lambda: p.uniform_ab(-2.0, 3.0))
        c["dist"] = "uniform_ab"
        c["a"] = r(-2.0)
        c["b"] = r(3.0)
        cases.append(c)
        c = probe_case("dpick_setseq_double", (1, 2, 3), p.dpick, seq4which=77 * 4 + 3)
        c["dist"] = "dblpick"
        cases.append(c)
        probe["cases"] = cases
        ref["probe"] = probe

    # ------------------------------------------------------------------
    # (b) NetStim spike times.
    # ------------------------------------------------------------------
    set_gix(0)
    specs = [
        # name, start, interval, number, noise, ids (None = default)
        ("ns_5_10_30_0.5_ids123", 5.0, 10.0, 30, 0.5, (1, 2, 3)),
        ("ns_0_3_50_1.0_ids789", 0.0, 3.0, 50, 1.0, (7, 8, 9)),
        ("ns_2_5_40_0.3_default", 2.0, 5.0, 40, 0.3, None),
        ("ns_1_4_25_0.8_ids2only", 1.0, 4.0, 25, 0.8, (42, 43)),
    ]
    stims = []
    ids_default = []
    for name, start, interval, number, noise, ids in specs:
        ns = h.NetStim()
        ids_default.append([int(x) for x in ns.ranvar.get_ids()])
        ns.start = start
        ns.interval = interval
        ns.number = number
        ns.noise = noise
        if ids is not None:
            ns.noiseFromRandom123(*ids)
        vec = h.Vector()
        nc = h.NetCon(ns, None)
        nc.record(vec)
        stims.append((name, start, interval, number, noise, ns, vec, nc))
    ref["netstim_ids"] = {
        "note": "ranvar.get_ids() right after h.NetStim(), in creation order "
        "(after one RanProbe instance if the probe was compiled)",
        "ids": ids_default,
    }

    tstop = 400.0
    h.finitialize(-65)
    h.continuerun(tstop)
    runs = []
    for name, start, interval, number, noise, ns, vec, _nc in stims:
        runs.append(
            {
                "name": name,
                "start": r(start),
                "interval": r(interval),
                "number": number,
                "noise": r(noise),
                "ids": [int(x) for x in ns.ranvar.get_ids()],
                "tstop": r(tstop),
                "spikes": [r(x) for x in vec],
                "seq4which_end": ns.ranvar.get_seq(),
            }
        )
    ref["netstim_runs"] = runs

    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
