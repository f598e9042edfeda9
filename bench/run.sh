#!/usr/bin/env bash
# Runs the Ranvier / NEURON / Arbor benchmarks (see BENCHMARKS.md) and prints, per
# program, the median run time (the simulator's own timing of the run phase), the median
# build time, the median wall time of the whole process and the peak RSS
# (/usr/bin/time -v). Usage: bench/run.sh [N]   (N runs per program, default 5; the slow
# NEURON 100-ExpSyn network and Arbor network run max(N-2,1) times.)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}
NSLOW=$(( N > 2 ? N - 2 : 1 ))
OUT=bench/results
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "install GNU time: apt-get install time" >&2; exit 1; }

cargo build --release -p ranvier-bench
BIN=target/release

run() { # name reps cmd...
  local name=$1 reps=$2; shift 2
  : > "$OUT/$name.log"
  for i in $(seq 1 "$reps"); do
    /usr/bin/time -v "$@" > "$OUT/$name.$i.out" 2> "$OUT/$name.$i.time"
    cat "$OUT/$name.$i.out" >> "$OUT/$name.log"
  done
  echo "done $name ($reps runs)" >&2
}

# (a) one hh soma, 10 s
run ranvier_hh_soma "$N" $BIN/hh_soma 10000
run neuron_hh_soma "$N" python3 bench/neuron_hh_soma.py 10000
run arbor_hh_soma "$N" python3 bench/arbor_hh_soma.py 10000
# (b) 1000-cell network, 1 s; the first run of each writes its spikes for comparison.
run ranvier_hh_network "$N" $BIN/hh_network 1000 "$OUT/spikes_ranvier.txt"
run neuron_hh_network_single "$N" python3 bench/neuron_hh_network.py 1000 single "$OUT/spikes_neuron_single.txt"
run neuron_hh_network_multi "$NSLOW" python3 bench/neuron_hh_network.py 1000 multi "$OUT/spikes_neuron_multi.txt"
run arbor_hh_network "$NSLOW" python3 bench/arbor_hh_network.py 1000 "$OUT/spikes_arbor.txt"

python3 bench/summarize.py "$OUT"
