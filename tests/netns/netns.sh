# netns.sh - shell helpers for driving the real Linux TCP stack between two
# network namespaces (sourced, not run; needs root, iproute2 and ethtool).
#
# Topology (all of it fixed but the namespaces' names, so that captures
# compare packet for packet from one recording to the next):
#
#   namespace $WST_NS_C                      namespace $WST_NS_S
#   (wst-c-PID-RANDOM)                       (wst-s-PID-RANDOM)
#   wst-c0  02:00:00:00:01:01  <-- veth -->  wst-s0  02:00:00:00:01:02
#           10.100.0.1/24                            10.100.0.2/24
#           fd00:100::1/64                           fd00:100::2/64
#   wst-c0.100 (802.1Q VLAN 100)             wst-s0.100
#           10.100.100.1/24                          10.100.100.2/24
#   (only after wst_vlan_up; see there for kernels without 802.1Q)
#
# Why each setting:
#  1. Fixed MAC addresses: veth otherwise picks random ones, and they are in
#     every captured Ethernet header.
#  2. Offloads off (checksum, SG, TSO, GSO, GRO, VLAN tagging): the capture
#     then holds what a wire would carry, i.e. real checksums, MTU-sized
#     segments and VLAN tags inside the frame rather than in metadata.
#  3. Permanent neighbour entries: no ARP or neighbour discovery delays the
#     first SYN, so timing does not depend on the neighbour cache.
#  4. IPv6 addresses with nodad: usable at once, no duplicate detection wait.
#  5. TCP sysctls pinned to the kernel defaults, since a new namespace
#     inherits some of them (buffer sizes) from the host; SYN retransmission
#     pinned to exponential backoff on kernels that have linear timeouts.
#  6. Namespace names unique per run (the sourcing shell's PID and a random
#     suffix), so that two runs on one host (two kernel tests, a test and a
#     recording) never share or delete each other's namespaces. Everything
#     else lives inside them: the veth names, addresses and iptables rules
#     of one run cannot collide with another's. The caller deletes its
#     namespaces with wst_netns_down on every exit (an EXIT trap); a run
#     killed outright (SIGKILL) leaves them behind, and wst_netns_up removes
#     those of runs whose process is gone.
#
# Functions: wst_netns_up, wst_netns_down, wst_vlan_up, wst_in_c, wst_in_s,
# wst_wait_file. All fail (non-zero) on the first error. WST_TMPDIR, if set,
# is where scratch files go (the caller's own temporary directory, so that
# its cleanup removes them even after an interruption).

WST_RUN_ID=$$-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
WST_NS_C=wst-c-$WST_RUN_ID
WST_NS_S=wst-s-$WST_RUN_ID
WST_DEV_C=wst-c0
WST_DEV_S=wst-s0
WST_MAC_C=02:00:00:00:01:01
WST_MAC_S=02:00:00:00:01:02
WST_IP4_C=10.100.0.1
WST_IP4_S=10.100.0.2
WST_IP6_C=fd00:100::1
WST_IP6_S=fd00:100::2
WST_VLAN_ID=100
WST_VLAN_IP4_C=10.100.100.1
WST_VLAN_IP4_S=10.100.100.2

# wst_in_c CMD...: runs CMD in the client namespace.
wst_in_c() { ip netns exec "$WST_NS_C" "$@"; }

# wst_in_s CMD...: runs CMD in the server namespace.
wst_in_s() { ip netns exec "$WST_NS_S" "$@"; }

# wst_wait_file FILE [TIMEOUT_S]: returns 0 once FILE exists, 1 after
# TIMEOUT_S seconds (default 10).
wst_wait_file() {
    _wf_ticks=$(( ${2:-10} * 20 ))
    while [ ! -e "$1" ]; do
        [ "$_wf_ticks" -gt 0 ] || return 1
        _wf_ticks=$(( _wf_ticks - 1 ))
        sleep 0.05
    done
}

# Configures one end: NS DEV PEER_MAC IP4 PEER_IP4 IP6 PEER_IP6.
_wst_end_up() {
    _ns=$1 _dev=$2 _peer_mac=$3
    ip -n "$_ns" link set lo up
    ip netns exec "$_ns" ethtool -K "$_dev" rx off tx off sg off tso off \
        gso off gro off rxvlan off txvlan off >/dev/null
    ip -n "$_ns" addr add "$4/24" dev "$_dev"
    ip -n "$_ns" addr add "$6/64" dev "$_dev" nodad
    ip -n "$_ns" link set "$_dev" up
    for _peer in "$5" "$7"; do
        ip -n "$_ns" neigh replace "$_peer" lladdr "$_peer_mac" dev "$_dev" \
            nud permanent
    done
    ip netns exec "$_ns" sysctl -q -w \
        net.ipv4.tcp_timestamps=1 \
        net.ipv4.tcp_sack=1 \
        net.ipv4.tcp_window_scaling=1 \
        net.ipv4.tcp_ecn=2 \
        net.ipv4.tcp_syn_retries=6 \
        net.ipv4.tcp_rmem="4096 131072 6291456" \
        net.ipv4.tcp_wmem="4096 16384 4194304"
    # Linux 6.7 added tcp_syn_linear_timeouts (default 4): the first four SYN
    # retransmissions come 1 s apart instead of backing off. 0 restores the
    # RFC 6298 doubling (1 s, 2 s, 4 s, ...) that older kernels show.
    if [ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]; then
        ip netns exec "$_ns" sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=0
    fi
}

# Deletes the namespaces of earlier runs killed before their cleanup
# (setting 6): wst-c-PID-* and wst-s-PID-* older than 15 minutes (longer
# than a kernel test may run, 10) whose PID no longer exists and in which
# no process runs. A run still alive, or in another PID namespace, keeps its
# own.
_wst_netns_reap() {
    [ -d /run/netns ] || return 0
    for _wr_path in $(find /run/netns -maxdepth 1 -name 'wst-[cs]-[0-9]*-*' \
        -mmin +15 2>/dev/null); do
        _wr_ns=${_wr_path##*/}
        _wr_pid=${_wr_ns#wst-?-}
        _wr_pid=${_wr_pid%%-*}
        case $_wr_pid in
        '' | *[!0-9]*) continue ;;
        esac
        [ ! -d "/proc/$_wr_pid" ] || continue
        [ -z "$(ip netns pids "$_wr_ns" 2>/dev/null)" ] || continue
        ip netns del "$_wr_ns" 2>/dev/null || true
    done
}

# wst_netns_up: creates both namespaces and the veth pair between them.
# Removes this run's namespaces if they exist, and those left by runs that
# were killed (setting 6), first.
wst_netns_up() {
    wst_netns_down
    _wst_netns_reap
    ip netns add "$WST_NS_C"
    ip netns add "$WST_NS_S"
    ip link add "$WST_DEV_C" netns "$WST_NS_C" address "$WST_MAC_C" type veth \
        peer name "$WST_DEV_S" netns "$WST_NS_S" address "$WST_MAC_S"
    _wst_end_up "$WST_NS_C" "$WST_DEV_C" "$WST_MAC_S" \
        "$WST_IP4_C" "$WST_IP4_S" "$WST_IP6_C" "$WST_IP6_S"
    _wst_end_up "$WST_NS_S" "$WST_DEV_S" "$WST_MAC_C" \
        "$WST_IP4_S" "$WST_IP4_C" "$WST_IP6_S" "$WST_IP6_C"
}

# wst_vlan_up: makes VLAN 100 (10.100.100.1 <-> .2) run over the veth pair,
# so that frames on wst-c0/wst-s0 carry an 802.1Q tag (offload is off,
# setting 2, so the tag is in the frame). Uses 8021q sub-interfaces
# (wst-c0.100, wst-s0.100) when the kernel has them, else the relay below.
# Either way the tagged frames are the same: the VLAN interfaces have the
# parents' MAC addresses.
wst_vlan_up() {
    if ip -n "$WST_NS_C" link add link "$WST_DEV_C" \
        name "$WST_DEV_C.$WST_VLAN_ID" type vlan id "$WST_VLAN_ID" \
        2>/dev/null; then
        ip -n "$WST_NS_S" link add link "$WST_DEV_S" \
            name "$WST_DEV_S.$WST_VLAN_ID" type vlan id "$WST_VLAN_ID"
        _wst_vlan_end "$WST_NS_C" "$WST_DEV_C.$WST_VLAN_ID" \
            "$WST_VLAN_IP4_C" "$WST_VLAN_IP4_S" "$WST_MAC_S"
        _wst_vlan_end "$WST_NS_S" "$WST_DEV_S.$WST_VLAN_ID" \
            "$WST_VLAN_IP4_S" "$WST_VLAN_IP4_C" "$WST_MAC_C"
        return 0
    fi
    echo "netns.sh: kernel without 802.1Q (CONFIG_VLAN_8021Q), tagging VLAN" \
        "$WST_VLAN_ID in a user-space relay instead" >&2
    command -v python3 >/dev/null 2>&1 ||
        { echo "netns.sh: the VLAN relay needs python3" >&2; return 1; }
    _wst_relay_up "$WST_NS_C" "$WST_DEV_C" wst-cv "$WST_MAC_C" \
        02:00:00:00:02:01 "$WST_VLAN_IP4_C" "$WST_VLAN_IP4_S" "$WST_MAC_S"
    _wst_relay_up "$WST_NS_S" "$WST_DEV_S" wst-sv "$WST_MAC_S" \
        02:00:00:00:02:02 "$WST_VLAN_IP4_S" "$WST_VLAN_IP4_C" "$WST_MAC_C"
}

# Addresses one VLAN interface: NS DEV IP4 PEER_IP4 PEER_MAC. IPv6 is off on
# it so that only the traffic a scenario makes crosses the VLAN.
_wst_vlan_end() {
    ip netns exec "$1" sysctl -q -w "net.ipv6.conf.$2.disable_ipv6=1"
    ip netns exec "$1" ethtool -K "$2" rx off tx off sg off tso off gso off \
        gro off >/dev/null 2>&1 || true
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set "$2" up
    ip -n "$1" neigh replace "$4" lladdr "$5" dev "$2" nud permanent
}

# The relay, for kernels without 8021q. In each namespace a second veth pair
# PREFIX0 <-> PREFIX1 stands in for the VLAN interface: PREFIX0 holds the
# VLAN address (and the parent's MAC, as a sub-interface would), and a
# process bridges PREFIX1 to the parent veth, adding the tag on the way out
# and taking frames of VLAN 100 (tag inline, or in metadata: the kernel
# untags received frames before packet sockets see them) on the way in. The
# kernel itself drops the tagged frames it has no VLAN device for.
WST_VLAN_RELAY_PY='
import select, socket, struct, sys
trunk, access, ready = sys.argv[1], sys.argv[2], sys.argv[4]
vid = int(sys.argv[3])
ETH_P_ALL, SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 3, 263, 8, 1 << 4
def open_dev(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((name, ETH_P_ALL))
    return s
t, a = open_dev(trunk), open_dev(access)
t.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
open(ready, "w").close()
tag = b"\x81\x00" + struct.pack("!H", vid)
while True:
    for s in select.select([t, a], [], [])[0]:
        data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(32))
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if s is a:
            t.send(data[:12] + tag + data[12:])
            continue
        tci = None
        for level, kind, cdata in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status, _, _, _, _, v, _ = struct.unpack("IIIHHHH", cdata[:20])
                if status & TP_STATUS_VLAN_VALID:
                    tci = v
        if tci is None and data[12:14] == b"\x81\x00":
            tci = struct.unpack("!H", data[14:16])[0]
            data = data[:12] + data[16:]
        if tci is not None and tci & 0xfff == vid:
            a.send(data)
'
WST_RELAY_PIDS=""

# _wst_relay_up NS PARENT PREFIX MAC RELAY_MAC IP4 PEER_IP4 PEER_MAC
_wst_relay_up() {
    _ready="${WST_TMPDIR:-${TMPDIR:-/tmp}}/wst-relay.$$.$3"
    rm -f "$_ready"
    ip -n "$1" link add "${3}0" address "$4" type veth peer name "${3}1" \
        address "$5"
    ip netns exec "$1" sysctl -q -w "net.ipv6.conf.${3}1.disable_ipv6=1"
    ip netns exec "$1" ethtool -K "${3}1" rx off tx off sg off tso off \
        gso off gro off >/dev/null
    ip -n "$1" link set "${3}1" up
    _wst_vlan_end "$1" "${3}0" "$6" "$7" "$8"
    ip netns exec "$1" python3 -c "$WST_VLAN_RELAY_PY" "$2" "${3}1" \
        "$WST_VLAN_ID" "$_ready" &
    WST_RELAY_PIDS="$WST_RELAY_PIDS $!"
    wst_wait_file "$_ready" 5 ||
        { echo "netns.sh: VLAN relay in $1 did not start" >&2; return 1; }
    rm -f "$_ready"
}

# wst_netns_down: deletes this run's two namespaces, and with them the veth
# pair, the VLANs, their sockets and iptables rules. Safe to call when
# nothing exists.
wst_netns_down() {
    # A process inside a namespace would keep it (and its veths) alive.
    for _pid in $WST_RELAY_PIDS; do
        kill "$_pid" 2>/dev/null || true
        wait "$_pid" 2>/dev/null || true
    done
    WST_RELAY_PIDS=""
    for _ns in "$WST_NS_C" "$WST_NS_S"; do
        if [ -e "/run/netns/$_ns" ]; then
            ip netns del "$_ns"
        fi
    done
}
