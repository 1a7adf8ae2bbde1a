/*
 * decode_link.c - the link layer: what follows it, or why nothing does.
 *
 * References: https://www.tcpdump.org/linktypes.html; Linux cooked
 * captures v1 and v2 (libpcap's sll.h); BSD loopback (DLT_NULL, DLT_LOOP).
 */
#include "decode_frame.h"

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

enum wst_decode_status wst_dec_link(struct frame *f, enum wst_link link)
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
