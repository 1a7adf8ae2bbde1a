/*
 * emit.c - the emitter registry and what the formats share.
 */
#include "wirestate/emit.h"

#include <string.h>

static const struct wst_emitter *const emitters[] = {
    &wst_emitter_text,
    &wst_emitter_json,
};

const struct wst_emitter *wst_emit_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof emitters / sizeof emitters[0]; i++) {
        if (strcmp(emitters[i]->name, name) == 0)
            return emitters[i];
    }
    return NULL;
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
        totals[wst_decode_status_class((enum wst_decode_status)st)] += s->tracker->by_status[st];
    totals[0] = s->capture.filtered;
}

uint64_t wst_summary_total_packets(const struct wst_summary *s)
{
    return s->tracker->packets + s->capture.filtered;
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
