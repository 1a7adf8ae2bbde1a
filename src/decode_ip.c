/*
 * decode_ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200, with its extension
 * header chain and RFC 2675 jumbograms) to the transport layer.
 *
 * Lengths come from the headers, not from the captured length (decode.c,
 * assumption 2); a fragment other than an atomic one is not reassembled.
 */
#include <string.h>

#include "decode_frame.h"

/* IPv4 header at f->off (RFC 791 §3.1). */
enum wst_decode_status wst_dec_ipv4(struct frame *f, struct wst_segment *seg)
{
    uint32_t off = f->off;
    if ((uint64_t)off + 20 > f->caplen)
        return WST_DECODE_TRUNCATED_IP;
    const uint8_t *ip = f->data + off;
    if (ip[0] >> 4 != 4)
        return WST_DECODE_BAD_IP_VERSION;
    uint32_t hlen = (uint32_t)(ip[0] & 0x0F) * 4;
    if (hlen < 20)
        return WST_DECODE_BAD_IP_HEADER_LEN;
    if ((uint64_t)off + hlen > f->caplen)
        return WST_DECODE_TRUNCATED_IP;

    uint32_t on_wire = f->wirelen > off ? f->wirelen - off : 0;
    uint32_t total = rd_be16(ip + 2);
    if (total == 0) {
        /* TCP segmentation offload: the sender's stack handed the NIC one
         * large datagram with the length left for the NIC to fill in, and
         * the capture saw it before that; the frame length is the truth. */
        total = on_wire;
    }
    if (total < hlen || total > on_wire)
        return WST_DECODE_BAD_IP_LEN;

    uint16_t frag = rd_be16(ip + 6);
    if ((frag & 0x2000) || (frag & 0x1FFF))
        return WST_DECODE_FRAGMENT;

    seg->family = WST_AF_INET;
    seg->ttl = ip[8];
    seg->ip_id = rd_be16(ip + 4);
    memcpy(seg->src.b, ip + 12, 4);
    memset(seg->src.b + 4, 0, 12);
    memcpy(seg->dst.b, ip + 16, 4);
    memset(seg->dst.b + 4, 0, 12);
    return next_transport(f, ip[9], off + hlen, total - hlen);
}

/*
 * Payload length of an IPv6 jumbogram (RFC 2675 §2): the Jumbo Payload
 * option of the hop-by-hop header at `off`. Returns 0 if absent or
 * unreadable.
 */
static uint32_t jumbo_payload_len(const struct frame *f, uint32_t off)
{
    if ((uint64_t)off + 2 > f->caplen)
        return 0;
    uint32_t end = off + ((uint32_t)f->data[off + 1] + 1) * 8;
    if (end > f->caplen)
        return 0;
    uint32_t i = off + 2;
    while (i < end) {
        uint8_t type = f->data[i];
        if (type == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > end || i + 2 + (uint32_t)f->data[i + 1] > end)
            return 0;
        if (type == 0xC2 && f->data[i + 1] == 4)
            return rd_be32(f->data + i + 2);
        i += 2 + (uint32_t)f->data[i + 1];
    }
    return 0;
}

/* IPv6 header at f->off and its extension-header chain (RFC 8200 §3, §4). */
enum wst_decode_status wst_dec_ipv6(struct frame *f, struct wst_segment *seg)
{
    uint32_t off = f->off;
    if ((uint64_t)off + 40 > f->caplen)
        return WST_DECODE_TRUNCATED_IP;
    const uint8_t *ip = f->data + off;
    if (ip[0] >> 4 != 6)
        return WST_DECODE_BAD_IP_VERSION;

    uint32_t on_wire = f->wirelen > off + 40 ? f->wirelen - off - 40 : 0;
    uint32_t plen = rd_be16(ip + 4);
    uint8_t next = ip[6];
    if (plen == 0 && next == IPP_HOPOPTS)
        plen = jumbo_payload_len(f, off + 40);
    if (plen == 0 && next == IPP_HOPOPTS)
        return WST_DECODE_BAD_IP_LEN;
    if (plen > on_wire)
        return WST_DECODE_BAD_IP_LEN;

    seg->family = WST_AF_INET6;
    seg->ttl = ip[7];
    seg->ip_id = 0;
    memcpy(seg->src.b, ip + 8, 16);
    memcpy(seg->dst.b, ip + 24, 16);

    uint32_t p = off + 40;       /* current header */
    uint32_t end = p + plen;     /* end of the IPv6 payload */
    for (int depth = 0;; depth++) {
        uint32_t hlen;
        switch (next) {
        case IPP_HOPOPTS:
        case IPP_ROUTING:
        case IPP_DSTOPTS:
        case IPP_MOBILITY:
        case IPP_HIP:
        case IPP_SHIM6:
        case IPP_AH:
        case IPP_FRAGMENT:
            break;
        default:
            return next_transport(f, next, p, end - p);
        }
        if (depth == WST_MAX_LAYERS)
            return WST_DECODE_TOO_DEEP;
        if (p + 2 > end)
            return WST_DECODE_BAD_IPV6_EXT;
        if ((uint64_t)p + 2 > f->caplen)
            return WST_DECODE_TRUNCATED_IP;
        const uint8_t *h = f->data + p;
        if (next == IPP_FRAGMENT)
            hlen = 8;
        else if (next == IPP_AH)
            hlen = ((uint32_t)h[1] + 2) * 4; /* RFC 4302 §2.2: 32-bit words, minus 2 */
        else
            hlen = ((uint32_t)h[1] + 1) * 8; /* 8-octet units, not counting the first */
        if ((uint64_t)p + hlen > end)
            return WST_DECODE_BAD_IPV6_EXT;
        if ((uint64_t)p + hlen > f->caplen)
            return WST_DECODE_TRUNCATED_IP;
        if (next == IPP_FRAGMENT) {
            /* RFC 8200 §4.5; an atomic fragment (offset 0, M 0) is whole. */
            if ((rd_be16(h + 2) & 0xFFF8) || (h[3] & 1))
                return WST_DECODE_FRAGMENT;
        }
        next = h[0];
        p += hlen;
    }
}

/* The IP version nibble at f->off (raw IP link types). */
enum wst_decode_status wst_dec_ip_version(struct frame *f)
{
    if (f->off >= f->caplen)
        return WST_DECODE_TRUNCATED_IP;
    switch (f->data[f->off] >> 4) {
    case 4:
        return next_layer(f, L_IPV4, f->off);
    case 6:
        return next_layer(f, L_IPV6, f->off);
    }
    return WST_DECODE_BAD_IP_VERSION;
}
