/*
 * decode_transport.c - what an unfragmented IP datagram carries: TCP (to
 * decode_tcp.c), ICMP and ICMPv6 (kept for wst_decode_icmp_error()), UDP
 * and the other protocols counted by name.
 */
#include "decode_frame.h"

/* IP protocols that carry another network layer, which we do not open yet. */
static bool is_tunnel_protocol(uint8_t proto)
{
    switch (proto) {
    case IPP_IPIP:
    case IPP_IPV6:
    case IPP_GRE:
    case IPP_ETHERIP:
    case IPP_L2TPV3:
    case IPP_MPLS_IN_IP:
        return true;
    }
    return false;
}

/* Well-known UDP ports of tunnels (VXLAN, VXLAN-GPE, Geneve, GTP-U, Teredo, L2TP, GRE-in-UDP). */
static bool is_tunnel_port(uint16_t port)
{
    switch (port) {
    case 4789:
    case 4790:
    case 6081:
    case 2152:
    case 3544:
    case 1701:
    case 4754:
        return true;
    }
    return false;
}

static enum wst_decode_status classify_udp(const struct frame *f, uint32_t off)
{
    if ((uint64_t)off + 4 > f->caplen)
        return WST_DECODE_UDP;
    if (is_tunnel_port(rd_be16(f->data + off)) || is_tunnel_port(rd_be16(f->data + off + 2)))
        return WST_DECODE_TUNNEL;
    return WST_DECODE_UDP;
}

/* The transport layer of an unfragmented IP datagram (ICMP goes with IPv4, ICMPv6 with IPv6). */
enum wst_decode_status wst_dec_transport(const struct frame *f, struct wst_segment *seg)
{
    if (f->proto == IPP_TCP)
        return wst_dec_tcp(f, seg);
    switch (f->proto) {
    case IPP_UDP:
        return classify_udp(f, f->off);
    case IPP_ICMP:
        if (seg->family == WST_AF_INET) {
            seg->l4_off = f->off;
            seg->l4_len = f->l4_len;
            return WST_DECODE_ICMP;
        }
        break;
    case IPP_ICMPV6:
        if (seg->family == WST_AF_INET6) {
            seg->l4_off = f->off;
            seg->l4_len = f->l4_len;
            return WST_DECODE_ICMPV6;
        }
        break;
    }
    return is_tunnel_protocol(f->proto) ? WST_DECODE_TUNNEL : WST_DECODE_IP_OTHER;
}
