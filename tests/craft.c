/*
 * craft.c - test-only packet crafting and capture-file writers (see craft.h).
 *
 * Model: a frame is a byte buffer plus a list of fixups, one per header
 * whose length or checksum depends on what follows it. Headers are appended
 * in wire order; craft_finish() walks the fixups backwards, so an inner
 * packet is complete (lengths and checksums) before any outer header that
 * covers it is summed.
 *
 * Assumptions and invariants:
 *  1. Everything from a header to the end of the frame at craft_finish()
 *     time belongs to that header's payload; trailing padding is appended
 *     after craft_finish().
 *  2. Output is a pure function of the calls made: no clock, no randomness,
 *     and every multi-byte value is stored byte by byte in a fixed order, so
 *     generated files are identical on every host.
 *  3. Misuse aborts; these helpers serve tests and generators only.
 *
 * References: RFC 791 (IPv4), RFC 8200 (IPv6), RFC 9293 (TCP), RFC 768
 * (UDP), RFC 1071 (Internet checksum), RFC 2675 (jumbograms), RFC 3032
 * (MPLS), RFC 2516 (PPPoE); pcap and pcapng formats per
 * draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* inet_pton() */
#endif

#include "craft.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

enum fixup_kind {
    FIX_IPV4 = 1, /* total length, header checksum */
    FIX_IPV6,     /* payload length or Jumbo Payload */
    FIX_TCP,      /* checksum */
    FIX_UDP,      /* length, checksum */
    FIX_ICMP,     /* checksum, no pseudo-header */
    FIX_ICMPV6,   /* checksum */
    FIX_PPPOE,    /* PPPoE payload length */
    FIX_8023,     /* 802.3 length */
};

static void die(const char *what)
{
    fprintf(stderr, "craft: %s\n", what);
    abort();
}

static uint8_t *reserve(struct craft *c, size_t n)
{
    if (n > CRAFT_MAX_FRAME - c->len)
        die("frame buffer overflow");
    uint8_t *p = c->buf + c->len;
    memset(p, 0, n);
    c->len += n;
    return p;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void add_fixup(struct craft *c, uint8_t kind, size_t off, size_t ip)
{
    if (c->nfix == CRAFT_MAX_FIXUPS)
        die("too many headers to fix up");
    c->fix[c->nfix++] = (struct craft_fixup){.kind = kind, .off = off, .ip = ip, .aux = CRAFT_NONE};
}

/* The last IP header must be of version v (4 or 6); returns its offset. */
static size_t last_ip(const struct craft *c, int v)
{
    if (c->ip_off == CRAFT_NONE || (v != 0 && c->buf[c->ip_off] >> 4 != v))
        die("no IP header of the right version to modify");
    return c->ip_off;
}

void craft_init(struct craft *c)
{
    c->len = 0;
    c->ip_off = c->l4_off = c->payload_off = CRAFT_NONE;
    c->nfix = 0;
}

/* ---- checksums (RFC 1071) */

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Sum of the pseudo-header of the IP header at ip for an upper layer of len bytes. */
static uint32_t pseudo_sum(const struct craft *c, size_t ip, uint8_t proto, size_t len)
{
    const uint8_t *h = c->buf + ip;
    uint32_t sum;
    if (h[0] >> 4 == 4) {
        sum = sum_bytes(0, h + 12, 8); /* RFC 9293 §3.1: src, dst, zero, proto, length */
        sum += proto + (uint32_t)len;
    } else {
        sum = sum_bytes(0, h + 8, 32); /* RFC 8200 §8.1 */
        sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xFFFF) + proto;
    }
    return sum;
}

static void l4_checksum(struct craft *c, const struct craft_fixup *f, uint8_t proto, size_t csum_at)
{
    size_t len = c->len - f->off;
    put16(c->buf + f->off + csum_at, 0);
    uint16_t ck = fold(sum_bytes(pseudo_sum(c, f->ip, proto, len), c->buf + f->off, len));
    if (ck == 0 && proto == CRAFT_IP_UDP)
        ck = 0xFFFF; /* RFC 768: a computed zero is sent as all ones */
    put16(c->buf + f->off + csum_at, ck);
}

size_t craft_finish(struct craft *c)
{
    for (size_t i = c->nfix; i-- > 0;) {
        const struct craft_fixup *f = &c->fix[i];
        uint8_t *h = c->buf + f->off;
        size_t rest = c->len - f->off;
        switch (f->kind) {
        case FIX_IPV4: {
            size_t ihl = (size_t)(h[0] & 0x0F) * 4;
            put16(h + 2, (uint16_t)rest);
            put16(h + 10, 0);
            put16(h + 10, fold(sum_bytes(0, h, ihl)));
            break;
        }
        case FIX_IPV6:
            if (f->aux != CRAFT_NONE) {
                put16(h + 4, 0);
                put32(c->buf + f->aux + 4, (uint32_t)(rest - 40));
            } else {
                put16(h + 4, (uint16_t)(rest - 40));
            }
            break;
        case FIX_TCP:
            l4_checksum(c, f, CRAFT_IP_TCP, 16);
            break;
        case FIX_UDP:
            put16(h + 4, (uint16_t)rest);
            l4_checksum(c, f, CRAFT_IP_UDP, 6);
            break;
        case FIX_ICMP:
            put16(h + 2, 0);
            put16(h + 2, fold(sum_bytes(0, h, rest)));
            break;
        case FIX_ICMPV6:
            l4_checksum(c, f, CRAFT_IP_ICMPV6, 2);
            break;
        case FIX_PPPOE:
            put16(h + 4, (uint16_t)(rest - 6));
            break;
        case FIX_8023:
            put16(h + 12, (uint16_t)(rest - 14 > 1500 ? 1500 : rest - 14));
            break;
        }
    }
    return c->len;
}

/* ---- raw bytes */

void craft_bytes(struct craft *c, const void *data, size_t n)
{
    uint8_t *p = reserve(c, n);
    if (data != NULL && n > 0)
        memcpy(p, data, n);
}

void craft_pattern(struct craft *c, size_t n)
{
    uint8_t *p = reserve(c, n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)('a' + i % 26);
}

void craft_put16(struct craft *c, size_t off, uint16_t v)
{
    if (off + 2 > c->len)
        die("craft_put16 outside the frame");
    put16(c->buf + off, v);
}

void craft_put32(struct craft *c, size_t off, uint32_t v)
{
    if (off + 4 > c->len)
        die("craft_put32 outside the frame");
    put32(c->buf + off, v);
}

/* ---- link layers */

static const uint8_t mac_client[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_server[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

void craft_eth_mac(struct craft *c, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
    uint8_t *p = reserve(c, 14);
    memcpy(p, dst, 6);
    memcpy(p + 6, src, 6);
    put16(p + 12, ethertype);
}

void craft_eth(struct craft *c, uint16_t ethertype)
{
    craft_eth_mac(c, mac_server, mac_client, ethertype);
}

void craft_eth_8023(struct craft *c)
{
    size_t off = c->len;
    craft_eth(c, 0);
    add_fixup(c, FIX_8023, off, CRAFT_NONE);
}

void craft_llc_snap(struct craft *c, uint16_t ethertype)
{
    uint8_t *p = reserve(c, 8);
    p[0] = 0xAA; /* DSAP: SNAP */
    p[1] = 0xAA; /* SSAP: SNAP */
    p[2] = 0x03; /* control: UI */
    /* OUI 00-00-00: the protocol ID is an ethertype (RFC 1042). */
    put16(p + 6, ethertype);
}

void craft_vlan(struct craft *c, uint16_t tci, uint16_t next_ethertype)
{
    uint8_t *p = reserve(c, 4);
    put16(p, tci);
    put16(p + 2, next_ethertype);
}

void craft_vntag(struct craft *c, uint16_t next_ethertype)
{
    uint8_t *p = reserve(c, 6);
    put32(p, 0x00010002); /* dvif 1, svif 2 */
    put16(p + 4, next_ethertype);
}

void craft_etag(struct craft *c, uint16_t next_ethertype)
{
    uint8_t *p = reserve(c, 8);
    put16(p + 2, 0x0005); /* E-CID base 5 */
    put16(p + 6, next_ethertype);
}

void craft_pbb_itag(struct craft *c, uint32_t isid, uint16_t inner_ethertype)
{
    uint8_t *p = reserve(c, 4);
    put32(p, isid & 0x00FFFFFF);
    craft_eth(c, inner_ethertype);
}

void craft_mpls(struct craft *c, uint32_t label, bool bottom)
{
    uint8_t *p = reserve(c, 4);
    put32(p, (label & 0xFFFFF) << 12 | (bottom ? 1u << 8 : 0) | 64);
}

void craft_pw_control_word(struct craft *c)
{
    reserve(c, 4);
}

void craft_pppoe(struct craft *c, uint16_t ppp_proto)
{
    size_t off = c->len;
    uint8_t *p = reserve(c, 8);
    p[0] = 0x11;        /* version 1, type 1 */
    p[1] = 0x00;        /* code: session data */
    put16(p + 2, 0x0001);
    put16(p + 6, ppp_proto);
    add_fixup(c, FIX_PPPOE, off, CRAFT_NONE);
}

void craft_sll(struct craft *c, uint16_t pkttype, uint16_t proto)
{
    uint8_t *p = reserve(c, 16);
    put16(p, pkttype);
    put16(p + 2, 1); /* ARPHRD_ETHER */
    put16(p + 4, 6);
    memcpy(p + 6, pkttype == CRAFT_SLL_OUTGOING ? mac_client : mac_server, 6);
    put16(p + 14, proto);
}

void craft_sll2(struct craft *c, uint16_t pkttype, uint16_t proto)
{
    uint8_t *p = reserve(c, 20);
    put16(p, proto);
    put32(p + 4, 1); /* interface index */
    put16(p + 8, 1); /* ARPHRD_ETHER */
    p[10] = (uint8_t)pkttype;
    p[11] = 6;
    memcpy(p + 12, pkttype == CRAFT_SLL_OUTGOING ? mac_client : mac_server, 6);
}

void craft_null(struct craft *c, uint32_t af, bool big_endian)
{
    uint8_t *p = reserve(c, 4);
    if (big_endian)
        put32(p, af);
    else
        put32le(p, af);
}

/* ---- network layers */

static void parse_addr(int af, const char *s, uint8_t *out)
{
    if (inet_pton(af, s, out) != 1)
        die("bad address literal");
}

void craft_ipv4(struct craft *c, const char *src, const char *dst, uint8_t proto)
{
    size_t off = c->len;
    uint8_t *p = reserve(c, 20);
    p[0] = 0x45;
    put16(p + 6, 0x4000); /* DF */
    p[8] = 64;
    p[9] = proto;
    parse_addr(AF_INET, src, p + 12);
    parse_addr(AF_INET, dst, p + 16);
    c->ip_off = off;
    add_fixup(c, FIX_IPV4, off, CRAFT_NONE);
}

void craft_ipv4_options(struct craft *c, const uint8_t *opts, size_t len)
{
    size_t ip = last_ip(c, 4);
    size_t ihl = (size_t)(c->buf[ip] & 0x0F) * 4;
    if (ip + ihl != c->len || len % 4 != 0 || ihl + len > 60)
        die("IPv4 options must directly follow the header, in 4-byte units, 40 bytes at most");
    craft_bytes(c, opts, len);
    c->buf[ip] = (uint8_t)(0x40 | (ihl + len) / 4);
}

void craft_ipv4_id(struct craft *c, uint16_t id)
{
    put16(c->buf + last_ip(c, 4) + 4, id);
}

void craft_ipv4_fragment(struct craft *c, uint16_t offset_bytes, bool more)
{
    if (offset_bytes % 8 != 0)
        die("fragment offsets are in 8-byte units");
    put16(c->buf + last_ip(c, 4) + 6, (uint16_t)((more ? 0x2000 : 0) | offset_bytes / 8));
}

void craft_ipv6(struct craft *c, const char *src, const char *dst, uint8_t next)
{
    size_t off = c->len;
    uint8_t *p = reserve(c, 40);
    p[0] = 0x60;
    p[6] = next;
    p[7] = 64;
    parse_addr(AF_INET6, src, p + 8);
    parse_addr(AF_INET6, dst, p + 24);
    c->ip_off = off;
    add_fixup(c, FIX_IPV6, off, CRAFT_NONE);
}

void craft_ipv6_ext(struct craft *c, uint8_t type, uint8_t next, size_t len)
{
    last_ip(c, 6);
    uint8_t *p;
    if (type == CRAFT_IP_AH) {
        /* RFC 4302 §2.2: Payload Len is the length in 4-byte units minus 2. */
        if (len % 4 != 0 || len < 12 || len > 1028)
            die("AH length must be a multiple of 4 in 12..1028");
        p = reserve(c, len);
        p[1] = (uint8_t)(len / 4 - 2);
    } else {
        /* RFC 8200 §4.3: Hdr Ext Len is in 8-byte units, not counting the first 8. */
        if (len % 8 != 0 || len < 8 || len > 2048)
            die("extension header length must be a multiple of 8 in 8..2048");
        p = reserve(c, len);
        p[1] = (uint8_t)(len / 8 - 1);
        /* Zero bytes are Pad1 options in HBH/DST headers, routing type 0 with
         * segments left 0 in a routing header: all well-formed. */
    }
    p[0] = next;
}

void craft_ipv6_frag(struct craft *c, uint8_t next, uint16_t offset_bytes, bool more, uint32_t id)
{
    last_ip(c, 6);
    if (offset_bytes % 8 != 0)
        die("fragment offsets are in 8-byte units");
    uint8_t *p = reserve(c, 8);
    p[0] = next;
    put16(p + 2, (uint16_t)(offset_bytes | (more ? 1 : 0)));
    put32(p + 4, id);
}

void craft_ipv6_jumbo(struct craft *c, uint8_t next)
{
    size_t ip = last_ip(c, 6);
    size_t off = c->len;
    uint8_t *p = reserve(c, 8);
    p[0] = next;
    p[1] = 0;    /* 8 bytes */
    p[2] = 0xC2; /* Jumbo Payload, RFC 2675 §2 */
    p[3] = 4;
    for (size_t i = c->nfix; i-- > 0;) {
        if (c->fix[i].kind == FIX_IPV6 && c->fix[i].off == ip) {
            c->fix[i].aux = off;
            return;
        }
    }
    die("jumbo option without its IPv6 header");
}

void craft_ip_ttl(struct craft *c, uint8_t ttl)
{
    size_t ip = last_ip(c, 0);
    c->buf[ip + (c->buf[ip] >> 4 == 4 ? 8 : 7)] = ttl;
}

/* ---- transport layers */

static void begin_l4(struct craft *c, uint8_t kind, size_t hdr_len)
{
    size_t ip = last_ip(c, 0);
    size_t off = c->len;
    reserve(c, hdr_len);
    c->l4_off = off;
    c->payload_off = c->len;
    add_fixup(c, kind, off, ip);
}

void craft_tcp(struct craft *c, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
               uint8_t flags, uint16_t win, const uint8_t *opts, size_t optlen, size_t payload_len)
{
    size_t padded = (optlen + 3) & ~(size_t)3;
    if (padded > 40)
        die("TCP options longer than 40 bytes");
    begin_l4(c, FIX_TCP, 20 + padded);
    uint8_t *p = c->buf + c->l4_off;
    put16(p, sport);
    put16(p + 2, dport);
    put32(p + 4, seq);
    put32(p + 8, ack);
    p[12] = (uint8_t)((20 + padded) / 4 << 4);
    p[13] = flags;
    put16(p + 14, win);
    if (optlen > 0)
        memcpy(p + 20, opts, optlen); /* the rest stays 0 = EOL */
    craft_pattern(c, payload_len);
}

void craft_udp_header(struct craft *c, uint16_t sport, uint16_t dport)
{
    begin_l4(c, FIX_UDP, 8);
    put16(c->buf + c->l4_off, sport);
    put16(c->buf + c->l4_off + 2, dport);
}

void craft_udp(struct craft *c, uint16_t sport, uint16_t dport, size_t payload_len)
{
    craft_udp_header(c, sport, dport);
    craft_pattern(c, payload_len);
}

static void echo(struct craft *c, uint8_t kind, uint8_t type, uint16_t id, uint16_t seq, size_t n)
{
    begin_l4(c, kind, 8);
    uint8_t *p = c->buf + c->l4_off;
    p[0] = type;
    put16(p + 4, id);
    put16(p + 6, seq);
    craft_pattern(c, n);
}

void craft_icmp_echo(struct craft *c, uint16_t id, uint16_t seq, size_t payload_len)
{
    echo(c, FIX_ICMP, 8, id, seq, payload_len);
}

void craft_icmpv6_echo(struct craft *c, uint16_t id, uint16_t seq, size_t payload_len)
{
    echo(c, FIX_ICMPV6, 128, id, seq, payload_len);
}

void craft_icmp_error(struct craft *c, uint8_t type, uint8_t code, const uint8_t *quote, size_t quote_len)
{
    bool v6 = c->buf[last_ip(c, 0)] >> 4 == 6;
    begin_l4(c, v6 ? FIX_ICMPV6 : FIX_ICMP, 8);
    c->buf[c->l4_off] = type;
    c->buf[c->l4_off + 1] = code;
    craft_bytes(c, quote, quote_len);
}

void craft_gre(struct craft *c, uint16_t proto)
{
    uint8_t *p = reserve(c, 4);
    put16(p + 2, proto);
}

void craft_vxlan(struct craft *c, uint32_t vni)
{
    uint8_t *p = reserve(c, 8);
    p[0] = 0x08;
    put32(p + 4, (vni & 0xFFFFFF) << 8);
}

/* ---- TCP option lists */

void craft_opts_init(struct craft_opts *o)
{
    o->len = 0;
}

void craft_opt_raw(struct craft_opts *o, const void *bytes, size_t n)
{
    if (n > sizeof o->b - o->len)
        die("TCP option list longer than 40 bytes");
    memcpy(o->b + o->len, bytes, n);
    o->len += n;
}

void craft_opt_nop(struct craft_opts *o)
{
    craft_opt_raw(o, (const uint8_t[]){1}, 1);
}

void craft_opt_eol(struct craft_opts *o)
{
    craft_opt_raw(o, (const uint8_t[]){0}, 1);
}

void craft_opt_mss(struct craft_opts *o, uint16_t mss)
{
    uint8_t b[4] = {2, 4};
    put16(b + 2, mss);
    craft_opt_raw(o, b, sizeof b);
}

void craft_opt_wscale(struct craft_opts *o, uint8_t shift)
{
    craft_opt_raw(o, (const uint8_t[]){3, 3, shift}, 3);
}

void craft_opt_sack_perm(struct craft_opts *o)
{
    craft_opt_raw(o, (const uint8_t[]){4, 2}, 2);
}

void craft_opt_timestamp(struct craft_opts *o, uint32_t val, uint32_t ecr)
{
    uint8_t b[10] = {8, 10};
    put32(b + 2, val);
    put32(b + 6, ecr);
    craft_opt_raw(o, b, sizeof b);
}

void craft_opt_sack(struct craft_opts *o, const uint32_t (*blocks)[2], size_t n)
{
    uint8_t b[34] = {5, (uint8_t)(2 + 8 * n)};
    if (n > 4)
        die("a SACK option holds at most 4 blocks");
    for (size_t i = 0; i < n; i++) {
        put32(b + 2 + 8 * i, blocks[i][0]);
        put32(b + 6 + 8 * i, blocks[i][1]);
    }
    craft_opt_raw(o, b, 2 + 8 * n);
}

/* ---- classic pcap writer */

struct craft_pcap {
    FILE *fp;
    uint32_t snaplen;
    unsigned count;
};

struct craft_pcap *craft_pcap_open(const char *path, uint32_t linktype, uint32_t snaplen)
{
    struct craft_pcap *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->fp = fopen(path, "wb");
    if (w->fp == NULL) {
        free(w);
        return NULL;
    }
    w->snaplen = snaplen;
    uint8_t h[24] = {0};
    put32le(h, 0xA1B2C3D4); /* microsecond resolution */
    put16le(h + 4, 2);
    put16le(h + 6, 4);
    put32le(h + 16, snaplen);
    put32le(h + 20, linktype);
    fwrite(h, 1, sizeof h, w->fp);
    return w;
}

void craft_pcap_write(struct craft_pcap *w, uint64_t ts_us, const uint8_t *data, uint32_t caplen,
                      uint32_t wirelen)
{
    if (wirelen < caplen)
        die("wirelen below caplen");
    if (w->snaplen != 0 && caplen > w->snaplen)
        caplen = w->snaplen;
    uint8_t h[16];
    put32le(h, (uint32_t)(ts_us / 1000000));
    put32le(h + 4, (uint32_t)(ts_us % 1000000));
    put32le(h + 8, caplen);
    put32le(h + 12, wirelen);
    fwrite(h, 1, sizeof h, w->fp);
    fwrite(data, 1, caplen, w->fp);
    w->count++;
}

unsigned craft_pcap_count(const struct craft_pcap *w)
{
    return w->count;
}

int craft_pcap_close(struct craft_pcap *w)
{
    int rc = ferror(w->fp) ? -1 : 0;
    if (fclose(w->fp) != 0)
        rc = -1;
    free(w);
    return rc;
}

/* ---- pcapng writer */

#define PCAPNG_MAX_IF 16

struct craft_pcapng {
    FILE *fp;
    uint32_t nif;
    uint32_t snaplen[PCAPNG_MAX_IF];
    unsigned count;
};

/* Writes one block: type, total length, body, padding to 4 bytes, total length. */
static void write_block(FILE *fp, uint32_t type, const uint8_t *body, size_t n, const uint8_t *data,
                        size_t data_len)
{
    static const uint8_t zero[4];
    size_t pad = (4 - data_len % 4) % 4;
    uint8_t h[8];
    uint32_t total = (uint32_t)(12 + n + data_len + pad);
    put32le(h, type);
    put32le(h + 4, total);
    fwrite(h, 1, 8, fp);
    fwrite(body, 1, n, fp);
    if (data_len > 0)
        fwrite(data, 1, data_len, fp);
    fwrite(zero, 1, pad, fp);
    fwrite(h + 4, 1, 4, fp);
}

struct craft_pcapng *craft_pcapng_open(const char *path)
{
    struct craft_pcapng *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->fp = fopen(path, "wb");
    if (w->fp == NULL) {
        free(w);
        return NULL;
    }
    uint8_t shb[16];
    put32le(shb, 0x1A2B3C4D); /* byte-order magic */
    put16le(shb + 4, 1);      /* version 1.0 */
    put16le(shb + 6, 0);
    put32le(shb + 8, 0xFFFFFFFF); /* section length unknown (-1) */
    put32le(shb + 12, 0xFFFFFFFF);
    write_block(w->fp, 0x0A0D0D0A, shb, sizeof shb, NULL, 0);
    return w;
}

uint32_t craft_pcapng_add_interface(struct craft_pcapng *w, uint32_t linktype, uint32_t snaplen)
{
    if (w->nif == PCAPNG_MAX_IF)
        die("too many pcapng interfaces");
    uint8_t idb[20] = {0};
    put16le(idb, (uint16_t)linktype);
    put32le(idb + 4, snaplen);
    put16le(idb + 8, 9); /* if_tsresol: 10^-6 s */
    put16le(idb + 10, 1);
    idb[12] = 6;
    /* bytes 13..15 pad the option; 16..19 are opt_endofopt */
    write_block(w->fp, 1, idb, sizeof idb, NULL, 0);
    w->snaplen[w->nif] = snaplen;
    return w->nif++;
}

void craft_pcapng_write(struct craft_pcapng *w, uint32_t ifid, uint64_t ts_us, const uint8_t *data,
                        uint32_t caplen, uint32_t wirelen)
{
    if (ifid >= w->nif)
        die("pcapng packet on an undeclared interface");
    if (wirelen < caplen)
        die("wirelen below caplen");
    if (w->snaplen[ifid] != 0 && caplen > w->snaplen[ifid])
        caplen = w->snaplen[ifid];
    uint8_t epb[20];
    put32le(epb, ifid);
    put32le(epb + 4, (uint32_t)(ts_us >> 32));
    put32le(epb + 8, (uint32_t)ts_us);
    put32le(epb + 12, caplen);
    put32le(epb + 16, wirelen);
    write_block(w->fp, 6, epb, sizeof epb, data, caplen);
    w->count++;
}

unsigned craft_pcapng_count(const struct craft_pcapng *w)
{
    return w->count;
}

int craft_pcapng_close(struct craft_pcapng *w)
{
    int rc = ferror(w->fp) ? -1 : 0;
    if (fclose(w->fp) != 0)
        rc = -1;
    free(w);
    return rc;
}
