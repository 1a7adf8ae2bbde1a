/*
 * decode_icmp.c - the TCP segment an ICMP or ICMPv6 destination
 * unreachable quotes (RFC 792, RFC 1122 §3.2.2, RFC 4443 §3.1).
 */
#include <string.h>

#include "decode_frame.h"

bool wst_decode_icmp_error(const uint8_t *data, uint32_t caplen, const struct wst_segment *seg,
                           struct wst_icmp_error *out)
{
    /* The message ends where the IP header or the capture says, whichever is first. */
    uint64_t end = (uint64_t)seg->l4_off + seg->l4_len;
    if (end > caplen)
        end = caplen;
    uint64_t q = (uint64_t)seg->l4_off + 8; /* type, code, checksum, 4 unused bytes */
    if (q > end)
        return false;
    const uint8_t *icmp = data + seg->l4_off;
    const uint8_t *ip = data + q;
    uint32_t hlen;
    if (seg->family == WST_AF_INET) {
        if (icmp[0] != 3 || icmp[1] == 4)
            return false;
        if (q + 20 > end || ip[0] >> 4 != 4 || ip[9] != IPP_TCP)
            return false;
        hlen = (uint32_t)(ip[0] & 0x0F) * 4;
        if (hlen < 20)
            return false;
        /* A quoted fragment other than the first starts inside the
         * segment's bytes, not at its TCP header: those 8 bytes are no
         * ports or sequence number (and RFC 1122 §3.2.2 forbids an error
         * about such a fragment anyway). The first (MF, offset 0) is fine. */
        if (rd_be16(ip + 6) & 0x1FFF)
            return false;
        memcpy(out->src.b, ip + 12, 4);
        memset(out->src.b + 4, 0, 12);
        memcpy(out->dst.b, ip + 16, 4);
        memset(out->dst.b + 4, 0, 12);
    } else {
        /* The quoted IPv6 header must be followed by TCP itself; a quote
         * with extension headers is rare enough not to be walked. */
        if (icmp[0] != 1)
            return false;
        if (q + 40 > end || ip[0] >> 4 != 6 || ip[6] != IPP_TCP)
            return false;
        hlen = 40;
        memcpy(out->src.b, ip + 8, 16);
        memcpy(out->dst.b, ip + 24, 16);
    }
    if (q + hlen + 8 > end)
        return false; /* RFC 792 quotes 64 bits of the datagram: ports and sequence number */
    const uint8_t *t = ip + hlen;
    out->family = seg->family;
    out->type = icmp[0];
    out->code = icmp[1];
    out->reporter = seg->src;
    out->sport = rd_be16(t);
    out->dport = rd_be16(t + 2);
    out->seq = rd_be32(t + 4);
    return true;
}
