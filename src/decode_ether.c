/*
 * decode_ether.c - after an ethertype: IEEE 802.1Q VLAN tags (and 802.1ad
 * QinQ), MPLS label stacks (RFC 3032, with the RFC 4385 pseudowire control
 * word), PPPoE sessions (RFC 2516), Cisco VN-Tag, IEEE 802.1BR E-Tag,
 * IEEE 802.1ah PBB, and IEEE 802.3 LLC/SNAP, peeled until an IP header.
 */
#include <string.h>

#include "decode_frame.h"

/*
 * The ethertype loop: f->type is the ethertype found just before f->off.
 * Tags, labels and sessions are peeled until an IP header, something that
 * is not IP, or something we do not decode.
 */
enum wst_decode_status wst_dec_ethertype(struct frame *f, struct wst_segment *seg)
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
