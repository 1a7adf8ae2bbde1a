#!/bin/sh
# live_capture.sh - tcpdump's habits on a live capture, end to end, between
# two network namespaces joined by a veth pair (netns.sh, named uniquely per
# run and deleted on every exit).
#
#   sh tests/netns/live_capture.sh WIRESTATE TCPDRIVE     (exit 77: not root)
#
# wirestate captures on the client's veth (wst-c0) with a filter while
# tcpdrive makes real connections (IPv4 and IPv6) to a server in the other
# namespace, and stops on SIGINT, as after Ctrl-C:
#  1. -Z nobody: once the capture is open the process is nobody's, not
#     root's (its /proc/PID/status: user and group ids, supplementary groups,
#     no capability left), and it still captures; its records (-o) and its
#     packets (-w) go to a directory only root may write, so both files were
#     opened before the change.
#  2. -B: the kernel's ring (its mapping in /proc/PID/maps) has the size
#     asked for.
#  3. -w with -s 0: the file is classic pcap of the interface's link type
#     with a snap length of 262144, and reading it again (-r), with the
#     filter or without, gives the same records as the live run and counts
#     the same packets.
#  4. VLAN tags: one of the connections runs over VLAN 100 (netns.sh), so
#     the client's frames leave with the tag in the frame and the server's
#     arrive with it taken off by the kernel (libpcap writes it back). The
#     filter, which does not name VLANs, must see both directions live, and
#     the file read again with it the same (3).
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
wst_vlan_up || fail "cannot make VLAN $WST_VLAN_ID"

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

# ---- the live run

mkdir "$tmp/out" # under a directory of mode 700: root's alone
filter="tcp port 8080"
start_wirestate live -i "$WST_DEV_C" -Z nobody -s 0 -B 2048 -w "$tmp/out/live.pcap" --format json \
    -o "$tmp/out/live.json" $filter

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

# -B 2048: libpcap rounds the ring up to whole frames, never down, nor to twice as much.
ring=0
for range in $(grep -F 'socket:[' "/proc/$ws/maps" | cut -d' ' -f1); do
    ring=$((ring + (0x${range#*-} - 0x${range%-*}) / 1024))
done
[ "$ring" -ge 2048 ] && [ "$ring" -lt 4096 ] || fail "-B 2048 made a ring of $ring KiB"

connection "$WST_IP4_S" 8080
connection "$WST_IP6_S" 8080
connection "$WST_VLAN_IP4_S" 8080
connection "$WST_IP4_S" 8080
sleep 0.3 # the last ACKs
stop_wirestate
[ ! -s "$tmp/live.err" ] || fail "the live run wrote to stderr"

# 1. -Z
for f in live.json live.pcap; do
    [ "$(stat -c %U "$tmp/out/$f")" = root ] || fail "$f was not created by root, before the change of user"
done
grep '"type":"conn"' "$tmp/out/live.json" >"$tmp/live.conns"
[ "$(wc -l <"$tmp/live.conns")" -eq 4 ] || fail "expected 4 connection records, got $(wc -l <"$tmp/live.conns")"
[ "$(grep -c "\"server\":\"$WST_IP4_S:8080\"" "$tmp/live.conns")" -eq 2 ] || fail "not 2 records of $WST_IP4_S:8080"
[ "$(grep -c "\"server\":\"\[$WST_IP6_S\]:8080\"" "$tmp/live.conns")" -eq 1 ] || fail "no record of [$WST_IP6_S]:8080"
[ "$(grep -c '"client_bytes":100,' "$tmp/live.conns")" -eq 4 ] || fail "client bytes are not 100"
[ "$(grep -c '"server_bytes":300,' "$tmp/live.conns")" -eq 4 ] || fail "server bytes are not 300"
echo "$me: -Z nobody: the capture runs as nobody, without capabilities, and captures: ok"
echo "$me: -B 2048: a ring of $ring KiB: ok"

# 3. -w: classic pcap, Ethernet, snap length 262144 (-s 0), in the host's byte order.
head=$(od -An -tx4 -N24 "$tmp/out/live.pcap" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
[ "$head" = "a1b2c3d4 00040002 00000000 00000000 00040000 00000001" ] || fail "-w file header: $head"
# packets "name":N pairs of a summary line
packets() { sed -n 's/.*"packets":{\([^}]*\)}.*/\1/p' "$1"; }
for how in with without; do
    if [ $how = with ]; then
        "$bin" -r "$tmp/out/live.pcap" --format json $filter >"$tmp/again.json" 2>"$tmp/again.err"
    else
        "$bin" -r "$tmp/out/live.pcap" --format json >"$tmp/again.json" 2>"$tmp/again.err"
    fi || fail "reading the -w file failed"
    grep '"type":"conn"' "$tmp/again.json" >"$tmp/again.conns"
    cmp -s "$tmp/live.conns" "$tmp/again.conns" ||
        { diff "$tmp/live.conns" "$tmp/again.conns" >&2; fail "the -w file read $how the filter gives other records"; }
    [ "$(packets "$tmp/again.json")" = "$(packets "$tmp/out/live.json")" ] ||
        fail "packets: live $(packets "$tmp/out/live.json"), read again $(packets "$tmp/again.json")"
done
echo "$me: -w: read again, with the filter or without, the same records and packets as live: ok"

# 4. Both directions of the tagged connection passed the live filter: the SYN
#    seen (the client's, tagged in the frame) and the SYN+ACK (the server's).
grep "\"server\":\"$WST_VLAN_IP4_S:8080\"" "$tmp/live.conns" >"$tmp/vlan.conn" ||
    fail "no record of $WST_VLAN_IP4_S:8080 on VLAN $WST_VLAN_ID"
grep -q '"client_basis":"syn"' "$tmp/vlan.conn" || fail "the client's tagged SYN did not pass the live filter"
grep -q '"server_flags":\["SYN","ACK"' "$tmp/vlan.conn" || fail "the server's SYN+ACK did not pass the live filter"
grep -q "\"vlan\":$WST_VLAN_ID," "$tmp/vlan.conn" || fail "the record does not name VLAN $WST_VLAN_ID"
echo "$me: VLAN $WST_VLAN_ID: the filter sees both directions live, and the same in the file: ok"

echo "$me: all passed"
