#!/bin/sh
# kernel_states.sh - checks the states wirestate infers against the Linux
# kernel's own. Each scenario makes two kernels (a client and a server
# network namespace, named uniquely per run: see netns.sh) reach chosen TCP
# states while tcpdump records the client's veth; at the moment of
# verification `ss` shows what each kernel holds for every connection, and
# wirestate, run on the capture, must say the same for the client and for
# the server, and report exactly the anomalies the scenario makes and the
# findings (patterns across its connections) they add up to.
#
#   sh tests/netns/kernel_states.sh WIRESTATE TCPDRIVE WORKDIR [--record DIR]
#
# WORKDIR receives, per scenario NAME: NAME.pcap (the capture, ending at the
# marker), NAME.full.pcap (as tcpdump wrote it), NAME.json (wirestate's
# output), NAME.ss-c / NAME.ss-s / NAME.ss-l (ss -tan in the client and the
# server namespace, ss -tln in the server's; NAME.ss-cr, NAME.ss-sr and
# NAME.ss-cr2, NAME.ss-sr2 before a reused 4-tuple, setting 9), NAME.*.log
# (tcpdrive and tcpdump). --record DIR also copies each capture to
# DIR/kernel-NAME.pcap.
# Exit status: 0 all agree; 1 a mismatch, a scenario that could not run or
# missed its intended kernel states, or a missing tool; 77 not root (the one
# case where it is skipped).
#
# How a verification works:
#  1. Segments are lost where the scenario says by iptables DROP rules after
#     the capture point. The tap is on the client's veth, so a segment from
#     the server is lost after it by a DROP in the client's INPUT chain, and
#     one from the client by a DROP in the server's INPUT chain. Both kinds
#     of loss are what wirestate's rules R1-R5 and L (src/fsm.c) infer.
#     A REJECT rule in the server's INPUT likewise sees the SYN after the
#     tap, and its ICMP error goes back through it.
#  2. When the sockets are in the states to verify, `ss -tan` runs in both
#     namespaces (and `ss -tln` in the server's), then the client sends one
#     UDP datagram to 10.100.0.2 port 9 (the marker), then `ss -tan` runs
#     again. The capture is cut after the marker, so it ends at the moment of
#     the snapshot and wirestate's capture-time timers (TIME_WAIT) agree
#     with the kernel's moment.
#  3. The second snapshot must show the same states as the first. If not, a
#     timer fired or a segment was in flight at the moment of verification:
#     the scenario is unstable (a failure, never a silent retry).
#  4. Kernel states: ss's names mapped to wirestate's (ESTAB -> ESTABLISHED,
#     SYN-RECV -> SYN_RCVD, FIN-WAIT-1 -> FIN_WAIT_1 ...). A 4-tuple that ss
#     does not show is CLOSED, or LISTEN on the server side when a listener
#     exists on the server's port.
#  5. Each scenario also names the kernel states it is meant to reach. If
#     the kernel is elsewhere, the scenario did not do what it is for, and
#     that fails it whatever wirestate says.
#  6. Each scenario uses its own client ports (41001-41050, many-short
#     41101-41120) against server port 8080 (8081 for refused), so sockets
#     an earlier scenario left behind (TIME_WAIT, orphans still
#     retransmitting) never share a 4-tuple with a later one (port-reuse
#     shares one between its own two connections, on purpose); the capture
#     filter keeps only the scenario's ports, ICMP and the marker. Between
#     scenarios the scenario's processes are killed and the iptables rules
#     flushed, and a scenario whose ports are still in use does not start.
#  7. Timers are kept short: keepalive 1 s, the initial RTO of 1 s for SYNs
#     and SYN+ACKs (then 3 s, 7 s: netns.sh pins exponential backoff). An
#     unanswered FIN is sent again about 0.2 s after it (a tail loss probe),
#     then 0.4, 0.85 and 1.7 s after it (the RTO of 200 ms, doubling). A
#     verification falls between two retransmissions, at least 0.4 s from
#     each (the second snapshot of setting 3 catches one that does not).
#     Data sent into a loss is retransmitted on the same schedule.
#  8. Anomalies: each scenario names the set of KIND:ENDPOINT wirestate must
#     report over all its connections (its last run argument, "-" for
#     none; "=>" in the table below), and any difference counts as a
#     mismatch. wirestate runs with --syn-timeout 1.5 --linger 1: scenarios
#     are verified a couple of seconds in, before the defaults (3 s, 5 s)
#     would pass. At the marker each condition meant to be an anomaly has
#     held at least 0.15 s past its threshold (FIN_WAIT_1 and LAST_ACK
#     1.15 s or more, CLOSE_WAIT 1.3 s or more, an unanswered SYN and
#     SYN_RCVD 1.7 s or more, the zero window about 2 s) or counts one more
#     than it needs (three keepalive probes, four retransmissions), and each
#     brief one, in the clean scenarios too, ended at least 0.5 s before its
#     threshold (a CLOSE_WAIT of 0.3 to 0.4 s before the close, a lost FIN
#     ACKed within 0.4 s).
#  9. A connection whose 4-tuple a later one takes over (port-reuse) no
#     longer exists at the marker: its record ends at the new SYN, so its
#     states are checked against two snapshots taken just before that SYN,
#     the same way as settings 3 to 5.
# 10. Findings: each scenario also names the set of KIND:SEVERITY:WHERE in
#     the findings of wirestate's summary, WHERE being the endpoint or the
#     host the finding is about ("-" if it names neither; its last run
#     argument, "-" for no finding; "=> finding:" in the table below), and
#     any difference counts as a mismatch. wirestate runs with --group-min 5
#     --flood-min 20. The default of 100 half-open connections suits real
#     traffic, but a scenario holding 100 would take 100 tcpdrive processes
#     and source addresses; 20, from 20 addresses, is still twice the 10
#     distinct sources a flood always needs. --group-min 5 is the default,
#     given so that a change of the default does not move the test. Each
#     scenario made for a finding makes exactly as many connections as its
#     threshold (5 or 20): the finding is then raised only if every one of
#     them counts toward it (half-open, failed, lingering), a check per
#     connection that the set of anomaly kinds alone does not make. Counts
#     do not depend on timing, so sitting on the threshold also checks that
#     it is "at least". The other scenarios stay below every threshold,
#     except many-short: the client closed its 20 connections first and
#     holds their TIME_WAIT, a time_wait finding of severity info (20 at
#     once toward 10.100.0.2:8080, under half of the 28232 ports of the
#     default --ephemeral-ports).
# 11. syn-flood: each connection is bound to its own source address,
#     10.100.0.10 to 10.100.0.29, added to the client's veth for the
#     scenario, with a permanent neighbour entry for each in the server's
#     namespace (as netns.sh setting 3: the SYN+ACKs leave without ARP);
#     both are removed after it. Linux keeps a half-open connection (a
#     request socket: SYN-RECV in ss) only while the listener's SYN queue
#     holds fewer than its backlog; past that it answers with SYN cookies
#     (no socket, nothing for ss to show) or drops the SYN. So the listener
#     gets --backlog 32 (somaxconn, 4096 in a new namespace, does not cut
#     it) and net.ipv4.tcp_syncookies is set to 1, the default, in the
#     server's namespace: cookies only when the queue is full, which 20
#     never fill. net.ipv4.tcp_max_syn_backlog (2048 in a new namespace)
#     limits half-open connections only when syncookies are off, so it is
#     left alone. The scenario fails if the server's TcpExt
#     SyncookiesSent or ListenDrops counters grew during it.
#
# Scenarios (client/server = kernel states verified; "drop C" = DROP in the
# client's INPUT, i.e. segments from the server are lost after the tap;
# "=>" the anomalies expected, setting 8, and "=> finding:" the findings,
# setting 10; none without such a line):
#
#   name                  what happens                              client/server
#   close-by-client       100 bytes each way, the client closes,    TIME_WAIT/CLOSED
#                         the server closes after EOF
#   close-by-server       the same, the server closes first         CLOSED/TIME_WAIT
#   refused               a SYN to 8081, where nothing listens      CLOSED/CLOSED
#                         => refused:server
#   syn-dropped           drop S: SYNs to 8080; verified 0.6 s      SYN_SENT/LISTEN
#                         after the second retransmission (3 s)
#                         => syn_unanswered:client
#   synack-lost           drop C: SYN+ACKs; verified at 2 s, after  SYN_SENT/SYN_RCVD
#                         one retransmission of SYN and SYN+ACK
#                         => handshake_incomplete:server
#   final-ack-lost        drop S: all but the SYN from the client;  ESTABLISHED/SYN_RCVD
#                         verified at 2 s, after the SYN+ACK was
#                         retransmitted once and ACKed again
#                         => handshake_incomplete:server
#   close-wait            the client closes, the server reads EOF   FIN_WAIT_2/CLOSE_WAIT
#                         and keeps its socket open; verified 1.6 s
#                         after EOF
#                         => close_wait_lingering:server
#   fin-wait-1            drop C: everything, from just before the  FIN_WAIT_1/CLOSE_WAIT
#                         client closes; verified 1.25 s after the
#                         close (FIN sent three more times, each
#                         ACKed, each ACK lost)
#                         => fin_wait_1_stuck:client,
#                            close_wait_lingering:server
#   last-ack              the client closes; drop S: everything,    TIME_WAIT/LAST_ACK
#                         from just before the server closes after
#                         EOF; verified 1.25 s after the server's
#                         close (its FIN sent three more times)
#                         => last_ack_stuck:server
#   simultaneous-close    drop C and S: everything, both close at   TIME_WAIT or CLOSING,
#                         once (the FINs cross, both lost), rules   each side
#                         removed 100 ms later so the retransmitted
#                         FINs arrive; verified 1.5 s after the close
#   rst-abort             100 bytes each way, the client closes     CLOSED/CLOSED
#                         with SO_LINGER 0 (RST)
#                         => rst_abort:client
#   half-close            the client sends 100 bytes and shuts      FIN_WAIT_2/CLOSE_WAIT
#                         down writing; the server sends 3 x 1000
#                         bytes after EOF, 200 ms apart, and keeps
#                         its socket open
#   keepalive-answered    keepalive 1,1,9 on the client, idle:      ESTABLISHED/ESTABLISHED
#                         verified 3.5 s later (three probes)
#   keepalive-unanswered  the same, but drop S: everything after    ESTABLISHED/ESTABLISHED
#                         the handshake; verified 3.5 s later (three
#                         probes, lost before the server: no reply)
#                         => keepalive_unanswered:client
#   ipv6                  close-by-client over IPv6                 TIME_WAIT/CLOSED
#   bulk                  the server sends 1 MiB and closes, the    CLOSED/TIME_WAIT
#                         client reads it, reads EOF and closes;
#                         MTU 9000 and snaplen 128 keep the capture
#                         small
#   zero-window           the server (SO_RCVBUF 4096) never reads,  ESTABLISHED/ESTABLISHED
#                         the client writes 1 MiB: the window is
#                         zero within 0.2 s; verified 2.2 s after
#                         the connect (window probes about 0.2, 0.7
#                         and 1.6 s after it closed, answered with a
#                         zero window)
#                         => zero_window:server
#   retransmission-stall  100 bytes each way, then drop S:          ESTABLISHED/ESTABLISHED
#                         everything; the client sends 100 bytes,
#                         verified 2.5 s later (sent again at about
#                         0.2, 0.4, 0.85 and 1.7 s)
#                         => retransmission_stall:client
#   icmp-reject           a REJECT in the server's INPUT answers    CLOSED/LISTEN
#                         SYNs to 8080 (which listens) with ICMP
#                         communication administratively
#                         prohibited; the connect fails at once
#                         => unreachable:server
#   port-reuse            close-by-server, then the same again      2 x CLOSED/TIME_WAIT
#                         from the same client port while the
#                         server's TIME_WAIT runs (Linux takes a
#                         SYN with a higher ISN and timestamp); the
#                         first connection verified just before
#                         the new SYN (setting 9)
#                         => port_reuse:client
#   many-short            20 connections one after the other, each  20 x TIME_WAIT/CLOSED
#                         as close-by-client without data
#                         => finding: time_wait:info:10.100.0.1
#   close-wait-pileup     close-wait without data, 5 connections    5 x FIN_WAIT_2/CLOSE_WAIT
#                         one after the other, the server keeping
#                         each; verified 1.3 s after the last EOF
#                         => close_wait_lingering:server
#                         => finding: close_wait_pileup:warning:
#                            10.100.0.2:8080
#   unreachable-service   drop S: SYNs to 8080 (which listens); 5   5 x SYN_SENT/LISTEN
#                         clients at once, verified 1.7 s after all
#                         sent their SYN (each sent again at 1 s,
#                         the next at 3 s)
#                         => syn_unanswered:client
#                         => finding: unreachable_service:warning:
#                            10.100.0.2:8080
#   syn-flood             drop C: SYN+ACKs; 20 clients at once,     20 x SYN_SENT/SYN_RCVD
#                         each from its own address (setting 11);
#                         verified 1.7 s after the server holds all
#                         20 half-open (SYN and SYN+ACK sent again
#                         at about 1 s, the next at 3 s)
#                         => handshake_incomplete:server
#                         => finding: syn_flood:warning:10.100.0.2:8080
set -u

me=kernel_states

usage() {
    echo "usage: sh $0 WIRESTATE TCPDRIVE WORKDIR [--record PCAPS_DIR]" >&2
    exit 1
}

[ $# -ge 3 ] || usage
wirestate=$1 drive=$2 work=$3
shift 3
record_dir=""
if [ $# -gt 0 ]; then
    if [ $# -ne 2 ] || [ "$1" != --record ]; then
        usage
    fi
    record_dir=$2
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: $me needs root (network namespaces, iptables): NOT RUN"
    exit 77
fi

die() {
    echo "$me: error: $*" >&2
    exit 1
}

# In CI this test runs or fails: a missing tool is a failure, not a skip.
for tool in ip iptables tcpdump ss ethtool bash awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
ip netns list >/dev/null 2>&1 || die "ip netns does not work"
[ -x "$wirestate" ] || die "$wirestate is not an executable"
[ -x "$drive" ] || die "$drive is not an executable"
mkdir -p "$work" || die "cannot create $work"
if [ -n "$record_dir" ]; then
    [ -d "$record_dir" ] || die "$record_dir is not a directory"
fi
abs() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
wirestate=$(abs "$wirestate")
drive=$(abs "$drive")
work=$(abs "$work")

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh
. "$here/netns.sh"

C4=$WST_IP4_C S4=$WST_IP4_S C6=$WST_IP6_C S6=$WST_IP6_S
SPORT=8080

cap_pid=""      # running tcpdump, if any
pids=""         # running tcpdrive processes of the current scenario

stop_procs() {
    for _pid in $pids; do
        kill "$_pid" 2>/dev/null || true
        wait "$_pid" 2>/dev/null || true
    done
    pids=""
}

cleanup() {
    status=$?
    trap - EXIT
    if [ -n "$cap_pid" ]; then
        kill "$cap_pid" 2>/dev/null || true
        wait "$cap_pid" 2>/dev/null || true
    fi
    stop_procs
    wst_netns_down || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- scenario helpers ------------------------------------------------------
# Scenario functions run with $name, $cport (first client port) and $flags
# (a directory for wait:/touch: files) set. They return 0 after calling
# verify, or 1 after setting $why.

why=""
verified=0

error() {
    why=$*
    return 1
}

# endpoint ADDR PORT: the --bind spelling, with brackets for IPv6.
endpoint() {
    case $1 in
    *:*) echo "[$1]:$2" ;;
    *) echo "$1:$2" ;;
    esac
}

# await FLAG [TIMEOUT_S]: waits for a touch:FLAG of a tcpdrive step.
await() {
    wst_wait_file "$flags/$1" "${2:-10}" ||
        error "'$1' not reached (see $work/$name.*.log)"
}

# forget PID: a process already waited for is no longer ours to kill.
forget() {
    pids=$(echo " $pids " | sed "s/ $1 / /")
}

# serve ADDR PORT [OPTION|STEP ...]: starts a tcpdrive server in the
# server's namespace and returns once it listens; $srv_pid is its process.
serve() {
    _addr=$1 _port=$2
    shift 2
    rm -f "$flags/ready"
    # Directly, not through wst_in_s: $! is then tcpdrive itself.
    ip netns exec "$WST_NS_S" "$drive" listen "$_addr" "$_port" \
        --ready "$flags/ready" --accept-timeout 20000 "$@" \
        2>>"$work/$name.server.log" &
    srv_pid=$!
    pids="$pids $srv_pid"
    wst_wait_file "$flags/ready" 5 || error "server did not start listening"
}

# client_bg ADDR PORT CLIENT_PORT [OPTION|STEP ...]: starts a tcpdrive
# client in the client's namespace, in the background, from the client's
# own address.
client_bg() {
    case $1 in
    *:*) client_bg_from "$C6" "$@" ;;
    *) client_bg_from "$C4" "$@" ;;
    esac
}

# client_bg_from SOURCE ADDR PORT CLIENT_PORT [OPTION|STEP ...]: the same,
# from the client's address SOURCE.
client_bg_from() {
    _bind=$(endpoint "$1" "$4")
    _addr=$2 _port=$3
    shift 4
    ip netns exec "$WST_NS_C" "$drive" connect "$_addr" "$_port" \
        --bind "$_bind" --connect-timeout 20000 "$@" \
        2>>"$work/$name.client.log" &
    pids="$pids $!"
}

# client STATUS ADDR PORT CLIENT_PORT [OPTION|STEP ...]: runs a tcpdrive
# client in the client's namespace to completion and checks its exit
# status.
client() {
    _want=$1
    shift
    client_bg "$@"
    _pid=${pids##* }
    _rc=0
    wait "$_pid" || _rc=$?
    forget "$_pid"
    [ "$_rc" -eq "$_want" ] ||
        error "client exited with status $_rc, expected $_want" \
            "(see $work/$name.client.log)"
}

# server_done STATUS: waits for the server started last and checks its exit.
server_done() {
    _rc=0
    wait "$srv_pid" || _rc=$?
    forget "$srv_pid"
    [ "$_rc" -eq "$1" ] ||
        error "server exited with status $_rc, expected $1" \
            "(see $work/$name.server.log)"
}

# await_socks NAMESPACE STATE COUNT: waits (up to 5 s) until ss -tan in
# NAMESPACE shows COUNT sockets in STATE (ss's spelling, e.g. SYN-SENT) on
# the scenario's client ports.
await_socks() {
    _ticks=0
    until [ "$(ip netns exec "$1" ss -tanH | awk -v st="$2" -v lo="$cport" \
        -v hi="$last" '$1 == st { for (i = 4; i <= 5; i++) { p = $i
            sub(/.*:/, "", p); if (p + 0 >= lo && p + 0 <= hi) { n++; break } } }
        END { print n + 0 }')" -eq "$3" ]; do
        _ticks=$((_ticks + 1))
        [ "$_ticks" -lt 100 ] ||
            { error "not $3 sockets in $2 in $1 after 5 s"; return; }
        sleep 0.05
    done
}

# drop_c RULE... / drop_s RULE...: appends a DROP rule to the INPUT chain of
# the client's / the server's namespace (lost after the tap, setting 1).
drop_c() { wst_in_c iptables -A INPUT "$@" -j DROP || error "iptables failed"; }
drop_s() { wst_in_s iptables -A INPUT "$@" -j DROP || error "iptables failed"; }

# reject_s RULE...: appends to the server's INPUT chain a REJECT rule that
# answers with ICMP communication administratively prohibited (setting 1).
reject_s() {
    wst_in_s iptables -A INPUT "$@" -j REJECT \
        --reject-with icmp-admin-prohibited || error "iptables failed"
}

flush_rules() {
    wst_in_c iptables -F INPUT && wst_in_s iptables -F INPUT
}

# snapshot SUFFIX: ss -tan in both namespaces.
snapshot() {
    wst_in_c ss -tanH >"$work/$name.ss-c$1" &&
        wst_in_s ss -tanH >"$work/$name.ss-s$1"
}

# verify: the moment of verification (settings 2 and 3).
verify() {
    if ! snapshot "" || ! wst_in_s ss -tlnH >"$work/$name.ss-l"; then
        error "ss failed"
        return
    fi
    wst_in_c bash -c "printf m >/dev/udp/$S4/9" ||
        { error "marker not sent"; return; }
    snapshot 2 || { error "ss failed"; return; }
    verified=1
}

# before_reuse: the moment of verification of a connection whose 4-tuple
# the scenario's next connection takes over (setting 9): ss -tan in both
# namespaces, twice, just before the new SYN.
before_reuse() {
    if ! snapshot r || ! snapshot r2; then
        error "ss failed"
    fi
}

# ---- scenarios ---------------------------------------------------------------

# exchange SERVER_ADDR CLOSER: a request of 100 bytes, an answer of 200;
# CLOSER (client or server) closes first, the other side after reading EOF.
# The 300 ms pause lets the delayed ACK of the first FIN go out alone.
# Returns once the second close is done.
exchange() {
    _s_addr=$1 _closer=$2
    if [ "$_closer" = client ]; then
        serve "$_s_addr" $SPORT recv:100 send:200 recveof sleep:300 close \
            touch:"$flags/finished" || return 1
        client 0 "$_s_addr" $SPORT "$cport" send:100 recv:200 sleep:50 close ||
            return 1
    else
        serve "$_s_addr" $SPORT recv:100 send:200 sleep:50 close || return 1
        client 0 "$_s_addr" $SPORT "$cport" send:100 recv:200 recveof \
            sleep:300 close touch:"$flags/finished" || return 1
    fi
    await finished && rm -f "$flags/finished"
}

sc_close_by_client() { exchange "$S4" client && sleep 0.3 && verify; }
sc_close_by_server() { exchange "$S4" server && sleep 0.3 && verify; }
sc_ipv6() { exchange "$S6" client && sleep 0.3 && verify; }

sc_refused() {
    client 2 "$S4" 8081 "$cport" || return 1
    sleep 0.2 && verify
}

sc_syn_dropped() {
    drop_s -p tcp --dport $SPORT --syn || return 1
    serve "$S4" $SPORT || return 1
    client_bg "$S4" $SPORT "$cport"
    # SYNs at 0, 1 and 3 s; the next would come at 7 s.
    sleep 3.6 && verify
}

sc_synack_lost() {
    drop_c -p tcp --sport $SPORT --tcp-flags SYN,ACK SYN,ACK || return 1
    serve "$S4" $SPORT || return 1
    client_bg "$S4" $SPORT "$cport"
    # SYN and SYN+ACK at 0 and about 1 s; the next at 3 s.
    sleep 2 && verify
}

sc_final_ack_lost() {
    drop_s -p tcp --dport $SPORT ! --syn || return 1
    serve "$S4" $SPORT || return 1
    client_bg "$S4" $SPORT "$cport" touch:"$flags/connected" hold:20000
    await connected || return 1
    # The SYN+ACK is retransmitted at 1 s, then 3 s.
    sleep 2 && verify
}

sc_close_wait() {
    serve "$S4" $SPORT recv:100 recveof touch:"$flags/eof" hold:20000 ||
        return 1
    client_bg "$S4" $SPORT "$cport" send:100 sleep:50 close hold:20000
    # CLOSE_WAIT held 1.6 s, past --linger (setting 8).
    await eof && sleep 1.6 && verify
}

sc_fin_wait_1() {
    serve "$S4" $SPORT recveof touch:"$flags/eof" hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" touch:"$flags/connected" \
        wait:"$flags/go" close touch:"$flags/closed" hold:20000
    await connected || return 1
    sleep 0.1
    drop_c -p tcp -s "$S4" --sport $SPORT || return 1
    touch "$flags/go"
    await closed && await eof || return 1
    # The FIN at 0, again at about 0.2, 0.4, 0.85 and 1.7 s (setting 7).
    sleep 1.15 && verify
}

sc_last_ack() {
    serve "$S4" $SPORT recveof touch:"$flags/eof" wait:"$flags/go" close \
        touch:"$flags/closed" hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" sleep:50 close hold:20000
    await eof || return 1
    sleep 0.3
    drop_s -p tcp -s "$C4" --sport "$cport" || return 1
    touch "$flags/go"
    await closed || return 1
    # The server's FIN at 0, again at about 0.2, 0.4, 0.85 and 1.7 s.
    sleep 1.15 && verify
}

sc_simultaneous_close() {
    serve "$S4" $SPORT touch:"$flags/accepted" wait:"$flags/go" close \
        touch:"$flags/s-closed" hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" wait:"$flags/go" close \
        touch:"$flags/c-closed" hold:20000
    await accepted || return 1
    sleep 0.1
    drop_c -p tcp -s "$S4" --sport $SPORT && drop_s -p tcp -s "$C4" \
        --sport "$cport" || return 1
    touch "$flags/go"
    await c-closed && await s-closed || return 1
    sleep 0.1
    flush_rules || { error "iptables failed"; return; }
    sleep 1.4 && verify
}

sc_rst_abort() {
    serve "$S4" $SPORT recv:100 send:100 wait:"$flags/aborted" hold:20000 ||
        return 1
    client 0 "$S4" $SPORT "$cport" send:100 recv:100 sleep:50 linger0 close \
        touch:"$flags/aborted" || return 1
    sleep 0.3 && verify
}

sc_half_close() {
    serve "$S4" $SPORT recv:100 recveof send:1000 sleep:200 send:1000 \
        sleep:200 send:1000 hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" send:100 shutwr recv:3000 \
        touch:"$flags/finished" hold:20000
    await finished && sleep 0.4 && verify
}

sc_keepalive_answered() {
    serve "$S4" $SPORT hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" keepalive:1,1,9 touch:"$flags/on" \
        hold:20000
    # Probes at 1, 2, 3 s, each answered at once; the next at 4 s.
    await on && sleep 3.5 && verify
}

sc_keepalive_unanswered() {
    serve "$S4" $SPORT hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" touch:"$flags/connected" \
        wait:"$flags/go" keepalive:1,1,9 touch:"$flags/on" hold:20000
    await connected || return 1
    sleep 0.1
    drop_s -p tcp -s "$C4" --sport "$cport" || return 1
    touch "$flags/go"
    # Probes at 1, 2 and 3 s, lost before the server; the fourth at 4 s.
    await on && sleep 3.5 && verify
}

# paced_reads BYTES CHUNK: steps that read BYTES in CHUNK-sized pieces with
# a 2 ms pause after each (record.sh explains why).
paced_reads() {
    _left=$1
    while [ "$_left" -gt 0 ]; do
        printf ' recv:%s sleep:2' "$2"
        _left=$((_left - $2))
    done
}

# Jumbo frames: 1 MiB in about 120 segments of 8948 bytes instead of 725 of
# 1448, which keeps the capture under 50 KB at snaplen 128.
set_mtu() {
    ip -n "$WST_NS_C" link set "$WST_DEV_C" mtu "$1" &&
        ip -n "$WST_NS_S" link set "$WST_DEV_S" mtu "$1"
}

sc_bulk() {
    set_mtu 9000 || { error "cannot set MTU 9000"; return; }
    serve "$S4" $SPORT send:1048576 close hold:20000 || return 1
    # shellcheck disable=SC2046 # one word per step
    client_bg "$S4" $SPORT "$cport" $(paced_reads 1048576 65536) recveof \
        sleep:300 close touch:"$flags/finished" hold:20000
    await finished && sleep 0.4 && verify
}

sc_many_short() {
    _p=$cport
    while [ "$_p" -lt $((cport + 20)) ]; do
        serve "$S4" $SPORT recveof close || return 1
        client 0 "$S4" $SPORT "$_p" send:10 close || return 1
        server_done 0 || return 1
        _p=$((_p + 1))
    done
    sleep 0.4 && verify
}

sc_zero_window() {
    serve "$S4" $SPORT --rcvbuf 4096 touch:"$flags/accepted" hold:20000 ||
        return 1
    # More than the server's buffer and the client's together: the last
    # send blocks for good.
    client_bg "$S4" $SPORT "$cport" touch:"$flags/connected" send:1048576 \
        hold:20000
    # The window is zero within 0.2 s; window probes back off from 0.2 s
    # (about 0.2, 0.7, 1.6 and 3.3 s after it closed).
    await connected && await accepted && sleep 2.2 && verify
}

sc_retransmission_stall() {
    serve "$S4" $SPORT recv:100 send:100 hold:20000 || return 1
    client_bg "$S4" $SPORT "$cport" send:100 recv:100 \
        touch:"$flags/connected" wait:"$flags/go" send:100 \
        touch:"$flags/sent" hold:20000
    await connected || return 1
    sleep 0.1
    drop_s -p tcp -s "$C4" --sport "$cport" || return 1
    touch "$flags/go"
    # The 100 bytes at 0, again at about 0.2, 0.4, 0.85 and 1.7 s
    # (setting 7); the next at 3.3 s.
    await sent && sleep 2.5 && verify
}

sc_icmp_reject() {
    reject_s -p tcp --dport $SPORT --syn || return 1
    serve "$S4" $SPORT || return 1
    # The ICMP error aborts the connect at once (EHOSTUNREACH, exit 4).
    client 4 "$S4" $SPORT "$cport" || return 1
    grep -q 'No route to host' "$work/$name.client.log" ||
        { error "connect did not fail by the ICMP error"; return; }
    sleep 0.2 && verify
}

sc_port_reuse() {
    exchange "$S4" server && sleep 0.3 && before_reuse || return 1
    exchange "$S4" server && sleep 0.3 && verify
}

sc_close_wait_pileup() {
    _p=$cport
    while [ "$_p" -le "$last" ]; do
        serve "$S4" $SPORT recveof touch:"$flags/eof-$_p" hold:20000 ||
            return 1
        client 0 "$S4" $SPORT "$_p" sleep:50 close || return 1
        await "eof-$_p" || return 1
        _p=$((_p + 1))
    done
    # The last CLOSE_WAIT held 1.3 s, the first less than 2 s (setting 8).
    sleep 1.3 && verify
}

sc_unreachable_service() {
    drop_s -p tcp --dport $SPORT --syn || return 1
    serve "$S4" $SPORT || return 1
    _p=$cport
    while [ "$_p" -le "$last" ]; do
        client_bg "$S4" $SPORT "$_p"
        _p=$((_p + 1))
    done
    await_socks "$WST_NS_C" SYN-SENT 5 || return 1
    # Each SYN at 0 and 1 s; the next at 3 s.
    sleep 1.7 && verify
}

# flood_source CLIENT_PORT: the syn-flood connection's source address
# (setting 11), 10.100.0.10 for the first client port and up.
flood_source() { echo "10.100.0.$((10 + $1 - cport))"; }

# flood_sources add|del: adds the syn-flood's source addresses to the
# client's veth, each with a permanent neighbour entry in the server's
# namespace, or removes them (whatever is there: never fails).
flood_sources() {
    _p=$cport
    while [ "$_p" -le "$last" ]; do
        _a=$(flood_source "$_p")
        if [ "$1" = add ]; then
            ip -n "$WST_NS_C" addr add "$_a/24" dev "$WST_DEV_C" &&
                ip -n "$WST_NS_S" neigh replace "$_a" lladdr "$WST_MAC_C" \
                    dev "$WST_DEV_S" nud permanent || return 1
        else
            ip -n "$WST_NS_C" addr del "$_a/24" dev "$WST_DEV_C" 2>/dev/null
            ip -n "$WST_NS_S" neigh del "$_a" dev "$WST_DEV_S" 2>/dev/null
        fi
        _p=$((_p + 1))
    done
    return 0
}

# tcpext_s COUNTER...: the sum of the server namespace's TcpExt COUNTERs
# (/proc/net/netstat, e.g. SyncookiesSent).
tcpext_s() {
    wst_in_s cat /proc/net/netstat | awk -v want=" $* " '
        $1 == "TcpExt:" && !named { for (i = 2; i <= NF; i++) k[i] = $i
            named = 1; next }
        $1 == "TcpExt:" { for (i = 2; i <= NF; i++)
            if (index(want, " " k[i] " ")) sum += $i }
        END { print sum + 0 }'
}

sc_syn_flood() {
    flood_sources add || { error "cannot add the source addresses"; return; }
    wst_in_s sysctl -q -w net.ipv4.tcp_syncookies=1 ||
        { error "cannot set tcp_syncookies"; return; }
    _lost=$(tcpext_s SyncookiesSent ListenDrops)
    drop_c -p tcp --sport $SPORT --tcp-flags SYN,ACK SYN,ACK || return 1
    serve "$S4" $SPORT --backlog 32 || return 1
    _p=$cport
    while [ "$_p" -le "$last" ]; do
        client_bg_from "$(flood_source "$_p")" "$S4" $SPORT "$_p"
        _p=$((_p + 1))
    done
    await_socks "$WST_NS_S" SYN-RECV 20 || return 1
    # SYN and SYN+ACK at 0 and about 1 s; the next at 3 s.
    sleep 1.7 && verify || return 1
    [ "$(tcpext_s SyncookiesSent ListenDrops)" -eq "$_lost" ] ||
        error "the server sent SYN cookies or dropped SYNs (setting 11)"
}

# ---- running and comparing -------------------------------------------------

# capture_start SNAPLEN FILTER: starts tcpdump on the client's veth and
# returns once it captures ("listening on").
capture_start() {
    : >"$work/$name.tcpdump.log"
    # -Z root: Debian's tcpdump would otherwise drop to user tcpdump, which
    # may not be able to write WORKDIR.
    ip netns exec "$WST_NS_C" tcpdump -i "$WST_DEV_C" --immediate-mode -U \
        -Z root -s "$1" -w "$work/$name.full.pcap" "$2" \
        2>"$work/$name.tcpdump.log" &
    cap_pid=$!
    _ticks=0
    until grep -q 'listening on' "$work/$name.tcpdump.log"; do
        kill -0 "$cap_pid" 2>/dev/null ||
            { error "tcpdump did not start"; return; }
        _ticks=$((_ticks + 1))
        [ "$_ticks" -lt 200 ] ||
            { error "tcpdump not ready after 10 s"; return; }
        sleep 0.05
    done
}

# capture_stop: stops tcpdump (SIGINT flushes the file) and checks it lost
# nothing.
capture_stop() {
    kill -INT "$cap_pid"
    _rc=0
    wait "$cap_pid" || _rc=$?
    cap_pid=""
    [ "$_rc" -eq 0 ] ||
        { error "tcpdump exited with status $_rc"; return; }
    grep -q '^0 packets dropped by kernel' "$work/$name.tcpdump.log" ||
        error "tcpdump lost packets"
}

# cut_at_marker: NAME.pcap is NAME.full.pcap up to and including the marker.
cut_at_marker() {
    _n=$(tcpdump -nr "$work/$name.full.pcap" 2>/dev/null |
        awk '/ UDP/ { print NR; exit }')
    [ -n "$_n" ] || { error "the marker is not in the capture"; return; }
    tcpdump -r "$work/$name.full.pcap" -c "$_n" -w "$work/$name.pcap" \
        2>/dev/null || error "cannot cut the capture"
}

# The comparison (settings 3 to 5, 8 to 10). Reads wirestate's JSON and the
# snapshots of one scenario; prints one line per connection, a line
# "anomaly KIND:ENDPOINT" per anomaly of each connection, a line
# "finding KIND:SEVERITY:WHERE" per finding of the summary and, last, a line
# "counts CONNS OK MISMATCH BAD" (BAD: unstable or not the intended state).
# shellcheck disable=SC2016 # an awk program, not shell expansions
COMPARE_AWK='
function kname(s) {
    if (s == "ESTAB") return "ESTABLISHED"
    if (s == "SYN-RECV") return "SYN_RCVD"
    if (s == "CLOSE") return "CLOSED"
    gsub(/-/, "_", s)
    return s
}
function jstr(line, key,    i, rest) {
    i = index(line, "\"" key "\":\"")
    if (i == 0) return "?"
    rest = substr(line, i + length(key) + 4)
    return substr(rest, 1, index(rest, "\"") - 1)
}
function port_of(ep) { sub(/.*:/, "", ep); return ep }
function addr_of(ep) { sub(/:[0-9*]+$/, "", ep); return ep }
function server_state(tab, cl, sv) {
    if ((sv " " cl) in tab) return tab[sv " " cl]
    p = port_of(sv)
    return ((p in lany) || ((p " " addr_of(sv)) in laddr)) ? "LISTEN" : "CLOSED"
}
function client_state(tab, cl, sv) {
    return ((cl " " sv) in tab) ? tab[cl " " sv] : "CLOSED"
}
# Files are told apart by name: an empty snapshot has no FNR == 1.
FILENAME != cur { cur = FILENAME; for (f = 1; ARGV[f] != cur; f++) ; }
f == 1 && /"type":"conn"/ {
    n++; cl[n] = jstr($0, "client"); sv[n] = jstr($0, "server")
    wc[n] = jstr($0, "client_state"); ws[n] = jstr($0, "server_state")
    reused[n] = jstr($0, "end_reason") == "reused"
    # With --timeline none, "kind" occurs in the anomalies array only.
    rest = $0
    while (match(rest, /"kind":"[a-z_0-9]+","endpoint":"[a-z]+"/)) {
        an = substr(rest, RSTART + 8, RLENGTH - 8)
        sub(/","endpoint":"/, ":", an); sub(/"$/, "", an)
        print "anomaly " an
        rest = substr(rest, RSTART + RLENGTH)
    }
}
# The summary (the last line): its findings, WHERE being the endpoint or
# the host the finding is about ("-" if it names neither).
f == 1 && /"type":"summary"/ {
    rest = $0
    sub(/.*"findings":\[/, "", rest)
    i = index(rest, "\"findings_untracked\"")
    if (i > 0) rest = substr(rest, 1, i - 1)
    while (match(rest, /"kind":"[a-z_0-9]+","severity":"[a-z]+"/)) {
        fd = substr(rest, RSTART + 8, RLENGTH - 9)
        sub(/","severity":"/, ":", fd)
        rest = substr(rest, RSTART + RLENGTH)
        where = "-"
        if (match(rest, /^,"(endpoint|host)":"[^"]*"/)) {
            where = substr(rest, 1, RLENGTH - 1)
            sub(/^,"[a-z]+":"/, "", where)
        }
        print "finding " fd ":" where
    }
}
f == 2 { kc1[$4 " " $5] = kname($1) }
f == 3 { ks1[$4 " " $5] = kname($1) }
f == 4 { kc2[$4 " " $5] = kname($1) }
f == 5 { ks2[$4 " " $5] = kname($1) }
f == 6 {
    a = addr_of($4); p = port_of($4)
    if (a == "*" || a == "0.0.0.0" || a == "[::]") lany[p] = 1
    else laddr[p " " a] = 1
}
f == 7 { kcr1[$4 " " $5] = kname($1) }
f == 8 { ksr1[$4 " " $5] = kname($1) }
f == 9 { kcr2[$4 " " $5] = kname($1) }
f == 10 { ksr2[$4 " " $5] = kname($1) }
END {
    ok = bad = mis = 0
    for (i = 1; i <= n; i++) {
        if (reused[i]) {
            c = client_state(kcr1, cl[i], sv[i])
            s = server_state(ksr1, cl[i], sv[i])
            c2 = client_state(kcr2, cl[i], sv[i])
            s2 = server_state(ksr2, cl[i], sv[i])
        } else {
            c = client_state(kc1, cl[i], sv[i])
            s = server_state(ks1, cl[i], sv[i])
            c2 = client_state(kc2, cl[i], sv[i])
            s2 = server_state(ks2, cl[i], sv[i])
        }
        note = ""
        if (c != c2 || s != s2)
            note = note "  UNSTABLE"
        if ((c "/" s) !~ ("^(" intended ")$"))
            note = note "  NOT-INTENDED(" intended ")"
        if (note != "") bad++
        if (c == wc[i] && s == ws[i]) { res = "ok"; ok++ }
        else { res = "MISMATCH"; mis++ }
        printf "%-21s %-41s kernel %-23s wirestate %-23s %s%s\n", name,
            cl[i] " > " sv[i], c "/" s, wc[i] "/" ws[i], res, note
    }
    printf "counts %d %d %d %d\n", n, ok, mis, bad
}
'

n_scen=0 n_fail=0 n_conn=0 n_ok=0 n_mis=0 n_aok=0 n_amis=0 n_fok=0 n_fmis=0
failed="" mismatched=""

# kind_set LIST: a comma-separated set of KIND:ENDPOINT or
# KIND:SEVERITY:WHERE (or "-"), sorted and without repeats, as compare_set
# prints it.
kind_set() {
    _set=$(echo "$1" | tr , '\n' | grep -v '^-*$' | LC_ALL=C sort -u |
        paste -sd, -)
    echo "${_set:--}"
}

# compare_set WHAT WHATS EXPECTED: the set of the scenario's WHAT lines of
# $work/$name.result ("anomaly": all its connections' anomalies together,
# setting 8; "finding": the summary's findings, setting 10) against
# EXPECTED, printed as "NAME WHATS expected ..., found ...". Returns 1 on a
# difference, which counts as a mismatch of the scenario.
compare_set() {
    _want=$(kind_set "$3")
    _found=$(kind_set "$(sed -n "s/^$1 //p" "$work/$name.result" |
        paste -sd, -)")
    _rc=0 _res=ok
    if [ "$_want" != "$_found" ]; then
        _rc=1 _res=MISMATCH
        case " $mismatched " in
        *" $name "*) ;;
        *) mismatched="$mismatched $name" ;;
        esac
    fi
    printf '%-21s %s expected %s, found %s  %s\n' "$name" "$2" "$_want" \
        "$_found" "$_res"
    return "$_rc"
}

# run NAME FIRST_PORT LAST_PORT SNAPLEN CONNS INTENDED ANOMALIES FINDINGS:
# runs sc_NAME (dashes as underscores) and compares. INTENDED is an awk
# regex for the kernel's "CLIENT/SERVER" states (setting 5); ANOMALIES the
# set of KIND:ENDPOINT wirestate must report over all the scenario's
# connections (setting 8), FINDINGS the set of KIND:SEVERITY:WHERE of its
# summary (setting 10), each comma-separated in any order, or "-" for none.
run() {
    name=$1 cport=$2 last=$3 snap=$4 conns=$5 intended=$6 anomalies=$7
    findings=$8
    n_scen=$((n_scen + 1))
    why="" verified=0
    flags="$work/$name.flags"
    rm -rf "$work/$name".*
    mkdir "$flags"
    _ok=1
    # Setting 6: none of the scenario's ports may be in use.
    for _ns in "$WST_NS_C" "$WST_NS_S"; do
        ip netns exec "$_ns" ss -tanH | awk -v lo="$cport" -v hi="$last" '
            { for (i = 4; i <= 5; i++) { p = $i; sub(/.*:/, "", p)
              if (p + 0 >= lo && p + 0 <= hi) bad = 1 } }
            END { exit bad }' || { why="ports $cport-$last still in use"; _ok=0; }
    done
    filter="(tcp and portrange $cport-$last) or"
    filter="$filter (udp and dst host $S4 and dst port 9) or icmp"
    if [ "$_ok" -eq 1 ]; then
        if capture_start "$snap" "$filter"; then
            "sc_$(echo "$name" | tr - _)" || _ok=0
            [ "$verified" -eq 1 ] || { _ok=0; why=${why:-"not verified"}; }
            sleep 0.3
            capture_stop || _ok=0
        else
            _ok=0
        fi
    fi
    if [ -n "$cap_pid" ]; then
        kill "$cap_pid" 2>/dev/null
        wait "$cap_pid"
        cap_pid=""
    fi
    stop_procs
    flush_rules || { why="iptables -F failed"; _ok=0; }
    [ "$name" != bulk ] || set_mtu 1500 || { why="cannot restore MTU"; _ok=0; }
    [ "$name" != syn-flood ] || flood_sources del
    rm -rf "$flags"
    [ "$_ok" -eq 1 ] && cut_at_marker || _ok=0
    if [ "$_ok" -eq 1 ]; then
        "$wirestate" --format json --timeline none --syn-timeout 1.5 \
            --linger 1 --group-min 5 --flood-min 20 -r "$work/$name.pcap" \
            >"$work/$name.json" 2>"$work/$name.wirestate.log" ||
            { why="wirestate failed: $(cat "$work/$name.wirestate.log")"; _ok=0; }
    fi
    if [ "$_ok" -eq 1 ]; then
        # Only a scenario that reuses a 4-tuple has the snapshots before it.
        for _s in cr sr cr2 sr2; do
            [ -e "$work/$name.ss-$_s" ] || : >"$work/$name.ss-$_s"
        done
        awk -v name="$name" -v intended="$intended" "$COMPARE_AWK" \
            "$work/$name.json" "$work/$name.ss-c" "$work/$name.ss-s" \
            "$work/$name.ss-c2" "$work/$name.ss-s2" "$work/$name.ss-l" \
            "$work/$name.ss-cr" "$work/$name.ss-sr" "$work/$name.ss-cr2" \
            "$work/$name.ss-sr2" >"$work/$name.result"
        grep -v '^counts \|^anomaly \|^finding ' "$work/$name.result"
        if compare_set anomaly anomalies "$anomalies"; then
            n_aok=$((n_aok + 1))
        else
            n_amis=$((n_amis + 1))
        fi
        if compare_set finding findings "$findings"; then
            n_fok=$((n_fok + 1))
        else
            n_fmis=$((n_fmis + 1))
        fi
        # shellcheck disable=SC2046
        set -- $(sed -n 's/^counts //p' "$work/$name.result")
        n_conn=$((n_conn + $1)) n_ok=$((n_ok + $2)) n_mis=$((n_mis + $3))
        [ "$3" -eq 0 ] || mismatched="$mismatched $name"
        if [ "$1" -ne "$conns" ]; then
            why="wirestate reports $1 connections, expected $conns"
            _ok=0
        elif [ "$4" -ne 0 ]; then
            why="the kernel was not in the intended, stable state"
            _ok=0
        fi
    fi
    if [ "$_ok" -eq 1 ] && [ -n "$record_dir" ]; then
        cp "$work/$name.pcap" "$record_dir/kernel-$name.pcap" ||
            { why="cannot copy to $record_dir"; _ok=0; }
    fi
    if [ "$_ok" -ne 1 ]; then
        n_fail=$((n_fail + 1))
        failed="$failed $name"
        printf '%-21s FAILED TO RUN: %s\n' "$name" "$why"
    fi
}

start=$(date +%s)
wst_netns_up || die "cannot create the namespaces"

K_ANY="TIME_WAIT|CLOSING"
run close-by-client      41001 41001 262144  1 "TIME_WAIT/CLOSED" - -
run close-by-server      41002 41002 262144  1 "CLOSED/TIME_WAIT" - -
run refused              41003 41003 262144  1 "CLOSED/CLOSED" refused:server -
run syn-dropped          41004 41004 262144  1 "SYN_SENT/LISTEN" \
    syn_unanswered:client -
run synack-lost          41005 41005 262144  1 "SYN_SENT/SYN_RCVD" \
    handshake_incomplete:server -
run final-ack-lost       41006 41006 262144  1 "ESTABLISHED/SYN_RCVD" \
    handshake_incomplete:server -
run close-wait           41007 41007 262144  1 "FIN_WAIT_2/CLOSE_WAIT" \
    close_wait_lingering:server -
run fin-wait-1           41008 41008 262144  1 "FIN_WAIT_1/CLOSE_WAIT" \
    fin_wait_1_stuck:client,close_wait_lingering:server -
run last-ack             41009 41009 262144  1 "TIME_WAIT/LAST_ACK" \
    last_ack_stuck:server -
run simultaneous-close   41010 41010 262144  1 "($K_ANY)/($K_ANY)" - -
run rst-abort            41011 41011 262144  1 "CLOSED/CLOSED" \
    rst_abort:client -
run half-close           41012 41012 262144  1 "FIN_WAIT_2/CLOSE_WAIT" - -
run keepalive-answered   41013 41013 262144  1 "ESTABLISHED/ESTABLISHED" - -
run keepalive-unanswered 41014 41014 262144  1 "ESTABLISHED/ESTABLISHED" \
    keepalive_unanswered:client -
run ipv6                 41015 41015 262144  1 "TIME_WAIT/CLOSED" - -
run bulk                 41016 41016 128     1 "CLOSED/TIME_WAIT" - -
run zero-window          41017 41017 262144  1 "ESTABLISHED/ESTABLISHED" \
    zero_window:server -
run retransmission-stall 41018 41018 262144  1 "ESTABLISHED/ESTABLISHED" \
    retransmission_stall:client -
run icmp-reject          41019 41019 262144  1 "CLOSED/LISTEN" \
    unreachable:server -
run port-reuse           41020 41020 262144  2 "CLOSED/TIME_WAIT" \
    port_reuse:client -
run many-short           41101 41120 262144 20 "TIME_WAIT/CLOSED" - \
    "time_wait:info:$C4"
run close-wait-pileup    41021 41025 262144  5 "FIN_WAIT_2/CLOSE_WAIT" \
    close_wait_lingering:server "close_wait_pileup:warning:$S4:$SPORT"
run unreachable-service  41026 41030 262144  5 "SYN_SENT/LISTEN" \
    syn_unanswered:client "unreachable_service:warning:$S4:$SPORT"
run syn-flood            41031 41050 262144 20 "SYN_SENT/SYN_RCVD" \
    handshake_incomplete:server "syn_flood:warning:$S4:$SPORT"

echo "$me: $n_scen scenarios in $(($(date +%s) - start)) s," \
    "$n_conn connections: $n_ok ok, $n_mis MISMATCH;" \
    "anomaly sets: $n_aok ok, $n_amis MISMATCH;" \
    "finding sets: $n_fok ok, $n_fmis MISMATCH;" \
    "$n_fail scenarios failed to run"
[ -z "$mismatched" ] || echo "$me: mismatches in:$mismatched"
[ -z "$failed" ] || echo "$me: failed to run:$failed"
[ "$n_mis" -eq 0 ] && [ "$n_amis" -eq 0 ] && [ "$n_fmis" -eq 0 ] &&
    [ "$n_fail" -eq 0 ]
