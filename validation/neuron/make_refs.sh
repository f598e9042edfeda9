#!/usr/bin/env bash
# Regenerate every NEURON reference output validation/neuron/ref/<name>.json
# from validation/cases/<name>.json.  Usage: validation/neuron/make_refs.sh [case ...]
# (no arguments = all cases).  Needs NEURON (pip install neuron==9.0.2) and a C++ compiler.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cases_dir="$(cd "$here/../cases" && pwd)"
ref_dir="$here/ref"
mkdir -p "$ref_dir"

# Compile the VecStim mechanism into mod/<arch>/ (git-ignored).
(cd "$here/mod" && rm -rf "$(uname -m)" && nrnivmodl >/dev/null 2>&1) || { echo "nrnivmodl failed" >&2; exit 1; }

if [ "$#" -gt 0 ]; then
    cases=()
    for c in "$@"; do cases+=("$cases_dir/$(basename "$c" .json).json"); done
else
    cases=("$cases_dir"/*.json)
fi

# Run from a scratch directory so that no ./x86_64 of another project is
# auto-loaded by NEURON.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for case in "${cases[@]}"; do
    name="$(basename "$case" .json)"
    (cd "$scratch" && python3 "$here/run_case.py" "$case" "$ref_dir/$name.json") \
        2> >(grep -v -e 'no DISPLAY environment variable' -e 'No graphics will be displayed' >&2)
    printf '%-20s %8d bytes\n' "$name" "$(wc -c < "$ref_dir/$name.json")"
done
