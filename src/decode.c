/*
 * decode.c - one captured frame to a TCP segment, without allocating.
 *
 * Model: the frame is walked outside-in, link layer -> (tags, labels,
 * sessions) -> IPv4/IPv6 (+ extension headers) -> TCP, keeping one offset.
 * Every layer checks that its bytes were captured before it reads them, and
 * stops with a status naming the first thing that is wrong (masscan's
 * "record how deep decoding got"). A status is data, never an error: the
 * caller counts it and moves on.
 *
 * Assumptions and invariants:
 *  1. Nothing outside data[0..caplen) is read; wirelen >= caplen is the
 *     frame's length on the wire and bounds what the IP header may claim.
 *  2. Lengths come from headers, not from caplen: a frame cut by the snap
 *     length after a complete TCP header still carries its full payload
 *     length (RFC 791 total length, RFC 8200 payload length).
 *  3. Ethernet padding after the IP datagram is ignored.
 *  4. Encapsulation depth is bounded (WST_MAX_LAYERS), so a hostile frame
 *     of nested tags cannot make the walk long.
 *  5. Checksums are not verified: captures taken on the sending host carry
 *     checksums that NIC offload fills in later, and a passive observer
 *     learns the endpoints' states from what they sent either way.
 *  6. One file per layer (decode_frame.h lists them); a layer ends the walk
 *     with a status or hands the frame on to a later layer (link ->
 *     ethertype -> IP -> transport), never to itself or an earlier one, so
 *     the driver's loop ends.
 *  7. TCP options are parsed on SYN segments only, the only ones whose
 *     options set up anything (MSS, window scale, SACK permitted: RFC 9293
 *     §3.7.1, RFC 7323 §2.2, RFC 2018 §2); on every other segment the
 *     decoder records where the options are, and wst_decode_tcp_options()
 *     parses them for a caller that wants a later segment's timestamps or
 *     SACK blocks while the frame is at hand. Most segments carry 12 bytes
 *     of timestamps nobody reads.
 *
 * References: IEEE 802.1Q (VLAN, 802.1ad QinQ, 802.1ah PBB), IEEE 802.1BR
 * (E-Tag), RFC 3032 (MPLS), RFC 4385 (pseudowire control word), RFC 2516
 * (PPPoE), RFC 791 (IPv4), RFC 8200 (IPv6), RFC 2675 (jumbograms),
 * RFC 9293 (TCP), RFC 7323 (window scale, timestamps), RFC 2018 (SACK).
 */
#include "wirestate/decode.h"

#include "decode_frame.h"

static const struct {
    const char *name;
    enum wst_decode_class cls;
} status_info[WST_DECODE__COUNT] = {
#define WST_DECODE_INFO(e, nm, c) [WST_DECODE_##e] = {nm, c},
    WST_DECODE_MAP(WST_DECODE_INFO)
#undef WST_DECODE_INFO
};

static const char *const class_names[WST_DC__COUNT] = {
    [WST_DC_TCP] = "tcp",
    [WST_DC_OTHER] = "other",
    [WST_DC_NOT_DECODED] = "not_decoded",
    [WST_DC_MALFORMED] = "malformed",
};

const char *wst_decode_status_name(enum wst_decode_status st)
{
    return (unsigned)st < WST_DECODE__COUNT ? status_info[st].name : "unknown";
}

enum wst_decode_class wst_decode_status_class(enum wst_decode_status st)
{
    return (unsigned)st < WST_DECODE__COUNT ? status_info[st].cls : WST_DC_MALFORMED;
}

const char *wst_decode_class_name(enum wst_decode_class cls)
{
    return (unsigned)cls < WST_DC__COUNT && class_names[cls] ? class_names[cls] : "unknown";
}

/*
 * The driver: each layer either ends the walk with a status or hands the
 * frame on to a later layer (STYLE.md point 15), so every layer has one
 * caller and the compiler can fold the whole walk into this function.
 */
enum wst_decode_status wst_decode(enum wst_link link, const uint8_t *data, uint32_t caplen,
                                  uint32_t wirelen, struct wst_segment *seg)
{
    struct frame f = {.data = data, .caplen = caplen, .wirelen = wirelen < caplen ? caplen : wirelen};
    seg->vlan_count = 0;
    seg->has_ports = false;
    enum wst_decode_status st = wst_dec_link(&f, link);
    while (st == DECODE_NEXT) {
        switch ((enum layer)f.layer) {
        case L_ETHERTYPE:
            st = wst_dec_ethertype(&f, seg);
            break;
        case L_IP_VERSION:
            st = wst_dec_ip_version(&f);
            break;
        case L_IPV4:
            st = wst_dec_ipv4(&f, seg);
            break;
        case L_IPV6:
            st = wst_dec_ipv6(&f, seg);
            break;
        case L_TRANSPORT:
            return wst_dec_transport(&f, seg);
        }
    }
    return st;
}
