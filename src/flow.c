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

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

int wst_flow_key_from_segment(struct wst_flow_key *key, const struct wst_segment *seg, bool vlan_key)
{
    int c = memcmp(seg->src.b, seg->dst.b, wst_family_addr_len(seg->family));
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

/* One round of a multiply-xorshift mix (the finaliser of SplitMix64). */
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
    const uint8_t *a0 = key->addr[0].b, *a1 = key->addr[1].b;
    uint64_t meta = (uint64_t)key->port[0] << 48 | (uint64_t)key->port[1] << 32 |
                    (uint64_t)key->vlan[0] << 20 | (uint64_t)key->vlan[1] << 4 | key->family;
    uint64_t h = mix(rd_u64_native(a0) ^ seed);
    h = mix(h ^ rd_u64_native(a1));
    if (key->family == WST_AF_INET6) {
        h = mix(h ^ rd_u64_native(a0 + 8));
        h = mix(h ^ rd_u64_native(a1 + 8));
    }
    return mix(h ^ meta);
}

size_t wst_endpoint_format(char *out, uint8_t family, const struct wst_addr *addr, uint16_t port)
{
    char text[INET6_ADDRSTRLEN];
    int n;
    if (family == WST_AF_INET6) {
        inet_ntop(AF_INET6, addr->b, text, sizeof text);
        n = snprintf(out, WST_ENDPOINT_STRLEN, "[%s]:%u", text, (unsigned)port);
    } else {
        inet_ntop(AF_INET, addr->b, text, sizeof text);
        n = snprintf(out, WST_ENDPOINT_STRLEN, "%s:%u", text, (unsigned)port);
    }
    return n < 0 ? 0 : (size_t)n;
}
