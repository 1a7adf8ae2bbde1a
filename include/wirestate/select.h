/*
 * wirestate/select.h - which connections reach the output, and the number
 * each is shown with.
 *
 * A connection's id is the sequence number of its first packet in the
 * capture (item.h): unique, and in first-seen order whichever tracker
 * holds the connection. People read a connection number as a count, so
 * the output shows its rank instead: 1 for the first connection of the
 * capture, 2 for the second, ... This stage assigns the ranks as
 * connections begin (the begin hook comes in id order) and rewrites the
 * number of every event and report it hands on. It then keeps only what
 * the selection asks for (--anomalies-only); the summary still counts
 * everything, since the tracker and the findings have seen it all.
 *
 * Ranks of connections not yet reported are remembered only while events
 * are asked for: reports themselves come in id order (the tracker reports
 * in first-seen order), so their rank is a running count.
 */
#ifndef WIRESTATE_SELECT_H
#define WIRESTATE_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/sink.h"

struct wst_select_config {
    bool anomalies_only; /* hand on only reports with at least one anomaly */
    bool events;         /* events come through: remember ranks until the report */
};

/* Caller-allocated. */
struct wst_select {
    struct wst_sink sink;     /* first: the stage is a sink */
    struct wst_sink *next;    /* borrowed; NULL discards */
    struct wst_select_config cfg;
    uint64_t begun;           /* connections begun: the rank of the latest */
    uint64_t reported;        /* connections reported: the rank of the latest */
    void *ranks;              /* JudyL id -> rank, with events only */
};

/* Sets s up as a stage in front of `next`. Cannot fail. */
void wst_select_init(struct wst_select *s, const struct wst_select_config *cfg, struct wst_sink *next);

/* Frees the ranks still remembered. */
void wst_select_fini(struct wst_select *s);

#endif
