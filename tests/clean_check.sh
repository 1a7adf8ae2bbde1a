#!/bin/sh
# clean_check.sh - clean lifecycles raise nothing.
#
# usage: sh tests/clean_check.sh BIN PCAPS_DIR
#
# For every capture listed in PCAPS_DIR/CLEAN, at the default thresholds and
# at the kernel-state test's, the JSON summary must show no connection with
# an anomaly and no finding of severity warning. A failure names the capture,
# the thresholds and what was raised.
set -eu

[ $# -eq 2 ] || { echo "usage: sh $0 BIN PCAPS_DIR" >&2; exit 2; }
bin=$1 dir=$2
out=$(mktemp "${TMPDIR:-/tmp}/wst-clean.XXXXXX")
trap 'rm -f "$out"' EXIT

n=0
for pcap in $(grep -v '^#' "$dir/CLEAN"); do
    [ -f "$dir/$pcap" ] || { echo "clean_check.sh: $pcap is listed in CLEAN but missing" >&2; exit 1; }
    for thresholds in "" "--syn-timeout 1.5 --linger 1 --group-min 5 --flood-min 20"; do
        # shellcheck disable=SC2086 # thresholds are separate words
        "$bin" --format json --timeline none $thresholds -r "$dir/$pcap" >"$out"
        # The kinds raised, then the warnings; both lists must be empty.
        raised=$(grep '"type":"conn"' "$out" | grep -o '"kind":"[a-z_0-9]*"' | sort -u | tr '\n' ' ' || true)
        warned=$(tail -n 1 "$out" | grep -o '"kind":"[a-z_]*","severity":"warning"' | tr '\n' ' ' || true)
        if [ -n "$raised$warned" ]; then
            echo "clean_check.sh: FAIL: $pcap${thresholds:+ ($thresholds)}: $raised$warned" >&2
            exit 1
        fi
        tail -n 1 "$out" | grep -q '"with_anomalies":0,' ||
            { echo "clean_check.sh: FAIL: $pcap: with_anomalies is not 0" >&2; exit 1; }
        n=$((n + 1))
    done
done
[ "$n" -gt 0 ] || { echo "clean_check.sh: CLEAN lists no capture" >&2; exit 1; }
echo "$n clean runs raised nothing"
