/*
 * wirestate/pipeline.h - the engine's stages built and wired in one place.
 *
 *   dispatch -> tracker -> findings -> select -> (the caller's sink)
 *
 * A pipeline is made from one configuration (the option table fills one,
 * options.h) and ends in a sink of the caller's: an emitter for the
 * program, a collector for the tests. Facts that more than one stage
 * needs are given once here and handed to each stage that uses them: the
 * hash seed (dispatch hashes keys, the tracker's table keeps them), events,
 * and TIME_WAIT's length (2 x MSL, for the tracker and the findings). VLAN
 * keying is dispatch's alone: it makes the keys' zones.
 */
#ifndef WIRESTATE_PIPELINE_H
#define WIRESTATE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/dispatch.h"
#include "wirestate/findings.h"
#include "wirestate/select.h"
#include "wirestate/sink.h"
#include "wirestate/tracker.h"

struct wst_pipeline_config {
    uint64_t hash_seed;                 /* of the flow key hash; a sender must not guess it */
    bool vlan_key;                      /* VLAN IDs make the key's zone */
    bool events;                        /* --events: stream events */
    bool anomalies_only;                /* --anomalies-only */
    struct wst_tracker_config tracker;  /* its hash_seed and events are set from
                                           the fields above */
    struct wst_findings_config findings; /* its time_wait_us is set from tracker.msl_s */
};

/* The stages; caller-allocated, set up by wst_pipeline_init(). */
struct wst_pipeline {
    struct wst_dispatch *dispatch;      /* the way in: wst_dispatch_packet(), _finish() */
    struct wst_tracker *tracker;
    struct wst_findings_sink findings;
    struct wst_select select;
};

/*
 * Builds the stages from cfg, ending in `out` (borrowed; NULL discards).
 * Never fails (aborts on out-of-memory, alloc.h).
 */
void wst_pipeline_init(struct wst_pipeline *p, const struct wst_pipeline_config *cfg, struct wst_sink *out);

/* Frees every stage (after wst_dispatch_finish(), or to abandon a run). */
void wst_pipeline_fini(struct wst_pipeline *p);

#endif
