#!/usr/bin/env bash
# Place the public models of manifest.json in a local folder (default
# $RANVIER_REALWORLD or ~/.cache/ranvier-realworld), from git directories of the
# repositories (for example snapshots fetched with the library's `fetch`, or `git clone
# --bare`). Blobs a mirror lacks are skipped (git archive would stop at the first one).
#
#   validation/realworld/place.sh GITDIR_OF_NETPYNE [DEST]
set -euo pipefail
src=${1:?usage: place.sh NETPYNE_GIT_DIR [DEST]}
dest=${2:-${RANVIER_REALWORLD:-$HOME/.cache/ranvier-realworld}}
here=$(cd "$(dirname "$0")" && pwd)
commit=$(python3 -c "import json,sys; m=json.load(open('$here/manifest.json')); print([s for s in m['sources'] if s['name']=='netpyne'][0]['commit'])")
mkdir -p "$dest/netpyne"
for p in doc/source/code examples/HHTut/src; do
    git --git-dir="$src" ls-tree -r "$commit" -- "$p" | while read -r mode type blob path; do
        [ "$type" = blob ] || continue
        mkdir -p "$dest/netpyne/$(dirname "$path")"
        git --git-dir="$src" cat-file blob "$blob" > "$dest/netpyne/$path" 2>/dev/null || rm -f "$dest/netpyne/$path"
    done
done
# NetPyNE's tutorial mods, compiled where the tutorial scripts run (netcon.inc is one up).
(cd "$dest/netpyne/doc/source/code" && nrnivmodl mod > /dev/null)
echo "placed in $dest/netpyne (code: $dest/netpyne/doc/source/code)"
