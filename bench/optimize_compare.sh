#!/usr/bin/env bash
# The tutorial optimisation end to end, Ranvier vs NetPyNE + inspyred, seeds 1..N
# (default 10), alternating, one run per seed each; prints a JSON line per run.
# Ranvier: the whole `ranvier optimize` process (release build) on all cores, or on MPI
# ranks with RANKS=k (needs a build with `--features mpi`). NetPyNE: bench/netpyne/
# tut_optimization.py (time of `evolve`), needs `pip install netpyne inspyred`.
# Usage: bash bench/optimize_compare.sh [N]   (SKIP_NETPYNE=1 for Ranvier only)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp examples/optimize/model.json "$tmp/model.json"
for seed in $(seq 1 "$n"); do
    python3 - "$seed" "$tmp" <<'PY'
import json, sys
seed, tmp = int(sys.argv[1]), sys.argv[2]
d = json.load(open("examples/optimize/tut_optimization.json"))
d["algorithm"]["seed"] = seed
json.dump(d, open(f"{tmp}/opt{seed}.json", "w"))
PY
    launch=()
    if [ -n "${RANKS:-}" ]; then launch=(mpirun -n "$RANKS"); fi
    t0=$(date +%s.%N)
    "${launch[@]}" target/release/ranvier optimize "$tmp/opt$seed.json" -o "$tmp/out$seed" \
        ${THREADS:+-t "$THREADS"} > "$tmp/log$seed.txt"
    t1=$(date +%s.%N)
    best=$(grep '^best:' "$tmp/log$seed.txt" | sed 's/.*-> fitness //')
    echo "{\"tool\": \"ranvier\", \"seed\": $seed, \"best_fitness\": $best, \"wall_s\": $(echo "$t1 - $t0" | bc)}"
    if [ -z "${SKIP_NETPYNE:-}" ]; then
        MPLBACKEND=Agg python3 bench/netpyne/tut_optimization.py "$seed" "$tmp/model.json" \
            | tail -1 | sed 's/^{/{"tool": "netpyne", /'
    fi
done
