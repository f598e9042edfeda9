#!/usr/bin/env bash
# The whole test suite. Needs only the Rust toolchain (NEURON is not needed: its
# reference outputs are committed under validation/).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
