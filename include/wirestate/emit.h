/*
 * wirestate/emit.h - output formats for connection records and the summary.
 *
 * An emitter is a small table of functions that turn a finished connection
 * or the end-of-run summary into text on a wst_outbuf. Formats are looked up
 * by name (--format). The JSON format is the documented contract
 * (docs/output.md, docs/wirestate.schema.json); text is for people.
 */
#ifndef WIRESTATE_EMIT_H
#define WIRESTATE_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/capture.h"
#include "wirestate/conn.h"
#include "wirestate/flow.h"
#include "wirestate/outbuf.h"
#include "wirestate/tracker.h"

/* What the summary reports: the tracker's counters and the sources'. */
struct wst_summary {
    const struct wst_tracker_stats *tracker;
    struct wst_capture_stats capture; /* summed over all sources */
    const struct wst_finding *findings; /* wst_tracker_findings() */
    size_t n_findings;
    bool complete;                    /* false when reading stopped at an error */
};

struct wst_emitter {
    const char *name;
    /* A finished connection, its timeline (NULL with --timeline none) and anomalies. */
    void (*conn)(struct wst_outbuf *ob, const struct wst_conn_report *r);
    /* One event as it happens (--events). */
    void (*event)(struct wst_outbuf *ob, const struct wst_conn *c, const struct wst_tl_event *ev);
    void (*summary)(struct wst_outbuf *ob, const struct wst_summary *s);
};

/*
 * Sequence and acknowledgement numbers as shown: relative to the ISN of the
 * endpoint whose sequence space they are in, when that ISN is known (as
 * tcpdump shows them); raw otherwise.
 */
uint32_t wst_emit_rel_seq(const struct wst_conn *c, int from, uint32_t seq);
uint32_t wst_emit_rel_ack(const struct wst_conn *c, int from, uint32_t ack);

/* True if both ISNs are known, so every number shown is relative. */
bool wst_emit_seq_relative(const struct wst_conn *c);

/* The emitter called `name` ("text", "json"), or NULL. */
const struct wst_emitter *wst_emit_lookup(const char *name);

/* Names of all emitters, comma-separated, for messages. */
const char *wst_emit_names(void);

/* ---- shared by the formats ---- */

/* A connection from the client's point of view, with endpoint texts. */
struct wst_conn_view {
    int client, server;                  /* endpoint indexes */
    char client_text[WST_ENDPOINT_STRLEN];
    char server_text[WST_ENDPOINT_STRLEN];
};

void wst_conn_view_init(struct wst_conn_view *v, const struct wst_conn *c);

/*
 * The intervals between one endpoint's SYNs (SYN+ACKs for a server) in a
 * timeline: each retransmission's time since that endpoint's previous SYN,
 * in order, the backoff that tells a kernel's retransmissions (1, 2, 4 s on
 * Linux) from an application's retries. Pairs split by the timeline's gap
 * are left out. Start with a zeroed iterator; false when there are no more.
 */
struct wst_syn_intervals {
    size_t i;                           /* next event to look at */
    const struct wst_tl_event *prev;    /* the endpoint's previous SYN */
    size_t prev_i;
};

bool wst_emit_syn_interval_next(const struct wst_timeline *tl, int endpoint, struct wst_syn_intervals *it,
                                wst_ts_us *interval_us);

/* Packet totals per decode class; [WST_DC_TCP] etc.; index 0 holds the filtered count. */
void wst_summary_class_totals(const struct wst_summary *s, uint64_t totals[WST_DC__COUNT]);

/* All packets accounted for: handed to the tracker plus filtered out. */
uint64_t wst_summary_total_packets(const struct wst_summary *s);

extern const struct wst_emitter wst_emitter_text;
extern const struct wst_emitter wst_emitter_json;

#endif
