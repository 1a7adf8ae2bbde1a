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
 */
#include "wirestate/flow.h"

#include <string.h>

#include "bytes.h"

/* Big-endian load, so integer order is byte-string order. */
static inline uint64_t be64(const uint8_t *p)
{
    return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}

int wst_flow_key_from_segment(struct wst_flow_key *key, const struct wst_segment *seg, bool vlan_key)
{
    /* Which endpoint is smaller (invariant 1), without a call to memcmp(). */
    int c;
    if (seg->family == WST_AF_INET) {
        uint32_t s = rd_be32(seg->src.b), d = rd_be32(seg->dst.b);
        c = (s > d) - (s < d);
    } else {
        uint64_t s = be64(seg->src.b), d = be64(seg->dst.b);
        if (s == d) {
            s = be64(seg->src.b + 8);
            d = be64(seg->dst.b + 8);
        }
        c = (s > d) - (s < d);
    }
    int sender = (c > 0 || (c == 0 && seg->sport > seg->dport)) ? 1 : 0;

    key->addr[sender] = seg->src;
    key->addr[!sender] = seg->dst;
    key->port[sender] = seg->sport;
    key->port[!sender] = seg->dport;
    key->family = seg->family;
    if (vlan_key && seg->vlan_count > 0) {
        key->vlan[0] = (uint16_t)(seg->vlan[0] + 1);
        key->vlan[1] = seg->vlan_count > 1 ? (uint16_t)(seg->vlan[1] + 1) : 0;
    } else {
        key->vlan[0] = key->vlan[1] = 0;
    }
    return sender;
}

bool wst_flow_key_equal(const struct wst_flow_key *a, const struct wst_flow_key *b)
{
    return a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->family == b->family &&
           a->vlan[0] == b->vlan[0] && a->vlan[1] == b->vlan[1] &&
           memcmp(a->addr, b->addr, sizeof a->addr) == 0;
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

uint64_t wst_flow_key_hash(const struct wst_flow_key *key, uint64_t seed)
{
    /* Each word is offset by the seed and multiplied by its own odd
     * constant; the products are independent (the CPU overlaps them) and
     * one finaliser mixes their sum. Without the seed a sender cannot
     * predict the products, which makes it hard to aim many 4-tuples at
     * one index (a few collisions only lengthen a probe chain). */
    const uint8_t *a0 = key->addr[0].b, *a1 = key->addr[1].b;
    uint64_t meta = (uint64_t)key->port[0] << 48 | (uint64_t)key->port[1] << 32 |
                    (uint64_t)key->vlan[0] << 20 | (uint64_t)key->vlan[1] << 4 | key->family;
    uint64_t s2 = seed << 32 | seed >> 32;
    uint64_t h = (rd_u64_native(a0) ^ seed) * 0x9e3779b97f4a7c15ULL +
                 (rd_u64_native(a1) ^ s2) * 0xc2b2ae3d27d4eb4fULL + (meta ^ seed) * 0x165667b19e3779f9ULL;
    if (key->family == WST_AF_INET6)
        h += (rd_u64_native(a0 + 8) ^ seed) * 0xd6e8feb86659fd93ULL +
             (rd_u64_native(a1 + 8) ^ s2) * 0xff51afd7ed558ccdULL;
    return mix(h);
}

/* Decimal digits of v at p; returns the count. */
static size_t put_decimal(char *p, unsigned v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
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
    for (int i = 0; i < 4; i++) {
        n += put_decimal(out + n, addr[i]);
        out[n++] = '.';
    }
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
