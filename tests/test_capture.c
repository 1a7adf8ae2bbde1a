/*
 * test_capture.c - capture sources over files written by craft.c.
 *
 * Every test gets a fresh directory under /tmp (a checked fixture, so it
 * is made and removed in the test's own process) and writes the small
 * pcap and pcapng files it reads there.
 *
 * Classic pcap files are read by wirestate's own reader, which must give
 * what reading them through libpcap gave: the "libpcap" test case reads
 * damaged files both ways and compares every packet and every message.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "craft.h"
#include "suites.h"
#include "wirestate/capture.h"

/* ---- fixture: a temporary directory */

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/wst-capture-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(dir);
}

/* dir/name into p (PATH_MAX bytes); returns p. */
static char *path_in_dir(char *p, const char *name)
{
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static long file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (long)st.st_size;
}

/* ---- frames */

enum { ETH, RAW }; /* link layer of a crafted frame */

struct frame {
    uint8_t b[CRAFT_MAX_FRAME];
    uint32_t len;
};

/* An IPv4 (or IPv6, for addresses with ':') TCP segment, over Ethernet or raw. */
static struct frame tcp_frame(int link, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                              uint8_t flags, size_t payload_len)
{
    static struct craft c;
    struct frame f;
    bool v6 = strchr(src, ':') != NULL;
    craft_init(&c);
    if (link == ETH)
        craft_eth(&c, v6 ? CRAFT_ETH_IPV6 : CRAFT_ETH_IPV4);
    if (v6)
        craft_ipv6(&c, src, dst, CRAFT_IP_TCP);
    else
        craft_ipv4(&c, src, dst, CRAFT_IP_TCP);
    craft_tcp(&c, sport, dport, 1000, flags & CRAFT_ACK ? 5001 : 0, flags, 64240, NULL, 0, payload_len);
    f.len = (uint32_t)craft_finish(&c);
    memcpy(f.b, c.buf, f.len);
    return f;
}

static struct frame udp_frame(int link, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
    static struct craft c;
    struct frame f;
    craft_init(&c);
    if (link == ETH)
        craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, src, dst, CRAFT_IP_UDP);
    craft_udp(&c, sport, dport, 12);
    f.len = (uint32_t)craft_finish(&c);
    memcpy(f.b, c.buf, f.len);
    return f;
}

#define TS0 1700000000000001ULL /* 2023-11-14 22:13:20.000001 UTC */

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Writes a classic pcap of n Ethernet SYNs from ports 40000, 40001, ...,
 * one every 0.5 s from TS0; each frame is 14 + 20 + 20 = 54 bytes. */
static void write_syns(const char *path, unsigned n)
{
    struct craft_pcap *w = craft_pcap_open(path, 1, 65535);
    ck_assert_ptr_nonnull(w);
    for (unsigned i = 0; i < n; i++) {
        struct frame f = tcp_frame(ETH, "192.0.2.1", (uint16_t)(40000 + i), "198.51.100.2", 80, CRAFT_SYN, 0);
        ck_assert_uint_eq(f.len, 54);
        craft_pcap_write(w, TS0 + i * 500000ULL, f.b, f.len, f.len);
    }
    ck_assert_int_eq(craft_pcap_close(w), 0);
}

static struct wst_capture *open_ok(const char *path)
{
    struct wst_capture *cap = NULL;
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc = wst_capture_open_file(&cap, path, errbuf);
    ck_assert_msg(rc == 0, "open %s: %d %s", path, rc, errbuf);
    ck_assert_ptr_nonnull(cap);
    return cap;
}

/* Reads packets until the end or an error; returns the count, *rc_out the last result. */
static unsigned drain(struct wst_capture *cap, int *rc_out, char *errbuf)
{
    struct wst_packet pkt;
    unsigned n = 0;
    int rc;
    while ((rc = wst_capture_next(cap, &pkt, errbuf)) > 0)
        n++;
    *rc_out = rc;
    return n;
}

/* Asserts that opening path fails with `want` and a message containing `part`. */
static void assert_open_fails(const char *path, int want, const char *part)
{
    struct wst_capture *cap = NULL;
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc = wst_capture_open_file(&cap, path, errbuf);
    ck_assert_msg(rc == want, "open %s: got %d (%s), want %d", path, rc, errbuf, want);
    ck_assert_ptr_null(cap);
    ck_assert_msg(strstr(errbuf, part) != NULL, "message '%s' lacks '%s'", errbuf, part);
    ck_assert_ptr_null(strchr(errbuf, '\n'));
}

/* ---- pcap files */

START_TEST(test_capture_pcap_reads_packets)
{
    char p[PATH_MAX];
    path_in_dir(p, "syn.pcap");
    struct frame f0 = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct frame f1 = tcp_frame(ETH, "198.51.100.2", 80, "192.0.2.1", 40000, CRAFT_SYN | CRAFT_ACK, 0);
    struct frame f2 = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_ACK | CRAFT_PSH, 100);
    struct craft_pcap *w = craft_pcap_open(p, 1, 65535);
    ck_assert_ptr_nonnull(w);
    craft_pcap_write(w, TS0, f0.b, f0.len, f0.len);
    craft_pcap_write(w, TS0 + 999999, f1.b, f1.len, f1.len);
    craft_pcap_write(w, 1700000002000000ULL, f2.b, f2.len, f2.len);
    ck_assert_int_eq(craft_pcap_close(w), 0);

    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_uint_eq(pkt.ts_us, 1700000000000001ULL);
    ck_assert_uint_eq(pkt.caplen, 54);
    ck_assert_uint_eq(pkt.wirelen, 54);
    ck_assert_int_eq(pkt.link, WST_LINK_ETHERNET);
    ck_assert_mem_eq(pkt.data, f0.b, 54);

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_uint_eq(pkt.ts_us, 1700000001000000ULL);
    ck_assert_uint_eq(pkt.caplen, 54);
    ck_assert_mem_eq(pkt.data, f1.b, 54);

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_uint_eq(pkt.ts_us, 1700000002000000ULL);
    ck_assert_uint_eq(pkt.caplen, 154); /* 54 + 100 payload bytes */
    ck_assert_uint_eq(pkt.wirelen, 154);
    ck_assert_mem_eq(pkt.data, f2.b, 154);
    ck_assert_int_eq(pkt.data[153], 'a' + 99 % 26);

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0); /* and stays at the end */

    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 3);
    ck_assert_uint_eq(st.filtered, 0);
    ck_assert(!st.is_live);
    ck_assert_uint_eq(st.kernel_received + st.kernel_dropped + st.interface_dropped, 0);
    wst_capture_close(cap);
}
END_TEST

/* A snapshot length of 64 keeps 64 bytes of a 154-byte frame. */
START_TEST(test_capture_pcap_snaplen_truncation)
{
    char p[PATH_MAX];
    path_in_dir(p, "snap.pcap");
    struct frame f = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_ACK, 100);
    ck_assert_uint_eq(f.len, 154);
    struct craft_pcap *w = craft_pcap_open(p, 1, 64);
    ck_assert_ptr_nonnull(w);
    craft_pcap_write(w, TS0, f.b, f.len, f.len);
    ck_assert_int_eq(craft_pcap_close(w), 0);
    ck_assert_int_eq(file_size(p), 24 + 16 + 64);

    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_uint_eq(pkt.caplen, 64);
    ck_assert_uint_eq(pkt.wirelen, 154);
    ck_assert_mem_eq(pkt.data, f.b, 64);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    wst_capture_close(cap);
}
END_TEST

/* Every supported LINKTYPE_ in a classic pcap opens with its link. */
static const struct {
    uint32_t linktype;
    enum wst_link link;
} pcap_links[] = {
    {0, WST_LINK_NULL_BSD}, {1, WST_LINK_ETHERNET}, {101, WST_LINK_RAW}, {108, WST_LINK_LOOP},
    {113, WST_LINK_SLL},    {228, WST_LINK_IPV4},   {229, WST_LINK_IPV6}, {276, WST_LINK_SLL2},
};

START_TEST(test_capture_pcap_link_types)
{
    char p[PATH_MAX];
    path_in_dir(p, "link.pcap");
    static const uint8_t bytes[40] = {0x45};
    struct craft_pcap *w = craft_pcap_open(p, pcap_links[_i].linktype, 65535);
    ck_assert_ptr_nonnull(w);
    craft_pcap_write(w, TS0, bytes, sizeof bytes, sizeof bytes);
    ck_assert_int_eq(craft_pcap_close(w), 0);

    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, pcap_links[_i].link);
    ck_assert_uint_eq(pkt.caplen, 40);
    wst_capture_close(cap);
}
END_TEST

/* A file header and no records is an empty capture, not an error. */
START_TEST(test_capture_pcap_header_only)
{
    char p[PATH_MAX];
    path_in_dir(p, "empty.pcap");
    write_syns(p, 0);
    ck_assert_int_eq(file_size(p), 24);
    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 0);
    wst_capture_close(cap);
}
END_TEST

/* ---- pcapng files */

START_TEST(test_capture_pcapng_two_link_types)
{
    char p[PATH_MAX];
    path_in_dir(p, "two.pcapng");
    struct frame e0 = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct frame r1 = tcp_frame(RAW, "2001:db8::1", 40001, "2001:db8::2", 443, CRAFT_SYN, 0);
    struct frame e2 = tcp_frame(ETH, "198.51.100.2", 80, "192.0.2.1", 40000, CRAFT_SYN | CRAFT_ACK, 0);
    ck_assert_uint_eq(r1.len, 60); /* 40 + 20 */
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(craft_pcapng_add_interface(w, 1, 65535), 0);
    ck_assert_uint_eq(craft_pcapng_add_interface(w, 101, 48), 1);
    craft_pcapng_write(w, 0, TS0, e0.b, e0.len, e0.len);
    craft_pcapng_write(w, 1, TS0 + 1, r1.b, r1.len, r1.len); /* cut to 48 */
    craft_pcapng_write(w, 0, TS0 + 2000000, e2.b, e2.len, e2.len);
    ck_assert_int_eq(craft_pcapng_close(w), 0);

    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_ETHERNET);
    ck_assert_uint_eq(pkt.ts_us, TS0);
    ck_assert_uint_eq(pkt.caplen, 54);
    ck_assert_uint_eq(pkt.wirelen, 54);
    ck_assert_mem_eq(pkt.data, e0.b, 54);

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_RAW);
    ck_assert_uint_eq(pkt.ts_us, 1700000000000002ULL);
    ck_assert_uint_eq(pkt.caplen, 48);
    ck_assert_uint_eq(pkt.wirelen, 60);
    ck_assert_mem_eq(pkt.data, r1.b, 48);

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_ETHERNET);
    ck_assert_uint_eq(pkt.ts_us, 1700000002000001ULL);
    ck_assert_mem_eq(pkt.data, e2.b, 54);

    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 3);
    ck_assert_uint_eq(st.filtered, 0);
    wst_capture_close(cap);
}
END_TEST

/* An 802.11 interface in a pcapng file is not an open error: its packets
 * come out with WST_LINK_UNSUPPORTED for the tracker to count. */
START_TEST(test_capture_pcapng_unsupported_interface)
{
    char p[PATH_MAX];
    path_in_dir(p, "wifi.pcapng");
    static const uint8_t bytes[24] = {0x08};
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(craft_pcapng_add_interface(w, 105, 65535), 0);
    craft_pcapng_write(w, 0, TS0, bytes, sizeof bytes, sizeof bytes);
    ck_assert_int_eq(craft_pcapng_close(w), 0);

    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_UNSUPPORTED);
    ck_assert_uint_eq(pkt.caplen, 24);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    wst_capture_close(cap);
}
END_TEST

/* ---- open errors */

START_TEST(test_capture_open_missing_file)
{
    char p[PATH_MAX];
    assert_open_fails(path_in_dir(p, "missing.pcap"), WST_EIO, strerror(ENOENT));
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_capture *cap;
    ck_assert_int_eq(wst_capture_open_file(&cap, p, errbuf), WST_EIO);
    ck_assert_str_eq(errbuf, "No such file or directory");
}
END_TEST

START_TEST(test_capture_open_directory)
{
    char p[PATH_MAX];
    ck_assert_int_eq(mkdir(path_in_dir(p, "adir"), 0700), 0);
    assert_open_fails(p, WST_EIO, "directory");
}
END_TEST

START_TEST(test_capture_open_empty_file)
{
    char p[PATH_MAX];
    write_file(path_in_dir(p, "empty"), "", 0);
    assert_open_fails(p, WST_EFORMAT, "empty");
}
END_TEST

START_TEST(test_capture_open_text_file)
{
    char p[PATH_MAX];
    static const char text[] = "This is a text file, not a capture.\nSecond line.\n";
    write_file(path_in_dir(p, "notes.txt"), text, sizeof text - 1);
    assert_open_fails(p, WST_EFORMAT, "not a pcap or pcapng");
}
END_TEST

/* Shorter than any capture magic: a format error, not a damaged capture. */
START_TEST(test_capture_open_tiny_file)
{
    char p[PATH_MAX];
    write_file(path_in_dir(p, "tiny"), "hi\n", 3);
    assert_open_fails(p, WST_EFORMAT, "not a pcap or pcapng");
}
END_TEST

/* A text file whose first byte is '\n' (0x0A) goes to the pcapng reader,
 * which must refuse it as not pcapng rather than as damaged. */
START_TEST(test_capture_open_text_file_newline_first)
{
    char p[PATH_MAX];
    static const char text[] = "\nleading blank line, then text that is no capture\n";
    write_file(path_in_dir(p, "blank.txt"), text, sizeof text - 1);
    assert_open_fails(p, WST_EFORMAT, "not a pcapng");
}
END_TEST

/* LINKTYPE_IEEE802_11 (105) in a classic pcap is refused at open. */
START_TEST(test_capture_open_unsupported_linktype)
{
    char p[PATH_MAX];
    struct craft_pcap *w = craft_pcap_open(path_in_dir(p, "wifi.pcap"), 105, 65535);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(craft_pcap_close(w), 0);
    assert_open_fails(p, WST_ELINKTYPE, "unsupported link type");
}
END_TEST

/* A pcap magic followed by 6 bytes: a damaged file header, not a text file. */
START_TEST(test_capture_open_truncated_file_header)
{
    char p[PATH_MAX];
    static const uint8_t head[10] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0};
    write_file(path_in_dir(p, "short.pcap"), head, sizeof head);
    assert_open_fails(p, WST_ECORRUPT, "damaged");
}
END_TEST

/* ---- damaged files: the whole packets, then an error */

/* 24-byte header + 3 records of 16 + 54 bytes = 234; cutting 10 bytes
 * leaves the third record's data 44 bytes long. */
START_TEST(test_capture_pcap_truncated_mid_record)
{
    char p[PATH_MAX];
    path_in_dir(p, "cut.pcap");
    write_syns(p, 3);
    ck_assert_int_eq(file_size(p), 234);
    ck_assert_int_eq(truncate(p, 224), 0);

    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc;
    ck_assert_uint_eq(drain(cap, &rc, errbuf), 2);
    ck_assert_int_eq(rc, WST_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(errbuf, "truncated"));
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 2);
    wst_capture_close(cap);
}
END_TEST

/* Cut inside the third record header: 24 + 2 * 70 + 8 = 172 bytes. */
START_TEST(test_capture_pcap_truncated_mid_header)
{
    char p[PATH_MAX];
    path_in_dir(p, "cuthdr.pcap");
    write_syns(p, 3);
    ck_assert_int_eq(truncate(p, 172), 0);

    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc;
    ck_assert_uint_eq(drain(cap, &rc, errbuf), 2);
    ck_assert_int_lt(rc, 0);
    ck_assert_int_eq(rc, WST_ECORRUPT);
    ck_assert_str_ne(errbuf, "");
    wst_capture_close(cap);
}
END_TEST

/* Cut at a record boundary: a shorter, whole file. */
START_TEST(test_capture_pcap_cut_at_record_boundary)
{
    char p[PATH_MAX];
    path_in_dir(p, "two.pcap");
    write_syns(p, 3);
    ck_assert_int_eq(truncate(p, 164), 0);
    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc;
    ck_assert_uint_eq(drain(cap, &rc, errbuf), 2);
    ck_assert_int_eq(rc, 0);
    wst_capture_close(cap);
}
END_TEST

START_TEST(test_capture_pcapng_truncated)
{
    char p[PATH_MAX];
    path_in_dir(p, "cut.pcapng");
    struct frame f = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 1, 65535);
    craft_pcapng_write(w, 0, TS0, f.b, f.len, f.len);
    craft_pcapng_write(w, 0, TS0 + 1, f.b, f.len, f.len);
    ck_assert_int_eq(craft_pcapng_close(w), 0);
    ck_assert_int_eq(truncate(p, file_size(p) - 10), 0);

    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc;
    ck_assert_uint_eq(drain(cap, &rc, errbuf), 1);
    ck_assert_int_eq(rc, WST_ECORRUPT);
    ck_assert_str_ne(errbuf, "");
    wst_capture_close(cap);
}
END_TEST

/* ---- filters */

/*
 * Five packets, three of them TCP with port 80 on either side:
 *   SYN 40000->80 (v4), SYN 40001->443, SYN/ACK 80->40000, UDP 5353->53,
 *   SYN [2001:db8::1]:40002->80 (v6).
 */
static void write_mixed_pcap(const char *path)
{
    struct frame fr[5] = {
        tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0),
        tcp_frame(ETH, "192.0.2.1", 40001, "198.51.100.2", 443, CRAFT_SYN, 0),
        tcp_frame(ETH, "198.51.100.2", 80, "192.0.2.1", 40000, CRAFT_SYN | CRAFT_ACK, 0),
        udp_frame(ETH, "192.0.2.1", 5353, "198.51.100.2", 53),
        tcp_frame(ETH, "2001:db8::1", 40002, "2001:db8::2", 80, CRAFT_SYN, 0),
    };
    struct craft_pcap *w = craft_pcap_open(path, 1, 65535);
    ck_assert_ptr_nonnull(w);
    for (unsigned i = 0; i < 5; i++)
        craft_pcap_write(w, TS0 + i, fr[i].b, fr[i].len, fr[i].len);
    ck_assert_int_eq(craft_pcap_close(w), 0);
}

START_TEST(test_capture_filter_pcap)
{
    char p[PATH_MAX];
    write_mixed_pcap(path_in_dir(p, "mixed.pcap"));
    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_set_filter(cap, "tcp port 80", errbuf), 0);

    struct wst_packet pkt;
    static const uint64_t want_ts[3] = {TS0, TS0 + 2, TS0 + 4};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
        ck_assert_uint_eq(pkt.ts_us, want_ts[i]);
    }
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);

    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 5);
    ck_assert_uint_eq(st.filtered, 2);
    wst_capture_close(cap);
}
END_TEST

/* Without a filter every packet is handed out. */
START_TEST(test_capture_no_filter_pcap)
{
    char p[PATH_MAX];
    write_mixed_pcap(path_in_dir(p, "mixed.pcap"));
    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    int rc;
    ck_assert_uint_eq(drain(cap, &rc, errbuf), 5);
    ck_assert_int_eq(rc, 0);
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 5);
    ck_assert_uint_eq(st.filtered, 0);
    wst_capture_close(cap);
}
END_TEST

/*
 * pcapng with an Ethernet and a raw-IP interface; the filter is compiled
 * per link type. Passing: the Ethernet SYN to 80 and the raw SYN to 80.
 */
START_TEST(test_capture_filter_pcapng)
{
    char p[PATH_MAX];
    path_in_dir(p, "mixed.pcapng");
    struct frame e80 = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct frame r80 = tcp_frame(RAW, "192.0.2.7", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct frame r443 = tcp_frame(RAW, "192.0.2.7", 40001, "198.51.100.2", 443, CRAFT_SYN, 0);
    struct frame eudp = udp_frame(ETH, "192.0.2.1", 5353, "198.51.100.2", 53);
    struct frame e443 = tcp_frame(ETH, "192.0.2.1", 40003, "198.51.100.2", 443, CRAFT_SYN, 0);
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 1, 65535);
    craft_pcapng_add_interface(w, 101, 65535);
    craft_pcapng_write(w, 0, TS0, e80.b, e80.len, e80.len);
    craft_pcapng_write(w, 1, TS0 + 1, r80.b, r80.len, r80.len);
    craft_pcapng_write(w, 1, TS0 + 2, r443.b, r443.len, r443.len);
    craft_pcapng_write(w, 0, TS0 + 3, eudp.b, eudp.len, eudp.len);
    craft_pcapng_write(w, 0, TS0 + 4, e443.b, e443.len, e443.len);
    ck_assert_int_eq(craft_pcapng_close(w), 0);

    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_set_filter(cap, "tcp port 80", errbuf), 0);
    struct wst_packet pkt;
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_ETHERNET);
    ck_assert_uint_eq(pkt.ts_us, TS0);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_RAW);
    ck_assert_uint_eq(pkt.ts_us, TS0 + 1);
    ck_assert_mem_eq(pkt.data, r80.b, r80.len);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);

    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 5);
    ck_assert_uint_eq(st.filtered, 3);
    wst_capture_close(cap);
}
END_TEST

/* A link type the filter cannot be compiled for passes unfiltered. */
START_TEST(test_capture_filter_pcapng_unsupported_link)
{
    char p[PATH_MAX];
    path_in_dir(p, "wifi.pcapng");
    static const uint8_t bytes[24] = {0x08};
    struct frame e443 = tcp_frame(ETH, "192.0.2.1", 40003, "198.51.100.2", 443, CRAFT_SYN, 0);
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 105, 65535);
    craft_pcapng_add_interface(w, 1, 65535);
    craft_pcapng_write(w, 0, TS0, bytes, sizeof bytes, sizeof bytes);
    craft_pcapng_write(w, 1, TS0 + 1, e443.b, e443.len, e443.len);
    ck_assert_int_eq(craft_pcapng_close(w), 0);

    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_set_filter(cap, "tcp port 80", errbuf), 0);
    struct wst_packet pkt;
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(pkt.link, WST_LINK_UNSUPPORTED);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 2);
    ck_assert_uint_eq(st.filtered, 1);
    wst_capture_close(cap);
}
END_TEST

START_TEST(test_capture_filter_bad_pcap)
{
    char p[PATH_MAX];
    write_syns(path_in_dir(p, "syn.pcap"), 1);
    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_set_filter(cap, "tcp prot 80", errbuf), WST_EFILTER);
    ck_assert_ptr_nonnull(strstr(errbuf, "bad filter expression 'tcp prot 80'"));
    ck_assert_ptr_null(strchr(errbuf, '\n'));
    wst_capture_close(cap);
}
END_TEST

START_TEST(test_capture_filter_bad_pcapng)
{
    char p[PATH_MAX];
    path_in_dir(p, "syn.pcapng");
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 1, 65535);
    ck_assert_int_eq(craft_pcapng_close(w), 0);
    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_set_filter(cap, "port 99999", errbuf), WST_EFILTER);
    ck_assert_ptr_nonnull(strstr(errbuf, "bad filter expression 'port 99999'"));
    wst_capture_close(cap);
}
END_TEST

/* ---- filters and VLAN tags: as the live kernel filter sees them */

/* An Ethernet TCP SYN to dport inside `tags` VLAN tags (0 to 3; 2 is QinQ: an 802.1ad tag, then 802.1Q). */
static struct frame tagged_frame(int tags, uint16_t dport)
{
    static struct craft c;
    static const uint16_t tpid[3] = {CRAFT_ETH_QINQ, CRAFT_ETH_VLAN, CRAFT_ETH_VLAN};
    struct frame f;
    craft_init(&c);
    const uint16_t *t = tpid + (tags == 1 ? 1 : 0);
    craft_eth(&c, tags ? t[0] : CRAFT_ETH_IPV4);
    for (int i = 0; i < tags; i++)
        craft_vlan(&c, (uint16_t)(100 + i), i + 1 < tags ? t[i + 1] : CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.1", "198.51.100.2", CRAFT_IP_TCP);
    craft_tcp(&c, 40000, dport, 1000, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    f.len = (uint32_t)craft_finish(&c);
    memcpy(f.b, c.buf, f.len);
    return f;
}

/* The frames of the VLAN tests: index i has tags vlan_tags[i] and port vlan_ports[i]. */
static const int vlan_tags[] = {0, 1, 2, 0, 1, 2, 3};
static const uint16_t vlan_ports[] = {8080, 8080, 8080, 80, 80, 80, 8080};
enum { N_VLAN_FRAMES = 7 };

/* Writes the frames, one microsecond apart from TS0, as classic pcap or pcapng. */
static void write_vlan_frames(const char *path, bool pcapng)
{
    struct craft_pcap *w = pcapng ? NULL : craft_pcap_open(path, 1, 65535);
    struct craft_pcapng *ng = pcapng ? craft_pcapng_open(path) : NULL;
    ck_assert(w != NULL || ng != NULL);
    if (ng)
        craft_pcapng_add_interface(ng, 1, 65535);
    for (int i = 0; i < N_VLAN_FRAMES; i++) {
        struct frame f = tagged_frame(vlan_tags[i], vlan_ports[i]);
        if (ng)
            craft_pcapng_write(ng, 0, TS0 + (uint64_t)i, f.b, f.len, f.len);
        else
            craft_pcap_write(w, TS0 + (uint64_t)i, f.b, f.len, f.len);
    }
    ck_assert_int_eq(ng ? craft_pcapng_close(ng) : craft_pcap_close(w), 0);
}

/* The indices of the packets of path that pass expr, as a bit set; each packet handed out is the frame as written. */
static unsigned passing(const char *path, const char *expr)
{
    struct wst_capture *cap = open_ok(path);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_msg(wst_capture_set_filter(cap, expr, errbuf) == 0, "%s: %s", expr, errbuf);
    unsigned set = 0;
    struct wst_packet pkt;
    int rc;
    while ((rc = wst_capture_next(cap, &pkt, errbuf)) > 0) {
        unsigned i = (unsigned)(pkt.ts_us - TS0);
        ck_assert_uint_lt(i, 32);
        set |= 1u << i;
    }
    ck_assert_int_eq(rc, 0);
    wst_capture_close(cap);
    return set;
}

/*
 * An expression that does not name VLANs sees the packet inside up to two
 * tags, as a live filter does on Linux, where the kernel takes the outer
 * tag off before the filter runs: `tcp port 8080` finds the tagged and the
 * QinQ connections, `not tcp port 8080` none of them. Classic pcap (_i 0)
 * and pcapng (_i 1) alike.
 */
START_TEST(test_capture_filter_through_vlan_tags)
{
    char p[PATH_MAX];
    write_vlan_frames(path_in_dir(p, _i ? "vlan.pcapng" : "vlan.pcap"), _i == 1);
    ck_assert_uint_eq(passing(p, "tcp port 8080"), 0x07);              /* untagged, tagged, QinQ */
    ck_assert_uint_eq(passing(p, "tcp port 80"), 0x38);
    ck_assert_uint_eq(passing(p, "tcp port 80 or tcp port 8080"), 0x3f);
    ck_assert_uint_eq(passing(p, "not tcp port 8080"), 0x78);          /* three tags: beyond the two looked through */
    ck_assert_uint_eq(passing(p, "ip and dst port 80"), 0x38);
    ck_assert_uint_eq(passing(p, "ether src 02:00:00:00:00:01"), 0x7f); /* the link layer is the same */
}
END_TEST

/* An expression that names VLANs (or MPLS, PPPoE ...) is libpcap's, as written. */
START_TEST(test_capture_filter_naming_vlan_as_written)
{
    char p[PATH_MAX];
    write_vlan_frames(path_in_dir(p, "vlan.pcap"), false);
    ck_assert_uint_eq(passing(p, "vlan and tcp port 8080"), 0x02); /* tcp right after the first tag */
    ck_assert_uint_eq(passing(p, "vlan and vlan and tcp port 8080"), 0x04);
    ck_assert_uint_eq(passing(p, "tcp port 8080 or vlan"), 0x77); /* as written: untagged 8080, and all that is tagged */
    ck_assert_uint_eq(passing(p, "not vlan"), 0x09);
    ck_assert_uint_eq(passing(p, "tcp port 8080 or mpls"), 0x01);
}
END_TEST

/* A Linux cooked (v1, -i any) TCP SYN to dport; tagged: with the 802.1Q tag libpcap writes back in. */
static struct frame sll_frame(bool tagged, uint16_t dport)
{
    static struct craft c;
    struct frame f;
    craft_init(&c);
    craft_sll(&c, 0, tagged ? CRAFT_ETH_VLAN : CRAFT_ETH_IPV4);
    if (tagged)
        craft_vlan(&c, 100, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.1", "198.51.100.2", CRAFT_IP_TCP);
    craft_tcp(&c, 40000, dport, 1000, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    f.len = (uint32_t)craft_finish(&c);
    memcpy(f.b, c.buf, f.len);
    return f;
}

/*
 * A cooked frame's tag, put back by libpcap from the kernel's metadata, was
 * not there for the live filter: the file's filter does not see it either,
 * and the packet is handed out as written, tag included.
 */
START_TEST(test_capture_filter_sll_without_its_tag)
{
    char p[PATH_MAX];
    path_in_dir(p, "sll.pcap");
    struct frame frames[3] = {sll_frame(false, 8080), sll_frame(true, 8080), sll_frame(true, 80)};
    struct craft_pcap *w = craft_pcap_open(p, 113, 65535);
    ck_assert_ptr_nonnull(w);
    for (int i = 0; i < 3; i++)
        craft_pcap_write(w, TS0 + (uint64_t)i, frames[i].b, frames[i].len, frames[i].len);
    ck_assert_int_eq(craft_pcap_close(w), 0);
    ck_assert_uint_eq(passing(p, "tcp port 8080"), 0x03);
    ck_assert_uint_eq(passing(p, "not tcp port 8080"), 0x04);
    ck_assert_uint_eq(passing(p, "ip"), 0x07);

    struct wst_capture *cap = open_ok(p);
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_set_filter(cap, "tcp port 8080", errbuf), 0);
    struct wst_packet pkt;
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_uint_eq(pkt.caplen, frames[1].len);
    ck_assert_mem_eq(pkt.data, frames[1].b, frames[1].len);
    wst_capture_close(cap);
}
END_TEST

/* The recorded captures of pcaps/: the tagged connections of `tcp port 80`, found (tcpdump -r counts the same
 * packets with the expression written out as through_vlan_tags() writes it). */
START_TEST(test_capture_filter_recorded_vlan_captures)
{
    static const struct {
        const char *file;
        unsigned read, passed;
    } cases[] = {
        {"vlan.pcap", 18, 17}, /* all but the one inside a VN-Tag, which libpcap does not decode */
        {"qinq.pcap", 9, 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/pcaps/%s", WST_SOURCE_DIR, cases[i].file);
        struct wst_capture *cap = open_ok(p);
        char errbuf[WST_ERRBUF_SIZE] = "";
        ck_assert_int_eq(wst_capture_set_filter(cap, "tcp port 80", errbuf), 0);
        int rc;
        unsigned n = drain(cap, &rc, errbuf);
        ck_assert_int_eq(rc, 0);
        struct wst_capture_stats st;
        wst_capture_stats(cap, &st);
        ck_assert_uint_eq(st.read, cases[i].read);
        ck_assert_msg(n == cases[i].passed, "%s: %u packets passed", cases[i].file, n);
        wst_capture_close(cap);
    }
}
END_TEST

/* ---- break */

START_TEST(test_capture_break_stops_reading)
{
    char p[PATH_MAX];
    write_syns(path_in_dir(p, "syn.pcap"), 3);
    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    wst_capture_break(cap);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    ck_assert_uint_eq(st.read, 1);
    wst_capture_close(cap);
}
END_TEST

START_TEST(test_capture_break_before_first_read)
{
    char p[PATH_MAX];
    path_in_dir(p, "syn.pcapng");
    struct frame f = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 1, 65535);
    craft_pcapng_write(w, 0, TS0, f.b, f.len, f.len);
    ck_assert_int_eq(craft_pcapng_close(w), 0);
    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    wst_capture_break(cap);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    wst_capture_close(cap);
    wst_capture_close(NULL);
}
END_TEST

/* ---- live captures (root, or CAP_NET_RAW, on the loopback interface) */

/* Whether this process may open live captures; a test that needs it says why it stops. */
static bool can_capture(const char *test)
{
    if (geteuid() == 0)
        return true;
    fprintf(stderr, "%s: not root, live capture not tested\n", test);
    return false;
}

/*
 * The size in KiB of the packet socket ring this process has mapped (libpcap
 * maps the kernel's capture buffer: /proc/self/maps shows it as
 * socket:[inode]); 0 if none. Assumes at most one.
 */
static unsigned long ring_kib(void)
{
    FILE *fp = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(fp);
    char line[512];
    unsigned long kib = 0;
    while (fgets(line, sizeof line, fp)) {
        unsigned long lo, hi;
        if (strstr(line, "socket:[") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
            kib += (hi - lo) / 1024;
    }
    fclose(fp);
    return kib;
}

/* -B: the kernel's buffer is the size asked for (rounded up to whole ring frames), not a fixed one. */
START_TEST(test_capture_live_buffer_size)
{
    if (!can_capture(__func__))
        return;
    static const uint32_t sizes_kib[] = {64, 8192, 32768};
    for (size_t i = 0; i < sizeof sizes_kib / sizeof sizes_kib[0]; i++) {
        struct wst_capture *cap = NULL;
        char errbuf[WST_ERRBUF_SIZE] = "";
        ck_assert_msg(wst_capture_open_live(&cap, "lo", 1024, sizes_kib[i], errbuf) == 0, "%s", errbuf);
        unsigned long kib = ring_kib();
        ck_assert_msg(kib >= sizes_kib[i] && kib < 2 * sizes_kib[i], "asked for %" PRIu32 " KiB, the ring has %lu",
                      sizes_kib[i], kib);
        wst_capture_close(cap);
        ck_assert_uint_eq(ring_kib(), 0);
    }
}
END_TEST

/* libpcap takes the buffer in bytes as an int: 2 GiB or more is refused before anything is opened. */
START_TEST(test_capture_live_buffer_too_large)
{
    struct wst_capture *cap = (struct wst_capture *)&cap;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_open_live(&cap, "lo", 1024, 2097152, errbuf), WST_EUSAGE);
    ck_assert_ptr_null(cap);
    ck_assert_str_eq(errbuf, "a capture buffer of 2097152 KiB is beyond libpcap's 2 GiB");
}
END_TEST

/* ---- giving up root (-Z) */

/*
 * The child's checks after wst_capture_drop_privileges("nobody"), each
 * failure its own exit status (ck_assert cannot be used in a child of our
 * own fork): 0 all held.
 */
static int dropped_to_nobody(void)
{
    const struct passwd *pw = getpwnam("nobody");
    if (pw == NULL)
        return 10;
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    /* The groups nobody should end with, and root's own (0, and 4 as a stand-in
     * for a group such as adm) that it must not keep. */
    gid_t want[64];
    int n_want = 64;
    if (getgrouplist("nobody", gid, want, &n_want) < 0)
        return 9;
    const gid_t roots[] = {0, 4};
    if (setgroups(2, roots) != 0)
        return 9;
    /* A live capture opened as root keeps working after the change. */
    struct wst_capture *cap = NULL;
    char errbuf[WST_ERRBUF_SIZE] = "";
    if (wst_capture_open_live(&cap, "lo", 1024, 64, errbuf) != 0)
        return 11;
    if (wst_capture_drop_privileges("nobody", errbuf) != 0) {
        fprintf(stderr, "drop: %s\n", errbuf);
        return 12;
    }
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || ru != uid || eu != uid || su != uid)
        return 13;
    if (getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid || sg != gid)
        return 14;
    gid_t groups[64];
    int n = getgroups(64, groups);
    if (n < 0)
        return 15;
    for (int i = 0; i < n; i++) {
        bool wanted = false;
        for (int j = 0; j < n_want; j++)
            wanted |= groups[i] == want[j];
        if (!wanted)
            return 16; /* a group of root's kept */
    }
    for (int j = 0; j < n_want; j++) {
        bool there = false;
        for (int i = 0; i < n; i++)
            there |= groups[i] == want[j];
        if (!there)
            return 16; /* a group of nobody's missing */
    }
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
        return 17;
    /* No capability is left either. */
    FILE *fp = fopen("/proc/self/status", "r");
    if (fp == NULL)
        return 18;
    char line[256];
    int cap_ok = 0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "CapPrm:", 7) == 0)
            cap_ok += strspn(line + 7, " \t0") == strlen(line + 7) - 1;
    }
    fclose(fp);
    if (cap_ok != 2)
        return 19;
    struct wst_capture_stats st;
    wst_capture_stats(cap, &st);
    wst_capture_close(cap);
    return st.is_live ? 0 : 20;
}

/* Runs fn in a child process and returns its exit status (-1 if it did not exit). */
static int in_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(fn());
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_capture_drop_privileges_to_nobody)
{
    if (!can_capture(__func__))
        return;
    ck_assert_int_eq(in_child(dropped_to_nobody), 0);
}
END_TEST

/* -Z root keeps root: nothing to give up. */
static int kept_root(void)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    uid_t before = geteuid();
    if (wst_capture_drop_privileges("root", errbuf) != 0)
        return 1;
    return geteuid() == before && getuid() == before ? 0 : 2;
}

START_TEST(test_capture_drop_privileges_root_stays)
{
    if (!can_capture(__func__))
        return;
    ck_assert_int_eq(in_child(kept_root), 0);
}
END_TEST

/* Without root, the first step fails, and says so. */
static int not_root_refused(void)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
        return 1;
    if (wst_capture_drop_privileges("daemon", errbuf) != WST_EPERM)
        return 2;
    if (strcmp(errbuf, "cannot drop privileges: initgroups: Operation not permitted (giving up root needs root)") != 0) {
        fprintf(stderr, "message: %s\n", errbuf);
        return 3;
    }
    return getuid() != 0 ? 0 : 4;
}

START_TEST(test_capture_drop_privileges_needs_root)
{
    ck_assert_int_eq(in_child(not_root_refused), 0);
}
END_TEST

START_TEST(test_capture_drop_privileges_unknown_user)
{
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_drop_privileges("wst-no-such-user", errbuf), WST_EUSAGE);
    ck_assert_str_eq(errbuf, "no such user");
}
END_TEST

/* ---- classic pcap files: the same as through libpcap */

/* What reading a file gave: every packet folded into a digest, and the end. */
struct outcome {
    int open_rc;
    unsigned packets;
    uint64_t digest;
    int end_rc;
    char msg[WST_ERRBUF_SIZE]; /* of the failed open or read; "" if none */
};

static uint64_t fold(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fold_packet(uint64_t h, const struct wst_packet *pkt)
{
    uint32_t link = (uint32_t)pkt->link;
    h = fold(h, &pkt->ts_us, sizeof pkt->ts_us);
    h = fold(h, &pkt->caplen, sizeof pkt->caplen);
    h = fold(h, &pkt->wirelen, sizeof pkt->wirelen);
    h = fold(h, &link, sizeof link);
    return fold(h, pkt->data, pkt->caplen);
}

/*
 * The file as wirestate read classic pcap files through libpcap before it
 * had a reader of its own: pcap_fopen_offline(), pcap_next_ex(), and the
 * same mapping of libpcap's results to codes and messages.
 */
static void read_with_libpcap(const char *path, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->digest = 0xcbf29ce484222325ULL;
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    int first = getc(fp);
    if (first == EOF) {
        snprintf(o->msg, sizeof o->msg, "empty file, not a pcap or pcapng capture");
        o->open_rc = WST_EFORMAT;
        fclose(fp);
        return;
    }
    ungetc(first, fp);
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == NULL) {
        if (strstr(err, "unknown file format") || strstr(err, "read 4 file header bytes")) {
            snprintf(o->msg, sizeof o->msg, "not a pcap or pcapng capture (unknown file format)");
            o->open_rc = WST_EFORMAT;
        } else {
            snprintf(o->msg, sizeof o->msg, "damaged capture file: %s", err);
            o->open_rc = WST_ECORRUPT;
        }
        fclose(fp);
        return;
    }
    int dlt = pcap_datalink(p);
    enum wst_link link = wst_link_from_dlt(dlt);
    if (link == WST_LINK_UNSUPPORTED) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(o->msg, sizeof o->msg, "unsupported link type %s (%d)", name ? name : "unknown", dlt);
        o->open_rc = WST_ELINKTYPE;
        pcap_close(p);
        return;
    }
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        struct wst_packet pkt = {
            .ts_us = (uint64_t)(uint32_t)hdr->ts.tv_sec * WST_US_PER_S + (wst_ts_us)hdr->ts.tv_usec,
            .caplen = hdr->caplen,
            .wirelen = hdr->len < hdr->caplen ? hdr->caplen : hdr->len,
            .link = link,
            .data = data,
        };
        o->digest = fold_packet(o->digest, &pkt);
        o->packets++;
    }
    if (rc != PCAP_ERROR_BREAK) {
        snprintf(o->msg, sizeof o->msg, "damaged capture file: %s", pcap_geterr(p));
        o->end_rc = WST_ECORRUPT;
    }
    pcap_close(p);
}

static void read_with_capture(const char *path, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->digest = 0xcbf29ce484222325ULL;
    struct wst_capture *cap = NULL;
    o->open_rc = wst_capture_open_file(&cap, path, o->msg);
    if (o->open_rc < 0)
        return;
    o->msg[0] = '\0';
    struct wst_packet pkt;
    int rc;
    while ((rc = wst_capture_next(cap, &pkt, o->msg)) > 0) {
        o->digest = fold_packet(o->digest, &pkt);
        o->packets++;
    }
    o->end_rc = rc;
    wst_capture_close(cap);
}

/* ---- writing what is read (-w) */

/*
 * Reads every packet of the sources (a filter, when given, set on each
 * first) with a dump to `out` attached, folding them as read_with_capture()
 * does; *dump_rc is what closing the dump returned, with its text in
 * dump_msg. Returns the number of packets.
 */
static unsigned read_and_dump(const char *const *paths, size_t n, const char *filter, const char *out,
                              uint64_t *digest, int *dump_rc, char *dump_msg)
{
    struct wst_capture *caps[4];
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_uint_le(n, 4);
    for (size_t i = 0; i < n; i++) {
        caps[i] = open_ok(paths[i]);
        if (filter)
            ck_assert_int_eq(wst_capture_set_filter(caps[i], filter, errbuf), 0);
    }
    struct wst_capture_dump *d = NULL;
    ck_assert_msg(wst_capture_dump_open(&d, out, caps, n, errbuf) == 0, "%s", errbuf);
    ck_assert_ptr_nonnull(d);
    unsigned packets = 0;
    *digest = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        struct wst_packet pkt;
        int rc;
        while ((rc = wst_capture_next(caps[i], &pkt, errbuf)) > 0) {
            *digest = fold_packet(*digest, &pkt);
            packets++;
        }
        ck_assert_int_eq(rc, 0);
    }
    dump_msg[0] = '\0';
    *dump_rc = wst_capture_dump_close(d, dump_msg);
    for (size_t i = 0; i < n; i++)
        wst_capture_close(caps[i]);
    return packets;
}

/* The first `n` bytes of a file. */
static void file_head(const char *path, uint8_t *buf, size_t n)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fread(buf, 1, n, fp), n);
    fclose(fp);
}

static uint32_t host32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A classic file is written as classic pcap with its link type and snap length, and reads back the same,
 * through wirestate's reader and through libpcap's. */
START_TEST(test_capture_dump_classic)
{
    char src[PATH_MAX], out[PATH_MAX], msg[WST_ERRBUF_SIZE];
    write_syns(path_in_dir(src, "syn.pcap"), 4);
    path_in_dir(out, "out.pcap");
    const char *paths[] = {src};
    uint64_t digest;
    int rc;
    ck_assert_uint_eq(read_and_dump(paths, 1, NULL, out, &digest, &rc, msg), 4);
    ck_assert_msg(rc == 0, "%s", msg);

    uint8_t h[24];
    file_head(out, h, sizeof h);
    ck_assert_uint_eq(host32(h), 0xA1B2C3D4u); /* microseconds, the host's byte order */
    ck_assert_uint_eq(h[4] | h[5] << 8 | h[6] << 16 | h[7] << 24, 2 | 4 << 16);
    ck_assert_uint_eq(host32(h + 16), 65535);  /* write_syns()'s snap length */
    ck_assert_uint_eq(host32(h + 20), 1);      /* Ethernet */
    ck_assert_int_eq(file_size(out), 24 + 4 * (16 + 54));

    struct outcome again, libpcap;
    read_with_capture(out, &again);
    ck_assert_int_eq(again.end_rc, 0);
    ck_assert_uint_eq(again.packets, 4);
    ck_assert_uint_eq(again.digest, digest);
    read_with_libpcap(out, &libpcap);
    ck_assert_int_eq(libpcap.end_rc, 0);
    ck_assert_uint_eq(libpcap.digest, digest);
}
END_TEST

/* What the filter rejects is not written (tcpdump's -w writes what it captures). */
START_TEST(test_capture_dump_after_filter)
{
    char src[PATH_MAX], out[PATH_MAX], msg[WST_ERRBUF_SIZE];
    write_syns(path_in_dir(src, "syn.pcap"), 4);
    path_in_dir(out, "out.pcap");
    const char *paths[] = {src};
    uint64_t digest;
    int rc;
    ck_assert_uint_eq(read_and_dump(paths, 1, "src port 40001 or src port 40003", out, &digest, &rc, msg), 2);
    ck_assert_int_eq(rc, 0);
    struct outcome again;
    read_with_capture(out, &again);
    ck_assert_uint_eq(again.packets, 2);
    ck_assert_uint_eq(again.digest, digest);
}
END_TEST

/* A pcapng source is written as pcapng, each packet under an interface of its own link type. */
START_TEST(test_capture_dump_pcapng_two_link_types)
{
    char src[PATH_MAX], out[PATH_MAX], msg[WST_ERRBUF_SIZE];
    path_in_dir(src, "two.pcapng");
    struct frame e0 = tcp_frame(ETH, "192.0.2.1", 40000, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct frame r1 = tcp_frame(RAW, "2001:db8::1", 40001, "2001:db8::2", 443, CRAFT_SYN, 0);
    struct craft_pcapng *w = craft_pcapng_open(src);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 1, 65535);
    craft_pcapng_add_interface(w, 101, 48);
    craft_pcapng_add_interface(w, 1, 65535); /* the same as the first: one interface when written */
    craft_pcapng_write(w, 0, TS0, e0.b, e0.len, e0.len);
    craft_pcapng_write(w, 1, TS0 + 1, r1.b, r1.len, r1.len); /* cut to 48 of 60 */
    craft_pcapng_write(w, 2, TS0 + 2, e0.b, e0.len, e0.len);
    craft_pcapng_write(w, 0, 5000000000000000ULL, e0.b, e0.len, e0.len); /* past 2106: 64-bit timestamps */
    ck_assert_int_eq(craft_pcapng_close(w), 0);
    path_in_dir(out, "out.pcapng");
    const char *paths[] = {src};
    uint64_t digest;
    int rc;
    ck_assert_uint_eq(read_and_dump(paths, 1, NULL, out, &digest, &rc, msg), 4);
    ck_assert_msg(rc == 0, "%s", msg);

    uint8_t h[4];
    file_head(out, h, sizeof h);
    ck_assert_uint_eq(host32(h), 0x0A0D0D0Au);
    /* SHB, two IDBs, four EPBs (32 bytes and the data padded to 4). */
    ck_assert_int_eq(file_size(out), 28 + 2 * 20 + 3 * (32 + 56) + (32 + 48));
    struct outcome again;
    read_with_capture(out, &again);
    ck_assert_int_eq(again.end_rc, 0);
    ck_assert_uint_eq(again.packets, 4);
    ck_assert_uint_eq(again.digest, digest);
}
END_TEST

/* Classic files of two link types make a pcapng file; of one link type, a classic one with the largest snap
 * length. */
START_TEST(test_capture_dump_several_sources)
{
    char eth[PATH_MAX], eth_short[PATH_MAX], raw[PATH_MAX], out[PATH_MAX], msg[WST_ERRBUF_SIZE];
    write_syns(path_in_dir(eth, "eth.pcap"), 2);
    struct frame e = tcp_frame(ETH, "192.0.2.9", 40009, "198.51.100.2", 80, CRAFT_SYN, 0);
    struct craft_pcap *w = craft_pcap_open(path_in_dir(eth_short, "eth-short.pcap"), 1, 128);
    ck_assert_ptr_nonnull(w);
    craft_pcap_write(w, TS0 + 9, e.b, e.len, e.len);
    ck_assert_int_eq(craft_pcap_close(w), 0);
    struct frame r = tcp_frame(RAW, "192.0.2.7", 40007, "198.51.100.2", 80, CRAFT_SYN, 0);
    w = craft_pcap_open(path_in_dir(raw, "raw.pcap"), 101, 65535);
    ck_assert_ptr_nonnull(w);
    craft_pcap_write(w, TS0 + 7, r.b, r.len, r.len);
    ck_assert_int_eq(craft_pcap_close(w), 0);

    uint64_t digest;
    int rc;
    uint8_t h[24];
    struct outcome again;
    const char *same[] = {eth_short, eth};
    path_in_dir(out, "same.pcap");
    ck_assert_uint_eq(read_and_dump(same, 2, NULL, out, &digest, &rc, msg), 3);
    ck_assert_int_eq(rc, 0);
    file_head(out, h, sizeof h);
    ck_assert_uint_eq(host32(h), 0xA1B2C3D4u);
    ck_assert_uint_eq(host32(h + 16), 65535);
    ck_assert_uint_eq(host32(h + 20), 1);
    read_with_capture(out, &again);
    ck_assert_uint_eq(again.digest, digest);

    const char *mixed[] = {eth, raw};
    path_in_dir(out, "mixed.pcapng");
    ck_assert_uint_eq(read_and_dump(mixed, 2, NULL, out, &digest, &rc, msg), 3);
    ck_assert_int_eq(rc, 0);
    file_head(out, h, 4);
    ck_assert_uint_eq(host32(h), 0x0A0D0D0Au);
    read_with_capture(out, &again);
    ck_assert_uint_eq(again.packets, 3);
    ck_assert_uint_eq(again.digest, digest); /* links included: the raw packet is still raw */
}
END_TEST

/* A file being read is never the one written: it would be emptied. */
START_TEST(test_capture_dump_refuses_a_source)
{
    char src[PATH_MAX], link[PATH_MAX];
    write_syns(path_in_dir(src, "syn.pcap"), 2);
    long size = file_size(src);
    ck_assert_int_eq(symlink(src, path_in_dir(link, "alias.pcap")), 0);
    struct wst_capture *cap = open_ok(src);
    struct wst_capture_dump *d = (struct wst_capture_dump *)&d;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_dump_open(&d, link, &cap, 1, errbuf), WST_EUSAGE);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(errbuf, "is also a capture being read: writing it would destroy it");
    ck_assert_int_eq(file_size(src), size);
    wst_capture_close(cap);
}
END_TEST

/* A device that refuses the header fails the open; nothing is attached. */
START_TEST(test_capture_dump_full_device)
{
    char src[PATH_MAX];
    write_syns(path_in_dir(src, "syn.pcap"), 1);
    struct wst_capture *cap = open_ok(src);
    struct wst_capture_dump *d = NULL;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_dump_open(&d, "/dev/full", &cap, 1, errbuf), WST_EIO);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(errbuf, "write error: No space left on device");
    struct wst_packet pkt;
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    wst_capture_close(cap);
    ck_assert_int_eq(wst_capture_dump_open(&d, "/nonexistent-dir/x.pcap", &cap, 0, errbuf), WST_EIO);
    ck_assert_str_eq(errbuf, "No such file or directory");
}
END_TEST

/*
 * A write that fails part way (a file size limit) does not stop the reading:
 * every packet is still handed out, and closing the dump reports the first
 * failure. Run in a child, whose limit does not outlive it.
 */
static int dump_over_size_limit(void)
{
    char src[PATH_MAX], out[PATH_MAX], errbuf[WST_ERRBUF_SIZE] = "";
    path_in_dir(src, "syn.pcap");
    path_in_dir(out, "out.pcap");
    signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG */
    struct rlimit lim = {.rlim_cur = 100, .rlim_max = RLIM_INFINITY};
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
        return 1;
    struct wst_capture *cap = NULL;
    struct wst_capture_dump *d = NULL;
    if (wst_capture_open_file(&cap, src, errbuf) != 0 || wst_capture_dump_open(&d, out, &cap, 1, errbuf) != 0)
        return 2;
    struct wst_packet pkt;
    unsigned n = 0;
    int rc;
    while ((rc = wst_capture_next(cap, &pkt, errbuf)) > 0)
        n++;
    if (rc != 0 || n != 10)
        return 3;
    if (wst_capture_dump_close(d, errbuf) != WST_EIO || strcmp(errbuf, "write error: File too large") != 0)
        return 4;
    wst_capture_close(cap);
    return 0;
}

START_TEST(test_capture_dump_error_part_way)
{
    char src[PATH_MAX];
    write_syns(path_in_dir(src, "syn.pcap"), 10);
    ck_assert_int_eq(in_child(dump_over_size_limit), 0);
}
END_TEST

/* The end of a source writes out what the dump holds, before it is closed. */
START_TEST(test_capture_dump_flushed_at_end)
{
    char src[PATH_MAX], out[PATH_MAX];
    write_syns(path_in_dir(src, "syn.pcap"), 3);
    struct wst_capture *cap = open_ok(src);
    struct wst_capture_dump *d = NULL;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_dump_open(&d, path_in_dir(out, "out.pcap"), &cap, 1, errbuf), 0);
    ck_assert_int_eq(file_size(out), 24); /* the header at once */
    struct wst_packet pkt;
    while (wst_capture_next(cap, &pkt, errbuf) > 0)
        ck_assert_int_eq(file_size(out), 24); /* buffered */
    ck_assert_int_eq(file_size(out), 24 + 3 * (16 + 54));
    /* A stop (Ctrl-C) flushes too. */
    ck_assert_int_eq(wst_capture_dump_close(d, errbuf), 0);
    wst_capture_close(cap);

    write_syns(src, 3);
    cap = open_ok(src);
    ck_assert_int_eq(wst_capture_dump_open(&d, out, &cap, 1, errbuf), 0);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_int_eq(file_size(out), 24);
    wst_capture_break(cap);
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 0);
    ck_assert_int_eq(file_size(out), 24 + 16 + 54);
    ck_assert_int_eq(wst_capture_dump_flush(d, errbuf), 0);
    ck_assert_int_eq(wst_capture_dump_close(d, errbuf), 0);
    wst_capture_close(cap);
}
END_TEST

/* A live capture is written with its link type and its snap length; -s 0 is 262144. */
START_TEST(test_capture_dump_live_header)
{
    if (!can_capture(__func__))
        return;
    char out[PATH_MAX], errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_capture *cap = NULL;
    ck_assert_msg(wst_capture_open_live(&cap, "lo", 262144, 64, errbuf) == 0, "%s", errbuf);
    struct wst_capture_dump *d = NULL;
    ck_assert_int_eq(wst_capture_dump_open(&d, path_in_dir(out, "live.pcap"), &cap, 1, errbuf), 0);
    ck_assert_int_eq(wst_capture_dump_close(d, errbuf), 0);
    wst_capture_close(cap);
    uint8_t h[24];
    file_head(out, h, sizeof h);
    ck_assert_uint_eq(host32(h), 0xA1B2C3D4u);
    ck_assert_uint_eq(host32(h + 16), 262144);
    ck_assert_uint_eq(host32(h + 20), 1); /* lo is Ethernet to libpcap */
}
END_TEST

/* Both ways; a read error is WST_EIO now (it was WST_ECORRUPT), the text the same. */
static void expect_same_as_libpcap(const char *path)
{
    struct outcome want, got;
    read_with_libpcap(path, &want);
    read_with_capture(path, &got);
    if (got.end_rc == WST_EIO)
        got.end_rc = WST_ECORRUPT;
    ck_assert_msg(got.open_rc == want.open_rc, "open: %d (%s), libpcap %d (%s)", got.open_rc, got.msg,
                  want.open_rc, want.msg);
    ck_assert_str_eq(got.msg, want.msg);
    ck_assert_uint_eq(got.packets, want.packets);
    ck_assert_msg(got.digest == want.digest, "packets differ from libpcap's");
    ck_assert_int_eq(got.end_rc, want.end_rc);
}

/* A classic pcap file in memory: file header, then records of craft frames. */
struct pcap_image {
    uint8_t b[8192];
    size_t len;
    size_t rec[16]; /* offsets of the record headers */
    unsigned n_rec;
};

static void put_u32(struct pcap_image *m, uint32_t v, bool be)
{
    for (int i = 0; i < 4; i++)
        m->b[m->len++] = (uint8_t)(v >> (be ? 24 - 8 * i : 8 * i));
}

static void put_u16(struct pcap_image *m, uint16_t v, bool be)
{
    m->b[m->len++] = (uint8_t)(be ? v >> 8 : v);
    m->b[m->len++] = (uint8_t)(be ? v : v >> 8);
}

/* Eight records (IPv4 and IPv6 TCP, some cut by the snap length), in byte order be. */
static void pcap_image_build(struct pcap_image *m, bool be, uint32_t magic, uint32_t snaplen)
{
    m->len = 0;
    m->n_rec = 0;
    put_u32(m, magic, be);
    put_u16(m, 2, be);
    put_u16(m, 4, be);
    put_u32(m, 0, be);
    put_u32(m, 0, be);
    put_u32(m, snaplen, be);
    put_u32(m, 1, be);
    for (unsigned i = 0; i < 8; i++) {
        struct frame f = tcp_frame(ETH, i % 3 ? "192.0.2.1" : "2001:db8::1", (uint16_t)(40000 + i),
                                   i % 3 ? "198.51.100.2" : "2001:db8::2", 80, CRAFT_ACK, 30 * i);
        uint32_t caplen = f.len < 90 ? f.len : 90;
        m->rec[m->n_rec++] = m->len;
        put_u32(m, 1700000000 + i, be);
        put_u32(m, magic == 0xA1B23C4Du ? 1000 * i + 999 : i, be);
        put_u32(m, caplen, be);
        put_u32(m, f.len, be);
        memcpy(m->b + m->len, f.b, caplen);
        m->len += caplen;
    }
}

/* The same packets and messages as libpcap gave, over randomly damaged files. */
START_TEST(test_capture_pcap_as_libpcap)
{
    char p[PATH_MAX];
    path_in_dir(p, "mut.pcap");
    static const uint32_t magics[] = {0xA1B2C3D4u, 0xA1B23C4Du};
    struct pcap_image base, m;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    unsigned ended[2] = {0, 0};
    for (int iter = 0; iter < 1500; iter++) {
        pcap_image_build(&base, iter & 1, magics[(iter >> 1) & 1], (iter >> 2) % 4 ? 65535 : 64);
        m = base;
        int flips = 1 + (int)(xorshift(&seed) % 3);
        for (int f = 0; f < flips; f++) {
            /* Mostly in the headers, where damage changes what is read. */
            size_t pos;
            uint64_t where = xorshift(&seed) % 4;
            if (where == 0)
                pos = (size_t)(xorshift(&seed) % m.len);
            else if (where == 1)
                pos = (size_t)(xorshift(&seed) % 24);
            else
                pos = m.rec[xorshift(&seed) % m.n_rec] + (size_t)(xorshift(&seed) % 16);
            m.b[pos] ^= (uint8_t)(1 + xorshift(&seed) % 255);
        }
        if (m.b[0] == 0x0A)
            continue; /* pcapng: the same reader either way */
        size_t len = iter % 5 == 0 ? (size_t)(xorshift(&seed) % (m.len + 1)) : m.len;
        write_file(p, m.b, len);
        expect_same_as_libpcap(p);
        struct outcome o;
        read_with_capture(p, &o);
        ended[o.open_rc == 0 && o.end_rc == 0]++;
    }
    /* Damage that stops the reading, and damage that does not, both occur. */
    ck_assert_uint_gt(ended[0], 100);
    ck_assert_uint_gt(ended[1], 100);
}
END_TEST

/* Every file header link type is numbered and named as libpcap does. */
START_TEST(test_capture_pcap_linktypes_as_libpcap)
{
    char p[PATH_MAX];
    path_in_dir(p, "lt.pcap");
    for (uint32_t lt = 0; lt < 320; lt++) {
        struct pcap_image m;
        pcap_image_build(&m, lt & 1, 0xA1B2C3D4u, 65535);
        for (int i = 0; i < 4; i++)
            m.b[20 + i] = (uint8_t)(lt >> ((lt & 1) ? 24 - 8 * i : 8 * i));
        write_file(p, m.b, m.len);
        expect_same_as_libpcap(p);
    }
}
END_TEST

/* Truncated at every byte: the same packets, then the same message. */
START_TEST(test_capture_pcap_truncations_as_libpcap)
{
    char p[PATH_MAX];
    path_in_dir(p, "cut.pcap");
    struct pcap_image m;
    pcap_image_build(&m, true, 0xA1B23C4Du, 64);
    for (size_t len = 0; len <= m.len; len += 1 + len / 64) {
        write_file(p, m.b, len);
        expect_same_as_libpcap(p);
    }
}
END_TEST

/*
 * A pipe that has delivered one record and stays open: that packet is
 * handed out now, not once the reader's buffer is full or the pipe ends
 * (tcpdump -U -w - | wirestate -r -). A reader that waited would block
 * here for good, and the test would time out.
 */
START_TEST(test_capture_pipe_packets_as_they_come)
{
    struct pcap_image m;
    pcap_image_build(&m, false, 0xA1B2C3D4u, 65535);
    int data[2], go[2];
    ck_assert_int_eq(pipe(data), 0);
    ck_assert_int_eq(pipe(go), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(data[0]);
        close(go[1]);
        /* The file header and the first record, then wait for the reader. */
        if (write(data[1], m.b, m.rec[1]) != (ssize_t)m.rec[1])
            _exit(1);
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(2);
        if (write(data[1], m.b + m.rec[1], m.len - m.rec[1]) != (ssize_t)(m.len - m.rec[1]))
            _exit(3);
        _exit(0);
    }
    close(data[1]);
    close(go[0]);
    char p[64];
    snprintf(p, sizeof p, "/dev/fd/%d", data[0]);
    struct wst_capture *cap = open_ok(p);
    struct wst_packet pkt;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_capture_next(cap, &pkt, errbuf), 1);
    ck_assert_uint_eq(pkt.ts_us, 1700000000000000ULL);
    ck_assert_int_eq(write(go[1], "g", 1), 1);
    close(go[1]);
    unsigned n = 1;
    int rc;
    while ((rc = wst_capture_next(cap, &pkt, errbuf)) > 0)
        n++;
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(n, m.n_rec);
    wst_capture_close(cap);
    close(data[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* ---- standard input */

/*
 * Reads "-" with stdin redirected from path, in a child process so this
 * process keeps its own stdin (also with CK_FORK=no). The child exits with
 * 0 if it read `want` packets of link `link` and then the end, or with the
 * number of the step that failed.
 */
static int read_stdin_child(const char *path, unsigned want, enum wst_link link)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (freopen(path, "rb", stdin) == NULL)
            _exit(10);
        struct wst_capture *cap = NULL;
        char errbuf[WST_ERRBUF_SIZE] = "";
        if (wst_capture_open_file(&cap, "-", errbuf) != 0)
            _exit(11);
        struct wst_packet pkt;
        unsigned n = 0;
        int rc;
        while ((rc = wst_capture_next(cap, &pkt, errbuf)) > 0) {
            if (pkt.link != link || pkt.caplen != 54 || pkt.ts_us != TS0 + n * 500000ULL)
                _exit(12);
            n++;
        }
        if (rc != 0)
            _exit(13);
        if (n != want)
            _exit(14);
        wst_capture_close(cap);
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

START_TEST(test_capture_stdin_pcap)
{
    char p[PATH_MAX];
    write_syns(path_in_dir(p, "syn.pcap"), 3);
    ck_assert_int_eq(read_stdin_child(p, 3, WST_LINK_ETHERNET), 0);
}
END_TEST

START_TEST(test_capture_stdin_pcapng)
{
    char p[PATH_MAX];
    path_in_dir(p, "syn.pcapng");
    struct craft_pcapng *w = craft_pcapng_open(p);
    ck_assert_ptr_nonnull(w);
    craft_pcapng_add_interface(w, 1, 65535);
    for (unsigned i = 0; i < 2; i++) {
        struct frame f = tcp_frame(ETH, "192.0.2.1", (uint16_t)(40000 + i), "198.51.100.2", 80, CRAFT_SYN, 0);
        craft_pcapng_write(w, 0, TS0 + i * 500000ULL, f.b, f.len, f.len);
    }
    ck_assert_int_eq(craft_pcapng_close(w), 0);
    ck_assert_int_eq(read_stdin_child(p, 2, WST_LINK_ETHERNET), 0);
}
END_TEST

Suite *capture_suite(void)
{
    Suite *s = suite_create("capture");

    TCase *tc = tcase_create("pcap_files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_pcap_reads_packets);
    tcase_add_test(tc, test_capture_pcap_snaplen_truncation);
    tcase_add_loop_test(tc, test_capture_pcap_link_types, 0, (int)(sizeof pcap_links / sizeof pcap_links[0]));
    tcase_add_test(tc, test_capture_pcap_header_only);
    suite_add_tcase(s, tc);

    tc = tcase_create("pcapng_files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_pcapng_two_link_types);
    tcase_add_test(tc, test_capture_pcapng_unsupported_interface);
    suite_add_tcase(s, tc);

    tc = tcase_create("open_errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_open_missing_file);
    tcase_add_test(tc, test_capture_open_directory);
    tcase_add_test(tc, test_capture_open_empty_file);
    tcase_add_test(tc, test_capture_open_text_file);
    tcase_add_test(tc, test_capture_open_tiny_file);
    tcase_add_test(tc, test_capture_open_text_file_newline_first);
    tcase_add_test(tc, test_capture_open_unsupported_linktype);
    tcase_add_test(tc, test_capture_open_truncated_file_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("damaged_files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_pcap_truncated_mid_record);
    tcase_add_test(tc, test_capture_pcap_truncated_mid_header);
    tcase_add_test(tc, test_capture_pcap_cut_at_record_boundary);
    tcase_add_test(tc, test_capture_pcapng_truncated);
    suite_add_tcase(s, tc);

    tc = tcase_create("filters");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_filter_pcap);
    tcase_add_test(tc, test_capture_no_filter_pcap);
    tcase_add_test(tc, test_capture_filter_pcapng);
    tcase_add_test(tc, test_capture_filter_pcapng_unsupported_link);
    tcase_add_test(tc, test_capture_filter_bad_pcap);
    tcase_add_test(tc, test_capture_filter_bad_pcapng);
    tcase_add_loop_test(tc, test_capture_filter_through_vlan_tags, 0, 2);
    tcase_add_test(tc, test_capture_filter_naming_vlan_as_written);
    tcase_add_test(tc, test_capture_filter_sll_without_its_tag);
    tcase_add_test(tc, test_capture_filter_recorded_vlan_captures);
    suite_add_tcase(s, tc);

    tc = tcase_create("break");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_break_stops_reading);
    tcase_add_test(tc, test_capture_break_before_first_read);
    suite_add_tcase(s, tc);

    tc = tcase_create("live");
    tcase_add_test(tc, test_capture_live_buffer_size);
    tcase_add_test(tc, test_capture_live_buffer_too_large);
    suite_add_tcase(s, tc);

    tc = tcase_create("privileges");
    tcase_add_test(tc, test_capture_drop_privileges_to_nobody);
    tcase_add_test(tc, test_capture_drop_privileges_root_stays);
    tcase_add_test(tc, test_capture_drop_privileges_needs_root);
    tcase_add_test(tc, test_capture_drop_privileges_unknown_user);
    suite_add_tcase(s, tc);

    tc = tcase_create("libpcap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_pcap_as_libpcap);
    tcase_add_test(tc, test_capture_pcap_linktypes_as_libpcap);
    tcase_add_test(tc, test_capture_pcap_truncations_as_libpcap);
    tcase_add_test(tc, test_capture_pipe_packets_as_they_come);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("write");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_dump_classic);
    tcase_add_test(tc, test_capture_dump_after_filter);
    tcase_add_test(tc, test_capture_dump_pcapng_two_link_types);
    tcase_add_test(tc, test_capture_dump_several_sources);
    tcase_add_test(tc, test_capture_dump_refuses_a_source);
    tcase_add_test(tc, test_capture_dump_full_device);
    tcase_add_test(tc, test_capture_dump_error_part_way);
    tcase_add_test(tc, test_capture_dump_flushed_at_end);
    tcase_add_test(tc, test_capture_dump_live_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("stdin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capture_stdin_pcap);
    tcase_add_test(tc, test_capture_stdin_pcapng);
    suite_add_tcase(s, tc);
    return s;
}
