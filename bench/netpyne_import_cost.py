"""Issue 5 benchmark in NetPyNE + NEURON: `netParams.importCellParams` of a hoc template,
timed in process (median of `runs`; NEURON is loaded once, before timing). Usage:
python3 bench/netpyne_import_cost.py FILE.hoc TEMPLATE [runs]"""
import sys
import time

from netpyne import specs  # noqa: E402

fname, cell = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 11
times = []
for i in range(runs):
    net = specs.NetParams()
    t0 = time.perf_counter()
    net.importCellParams(label=f"c{i}", fileName=fname, cellName=cell)
    times.append(time.perf_counter() - t0)
times.sort()
print(f"sections {len(net.cellParams[f'c{runs - 1}']['secs'])}")
print(f"median_ms {times[len(times) // 2] * 1e3:.3f}")
print(f"min_ms {times[0] * 1e3:.3f}")
