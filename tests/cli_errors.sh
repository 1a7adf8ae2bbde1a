#!/bin/sh
# cli_errors.sh - the command line's error handling, end to end.
#
# usage: sh tests/cli_errors.sh BIN PCAPS_DIR
#
# Every failing case must exit with the documented status (1 runtime, 2
# usage) and write exactly one line to stderr, "wirestate: ...", naming the
# file or interface and the cause. The script stops at the first failure
# with a message saying which case failed and what the program printed.
#
# The good capture is $PCAPS_DIR/demo.pcap when it exists; otherwise a pcap
# with one Ethernet/IPv4/TCP SYN assembled byte by byte below. The damaged
# files are always assembled here.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: sh $0 BIN PCAPS_DIR" >&2
    exit 2
fi
BIN=$1
PCAPS_DIR=$2
[ -x "$BIN" ] || { echo "cli_errors.sh: $BIN is not an executable" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wst-cli-errors.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# ------------------------------------------------------------------ helpers

fail() {
    echo "cli_errors.sh: FAIL: $case_name: $*" >&2
    if [ -s "$tmp/err" ]; then
        sed 's/^/    stderr: /' "$tmp/err" >&2
    fi
    exit 1
}

# bytes HEX...: writes each two-digit hex byte (POSIX printf has octal escapes only).
bytes() {
    for b in "$@"; do
        # shellcheck disable=SC2059
        printf "\\$(printf '%03o' "0x$b")"
    done
}

# run [ARG...]: runs BIN with stdin from $stdin (default /dev/null), keeping
# stdout in $tmp/out, stderr in $tmp/err and the exit status in $status.
stdin=/dev/null
run() {
    status=0
    "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err" || status=$?
}

# expect_status N: the last run exited with N.
expect_status() {
    [ "$status" -eq "$1" ] || fail "exit status $status, expected $1"
}

# expect_one_line TEXT...: stderr is exactly one line that starts with
# "wirestate: " and contains every TEXT (fixed strings).
expect_one_line() {
    lines=$(awk 'END { print NR }' "$tmp/err")
    [ "$lines" -eq 1 ] || fail "stderr has $lines lines, expected exactly 1"
    [ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' ] || fail "stderr does not end with a newline"
    case $(cat "$tmp/err") in
    "wirestate: "*) ;;
    *) fail "stderr does not start with 'wirestate: '" ;;
    esac
    for text in "$@"; do
        grep -qF -- "$text" "$tmp/err" || fail "stderr does not mention '$text'"
    done
}

# json_count KEY FILE: the first number after "KEY": in FILE.
json_count() {
    sed -n "s/.*\"$1\":\\([0-9][0-9]*\\).*/\\1/p" "$2" | head -n 1
}

# ------------------------------------------------------------------ captures

# The classic pcap file header: magic a1b2c3d4 little-endian, version 2.4,
# thiszone 0, sigfigs 0, snaplen 65535, then the link type (4 bytes LE).
pcap_header() {
    bytes d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00
    bytes "$@"
}

# One record: ts 1700000000.000000 (0x6553f100), caplen = len = 54, then
# Ethernet (02:00:00:00:00:01 -> 02:00:00:00:00:02, type 0800), IPv4
# 192.0.2.1 -> 198.51.100.2 (total length 40, DF, TTL 64, protocol 6,
# header checksum 4e99) and TCP 40000 -> 80, seq 1000, SYN, window 64240,
# checksum 2842.
syn_record() {
    bytes 00 f1 53 65 00 00 00 00 36 00 00 00 36 00 00 00
    bytes 02 00 00 00 00 02 02 00 00 00 00 01 08 00
    bytes 45 00 00 28 00 00 40 00 40 06 4e 99 c0 00 02 01 c6 33 64 02
    bytes 9c 40 00 50 00 00 03 e8 00 00 00 00 50 02 fa f0 28 42 00 00
}

{ pcap_header 01 00 00 00; syn_record; } >"$tmp/syn.pcap"
[ "$(wc -c <"$tmp/syn.pcap")" -eq 94 ] || { echo "cli_errors.sh: syn.pcap is not 24 + 16 + 54 bytes" >&2; exit 1; }

if [ -f "$PCAPS_DIR/demo.pcap" ]; then
    good=$PCAPS_DIR/demo.pcap
else
    good=$tmp/syn.pcap
fi

# A whole record, then 30 bytes of a second one (its header and 14 bytes of data).
{ pcap_header 01 00 00 00; syn_record; syn_record | head -c 30; } >"$tmp/truncated.pcap"

# LINKTYPE_IEEE802_11 (105 = 0x69): a valid header of a link type we do not decode.
pcap_header 69 00 00 00 >"$tmp/wifi.pcap"

: >"$tmp/empty.pcap"
printf 'This is a text file.\nIt is not a capture.\n' >"$tmp/notes.txt"
mkdir "$tmp/adir"

# ------------------------------------------------------------------ usage errors (2)

case_name="no arguments"
run "$BIN"
expect_status 2
expect_one_line "nothing to read"

case_name="unknown option"
run "$BIN" --bogus -r "$good"
expect_status 2
expect_one_line "unknown option" "--bogus"

case_name="bad --format"
run "$BIN" --format xml -r "$good"
expect_status 2
expect_one_line "unknown format 'xml'"

case_name="bad filter expression"
run "$BIN" -r "$good" tcp prot 80
expect_status 2
expect_one_line "$good" "filter" "tcp prot 80"

case_name="bad -B"
run "$BIN" -B 63 -i lo
expect_status 2
expect_one_line "bad capture buffer size '63'" "64 to 2097151 KiB"

case_name="-Z names no user"
run "$BIN" -Z wst-no-such-user -r "$good"
expect_status 2
expect_one_line "unknown user 'wst-no-such-user'"

case_name="-w - with the records on standard output"
run "$BIN" -r "$good" -w -
expect_status 2
expect_one_line "-w - and the records cannot both go to standard output"
[ ! -s "$tmp/out" ] || fail "something was written to standard output"

case_name="-w and -o the same file"
run "$BIN" -r "$good" -o "$tmp/both" -w "$tmp/both"
expect_status 2
expect_one_line "-w and -o name the same file '$tmp/both'"
[ ! -e "$tmp/both" ] || fail "the file was created"

case_name="-w the file -r reads"
cp "$good" "$tmp/keep.pcap"
run "$BIN" -r "$tmp/keep.pcap" -w "$tmp/keep.pcap"
expect_status 2
expect_one_line "-w would overwrite '$tmp/keep.pcap', which -r reads"
ln -s "$tmp/keep.pcap" "$tmp/alias.pcap"
run "$BIN" -r "$tmp/keep.pcap" -w "$tmp/alias.pcap"
expect_status 2
expect_one_line "$tmp/alias.pcap: is also a capture being read"
cmp -s "$good" "$tmp/keep.pcap" || fail "the capture being read was changed"

case_name="stdin twice"
run "$BIN" -r - -r -
expect_status 2
expect_one_line "only once"

# ------------------------------------------------------------------ file errors (1)

case_name="missing file"
run "$BIN" -r "$tmp/missing.pcap"
expect_status 1
expect_one_line "$tmp/missing.pcap" "No such file"

case_name="a directory"
run "$BIN" -r "$tmp/adir"
expect_status 1
expect_one_line "$tmp/adir" "directory"

case_name="an empty file"
run "$BIN" -r "$tmp/empty.pcap"
expect_status 1
expect_one_line "$tmp/empty.pcap" "empty"

case_name="a text file"
run "$BIN" -r "$tmp/notes.txt"
expect_status 1
expect_one_line "$tmp/notes.txt" "not a pcap or pcapng"

case_name="unsupported link type"
run "$BIN" -r "$tmp/wifi.pcap"
expect_status 1
expect_one_line "$tmp/wifi.pcap" "unsupported link type"

case_name="the second file is missing"
run "$BIN" -r "$good" -r "$tmp/missing.pcap"
expect_status 1
expect_one_line "$tmp/missing.pcap" "No such file"
[ ! -s "$tmp/out" ] || fail "records were written before every source was opened"

case_name="truncated pcap"
run "$BIN" --format json -r "$tmp/truncated.pcap"
expect_status 1
expect_one_line "$tmp/truncated.pcap" "truncated"
grep -q '"type":"summary"' "$tmp/out" || fail "no summary on stdout"
grep -qF '"complete":false' "$tmp/out" || fail "summary does not say \"complete\":false"
[ "$(json_count total "$tmp/out")" = 1 ] || fail "summary does not count the one whole packet"

case_name="-w into a missing directory"
run "$BIN" -r "$good" -w "$tmp/nodir/out.pcap"
expect_status 1
expect_one_line "$tmp/nodir/out.pcap" "No such file"
[ ! -s "$tmp/out" ] || fail "records were written though -w could not be opened"

case_name="-w on a full device"
run "$BIN" -r "$good" -w /dev/full
expect_status 1
expect_one_line "/dev/full: write error: No space left on device"

case_name="output into a missing directory"
run "$BIN" -r "$good" -o "$tmp/nodir/out.json"
expect_status 1
expect_one_line "$tmp/nodir/out.json" "No such file"

# ------------------------------------------------------------------ interfaces (1)

# CAP_NET_RAW is capability 13; with it, a missing interface is reported as
# such, without it the permission check may come first.
can_capture=no
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status 2>/dev/null || true)
if [ -n "$capeff" ] && [ $(( (0x$capeff >> 13) & 1 )) -eq 1 ]; then
    can_capture=yes
fi

case_name="interface that does not exist"
run "$BIN" -i wst-no-such-if0
expect_status 1
if [ "$can_capture" = yes ]; then
    expect_one_line "wst-no-such-if0" "no such interface"
else
    expect_one_line "wst-no-such-if0"
    grep -qE 'no such interface|permission denied' "$tmp/err" || fail "stderr gives no cause"
fi

case_name="interface without capture permission"
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null 2>&1; then
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" -i lo -c 1
        expect_status 1
        expect_one_line "lo: " "permission denied"
    else
        echo "cli_errors.sh: skip: $case_name (setpriv is not installed)" >&2
    fi
else
    run "$BIN" -i lo -c 1
    expect_status 1
    expect_one_line "lo: " "permission denied"
fi

case_name="-Z without root"
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null 2>&1; then
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" -Z daemon -r "$good"
        expect_status 1
        expect_one_line "wirestate: daemon: cannot drop privileges: initgroups: Operation not permitted"
        [ ! -s "$tmp/out" ] || fail "records were written by a process that could not become daemon"
    else
        echo "cli_errors.sh: skip: $case_name (setpriv is not installed)" >&2
    fi
else
    run "$BIN" -Z daemon -r "$good"
    expect_status 1
    expect_one_line "wirestate: daemon: cannot drop privileges"
fi

# ------------------------------------------------------------------ successes

case_name="--help"
run "$BIN" --help
expect_status 0
grep -q "usage: wirestate" "$tmp/out" || fail "no usage text on stdout"
[ ! -s "$tmp/err" ] || fail "stderr is not empty"

case_name="-r FILE"
run "$BIN" --format json -r "$good"
expect_status 0
[ ! -s "$tmp/err" ] || fail "stderr is not empty"
grep -qF '"complete":true' "$tmp/out" || fail "summary does not say \"complete\":true"
cp "$tmp/out" "$tmp/file.json"
total=$(json_count total "$tmp/file.json")
tcp=$(json_count tcp "$tmp/file.json")
[ "${total:-0}" -gt 0 ] || fail "no packets counted"

case_name="-Z nobody after opening the file"
if [ "$(id -u)" -eq 0 ]; then
    # The output directory is root's alone: the file is opened before the drop.
    mkdir -m 700 "$tmp/rootonly"
    run "$BIN" -Z nobody --format json -r "$good" -o "$tmp/rootonly/out.json"
    expect_status 0
    [ ! -s "$tmp/err" ] || fail "stderr is not empty"
    cmp -s "$tmp/rootonly/out.json" "$tmp/file.json" || fail "output differs from the same run without -Z"
fi

case_name="-w FILE, then -r FILE"
run "$BIN" --format json -r "$good" -w "$tmp/saved.pcap"
expect_status 0
[ ! -s "$tmp/err" ] || fail "stderr is not empty"
cmp -s "$tmp/out" "$tmp/file.json" || fail "-w changed the records"
run "$BIN" --format json -r "$tmp/saved.pcap"
expect_status 0
cmp -s "$tmp/out" "$tmp/file.json" || fail "the file -w wrote does not give the same records"

case_name="-w - with -o FILE"
run "$BIN" --format json -r "$good" -w - -o "$tmp/records.json"
expect_status 0
cmp -s "$tmp/records.json" "$tmp/file.json" || fail "-o does not hold the records"
cp "$tmp/out" "$tmp/piped.pcap"
run "$BIN" --format json -r "$tmp/piped.pcap"
cmp -s "$tmp/out" "$tmp/file.json" || fail "what -w - wrote does not give the same records"

case_name="-nn (tcpdump's habit) changes nothing"
run "$BIN" -nn --format json -r "$good"
expect_status 0
[ ! -s "$tmp/err" ] || fail "stderr is not empty"
cmp -s "$tmp/out" "$tmp/file.json" || fail "output differs from the same run without -nn"

case_name="-r - (standard input)"
stdin=$good
run "$BIN" --format json -r -
stdin=/dev/null
expect_status 0
[ ! -s "$tmp/err" ] || fail "stderr is not empty"
cmp -s "$tmp/out" "$tmp/file.json" || fail "output differs from -r FILE"

case_name="the same file twice"
run "$BIN" --format json -r "$good" -r "$good"
expect_status 0
[ "$(json_count total "$tmp/out")" -eq $((2 * total)) ] || fail "total is not $((2 * total))"
[ "$(json_count tcp "$tmp/out")" -eq $((2 * tcp)) ] || fail "tcp count is not $((2 * tcp))"

case_name="-o - is standard output"
run "$BIN" --format json -r "$good" -o -
expect_status 0
cmp -s "$tmp/out" "$tmp/file.json" || fail "output differs from plain standard output"
[ ! -e ./- ] || fail "a file named '-' was created"

# Ctrl-C while a pipe is read: the end of the capture, not a read error,
# but the records and summary say the input was not read to its end; the
# second -r is not opened for reading after it.
case_name="SIGINT while reading a FIFO"
mkfifo "$tmp/fifo"
(cat "$good"; sleep 5) >"$tmp/fifo" &
feeder=$!
"$BIN" --format json -r "$tmp/fifo" -r "$good" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT "$pid"
status=0
wait "$pid" || status=$?
kill "$feeder" 2>/dev/null || true
expect_status 0
[ ! -s "$tmp/err" ] || fail "stderr is not empty"
grep -qF '"complete":false' "$tmp/out" || fail "summary does not say \"complete\":false"
[ "$(json_count total "$tmp/out")" -eq "$total" ] || fail "packets of the second file were read"

echo "cli_errors.sh: all cases passed"
