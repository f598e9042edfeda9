#!/usr/bin/env bash
# The main job: build Ranvier, run the bundled example network (examples/import_net/
# model.json: populations of cells imported from our hoc templates and an SWC file, with
# their .mod channels, NetStim background and recurrent connections) and write its
# results (NetPyNE-format JSON), raster and traces to out/import_net/ (or the directory
# given as the first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/import_net}"
cargo run --release --locked -p ranvier-cli -- run examples/import_net/model.json -o "$out"
