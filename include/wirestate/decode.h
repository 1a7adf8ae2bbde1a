/*
 * wirestate/decode.h - packet bytes to a TCP segment.
 *
 * wst_decode() walks one captured frame from its link layer down to the TCP
 * header and fills a caller-owned struct wst_segment. It never allocates and
 * never fails: a frame that is not a TCP segment gets a status saying why,
 * and the caller counts it. Every status has a class, so the summary can
 * account for every packet: total = tcp + other + not_decoded + malformed.
 */
#ifndef WIRESTATE_DECODE_H
#define WIRESTATE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/link.h"
#include "wirestate/types.h"

/* What became of a packet, by class. */
enum wst_decode_class {
    WST_DC_TCP = 1,     /* a TCP segment, handed to the tracker */
    WST_DC_OTHER,       /* decoded fine, but not TCP (ARP, UDP, ICMP, ...) */
    WST_DC_NOT_DECODED, /* well-formed, but wirestate does not look inside */
    WST_DC_MALFORMED,   /* truncated or inconsistent headers */
    WST_DC__COUNT
};

/*
 *        enum               stable name                  class
 * The names are part of the output schema; never rename one.
 */
#define WST_DECODE_MAP(X)                                                          \
    X(TCP,                 "tcp",                          WST_DC_TCP)             \
    X(NON_IP,              "non_ip",                       WST_DC_OTHER)           \
    X(UDP,                 "udp",                          WST_DC_OTHER)           \
    X(ICMP,                "icmp",                         WST_DC_OTHER)           \
    X(ICMPV6,              "icmpv6",                       WST_DC_OTHER)           \
    X(IP_OTHER,            "other_ip_protocol",            WST_DC_OTHER)           \
    X(FRAGMENT,            "ip_fragment",                  WST_DC_NOT_DECODED)     \
    X(TUNNEL,              "tunnel",                       WST_DC_NOT_DECODED)     \
    X(UNSUPPORTED_LINK,    "unsupported_link_type",        WST_DC_NOT_DECODED)     \
    X(UNSUPPORTED_ENCAP,   "unsupported_encapsulation",    WST_DC_NOT_DECODED)     \
    X(TRUNCATED_LINK,      "truncated_link_header",        WST_DC_MALFORMED)       \
    X(TRUNCATED_IP,        "truncated_ip_header",          WST_DC_MALFORMED)       \
    X(TRUNCATED_TCP,       "truncated_tcp_header",         WST_DC_MALFORMED)       \
    X(BAD_LINK,            "bad_link_header",              WST_DC_MALFORMED)       \
    X(TOO_DEEP,            "encapsulation_too_deep",       WST_DC_MALFORMED)       \
    X(BAD_IP_VERSION,      "bad_ip_version",               WST_DC_MALFORMED)       \
    X(BAD_IP_HEADER_LEN,   "bad_ip_header_length",         WST_DC_MALFORMED)       \
    X(BAD_IP_LEN,          "bad_ip_length",                WST_DC_MALFORMED)       \
    X(BAD_IPV6_EXT,        "bad_ipv6_extension_header",    WST_DC_MALFORMED)       \
    X(BAD_TCP_HEADER_LEN,  "bad_tcp_header_length",        WST_DC_MALFORMED)

enum wst_decode_status {
#define WST_DECODE_ENUM(e, name, cls) WST_DECODE_##e,
    WST_DECODE_MAP(WST_DECODE_ENUM)
#undef WST_DECODE_ENUM
    WST_DECODE__COUNT
};

/* Stable snake_case name of a status. */
const char *wst_decode_status_name(enum wst_decode_status st);

/* Class of a status. */
enum wst_decode_class wst_decode_status_class(enum wst_decode_status st);

/* Stable name of a class ("tcp", "other", "not_decoded", "malformed"). */
const char *wst_decode_class_name(enum wst_decode_class cls);

/* TCP header flags, as in the 14th byte of the header (RFC 9293 §3.1). */
enum {
    WST_TH_FIN = 0x01,
    WST_TH_SYN = 0x02,
    WST_TH_RST = 0x04,
    WST_TH_PSH = 0x08,
    WST_TH_ACK = 0x10,
    WST_TH_URG = 0x20,
    WST_TH_ECE = 0x40,
    WST_TH_CWR = 0x80,
};

/* TCP flags in display order (SYN first, as a handshake reads). */
#define WST_TCP_FLAG_MAP(X) \
    X(WST_TH_SYN, "SYN")    \
    X(WST_TH_ACK, "ACK")    \
    X(WST_TH_PSH, "PSH")    \
    X(WST_TH_URG, "URG")    \
    X(WST_TH_FIN, "FIN")    \
    X(WST_TH_RST, "RST")    \
    X(WST_TH_ECE, "ECE")    \
    X(WST_TH_CWR, "CWR")

/* Which TCP options the segment carried (bits of wst_tcp_options.present). */
enum {
    WST_OPT_MSS = 0x01,
    WST_OPT_WSCALE = 0x02,
    WST_OPT_SACK_PERM = 0x04,
    WST_OPT_SACK = 0x08,
    WST_OPT_TIMESTAMP = 0x10,
    WST_OPT_TRUNCATED = 0x40, /* the snap length cut the option list; rest unknown */
    WST_OPT_MALFORMED = 0x80, /* option list ran past the header; rest ignored */
};

#define WST_MAX_SACK_BLOCKS 4
#define WST_MAX_VLANS 2 /* tags recorded; deeper stacks are decoded, not kept */

/* A field is valid only when its WST_OPT_* bit is set in `present`. */
struct wst_tcp_options {
    uint8_t present;     /* WST_OPT_* */
    uint8_t wscale;      /* shift count as sent (RFC 7323 §2.3) */
    uint8_t sack_blocks; /* 0..WST_MAX_SACK_BLOCKS */
    uint16_t mss;
    uint32_t ts_val, ts_ecr;
    uint32_t sack[WST_MAX_SACK_BLOCKS][2]; /* left, right edges */
};

/*
 * One decoded TCP segment. It copies every number it needs out of the
 * packet; only `payload` points into the borrowed packet buffer, and is
 * valid until the next packet is read.
 */
struct wst_segment {
    uint8_t family;           /* WST_AF_INET or WST_AF_INET6 */
    uint8_t flags;            /* WST_TH_* */
    uint8_t ttl;              /* IPv4 TTL or IPv6 hop limit */
    uint8_t vlan_count;       /* 802.1Q/802.1ad tags seen (may exceed WST_MAX_VLANS) */
    bool has_ports;           /* sport/dport valid: set with WST_DECODE_TCP, and with
                                 WST_DECODE_TRUNCATED_TCP when the snap length cut
                                 the TCP header after its ports */
    uint16_t vlan[WST_MAX_VLANS]; /* outermost first, 12-bit IDs */
    struct wst_addr src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t window;          /* raw, unscaled */
    uint16_t ip_id;           /* IPv4 identification (0 for IPv6) */
    uint32_t payload_len;     /* TCP payload bytes, from the IP length */
    uint32_t payload_caplen;  /* of which captured (<= payload_len) */
    const uint8_t *payload;   /* borrowed; NULL when payload_caplen is 0 */
    struct wst_tcp_options opt; /* parsed on a SYN (or SYN+ACK) only; for other segments
                                   present is 0, or WST_OPT_TRUNCATED if the snap length
                                   cut the list: see wst_decode_tcp_options() */
    uint32_t opt_off;         /* where the TCP option list starts in the frame */
    uint8_t opt_len;          /* its length by the TCP header (0 to 40) */
    uint8_t opt_caplen;       /* of which captured (<= opt_len) */
    uint32_t l4_off, l4_len;  /* WST_DECODE_ICMP(V6) only: where the ICMP message is
                                 in the frame, and its length from the IP header */
};

/*
 * Parses the TCP options of a segment wst_decode() returned WST_DECODE_TCP
 * for, from `data`, the same frame it decoded: what wst_decode() does for a
 * SYN, for any segment (a later segment's timestamps or SACK blocks). Fills
 * *out entirely; options cut by the snap length are parsed as far as they
 * go and flagged WST_OPT_TRUNCATED. Reads only the option bytes captured.
 */
void wst_decode_tcp_options(const uint8_t *data, const struct wst_segment *seg, struct wst_tcp_options *out);

/* An ICMP or ICMPv6 destination unreachable, and the TCP header it quotes. */
struct wst_icmp_error {
    uint8_t family;            /* of the quoted datagram (and of the ICMP) */
    uint8_t type, code;
    struct wst_addr reporter;  /* the ICMP's source: a router, or the destination host */
    struct wst_addr src, dst;  /* the quoted datagram's addresses */
    uint16_t sport, dport;
    uint32_t seq;
};

/*
 * For a frame wst_decode() classified WST_DECODE_ICMP or WST_DECODE_ICMPV6
 * (with `seg` as it left it): true, with *out filled, if the message is a
 * destination unreachable (ICMP type 3 other than code 4, fragmentation
 * needed, which is path MTU discovery, RFC 1191; ICMPv6 type 1) whose quote
 * holds the IP header and the first 8 bytes of a TCP header (RFC 792,
 * RFC 4443 §3.1): an IPv4 header (options allowed, not a fragment past the
 * first) or an IPv6 header directly followed by TCP. False for anything
 * else, including quotes the message's length or the capture cut short.
 * Reads no byte outside data[0..caplen).
 */
bool wst_decode_icmp_error(const uint8_t *data, uint32_t caplen, const struct wst_segment *seg,
                           struct wst_icmp_error *out);

/*
 * Decodes one frame of `caplen` captured bytes (of `wirelen` on the wire) of
 * link type `link`. Returns WST_DECODE_TCP with *seg filled, or another
 * status with *seg in an unspecified state, except that
 * WST_DECODE_TRUNCATED_TCP with seg->has_ports set also fills family,
 * addresses, VLANs and ports (the packet can still be counted against its
 * connection). The fixed 20-byte TCP header must be captured for
 * WST_DECODE_TCP; the options of a SYN are parsed, those cut by the snap
 * length as far as they go and flagged WST_OPT_TRUNCATED (other segments'
 * options: wst_decode_tcp_options()). Reads no byte outside
 * data[0..caplen).
 */
enum wst_decode_status wst_decode(enum wst_link link, const uint8_t *data, uint32_t caplen,
                                  uint32_t wirelen, struct wst_segment *seg);

#endif
