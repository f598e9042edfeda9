#!/usr/bin/env bash
# Issue 3 benchmark: NetPyNE models end to end, Ranvier (`ranvier run`) vs NetPyNE+NEURON.
#
#   bench/netpyne/run.sh [N_TUT2] [N_10K]      (defaults 5 and 5)
#
# 1. tut2 (examples/tut2/model.json, 40 cells, 1 s): whole process under /usr/bin/time -v,
#    NetPyNE (bench/netpyne/netpyne_run.py: import + create + simulate + gather + save + plot)
#    vs `ranvier run ... -t 1` and `ranvier run ...` (default threads = all cores).
# 2. tut2_10k (bench/netpyne/scale.py: 5000 + 5000 cells, 1 s, no plots): NetPyNE build
#    (initialize + createPops/createCells + connectCells + addStims + setupRecording) and
#    simulate (runSim) vs Ranvier create+connect and run, -t 1 and -t 2.
# Runs are interleaved (one of each per round) so background load hits all of them alike.
# Raw outputs go to bench/netpyne/results/; the summary is printed by summarize.py.
# Set RANVIER=/path/to/binary to skip the build and use that binary.
set -uo pipefail
cd "$(dirname "$0")/../.."
export MPLBACKEND=Agg
N=${1:-5}
N10K=${2:-$N}
RES=bench/netpyne/results
mkdir -p "$RES"
rm -f "$RES"/*.out "$RES"/*.time "$RES"/load.log

if [ -z "${RANVIER:-}" ]; then
    cargo build --release -p ranvier-cli || { echo "build failed; set RANVIER=... to a good binary"; exit 1; }
    RANVIER=target/release/ranvier
fi
# private copy: other builds in the same tree must not swap the binary mid-benchmark
BIN=$(mktemp -d)/ranvier
cp "$RANVIER" "$BIN"

{
    echo "date: $(date -Is)"
    echo "ranvier: $(git rev-parse --short HEAD)$(git diff --quiet -- crates || echo ' (+ uncommitted changes in crates/)')"
    echo "python: $(python3 --version 2>&1)"
    echo "netpyne/neuron: $(python3 -c 'import netpyne, neuron; print(netpyne.__version__, neuron.__version__)' 2>/dev/null | tail -1)"
    echo "nproc: $(nproc)"
} > "$RES/env.txt"
cat "$RES/env.txt"

python3 bench/netpyne/scale.py

tmp=$(mktemp -d)
timed() {  # timed NAME CMD...   -> $RES/NAME.out (stdout), $RES/NAME.time (time -v)
    local name=$1; shift
    echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg) $name" >> "$RES/load.log"
    /usr/bin/time -v -o "$RES/$name.time" "$@" > "$RES/$name.out" 2> "$RES/$name.err"
    echo "  $name: $(grep 'Elapsed' "$RES/$name.time" | awk '{print $NF}') (load $(cut -d' ' -f1 /proc/loadavg))"
}

echo "== tut2 end to end, $N rounds"
for i in $(seq 1 "$N"); do
    timed tut2_netpyne_$i python3 bench/netpyne/netpyne_run.py examples/tut2/model.json "$tmp/np_tut2"
    timed tut2_ranvier_t1_$i "$BIN" run examples/tut2/model.json -o "$tmp/r_tut2" -t 1
    timed tut2_ranvier_t0_$i "$BIN" run examples/tut2/model.json -o "$tmp/r_tut2"
done

echo "== tut2_10k, $N10K rounds"
for i in $(seq 1 "$N10K"); do
    timed 10k_ranvier_t1_$i "$BIN" run bench/netpyne/tut2_10k.json -o "$tmp/r_10k" -t 1
    timed 10k_ranvier_t2_$i "$BIN" run bench/netpyne/tut2_10k.json -o "$tmp/r_10k" -t 2
    timed 10k_netpyne_$i python3 bench/netpyne/netpyne_run.py bench/netpyne/tut2_10k.json "$tmp/np_10k"
done
echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg) end" >> "$RES/load.log"

rm -rf "$tmp" "$(dirname "$BIN")"
python3 bench/netpyne/summarize.py "$RES" | tee "$RES/summary.md"
