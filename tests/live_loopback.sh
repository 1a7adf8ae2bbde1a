#!/bin/sh
# Live capture end to end: wirestate -i lo with a kernel filter records one
# real TCP connection made by tcpdrive on 127.0.0.1, stops on SIGINT, and
# writes its record and a summary with the kernel's counters.
#   sh tests/live_loopback.sh WIRESTATE TCPDRIVE     (exit 77: not root)
set -eu
bin=$1 drive=$2
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: live capture needs root"
    exit 77
fi
tmp=$(mktemp -d)
ws=""
trap '[ -n "$ws" ] && kill "$ws" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "live_loopback: $*" >&2; [ -f "$tmp/out" ] && cat "$tmp/out" >&2; exit 1; }

port=$((20000 + $$ % 20000))
"$bin" -i lo --format json -o "$tmp/out" "tcp port $port" 2>"$tmp/err" &
ws=$!
sleep 1 # let the capture start: libpcap opens the socket before it returns
kill -0 "$ws" 2>/dev/null || fail "wirestate exited early: $(cat "$tmp/err")"

"$drive" listen 127.0.0.1 "$port" --ready "$tmp/ready" --accept-timeout 5000 recv:100 send:300 recveof close &
srv=$!
i=0
while [ ! -e "$tmp/ready" ]; do
    i=$((i + 1))
    [ "$i" -lt 500 ] || fail "the listener never became ready"
    sleep 0.01
done
"$drive" connect 127.0.0.1 "$port" send:100 recv:300 close || fail "client failed"
wait "$srv" || fail "server failed"
sleep 0.5 # the last ACK
kill -INT "$ws"
wait "$ws" || fail "wirestate exited with $? after SIGINT: $(cat "$tmp/err")"
ws=""

lines=$(wc -l <"$tmp/out")
[ "$lines" -eq 2 ] || fail "expected one conn record and a summary, got $lines lines"
grep -q "\"server\":\"127.0.0.1:$port\"" "$tmp/out" || fail "no record for 127.0.0.1:$port"
grep -q '"client_basis":"syn"' "$tmp/out" || fail "the SYN was not seen"
grep -q '"client_bytes":100,' "$tmp/out" || fail "client bytes are not 100"
grep -q '"server_bytes":300,' "$tmp/out" || fail "server bytes are not 300"
grep -q '"client_flags":\["SYN","ACK","PSH","FIN"\]' "$tmp/out" || fail "client flags"
grep -q '"kernel":{"received":' "$tmp/out" || fail "no kernel counters in the summary"
grep -q '"filtered":0' "$tmp/out" || fail "a live capture filters in the kernel, not in wirestate"
echo "live capture on lo: ok"
