/*
 * wirestate/timeline.h - what happened to a connection, segment by segment.
 *
 * A timeline keeps the segments that tell a connection's story: every one
 * that changed a state, every SYN, FIN and RST (retransmissions marked), and
 * the first data in each direction. Memory is bounded: past `max` events
 * the first max/2 stay and the rest is a ring of the latest, with a count
 * of those dropped in between.
 */
#ifndef WIRESTATE_TIMELINE_H
#define WIRESTATE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "wirestate/types.h"

/* Why a segment is in the timeline (bits of wst_tl_event.why). */
#define WST_TL_WHY_MAP(X)                                        \
    X(STATE,      0x01, "state")      /* it changed a state */  \
    X(SYN,        0x02, "syn")                                   \
    X(FIN,        0x04, "fin")                                   \
    X(RST,        0x08, "rst")                                   \
    X(FIRST_DATA, 0x10, "first_data") /* first payload this way */ \
    X(REXMIT,     0x20, "retransmission") /* a SYN or FIN sent again */

enum {
#define WST_TL_WHY_ENUM(e, bit, name) WST_TL_##e = bit,
    WST_TL_WHY_MAP(WST_TL_WHY_ENUM)
#undef WST_TL_WHY_ENUM
};

/* One segment of the story (32 bytes). */
struct wst_tl_event {
    wst_ts_us ts_us;      /* capture time */
    uint32_t seq, ack;    /* raw; emitters make them relative */
    uint32_t payload_len;
    uint8_t from;         /* endpoint index of the sender */
    uint8_t flags;        /* WST_TH_* */
    uint8_t why;          /* WST_TL_* */
    uint8_t state[2];     /* both endpoints' states after the segment, by endpoint index */
};

struct wst_timeline;

/*
 * Appends an event, creating the timeline on first use (*tl NULL). At most
 * `max` (>= 2) events are kept; beyond, the oldest of the latest ones is
 * dropped and counted. Aborts on out-of-memory (wst_xcalloc policy).
 */
void wst_timeline_add(struct wst_timeline **tl, const struct wst_tl_event *ev, unsigned max);

/* A timeline with no events, for a connection that has none (never freed). */
const struct wst_timeline *wst_timeline_empty(void);

/* Frees a timeline; NULL is allowed. */
void wst_timeline_free(struct wst_timeline *tl);

/* Events kept (0 for NULL). */
size_t wst_timeline_count(const struct wst_timeline *tl);

/* The i-th kept event in time order (i < count). */
const struct wst_tl_event *wst_timeline_get(const struct wst_timeline *tl, size_t i);

/* Events dropped between the first and the last ones kept. */
uint64_t wst_timeline_skipped(const struct wst_timeline *tl);

/* Index of the first kept event after the dropped ones (== count when none were dropped). */
size_t wst_timeline_gap_at(const struct wst_timeline *tl);

/* Stable name of a why bit ("state", ...). */
const char *wst_tl_why_name(unsigned bit);

#endif
