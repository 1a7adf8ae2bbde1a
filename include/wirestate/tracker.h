/*
 * wirestate/tracker.h - the engine: packets in, connection records out.
 *
 * The tracker decodes each packet, finds or creates its connection and
 * updates it. Finished connections are handed to a callback in first-seen
 * order, then freed. A tracker is self-contained (no globals), so several
 * can run side by side, one per worker, each fed a flow-consistent share of
 * the packets.
 */
#ifndef WIRESTATE_TRACKER_H
#define WIRESTATE_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/anomaly.h"
#include "wirestate/conn.h"
#include "wirestate/decode.h"
#include "wirestate/findings.h"
#include "wirestate/flow_table.h"
#include "wirestate/packet.h"
#include "wirestate/ports.h"
#include "wirestate/timeline.h"

struct wst_tracker;

struct wst_tracker_config {
    bool vlan_key;                          /* VLAN IDs are part of the connection key */
    uint64_t hash_seed;                     /* seed of the table's key hash */
    const struct wst_port_set *server_ports; /* borrowed; wst_tracker_new() copies it */
    uint32_t msl_s;                         /* maximum segment lifetime; TIME_WAIT is 2 x MSL */
    uint32_t idle_timeout_s;                /* retire a connection idle this long (0 = never) */
    uint32_t timeline_max;                  /* events kept per connection (0 = no timelines) */
    struct wst_anomaly_config anomaly;      /* thresholds */
    struct wst_findings_config findings;    /* the same (time_wait_us is set from msl_s) */
};

/* Counters; every packet handed to the tracker is in exactly one by_status[]. */
struct wst_tracker_stats {
    uint64_t packets;
    uint64_t by_status[WST_DECODE__COUNT];
    wst_ts_us first_ts_us;   /* capture time of the first packet (0 if none) */
    wst_ts_us now_us;        /* capture time: the latest packet time seen */
    uint64_t connections;    /* connections created */
    uint64_t by_end_reason[WST_END__COUNT]; /* connections emitted, by why they ended */
    uint64_t by_anomaly[WST_AN__COUNT];     /* anomalies of emitted connections, by kind */
    uint64_t with_anomalies;                /* emitted connections with at least one */
    /* States of the connections still open at the end of the capture
     * (end reason capture_end): [0] their clients', [1] their servers'. */
    uint64_t open_states[2][WST_ST__COUNT];
    uint64_t findings_untracked;            /* connections the findings left out (findings.h);
                                               set by wst_tracker_findings() */
};

/* A finished connection and what is known of it; valid only during the callback. */
struct wst_conn_report {
    const struct wst_conn *conn;
    const struct wst_timeline *timeline;    /* NULL without timelines */
    const struct wst_anomaly *anomalies;    /* sorted by start (wst_anomaly_collect) */
    size_t n_anomalies;
    wst_ts_us end_us;   /* when the record ended: the end of the capture for capture_end,
                           last packet + idle timeout for timeout, the new SYN for reused;
                           for closed and reset, when its last endpoint was done (the last
                           packet, or a timer after it: rule L, the end of TIME_WAIT) */
};

/* Called once per finished connection, in id order. */
typedef void wst_conn_fn(void *arg, const struct wst_conn_report *r);

/* Called for every timeline-worthy segment as it is processed (--events). */
typedef void wst_event_fn(void *arg, const struct wst_conn *c, const struct wst_tl_event *ev);

/*
 * Creates a tracker from a complete cfg: every field is used as it is
 * (wst_options_tracker_config() makes one from the defaults). Never returns
 * NULL (aborts on out-of-memory).
 */
struct wst_tracker *wst_tracker_new(const struct wst_tracker_config *cfg, wst_conn_fn *on_conn, void *arg);

/* Streams events to on_event (NULL to stop). */
void wst_tracker_set_event_fn(struct wst_tracker *t, wst_event_fn *on_event, void *arg);

/* Frees the tracker and any connection it holds, without emitting them. */
void wst_tracker_free(struct wst_tracker *t);

/*
 * Accounts for one packet and, if it is a TCP segment, queues it for its
 * connection. The decode counters and capture time are current at once;
 * connection updates (and stats.connections) lag by up to 7 packets, the
 * depth of the prefetch pipeline, until wst_tracker_finish() drains it.
 */
void wst_tracker_packet(struct wst_tracker *t, const struct wst_packet *pkt);

/*
 * Processes every packet still queued in the pipeline now, and the timers
 * due by the current capture time (tests that look at a connection between
 * packets; a live capture going idle).
 */
void wst_tracker_drain(struct wst_tracker *t);

/* End of capture: every connection still held is finished and emitted. */
void wst_tracker_finish(struct wst_tracker *t);

const struct wst_tracker_stats *wst_tracker_stats(const struct wst_tracker *t);

/*
 * Findings across the connections emitted so far (all of them after
 * wst_tracker_finish()), sorted (findings.h). Owned by the tracker; valid
 * until the next call into it.
 */
const struct wst_finding *wst_tracker_findings(struct wst_tracker *t, size_t *n);

/* The connection table, for inspection by tests and the benchmark. */
struct wst_flow_table *wst_tracker_table(struct wst_tracker *t);

#endif
