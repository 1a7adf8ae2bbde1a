/*
 * test_conn.c - connection records, their keys, and the slab pool.
 *
 * Keys are built the way the table builds them, with
 * wst_flow_key_from_segment() from a hand-filled struct wst_segment.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "wirestate/conn.h"
#include "wirestate/flow.h"
#include "alloc.h"

/* A segment from src:sport to dst:dport (textual addresses) with VLAN tags. */
static struct wst_segment seg_of(const char *src, uint16_t sport, const char *dst, uint16_t dport,
                                 uint8_t vlan_count, uint16_t vlan0, uint16_t vlan1)
{
    struct wst_segment s;
    memset(&s, 0, sizeof s);
    bool v6 = strchr(src, ':') != NULL;
    s.family = v6 ? WST_AF_INET6 : WST_AF_INET;
    ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, src, s.src.b), 1);
    ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, dst, s.dst.b), 1);
    s.sport = sport;
    s.dport = dport;
    s.flags = WST_TH_SYN;
    s.vlan_count = vlan_count;
    s.vlan[0] = vlan0;
    s.vlan[1] = vlan1;
    return s;
}

/* ---- pool: sizes and lifecycle */

/*
 * The fixed part of struct wst_conn: the first packet's time (8), the id
 * word with its bit-fields (8), the latest packet's time (8), the 32-bit
 * packet counters (8), the payload byte counters (16), two 20-byte
 * endpoints (40), the extension pointer (8), the timer slot and the zone
 * (8), port[2] and vlan[2] (8), tcp_flags[2] (2) and flags (1): addr
 * starts at byte 115. IPv4 objects are 115 + 2 * 4 = 123 bytes, rounded to
 * 128 (two cache lines); IPv6 objects 115 + 2 * 16 = 147, rounded to 152.
 */
START_TEST(test_conn_pool_object_sizes)
{
    struct wst_conn_pool pool;
    wst_conn_pool_init(&pool);
    ck_assert_uint_eq(offsetof(struct wst_conn, addr), 115);
    ck_assert_uint_eq(pool.object_size[0], 128);
    ck_assert_uint_eq(pool.object_size[1], 152);
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++) {
        ck_assert_uint_eq(pool.object_size[k] % 8, 0);
        ck_assert_uint_eq(pool.used_objects[k], 0);
    }
    ck_assert_uint_ge(pool.object_size[0], offsetof(struct wst_conn, addr) + 8);
    ck_assert_uint_ge(pool.object_size[1], offsetof(struct wst_conn, addr) + 32);
    ck_assert_uint_eq(pool.chunk_bytes, 0);
    wst_conn_pool_fini(&pool);
}
END_TEST

START_TEST(test_conn_new_fills_from_key)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key;
    wst_conn_pool_init(&pool);
    /* 198.51.100.2 > 192.0.2.1, so the sender is endpoint 1. */
    struct wst_segment s = seg_of("198.51.100.2", 80, "192.0.2.1", 40000, 0, 0, 0);
    ck_assert_int_eq(wst_flow_key_from_segment(&key, &s, false), 1);

    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq((uintptr_t)c % 8, 0);
    ck_assert_uint_eq(c->family, WST_AF_INET);
    ck_assert_uint_eq(c->port[0], 40000);
    ck_assert_uint_eq(c->port[1], 80);
    static const uint8_t want[8] = {192, 0, 2, 1, 198, 51, 100, 2};
    ck_assert_mem_eq(c->addr, want, 8);
    ck_assert_uint_eq(wst_conn_addr_len(c), 4);
    ck_assert_uint_eq(c->vlan[0], 0);
    ck_assert_uint_eq(c->vlan[1], 0);
    ck_assert_uint_eq(c->id, 0);
    ck_assert_uint_eq(c->packets[0] + c->packets[1], 0);
    ck_assert_uint_eq(c->payload_bytes[0] + c->payload_bytes[1], 0);
    ck_assert_uint_eq(c->tcp_flags[0] | c->tcp_flags[1], 0);
    ck_assert_uint_eq(c->client, 0);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_UNSET);
    ck_assert_uint_eq(c->flags, 0);
    ck_assert_uint_eq(pool.used_objects[0], 1);
    ck_assert_uint_eq(pool.used_objects[1], 0);

    wst_conn_free(&pool, c);
    ck_assert_uint_eq(pool.used_objects[0], 0);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* A freed object is handed out again, zeroed, without a new chunk. */
START_TEST(test_conn_free_reuse)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 0, 0, 0);
    wst_flow_key_from_segment(&key, &s, false);

    struct wst_conn *a = wst_conn_new(&pool, &key, &s);
    size_t chunk = pool.chunk_bytes;
    ck_assert_uint_gt(chunk, 0);
    a->id = 77;
    a->packets[1] = 5;
    a->flags = WST_CONN_REPORTED;
    wst_conn_free(&pool, a);

    struct wst_conn *b = wst_conn_new(&pool, &key, &s);
    ck_assert_ptr_eq(a, b);
    ck_assert_uint_eq(b->id, 0);
    ck_assert_uint_eq(b->packets[1], 0);
    ck_assert_uint_eq(b->flags, 0);
    ck_assert_uint_eq(b->port[0], 40000);
    ck_assert_uint_eq(pool.chunk_bytes, chunk);
    ck_assert_uint_eq(pool.used_objects[0], 1);
    wst_conn_free(&pool, b);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* IPv4 and IPv6 objects come from separate lists and are counted apart. */
START_TEST(test_conn_pool_families_apart)
{
    struct wst_conn_pool pool;
    struct wst_flow_key k4, k6;
    wst_conn_pool_init(&pool);
    struct wst_segment s4 = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 0, 0, 0);
    struct wst_segment s6 = seg_of("2001:db8::1", 40000, "2001:db8::2", 443, 0, 0, 0);
    wst_flow_key_from_segment(&k4, &s4, false);
    wst_flow_key_from_segment(&k6, &s6, false);

    struct wst_conn *a = wst_conn_new(&pool, &k4, &s4);
    struct wst_conn *b = wst_conn_new(&pool, &k6, &s6);
    struct wst_conn *c = wst_conn_new(&pool, &k6, &s6);
    ck_assert_uint_eq(pool.used_objects[0], 1);
    ck_assert_uint_eq(pool.used_objects[1], 2);
    ck_assert_uint_eq(wst_conn_addr_len(b), 16);
    /* One 2 MiB chunk per family. */
    ck_assert_uint_eq(pool.chunk_bytes, 2 * WST_HUGE_PAGE);
    /* Consecutive objects of a fresh chunk are one object apart. */
    ck_assert_uint_eq((uintptr_t)c - (uintptr_t)b, 152);

    wst_conn_free(&pool, b);
    ck_assert_uint_eq(pool.used_objects[1], 1);
    ck_assert_uint_eq(pool.used_objects[0], 1);
    wst_conn_free(&pool, a);
    wst_conn_free(&pool, c);
    ck_assert_uint_eq(pool.used_objects[0] + pool.used_objects[1], 0);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* A 2 MiB chunk holds (2097152 - 8) / 128 = 16383 IPv4 objects: 45000 need three. */
#define MANY 45000

/* Thousands of objects across chunk boundaries stay distinct and intact. */
START_TEST(test_conn_pool_many_across_chunks)
{
    static struct wst_conn *conns[MANY];
    struct wst_conn_pool pool;
    wst_conn_pool_init(&pool);

    /* Check's assertions cost a write each in fork mode: count problems in
     * plain C and assert once per round. */
    for (int round = 0; round < 2; round++) {
        unsigned bad = 0;
        for (unsigned i = 0; i < MANY; i++) {
            char src[32];
            snprintf(src, sizeof src, "10.%u.%u.1", i >> 8, i & 255);
            struct wst_segment s = seg_of(src, (uint16_t)(1024 + i), "10.255.255.254", 80, 0, 0, 0);
            struct wst_flow_key key;
            wst_flow_key_from_segment(&key, &s, false);
            conns[i] = wst_conn_new(&pool, &key, &s);
            bad += (uintptr_t)conns[i] % 8 != 0;
            conns[i]->id = i + 1;
            conns[i]->packets[0] = i;
            conns[i]->last_ts_us = UINT64_MAX - i;
        }
        ck_assert_uint_eq(bad, 0);
        ck_assert_uint_eq(pool.used_objects[0], MANY);
        /* 45000 objects need ceil(45000 / 16383) = 3 chunks; a second round
         * after freeing everything reuses them. */
        ck_assert_uint_eq(pool.chunk_bytes, 3 * WST_HUGE_PAGE);

        for (unsigned i = 0; i < MANY; i++) {
            const struct wst_conn *c = conns[i];
            bad += c->id != i + 1 || c->packets[0] != i || c->last_ts_us != UINT64_MAX - i ||
                   c->port[0] != 1024 + i || c->port[1] != 80 || c->addr[1] != (i >> 8) ||
                   c->addr[2] != (i & 255) || c->addr[7] != 254;
        }
        ck_assert_uint_eq(bad, 0);
        /* Free in an order unlike the allocation order. */
        for (unsigned i = 0; i < MANY; i += 2)
            wst_conn_free(&pool, conns[i]);
        for (unsigned i = 1; i < MANY; i += 2)
            wst_conn_free(&pool, conns[i]);
        ck_assert_uint_eq(pool.used_objects[0], 0);
    }
    wst_conn_pool_fini(&pool);
}
END_TEST

START_TEST(test_conn_pool_fini_empties)
{
    struct wst_conn_pool pool;
    struct wst_flow_key k4, k6;
    wst_conn_pool_init(&pool);
    struct wst_segment s4 = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 0, 0, 0);
    struct wst_segment s6 = seg_of("2001:db8::1", 40000, "2001:db8::2", 443, 0, 0, 0);
    wst_flow_key_from_segment(&k4, &s4, false);
    wst_flow_key_from_segment(&k6, &s6, false);
    for (int i = 0; i < 5000; i++) {
        (void)wst_conn_new(&pool, &k4, &s4); /* fini takes them back */
        (void)wst_conn_new(&pool, &k6, &s6);
    }
    wst_conn_pool_fini(&pool);
    ck_assert_ptr_null(pool.slabs[0]);
    ck_assert_ptr_null(pool.slabs[1]);
    ck_assert_ptr_null(pool.free_list[0]);
    ck_assert_ptr_null(pool.free_list[1]);
    ck_assert_uint_eq(pool.used_objects[0] + pool.used_objects[1], 0);
    ck_assert_uint_eq(pool.chunk_bytes, 0);
    /* A pool that never allocated finishes too. */
    wst_conn_pool_init(&pool);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* ---- keys: matches and round trips */

START_TEST(test_conn_key_round_trip_v4)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, reply_key, back;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 0, 0, 0);
    struct wst_segment r = seg_of("198.51.100.2", 80, "192.0.2.1", 40000, 0, 0, 0);
    ck_assert_int_eq(wst_flow_key_from_segment(&key, &s, false), 0);
    ck_assert_int_eq(wst_flow_key_from_segment(&reply_key, &r, false), 1);

    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert(wst_conn_matches(c, &key));
    ck_assert(wst_conn_matches(c, &reply_key));
    ck_assert(wst_conn_matches(c, &key));

    memset(&back, 0xaa, sizeof back);
    wst_conn_key(c, &back);
    ck_assert(wst_flow_key_equal(&back, &key));
    ck_assert_uint_eq(back.family, WST_AF_INET);
    ck_assert_uint_eq(back.port[0], 40000);
    ck_assert_uint_eq(back.port[1], 80);
    static const uint8_t a0[16] = {192, 0, 2, 1}, a1[16] = {198, 51, 100, 2};
    ck_assert_mem_eq(back.addr[0].b, a0, 16);
    ck_assert_mem_eq(back.addr[1].b, a1, 16);
    ck_assert_uint_eq(back.zone, 0);
    ck_assert_uint_eq(wst_flow_key_hash(&back, 42), wst_flow_key_hash(&key, 42));
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* Same addresses: the lower port is endpoint 0. */
START_TEST(test_conn_key_round_trip_same_address)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, back;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("127.0.0.1", 50000, "127.0.0.1", 8080, 0, 0, 0);
    ck_assert_int_eq(wst_flow_key_from_segment(&key, &s, false), 1);
    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert_uint_eq(c->port[0], 8080);
    ck_assert_uint_eq(c->port[1], 50000);
    wst_conn_key(c, &back);
    ck_assert(wst_flow_key_equal(&back, &key));
    ck_assert(wst_conn_matches(c, &back));
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

START_TEST(test_conn_key_round_trip_v6)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, reply_key, back;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("2001:db8::2", 443, "2001:db8::1", 51000, 0, 0, 0);
    struct wst_segment r = seg_of("2001:db8::1", 51000, "2001:db8::2", 443, 0, 0, 0);
    ck_assert_int_eq(wst_flow_key_from_segment(&key, &s, false), 1);
    ck_assert_int_eq(wst_flow_key_from_segment(&reply_key, &r, false), 0);

    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert_uint_eq(c->family, WST_AF_INET6);
    ck_assert_uint_eq(c->port[0], 51000);
    ck_assert_uint_eq(c->port[1], 443);
    static const uint8_t want[32] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1, 0x20, 0x01, 0x0d, 0xb8, [31] = 2};
    ck_assert_mem_eq(c->addr, want, 32);
    ck_assert(wst_conn_matches(c, &key));
    ck_assert(wst_conn_matches(c, &reply_key));

    wst_conn_key(c, &back);
    ck_assert(wst_flow_key_equal(&back, &key));
    ck_assert_uint_eq(pool.used_objects[1], 1);
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* Each field of the 4-tuple and the family tells connections apart. */
START_TEST(test_conn_matches_differences)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, other;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 0, 0, 0);
    wst_flow_key_from_segment(&key, &s, false);
    struct wst_conn *c = wst_conn_new(&pool, &key, &s);

    struct wst_segment t = seg_of("192.0.2.1", 40001, "198.51.100.2", 80, 0, 0, 0);
    wst_flow_key_from_segment(&other, &t, false);
    ck_assert(!wst_conn_matches(c, &other));
    t = seg_of("192.0.2.1", 40000, "198.51.100.2", 81, 0, 0, 0);
    wst_flow_key_from_segment(&other, &t, false);
    ck_assert(!wst_conn_matches(c, &other));
    t = seg_of("192.0.2.9", 40000, "198.51.100.2", 80, 0, 0, 0);
    wst_flow_key_from_segment(&other, &t, false);
    ck_assert(!wst_conn_matches(c, &other));
    t = seg_of("192.0.2.1", 40000, "198.51.100.3", 80, 0, 0, 0);
    wst_flow_key_from_segment(&other, &t, false);
    ck_assert(!wst_conn_matches(c, &other));
    /* The same first bytes as an IPv6 key are another connection. */
    other = key;
    other.family = WST_AF_INET6;
    ck_assert(!wst_conn_matches(c, &other));
    /* Swapped ports with the same addresses are another connection. */
    t = seg_of("192.0.2.1", 80, "198.51.100.2", 40000, 0, 0, 0);
    wst_flow_key_from_segment(&other, &t, false);
    ck_assert(!wst_conn_matches(c, &other));
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* ---- keys with zones and VLANs */

/* Keyed by VLAN: the zone is stored and compared, the VLAN kept for display. */
START_TEST(test_conn_key_vlan_keyed)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, back, vlan200, untagged;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 1, 100, 0);
    wst_flow_key_from_segment(&key, &s, true);
    ck_assert_uint_eq(key.zone, 101);

    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert_uint_eq(c->vlan[0], 101);
    ck_assert_uint_eq(c->vlan[1], 0);
    ck_assert_uint_eq(c->zone, 101);
    ck_assert_uint_eq(pool.used_objects[0], 1); /* IPv4, zone or not */
    ck_assert(wst_conn_matches(c, &key));

    wst_conn_key(c, &back);
    ck_assert(wst_flow_key_equal(&back, &key));
    ck_assert_uint_eq(back.zone, 101);

    /* The same 4-tuple on VLAN 200, or untagged, is another connection. */
    struct wst_segment t = seg_of("198.51.100.2", 80, "192.0.2.1", 40000, 1, 200, 0);
    wst_flow_key_from_segment(&vlan200, &t, true);
    ck_assert_uint_eq(vlan200.zone, 201);
    ck_assert(!wst_conn_matches(c, &vlan200));
    t = seg_of("198.51.100.2", 80, "192.0.2.1", 40000, 0, 0, 0);
    wst_flow_key_from_segment(&untagged, &t, true);
    ck_assert(!wst_conn_matches(c, &untagged));
    wst_conn_free(&pool, c);
    ck_assert_uint_eq(pool.used_objects[0], 0);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* Not keyed: the conn records its first packet's VLAN, the key has zone 0,
 * and packets on any VLAN find it. */
START_TEST(test_conn_key_vlan_not_keyed)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, back, other_vlan;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("2001:db8::1", 40000, "2001:db8::2", 443, 1, 7, 0);
    wst_flow_key_from_segment(&key, &s, false);
    ck_assert_uint_eq(key.zone, 0);

    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert_uint_eq(c->vlan[0], 8);
    ck_assert_uint_eq(c->zone, 0);
    ck_assert_uint_eq(pool.used_objects[1], 1); /* IPv6, no zone */
    ck_assert(wst_conn_matches(c, &key));
    wst_conn_key(c, &back);
    ck_assert(wst_flow_key_equal(&back, &key));
    ck_assert_uint_eq(back.zone, 0);
    struct wst_segment t = seg_of("2001:db8::2", 443, "2001:db8::1", 40000, 1, 9, 0);
    wst_flow_key_from_segment(&other_vlan, &t, false);
    ck_assert(wst_conn_matches(c, &other_vlan));
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

/* 802.1ad: outer and inner IDs; a third tag is decoded but not recorded. */
START_TEST(test_conn_key_vlan_qinq)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key, back, inner_differs;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 3, 100, 4095);
    wst_flow_key_from_segment(&key, &s, true);
    ck_assert_uint_eq(key.zone, 101u | 4096u << 16);

    struct wst_conn *c = wst_conn_new(&pool, &key, &s);
    ck_assert_uint_eq(c->vlan[0], 101);
    ck_assert_uint_eq(c->vlan[1], 4096);
    wst_conn_key(c, &back);
    ck_assert(wst_flow_key_equal(&back, &key));
    ck_assert(wst_conn_matches(c, &back));

    struct wst_segment t = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 2, 100, 0);
    wst_flow_key_from_segment(&inner_differs, &t, true);
    ck_assert_uint_eq(inner_differs.zone, 101u | 1u << 16); /* VLAN 0 (priority tag) + 1 */
    ck_assert(!wst_conn_matches(c, &inner_differs));
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST


/* ---- addresses */

START_TEST(test_conn_addr_zero_fills_v4)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key;
    struct wst_addr a;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("192.0.2.1", 40000, "198.51.100.2", 80, 0, 0, 0);
    wst_flow_key_from_segment(&key, &s, false);
    struct wst_conn *c = wst_conn_new(&pool, &key, &s);

    static const uint8_t a0[16] = {192, 0, 2, 1}, a1[16] = {198, 51, 100, 2};
    memset(&a, 0xff, sizeof a);
    wst_conn_addr(c, 0, &a);
    ck_assert_mem_eq(a.b, a0, 16);
    memset(&a, 0xff, sizeof a);
    wst_conn_addr(c, 1, &a);
    ck_assert_mem_eq(a.b, a1, 16);
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

START_TEST(test_conn_addr_v6)
{
    struct wst_conn_pool pool;
    struct wst_flow_key key;
    struct wst_addr a;
    wst_conn_pool_init(&pool);
    struct wst_segment s = seg_of("fe80::1:2", 546, "ff02::1:2", 547, 0, 0, 0);
    wst_flow_key_from_segment(&key, &s, false);
    struct wst_conn *c = wst_conn_new(&pool, &key, &s);

    static const uint8_t a0[16] = {0xfe, 0x80, [13] = 1, [15] = 2};
    static const uint8_t a1[16] = {0xff, 0x02, [13] = 1, [15] = 2};
    memset(&a, 0xff, sizeof a);
    wst_conn_addr(c, 0, &a);
    ck_assert_mem_eq(a.b, a0, 16);
    wst_conn_addr(c, 1, &a);
    ck_assert_mem_eq(a.b, a1, 16);
    wst_conn_free(&pool, c);
    wst_conn_pool_fini(&pool);
}
END_TEST

START_TEST(test_conn_client_basis_names)
{
    ck_assert_str_eq(wst_client_basis_name(WST_CLIENT_UNSET), "unset");
    ck_assert_str_eq(wst_client_basis_name(WST_CLIENT_SYN), "syn");
    ck_assert_str_eq(wst_client_basis_name(WST_CLIENT_SYN_ACK), "syn_ack");
    ck_assert_str_eq(wst_client_basis_name(WST_CLIENT_PORTS), "ports");
    ck_assert_str_eq(wst_client_basis_name(WST_CLIENT__COUNT), "unset");
}
END_TEST

Suite *conn_suite(void)
{
    Suite *s = suite_create("conn");

    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, test_conn_pool_object_sizes);
    tcase_add_test(tc, test_conn_new_fills_from_key);
    tcase_add_test(tc, test_conn_free_reuse);
    tcase_add_test(tc, test_conn_pool_families_apart);
    tcase_add_test(tc, test_conn_pool_many_across_chunks);
    tcase_add_test(tc, test_conn_pool_fini_empties);
    suite_add_tcase(s, tc);

    tc = tcase_create("keys");
    tcase_add_test(tc, test_conn_key_round_trip_v4);
    tcase_add_test(tc, test_conn_key_round_trip_same_address);
    tcase_add_test(tc, test_conn_key_round_trip_v6);
    tcase_add_test(tc, test_conn_matches_differences);
    suite_add_tcase(s, tc);

    tc = tcase_create("vlan_keys");
    tcase_add_test(tc, test_conn_key_vlan_keyed);
    tcase_add_test(tc, test_conn_key_vlan_not_keyed);
    tcase_add_test(tc, test_conn_key_vlan_qinq);
    suite_add_tcase(s, tc);

    tc = tcase_create("addresses");
    tcase_add_test(tc, test_conn_addr_zero_fills_v4);
    tcase_add_test(tc, test_conn_addr_v6);
    tcase_add_test(tc, test_conn_client_basis_names);
    suite_add_tcase(s, tc);
    return s;
}
