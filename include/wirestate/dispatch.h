/*
 * wirestate/dispatch.h - the stage between the capture and the tracker.
 *
 * Dispatch decodes each frame once, counts what it is (every packet lands
 * in exactly one decode status, so the summary accounts for all of them),
 * stamps it with its sequence number in the capture, and, for a frame that
 * concerns a TCP connection, builds the connection's canonical key and its
 * hash and hands an item (item.h) to the tracker. An ICMP destination
 * unreachable that quotes a TCP segment is routed by the connection it
 * quotes. Capture time moves with every packet, TCP or not, and dispatch
 * tells the tracker so its timers run on a link without TCP traffic.
 *
 * Connection lookups are cache misses, so items are queued a few packets
 * deep: dispatch asks the tracker to prefetch an item's table slot and
 * record while it decodes the next ones, and hands items over in packet
 * order. _drain() and _finish() empty the queue.
 */
#ifndef WIRESTATE_DISPATCH_H
#define WIRESTATE_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/packet.h"
#include "wirestate/sink.h"
#include "wirestate/tracker.h"

struct wst_dispatch;

struct wst_dispatch_config {
    bool vlan_key;      /* VLAN IDs separate connections (they make the key's zone) */
    uint64_t hash_seed; /* seed of the key hash; the tracker's table must use the same */
};

/*
 * Creates a dispatch stage feeding `next` (borrowed; it must outlive the
 * stage). Never returns NULL (aborts on out-of-memory, alloc.h).
 */
struct wst_dispatch *wst_dispatch_new(const struct wst_dispatch_config *cfg, struct wst_tracker *next);

/* Frees the stage (not the tracker). Items still queued are dropped. */
void wst_dispatch_free(struct wst_dispatch *d);

/*
 * Accounts for one captured frame and, if it concerns a TCP connection,
 * queues an item for the tracker. The counters and capture time are
 * current at once; the tracker sees the item up to a few packets later, in
 * packet order (or at the next _drain()).
 */
void wst_dispatch_packet(struct wst_dispatch *d, const struct wst_packet *pkt);

/* Hands every queued item to the tracker, then advances its clock to the current capture time. */
void wst_dispatch_drain(struct wst_dispatch *d);

/*
 * A live capture's clock: capture time moves to now_us (the wall clock)
 * when that is later, without a packet, so the tracker's timers run on a
 * quiet link; queued items go first. A capture file never calls it: its
 * time is its packets'.
 */
void wst_dispatch_tick(struct wst_dispatch *d, wst_ts_us now_us);

/* The tracker's snapshot of the connections still open (SIGUSR1), at now_us. */
void wst_dispatch_snapshot(struct wst_dispatch *d, wst_ts_us now_us);

/*
 * A status at status->at_us (which capture time takes, if later): adds
 * dispatch's counters, then the tracker's, and hands it down the pipeline.
 */
void wst_dispatch_status(struct wst_dispatch *d, struct wst_status *status);

/*
 * End of capture: drains, then finishes the tracker at the current capture
 * time with the summary, to which dispatch first adds its counters
 * (summary->dispatch points into d: valid until d is freed).
 */
void wst_dispatch_finish(struct wst_dispatch *d, struct wst_summary *summary);

const struct wst_dispatch_stats *wst_dispatch_stats(const struct wst_dispatch *d);

#endif
