#!/usr/bin/env bash
# Place the public models of manifest.json in a local folder (default
# $RANVIER_REALWORLD or ~/.cache/ranvier-realworld), from git directories of the
# repositories (for example snapshots fetched with the library's `fetch`, or
# `git clone --bare`). Blobs a mirror lacks are skipped (git archive would stop at the
# first one).
#
#   validation/realworld/place.sh netpyne GITDIR        # NetPyNE's tutorial folder, mods compiled
#   validation/realworld/place.sh modeldb ID GITDIR     # a ModelDB mirror (ModelDBRepository/ID)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${RANVIER_REALWORLD:-$HOME/.cache/ranvier-realworld}

# extract GITDIR COMMIT OUT PATH...: the blobs under PATHs at COMMIT into OUT.
extract() {
    local git=$1 commit=$2 out=$3
    shift 3
    git --git-dir="$git" ls-tree -r "$commit" -- "$@" | while read -r _mode type blob path; do
        [ "$type" = blob ] || continue
        mkdir -p "$out/$(dirname "$path")"
        git --git-dir="$git" cat-file blob "$blob" > "$out/$path" 2>/dev/null || rm -f "$out/$path"
    done
}

commit_of() { # NAME [ID]
    python3 - "$here/manifest.json" "$@" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
src = [s for s in m["sources"] if s["name"] == sys.argv[2]][0]
if len(sys.argv) > 3:
    print([x for x in src["models"] if str(x["id"]) == sys.argv[3]][0]["commit"])
else:
    print(src["commit"])
PY
}

case ${1:-} in
netpyne)
    git=${2:?usage: place.sh netpyne GITDIR}
    extract "$git" "$(commit_of netpyne)" "$dest/netpyne" doc/source/code examples/HHTut/src
    # The tutorial's mods, compiled where the tutorial scripts run (netcon.inc is one up).
    (cd "$dest/netpyne/doc/source/code" && nrnivmodl mod > /dev/null)
    echo "placed in $dest/netpyne (code: $dest/netpyne/doc/source/code)"
    ;;
modeldb)
    id=${2:?usage: place.sh modeldb ID GITDIR}
    git=${3:?usage: place.sh modeldb ID GITDIR}
    extract "$git" "$(commit_of modeldb "$id")" "$dest/modeldb/$id" .
    echo "placed in $dest/modeldb/$id"
    ;;
*)
    sed -n '2,9p' "$0"
    exit 2
    ;;
esac
