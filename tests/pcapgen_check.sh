#!/bin/sh
# The generated edge-case captures in pcaps/ must be exactly what pcapgen
# writes today: regenerate them into a scratch folder and compare byte for byte.
#   sh tests/pcapgen_check.sh PCAPGEN PCAPS_DIR SCRATCH_DIR
set -eu
gen=$1 pcaps=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
"$gen" "$out" >/dev/null
n=0
for f in "$out"/*; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$pcaps/$name"; then
        echo "pcaps/$name differs from what pcapgen writes now (regenerate: pcapgen pcaps)" >&2
        exit 1
    fi
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "pcapgen wrote nothing" >&2; exit 1; }
echo "$n generated captures match"
