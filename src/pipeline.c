/*
 * pipeline.c - builds the stages from their end and wires each to the
 * next (pipeline.h).
 */
#include "wirestate/pipeline.h"

void wst_pipeline_init(struct wst_pipeline *p, const struct wst_pipeline_config *cfg, struct wst_sink *out)
{
    struct wst_select_config sc = {.anomalies_only = cfg->anomalies_only};
    wst_select_init(&p->select, &sc, out);

    struct wst_findings_config fc = cfg->findings;
    fc.time_wait_us = 2ULL * cfg->tracker.msl_s * WST_US_PER_S; /* TIME_WAIT lasts 2 x MSL */
    fc.hash_seed = cfg->hash_seed;
    wst_findings_sink_init(&p->findings, &fc, &p->select.sink);

    struct wst_tracker_config tc = cfg->tracker;
    tc.hash_seed = cfg->hash_seed;
    tc.events = cfg->events;
    p->tracker = wst_tracker_new(&tc, &p->findings.sink);

    struct wst_dispatch_config dc = {.vlan_key = cfg->vlan_key, .hash_seed = cfg->hash_seed};
    p->dispatch = wst_dispatch_new(&dc, p->tracker);
}

void wst_pipeline_fini(struct wst_pipeline *p)
{
    wst_dispatch_free(p->dispatch);
    wst_tracker_free(p->tracker);
    wst_findings_sink_fini(&p->findings);
    wst_select_fini(&p->select);
}
