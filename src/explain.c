/*
 * explain.c - facts into sentences (explain.h).
 *
 * The only module that writes English for people. Each kind of anomaly and
 * each kind of finding has one function here that reads the facts its rule
 * recorded (the fields anomaly.h and findings.h list for the kind) and
 * writes one line, found through a table indexed by kind.
 *
 * Assumptions:
 *  1. A diagnosis is one line: what the evidence shows, a colon, what it
 *     usually means, and after a semicolon the next thing to check. It
 *     names endpoints by role and address ("client 192.0.2.1:40000") and
 *     hosts by address, so it can be acted on without the record beside it.
 *  2. Durations are read by people: milliseconds are enough (text.h).
 *  3. The text is cut to the caller's buffer, never past it (text.h), and
 *     the same facts always give the same bytes (the golden files hold
 *     them).
 * An ICMP destination unreachable code's name is here too: nothing judges
 * by it, it is words (a sentence's, and the "reason" of the JSON output),
 * and the cause it points at decides only which advice a sentence gives.
 */
#include "wirestate/explain.h"

#include "text.h"
#include "wirestate/decode.h"
#include "wirestate/flow.h"
#include "wirestate/fsm.h"

/* ---- ICMP destination unreachable codes ---- */

/* What an unreachable code points at, for the advice. */
enum cause { CAUSE_OTHER, CAUSE_FIREWALL, CAUSE_ROUTE, CAUSE_HOST, CAUSE_PORT };

/* RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1 (ICMP type 3); RFC 4443 §3.1 (ICMPv6 type 1). */
static const struct unreach {
    const char *name;
    uint8_t cause;
} unreach4[16] = {
    [0] = {"net unreachable", CAUSE_ROUTE},
    [1] = {"host unreachable", CAUSE_HOST},
    [2] = {"protocol unreachable", CAUSE_PORT},
    [3] = {"port unreachable", CAUSE_PORT},
    [4] = {"fragmentation needed", CAUSE_OTHER},
    [5] = {"source route failed", CAUSE_ROUTE},
    [6] = {"destination network unknown", CAUSE_ROUTE},
    [7] = {"destination host unknown", CAUSE_HOST},
    [8] = {"source host isolated", CAUSE_OTHER},
    [9] = {"network administratively prohibited", CAUSE_FIREWALL},
    [10] = {"host administratively prohibited", CAUSE_FIREWALL},
    [11] = {"network unreachable for type of service", CAUSE_ROUTE},
    [12] = {"host unreachable for type of service", CAUSE_HOST},
    [13] = {"communication administratively prohibited", CAUSE_FIREWALL},
    [14] = {"host precedence violation", CAUSE_FIREWALL},
    [15] = {"precedence cutoff in effect", CAUSE_FIREWALL},
}, unreach6[8] = {
    [0] = {"no route to destination", CAUSE_ROUTE},
    [1] = {"communication administratively prohibited", CAUSE_FIREWALL},
    [2] = {"beyond scope of source address", CAUSE_ROUTE},
    [3] = {"address unreachable", CAUSE_HOST},
    [4] = {"port unreachable", CAUSE_PORT},
    [5] = {"source address failed ingress/egress policy", CAUSE_FIREWALL},
    [6] = {"reject route to destination", CAUSE_FIREWALL},
    [7] = {"error in source routing header", CAUSE_ROUTE},
};

static const struct unreach unknown_code = {"unknown code", CAUSE_OTHER};

/* The row of a code of a family; unknown_code for any other. */
static const struct unreach *unreach(uint8_t family, uint8_t code)
{
    if (family == WST_AF_INET && code < 16)
        return &unreach4[code];
    if (family == WST_AF_INET6 && code < 8)
        return &unreach6[code];
    return &unknown_code;
}

const char *wst_explain_unreach(uint8_t family, uint8_t code)
{
    return unreach(family, code)->name;
}

/* ---- the endpoint a kind concerns ---- */

/* The words of the docs' tables; HOLDER is followed by its row's state. */
static const char *const role_words[WST_AROLE__COUNT] = {
    [WST_AROLE_CLIENT] = "client",
    [WST_AROLE_SERVER] = "server",
    [WST_AROLE_SENDER] = "sender",
    [WST_AROLE_RECEIVER] = "receiver",
    [WST_AROLE_PROBER] = "prober",
    [WST_AROLE_HOLDER] = "the one in",
    [WST_AROLE_FIN_SENDER] = "the FIN's sender",
    [WST_AROLE_RST_SENDER] = "the RST's sender",
};

size_t wst_explain_role(char *buf, size_t size, enum wst_anomaly_kind kind)
{
    if (size == 0)
        return 0;
    struct wst_text t = wst_text_start(buf, size);
    const struct wst_anomaly_info *row = wst_anomaly_info(kind);
    if (row->role == WST_AROLE__UNSET || row->role >= WST_AROLE__COUNT)
        return 0;
    wst_text_put(&t, "%s", role_words[row->role]);
    if (row->role == WST_AROLE_HOLDER)
        wst_text_put(&t, " %s", wst_state_name((enum wst_tcp_state)row->state));
    return t.len;
}

/* ---- anomalies ---- */

/* "client 10.0.0.1:5000" or "server [2001:db8::1]:80". */
static void who(struct wst_text *t, const struct wst_conn *c, int i)
{
    struct wst_addr addr;
    char s[WST_ENDPOINT_STRLEN];
    wst_conn_addr(c, i, &addr);
    wst_endpoint_format(s, c->family, &addr, c->port[i]);
    wst_text_put(t, "%s %s", i == c->client ? "client" : "server", s);
}

/* An address without its port, for "the route to ...". */
static void host(struct wst_text *t, const struct wst_conn *c, int i)
{
    char s[WST_ENDPOINT_STRLEN];
    wst_addr_format(s, c->family, c->addr + i * wst_conn_addr_len(c));
    wst_text_put(t, "%s", s);
}

/* "client" or "server": the role of endpoint i. */
static const char *role(const struct wst_conn *c, int i)
{
    return i == c->client ? "client" : "server";
}

/* How long the anomaly lasted. */
static wst_ts_us duration(const struct wst_anomaly *a)
{
    return a->until_us > a->since_us ? a->until_us - a->since_us : 0;
}

/*
 * A sentence for one kind: writes the diagnosis of a, an anomaly of c
 * whose endpoint is e and whose peer is p, to t.
 */
typedef void anomaly_sentence_fn(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                 int p);

/* detail[0]: WST_ANSWER_NONE (still unanswered) or how a late answer came. */
static void diagnose_syn_unanswered(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                    int p)
{
    if (a->detail[0] == WST_ANSWER_NONE) {
        who(t, c, e);
        wst_text_put(t, " sent %u %s and got no SYN+ACK, RST or ICMP error in ", a->count,
                     wst_plural(a->count, "SYN", "SYNs"));
        wst_text_secs(t, duration(a));
        wst_text_put(t, ": the SYN is dropped on the way (firewall, security "
                        "group), the route to ");
        host(t, c, p);
        wst_text_put(t, " is wrong, or the host is down; check filtering and routing toward ");
        who(t, c, p);
        return;
    }
    wst_text_put(t, "the SYN of ");
    who(t, c, e);
    wst_text_put(t, " was answered only after ");
    wst_text_secs(t, duration(a));
    wst_text_put(t, " (%u %s sent): early SYNs or their answers were lost, or ", a->count,
                 wst_plural(a->count, "SYN", "SYNs"));
    who(t, c, p);
    wst_text_put(t, " was slow to answer; check packet loss on the path and its SYN backlog");
}

/* The RST's sender is the server the SYN was for; its port is the service. */
static void diagnose_refused(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                             int p)
{
    (void)a, (void)p;
    who(t, c, e);
    wst_text_put(t, " answered the SYN with a RST: nothing listens on port %u there, or a firewall rejects the "
                    "connection; check the service and the firewall's reject rules",
                 (unsigned)c->port[e]);
}

/* detail[1]: the ICMP code; addr: who sent the error. */
static void diagnose_unreachable(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                 int p)
{
    (void)p;
    const struct unreach *u = unreach(c->family, a->detail[1]);
    char from[WST_ENDPOINT_STRLEN];
    wst_addr_format(from, c->family, a->addr.b);
    wst_text_put(t, "%s answered the SYN to ", from);
    who(t, c, e);
    wst_text_put(t, " with destination unreachable (%s)", u->name);
    switch (u->cause) {
    case CAUSE_FIREWALL:
        wst_text_put(t, ": a firewall rejects the connection; check the filtering rules at %s and on the path", from);
        break;
    case CAUSE_ROUTE:
        wst_text_put(t, ": no route leads there; check the routing tables at %s and the address itself", from);
        break;
    case CAUSE_HOST:
        wst_text_put(t, ": the host does not answer on its network (down, or a wrong address); check that ");
        host(t, c, e);
        wst_text_put(t, " is up and reachable from %s", from);
        break;
    case CAUSE_PORT:
        wst_text_put(t, ": the host refuses the transport or port; check the service at ");
        who(t, c, e);
        break;
    default:
        wst_text_put(t, "; check the path toward ");
        host(t, c, e);
        break;
    }
}

/* detail[0]: the client's state; detail[1]: the SYNs it sent again. */
static void diagnose_handshake_incomplete(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a,
                                          int e, int p)
{
    who(t, c, e);
    wst_text_put(t, " sent %u %s and stayed in SYN_RCVD for ", a->count, wst_plural(a->count, "SYN+ACK", "SYN+ACKs"));
    wst_text_secs(t, duration(a));
    if (a->detail[0] == WST_ST_ESTABLISHED) {
        wst_text_put(t, " though the client acknowledged it: the client's final ACK is lost on its way to the "
                        "server; check the path from ");
        host(t, c, p);
        wst_text_put(t, " and any firewall or NAT in between");
    } else if (a->detail[0] == WST_ST_SYN_SENT && a->detail[1] > 0) {
        wst_text_put(t, " while the client kept sending SYNs: the SYN+ACK is lost on its way back to ");
        host(t, c, p);
        wst_text_put(t, "; check the return path (routing, NAT, a one-way firewall rule)");
    } else {
        wst_text_put(t, " and the client never answered: a spoofed source (SYN flood or scan), or the SYN+ACK is "
                        "lost on its way back; check for many half-open connections and the return path");
    }
}

/* detail[0]: the endpoint that was in TIME_WAIT; value[0]: ms of it left. */
static void diagnose_port_reuse(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                int p)
{
    (void)p;
    wst_text_put(t, "a new SYN from ");
    who(t, c, e);
    wst_text_put(t, " reused this 4-tuple while the %s was still in TIME_WAIT (", role(c, a->detail[0]));
    wst_text_secs(t, (wst_ts_us)a->value[0] * 1000);
    wst_text_put(t, " left): the client cycles through source ports fast or uses a fixed one; check ephemeral port "
                    "use and connection reuse on ");
    host(t, c, c->client);
}

/* detail[0]: the flags of the first segment. */
static void diagnose_invalid_flags(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                   int p)
{
    (void)p;
    who(t, c, e);
    wst_text_put(t, " sent %u %s with flags no TCP sends (first:", a->count,
                 wst_plural(a->count, "segment", "segments"));
    uint8_t f = a->detail[0];
    if (f == 0)
        wst_text_put(t, " none");
#define WST_DIAG_FLAG(bit, name) \
    if (f & (bit))               \
        wst_text_put(t, " %s", name);
    WST_TCP_FLAG_MAP(WST_DIAG_FLAG)
#undef WST_DIAG_FLAG
    wst_text_put(t, "): a port scan (null, FIN, Xmas) or a broken stack or middlebox; check what runs at ");
    host(t, c, e);
}

/* count: the segments that advertised it. */
static void diagnose_zero_window(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                 int p)
{
    (void)p;
    who(t, c, e);
    wst_text_put(t, " advertised a zero window for ");
    wst_text_secs(t, duration(a));
    wst_text_put(t, " (%u %s): its application is not reading what it receives, so its peer cannot send; check "
                    "that application (a blocked thread, a slow consumer)",
                 a->count, wst_plural(a->count, "segment", "segments"));
}

/* value[0]: the longest gap between two retransmissions (ms). */
static void diagnose_retransmission_stall(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a,
                                          int e, int p)
{
    who(t, c, e);
    wst_text_put(t, " sent the same data again %u times (gaps up to ", a->count);
    wst_text_secs(t, (wst_ts_us)a->value[0] * 1000);
    wst_text_put(t, ") and got no acknowledgement for ");
    wst_text_secs(t, duration(a));
    wst_text_put(t, ": the path drops its segments or ");
    who(t, c, p);
    wst_text_put(t, " is gone; check loss and the MTU on the path (a black hole drops large segments only) and that "
                    "host");
}

/* count: the probes sent. */
static void diagnose_keepalive_unanswered(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a,
                                          int e, int p)
{
    who(t, c, e);
    wst_text_put(t, " sent %u keepalive %s over ", a->count, wst_plural(a->count, "probe", "probes"));
    wst_text_secs(t, duration(a));
    wst_text_put(t, " and got no reply: ");
    who(t, c, p);
    wst_text_put(t, " is powered off or gone, or a NAT or firewall on the path dropped the connection's state; check "
                    "that host and the idle timeouts of the middleboxes in between");
}

/* The endpoint in CLOSE_WAIT received its peer's FIN. */
static void diagnose_close_wait_lingering(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a,
                                          int e, int p)
{
    who(t, c, e);
    wst_text_put(t, " received and acknowledged the FIN of the %s but did not close its side for ", role(c, p));
    wst_text_secs(t, duration(a));
    wst_text_put(t, ": the application at ");
    who(t, c, e);
    wst_text_put(t, " is not closing its socket (a close() missed on an error path, a connection pool that keeps dead "
                    "connections); check that application");
}

/* fin_wait_1_stuck (it closed first) and last_ack_stuck (after its peer). */
static void diagnose_fin_stuck(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                               int p)
{
    who(t, c, e);
    wst_text_put(t, " %s and its FIN (sent %u %s) went unacknowledged for ",
                 a->kind == WST_AN_LAST_ACK_STUCK ? "closed after its peer" : "closed first", a->count,
                 wst_plural(a->count, "time", "times"));
    wst_text_secs(t, duration(a));
    wst_text_put(t, ": ");
    who(t, c, p);
    wst_text_put(t, " is gone, the path loses packets, or a firewall or NAT dropped the connection's state; check "
                    "that host and the path to it");
}

/* value[0]: bytes; detail[0]: WST_AFTER_FIN or WST_AFTER_RST. */
static void diagnose_data_after_close(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e,
                                      int p)
{
    (void)p;
    who(t, c, e);
    wst_text_put(t, " sent %u %s (%u bytes) of data after its own %s: a broken TCP stack or a middlebox "
                    "rewriting the connection; check the devices between the two hosts",
                 a->count, wst_plural(a->count, "segment", "segments"), a->value[0],
                 a->detail[0] == WST_AFTER_RST ? "RST" : "FIN");
}

/* detail[]: the sender's and the receiver's states before the RST;
 * value[]: the bytes each had sent unacknowledged. */
static void diagnose_rst_abort(struct wst_text *t, const struct wst_conn *c, const struct wst_anomaly *a, int e, int p)
{
    who(t, c, e);
    wst_text_put(t, " reset the connection in %s (%s %s)", wst_state_name((enum wst_tcp_state)a->detail[0]),
                 role(c, p), wst_state_name((enum wst_tcp_state)a->detail[1]));
    if (a->value[0] || a->value[1])
        wst_text_put(t, " with %u bytes of its own and %u of the %s's unacknowledged: ", a->value[0], a->value[1],
                     role(c, p));
    else
        wst_text_put(t, " with nothing unacknowledged: ");
    wst_text_put(t, "its application aborted (a crash, SO_LINGER 0, a close with unread data) or a middlebox "
                    "injected the RST; check the logs at ");
    host(t, c, e);
    wst_text_put(t, " and any firewall that resets idle connections");
}

static anomaly_sentence_fn *const anomaly_sentences[WST_AN__COUNT] = {
    [WST_AN_SYN_UNANSWERED] = diagnose_syn_unanswered,
    [WST_AN_REFUSED] = diagnose_refused,
    [WST_AN_UNREACHABLE] = diagnose_unreachable,
    [WST_AN_HANDSHAKE_INCOMPLETE] = diagnose_handshake_incomplete,
    [WST_AN_PORT_REUSE] = diagnose_port_reuse,
    [WST_AN_INVALID_FLAGS] = diagnose_invalid_flags,
    [WST_AN_ZERO_WINDOW] = diagnose_zero_window,
    [WST_AN_RETRANSMISSION_STALL] = diagnose_retransmission_stall,
    [WST_AN_KEEPALIVE_UNANSWERED] = diagnose_keepalive_unanswered,
    [WST_AN_CLOSE_WAIT_LINGERING] = diagnose_close_wait_lingering,
    [WST_AN_FIN_WAIT_1_STUCK] = diagnose_fin_stuck,
    [WST_AN_LAST_ACK_STUCK] = diagnose_fin_stuck,
    [WST_AN_DATA_AFTER_CLOSE] = diagnose_data_after_close,
    [WST_AN_RST_ABORT] = diagnose_rst_abort,
};

size_t wst_explain_anomaly(char *buf, size_t size, const struct wst_conn *c, const struct wst_anomaly *a)
{
    if (size == 0)
        return 0;
    struct wst_text t = wst_text_start(buf, size);
    if (a->kind < WST_AN__COUNT && anomaly_sentences[a->kind])
        anomaly_sentences[a->kind](&t, c, a, a->endpoint, !a->endpoint);
    return t.len;
}

/* ---- findings ---- */

/* What the finding is about: an endpoint, or a host. */
static void endpoint(struct wst_text *t, const struct wst_finding *x)
{
    char s[WST_ENDPOINT_STRLEN];
    wst_finding_where(s, x);
    wst_text_put(t, "%s", s);
}

/* "12 sources", "more than 75000 sources": the distinct peers, as counted. */
static void peers(struct wst_text *t, const struct wst_finding *x, const char *one, const char *many)
{
    wst_text_put(t, "%s%llu %s", x->peers_at_least ? "more than " : "", (unsigned long long)x->peers,
                 wst_plural(x->peers, one, many));
}

/* From the finding's since to its until. */
static void span(struct wst_text *t, const struct wst_finding *x)
{
    wst_text_secs(t, x->until_us > x->since_us ? x->until_us - x->since_us : 0);
}

/* A sentence for one kind of finding: writes the diagnosis of x to t. */
typedef void finding_sentence_fn(struct wst_text *t, const struct wst_finding *x);

/* Which half-open kind dominates says where to look; retried clients are real. */
static void diagnose_syn_flood(struct wst_text *t, const struct wst_finding *x)
{
    wst_text_put(t, "%llu half-open connections to server ", (unsigned long long)x->connections);
    endpoint(t, x);
    wst_text_put(t, " from ");
    peers(t, x, "source", "sources");
    wst_text_put(t, ", begun over ");
    wst_text_secs(t, x->spread_us);
    wst_text_put(t, " (%llu of %llu handshakes completed): likely a SYN flood; ", (unsigned long long)x->completed,
                 (unsigned long long)x->attempts);
    if (x->synack_unacked >= x->unanswered)
        wst_text_put(t, "the server answered %llu with a SYN+ACK that was never acknowledged (spoofed sources, "
                        "or a broken return path)",
                     (unsigned long long)x->synack_unacked);
    else
        wst_text_put(t, "%llu got no answer at all (a full listen queue, or a filter in front of it)",
                     (unsigned long long)x->unanswered);
    /* A spoofed SYN comes once; a real stack that never got the SYN+ACK
     * sends its SYN again. */
    if (x->retried * 2 > x->connections)
        wst_text_put(t, "; but %llu of them came from clients that sent their SYN again, as real stacks do when "
                        "no SYN+ACK reaches them: if those clients are real, the way back to them loses the "
                        "SYN+ACKs (routing, a firewall, asymmetric paths)",
                     (unsigned long long)x->retried);
    wst_text_put(t, "; check that SYN cookies are on (net.ipv4.tcp_syncookies), the SYN backlog "
                    "(net.ipv4.tcp_max_syn_backlog, ss -ltn) and filtering upstream");
}

/* The advice for what most failed attempts met. */
static void unreachable_advice(struct wst_text *t, const struct wst_finding *x)
{
    char from[WST_ENDPOINT_STRLEN];
    wst_addr_format(from, x->family, x->icmp_from.b);
    if (x->unanswered >= x->refused && x->unanswered >= x->unreachable) {
        char to[WST_ENDPOINT_STRLEN];
        wst_addr_format(to, x->family, x->addr.b);
        wst_text_put(t, "SYNs are dropped on the way or the host is down: check firewalls and security groups, "
                        "the route to %s and that it is up",
                     to);
        return;
    }
    if (x->refused >= x->unreachable) {
        wst_text_put(t, "nothing listens on port %u there, or a firewall rejects: check the service (ss -ltn) and "
                        "reject rules",
                     (unsigned)x->port);
        return;
    }
    switch (unreach(x->family, x->icmp_code)->cause) {
    case CAUSE_FIREWALL:
        wst_text_put(t, "a firewall rejects them: check the filtering rules at %s and on the path", from);
        break;
    case CAUSE_ROUTE:
        wst_text_put(t, "no route leads there: check the routing at %s", from);
        break;
    case CAUSE_HOST:
        wst_text_put(t, "the host does not answer on its network: check that it is up and its address");
        break;
    default:
        wst_text_put(t, "check the service, and the host and router at %s that reject it", from);
        break;
    }
}

/* How the attempts failed, counted, then the advice for the most common way. */
static void diagnose_unreachable_service(struct wst_text *t, const struct wst_finding *x)
{
    wst_text_put(t, "%llu of %llu connection attempts to server ", (unsigned long long)x->connections,
                 (unsigned long long)x->attempts);
    endpoint(t, x);
    wst_text_put(t, " from ");
    peers(t, x, "client", "clients");
    wst_text_put(t, " failed in ");
    span(t, x);
    const char *sep = ": ";
    if (x->unanswered) {
        wst_text_put(t, "%s%llu unanswered", sep, (unsigned long long)x->unanswered);
        sep = ", ";
    }
    if (x->refused) {
        wst_text_put(t, "%s%llu refused", sep, (unsigned long long)x->refused);
        sep = ", ";
    }
    if (x->unreachable) {
        char from[WST_ENDPOINT_STRLEN];
        wst_addr_format(from, x->family, x->icmp_from.b);
        wst_text_put(t, "%s%llu unreachable (%s, from %s)", sep, (unsigned long long)x->unreachable,
                     wst_explain_unreach(x->family, x->icmp_code), from);
    }
    wst_text_put(t, "; ");
    unreachable_advice(t, x);
    if (x->completed)
        wst_text_put(t, "; %llu %s completed, so it fails only at times: check the listen backlog, load-balancer "
                        "members and rate limits",
                     (unsigned long long)x->completed, wst_plural(x->completed, "attempt", "attempts"));
}

/* A server endpoint's application, or a client host's (role). */
static void diagnose_close_wait_pileup(struct wst_text *t, const struct wst_finding *x)
{
    char host_text[WST_ENDPOINT_STRLEN];
    wst_addr_format(host_text, x->family, x->addr.b);
    wst_text_put(t, "%llu %s ", (unsigned long long)x->connections,
                 wst_plural(x->connections, "connection", "connections"));
    if (x->role == WST_ROLE_SERVER) {
        wst_text_put(t, "on ");
        endpoint(t, x);
    } else {
        wst_text_put(t, "of client %s to ", host_text);
        peers(t, x, "server", "servers");
    }
    wst_text_put(t, " stuck in CLOSE_WAIT for up to ");
    wst_text_secs(t, x->longest_us);
    if (x->ongoing)
        wst_text_put(t, " (%llu still at the end)", (unsigned long long)x->ongoing);
    wst_text_put(t, ": the application at ");
    endpoint(t, x);
    if (x->role == WST_ROLE_SERVER)
        wst_text_put(t, " is not closing sockets its clients closed; find the process (ss -tanp state close-wait "
                        "at %s) and check it for a connection leak or a blocked worker",
                     host_text);
    else
        wst_text_put(t, " does not close connections its servers closed; check its connection pool for sockets "
                        "kept after the server's FIN (ss -tanp state close-wait)");
}

/* Information, unless the busiest destination nears the ephemeral range. */
static void diagnose_time_wait(struct wst_text *t, const struct wst_finding *x)
{
    wst_text_put(t, "%s ", x->role == WST_ROLE_SERVER ? "server" : "client");
    endpoint(t, x);
    wst_text_put(t, " closed %llu %s first (", (unsigned long long)x->connections,
                 wst_plural(x->connections, "connection", "connections"));
    if (x->as_client)
        wst_text_put(t, "%llu as client%s", (unsigned long long)x->as_client, x->as_server ? ", " : "");
    if (x->as_server)
        wst_text_put(t, "%llu as server", (unsigned long long)x->as_server);
    wst_text_put(t, ") and so holds their TIME_WAIT for ");
    wst_text_secs(t, x->longest_us);
    if (!x->as_client || !x->peak) {
        wst_text_put(t, ": normal protection, not a leak");
        if (!x->as_client)
            wst_text_put(t, "; a server's TIME_WAIT holds no ephemeral port, only a little memory");
        return;
    }
    char dest[WST_ENDPOINT_STRLEN];
    wst_endpoint_format(dest, x->family, &x->dest_addr, x->dest_port);
    uint64_t tenths = (x->peak * 1000 + x->ports / 2) / x->ports; /* rounded */
    wst_text_put(t, "; at most %llu at once toward %s, ", (unsigned long long)x->peak, dest);
    if (tenths)
        wst_text_put(t, "%llu.%llu%%", (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10));
    else
        wst_text_put(t, "under 0.1%%");
    wst_text_put(t, " of the %u ephemeral ports", x->ports);
    if (x->severity == WST_SEV_WARNING)
        wst_text_put(t, ": new connections to %s can fail for want of a port (EADDRNOTAVAIL); reuse connections "
                        "(keep-alive, a pool), widen net.ipv4.ip_local_port_range, allow reuse of TIME_WAIT ports "
                        "for new connections (net.ipv4.tcp_tw_reuse), or let the server close first",
                     dest);
    else
        wst_text_put(t, ": normal for a client of short connections, not a leak; ports run out only when about %u "
                        "connections to one destination close within one TIME_WAIT",
                     x->ports);
}

static finding_sentence_fn *const finding_sentences[WST_FIND__COUNT] = {
    [WST_FIND_SYN_FLOOD] = diagnose_syn_flood,
    [WST_FIND_UNREACHABLE_SERVICE] = diagnose_unreachable_service,
    [WST_FIND_CLOSE_WAIT_PILEUP] = diagnose_close_wait_pileup,
    [WST_FIND_TIME_WAIT] = diagnose_time_wait,
};

size_t wst_explain_finding(char *buf, size_t size, const struct wst_finding *x)
{
    if (size == 0)
        return 0;
    struct wst_text t = wst_text_start(buf, size);
    if (x->kind < WST_FIND__COUNT && finding_sentences[x->kind])
        finding_sentences[x->kind](&t, x);
    return t.len;
}
