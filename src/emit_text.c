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
    wst_outbuf_u64_width(ob, c->packets[i], 10);
    wst_outbuf_puts(ob, c->packets[i] == 1 ? " packet " : " packets");
    wst_outbuf_u64_width(ob, c->payload_bytes[i], 12);
    wst_outbuf_puts(ob, " payload bytes   ");
    flags_words(ob, c->tcp_flags[i]);
    wst_outbuf_putc(ob, '\n');
}

static void text_conn(struct wst_outbuf *ob, const struct wst_conn *c)
{
    struct wst_conn_view v;
    wst_conn_view_init(&v, c);
    wst_outbuf_putc(ob, '#');
    wst_outbuf_u64(ob, c->id);
    wst_outbuf_putc(ob, ' ');
    wst_outbuf_puts(ob, v.client_text);
    wst_outbuf_puts(ob, " -> ");
    wst_outbuf_puts(ob, v.server_text);
    wst_outbuf_puts(ob, "  (");
    wst_outbuf_puts(ob, basis_text[c->client_basis < WST_CLIENT__COUNT ? c->client_basis : 0]);
    wst_outbuf_puts(ob, ")\n   start ");
    wst_outbuf_utc(ob, c->first_ts_us);
    wst_outbuf_puts(ob, "  end ");
    wst_outbuf_utc(ob, c->last_ts_us);
    wst_outbuf_puts(ob, "  duration ");
    wst_outbuf_seconds(ob, c->last_ts_us - c->first_ts_us);
    wst_outbuf_puts(ob, " s\n");
    direction(ob, "client", c, v.client);
    direction(ob, "server", c, v.server);
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
    wst_outbuf_putc(ob, '\n');
}

/* "   label  name n, name n" for the non-zero statuses of a class. */
static void class_line(struct wst_outbuf *ob, const struct wst_summary *s, enum wst_decode_class cls,
                       const char *label)
{
    bool any = false;
    for (int st = 0; st < WST_DECODE__COUNT; st++) {
        uint64_t n = s->tracker->by_status[st];
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

static void text_summary(struct wst_outbuf *ob, const struct wst_summary *s)
{
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
    wst_outbuf_putc(ob, '\n');
    if (ts->packets) {
        wst_outbuf_puts(ob, "   capture      ");
        wst_outbuf_utc(ob, ts->first_ts_us);
        wst_outbuf_puts(ob, " to ");
        wst_outbuf_utc(ob, ts->now_us);
        wst_outbuf_puts(ob, " UTC (");
        wst_outbuf_seconds(ob, ts->now_us - ts->first_ts_us);
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

const struct wst_emitter wst_emitter_text = {
    .name = "text",
    .conn = text_conn,
    .summary = text_summary,
};
