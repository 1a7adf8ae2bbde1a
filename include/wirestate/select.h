/*
 * wirestate/select.h - which connections reach the output.
 *
 * The selection (--anomalies-only) is applied after the tracker and the
 * findings have seen every connection, so the summary still counts them
 * all. A connection is shown with its id, the sequence number of its first
 * packet in the capture (item.h): the number a packet tool shows for that
 * packet, unique, and the same whichever tracker held the connection.
 */
#ifndef WIRESTATE_SELECT_H
#define WIRESTATE_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/sink.h"

struct wst_select_config {
    bool anomalies_only; /* hand on only reports with at least one anomaly */
};

/* Caller-allocated. */
struct wst_select {
    struct wst_sink sink;     /* first: the stage is a sink */
    struct wst_sink *next;    /* borrowed; NULL discards */
    struct wst_select_config cfg;
};

/* Sets s up as a stage in front of `next`. Cannot fail. */
void wst_select_init(struct wst_select *s, const struct wst_select_config *cfg, struct wst_sink *next);

/* Ends the stage (it holds nothing; for symmetry with _init). */
void wst_select_fini(struct wst_select *s);

#endif
