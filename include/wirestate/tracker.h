/*
 * wirestate/tracker.h - the engine: decoded segments in, connection
 * reports out.
 *
 * A tracker holds the connections of the flows it is fed, steps both
 * endpoints' state machines with each segment, runs timers on capture
 * time, and reports each connection once it is finished to the next stage
 * (a sink, sink.h). It has two ways in: feed one item (item.h, from the
 * dispatch stage), and advance the clock to a time, so timers fire
 * without packets. It never decodes packets and does not judge patterns
 * across connections (findings.h does, downstream). A tracker is
 * self-contained (no globals): several can run side by side, one per
 * worker, each fed a flow-consistent share of the items.
 */
#ifndef WIRESTATE_TRACKER_H
#define WIRESTATE_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/anomaly.h"
#include "wirestate/conn.h"
#include "wirestate/flow_table.h"
#include "wirestate/item.h"
#include "wirestate/ports.h"
#include "wirestate/sink.h"
#include "wirestate/timeline.h"

struct wst_tracker;

/* Every field is used as it is: the engine has no defaults of its own
 * (the option table has them; pipeline.h makes a tracker's config). */
struct wst_tracker_config {
    uint64_t hash_seed;                     /* seed of the table's key hash (as dispatch's) */
    const struct wst_port_set *server_ports; /* borrowed; wst_tracker_new() copies it */
    uint32_t msl_s;                         /* maximum segment lifetime; TIME_WAIT is 2 x MSL */
    uint32_t idle_timeout_s;                /* retire a connection idle this long (0 = never) */
    uint32_t timeline_max;                  /* events kept per connection (0 = no timelines) */
    uint64_t max_connections;               /* connections held at most (0 = no bound):
                                               a new one evicts one (tracker.c) */
    bool events;                            /* hand every timeline-worthy segment on (--events) */
    struct wst_anomaly_config anomaly;      /* thresholds */
};

/*
 * Creates a tracker from a complete cfg that reports to `next` (borrowed;
 * NULL discards). Never returns NULL (aborts on out-of-memory, alloc.h).
 */
struct wst_tracker *wst_tracker_new(const struct wst_tracker_config *cfg, struct wst_sink *next);

/* Frees the tracker and any connection it holds, without reporting them. */
void wst_tracker_free(struct wst_tracker *t);

/*
 * Feeds one item (dispatch.h): first advances the clock to item->now_us
 * (timers due before the packet act before it), then finds or creates the
 * connection and applies the segment, or the ICMP error.
 */
void wst_tracker_feed(struct wst_tracker *t, const struct wst_item *item);

/*
 * Advances capture time to `now_us` without a packet: runs the timers due
 * (TIME_WAIT's end, rule L, idle connections) and reports what they
 * finished. A time earlier than the clock changes nothing.
 */
void wst_tracker_advance(struct wst_tracker *t, wst_ts_us now_us);

/*
 * Hands the next stage a snapshot (sink.h) of every connection not yet
 * reported, in id order, as it is at `now_us` (after advancing to it), with
 * the anomalies it has so far. Nothing changes for the connections.
 */
void wst_tracker_snapshot(struct wst_tracker *t, wst_ts_us now_us);

/*
 * Advances to status->at_us, adds the tracker's counters and the states
 * of the connections held to *status, and hands it to the next stage.
 */
void wst_tracker_status(struct wst_tracker *t, struct wst_status *status);

/* The capture time before which wst_tracker_advance() has nothing to do
 * (timers run at most once a second of capture time). */
wst_ts_us wst_tracker_next_tick(const struct wst_tracker *t);

/*
 * End of capture at `now_us`: every connection still held is finished and
 * reported; then the tracker's counters are added to `summary`
 * (summary->tracker points into t) and the summary is handed on.
 */
void wst_tracker_finish(struct wst_tracker *t, wst_ts_us now_us, struct wst_summary *summary);

/* Hints for the dispatch queue: start loading the table slot of `hash`,
 * and the record cached under it. No effect on results. */
void wst_tracker_prefetch_slot(const struct wst_tracker *t, uint64_t hash);
void wst_tracker_prefetch_conn(const struct wst_tracker *t, uint64_t hash);

const struct wst_tracker_stats *wst_tracker_stats(const struct wst_tracker *t);

/* The live connection named by key, or NULL: for tests and inspection. */
const struct wst_conn *wst_tracker_get(struct wst_tracker *t, const struct wst_flow_key *key);

/* The connection table, for inspection by tests and the benchmark. */
struct wst_flow_table *wst_tracker_table(struct wst_tracker *t);

#endif
