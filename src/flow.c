/*
 * flow.c - canonical connection keys, their hash and their text.
 *
 * Invariants:
 *  1. For a key built from a segment, (addr[0], port[0]) <= (addr[1],
 *     port[1]), comparing addresses as big-endian byte strings and then
 *     ports; so a segment and its reply build byte-identical keys.
 *  2. Bytes of an IPv4 address beyond the fourth are zero (decode.c), so
 *     equality and hashing can look at whole words without a family branch
 *     on the hot path; the family itself is part of the key.
 *  3. The zone is part of the key like the 4-tuple: compared and hashed,
 *     never interpreted here.
 */
#include "wirestate/flow.h"

#include <stddef.h>
#include <string.h>

#include "bytes.h"
#include "digits.h"

/* Big-endian load, so integer order is byte-string order. */
static inline uint64_t be64(const uint8_t *p)
{
    return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}

uint32_t wst_flow_zone_of_vlans(const struct wst_segment *seg)
{
    if (seg->vlan_count == 0)
        return 0;
    uint32_t outer = seg->vlan[0] + 1u;
    uint32_t inner = seg->vlan_count > 1 ? seg->vlan[1] + 1u : 0;
    return outer | inner << 16;
}

int wst_flow_key_in_zone(struct wst_flow_key *key, const struct wst_segment *seg, uint32_t zone)
{
    /* Which endpoint is smaller (invariant 1): the address, then the port,
     * as one comparison of big-endian integers. */
    int sender;
    if (seg->family == WST_AF_INET) {
        uint64_t s = (uint64_t)rd_be32(seg->src.b) << 16 | seg->sport;
        uint64_t d = (uint64_t)rd_be32(seg->dst.b) << 16 | seg->dport;
        sender = s > d;
    } else {
        uint64_t s = be64(seg->src.b), d = be64(seg->dst.b);
        if (s == d) {
            s = be64(seg->src.b + 8);
            d = be64(seg->dst.b + 8);
            if (s == d) {
                s = seg->sport;
                d = seg->dport;
            }
        }
        sender = s > d;
    }
    key->addr[sender] = seg->src;
    key->addr[!sender] = seg->dst;
    key->port[sender] = seg->sport;
    key->port[!sender] = seg->dport;
    key->zone = zone;
    key->family = seg->family;
    return sender;
}

int wst_flow_key_from_segment(struct wst_flow_key *key, const struct wst_segment *seg, bool vlan_key)
{
    return wst_flow_key_in_zone(key, seg, vlan_key ? wst_flow_zone_of_vlans(seg) : 0);
}

bool wst_flow_key_equal(const struct wst_flow_key *a, const struct wst_flow_key *b)
{
    return a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->family == b->family &&
           a->zone == b->zone && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

/* The finaliser of SplitMix64: every input bit affects every output bit. */
static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    h ^= h >> 27;
    h *= 0x81dadef4bc2dd44dULL;
    h ^= h >> 33;
    return h;
}

/* The ports and the zone are adjacent: the hash reads them as one word. */
_Static_assert(offsetof(struct wst_flow_key, zone) == offsetof(struct wst_flow_key, port) + 4,
               "ports and zone form one 64-bit word");

uint64_t wst_flow_key_hash(const struct wst_flow_key *key, uint64_t seed)
{
    /* Each word is offset by the seed and multiplied by its own odd
     * constant; the products are independent (the CPU overlaps them) and
     * one finaliser mixes their sum. Without the seed a sender cannot
     * predict the products, which makes it hard to aim many 4-tuples at
     * one index (a few collisions only lengthen a probe chain). */
    const uint8_t *a0 = key->addr[0].b, *a1 = key->addr[1].b;
    uint64_t ports_zone = rd_u64_native((const uint8_t *)key + offsetof(struct wst_flow_key, port));
    uint64_t s2 = seed << 32 | seed >> 32;
    uint64_t h = (rd_u64_native(a0) ^ seed) * 0x9e3779b97f4a7c15ULL +
                 (rd_u64_native(a1) ^ s2) * 0xc2b2ae3d27d4eb4fULL +
                 (ports_zone ^ seed) * 0x165667b19e3779f9ULL + key->family;
    if (key->family == WST_AF_INET6)
        h += (rd_u64_native(a0 + 8) ^ seed) * 0xd6e8feb86659fd93ULL +
             (rd_u64_native(a1 + 8) ^ s2) * 0xff51afd7ed558ccdULL;
    return mix(h);
}

/* Decimal digits of v at p; returns the count. */
static size_t put_decimal(char *p, unsigned v)
{
    return wst_fmt_u32(p, v);
}

/* "d.", "dd." or "ddd." of an address byte at p; returns the count. */
static size_t put_octet_dot(char *p, unsigned v)
{
    if (v >= 100) {
        p[0] = (char)('0' + v / 100);
        memcpy(p + 1, wst_digit_pairs + 2 * (v % 100), 2);
        p[3] = '.';
        return 4;
    }
    if (v >= 10) {
        memcpy(p, wst_digit_pairs + 2 * v, 2);
        p[2] = '.';
        return 3;
    }
    p[0] = (char)('0' + v);
    p[1] = '.';
    return 2;
}

/*
 * RFC 5952 §4 text of an IPv6 address: lower-case hex without leading
 * zeros, the longest run of two or more zero groups (the first of equal
 * runs) as "::", and an IPv4-mapped address (::ffff:a.b.c.d) in the mixed
 * form of §5; byte for byte what glibc's inet_ntop() prints, without its
 * sprintf() per group.
 */
static size_t format_ipv6(char *out, const uint8_t *a)
{
    static const char hex[] = "0123456789abcdef";
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = rd_be16(a + 2 * i);

    int best = -1, best_len = 1, run = 0;
    for (int i = 0; i < 8; i++) {
        run = g[i] == 0 ? run + 1 : 0;
        if (run > best_len) {
            best_len = run;
            best = i - run + 1;
        }
    }
    /* Like inet_ntop() (so like tcpdump and ss): IPv4-mapped and the old
     * IPv4-compatible addresses (::a.b.c.d, zeros up to the last 32 bits
     * with the first of those non-zero) end in dotted decimal. */
    bool mapped = best == 0 && (best_len == 6 || (best_len == 5 && g[5] == 0xffff));
    int groups = mapped ? 6 : 8;
    size_t n = 0;
    for (int i = 0; i < groups; i++) {
        if (i == best) {
            out[n++] = ':';
            out[n++] = ':';
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len)
            out[n++] = ':';
        bool lead = true;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (g[i] >> shift) & 15;
            if (d || !lead || shift == 0) {
                out[n++] = hex[d];
                lead = false;
            }
        }
    }
    if (mapped) {
        if (out[n - 1] != ':')
            out[n++] = ':';
        for (int i = 12; i < 16; i++) {
            n += put_decimal(out + n, a[i]);
            out[n++] = '.';
        }
        n--;
    }
    return n;
}

/* The address alone, without brackets; no NUL. */
static size_t format_addr(char *out, uint8_t family, const uint8_t *addr)
{
    if (family == WST_AF_INET6)
        return format_ipv6(out, addr);
    size_t n = 0;
    for (int i = 0; i < 4; i++)
        n += put_octet_dot(out + n, addr[i]);
    return n - 1;
}

size_t wst_endpoint_format_raw(char *out, uint8_t family, const uint8_t *addr, uint16_t port)
{
    size_t n = 0;
    if (family == WST_AF_INET6) {
        out[n++] = '[';
        n += format_addr(out + n, family, addr);
        out[n++] = ']';
    } else {
        n = format_addr(out, family, addr);
    }
    out[n++] = ':';
    return n + put_decimal(out + n, port);
}

size_t wst_addr_format(char *out, uint8_t family, const uint8_t *addr)
{
    size_t n = format_addr(out, family, addr);
    out[n] = '\0';
    return n;
}

size_t wst_endpoint_format(char *out, uint8_t family, const struct wst_addr *addr, uint16_t port)
{
    size_t n = wst_endpoint_format_raw(out, family, addr->b, port);
    out[n] = '\0';
    return n;
}
