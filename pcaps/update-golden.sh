#!/bin/sh
# Regenerates golden files from pcaps/GOLDEN with a built wirestate:
#   pcaps/update-golden.sh BUILD_DIR            every case
#   pcaps/update-golden.sh BUILD_DIR NAME ...   the named cases
# Review the diff (git diff pcaps/expected) like code before committing.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [NAME ...]" >&2; exit 2; }
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/wirestate
[ -x "$bin" ] || { echo "$0: no wirestate binary at $bin" >&2; exit 2; }
mkdir -p "$here/expected"
for n in "$@"; do
    grep -q "^$n[[:space:]]" "$here/GOLDEN" || { echo "$0: no case '$n' in GOLDEN" >&2; exit 2; }
done
grep -v '^#' "$here/GOLDEN" | while read -r name pcaps format expected opts; do
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        want=0
        for n in "$@"; do [ "$n" = "$name" ] && want=1; done
        [ "$want" = 1 ] || continue
    fi
    args=""
    for p in $(echo "$pcaps" | tr '+' ' '); do args="$args -r $here/$p"; done
    # shellcheck disable=SC2086 # word splitting of args and opts is intended
    TZ=UTC LC_ALL=C "$bin" --format "$format" $args $opts >"$here/expected/$expected"
    echo "updated expected/$expected"
done
