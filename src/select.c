/*
 * select.c - the selection of what reaches the output (select.h).
 */
#include "wirestate/select.h"

static struct wst_select *stage_of(struct wst_sink *s)
{
    return (struct wst_select *)(void *)s;
}

static void on_begin(struct wst_sink *s, const struct wst_conn *c)
{
    wst_sink_begin(stage_of(s)->next, c);
}

static void on_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    wst_sink_event(stage_of(s)->next, c, id, ev);
}

static void on_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct wst_select *sel = stage_of(s);
    if (sel->cfg.anomalies_only && r->n_anomalies == 0)
        return;
    wst_sink_conn(sel->next, r);
}

static void on_anomaly(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a)
{
    wst_sink_anomaly(stage_of(s)->next, c, id, a);
}

static void on_snapshot(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct wst_select *sel = stage_of(s);
    if (sel->cfg.anomalies_only && r->n_anomalies == 0)
        return;
    wst_sink_snapshot(sel->next, r);
}

static void on_status(struct wst_sink *s, const struct wst_status *st)
{
    wst_sink_status(stage_of(s)->next, st);
}

static void on_gone(struct wst_sink *s, const struct wst_conn *c, enum wst_end_reason why, wst_ts_us at_us)
{
    wst_sink_gone(stage_of(s)->next, c, why, at_us);
}

static void on_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    wst_sink_summary(stage_of(s)->next, sum);
}

static const struct wst_sink_ops select_ops = {
    .begin = on_begin,
    .event = on_event,
    .anomaly = on_anomaly,
    .conn = on_conn,
    .snapshot = on_snapshot,
    .status = on_status,
    .gone = on_gone,
    .summary = on_summary,
};

void wst_select_init(struct wst_select *s, const struct wst_select_config *cfg, struct wst_sink *next)
{
    *s = (struct wst_select){.sink = {.ops = &select_ops}, .next = next, .cfg = *cfg};
}

void wst_select_fini(struct wst_select *s)
{
    (void)s;
}
