/*
 * emit_json.c - JSON Lines: one object per connection, then one summary.
 *
 * The schema is docs/wirestate.schema.json, described in docs/output.md.
 * Keys come in a fixed order and numbers are printed by hand, so the same
 * input gives byte-identical output. Timestamps are epoch seconds with
 * exactly six decimals (the microsecond capture timestamps, unrounded).
 */
#include "wirestate/emit.h"

#include <string.h>

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

/* "text" for text that needs no JSON escaping. */
static void quoted(struct wst_outbuf *ob, const char *text)
{
    wst_outbuf_putc(ob, '"');
    wst_outbuf_puts(ob, text);
    wst_outbuf_putc(ob, '"');
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

static void flags_array(struct wst_outbuf *ob, uint8_t flags)
{
    bool first = true;
    wst_outbuf_putc(ob, '[');
#define WST_JSON_FLAG(bit, name)          \
    if (flags & (bit)) {                  \
        if (!first)                       \
            wst_outbuf_putc(ob, ',');     \
        wst_outbuf_puts(ob, "\"" name "\""); \
        first = false;                    \
    }
    WST_TCP_FLAG_MAP(WST_JSON_FLAG)
#undef WST_JSON_FLAG
    wst_outbuf_putc(ob, ']');
}

/* Keys of one direction: sent by the client, or by the server. */
struct dir_keys {
    const char *packets, *bytes, *flags;
};
static const struct dir_keys client_keys = {"client_packets", "client_bytes", "client_flags"};
static const struct dir_keys server_keys = {"server_packets", "server_bytes", "server_flags"};

static void direction(struct wst_outbuf *ob, const struct dir_keys *k, const struct wst_conn *c, int i)
{
    key_u64(ob, k->packets, c->packets[i]);
    key_u64(ob, k->bytes, c->payload_bytes[i]);
    key(ob, k->flags);
    flags_array(ob, c->tcp_flags[i]);
}

static void json_conn(struct wst_outbuf *ob, const struct wst_conn *c)
{
    struct wst_conn_view v;
    wst_conn_view_init(&v, c);
    wst_outbuf_puts(ob, "{\"type\":\"conn\"");
    key_u64(ob, "id", c->id);
    /* Endpoint texts are digits, dots, colons, hex and brackets: no escaping. */
    key(ob, "client");
    quoted(ob, v.client_text);
    key(ob, "server");
    quoted(ob, v.server_text);
    key(ob, "client_guessed");
    wst_outbuf_puts(ob, c->client_basis == WST_CLIENT_PORTS ? "true" : "false");
    key(ob, "client_basis");
    quoted(ob, wst_client_basis_name((enum wst_client_basis)c->client_basis));
    key_seconds(ob, "start", c->first_ts_us);
    key_seconds(ob, "end", c->last_ts_us);
    key_seconds(ob, "duration", c->last_ts_us - c->first_ts_us);
    direction(ob, &client_keys, c, v.client);
    direction(ob, &server_keys, c, v.server);
    if (c->vlan[0])
        key_u64(ob, "vlan", c->vlan[0] - 1u);
    if (c->vlan[1])
        key_u64(ob, "inner_vlan", c->vlan[1] - 1u);
    wst_outbuf_puts(ob, "}\n");
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
        wst_outbuf_u64(ob, s->tracker->by_status[st]);
    }
    wst_outbuf_putc(ob, '}');
}

static void json_summary(struct wst_outbuf *ob, const struct wst_summary *s)
{
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

    key(ob, "capture");
    wst_outbuf_puts(ob, "{\"start\":");
    if (ts->packets) {
        wst_outbuf_seconds(ob, ts->first_ts_us);
        key_seconds(ob, "end", ts->now_us);
        key_seconds(ob, "duration", ts->now_us - ts->first_ts_us);
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

const struct wst_emitter wst_emitter_json = {
    .name = "json",
    .conn = json_conn,
    .summary = json_summary,
};
