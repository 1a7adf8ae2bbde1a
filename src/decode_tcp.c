/*
 * decode_tcp.c - the TCP header (RFC 9293 §3.1) and its options (RFC 9293
 * §3.2, RFC 7323, RFC 2018), parsed on SYN segments only (decode.c,
 * assumption 7) and on request for any other (wst_decode_tcp_options()).
 */
#include "decode_frame.h"


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
enum wst_decode_status wst_dec_tcp(const struct frame *f, struct wst_segment *seg)
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
