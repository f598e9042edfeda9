#!/usr/bin/env bash
# The whole test suite. NEURON is not needed: its reference outputs are committed under
# validation/. Besides the Rust toolchain it installs, when missing, what the MPI tests of
# `ranvier optimize` need (Debian: mpich, libmpich-dev, libclang-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

mpi_packages=(mpich libmpich-dev libclang-dev)
if ! dpkg -s "${mpi_packages[@]}" >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${mpi_packages[@]}" >/dev/null
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# `ranvier optimize` across MPI ranks (feature `mpi`).
cargo clippy -p ranvier-cli --features mpi --all-targets --locked -- -D warnings
cargo test -p ranvier-cli --features mpi --locked --lib --test optimize_mpi
