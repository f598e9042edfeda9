#!/usr/bin/env bash
# The main job: build Ranvier, run the bundled NetPyNE model (examples/tut2/model.json,
# NetPyNE's tutorial two-population network) and write its results (NetPyNE-format JSON)
# and plots (raster, traces, 2-D network) to out/tut2/ (or the directory given as the
# first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/tut2}"
cargo run --release --locked -p ranvier-cli -- run examples/tut2/model.json -o "$out"
