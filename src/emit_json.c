/*
 * emit_json.c - JSON Lines: one object per connection, then one summary.
 *
 * The schema is docs/wirestate.schema.json, described in docs/output.md.
 * Keys come in a fixed order and numbers are printed by hand, so the same
 * input gives byte-identical output. Timestamps are epoch seconds with
 * exactly six decimals (the microsecond capture timestamps, unrounded).
 */
#include "wirestate/emit.h"
#include "wirestate/findings.h"

#include <string.h>

#include "wirestate/explain.h"

/* ,"key": (keys are literals or static strings: their length is known once) */
static void key_n(struct wst_outbuf *ob, const char *k, size_t len)
{
    char buf[64];
    if (len > sizeof buf - 4) {
        wst_outbuf_puts(ob, ",\"");
        wst_outbuf_write(ob, k, len);
        wst_outbuf_puts(ob, "\":");
        return;
    }
    buf[0] = ',';
    buf[1] = '"';
    memcpy(buf + 2, k, len);
    buf[len + 2] = '"';
    buf[len + 3] = ':';
    wst_outbuf_write(ob, buf, len + 4);
}

static void key(struct wst_outbuf *ob, const char *k)
{
    key_n(ob, k, strlen(k));
}

static void key_u64(struct wst_outbuf *ob, const char *k, uint64_t v)
{
    key(ob, k);
    wst_outbuf_u64(ob, v);
}

static void key_seconds(struct wst_outbuf *ob, const char *k, uint64_t us)
{
    key(ob, k);
    wst_outbuf_seconds(ob, us);
}

/* The JSON array of flag names at p; returns its length (at most 56). */
static size_t fmt_flags(char *p, uint8_t flags)
{
    size_t n = 0;
    p[n++] = '[';
#define WST_JSON_FLAG(bit, name)                       \
    if (flags & (bit)) {                               \
        memcpy(p + n, ",\"" name "\"", sizeof name + 2); \
        n += sizeof name + 2;                          \
    }
    WST_TCP_FLAG_MAP(WST_JSON_FLAG)
#undef WST_JSON_FLAG
    if (n > 1)
        memmove(p + 1, p + 2, --n - 1); /* drop the first comma */
    p[n++] = ']';
    return n;
}

/* Appends a NUL-terminated string at q; returns the new end. */
static char *put_str(char *q, const char *s)
{
    size_t n = strlen(s);
    memcpy(q, s, n);
    return q + n;
}

/* Appends a string literal at q. */
#define LIT(q, s) (memcpy((q), (s), sizeof(s) - 1), (q) += sizeof(s) - 1)

/* The longest conn record without its timeline, and the longest event. */
#define CONN_RECORD_MAX 1024
#define EVENT_MAX 512

/* The fields of one event, without braces; returns the new end. */
static char *fmt_event_fields(char *q, const struct wst_conn *c, const struct wst_tl_event *ev)
{
    int cl = c->client, sv = !c->client;
    LIT(q, "\"ts\":");
    q += wst_fmt_seconds(q, ev->ts_us);
    LIT(q, ",\"t\":");
    q += wst_fmt_seconds(q, ev->ts_us > c->first_ts_us ? ev->ts_us - c->first_ts_us : 0);
    if (ev->from == cl)
        LIT(q, ",\"dir\":\"c2s\",\"flags\":");
    else
        LIT(q, ",\"dir\":\"s2c\",\"flags\":");
    q += fmt_flags(q, ev->flags);
    LIT(q, ",\"seq\":");
    q += wst_fmt_u64(q, wst_emit_rel_seq(c, ev->from, ev->seq));
    LIT(q, ",\"ack\":");
    q += wst_fmt_u64(q, (ev->flags & WST_TH_ACK) ? wst_emit_rel_ack(c, ev->from, ev->ack) : 0);
    LIT(q, ",\"len\":");
    q += wst_fmt_u64(q, ev->payload_len);
    LIT(q, ",\"client_state\":\"");
    q = put_str(q, wst_state_name((enum wst_tcp_state)ev->state[cl]));
    LIT(q, "\",\"server_state\":\"");
    q = put_str(q, wst_state_name((enum wst_tcp_state)ev->state[sv]));
    LIT(q, "\",\"why\":[");
    bool first = true;
    for (unsigned bit = 1; bit < 0x100; bit <<= 1) {
        if (!(ev->why & bit))
            continue;
        if (!first)
            *q++ = ',';
        *q++ = '"';
        q = put_str(q, wst_tl_why_name(bit));
        *q++ = '"';
        first = false;
    }
    *q++ = ']';
    return q;
}

static void json_timeline(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_timeline *tl)
{
    size_t n = wst_timeline_count(tl), gap = wst_timeline_gap_at(tl);
    wst_outbuf_puts(ob, ",\"timeline\":[");
    for (size_t i = 0; i < n; i++) {
        char *start = wst_outbuf_space(ob, EVENT_MAX), *q = start;
        if (i)
            *q++ = ',';
        *q++ = '{';
        q = fmt_event_fields(q, c, wst_timeline_get(tl, i));
        *q++ = '}';
        ob->len += (size_t)(q - start);
    }
    wst_outbuf_putc(ob, ']');
    if (wst_timeline_skipped(tl)) {
        wst_outbuf_puts(ob, ",\"timeline_skipped\":");
        wst_outbuf_u64(ob, wst_timeline_skipped(tl));
        wst_outbuf_puts(ob, ",\"timeline_gap\":");
        wst_outbuf_u64(ob, gap);
    }
}

/*
 * ,"client":"a:p","server":"b:p" (endpoint texts are digits, dots, colons,
 * hex and brackets: no escaping); returns the new end.
 */
static char *fmt_endpoints(char *q, const struct wst_conn *c)
{
    int cl = c->client, sv = !c->client;
    size_t alen = wst_conn_addr_len(c);
    LIT(q, ",\"client\":\"");
    q += wst_endpoint_format_raw(q, c->family, c->addr + cl * alen, c->port[cl]);
    LIT(q, "\",\"server\":\"");
    q += wst_endpoint_format_raw(q, c->family, c->addr + sv * alen, c->port[sv]);
    *q++ = '"';
    return q;
}

/* One line per event as it happens (--events). */
static void json_event(struct wst_emitter *e, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    struct wst_outbuf *ob = e->out;
    char *start = wst_outbuf_space(ob, EVENT_MAX + 160), *q = start;
    LIT(q, "{\"type\":\"event\",\"conn\":");
    q += wst_fmt_u64(q, id);
    q = fmt_endpoints(q, c);
    *q++ = ',';
    q = fmt_event_fields(q, c, ev);
    LIT(q, "}\n");
    ob->len += (size_t)(q - start);
}

/* ,"name":[seconds,...] when the endpoint sent a SYN again; nothing otherwise. */
static void syn_intervals(struct wst_outbuf *ob, const struct wst_timeline *tl, int endpoint, const char *name)
{
    struct wst_syn_intervals it = {0};
    wst_ts_us us;
    bool first = true;
    while (wst_emit_syn_interval_next(tl, endpoint, &it, &us)) {
        if (first)
            key(ob, name);
        wst_outbuf_putc(ob, first ? '[' : ',');
        wst_outbuf_seconds(ob, us);
        first = false;
    }
    if (!first)
        wst_outbuf_putc(ob, ']');
}

static const char *role(const struct wst_conn *c, int endpoint)
{
    return endpoint == c->client ? "client" : "server";
}

/* ,"flags":[...] */
static void key_flags(struct wst_outbuf *ob, const char *k, uint8_t flags)
{
    char buf[64];
    key(ob, k);
    wst_outbuf_write(ob, buf, fmt_flags(buf, flags));
}

/* ,"icmp":{"type":3,"code":13,"reason":"...","from":"192.0.2.1"} */
static void key_icmp(struct wst_outbuf *ob, uint8_t family, uint8_t type, uint8_t code, const struct wst_addr *from)
{
    char s[WST_ENDPOINT_STRLEN];
    wst_outbuf_puts(ob, ",\"icmp\":{\"type\":");
    wst_outbuf_u64(ob, type);
    key_u64(ob, "code", code);
    key(ob, "reason");
    wst_outbuf_json_string(ob, wst_explain_unreach(family, code));
    wst_addr_format(s, family, from->b);
    key(ob, "from");
    wst_outbuf_json_string(ob, s);
    wst_outbuf_putc(ob, '}');
}

/* The fields only some kinds have (the table in docs/output.md). */
static void anomaly_extras(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_anomaly *a)
{
    switch ((enum wst_anomaly_kind)a->kind) {
    case WST_AN_SYN_UNANSWERED:
        key(ob, "answered");
        wst_outbuf_puts(ob, a->detail[0] != WST_ANSWER_NONE ? "true" : "false");
        break;
    case WST_AN_HANDSHAKE_INCOMPLETE:
        key(ob, "client_state");
        wst_outbuf_json_string(ob, wst_state_name((enum wst_tcp_state)a->detail[0]));
        break;
    case WST_AN_PORT_REUSE:
        key(ob, "time_wait_endpoint");
        wst_outbuf_json_string(ob, role(c, a->detail[0]));
        key_seconds(ob, "time_wait_left", (uint64_t)a->value[0] * 1000);
        break;
    case WST_AN_INVALID_FLAGS:
        key_flags(ob, "flags", a->detail[0]);
        break;
    case WST_AN_UNREACHABLE:
        key_icmp(ob, c->family, a->detail[0], a->detail[1], &a->addr);
        break;
    case WST_AN_RETRANSMISSION_STALL:
        key_seconds(ob, "longest_gap", (uint64_t)a->value[0] * 1000);
        break;
    case WST_AN_DATA_AFTER_CLOSE:
        key_u64(ob, "bytes", a->value[0]);
        key(ob, "after");
        wst_outbuf_puts(ob, a->detail[0] == WST_AFTER_RST ? "\"rst\"" : "\"fin\"");
        break;
    case WST_AN_RST_ABORT: {
        int e = a->endpoint;
        int cl = c->client;
        /* detail/value are (sender, receiver); shown by role. */
        uint8_t st_c = e == cl ? a->detail[0] : a->detail[1], st_s = e == cl ? a->detail[1] : a->detail[0];
        uint32_t un_c = e == cl ? a->value[0] : a->value[1], un_s = e == cl ? a->value[1] : a->value[0];
        wst_outbuf_puts(ob, ",\"states_before\":{\"client\":");
        wst_outbuf_json_string(ob, wst_state_name((enum wst_tcp_state)st_c));
        wst_outbuf_puts(ob, ",\"server\":");
        wst_outbuf_json_string(ob, wst_state_name((enum wst_tcp_state)st_s));
        wst_outbuf_puts(ob, "},\"unacked_bytes\":{\"client\":");
        wst_outbuf_u64(ob, un_c);
        key_u64(ob, "server", un_s);
        wst_outbuf_putc(ob, '}');
        break;
    }
    default:
        break;
    }
}

/* An anomaly's fields, "kind" to "diagnosis", without braces. */
static void anomaly_fields(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_anomaly *a)
{
    char diag[WST_EXPLAIN_ANOMALY_MAX];
    wst_outbuf_puts(ob, "\"kind\":");
    wst_outbuf_json_string(ob, wst_anomaly_name((enum wst_anomaly_kind)a->kind));
    key(ob, "endpoint");
    wst_outbuf_json_string(ob, role(c, a->endpoint));
    key_seconds(ob, "since", a->since_us);
    key_seconds(ob, "duration", a->until_us > a->since_us ? a->until_us - a->since_us : 0);
    key(ob, "ongoing");
    wst_outbuf_puts(ob, a->ongoing ? "true" : "false");
    key_u64(ob, "count", a->count);
    anomaly_extras(ob, c, a);
    wst_explain_anomaly(diag, sizeof diag, c, a);
    key(ob, "diagnosis");
    wst_outbuf_json_string(ob, diag);
}

/* ,"anomalies":[{...},...] */
static void json_anomalies(struct wst_outbuf *ob, const struct wst_conn_report *r)
{
    wst_outbuf_puts(ob, ",\"anomalies\":[");
    for (size_t i = 0; i < r->n_anomalies; i++) {
        wst_outbuf_puts(ob, i ? ",{" : "{");
        anomaly_fields(ob, r->conn, &r->anomalies[i]);
        wst_outbuf_putc(ob, '}');
    }
    wst_outbuf_putc(ob, ']');
}

/* --events: an anomaly as it is raised, {"type":"anomaly","conn":ID,...}. */
static void json_anomaly(struct wst_emitter *e, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a)
{
    struct wst_outbuf *ob = e->out;
    char *start = wst_outbuf_space(ob, 160), *q = start;
    LIT(q, "{\"type\":\"anomaly\",\"conn\":");
    q += wst_fmt_u64(q, id);
    q = fmt_endpoints(q, c);
    *q++ = ',';
    ob->len += (size_t)(q - start);
    anomaly_fields(ob, c, a);
    wst_outbuf_puts(ob, "}\n");
}

/*
 * A whole record formatted straight into the output buffer (the hot path):
 * a finished connection's ("conn"), or a snapshot of one still open
 * ("open": no end reason yet).
 */
static void json_record(struct wst_emitter *e, const struct wst_conn_report *r, bool open)
{
    struct wst_outbuf *ob = e->out;
    const struct wst_conn *c = r->conn;
    const struct wst_timeline *tl = r->timeline;
    char *start = wst_outbuf_space(ob, CONN_RECORD_MAX), *q = start;
    int cl = c->client, sv = !c->client;

    if (open)
        LIT(q, "{\"type\":\"open\",\"id\":");
    else
        LIT(q, "{\"type\":\"conn\",\"id\":");
    q += wst_fmt_u64(q, r->id);
    q = fmt_endpoints(q, c);
    if (c->client_basis == WST_CLIENT_PORTS)
        LIT(q, ",\"client_guessed\":true,\"client_basis\":\"");
    else
        LIT(q, ",\"client_guessed\":false,\"client_basis\":\"");
    q = put_str(q, wst_client_basis_name((enum wst_client_basis)c->client_basis));
    LIT(q, "\",\"start\":");
    q += wst_fmt_seconds(q, c->first_ts_us);
    LIT(q, ",\"end\":");
    q += wst_fmt_seconds(q, c->last_ts_us);
    LIT(q, ",\"duration\":");
    q += wst_fmt_seconds(q, c->last_ts_us - c->first_ts_us);
    LIT(q, ",\"client_state\":\"");
    q = put_str(q, wst_state_name((enum wst_tcp_state)c->ep[cl].state));
    LIT(q, "\",\"server_state\":\"");
    q = put_str(q, wst_state_name((enum wst_tcp_state)c->ep[sv].state));
    *q++ = '"';
    if (!open) {
        LIT(q, ",\"end_reason\":\"");
        q = put_str(q, wst_end_reason_name((enum wst_end_reason)c->end_reason));
        *q++ = '"';
    }
    /* Only when an endpoint gave up its connection attempt (fsm.c rule G). */
    if (wst_conn_gave_up(c, cl) && wst_conn_gave_up(c, sv))
        LIT(q, ",\"gave_up\":\"both\"");
    else if (wst_conn_gave_up(c, cl))
        LIT(q, ",\"gave_up\":\"client\"");
    else if (wst_conn_gave_up(c, sv))
        LIT(q, ",\"gave_up\":\"server\"");
    if (c->flags & WST_CONN_MIDSTREAM)
        LIT(q, ",\"midstream\":true");
    else
        LIT(q, ",\"midstream\":false");
    LIT(q, ",\"syn_retransmissions\":");
    q += wst_fmt_u64(q, wst_conn_syn_retransmissions(c));
    LIT(q, ",\"fin_retransmissions\":");
    q += wst_fmt_u64(q, wst_conn_fin_retransmissions(c));
    LIT(q, ",\"client_packets\":");
    q += wst_fmt_u64(q, wst_conn_packets(c, cl));
    LIT(q, ",\"client_bytes\":");
    q += wst_fmt_u64(q, c->payload_bytes[cl]);
    LIT(q, ",\"client_flags\":");
    q += fmt_flags(q, c->tcp_flags[cl]);
    LIT(q, ",\"server_packets\":");
    q += wst_fmt_u64(q, wst_conn_packets(c, sv));
    LIT(q, ",\"server_bytes\":");
    q += wst_fmt_u64(q, c->payload_bytes[sv]);
    LIT(q, ",\"server_flags\":");
    q += fmt_flags(q, c->tcp_flags[sv]);
    if (c->vlan[0]) {
        LIT(q, ",\"vlan\":");
        q += wst_fmt_u64(q, c->vlan[0] - 1u);
    }
    if (c->vlan[1]) {
        LIT(q, ",\"inner_vlan\":");
        q += wst_fmt_u64(q, c->vlan[1] - 1u);
    }
    if (tl) {
        if (wst_emit_seq_relative(c))
            LIT(q, ",\"seq_relative\":true");
        else
            LIT(q, ",\"seq_relative\":false");
    }
    ob->len += (size_t)(q - start);
    json_anomalies(ob, r);
    if (tl) {
        syn_intervals(ob, tl, cl, "client_syn_intervals");
        syn_intervals(ob, tl, sv, "server_syn_intervals");
        json_timeline(ob, c, tl);
    }
    wst_outbuf_puts(ob, "}\n");
}

static void json_conn(struct wst_emitter *e, const struct wst_conn_report *r)
{
    json_record(e, r, false);
}

static void json_snapshot(struct wst_emitter *e, const struct wst_conn_report *r)
{
    json_record(e, r, true);
}

/* "name":{"status":n,...} for every status of one class, zeros included. */
static void class_object(struct wst_outbuf *ob, const struct wst_summary *s, enum wst_decode_class cls)
{
    bool first = true;
    key(ob, wst_decode_class_name(cls));
    wst_outbuf_putc(ob, '{');
    for (int st = 0; st < WST_DECODE__COUNT; st++) {
        if (wst_decode_status_class((enum wst_decode_status)st) != cls)
            continue;
        if (!first)
            wst_outbuf_putc(ob, ',');
        first = false;
        wst_outbuf_json_string(ob, wst_decode_status_name((enum wst_decode_status)st));
        wst_outbuf_putc(ob, ':');
        wst_outbuf_u64(ob, s->dispatch->by_status[st]);
    }
    wst_outbuf_putc(ob, '}');
}

/* One finding of the summary's "findings" array (docs/output.md, "Findings"). */
static void finding_object(struct wst_outbuf *ob, const struct wst_finding *x)
{
    char buf[WST_EXPLAIN_FINDING_MAX];
    wst_outbuf_puts(ob, "{\"kind\":");
    wst_outbuf_json_string(ob, wst_finding_name((enum wst_finding_kind)x->kind));
    key(ob, "severity");
    wst_outbuf_json_string(ob, wst_severity_name((enum wst_severity)x->severity));
    key(ob, x->host ? "host" : "endpoint");
    wst_finding_where(buf, x);
    wst_outbuf_json_string(ob, buf);
    key(ob, "role");
    wst_outbuf_json_string(ob, x->role == WST_ROLE_SERVER ? "server" : "client");
    key_u64(ob, "connections", x->connections);
    key_u64(ob, "peers", x->peers);
    key(ob, "peers_at_least");
    wst_outbuf_puts(ob, x->peers_at_least ? "true" : "false");
    key_seconds(ob, "since", x->since_us);
    key_seconds(ob, "until", x->until_us);
    switch ((enum wst_finding_kind)x->kind) {
    case WST_FIND_SYN_FLOOD:
        key_u64(ob, "unanswered", x->unanswered);
        key_u64(ob, "synack_unacked", x->synack_unacked);
        key_seconds(ob, "spread", x->spread_us);
        key_u64(ob, "retried", x->retried);
        key_u64(ob, "attempts", x->attempts);
        key_u64(ob, "completed", x->completed);
        break;
    case WST_FIND_UNREACHABLE_SERVICE:
        key_u64(ob, "unanswered", x->unanswered);
        key_u64(ob, "refused", x->refused);
        key_u64(ob, "unreachable", x->unreachable);
        if (x->unreachable)
            key_icmp(ob, x->family, x->icmp_type, x->icmp_code, &x->icmp_from);
        key_u64(ob, "attempts", x->attempts);
        key_u64(ob, "completed", x->completed);
        break;
    case WST_FIND_CLOSE_WAIT_PILEUP:
        key_u64(ob, "ongoing", x->ongoing);
        key_seconds(ob, "longest", x->longest_us);
        break;
    case WST_FIND_TIME_WAIT:
        key_u64(ob, "as_client", x->as_client);
        key_u64(ob, "as_server", x->as_server);
        key_seconds(ob, "time_wait", x->longest_us);
        if (x->as_client && x->peak) {
            wst_endpoint_format(buf, x->family, &x->dest_addr, x->dest_port);
            wst_outbuf_puts(ob, ",\"busiest\":{\"server\":");
            wst_outbuf_json_string(ob, buf);
            key_u64(ob, "peak", x->peak);
            key_seconds(ob, "at", x->peak_us);
            wst_outbuf_putc(ob, '}');
            key_u64(ob, "ephemeral_ports", x->ports);
        }
        break;
    default:
        break;
    }
    key(ob, "diagnosis");
    wst_explain_finding(buf, sizeof buf, x);
    wst_outbuf_json_string(ob, buf);
    wst_outbuf_putc(ob, '}');
}

static void json_summary(struct wst_emitter *e, const struct wst_summary *s)
{
    struct wst_outbuf *ob = e->out;
    const struct wst_dispatch_stats *ds = s->dispatch;
    const struct wst_tracker_stats *ts = s->tracker;
    uint64_t totals[WST_DC__COUNT];
    wst_summary_class_totals(s, totals);

    wst_outbuf_puts(ob, "{\"type\":\"summary\",\"packets\":{\"total\":");
    wst_outbuf_u64(ob, wst_summary_total_packets(s));
    for (int cls = WST_DC_TCP; cls < WST_DC__COUNT; cls++)
        key_u64(ob, wst_decode_class_name((enum wst_decode_class)cls), totals[cls]);
    key_u64(ob, "filtered", totals[0]);
    wst_outbuf_putc(ob, '}');
    for (int cls = WST_DC_OTHER; cls < WST_DC__COUNT; cls++)
        class_object(ob, s, (enum wst_decode_class)cls);
    key_u64(ob, "connections", ts->connections);
    key(ob, "end_reasons");
    for (int r = 1; r < WST_END__COUNT; r++) {
        wst_outbuf_putc(ob, r == 1 ? '{' : ',');
        wst_outbuf_json_string(ob, wst_end_reason_name((enum wst_end_reason)r));
        wst_outbuf_putc(ob, ':');
        wst_outbuf_u64(ob, ts->by_end_reason[r]);
    }
    wst_outbuf_putc(ob, '}');

    /* The ss view of the whole wire at the end of the capture. */
    key(ob, "open_states");
    for (int r = 0; r < 2; r++) {
        wst_outbuf_puts(ob, r == 0 ? "{\"client\":{" : "},\"server\":{");
        bool first = true;
        for (int st = 1; st < WST_ST__COUNT; st++) {
            if (!ts->open_states[r][st])
                continue;
            if (!first)
                wst_outbuf_putc(ob, ',');
            first = false;
            wst_outbuf_json_string(ob, wst_state_name((enum wst_tcp_state)st));
            wst_outbuf_putc(ob, ':');
            wst_outbuf_u64(ob, ts->open_states[r][st]);
        }
    }
    wst_outbuf_puts(ob, "}}");
    key_u64(ob, "with_anomalies", ts->with_anomalies);
    key(ob, "anomalies");
    for (int k = 0; k < WST_AN__COUNT; k++) {
        wst_outbuf_putc(ob, k == 0 ? '{' : ',');
        wst_outbuf_json_string(ob, wst_anomaly_name((enum wst_anomaly_kind)k));
        wst_outbuf_putc(ob, ':');
        wst_outbuf_u64(ob, ts->by_anomaly[k]);
    }
    wst_outbuf_putc(ob, '}');
    key(ob, "findings");
    wst_outbuf_putc(ob, '[');
    for (size_t i = 0; i < s->n_findings; i++) {
        if (i)
            wst_outbuf_putc(ob, ',');
        finding_object(ob, &s->findings[i]);
    }
    wst_outbuf_putc(ob, ']');
    key_u64(ob, "findings_untracked", s->findings_untracked);

    key(ob, "capture");
    wst_outbuf_puts(ob, "{\"start\":");
    if (ds->packets) {
        wst_outbuf_seconds(ob, ds->first_ts_us);
        key_seconds(ob, "end", ds->now_us);
        key_seconds(ob, "duration", ds->now_us - ds->first_ts_us);
    } else {
        wst_outbuf_puts(ob, "null,\"end\":null,\"duration\":null");
    }
    key(ob, "complete");
    wst_outbuf_puts(ob, s->complete ? "true" : "false");
    wst_outbuf_putc(ob, '}');

    if (s->capture.is_live) {
        key(ob, "kernel");
        wst_outbuf_puts(ob, "{\"received\":");
        wst_outbuf_u64(ob, s->capture.kernel_received);
        key_u64(ob, "dropped", s->capture.kernel_dropped);
        key_u64(ob, "interface_dropped", s->capture.interface_dropped);
        wst_outbuf_putc(ob, '}');
    }
    wst_outbuf_puts(ob, "}\n");
}

/* ,"name":{"STATE":n,...} of the states with any. */
static void states_object(struct wst_outbuf *ob, const char *name, const uint64_t states[WST_ST__COUNT])
{
    key(ob, name);
    wst_outbuf_putc(ob, '{');
    bool first = true;
    for (int st = 1; st < WST_ST__COUNT; st++) {
        if (!states[st])
            continue;
        if (!first)
            wst_outbuf_putc(ob, ',');
        first = false;
        wst_outbuf_json_string(ob, wst_state_name((enum wst_tcp_state)st));
        wst_outbuf_putc(ob, ':');
        wst_outbuf_u64(ob, states[st]);
    }
    wst_outbuf_putc(ob, '}');
}

/* A live capture's status (docs/output.md, "Status"): the interval's counts, then totals. */
static void json_status(struct wst_emitter *e, const struct wst_status *s)
{
    struct wst_outbuf *ob = e->out;
    struct wst_status_delta d;
    wst_status_delta(e, s, &d);
    wst_outbuf_puts(ob, "{\"type\":\"status\",\"time\":");
    wst_outbuf_seconds(ob, s->at_us);
    key_seconds(ob, "interval", s->at_us > d.since_us ? s->at_us - d.since_us : 0);
    key_u64(ob, "packets", d.packets);
    key_u64(ob, "bytes", d.bytes);
    key_u64(ob, "connections_begun", d.begun);
    key_u64(ob, "connections_ended", d.ended);
    key_u64(ob, "anomalies", d.anomalies);
    key_u64(ob, "evictions", d.evicted);
    if (s->capture.is_live) {
        wst_outbuf_puts(ob, ",\"kernel\":{\"received\":");
        wst_outbuf_u64(ob, d.kernel_received);
        key_u64(ob, "dropped", d.kernel_dropped);
        key_u64(ob, "interface_dropped", d.interface_dropped);
        key_u64(ob, "received_total", s->capture.kernel_received);
        key_u64(ob, "dropped_total", s->capture.kernel_dropped);
        key_u64(ob, "interface_dropped_total", s->capture.interface_dropped);
        wst_outbuf_putc(ob, '}');
    }
    wst_outbuf_puts(ob, ",\"open\":{\"connections\":");
    wst_outbuf_u64(ob, s->open_connections);
    states_object(ob, "client", s->open_states[0]);
    states_object(ob, "server", s->open_states[1]);
    wst_outbuf_puts(ob, "},\"total\":{\"packets\":");
    wst_outbuf_u64(ob, s->dispatch->packets);
    key_u64(ob, "bytes", s->dispatch->bytes);
    key_u64(ob, "connections_begun", s->tracker->connections);
    key_u64(ob, "connections_ended", s->tracker->ended);
    key_u64(ob, "anomalies", s->tracker->raised);
    key_u64(ob, "evictions", s->tracker->evicted);
    wst_outbuf_puts(ob, "}}\n");
}

const struct wst_emitter_class wst_emitter_json = {
    .name = "json",
    .anomaly = json_anomaly,
    .conn = json_conn,
    .snapshot = json_snapshot,
    .status = json_status,
    .event = json_event,
    .summary = json_summary,
};
