/*
 * emit.c - the emitter registry, emitter objects as the pipeline's last
 * stage, and what the formats share.
 */
#include "wirestate/emit.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static const struct wst_emitter_class *const classes[] = {
    &wst_emitter_text,
    &wst_emitter_json,
};

const struct wst_emitter_class *wst_emit_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strcmp(classes[i]->name, name) == 0)
            return classes[i];
    }
    return NULL;
}

/* ---- the emitter as a sink ---- */

static struct wst_emitter *emitter_of(struct wst_sink *s)
{
    return (struct wst_emitter *)(void *)s;
}

static void on_begin(struct wst_sink *s, const struct wst_conn *c)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->begin)
        e->cls->begin(e, c);
}

static void on_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->event)
        e->cls->event(e, c, id, ev);
    /* Live: each event reaches its reader at once. A write error is kept
     * in the buffer and reported at the end. */
    if (e->flush_events && wst_outbuf_flush(e->out) < 0)
        return;
}

static void on_anomaly(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->anomaly)
        e->cls->anomaly(e, c, id, a);
    if (e->flush_events && wst_outbuf_flush(e->out) < 0)
        return;
}

static void on_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->conn)
        e->cls->conn(e, r);
}

static void on_snapshot(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->snapshot)
        e->cls->snapshot(e, r);
}

static void on_status(struct wst_sink *s, const struct wst_status *st)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->status)
        e->cls->status(e, st);
}

static void on_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    struct wst_emitter *e = emitter_of(s);
    if (e->cls->summary)
        e->cls->summary(e, sum);
}

static const struct wst_sink_ops emitter_ops = {
    .begin = on_begin,
    .event = on_event,
    .anomaly = on_anomaly,
    .conn = on_conn,
    .snapshot = on_snapshot,
    .status = on_status,
    .summary = on_summary,
};

struct wst_emitter *wst_emitter_new(const struct wst_emitter_class *cls, struct wst_outbuf *out)
{
    struct wst_emitter *e = wst_xcalloc(1, sizeof *e);
    e->sink.ops = &emitter_ops;
    e->cls = cls;
    e->out = out;
    if (cls->state_size)
        e->state = wst_xcalloc(1, cls->state_size);
    if (cls->open)
        cls->open(e);
    return e;
}

void wst_emitter_free(struct wst_emitter *e)
{
    if (e == NULL)
        return;
    if (e->cls->close)
        e->cls->close(e);
    free(e->state);
    free(e->last);
    free(e);
}

const char *wst_emit_names(void)
{
    return "text, json";
}

void wst_conn_view_init(struct wst_conn_view *v, const struct wst_conn *c)
{
    struct wst_addr a;
    v->client = c->client;
    v->server = !c->client;
    wst_conn_addr(c, v->client, &a);
    wst_endpoint_format(v->client_text, c->family, &a, c->port[v->client]);
    wst_conn_addr(c, v->server, &a);
    wst_endpoint_format(v->server_text, c->family, &a, c->port[v->server]);
}

void wst_summary_class_totals(const struct wst_summary *s, uint64_t totals[WST_DC__COUNT])
{
    memset(totals, 0, sizeof(uint64_t) * WST_DC__COUNT);
    for (int st = 0; st < WST_DECODE__COUNT; st++)
        totals[wst_decode_status_class((enum wst_decode_status)st)] += s->dispatch->by_status[st];
    totals[0] = s->capture.filtered;
}

uint64_t wst_summary_total_packets(const struct wst_summary *s)
{
    return s->dispatch->packets + s->capture.filtered;
}

void wst_status_delta(struct wst_emitter *e, const struct wst_status *s, struct wst_status_delta *d)
{
    struct wst_status_delta now = {
        .since_us = s->at_us,
        .packets = s->dispatch->packets,
        .bytes = s->dispatch->bytes,
        .begun = s->tracker->connections,
        .ended = s->tracker->ended,
        .anomalies = s->tracker->raised,
        .evicted = s->tracker->evicted,
        .kernel_received = s->capture.kernel_received,
        .kernel_dropped = s->capture.kernel_dropped,
        .interface_dropped = s->capture.interface_dropped,
    };
    if (e->last == NULL) {
        e->last = wst_xcalloc(1, sizeof *e->last);
        e->last->since_us = s->started_us;
    }
    const struct wst_status_delta *p = e->last;
    *d = (struct wst_status_delta){
        .since_us = p->since_us,
        .packets = now.packets - p->packets,
        .bytes = now.bytes - p->bytes,
        .begun = now.begun - p->begun,
        .ended = now.ended - p->ended,
        .anomalies = now.anomalies - p->anomalies,
        .evicted = now.evicted - p->evicted,
        .kernel_received = now.kernel_received - p->kernel_received,
        .kernel_dropped = now.kernel_dropped - p->kernel_dropped,
        .interface_dropped = now.interface_dropped - p->interface_dropped,
    };
    *e->last = now;
}

uint32_t wst_emit_rel_seq(const struct wst_conn *c, int from, uint32_t seq)
{
    const struct wst_endpoint *ep = &c->ep[from];
    return (ep->flags & WST_EP_HAS_ISN) ? seq - ep->isn : seq;
}

uint32_t wst_emit_rel_ack(const struct wst_conn *c, int from, uint32_t ack)
{
    const struct wst_endpoint *ep = &c->ep[!from];
    return (ep->flags & WST_EP_HAS_ISN) ? ack - ep->isn : ack;
}

bool wst_emit_seq_relative(const struct wst_conn *c)
{
    return (c->ep[0].flags & WST_EP_HAS_ISN) && (c->ep[1].flags & WST_EP_HAS_ISN);
}

bool wst_emit_syn_interval_next(const struct wst_timeline *tl, int endpoint, struct wst_syn_intervals *it,
                                wst_ts_us *interval_us)
{
    size_t n = wst_timeline_count(tl), gap = wst_timeline_gap_at(tl);
    bool split = wst_timeline_skipped(tl) != 0;
    while (it->i < n) {
        size_t i = it->i++;
        const struct wst_tl_event *ev = wst_timeline_get(tl, i);
        if (ev->from != endpoint || (ev->flags & (WST_TH_SYN | WST_TH_RST)) != WST_TH_SYN)
            continue;
        const struct wst_tl_event *prev = it->prev;
        bool across_gap = split && it->prev_i < gap && i >= gap;
        it->prev = ev;
        it->prev_i = i;
        if (prev && (ev->why & WST_TL_REXMIT) && !across_gap) {
            *interval_us = ev->ts_us > prev->ts_us ? ev->ts_us - prev->ts_us : 0;
            return true;
        }
    }
    return false;
}
