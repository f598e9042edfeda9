"""Benchmark (a) in Arbor: one hh soma (cylinder L = diam = 18.8 um, one CV), IClamp
0.1 nA, 10 s at dt 0.025, 6.3 degC. Usage: python3 arbor_hh_soma.py [tstop_ms]"""
import sys
import time

t0 = time.perf_counter()
import arbor as A  # noqa: E402

U = A.units

tstop = float(sys.argv[1]) if len(sys.argv) > 1 else 10000.0
R = 18.8 / 2


class Recipe(A.recipe):
    def __init__(self):
        A.recipe.__init__(self)
        self.props = A.neuron_cable_properties()
        self.props.set_property(Vm=-65.0 * U.mV, tempK=(273.15 + 6.3) * U.Kelvin)

    def num_cells(self):
        return 1

    def cell_kind(self, gid):
        return A.cell_kind.cable

    def cell_description(self, gid):
        tree = A.segment_tree()
        tree.append(A.mnpos, A.mpoint(0, 0, 0, R), A.mpoint(18.8, 0, 0, R), tag=1)
        labels = A.label_dict({"center": "(location 0 0.5)"})
        decor = (
            A.decor()
            .paint("(all)", A.density("hh"))
            .place('"center"', A.i_clamp(0.0 * U.ms, 2.0 * tstop * U.ms, 0.1 * U.nA))
            .place('"center"', A.threshold_detector(10.0 * U.mV), "det")
            .place('"center"', A.synapse("expsyn"), "dummy")
        )
        return A.cable_cell(tree, decor, labels, A.cv_policy_single())

    def connections_on(self, gid):
        # Arbor only reports spikes of detectors when spikes are exchanged: a zero-weight
        # self-connection (one event per spike, negligible cost) makes it do so.
        return [A.connection((0, "det"), "dummy", 0.0, 1.0 * U.ms)]

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
if len(sp):
    print(f"first_spike {sp[0][1]:.6f} last_spike {sp[-1][1]:.6f}")
