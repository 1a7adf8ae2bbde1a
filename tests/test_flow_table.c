/*
 * test_flow_table.c - insert, lookup, removal and listing in id order, with
 * the real hash and with a weak one that forces collisions.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "wirestate/flow_table.h"

/* Key i: 10.0.(i>>8).(i&255):i+1024 <-> 10.255.0.1:80. */
static void make_key(unsigned i, struct wst_flow_key *k, struct wst_segment *seg)
{
    memset(seg, 0, sizeof *seg);
    seg->family = WST_AF_INET;
    seg->src.b[0] = 10;
    seg->src.b[2] = (uint8_t)(i >> 8);
    seg->src.b[3] = (uint8_t)i;
    seg->dst.b[0] = 10;
    seg->dst.b[1] = 255;
    seg->dst.b[3] = 1;
    seg->sport = (uint16_t)(1024 + i);
    seg->dport = 80;
    wst_flow_key_from_segment(k, seg, false);
}

/* The index is the hash's upper 32 bits: these hashes vary only there. */

/* A hash with only 8 values: long probe chains and wrap-free clusters. */
static uint64_t weak_hash(const struct wst_flow_key *key, uint64_t seed)
{
    (void)seed;
    return (uint64_t)((key->port[0] ^ key->port[1]) % 8) << 32;
}

/* Hashes near the top of the 32-bit index space, so probe chains wrap past 2^32-1. */
static uint64_t wrapping_hash(const struct wst_flow_key *key, uint64_t seed)
{
    (void)seed;
    return (uint64_t)(UINT32_MAX - (uint32_t)((key->port[0] ^ key->port[1]) % 4)) << 32;
}

/* One cache set for every key (the low bits of the hash pick the set). */
static uint64_t one_set_hash(const struct wst_flow_key *key, uint64_t seed)
{
    (void)seed;
    return (uint64_t)(key->port[0] ^ key->port[1]) << 32;
}

/*
 * Write-back: a connection lives in the cache alone until the cache needs
 * its way; only then is it indexed. A fifth connection in a 4-way set
 * pushes one out, into the index; one that ends while cached never
 * touches the index.
 */
START_TEST(test_flow_table_write_back)
{
    struct wst_flow_table *t = wst_flow_table_new(7);
    wst_flow_table_set_hash(t, one_set_hash);
    struct wst_flow_key k;
    struct wst_segment seg;
    struct wst_conn *c[5];
    for (unsigned i = 0; i < 4; i++) {
        make_key(i, &k, &seg);
        c[i] = wst_flow_table_create(t, &k, wst_flow_table_hash(t, &k), &seg, i + 1);
        ck_assert(!c[i]->indexed);
    }
    struct wst_flow_table_mem m;
    wst_flow_table_mem(t, &m);
    ck_assert_uint_eq(m.index_bytes, 0);
    wst_flow_table_remove(t, c[3]); /* ends in the cache: nothing to delete */
    wst_flow_table_release(t, c[3]);
    ck_assert_uint_eq(wst_flow_table_held(t), 3);
    make_key(3, &k, &seg);
    ck_assert_ptr_null(wst_flow_table_get(t, &k, wst_flow_table_hash(t, &k)));
    for (unsigned i = 4; i < 6; i++) { /* the freed way first, then one pushed out */
        make_key(i, &k, &seg);
        c[i == 4 ? 3 : 4] = wst_flow_table_create(t, &k, wst_flow_table_hash(t, &k), &seg, i + 1);
    }
    unsigned indexed = 0;
    for (unsigned i = 0; i < 5; i++)
        indexed += c[i]->indexed;
    ck_assert_uint_eq(indexed, 1);
    wst_flow_table_mem(t, &m);
    ck_assert_uint_gt(m.index_bytes, 0);
    /* Every live one is still found, indexed or cached. */
    for (unsigned i = 0; i < 6; i++) {
        if (i == 3)
            continue;
        make_key(i, &k, &seg);
        struct wst_conn *got = wst_flow_table_get(t, &k, wst_flow_table_hash(t, &k));
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(got->id, i + 1);
    }
    wst_flow_table_free(t);
}
END_TEST

START_TEST(test_flow_table_insert_get)
{
    struct wst_flow_table *t = wst_flow_table_new(99);
    struct wst_flow_key k;
    struct wst_segment seg;
    for (unsigned i = 0; i < 5000; i++) {
        make_key(i, &k, &seg);
        uint64_t h = wst_flow_table_hash(t, &k);
        ck_assert_ptr_null(wst_flow_table_get(t, &k, h));
        struct wst_conn *c = wst_flow_table_create(t, &k, h, &seg, i + 1);
        ck_assert_uint_eq(c->id, i + 1);
        ck_assert_ptr_eq(wst_flow_table_get(t, &k, h), c);
    }
    ck_assert_uint_eq(wst_flow_table_held(t), 5000);
    for (unsigned i = 0; i < 5000; i++) {
        make_key(i, &k, &seg);
        struct wst_conn *c = wst_flow_table_get(t, &k, wst_flow_table_hash(t, &k));
        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(c->id, i + 1);
    }
    /* All of them, in id order, cached or indexed. */
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t, &n);
    ck_assert_uint_eq(n, 5000);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(all[i]->id, i + 1);
    free(all);
    wst_flow_table_free(t);
}
END_TEST

START_TEST(test_flow_table_remove_and_reuse)
{
    struct wst_flow_table *t = wst_flow_table_new(1);
    struct wst_flow_key k;
    struct wst_segment seg;
    make_key(7, &k, &seg);
    uint64_t h = wst_flow_table_hash(t, &k);
    struct wst_conn *old = wst_flow_table_create(t, &k, h, &seg, 1);
    wst_flow_table_remove(t, old);
    ck_assert_ptr_null(wst_flow_table_get(t, &k, h));
    ck_assert_uint_eq(wst_flow_table_held(t), 0);

    /* The same tuple again is a new connection with a new id, while the
     * old record is still the caller's to read. */
    struct wst_conn *fresh = wst_flow_table_create(t, &k, h, &seg, 2);
    ck_assert_uint_eq(fresh->id, 2);
    ck_assert_ptr_eq(wst_flow_table_get(t, &k, h), fresh);
    ck_assert_uint_eq(old->id, 1);
    wst_flow_table_release(t, old);
    ck_assert_uint_eq(old->id, 0); /* a stale pointer can tell */
    wst_flow_table_free(t);
}
END_TEST

/* _all() lists what is held, in id order, whether cached or indexed. */
START_TEST(test_flow_table_all_in_id_order)
{
    struct wst_flow_table *t = wst_flow_table_new(1);
    wst_flow_table_set_hash(t, one_set_hash); /* most of them pushed out of the cache */
    struct wst_conn *c[12];
    struct wst_flow_key k;
    struct wst_segment seg;
    for (unsigned i = 0; i < 12; i++) {
        make_key(i, &k, &seg);
        c[i] = wst_flow_table_create(t, &k, wst_flow_table_hash(t, &k), &seg, 100 - 7 * i);
    }
    wst_flow_table_remove(t, c[5]);
    wst_flow_table_release(t, c[5]);
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t, &n);
    ck_assert_uint_eq(n, 11);
    for (size_t i = 0; i + 1 < n; i++)
        ck_assert_uint_lt(all[i]->id, all[i + 1]->id);
    ck_assert_ptr_eq(all[0], c[11]); /* the smallest id, 23 */
    free(all);
    wst_flow_table_free(t);
}
END_TEST

/*
 * The three ways _all() orders what the pool walk finds: IPv4 and IPv6
 * records begun alternately (two runs in id order: merged), then with a
 * freed record taken again by a later connection (out of run: sorted),
 * and enough records to fill more than one chunk of the pool.
 */
START_TEST(test_flow_table_all_runs_merged)
{
    struct wst_flow_table *t = wst_flow_table_new(3);
    struct wst_flow_key k;
    struct wst_segment seg;
    enum { N = 40000 }; /* IPv4 records: 2 MiB chunks of 128-byte objects, so more than one */
    struct wst_conn **c = calloc(N, sizeof *c);
    for (unsigned i = 0; i < N; i++) {
        make_key(i, &k, &seg);
        if (i % 3 == 1) { /* every third an IPv6 connection */
            seg.family = WST_AF_INET6;
            memset(seg.src.b, 0, 16);
            seg.src.b[0] = 0x20;
            seg.src.b[14] = (uint8_t)(i >> 8);
            seg.src.b[15] = (uint8_t)i;
            memset(seg.dst.b, 0, 16);
            seg.dst.b[0] = 0x20;
            seg.dst.b[15] = 1;
            wst_flow_key_from_segment(&k, &seg, false);
        }
        c[i] = wst_flow_table_create(t, &k, wst_flow_table_hash(t, &k), &seg, 2 * (uint64_t)i + 1);
    }
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t, &n);
    ck_assert_uint_eq(n, N);
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_eq(all[i], c[i]);
    free(all);
    /* A freed IPv4 record taken again by the newest connection: its
     * object sits among the oldest, its id is the largest. */
    wst_flow_table_remove(t, c[3]);
    wst_flow_table_release(t, c[3]);
    make_key(N, &k, &seg);
    struct wst_conn *last = wst_flow_table_create(t, &k, wst_flow_table_hash(t, &k), &seg, 2 * (uint64_t)N + 1);
    ck_assert_ptr_eq(last, c[3]); /* the pool took the freed object */
    all = wst_flow_table_all(t, &n);
    ck_assert_uint_eq(n, N);
    for (size_t i = 0; i + 1 < n; i++)
        ck_assert_uint_lt(all[i]->id, all[i + 1]->id);
    ck_assert_ptr_eq(all[n - 1], last);
    free(all);
    free(c);
    wst_flow_table_free(t);
}
END_TEST

START_TEST(test_flow_table_vlan_keyed)
{
    struct wst_flow_table *t = wst_flow_table_new(1);
    struct wst_flow_key k1, k2, k0;
    struct wst_segment seg;
    make_key(1, &k1, &seg);
    seg.vlan_count = 1;
    seg.vlan[0] = 100;
    wst_flow_key_from_segment(&k1, &seg, true);
    struct wst_conn *a = wst_flow_table_create(t, &k1, wst_flow_table_hash(t, &k1), &seg, 1);
    seg.vlan[0] = 200;
    wst_flow_key_from_segment(&k2, &seg, true);
    ck_assert_ptr_null(wst_flow_table_get(t, &k2, wst_flow_table_hash(t, &k2)));
    struct wst_conn *b = wst_flow_table_create(t, &k2, wst_flow_table_hash(t, &k2), &seg, 2);
    ck_assert_ptr_ne(a, b);
    ck_assert_ptr_eq(wst_flow_table_get(t, &k1, wst_flow_table_hash(t, &k1)), a);
    /* Zone 0, the same 4-tuple: a third connection. */
    wst_flow_key_from_segment(&k0, &seg, false);
    ck_assert_ptr_null(wst_flow_table_get(t, &k0, wst_flow_table_hash(t, &k0)));
    /* Removing a zoned connection finds it by its rebuilt key. */
    wst_flow_table_remove(t, a);
    wst_flow_table_release(t, a);
    ck_assert_ptr_null(wst_flow_table_get(t, &k1, wst_flow_table_hash(t, &k1)));
    ck_assert_ptr_eq(wst_flow_table_get(t, &k2, wst_flow_table_hash(t, &k2)), b);
    wst_flow_table_free(t);
}
END_TEST

/*
 * Random inserts, lookups and removals checked against a plain array,
 * under a hash with few values (every key collides with many others).
 */
enum { MAX_KEYS = 2000 };

static void stress(wst_flow_hash_fn *fn, unsigned KEYS, unsigned STEPS)
{
    struct wst_flow_table *t = wst_flow_table_new(5);
    wst_flow_table_set_hash(t, fn);
    static struct wst_conn *live[MAX_KEYS];
    memset(live, 0, sizeof live);
    ck_assert_uint_le(KEYS, MAX_KEYS);
    size_t n_live = 0;
    uint64_t next_id = 0;
    uint32_t x = 2463534242u;
    for (unsigned step = 0; step < STEPS; step++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned i = x % KEYS;
        struct wst_flow_key k;
        struct wst_segment seg;
        make_key(i, &k, &seg);
        uint64_t h = wst_flow_table_hash(t, &k);
        struct wst_conn *got = wst_flow_table_get(t, &k, h);
        ck_assert_ptr_eq(got, live[i]);
        if (live[i] && (x >> 16) % 2) {
            wst_flow_table_remove(t, live[i]);
            wst_flow_table_release(t, live[i]);
            live[i] = NULL;
            n_live--;
        } else if (!live[i]) {
            live[i] = wst_flow_table_create(t, &k, h, &seg, ++next_id);
            n_live++;
        }
        ck_assert_uint_eq(wst_flow_table_held(t), n_live);
    }
    for (unsigned i = 0; i < KEYS; i++) {
        struct wst_flow_key k;
        struct wst_segment seg;
        make_key(i, &k, &seg);
        ck_assert_ptr_eq(wst_flow_table_get(t, &k, wst_flow_table_hash(t, &k)), live[i]);
    }
    wst_flow_table_free(t);
}

START_TEST(test_flow_table_collisions)
{
    stress(weak_hash, 120, 6000);
}
END_TEST

START_TEST(test_flow_table_collisions_wrap)
{
    stress(wrapping_hash, 60, 4000);
}
END_TEST

START_TEST(test_flow_table_real_hash_stress)
{
    stress(wst_flow_key_hash, 2000, 100000);
}
END_TEST

START_TEST(test_flow_table_memory)
{
    /* Memory per connection: the benchmark's figure, small enough to hold
     * millions (a 128-byte IPv4 record and about 20 bytes of index). */
    struct wst_flow_table *t = wst_flow_table_new(3);
    struct wst_flow_key k;
    struct wst_segment seg;
    for (unsigned i = 0; i < 20000; i++) {
        make_key(i, &k, &seg);
        wst_flow_table_create(t, &k, wst_flow_table_hash(t, &k), &seg, i + 1);
    }
    struct wst_flow_table_mem m;
    wst_flow_table_mem(t, &m);
    ck_assert_uint_eq(m.conns, 20000);
    ck_assert_uint_ge(m.pool_bytes, m.conn_bytes);
    ck_assert_uint_le((m.conn_bytes + m.index_bytes) / m.conns, 160);
    /* The lookup filter in front of the index is a fixed megabyte, not a
     * cost per connection: 3.5 bytes each at the benchmark's 300,000. */
    ck_assert_uint_eq(m.filter_bytes, (size_t)1 << 20);
    wst_flow_table_free(t);
}
END_TEST

Suite *flow_table_suite(void)
{
    Suite *s = suite_create("flow_table");
    TCase *tc = tcase_create("lookup");
    tcase_add_test(tc, test_flow_table_insert_get);
    tcase_add_test(tc, test_flow_table_vlan_keyed);
    tcase_add_test(tc, test_flow_table_memory);
    suite_add_tcase(s, tc);
    tc = tcase_create("order");
    tcase_add_test(tc, test_flow_table_remove_and_reuse);
    tcase_add_test(tc, test_flow_table_all_in_id_order);
    tcase_add_test(tc, test_flow_table_all_runs_merged);
    suite_add_tcase(s, tc);
    tc = tcase_create("collisions");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_flow_table_write_back);
    tcase_add_test(tc, test_flow_table_collisions);
    tcase_add_test(tc, test_flow_table_collisions_wrap);
    tcase_add_test(tc, test_flow_table_real_hash_stress);
    suite_add_tcase(s, tc);
    return s;
}
