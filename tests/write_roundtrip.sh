#!/bin/sh
# write_roundtrip.sh - what -w writes reads back as the capture it came from.
#
#   sh tests/write_roundtrip.sh BIN PCAPS_DIR
#
# For every capture under PCAPS_DIR, and for the golden tests' pairs of
# files read as one capture (one of them of two link types): `-r X -w Y`
# must write the same JSON as `-r X`, and `-r Y` must write it again, byte
# for byte. A capture damaged part-way ends with an error (exit status 1,
# "complete":false); the file written then holds what was read before it,
# so its records must be the same and its summary complete.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: sh $0 BIN PCAPS_DIR" >&2
    exit 2
fi
BIN=$1
PCAPS_DIR=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wst-write.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "write_roundtrip.sh: FAIL: $case_name: $*" >&2
    exit 1
}

# roundtrip NAME FILE...: the check above, on FILE... read as one capture.
roundtrip() {
    case_name=$1
    shift
    args=""
    for f in "$@"; do args="$args -r $f"; done
    # shellcheck disable=SC2086 # one word per argument
    { "$BIN" --format json $args >"$tmp/direct.json" 2>"$tmp/direct.err"; } && direct=0 || direct=$?
    # shellcheck disable=SC2086
    { "$BIN" --format json $args -w "$tmp/saved" >"$tmp/writing.json" 2>"$tmp/writing.err"; } && writing=0 ||
        writing=$?
    [ "$writing" -eq "$direct" ] || fail "exit status $writing with -w, $direct without"
    cmp -s "$tmp/direct.json" "$tmp/writing.json" || fail "-w changed the output"
    cmp -s "$tmp/direct.err" "$tmp/writing.err" || fail "-w changed the messages"
    "$BIN" --format json -r "$tmp/saved" >"$tmp/again.json" 2>"$tmp/again.err" || fail "reading the -w file failed"
    if [ "$direct" -eq 0 ]; then
        cmp -s "$tmp/direct.json" "$tmp/again.json" || fail "the -w file does not give the same output"
    else
        grep -v '"type":"summary"' "$tmp/direct.json" >"$tmp/direct.conns" || true
        grep -v '"type":"summary"' "$tmp/again.json" >"$tmp/again.conns" || true
        cmp -s "$tmp/direct.conns" "$tmp/again.conns" || fail "the -w file does not give the same records"
        grep -qF '"complete":true' "$tmp/again.json" || fail "the -w file is not complete"
    fi
    checked=$((checked + 1))
}

checked=0
for f in "$PCAPS_DIR"/*.pcap "$PCAPS_DIR"/*.pcapng; do
    [ -f "$f" ] || continue
    roundtrip "$(basename "$f")" "$f"
done
roundtrip "raw.pcap+null.pcap" "$PCAPS_DIR/raw.pcap" "$PCAPS_DIR/null.pcap"
roundtrip "close-by-client.pcap+close-by-server.pcap" "$PCAPS_DIR/close-by-client.pcap" \
    "$PCAPS_DIR/close-by-server.pcap"
roundtrip "multi-link.pcapng+demo.pcap" "$PCAPS_DIR/multi-link.pcapng" "$PCAPS_DIR/demo.pcap"
[ "$checked" -ge 40 ] || { echo "write_roundtrip.sh: only $checked captures found in $PCAPS_DIR" >&2; exit 1; }
echo "write_roundtrip.sh: $checked captures read, written and read again: the same"
