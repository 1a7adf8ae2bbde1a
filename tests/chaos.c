/*
 * chaos.c - hostile segment sequences and the invariants of what comes
 * out (chaos.h).
 *
 * Input layout: 4 bytes of configuration, then 8 bytes per packet:
 *   [0] the flow and direction: client address (low 2 bits of 4), server
 *       address (1), client port (2), server port (1), IPv6 (1), server to
 *       client (1)
 *   [1] TCP flags: below 0xC0 a common combination, else the byte itself
 *   [2] how seq and ack are chosen (2 bits each, see pick_seq/pick_ack)
 *   [3] their parameter
 *   [4] payload length (bits 0-5 x 16) and a zero window (bit 6)
 *   [5] time since the previous packet: 0-199 ms, then 10 s steps
 *   [6] 0xFF: an ICMP error quoting the segment is sent instead of it;
 *       0xFE: the segment carries VLAN tag 10; 0xE0-0xFD: a whole clean
 *       connection on the flow instead (send_lifecycle); 0xD0-0xDF: a
 *       burst of one-shot SYNs from 12 clients to the flow's server
 *       endpoint, answered or not (send_burst)
 *   [7] the client address's high 2 bits (16 clients: enough sources for
 *       a flood), the ICMP error's code (high 4 bits), and mixed into
 *       random sequence numbers
 * Few endpoints, so 4-tuples meet again: reuse, retransmissions, closes
 * crossing, RSTs in every state.
 */
#include "chaos.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "wirestate/emit.h"
#include "wirestate/explain.h"
#include "wirestate/options.h"
#include "wirestate/outbuf.h"
#include "wirestate/pipeline.h"

#define CHECK(cond)                                                                                  \
    do {                                                                                             \
        if (!(cond)) {                                                                               \
            fprintf(stderr, "chaos: invariant broken (%s:%d): %s\n", __FILE__, __LINE__, #cond);    \
            abort();                                                                                 \
        }                                                                                            \
    } while (0)

/* 16 clients per family, "192.0.2.1" ... and "2001:db8::1" ... (client_name()). */
#define CLIENTS 16
static const char *const servers[2][2] = {{"198.51.100.2", "198.51.100.3"}, {"2001:db8::80", "2001:db8::81"}};
static const char *const routers[2] = {"192.0.2.254", "2001:db8::fe"};
static const uint16_t client_ports[4] = {40000, 40001, 40002, 40003};
static const uint16_t server_ports[2] = {80, 443};

static const uint8_t common_flags[] = {
    CRAFT_SYN,
    CRAFT_SYN | CRAFT_ACK,
    CRAFT_ACK,
    CRAFT_ACK | CRAFT_PSH,
    CRAFT_FIN | CRAFT_ACK,
    CRAFT_RST,
    CRAFT_RST | CRAFT_ACK,
    CRAFT_ACK,
    CRAFT_ACK | CRAFT_PSH,
    CRAFT_FIN | CRAFT_ACK | CRAFT_PSH,
    CRAFT_SYN,
    CRAFT_ACK,
};

struct chaos {
    struct wst_sink sink;      /* first: the stage after select, checking what comes */
    struct wst_pipeline pipe;
    struct wst_emitter *json, *text;
    struct wst_summary summary;
    bool summarized;
    uint64_t begun;
    struct wst_outbuf out;
    FILE *devnull;
    uint64_t now_us;
    uint64_t packets_fed; /* frames handed to dispatch so far */
    uint64_t emitted, with_anomalies, anomalies;
    uint32_t nxt[512][2]; /* per flow and direction: the highest sequence number used, plus one */
    char clients[2][CLIENTS][32];
};

/* ---- the invariants of one record ---- */

static void check_record(struct chaos *ch, const struct wst_conn_report *r)
{
    const struct wst_conn *c = r->conn;
    CHECK(r->id == c->id); /* shown by its id (select.h) */
    CHECK(c->id >= 1 && c->id <= ch->packets_fed);
    CHECK(c->family == WST_AF_INET || c->family == WST_AF_INET6);
    CHECK(c->client <= 1);
    CHECK(c->client_basis < WST_CLIENT__COUNT);
    CHECK(c->end_reason > WST_END__NONE && c->end_reason < WST_END__COUNT);
    for (int i = 0; i < 2; i++)
        CHECK(c->ep[i].state < WST_ST__COUNT);
    CHECK(c->first_ts_us <= c->last_ts_us);
    CHECK(r->end_us >= c->last_ts_us);
    CHECK(c->packets[0] + c->packets[1] > 0 || (c->flags & WST_CONN_NOTES));

    CHECK(r->n_anomalies <= WST_ANOMALY_MAX);
    bool seen[WST_AN__COUNT][2] = {{false}};
    for (size_t i = 0; i < r->n_anomalies; i++) {
        const struct wst_anomaly *a = &r->anomalies[i];
        CHECK(a->kind < WST_AN__COUNT);
        CHECK(a->endpoint <= 1);
        CHECK(!seen[a->kind][a->endpoint]); /* one per kind and endpoint */
        seen[a->kind][a->endpoint] = true;
        CHECK(a->since_us <= a->until_us);
        CHECK(a->since_us >= c->first_ts_us);
        CHECK(a->until_us <= r->end_us);
        CHECK(a->count > 0);
        CHECK(i == 0 || r->anomalies[i - 1].since_us <= a->since_us); /* sorted by start */
        char buf[WST_EXPLAIN_ANOMALY_MAX];
        size_t n = wst_explain_anomaly(buf, sizeof buf, c, a);
        CHECK(n > 0 && n == strlen(buf));
    }
    ch->emitted++;
    ch->anomalies += r->n_anomalies;
    ch->with_anomalies += r->n_anomalies != 0;

    /* Both formats, whatever the states: nothing to check but that they run
     * clean under the sanitizers. */
    wst_sink_conn(&ch->json->sink, r);
    wst_sink_conn(&ch->text->sink, r);
    CHECK(wst_outbuf_flush(&ch->out) == 0);
}

static struct chaos *chaos_of(struct wst_sink *s)
{
    return (struct chaos *)(void *)s;
}

static void on_begin(struct wst_sink *s, const struct wst_conn *c)
{
    struct chaos *ch = chaos_of(s);
    CHECK(c->id > 0);
    ch->begun++;
}

static void on_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    check_record(chaos_of(s), r);
}

static void on_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    struct chaos *ch = chaos_of(s);
    CHECK(id == c->id && id >= 1 && id <= ch->packets_fed); /* its first packet's number */
    wst_sink_event(&ch->json->sink, c, id, ev);
    wst_sink_event(&ch->text->sink, c, id, ev);
}

static void on_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    struct chaos *ch = chaos_of(s);
    CHECK(!ch->summarized); /* once */
    ch->summary = *sum;
    ch->summarized = true;
}

static const struct wst_sink_ops chaos_ops = {
    .begin = on_begin,
    .event = on_event,
    .conn = on_conn,
    .summary = on_summary,
};

/* ---- the invariants of the end ---- */

static void check_findings(const struct wst_finding *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct wst_finding *x = &f[i];
        CHECK(x->kind < WST_FIND__COUNT);
        CHECK(x->severity == WST_SEV_INFO || x->severity == WST_SEV_WARNING);
        CHECK(x->connections > 0);
        CHECK(x->peers > 0);
        CHECK(x->peers_at_least || x->peers <= x->connections);
        CHECK(x->since_us <= x->until_us);
        switch ((enum wst_finding_kind)x->kind) {
        case WST_FIND_SYN_FLOOD:
            CHECK(x->unanswered + x->synack_unacked == x->connections);
            CHECK(x->connections <= x->attempts && x->completed <= x->attempts);
            break;
        case WST_FIND_UNREACHABLE_SERVICE:
            CHECK(x->unanswered + x->refused + x->unreachable == x->connections);
            CHECK(x->connections <= x->attempts && x->completed + x->connections <= x->attempts);
            break;
        case WST_FIND_CLOSE_WAIT_PILEUP:
            CHECK(x->ongoing <= x->connections);
            break;
        case WST_FIND_TIME_WAIT:
            CHECK(x->host);
            CHECK(x->as_client + x->as_server == x->connections);
            CHECK(x->peak <= x->as_client);
            break;
        default:
            CHECK(0);
        }
        CHECK(i == 0 || f[i - 1].severity >= x->severity); /* warnings first */
        char buf[WST_EXPLAIN_FINDING_MAX];
        size_t len = wst_explain_finding(buf, sizeof buf, x);
        CHECK(len > 0 && len == strlen(buf));
    }
}

static void check_end(struct chaos *ch, struct chaos_result *out)
{
    CHECK(ch->summarized);
    const struct wst_dispatch_stats *ds = ch->summary.dispatch;
    const struct wst_tracker_stats *st = ch->summary.tracker;
    CHECK(ds == wst_dispatch_stats(ch->pipe.dispatch) && st == wst_tracker_stats(ch->pipe.tracker));
    uint64_t sum = 0;
    for (int i = 0; i < WST_DECODE__COUNT; i++)
        sum += ds->by_status[i];
    CHECK(sum == ds->packets); /* every packet in exactly one status */
    sum = 0;
    for (int r = 0; r < WST_END__COUNT; r++)
        sum += st->by_end_reason[r];
    CHECK(sum == ch->emitted);
    CHECK(st->connections == ch->emitted); /* all emitted at the end */
    CHECK(ch->begun == ch->emitted);
    CHECK(st->with_anomalies == ch->with_anomalies);
    sum = 0;
    for (int k = 0; k < WST_AN__COUNT; k++)
        sum += st->by_anomaly[k];
    CHECK(sum == ch->anomalies);
    /* The ss view at the end: every connection not over, so at least
     * those still open, at most all; a client and a server for each. */
    uint64_t sides[2] = {0, 0};
    for (int side = 0; side < 2; side++) {
        for (int s = 0; s < WST_ST__COUNT; s++)
            sides[side] += st->open_states[side][s];
    }
    CHECK(sides[0] == sides[1]);
    CHECK(sides[0] >= st->by_end_reason[WST_END_CAPTURE_END] && sides[0] <= st->connections);

    size_t n = ch->summary.n_findings;
    const struct wst_finding *f = ch->summary.findings;
    check_findings(f, n);
    wst_sink_summary(&ch->json->sink, &ch->summary);
    wst_sink_summary(&ch->text->sink, &ch->summary);
    CHECK(wst_outbuf_flush(&ch->out) == 0);

    out->packets = ds->packets;
    out->connections = ch->emitted;
    out->anomalies = ch->anomalies;
    out->findings = n;
    for (size_t i = 0; i < n; i++)
        out->by_kind[f[i].kind]++;
}

/* ---- the segments ---- */

static uint32_t pick_seq(uint8_t mode, uint8_t param, uint8_t mix, uint32_t next)
{
    switch (mode & 3) {
    case 0:
        return next;            /* in order */
    case 1:
        return next - 1;        /* a keepalive, a probe, a retransmitted FIN */
    case 2:
        return next + (uint32_t)param * 16; /* ahead: a gap, lost segments */
    default:
        return (uint32_t)param * 0x01010101u ^ (uint32_t)mix << 13; /* anywhere */
    }
}

static uint32_t pick_ack(uint8_t mode, uint8_t param, uint32_t peer_next)
{
    switch (mode >> 2 & 3) {
    case 0:
        return peer_next;
    case 1:
        return peer_next - param;
    case 2:
        return 0;
    default:
        return (uint32_t)param << 24 | param;
    }
}

/* One segment of flow `flow`: the low 7 bits of the packet's byte 0, and
 * bits 7-8 the client address's high bits (flow_of()). */
struct seg {
    unsigned flow;
    int dir;
    uint8_t flags;
    uint32_t seq, ack;
    size_t len;
    uint16_t win;
    bool vlan, icmp;
    uint8_t icmp_code, quote_extra;
};

static void send_segment(struct chaos *ch, const struct seg *g)
{
    int ci = (int)(g->flow & 3) | (int)(g->flow >> 7 & 3) << 2, si = g->flow >> 2 & 1;
    int cpi = g->flow >> 3 & 3, spi = g->flow >> 5 & 1, v6 = g->flow >> 6 & 1;
    const char *cl = ch->clients[v6][ci], *sv = servers[v6][si];
    const char *src = g->dir ? sv : cl, *dst = g->dir ? cl : sv;
    uint16_t sport = g->dir ? server_ports[spi] : client_ports[cpi];
    uint16_t dport = g->dir ? client_ports[cpi] : server_ports[spi];
    uint16_t ip_type = v6 ? CRAFT_ETH_IPV6 : CRAFT_ETH_IPV4;

    struct craft c;
    craft_init(&c);
    if (g->vlan) {
        craft_eth(&c, CRAFT_ETH_VLAN);
        craft_vlan(&c, 10, ip_type);
    } else {
        craft_eth(&c, ip_type);
    }
    if (v6)
        craft_ipv6(&c, src, dst, CRAFT_IP_TCP);
    else
        craft_ipv4(&c, src, dst, CRAFT_IP_TCP);
    craft_tcp(&c, sport, dport, g->seq, g->ack, g->flags, g->win, NULL, 0, g->len);
    craft_finish(&c);

    struct craft icmp;
    const struct craft *frame = &c;
    uint32_t *nxt = ch->nxt[g->flow];
    if (g->icmp) {
        /* A router's destination unreachable quoting the segment (its IP
         * header and at least the first 8 bytes of TCP, as RFC 792 asks). */
        craft_init(&icmp);
        craft_eth(&icmp, ip_type);
        if (v6)
            craft_ipv6(&icmp, routers[1], src, CRAFT_IP_ICMPV6);
        else
            craft_ipv4(&icmp, routers[0], src, CRAFT_IP_ICMP);
        size_t quote = (size_t)(v6 ? 40 : 20) + 8 + g->quote_extra;
        if (quote > c.len - c.ip_off)
            quote = c.len - c.ip_off;
        craft_icmp_error(&icmp, v6 ? 1 : 3, g->icmp_code, c.buf + c.ip_off, quote);
        craft_finish(&icmp);
        frame = &icmp;
    } else {
        uint32_t end = g->seq + (uint32_t)g->len + !!(g->flags & CRAFT_SYN) + !!(g->flags & CRAFT_FIN);
        if ((int32_t)(end - nxt[g->dir]) > 0 || nxt[g->dir] == 0)
            nxt[g->dir] = end;
    }
    struct wst_packet pkt = {
        .ts_us = ch->now_us,
        .caplen = (uint32_t)frame->len,
        .wirelen = (uint32_t)frame->len,
        .link = WST_LINK_ETHERNET,
        .data = frame->buf,
    };
    ch->packets_fed++;
    wst_dispatch_packet(ch->pipe.dispatch, &pkt);
}

/*
 * A whole clean connection on the flow, 1 ms a segment: handshake, a
 * request, and a close by the client (b[3] even) or the server. It leaves
 * TIME_WAIT behind for the next SYN on the 4-tuple to meet.
 */
static void send_lifecycle(struct chaos *ch, unsigned flow, const uint8_t *b)
{
    uint32_t isn[2] = {(uint32_t)b[7] << 24 | (uint32_t)b[2] << 8, (uint32_t)b[3] << 20 | 77};
    int closer = b[3] & 1;
    struct seg g = {.flow = flow, .win = 65535};
    static const struct {
        int dir;             /* 0 client, 1 server; 2 the closer, 3 the other */
        uint8_t flags;
        uint8_t len;
    } steps[] = {
        {0, CRAFT_SYN, 0},       {1, CRAFT_SYN | CRAFT_ACK, 0}, {0, CRAFT_ACK, 0},
        {0, CRAFT_ACK | CRAFT_PSH, 100}, {1, CRAFT_ACK, 0},     {2, CRAFT_FIN | CRAFT_ACK, 0},
        {3, CRAFT_FIN | CRAFT_ACK, 0},   {2, CRAFT_ACK, 0},
    };
    ch->nxt[flow][0] = isn[0];
    ch->nxt[flow][1] = isn[1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        g.dir = steps[i].dir < 2 ? steps[i].dir : steps[i].dir == 2 ? closer : !closer;
        g.flags = steps[i].flags;
        g.seq = ch->nxt[flow][g.dir];
        g.ack = g.flags & CRAFT_ACK ? ch->nxt[flow][!g.dir] : 0;
        g.len = steps[i].len;
        ch->now_us += 1000;
        send_segment(ch, &g);
    }
}

/*
 * One SYN from each of 12 clients (the flow's port and family) to the
 * flow's server endpoint, 1 ms apart, each answered by a SYN+ACK if b[3]
 * is odd: what a spoofed flood looks like.
 */
static void send_burst(struct chaos *ch, unsigned flow, const uint8_t *b)
{
    for (unsigned i = 0; i < 12; i++) {
        unsigned f = (flow & ~(unsigned)0x183) | (i & 3) | (i >> 2 & 3) << 7;
        struct seg g = {.flow = f, .flags = CRAFT_SYN, .win = 65535};
        g.seq = (uint32_t)b[7] << 24 ^ i * 0x01000193u;
        ch->nxt[f][0] = g.seq;
        ch->now_us += 1000;
        send_segment(ch, &g);
        if (b[3] & 1) {
            g.dir = 1;
            g.flags = CRAFT_SYN | CRAFT_ACK;
            g.ack = ch->nxt[f][0];
            g.seq = ch->nxt[f][1] = (uint32_t)b[2] << 16 ^ i;
            send_segment(ch, &g);
        }
    }
}

static unsigned flow_of(const uint8_t *b)
{
    return (unsigned)(b[0] & 0x7F) | (unsigned)(b[7] & 3) << 7;
}

static void send_packet(struct chaos *ch, const uint8_t *b)
{
    unsigned flow = flow_of(b);
    ch->now_us += b[5] < 200 ? (uint64_t)b[5] * 1000 : (uint64_t)(b[5] - 199) * 10000000;
    if (b[6] >= 0xE0 && b[6] <= 0xFD) {
        send_lifecycle(ch, flow, b);
        return;
    }
    if (b[6] >= 0xD0 && b[6] <= 0xDF) {
        send_burst(ch, flow, b);
        return;
    }
    struct seg g = {
        .flow = flow,
        .dir = b[0] >> 7,
        .flags = b[1] < 0xC0 ? common_flags[b[1] % sizeof common_flags] : b[1],
        .len = (size_t)(b[4] & 0x3F) * 16,
        .win = b[4] & 0x40 ? 0 : 65535,
        .vlan = b[6] == 0xFE,
        .icmp = b[6] == 0xFF,
        .icmp_code = (uint8_t)(b[7] >> 4),
        .quote_extra = (uint8_t)(b[3] & 0x0F),
    };
    g.seq = pick_seq(b[2], b[3], b[7], ch->nxt[flow][g.dir]);
    g.ack = pick_ack(b[2], b[3], ch->nxt[flow][!g.dir]);
    send_segment(ch, &g);
}

void chaos_run(const uint8_t *data, size_t size, struct chaos_result *out)
{
    memset(out, 0, sizeof *out);
    if (size < 4)
        return;
    struct chaos *ch = calloc(1, sizeof *ch);
    CHECK(ch != NULL);
    ch->devnull = fopen("/dev/null", "w");
    CHECK(ch->devnull != NULL);
    wst_outbuf_init(&ch->out, ch->devnull);
    ch->now_us = 1700000000ULL * 1000000;
    for (int i = 0; i < CLIENTS; i++) {
        snprintf(ch->clients[0][i], sizeof ch->clients[0][i], "192.0.2.%d", i + 1);
        snprintf(ch->clients[1][i], sizeof ch->clients[1][i], "2001:db8::%x", i + 1);
    }

    /* The program's defaults, then small thresholds and bounds, so that
     * timers, caps and findings are all reached by a few hundred packets. */
    struct wst_options defaults;
    struct wst_pipeline_config cfg;
    wst_options_defaults(&defaults);
    wst_options_pipeline_config(&defaults, &cfg);
    cfg.hash_seed = data[0];
    cfg.events = data[0] & 4;
    cfg.tracker.msl_s = 1u + data[3] % 10;
    cfg.tracker.idle_timeout_s = data[0] & 1 ? 0 : 30u + (data[0] >> 1);
    cfg.tracker.timeline_max = data[0] & 2 ? 0 : 6;
    cfg.tracker.anomaly.syn_timeout_ms = 200u + data[1] * 20u;
    cfg.tracker.anomaly.linger_ms = 200u + data[1] * 30u;
    cfg.findings.group_min = 1u + data[2] % 3;
    cfg.findings.flood_min = 1u + (data[2] >> 2) % 4;
    cfg.findings.max_groups = 1u + (data[2] >> 4);
    cfg.findings.ephemeral_lo = 40000;
    cfg.findings.ephemeral_hi = (uint16_t)(40000 + (data[3] >> 4));
    ch->sink.ops = &chaos_ops;
    ch->json = wst_emitter_new(&wst_emitter_json, &ch->out);
    ch->text = wst_emitter_new(&wst_emitter_text, &ch->out);
    wst_pipeline_init(&ch->pipe, &cfg, &ch->sink);
    for (size_t i = 4; i + 8 <= size; i += 8)
        send_packet(ch, data + i);
    struct wst_summary sum = {.complete = true};
    wst_dispatch_finish(ch->pipe.dispatch, &sum);
    check_end(ch, out);
    wst_pipeline_fini(&ch->pipe);
    wst_emitter_free(ch->json);
    wst_emitter_free(ch->text);
    fclose(ch->devnull);
    free(ch);
}
