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
 * for IPv6), and the connections live in slab pools (wst_conn_pool) rather
 * than one malloc() each. A connection whose key has a zone other than 0
 * comes from a size class of its own that keeps the zone at the end of the
 * object, as Linux conntrack keeps a zone in an extension only when one is
 * set: records without a zone pay nothing for zones.
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
    X(CAPTURE_END, "capture_end") /* still open when the capture ended */

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
    WST_CONN_RETIRED = 0x01,   /* no longer findable by its 4-tuple; waits to be emitted */
    WST_CONN_MIDSTREAM = 0x02, /* the capture holds no SYN or SYN+ACK of it */
    WST_CONN_RESET = 0x04,     /* an acceptable RST ended an endpoint */
    WST_CONN_NOTES = 0x08,     /* has anomaly notes in the tracker's side table (anomaly.h) */
    WST_CONN_TIME_WAIT = 0x10, /* endpoint 0 entered TIME_WAIT (<< 1: endpoint 1): it closed first */
};

struct wst_conn {
    struct wst_conn *next;    /* the table's first-seen order list (flow_table.c) */
    uint64_t id;              /* 1, 2, ... in first-seen order */
    wst_ts_us first_ts_us;    /* first packet */
    wst_ts_us last_ts_us;     /* latest packet */
    uint64_t packets[2];      /* sent by endpoint i */
    uint64_t payload_bytes[2];/* TCP payload bytes sent by endpoint i */
    struct wst_endpoint ep[2];/* each endpoint's TCP state and what it sent (fsm.h) */
    uint16_t port[2];
    uint16_t vlan[2];         /* first packet's outer/inner VLAN ID + 1; 0 = none (for
                                 display; the key's zone is apart, wst_conn_zone()) */
    uint8_t tcp_flags[2];     /* union of WST_TH_* sent by endpoint i */
    uint8_t family;           /* WST_AF_INET or WST_AF_INET6 */
    uint8_t client;           /* endpoint index of the client */
    uint8_t client_basis;     /* enum wst_client_basis */
    uint8_t flags;            /* WST_CONN_* */
    uint8_t end_reason;       /* enum wst_end_reason, once retired */
    uint8_t addr[];           /* endpoint 0's address, then endpoint 1's */
};

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

/* SYNs and SYN+ACKs sent again, over both endpoints: a lost or unanswered handshake. */
unsigned wst_conn_syn_retransmissions(const struct wst_conn *c);

/* FINs sent again, over both endpoints: a FIN whose ACK did not come back. */
unsigned wst_conn_fin_retransmissions(const struct wst_conn *c);

/* Copies endpoint i's address into *out (zero-filled beyond its length). */
void wst_conn_addr(const struct wst_conn *c, int i, struct wst_addr *out);

/* The zone of the connection's key (flow.h); 0 for most. c must come from
 * wst_conn_new(): the zone is found through the pool chunk it lives in. */
uint32_t wst_conn_zone(const struct wst_conn *c);

/* True if the connection is the one named by `key`: 4-tuple, family and zone. */
bool wst_conn_matches(const struct wst_conn *c, const struct wst_flow_key *key);

/* Rebuilds the canonical key of a connection (as the table built it). */
void wst_conn_key(const struct wst_conn *c, struct wst_flow_key *key);

/*
 * A slab allocator of connections: objects are carved from large chunks,
 * one free list per size class, and chunks are kept until fini. The
 * classes: [0] IPv4, [1] IPv6, [2] and [3] the same with a zone.
 * Caller-allocated; init cannot fail (chunks are allocated on demand).
 */
#define WST_CONN_POOL_CLASSES 4

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

/*
 * Reserves `extra` bytes (rounded to 8) after each object's addresses, for
 * per-connection data only some runs need (a timeline pointer). Call before
 * the first wst_conn_new(); wst_conn_extra() finds the space.
 */
void wst_conn_pool_set_extra(struct wst_conn_pool *pool, size_t extra);

/* The extra bytes of a connection from a pool with set_extra (8-aligned). */
static inline void *wst_conn_extra(struct wst_conn *c)
{
    size_t off = (offsetof(struct wst_conn, addr) + 2 * wst_conn_addr_len(c) + 7) & ~(size_t)7;
    return (char *)c + off;
}

/* Frees every chunk; every connection of the pool becomes invalid. */
void wst_conn_pool_fini(struct wst_conn_pool *pool);

/*
 * Returns a zeroed connection with the addresses, ports, family and zone of
 * `key` filled in, and vlan[] from `seg`, owned by the caller until
 * wst_conn_free(). Aborts the process when memory runs out (see
 * wst_xcalloc()).
 */
struct wst_conn *wst_conn_new(struct wst_conn_pool *pool, const struct wst_flow_key *key,
                              const struct wst_segment *seg);

/* Returns a connection to its pool; its id becomes 0 (ids start at 1), so
 * a stale pointer to the object (the memory stays mapped) can tell. */
void wst_conn_free(struct wst_conn_pool *pool, struct wst_conn *c);

/* Huge page size on x86-64 and arm64 Linux. */
#define WST_HUGE_PAGE ((size_t)2 << 20)

/*
 * Memory for large, long-lived, randomly accessed tables: `size` rounded up
 * to whole 2 MiB pages, aligned to them and marked MADV_HUGEPAGE, so the
 * kernel may back it with huge pages (fewer TLB misses). Zero-filled (fresh
 * anonymous pages). Exits like wst_xcalloc() when memory runs out. Free
 * with wst_huge_free() and the same size.
 */
void *wst_huge_alloc(size_t size);
void wst_huge_free(void *p, size_t size);

/*
 * calloc() that never returns NULL: on failure it prints one line and exits
 * with status 1, the same policy as libjudy's allocation failures. Memory
 * is bounded by limits on what is tracked instead of by half-handled
 * allocation failures everywhere.
 */
void *wst_xcalloc(size_t n, size_t size);

/* That policy for an allocation that failed elsewhere (libjudy's): one line naming `what`, exit 1. */
_Noreturn void wst_out_of_memory(const char *what);

/* realloc() of n elements of size bytes with the same policy (and an overflow check). */
void *wst_xrealloc(void *p, size_t n, size_t size);

#endif
