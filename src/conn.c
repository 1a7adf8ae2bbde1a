/*
 * conn.c - connection records and the slab pool they live in.
 *
 * Invariants of a record (wst_conn_check() holds them after every step):
 *  R1. family is IPv4 or IPv6; addr[] holds exactly 2 * wst_conn_addr_len()
 *      bytes, endpoint 0's address then endpoint 1's, and endpoint 0 is
 *      the smaller (address, port) pair (flow.h's canonical order).
 *  R2. client is 0 or 1, and once a segment has been applied, client_basis
 *      says how it was decided (never unset).
 *  R3. Both endpoints hold a real state (UNKNOWN .. LAST_ACK).
 *  R4. first_ts_us <= last_ts_us.
 *  R5. An endpoint that sent nothing has no flags, no payload and no
 *      WST_EP_SENT; one that sent a FIN or a SYN has that flag in
 *      tcp_flags (WST_EP_HAS_FIN, WST_EP_HAS_ISN).
 *  R6. WST_CONN_NOTES is set exactly when ext->notes is.
 *  R7. A reported record has an end reason; one not reported yet has none.
 *  R8. A record's zone is its key's (flow.h); its id is never 0 (ids start
 *      at 1, and a freed record's is 0).
 *
 * Invariants of the pool:
 *  1. (see R1 for the record's addresses)
 *  2. A pool object is handed out, on its family's free list (the first
 *     word of a free object links to the next), or not yet carved: at or
 *     past its family's bump pointer in the newest chunk.
 *  3. Object sizes are multiples of 8, so every object is aligned for its
 *     uint64_t members.
 */
#include "wirestate/conn.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Chunks are one 2 MiB huge page each where the kernel grants one: the
 * records of busy connections are scattered over many chunks, and with 4
 * KiB pages every lookup would also miss the TLB.
 */
#define SLAB_BYTES WST_HUGE_PAGE

struct wst_conn_slab {
    struct wst_conn_slab *next;
    /* objects follow, each starting on a cache line */
};

/* The chunk an object was carved from (invariant 4). */

static const char *const basis_names[WST_CLIENT__COUNT] = {
    [WST_CLIENT_UNSET] = "unset",
#define WST_CLIENT_BASIS_NAME(e, name) [WST_CLIENT_##e] = name,
    WST_CLIENT_BASIS_MAP(WST_CLIENT_BASIS_NAME)
#undef WST_CLIENT_BASIS_NAME
};

static const char *const end_reason_names[WST_END__COUNT] = {
    [WST_END__NONE] = "none",
#define WST_END_REASON_NAME(e, name) [WST_END_##e] = name,
    WST_END_REASON_MAP(WST_END_REASON_NAME)
#undef WST_END_REASON_NAME
};

const char *wst_end_reason_name(enum wst_end_reason r)
{
    return (unsigned)r < WST_END__COUNT ? end_reason_names[r] : "none";
}

const char *wst_client_basis_name(enum wst_client_basis basis)
{
    return (unsigned)basis < WST_CLIENT__COUNT ? basis_names[basis] : "unset";
}

struct wst_conn_ext *wst_conn_ext(struct wst_conn *c)
{
    if (c->ext == NULL)
        c->ext = wst_xcalloc(1, sizeof *c->ext);
    return c->ext;
}

bool wst_check_enabled(void)
{
#ifdef NDEBUG
    return false;
#else
    static int enabled = -1;
    if (enabled < 0)
        enabled = getenv("WST_CHECK") != NULL;
    return enabled;
#endif
}

/* Aborts naming the invariant a record broke. */
static _Noreturn void broken(const struct wst_conn *c, const char *what)
{
    fprintf(stderr, "wirestate: connection %llu: invariant broken: %s\n", (unsigned long long)c->id, what);
    abort();
}

void wst_conn_check(const struct wst_conn *c)
{
    if (c->family != WST_AF_INET && c->family != WST_AF_INET6)
        broken(c, "R1 family");
    size_t len = wst_conn_addr_len(c);
    int order = memcmp(c->addr, c->addr + len, len);
    if (order > 0 || (order == 0 && c->port[0] > c->port[1]))
        broken(c, "R1 canonical order");
    if (c->client_basis == WST_CLIENT_UNSET) /* client and basis: their bit-fields hold no more */
        broken(c, "R2 client");
    for (int i = 0; i < 2; i++) {
        const struct wst_endpoint *ep = &c->ep[i];
        if (ep->state < WST_ST_UNKNOWN || ep->state >= WST_ST__COUNT)
            broken(c, "R3 state");
        if (wst_conn_packets(c, i) == 0 &&
            (c->tcp_flags[i] || c->payload_bytes[i] || (ep->flags & WST_EP_SENT)))
            broken(c, "R5 silent endpoint");
        if (((ep->flags & WST_EP_HAS_FIN) && !(c->tcp_flags[i] & WST_TH_FIN)) ||
            ((ep->flags & WST_EP_HAS_ISN) && !(c->tcp_flags[i] & WST_TH_SYN)))
            broken(c, "R5 flags");
    }
    if (c->first_ts_us > c->last_ts_us)
        broken(c, "R4 times");
    if (!(c->flags & WST_CONN_NOTES) != !(c->ext && c->ext->notes))
        broken(c, "R6 notes");
    if (!(c->flags & WST_CONN_REPORTED) != (c->end_reason == WST_END__NONE) || c->end_reason >= WST_END__COUNT)
        broken(c, "R7 end reason");
    if (c->id == 0)
        broken(c, "R8 id");
}

unsigned wst_conn_syn_retransmissions(const struct wst_conn *c)
{
    unsigned n = 0;
    for (int i = 0; i < 2; i++)
        n += c->ep[i].syns_again;
    return n;
}

unsigned wst_conn_fin_retransmissions(const struct wst_conn *c)
{
    unsigned n = 0;
    for (int i = 0; i < 2; i++)
        n += c->ep[i].fins > 1 ? c->ep[i].fins - 1u : 0u;
    return n;
}

void wst_conn_addr(const struct wst_conn *c, int i, struct wst_addr *out)
{
    size_t len = wst_conn_addr_len(c);
    memset(out, 0, sizeof *out);
    memcpy(out->b, c->addr + (size_t)i * len, len);
}


bool wst_conn_matches(const struct wst_conn *c, const struct wst_flow_key *key)
{
    /* Inline word compares: this runs for every packet, and a call to
     * memcmp() for 4 bytes costs more than the comparison. */
    uint32_t cp, kp;
    memcpy(&cp, c->port, sizeof cp);
    memcpy(&kp, key->port, sizeof kp);
    if (cp != kp || c->zone != key->zone || c->family != key->family)
        return false;
    if (c->family == WST_AF_INET) {
        uint32_t a0, a1, k0, k1;
        memcpy(&a0, c->addr, 4);
        memcpy(&a1, c->addr + 4, 4);
        memcpy(&k0, key->addr[0].b, 4);
        memcpy(&k1, key->addr[1].b, 4);
        if (a0 != k0 || a1 != k1)
            return false;
    } else {
        uint64_t x[4], y[4];
        memcpy(x, c->addr, 32);
        memcpy(&y[0], key->addr[0].b, 16);
        memcpy(&y[2], key->addr[1].b, 16);
        if (((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) != 0)
            return false;
    }
    return true;
}

void wst_conn_key(const struct wst_conn *c, struct wst_flow_key *key)
{
    memset(key, 0, sizeof *key);
    wst_conn_addr(c, 0, &key->addr[0]);
    wst_conn_addr(c, 1, &key->addr[1]);
    key->port[0] = c->port[0];
    key->port[1] = c->port[1];
    key->zone = c->zone;
    key->family = c->family;
}

/* Size class of a family: 0 for IPv4, 1 for IPv6 (struct wst_conn_pool). */
static int pool_class(uint8_t family)
{
    return family == WST_AF_INET6 ? 1 : 0;
}

void wst_conn_pool_init(struct wst_conn_pool *pool)
{
    memset(pool, 0, sizeof *pool);
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++) {
        size_t size = offsetof(struct wst_conn, addr) + 2 * (k ? 16 : 4);
        pool->object_size[k] = (size + 7) & ~(size_t)7;
    }
}

void wst_conn_pool_fini(struct wst_conn_pool *pool)
{
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++) {
        struct wst_conn_slab *s = pool->slabs[k];
        while (s) {
            struct wst_conn_slab *next = s->next;
            wst_huge_free(s, SLAB_BYTES);
            s = next;
        }
    }
    memset(pool, 0, sizeof *pool);
}

/* Where a chunk's first object starts: on a cache line, so a 128-byte record is exactly two. */
static size_t slab_header(void)
{
    return (sizeof(struct wst_conn_slab) + 63) & ~(size_t)63;
}

size_t wst_conn_pool_live(const struct wst_conn_pool *pool, struct wst_conn **out)
{
    size_t n = 0;
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++) {
        /* Oldest chunk first (the list is newest first): objects are carved
         * in the order connections begin, so the walk meets them nearly in
         * id order. */
        size_t chunks = 0;
        for (const struct wst_conn_slab *s = pool->slabs[k]; s; s = s->next)
            chunks++;
        const struct wst_conn_slab **order = wst_xcalloc(chunks ? chunks : 1, sizeof *order);
        size_t i = chunks;
        for (const struct wst_conn_slab *s = pool->slabs[k]; s; s = s->next)
            order[--i] = s;
        size_t size = pool->object_size[k];
        for (i = 0; i < chunks; i++) {
            const struct wst_conn_slab *s = order[i];
            const uint8_t *o = (const uint8_t *)s + slab_header();
            /* The newest chunk is carved up to bump; the others as far as objects fit. */
            const uint8_t *end = s == pool->slabs[k] ? pool->bump[k] : (const uint8_t *)s + SLAB_BYTES;
            for (; (size_t)(end - o) >= size; o += size) {
                struct wst_conn *c = (struct wst_conn *)(uintptr_t)o;
                if (c->id != 0) /* a freed object has id 0 (wst_conn_free()) */
                    out[n++] = c;
            }
        }
        free(order);
    }
    return n;
}

/* Adds a chunk for class k; objects are carved from it on demand. */
static void pool_grow(struct wst_conn_pool *pool, int k)
{
    struct wst_conn_slab *s = wst_huge_alloc(SLAB_BYTES);
    s->next = pool->slabs[k];
    pool->slabs[k] = s;
    pool->chunk_bytes += SLAB_BYTES;
    pool->bump[k] = (uint8_t *)s + slab_header();
    pool->bump_end[k] = (uint8_t *)s + SLAB_BYTES;
}

/* The next object of class k: a freed one first, else a new one from the chunk. */
static void *pool_take(struct wst_conn_pool *pool, int k)
{
    void *o = pool->free_list[k];
    if (o) {
        memcpy(&pool->free_list[k], o, sizeof(void *));
        return o;
    }
    if ((size_t)(pool->bump_end[k] - pool->bump[k]) < pool->object_size[k])
        pool_grow(pool, k);
    o = pool->bump[k];
    pool->bump[k] += pool->object_size[k];
    return o;
}

struct wst_conn *wst_conn_new(struct wst_conn_pool *pool, const struct wst_flow_key *key,
                              const struct wst_segment *seg)
{
    int k = pool_class(key->family);
    void *o = pool_take(pool, k);
    pool->used_objects[k]++;

    struct wst_conn *c = o;
    memset(c, 0, pool->object_size[k]);
    c->family = key->family;
    c->port[0] = key->port[0];
    c->port[1] = key->port[1];
    size_t len = wst_family_addr_len(key->family);
    memcpy(c->addr, key->addr[0].b, len);
    memcpy(c->addr + len, key->addr[1].b, len);
    c->zone = key->zone;
    for (int i = 0; i < 2 && i < seg->vlan_count; i++)
        c->vlan[i] = (uint16_t)(seg->vlan[i] + 1);
    return c;
}

void wst_conn_free(struct wst_conn_pool *pool, struct wst_conn *c)
{
    free(c->ext);
    c->ext = NULL;
    int k = pool_class(c->family);
    c->id = 0; /* ids start at 1: a stale reference can tell the object was freed */
    memcpy(c, &pool->free_list[k], sizeof(void *));
    pool->free_list[k] = c;
    pool->used_objects[k]--;
}
