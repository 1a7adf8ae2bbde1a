/*
 * select.c - connection numbers as shown, and the selection (select.h).
 *
 * Invariants:
 *  1. Begins come in id order and every connection begins before its
 *     events and its report; reports come in id order, each once. So the
 *     k-th report is of the k-th connection begun: its rank is k.
 *  2. With events, ranks[id] exists from the begin to the report.
 */
#include "wirestate/select.h"

#include <Judy.h>

#include "alloc.h"

static struct wst_select *stage_of(struct wst_sink *s)
{
    return (struct wst_select *)(void *)s;
}

static void on_begin(struct wst_sink *s, const struct wst_conn *c)
{
    struct wst_select *sel = stage_of(s);
    sel->begun++;
    if (sel->cfg.events) {
        PWord_t pv = (PWord_t)JudyLIns(&sel->ranks, (Word_t)c->id, PJE0);
        if (pv == PJERR)
            wst_out_of_memory("JudyLIns");
        *pv = (Word_t)sel->begun;
    }
    wst_sink_begin(sel->next, c);
}

static void on_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    struct wst_select *sel = stage_of(s);
    PWord_t pv = (PWord_t)JudyLGet(sel->ranks, (Word_t)id, PJE0);
    /* Invariant 2; without events configured nothing comes here. */
    wst_sink_event(sel->next, c, pv ? (uint64_t)*pv : id, ev);
}

static void on_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct wst_select *sel = stage_of(s);
    struct wst_conn_report shown = *r;
    shown.id = ++sel->reported; /* invariant 1 */
    if (sel->cfg.events && JudyLDel(&sel->ranks, (Word_t)r->id, PJE0) == JERR)
        wst_out_of_memory("JudyLDel");
    if (sel->cfg.anomalies_only && r->n_anomalies == 0)
        return;
    wst_sink_conn(sel->next, &shown);
}

static void on_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    wst_sink_summary(stage_of(s)->next, sum);
}

static const struct wst_sink_ops select_ops = {
    .begin = on_begin,
    .event = on_event,
    .conn = on_conn,
    .summary = on_summary,
};

void wst_select_init(struct wst_select *s, const struct wst_select_config *cfg, struct wst_sink *next)
{
    *s = (struct wst_select){.sink = {.ops = &select_ops}, .next = next, .cfg = *cfg};
}

void wst_select_fini(struct wst_select *s)
{
    JudyLFreeArray(&s->ranks, PJE0);
}
