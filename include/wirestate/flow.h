/*
 * wirestate/flow.h - the canonical 4-tuple that names a TCP connection.
 *
 * Both directions of a connection must find the same table entry, so the
 * key orders its two endpoints: endpoint 0 is the smaller (address, port)
 * pair. The direction of a packet is then which endpoint sent it. The hash
 * is of the canonical key, so it is symmetric too: a packet and its reply
 * hash alike, which is also what a flow-consistent fanout over several
 * workers needs.
 */
#ifndef WIRESTATE_FLOW_H
#define WIRESTATE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/decode.h"
#include "wirestate/types.h"

/*
 * A connection's identity: the canonical 4-tuple and a zone. A zone keeps
 * apart connections that share a 4-tuple, as Linux conntrack's zones do:
 * the same addresses and ports in two zones are two connections. Which
 * zone a packet is in is the dispatch stage's choice, from whatever
 * separates traffic on the capture: today the VLAN IDs when VLANs are
 * keyed (wst_flow_zone_of_vlans()), else 0, one zone for everything; a
 * VXLAN VNI or a GRE key would fold in the same way, with no new field.
 */
struct wst_flow_key {
    struct wst_addr addr[2]; /* [0] is the smaller endpoint */
    uint16_t port[2];
    uint32_t zone;           /* 0: the zone of everything not told apart */
    uint8_t family;          /* WST_AF_INET or WST_AF_INET6 */
};

/*
 * The zone of a packet when VLANs separate traffic (--vlan-key): its outer
 * and inner VLAN IDs plus one, in the low and high 16 bits (0 = no tag), so
 * an untagged packet is in zone 0 and VLAN 0, a priority tag, is not.
 */
uint32_t wst_flow_zone_of_vlans(const struct wst_segment *seg);

/*
 * Builds the canonical key of a segment in `zone` and returns the endpoint
 * index (0 or 1) of its sender.
 */
int wst_flow_key_in_zone(struct wst_flow_key *key, const struct wst_segment *seg, uint32_t zone);

/*
 * The same with today's choice of zone: the segment's VLANs if `vlan_key`,
 * else zone 0.
 */
int wst_flow_key_from_segment(struct wst_flow_key *key, const struct wst_segment *seg, bool vlan_key);

/* True if both keys name the same connection. */
bool wst_flow_key_equal(const struct wst_flow_key *a, const struct wst_flow_key *b);

/*
 * 64-bit hash of a canonical key. `seed` is chosen once per table; a secret
 * seed keeps a hostile sender from choosing 4-tuples that collide.
 */
uint64_t wst_flow_key_hash(const struct wst_flow_key *key, uint64_t seed);

/* Longest text of wst_endpoint_format(): "[" 39 "]:" 5 and NUL. */
#define WST_ENDPOINT_STRLEN 48

/*
 * Writes "a.b.c.d:port" or "[v6]:port" (RFC 5952 text) into out, which has
 * WST_ENDPOINT_STRLEN bytes. Returns the length written.
 */
size_t wst_endpoint_format(char *out, uint8_t family, const struct wst_addr *addr, uint16_t port);

/* The same from raw address bytes (4 or 16 by family); writes no NUL. */
size_t wst_endpoint_format_raw(char *out, uint8_t family, const uint8_t *addr, uint16_t port);

/* Only the address ("a.b.c.d" or RFC 5952 IPv6 text, no brackets), with a
 * NUL, into out of WST_ENDPOINT_STRLEN bytes. Returns the length. */
size_t wst_addr_format(char *out, uint8_t family, const uint8_t *addr);

#endif
