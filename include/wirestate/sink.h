/*
 * wirestate/sink.h - what flows down the pipeline, and the interface of
 * every stage that receives it.
 *
 *   capture -> dispatch -> tracker -> findings -> select -> emitter
 *
 * Each stage knows only the one after it. From the tracker on, every stage
 * is a sink: an object with the same hooks, which does its part and hands
 * on to its own next sink.
 *
 *   begin    a connection was created (in the order of its first packet)
 *   event    a segment that tells part of a connection's story (--events)
 *   anomaly  an anomaly as it is raised, before the record that will hold
 *            it (--events)
 *   conn     a connection is finished: its report
 *   snapshot a connection still open, as it is now, with its anomalies so
 *            far (on request: SIGUSR1); not a finished one
 *   status   a live capture's periodic count (--interval, SIGUSR1): each
 *            stage adds what it counts, the emitter writes it
 *   gone     a connection leaves the tracker, some time after its report
 *            (its TIME_WAIT over, cut short by a new connection on its
 *            4-tuple, idle, or the capture's end): what lasted beyond
 *            the report, such as a TIME_WAIT, is known now
 *   summary  the capture is over: each stage adds what it counted to the
 *            summary, then hands it on; the emitter writes it
 *
 * Everything passed is borrowed for the duration of the call.
 */
#ifndef WIRESTATE_SINK_H
#define WIRESTATE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/anomaly.h"
#include "wirestate/capture.h"
#include "wirestate/conn.h"
#include "wirestate/decode.h"
#include "wirestate/timeline.h"
#include "wirestate/types.h"

struct wst_finding; /* findings.h */

/* A finished connection and what is known of it. */
struct wst_conn_report {
    const struct wst_conn *conn;
    uint64_t id;                            /* the number it is shown with (select.h);
                                               the tracker sets conn->id */
    const struct wst_timeline *timeline;    /* NULL without timelines */
    const struct wst_anomaly *anomalies;    /* sorted by start (wst_anomaly_collect) */
    size_t n_anomalies;
    wst_ts_us end_us;   /* when the record ended (for a snapshot: its moment): the end
                           of the capture for capture_end,
                           last packet + idle timeout for timeout, the new SYN for reused;
                           for closed and reset, when its last endpoint was done (the last
                           packet, or a timer after it: rule L, the end of TIME_WAIT) */
};

/* What dispatch counted: every packet handed to it is in exactly one by_status[]. */
struct wst_dispatch_stats {
    uint64_t packets;
    uint64_t bytes;          /* their length on the wire */
    uint64_t by_status[WST_DECODE__COUNT];
    wst_ts_us first_ts_us;   /* capture time of the first packet (0 if none) */
    wst_ts_us now_us;        /* capture time: the latest packet time seen */
};

/* What a tracker counted over the connections it reported. */
struct wst_tracker_stats {
    uint64_t connections;    /* connections created */
    uint64_t by_end_reason[WST_END__COUNT]; /* connections reported, by why they ended */
    uint64_t by_anomaly[WST_AN__COUNT];     /* anomalies of reported connections, by kind */
    uint64_t with_anomalies;                /* reported connections with at least one */
    /* States of the connections still open at the end of the capture
     * (end reason capture_end): [0] their clients', [1] their servers'. */
    uint64_t open_states[2][WST_ST__COUNT];
    uint64_t ended;          /* connections reported (sum of by_end_reason) */
    uint64_t anomalies;      /* anomalies of reported connections (sum of by_anomaly) */
    uint64_t announced;      /* anomalies written as they were raised (--events) */
    uint64_t raised;         /* anomalies known so far: announced, or in a record
                                without having been announced */
    uint64_t evicted;        /* connections ended to make room (--max-connections) */
};

/* The end-of-capture summary, filled in as it goes down the pipeline. */
struct wst_summary {
    struct wst_capture_stats capture;         /* the sources, summed (the driver) */
    bool complete;                            /* false when reading stopped at an error
                                                 (the driver) */
    const struct wst_dispatch_stats *dispatch;
    const struct wst_tracker_stats *tracker;
    const struct wst_finding *findings;       /* sorted (findings.h) */
    size_t n_findings;
    uint64_t findings_untracked;              /* connections the findings left out */
};

/*
 * A live capture's status at one moment. Counters are totals since the
 * start; the emitter remembers the previous status to show the interval.
 */
struct wst_status {
    wst_ts_us at_us;                          /* the moment (the wall clock, live) */
    wst_ts_us started_us;                     /* when the capture started */
    struct wst_capture_stats capture;         /* the sources, summed (the driver) */
    const struct wst_dispatch_stats *dispatch;
    const struct wst_tracker_stats *tracker;
    uint64_t open_connections;                /* not over (an endpoint not CLOSED or LISTEN:
                                                 the ss view, TIME_WAIT included) */
    uint64_t open_states[2][WST_ST__COUNT];   /* their clients' [0] and servers' [1] states */
};

struct wst_sink;

/* The hooks of a stage; any may be NULL (nothing to do, nothing handed on). */
struct wst_sink_ops {
    void (*begin)(struct wst_sink *s, const struct wst_conn *c);
    void (*event)(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev);
    void (*anomaly)(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a);
    void (*conn)(struct wst_sink *s, const struct wst_conn_report *r);
    void (*snapshot)(struct wst_sink *s, const struct wst_conn_report *r);
    void (*status)(struct wst_sink *s, const struct wst_status *st);
    /* why: over (closed, reset), reused, timeout or capture_end; at_us: when. */
    void (*gone)(struct wst_sink *s, const struct wst_conn *c, enum wst_end_reason why, wst_ts_us at_us);
    void (*summary)(struct wst_sink *s, const struct wst_summary *sum);
};

/* The first member of every stage's struct. */
struct wst_sink {
    const struct wst_sink_ops *ops;
};

/* Calls a hook of s if s and the hook exist (a NULL sink discards). */
static inline void wst_sink_begin(struct wst_sink *s, const struct wst_conn *c)
{
    if (s && s->ops->begin)
        s->ops->begin(s, c);
}

static inline void wst_sink_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id,
                                  const struct wst_tl_event *ev)
{
    if (s && s->ops->event)
        s->ops->event(s, c, id, ev);
}

static inline void wst_sink_anomaly(struct wst_sink *s, const struct wst_conn *c, uint64_t id,
                                    const struct wst_anomaly *a)
{
    if (s && s->ops->anomaly)
        s->ops->anomaly(s, c, id, a);
}

static inline void wst_sink_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    if (s && s->ops->conn)
        s->ops->conn(s, r);
}

static inline void wst_sink_snapshot(struct wst_sink *s, const struct wst_conn_report *r)
{
    if (s && s->ops->snapshot)
        s->ops->snapshot(s, r);
}

static inline void wst_sink_status(struct wst_sink *s, const struct wst_status *st)
{
    if (s && s->ops->status)
        s->ops->status(s, st);
}

static inline void wst_sink_gone(struct wst_sink *s, const struct wst_conn *c, enum wst_end_reason why,
                                 wst_ts_us at_us)
{
    if (s && s->ops->gone)
        s->ops->gone(s, c, why, at_us);
}

static inline void wst_sink_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    if (s && s->ops->summary)
        s->ops->summary(s, sum);
}

#endif
