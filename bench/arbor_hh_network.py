"""Benchmark (b) in Arbor: 1000 hh somas (one CV each), 100 expsyn per cell (one per
connection, coalesced by Arbor), NetStim as a regular event generator on syn0.
Usage: python3 arbor_hh_network.py [tstop_ms] [spike_file]"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
t0 = time.perf_counter()
import arbor as A  # noqa: E402

U = A.units
import common as C  # noqa: E402

tstop = float(sys.argv[1]) if len(sys.argv) > 1 else 1000.0
spike_file = sys.argv[2] if len(sys.argv) > 2 else None
R = C.SOMA_SIZE / 2
CONN = [[C.connection(post, k) for k in range(C.FANIN)] for post in range(C.NCELLS)]


class Recipe(A.recipe):
    def __init__(self):
        A.recipe.__init__(self)
        self.props = A.neuron_cable_properties()
        self.props.set_property(Vm=-65.0 * U.mV, tempK=(273.15 + 6.3) * U.Kelvin)

    def num_cells(self):
        return C.NCELLS

    def cell_kind(self, gid):
        return A.cell_kind.cable

    def cell_description(self, gid):
        tree = A.segment_tree()
        tree.append(A.mnpos, A.mpoint(0, 0, 0, R), A.mpoint(C.SOMA_SIZE, 0, 0, R), tag=1)
        labels = A.label_dict({"center": "(location 0 0.5)"})
        decor = A.decor().paint("(all)", A.density("hh"))
        syn = A.synapse("expsyn", {"tau": C.TAU, "e": C.E_SYN})
        for k in range(C.FANIN):
            decor.place('"center"', syn, f"syn{k}")
        decor.place('"center"', A.threshold_detector(C.THRESHOLD * U.mV), "det")
        return A.cable_cell(tree, decor, labels, A.cv_policy_single())

    def connections_on(self, gid):
        return [
            A.connection((pre, "det"), f"syn{k}", C.W_REC, delay * U.ms)
            for k, (pre, delay) in enumerate(CONN[gid])
        ]

    def event_generators(self, gid):
        # NetStim start s, interval I, delay d: events at s + d + n I. (An explicit
        # schedule: Arbor 0.12's regular_schedule(tstart, dt) puts its events at multiples
        # of dt, ignoring tstart.)
        n = int((tstop - C.stim_start(gid)) // C.STIM_INTERVAL) + 1
        times = [C.stim_start(gid) + C.STIM_DELAY + j * C.STIM_INTERVAL for j in range(n)]
        sched = A.explicit_schedule([t * U.ms for t in times])
        return [A.event_generator("syn0", C.W_EXT, sched)]

    def global_properties(self, kind):
        return self.props


rec = Recipe()
ctx = A.context(threads=1)
sim = A.simulation(rec, ctx)
sim.record(A.spike_recording.all)
build = time.perf_counter() - t0
t1 = time.perf_counter()
sim.run(tstop * U.ms, 0.025 * U.ms)
run = time.perf_counter() - t1
sp = sim.spikes()
print(f"build_s {build:.6f}")
print(f"run_s {run:.6f}")
print(f"spikes {len(sp)}")
if spike_file:
    with open(spike_file, "w") as f:
        for (gid, _lid), t in sorted(sp, key=lambda s: (s[1], s[0][0])):
            f.write(f"{gid} {t:.9f}\n")
