/*
 * wirestate/conn.h - one TCP connection as seen on the wire.
 *
 * A connection's two endpoints are named by their index in the canonical
 * key (0 = the smaller address/port, see flow.h); every per-direction
 * counter is indexed by the endpoint that SENT the packets. Which endpoint
 * is the client is a separate fact (`client`), decided by the handshake or
 * guessed from the ports, and may be corrected when a SYN shows up later.
 *
 * Memory matters: a capture of a SYN flood holds millions of these. The
 * addresses sit in a flexible array sized by family (8 bytes for IPv4, 32
 * for IPv6), the connections live in slab pools (wst_conn_pool) rather
 * than one malloc() each, and what only some connections need (a
 * timeline, anomaly notes, packet counts past 2^32) hangs off one pointer,
 * allocated on first use: an IPv4 record is 128 bytes, two cache lines.
 * Everything about a connection is reachable from its record: what it
 * needs always is declared in struct wst_conn, the rest in its extension.
 */
#ifndef WIRESTATE_CONN_H
#define WIRESTATE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/decode.h"
#include "wirestate/flow.h"
#include "wirestate/fsm.h"
#include "wirestate/types.h"

/* How the client of a connection was decided. 0 means unset. */
#define WST_CLIENT_BASIS_MAP(X)                                                  \
    X(SYN,     "syn")     /* sender of a SYN without ACK */                      \
    X(SYN_ACK, "syn_ack") /* receiver of a SYN+ACK */                            \
    X(PORTS,   "ports")   /* guessed from the ports (wst_ports_guess_server) */

enum wst_client_basis {
    WST_CLIENT_UNSET = 0,
#define WST_CLIENT_BASIS_ENUM(e, name) WST_CLIENT_##e,
    WST_CLIENT_BASIS_MAP(WST_CLIENT_BASIS_ENUM)
#undef WST_CLIENT_BASIS_ENUM
    WST_CLIENT__COUNT
};

/* Stable name of a basis ("syn", "syn_ack", "ports"). */
const char *wst_client_basis_name(enum wst_client_basis basis);

/* Why a connection's record ended. 0 means "not yet". */
#define WST_END_REASON_MAP(X)                                                   \
    X(CLOSED,      "closed")      /* both endpoints reached CLOSED (FIN/ACK) */ \
    X(RESET,       "reset")       /* ended by a RST */                          \
    X(TIMEOUT,     "timeout")     /* idle for --idle-timeout */                 \
    X(REUSED,      "reused")      /* a new connection took over the 4-tuple */  \
    X(CAPTURE_END, "capture_end") /* still open when the capture ended */      \
    X(EVICTED,     "evicted")     /* pushed out of a full table (--max-connections) */

enum wst_end_reason {
    WST_END__NONE = 0,
#define WST_END_REASON_ENUM(e, name) WST_END_##e,
    WST_END_REASON_MAP(WST_END_REASON_ENUM)
#undef WST_END_REASON_ENUM
    WST_END__COUNT
};

/* Stable name of an end reason ("closed", ...). */
const char *wst_end_reason_name(enum wst_end_reason r);

/* Bits of wst_conn.flags. */
enum {
    WST_CONN_REPORTED = 0x01,  /* its record is written: it stays in the table only so late
                                  segments and a reused 4-tuple still find it (tracker.c) */
    WST_CONN_MIDSTREAM = 0x02, /* the capture holds no SYN or SYN+ACK of it */
    WST_CONN_RESET = 0x04,     /* an acceptable RST ended an endpoint */
    WST_CONN_NOTES = 0x08,     /* ext->notes is set (anomaly.h): one bit to test on the
                                  packet path instead of following ext */
    WST_CONN_TIME_WAIT = 0x10, /* endpoint 0 entered TIME_WAIT (<< 1: endpoint 1): it closed first */
    WST_CONN_GAVE_UP = 0x40,   /* endpoint 0 left SYN_SENT for CLOSED by giving up, fsm.c rule G (<< 1:
                                  endpoint 1); it counts while that endpoint stays CLOSED */
};

struct wst_timeline;        /* timeline.h */
struct wst_anomaly_notes;   /* anomaly.h */

/* What only some connections need; wst_conn_ext() makes it on first use. */
struct wst_conn_ext {
    struct wst_timeline *timeline;   /* its kept events (owned; NULL: none yet) */
    struct wst_anomaly_notes *notes; /* its anomaly notes (owned; NULL: none) */
    uint32_t packets_hi[2];          /* high halves of packets[] (wst_conn_packets) */
    uint32_t announced;              /* anomalies written as they were raised (--events):
                                        bit 2 x kind + endpoint (tracker.c) */
};

struct wst_conn {
    wst_ts_us first_ts_us;    /* first packet (first: a freed record's pool link
                                 overwrites these bytes, not the id) */
    /* Small facts packed in one word beside the id (the record stays at
     * 128 bytes, two cache lines, for IPv4). */
    uint64_t id : 48;         /* the sequence number of its first packet (item.h):
                                 unique, growing in first-seen order; 2^48 packets
                                 are nine years at a million a second */
    uint64_t family : 3;      /* WST_AF_INET (4) or WST_AF_INET6 (6) */
    uint64_t client : 1;      /* endpoint index of the client */
    uint64_t client_basis : 2;/* enum wst_client_basis */
    uint64_t end_reason : 3;  /* enum wst_end_reason, once reported */
    uint64_t indexed : 1;     /* in the table's Judy index (flow_table.c), not only
                                 in its cache */
    wst_ts_us last_ts_us;     /* latest packet */
    uint32_t packets[2];      /* sent by endpoint i, low 32 bits (wst_conn_packets) */
    uint64_t payload_bytes[2];/* TCP payload bytes sent by endpoint i */
    struct wst_endpoint ep[2];/* each endpoint's TCP state and what it sent (fsm.h) */
    struct wst_conn_ext *ext; /* owned; NULL until needed */
    uint32_t timer_slot;      /* the tracker's timer wheel slot of its one live entry,
                                 plus 1; 0 = none (tracker.c) */
    uint32_t zone;            /* its key's zone (flow.h): 0 unless something such as
                                 --vlan-key separates traffic beyond the 4-tuple */
    uint16_t port[2];
    uint16_t vlan[2];         /* first packet's outer/inner VLAN ID + 1; 0 = none (for
                                 display, keyed or not) */
    uint8_t tcp_flags[2];     /* union of WST_TH_* sent by endpoint i */
    uint8_t flags;            /* WST_CONN_* */
    uint8_t addr[];           /* endpoint 0's address, then endpoint 1's */
};

/* An IPv4 record, addresses included, fills two 64-byte cache lines. */
_Static_assert(offsetof(struct wst_conn, addr) + 8 <= 128, "struct wst_conn grew past 128 bytes for IPv4");

/* Capture time of a time in ms after the connection's start (wst_endpoint.since_ms). */
static inline wst_ts_us wst_conn_at_us(const struct wst_conn *c, uint32_t ms)
{
    return c->first_ts_us + (uint64_t)ms * 1000;
}

/* ms after the connection's start of a capture time, saturating (49 days). */
static inline uint32_t wst_conn_ms(const struct wst_conn *c, wst_ts_us ts)
{
    uint64_t ms = ts > c->first_ts_us ? (ts - c->first_ts_us) / 1000 : 0;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Length of one address in c->addr (4 or 16). */
static inline size_t wst_conn_addr_len(const struct wst_conn *c)
{
    return wst_family_addr_len(c->family);
}

/* Packets endpoint i sent. */
static inline uint64_t wst_conn_packets(const struct wst_conn *c, int i)
{
    return c->packets[i] | (c->ext ? (uint64_t)c->ext->packets_hi[i] << 32 : 0);
}

/* Counts one more packet sent by endpoint i (the 32-bit half carries into ext). */
static inline void wst_conn_count_packet(struct wst_conn *c, int i);

/* The extension of c, made empty on first use. Aborts on out-of-memory (alloc.h). */
struct wst_conn_ext *wst_conn_ext(struct wst_conn *c);

/*
 * Checks the invariants of one record (conn.c: its family, addresses,
 * client, states, times, counters, flags and extension) and aborts with a
 * message naming the one broken. The tracker runs it after every step in
 * debug builds when WST_CHECK is set (the tests set it); see wst_check_enabled().
 */
void wst_conn_check(const struct wst_conn *c);

/* True if the invariant checks run (a debug build with WST_CHECK set). */
bool wst_check_enabled(void);


/* Endpoint i gave up its connection attempt (fsm.c rule G) and is still CLOSED. */
static inline bool wst_conn_gave_up(const struct wst_conn *c, int i)
{
    return (c->flags & (WST_CONN_GAVE_UP << i)) && c->ep[i].state == WST_ST_CLOSED;
}

/* SYNs and SYN+ACKs sent again, over both endpoints: a lost or unanswered handshake. */
unsigned wst_conn_syn_retransmissions(const struct wst_conn *c);

/* FINs sent again, over both endpoints: a FIN whose ACK did not come back. */
unsigned wst_conn_fin_retransmissions(const struct wst_conn *c);

/* Copies endpoint i's address into *out (zero-filled beyond its length). */
void wst_conn_addr(const struct wst_conn *c, int i, struct wst_addr *out);

/* True if the connection is the one named by `key`: 4-tuple, family and zone. */
bool wst_conn_matches(const struct wst_conn *c, const struct wst_flow_key *key);

/* Rebuilds the canonical key of a connection (as the table built it). */
void wst_conn_key(const struct wst_conn *c, struct wst_flow_key *key);

/*
 * A slab allocator of connections: objects are carved from large chunks,
 * one free list per size class, and chunks are kept until fini. The
 * classes: [0] IPv4, [1] IPv6.
 * Caller-allocated; init cannot fail (chunks are allocated on demand).
 */
#define WST_CONN_POOL_CLASSES 2

struct wst_conn_pool {
    struct wst_conn_slab *slabs[WST_CONN_POOL_CLASSES];
    void *free_list[WST_CONN_POOL_CLASSES];
    uint8_t *bump[WST_CONN_POOL_CLASSES];     /* not yet carved part of the newest chunk */
    uint8_t *bump_end[WST_CONN_POOL_CLASSES];
    size_t object_size[WST_CONN_POOL_CLASSES];
    size_t used_objects[WST_CONN_POOL_CLASSES]; /* handed out and not freed */
    size_t chunk_bytes;                         /* total bytes of all chunks */
};

void wst_conn_pool_init(struct wst_conn_pool *pool);

/* Frees every chunk; every connection of the pool becomes invalid. */
void wst_conn_pool_fini(struct wst_conn_pool *pool);

/*
 * Writes every connection handed out and not freed to out[] (room for
 * used_objects[0] + used_objects[1]), class by class, each in the order
 * its objects sit in memory, oldest chunk first: a walk over the chunks,
 * not over an index, so reading them is sequential, and while no object
 * was freed and taken again each class comes in the order it was
 * allocated. Returns how many.
 */
size_t wst_conn_pool_live(const struct wst_conn_pool *pool, struct wst_conn **out);

/*
 * Returns a zeroed connection with the addresses, ports, family and zone of
 * `key` filled in, and vlan[] from `seg`, owned by the caller until
 * wst_conn_free(). Aborts the process when memory runs out (see
 * wst_xcalloc()).
 */
struct wst_conn *wst_conn_new(struct wst_conn_pool *pool, const struct wst_flow_key *key,
                              const struct wst_segment *seg);

/*
 * Returns a connection to its pool and frees its extension, whose timeline
 * and notes the owner must have freed and cleared first. Its id becomes 0
 * (ids start at 1), so a stale pointer to the object (the memory stays
 * mapped) can tell.
 */
void wst_conn_free(struct wst_conn_pool *pool, struct wst_conn *c);

static inline void wst_conn_count_packet(struct wst_conn *c, int i)
{
    if (++c->packets[i] == 0)
        wst_conn_ext(c)->packets_hi[i]++;
}

#endif
