/*
 * test_explain.c - facts into sentences (src/explain.c).
 *
 * Each sentence below was written out by hand from the facts given to it,
 * not copied from a run: the anomaly's or finding's fields as anomaly.h
 * and findings.h define them, durations at millisecond precision. The
 * connection is client 192.0.2.1:40000, server 198.51.100.2:80 unless a
 * test says otherwise; T0 is its start.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "wirestate/explain.h"
#include "wirestate/flow.h"

#define T0 1700000000000000ULL
#define MS 1000ULL
#define S 1000000ULL

static struct wst_conn_pool pool;

static void setup(void)
{
    wst_conn_pool_init(&pool);
}

static void teardown(void)
{
    wst_conn_pool_fini(&pool);
}

/* A connection whose client is a:pa and whose server is b:pb. */
static struct wst_conn *make_conn(const char *a, uint16_t pa, const char *b, uint16_t pb, int family)
{
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.family = (uint8_t)family;
    int af = family == WST_AF_INET ? AF_INET : AF_INET6;
    ck_assert_int_eq(inet_pton(af, a, seg.src.b), 1);
    ck_assert_int_eq(inet_pton(af, b, seg.dst.b), 1);
    seg.sport = pa;
    seg.dport = pb;
    struct wst_flow_key key;
    int from = wst_flow_key_from_segment(&key, &seg, false);
    struct wst_conn *c = wst_conn_new(&pool, &key, &seg);
    c->client = (uint8_t)from; /* the sender of seg is the client */
    c->client_basis = WST_CLIENT_SYN;
    c->first_ts_us = c->last_ts_us = T0;
    return c;
}

static struct wst_conn *conn4(void)
{
    return make_conn("192.0.2.1", 40000, "198.51.100.2", 80, WST_AF_INET);
}

#define CL(c) ((uint8_t)(c)->client)
#define SV(c) ((uint8_t)!(c)->client)

/* An anomaly of kind on endpoint ep, from T0 for `us`, with its count. */
static struct wst_anomaly anomaly(enum wst_anomaly_kind kind, uint8_t ep, uint64_t us, uint32_t count)
{
    return (struct wst_anomaly){.kind = (uint8_t)kind, .endpoint = ep, .since_us = T0, .until_us = T0 + us,
                                .count = count};
}

/*
 * Checks the diagnosis of a: exactly `want`, its length returned, one
 * line, and room to spare in a buffer of WST_EXPLAIN_ANOMALY_MAX. A macro,
 * so that a failure names the test's line.
 */
#define CHECK_ANOMALY_SENTENCE(c, a, want)                                             \
    do {                                                                               \
        char buf_[WST_EXPLAIN_ANOMALY_MAX];                                            \
        size_t n_ = wst_explain_anomaly(buf_, sizeof buf_, (c), (a));                  \
        ck_assert_str_eq(buf_, (want));                                                \
        ck_assert_uint_eq(n_, strlen(want));                                           \
        ck_assert_uint_lt(n_, sizeof buf_ - 1);                                        \
    } while (0)

#define CHECK_FINDING_SENTENCE(x, want)                                                \
    do {                                                                               \
        char buf_[WST_EXPLAIN_FINDING_MAX];                                            \
        size_t n_ = wst_explain_finding(buf_, sizeof buf_, (x));                       \
        ck_assert_str_eq(buf_, (want));                                                \
        ck_assert_uint_eq(n_, strlen(want));                                           \
        ck_assert_uint_lt(n_, sizeof buf_ - 1);                                        \
    } while (0)

/* ------------------------------------------------------------------ */
/* Anomalies, kind by kind                                            */
/* ------------------------------------------------------------------ */

START_TEST(test_explain_syn_unanswered)
{
    struct wst_conn *c = conn4();
    /* Three SYNs, nothing back in 3.620129 s (shown to the ms). */
    struct wst_anomaly a = anomaly(WST_AN_SYN_UNANSWERED, CL(c), 3620129, 3);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent 3 SYNs and got no SYN+ACK, RST or ICMP error in 3.620 s: "
                           "the SYN is dropped on the way (firewall, security group), the route to 198.51.100.2 "
                           "is wrong, or the host is down; check filtering and routing toward server "
                           "198.51.100.2:80");
    /* One SYN answered by a segment after 4 s. */
    a = anomaly(WST_AN_SYN_UNANSWERED, CL(c), 4 * S, 1);
    a.detail[0] = WST_ANSWER_SEGMENT;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "the SYN of client 192.0.2.1:40000 was answered only after 4.000 s (1 SYN sent): early "
                           "SYNs or their answers were lost, or server 198.51.100.2:80 was slow to answer; check "
                           "packet loss on the path and its SYN backlog");
}
END_TEST

START_TEST(test_explain_refused)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_REFUSED, SV(c), 1 * MS, 1);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 answered the SYN with a RST: nothing listens on port 80 there, "
                           "or a firewall rejects the connection; check the service and the firewall's reject "
                           "rules");
    /* IPv6: the address in brackets, the port its own. */
    struct wst_conn *c6 = make_conn("2001:db8::1", 50000, "2001:db8::2", 443, WST_AF_INET6);
    a = anomaly(WST_AN_REFUSED, SV(c6), 1 * MS, 2);
    CHECK_ANOMALY_SENTENCE(c6, &a,
                           "server [2001:db8::2]:443 answered the SYN with a RST: nothing listens on port 443 there, "
                           "or a firewall rejects the connection; check the service and the firewall's reject "
                           "rules");
}
END_TEST

START_TEST(test_explain_unreachable)
{
    /* ICMP type 3 from a router 203.0.113.1; the advice follows what the
     * code points at: a firewall, a route, a host, the port, or none. */
    static const struct {
        uint8_t code;
        const char *want;
    } cases[] = {
        {13, "203.0.113.1 answered the SYN to server 198.51.100.2:80 with destination unreachable (communication "
             "administratively prohibited): a firewall rejects the connection; check the filtering rules at "
             "203.0.113.1 and on the path"},
        {0, "203.0.113.1 answered the SYN to server 198.51.100.2:80 with destination unreachable (net unreachable): "
            "no route leads there; check the routing tables at 203.0.113.1 and the address itself"},
        {1, "203.0.113.1 answered the SYN to server 198.51.100.2:80 with destination unreachable (host "
            "unreachable): the host does not answer on its network (down, or a wrong address); check that "
            "198.51.100.2 is up and reachable from 203.0.113.1"},
        {3, "203.0.113.1 answered the SYN to server 198.51.100.2:80 with destination unreachable (port "
            "unreachable): the host refuses the transport or port; check the service at server 198.51.100.2:80"},
        {4, "203.0.113.1 answered the SYN to server 198.51.100.2:80 with destination unreachable (fragmentation "
            "needed); check the path toward 198.51.100.2"},
        {99, "203.0.113.1 answered the SYN to server 198.51.100.2:80 with destination unreachable (unknown code); "
             "check the path toward 198.51.100.2"},
    };
    struct wst_conn *c = conn4();
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct wst_anomaly a = anomaly(WST_AN_UNREACHABLE, SV(c), 2 * MS, 1);
        a.detail[0] = 3;
        a.detail[1] = cases[k].code;
        ck_assert_int_eq(inet_pton(AF_INET, "203.0.113.1", a.addr.b), 1);
        CHECK_ANOMALY_SENTENCE(c, &a, cases[k].want);
    }
}
END_TEST

START_TEST(test_explain_handshake_incomplete)
{
    /* What the client did says which way the handshake broke. */
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_HANDSHAKE_INCOMPLETE, SV(c), 3500 * MS, 2);
    a.detail[0] = WST_ST_ESTABLISHED;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 sent 2 SYN+ACKs and stayed in SYN_RCVD for 3.500 s though the "
                           "client acknowledged it: the client's final ACK is lost on its way to the server; check "
                           "the path from 192.0.2.1 and any firewall or NAT in between");
    a.detail[0] = WST_ST_SYN_SENT;
    a.detail[1] = 2;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 sent 2 SYN+ACKs and stayed in SYN_RCVD for 3.500 s while the "
                           "client kept sending SYNs: the SYN+ACK is lost on its way back to 192.0.2.1; check the "
                           "return path (routing, NAT, a one-way firewall rule)");
    a.detail[1] = 0;
    a.count = 1;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 sent 1 SYN+ACK and stayed in SYN_RCVD for 3.500 s and the client "
                           "never answered: a spoofed source (SYN flood or scan), or the SYN+ACK is lost on its way "
                           "back; check for many half-open connections and the return path");
}
END_TEST

START_TEST(test_explain_port_reuse)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_PORT_REUSE, CL(c), 0, 1);
    a.detail[0] = SV(c);
    a.value[0] = 12345; /* ms of the server's TIME_WAIT left */
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "a new SYN from client 192.0.2.1:40000 reused this 4-tuple while the server was still in "
                           "TIME_WAIT (12.345 s left): the client cycles through source ports fast or uses a fixed "
                           "one; check ephemeral port use and connection reuse on 192.0.2.1");
}
END_TEST

START_TEST(test_explain_invalid_flags)
{
    /* The first segment's flags by name, in the order SYN ACK PSH URG FIN
     * RST ECE CWR; "none" for no flags. */
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_INVALID_FLAGS, CL(c), 5 * MS, 2);
    a.detail[0] = WST_TH_FIN | WST_TH_URG | WST_TH_PSH;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent 2 segments with flags no TCP sends (first: PSH URG FIN): a "
                           "port scan (null, FIN, Xmas) or a broken stack or middlebox; check what runs at "
                           "192.0.2.1");
    a.detail[0] = 0;
    a.count = 1;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent 1 segment with flags no TCP sends (first: none): a port scan "
                           "(null, FIN, Xmas) or a broken stack or middlebox; check what runs at 192.0.2.1");
}
END_TEST

START_TEST(test_explain_zero_window)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_ZERO_WINDOW, SV(c), 6250 * MS, 7);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 advertised a zero window for 6.250 s (7 segments): its "
                           "application is not reading what it receives, so its peer cannot send; check that "
                           "application (a blocked thread, a slow consumer)");
}
END_TEST

START_TEST(test_explain_retransmission_stall)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_RETRANSMISSION_STALL, CL(c), 3200 * MS, 4);
    a.value[0] = 1600; /* the longest gap, ms */
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent the same data again 4 times (gaps up to 1.600 s) and got no "
                           "acknowledgement for 3.200 s: the path drops its segments or server 198.51.100.2:80 is "
                           "gone; check loss and the MTU on the path (a black hole drops large segments only) and "
                           "that host");
}
END_TEST

START_TEST(test_explain_keepalive_unanswered)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_KEEPALIVE_UNANSWERED, CL(c), 150 * S, 3);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent 3 keepalive probes over 150.000 s and got no reply: server "
                           "198.51.100.2:80 is powered off or gone, or a NAT or firewall on the path dropped the "
                           "connection's state; check that host and the idle timeouts of the middleboxes in between");
}
END_TEST

START_TEST(test_explain_close_wait_lingering)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_CLOSE_WAIT_LINGERING, SV(c), 93012 * MS, 1);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 received and acknowledged the FIN of the client but did not close "
                           "its side for 93.012 s: the application at server 198.51.100.2:80 is not closing its "
                           "socket (a close() missed on an error path, a connection pool that keeps dead "
                           "connections); check that application");
}
END_TEST

START_TEST(test_explain_fin_stuck)
{
    /* The same sentence for both kinds, but who closed first. */
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_FIN_WAIT_1_STUCK, CL(c), 5500 * MS, 3);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 closed first and its FIN (sent 3 times) went unacknowledged for "
                           "5.500 s: server 198.51.100.2:80 is gone, the path loses packets, or a firewall or NAT "
                           "dropped the connection's state; check that host and the path to it");
    a = anomaly(WST_AN_LAST_ACK_STUCK, SV(c), 5500 * MS, 1);
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 closed after its peer and its FIN (sent 1 time) went "
                           "unacknowledged for 5.500 s: client 192.0.2.1:40000 is gone, the path loses packets, or a "
                           "firewall or NAT dropped the connection's state; check that host and the path to it");
}
END_TEST

START_TEST(test_explain_data_after_close)
{
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_DATA_AFTER_CLOSE, CL(c), 10 * MS, 2);
    a.value[0] = 300;
    a.detail[0] = WST_AFTER_FIN;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent 2 segments (300 bytes) of data after its own FIN: a broken "
                           "TCP stack or a middlebox rewriting the connection; check the devices between the two "
                           "hosts");
    a.count = 1;
    a.value[0] = 100;
    a.detail[0] = WST_AFTER_RST;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "client 192.0.2.1:40000 sent 1 segment (100 bytes) of data after its own RST: a broken "
                           "TCP stack or a middlebox rewriting the connection; check the devices between the two "
                           "hosts");
}
END_TEST

START_TEST(test_explain_rst_abort)
{
    /* detail and value are (the RST's sender, its receiver). */
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_RST_ABORT, SV(c), 0, 1);
    a.detail[0] = WST_ST_ESTABLISHED;
    a.detail[1] = WST_ST_FIN_WAIT_1;
    a.value[0] = 10;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 reset the connection in ESTABLISHED (client FIN_WAIT_1) with 10 "
                           "bytes of its own and 0 of the client's unacknowledged: its application aborted (a crash, "
                           "SO_LINGER 0, a close with unread data) or a middlebox injected the RST; check the logs "
                           "at 198.51.100.2 and any firewall that resets idle connections");
    a.detail[1] = WST_ST_ESTABLISHED;
    a.value[0] = 0;
    CHECK_ANOMALY_SENTENCE(c, &a,
                           "server 198.51.100.2:80 reset the connection in ESTABLISHED (client ESTABLISHED) with "
                           "nothing unacknowledged: its application aborted (a crash, SO_LINGER 0, a close with "
                           "unread data) or a middlebox injected the RST; check the logs at 198.51.100.2 and any "
                           "firewall that resets idle connections");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Findings, kind by kind                                             */
/* ------------------------------------------------------------------ */

/* A finding of kind about a.b.c.d:port (or the host, when port is 0). */
static struct wst_finding finding(enum wst_finding_kind kind, const char *addr, uint16_t port, uint64_t connections)
{
    struct wst_finding x;
    memset(&x, 0, sizeof x);
    x.kind = (uint8_t)kind;
    x.severity = WST_SEV_WARNING;
    x.family = WST_AF_INET;
    x.role = WST_ROLE_SERVER;
    ck_assert_int_eq(inet_pton(AF_INET, addr, x.addr.b), 1);
    x.port = port;
    x.host = port == 0;
    x.connections = connections;
    x.peers = 1;
    return x;
}

START_TEST(test_explain_syn_flood)
{
    struct wst_finding x = finding(WST_FIND_SYN_FLOOD, "198.51.100.2", 80, 30);
    x.peers = 30;
    x.spread_us = 58 * MS;
    x.attempts = 30;
    x.synack_unacked = 30;
    CHECK_FINDING_SENTENCE(&x, "30 half-open connections to server 198.51.100.2:80 from 30 sources, begun over "
                               "0.058 s (0 of 30 handshakes completed): likely a SYN flood; the server answered 30 "
                               "with a SYN+ACK that was never acknowledged (spoofed sources, or a broken return "
                               "path); check that SYN cookies are on (net.ipv4.tcp_syncookies), the SYN backlog "
                               "(net.ipv4.tcp_max_syn_backlog, ss -ltn) and filtering upstream");
    /* Mostly unanswered, most clients retrying, sources estimated past
     * the bitmap's reach. */
    x = finding(WST_FIND_SYN_FLOOD, "198.51.100.2", 80, 100000);
    x.peers = 75000;
    x.peers_at_least = true;
    x.spread_us = 1500 * MS;
    x.attempts = 100005;
    x.completed = 5;
    x.unanswered = 100000;
    x.retried = 60000;
    CHECK_FINDING_SENTENCE(&x, "100000 half-open connections to server 198.51.100.2:80 from more than 75000 sources, "
                               "begun over 1.500 s (5 of 100005 handshakes completed): likely a SYN flood; 100000 got "
                               "no answer at all (a full listen queue, or a filter in front of it); but 60000 of them "
                               "came from clients that sent their SYN again, as real stacks do when no SYN+ACK "
                               "reaches them: if those clients are real, the way back to them loses the SYN+ACKs "
                               "(routing, a firewall, asymmetric paths); check that SYN cookies are on "
                               "(net.ipv4.tcp_syncookies), the SYN backlog (net.ipv4.tcp_max_syn_backlog, ss -ltn) "
                               "and filtering upstream");
}
END_TEST

START_TEST(test_explain_unreachable_service)
{
    /* The advice follows what most attempts met. Refused: */
    struct wst_finding x = finding(WST_FIND_UNREACHABLE_SERVICE, "198.51.100.2", 80, 6);
    x.since_us = T0;
    x.until_us = T0 + 2500 * MS;
    x.peers = 2;
    x.attempts = 9;
    x.completed = 3;
    x.unanswered = 1;
    x.refused = 5;
    CHECK_FINDING_SENTENCE(&x, "6 of 9 connection attempts to server 198.51.100.2:80 from 2 clients failed in 2.500 s: "
                               "1 unanswered, 5 refused; nothing listens on port 80 there, or a firewall rejects: "
                               "check the service (ss -ltn) and reject rules; 3 attempts completed, so it fails only "
                               "at times: check the listen backlog, load-balancer members and rate limits");
    /* Unanswered: */
    x = finding(WST_FIND_UNREACHABLE_SERVICE, "198.51.100.2", 80, 5);
    x.since_us = T0;
    x.until_us = T0 + 2500 * MS;
    x.attempts = 5;
    x.unanswered = 5;
    CHECK_FINDING_SENTENCE(&x, "5 of 5 connection attempts to server 198.51.100.2:80 from 1 client failed in 2.500 s: "
                               "5 unanswered; SYNs are dropped on the way or the host is down: check firewalls and "
                               "security groups, the route to 198.51.100.2 and that it is up");
    /* ICMP errors, by what their code points at. */
    x.unanswered = 0;
    x.unreachable = 5;
    x.attempts = 6;
    x.completed = 1;
    x.icmp_type = 3;
    x.icmp_code = 13;
    ck_assert_int_eq(inet_pton(AF_INET, "203.0.113.1", x.icmp_from.b), 1);
    CHECK_FINDING_SENTENCE(&x, "5 of 6 connection attempts to server 198.51.100.2:80 from 1 client failed in 2.500 s: "
                               "5 unreachable (communication administratively prohibited, from 203.0.113.1); a "
                               "firewall rejects them: check the filtering rules at 203.0.113.1 and on the path; 1 "
                               "attempt completed, so it fails only at times: check the listen backlog, "
                               "load-balancer members and rate limits");
    x.completed = 0;
    x.icmp_code = 0;
    CHECK_FINDING_SENTENCE(&x, "5 of 6 connection attempts to server 198.51.100.2:80 from 1 client failed in 2.500 s: "
                               "5 unreachable (net unreachable, from 203.0.113.1); no route leads there: check the "
                               "routing at 203.0.113.1");
    x.icmp_code = 1;
    CHECK_FINDING_SENTENCE(&x, "5 of 6 connection attempts to server 198.51.100.2:80 from 1 client failed in 2.500 s: "
                               "5 unreachable (host unreachable, from 203.0.113.1); the host does not answer on its "
                               "network: check that it is up and its address");
    x.icmp_code = 3;
    CHECK_FINDING_SENTENCE(&x, "5 of 6 connection attempts to server 198.51.100.2:80 from 1 client failed in 2.500 s: "
                               "5 unreachable (port unreachable, from 203.0.113.1); check the service, and the host "
                               "and router at 203.0.113.1 that reject it");
}
END_TEST

START_TEST(test_explain_close_wait_pileup)
{
    /* A server endpoint's application, then a client host's. */
    struct wst_finding x = finding(WST_FIND_CLOSE_WAIT_PILEUP, "198.51.100.50", 8080, 7);
    x.peers = 7;
    x.ongoing = 7;
    x.longest_us = 9237 * MS;
    CHECK_FINDING_SENTENCE(&x, "7 connections on 198.51.100.50:8080 stuck in CLOSE_WAIT for up to 9.237 s (7 still "
                               "at the end): the application at 198.51.100.50:8080 is not closing sockets its clients "
                               "closed; find the process (ss -tanp state close-wait at 198.51.100.50) and check it "
                               "for a connection leak or a blocked worker");
    x = finding(WST_FIND_CLOSE_WAIT_PILEUP, "10.7.7.7", 0, 5);
    x.role = WST_ROLE_CLIENT;
    x.longest_us = 10022 * MS;
    CHECK_FINDING_SENTENCE(&x, "5 connections of client 10.7.7.7 to 1 server stuck in CLOSE_WAIT for up to 10.022 s: "
                               "the application at 10.7.7.7 does not close connections its servers closed; check its "
                               "connection pool for sockets kept after the server's FIN (ss -tanp state close-wait)");
}
END_TEST

/* A client host's TIME_WAIT: peak at once toward 198.51.100.2:80 of `ports`. */
static struct wst_finding time_wait(uint64_t peak, uint32_t ports)
{
    struct wst_finding x = finding(WST_FIND_TIME_WAIT, "10.7.7.7", 0, 6);
    x.role = WST_ROLE_CLIENT;
    x.as_client = 6;
    x.longest_us = 60 * S;
    x.peak = peak;
    x.ports = ports;
    x.severity = 2 * peak >= ports ? WST_SEV_WARNING : WST_SEV_INFO;
    ck_assert_int_eq(inet_pton(AF_INET, "198.51.100.2", x.dest_addr.b), 1);
    x.dest_port = 80;
    return x;
}

START_TEST(test_explain_time_wait)
{
    /* 6 of 28232 is 0.02%: under 0.1%, information. */
    struct wst_finding x = time_wait(6, 28232);
    CHECK_FINDING_SENTENCE(&x, "client 10.7.7.7 closed 6 connections first (6 as client) and so holds their TIME_WAIT "
                               "for 60.000 s; at most 6 at once toward 198.51.100.2:80, under 0.1% of the 28232 "
                               "ephemeral ports: normal for a client of short connections, not a leak; ports run out "
                               "only when about 28232 connections to one destination close within one TIME_WAIT");
    /* 2000 of 28232 is 7.084%: rounded, 7.1%. */
    x = time_wait(2000, 28232);
    CHECK_FINDING_SENTENCE(&x, "client 10.7.7.7 closed 6 connections first (6 as client) and so holds their TIME_WAIT "
                               "for 60.000 s; at most 2000 at once toward 198.51.100.2:80, 7.1% of the 28232 "
                               "ephemeral ports: normal for a client of short connections, not a leak; ports run out "
                               "only when about 28232 connections to one destination close within one TIME_WAIT");
    /* 6 of 12 is half the range: a warning. */
    x = time_wait(6, 12);
    CHECK_FINDING_SENTENCE(&x, "client 10.7.7.7 closed 6 connections first (6 as client) and so holds their TIME_WAIT "
                               "for 60.000 s; at most 6 at once toward 198.51.100.2:80, 50.0% of the 12 ephemeral "
                               "ports: new connections to 198.51.100.2:80 can fail for want of a port "
                               "(EADDRNOTAVAIL); reuse connections (keep-alive, a pool), widen "
                               "net.ipv4.ip_local_port_range, allow reuse of TIME_WAIT ports for new connections "
                               "(net.ipv4.tcp_tw_reuse), or let the server close first");
    /* A server's, and a mixed host whose destination is unknown (peak 0). */
    x = finding(WST_FIND_TIME_WAIT, "198.51.100.2", 0, 5);
    x.as_server = 5;
    x.longest_us = 60 * S;
    x.severity = WST_SEV_INFO;
    CHECK_FINDING_SENTENCE(&x, "server 198.51.100.2 closed 5 connections first (5 as server) and so holds their "
                               "TIME_WAIT for 60.000 s: normal protection, not a leak; a server's TIME_WAIT holds no "
                               "ephemeral port, only a little memory");
    x = finding(WST_FIND_TIME_WAIT, "10.7.7.7", 0, 5);
    x.as_client = 1;
    x.as_server = 4;
    x.longest_us = 60 * S;
    x.severity = WST_SEV_INFO;
    CHECK_FINDING_SENTENCE(&x, "server 10.7.7.7 closed 5 connections first (1 as client, 4 as server) and so holds "
                               "their TIME_WAIT for 60.000 s: normal protection, not a leak");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Every kind, and the buffer                                         */
/* ------------------------------------------------------------------ */

START_TEST(test_explain_every_kind_has_a_sentence)
{
    /* With the least facts (counts of one, zero durations, zero details)
     * and with the most (counts and values at their limits, long IPv6
     * addresses): never empty, never cut short by the documented room. */
    struct wst_conn *c4 = conn4();
    struct wst_conn *c6 = make_conn("2001:db8:1111:2222:3333:4444:5555:6666", 65535,
                                    "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", 65535, WST_AF_INET6);
    for (int k = 0; k < WST_AN__COUNT; k++) {
        for (int most = 0; most < 2; most++) {
            struct wst_conn *c = most ? c6 : c4;
            struct wst_anomaly a = anomaly((enum wst_anomaly_kind)k, CL(c), 0, 1);
            if (most) {
                a.until_us = UINT64_MAX;
                a.count = a.value[0] = a.value[1] = UINT32_MAX;
                a.detail[0] = WST_ST_CLOSE_WAIT;
                a.detail[1] = 1;
                memset(a.addr.b, 0xAB, sizeof a.addr.b);
            }
            char buf[WST_EXPLAIN_ANOMALY_MAX];
            size_t n = wst_explain_anomaly(buf, sizeof buf, c, &a);
            ck_assert_msg(n > 0, "%s has no sentence", wst_anomaly_name((enum wst_anomaly_kind)k));
            ck_assert_uint_eq(n, strlen(buf));
            ck_assert_msg(n < sizeof buf - 1, "%s: cut at %zu", wst_anomaly_name((enum wst_anomaly_kind)k), n);
            ck_assert_ptr_null(strchr(buf, '\n'));
        }
    }
    for (int k = 0; k < WST_FIND__COUNT; k++) {
        for (int most = 0; most < 2; most++) {
            struct wst_finding x = finding((enum wst_finding_kind)k, "198.51.100.2", 80, 1);
            if (most) {
                x.family = WST_AF_INET6;
                memset(x.addr.b, 0xAB, sizeof x.addr.b);
                memset(x.dest_addr.b, 0xCD, sizeof x.dest_addr.b);
                memset(x.icmp_from.b, 0xEF, sizeof x.icmp_from.b);
                x.port = x.dest_port = 65535;
                x.connections = x.attempts = x.completed = x.peers = x.unanswered = x.synack_unacked = UINT64_MAX;
                x.refused = x.unreachable = x.ongoing = x.as_client = x.as_server = x.peak = UINT64_MAX;
                x.retried = x.longest_us = x.spread_us = x.until_us = UINT64_MAX;
                x.ports = 1;
                x.peers_at_least = true;
            } else {
                x.ports = 28232;
            }
            char buf[WST_EXPLAIN_FINDING_MAX];
            size_t n = wst_explain_finding(buf, sizeof buf, &x);
            ck_assert_msg(n > 0, "%s has no sentence", wst_finding_name((enum wst_finding_kind)k));
            ck_assert_uint_eq(n, strlen(buf));
            ck_assert_msg(n < sizeof buf - 1, "%s: cut at %zu", wst_finding_name((enum wst_finding_kind)k), n);
            ck_assert_ptr_null(strchr(buf, '\n'));
        }
    }
    /* A kind out of range has none. */
    char buf[16] = "x";
    struct wst_anomaly a = anomaly(WST_AN__COUNT, 0, 0, 1);
    ck_assert_uint_eq(wst_explain_anomaly(buf, sizeof buf, c4, &a), 0);
    ck_assert_str_eq(buf, "");
    struct wst_finding x = finding(WST_FIND__COUNT, "198.51.100.2", 80, 1);
    ck_assert_uint_eq(wst_explain_finding(buf, sizeof buf, &x), 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_explain_truncated)
{
    /* A small buffer gets the start of the same line, NUL-terminated, and
     * nothing past its end; size 0 writes nothing at all. */
    struct wst_conn *c = conn4();
    struct wst_anomaly a = anomaly(WST_AN_REFUSED, SV(c), 1 * MS, 1);
    struct wst_finding x = finding(WST_FIND_CLOSE_WAIT_PILEUP, "198.51.100.50", 8080, 7);
    for (size_t size = 0; size <= 12; size++) {
        char buf[16];
        memset(buf, '#', sizeof buf);
        size_t n = wst_explain_anomaly(buf, size, c, &a);
        ck_assert_uint_eq(n, size ? size - 1 : 0);
        if (size)
            ck_assert_int_eq(strncmp(buf, "server 198.51.100.2:80 answered", n), 0);
        if (size)
            ck_assert_int_eq(buf[n], '\0');
        for (size_t k = size; k < sizeof buf; k++)
            ck_assert_int_eq(buf[k], '#');

        memset(buf, '#', sizeof buf);
        n = wst_explain_finding(buf, size, &x);
        ck_assert_uint_eq(n, size ? size - 1 : 0);
        if (size) {
            ck_assert_int_eq(strncmp(buf, "7 connections on 198.51.100.50:8080", n), 0);
            ck_assert_int_eq(buf[n], '\0');
        }
        for (size_t k = size; k < sizeof buf; k++)
            ck_assert_int_eq(buf[k], '#');

        memset(buf, '#', sizeof buf);
        n = wst_explain_role(buf, size, WST_AN_CLOSE_WAIT_LINGERING);
        ck_assert_uint_eq(n, size ? size - 1 : 0);
        if (size) {
            ck_assert_int_eq(strncmp(buf, "the one in CLOSE_WAIT", n), 0);
            ck_assert_int_eq(buf[n], '\0');
        }
        for (size_t k = size; k < sizeof buf; k++)
            ck_assert_int_eq(buf[k], '#');
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Names                                                              */
/* ------------------------------------------------------------------ */

START_TEST(test_explain_unreach_names)
{
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET, 13), "communication administratively prohibited");
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET, 0), "net unreachable");
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET, 15), "precedence cutoff in effect");
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET6, 1), "communication administratively prohibited");
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET6, 4), "port unreachable");
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET6, 7), "error in source routing header");
    /* Past each table, and a family that is neither. */
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET, 16), "unknown code");
    ck_assert_str_eq(wst_explain_unreach(WST_AF_INET6, 8), "unknown code");
    ck_assert_str_eq(wst_explain_unreach(0, 1), "unknown code");
    /* No hole in either table. */
    for (unsigned code = 0; code < 16; code++)
        ck_assert_msg(strcmp(wst_explain_unreach(WST_AF_INET, (uint8_t)code), "unknown code") != 0, "ICMP %u", code);
    for (unsigned code = 0; code < 8; code++)
        ck_assert_msg(strcmp(wst_explain_unreach(WST_AF_INET6, (uint8_t)code), "unknown code") != 0, "ICMPv6 %u",
                      code);
}
END_TEST

START_TEST(test_explain_role_words)
{
    char buf[64];
    ck_assert_uint_eq(wst_explain_role(buf, sizeof buf, WST_AN_SYN_UNANSWERED), 6);
    ck_assert_str_eq(buf, "client");
    wst_explain_role(buf, sizeof buf, WST_AN_REFUSED);
    ck_assert_str_eq(buf, "server");
    wst_explain_role(buf, sizeof buf, WST_AN_ZERO_WINDOW);
    ck_assert_str_eq(buf, "receiver");
    wst_explain_role(buf, sizeof buf, WST_AN_CLOSE_WAIT_LINGERING);
    ck_assert_str_eq(buf, "the one in CLOSE_WAIT");
    wst_explain_role(buf, sizeof buf, WST_AN_LAST_ACK_STUCK);
    ck_assert_str_eq(buf, "the FIN's sender");
    wst_explain_role(buf, sizeof buf, WST_AN_RST_ABORT);
    ck_assert_str_eq(buf, "the RST's sender");
    for (int k = 0; k < WST_AN__COUNT; k++)
        ck_assert_msg(wst_explain_role(buf, sizeof buf, (enum wst_anomaly_kind)k) > 0, "%s",
                      wst_anomaly_name((enum wst_anomaly_kind)k));
    ck_assert_uint_eq(wst_explain_role(buf, sizeof buf, WST_AN__COUNT), 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("anomalies");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_explain_syn_unanswered);
    tcase_add_test(tc, test_explain_refused);
    tcase_add_test(tc, test_explain_unreachable);
    tcase_add_test(tc, test_explain_handshake_incomplete);
    tcase_add_test(tc, test_explain_port_reuse);
    tcase_add_test(tc, test_explain_invalid_flags);
    tcase_add_test(tc, test_explain_zero_window);
    tcase_add_test(tc, test_explain_retransmission_stall);
    tcase_add_test(tc, test_explain_keepalive_unanswered);
    tcase_add_test(tc, test_explain_close_wait_lingering);
    tcase_add_test(tc, test_explain_fin_stuck);
    tcase_add_test(tc, test_explain_data_after_close);
    tcase_add_test(tc, test_explain_rst_abort);
    suite_add_tcase(s, tc);

    tc = tcase_create("findings");
    tcase_add_test(tc, test_explain_syn_flood);
    tcase_add_test(tc, test_explain_unreachable_service);
    tcase_add_test(tc, test_explain_close_wait_pileup);
    tcase_add_test(tc, test_explain_time_wait);
    suite_add_tcase(s, tc);

    tc = tcase_create("buffer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_explain_every_kind_has_a_sentence);
    tcase_add_test(tc, test_explain_truncated);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_explain_unreach_names);
    tcase_add_test(tc, test_explain_role_words);
    suite_add_tcase(s, tc);
    return s;
}
