/*
 * flow_table.c - the connection table on libjudy.
 *
 * Model: a JudyL array and a cache in front of it.
 *   by_hash  upper 32 bits of the key hash -> live connection that left the
 *            cache (wst_conn.indexed). Keys with
 *            equal indexes are resolved by linear probing in the 32-bit
 *            index space (wrapping at 2^32): a key lives at the first free
 *            index at or after its home, the upper half of its hash. A
 *            32-bit index keeps Judy's tree four levels deep instead of
 *            eight: 15 bytes an entry instead of 20 at 300,000 entries, and
 *            a cheaper insert. With n keys about n^2 / 2^33 pairs share an
 *            index (ten at 300,000), each a probe step longer; the seeded
 *            hash keeps a sender from aiming at one index.
 *   cache    a 4-way set-associative cache of recently used connections
 *            (flow_table.h), checked before by_hash. Most packets belong to
 *            a connection seen a moment ago; the cache turns their lookup
 *            into one cache line and one key comparison, and the tracker
 *            prefetches both a few packets ahead. It is a write-back
 *            cache: a new connection goes into the cache only, and into
 *            by_hash when the cache has to give its way to another one
 *            (an empty way is taken first). Most connections are short:
 *            they begin and end in the cache and never cost a Judy
 *            insert and delete, which are several hundred instructions
 *            each.
 * Only this file touches Judy for connections (findings.c and select.c keep
 * their own arrays).
 *
 * The table holds a connection from its creation until it is removed;
 * removing gives it back to the caller, who releases it. Nothing keeps
 * connections in any order: wst_flow_table_all() sorts them by id when
 * someone needs them all.
 *
 * Invariants (checked by flow_table_check() in debug builds):
 *  1. A connection is in by_hash exactly when it is held and indexed:
 *     once, at an index i such that every index from its home to i (mod
 *     2^32) is occupied (the probing invariant).
 *  2. A cache way is NULL or points to a held connection, whose hash
 *     selects that set and whose hash tag the way holds; no connection is
 *     in two ways.
 *  3. Every held connection is indexed or cached (or both), so a lookup
 *     that misses the cache and by_hash is of a connection the table does
 *     not hold; `held` counts them.
 *  4. homes[b] is the number of indexed connections whose home's top
 *     HOME_BUCKET_BITS bits are b, or HOME_STUCK if it ever reached that
 *     (homes is NULL until one is indexed).
 */
#include "wirestate/flow_table.h"
#include "alloc.h"

#include <Judy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct wst_flow_table {
    struct wst_flow_cache cache; /* first: the inline prefetch hints rely on it */
    Pvoid_t by_hash;
    uint64_t seed;
    wst_flow_hash_fn *hash;
    size_t held;
    struct wst_conn_pool pool;
    uint8_t *homes; /* HOME_BUCKETS counts of indexed connections by home (invariant 4) */
};

/*
 * Most lookups that miss the cache are of connections the table does not
 * hold (a new connection's first packet), and a JudyL walk to prove it
 * costs a few hundred instructions and a few cache misses. The indexed
 * connections are counted by their home's top bits: a home whose bucket
 * counts none starts no probe chain holding the key, so the lookup ends
 * with one read. A count is a byte (a megabyte in all, about 3.5 bytes a
 * connection at 300,000 held); one that reaches 255 stays there, which
 * only means that bucket's lookups walk the index, as all did before.
 */
#define HOME_STUCK UINT8_MAX
#define HOME_BUCKET_BITS 20
#define HOME_BUCKETS ((size_t)1 << HOME_BUCKET_BITS)

/* The by_hash index where a key's probe chain starts: the hash's upper
 * half, which is also its cache tag. */
static uint32_t home_of(uint64_t hash)
{
    return (uint32_t)(hash >> 32);
}

static size_t home_bucket(uint32_t home)
{
    return home >> (32 - HOME_BUCKET_BITS);
}

static PWord_t judy_ins(Pvoid_t *array, Word_t index)
{
    PWord_t pv = (PWord_t)JudyLIns(array, index, PJE0);
    if (pv == PJERR)
        wst_out_of_memory("JudyLIns");
    return pv;
}

static struct wst_conn *judy_get(Pvoid_t array, Word_t index)
{
    PWord_t pv = (PWord_t)JudyLGet(array, index, PJE0);
    return pv ? (struct wst_conn *)*pv : NULL;
}

static void judy_del(Pvoid_t *array, Word_t index)
{
    if (JudyLDel(array, index, PJE0) == JERR)
        wst_out_of_memory("JudyLDel");
}

#ifndef NDEBUG
static void flow_table_check(const struct wst_flow_table *t)
{
    size_t indexed = 0, cached_only = 0;
    Word_t i = 0;
    for (PWord_t pv = (PWord_t)JudyLFirst(t->by_hash, &i, PJE0); pv;
         pv = (PWord_t)JudyLNext(t->by_hash, &i, PJE0)) {
        const struct wst_conn *c = (const struct wst_conn *)*pv;
        struct wst_flow_key key;
        wst_conn_key(c, &key);
        if (i > UINT32_MAX || !c->indexed || c->id == 0)
            abort();
        for (uint32_t j = home_of(t->hash(&key, t->seed)); j != i; j++) {
            if (!judy_get(t->by_hash, j)) {
                fprintf(stderr, "flow_table: probe chain of conn %llu broken\n", (unsigned long long)c->id);
                abort();
            }
        }
        indexed++;
    }
    for (size_t s = 0; s < WST_FLOW_CACHE_SETS; s++) {
        for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
            const struct wst_conn *c = t->cache.set[s].conn[w];
            if (c == NULL)
                continue;
            cached_only += !c->indexed;
            for (int v = w + 1; v < WST_FLOW_CACHE_WAYS; v++) {
                if (t->cache.set[s].conn[v] == c)
                    abort();
            }
        }
    }
    /* Invariant 3: every held connection is counted once, indexed or cached. */
    if (indexed + cached_only != t->held)
        abort();
    static unsigned long calls;
    if (++calls % 64 != 0)
        return; /* hashing every cached connection is the costly part: sample it */
    if (t->homes) { /* invariant 4 */
        size_t *count = calloc(HOME_BUCKETS, sizeof *count);
        if (count == NULL)
            return;
        i = 0;
        for (PWord_t pv = (PWord_t)JudyLFirst(t->by_hash, &i, PJE0); pv;
             pv = (PWord_t)JudyLNext(t->by_hash, &i, PJE0)) {
            struct wst_flow_key key;
            wst_conn_key((const struct wst_conn *)*pv, &key);
            count[home_bucket(home_of(t->hash(&key, t->seed)))]++;
        }
        for (size_t b = 0; b < HOME_BUCKETS; b++) {
            if (t->homes[b] != HOME_STUCK && t->homes[b] != count[b])
                abort();
        }
        free(count);
    }
    for (size_t s = 0; s < WST_FLOW_CACHE_SETS; s++) {
        for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
            const struct wst_conn *c = t->cache.set[s].conn[w];
            if (c == NULL)
                continue;
            struct wst_flow_key key;
            wst_conn_key(c, &key);
            uint64_t h = t->hash(&key, t->seed);
            if (c->id == 0 || (h & (WST_FLOW_CACHE_SETS - 1)) != s || t->cache.set[s].tag[w] != wst_flow_cache_tag(h))
                abort();
        }
    }
}

/* With WST_CHECK_TABLE set (the tests set it): after every change while the
 * table is small, then every 4096th change, as a full check is O(n). */
static void maybe_check(struct wst_flow_table *t)
{
    static int enabled = -1;
    static unsigned long changes;
    if (enabled < 0)
        enabled = getenv("WST_CHECK_TABLE") != NULL;
    if (enabled && (t->held <= 512 || ++changes % 4096 == 0))
        flow_table_check(t);
}
#define CHECK(t) maybe_check(t)
#else
#define CHECK(t) ((void)0)
#endif

static struct wst_flow_cache_set *set_of(struct wst_flow_table *t, uint64_t hash)
{
    return &t->cache.set[hash & (WST_FLOW_CACHE_SETS - 1)];
}

/* The cached connection named by key, or NULL. */
static struct wst_conn *cache_get(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash)
{
    struct wst_flow_cache_set *set = set_of(t, hash);
    uint32_t tag = wst_flow_cache_tag(hash);
    for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
        struct wst_conn *c = set->conn[w];
        if (set->tag[w] == tag && c && wst_conn_matches(c, key))
            return c;
    }
    return NULL;
}

/* Puts c, not yet indexed, into by_hash at the first free index of its probe chain. */
static void index_conn(struct wst_flow_table *t, struct wst_conn *c, uint32_t home)
{
    uint32_t i = home;
    while (judy_get(t->by_hash, i))
        i++;
    *judy_ins(&t->by_hash, i) = (Word_t)c;
    c->indexed = 1;
    if (t->homes == NULL)
        t->homes = wst_xcalloc(HOME_BUCKETS, sizeof *t->homes); /* pages come in as used */
    uint8_t *n = &t->homes[home_bucket(home)];
    if (*n != HOME_STUCK)
        (*n)++;
}

/*
 * Caches c (which no way of its set holds): in an empty way if there is
 * one, else in place of the set's ways in turn. A connection that leaves
 * the cache and was never indexed goes into by_hash now (write-back):
 * invariant 4. Its home there is its hash's upper half, the way's tag.
 */
static void cache_put(struct wst_flow_table *t, struct wst_conn *c, uint64_t hash)
{
    struct wst_flow_cache_set *set = set_of(t, hash);
    unsigned w = 0;
    while (w < WST_FLOW_CACHE_WAYS && set->conn[w] != NULL)
        w++;
    if (w == WST_FLOW_CACHE_WAYS) {
        w = set->victim++ % WST_FLOW_CACHE_WAYS;
        struct wst_conn *out = set->conn[w];
        if (!out->indexed)
            index_conn(t, out, set->tag[w]);
    }
    set->tag[w] = wst_flow_cache_tag(hash);
    set->conn[w] = c;
}

static void cache_forget(struct wst_flow_table *t, const struct wst_conn *c, uint64_t hash)
{
    struct wst_flow_cache_set *set = set_of(t, hash);
    for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
        if (set->conn[w] == c)
            set->conn[w] = NULL;
    }
}

struct wst_flow_table *wst_flow_table_new(uint64_t seed)
{
    /* The cache is probed at random for every packet: huge pages, and
     * cache-line-aligned sets. */
    struct wst_flow_table *t = wst_huge_alloc(sizeof *t);
    t->seed = seed;
    t->hash = wst_flow_key_hash;
    wst_conn_pool_init(&t->pool);
    return t;
}

void wst_flow_table_free(struct wst_flow_table *t)
{
    if (t == NULL)
        return;
    /* The pool frees the records wholesale; their extensions one by one
     * (the owner has emptied them: wst_conn_free()'s contract). */
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t, &n);
    for (size_t i = 0; i < n; i++)
        free(all[i]->ext);
    free(all);
    JudyLFreeArray(&t->by_hash, PJE0);
    free(t->homes);
    wst_conn_pool_fini(&t->pool);
    wst_huge_free(t, sizeof *t);
}

void wst_flow_table_set_hash(struct wst_flow_table *t, wst_flow_hash_fn *fn)
{
    t->hash = fn;
}

uint64_t wst_flow_table_hash(const struct wst_flow_table *t, const struct wst_flow_key *key)
{
    /* The usual hash called directly, so it inlines into the packet path. */
    if (t->hash == wst_flow_key_hash)
        return wst_flow_key_hash(key, t->seed);
    return t->hash(key, t->seed);
}

struct wst_conn *wst_flow_table_get(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash)
{
    struct wst_conn *c = cache_get(t, key, hash);
    if (c)
        return c;
    if (t->homes == NULL || t->homes[home_bucket(home_of(hash))] == 0)
        return NULL; /* invariant 4: no indexed connection has this home */
    for (uint32_t i = home_of(hash);; i++) {
        c = judy_get(t->by_hash, i);
        if (c == NULL)
            return NULL;
        if (wst_conn_matches(c, key)) {
            cache_put(t, c, hash);
            return c;
        }
    }
}

/* A new connection for `key`, in the cache only (write-back). */
static struct wst_conn *add(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash,
                            const struct wst_segment *seg, uint64_t id)
{
    struct wst_conn *c = wst_conn_new(&t->pool, key, seg);
    c->id = id;
    cache_put(t, c, hash);
    t->held++;
    CHECK(t);
    return c;
}

struct wst_conn *wst_flow_table_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                       uint64_t hash, const struct wst_segment *seg, uint64_t id)
{
    return add(t, key, hash, seg, id);
}

struct wst_conn *wst_flow_table_find_or_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                               uint64_t hash, const struct wst_segment *seg, uint64_t id,
                                               bool *created)
{
    struct wst_conn *c = wst_flow_table_get(t, key, hash);
    *created = c == NULL;
    return c ? c : add(t, key, hash, seg, id);
}

/*
 * Deletes the by_hash entry at `hole`, then walks the cluster after it and
 * moves back every entry whose probe chain ran through the hole (Knuth's
 * deletion for linear probing, TAOCP vol. 3, 6.4 Algorithm R), so lookups
 * that stop at the first free index stay correct.
 */
static void by_hash_delete(struct wst_flow_table *t, uint32_t hole)
{
    judy_del(&t->by_hash, hole);
    for (uint32_t j = hole + 1;; j++) {
        struct wst_conn *c = judy_get(t->by_hash, j);
        if (c == NULL)
            return;
        struct wst_flow_key key;
        wst_conn_key(c, &key);
        uint32_t home = home_of(t->hash(&key, t->seed));
        /* 32-bit unsigned distances wrap like the index space does. */
        if ((uint32_t)(j - home) >= (uint32_t)(j - hole)) {
            judy_del(&t->by_hash, j);
            *judy_ins(&t->by_hash, hole) = (Word_t)c;
            hole = j;
        }
    }
}

void wst_flow_table_remove(struct wst_flow_table *t, struct wst_conn *c)
{
    struct wst_flow_key key;
    wst_conn_key(c, &key);
    uint64_t hash = t->hash(&key, t->seed);
    if (c->indexed) {
        uint32_t i = home_of(hash);
        for (struct wst_conn *at; (at = judy_get(t->by_hash, i)) != c; i++) {
            /* An indexed connection always sits on its probe chain (invariant 1). */
            if (at == NULL)
                abort();
        }
        by_hash_delete(t, i);
        c->indexed = 0;
        uint8_t *n = &t->homes[home_bucket(home_of(hash))];
        if (*n != HOME_STUCK)
            (*n)--;
    }
    cache_forget(t, c, hash);
    t->held--;
    CHECK(t);
}

void wst_flow_table_release(struct wst_flow_table *t, struct wst_conn *c)
{
    wst_conn_free(&t->pool, c);
}

/*
 * Sorts conns[0..n) by id: a least-significant-digit radix sort of
 * (id, record) pairs, 11 bits a pass and only as many passes as the
 * largest id needs (ids are packet numbers: three passes up to 8.6
 * billion packets), linear in n.
 */
static void sort_by_id(struct wst_conn **conns, size_t n)
{
    struct entry {
        uint64_t id;
        struct wst_conn *c;
    } *a = wst_xcalloc(n ? n : 1, sizeof *a), *b = wst_xcalloc(n ? n : 1, sizeof *b);
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        a[i] = (struct entry){conns[i]->id, conns[i]};
        max |= conns[i]->id;
    }
    enum { BITS = 11, DIGITS = 1 << BITS };
    size_t *count = wst_xcalloc(DIGITS + 1, sizeof *count);
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += BITS) {
        memset(count, 0, (DIGITS + 1) * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[((a[i].id >> shift) & (DIGITS - 1)) + 1]++;
        for (int d = 0; d < DIGITS; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].id >> shift) & (DIGITS - 1)]++] = a[i];
        struct entry *tmp = a;
        a = b;
        b = tmp;
    }
    for (size_t i = 0; i < n; i++)
        conns[i] = a[i].c;
    free(count);
    free(a);
    free(b);
}

/* Merges the sorted runs conns[0..cut) and conns[cut..n) by id. */
static void merge_runs(struct wst_conn **conns, size_t cut, size_t n)
{
    struct wst_conn **left = wst_xcalloc(cut, sizeof *left);
    memcpy(left, conns, cut * sizeof *left);
    size_t i = 0, j = cut, o = 0;
    while (i < cut && j < n)
        conns[o++] = left[i]->id <= conns[j]->id ? left[i++] : conns[j++];
    while (i < cut)
        conns[o++] = left[i++];
    free(left);
}

struct wst_conn **wst_flow_table_all(struct wst_flow_table *t, size_t *n)
{
    /* Every held connection is a live object of the pool (and the pool
     * holds nothing else): a walk over its chunks reads the records in
     * memory order, where a walk of the index would read them at random. */
    struct wst_conn **all = wst_xcalloc(t->held ? t->held : 1, sizeof *all);
    size_t k = wst_conn_pool_live(&t->pool, all);
    if (k != t->held) {
        fprintf(stderr, "wirestate: connection table: invariant broken: %zu held, %zu in the pool\n", t->held, k);
        abort();
    }
    /* Usually in id order already, but for the split between IPv4 and
     * IPv6 records (conn.c: one run each) and records taken again after
     * a free: two sorted runs are merged, anything else sorted. */
    size_t descents = 0, cut = 0;
    for (size_t i = 1; i < k; i++) {
        if (all[i]->id < all[i - 1]->id) {
            descents++;
            cut = i;
        }
    }
    if (descents == 1)
        merge_runs(all, cut, k);
    else if (descents > 1)
        sort_by_id(all, k);
    *n = k;
    return all;
}

void wst_flow_table_clear(struct wst_flow_table *t)
{
    JudyLFreeArray(&t->by_hash, PJE0);
    free(t->homes);
    t->homes = NULL;
    memset(&t->cache, 0, sizeof t->cache);
    wst_conn_pool_fini(&t->pool);
    wst_conn_pool_init(&t->pool);
    t->held = 0;
}

size_t wst_flow_table_held(const struct wst_flow_table *t)
{
    return t->held;
}

void wst_flow_table_mem(const struct wst_flow_table *t, struct wst_flow_table_mem *out)
{
    out->index_bytes = JudyLMemUsed(t->by_hash);
    out->filter_bytes = t->homes ? HOME_BUCKETS * sizeof *t->homes : 0;
    out->pool_bytes = t->pool.chunk_bytes;
    out->conn_bytes = 0;
    out->conns = 0;
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++) {
        out->conn_bytes += t->pool.used_objects[k] * t->pool.object_size[k];
        out->conns += t->pool.used_objects[k];
    }
}
