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
 *  6. One function per layer; a layer ends the walk with a status or hands
 *     the frame on to a later layer (link -> ethertype -> IP -> transport),
 *     never to itself or an earlier one, so the driver's loop ends.
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

#include <string.h>

#include "bytes.h"

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
static enum wst_decode_status next_layer(struct frame *f, enum layer layer, uint32_t off)
{
    f->layer = (uint8_t)layer;
    f->off = off;
    return DECODE_NEXT;
}

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

/*
 * TCP options (RFC 9293 §3.2): kind 0 ends the list, kind 1 pads, every
 * other kind carries a length byte that counts the kind and length bytes.
 */
/*
 * `len` bytes of the option list were captured, of `full_len` the header
 * declares; an option running past `len` but not past `full_len` was cut by
 * the snap length (the caller flags that), not malformed.
 */
static void decode_tcp_options(const uint8_t *p, uint32_t len, uint32_t full_len, struct wst_tcp_options *o)
{
    uint32_t i = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= len) {
            /* No length byte captured: malformed if the list ends here too. */
            if (i + 1 >= full_len)
                o->present |= WST_OPT_MALFORMED;
            break;
        }
        uint8_t olen = p[i + 1];
        if (olen < 2 || i + olen > full_len) {
            o->present |= WST_OPT_MALFORMED;
            break;
        }
        if (i + olen > len)
            break; /* cut by the snap length */
        const uint8_t *v = p + i + 2;
        switch (kind) {
        case 2: /* MSS, RFC 9293 §3.7.1 */
            if (olen != 4)
                goto bad_len;
            o->mss = rd_be16(v);
            o->present |= WST_OPT_MSS;
            break;
        case 3: /* window scale, RFC 7323 §2.2 */
            if (olen != 3)
                goto bad_len;
            o->wscale = v[0];
            o->present |= WST_OPT_WSCALE;
            break;
        case 4: /* SACK permitted, RFC 2018 §2 */
            if (olen != 2)
                goto bad_len;
            o->present |= WST_OPT_SACK_PERM;
            break;
        case 5: { /* SACK blocks, RFC 2018 §3 */
            if (olen < 10 || (olen - 2) % 8 != 0)
                goto bad_len;
            unsigned n = (unsigned)(olen - 2) / 8;
            if (n > WST_MAX_SACK_BLOCKS)
                n = WST_MAX_SACK_BLOCKS;
            for (unsigned b = 0; b < n; b++) {
                o->sack[b][0] = rd_be32(v + 8 * b);
                o->sack[b][1] = rd_be32(v + 8 * b + 4);
            }
            o->sack_blocks = (uint8_t)n;
            o->present |= WST_OPT_SACK;
            break;
        }
        case 8: /* timestamps, RFC 7323 §3.2 */
            if (olen != 10)
                goto bad_len;
            o->ts_val = rd_be32(v);
            o->ts_ecr = rd_be32(v + 4);
            o->present |= WST_OPT_TIMESTAMP;
            break;
        default:
            break;
        }
        i += olen;
        continue;
    bad_len:
        o->present |= WST_OPT_MALFORMED;
        i += olen;
    }
}

/*
 * The option list of nearly every SYN and SYN+ACK Linux sends, byte for
 * byte but the values (tcp_options_write(): MSS; SACK-permitted and
 * timestamps; NOP, window scale): 20 bytes read at fixed places instead of
 * walked. The walk would find the same. False, touching nothing, for any
 * other list.
 */
static bool linux_syn_options(const uint8_t *p, struct wst_tcp_options *o)
{
    if (rd_be16(p) != 0x0204 || rd_be32(p + 4) != 0x0402080Au || rd_be32(p + 16) >> 8 != 0x010303u)
        return false;
    o->present = WST_OPT_MSS | WST_OPT_SACK_PERM | WST_OPT_TIMESTAMP | WST_OPT_WSCALE;
    o->sack_blocks = 0;
    o->mss = rd_be16(p + 2);
    o->ts_val = rd_be32(p + 8);
    o->ts_ecr = rd_be32(p + 12);
    o->wscale = p[19];
    return true;
}

/*
 * The option list of a TCP header at t, of hlen bytes (hlen > 20), of
 * which avail were captured: parsed as far as the capture goes.
 */
static void parse_options(const uint8_t *t, uint32_t hlen, uint32_t avail, struct wst_tcp_options *o)
{
    if (hlen == 40 && avail >= 40 && linux_syn_options(t + 20, o))
        return;
    o->present = 0; /* the other fields count only when present */
    o->sack_blocks = 0;
    uint32_t opt_len = hlen <= avail ? hlen - 20 : avail - 20;
    decode_tcp_options(t + 20, opt_len, hlen - 20, o);
    if (hlen > avail)
        o->present |= WST_OPT_TRUNCATED;
}

/*
 * TCP header at f->off; f->l4_len is what the IP header says follows it
 * (RFC 9293 §3.1: data offset counts 32-bit words, at least 5).
 */
static enum wst_decode_status decode_tcp(const struct frame *f, struct wst_segment *seg)
{
    uint32_t off = f->off, ip_payload_len = f->l4_len;
    if (ip_payload_len < 20)
        return WST_DECODE_BAD_TCP_HEADER_LEN;
    const uint8_t *t = f->data + off;
    if ((uint64_t)off + 20 > f->caplen) {
        /* Cut inside the fixed header: keep the ports if they made it, so
         * the packet still counts against its connection. */
        if ((uint64_t)off + 4 <= f->caplen) {
            seg->sport = rd_be16(t);
            seg->dport = rd_be16(t + 2);
            seg->has_ports = true;
        }
        return WST_DECODE_TRUNCATED_TCP;
    }
    uint32_t hlen = (uint32_t)(t[12] >> 4) * 4;
    if (hlen < 20 || hlen > ip_payload_len)
        return WST_DECODE_BAD_TCP_HEADER_LEN;

    seg->has_ports = true;
    seg->sport = rd_be16(t);
    seg->dport = rd_be16(t + 2);
    seg->seq = rd_be32(t + 4);
    seg->ack = rd_be32(t + 8);
    seg->flags = t[13];
    seg->window = rd_be16(t + 14);

    /* Options (assumption 7): where they are, and parsed on a SYN only. */
    uint32_t avail = f->caplen - off; /* >= 20 */
    seg->opt_off = off + 20;
    seg->opt_len = (uint8_t)(hlen - 20);
    seg->opt_caplen = (uint8_t)(hlen <= avail ? hlen - 20 : avail - 20);
    if ((seg->flags & WST_TH_SYN) && hlen > 20) {
        parse_options(t, hlen, avail, &seg->opt);
    } else {
        seg->opt.present = hlen > avail ? WST_OPT_TRUNCATED : 0;
        seg->opt.sack_blocks = 0;
    }

    uint32_t data_off = off + hlen;
    seg->payload_len = ip_payload_len - hlen;
    avail = data_off < f->caplen ? f->caplen - data_off : 0;
    seg->payload_caplen = seg->payload_len < avail ? seg->payload_len : avail;
    seg->payload = seg->payload_caplen ? f->data + data_off : NULL;
    return WST_DECODE_TCP;
}

/* The transport layer of an unfragmented IP datagram (ICMP goes with IPv4, ICMPv6 with IPv6). */
static enum wst_decode_status decode_transport(const struct frame *f, struct wst_segment *seg)
{
    if (f->proto == IPP_TCP)
        return decode_tcp(f, seg);
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

/* Hands the frame on to the transport layer: `proto` at `off`, `len` bytes by the IP header. */
static enum wst_decode_status next_transport(struct frame *f, uint8_t proto, uint32_t off, uint32_t len)
{
    f->proto = proto;
    f->l4_len = len;
    return next_layer(f, L_TRANSPORT, off);
}

/* IPv4 header at f->off (RFC 791 §3.1). */
static enum wst_decode_status decode_ipv4(struct frame *f, struct wst_segment *seg)
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
static enum wst_decode_status decode_ipv6(struct frame *f, struct wst_segment *seg)
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
static enum wst_decode_status decode_ip_version(struct frame *f)
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

static enum wst_decode_status need(const struct frame *f, uint32_t off, uint32_t n)
{
    return (uint64_t)off + n > f->caplen ? WST_DECODE_TRUNCATED_LINK : WST_DECODE_TCP;
}

/*
 * The ethertype loop: f->type is the ethertype found just before f->off.
 * Tags, labels and sessions are peeled until an IP header, something that
 * is not IP, or something we do not decode.
 */
static enum wst_decode_status decode_ethertype(struct frame *f, struct wst_segment *seg)
{
    uint16_t type = f->type;
    uint32_t off = f->off;
    /* Up to WST_MAX_LAYERS encapsulations, then the network layer. */
    for (int depth = 0; depth <= WST_MAX_LAYERS; depth++) {
        if (type == ET_IPV4) /* most frames: before the switch's search */
            return next_layer(f, L_IPV4, off);
        switch (type) {
        case ET_IPV6:
            return next_layer(f, L_IPV6, off);

        case ET_VLAN:
        case ET_QINQ:
        case ET_QINQ_OLD1:
        case ET_QINQ_OLD2:
            /* IEEE 802.1Q tag: TCI (PCP 3, DEI 1, VID 12), then the next type. */
            if (need(f, off, 4) != WST_DECODE_TCP)
                return WST_DECODE_TRUNCATED_LINK;
            if (seg->vlan_count < WST_MAX_VLANS)
                seg->vlan[seg->vlan_count] = rd_be16(f->data + off) & 0x0FFF;
            if (seg->vlan_count < UINT8_MAX)
                seg->vlan_count++;
            type = rd_be16(f->data + off + 2);
            off += 4;
            continue;

        case ET_MPLS_UC:
        case ET_MPLS_MC: {
            /* RFC 3032 §2.1: label 20, TC 3, S 1, TTL 8; S marks the bottom. */
            int labels = 0;
            for (;;) {
                if (need(f, off, 4) != WST_DECODE_TCP)
                    return WST_DECODE_TRUNCATED_LINK;
                bool bottom = f->data[off + 2] & 0x01;
                off += 4;
                if (bottom)
                    break;
                if (++labels + depth >= WST_MAX_LAYERS)
                    return WST_DECODE_TOO_DEEP;
            }
            depth += labels;
            /* RFC 4385 §4: the first nibble tells IPv4, IPv6, or a control word. */
            if (off >= f->caplen)
                return WST_DECODE_TRUNCATED_LINK;
            switch (f->data[off] >> 4) {
            case 4:
                return next_layer(f, L_IPV4, off);
            case 6:
                return next_layer(f, L_IPV6, off);
            case 0: /* control word, then an Ethernet pseudowire frame */
                if (need(f, off, 4 + 14) != WST_DECODE_TCP)
                    return WST_DECODE_TRUNCATED_LINK;
                type = rd_be16(f->data + off + 4 + 12);
                off += 4 + 14;
                continue;
            }
            return WST_DECODE_UNSUPPORTED_ENCAP;
        }

        case ET_PPPOE_SESSION: {
            /* RFC 2516 §4: ver 1, type 1, code 0, session, length; then PPP protocol. */
            if (need(f, off, 8) != WST_DECODE_TCP)
                return WST_DECODE_TRUNCATED_LINK;
            if (f->data[off] != 0x11 || f->data[off + 1] != 0x00)
                return WST_DECODE_BAD_LINK;
            uint16_t ppp = rd_be16(f->data + off + 6);
            off += 8;
            if (ppp == 0x0021)
                return next_layer(f, L_IPV4, off);
            if (ppp == 0x0057)
                return next_layer(f, L_IPV6, off);
            return WST_DECODE_NON_IP;
        }

        case ET_VNTAG: /* Cisco VN-Tag: 4 bytes, then the next type */
            if (need(f, off, 6) != WST_DECODE_TCP)
                return WST_DECODE_TRUNCATED_LINK;
            type = rd_be16(f->data + off + 4);
            off += 6;
            continue;

        case ET_ETAG: /* IEEE 802.1BR E-Tag: 6 bytes, then the next type */
            if (need(f, off, 8) != WST_DECODE_TCP)
                return WST_DECODE_TRUNCATED_LINK;
            type = rd_be16(f->data + off + 6);
            off += 8;
            continue;

        case ET_PBB: /* IEEE 802.1ah I-Tag: 4 bytes, then a whole inner Ethernet header */
            if (need(f, off, 4 + 14) != WST_DECODE_TCP)
                return WST_DECODE_TRUNCATED_LINK;
            type = rd_be16(f->data + off + 4 + 12);
            off += 4 + 14;
            continue;

        default:
            if (type <= ET_MAX_8023_LEN) {
                /* IEEE 802.3 length field: only LLC/SNAP with OUI 0 carries an ethertype. */
                if (need(f, off, 8) != WST_DECODE_TCP)
                    return WST_DECODE_TRUNCATED_LINK;
                static const uint8_t snap[6] = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00};
                if (memcmp(f->data + off, snap, sizeof snap) != 0)
                    return WST_DECODE_NON_IP;
                type = rd_be16(f->data + off + 6);
                off += 8;
                continue;
            }
            return WST_DECODE_NON_IP;
        }
    }
    return WST_DECODE_TOO_DEEP;
}

/* BSD loopback address families: AF_INET everywhere, AF_INET6 per OS. */
static enum wst_decode_status decode_af(struct frame *f, uint32_t af)
{
    switch (af) {
    case 2:
        return next_layer(f, L_IPV4, 4);
    case 10: /* Linux */
    case 24: /* NetBSD, OpenBSD, BSD/OS */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* macOS */
        return next_layer(f, L_IPV6, 4);
    }
    return WST_DECODE_NON_IP;
}

/* The link layer: what follows it, or why nothing does. */
static enum wst_decode_status decode_link(struct frame *f, enum wst_link link)
{
    const uint8_t *data = f->data;
    uint32_t caplen = f->caplen;
    switch (link) {
    case WST_LINK_ETHERNET:
        if (caplen < 14)
            return WST_DECODE_TRUNCATED_LINK;
        f->type = rd_be16(data + 12);
        return next_layer(f, L_ETHERTYPE, 14);
    case WST_LINK_SLL:
        /* Linux cooked v1: packet type, ARPHRD, address length, address[8], protocol. */
        if (caplen < 16)
            return WST_DECODE_TRUNCATED_LINK;
        f->type = rd_be16(data + 14);
        return next_layer(f, L_ETHERTYPE, 16);
    case WST_LINK_SLL2:
        /* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, addr len, address[8]. */
        if (caplen < 20)
            return WST_DECODE_TRUNCATED_LINK;
        f->type = rd_be16(data);
        return next_layer(f, L_ETHERTYPE, 20);
    case WST_LINK_NULL_BSD: {
        if (caplen < 4)
            return WST_DECODE_TRUNCATED_LINK;
        /* The family is in the writing host's byte order; families are small. */
        uint32_t af = rd_le32(data);
        if (af > 0xFFFF)
            af = rd_be32(data);
        return decode_af(f, af);
    }
    case WST_LINK_LOOP:
        if (caplen < 4)
            return WST_DECODE_TRUNCATED_LINK;
        return decode_af(f, rd_be32(data));
    case WST_LINK_RAW:
        return next_layer(f, L_IP_VERSION, 0);
    case WST_LINK_IPV4:
        return next_layer(f, L_IPV4, 0);
    case WST_LINK_IPV6:
        return next_layer(f, L_IPV6, 0);
    case WST_LINK_UNSUPPORTED:
    case WST_LINK__COUNT:
        break;
    }
    return WST_DECODE_UNSUPPORTED_LINK;
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
    enum wst_decode_status st = decode_link(&f, link);
    while (st == DECODE_NEXT) {
        switch ((enum layer)f.layer) {
        case L_ETHERTYPE:
            st = decode_ethertype(&f, seg);
            break;
        case L_IP_VERSION:
            st = decode_ip_version(&f);
            break;
        case L_IPV4:
            st = decode_ipv4(&f, seg);
            break;
        case L_IPV6:
            st = decode_ipv6(&f, seg);
            break;
        case L_TRANSPORT:
            return decode_transport(&f, seg);
        }
    }
    return st;
}

void wst_decode_tcp_options(const uint8_t *data, const struct wst_segment *seg, struct wst_tcp_options *out)
{
    if (seg->opt_len == 0) {
        out->present = 0;
        out->sack_blocks = 0;
        return;
    }
    /* parse_options() sees the header as it was: 20 bytes, then the list. */
    parse_options(data + seg->opt_off - 20, 20u + seg->opt_len, 20u + seg->opt_caplen, out);
}

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
