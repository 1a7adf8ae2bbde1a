/*
 * emit_text.c - a readable block per connection, then the summary.
 *
 *   #1 10.100.0.1:40001 -> 10.100.0.2:8080  (client sent the SYN)
 *      start 2023-11-14 22:13:20.000000  end 2023-11-14 22:13:20.010000  duration 0.010000 s
 *      client sent      6 packets       100 payload bytes   SYN ACK PSH FIN
 *      server sent      5 packets       200 payload bytes   SYN ACK PSH FIN
 *      vlan 100
 *
 * Times are UTC; the format is for people and may change, JSON is the
 * contract for programs.
 */
#include "wirestate/emit.h"
#include "wirestate/findings.h"

#include <stdio.h>
#include <string.h>

#include "wirestate/explain.h"

static const char *const basis_text[WST_CLIENT__COUNT] = {
    [WST_CLIENT_UNSET] = "client unknown",
    [WST_CLIENT_SYN] = "client sent the SYN",
    [WST_CLIENT_SYN_ACK] = "client received the SYN+ACK",
    [WST_CLIENT_PORTS] = "client guessed from the ports",
};

static void flags_words(struct wst_outbuf *ob, uint8_t flags)
{
    bool first = true;
#define WST_TEXT_FLAG(bit, name)      \
    if (flags & (bit)) {              \
        if (!first)                   \
            wst_outbuf_putc(ob, ' '); \
        wst_outbuf_puts(ob, name);    \
        first = false;                \
    }
    WST_TCP_FLAG_MAP(WST_TEXT_FLAG)
#undef WST_TEXT_FLAG
    if (first)
        wst_outbuf_puts(ob, "(no flags)");
}

static void direction(struct wst_outbuf *ob, const char *who, const struct wst_conn *c, int i)
{
    wst_outbuf_puts(ob, "   ");
    wst_outbuf_puts(ob, who);
    wst_outbuf_puts(ob, " sent ");
    wst_outbuf_u64_width(ob, wst_conn_packets(c, i), 10);
    wst_outbuf_puts(ob, wst_conn_packets(c, i) == 1 ? " packet " : " packets");
    wst_outbuf_u64_width(ob, c->payload_bytes[i], 12);
    wst_outbuf_puts(ob, " payload bytes   ");
    flags_words(ob, c->tcp_flags[i]);
    wst_outbuf_putc(ob, '\n');
}

/* Width of the arrow between the two state columns. */
#define ARROW_WIDTH 44

/*
 * "-- SYN ACK seq 0 ack 1 --------->" (client to server) or its mirror
 * "<- ... ----", ARROW_WIDTH characters or more for a long label, into buf
 * (ARROW_WIDTH + 72 bytes: the label is at most ARROW_WIDTH + 63, plus 6).
 */
static void fmt_arrow(char *buf, const struct wst_conn *c, const struct wst_tl_event *ev)
{
    char label[ARROW_WIDTH + 64];
    size_t n = 0;
    bool first = true;
#define WST_ARROW_FLAG(bit, name)                          \
    if (ev->flags & (bit)) {                               \
        n += (size_t)snprintf(label + n, sizeof label - n, "%s%s", first ? "" : " ", name); \
        first = false;                                     \
    }
    WST_TCP_FLAG_MAP(WST_ARROW_FLAG)
#undef WST_ARROW_FLAG
    n += (size_t)snprintf(label + n, sizeof label - n, " seq %u", wst_emit_rel_seq(c, ev->from, ev->seq));
    if (ev->flags & WST_TH_ACK)
        n += (size_t)snprintf(label + n, sizeof label - n, " ack %u", wst_emit_rel_ack(c, ev->from, ev->ack));
    if (ev->payload_len)
        n += (size_t)snprintf(label + n, sizeof label - n, " len %u", ev->payload_len);
    if (ev->why & WST_TL_REXMIT)
        n += (size_t)snprintf(label + n, sizeof label - n, " again");
    if (n >= sizeof label)
        n = sizeof label - 1;
    /* A long label widens this arrow rather than losing a number. */
    size_t width = n + 6 > ARROW_WIDTH ? n + 6 : ARROW_WIDTH;
    bool c2s = ev->from == c->client;
    memset(buf, '-', width);
    buf[width] = '\0';
    if (c2s)
        buf[width - 1] = '>';
    else
        buf[0] = '<';
    memcpy(buf + 3, label, n);
    buf[2] = ' ';
    buf[3 + n] = ' ';
}

/* One ladder step: time since start, client state, arrow, server state. */
static void ladder_line(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_tl_event *ev)
{
    char arrow[ARROW_WIDTH + 64 + 8], line[220];
    fmt_arrow(arrow, c, ev);
    uint64_t t = ev->ts_us > c->first_ts_us ? ev->ts_us - c->first_ts_us : 0;
    snprintf(line, sizeof line, "   %6llu.%06llu  %-12s%s  %s\n", (unsigned long long)(t / WST_US_PER_S),
             (unsigned long long)(t % WST_US_PER_S), wst_state_name((enum wst_tcp_state)ev->state[c->client]),
             arrow, wst_state_name((enum wst_tcp_state)ev->state[!c->client]));
    wst_outbuf_puts(ob, line);
}

static void ladder(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_timeline *tl)
{
    size_t n = wst_timeline_count(tl), gap = wst_timeline_gap_at(tl);
    if (n == 0)
        return;
    char head[160];
    snprintf(head, sizeof head, "   %13s  %-*s  %s\n", "time", 12 + ARROW_WIDTH, "client", "server");
    wst_outbuf_puts(ob, head);
    for (size_t i = 0; i < n; i++) {
        if (i == gap && wst_timeline_skipped(tl)) {
            wst_outbuf_puts(ob, "                ... ");
            wst_outbuf_u64(ob, wst_timeline_skipped(tl));
            wst_outbuf_puts(ob, " more segments not kept ...\n");
        }
        ladder_line(ob, c, wst_timeline_get(tl, i));
    }
}

/* "#id client -> server" (no newline); fills *v. */
static void heading(struct wst_outbuf *ob, const struct wst_conn *c, uint64_t id, struct wst_conn_view *v)
{
    wst_conn_view_init(v, c);
    wst_outbuf_putc(ob, '#');
    wst_outbuf_u64(ob, id);
    wst_outbuf_putc(ob, ' ');
    wst_outbuf_puts(ob, v->client_text);
    wst_outbuf_puts(ob, " -> ");
    wst_outbuf_puts(ob, v->server_text);
}

/* --events in text: the heading and the ladder step. */
static void text_event(struct wst_emitter *e, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    struct wst_outbuf *ob = e->out;
    struct wst_conn_view v;
    heading(ob, c, id, &v);
    wst_outbuf_putc(ob, '\n');
    ladder_line(ob, c, ev);
}

/* "   client SYN sent again after 1.000312 s, 2.000544 s" when it was. */
static void syn_intervals(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_timeline *tl, int endpoint,
                          const char *who)
{
    /* An endpoint that opened actively sends SYNs; its peer, SYN+ACKs. */
    const char *what = (c->ep[endpoint].flags & WST_EP_ACTIVE) ? " SYN sent again after " : " SYN+ACK sent again after ";
    struct wst_syn_intervals it = {0};
    wst_ts_us us;
    bool first = true;
    while (wst_emit_syn_interval_next(tl, endpoint, &it, &us)) {
        if (first) {
            wst_outbuf_puts(ob, "   ");
            wst_outbuf_puts(ob, who);
            wst_outbuf_puts(ob, what);
        } else {
            wst_outbuf_puts(ob, ", ");
        }
        wst_outbuf_seconds(ob, us);
        wst_outbuf_puts(ob, " s");
        first = false;
    }
    if (!first)
        wst_outbuf_putc(ob, '\n');
}

/*
 *   anomaly  close_wait_lingering  server, from +0.091241 s for 93.012000 s (still at the end)
 *            server 10.0.0.5:8080 received and acknowledged the FIN of ...
 */
/* `ongoing_note` says what an ongoing anomaly is still holding at: the
 * record's end, or the moment it is raised (--events) or shown (open). */
static void anomaly_lines(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_anomaly *a,
                          const char *ongoing_note)
{
    char diag[WST_EXPLAIN_ANOMALY_MAX];
    wst_outbuf_puts(ob, "   anomaly  ");
    wst_outbuf_puts(ob, wst_anomaly_name((enum wst_anomaly_kind)a->kind));
    wst_outbuf_puts(ob, a->endpoint == c->client ? "  client, from +" : "  server, from +");
    wst_outbuf_seconds(ob, a->since_us > c->first_ts_us ? a->since_us - c->first_ts_us : 0);
    wst_outbuf_puts(ob, " s for ");
    wst_outbuf_seconds(ob, a->until_us > a->since_us ? a->until_us - a->since_us : 0);
    wst_outbuf_puts(ob, " s");
    if (a->ongoing) {
        wst_outbuf_puts(ob, " (");
        wst_outbuf_puts(ob, ongoing_note);
        wst_outbuf_putc(ob, ')');
    }
    wst_outbuf_puts(ob, "\n            ");
    wst_explain_anomaly(diag, sizeof diag, c, a);
    wst_outbuf_puts(ob, diag);
    wst_outbuf_putc(ob, '\n');
}

static void anomalies(struct wst_outbuf *ob, const struct wst_conn_report *r, bool open)
{
    for (size_t i = 0; i < r->n_anomalies; i++)
        anomaly_lines(ob, r->conn, &r->anomalies[i], open ? "still holding" : "still at the end");
}

/* --events in text: an anomaly as it is raised, under its connection's heading. */
static void text_anomaly(struct wst_emitter *e, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a)
{
    struct wst_outbuf *ob = e->out;
    struct wst_conn_view v;
    heading(ob, c, id, &v);
    wst_outbuf_putc(ob, '\n');
    anomaly_lines(ob, c, a, "still holding");
}


/* A connection's block: a finished one's, or (open) a snapshot of one still open. */
static void text_record(struct wst_emitter *e, const struct wst_conn_report *r, bool open)
{
    struct wst_outbuf *ob = e->out;
    const struct wst_conn *c = r->conn;
    const struct wst_timeline *tl = r->timeline;
    struct wst_conn_view v;
    heading(ob, c, r->id, &v);
    wst_outbuf_puts(ob, "  (");
    wst_outbuf_puts(ob, basis_text[c->client_basis]); /* 2 bits: every value has a text */
    wst_outbuf_puts(ob, ")\n   start ");
    wst_outbuf_utc(ob, c->first_ts_us);
    wst_outbuf_puts(ob, "  end ");
    wst_outbuf_utc(ob, c->last_ts_us);
    wst_outbuf_puts(ob, "  duration ");
    wst_outbuf_seconds(ob, c->last_ts_us - c->first_ts_us);
    wst_outbuf_puts(ob, " s\n");
    wst_outbuf_puts(ob, "   state  client ");
    wst_outbuf_puts(ob, wst_state_name((enum wst_tcp_state)c->ep[v.client].state));
    if (wst_conn_gave_up(c, v.client))
        wst_outbuf_puts(ob, " (gave up)"); /* fsm.c rule G */
    wst_outbuf_puts(ob, ", server ");
    wst_outbuf_puts(ob, wst_state_name((enum wst_tcp_state)c->ep[v.server].state));
    if (wst_conn_gave_up(c, v.server))
        wst_outbuf_puts(ob, " (gave up)");
    if (open) {
        wst_outbuf_puts(ob, "  (still open at ");
        wst_outbuf_utc(ob, r->end_us);
    } else {
        wst_outbuf_puts(ob, "  (ended: ");
        wst_outbuf_puts(ob, wst_end_reason_name((enum wst_end_reason)c->end_reason));
    }
    if (c->flags & WST_CONN_MIDSTREAM)
        wst_outbuf_puts(ob, "; started before the capture");
    wst_outbuf_puts(ob, ")\n");
    direction(ob, "client", c, v.client);
    direction(ob, "server", c, v.server);
    unsigned syn_rx = wst_conn_syn_retransmissions(c), fin_rx = wst_conn_fin_retransmissions(c);
    if (syn_rx || fin_rx) {
        wst_outbuf_puts(ob, "   retransmitted  ");
        wst_outbuf_u64(ob, syn_rx);
        wst_outbuf_puts(ob, syn_rx == 1 ? " SYN/SYN+ACK, " : " SYNs/SYN+ACKs, ");
        wst_outbuf_u64(ob, fin_rx);
        wst_outbuf_puts(ob, fin_rx == 1 ? " FIN\n" : " FINs\n");
    }
    if (tl) {
        syn_intervals(ob, c, tl, v.client, "client");
        syn_intervals(ob, c, tl, v.server, "server");
    }
    if (c->vlan[0]) {
        wst_outbuf_puts(ob, "   vlan ");
        wst_outbuf_u64(ob, c->vlan[0] - 1u);
        if (c->vlan[1]) {
            wst_outbuf_puts(ob, " (inner ");
            wst_outbuf_u64(ob, c->vlan[1] - 1u);
            wst_outbuf_putc(ob, ')');
        }
        wst_outbuf_putc(ob, '\n');
    }
    anomalies(ob, r, open);
    ladder(ob, c, tl);
    wst_outbuf_putc(ob, '\n');
}

static void text_conn(struct wst_emitter *e, const struct wst_conn_report *r)
{
    text_record(e, r, false);
}

static void text_snapshot(struct wst_emitter *e, const struct wst_conn_report *r)
{
    text_record(e, r, true);
}

/* "   label  name n, name n" for the non-zero statuses of a class. */
static void class_line(struct wst_outbuf *ob, const struct wst_summary *s, enum wst_decode_class cls,
                       const char *label)
{
    bool any = false;
    for (int st = 0; st < WST_DECODE__COUNT; st++) {
        uint64_t n = s->dispatch->by_status[st];
        if (wst_decode_status_class((enum wst_decode_status)st) != cls || n == 0)
            continue;
        wst_outbuf_puts(ob, any ? ", " : label);
        wst_outbuf_puts(ob, wst_decode_status_name((enum wst_decode_status)st));
        wst_outbuf_putc(ob, ' ');
        wst_outbuf_u64(ob, n);
        any = true;
    }
    if (any)
        wst_outbuf_putc(ob, '\n');
}

/*
 * The ss -tan view of the whole wire, for both ends of every connection
 * still open when the capture ended:
 *   open at end    client    server  state
 *                       3         3  ESTABLISHED
 */
static void open_states(struct wst_outbuf *ob, const struct wst_tracker_stats *ts)
{
    bool any = false;
    for (int st = 1; st < WST_ST__COUNT; st++) {
        if (!ts->open_states[0][st] && !ts->open_states[1][st])
            continue;
        if (!any)
            wst_outbuf_puts(ob, "   open at end    client    server  state\n");
        any = true;
        wst_outbuf_puts(ob, "              ");
        wst_outbuf_u64_width(ob, ts->open_states[0][st], 10);
        wst_outbuf_u64_width(ob, ts->open_states[1][st], 10);
        wst_outbuf_puts(ob, "  ");
        wst_outbuf_puts(ob, wst_state_name((enum wst_tcp_state)st));
        wst_outbuf_putc(ob, '\n');
    }
}

/* Findings of one kind shown in text; JSON has them all. */
#define TEXT_FINDINGS_PER_KIND 10

/*
 *   findings     2
 *      warning  close_wait_pileup  10.0.0.5:8080
 *               412 connections on 10.0.0.5:8080 stuck in CLOSE_WAIT ...
 */
static void findings(struct wst_outbuf *ob, const struct wst_summary *s)
{
    char buf[WST_EXPLAIN_FINDING_MAX];
    wst_outbuf_puts(ob, "   findings     ");
    if (s->n_findings)
        wst_outbuf_u64(ob, s->n_findings);
    else
        wst_outbuf_puts(ob, "none");
    wst_outbuf_putc(ob, '\n');
    unsigned shown[WST_FIND__COUNT] = {0};
    uint64_t hidden[WST_FIND__COUNT] = {0};
    for (size_t i = 0; i < s->n_findings; i++) {
        const struct wst_finding *x = &s->findings[i];
        if (shown[x->kind] == TEXT_FINDINGS_PER_KIND) {
            hidden[x->kind]++;
            continue;
        }
        shown[x->kind]++;
        wst_outbuf_puts(ob, x->severity == WST_SEV_WARNING ? "      warning  " : "      info     ");
        wst_outbuf_puts(ob, wst_finding_name((enum wst_finding_kind)x->kind));
        wst_outbuf_puts(ob, "  ");
        wst_finding_where(buf, x);
        wst_outbuf_puts(ob, buf);
        wst_outbuf_puts(ob, "\n               ");
        wst_explain_finding(buf, sizeof buf, x);
        wst_outbuf_puts(ob, buf);
        wst_outbuf_putc(ob, '\n');
    }
    for (int k = 0; k < WST_FIND__COUNT; k++) {
        if (!hidden[k])
            continue;
        wst_outbuf_puts(ob, "      ... and ");
        wst_outbuf_u64(ob, hidden[k]);
        wst_outbuf_puts(ob, " more ");
        wst_outbuf_puts(ob, wst_finding_name((enum wst_finding_kind)k));
        wst_outbuf_puts(ob, " (--format json lists them all)\n");
    }
    if (s->findings_untracked) {
        wst_outbuf_puts(ob, "      ");
        wst_outbuf_u64(ob, s->findings_untracked);
        wst_outbuf_puts(ob, " connections left out of the findings: more endpoints and hosts with something to "
                            "report than are followed in detail\n");
    }
}

static void text_summary(struct wst_emitter *e, const struct wst_summary *s)
{
    struct wst_outbuf *ob = e->out;
    const struct wst_dispatch_stats *ds = s->dispatch;
    const struct wst_tracker_stats *ts = s->tracker;
    uint64_t totals[WST_DC__COUNT];
    wst_summary_class_totals(s, totals);

    wst_outbuf_puts(ob, "summary\n   packets      ");
    wst_outbuf_u64(ob, wst_summary_total_packets(s));
    wst_outbuf_puts(ob, " total: ");
    wst_outbuf_u64(ob, totals[WST_DC_TCP]);
    wst_outbuf_puts(ob, " tcp, ");
    wst_outbuf_u64(ob, totals[WST_DC_OTHER]);
    wst_outbuf_puts(ob, " other, ");
    wst_outbuf_u64(ob, totals[WST_DC_NOT_DECODED]);
    wst_outbuf_puts(ob, " not decoded, ");
    wst_outbuf_u64(ob, totals[WST_DC_MALFORMED]);
    wst_outbuf_puts(ob, " malformed, ");
    wst_outbuf_u64(ob, totals[0]);
    wst_outbuf_puts(ob, " filtered out\n");
    class_line(ob, s, WST_DC_OTHER, "   other        ");
    class_line(ob, s, WST_DC_NOT_DECODED, "   not decoded  ");
    class_line(ob, s, WST_DC_MALFORMED, "   malformed    ");
    wst_outbuf_puts(ob, "   connections  ");
    wst_outbuf_u64(ob, ts->connections);
    bool any = false;
    for (int r = 1; r < WST_END__COUNT; r++) {
        if (!ts->by_end_reason[r])
            continue;
        wst_outbuf_puts(ob, any ? ", " : " (");
        wst_outbuf_u64(ob, ts->by_end_reason[r]);
        wst_outbuf_putc(ob, ' ');
        wst_outbuf_puts(ob, wst_end_reason_name((enum wst_end_reason)r));
        any = true;
    }
    wst_outbuf_puts(ob, any ? ")\n" : "\n");
    open_states(ob, ts);
    wst_outbuf_puts(ob, "   anomalies    ");
    wst_outbuf_u64(ob, ts->with_anomalies);
    wst_outbuf_puts(ob, ts->with_anomalies == 1 ? " connection" : " connections");
    any = false;
    for (int k = 0; k < WST_AN__COUNT; k++) {
        if (!ts->by_anomaly[k])
            continue;
        wst_outbuf_puts(ob, any ? ", " : ": ");
        wst_outbuf_puts(ob, wst_anomaly_name((enum wst_anomaly_kind)k));
        wst_outbuf_putc(ob, ' ');
        wst_outbuf_u64(ob, ts->by_anomaly[k]);
        any = true;
    }
    wst_outbuf_putc(ob, '\n');
    findings(ob, s);
    if (ds->packets) {
        wst_outbuf_puts(ob, "   capture      ");
        wst_outbuf_utc(ob, ds->first_ts_us);
        wst_outbuf_puts(ob, " to ");
        wst_outbuf_utc(ob, ds->now_us);
        wst_outbuf_puts(ob, " UTC (");
        wst_outbuf_seconds(ob, ds->now_us - ds->first_ts_us);
        wst_outbuf_puts(ob, " s)\n");
    }
    if (!s->complete)
        wst_outbuf_puts(ob, "   incomplete   reading stopped at an error (see the message on stderr)\n");
    if (s->capture.is_live) {
        wst_outbuf_puts(ob, "   kernel       ");
        wst_outbuf_u64(ob, s->capture.kernel_received);
        wst_outbuf_puts(ob, " received by filter, ");
        wst_outbuf_u64(ob, s->capture.kernel_dropped);
        wst_outbuf_puts(ob, " dropped by kernel, ");
        wst_outbuf_u64(ob, s->capture.interface_dropped);
        wst_outbuf_puts(ob, " dropped by interface\n");
    }
}

/* " STATE n, STATE n" of the states with any; false if none. */
static bool state_counts(struct wst_outbuf *ob, const uint64_t states[WST_ST__COUNT])
{
    bool any = false;
    for (int st = 1; st < WST_ST__COUNT; st++) {
        if (!states[st])
            continue;
        wst_outbuf_puts(ob, any ? ", " : " ");
        wst_outbuf_puts(ob, wst_state_name((enum wst_tcp_state)st));
        wst_outbuf_putc(ob, ' ');
        wst_outbuf_u64(ob, states[st]);
        any = true;
    }
    return any;
}

/*
 * A live capture's status, one line on stderr (the records keep standard
 * output, or -o's file):
 *   wirestate: 2026-12-02 17:00:01.000000 +10.000000 s: 1204 packets, 96512 bytes,
 *   kernel 1204 received 0 dropped; open 12 (client ESTABLISHED 9, TIME_WAIT 3;
 *   server ESTABLISHED 9, CLOSED 3); 3 begun, 2 ended, 1 anomaly, 0 evicted
 */
static void text_status(struct wst_emitter *e, const struct wst_status *s)
{
    static struct wst_outbuf ob; /* 64 KiB: not on the stack */
    struct wst_status_delta d;
    wst_status_delta(e, s, &d);
    wst_outbuf_init(&ob, stderr);
    wst_outbuf_puts(&ob, "wirestate: ");
    wst_outbuf_utc(&ob, s->at_us);
    wst_outbuf_puts(&ob, " +");
    wst_outbuf_seconds(&ob, s->at_us > d.since_us ? s->at_us - d.since_us : 0);
    wst_outbuf_puts(&ob, " s: ");
    wst_outbuf_u64(&ob, d.packets);
    wst_outbuf_puts(&ob, " packets, ");
    wst_outbuf_u64(&ob, d.bytes);
    wst_outbuf_puts(&ob, " bytes");
    if (s->capture.is_live) {
        wst_outbuf_puts(&ob, ", kernel ");
        wst_outbuf_u64(&ob, d.kernel_received);
        wst_outbuf_puts(&ob, " received ");
        wst_outbuf_u64(&ob, d.kernel_dropped + d.interface_dropped);
        wst_outbuf_puts(&ob, " dropped");
    }
    wst_outbuf_puts(&ob, "; open ");
    wst_outbuf_u64(&ob, s->open_connections);
    wst_outbuf_puts(&ob, " (client");
    if (!state_counts(&ob, s->open_states[0]))
        wst_outbuf_puts(&ob, " none");
    wst_outbuf_puts(&ob, "; server");
    if (!state_counts(&ob, s->open_states[1]))
        wst_outbuf_puts(&ob, " none");
    wst_outbuf_puts(&ob, "); ");
    wst_outbuf_u64(&ob, d.begun);
    wst_outbuf_puts(&ob, " begun, ");
    wst_outbuf_u64(&ob, d.ended);
    wst_outbuf_puts(&ob, " ended, ");
    wst_outbuf_u64(&ob, d.anomalies);
    wst_outbuf_puts(&ob, d.anomalies == 1 ? " anomaly, " : " anomalies, ");
    wst_outbuf_u64(&ob, d.evicted);
    wst_outbuf_puts(&ob, " evicted\n");
    if (wst_outbuf_flush(&ob) < 0)
        return; /* stderr gone: nothing to tell it with */
}

const struct wst_emitter_class wst_emitter_text = {
    .name = "text",
    .anomaly = text_anomaly,
    .conn = text_conn,
    .snapshot = text_snapshot,
    .status = text_status,
    .event = text_event,
    .summary = text_summary,
};
