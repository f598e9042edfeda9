#!/usr/bin/env bash
# The main job: build Ranvier, run the bundled example network, write its results and
# raster plot to out/example/ (or the directory given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/example}"
cargo run --release --locked -p ranvier-cli -- example -o "$out"
