/*
 * decode_frame.h - private: the frame the decoder walks, and one entry
 * point per layer.
 *
 * Each layer lives in its own file (decode_link.c, decode_ether.c,
 * decode_ip.c, decode_transport.c, decode_tcp.c) and is reached only
 * through the driver in decode.c: a layer reads the bytes at f->off, fills
 * what it learnt into the segment, and either ends the walk with a status
 * or names the next layer with next_layer(). Layers never call each other,
 * so adding one (a tunnel, a link type) touches its own file, the enum
 * below and the driver's switch.
 */
#ifndef WST_DECODE_FRAME_H
#define WST_DECODE_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "wirestate/decode.h"

#define WST_MAX_LAYERS 16 /* link-layer encapsulations, and IPv6 ext headers */


/* Ethertypes (IEEE registry). */
enum {
    ET_IPV4 = 0x0800,
    ET_IPV6 = 0x86DD,
    ET_VLAN = 0x8100,
    ET_QINQ = 0x88A8,
    ET_QINQ_OLD1 = 0x9100,
    ET_QINQ_OLD2 = 0x9200,
    ET_MPLS_UC = 0x8847,
    ET_MPLS_MC = 0x8848,
    ET_PPPOE_SESSION = 0x8864,
    ET_VNTAG = 0x8926,
    ET_ETAG = 0x893F,
    ET_PBB = 0x88E7,
    ET_MAX_8023_LEN = 1500,
};

/* IP protocol numbers (IANA). */
enum {
    IPP_HOPOPTS = 0,
    IPP_ICMP = 1,
    IPP_IPIP = 4,
    IPP_TCP = 6,
    IPP_UDP = 17,
    IPP_IPV6 = 41,
    IPP_ROUTING = 43,
    IPP_FRAGMENT = 44,
    IPP_GRE = 47,
    IPP_ESP = 50,
    IPP_AH = 51,
    IPP_ICMPV6 = 58,
    IPP_NONE = 59,
    IPP_DSTOPTS = 60,
    IPP_ETHERIP = 97,
    IPP_L2TPV3 = 115,
    IPP_MOBILITY = 135,
    IPP_MPLS_IN_IP = 137,
    IPP_HIP = 139,
    IPP_SHIM6 = 140,
};

/*
 * The layers of the walk, in the only order they can follow one another:
 * a layer hands the frame on to a later one or ends the walk, so the walk
 * ends (assumption 6).
 */
enum layer {
    L_ETHERTYPE,   /* `type` names what starts at `off` (tags, labels, sessions, IP) */
    L_IP_VERSION,  /* IPv4 or IPv6, by the version nibble at `off` */
    L_IPV4,
    L_IPV6,
    L_TRANSPORT,   /* protocol `proto`, `l4_len` bytes by the IP header, at `off` */
};

/* The frame being walked, and where the walk is. */
struct frame {
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
    uint32_t off;      /* where the next layer starts */
    uint32_t l4_len;   /* L_TRANSPORT: the IP payload length */
    uint16_t type;     /* L_ETHERTYPE: the ethertype just before off */
    uint8_t layer;     /* enum layer: what starts at off */
    uint8_t proto;     /* L_TRANSPORT: the IP protocol */
};

/*
 * What a layer returns to hand the frame on: the next layer is set in the
 * frame. Never returned by wst_decode().
 */
#define DECODE_NEXT WST_DECODE__COUNT


/* Hands the frame on to `layer` at `off`. */
static inline enum wst_decode_status next_layer(struct frame *f, enum layer layer, uint32_t off)
{
    f->layer = (uint8_t)layer;
    f->off = off;
    return DECODE_NEXT;
}

/* Hands the frame on to the transport layer: `proto` at `off`, `len` bytes by the IP header. */
static inline enum wst_decode_status next_transport(struct frame *f, uint8_t proto, uint32_t off, uint32_t len)
{
    f->proto = proto;
    f->l4_len = len;
    return next_layer(f, L_TRANSPORT, off);
}

/* WST_DECODE_TCP ("go on") if n bytes at off were captured, else a truncated link header. */
static inline enum wst_decode_status need(const struct frame *f, uint32_t off, uint32_t n)
{
    return (uint64_t)off + n > f->caplen ? WST_DECODE_TRUNCATED_LINK : WST_DECODE_TCP;
}

/* decode_link.c: the link layer of type `link` at the start of the frame. */
enum wst_decode_status wst_dec_link(struct frame *f, enum wst_link link);

/* decode_ether.c: tags, labels and sessions after an ethertype (L_ETHERTYPE). */
enum wst_decode_status wst_dec_ethertype(struct frame *f, struct wst_segment *seg);

/* decode_ip.c: L_IP_VERSION, L_IPV4 and L_IPV6. */
enum wst_decode_status wst_dec_ip_version(struct frame *f);
enum wst_decode_status wst_dec_ipv4(struct frame *f, struct wst_segment *seg);
enum wst_decode_status wst_dec_ipv6(struct frame *f, struct wst_segment *seg);

/* decode_transport.c: L_TRANSPORT, what an unfragmented IP datagram carries. */
enum wst_decode_status wst_dec_transport(const struct frame *f, struct wst_segment *seg);

/* decode_tcp.c: the TCP header at f->off (from wst_dec_transport()). */
enum wst_decode_status wst_dec_tcp(const struct frame *f, struct wst_segment *seg);

#endif
