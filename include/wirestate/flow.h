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
 * A connection's identity. With VLAN keying on, vlan[] holds the packet's
 * outer and inner VLAN IDs plus one (0 = no tag), so the same 4-tuple on two
 * VLANs is two connections; otherwise it is zero.
 */
struct wst_flow_key {
    struct wst_addr addr[2]; /* [0] is the smaller endpoint */
    uint16_t port[2];
    uint16_t vlan[2];
    uint8_t family;          /* WST_AF_INET or WST_AF_INET6 */
};

/*
 * Builds the canonical key of a segment and returns the endpoint index (0 or
 * 1) of its sender. `vlan_key` adds the segment's VLAN IDs to the key.
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
