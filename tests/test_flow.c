/*
 * test_flow.c - canonical keys, their hash and their text.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "wirestate/flow.h"

static struct wst_segment seg4(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
    struct wst_segment s;
    memset(&s, 0, sizeof s);
    s.family = WST_AF_INET;
    ck_assert_int_eq(inet_pton(AF_INET, src, s.src.b), 1);
    ck_assert_int_eq(inet_pton(AF_INET, dst, s.dst.b), 1);
    s.sport = sport;
    s.dport = dport;
    return s;
}

static struct wst_segment seg6(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
    struct wst_segment s;
    memset(&s, 0, sizeof s);
    s.family = WST_AF_INET6;
    ck_assert_int_eq(inet_pton(AF_INET6, src, s.src.b), 1);
    ck_assert_int_eq(inet_pton(AF_INET6, dst, s.dst.b), 1);
    s.sport = sport;
    s.dport = dport;
    return s;
}

START_TEST(test_flow_key_symmetric)
{
    struct wst_segment a = seg4("10.0.0.2", 40000, "10.0.0.1", 80);
    struct wst_segment b = seg4("10.0.0.1", 80, "10.0.0.2", 40000);
    struct wst_flow_key ka, kb;
    memset(&ka, 0xAA, sizeof ka); /* padding must not matter */
    memset(&kb, 0x55, sizeof kb);
    int da = wst_flow_key_from_segment(&ka, &a, false);
    int db = wst_flow_key_from_segment(&kb, &b, false);
    /* 10.0.0.1 < 10.0.0.2: endpoint 0 is the server here. */
    ck_assert_int_eq(da, 1);
    ck_assert_int_eq(db, 0);
    ck_assert(wst_flow_key_equal(&ka, &kb));
    ck_assert_uint_eq(ka.port[0], 80);
    ck_assert_uint_eq(ka.port[1], 40000);
    ck_assert_uint_eq(wst_flow_key_hash(&ka, 1), wst_flow_key_hash(&kb, 1));
}
END_TEST

START_TEST(test_flow_key_addresses_compare_as_bytes)
{
    /* 9.255.255.255 < 10.0.0.0 as big-endian bytes, whatever the host order. */
    struct wst_segment s = seg4("10.0.0.0", 1, "9.255.255.255", 2);
    struct wst_flow_key k;
    ck_assert_int_eq(wst_flow_key_from_segment(&k, &s, false), 1);
    ck_assert_uint_eq(k.addr[0].b[0], 9);
}
END_TEST

START_TEST(test_flow_key_same_address_orders_ports)
{
    struct wst_segment s = seg4("127.0.0.1", 5000, "127.0.0.1", 4000);
    struct wst_flow_key k;
    ck_assert_int_eq(wst_flow_key_from_segment(&k, &s, false), 1);
    ck_assert_uint_eq(k.port[0], 4000);
    struct wst_segment r = seg4("127.0.0.1", 4000, "127.0.0.1", 5000);
    struct wst_flow_key kr;
    ck_assert_int_eq(wst_flow_key_from_segment(&kr, &r, false), 0);
    ck_assert(wst_flow_key_equal(&k, &kr));
}
END_TEST

START_TEST(test_flow_key_families_differ)
{
    /* An IPv6 address whose first bytes equal an IPv4 address is another key. */
    struct wst_segment a = seg4("10.0.0.1", 1, "10.0.0.2", 2);
    struct wst_segment b = seg6("a00:1::", 1, "a00:2::", 2);
    struct wst_flow_key ka, kb;
    wst_flow_key_from_segment(&ka, &a, false);
    wst_flow_key_from_segment(&kb, &b, false);
    ck_assert_mem_eq(ka.addr[0].b, kb.addr[0].b, 16);
    ck_assert(!wst_flow_key_equal(&ka, &kb));
    ck_assert_uint_ne(wst_flow_key_hash(&ka, 1), wst_flow_key_hash(&kb, 1));
}
END_TEST

/* Today's zones: the VLAN IDs plus one, outer low, inner high, 0 untagged. */
START_TEST(test_flow_key_vlan)
{
    struct wst_segment a = seg4("10.0.0.1", 1, "10.0.0.2", 2);
    a.vlan_count = 2;
    a.vlan[0] = 0; /* priority tag: VLAN ID 0 is still a tag */
    a.vlan[1] = 4095;
    struct wst_segment b = a;
    b.vlan_count = 0;
    ck_assert_uint_eq(wst_flow_zone_of_vlans(&a), 1u | 4096u << 16);
    ck_assert_uint_eq(wst_flow_zone_of_vlans(&b), 0);
    a.vlan_count = 3; /* a third tag is decoded, not kept */
    ck_assert_uint_eq(wst_flow_zone_of_vlans(&a), 1u | 4096u << 16);
    a.vlan_count = 1;
    ck_assert_uint_eq(wst_flow_zone_of_vlans(&a), 1);
    a.vlan_count = 2;
    struct wst_flow_key ka, kb;
    wst_flow_key_from_segment(&ka, &a, true);
    wst_flow_key_from_segment(&kb, &b, true);
    ck_assert_uint_eq(ka.zone, 1u | 4096u << 16);
    ck_assert_uint_eq(kb.zone, 0);
    ck_assert(!wst_flow_key_equal(&ka, &kb));
    wst_flow_key_from_segment(&ka, &a, false);
    wst_flow_key_from_segment(&kb, &b, false);
    ck_assert_uint_eq(ka.zone, 0);
    ck_assert(wst_flow_key_equal(&ka, &kb));
}
END_TEST

/* Any zone separates: the same 4-tuple in two zones is two keys, hashed
 * apart, and a packet and its reply in one zone are one key. */
START_TEST(test_flow_key_zone)
{
    struct wst_segment a = seg4("10.0.0.1", 1000, "10.0.0.2", 80);
    struct wst_segment r = seg4("10.0.0.2", 80, "10.0.0.1", 1000);
    struct wst_flow_key k1, k2, kr;
    ck_assert_int_eq(wst_flow_key_in_zone(&k1, &a, 7000), 0);
    ck_assert_int_eq(wst_flow_key_in_zone(&kr, &r, 7000), 1);
    ck_assert_int_eq(wst_flow_key_in_zone(&k2, &a, 7001), 0);
    ck_assert_uint_eq(k1.zone, 7000);
    ck_assert(wst_flow_key_equal(&k1, &kr));
    ck_assert_uint_eq(wst_flow_key_hash(&k1, 3), wst_flow_key_hash(&kr, 3));
    ck_assert(!wst_flow_key_equal(&k1, &k2));
    ck_assert_uint_ne(wst_flow_key_hash(&k1, 3), wst_flow_key_hash(&k2, 3));
    /* The VLANs count only through the zone the caller chose. */
    a.vlan_count = 1;
    a.vlan[0] = 10;
    wst_flow_key_in_zone(&k2, &a, 7000);
    ck_assert(wst_flow_key_equal(&k1, &k2));
}
END_TEST

/* IPv6 endpoints that differ only in the last byte, or only in the port. */
START_TEST(test_flow_key_v6_order)
{
    struct wst_segment s = seg6("2001:db8::2", 1, "2001:db8::1", 2);
    struct wst_flow_key k;
    ck_assert_int_eq(wst_flow_key_from_segment(&k, &s, false), 1);
    ck_assert_uint_eq(k.addr[0].b[15], 1);
    ck_assert_uint_eq(k.port[0], 2);
    s = seg6("2001:db8::1", 9, "2001:db8::1", 8);
    ck_assert_int_eq(wst_flow_key_from_segment(&k, &s, false), 1);
    ck_assert_uint_eq(k.port[0], 8);
    s = seg6("2001:db8::1", 8, "2001:db8::1", 9);
    ck_assert_int_eq(wst_flow_key_from_segment(&k, &s, false), 0);
    s = seg6("2001:db9::", 1, "2001:db8::ffff", 2);
    ck_assert_int_eq(wst_flow_key_from_segment(&k, &s, false), 1);
}
END_TEST

START_TEST(test_flow_hash_seed_and_spread)
{
    /* Different seeds give different hashes; 10000 tuples hash apart. */
    struct wst_segment s = seg4("10.0.0.1", 1, "10.0.0.2", 2);
    struct wst_flow_key k;
    wst_flow_key_from_segment(&k, &s, false);
    ck_assert_uint_ne(wst_flow_key_hash(&k, 1), wst_flow_key_hash(&k, 2));

    enum { N = 10000, BUCKETS = 1024 };
    static unsigned count[BUCKETS];
    memset(count, 0, sizeof count);
    for (unsigned i = 0; i < N; i++) {
        s.sport = (uint16_t)(1024 + i);
        wst_flow_key_from_segment(&k, &s, false);
        count[wst_flow_key_hash(&k, 42) % BUCKETS]++;
    }
    /* A uniform spread puts about 10 in each bucket; none should hold 40. */
    for (unsigned b = 0; b < BUCKETS; b++)
        ck_assert_uint_lt(count[b], 40);
}
END_TEST

START_TEST(test_flow_endpoint_format)
{
    char buf[WST_ENDPOINT_STRLEN];
    struct wst_segment a = seg4("192.0.2.10", 443, "0.0.0.0", 0);
    ck_assert_uint_eq(wst_endpoint_format(buf, WST_AF_INET, &a.src, 443), strlen("192.0.2.10:443"));
    ck_assert_str_eq(buf, "192.0.2.10:443");
    struct wst_segment b = seg6("2001:0db8:0000:0000:0000:0000:0000:0001", 8080,
                                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
    wst_endpoint_format(buf, WST_AF_INET6, &b.src, 8080);
    ck_assert_str_eq(buf, "[2001:db8::1]:8080"); /* RFC 5952 compressed form */
    /* The longest possible text fits. */
    ck_assert_uint_eq(wst_endpoint_format(buf, WST_AF_INET6, &b.dst, 65535), 47);
    ck_assert_str_eq(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}
END_TEST

START_TEST(test_flow_endpoint_format_matches_inet_ntop)
{
    /* Our RFC 5952 formatter against glibc's, on addresses rich in zero
     * runs, IPv4-mapped and IPv4-compatible forms. */
    char ours[WST_ENDPOINT_STRLEN], text[INET6_ADDRSTRLEN], theirs[WST_ENDPOINT_STRLEN + 8];
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int it = 0; it < 200000; it++) {
        struct wst_addr a;
        for (int i = 0; i < 16; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            unsigned r = (unsigned)(x % 7);
            a.b[i] = r < 4 ? 0 : r == 4 ? 0xff : (uint8_t)(x >> 20);
        }
        if (it % 5 == 0) {
            memset(a.b, 0, 10);
            a.b[10] = a.b[11] = 0xff;
        } else if (it % 7 == 0) {
            memset(a.b, 0, 12);
        }
        wst_endpoint_format(ours, WST_AF_INET6, &a, 443);
        ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a.b, text, sizeof text));
        snprintf(theirs, sizeof theirs, "[%s]:443", text);
        ck_assert_str_eq(ours, theirs);
    }
}
END_TEST

/* Every address byte and a spread of ports, against inet_ntop() and printf. */
START_TEST(test_flow_endpoint_format_v4_every_byte)
{
    char ours[WST_ENDPOINT_STRLEN], text[INET_ADDRSTRLEN], theirs[WST_ENDPOINT_STRLEN];
    for (unsigned v = 0; v < 256; v++) {
        struct wst_addr a = {{(uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v / 10), (uint8_t)(v % 10)}};
        unsigned port = (v * 257u) % 65536u;
        size_t n = wst_endpoint_format(ours, WST_AF_INET, &a, (uint16_t)port);
        ck_assert_ptr_nonnull(inet_ntop(AF_INET, a.b, text, sizeof text));
        snprintf(theirs, sizeof theirs, "%s:%u", text, port);
        ck_assert_str_eq(ours, theirs);
        ck_assert_uint_eq(n, strlen(theirs));
        ck_assert_uint_eq(wst_addr_format(ours, WST_AF_INET, a.b), strlen(text));
        ck_assert_str_eq(ours, text);
    }
}
END_TEST

Suite *flow_suite(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("canonical");
    tcase_add_test(tc, test_flow_key_symmetric);
    tcase_add_test(tc, test_flow_key_addresses_compare_as_bytes);
    tcase_add_test(tc, test_flow_key_same_address_orders_ports);
    tcase_add_test(tc, test_flow_key_families_differ);
    tcase_add_test(tc, test_flow_key_vlan);
    tcase_add_test(tc, test_flow_key_zone);
    tcase_add_test(tc, test_flow_key_v6_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("hash");
    tcase_add_test(tc, test_flow_hash_seed_and_spread);
    suite_add_tcase(s, tc);
    tc = tcase_create("text");
    tcase_add_test(tc, test_flow_endpoint_format);
    tcase_add_test(tc, test_flow_endpoint_format_matches_inet_ntop);
    tcase_add_test(tc, test_flow_endpoint_format_v4_every_byte);
    suite_add_tcase(s, tc);
    return s;
}
