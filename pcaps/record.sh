#!/bin/sh
# record.sh - re-records every capture in pcaps/ that comes from the real
# Linux TCP stack. Run as root: ./pcaps/record.sh
#
# It builds tests/netns/tcpdrive.c, joins two network namespaces with a veth
# pair (tests/netns/netns.sh: client 10.100.0.1 / fd00:100::1, server
# 10.100.0.2 / fd00:100::2; the namespaces are named uniquely per run, so a
# kernel test may run at the same time), and for each scenario runs tcpdump
# on the client's veth while tcpdrive processes make the two kernels talk.
#
# Repeatability: MAC addresses, IP addresses, ports (server 8080/8443,
# client 40001...) and the order of every segment are fixed, so two
# recordings differ only in timestamps, ISNs, TCP timestamp values and IP IDs.
# tcpdrive steps sleep where the kernel would otherwise race: e.g. a close
# right after reading EOF would fold the delayed ACK of the peer's FIN into
# our own FIN, and whether it does depends on scheduling. The exception is
# bulk data (bulk.pcap, and the 64 KiB transfer in demo.pcap): the data
# segments are the same, but how often the receiver ACKs, the windows it
# advertises and where the sender sets PSH depend on when the reading process
# runs, so those pure ACKs and flags vary from one recording to the next.
#
# Only TCP is captured (filter "tcp or (vlan and tcp)"): IPv6 router and
# multicast listener chatter would otherwise land in captures at random.
#
# Captures are written to a temporary directory and moved into pcaps/ only
# when every scenario succeeded; on any failure the script stops, prints why,
# removes the namespaces and leaves pcaps/ as it was.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=SCRIPTDIR/../tests/netns/netns.sh
. "$root/tests/netns/netns.sh"

die() {
    printf 'record.sh: error: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it creates network namespaces)"
for tool in cc ip ethtool tcpdump iptables; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found (Debian: apt-get install -y $tool)"
done

tmp=$(mktemp -d /tmp/wst-record.XXXXXX)
out="$tmp/out"
WST_TMPDIR=$tmp
drive="$tmp/tcpdrive"
cap_pid=""      # running tcpdump, if any
srv_pid=""      # running tcpdrive server, if any

cleanup() {
    status=$?
    trap - EXIT
    for pid in $cap_pid $srv_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    wst_netns_down || true
    rm -rf "$tmp"
    if [ "$status" -ne 0 ]; then
        echo "record.sh: FAILED (status $status); pcaps/ left unchanged" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- helpers --------------------------------------------------------------

# endpoint ADDR PORT: the --bind spelling, with brackets for IPv6.
endpoint() {
    case $1 in
    *:*) echo "[$1]:$2" ;;
    *) echo "$1:$2" ;;
    esac
}

# capture_start NAME SNAPLEN: starts tcpdump on the client's veth and returns
# once it is capturing (its "listening on" line), so no packet is missed.
capture_start() {
    cap_name=$1
    : >"$tmp/tcpdump.log"
    # Not through wst_in_c: a shell function in the background runs in a
    # subshell, so $! would name the subshell and SIGINT would not reach
    # tcpdump. -Z root: Debian's tcpdump drops to user tcpdump, which could
    # not write into our root-only temporary directory.
    ip netns exec "$WST_NS_C" tcpdump -i "$WST_DEV_C" --immediate-mode -U \
        -Z root -s "$2" -w "$out/$cap_name.pcap" 'tcp or (vlan and tcp)' \
        2>"$tmp/tcpdump.log" &
    cap_pid=$!
    ticks=0
    until grep -q 'listening on' "$tmp/tcpdump.log"; do
        kill -0 "$cap_pid" 2>/dev/null ||
            die "tcpdump for $cap_name did not start: $(cat "$tmp/tcpdump.log")"
        ticks=$((ticks + 1))
        [ "$ticks" -lt 200 ] || die "tcpdump for $cap_name not ready after 10 s"
        sleep 0.05
    done
}

# capture_stop: lets the last ACKs arrive, stops tcpdump with SIGINT (so it
# flushes the file) and checks that the kernel dropped nothing.
capture_stop() {
    sleep 0.5
    kill -INT "$cap_pid"
    rc=0
    wait "$cap_pid" || rc=$?
    cap_pid=""
    [ "$rc" -eq 0 ] || die "tcpdump for $cap_name exited with status $rc"
    grep -q '^0 packets dropped by kernel' "$tmp/tcpdump.log" ||
        die "tcpdump for $cap_name lost packets: $(cat "$tmp/tcpdump.log")"
}

# serve ADDR PORT [OPTION|STEP ...]: starts a tcpdrive server in the
# server's namespace and returns once it listens.
serve() {
    s_addr=$1 s_port=$2
    shift 2
    rm -f "$tmp/ready"
    # Directly, not through wst_in_s, so that $! is the server itself.
    ip netns exec "$WST_NS_S" "$drive" listen "$s_addr" "$s_port" \
        --ready "$tmp/ready" --accept-timeout 10000 "$@" 2>"$tmp/server.log" &
    srv_pid=$!
    wst_wait_file "$tmp/ready" ||
        die "server on $s_addr port $s_port did not start listening"
}

# server_done STATUS: waits for the server and checks its exit status.
server_done() {
    rc=0
    wait "$srv_pid" || rc=$?
    srv_pid=""
    [ "$rc" -eq "$1" ] ||
        die "$cap_name: server exited with status $rc, expected $1:" \
            "$(cat "$tmp/server.log")"
}

# client STATUS ADDR PORT BIND [OPTION|STEP ...]: runs a tcpdrive client in
# the client's namespace to completion and checks its exit status.
# tcpdrive's stderr is kept out of sight (refused and timed-out connects are
# expected) and shown only when the status is not the expected one.
client() {
    c_want=$1 c_addr=$2 c_port=$3 c_bind=$4
    shift 4
    rc=0
    wst_in_c "$drive" connect "$c_addr" "$c_port" --bind "$c_bind" \
        --connect-timeout 10000 "$@" 2>"$tmp/client.log" || rc=$?
    [ "$rc" -eq "$c_want" ] ||
        die "$cap_name: client $c_bind -> $c_addr port $c_port exited with" \
            "status $rc, expected $c_want: $(cat "$tmp/client.log")"
}

# ---- exchanges: CLIENT_ADDR SERVER_ADDR SERVER_PORT CLIENT_PORT [...] -----

# Request of 100 bytes, answer of 200, client closes first, the server
# after reading EOF. The server's 300 ms pause lets its delayed ACK of the
# client's FIN go out alone: the textbook four-segment close.
conv_close_by_client() {
    serve "$2" "$3" recv:100 send:200 recveof sleep:300 close
    client 0 "$2" "$3" "$(endpoint "$1" "$4")" send:100 recv:200 sleep:50 close
    server_done 0
}

# The same exchange, but the server closes first and the client after EOF.
conv_close_by_server() {
    serve "$2" "$3" recv:100 send:200 sleep:50 close
    client 0 "$2" "$3" "$(endpoint "$1" "$4")" send:100 recv:200 recveof \
        sleep:300 close
    server_done 0
}

# A SYN to the server's port 8081, where nothing listens: RST+ACK.
conv_refused() {
    client 2 "$2" 8081 "$(endpoint "$1" "$4")"
}

# A little data each way, then the client aborts (SO_LINGER 0 + close = RST).
# The server waits for the abort before exiting: its socket is already
# closed by the RST, so its exit sends nothing.
conv_abort() {
    rm -f "$tmp/aborted"
    serve "$2" "$3" recv:100 send:100 wait:"$tmp/aborted" hold:100
    client 0 "$2" "$3" "$(endpoint "$1" "$4")" send:100 recv:100 sleep:50 \
        linger0 close touch:"$tmp/aborted"
    server_done 0
}

# paced_reads BYTES CHUNK: tcpdrive steps that read BYTES in CHUNK-sized
# pieces with a 2 ms pause after each one.
paced_reads() {
    p_left=$1
    while [ "$p_left" -gt 0 ]; do
        printf ' recv:%s sleep:2' "$2"
        p_left=$((p_left - $2))
    done
}

# The server sends BYTES and closes; the client reads them in CHUNK-sized
# pieces, reads EOF and closes. A reader that takes every segment as it
# arrives makes the kernel send an ACK (a window update) for nearly each one,
# and how many depends on scheduling: 1 MiB then gave 820 to 1410 packets.
# Pausing between chunks lets data queue up, so ACKs follow the every-other-
# segment and window-update rules instead, and bulk.pcap stays near 775
# packets (about 110 KB at -s 128).
conv_transfer() {
    serve "$2" "$3" send:"$5" close
    # shellcheck disable=SC2046 # one word per step
    client 0 "$2" "$3" "$(endpoint "$1" "$4")" $(paced_reads "$5" "$6") \
        recveof sleep:300 close
    server_done 0
}

# The server drops every SYN, so the client's SYN is retransmitted after
# about 1 s and 3 s (RFC 6298 initial RTO of 1 s, doubling) until its own
# 3.5 s timeout closes the socket, which sends nothing in SYN-SENT.
conv_syn_dropped() {
    rule="INPUT -p tcp --dport $3 --syn -j DROP"
    # shellcheck disable=SC2086 # the rule is meant to split into words
    wst_in_s iptables -A $rule
    serve "$2" "$3" --accept-timeout 4500
    client 3 "$2" "$3" "$(endpoint "$1" "$4")" --connect-timeout 3500
    server_done 3
    # shellcheck disable=SC2086
    wst_in_s iptables -D $rule
}

# ---- recording --------------------------------------------------------------

echo "record.sh: building tcpdrive"
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$drive" \
    "$root/tests/netns/tcpdrive.c"
mkdir "$out"

echo "record.sh: creating namespaces $WST_NS_C and $WST_NS_S"
wst_netns_up

C4=$WST_IP4_C S4=$WST_IP4_S C6=$WST_IP6_C S6=$WST_IP6_S

# record NAME SNAPLEN EXCHANGE ARGS...: one exchange, one capture.
record() {
    r_name=$1 r_snap=$2
    shift 2
    echo "record.sh: recording $r_name.pcap"
    capture_start "$r_name" "$r_snap"
    "$@"
    capture_stop
}

record close-by-client 262144 conv_close_by_client "$C4" "$S4" 8080 40001
record close-by-server 262144 conv_close_by_server "$C4" "$S4" 8080 40002
record refused         262144 conv_refused         "$C4" "$S4" 8080 40003
record syn-dropped     262144 conv_syn_dropped     "$C4" "$S4" 8080 40004
record abort-linger0   262144 conv_abort           "$C4" "$S4" 8080 40005
record ipv6            262144 conv_close_by_client "$C6" "$S6" 8080 40006
record bulk            128    conv_transfer        "$C4" "$S4" 8080 40007 \
    1048576 65536

# demo.pcap: one of each in a single capture, the last over VLAN 100. The
# capture runs on the parent veth, where the VLAN frames carry their 802.1Q
# tag.
echo "record.sh: recording demo.pcap"
wst_vlan_up
capture_start demo 256
conv_close_by_client "$C4" "$S4" 8080 40011
conv_close_by_server "$C4" "$S4" 8443 40012
conv_refused         "$C4" "$S4" 8080 40013
conv_abort           "$C4" "$S4" 8080 40014
conv_close_by_client "$C6" "$S6" 8080 40015
conv_transfer        "$C4" "$S4" 8080 40016 65536 16384
conv_close_by_client "$WST_VLAN_IP4_C" "$WST_VLAN_IP4_S" 8080 40017
capture_stop

# Sanity checks where the kernel's answer is fixed by the scenario alone.
count() { tcpdump -nr "$out/$1.pcap" ${2:+"$2"} 2>/dev/null | wc -l; }
[ "$(count refused)" -eq 2 ] || die "refused.pcap: expected SYN and RST+ACK"
if [ "$(count syn-dropped 'tcp[tcpflags] == tcp-syn')" -ne 3 ] ||
    [ "$(count syn-dropped)" -ne 3 ]; then
    die "syn-dropped.pcap: expected exactly 3 SYNs and nothing else"
fi
[ "$(count demo vlan)" -gt 0 ] || die "demo.pcap: no VLAN-tagged frames"

mv "$out"/*.pcap "$here/"
echo "record.sh: done; captures in $here:"
for f in close-by-client close-by-server refused syn-dropped abort-linger0 \
    ipv6 bulk demo; do
    printf '  %-22s %5d packets %8d bytes\n' "$f.pcap" \
        "$(tcpdump -nr "$here/$f.pcap" 2>/dev/null | wc -l)" \
        "$(stat -c %s "$here/$f.pcap")"
done
