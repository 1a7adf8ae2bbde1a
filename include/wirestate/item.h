/*
 * wirestate/item.h - what the dispatch stage hands to a tracker.
 *
 * Dispatch decodes each frame once; everything a tracker needs from a
 * packet that concerns a TCP connection is in one item: the decoded
 * segment, the connection's canonical key and its hash, which endpoint
 * sent it, and the packet's place in the capture (its global sequence
 * number and time). The tracker never looks at packet bytes.
 *
 * The sequence number is what makes several trackers possible: every item
 * carries the number dispatch gave its packet, a connection is named by
 * the number of its first packet, and output from any number of trackers
 * merges back into one order by these numbers alone.
 */
#ifndef WIRESTATE_ITEM_H
#define WIRESTATE_ITEM_H

#include <stdint.h>

#include "wirestate/decode.h"
#include "wirestate/flow.h"
#include "wirestate/types.h"

/* What an item holds. 0 means unset. */
enum wst_item_kind {
    WST_ITEM_SEGMENT = 1, /* a TCP segment, all of its header decoded */
    WST_ITEM_PARTIAL,     /* a TCP header the snap length cut after its ports:
                             whose packet it is, but no flags, numbers or length */
    WST_ITEM_ICMP,        /* an ICMP or ICMPv6 destination unreachable quoting a
                             TCP segment: key, hash and `from` name the connection
                             it quotes and the endpoint that sent the quoted segment */
};

struct wst_item {
    uint64_t seq;             /* the packet's number in the capture, 1, 2, ... */
    wst_ts_us ts_us;          /* the packet's own timestamp */
    wst_ts_us now_us;         /* capture time when it was read: the latest timestamp
                                 so far (timestamps that go backwards never move it) */
    uint64_t hash;            /* of key (wst_flow_key_hash with the run's seed) */
    struct wst_flow_key key;
    uint8_t kind;             /* enum wst_item_kind */
    uint8_t from;             /* endpoint index (in key) of the segment's sender */
    struct wst_segment seg;   /* SEGMENT: the segment (payload pointer cleared: the
                                 packet buffer is gone by the time it is used);
                                 PARTIAL: family, addresses, VLANs and ports only */
    struct wst_icmp_error icmp; /* ICMP only */
};

#endif
