#!/bin/sh
# live_capture.sh - tcpdump's habits on a live capture, end to end, between
# two network namespaces joined by a veth pair (netns.sh, named uniquely per
# run and deleted on every exit).
#
#   sh tests/netns/live_capture.sh WIRESTATE TCPDRIVE     (exit 77: not root)
#
# wirestate captures on the client's veth (wst-c0) while tcpdrive makes real
# connections to a server in the other namespace, and stops on SIGINT:
#  1. -Z nobody: once the capture is open the process is nobody's, not
#     root's (its /proc/PID/status: user and group ids, supplementary groups,
#     no capability left), and it still captures; its records go to -o in a
#     directory only root may write, so that file was opened before the
#     change.
set -u

me=live_capture
if [ $# -ne 2 ]; then
    echo "usage: sh $0 WIRESTATE TCPDRIVE" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: $me needs root (network namespaces, live capture)"
    exit 77
fi
abs() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
bin=$(abs "$1")
drive=$(abs "$2")
for tool in ip ethtool; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$me: $tool not found" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wst-live.XXXXXX")
chmod 700 "$tmp" # so that only root may create files in it
WST_TMPDIR=$tmp
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$here/netns.sh"

ws=""   # the running wirestate
srv=""  # the running tcpdrive server

cleanup() {
    status=$?
    trap - EXIT
    for _pid in $ws $srv; do
        kill "$_pid" 2>/dev/null || true
        wait "$_pid" 2>/dev/null || true
    done
    wst_netns_down || true
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() {
    echo "$me: FAIL: $*" >&2
    for _f in "$tmp"/*.err; do
        [ -s "$_f" ] && sed "s|^|    $(basename "$_f"): |" "$_f" >&2
    done
    exit 1
}

wst_netns_up || fail "cannot create the namespaces"

nobody_uid=$(id -u nobody) || fail "no user nobody"
nobody_gid=$(id -g nobody)
nobody_groups=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')

# status_field PID NAME: the value of NAME in /proc/PID/status, tabs as spaces.
status_field() {
    sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr '\t' ' ' | sed 's/ *$//'
}

# start_wirestate NAME ARG...: runs wirestate in the client namespace with
# ARG..., stderr in $tmp/NAME.err; $ws is its process (ip netns exec execs).
start_wirestate() {
    _name=$1
    shift
    ip netns exec "$WST_NS_C" "$bin" "$@" 2>"$tmp/$_name.err" &
    ws=$!
}

# stop_wirestate: SIGINT, as Ctrl-C; fails unless it exits with 0.
stop_wirestate() {
    kill -INT "$ws" 2>/dev/null || fail "wirestate exited before SIGINT"
    _rc=0
    wait "$ws" || _rc=$?
    ws=""
    [ "$_rc" -eq 0 ] || fail "wirestate exited with $_rc after SIGINT"
}

# connection ADDR PORT: one connection, 100 bytes from the client, 300 back.
connection() {
    rm -f "$tmp/ready"
    ip netns exec "$WST_NS_S" "$drive" listen "$1" "$2" --ready "$tmp/ready" --accept-timeout 10000 \
        recv:100 send:300 recveof close 2>>"$tmp/tcpdrive.err" &
    srv=$!
    wst_wait_file "$tmp/ready" 5 || fail "the server did not listen on $1:$2"
    ip netns exec "$WST_NS_C" "$drive" connect "$1" "$2" --connect-timeout 5000 send:100 recv:300 close \
        2>>"$tmp/tcpdrive.err" || fail "the client to $1:$2 failed"
    wait "$srv" || fail "the server on $1:$2 failed"
    srv=""
}

# ---- 1. -Z: no longer root while capturing

mkdir "$tmp/out" # mode 700 under a 700 directory: root's alone
start_wirestate z -i "$WST_DEV_C" -Z nobody --format json -o "$tmp/out/z.json" "tcp port 8080"

# The change comes after the capture and -o are open: once the process is
# nobody's, it is capturing, with its filter in place.
i=0
while [ "$(status_field "$ws" Uid)" != "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ]; do
    kill -0 "$ws" 2>/dev/null || fail "wirestate -Z nobody exited early"
    i=$((i + 1))
    [ "$i" -lt 200 ] || fail "still not nobody after 10 s: Uid $(status_field "$ws" Uid)"
    sleep 0.05
done
gid=$(status_field "$ws" Gid)
[ "$gid" = "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" ] || fail "Gid is '$gid', not nobody's"
groups=$(status_field "$ws" Groups | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ')
[ "$groups" = "$nobody_groups" ] || fail "supplementary groups are '$groups', not nobody's '$nobody_groups'"
for c in CapPrm CapEff; do
    [ "$(status_field "$ws" $c)" = 0000000000000000 ] || fail "$c is $(status_field "$ws" $c)"
done

connection "$WST_IP4_S" 8080
sleep 0.3 # the last ACK
stop_wirestate

[ "$(stat -c %U "$tmp/out/z.json")" = root ] || fail "-o was not created by root"
[ "$(grep -c '"type":"conn"' "$tmp/out/z.json")" -eq 1 ] || fail "expected one connection record"
grep -q "\"server\":\"$WST_IP4_S:8080\"" "$tmp/out/z.json" || fail "no record of $WST_IP4_S:8080"
grep -q '"client_bytes":100,' "$tmp/out/z.json" || fail "client bytes are not 100"
grep -q '"server_bytes":300,' "$tmp/out/z.json" || fail "server bytes are not 300"
[ ! -s "$tmp/z.err" ] || fail "wirestate -Z wrote to stderr"
echo "$me: -Z nobody: the capture runs as nobody, without capabilities: ok"

echo "$me: all passed"
