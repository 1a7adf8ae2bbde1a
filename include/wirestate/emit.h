/*
 * wirestate/emit.h - output formats: the last stage of the pipeline.
 *
 * An emitter is an object: a format's hooks (a class) plus its state and
 * the buffer it writes to. As the last stage it is a sink (sink.h): the
 * pipeline calls its begin, event, conn and summary hooks; open and close
 * frame the output (a header, a trailer). A new format is one new file
 * with one class. Formats are looked up by name (--format). The JSON
 * format is the documented contract (docs/output.md,
 * docs/wirestate.schema.json); text is for people.
 */
#ifndef WIRESTATE_EMIT_H
#define WIRESTATE_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/conn.h"
#include "wirestate/flow.h"
#include "wirestate/outbuf.h"
#include "wirestate/sink.h"
#include "wirestate/timeline.h"

struct wst_emitter;

/*
 * A format. Every hook may be NULL (the format writes nothing then); each
 * writes to e->out and keeps what it needs between calls in e->state.
 */
struct wst_emitter_class {
    const char *name;
    size_t state_size;  /* bytes of zeroed private state at e->state */
    /* Before anything else: a header that needs no data. */
    void (*open)(struct wst_emitter *e);
    /* A connection begins (first-seen order). */
    void (*begin)(struct wst_emitter *e, const struct wst_conn *c);
    /* One event as it happens (--events); id is the number shown (select.h). */
    void (*event)(struct wst_emitter *e, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev);
    /* An anomaly as it is raised (--events). */
    void (*anomaly)(struct wst_emitter *e, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a);
    /* A finished connection, its timeline (NULL with --timeline none) and anomalies. */
    void (*conn)(struct wst_emitter *e, const struct wst_conn_report *r);
    /* A connection still open, as it is now (SIGUSR1). */
    void (*snapshot)(struct wst_emitter *e, const struct wst_conn_report *r);
    /* A live capture's periodic status (--interval, SIGUSR1); see wst_status_delta. */
    void (*status)(struct wst_emitter *e, const struct wst_status *s);
    /* The end-of-capture summary. */
    void (*summary)(struct wst_emitter *e, const struct wst_summary *s);
    /* After everything: a trailer. */
    void (*close)(struct wst_emitter *e);
};

struct wst_emitter {
    struct wst_sink sink;                 /* first: the emitter is a sink */
    const struct wst_emitter_class *cls;
    struct wst_outbuf *out;               /* borrowed */
    bool flush_events;                    /* flush after each event (live capture) */
    void *state;
    struct wst_status_delta *last;        /* the previous status's totals (emit.c) */
};

/* A status's counters in the interval since the previous one, and totals. */
struct wst_status_delta {
    wst_ts_us since_us;                   /* the previous status, or the capture's start */
    uint64_t packets, bytes, begun, ended, anomalies, evicted;
    uint64_t kernel_received, kernel_dropped, interface_dropped;
};

/*
 * The interval's counters of *s into *d (totals minus those of the
 * previous status of this emitter), then remembers *s's totals.
 */
void wst_status_delta(struct wst_emitter *e, const struct wst_status *s, struct wst_status_delta *d);

/* The format called `name` ("text", "json"), or NULL. */
const struct wst_emitter_class *wst_emit_lookup(const char *name);

/* Names of all formats, comma-separated, for messages. */
const char *wst_emit_names(void);

/*
 * Creates an emitter of class cls writing to `out` (borrowed) and calls
 * its open hook. Never returns NULL (aborts on out-of-memory, alloc.h).
 */
struct wst_emitter *wst_emitter_new(const struct wst_emitter_class *cls, struct wst_outbuf *out);

/* Calls the close hook and frees the emitter; NULL is allowed. */
void wst_emitter_free(struct wst_emitter *e);

/*
 * Sequence and acknowledgement numbers as shown: relative to the ISN of the
 * endpoint whose sequence space they are in, when that ISN is known (as
 * tcpdump shows them); raw otherwise.
 */
uint32_t wst_emit_rel_seq(const struct wst_conn *c, int from, uint32_t seq);
uint32_t wst_emit_rel_ack(const struct wst_conn *c, int from, uint32_t ack);

/* True if both ISNs are known, so every number shown is relative. */
bool wst_emit_seq_relative(const struct wst_conn *c);

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

/* Packet totals per decode class ([WST_DC_TCP] ...); index 0 holds the filtered count. */
void wst_summary_class_totals(const struct wst_summary *s, uint64_t totals[WST_DC__COUNT]);

/* All packets accounted for: handed to dispatch plus filtered out. */
uint64_t wst_summary_total_packets(const struct wst_summary *s);

extern const struct wst_emitter_class wst_emitter_text;
extern const struct wst_emitter_class wst_emitter_json;

#endif
