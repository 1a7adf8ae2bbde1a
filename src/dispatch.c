/*
 * dispatch.c - one decode per frame, then items for the tracker.
 *
 * For each packet: stamp its sequence number, move capture time, decode,
 * count the outcome. A TCP segment (or a TCP header cut after its ports)
 * becomes an item with its connection's key and hash; so does an ICMP
 * destination unreachable quoting a TCP segment, keyed by the quoted
 * connection. Items wait in a short queue while the tracker prefetches.
 *
 * Assumptions and invariants:
 *  1. Capture time is the latest packet timestamp seen. Timestamps that go
 *     backwards (merged files, multi-queue capture) never move it back.
 *  2. stats.packets == sum of stats.by_status[]: every packet handed in is
 *     counted exactly once, and stats.packets is the sequence number of the
 *     latest packet.
 *  3. Items reach the tracker in packet order, at most QUEUE_DEPTH - 1
 *     packets late; time moves the tracker's clock only through items or
 *     after the queue is drained, so the tracker's timers see time in
 *     packet order too (an event due before a packet acts before it).
 *  4. A TCP header the snap length cut after its ports is counted as
 *     truncated_tcp_header in the summary and still handed on (PARTIAL):
 *     it is a packet of its connection, though it moves no state.
 *  5. The ICMP error's own VLAN tags name the connection, as the quoted
 *     segment's packets would carry them.
 */
#include "wirestate/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/*
 * Items between decoding and the tracker. Each lookup is a likely cache
 * miss (a table slot, then the record), so dispatch runs QUEUE_DEPTH
 * packets ahead: the slot is prefetched when an item is queued, the record
 * half-way down the queue, and the misses of consecutive packets overlap
 * instead of adding up.
 */
#define QUEUE_DEPTH 8

struct wst_dispatch {
    struct wst_tracker *next;
    bool vlan_key;
    uint64_t hash_seed;
    struct wst_dispatch_stats stats;
    unsigned head, len;
    struct wst_item queue[QUEUE_DEPTH];
};

struct wst_dispatch *wst_dispatch_new(const struct wst_dispatch_config *cfg, struct wst_tracker *next)
{
    struct wst_dispatch *d = wst_xcalloc(1, sizeof *d);
    d->next = next;
    d->vlan_key = cfg->vlan_key;
    d->hash_seed = cfg->hash_seed;
    return d;
}

void wst_dispatch_free(struct wst_dispatch *d)
{
    free(d);
}

const struct wst_dispatch_stats *wst_dispatch_stats(const struct wst_dispatch *d)
{
    return &d->stats;
}

/* Hands the oldest queued item to the tracker. */
static void feed_head(struct wst_dispatch *d)
{
    wst_tracker_feed(d->next, &d->queue[d->head]);
    d->head = (d->head + 1) % QUEUE_DEPTH;
    d->len--;
}

void wst_dispatch_drain(struct wst_dispatch *d)
{
    while (d->len > 0)
        feed_head(d);
    wst_tracker_advance(d->next, d->stats.now_us);
}

/* Key, hash and sender of an item whose seg holds addresses, ports and VLANs. */
static void key_item(struct wst_dispatch *d, struct wst_item *it)
{
    it->from = (uint8_t)wst_flow_key_from_segment(&it->key, &it->seg, d->vlan_key);
    it->hash = wst_flow_key_hash(&it->key, d->hash_seed);
}

/* The item of an ICMP error: the quoted segment's connection (invariant 5). */
static void key_icmp(struct wst_dispatch *d, struct wst_item *it)
{
    struct wst_segment q = it->seg;
    q.src = it->icmp.src;
    q.dst = it->icmp.dst;
    q.sport = it->icmp.sport;
    q.dport = it->icmp.dport;
    it->from = (uint8_t)wst_flow_key_from_segment(&it->key, &q, d->vlan_key);
    it->hash = wst_flow_key_hash(&it->key, d->hash_seed);
}

void wst_dispatch_packet(struct wst_dispatch *d, const struct wst_packet *pkt)
{
    struct wst_dispatch_stats *st = &d->stats;
    if (st->packets++ == 0)
        st->first_ts_us = pkt->ts_us;
    st->bytes += pkt->wirelen;
    if (pkt->ts_us > st->now_us)
        st->now_us = pkt->ts_us;

    /* Decode straight into the next free queue slot. */
    struct wst_item *it = &d->queue[(d->head + d->len) % QUEUE_DEPTH];
    enum wst_decode_status status = wst_decode(pkt->link, pkt->data, pkt->caplen, pkt->wirelen, &it->seg);
    st->by_status[status]++;
    if (status == WST_DECODE_TCP) {
        it->kind = WST_ITEM_SEGMENT;
    } else if (status == WST_DECODE_TRUNCATED_TCP && it->seg.has_ports) {
        /* Invariant 4: whose packet it was is known; nothing else is. */
        it->kind = WST_ITEM_PARTIAL;
        it->seg.flags = 0;
        it->seg.payload_len = 0;
    } else if ((status == WST_DECODE_ICMP || status == WST_DECODE_ICMPV6) &&
               wst_decode_icmp_error(pkt->data, pkt->caplen, &it->seg, &it->icmp)) {
        it->kind = WST_ITEM_ICMP;
    } else {
        /* Nothing for the tracker, but time moved: when its timers have
         * something to do (at most once a second), the queue goes first,
         * then the clock (invariant 3). */
        if (st->now_us >= wst_tracker_next_tick(d->next))
            wst_dispatch_drain(d);
        return;
    }
    it->seg.payload = NULL; /* borrowed from the capture buffer: gone before the tracker uses it */
    if (it->kind == WST_ITEM_ICMP)
        key_icmp(d, it);
    else
        key_item(d, it);
    it->seq = st->packets;
    it->ts_us = pkt->ts_us;
    it->now_us = st->now_us;
    wst_tracker_prefetch_slot(d->next, it->hash);

    /* Invariant 3: the slot of the item half-way down the queue is in
     * cache by now; start loading the record it points to. */
    if (++d->len > QUEUE_DEPTH / 2)
        wst_tracker_prefetch_conn(d->next, d->queue[(d->head + QUEUE_DEPTH / 2) % QUEUE_DEPTH].hash);
    if (d->len == QUEUE_DEPTH)
        feed_head(d);
}

/* Capture time moves to now_us (if later), without a packet. */
static void move_clock(struct wst_dispatch *d, wst_ts_us now_us)
{
    if (now_us > d->stats.now_us) {
        if (d->stats.packets == 0)
            d->stats.first_ts_us = now_us; /* a live capture starts when it starts */
        d->stats.now_us = now_us;
    }
}

void wst_dispatch_tick(struct wst_dispatch *d, wst_ts_us now_us)
{
    move_clock(d, now_us);
    wst_dispatch_drain(d);
}

void wst_dispatch_snapshot(struct wst_dispatch *d, wst_ts_us now_us)
{
    wst_dispatch_tick(d, now_us);
    wst_tracker_snapshot(d->next, d->stats.now_us);
}

void wst_dispatch_status(struct wst_dispatch *d, struct wst_status *status)
{
    wst_dispatch_tick(d, status->at_us);
    status->at_us = d->stats.now_us;
    status->dispatch = &d->stats;
    wst_tracker_status(d->next, status);
}

void wst_dispatch_finish(struct wst_dispatch *d, struct wst_summary *summary)
{
    while (d->len > 0)
        feed_head(d);
    summary->dispatch = &d->stats;
    wst_tracker_finish(d->next, d->stats.now_us, summary);
}
