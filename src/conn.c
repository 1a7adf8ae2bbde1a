/*
 * conn.c - connection records and the slab pool they live in.
 *
 * Invariants:
 *  1. A connection's addr[] holds exactly 2 * wst_conn_addr_len() bytes:
 *     endpoint 0's address, then endpoint 1's, in canonical order.
 *  4. Every chunk is one 2 MiB huge page, aligned to its size, and holds
 *     objects of one size class; its header says where that class keeps
 *     the zone (zone_off, 0 for the classes without one). So an object's
 *     chunk, and its zone, follow from its address, and no record carries
 *     a flag for it.
 *  2. A pool object is handed out, on its family's free list (the first
 *     word of a free object links to the next), or not yet carved: at or
 *     past its family's bump pointer in the newest chunk.
 *  3. Object sizes are multiples of 8, so every object is aligned for its
 *     uint64_t members.
 */
#include "wirestate/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * Chunks are one 2 MiB huge page each where the kernel grants one: the
 * records of busy connections are scattered over many chunks, and with 4
 * KiB pages every lookup would also miss the TLB.
 */
#define SLAB_BYTES WST_HUGE_PAGE

struct wst_conn_slab {
    struct wst_conn_slab *next;
    uint32_t zone_off; /* where its objects keep their zone; 0: they have zone 0 */
    /* objects follow, each starting on a cache line */
};

/* The chunk an object was carved from (invariant 4). */
static const struct wst_conn_slab *slab_of(const struct wst_conn *c)
{
    return (const struct wst_conn_slab *)((uintptr_t)c & ~(uintptr_t)(SLAB_BYTES - 1));
}

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

void wst_out_of_memory(const char *what)
{
    fprintf(stderr, "wirestate: out of memory (%s)\n", what);
    exit(1);
}

void *wst_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL && n != 0 && size != 0) {
        char what[40];
        snprintf(what, sizeof what, "%zu bytes", n * size);
        wst_out_of_memory(what);
    }
    return p;
}

/* Size of a huge allocation: whole 2 MiB pages. */
static size_t huge_size(size_t size)
{
    return (size + WST_HUGE_PAGE - 1) & ~(WST_HUGE_PAGE - 1);
}

void *wst_xrealloc(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        fprintf(stderr, "wirestate: out of memory (%zu x %zu bytes)\n", n, size);
        exit(1);
    }
    void *q = realloc(p, n * size);
    if (q == NULL && n * size != 0) {
        fprintf(stderr, "wirestate: out of memory (%zu bytes)\n", n * size);
        exit(1);
    }
    return q;
}

void *wst_huge_alloc(size_t size)
{
    /* mmap() twice the size and unmap the unaligned ends: the region is
     * 2 MiB aligned without wasting address space or touching a page. */
    size = huge_size(size);
    uint8_t *raw = mmap(NULL, size + WST_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        fprintf(stderr, "wirestate: out of memory (%zu bytes)\n", size);
        exit(1);
    }
    uint8_t *p = (uint8_t *)(((uintptr_t)raw + WST_HUGE_PAGE - 1) & ~(uintptr_t)(WST_HUGE_PAGE - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    if (p + size < raw + size + WST_HUGE_PAGE)
        munmap(p + size, (size_t)(raw + size + WST_HUGE_PAGE - (p + size)));
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
    return p;
}

void wst_huge_free(void *p, size_t size)
{
    if (p)
        munmap(p, huge_size(size));
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

uint32_t wst_conn_zone(const struct wst_conn *c)
{
    uint32_t zone = 0;
    uint32_t off = slab_of(c)->zone_off;
    if (off != 0)
        memcpy(&zone, (const char *)c + off, sizeof zone);
    return zone;
}

bool wst_conn_matches(const struct wst_conn *c, const struct wst_flow_key *key)
{
    /* Inline word compares: this runs for every packet, and a call to
     * memcmp() for 4 bytes costs more than the comparison. */
    uint32_t cp, kp;
    memcpy(&cp, c->port, sizeof cp);
    memcpy(&kp, key->port, sizeof kp);
    if (cp != kp || c->family != key->family)
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
    /* Last: the same 4-tuple in another zone is rare, and the chunk
     * header this reads is one of a few hot cache lines. */
    return wst_conn_zone(c) == key->zone;
}

void wst_conn_key(const struct wst_conn *c, struct wst_flow_key *key)
{
    memset(key, 0, sizeof *key);
    wst_conn_addr(c, 0, &key->addr[0]);
    wst_conn_addr(c, 1, &key->addr[1]);
    key->port[0] = c->port[0];
    key->port[1] = c->port[1];
    key->zone = wst_conn_zone(c);
    key->family = c->family;
}

/* Size class of a family with or without a zone (struct wst_conn_pool). */
static int pool_class(uint8_t family, bool zoned)
{
    return (family == WST_AF_INET6 ? 1 : 0) + (zoned ? 2 : 0);
}

static int class_of(const struct wst_conn *c)
{
    return pool_class(c->family, slab_of(c)->zone_off != 0);
}

/* Object size of class k with `extra` bytes (a multiple of 8) after the
 * record; a class with a zone keeps it in 8 more bytes at the end. */
static size_t class_size(int k, size_t extra)
{
    size_t size = offsetof(struct wst_conn, addr) + 2 * ((k & 1) ? 16 : 4);
    return ((size + 7) & ~(size_t)7) + extra + ((k & 2) ? 8 : 0);
}

void wst_conn_pool_init(struct wst_conn_pool *pool)
{
    memset(pool, 0, sizeof *pool);
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++)
        pool->object_size[k] = class_size(k, 0);
}

void wst_conn_pool_set_extra(struct wst_conn_pool *pool, size_t extra)
{
    extra = (extra + 7) & ~(size_t)7;
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++)
        pool->object_size[k] = class_size(k, extra);
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

/* Adds a chunk for class k; objects are carved from it on demand. */
static void pool_grow(struct wst_conn_pool *pool, int k)
{
    struct wst_conn_slab *s = wst_huge_alloc(SLAB_BYTES);
    s->next = pool->slabs[k];
    pool->slabs[k] = s;
    pool->chunk_bytes += SLAB_BYTES;
    s->zone_off = (k & 2) ? (uint32_t)(pool->object_size[k] - 8) : 0;
    /* Objects start on a cache line: a 128-byte record is then exactly two. */
    size_t header = (sizeof(struct wst_conn_slab) + 63) & ~(size_t)63;
    pool->bump[k] = (uint8_t *)s + header;
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
    int k = pool_class(key->family, key->zone != 0);
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
    if (key->zone != 0)
        memcpy((char *)c + slab_of(c)->zone_off, &key->zone, sizeof key->zone);
    for (int i = 0; i < 2 && i < seg->vlan_count; i++)
        c->vlan[i] = (uint16_t)(seg->vlan[i] + 1);
    return c;
}

void wst_conn_free(struct wst_conn_pool *pool, struct wst_conn *c)
{
    int k = class_of(c);
    c->id = 0; /* ids start at 1: a stale reference can tell the object was freed */
    memcpy(c, &pool->free_list[k], sizeof(void *));
    pool->free_list[k] = c;
    pool->used_objects[k]--;
}
