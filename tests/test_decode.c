/*
 * test_decode.c - Check suite for decode.c (wst_decode and the status table).
 *
 * Every frame is built with craft.h and every expected value is worked out
 * by hand from the frame: header offsets are written as sums of header
 * sizes (14 Ethernet + 20 IPv4 + 20 TCP = 54), so a test states where the
 * payload must start rather than asking the builder.
 *
 * Assumptions:
 *  1. The decoder gets an exact-size heap copy of the captured bytes
 *     (decode_copy()), so under AddressSanitizer any read past caplen fails
 *     the test; the segment is pre-filled with 0xA5 so a field the decoder
 *     forgets to set shows up as garbage.
 *  2. Unless a test says otherwise, caplen == wirelen == the frame length.
 *  3. The mutation test checks only safety properties (valid status,
 *     payload inside the frame), with a fixed-seed generator so a failure
 *     reproduces.
 */
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"
#include "suites.h"
#include "wirestate/decode.h"

/* ---- expected addresses, by hand */

#define A4 "192.0.2.1"
#define B4 "198.51.100.2"
#define A6 "2001:db8::1"
#define B6 "2001:db8:ffff::2"

static const uint8_t a4_bytes[16] = {192, 0, 2, 1};
static const uint8_t b4_bytes[16] = {198, 51, 100, 2};
static const uint8_t a6_bytes[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t b6_bytes[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* ---- decoding helpers */

static const char *status_name(enum wst_decode_status st)
{
    return (unsigned)st < WST_DECODE__COUNT ? wst_decode_status_name(st) : "(out of range)";
}

/*
 * Decodes caplen bytes of data (wirelen on the wire) from an exact-size heap
 * copy. For a TCP result it checks the payload bounds and rebases
 * seg->payload onto data, so tests compare it with offsets into their frame.
 */
/* Two option sets are equal in every field their `present` bits make valid. */
static void assert_same_options(const struct wst_tcp_options *a, const struct wst_tcp_options *b)
{
    ck_assert_uint_eq(a->present, b->present);
    if (a->present & WST_OPT_MSS)
        ck_assert_uint_eq(a->mss, b->mss);
    if (a->present & WST_OPT_WSCALE)
        ck_assert_uint_eq(a->wscale, b->wscale);
    if (a->present & WST_OPT_TIMESTAMP) {
        ck_assert_uint_eq(a->ts_val, b->ts_val);
        ck_assert_uint_eq(a->ts_ecr, b->ts_ecr);
    }
    ck_assert_uint_eq(a->sack_blocks, b->sack_blocks);
    for (unsigned i = 0; i < a->sack_blocks; i++) {
        ck_assert_uint_eq(a->sack[i][0], b->sack[i][0]);
        ck_assert_uint_eq(a->sack[i][1], b->sack[i][1]);
    }
}

/* The options wst_decode_tcp_options() found in the last TCP segment decode_copy() decoded. */
static struct wst_tcp_options last_options;

static enum wst_decode_status decode_copy(enum wst_link link, const uint8_t *data, size_t caplen,
                                          size_t wirelen, struct wst_segment *seg)
{
    uint8_t *copy = malloc(caplen);
    ck_assert(copy != NULL || caplen == 0);
    if (caplen > 0)
        memcpy(copy, data, caplen);
    memset(seg, 0xA5, sizeof *seg);
    enum wst_decode_status st = wst_decode(link, copy, (uint32_t)caplen, (uint32_t)wirelen, seg);
    if (st == WST_DECODE_TCP) {
        ck_assert_uint_le(seg->payload_caplen, seg->payload_len);
        if (seg->payload_caplen == 0) {
            ck_assert_ptr_null(seg->payload);
        } else {
            ck_assert(seg->payload >= copy && seg->payload + seg->payload_caplen <= copy + caplen);
            seg->payload = data + (seg->payload - copy);
        }
        /* The options of the frame (read from the exact-size copy, so the
         * sanitizer sees any read past it) are what the decoder parsed for
         * a SYN; other segments' are left to wst_decode_tcp_options(). */
        ck_assert_uint_le(seg->opt_caplen, seg->opt_len);
        ck_assert_uint_le(seg->opt_len, 40);
        memset(&last_options, 0x5A, sizeof last_options);
        wst_decode_tcp_options(copy, seg, &last_options);
        if (seg->flags & WST_TH_SYN)
            assert_same_options(&last_options, &seg->opt);
        else
            ck_assert_uint_eq(seg->opt.present, seg->opt_caplen < seg->opt_len ? WST_OPT_TRUNCATED : 0);
    }
    free(copy);
    return st;
}

/* Decodes the first caplen bytes of frame c, wirelen on the wire; asserts the status. */
#define EXPECT_CUT(link, c, caplen, wirelen, want, seg)                                          \
    do {                                                                                          \
        enum wst_decode_status got_ = decode_copy((link), (c)->buf, (caplen), (wirelen), (seg)); \
        ck_assert_msg(got_ == (want), "decoded as %s, expected %s", status_name(got_),           \
                      status_name(want));                                                         \
    } while (0)

/* Decodes the whole of frame c; asserts the status. */
#define EXPECT(link, c, want, seg) EXPECT_CUT(link, c, (c)->len, (c)->len, want, seg)

/* Decodes the whole of frame c; asserts it is a TCP segment. */
#define EXPECT_TCP(link, c, seg) EXPECT(link, c, WST_DECODE_TCP, seg)

/* ---- standard segments */

/* IPv4 A4 -> B4, ID 0x1234, TTL 61, carrying proto. */
static void ip4(struct craft *c, uint8_t proto)
{
    craft_ipv4(c, A4, B4, proto);
    craft_ipv4_id(c, 0x1234);
    craft_ip_ttl(c, 61);
}

/* IPv6 A6 -> B6, hop limit 62. */
static void ip6(struct craft *c, uint8_t next)
{
    craft_ipv6(c, A6, B6, next);
    craft_ip_ttl(c, 62);
}

/* TCP 40000 -> 443, seq 0x01020304, ack 0x0A0B0C0D, PSH|ACK, window 1234, 10 bytes "abcdefghij". */
static void seg4(struct craft *c)
{
    craft_tcp(c, 40000, 443, 0x01020304, 0x0A0B0C0D, CRAFT_PSH | CRAFT_ACK, 1234, NULL, 0, 10);
}

/* TCP 40001 -> 8080, seq 0xFFFFFFF0, ack 0x10, ACK, window 65535, 7 bytes "abcdefg". */
static void seg6(struct craft *c)
{
    craft_tcp(c, 40001, 8080, 0xFFFFFFF0, 0x10, CRAFT_ACK, 65535, NULL, 0, 7);
}

static void put_tcp4(struct craft *c)
{
    ip4(c, CRAFT_IP_TCP);
    seg4(c);
}

static void put_tcp6(struct craft *c)
{
    ip6(c, CRAFT_IP_TCP);
    seg6(c);
}

/* Asserts every field of the put_tcp4() segment, whose payload starts at payload. */
static void check_std4(const struct wst_segment *s, const uint8_t *payload)
{
    ck_assert_uint_eq(s->family, WST_AF_INET);
    ck_assert(s->has_ports);
    ck_assert_mem_eq(s->src.b, a4_bytes, 16);
    ck_assert_mem_eq(s->dst.b, b4_bytes, 16);
    ck_assert_uint_eq(s->ttl, 61);
    ck_assert_uint_eq(s->ip_id, 0x1234);
    ck_assert_uint_eq(s->sport, 40000);
    ck_assert_uint_eq(s->dport, 443);
    ck_assert_uint_eq(s->seq, 0x01020304);
    ck_assert_uint_eq(s->ack, 0x0A0B0C0D);
    ck_assert_uint_eq(s->flags, WST_TH_PSH | WST_TH_ACK);
    ck_assert_uint_eq(s->window, 1234);
    ck_assert_uint_eq(s->payload_len, 10);
    ck_assert_uint_eq(s->payload_caplen, 10);
    ck_assert_ptr_eq(s->payload, payload);
    ck_assert_mem_eq(s->payload, "abcdefghij", 10);
    ck_assert_uint_eq(s->opt.present, 0);
    ck_assert_uint_eq(s->opt.sack_blocks, 0);
}

/* Asserts every field of the put_tcp6() segment, whose payload starts at payload. */
static void check_std6(const struct wst_segment *s, const uint8_t *payload)
{
    ck_assert_uint_eq(s->family, WST_AF_INET6);
    ck_assert(s->has_ports);
    ck_assert_mem_eq(s->src.b, a6_bytes, 16);
    ck_assert_mem_eq(s->dst.b, b6_bytes, 16);
    ck_assert_uint_eq(s->ttl, 62);
    ck_assert_uint_eq(s->ip_id, 0);
    ck_assert_uint_eq(s->sport, 40001);
    ck_assert_uint_eq(s->dport, 8080);
    ck_assert_uint_eq(s->seq, 0xFFFFFFF0);
    ck_assert_uint_eq(s->ack, 0x10);
    ck_assert_uint_eq(s->flags, WST_TH_ACK);
    ck_assert_uint_eq(s->window, 65535);
    ck_assert_uint_eq(s->payload_len, 7);
    ck_assert_uint_eq(s->payload_caplen, 7);
    ck_assert_ptr_eq(s->payload, payload);
    ck_assert_mem_eq(s->payload, "abcdefg", 7);
    ck_assert_uint_eq(s->opt.present, 0);
}

/* ================================================================ link */

START_TEST(test_decode_link_ethernet)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 0);

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 20);
    ck_assert_uint_eq(seg.vlan_count, 0);
}
END_TEST

START_TEST(test_decode_link_vlan)
{
    struct craft c;
    struct wst_segment seg;

    /* TCI 0xF0C8: PCP 7, DEI 1, VID 0x0C8 = 200; only the 12-bit ID is kept. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    craft_vlan(&c, 0xF0C8, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 4 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 200);
}
END_TEST

/* Each accepted TPID, a single tag with VID 300 + i. */
static const uint16_t vlan_tpids[] = {0x8100, 0x88A8, 0x9100, 0x9200};

START_TEST(test_decode_link_vlan_tpids)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, vlan_tpids[_i]);
    craft_vlan(&c, (uint16_t)(300 + _i), CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 4 + 40 + 20);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 300 + _i);
}
END_TEST

START_TEST(test_decode_link_qinq)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_QINQ);
    craft_vlan(&c, 10, CRAFT_ETH_VLAN);
    craft_vlan(&c, 20, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 8 + 40 + 20);
    ck_assert_uint_eq(seg.vlan_count, 2);
    ck_assert_uint_eq(seg.vlan[0], 10); /* outermost first */
    ck_assert_uint_eq(seg.vlan[1], 20);
}
END_TEST

START_TEST(test_decode_link_vlan_stack_counts_all)
{
    struct craft c;
    struct wst_segment seg;

    /* Three tags: all counted, the outer two kept. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_QINQ);
    craft_vlan(&c, 1, CRAFT_ETH_VLAN);
    craft_vlan(&c, 2, CRAFT_ETH_VLAN);
    craft_vlan(&c, 3, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 12 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 3);
    ck_assert_uint_eq(seg.vlan[0], 1);
    ck_assert_uint_eq(seg.vlan[1], 2);

    /* Sixteen tags are the most the loop accepts. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    for (int i = 1; i <= 16; i++)
        craft_vlan(&c, (uint16_t)(100 + i), i < 16 ? CRAFT_ETH_VLAN : CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 64 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 16);
    ck_assert_uint_eq(seg.vlan[0], 101);
    ck_assert_uint_eq(seg.vlan[1], 102);
}
END_TEST

START_TEST(test_decode_link_mpls)
{
    struct craft c;
    struct wst_segment seg;

    /* Two labels, then IPv4 by its first nibble. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    craft_mpls(&c, 16001, false);
    craft_mpls(&c, 16002, true);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 8 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 0);

    /* Multicast MPLS ethertype, one label, IPv6. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS_MC);
    craft_mpls(&c, 3, true);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 4 + 40 + 20);
}
END_TEST

START_TEST(test_decode_link_mpls_pseudowire)
{
    struct craft c;
    struct wst_segment seg;

    /* Label, control word, inner Ethernet with a VLAN tag, IPv4. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    craft_mpls(&c, 20001, true);
    craft_pw_control_word(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    craft_vlan(&c, 7, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 4 + 4 + 14 + 4 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 7);
}
END_TEST

START_TEST(test_decode_link_pppoe)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PPPOE);
    craft_pppoe(&c, CRAFT_PPP_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 8 + 20 + 20);

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PPPOE);
    craft_pppoe(&c, CRAFT_PPP_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 8 + 40 + 20);

    /* LCP inside a session is not IP. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PPPOE);
    craft_pppoe(&c, CRAFT_PPP_LCP);
    craft_pattern(&c, 12);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_NON_IP, &seg);
}
END_TEST

START_TEST(test_decode_link_vntag_etag_pbb)
{
    struct craft c;
    struct wst_segment seg;

    /* VN-Tag: 4 tag bytes, next ethertype. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VNTAG);
    craft_vntag(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 6 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 0);

    /* VN-Tag inside an 802.1Q tag, as in pcaps/vlan.pcap. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    craft_vlan(&c, 100, CRAFT_ETH_VNTAG);
    craft_vntag(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 4 + 6 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 100);

    /* E-Tag: 6 tag bytes, next ethertype. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_ETAG);
    craft_etag(&c, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 8 + 40 + 20);

    /* PBB: I-Tag, inner Ethernet with a C-tag. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PBB);
    craft_pbb_itag(&c, 0x123456, CRAFT_ETH_VLAN);
    craft_vlan(&c, 30, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 4 + 14 + 4 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 30);
}
END_TEST

START_TEST(test_decode_link_llc_snap)
{
    struct craft c;
    struct wst_segment seg;

    /* 802.3 length 58 (8 SNAP + 20 + 20 + 10), SNAP ethertype IPv4. */
    craft_init(&c);
    craft_eth_8023(&c);
    craft_llc_snap(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[12] << 8 | c.buf[13], 58);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 8 + 20 + 20);

    /* 1500 is still a length. */
    craft_put16(&c, 12, 1500);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 8 + 20 + 20);

    /* 802.3 with a plain LLC header (STP: 42 42 03) is not IP. */
    craft_init(&c);
    craft_eth_8023(&c);
    craft_bytes(&c, (const uint8_t[]){0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00}, 8);
    craft_pattern(&c, 30);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_NON_IP, &seg);
}
END_TEST

/* Ethertypes that end decoding as non-IP: ARP, PPPoE discovery, LLDP, RARP,
 * MACsec, and 0x05DD, one above the largest 802.3 length. */
static const uint16_t non_ip_types[] = {0x0806, 0x8863, 0x88CC, 0x8035, 0x88E5, 0x05DD};

START_TEST(test_decode_link_non_ip)
{
    struct craft c;
    struct wst_segment seg;

    /* An IPv4 segment follows so a decoder that guessed would find TCP. */
    craft_init(&c);
    craft_eth(&c, non_ip_types[_i]);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_NON_IP, &seg);
}
END_TEST

START_TEST(test_decode_link_sll)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_sll(&c, CRAFT_SLL_HOST, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_SLL, &c, &seg);
    check_std4(&seg, c.buf + 16 + 20 + 20);

    craft_init(&c);
    craft_sll(&c, CRAFT_SLL_OUTGOING, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_SLL, &c, &seg);
    check_std6(&seg, c.buf + 16 + 40 + 20);

    /* The protocol field enters the same ethertype loop. */
    craft_init(&c);
    craft_sll(&c, CRAFT_SLL_HOST, CRAFT_ETH_VLAN);
    craft_vlan(&c, 42, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_SLL, &c, &seg);
    check_std4(&seg, c.buf + 16 + 4 + 20 + 20);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 42);

    craft_init(&c);
    craft_sll(&c, CRAFT_SLL_HOST, CRAFT_ETH_ARP);
    craft_pattern(&c, 28);
    craft_finish(&c);
    EXPECT(WST_LINK_SLL, &c, WST_DECODE_NON_IP, &seg);
}
END_TEST

START_TEST(test_decode_link_sll2)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_sll2(&c, CRAFT_SLL_HOST, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_SLL2, &c, &seg);
    check_std4(&seg, c.buf + 20 + 20 + 20);

    craft_init(&c);
    craft_sll2(&c, CRAFT_SLL_OUTGOING, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_SLL2, &c, &seg);
    check_std6(&seg, c.buf + 20 + 40 + 20);

    craft_init(&c);
    craft_sll2(&c, CRAFT_SLL_HOST, CRAFT_ETH_ARP);
    craft_pattern(&c, 28);
    craft_finish(&c);
    EXPECT(WST_LINK_SLL2, &c, WST_DECODE_NON_IP, &seg);
}
END_TEST

/* BSD null families: value, byte order as written, expected IP version (0 = non-IP). */
static const struct {
    uint32_t af;
    bool big_endian;
    int version;
} null_families[] = {
    {2, false, 4},  /* AF_INET, little-endian writer */
    {2, true, 4},   /* AF_INET, big-endian writer: 0x02000000 read LE is > 0xFFFF */
    {10, false, 6}, /* Linux AF_INET6 */
    {24, false, 6}, /* NetBSD/OpenBSD */
    {28, false, 6}, /* FreeBSD */
    {30, false, 6}, /* Darwin */
    {30, true, 6},
    {24, true, 6},
    {7, false, 0},  /* AF_ISO */
    {7, true, 0},
    {23, false, 0}, /* AF_INET6 on Windows is not on the list */
};

START_TEST(test_decode_link_null)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_null(&c, null_families[_i].af, null_families[_i].big_endian);
    if (null_families[_i].version == 6)
        put_tcp6(&c);
    else
        put_tcp4(&c);
    craft_finish(&c);
    if (null_families[_i].version == 0) {
        EXPECT(WST_LINK_NULL_BSD, &c, WST_DECODE_NON_IP, &seg);
    } else if (null_families[_i].version == 4) {
        EXPECT_TCP(WST_LINK_NULL_BSD, &c, &seg);
        check_std4(&seg, c.buf + 4 + 20 + 20);
    } else {
        EXPECT_TCP(WST_LINK_NULL_BSD, &c, &seg);
        check_std6(&seg, c.buf + 4 + 40 + 20);
    }
}
END_TEST

START_TEST(test_decode_link_loop)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_null(&c, 2, true);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_LOOP, &c, &seg);
    check_std4(&seg, c.buf + 4 + 20 + 20);

    craft_init(&c);
    craft_null(&c, 24, true);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_LOOP, &c, &seg);
    check_std6(&seg, c.buf + 4 + 40 + 20);

    /* LOOP is always big-endian: 02 00 00 00 is family 0x02000000. */
    craft_init(&c);
    craft_null(&c, 2, false);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_LOOP, &c, WST_DECODE_NON_IP, &seg);
}
END_TEST

START_TEST(test_decode_link_raw)
{
    struct craft c4, c6;
    struct wst_segment seg;

    craft_init(&c4);
    put_tcp4(&c4);
    craft_finish(&c4);
    craft_init(&c6);
    put_tcp6(&c6);
    craft_finish(&c6);

    EXPECT_TCP(WST_LINK_RAW, &c4, &seg);
    check_std4(&seg, c4.buf + 20 + 20);
    EXPECT_TCP(WST_LINK_RAW, &c6, &seg);
    check_std6(&seg, c6.buf + 40 + 20);
    EXPECT_TCP(WST_LINK_IPV4, &c4, &seg);
    check_std4(&seg, c4.buf + 20 + 20);
    EXPECT_TCP(WST_LINK_IPV6, &c6, &seg);
    check_std6(&seg, c6.buf + 40 + 20);

    /* The single-version link types do not switch on the nibble. */
    EXPECT(WST_LINK_IPV4, &c6, WST_DECODE_BAD_IP_VERSION, &seg);
    EXPECT(WST_LINK_IPV6, &c4, WST_DECODE_BAD_IP_VERSION, &seg);

    /* RAW: any other nibble, and an empty frame. */
    c4.buf[0] = 0x55;
    EXPECT(WST_LINK_RAW, &c4, WST_DECODE_BAD_IP_VERSION, &seg);
    c4.buf[0] = 0x05;
    EXPECT(WST_LINK_RAW, &c4, WST_DECODE_BAD_IP_VERSION, &seg);
    EXPECT_CUT(WST_LINK_RAW, &c4, 0, 40, WST_DECODE_TRUNCATED_IP, &seg);
}
END_TEST

START_TEST(test_decode_link_unsupported)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_UNSUPPORTED, &c, WST_DECODE_UNSUPPORTED_LINK, &seg);
    EXPECT_CUT(WST_LINK_UNSUPPORTED, &c, 0, 0, WST_DECODE_UNSUPPORTED_LINK, &seg);
}
END_TEST

/* ================================================================ ipv4 */

START_TEST(test_decode_ipv4_fields)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "10.255.0.254", "203.0.113.77", CRAFT_IP_TCP);
    craft_ipv4_id(&c, 0xBEEF);
    craft_ip_ttl(&c, 1);
    craft_tcp(&c, 1, 65535, 7, 8, CRAFT_SYN, 0, NULL, 0, 0);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.family, WST_AF_INET);
    ck_assert_mem_eq(seg.src.b, ((const uint8_t[16]){10, 255, 0, 254}), 16);
    ck_assert_mem_eq(seg.dst.b, ((const uint8_t[16]){203, 0, 113, 77}), 16);
    ck_assert_uint_eq(seg.ttl, 1);
    ck_assert_uint_eq(seg.ip_id, 0xBEEF);
    ck_assert_uint_eq(seg.sport, 1);
    ck_assert_uint_eq(seg.dport, 65535);
    ck_assert_uint_eq(seg.seq, 7);
    ck_assert_uint_eq(seg.ack, 8);
    ck_assert_uint_eq(seg.flags, WST_TH_SYN);
    ck_assert_uint_eq(seg.window, 0);
    ck_assert_uint_eq(seg.payload_len, 0);
    ck_assert_uint_eq(seg.payload_caplen, 0);
    ck_assert_ptr_null(seg.payload);
}
END_TEST

START_TEST(test_decode_ipv4_options)
{
    struct craft c;
    struct wst_segment seg;

    /* IHL 6: a Router Alert option (RFC 2113) moves TCP 4 bytes on. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_ipv4_options(&c, (const uint8_t[]){0x94, 0x04, 0x00, 0x00}, 4);
    seg4(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[14], 0x46);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 24 + 20);

    /* IHL 15: 40 bytes of NOP options. */
    uint8_t nops[40];
    memset(nops, 1, sizeof nops);
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_ipv4_options(&c, nops, sizeof nops);
    seg4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 60 + 20);
}
END_TEST

START_TEST(test_decode_ipv4_ethernet_padding)
{
    struct craft c;
    struct wst_segment seg;

    /* A 54-byte ACK padded to the 60-byte Ethernet minimum. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 100, 200, CRAFT_ACK, 1000, NULL, 0, 0);
    craft_finish(&c);
    craft_bytes(&c, NULL, 6);
    ck_assert_uint_eq(c.len, 60);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.payload_len, 0);
    ck_assert_uint_eq(seg.payload_caplen, 0);
    ck_assert_ptr_null(seg.payload);

    /* Two payload bytes and four of padding: only the two count. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 100, 200, CRAFT_PSH | CRAFT_ACK, 1000, NULL, 0, 2);
    craft_finish(&c);
    craft_bytes(&c, "\xEE\xEE\xEE\xEE", 4);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.payload_len, 2);
    ck_assert_uint_eq(seg.payload_caplen, 2);
    ck_assert_ptr_eq(seg.payload, c.buf + 54);
}
END_TEST

START_TEST(test_decode_ipv4_total_length_zero)
{
    struct craft c;
    struct wst_segment seg;

    /* Segmentation offload: total length 0, the datagram runs to the end of
     * the frame on the wire. 3000 payload bytes, all captured. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 100, 200, CRAFT_ACK, 1000, NULL, 0, 3000);
    craft_finish(&c);
    craft_put16(&c, 14 + 2, 0);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.payload_len, 3000);
    ck_assert_uint_eq(seg.payload_caplen, 3000);
    ck_assert_ptr_eq(seg.payload, c.buf + 54);

    /* The same, captured to 100 bytes. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 100, 3054, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 3000);
    ck_assert_uint_eq(seg.payload_caplen, 46);

    /* Larger than any IPv4 total length (BIG TCP): 70000 payload bytes. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 100, 54 + 70000, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 70000);
    ck_assert_uint_eq(seg.payload_caplen, 46);
}
END_TEST

START_TEST(test_decode_ipv4_fragments)
{
    struct craft c;
    struct wst_segment seg;

    /* First fragment: MF, offset 0. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_ipv4_fragment(&c, 0, true);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);

    /* Middle fragment: MF, offset 8. */
    craft_ipv4_fragment(&c, 8, true);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);

    /* Last fragment: offset 1480, no MF. */
    craft_ipv4_fragment(&c, 1480, false);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);

    /* A UDP fragment is a fragment too. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_UDP);
    craft_udp(&c, 5000, 53, 20);
    craft_ipv4_fragment(&c, 0, true);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);

    /* DF alone (set by craft_ipv4) and a reserved-bit-free offset 0 decode. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[14 + 6], 0x40);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 54);
}
END_TEST

START_TEST(test_decode_ipv4_protocols)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_UDP);
    craft_udp(&c, 53000, 53, 29);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_UDP, &seg);

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_ICMP);
    craft_icmp_echo(&c, 1, 1, 32);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_ICMP, &seg);

    /* ESP, SCTP, IGMP, OSPF, 255, and ICMPv6 over IPv4 are other protocols. */
    static const uint8_t others[] = {50, 132, 2, 89, 255, 58};
    for (size_t i = 0; i < sizeof others; i++) {
        craft_init(&c);
        craft_eth(&c, CRAFT_ETH_IPV4);
        ip4(&c, others[i]);
        craft_pattern(&c, 24);
        craft_finish(&c);
        EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_IP_OTHER, &seg);
    }
}
END_TEST

/* IP-in-IP, IPv6-in-IPv4, GRE, EtherIP, L2TPv3, MPLS-in-IP. */
static const uint8_t tunnel_protos[] = {4, 41, 47, 97, 115, 137};

START_TEST(test_decode_ipv4_tunnel_protocols)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, tunnel_protos[_i]);
    /* An inner TCP/IPv4 packet, which must not be decoded. */
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TUNNEL, &seg);
}
END_TEST

/* VXLAN, VXLAN-GPE, Geneve, GTP-U, Teredo, L2TP, GRE-in-UDP. */
static const uint16_t tunnel_ports[] = {4789, 4790, 6081, 2152, 3544, 1701, 4754};
#define N_TUNNEL_PORTS ((int)(sizeof tunnel_ports / sizeof tunnel_ports[0]))

START_TEST(test_decode_ipv4_udp_tunnel_ports)
{
    struct craft c;
    struct wst_segment seg;
    uint16_t port = tunnel_ports[_i % N_TUNNEL_PORTS];
    bool as_source = _i >= N_TUNNEL_PORTS;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_UDP);
    craft_udp(&c, as_source ? port : 50000, as_source ? 50000 : port, 40);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TUNNEL, &seg);

    /* Exactly 4 UDP bytes captured: both ports are visible. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 20 + 4, c.len, WST_DECODE_TUNNEL, &seg);

    /* Fewer than 4: just UDP, even when the port that is visible matches. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 20 + 3, c.len, WST_DECODE_UDP, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 20, c.len, WST_DECODE_UDP, &seg);
}
END_TEST

START_TEST(test_decode_ipv4_after_vlan_length_check)
{
    struct craft c;
    struct wst_segment seg;

    /* The total length is checked against the wire length minus the IP
     * header's offset (18 here), not minus 14. Frame: 18 + 20 + 20 + 10. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    craft_vlan(&c, 5, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.len, 68);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    craft_put16(&c, 18 + 2, 51); /* 68 - 18 = 50 */
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
}
END_TEST

/* ================================================================ ipv6 */

START_TEST(test_decode_ipv6_fields)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    craft_ipv6(&c, "fe80::1:2:3:4", "ff02::1:ff00:1", CRAFT_IP_TCP);
    craft_ip_ttl(&c, 255);
    craft_tcp(&c, 179, 50000, 0x80000000, 0x7FFFFFFF, CRAFT_RST | CRAFT_ACK, 0, NULL, 0, 0);
    craft_finish(&c);
    /* A traffic class and flow label must not disturb anything. */
    c.buf[14] = 0x6F;
    c.buf[15] = 0xAB;
    c.buf[16] = 0xCD;
    c.buf[17] = 0xEF;
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.family, WST_AF_INET6);
    ck_assert_mem_eq(seg.src.b, ((const uint8_t[16]){0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4}), 16);
    ck_assert_mem_eq(seg.dst.b, ((const uint8_t[16]){0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1}), 16);
    ck_assert_uint_eq(seg.ttl, 255);
    ck_assert_uint_eq(seg.ip_id, 0);
    ck_assert_uint_eq(seg.sport, 179);
    ck_assert_uint_eq(seg.dport, 50000);
    ck_assert_uint_eq(seg.seq, 0x80000000);
    ck_assert_uint_eq(seg.ack, 0x7FFFFFFF);
    ck_assert_uint_eq(seg.flags, WST_TH_RST | WST_TH_ACK);
    ck_assert_uint_eq(seg.payload_len, 0);
    ck_assert_ptr_null(seg.payload);
}
END_TEST

START_TEST(test_decode_ipv6_extension_chain)
{
    struct craft c;
    struct wst_segment seg;

    /* Hop-by-hop (8), destination options (16), routing (24): TCP at 40 + 48. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_HOPOPTS, CRAFT_IP_DSTOPTS, 8);
    craft_ipv6_ext(&c, CRAFT_IP_DSTOPTS, CRAFT_IP_ROUTING, 16);
    craft_ipv6_ext(&c, CRAFT_IP_ROUTING, CRAFT_IP_TCP, 24);
    seg6(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[14 + 40 + 8 + 1], 1); /* (1 + 1) * 8 = 16 */
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 48 + 20);
}
END_TEST

/* Mobility, HIP and Shim6 use the (len + 1) * 8 rule too. */
static const uint8_t other_ext_types[] = {135, 139, 140};

START_TEST(test_decode_ipv6_other_extensions)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, other_ext_types[_i]);
    craft_ipv6_ext(&c, other_ext_types[_i], CRAFT_IP_TCP, 16);
    seg6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 16 + 20);
}
END_TEST

START_TEST(test_decode_ipv6_ah)
{
    struct craft c;
    struct wst_segment seg;

    /* AH (RFC 4302) of 24 bytes: its length byte is 24 / 4 - 2 = 4. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_AH);
    craft_ipv6_ext(&c, CRAFT_IP_AH, CRAFT_IP_TCP, 24);
    seg6(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[14 + 40 + 1], 4);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 24 + 20);
}
END_TEST

START_TEST(test_decode_ipv6_fragments)
{
    struct craft c;
    struct wst_segment seg;

    /* An atomic fragment (offset 0, M clear, RFC 6946) is decoded through. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_FRAGMENT);
    craft_ipv6_frag(&c, CRAFT_IP_TCP, 0, false, 0xCAFE);
    seg6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 8 + 20);

    /* M set. */
    craft_put16(&c, 14 + 40 + 2, 0x0001);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);
    /* Offset 8, M clear (the last fragment). */
    craft_put16(&c, 14 + 40 + 2, 0x0008);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);
    /* The two reserved bits alone do not make a fragment. */
    craft_put16(&c, 14 + 40 + 2, 0x0006);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 8 + 20);

    /* A fragment header after a hop-by-hop header. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_HOPOPTS, CRAFT_IP_FRAGMENT, 8);
    craft_ipv6_frag(&c, CRAFT_IP_TCP, 0, true, 1);
    seg6(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_FRAGMENT, &seg);
}
END_TEST

START_TEST(test_decode_ipv6_upper_layers)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_ICMPV6);
    craft_icmpv6_echo(&c, 1, 1, 16);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_ICMPV6, &seg);

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_UDP);
    craft_udp(&c, 5353, 5353, 20);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_UDP, &seg);

    /* Geneve over IPv6, behind a destination options header. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_DSTOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_DSTOPTS, CRAFT_IP_UDP, 8);
    craft_udp(&c, 50000, 6081, 20);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TUNNEL, &seg);

    for (size_t i = 0; i < sizeof tunnel_protos; i++) {
        craft_init(&c);
        craft_eth(&c, CRAFT_ETH_IPV6);
        ip6(&c, tunnel_protos[i]);
        put_tcp4(&c);
        craft_finish(&c);
        EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TUNNEL, &seg);
    }

    /* ESP, no next header, ICMPv4 and SCTP are other protocols in IPv6. */
    static const uint8_t others[] = {50, 59, 1, 132};
    for (size_t i = 0; i < sizeof others; i++) {
        craft_init(&c);
        craft_eth(&c, CRAFT_ETH_IPV6);
        ip6(&c, others[i]);
        craft_pattern(&c, 24);
        craft_finish(&c);
        EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_IP_OTHER, &seg);
    }
}
END_TEST

START_TEST(test_decode_ipv6_jumbogram)
{
    struct craft c;
    struct wst_segment seg;

    /* Payload length 0, hop-by-hop with a Jumbo Payload of 8 + 20 + 7 = 35. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_HOPOPTS);
    craft_ipv6_jumbo(&c, CRAFT_IP_TCP);
    seg6(&c);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[14 + 4] << 8 | c.buf[14 + 5], 0);
    ck_assert_uint_eq(c.buf[14 + 40 + 7], 35);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 8 + 20);

    /* A real jumbogram: 70000 payload bytes on the wire, 7 captured. */
    craft_put32(&c, 14 + 40 + 4, 8 + 20 + 70000);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, c.len, 14 + 40 + 8 + 20 + 70000, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 70000);
    ck_assert_uint_eq(seg.payload_caplen, 7);
    ck_assert_ptr_eq(seg.payload, c.buf + 14 + 40 + 8 + 20);
}
END_TEST

START_TEST(test_decode_ipv6_padding_and_snap)
{
    struct craft c;
    struct wst_segment seg;

    /* Four trailing bytes beyond the payload length are ignored. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    craft_bytes(&c, "\xEE\xEE\xEE\xEE", 4);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 20);

    /* Cut by the snap length inside the payload: 3 of 7 bytes captured. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 40 + 20 + 3, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 7);
    ck_assert_uint_eq(seg.payload_caplen, 3);
    ck_assert_ptr_eq(seg.payload, c.buf + 74);
}
END_TEST

START_TEST(test_decode_ipv6_sixteen_extensions)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_DSTOPTS);
    for (int i = 0; i < 16; i++)
        craft_ipv6_ext(&c, CRAFT_IP_DSTOPTS, i < 15 ? CRAFT_IP_DSTOPTS : CRAFT_IP_TCP, 8);
    seg6(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std6(&seg, c.buf + 14 + 40 + 128 + 20);
}
END_TEST

/* ================================================================ tcp */

START_TEST(test_decode_tcp_header_fields)
{
    struct craft c;
    struct wst_segment seg;

    /* Every flag bit, the largest sequence numbers and window. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 65535, 1, 0xFFFFFFFF, 0xFFFFFFFE, 0xFF, 0xFFFF, NULL, 0, 1);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.flags, 0xFF);
    ck_assert_uint_eq(seg.sport, 65535);
    ck_assert_uint_eq(seg.dport, 1);
    ck_assert_uint_eq(seg.seq, 0xFFFFFFFF);
    ck_assert_uint_eq(seg.ack, 0xFFFFFFFE);
    ck_assert_uint_eq(seg.window, 0xFFFF);
    ck_assert_uint_eq(seg.payload_len, 1);
    ck_assert_uint_eq(seg.payload_caplen, 1);
    ck_assert_ptr_eq(seg.payload, c.buf + 54);

    /* No flags at all (a null scan) is still a segment. */
    c.buf[14 + 20 + 13] = 0;
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.flags, 0);
}
END_TEST

START_TEST(test_decode_tcp_snap_cut_payload)
{
    struct craft c;
    struct wst_segment seg;

    /* 1000 payload bytes, captured only to the end of the TCP header. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 5000, 6000, CRAFT_PSH | CRAFT_ACK, 500, NULL, 0, 1000);
    craft_finish(&c);
    ck_assert_uint_eq(c.len, 1054);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 54, 1054, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.seq, 5000);
    ck_assert_uint_eq(seg.payload_len, 1000);
    ck_assert_uint_eq(seg.payload_caplen, 0);
    ck_assert_ptr_null(seg.payload);

    /* 10 of the 1000 captured. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 64, 1054, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 1000);
    ck_assert_uint_eq(seg.payload_caplen, 10);
    ck_assert_ptr_eq(seg.payload, c.buf + 54);
    ck_assert_mem_eq(seg.payload, "abcdefghij", 10);
}
END_TEST

START_TEST(test_decode_tcp_longest_header)
{
    struct craft c;
    struct wst_segment seg;
    uint8_t nops[40];

    /* Data offset 15: 40 bytes of NOPs, payload at 14 + 20 + 60. */
    memset(nops, 1, sizeof nops);
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 0x01020304, 0x0A0B0C0D, CRAFT_PSH | CRAFT_ACK, 1234, nops, 40, 10);
    craft_finish(&c);
    ck_assert_uint_eq(c.buf[14 + 20 + 12], 0xF0);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    check_std4(&seg, c.buf + 14 + 20 + 60);
}
END_TEST

START_TEST(test_decode_tcp_ipv6_payload_after_extensions)
{
    struct craft c;
    struct wst_segment seg;

    /* Payload length 8 + 20 + 100; the TCP payload is 100 bytes, 5 captured. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_HOPOPTS, CRAFT_IP_TCP, 8);
    craft_tcp(&c, 40001, 8080, 1, 2, CRAFT_ACK, 100, NULL, 0, 100);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 40 + 8 + 20 + 5, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 100);
    ck_assert_uint_eq(seg.payload_caplen, 5);
    ck_assert_ptr_eq(seg.payload, c.buf + 82);
}
END_TEST

/* ================================================================ options */

/*
 * Builds Ethernet/IPv4/TCP (SYN) with the given option bytes and decodes it.
 * The same options on an ACK are left unparsed by the decoder, and
 * wst_decode_tcp_options() must find exactly what it found for the SYN.
 */
static enum wst_decode_status decode_opts(const void *opts, size_t len, struct wst_segment *seg)
{
    struct craft c;
    struct wst_segment ack;
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 1, 2, CRAFT_ACK, 64240, opts, len, 0);
    craft_finish(&c);
    ck_assert_int_eq(decode_copy(WST_LINK_ETHERNET, c.buf, c.len, c.len, &ack), WST_DECODE_TCP);
    ck_assert_uint_eq(ack.opt.present, 0);
    ck_assert_uint_eq(ack.opt_off, 14 + 20 + 20);
    ck_assert_uint_eq(ack.opt_caplen, ack.opt_len);
    struct wst_tcp_options later = last_options;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 1, 0, CRAFT_SYN, 64240, opts, len, 0);
    craft_finish(&c);
    enum wst_decode_status st = decode_copy(WST_LINK_ETHERNET, c.buf, c.len, c.len, seg);
    assert_same_options(&later, &seg->opt);
    return st;
}

START_TEST(test_decode_options_syn)
{
    struct craft_opts o;
    struct wst_segment seg;

    craft_opts_init(&o);
    craft_opt_mss(&o, 1460);
    craft_opt_sack_perm(&o);
    craft_opt_timestamp(&o, 0x01020304, 0);
    craft_opt_nop(&o);
    craft_opt_wscale(&o, 7);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TIMESTAMP | WST_OPT_WSCALE);
    ck_assert_uint_eq(seg.opt.mss, 1460);
    ck_assert_uint_eq(seg.opt.wscale, 7);
    ck_assert_uint_eq(seg.opt.ts_val, 0x01020304);
    ck_assert_uint_eq(seg.opt.ts_ecr, 0);
    ck_assert_uint_eq(seg.opt.sack_blocks, 0);

    /* The values are raw: a window scale of 14 and an MSS of 536. */
    craft_opts_init(&o);
    craft_opt_wscale(&o, 14);
    craft_opt_mss(&o, 536);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_WSCALE);
    ck_assert_uint_eq(seg.opt.mss, 536);
    ck_assert_uint_eq(seg.opt.wscale, 14);
}
END_TEST

START_TEST(test_decode_options_sack)
{
    struct craft_opts o;
    struct wst_segment seg;
    static const uint32_t blocks[4][2] = {
        {1000, 2000}, {3000, 4000}, {0xFFFFFF00, 0x00000100}, {7, 8},
    };

    /* One block after timestamps. */
    craft_opts_init(&o);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_timestamp(&o, 11, 22);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_sack(&o, blocks, 1);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_TIMESTAMP | WST_OPT_SACK);
    ck_assert_uint_eq(seg.opt.ts_val, 11);
    ck_assert_uint_eq(seg.opt.ts_ecr, 22);
    ck_assert_uint_eq(seg.opt.sack_blocks, 1);
    ck_assert_uint_eq(seg.opt.sack[0][0], 1000);
    ck_assert_uint_eq(seg.opt.sack[0][1], 2000);

    /* Three blocks with timestamps fill all 40 bytes. */
    craft_opts_init(&o);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_timestamp(&o, 11, 22);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_sack(&o, blocks, 3);
    ck_assert_uint_eq(o.len, 40);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_TIMESTAMP | WST_OPT_SACK);
    ck_assert_uint_eq(seg.opt.sack_blocks, 3);
    ck_assert_uint_eq(seg.opt.sack[1][0], 3000);
    ck_assert_uint_eq(seg.opt.sack[1][1], 4000);
    ck_assert_uint_eq(seg.opt.sack[2][0], 0xFFFFFF00);
    ck_assert_uint_eq(seg.opt.sack[2][1], 0x00000100);

    /* Four blocks, the most that fit. */
    craft_opts_init(&o);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_sack(&o, blocks, 4);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_SACK);
    ck_assert_uint_eq(seg.opt.sack_blocks, 4);
    ck_assert_uint_eq(seg.opt.sack[3][0], 7);
    ck_assert_uint_eq(seg.opt.sack[3][1], 8);
}
END_TEST

/*
 * The list nearly every Linux SYN carries (MSS; SACK-permitted with
 * timestamps; NOP, window scale) is read at fixed places: the values come
 * out right even when they look like option kinds, and a list that differs
 * in one kind or length byte is walked instead, with the walk's result.
 */
START_TEST(test_decode_options_linux_syn_layout)
{
    struct wst_segment seg;
    uint8_t l[20] = {2, 4, 0x04, 0x02, 4, 2, 8, 10, 0x08, 0x0a, 1, 1, 0x03, 0x03, 0, 0, 1, 3, 3, 14};
    ck_assert_int_eq(decode_opts(l, sizeof l, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TIMESTAMP | WST_OPT_WSCALE);
    ck_assert_uint_eq(seg.opt.mss, 0x0402);
    ck_assert_uint_eq(seg.opt.ts_val, 0x080a0101);
    ck_assert_uint_eq(seg.opt.ts_ecr, 0x03030000);
    ck_assert_uint_eq(seg.opt.wscale, 14);
    ck_assert_uint_eq(seg.opt.sack_blocks, 0);

    /* EOL instead of the NOP: the window scale after it is no option. */
    l[16] = 0;
    ck_assert_int_eq(decode_opts(l, sizeof l, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TIMESTAMP);
    l[16] = 1;
    /* Window scale of length 4: malformed, and the list ends there. */
    l[18] = 4;
    ck_assert_int_eq(decode_opts(l, sizeof l, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TIMESTAMP | WST_OPT_MALFORMED);
    l[18] = 3;
    /* Timestamps of length 8 (two NOPs would follow...): malformed. */
    l[7] = 8;
    ck_assert_int_eq(decode_opts(l, sizeof l, &seg), WST_DECODE_TCP);
    ck_assert(seg.opt.present & WST_OPT_MALFORMED);
    ck_assert_uint_eq(seg.opt.present & WST_OPT_TIMESTAMP, 0);
    l[7] = 10;
    /* The same 20 bytes cut by the snap length: walked as far as they go. */
    struct craft c;
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 1, 0, CRAFT_SYN, 64240, l, sizeof l, 0);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 20 + 20 + 19, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TIMESTAMP | WST_OPT_TRUNCATED);
}
END_TEST

/* A known kind with a wrong length: its bytes, and the bit it must not set. */
static const struct {
    uint8_t bytes[12];
    size_t len;
    uint8_t kind_bit;
} wrong_length[] = {
    {{2, 3, 0x05}, 3, WST_OPT_MSS},                                 /* MSS is 4 */
    {{2, 6, 0x05, 0xb4, 0, 0}, 6, WST_OPT_MSS},
    {{3, 4, 7, 0}, 4, WST_OPT_WSCALE},                              /* window scale is 3 */
    {{3, 2}, 2, WST_OPT_WSCALE},
    {{4, 3, 0}, 3, WST_OPT_SACK_PERM},                              /* SACK-permitted is 2 */
    {{5, 7, 0, 0, 0, 1, 0, 0, 0}, 7, WST_OPT_SACK},                 /* SACK is 2 + 8n */
    {{5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0}, 11, WST_OPT_SACK},
    {{8, 8, 0, 0, 0, 1, 0, 0}, 8, WST_OPT_TIMESTAMP},               /* timestamps is 10 */
    {{8, 12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}, 12, WST_OPT_TIMESTAMP},
};

START_TEST(test_decode_options_wrong_length_skipped)
{
    struct craft_opts o;
    struct wst_segment seg;
    bool is_ts = wrong_length[_i].kind_bit == WST_OPT_TIMESTAMP;

    /* The malformed option is skipped by its own length, so the option after
     * it is still parsed: timestamps, or an MSS after a bad timestamp. */
    craft_opts_init(&o);
    craft_opt_raw(&o, wrong_length[_i].bytes, wrong_length[_i].len);
    if (is_ts)
        craft_opt_mss(&o, 1400);
    else
        craft_opt_timestamp(&o, 123456, 654321);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present & wrong_length[_i].kind_bit, 0);
    ck_assert(seg.opt.present & WST_OPT_MALFORMED);
    if (is_ts) {
        ck_assert_uint_eq(seg.opt.present, WST_OPT_MALFORMED | WST_OPT_MSS);
        ck_assert_uint_eq(seg.opt.mss, 1400);
    } else {
        ck_assert_uint_eq(seg.opt.present, WST_OPT_MALFORMED | WST_OPT_TIMESTAMP);
        ck_assert_uint_eq(seg.opt.ts_val, 123456);
        ck_assert_uint_eq(seg.opt.ts_ecr, 654321);
    }
    ck_assert_uint_eq(seg.opt.sack_blocks, 0);
}
END_TEST

START_TEST(test_decode_options_unknown_skipped)
{
    struct craft_opts o;
    struct wst_segment seg;

    /* MPTCP (30, len 4), TCP Fast Open cookie (34, len 6), experimental
     * (254, len 4), then timestamps. */
    craft_opts_init(&o);
    craft_opt_raw(&o, (const uint8_t[]){30, 4, 0x10, 0x01}, 4);
    craft_opt_raw(&o, (const uint8_t[]){34, 6, 1, 2, 3, 4}, 6);
    craft_opt_raw(&o, (const uint8_t[]){254, 4, 0xF9, 0x89}, 4);
    craft_opt_timestamp(&o, 77, 88);
    ck_assert_int_eq(decode_opts(o.b, o.len, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_TIMESTAMP);
    ck_assert_uint_eq(seg.opt.ts_val, 77);
    ck_assert_uint_eq(seg.opt.ts_ecr, 88);
}
END_TEST

START_TEST(test_decode_options_end_of_list)
{
    struct wst_segment seg;

    /* MSS, EOL; the window scale after EOL is not an option. */
    static const uint8_t eol[] = {2, 4, 0x05, 0xb4, 0, 3, 3, 7};
    ck_assert_int_eq(decode_opts(eol, sizeof eol, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS);
    ck_assert_uint_eq(seg.opt.mss, 1460);

    /* No options at all. */
    ck_assert_int_eq(decode_opts(NULL, 0, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, 0);
    ck_assert_uint_eq(seg.opt.sack_blocks, 0);

    /* Only NOPs. */
    static const uint8_t nops[] = {1, 1, 1, 1};
    ck_assert_int_eq(decode_opts(nops, sizeof nops, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, 0);
}
END_TEST

START_TEST(test_decode_options_malformed_stops)
{
    struct wst_segment seg;

    /* Length 1 (the malformed.pcap case): flagged, nothing after it parsed. */
    static const uint8_t len1[] = {1, 1, 8, 1, 3, 3, 7, 0};
    ck_assert_int_eq(decode_opts(len1, sizeof len1, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MALFORMED);

    /* Length 0 would loop forever if it were taken as a skip. */
    static const uint8_t len0[] = {2, 0, 3, 3, 7, 1, 1, 1};
    ck_assert_int_eq(decode_opts(len0, sizeof len0, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MALFORMED);

    /* An unknown kind with length 1 as well. */
    static const uint8_t unk1[] = {99, 1, 2, 4, 0x05, 0xb4, 1, 1};
    ck_assert_int_eq(decode_opts(unk1, sizeof unk1, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MALFORMED);

    /* The kind is the header's last byte: no room for its length byte. */
    static const uint8_t nolen[] = {3, 3, 7, 2};
    ck_assert_int_eq(decode_opts(nolen, sizeof nolen, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_WSCALE | WST_OPT_MALFORMED);
    ck_assert_uint_eq(seg.opt.wscale, 7);

    /* Timestamps of length 10 with only 4 bytes of header left. */
    static const uint8_t past[] = {2, 4, 0x05, 0xb4, 8, 10, 0, 0};
    ck_assert_int_eq(decode_opts(past, sizeof past, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_MALFORMED);
    ck_assert_uint_eq(seg.opt.mss, 1460);

    /* An unknown kind whose length runs past the header. */
    static const uint8_t unk_past[] = {1, 1, 99, 40};
    ck_assert_int_eq(decode_opts(unk_past, sizeof unk_past, &seg), WST_DECODE_TCP);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MALFORMED);
}
END_TEST

START_TEST(test_decode_options_cut_by_snaplen)
{
    struct craft c;
    struct wst_segment seg;
    const size_t th = 14 + 20;

    /* A SYN with a 40-byte header: MSS, SACK-permitted, 11 NOPs, window
     * scale. decode.h: the fixed header is enough for TCP; options cut by
     * the snap length are parsed as far as they go and flagged. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 1, 2, 3, 0, CRAFT_SYN, 5,
              (const uint8_t[]){2, 4, 5, 0xb4, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 7}, 20, 0);
    craft_finish(&c);

    /* 10 option bytes: MSS, SACK-permitted, four NOPs. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 30, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TRUNCATED);
    ck_assert_uint_eq(seg.opt.mss, 1460);
    ck_assert_uint_eq(seg.seq, 3);
    ck_assert_uint_eq(seg.flags, WST_TH_SYN);
    ck_assert_uint_eq(seg.payload_len, 0);
    ck_assert_ptr_null(seg.payload);

    /* 19 bytes: the window scale option lost its value byte; cut, not malformed. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 39, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TRUNCATED);

    /* 2 bytes: the MSS option cut after its length byte. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 22, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_TRUNCATED);

    /* Only the fixed header. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 20, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_TRUNCATED);

    /* All of it. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 40, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_WSCALE);
    ck_assert_uint_eq(seg.opt.wscale, 7);

    /* A malformed option inside the captured part is still malformed. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 1, 2, 3, 0, CRAFT_SYN, 5, (const uint8_t[]){1, 1, 8, 1, 2, 4, 5, 0xb4}, 8, 0);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 26, c.len, WST_DECODE_TCP, &seg);
    ck_assert(seg.opt.present & WST_OPT_MALFORMED);
    ck_assert_uint_eq(seg.opt.present & WST_OPT_MSS, 0);
}
END_TEST

/*
 * A later segment (ACK) with timestamps and SACK blocks: the decoder only
 * records where its options are; wst_decode_tcp_options() reads them, as
 * far as the snap length lets it.
 */
START_TEST(test_decode_options_later_segment)
{
    static const uint32_t blocks[2][2] = {{5000, 6000}, {7000, 8000}};
    struct craft_opts o;
    craft_opts_init(&o);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_timestamp(&o, 0xAABBCCDD, 0x11223344);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_sack(&o, blocks, 2);
    ck_assert_uint_eq(o.len, 32);
    struct craft c;
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40001, 8080, 9, 10, CRAFT_ACK, 100, o.b, o.len, 3);
    craft_finish(&c);
    const size_t th = 14 + 40;

    struct wst_segment seg;
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.opt.present, 0);
    ck_assert_uint_eq(seg.opt_off, th + 20);
    ck_assert_uint_eq(seg.opt_len, 32);
    ck_assert_uint_eq(seg.opt_caplen, 32);
    ck_assert_uint_eq(last_options.present, WST_OPT_TIMESTAMP | WST_OPT_SACK);
    ck_assert_uint_eq(last_options.ts_val, 0xAABBCCDD);
    ck_assert_uint_eq(last_options.ts_ecr, 0x11223344);
    ck_assert_uint_eq(last_options.sack_blocks, 2);
    ck_assert_uint_eq(last_options.sack[1][0], 7000);
    ck_assert_uint_eq(last_options.sack[1][1], 8000);
    ck_assert_uint_eq(seg.payload_len, 3);

    /* Cut after the timestamps and one SACK edge: the decoder flags the
     * cut, and the parser gets the timestamps but no SACK blocks. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 20 + 16, c.len, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.opt.present, WST_OPT_TRUNCATED);
    ck_assert_uint_eq(seg.opt_caplen, 16);
    ck_assert_uint_eq(last_options.present, WST_OPT_TIMESTAMP | WST_OPT_TRUNCATED);
    ck_assert_uint_eq(last_options.ts_val, 0xAABBCCDD);
    ck_assert_uint_eq(last_options.sack_blocks, 0);

    /* No options: nothing to parse. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.opt_len, 0);
    ck_assert_uint_eq(last_options.present, 0);
    ck_assert_uint_eq(last_options.sack_blocks, 0);
}
END_TEST

START_TEST(test_decode_options_bounded_by_header_not_caplen)
{
    struct craft c;
    struct wst_segment seg;

    /* The option list ends at the data offset; payload bytes that happen to
     * look like options are not parsed. Header 24 bytes (NOP x4), then a
     * payload starting with an MSS option's bytes. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    ip4(&c, CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 443, 1, 2, CRAFT_ACK, 100, (const uint8_t[]){1, 1, 1, 1}, 4, 0);
    craft_bytes(&c, (const uint8_t[]){2, 4, 0x05, 0xb4}, 4);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.opt.present, 0);
    ck_assert_uint_eq(seg.payload_len, 4);
    ck_assert_ptr_eq(seg.payload, c.buf + 14 + 20 + 24);
}
END_TEST

/* ================================================================ malformed */

START_TEST(test_decode_malformed_ethernet)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 0, 64, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 13, 64, WST_DECODE_TRUNCATED_LINK, &seg);
    /* 14 bytes: the link header is complete, the IPv4 header is not there. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14, 64, WST_DECODE_TRUNCATED_IP, &seg);
}
END_TEST

START_TEST(test_decode_malformed_vlan)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_QINQ);
    craft_vlan(&c, 10, CRAFT_ETH_VLAN);
    craft_vlan(&c, 20, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    for (size_t cut = 14; cut < 18; cut++)
        EXPECT_CUT(WST_LINK_ETHERNET, &c, cut, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    /* The inner tag cut. */
    for (size_t cut = 18; cut < 22; cut++)
        EXPECT_CUT(WST_LINK_ETHERNET, &c, cut, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 22, c.len, WST_DECODE_TRUNCATED_IP, &seg);
}
END_TEST

START_TEST(test_decode_malformed_too_deep)
{
    struct craft c;
    struct wst_segment seg;

    /* Seventeen VLAN tags. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    for (int i = 1; i <= 17; i++)
        craft_vlan(&c, (uint16_t)i, i < 17 ? CRAFT_ETH_VLAN : CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TOO_DEEP, &seg);

    /* A hundred tags, as a loop of E-Tags would look to a careless decoder. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_ETAG);
    for (int i = 0; i < 100; i++)
        craft_etag(&c, CRAFT_ETH_ETAG);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TOO_DEEP, &seg);

    /* Pseudowires nested in pseudowires. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    for (int i = 0; i < 40; i++) {
        craft_mpls(&c, 100, true);
        craft_pw_control_word(&c);
        craft_eth(&c, CRAFT_ETH_MPLS);
    }
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TOO_DEEP, &seg);

    /* Seventeen IPv6 destination options headers. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_DSTOPTS);
    for (int i = 0; i < 17; i++)
        craft_ipv6_ext(&c, CRAFT_IP_DSTOPTS, i < 16 ? CRAFT_IP_DSTOPTS : CRAFT_IP_TCP, 8);
    seg6(&c);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TOO_DEEP, &seg);
}
END_TEST

START_TEST(test_decode_malformed_mpls)
{
    struct craft c;
    struct wst_segment seg;

    /* The label entry cut. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    craft_mpls(&c, 16001, false);
    craft_mpls(&c, 16002, true);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 2, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    /* The stack ends before its bottom entry. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 4, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    /* Bottom of stack, then no byte. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 8, c.len, WST_DECODE_TRUNCATED_LINK, &seg);

    /* The same as a complete frame (pcaps/malformed.pcap). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    craft_mpls(&c, 16001, true);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_TRUNCATED_LINK, &seg);

    /* Payload nibbles other than 0, 4 and 6. */
    static const uint8_t nibbles[] = {0x15, 0x55, 0x7F, 0xF0};
    for (size_t i = 0; i < sizeof nibbles; i++) {
        craft_init(&c);
        craft_eth(&c, CRAFT_ETH_MPLS);
        craft_mpls(&c, 16001, true);
        craft_bytes(&c, &nibbles[i], 1);
        craft_pattern(&c, 40);
        craft_finish(&c);
        EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_UNSUPPORTED_ENCAP, &seg);
    }

    /* Pseudowire: control word cut, inner Ethernet header cut. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    craft_mpls(&c, 20001, true);
    craft_pw_control_word(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 18 + 2, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 18 + 4 + 13, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 18 + 4 + 14, c.len, WST_DECODE_TRUNCATED_IP, &seg);
}
END_TEST

START_TEST(test_decode_malformed_pppoe)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PPPOE);
    craft_pppoe(&c, CRAFT_PPP_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    for (size_t cut = 14; cut < 22; cut++)
        EXPECT_CUT(WST_LINK_ETHERNET, &c, cut, c.len, WST_DECODE_TRUNCATED_LINK, &seg);

    /* Version 2, type 2, and the discovery code PADI (0x09) in a session frame. */
    c.buf[14] = 0x21;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_LINK, &seg);
    c.buf[14] = 0x12;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_LINK, &seg);
    c.buf[14] = 0x11;
    c.buf[15] = 0x09;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_LINK, &seg);
    c.buf[15] = 0x00;
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
}
END_TEST

START_TEST(test_decode_malformed_tags)
{
    struct craft c;
    struct wst_segment seg;

    /* VN-Tag: 6 bytes after the ethertype. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VNTAG);
    craft_vntag(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    for (size_t cut = 14; cut < 20; cut++)
        EXPECT_CUT(WST_LINK_ETHERNET, &c, cut, c.len, WST_DECODE_TRUNCATED_LINK, &seg);

    /* E-Tag: 8 bytes after the ethertype. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_ETAG);
    craft_etag(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    for (size_t cut = 14; cut < 22; cut++)
        EXPECT_CUT(WST_LINK_ETHERNET, &c, cut, c.len, WST_DECODE_TRUNCATED_LINK, &seg);

    /* PBB: 4-byte I-Tag and 14-byte inner Ethernet header. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PBB);
    craft_pbb_itag(&c, 77, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    for (size_t cut = 14; cut < 32; cut++)
        EXPECT_CUT(WST_LINK_ETHERNET, &c, cut, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 32, c.len, WST_DECODE_TRUNCATED_IP, &seg);

    /* LLC/SNAP with the ethertype cut off. */
    craft_init(&c);
    craft_eth_8023(&c);
    craft_llc_snap(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 7, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
}
END_TEST

START_TEST(test_decode_malformed_cooked_and_loopback)
{
    struct craft c;
    struct wst_segment seg;

    craft_init(&c);
    craft_sll(&c, CRAFT_SLL_HOST, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_SLL, &c, 0, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_SLL, &c, 15, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_SLL, &c, 16, c.len, WST_DECODE_TRUNCATED_IP, &seg);

    craft_init(&c);
    craft_sll2(&c, CRAFT_SLL_HOST, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_SLL2, &c, 0, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_SLL2, &c, 19, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_SLL2, &c, 20, c.len, WST_DECODE_TRUNCATED_IP, &seg);

    craft_init(&c);
    craft_null(&c, 2, false);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_NULL_BSD, &c, 3, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_NULL_BSD, &c, 0, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_LOOP, &c, 3, c.len, WST_DECODE_TRUNCATED_LINK, &seg);
    EXPECT_CUT(WST_LINK_NULL_BSD, &c, 4, c.len, WST_DECODE_TRUNCATED_IP, &seg);
}
END_TEST

START_TEST(test_decode_malformed_ipv4)
{
    struct craft c;
    struct wst_segment seg;
    const size_t ip = 14;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);

    /* Fewer than 20 bytes: truncated, whatever the version says. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, ip + 19, c.len, WST_DECODE_TRUNCATED_IP, &seg);
    c.buf[ip] = 0x55;
    EXPECT_CUT(WST_LINK_ETHERNET, &c, ip + 10, c.len, WST_DECODE_TRUNCATED_IP, &seg);
    /* Version 5, and version 6 under the IPv4 ethertype. */
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_VERSION, &seg);
    c.buf[ip] = 0x65;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_VERSION, &seg);
    /* IHL 4 and 0. */
    c.buf[ip] = 0x44;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_HEADER_LEN, &seg);
    c.buf[ip] = 0x40;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_HEADER_LEN, &seg);
    /* IHL 6 with 22 header bytes captured. */
    c.buf[ip] = 0x46;
    EXPECT_CUT(WST_LINK_ETHERNET, &c, ip + 22, c.len, WST_DECODE_TRUNCATED_IP, &seg);
    c.buf[ip] = 0x45;
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);

    /* Total length below the header length. */
    craft_put16(&c, ip + 2, 16);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    craft_put16(&c, ip + 2, 19);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    /* Total length beyond the frame (50 = 64 - 14 is right). */
    craft_put16(&c, ip + 2, 51);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    craft_put16(&c, ip + 2, 1500);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    /* ...measured against the wire length, not the captured length. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, c.len, 14 + 1500, WST_DECODE_TCP, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, c.len, 14 + 1499, WST_DECODE_BAD_IP_LEN, &seg);

    /* The length checks come before the fragment check. */
    craft_put16(&c, ip + 6, 0x2000);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    c.buf[ip] = 0x44;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_HEADER_LEN, &seg);
}
END_TEST

START_TEST(test_decode_malformed_ipv6)
{
    struct craft c;
    struct wst_segment seg;
    const size_t ip = 14;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);

    EXPECT_CUT(WST_LINK_ETHERNET, &c, ip + 39, c.len, WST_DECODE_TRUNCATED_IP, &seg);
    /* Version 4 under the IPv6 ethertype. */
    c.buf[ip] = 0x45;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_VERSION, &seg);
    c.buf[ip] = 0x60;
    /* Payload length 27 is right (20 + 7); 28 runs past the frame. */
    craft_put16(&c, ip + 4, 28);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    craft_put16(&c, ip + 4, 1000);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
    /* ...but not when the wire length covers it. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, c.len, ip + 40 + 1000, WST_DECODE_TCP, &seg);
    ck_assert_uint_eq(seg.payload_len, 980);
    ck_assert_uint_eq(seg.payload_caplen, 7);

    /* Payload length 0 without a hop-by-hop header is not a jumbogram: TCP
     * then has no room for its header. */
    craft_put16(&c, ip + 4, 0);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
}
END_TEST

START_TEST(test_decode_malformed_ipv6_jumbogram)
{
    struct craft c;
    struct wst_segment seg;

    /* Payload length 0 with a hop-by-hop header that has no Jumbo option. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_HOPOPTS, CRAFT_IP_TCP, 8);
    seg6(&c);
    craft_finish(&c);
    craft_put16(&c, 14 + 4, 0);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IP_LEN, &seg);
}
END_TEST

START_TEST(test_decode_malformed_ipv6_extensions)
{
    struct craft c;
    struct wst_segment seg;
    const size_t ext = 14 + 40;

    /* Hop-by-hop (8) + TCP (20) = payload 28; a length byte of 3 says 32. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_HOPOPTS, CRAFT_IP_TCP, 8);
    craft_tcp(&c, 40001, 8080, 1, 2, CRAFT_ACK, 100, NULL, 0, 0);
    craft_finish(&c);
    c.buf[ext + 1] = 3;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IPV6_EXT, &seg);
    /* Past the payload even though the wire length would cover it. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, c.len, c.len + 100, WST_DECODE_BAD_IPV6_EXT, &seg);

    /* AH of 12 bytes + TCP 20 + 4 = payload 36; a length byte of 8 says
     * (8 + 2) * 4 = 40. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_AH);
    craft_ipv6_ext(&c, CRAFT_IP_AH, CRAFT_IP_TCP, 12);
    craft_tcp(&c, 40001, 8080, 1, 2, CRAFT_ACK, 100, NULL, 0, 4);
    craft_finish(&c);
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    c.buf[ext + 1] = 8;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IPV6_EXT, &seg);

    /* A payload of 4 bytes cannot hold an 8-byte fragment header. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_FRAGMENT);
    craft_bytes(&c, (const uint8_t[]){6, 0, 0, 0}, 4);
    craft_finish(&c);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_IPV6_EXT, &seg);

    /* Destination options of 16 bytes within the payload, captured to 10. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    ip6(&c, CRAFT_IP_DSTOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_DSTOPTS, CRAFT_IP_TCP, 16);
    seg6(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, ext + 10, c.len, WST_DECODE_TRUNCATED_IP, &seg);
    /* Captured to the very start of the extension header. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, ext, c.len, WST_DECODE_TRUNCATED_IP, &seg);
    /* Captured through it: the TCP header is what is missing. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, ext + 16, c.len, WST_DECODE_TRUNCATED_TCP, &seg);
}
END_TEST

START_TEST(test_decode_malformed_tcp)
{
    struct craft c;
    struct wst_segment seg;
    const size_t ip = 14, th = 14 + 20;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);

    /* IP payload of 12 bytes (total 32): no room for a TCP header, even
     * though the frame carries more bytes. */
    craft_put16(&c, ip + 2, 32);
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 5, c.len, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
    craft_put16(&c, ip + 2, 50);

    /* 19 TCP bytes captured. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 19, c.len, WST_DECODE_TRUNCATED_TCP, &seg);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th, c.len, WST_DECODE_TRUNCATED_TCP, &seg);

    /* Data offset 4, 0. */
    c.buf[th + 12] = 0x40;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
    c.buf[th + 12] = 0x00;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
    /* Data offset 8 (32 bytes) in a 30-byte IP payload. */
    c.buf[th + 12] = 0x80;
    EXPECT(WST_LINK_ETHERNET, &c, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
    /* Data offset 15 is over the IP payload: bad even when also cut. */
    c.buf[th + 12] = 0xF0;
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 24, c.len, WST_DECODE_BAD_TCP_HEADER_LEN, &seg);
    /* Data offset 7 in full: 28-byte header, 2 payload bytes. */
    c.buf[th + 12] = 0x70;
    EXPECT_TCP(WST_LINK_ETHERNET, &c, &seg);
    ck_assert_uint_eq(seg.payload_len, 2);
    ck_assert_ptr_eq(seg.payload, c.buf + th + 28);
}
END_TEST

START_TEST(test_decode_malformed_tcp_cut_keeps_ports)
{
    struct craft c;
    struct wst_segment seg;
    const size_t th = 14 + 4 + 20;

    /* Cut inside the fixed header after the ports: still truncated, but the
     * ports, addresses and VLAN are filled so the packet can be counted
     * against its connection (decode.h, has_ports). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    craft_vlan(&c, 77, CRAFT_ETH_IPV4);
    put_tcp4(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 12, c.len, WST_DECODE_TRUNCATED_TCP, &seg);
    ck_assert(seg.has_ports);
    ck_assert_uint_eq(seg.family, WST_AF_INET);
    ck_assert_mem_eq(seg.src.b, a4_bytes, 16);
    ck_assert_mem_eq(seg.dst.b, b4_bytes, 16);
    ck_assert_uint_eq(seg.vlan_count, 1);
    ck_assert_uint_eq(seg.vlan[0], 77);
    ck_assert_uint_eq(seg.sport, 40000);
    ck_assert_uint_eq(seg.dport, 443);
    /* Exactly the four port bytes. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 4, c.len, WST_DECODE_TRUNCATED_TCP, &seg);
    ck_assert(seg.has_ports);
    ck_assert_uint_eq(seg.sport, 40000);
    ck_assert_uint_eq(seg.dport, 443);
    /* One port byte short. */
    EXPECT_CUT(WST_LINK_ETHERNET, &c, th + 3, c.len, WST_DECODE_TRUNCATED_TCP, &seg);
    ck_assert(!seg.has_ports);

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    put_tcp6(&c);
    craft_finish(&c);
    EXPECT_CUT(WST_LINK_ETHERNET, &c, 14 + 40 + 10, c.len, WST_DECODE_TRUNCATED_TCP, &seg);
    ck_assert(seg.has_ports);
    ck_assert_uint_eq(seg.family, WST_AF_INET6);
    ck_assert_mem_eq(seg.src.b, a6_bytes, 16);
    ck_assert_mem_eq(seg.dst.b, b6_bytes, 16);
    ck_assert_uint_eq(seg.vlan_count, 0);
    ck_assert_uint_eq(seg.sport, 40001);
    ck_assert_uint_eq(seg.dport, 8080);
}
END_TEST

/* ================================================================ icmp errors */

/*
 * wst_decode_icmp_error(): an ICMP or ICMPv6 error back from a router R to
 * the sender of a TCP segment A -> B, quoting its start. The quoted segment
 * is always the SYN 40000 -> 443 with seq 0x01020304 (quoted4/quoted6),
 * so every test checks the same fields; quote lengths are written as sums
 * (20 IPv4 + 8 TCP bytes = the 64 bits RFC 792 asks for).
 */
#define R4 "203.0.113.254"
#define R6 "2001:db8:eeee::fe"

static const uint8_t r4_bytes[16] = {203, 0, 113, 254};
static const uint8_t r6_bytes[16] = {0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe};

/* The quoted datagram: IPv4 A4 -> B4 with opt_len bytes of NOP options, carrying proto (TCP: the SYN). */
static void quoted4(struct craft *q, size_t opt_len, uint8_t proto)
{
    uint8_t nops[40];
    memset(nops, 1, sizeof nops); /* RFC 791: option 1 is No Operation */
    craft_init(q);
    craft_ipv4(q, A4, B4, proto);
    if (opt_len)
        craft_ipv4_options(q, nops, opt_len);
    if (proto == CRAFT_IP_TCP)
        craft_tcp(q, 40000, 443, 0x01020304, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    else if (proto == CRAFT_IP_UDP)
        craft_udp(q, 40000, 443, 0);
    else
        craft_icmp_echo(q, 1, 1, 20);
    craft_finish(q);
}

/* The quoted datagram over IPv6 A6 -> B6: the SYN, or a UDP datagram. */
static void quoted6(struct craft *q, uint8_t next)
{
    craft_init(q);
    craft_ipv6(q, A6, B6, next);
    if (next == CRAFT_IP_TCP)
        craft_tcp(q, 40000, 443, 0x01020304, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    else
        craft_udp(q, 40000, 443, 0);
    craft_finish(q);
}

/* Ethernet, IPv4 R4 -> A4, ICMP type/code quoting the first quote_len bytes of q's IP packet. */
static void icmp4(struct craft *c, uint8_t type, uint8_t code, const struct craft *q, size_t quote_len)
{
    ck_assert_uint_le(quote_len, q->len - q->ip_off);
    craft_init(c);
    craft_eth(c, CRAFT_ETH_IPV4);
    craft_ipv4(c, R4, A4, CRAFT_IP_ICMP);
    craft_icmp_error(c, type, code, q->buf + q->ip_off, quote_len);
    craft_finish(c);
}

/* Ethernet, IPv6 R6 -> A6, ICMPv6 type/code quoting the first quote_len bytes of q's IP packet. */
static void icmp6(struct craft *c, uint8_t type, uint8_t code, const struct craft *q, size_t quote_len)
{
    ck_assert_uint_le(quote_len, q->len - q->ip_off);
    craft_init(c);
    craft_eth(c, CRAFT_ETH_IPV6);
    craft_ipv6(c, R6, A6, CRAFT_IP_ICMPV6);
    craft_icmp_error(c, type, code, q->buf + q->ip_off, quote_len);
    craft_finish(c);
}

/*
 * Decodes the first caplen bytes of frame c (wirelen on the wire) from an
 * exact-size heap copy, asserts wst_decode() called it `want`, and returns
 * what wst_decode_icmp_error() makes of it; *e is pre-filled with 0xA5.
 */
static bool icmp_error_cut(const struct craft *c, size_t caplen, size_t wirelen, enum wst_decode_status want,
                           struct wst_icmp_error *e)
{
    uint8_t *copy = malloc(caplen);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, c->buf, caplen);
    struct wst_segment seg;
    memset(&seg, 0xA5, sizeof seg);
    enum wst_decode_status st = wst_decode(WST_LINK_ETHERNET, copy, (uint32_t)caplen, (uint32_t)wirelen, &seg);
    ck_assert_msg(st == want, "decoded as %s, expected %s", status_name(st), status_name(want));
    memset(e, 0xA5, sizeof *e);
    bool ok = wst_decode_icmp_error(copy, (uint32_t)caplen, &seg, e);
    free(copy);
    return ok;
}

#define ICMP_ERROR(c, want, e) icmp_error_cut((c), (c)->len, (c)->len, (want), (e))

/* Asserts every field of an error about the quoted SYN 40000 -> 443, seq 0x01020304. */
static void check_error(const struct wst_icmp_error *e, bool v6, uint8_t type, uint8_t code)
{
    ck_assert_uint_eq(e->family, v6 ? WST_AF_INET6 : WST_AF_INET);
    ck_assert_uint_eq(e->type, type);
    ck_assert_uint_eq(e->code, code);
    ck_assert_mem_eq(e->reporter.b, v6 ? r6_bytes : r4_bytes, 16);
    ck_assert_mem_eq(e->src.b, v6 ? a6_bytes : a4_bytes, 16);
    ck_assert_mem_eq(e->dst.b, v6 ? b6_bytes : b4_bytes, 16);
    ck_assert_uint_eq(e->sport, 40000);
    ck_assert_uint_eq(e->dport, 443);
    ck_assert_uint_eq(e->seq, 0x01020304);
}

START_TEST(test_decode_icmp_error_ipv4_unreachable)
{
    /* Host unreachable, port unreachable, administratively prohibited:
     * quoting the whole 20 + 20 bytes of the SYN, as Linux does. */
    static const uint8_t codes[] = {1, 3, 13};
    struct craft q, c;
    struct wst_icmp_error e;
    quoted4(&q, 0, CRAFT_IP_TCP);
    for (size_t i = 0; i < sizeof codes; i++) {
        icmp4(&c, 3, codes[i], &q, 20 + 20);
        ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
        check_error(&e, false, 3, codes[i]);
    }
    /* Code 4, fragmentation needed, is path MTU discovery (RFC 1191), not a failure. */
    icmp4(&c, 3, 4, &q, 20 + 20);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
}
END_TEST

START_TEST(test_decode_icmp_error_ipv6_unreachable)
{
    /* No route, administratively prohibited, address unreachable, port
     * unreachable: quoting the whole 40 + 20 bytes (RFC 4443 §2.4 (c)). */
    static const uint8_t codes[] = {0, 1, 3, 4};
    struct craft q, c;
    struct wst_icmp_error e;
    quoted6(&q, CRAFT_IP_TCP);
    for (size_t i = 0; i < sizeof codes; i++) {
        icmp6(&c, 1, codes[i], &q, 40 + 20);
        ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));
        check_error(&e, true, 1, codes[i]);
    }
}
END_TEST

START_TEST(test_decode_icmp_error_quote_64_bits)
{
    /* RFC 792: the IP header and the first 64 bits of the datagram, which
     * hold the ports and the sequence number; nothing more is needed. */
    struct craft q, c;
    struct wst_icmp_error e;
    quoted4(&q, 0, CRAFT_IP_TCP);
    icmp4(&c, 3, 13, &q, 20 + 8);
    ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
    check_error(&e, false, 3, 13);

    quoted6(&q, CRAFT_IP_TCP);
    icmp6(&c, 1, 4, &q, 40 + 8);
    ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));
    check_error(&e, true, 1, 4);
}
END_TEST

START_TEST(test_decode_icmp_error_quote_short)
{
    struct craft q, c;
    struct wst_icmp_error e;
    /* Quotes shorter than the IP header plus 8 TCP bytes, down to none. */
    quoted4(&q, 0, CRAFT_IP_TCP);
    for (size_t n = 0; n < 20 + 8; n++) {
        icmp4(&c, 3, 1, &q, n);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "IPv4 quote of %zu bytes", n);
    }
    quoted6(&q, CRAFT_IP_TCP);
    for (size_t n = 0; n < 40 + 8; n++) {
        icmp6(&c, 1, 4, &q, n);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e), "IPv6 quote of %zu bytes", n);
    }

    /* A whole quote the snap length cut: every capture length from the
     * ICMP header's start (14 + 20, or 14 + 40) to one byte short of the
     * 64 bits; the wire length is the whole frame. */
    quoted4(&q, 0, CRAFT_IP_TCP);
    icmp4(&c, 3, 1, &q, 20 + 8);
    for (size_t cap = 14 + 20; cap < 14 + 20 + 8 + 20 + 8; cap++)
        ck_assert_msg(!icmp_error_cut(&c, cap, c.len, WST_DECODE_ICMP, &e), "IPv4 cut at %zu", cap);
    ck_assert(icmp_error_cut(&c, 14 + 20 + 8 + 20 + 8, c.len, WST_DECODE_ICMP, &e));
    quoted6(&q, CRAFT_IP_TCP);
    icmp6(&c, 1, 4, &q, 40 + 8);
    for (size_t cap = 14 + 40; cap < 14 + 40 + 8 + 40 + 8; cap++)
        ck_assert_msg(!icmp_error_cut(&c, cap, c.len, WST_DECODE_ICMPV6, &e), "IPv6 cut at %zu", cap);
    ck_assert(icmp_error_cut(&c, 14 + 40 + 8 + 40 + 8, c.len, WST_DECODE_ICMPV6, &e));
}
END_TEST

START_TEST(test_decode_icmp_error_quote_not_tcp)
{
    struct craft q, c;
    struct wst_icmp_error e;
    /* UDP and ICMP datagrams, quoted whole: nothing for the tracker. */
    static const uint8_t protos[] = {CRAFT_IP_UDP, CRAFT_IP_ICMP};
    for (size_t i = 0; i < sizeof protos; i++) {
        quoted4(&q, 0, protos[i]);
        icmp4(&c, 3, 3, &q, q.len - q.ip_off);
        ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
    }
    quoted6(&q, CRAFT_IP_UDP);
    icmp6(&c, 1, 4, &q, q.len - q.ip_off);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));

    /* TCP behind an IPv6 extension header is not walked (decode.h). */
    craft_init(&q);
    craft_ipv6(&q, A6, B6, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&q, CRAFT_IP_HOPOPTS, CRAFT_IP_TCP, 8);
    craft_tcp(&q, 40000, 443, 0x01020304, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    craft_finish(&q);
    icmp6(&c, 1, 4, &q, q.len - q.ip_off);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));

    /* An IPv6 datagram quoted in an ICMPv4 error, and the reverse. */
    quoted6(&q, CRAFT_IP_TCP);
    icmp4(&c, 3, 1, &q, 40 + 8);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
    quoted4(&q, 0, CRAFT_IP_TCP);
    icmp6(&c, 1, 4, &q, 20 + 20);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));
}
END_TEST

START_TEST(test_decode_icmp_error_quote_ip_options)
{
    /* IHL 6 to 15: the TCP bytes start after the options. */
    struct craft q, c;
    struct wst_icmp_error e;
    for (size_t opt = 4; opt <= 40; opt += 4) {
        quoted4(&q, opt, CRAFT_IP_TCP);
        icmp4(&c, 3, 13, &q, 20 + opt + 8);
        ck_assert_msg(ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "%zu bytes of options", opt);
        check_error(&e, false, 3, 13);
        /* One byte short of the 64 bits past the options. */
        icmp4(&c, 3, 13, &q, 20 + opt + 7);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "%zu bytes of options, cut", opt);
    }
    /* An IHL below 5 is no IPv4 header. */
    quoted4(&q, 0, CRAFT_IP_TCP);
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        q.buf[q.ip_off] = (uint8_t)(0x40 | ihl);
        icmp4(&c, 3, 13, &q, 20 + 20);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "IHL %u", ihl);
    }
}
END_TEST

START_TEST(test_decode_icmp_error_quoted_fragment)
{
    /* The first fragment of a SYN (MF set, offset 0) still starts with the
     * TCP header, and an error about it is about the SYN. */
    struct craft q, c;
    struct wst_icmp_error e;
    quoted4(&q, 0, CRAFT_IP_TCP);
    craft_ipv4_fragment(&q, 0, true);
    icmp4(&c, 3, 1, &q, 20 + 8);
    ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
    check_error(&e, false, 3, 1);
    /* A later fragment (offset 8, 1480, the largest 65528; last or not)
     * starts in the middle of the segment's bytes: what follows its header
     * is no TCP header, and no stack sends an error about it anyway (RFC
     * 1122 §3.2.2). */
    static const uint16_t offsets[] = {8, 1480, 65528};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        for (int more = 0; more < 2; more++) {
            quoted4(&q, 0, CRAFT_IP_TCP);
            craft_ipv4_fragment(&q, offsets[i], more);
            icmp4(&c, 3, 1, &q, 20 + 8);
            ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "fragment at %u, MF %d", offsets[i], more);
        }
    }
}
END_TEST

START_TEST(test_decode_icmp_error_other_types)
{
    /* Echo reply, source quench, redirect, echo request, time exceeded,
     * parameter problem, timestamp; each quoting the SYN as an error would. */
    static const uint8_t types4[] = {0, 4, 5, 8, 11, 12, 13};
    /* Packet too big, time exceeded, parameter problem, echo request and reply. */
    static const uint8_t types6[] = {2, 3, 4, 128, 129};
    struct craft q, c;
    struct wst_icmp_error e;
    quoted4(&q, 0, CRAFT_IP_TCP);
    for (size_t i = 0; i < sizeof types4; i++) {
        icmp4(&c, types4[i], 0, &q, 20 + 20);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "ICMP type %u", types4[i]);
    }
    quoted6(&q, CRAFT_IP_TCP);
    for (size_t i = 0; i < sizeof types6; i++) {
        icmp6(&c, types6[i], 0, &q, 40 + 20);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e), "ICMPv6 type %u", types6[i]);
    }
}
END_TEST

START_TEST(test_decode_icmp_error_garbage_lengths)
{
    struct craft q, c;
    struct wst_icmp_error e;
    quoted4(&q, 0, CRAFT_IP_TCP);

    /* The quoted header's own total length is not the quote's: a router
     * quotes the start of a longer datagram. 0 and 65535 change nothing. */
    static const uint16_t totals[] = {0, 1, 65535};
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
        struct craft g = q;
        craft_put16(&g, g.ip_off + 2, totals[i]);
        icmp4(&c, 3, 1, &g, 20 + 8);
        ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
        check_error(&e, false, 3, 1);
    }

    /* The message ends where the outer IP length says, not where the
     * frame does: 4 bytes of quoted TCP in the datagram, the other 4 as
     * Ethernet padding after it, are not 64 bits. */
    icmp4(&c, 3, 1, &q, 20 + 4);
    craft_bytes(&c, q.buf + q.ip_off + 20 + 4, 4);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e));
    quoted6(&q, CRAFT_IP_TCP);
    icmp6(&c, 1, 4, &q, 40 + 4);
    craft_bytes(&c, q.buf + q.ip_off + 40 + 4, 4);
    ck_assert(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));
    /* Padding after a complete message changes nothing. */
    icmp6(&c, 1, 4, &q, 40 + 8);
    craft_bytes(&c, NULL, 16);
    ck_assert(ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e));
    check_error(&e, true, 1, 4);

    /* Messages shorter than the ICMP header itself: the outer length cut
     * to 0..7 bytes of ICMP, the frame still holding all of it. */
    quoted4(&q, 0, CRAFT_IP_TCP);
    for (uint16_t n = 0; n < 8; n++) {
        icmp4(&c, 3, 1, &q, 20 + 8);
        craft_put16(&c, 14 + 2, (uint16_t)(20 + n));
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMP, &e), "%u bytes of ICMP", n);
    }
    quoted6(&q, CRAFT_IP_TCP);
    for (uint16_t n = 0; n < 8; n++) {
        icmp6(&c, 1, 4, &q, 40 + 8);
        craft_put16(&c, 14 + 4, n);
        ck_assert_msg(!ICMP_ERROR(&c, WST_DECODE_ICMPV6, &e), "%u bytes of ICMPv6", n);
    }
}
END_TEST

/* ================================================================ classes */

static bool is_snake_case(const char *s)
{
    if (!islower((unsigned char)s[0]))
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return false;
        if (p[0] == '_' && (p[1] == '_' || p[1] == '\0'))
            return false;
    }
    return true;
}

START_TEST(test_decode_classes_names)
{
    for (int st = 0; st < WST_DECODE__COUNT; st++) {
        const char *name = wst_decode_status_name((enum wst_decode_status)st);
        ck_assert_ptr_nonnull(name);
        ck_assert_msg(is_snake_case(name), "status %d name \"%s\" is not snake_case", st, name);
        for (int other = 0; other < st; other++)
            ck_assert_str_ne(name, wst_decode_status_name((enum wst_decode_status)other));

        enum wst_decode_class cls = wst_decode_status_class((enum wst_decode_status)st);
        ck_assert_msg(cls >= WST_DC_TCP && cls < WST_DC__COUNT, "status %s has no class", name);
    }
    for (int cls = WST_DC_TCP; cls < WST_DC__COUNT; cls++) {
        const char *name = wst_decode_class_name((enum wst_decode_class)cls);
        ck_assert_ptr_nonnull(name);
        ck_assert(is_snake_case(name));
        for (int other = WST_DC_TCP; other < cls; other++)
            ck_assert_str_ne(name, wst_decode_class_name((enum wst_decode_class)other));
    }
}
END_TEST

START_TEST(test_decode_classes_stable)
{
    /* The names are output schema: pin every one and its class. */
    static const struct {
        enum wst_decode_status st;
        const char *name;
        enum wst_decode_class cls;
    } want[] = {
        {WST_DECODE_TCP, "tcp", WST_DC_TCP},
        {WST_DECODE_NON_IP, "non_ip", WST_DC_OTHER},
        {WST_DECODE_UDP, "udp", WST_DC_OTHER},
        {WST_DECODE_ICMP, "icmp", WST_DC_OTHER},
        {WST_DECODE_ICMPV6, "icmpv6", WST_DC_OTHER},
        {WST_DECODE_IP_OTHER, "other_ip_protocol", WST_DC_OTHER},
        {WST_DECODE_FRAGMENT, "ip_fragment", WST_DC_NOT_DECODED},
        {WST_DECODE_TUNNEL, "tunnel", WST_DC_NOT_DECODED},
        {WST_DECODE_UNSUPPORTED_LINK, "unsupported_link_type", WST_DC_NOT_DECODED},
        {WST_DECODE_UNSUPPORTED_ENCAP, "unsupported_encapsulation", WST_DC_NOT_DECODED},
        {WST_DECODE_TRUNCATED_LINK, "truncated_link_header", WST_DC_MALFORMED},
        {WST_DECODE_TRUNCATED_IP, "truncated_ip_header", WST_DC_MALFORMED},
        {WST_DECODE_TRUNCATED_TCP, "truncated_tcp_header", WST_DC_MALFORMED},
        {WST_DECODE_BAD_LINK, "bad_link_header", WST_DC_MALFORMED},
        {WST_DECODE_TOO_DEEP, "encapsulation_too_deep", WST_DC_MALFORMED},
        {WST_DECODE_BAD_IP_VERSION, "bad_ip_version", WST_DC_MALFORMED},
        {WST_DECODE_BAD_IP_HEADER_LEN, "bad_ip_header_length", WST_DC_MALFORMED},
        {WST_DECODE_BAD_IP_LEN, "bad_ip_length", WST_DC_MALFORMED},
        {WST_DECODE_BAD_IPV6_EXT, "bad_ipv6_extension_header", WST_DC_MALFORMED},
        {WST_DECODE_BAD_TCP_HEADER_LEN, "bad_tcp_header_length", WST_DC_MALFORMED},
    };
    ck_assert_int_eq(sizeof want / sizeof want[0], WST_DECODE__COUNT);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_str_eq(wst_decode_status_name(want[i].st), want[i].name);
        ck_assert_int_eq(wst_decode_status_class(want[i].st), want[i].cls);
    }
    ck_assert_str_eq(wst_decode_class_name(WST_DC_TCP), "tcp");
    ck_assert_str_eq(wst_decode_class_name(WST_DC_OTHER), "other");
    ck_assert_str_eq(wst_decode_class_name(WST_DC_NOT_DECODED), "not_decoded");
    ck_assert_str_eq(wst_decode_class_name(WST_DC_MALFORMED), "malformed");
}
END_TEST

/* ================================================================ mutation */

/* Valid seed frames, each for one link type. */
static void seed_eth_v4_syn(struct craft *c)
{
    struct craft_opts o;
    craft_opts_init(&o);
    craft_opt_mss(&o, 1460);
    craft_opt_sack_perm(&o);
    craft_opt_timestamp(&o, 1, 0);
    craft_opt_nop(&o);
    craft_opt_wscale(&o, 7);
    craft_eth(c, CRAFT_ETH_IPV4);
    ip4(c, CRAFT_IP_TCP);
    craft_tcp(c, 40000, 443, 1, 0, CRAFT_SYN, 64240, o.b, o.len, 0);
}

static void seed_eth_v6_ext_sack(struct craft *c)
{
    static const uint32_t blocks[3][2] = {{1, 2}, {3, 4}, {5, 6}};
    struct craft_opts o;
    craft_opts_init(&o);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_timestamp(&o, 1, 2);
    craft_opt_nop(&o);
    craft_opt_nop(&o);
    craft_opt_sack(&o, blocks, 3);
    craft_eth(c, CRAFT_ETH_IPV6);
    ip6(c, CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(c, CRAFT_IP_HOPOPTS, CRAFT_IP_DSTOPTS, 8);
    craft_ipv6_ext(c, CRAFT_IP_DSTOPTS, CRAFT_IP_FRAGMENT, 16);
    craft_ipv6_frag(c, CRAFT_IP_AH, 0, false, 9);
    craft_ipv6_ext(c, CRAFT_IP_AH, CRAFT_IP_TCP, 16);
    craft_tcp(c, 40001, 80, 5, 6, CRAFT_ACK, 100, o.b, o.len, 30);
}

static void seed_eth_qinq_mpls(struct craft *c)
{
    craft_eth(c, CRAFT_ETH_QINQ);
    craft_vlan(c, 10, CRAFT_ETH_VLAN);
    craft_vlan(c, 20, CRAFT_ETH_MPLS);
    craft_mpls(c, 1, false);
    craft_mpls(c, 2, true);
    put_tcp4(c);
}

static void seed_eth_pw(struct craft *c)
{
    craft_eth(c, CRAFT_ETH_MPLS);
    craft_mpls(c, 3, true);
    craft_pw_control_word(c);
    craft_eth(c, CRAFT_ETH_PPPOE);
    craft_pppoe(c, CRAFT_PPP_IPV6);
    put_tcp6(c);
}

static void seed_eth_tags(struct craft *c)
{
    craft_eth(c, CRAFT_ETH_VNTAG);
    craft_vntag(c, CRAFT_ETH_ETAG);
    craft_etag(c, CRAFT_ETH_PBB);
    craft_pbb_itag(c, 5, CRAFT_ETH_VLAN);
    craft_vlan(c, 6, CRAFT_ETH_IPV4);
    put_tcp4(c);
}

static void seed_eth_snap_ipopts(struct craft *c)
{
    craft_eth_8023(c);
    craft_llc_snap(c, CRAFT_ETH_IPV4);
    ip4(c, CRAFT_IP_TCP);
    craft_ipv4_options(c, (const uint8_t[]){0x94, 4, 0, 0, 1, 1, 1, 0}, 8);
    seg4(c);
}

static void seed_eth_jumbo(struct craft *c)
{
    craft_eth(c, CRAFT_ETH_IPV6);
    ip6(c, CRAFT_IP_HOPOPTS);
    craft_ipv6_jumbo(c, CRAFT_IP_TCP);
    seg6(c);
}

static void seed_eth_vxlan(struct craft *c)
{
    craft_eth(c, CRAFT_ETH_IPV4);
    ip4(c, CRAFT_IP_UDP);
    craft_udp_header(c, 50000, 4789);
    craft_vxlan(c, 7);
    craft_eth(c, CRAFT_ETH_IPV4);
    put_tcp4(c);
}

static void seed_sll_v4(struct craft *c)
{
    craft_sll(c, CRAFT_SLL_HOST, CRAFT_ETH_VLAN);
    craft_vlan(c, 9, CRAFT_ETH_IPV4);
    put_tcp4(c);
}

static void seed_sll_v6(struct craft *c)
{
    craft_sll(c, CRAFT_SLL_OUTGOING, CRAFT_ETH_IPV6);
    put_tcp6(c);
}

static void seed_sll2_v4(struct craft *c)
{
    craft_sll2(c, CRAFT_SLL_HOST, CRAFT_ETH_IPV4);
    put_tcp4(c);
}

static void seed_sll2_v6(struct craft *c)
{
    craft_sll2(c, CRAFT_SLL_HOST, CRAFT_ETH_MPLS);
    craft_mpls(c, 4, true);
    put_tcp6(c);
}

static void seed_null_le_v4(struct craft *c)
{
    craft_null(c, 2, false);
    put_tcp4(c);
}

static void seed_null_be_v6(struct craft *c)
{
    craft_null(c, 30, true);
    put_tcp6(c);
}

static void seed_loop_v4(struct craft *c)
{
    craft_null(c, 2, true);
    put_tcp4(c);
}

static void seed_loop_v6(struct craft *c)
{
    craft_null(c, 24, true);
    put_tcp6(c);
}

static void seed_raw_v4(struct craft *c)
{
    put_tcp4(c);
}

static void seed_raw_v6(struct craft *c)
{
    ip6(c, CRAFT_IP_ROUTING);
    craft_ipv6_ext(c, CRAFT_IP_ROUTING, CRAFT_IP_TCP, 24);
    seg6(c);
}

static const struct {
    enum wst_link link;
    void (*build)(struct craft *c);
    enum wst_decode_status status; /* of the unmutated seed */
} seeds[] = {
    {WST_LINK_ETHERNET, seed_eth_v4_syn, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_v6_ext_sack, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_qinq_mpls, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_pw, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_tags, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_snap_ipopts, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_jumbo, WST_DECODE_TCP},
    {WST_LINK_ETHERNET, seed_eth_vxlan, WST_DECODE_TUNNEL},
    {WST_LINK_SLL, seed_sll_v4, WST_DECODE_TCP},
    {WST_LINK_SLL, seed_sll_v6, WST_DECODE_TCP},
    {WST_LINK_SLL2, seed_sll2_v4, WST_DECODE_TCP},
    {WST_LINK_SLL2, seed_sll2_v6, WST_DECODE_TCP},
    {WST_LINK_NULL_BSD, seed_null_le_v4, WST_DECODE_TCP},
    {WST_LINK_NULL_BSD, seed_null_be_v6, WST_DECODE_TCP},
    {WST_LINK_LOOP, seed_loop_v4, WST_DECODE_TCP},
    {WST_LINK_LOOP, seed_loop_v6, WST_DECODE_TCP},
    {WST_LINK_RAW, seed_raw_v4, WST_DECODE_TCP},
    {WST_LINK_RAW, seed_raw_v6, WST_DECODE_TCP},
    {WST_LINK_IPV4, seed_raw_v4, WST_DECODE_TCP},
    {WST_LINK_IPV6, seed_raw_v6, WST_DECODE_TCP},
};
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

/* 8 link types x 25000 = 200000 mutated frames. */
#define MUTATIONS_PER_LINK 25000

/* xorshift64* (Vigna): a small generator with a fixed seed, so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)((rng_next(s) >> 32) % n);
}

/* Byte and 16-bit values that steer a decoder into its branches. */
static const uint8_t interesting8[] = {0x00, 0x01, 0x02, 0x05, 0x06, 0x08, 0x0F, 0x11, 0x2C, 0x33,
                                       0x3B, 0x3C, 0x40, 0x45, 0x4F, 0x60, 0x80, 0xC2, 0xF0, 0xFF};
static const uint16_t interesting16[] = {0x0000, 0x0001, 0x0014, 0x05DC, 0x05DD, 0x0800, 0x86DD,
                                         0x8100, 0x88A8, 0x9100, 0x8847, 0x8864, 0x8926, 0x893F,
                                         0x88E7, 0xAAAA, 0x12B5, 0x17C1, 0xFFFF, 0x7FFF};

START_TEST(test_decode_mutation)
{
    enum wst_link link = (enum wst_link)_i;
    size_t idx[N_SEEDS], nidx = 0;
    struct craft seed[N_SEEDS];
    uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(_i + 1);
    uint8_t frame[CRAFT_MAX_FRAME];

    for (size_t i = 0; i < N_SEEDS; i++) {
        if (seeds[i].link != link)
            continue;
        craft_init(&seed[nidx]);
        seeds[i].build(&seed[nidx]);
        craft_finish(&seed[nidx]);
        struct wst_segment check;
        ck_assert_int_eq(decode_copy(link, seed[nidx].buf, seed[nidx].len, seed[nidx].len, &check),
                         seeds[i].status);
        idx[nidx++] = i;
    }
    ck_assert_uint_gt(nidx, 0);

    for (uint32_t n = 0; n < MUTATIONS_PER_LINK; n++) {
        uint32_t pick = rng_below(&rng, (uint32_t)nidx);
        const struct craft *s = &seed[pick];
        size_t len = s->len;
        memcpy(frame, s->buf, len);

        uint32_t edits = 1 + rng_below(&rng, 4);
        for (uint32_t e = 0; e < edits; e++) {
            size_t at = rng_below(&rng, (uint32_t)len);
            switch (rng_below(&rng, 4)) {
            case 0:
                frame[at] ^= (uint8_t)(1u << rng_below(&rng, 8));
                break;
            case 1:
                frame[at] = (uint8_t)rng_next(&rng);
                break;
            case 2:
                frame[at] = interesting8[rng_below(&rng, sizeof interesting8)];
                break;
            default: {
                uint16_t v = interesting16[rng_below(&rng, sizeof interesting16 / 2)];
                if (at + 1 < len) {
                    frame[at] = (uint8_t)(v >> 8);
                    frame[at + 1] = (uint8_t)v;
                }
                break;
            }
            }
        }

        /* Cut the capture half the time; the wire length stays >= caplen. */
        size_t caplen = rng_below(&rng, 2) ? len : rng_below(&rng, (uint32_t)len + 1);
        size_t wirelen;
        switch (rng_below(&rng, 3)) {
        case 0:
            wirelen = caplen;
            break;
        case 1:
            wirelen = len;
            break;
        default:
            wirelen = caplen + rng_below(&rng, 100000);
            break;
        }

        uint8_t *copy = malloc(caplen);
        if (caplen > 0)
            memcpy(copy, frame, caplen);
        struct wst_segment seg;
        enum wst_decode_status st = wst_decode(link, copy, (uint32_t)caplen, (uint32_t)wirelen, &seg);
        if ((unsigned)st >= WST_DECODE__COUNT)
            ck_abort_msg("mutation %u of seed %zu: status %d out of range", n, idx[pick], (int)st);
        if (st == WST_DECODE_TCP) {
            if (seg.payload_caplen > seg.payload_len)
                ck_abort_msg("mutation %u of seed %zu: payload_caplen %u > payload_len %u", n,
                             idx[pick], seg.payload_caplen, seg.payload_len);
            if (seg.payload_caplen == 0 ? seg.payload != NULL
                                        : (seg.payload < copy ||
                                           seg.payload + seg.payload_caplen > copy + caplen))
                ck_abort_msg("mutation %u of seed %zu: payload outside the frame", n, idx[pick]);
            if (seg.opt.sack_blocks > WST_MAX_SACK_BLOCKS)
                ck_abort_msg("mutation %u of seed %zu: %u SACK blocks", n, idx[pick],
                             seg.opt.sack_blocks);
            /* The options of any segment parse within the captured bytes. */
            struct wst_tcp_options later;
            wst_decode_tcp_options(copy, &seg, &later);
            if (later.sack_blocks > WST_MAX_SACK_BLOCKS || seg.opt_caplen > seg.opt_len ||
                seg.opt_off + seg.opt_caplen > caplen)
                ck_abort_msg("mutation %u of seed %zu: options outside the frame", n, idx[pick]);
        }
        free(copy);
    }
}
END_TEST

/* ================================================================ suite */

Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");

    TCase *tc = tcase_create("link");
    tcase_add_test(tc, test_decode_link_ethernet);
    tcase_add_test(tc, test_decode_link_vlan);
    tcase_add_loop_test(tc, test_decode_link_vlan_tpids, 0, (int)(sizeof vlan_tpids / sizeof vlan_tpids[0]));
    tcase_add_test(tc, test_decode_link_qinq);
    tcase_add_test(tc, test_decode_link_vlan_stack_counts_all);
    tcase_add_test(tc, test_decode_link_mpls);
    tcase_add_test(tc, test_decode_link_mpls_pseudowire);
    tcase_add_test(tc, test_decode_link_pppoe);
    tcase_add_test(tc, test_decode_link_vntag_etag_pbb);
    tcase_add_test(tc, test_decode_link_llc_snap);
    tcase_add_loop_test(tc, test_decode_link_non_ip, 0, (int)(sizeof non_ip_types / sizeof non_ip_types[0]));
    tcase_add_test(tc, test_decode_link_sll);
    tcase_add_test(tc, test_decode_link_sll2);
    tcase_add_loop_test(tc, test_decode_link_null, 0, (int)(sizeof null_families / sizeof null_families[0]));
    tcase_add_test(tc, test_decode_link_loop);
    tcase_add_test(tc, test_decode_link_raw);
    tcase_add_test(tc, test_decode_link_unsupported);
    suite_add_tcase(s, tc);

    tc = tcase_create("ipv4");
    tcase_add_test(tc, test_decode_ipv4_fields);
    tcase_add_test(tc, test_decode_ipv4_options);
    tcase_add_test(tc, test_decode_ipv4_ethernet_padding);
    tcase_add_test(tc, test_decode_ipv4_total_length_zero);
    tcase_add_test(tc, test_decode_ipv4_fragments);
    tcase_add_test(tc, test_decode_ipv4_protocols);
    tcase_add_loop_test(tc, test_decode_ipv4_tunnel_protocols, 0, (int)sizeof tunnel_protos);
    tcase_add_loop_test(tc, test_decode_ipv4_udp_tunnel_ports, 0, 2 * N_TUNNEL_PORTS);
    tcase_add_test(tc, test_decode_ipv4_after_vlan_length_check);
    suite_add_tcase(s, tc);

    tc = tcase_create("ipv6");
    tcase_add_test(tc, test_decode_ipv6_fields);
    tcase_add_test(tc, test_decode_ipv6_extension_chain);
    tcase_add_loop_test(tc, test_decode_ipv6_other_extensions, 0, (int)sizeof other_ext_types);
    tcase_add_test(tc, test_decode_ipv6_ah);
    tcase_add_test(tc, test_decode_ipv6_fragments);
    tcase_add_test(tc, test_decode_ipv6_upper_layers);
    tcase_add_test(tc, test_decode_ipv6_jumbogram);
    tcase_add_test(tc, test_decode_ipv6_padding_and_snap);
    tcase_add_test(tc, test_decode_ipv6_sixteen_extensions);
    suite_add_tcase(s, tc);

    tc = tcase_create("tcp");
    tcase_add_test(tc, test_decode_tcp_header_fields);
    tcase_add_test(tc, test_decode_tcp_snap_cut_payload);
    tcase_add_test(tc, test_decode_tcp_longest_header);
    tcase_add_test(tc, test_decode_tcp_ipv6_payload_after_extensions);
    suite_add_tcase(s, tc);

    tc = tcase_create("options");
    tcase_add_test(tc, test_decode_options_syn);
    tcase_add_test(tc, test_decode_options_linux_syn_layout);
    tcase_add_test(tc, test_decode_options_sack);
    tcase_add_loop_test(tc, test_decode_options_wrong_length_skipped, 0,
                        (int)(sizeof wrong_length / sizeof wrong_length[0]));
    tcase_add_test(tc, test_decode_options_unknown_skipped);
    tcase_add_test(tc, test_decode_options_end_of_list);
    tcase_add_test(tc, test_decode_options_malformed_stops);
    tcase_add_test(tc, test_decode_options_cut_by_snaplen);
    tcase_add_test(tc, test_decode_options_bounded_by_header_not_caplen);
    tcase_add_test(tc, test_decode_options_later_segment);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, test_decode_malformed_ethernet);
    tcase_add_test(tc, test_decode_malformed_vlan);
    tcase_add_test(tc, test_decode_malformed_too_deep);
    tcase_add_test(tc, test_decode_malformed_mpls);
    tcase_add_test(tc, test_decode_malformed_pppoe);
    tcase_add_test(tc, test_decode_malformed_tags);
    tcase_add_test(tc, test_decode_malformed_cooked_and_loopback);
    tcase_add_test(tc, test_decode_malformed_ipv4);
    tcase_add_test(tc, test_decode_malformed_ipv6);
    tcase_add_test(tc, test_decode_malformed_ipv6_jumbogram);
    tcase_add_test(tc, test_decode_malformed_ipv6_extensions);
    tcase_add_test(tc, test_decode_malformed_tcp);
    tcase_add_test(tc, test_decode_malformed_tcp_cut_keeps_ports);
    suite_add_tcase(s, tc);

    tc = tcase_create("icmp_error");
    tcase_add_test(tc, test_decode_icmp_error_ipv4_unreachable);
    tcase_add_test(tc, test_decode_icmp_error_ipv6_unreachable);
    tcase_add_test(tc, test_decode_icmp_error_quote_64_bits);
    tcase_add_test(tc, test_decode_icmp_error_quote_short);
    tcase_add_test(tc, test_decode_icmp_error_quote_not_tcp);
    tcase_add_test(tc, test_decode_icmp_error_quote_ip_options);
    tcase_add_test(tc, test_decode_icmp_error_quoted_fragment);
    tcase_add_test(tc, test_decode_icmp_error_other_types);
    tcase_add_test(tc, test_decode_icmp_error_garbage_lengths);
    suite_add_tcase(s, tc);

    tc = tcase_create("classes");
    tcase_add_test(tc, test_decode_classes_names);
    tcase_add_test(tc, test_decode_classes_stable);
    suite_add_tcase(s, tc);

    tc = tcase_create("mutation");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_decode_mutation, WST_LINK_UNSUPPORTED + 1, WST_LINK__COUNT);
    suite_add_tcase(s, tc);

    return s;
}
