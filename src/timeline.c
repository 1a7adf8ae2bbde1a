/*
 * timeline.c - bounded per-connection event logs (see wirestate/timeline.h).
 *
 * Layout: ev[0 .. head) are the first events, kept for good once the log
 * is full; ev[head .. head + ring) is a ring holding the latest ones, whose
 * oldest slot is ev[head + next]. Until the log is full it is a plain
 * array (head == 0 while growing).
 *
 * Invariants:
 *  1. n <= cap <= max; n == max once anything was skipped.
 *  2. When skipped > 0: head == max / 2, ring == max - head, and the kept
 *     events are ev[0..head) then ev[head + next ..] ev[head .. head + next).
 */
#include "wirestate/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "wirestate/conn.h"
#include "alloc.h"

struct wst_timeline {
    uint32_t n, cap, max;
    uint32_t head;   /* events fixed at the start (0 until full) */
    uint32_t next;   /* ring slot to overwrite next */
    uint64_t skipped;
    struct wst_tl_event ev[];
};

static struct wst_timeline *grow(struct wst_timeline *tl, uint32_t cap)
{
    struct wst_timeline *g = wst_xrealloc(tl, 1, sizeof *tl + (size_t)cap * sizeof tl->ev[0]);
    g->cap = cap;
    return g;
}

void wst_timeline_add(struct wst_timeline **tlp, const struct wst_tl_event *ev, unsigned max)
{
    struct wst_timeline *tl = *tlp;
    if (max < 2)
        max = 2;
    if (tl == NULL) {
        tl = grow(NULL, max < 4 ? max : 4); /* a SYN flood's connections keep one event */
        tl->n = tl->head = tl->next = 0;
        tl->skipped = 0;
        tl->max = max;
        *tlp = tl;
    }
    if (tl->n < tl->max) {
        if (tl->n == tl->cap)
            *tlp = tl = grow(tl, tl->cap * 2 < tl->max ? tl->cap * 2 : tl->max);
        tl->ev[tl->n++] = *ev;
        return;
    }
    /* Full: keep the first half, overwrite the oldest of the rest. */
    if (tl->head == 0)
        tl->head = tl->max / 2;
    uint32_t ring = tl->max - tl->head;
    tl->ev[tl->head + tl->next] = *ev;
    tl->next = (tl->next + 1) % ring;
    tl->skipped++;
}

const struct wst_timeline *wst_timeline_empty(void)
{
    static const struct wst_timeline empty = {.max = 2};
    return &empty;
}

void wst_timeline_free(struct wst_timeline *tl)
{
    free(tl);
}

size_t wst_timeline_count(const struct wst_timeline *tl)
{
    return tl ? tl->n : 0;
}

const struct wst_tl_event *wst_timeline_get(const struct wst_timeline *tl, size_t i)
{
    if (tl->skipped == 0 || i < tl->head)
        return &tl->ev[i];
    uint32_t ring = tl->max - tl->head;
    return &tl->ev[tl->head + (tl->next + (i - tl->head)) % ring];
}

uint64_t wst_timeline_skipped(const struct wst_timeline *tl)
{
    return tl ? tl->skipped : 0;
}

size_t wst_timeline_gap_at(const struct wst_timeline *tl)
{
    if (tl == NULL)
        return 0;
    return tl->skipped ? tl->head : tl->n;
}

const char *wst_tl_why_name(unsigned bit)
{
    switch (bit) {
#define WST_TL_WHY_CASE(e, b, name) \
    case b:                         \
        return name;
        WST_TL_WHY_MAP(WST_TL_WHY_CASE)
#undef WST_TL_WHY_CASE
    }
    return "unknown";
}
