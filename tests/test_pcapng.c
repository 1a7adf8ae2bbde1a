/*
 * test_pcapng.c - the capture file reader (pcapng and classic pcap) against
 * streams built in memory.
 *
 * A small builder appends blocks to a byte buffer in the byte order of the
 * current section, so each test reads like the block list of its file; the
 * bytes are then opened with fmemopen(). Damage tests patch single fields
 * of a valid stream, and the mutation test flips random bytes to show that
 * no damage makes the reader crash or read outside its buffer (the suite
 * runs under AddressSanitizer in CI).
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* fmemopen() */
#endif

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "wirestate/pcapng.h"

#define T_SHB 0x0A0D0D0Au
#define T_IDB 1u
#define T_OPB 2u
#define T_SPB 3u
#define T_NRB 4u
#define T_ISB 5u
#define T_EPB 6u
#define T_DSB 10u
#define T_CB_COPY 0x00000BADu
#define T_CB_NOCOPY 0x40000BADu

#define NO_TSRESOL (-1)

/* ------------------------------------------------------------ builder */

struct bld {
    uint8_t *b;
    size_t len;
    size_t cap;
    bool be;            /* byte order of the section being written */
};

static void put_bytes(struct bld *k, const void *p, size_t n)
{
    if (k->len + n > k->cap) {
        size_t cap = k->cap != 0 ? k->cap : 4096;
        while (cap < k->len + n)
            cap *= 2;
        k->b = realloc(k->b, cap);
        ck_assert_ptr_nonnull(k->b);
        k->cap = cap;
    }
    if (n > 0)
        memcpy(k->b + k->len, p, n);
    k->len += n;
}

static void put8(struct bld *k, uint8_t v)
{
    put_bytes(k, &v, 1);
}

static void put16(struct bld *k, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    if (k->be) {
        b[0] = (uint8_t)(v >> 8);
        b[1] = (uint8_t)v;
    }
    put_bytes(k, b, 2);
}

static void set32(struct bld *k, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        int shift = k->be ? 24 - 8 * i : 8 * i;
        k->b[at + (size_t)i] = (uint8_t)(v >> shift);
    }
}

static void put32(struct bld *k, uint32_t v)
{
    uint8_t zero[4] = {0};
    put_bytes(k, zero, 4);
    set32(k, k->len - 4, v);
}

static void put64(struct bld *k, uint64_t v)
{
    /* pcapng 64-bit fields are whole words in the section's byte order. */
    if (k->be) {
        put32(k, (uint32_t)(v >> 32));
        put32(k, (uint32_t)v);
    } else {
        put32(k, (uint32_t)v);
        put32(k, (uint32_t)(v >> 32));
    }
}

static void pad4(struct bld *k)
{
    while (k->len % 4 != 0)
        put8(k, 0);
}

/* Starts a block; returns its offset for blk_end(). */
static size_t blk_begin(struct bld *k, uint32_t type)
{
    size_t at = k->len;
    put32(k, type);
    put32(k, 0);
    return at;
}

/* Pads the body, appends the trailing length and patches the leading one. */
static void blk_end(struct bld *k, size_t at)
{
    pad4(k);
    uint32_t len = (uint32_t)(k->len + 4 - at);
    put32(k, len);
    set32(k, at + 4, len);
}

static size_t add_shb(struct bld *k, bool be)
{
    k->be = be;
    size_t at = blk_begin(k, T_SHB);
    put32(k, 0x1A2B3C4Du);
    put16(k, 1);
    put16(k, 0);
    put64(k, UINT64_MAX);   /* section length unknown (-1) */
    blk_end(k, at);
    return at;
}

/* tsresol NO_TSRESOL and tsoffset NULL leave the option out. */
static size_t add_idb_opts(struct bld *k, uint16_t linktype, uint32_t snaplen, int tsresol,
                           const int64_t *tsoffset)
{
    size_t at = blk_begin(k, T_IDB);
    put16(k, linktype);
    put16(k, 0);
    put32(k, snaplen);
    put16(k, 2);            /* if_name, to have an option to skip */
    put16(k, 4);
    put_bytes(k, "eth0", 4);
    if (tsresol != NO_TSRESOL) {
        put16(k, 9);
        put16(k, 1);
        put8(k, (uint8_t)tsresol);
        pad4(k);
    }
    if (tsoffset != NULL) {
        put16(k, 14);
        put16(k, 8);
        put64(k, (uint64_t)*tsoffset);
    }
    put16(k, 0);            /* opt_endofopt */
    put16(k, 0);
    blk_end(k, at);
    return at;
}

static size_t add_idb(struct bld *k, uint16_t linktype, uint32_t snaplen)
{
    return add_idb_opts(k, linktype, snaplen, NO_TSRESOL, NULL);
}

static size_t add_epb(struct bld *k, uint32_t iface, uint64_t ts, const uint8_t *data,
                      uint32_t caplen, uint32_t wirelen)
{
    size_t at = blk_begin(k, T_EPB);
    put32(k, iface);
    put32(k, (uint32_t)(ts >> 32));
    put32(k, (uint32_t)ts);
    put32(k, caplen);
    put32(k, wirelen);
    put_bytes(k, data, caplen);
    pad4(k);
    put16(k, 1);            /* opt_comment, which the reader ignores */
    put16(k, 3);
    put_bytes(k, "hi!", 3);
    pad4(k);
    put16(k, 0);
    put16(k, 0);
    blk_end(k, at);
    return at;
}

static size_t add_opb(struct bld *k, uint16_t iface, uint64_t ts, const uint8_t *data,
                      uint32_t caplen, uint32_t wirelen)
{
    size_t at = blk_begin(k, T_OPB);
    put16(k, iface);
    put16(k, 0xFFFF);       /* drops count unknown */
    put32(k, (uint32_t)(ts >> 32));
    put32(k, (uint32_t)ts);
    put32(k, caplen);
    put32(k, wirelen);
    put_bytes(k, data, caplen);
    blk_end(k, at);
    return at;
}

static size_t add_spb(struct bld *k, uint32_t origlen, const uint8_t *data, uint32_t stored)
{
    size_t at = blk_begin(k, T_SPB);
    put32(k, origlen);
    put_bytes(k, data, stored);
    blk_end(k, at);
    return at;
}

/* Any block with an opaque body, for the types the reader skips. */
static size_t add_raw(struct bld *k, uint32_t type, const void *body, size_t n)
{
    size_t at = blk_begin(k, type);
    put_bytes(k, body, n);
    blk_end(k, at);
    return at;
}

static void bld_free(struct bld *k)
{
    free(k->b);
    memset(k, 0, sizeof *k);
}

/* A recognisable payload: byte i of packet seed is seed * 31 + i. */
static uint8_t *payload(uint8_t *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(seed * 31u + i);
    return buf;
}

/* ------------------------------------------------------------ reading */

/* fmemopen() of an empty buffer fails on some libcs; tmpfile() is empty too. */
static FILE *mem_stream(uint8_t *b, size_t n)
{
    FILE *fp = n > 0 ? fmemopen(b, n, "rb") : tmpfile();
    ck_assert_ptr_nonnull(fp);
    return fp;
}

static void check_errbuf(const char *errbuf)
{
    ck_assert_msg(errbuf[0] != '\0', "errbuf is empty");
    ck_assert_msg(strchr(errbuf, '\n') == NULL, "errbuf has a newline: %s", errbuf);
}

static struct wst_pcapng *open_ok(struct bld *k)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_pcapng *r = NULL;
    int rc = wst_pcapng_open(&r, mem_stream(k->b, k->len), errbuf);
    ck_assert_msg(rc == 0, "open: %d %s", rc, errbuf);
    ck_assert_ptr_nonnull(r);
    return r;
}

struct expect {
    uint32_t iface;
    uint32_t linktype;
    uint32_t snaplen;
    uint32_t caplen;
    uint32_t wirelen;
    wst_ts_us ts_us;
    unsigned seed;          /* payload() seed of the data */
};

static void expect_packet(struct wst_pcapng *r, const struct expect *e)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_pcapng_packet p;
    int rc = wst_pcapng_next(r, &p, errbuf);
    ck_assert_msg(rc == 1, "next: %d %s", rc, errbuf);
    ck_assert_uint_eq(p.interface_id, e->iface);
    ck_assert_uint_eq(p.linktype, e->linktype);
    ck_assert_uint_eq(p.snaplen, e->snaplen);
    ck_assert_uint_eq(p.caplen, e->caplen);
    ck_assert_uint_eq(p.wirelen, e->wirelen);
    ck_assert_uint_eq(p.ts_us, e->ts_us);
    /* One assertion per packet: each costs a write to Check's pipe. */
    uint32_t bad = p.caplen;
    for (uint32_t i = 0; i < p.caplen && bad == p.caplen; i++)
        if (p.data[i] != (uint8_t)(e->seed * 31u + i))
            bad = i;
    ck_assert_msg(bad == p.caplen, "data byte %u is 0x%02x, expected 0x%02x", bad, p.data[bad],
                  (uint8_t)(e->seed * 31u + bad));
}

static void expect_end(struct wst_pcapng *r)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_pcapng_packet p;
    int rc = wst_pcapng_next(r, &p, errbuf);
    ck_assert_msg(rc == 0, "next: %d %s", rc, errbuf);
    rc = wst_pcapng_next(r, &p, errbuf);
    ck_assert_int_eq(rc, 0);
}

/* Outcome of reading a whole stream: the first result <= 0 of open or next. */
struct run {
    bool opened;
    int rc;
    unsigned n_pkts;
    char errbuf[WST_ERRBUF_SIZE];
};

static struct run run_all(uint8_t *b, size_t n)
{
    struct run u = {.opened = false, .rc = 0, .n_pkts = 0, .errbuf = ""};
    struct wst_pcapng *r = NULL;
    u.rc = wst_pcapng_open(&r, mem_stream(b, n), u.errbuf);
    if (u.rc < 0) {
        ck_assert_ptr_null(r);
        return u;
    }
    u.opened = true;
    struct wst_pcapng_packet p;
    while ((u.rc = wst_pcapng_next(r, &p, u.errbuf)) == 1)
        u.n_pkts++;
    wst_pcapng_close(r);
    return u;
}

/* Reads k to the end; expects failure rc after n_pkts packets, with needle in the text. */
static void expect_failure(struct bld *k, bool opened, unsigned n_pkts, int rc, const char *needle)
{
    struct run u = run_all(k->b, k->len);
    ck_assert_msg(u.rc == rc, "rc %d (%s), expected %d", u.rc, u.errbuf, rc);
    ck_assert_int_eq(u.opened, opened);
    ck_assert_uint_eq(u.n_pkts, n_pkts);
    check_errbuf(u.errbuf);
    ck_assert_msg(strstr(u.errbuf, needle) != NULL, "\"%s\" lacks \"%s\"", u.errbuf, needle);
}

/* ------------------------------------------------------------ sections */

START_TEST(test_pcapng_little_endian)
{
    struct bld k = {0};
    uint8_t d[64];
    add_shb(&k, false);
    ck_assert_uint_eq(k.b[8], 0x4D);    /* magic 0x1A2B3C4D stored LSB first */
    add_idb(&k, 1, 65535);
    add_epb(&k, 0, 1700000000123456u, payload(d, 60, 1), 60, 60);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 65535, 60, 60, 1700000000123456u, 1});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_big_endian)
{
    struct bld k = {0};
    uint8_t d[64];
    add_shb(&k, true);
    ck_assert_uint_eq(k.b[8], 0x1A);    /* magic stored MSB first */
    add_idb(&k, 101, 262144);
    add_epb(&k, 0, 1700000000123456u, payload(d, 43, 2), 43, 1500);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 101, 262144, 43, 1500, 1700000000123456u, 2});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_two_sections_byte_order)
{
    struct bld k = {0};
    uint8_t d[64];
    add_shb(&k, false);
    add_idb(&k, 1, 65535);
    add_idb(&k, 113, 0);
    add_epb(&k, 0, 1000000, payload(d, 20, 1), 20, 20);
    add_epb(&k, 1, 2000000, payload(d, 21, 2), 21, 21);
    add_shb(&k, true);
    add_idb(&k, 101, 128);
    add_epb(&k, 0, 3000000, payload(d, 22, 3), 22, 22);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 65535, 20, 20, 1000000, 1});
    expect_packet(r, &(struct expect){1, 113, 0, 21, 21, 2000000, 2});
    /* Interface 0 of the second section is its own IDB, not the first one's. */
    expect_packet(r, &(struct expect){0, 101, 128, 22, 22, 3000000, 3});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_section_resets_interfaces)
{
    struct bld k = {0};
    uint8_t d[8];
    add_shb(&k, true);
    add_idb(&k, 1, 0);
    add_idb(&k, 1, 0);
    add_epb(&k, 1, 0, payload(d, 8, 0), 8, 8);
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_epb(&k, 1, 0, d, 8, 8);     /* valid before the SHB, not after it */
    expect_failure(&k, true, 1, WST_ECORRUPT, "out of range");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_empty_sections)
{
    struct bld k = {0};
    add_shb(&k, false);
    add_shb(&k, true);
    add_idb(&k, 1, 0);
    add_shb(&k, false);
    struct wst_pcapng *r = open_ok(&k);
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_skips_other_blocks)
{
    static const uint8_t nrb[] = {
        0x01, 0x00, 0x08, 0x00, 10, 0, 0, 1, 'h', 'o', 's', 't', /* nrb_record_ipv4 */
        0x00, 0x00, 0x00, 0x00,                                  /* nrb_record_end */
    };
    static const uint8_t isb[20] = {0};     /* interface 0, ts 0, no options */
    static const uint8_t dsb[12] = {0x4b, 0x53, 0x4c, 0x54, 4, 0, 0, 0, 1, 2, 3, 4};
    static const uint8_t custom[9] = {0x00, 0x00, 0x7f, 0xfe, 'd', 'a', 't', 'a', '!'};
    struct bld k = {0};
    uint8_t d[32];
    add_shb(&k, false);
    add_raw(&k, T_NRB, nrb, sizeof nrb);
    add_idb(&k, 1, 0);
    add_raw(&k, T_CB_COPY, custom, sizeof custom);
    add_epb(&k, 0, 5, payload(d, 32, 1), 32, 32);
    add_raw(&k, T_ISB, isb, sizeof isb);
    add_raw(&k, T_DSB, dsb, sizeof dsb);
    add_raw(&k, T_CB_NOCOPY, custom, sizeof custom);
    add_raw(&k, 0x12345678u, NULL, 0);      /* unknown type, empty body */
    add_raw(&k, 0x80000001u, custom, 4);    /* local-use type */
    add_epb(&k, 0, 6, payload(d, 31, 2), 31, 31);
    add_raw(&k, T_ISB, isb, sizeof isb);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 0, 32, 32, 5, 1});
    expect_packet(r, &(struct expect){0, 1, 0, 31, 31, 6, 2});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* ------------------------------------------------------------ packets */

START_TEST(test_pcapng_multi_interface)
{
    static const struct {
        uint16_t linktype;
        uint32_t snaplen;
    } ifs[4] = {{1, 65535}, {101, 262144}, {276, 96}, {113, 0}};
    /* Packets as (interface, caplen, wirelen); odd caplens exercise padding. */
    static const uint32_t pk[][3] = {
        {0, 60, 60}, {1, 41, 41}, {2, 96, 1514}, {3, 1, 1},
        {3, 77, 80}, {2, 0, 0},   {1, 4, 9000},  {0, 1514, 1514},
    };
    struct bld k = {0};
    uint8_t d[1514];
    add_shb(&k, false);
    for (int i = 0; i < 4; i++)
        add_idb(&k, ifs[i].linktype, ifs[i].snaplen);
    for (unsigned i = 0; i < sizeof pk / sizeof pk[0]; i++)
        add_epb(&k, pk[i][0], 1000u * i, payload(d, pk[i][1], i), pk[i][1], pk[i][2]);
    struct wst_pcapng *r = open_ok(&k);
    for (unsigned i = 0; i < sizeof pk / sizeof pk[0]; i++) {
        uint32_t f = pk[i][0];
        expect_packet(r, &(struct expect){f, ifs[f].linktype, ifs[f].snaplen, pk[i][1], pk[i][2],
                                          1000u * i, i});
    }
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_simple_packet_block)
{
    struct bld k = {0};
    uint8_t d[100];
    add_shb(&k, true);
    add_idb(&k, 1, 64);
    add_spb(&k, 100, payload(d, 64, 1), 64);   /* cut by snaplen 64 */
    add_epb(&k, 0, 7000001, payload(d, 10, 2), 10, 10);
    add_spb(&k, 30, payload(d, 30, 3), 30);    /* shorter than snaplen */
    add_spb(&k, 0, d, 0);
    add_shb(&k, false);
    add_idb(&k, 113, 0);
    add_spb(&k, 200, payload(d, 40, 4), 40);   /* cut by the block: 40 of 200 stored */
    struct wst_pcapng *r = open_ok(&k);
    /* No packet before it: timestamp 0. */
    expect_packet(r, &(struct expect){0, 1, 64, 64, 100, 0, 1});
    expect_packet(r, &(struct expect){0, 1, 64, 10, 10, 7000001, 2});
    /* SPBs take the previous packet's timestamp, across sections too. */
    expect_packet(r, &(struct expect){0, 1, 64, 30, 30, 7000001, 3});
    expect_packet(r, &(struct expect){0, 1, 64, 0, 0, 7000001, 0});
    expect_packet(r, &(struct expect){0, 113, 0, 40, 200, 7000001, 4});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_obsolete_packet_block)
{
    struct bld k = {0};
    uint8_t d[70];
    add_shb(&k, true);
    add_idb(&k, 1, 0);
    add_idb_opts(&k, 101, 1500, 3, NULL);      /* milliseconds */
    add_opb(&k, 1, 1700000000123u, payload(d, 70, 1), 70, 70);
    add_opb(&k, 0, 42, payload(d, 13, 2), 13, 99);
    struct wst_pcapng *r = open_ok(&k);
    /* 1700000000123 ms * 1000 = 1700000000123000 us. */
    expect_packet(r, &(struct expect){1, 101, 1500, 70, 70, 1700000000123000u, 1});
    expect_packet(r, &(struct expect){0, 1, 0, 13, 99, 42, 2});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_wirelen_below_caplen)
{
    struct bld k = {0};
    uint8_t d[10];
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_epb(&k, 0, 0, payload(d, 10, 1), 10, 4);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 0, 10, 10, 0, 1});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_large_block)
{
    /* Larger than the reader's first 256 KiB buffer, so the buffer must grow. */
    enum { BIG = 600000 };
    struct bld k = {0};
    uint8_t *d = malloc(BIG);
    ck_assert_ptr_nonnull(d);
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_epb(&k, 0, 1, payload(d, 100, 1), 100, 100);
    add_epb(&k, 0, 2, payload(d, BIG, 2), BIG, BIG);
    add_epb(&k, 0, 3, payload(d, 100, 3), 100, 100);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 0, 100, 100, 1, 1});
    expect_packet(r, &(struct expect){0, 1, 0, BIG, BIG, 2, 2});
    expect_packet(r, &(struct expect){0, 1, 0, 100, 100, 3, 3});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
    free(d);
}
END_TEST

/* Enough packets to need several refills of the buffer, blocks of every
 * length modulo 4 crossing its end at every offset. */
START_TEST(test_pcapng_many_refills)
{
    struct bld k = {0};
    uint8_t d[1500];
    add_shb(&k, true);
    add_idb(&k, 1, 0);
    for (unsigned i = 0; i < 1300; i++) {
        uint32_t n = 40 + (i * 37) % 1400;
        add_epb(&k, 0, i, payload(d, n, i), n, n + 1);
    }
    ck_assert_uint_gt(k.len, 3 * 256 * 1024);
    struct wst_pcapng *r = open_ok(&k);
    for (unsigned i = 0; i < 1300; i++) {
        uint32_t n = 40 + (i * 37) % 1400;
        expect_packet(r, &(struct expect){0, 1, 0, n, n + 1, i, i});
    }
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_max_interfaces)
{
    struct bld k = {0};
    uint8_t d[4];
    add_shb(&k, false);
    for (unsigned i = 0; i < 65536; i++)
        add_idb(&k, (uint16_t)(i % 300), i);
    add_epb(&k, 65535, 9, payload(d, 4, 1), 4, 4);
    struct wst_pcapng *r = open_ok(&k);
    /* Interface 65535 has linktype 65535 % 300 = 135 and snaplen 65535. */
    expect_packet(r, &(struct expect){65535, 135, 65535, 4, 4, 9, 1});
    expect_end(r);
    wst_pcapng_close(r);
    add_idb(&k, 1, 0);                          /* the 65537th */
    expect_failure(&k, true, 1, WST_ECORRUPT, "more than 65536 interfaces");
    bld_free(&k);
}
END_TEST

/* ------------------------------------------------------------ timestamps */

#define BIN(n) (0x80 | (n))     /* if_tsresol for 2^-n seconds */

static const int64_t off_p3600 = 3600;
static const int64_t off_m3600 = -3600;
static const int64_t off_m1 = -1;
static const int64_t off_p2 = 2;
static const int64_t off_min = INT64_MIN;
static const int64_t off_max = INT64_MAX;

/*
 * One EPB timestamp each; read in a little-endian section for even rows and
 * a big-endian one for odd rows. Every expected value is worked out in its
 * note (floor division; clamps at 0 and UINT64_MAX).
 */
static const struct {
    int tsresol;
    const int64_t *tsoffset;
    uint64_t ts;
    uint64_t want_us;
} ts_cases[] = {
    /* Default 10^-6: units are microseconds already. */
    {NO_TSRESOL, NULL, 1700000000123456u, 1700000000123456u},
    /* 10^-9: 1700000000123456789 ns / 1000 = 1700000000123456 us (789 ns dropped). */
    {9, NULL, 1700000000123456789u, 1700000000123456u},
    /* 10^-9: (2^64 - 1) / 1000 = 18446744073709551615 / 1000 = 18446744073709551. */
    {9, NULL, UINT64_MAX, 18446744073709551u},
    /* 10^-3: 1700000000123 ms * 1000 = 1700000000123000 us. */
    {3, NULL, 1700000000123u, 1700000000123000u},
    /* 10^0: 1700000000 s * 10^6 = 1700000000000000 us. */
    {0, NULL, 1700000000u, 1700000000000000u},
    /* 10^0: (2^64 - 1) * 10^6 overflows: clamp to UINT64_MAX. */
    {0, NULL, UINT64_MAX, UINT64_MAX},
    /* 10^-19: 18446744073709551615 / 10^13 = 1844674.4... -> 1844674. */
    {19, NULL, UINT64_MAX, 1844674u},
    /* 10^-26: divisor 10^20 exceeds any 64-bit count -> 0. */
    {26, NULL, UINT64_MAX, 0},
    /* 2^-10: 1700000000 * 1024 + 512 = 1740800000512 units = 1700000000.5 s. */
    {BIN(10), NULL, 1740800000512u, 1700000000500000u},
    /* 2^-10: 1023 / 1024 s = 999023.4375 us -> 999023. */
    {BIN(10), NULL, 1023, 999023u},
    /* 2^-30: 1700000000 * 2^30 + 2^29 = 1825361100800000000 + 536870912 = 1700000000.5 s. */
    {BIN(30), NULL, 1825361101336870912u, 1700000000500000u},
    /* 2^-30: (2^30 - 1) / 2^30 s = 10^6 - 10^6 / 2^30 us = 999999.999... -> 999999. */
    {BIN(30), NULL, 1073741823u, 999999u},
    /* 2^-30: (2^64 - 1) * 10^6 / 2^30 = 2^34 * 10^6 - 10^6 / 2^30
     * = 17179869184000000 - 0.00093 -> 17179869183999999 (needs > 64-bit product). */
    {BIN(30), NULL, UINT64_MAX, 17179869183999999u},
    /* 2^0: 5 s = 5000000 us. */
    {BIN(0), NULL, 5, 5000000u},
    /* 2^-64: (2^64 - 1) * 10^6 / 2^64 = 10^6 - 10^6 / 2^64 -> 999999. */
    {BIN(64), NULL, UINT64_MAX, 999999u},
    /* 2^-127: anything below 2^64 units is under 10^-18 s -> 0. */
    {BIN(127), NULL, UINT64_MAX, 0},
    /* Offset +3600 s: 1 s + 3600 s = 3601 s = 3601000000 us. */
    {NO_TSRESOL, &off_p3600, 1000000u, 3601000000u},
    /* Offset -3600 s: 1 s - 3600 s is before the epoch: clamp to 0. */
    {NO_TSRESOL, &off_m3600, 1000000u, 0},
    /* Offset -1 s: 1700000000123456 - 1000000 = 1699999999123456. */
    {NO_TSRESOL, &off_m1, 1700000000123456u, 1699999999123456u},
    /* 10^-3 with offset +2 s: 1500 ms = 1500000 us, + 2000000 = 3500000. */
    {3, &off_p2, 1500, 3500000u},
    /* 10^-9 with offset -1 s: 1500000000 ns = 1500000 us, - 1000000 = 500000. */
    {9, &off_m1, 1500000000u, 500000u},
    /* Offset INT64_MIN s: far before the epoch -> 0. */
    {NO_TSRESOL, &off_min, UINT64_MAX, 0},
    /* Offset INT64_MAX s: (2^63 - 1) * 10^6 us overflows -> UINT64_MAX. */
    {NO_TSRESOL, &off_max, 0, UINT64_MAX},
    /* Offset +2 s at the top: (2^64 - 1 - 10^6) + 2 * 10^6 > 2^64 - 1 -> UINT64_MAX. */
    {NO_TSRESOL, &off_p2, UINT64_MAX - 1000000u, UINT64_MAX},
};

START_TEST(test_pcapng_timestamp_conversion)
{
    struct bld k = {0};
    uint8_t d[4];
    add_shb(&k, _i % 2 == 1);
    add_idb_opts(&k, 1, 0, ts_cases[_i].tsresol, ts_cases[_i].tsoffset);
    add_epb(&k, 0, ts_cases[_i].ts, payload(d, 4, 0), 4, 4);
    struct wst_pcapng *r = open_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 0, 4, 4, ts_cases[_i].want_us, 0});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_timestamp_per_interface)
{
    static const int64_t off = 10;
    struct bld k = {0};
    uint8_t d[4];
    add_shb(&k, true);
    add_idb_opts(&k, 1, 0, 9, NULL);
    add_idb_opts(&k, 1, 0, BIN(10), &off);
    add_idb_opts(&k, 1, 0, 0, NULL);
    add_epb(&k, 0, 2000000000u, payload(d, 4, 0), 4, 4);
    add_epb(&k, 1, 2048, d, 4, 4);
    add_epb(&k, 2, 2, d, 4, 4);
    struct wst_pcapng *r = open_ok(&k);
    /* 2000000000 ns = 2000000 us. */
    expect_packet(r, &(struct expect){0, 1, 0, 4, 4, 2000000u, 0});
    /* 2048 / 1024 s = 2 s, + 10 s = 12 s = 12000000 us. */
    expect_packet(r, &(struct expect){1, 1, 0, 4, 4, 12000000u, 0});
    /* 2 s = 2000000 us. */
    expect_packet(r, &(struct expect){2, 1, 0, 4, 4, 2000000u, 0});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* ------------------------------------------------------------ damage */

/* SHB, IDB, then one EPB whose offset is returned: the damage target. */
static size_t stream_with_epb(struct bld *k, bool be)
{
    uint8_t d[16];
    add_shb(k, be);
    add_idb(k, 1, 0);
    return add_epb(k, 0, 1, payload(d, 16, 1), 16, 16);
}

START_TEST(test_pcapng_interface_out_of_range)
{
    struct bld k = {0};
    uint8_t d[8];
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_idb(&k, 113, 0);
    add_epb(&k, 1, 0, payload(d, 8, 0), 8, 8);
    add_epb(&k, 2, 0, d, 8, 8);
    expect_failure(&k, true, 1, WST_ECORRUPT, "interface id 2 is out of range");
    bld_free(&k);

    add_shb(&k, true);
    add_idb(&k, 1, 0);
    add_opb(&k, 1, 0, d, 8, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "out of range");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_trailer_mismatch)
{
    struct bld k = {0};
    size_t at = stream_with_epb(&k, false);
    /* EPB: 8 header + 20 fields + 16 data + 8 comment + 4 end + 4 trailer = 60. */
    ck_assert_uint_eq(k.len - at, 60);
    set32(&k, k.len - 4, 64);
    struct run u = run_all(k.b, k.len);
    ck_assert_int_eq(u.rc, WST_ECORRUPT);
    check_errbuf(u.errbuf);
    ck_assert_msg(strstr(u.errbuf, "trailing length 64 differs from 60") != NULL, "%s",
                  u.errbuf);
    char where[64];
    snprintf(where, sizeof where, "at byte %zu:", at);
    ck_assert_msg(strstr(u.errbuf, where) != NULL, "%s", u.errbuf);
    bld_free(&k);

    /* A damaged trailer of the first SHB is damage, not a foreign format. */
    add_shb(&k, true);
    set32(&k, 24, 32);
    expect_failure(&k, false, 0, WST_ECORRUPT, "trailing length 32 differs from 28");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_truncated_block)
{
    /* Every prefix of a valid stream: clean end at block boundaries only. */
    struct bld k = {0};
    uint8_t d[20];
    size_t bounds[8];
    size_t nb = 0;
    add_shb(&k, false);
    bounds[nb++] = add_idb(&k, 1, 0);
    bounds[nb++] = add_epb(&k, 0, 0, payload(d, 20, 1), 20, 20);
    bounds[nb++] = add_spb(&k, 20, d, 20);
    bounds[nb++] = add_raw(&k, T_ISB, d, 20);
    bounds[nb++] = k.len;
    for (size_t cut = 0; cut <= k.len; cut++) {
        struct run u = run_all(k.b, cut);
        bool at_bound = false;
        for (size_t i = 0; i < nb; i++)
            at_bound = at_bound || bounds[i] == cut;
        if (cut < 12) {         /* not even an SHB type and magic: foreign */
            ck_assert_msg(u.rc == WST_EFORMAT, "cut %zu: %d", cut, u.rc);
        } else if (at_bound) {
            ck_assert_msg(u.rc == 0, "cut %zu: %d %s", cut, u.rc, u.errbuf);
        } else {
            ck_assert_msg(u.rc == WST_ECORRUPT, "cut %zu: %d", cut, u.rc);
            ck_assert_msg(cut < bounds[0] || strstr(u.errbuf, "truncated block") != NULL,
                          "cut %zu: %s", cut, u.errbuf);
        }
        if (u.rc != 0)
            check_errbuf(u.errbuf);
    }
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_length_not_multiple_of_4)
{
    struct bld k = {0};
    size_t at = stream_with_epb(&k, true);
    set32(&k, at + 4, 58);
    expect_failure(&k, true, 0, WST_ECORRUPT, "not a multiple of 4");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_length_below_12)
{
    struct bld k = {0};
    size_t at = stream_with_epb(&k, false);
    set32(&k, at + 4, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "total length 8 is below 12");
    bld_free(&k);

    /* Framed correctly, but too short for the fields of its type. */
    uint8_t body[16] = {0};
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_raw(&k, T_EPB, body, 16);
    expect_failure(&k, true, 0, WST_ECORRUPT, "enhanced packet block length 28 is below 32");
    bld_free(&k);
    add_shb(&k, true);
    add_raw(&k, T_IDB, body, 4);
    expect_failure(&k, true, 0, WST_ECORRUPT,
                   "interface description block length 16 is below 20");
    bld_free(&k);
    add_shb(&k, false);
    set32(&k, 4, 24);                       /* first SHB shorter than 28 */
    set32(&k, 20, 24);
    k.len = 24;
    expect_failure(&k, false, 0, WST_ECORRUPT, "section header block length 24 is below 28");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_length_over_maximum)
{
    struct bld k = {0};
    size_t at = stream_with_epb(&k, false);
    set32(&k, at + 4, 16u * 1024u * 1024u + 4u);
    struct run u = run_all(k.b, k.len);
    ck_assert_int_eq(u.rc, WST_ECORRUPT);
    ck_assert_msg(strstr(u.errbuf, "block too large") != NULL, "%s", u.errbuf);
    set32(&k, at + 4, UINT32_MAX - 3);
    expect_failure(&k, true, 0, WST_ECORRUPT, "block too large");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_packet_before_idb)
{
    struct bld k = {0};
    uint8_t d[8] = {0};
    add_shb(&k, false);
    add_epb(&k, 0, 0, d, 8, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "before any interface");
    bld_free(&k);

    add_shb(&k, true);
    add_spb(&k, 8, d, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "before any interface");
    bld_free(&k);

    add_shb(&k, false);
    add_opb(&k, 0, 0, d, 8, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "before any interface");
    bld_free(&k);

    /* The first section's interfaces do not carry over. */
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_shb(&k, true);
    add_spb(&k, 8, d, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "before any interface");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_caplen_past_block)
{
    struct bld k = {0};
    size_t at = stream_with_epb(&k, false);
    /* 60-byte block: room for 60 - 32 = 28 bytes of data, so 28 fits, 29 does not. */
    set32(&k, at + 20, 28);
    struct run u = run_all(k.b, k.len);
    ck_assert_int_eq(u.rc, 0);
    ck_assert_uint_eq(u.n_pkts, 1);
    set32(&k, at + 20, 29);
    expect_failure(&k, true, 0, WST_ECORRUPT, "captured length 29 exceeds");
    set32(&k, at + 20, UINT32_MAX);
    expect_failure(&k, true, 0, WST_ECORRUPT, "captured length 4294967295 exceeds");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_bad_options)
{
    struct bld k = {0};
    uint8_t d[8] = {0};
    size_t at;
    /* if_name claims 200 bytes where the block has 8 bytes of options left. */
    add_shb(&k, false);
    at = add_idb(&k, 1, 0);
    set32(&k, at + 16, 2u | 200u << 16);
    add_epb(&k, 0, 0, d, 8, 8);
    expect_failure(&k, true, 0, WST_ECORRUPT, "runs past the block");
    bld_free(&k);

    /* if_tsresol must be one byte: 2 bytes (code 9, length 2, big-endian). */
    add_shb(&k, true);
    at = add_idb_opts(&k, 1, 0, 9, NULL);
    /* Options start at +16: if_name (4 + 4 bytes), then if_tsresol at +24. */
    set32(&k, at + 24, 9u << 16 | 2u);
    expect_failure(&k, true, 0, WST_ECORRUPT, "if_tsresol");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_empty_stream)
{
    struct bld k = {0};
    expect_failure(&k, false, 0, WST_EFORMAT, "empty stream");
    put_bytes(&k, "\n\r\r\n", 4);           /* an SHB type and nothing else */
    expect_failure(&k, false, 0, WST_EFORMAT, "not a pcapng file");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_classic_pcap)
{
    /* A classic pcap global header, little-endian, microseconds, Ethernet. */
    static const uint8_t hdr[24] = {
        0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    };
    struct bld k = {0};
    put_bytes(&k, hdr, sizeof hdr);
    struct run u = run_all(k.b, k.len);
    ck_assert_int_eq(u.rc, WST_EFORMAT);
    ck_assert_msg(strstr(u.errbuf, "not a pcapng file") != NULL, "%s", u.errbuf);
    check_errbuf(u.errbuf);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_bad_byte_order_magic)
{
    struct bld k = {0};
    uint8_t d[8] = {0};
    /* In the first SHB: probably not pcapng at all (the type is "\n\r\r\n"). */
    add_shb(&k, false);
    set32(&k, 8, 0x1A2B3C4Eu);
    add_idb(&k, 1, 0);
    expect_failure(&k, false, 0, WST_EFORMAT, "not a pcapng file: byte-order magic");
    bld_free(&k);

    /* In a later SHB: damage. */
    add_shb(&k, false);
    add_idb(&k, 1, 0);
    add_epb(&k, 0, 0, d, 8, 8);
    size_t at = add_shb(&k, true);
    set32(&k, at + 8, 0xDEADBEEFu);
    expect_failure(&k, true, 1, WST_ECORRUPT, "byte-order magic 0xdeadbeef is invalid");
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_bad_version)
{
    struct bld k = {0};
    add_shb(&k, true);
    k.b[13] = 2;                            /* major 2, big-endian u16 at 12 */
    expect_failure(&k, false, 0, WST_EFORMAT, "unsupported pcapng version 2.0");
    bld_free(&k);

    add_shb(&k, false);
    size_t at = add_shb(&k, false);
    k.b[at + 12] = 0;                       /* major 0 */
    expect_failure(&k, true, 0, WST_ECORRUPT, "unsupported pcapng version 0.0");
    bld_free(&k);

    add_shb(&k, false);
    k.b[14] = 2;                            /* version 1.2 is accepted */
    struct run u = run_all(k.b, k.len);
    ck_assert_int_eq(u.rc, 0);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcapng_read_error)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_pcapng *r = NULL;
    FILE *fp = fopen("/dev/null", "w");     /* reading a write-only stream fails */
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(wst_pcapng_open(&r, fp, errbuf), WST_EIO);
    ck_assert_ptr_null(r);
    check_errbuf(errbuf);
}
END_TEST

START_TEST(test_pcapng_error_is_sticky)
{
    struct bld k = {0};
    stream_with_epb(&k, false);
    set32(&k, k.len - 4, 0);
    struct wst_pcapng *r = open_ok(&k);
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_pcapng_packet p;
    ck_assert_int_eq(wst_pcapng_next(r, &p, errbuf), WST_ECORRUPT);
    errbuf[0] = '\0';
    ck_assert_int_eq(wst_pcapng_next(r, &p, errbuf), WST_ECORRUPT);
    check_errbuf(errbuf);
    wst_pcapng_close(r);
    wst_pcapng_close(NULL);
    bld_free(&k);
}
END_TEST

/* ------------------------------------------------------------ mutation */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

START_TEST(test_pcapng_mutation_smoke)
{
    static const int64_t off = -5;
    static const uint8_t custom[8] = {0, 0, 0x7f, 0xfe, 1, 2, 3, 4};
    struct bld k = {0};
    uint8_t d[90];
    add_shb(&k, false);
    add_idb_opts(&k, 1, 64, 9, NULL);
    add_idb_opts(&k, 113, 0, BIN(20), &off);
    add_epb(&k, 0, 123456789u, payload(d, 60, 1), 60, 60);
    add_raw(&k, T_ISB, d, 20);
    add_epb(&k, 1, 1u << 20, payload(d, 33, 2), 33, 90);
    add_spb(&k, 90, payload(d, 64, 3), 64);
    add_shb(&k, true);
    add_raw(&k, T_CB_COPY, custom, sizeof custom);
    add_idb_opts(&k, 101, 0, 3, &off);
    add_opb(&k, 0, 77, payload(d, 21, 4), 21, 21);
    add_epb(&k, 0, 78, payload(d, 90, 5), 90, 90);
    struct run base = run_all(k.b, k.len);
    ck_assert_msg(base.rc == 0 && base.n_pkts == 5, "%d %u %s", base.rc, base.n_pkts,
                  base.errbuf);

    uint8_t *m = malloc(k.len);
    ck_assert_ptr_nonnull(m);
    uint64_t seed = 0x9E3779B97F4A7C15u;
    unsigned outcomes[3] = {0, 0, 0};       /* clean end, error at open, error later */
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(m, k.b, k.len);
        int flips = 1 + (int)(xorshift64(&seed) % 4);
        for (int f = 0; f < flips; f++) {
            size_t pos = (size_t)(xorshift64(&seed) % k.len);
            m[pos] ^= (uint8_t)(1 + xorshift64(&seed) % 255);
        }
        char errbuf[WST_ERRBUF_SIZE] = "";
        struct wst_pcapng *r = NULL;
        int rc = wst_pcapng_open(&r, mem_stream(m, k.len), errbuf);
        ck_assert_msg(rc <= 0 && rc >= WST_ELIMIT, "open rc %d", rc);
        if (rc < 0) {
            outcomes[1]++;
            continue;
        }
        struct wst_pcapng_packet p;
        unsigned sum = 0;
        while ((rc = wst_pcapng_next(r, &p, errbuf)) == 1) {
            for (uint32_t i = 0; i < p.caplen; i++)
                sum += p.data[i];   /* touch every byte: ASan checks the bounds */
        }
        (void)sum;
        ck_assert_msg(rc <= 0 && rc >= WST_ELIMIT, "next rc %d", rc);
        outcomes[rc == 0 ? 0 : 2]++;
        wst_pcapng_close(r);
    }
    /* Both clean and damaged outcomes occur, or the mutations tested little. */
    ck_assert_uint_gt(outcomes[0], 0);
    ck_assert_uint_gt(outcomes[2], 0);
    free(m);
    bld_free(&k);
}
END_TEST

/* ------------------------------------------------------------ classic pcap */

#define P_MAGIC 0xA1B2C3D4u
#define P_MAGIC_NSEC 0xA1B23C4Du
#define P_MAGIC_KUZ 0xA1B2CD34u

/* A classic pcap file header, in byte order be. */
static void add_pcap_header(struct bld *k, bool be, uint32_t magic, uint16_t major, uint16_t minor,
                            uint32_t snaplen, uint32_t linktype)
{
    k->be = be;
    put32(k, magic);
    put16(k, major);
    put16(k, minor);
    put32(k, 0);            /* thiszone */
    put32(k, 0);            /* sigfigs */
    put32(k, snaplen);
    put32(k, linktype);
}

/* A record header with the given fields, then `stored` bytes of data. */
static void add_pcap_record(struct bld *k, uint32_t secs, uint32_t frac, uint32_t caplen,
                            uint32_t len, const uint8_t *data, uint32_t stored)
{
    put32(k, secs);
    put32(k, frac);
    put32(k, caplen);
    put32(k, len);
    put_bytes(k, data, stored);
}

static struct run run_any(uint8_t *b, size_t n)
{
    struct run u = {.opened = false, .rc = 0, .n_pkts = 0, .errbuf = ""};
    struct wst_pcapng *r = NULL;
    u.rc = wst_pcapng_open_any(&r, mem_stream(b, n), u.errbuf);
    if (u.rc < 0) {
        ck_assert_ptr_null(r);
        return u;
    }
    u.opened = true;
    struct wst_pcapng_packet p;
    while ((u.rc = wst_pcapng_next(r, &p, u.errbuf)) == 1)
        u.n_pkts++;
    wst_pcapng_close(r);
    return u;
}

/* Reads k as either format; expects failure rc after n_pkts packets and exactly this text. */
static void expect_any_failure(struct bld *k, bool opened, unsigned n_pkts, int rc, const char *text)
{
    struct run u = run_any(k->b, k->len);
    ck_assert_msg(u.rc == rc, "rc %d (%s), expected %d", u.rc, u.errbuf, rc);
    ck_assert_int_eq(u.opened, opened);
    ck_assert_uint_eq(u.n_pkts, n_pkts);
    ck_assert_str_eq(u.errbuf, text);
}

static struct wst_pcapng *open_any_ok(struct bld *k)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_pcapng *r = NULL;
    int rc = wst_pcapng_open_any(&r, mem_stream(k->b, k->len), errbuf);
    ck_assert_msg(rc == 0, "open: %d %s", rc, errbuf);
    ck_assert_ptr_nonnull(r);
    return r;
}

static void expect_info(struct wst_pcapng *r, uint32_t linktype, uint32_t snaplen)
{
    struct wst_pcapng_info info;
    wst_pcapng_info(r, &info);
    ck_assert(info.is_classic);
    ck_assert_uint_eq(info.linktype, linktype);
    ck_assert_uint_eq(info.snaplen, snaplen);
}

/* Little-endian with microseconds: what tcpdump writes on x86. */
START_TEST(test_pcap_little_endian_micro)
{
    struct bld k = {0};
    uint8_t d[100];
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 65535, 1);
    ck_assert_uint_eq(k.b[0], 0xd4);
    add_pcap_record(&k, 1700000000, 123456, 60, 60, payload(d, 60, 1), 60);
    add_pcap_record(&k, 1700000001, 999999, 54, 1514, payload(d, 54, 2), 54);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_info(r, 1, 65535);
    expect_packet(r, &(struct expect){0, 1, 65535, 60, 60, 1700000000123456u, 1});
    expect_packet(r, &(struct expect){0, 1, 65535, 54, 1514, 1700000001999999u, 2});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* Big-endian with nanoseconds, rounded down to microseconds. */
START_TEST(test_pcap_big_endian_nano)
{
    struct bld k = {0};
    uint8_t d[100];
    add_pcap_header(&k, true, P_MAGIC_NSEC, 2, 4, 96, 101);
    ck_assert_uint_eq(k.b[0], 0xa1);
    add_pcap_record(&k, 1700000000, 123456789, 40, 40, payload(d, 40, 3), 40);
    add_pcap_record(&k, 1700000000, 999999999, 96, 1500, payload(d, 96, 4), 96);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_info(r, 101, 96);
    expect_packet(r, &(struct expect){0, 101, 96, 40, 40, 1700000000123456u, 3});
    expect_packet(r, &(struct expect){0, 101, 96, 96, 1500, 1700000000999999u, 4});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BE true
#else
#define HOST_BE false
#endif

/*
 * Timestamp fields as libpcap reads them: seconds unsigned (after 2038);
 * the fraction signed in a file of the host's byte order (0xFFFFFFFF
 * microseconds is one before the second) and unsigned in the other, and
 * nanoseconds divided toward zero.
 */
START_TEST(test_pcap_timestamp_fields)
{
    struct bld k = {0};
    uint8_t d[20];
    add_pcap_header(&k, HOST_BE, P_MAGIC, 2, 4, 0, 1);
    add_pcap_record(&k, 0xFFFFFFF0u, 5, 20, 20, payload(d, 20, 5), 20);
    add_pcap_record(&k, 1700000000, 0xFFFFFFFFu, 20, 20, payload(d, 20, 6), 20);
    add_pcap_record(&k, 1700000000, 2500000, 20, 20, payload(d, 20, 7), 20);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_info(r, 1, 262144); /* snaplen 0: libpcap's maximum */
    expect_packet(r, &(struct expect){0, 1, 262144, 20, 20, 0xFFFFFFF0u * 1000000ull + 5, 5});
    expect_packet(r, &(struct expect){0, 1, 262144, 20, 20, 1699999999999999u, 6});
    expect_packet(r, &(struct expect){0, 1, 262144, 20, 20, 1700000002500000u, 7});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);

    add_pcap_header(&k, HOST_BE, P_MAGIC_NSEC, 2, 4, 0, 1);
    add_pcap_record(&k, 1700000000, 0xFFFFF000u, 20, 20, payload(d, 20, 8), 20); /* -4096 ns */
    r = open_any_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 262144, 20, 20, 1699999999999996u, 8});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);

    add_pcap_header(&k, !HOST_BE, P_MAGIC_NSEC, 2, 4, 0, 1);
    add_pcap_record(&k, 1700000000, 0xFFFFF000u, 20, 20, payload(d, 20, 9), 20); /* 4294963200 ns */
    r = open_any_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 262144, 20, 20, 1700000004294963u, 9});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* A record longer than the file's snapshot length is cut to it, and the
 * record after it still starts where it should. */
START_TEST(test_pcap_record_beyond_snaplen)
{
    struct bld k = {0};
    uint8_t d[100];
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 64, 1);
    add_pcap_record(&k, 1, 0, 100, 120, payload(d, 100, 9), 100);
    add_pcap_record(&k, 2, 0, 30, 30, payload(d, 30, 10), 30);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 64, 64, 120, 1000000, 9});
    expect_packet(r, &(struct expect){0, 1, 64, 30, 30, 2000000, 10});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* Versions before 2.3 wrote the original length before the captured one;
 * 2.3 files were written both ways; DG/UX wrote 543.0 the old way. */
START_TEST(test_pcap_old_versions)
{
    static const struct {
        uint16_t major, minor;
        bool swapped;
    } v[] = {{2, 0, true}, {2, 2, true}, {2, 3, true}, {543, 0, true}, {2, 4, false}};
    uint8_t d[60];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct bld k = {0};
        add_pcap_header(&k, false, P_MAGIC, v[i].major, v[i].minor, 65535, 1);
        /* caplen 40 of len 60, in the order of the version */
        if (v[i].swapped)
            add_pcap_record(&k, 1, 0, 60, 40, payload(d, 40, 11), 40);
        else
            add_pcap_record(&k, 1, 0, 40, 60, payload(d, 40, 11), 40);
        struct wst_pcapng *r = open_any_ok(&k);
        expect_packet(r, &(struct expect){0, 1, 65535, 40, 60, 1000000, 11});
        expect_end(r);
        wst_pcapng_close(r);
        bld_free(&k);
    }
    /* 2.3 in the new order: caplen <= len, so nothing is swapped. */
    struct bld k = {0};
    add_pcap_header(&k, false, P_MAGIC, 2, 3, 65535, 1);
    add_pcap_record(&k, 1, 0, 40, 60, payload(d, 40, 12), 40);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_packet(r, &(struct expect){0, 1, 65535, 40, 60, 1000000, 12});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

START_TEST(test_pcap_bad_versions)
{
    struct bld k = {0};
    add_pcap_header(&k, false, P_MAGIC, 1, 0, 65535, 1);
    expect_any_failure(&k, false, 0, WST_ECORRUPT, "damaged capture file: archaic pcap savefile format");
    bld_free(&k);
    add_pcap_header(&k, true, P_MAGIC, 2, 5, 65535, 1);
    expect_any_failure(&k, false, 0, WST_ECORRUPT,
                       "damaged capture file: unsupported pcap savefile version 2.5");
    bld_free(&k);
    add_pcap_header(&k, false, P_MAGIC, 543, 1, 65535, 1);
    expect_any_failure(&k, false, 0, WST_ECORRUPT,
                       "damaged capture file: unsupported pcap savefile version 543.1");
    bld_free(&k);
}
END_TEST

/* Kuznetzov's patched libpcap: 24-byte record headers (ifindex, protocol,
 * packet type after the usual 16), and Ethernet snapshots 14 bytes longer. */
START_TEST(test_pcap_kuznetzov)
{
    struct bld k = {0};
    uint8_t d[80];
    add_pcap_header(&k, false, P_MAGIC_KUZ, 2, 4, 64, 1);
    for (int i = 0; i < 2; i++) {
        add_pcap_record(&k, 7, (uint32_t)i, 70, 70, NULL, 0);
        put32(&k, 2);       /* ifindex */
        put16(&k, 0x0800);  /* protocol */
        put8(&k, 0);        /* packet type */
        put8(&k, 0);        /* padding */
        put_bytes(&k, payload(d, 70, 13 + (unsigned)i), 70);
    }
    struct wst_pcapng *r = open_any_ok(&k);
    expect_info(r, 1, 78);
    expect_packet(r, &(struct expect){0, 1, 78, 70, 70, 7000000, 13});
    expect_packet(r, &(struct expect){0, 1, 78, 70, 70, 7000001, 14});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* The upper 6 bits of the link type carry an FCS length, not the type. */
START_TEST(test_pcap_linktype_fcs_bits)
{
    struct bld k = {0};
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 65535, 0x14000001u);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_info(r, 1, 65535);
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* The whole packets, then libpcap's message for where the file was cut. */
START_TEST(test_pcap_truncated)
{
    struct bld k = {0};
    uint8_t d[60];
    add_pcap_header(&k, true, P_MAGIC, 2, 4, 65535, 1);
    add_pcap_record(&k, 1, 0, 60, 60, payload(d, 60, 15), 60);
    add_pcap_record(&k, 2, 0, 60, 60, payload(d, 60, 16), 60);
    size_t whole = k.len;

    k.len = whole - 40; /* inside the second record's data */
    expect_any_failure(&k, true, 1, WST_ECORRUPT,
                       "damaged capture file: truncated dump file; tried to read 60 captured bytes, "
                       "only got 20");
    k.len = whole - 60 - 11; /* inside its header */
    expect_any_failure(&k, true, 1, WST_ECORRUPT,
                       "damaged capture file: truncated dump file; tried to read 16 header bytes, "
                       "only got 5");
    k.len = whole - 60 - 16; /* between records: a shorter, whole file */
    struct run u = run_any(k.b, k.len);
    ck_assert_int_eq(u.rc, 0);
    ck_assert_uint_eq(u.n_pkts, 1);

    k.len = 10; /* inside the file header: libpcap counts what followed the magic */
    expect_any_failure(&k, false, 0, WST_ECORRUPT,
                       "damaged capture file: truncated dump file; tried to read 24 file header "
                       "bytes, only got 6");
    bld_free(&k);

    /* Cut inside a record beyond the snapshot length: inside the snapshot
     * part the snapshot is named, past it the whole record. */
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 64, 1);
    add_pcap_record(&k, 1, 0, 100, 100, payload(d, 60, 17), 60);
    expect_any_failure(&k, true, 0, WST_ECORRUPT,
                       "damaged capture file: truncated dump file; tried to read 64 captured bytes, "
                       "only got 60");
    put_bytes(&k, d, 20);
    expect_any_failure(&k, true, 0, WST_ECORRUPT,
                       "damaged capture file: truncated dump file; tried to read 100 captured bytes, "
                       "only got 80");
    bld_free(&k);
}
END_TEST

/* Captured lengths beyond what libpcap accepts for the link type. */
START_TEST(test_pcap_bad_caplen)
{
    struct bld k = {0};
    uint8_t d[16] = {0};
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 65535, 1);
    add_pcap_record(&k, 1, 0, 300000, 300000, d, sizeof d);
    expect_any_failure(&k, true, 0, WST_ECORRUPT,
                       "damaged capture file: invalid packet capture length 300000, bigger than "
                       "snaplen of 65535");
    bld_free(&k);
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 400000, 1);
    add_pcap_record(&k, 1, 0, 300000, 300000, d, sizeof d);
    expect_any_failure(&k, true, 0, WST_ECORRUPT,
                       "damaged capture file: invalid packet capture length 300000, bigger than "
                       "maximum of 262144");
    bld_free(&k);
    /* D-Bus messages may be 128 MiB long: 300000 is fine there, though cut. */
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 400000, 231);
    add_pcap_record(&k, 1, 0, 300000, 300000, d, sizeof d);
    expect_any_failure(&k, true, 0, WST_ECORRUPT,
                       "damaged capture file: truncated dump file; tried to read 300000 captured "
                       "bytes, only got 16");
    bld_free(&k);
}
END_TEST

/* A record as long as libpcap allows, larger than the reader's first buffer. */
START_TEST(test_pcap_largest_record)
{
    enum { BIG = 262144 };
    struct bld k = {0};
    uint8_t *d = malloc(BIG);
    ck_assert_ptr_nonnull(d);
    add_pcap_header(&k, false, P_MAGIC, 2, 4, 0, 1);
    add_pcap_record(&k, 1, 0, 50, 50, payload(d, 50, 18), 50);
    add_pcap_record(&k, 2, 0, BIG, BIG, payload(d, BIG, 19), BIG);
    add_pcap_record(&k, 3, 0, 50, 50, payload(d, 50, 20), 50);
    struct wst_pcapng *r = open_any_ok(&k);
    expect_packet(r, &(struct expect){0, 1, BIG, 50, 50, 1000000, 18});
    expect_packet(r, &(struct expect){0, 1, BIG, BIG, BIG, 2000000, 19});
    expect_packet(r, &(struct expect){0, 1, BIG, 50, 50, 3000000, 20});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
    free(d);
}
END_TEST

/* What is neither format, and what is pcapng, when either is accepted. */
START_TEST(test_pcap_format_detection)
{
    struct bld k = {0};
    expect_any_failure(&k, false, 0, WST_EFORMAT, "empty file, not a pcap or pcapng capture");
    put_bytes(&k, "hi\n", 3);
    expect_any_failure(&k, false, 0, WST_EFORMAT, "not a pcap or pcapng capture (unknown file format)");
    put_bytes(&k, "there, not a capture", 20);
    expect_any_failure(&k, false, 0, WST_EFORMAT, "not a pcap or pcapng capture (unknown file format)");
    bld_free(&k);
    put_bytes(&k, "\nnot pcapng", 11);
    expect_any_failure(&k, false, 0, WST_EFORMAT, "not a pcapng file: starts with 0x0a6e6f74");
    bld_free(&k);

    uint8_t d[64];
    add_shb(&k, false);
    add_idb(&k, 1, 65535);
    add_epb(&k, 0, 5, payload(d, 60, 21), 60, 60);
    struct wst_pcapng *r = open_any_ok(&k);
    struct wst_pcapng_info info;
    wst_pcapng_info(r, &info);
    ck_assert(!info.is_classic);
    expect_packet(r, &(struct expect){0, 1, 65535, 60, 60, 5, 21});
    expect_end(r);
    wst_pcapng_close(r);
    bld_free(&k);
}
END_TEST

/* Many records across several refills of the buffer, in both byte orders. */
START_TEST(test_pcap_many_refills)
{
    uint8_t d[1500];
    for (int be = 0; be < 2; be++) {
        struct bld k = {0};
        add_pcap_header(&k, be, P_MAGIC, 2, 4, 1500, 1);
        for (unsigned i = 0; i < 1300; i++) {
            uint32_t n = 14 + (i * 41) % 1486;
            add_pcap_record(&k, i, i % 1000000, n, n + 2, payload(d, n, i), n);
        }
        ck_assert_uint_gt(k.len, 3 * 256 * 1024);
        struct wst_pcapng *r = open_any_ok(&k);
        for (unsigned i = 0; i < 1300; i++) {
            uint32_t n = 14 + (i * 41) % 1486;
            expect_packet(r, &(struct expect){0, 1, 1500, n, n + 2, i * 1000000ull + i % 1000000, i});
        }
        expect_end(r);
        wst_pcapng_close(r);
        bld_free(&k);
    }
}
END_TEST

/* Random damage to classic files: the reader ends cleanly or with an error
 * message, and never reads outside its buffer (ASan in CI). */
START_TEST(test_pcap_mutation_smoke)
{
    struct bld k = {0};
    uint8_t d[90];
    add_pcap_header(&k, false, P_MAGIC_NSEC, 2, 4, 80, 1);
    for (unsigned i = 0; i < 6; i++)
        add_pcap_record(&k, 1700000000 + i, i * 1000, 20 + 10 * i, 90, payload(d, 20 + 10 * i, i), 20 + 10 * i);
    struct run base = run_any(k.b, k.len);
    ck_assert_msg(base.rc == 0 && base.n_pkts == 6, "%d %u %s", base.rc, base.n_pkts, base.errbuf);

    uint8_t *m = malloc(k.len);
    ck_assert_ptr_nonnull(m);
    uint64_t seed = 0x2545F4914F6CDD1Du;
    unsigned outcomes[3] = {0, 0, 0};
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(m, k.b, k.len);
        int flips = 1 + (int)(xorshift64(&seed) % 4);
        for (int f = 0; f < flips; f++) {
            size_t pos = (size_t)(xorshift64(&seed) % k.len);
            m[pos] ^= (uint8_t)(1 + xorshift64(&seed) % 255);
        }
        size_t len = iter % 3 == 0 ? (size_t)(xorshift64(&seed) % k.len) : k.len;
        char errbuf[WST_ERRBUF_SIZE] = "";
        struct wst_pcapng *r = NULL;
        int rc = wst_pcapng_open_any(&r, mem_stream(m, len), errbuf);
        ck_assert_msg(rc <= 0 && rc >= WST_ELIMIT, "open rc %d", rc);
        if (rc < 0) {
            check_errbuf(errbuf);
            outcomes[1]++;
            continue;
        }
        struct wst_pcapng_packet p;
        unsigned sum = 0;
        while ((rc = wst_pcapng_next(r, &p, errbuf)) == 1) {
            ck_assert_uint_le(p.caplen, p.wirelen);
            for (uint32_t i = 0; i < p.caplen; i++)
                sum += p.data[i];
        }
        (void)sum;
        ck_assert_msg(rc <= 0 && rc >= WST_ELIMIT, "next rc %d", rc);
        if (rc < 0)
            check_errbuf(errbuf);
        outcomes[rc == 0 ? 0 : 2]++;
        wst_pcapng_close(r);
    }
    ck_assert_uint_gt(outcomes[0], 0);
    ck_assert_uint_gt(outcomes[1], 0);
    ck_assert_uint_gt(outcomes[2], 0);
    free(m);
    bld_free(&k);
}
END_TEST

Suite *pcapng_suite(void)
{
    Suite *s = suite_create("pcapng");

    TCase *tc = tcase_create("sections");
    tcase_add_test(tc, test_pcapng_little_endian);
    tcase_add_test(tc, test_pcapng_big_endian);
    tcase_add_test(tc, test_pcapng_two_sections_byte_order);
    tcase_add_test(tc, test_pcapng_section_resets_interfaces);
    tcase_add_test(tc, test_pcapng_empty_sections);
    tcase_add_test(tc, test_pcapng_skips_other_blocks);
    suite_add_tcase(s, tc);

    tc = tcase_create("packets");
    tcase_add_test(tc, test_pcapng_multi_interface);
    tcase_add_test(tc, test_pcapng_simple_packet_block);
    tcase_add_test(tc, test_pcapng_obsolete_packet_block);
    tcase_add_test(tc, test_pcapng_wirelen_below_caplen);
    tcase_add_test(tc, test_pcapng_large_block);
    tcase_add_test(tc, test_pcapng_many_refills);
    tcase_add_test(tc, test_pcapng_max_interfaces);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);

    tc = tcase_create("timestamps");
    tcase_add_loop_test(tc, test_pcapng_timestamp_conversion, 0,
                        (int)(sizeof ts_cases / sizeof ts_cases[0]));
    tcase_add_test(tc, test_pcapng_timestamp_per_interface);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_add_test(tc, test_pcapng_interface_out_of_range);
    tcase_add_test(tc, test_pcapng_trailer_mismatch);
    tcase_add_test(tc, test_pcapng_truncated_block);
    tcase_add_test(tc, test_pcapng_length_not_multiple_of_4);
    tcase_add_test(tc, test_pcapng_length_below_12);
    tcase_add_test(tc, test_pcapng_length_over_maximum);
    tcase_add_test(tc, test_pcapng_packet_before_idb);
    tcase_add_test(tc, test_pcapng_caplen_past_block);
    tcase_add_test(tc, test_pcapng_bad_options);
    tcase_add_test(tc, test_pcapng_empty_stream);
    tcase_add_test(tc, test_pcapng_classic_pcap);
    tcase_add_test(tc, test_pcapng_bad_byte_order_magic);
    tcase_add_test(tc, test_pcapng_bad_version);
    tcase_add_test(tc, test_pcapng_read_error);
    tcase_add_test(tc, test_pcapng_error_is_sticky);
    suite_add_tcase(s, tc);

    tc = tcase_create("classic_pcap");
    tcase_add_test(tc, test_pcap_little_endian_micro);
    tcase_add_test(tc, test_pcap_big_endian_nano);
    tcase_add_test(tc, test_pcap_timestamp_fields);
    tcase_add_test(tc, test_pcap_record_beyond_snaplen);
    tcase_add_test(tc, test_pcap_old_versions);
    tcase_add_test(tc, test_pcap_bad_versions);
    tcase_add_test(tc, test_pcap_kuznetzov);
    tcase_add_test(tc, test_pcap_linktype_fcs_bits);
    tcase_add_test(tc, test_pcap_truncated);
    tcase_add_test(tc, test_pcap_bad_caplen);
    tcase_add_test(tc, test_pcap_largest_record);
    tcase_add_test(tc, test_pcap_format_detection);
    tcase_add_test(tc, test_pcap_many_refills);
    suite_add_tcase(s, tc);

    tc = tcase_create("mutation");
    tcase_add_test(tc, test_pcapng_mutation_smoke);
    tcase_add_test(tc, test_pcap_mutation_smoke);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    return s;
}
