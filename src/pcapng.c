/*
 * pcapng.c - a streaming reader for pcapng capture files (see
 * wirestate/pcapng.h).
 *
 * Model. A pcapng stream is a sequence of blocks, each framed as
 *
 *     type (u32) | total length (u32) | body | total length (u32)
 *
 * and grouped into sections. A section starts with a Section Header Block
 * (SHB), whose byte-order magic fixes the byte order of every block up to
 * the next SHB, and numbers its Interface Description Blocks (IDB) 0, 1, 2
 * in order of appearance. Packet blocks (Enhanced EPB, Simple SPB, obsolete
 * PB) name their interface by that number; everything else (name
 * resolution, statistics, decryption secrets, custom and unknown blocks) is
 * skipped. The reader pulls one whole block at a time with fread() into a
 * single growable buffer, so it works on pipes (no seeking) and allocates
 * nothing per packet; a packet's data points into that buffer.
 *
 * Timestamps. A packet's 64-bit timestamp counts units of its interface's
 * if_tsresol (10^-n or 2^-n seconds, default 10^-6) since the epoch, plus
 * the interface's if_tsoffset in whole seconds. The conversion to
 * microseconds is exact integer arithmetic rounding down (a 128-bit product
 * for binary resolutions, so 2^-30 and 2^-64 lose nothing but the
 * sub-microsecond part). Results below the epoch (a negative offset) clamp
 * to 0 and results beyond UINT64_MAX microseconds clamp to UINT64_MAX;
 * neither is an error, since a bad clock is data, not damage. An SPB has no
 * timestamp and takes that of the stream's previous packet, or 0 if it is
 * the first packet.
 *
 * Assumptions and invariants:
 * 1. After read_block() returns 1, buf[0, block_len) holds one whole block:
 *    12 <= block_len <= MAX_BLOCK, block_len % 4 == 0, block_len <= buf_cap,
 *    and the trailing length equals the leading one.
 * 2. Every field is read only after its block's length has been checked to
 *    cover it (minimum length per block type, caplen, option lengths), so a
 *    damaged file can never make the reader look outside buf.
 * 3. is_be is the byte order of the current section; every multi-byte field
 *    except the SHB type (a palindrome) is read through it.
 * 4. n_ifaces <= ifaces_cap <= MAX_IFACES, and ifaces[] describes only the
 *    IDBs of the current section; a new SHB empties it.
 * 5. offset counts the bytes consumed from the stream, and block_off is the
 *    offset of the block in buf; error texts cite block_off.
 * 6. The stream counts as pcapng once its first 12 bytes hold an SHB type
 *    and a valid byte-order magic. Failures before that point (and a major
 *    version other than 1 in that first SHB) are WST_EFORMAT; after it,
 *    damage is WST_ECORRUPT.
 * 7. Once a call has failed, err holds its code and every later call
 *    returns it again: the position in the stream is no longer trustworthy.
 *
 * References: draft-ietf-opsawg-pcapng (block layouts in sections 4 and 5,
 * if_tsresol and if_tsoffset in 4.2), https://www.tcpdump.org/linktypes.html.
 */
#include "wirestate/pcapng.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

#define BT_SHB 0x0A0D0D0Au    /* section header; same bytes in either order */
#define BT_IDB 0x00000001u    /* interface description */
#define BT_OPB 0x00000002u    /* packet block, obsolete */
#define BT_SPB 0x00000003u    /* simple packet block */
#define BT_EPB 0x00000006u    /* enhanced packet block */

#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

/* Fixed part of each block: 8-byte header + fields + 4-byte trailer. */
#define SHB_MIN_LEN 28u       /* magic, version 2+2, section length 8 */
#define IDB_MIN_LEN 20u       /* linktype 2, reserved 2, snaplen 4 */
#define EPB_MIN_LEN 32u       /* iface 4, ts 4+4, caplen 4, wirelen 4 */
#define OPB_MIN_LEN 32u       /* iface 2, drops 2, ts 4+4, caplen 4, wirelen 4 */
#define SPB_MIN_LEN 16u       /* original length 4 */

#define OPT_ENDOFOPT 0u
#define OPT_IF_TSRESOL 9u
#define OPT_IF_TSOFFSET 14u

#define TSRESOL_DEFAULT 6u    /* 10^-6 s: microseconds */
#define TSRESOL_BINARY 0x80u  /* high bit set: 2^-n instead of 10^-n */

#define INITIAL_BUF (64u * 1024u)
#define MAX_BLOCK (16u * 1024u * 1024u)
#define MAX_IFACES 65536u

struct iface {
    uint32_t linktype;
    uint32_t snaplen;
    uint8_t tsresol;          /* if_tsresol byte, TSRESOL_DEFAULT if absent */
    int64_t tsoffset_s;       /* if_tsoffset, 0 if absent */
};

struct wst_pcapng {
    FILE *fp;                 /* owned; closed by wst_pcapng_close() */
    uint8_t *buf;             /* the current block (invariant 1) */
    size_t buf_cap;
    uint32_t block_len;
    uint32_t block_type;
    uint64_t offset;          /* bytes consumed from the stream */
    uint64_t block_off;       /* stream offset of the block in buf */
    bool is_be;               /* byte order of the current section */
    bool seen_shb;            /* the first SHB has been accepted (invariant 6) */
    bool at_eof;
    int err;                  /* sticky error (invariant 7), 0 if none */
    struct iface *ifaces;
    uint32_t n_ifaces;
    uint32_t ifaces_cap;
    wst_ts_us last_ts_us;     /* timestamp of the previous packet, for SPBs */
};

/* Powers of ten up to 10^19, the largest that fits in 64 bits. */
static const uint64_t pow10_u64[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
    100000000u, 1000000000u, 10000000000u, 100000000000u,
    1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u,
    1000000000000000000u, 10000000000000000000u,
};

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* ------------------------------------------------------------ errors */

PRINTF_LIKE(3, 0)
static void vset_err(char *errbuf, const char *prefix, const char *fmt, va_list ap)
{
    if (errbuf == NULL)
        return;
    int n = snprintf(errbuf, WST_ERRBUF_SIZE, "%s", prefix);
    if (n < 0 || n >= WST_ERRBUF_SIZE)
        return;
    vsnprintf(errbuf + n, WST_ERRBUF_SIZE - (size_t)n, fmt, ap);
}

/* Records rc as the reader's sticky error, writes the text, returns rc. */
PRINTF_LIKE(4, 5)
static int stop(struct wst_pcapng *r, char *errbuf, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(errbuf, "", fmt, ap);
    va_end(ap);
    if (r != NULL)
        r->err = rc;
    return rc;
}

/* As stop(), with WST_ECORRUPT and the "damaged block at byte N: " prefix. */
PRINTF_LIKE(3, 4)
static int damaged(struct wst_pcapng *r, char *errbuf, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "damaged block at byte %" PRIu64 ": ", r->block_off);
    va_list ap;
    va_start(ap, fmt);
    vset_err(errbuf, prefix, fmt, ap);
    va_end(ap);
    r->err = WST_ECORRUPT;
    return WST_ECORRUPT;
}

/* ------------------------------------------------------------ fields */

static uint16_t u16(const struct wst_pcapng *r, const uint8_t *p)
{
    return r->is_be ? rd_be16(p) : rd_le16(p);
}

static uint32_t u32(const struct wst_pcapng *r, const uint8_t *p)
{
    return r->is_be ? rd_be32(p) : rd_le32(p);
}

static int64_t i64(const struct wst_pcapng *r, const uint8_t *p)
{
    uint64_t v = r->is_be ? (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4) : rd_le64(p);
    /* Two's complement without relying on an implementation-defined cast. */
    if (v <= (uint64_t)INT64_MAX)
        return (int64_t)v;
    return -(int64_t)~v - 1;
}

/* ------------------------------------------------------------ timestamps */

/* The 128-bit product a * b as (*hi, *lo), for b < 2^32. */
static void mul_64x32(uint64_t a, uint32_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t p_lo = (a & 0xFFFFFFFFu) * b;  /* < 2^64 */
    uint64_t p_hi = (a >> 32) * b;          /* < 2^64, weight 2^32 */
    *lo = p_lo + (p_hi << 32);
    *hi = (p_hi >> 32) + (*lo < p_lo);      /* carry out of the low word */
}

/* (hi:lo) >> n for n < 128, clamped to UINT64_MAX if it does not fit. */
static uint64_t shr_128_clamp(uint64_t hi, uint64_t lo, unsigned n)
{
    if (n >= 64)
        return hi >> (n - 64);
    if (n == 0)
        return hi != 0 ? UINT64_MAX : lo;
    if ((hi >> n) != 0)
        return UINT64_MAX;
    return hi << (64 - n) | lo >> n;
}

/*
 * Converts ts, in units of the if_tsresol byte tsresol, to microseconds,
 * rounding down and clamping to UINT64_MAX. Every byte value is valid:
 * 10^-n for n > 25 and 2^-n for large n simply yield 0 for any 64-bit ts.
 */
static uint64_t units_to_us(uint64_t ts, uint8_t tsresol)
{
    unsigned n = tsresol & ~TSRESOL_BINARY & 0xFFu;
    if (tsresol & TSRESOL_BINARY) {
        /* floor(ts * 10^6 / 2^n); the product needs up to 84 bits. */
        uint64_t hi, lo;
        mul_64x32(ts, WST_US_PER_S, &hi, &lo);
        return shr_128_clamp(hi, lo, n);
    }
    if (n <= 6) {
        uint64_t m = pow10_u64[6 - n];
        return ts > UINT64_MAX / m ? UINT64_MAX : ts * m;
    }
    if (n - 6 >= sizeof pow10_u64 / sizeof pow10_u64[0])
        return 0;           /* divisor above 10^19 > any 64-bit ts */
    return ts / pow10_u64[n - 6];
}

/* us + off_s seconds, clamped to [0, UINT64_MAX]. */
static uint64_t add_offset(uint64_t us, int64_t off_s)
{
    if (off_s >= 0) {
        uint64_t s = (uint64_t)off_s;
        if (s > UINT64_MAX / WST_US_PER_S)
            return UINT64_MAX;
        uint64_t d = s * WST_US_PER_S;
        return us > UINT64_MAX - d ? UINT64_MAX : us + d;
    }
    /* -(off_s + 1) + 1 is |off_s| without overflowing at INT64_MIN. */
    uint64_t s = (uint64_t)(-(off_s + 1)) + 1u;
    if (s > UINT64_MAX / WST_US_PER_S)
        return 0;
    uint64_t d = s * WST_US_PER_S;
    return us > d ? us - d : 0;
}

/* ------------------------------------------------------------ framing */

/* WST_EIO after fread() failed; errno was cleared before the call. */
static int read_error(struct wst_pcapng *r, char *errbuf)
{
    return stop(r, errbuf, WST_EIO, "read error at byte %" PRIu64 ": %s", r->offset,
                errno != 0 ? strerror(errno) : "unknown cause");
}

/*
 * Reads n bytes at dst. Returns 0, or WST_EIO on a read error, or
 * WST_ECORRUPT / WST_EFORMAT (per invariant 6) when the stream ends early;
 * what names the part being read for that message.
 */
static int read_exact(struct wst_pcapng *r, uint8_t *dst, size_t n, const char *what,
                      char *errbuf)
{
    errno = 0;
    size_t got = fread(dst, 1, n, r->fp);
    r->offset += got;
    if (got == n)
        return 0;
    if (ferror(r->fp))
        return read_error(r, errbuf);
    if (!r->seen_shb)
        return stop(r, errbuf, WST_EFORMAT,
                    "not a pcapng file: stream ends after %" PRIu64 " bytes", r->offset);
    return stop(r, errbuf, WST_ECORRUPT,
                "truncated block at byte %" PRIu64 ": stream ends inside its %s, after %" PRIu64
                " of its bytes", r->block_off, what, r->offset - r->block_off);
}

/* Makes buf hold at least n bytes (n <= MAX_BLOCK); WST_ENOMEM on failure. */
static int reserve(struct wst_pcapng *r, size_t n, char *errbuf)
{
    if (n <= r->buf_cap)
        return 0;
    size_t cap = r->buf_cap;
    while (cap < n)
        cap *= 2;   /* INITIAL_BUF * 2^k reaches MAX_BLOCK exactly */
    uint8_t *p = realloc(r->buf, cap);
    if (p == NULL)
        return stop(r, errbuf, WST_ENOMEM, "out of memory for a block of %zu bytes", n);
    r->buf = p;
    r->buf_cap = cap;
    return 0;
}

/*
 * Reads the next whole block into buf (invariant 1) and sets block_type,
 * block_len and, for an SHB, the section's byte order. Returns 1, 0 at a
 * clean end of stream (only between blocks), or a negative WST_E* code.
 */
static int read_block(struct wst_pcapng *r, char *errbuf)
{
    r->block_off = r->offset;
    errno = 0;
    size_t got = fread(r->buf, 1, 8, r->fp);
    r->offset += got;
    if (ferror(r->fp))
        return read_error(r, errbuf);
    if (got == 0) {
        if (!r->seen_shb)
            return stop(r, errbuf, WST_EFORMAT, "not a pcapng file: empty stream");
        r->at_eof = true;
        return 0;
    }
    if (got >= 4 && rd_le32(r->buf) != BT_SHB && !r->seen_shb) {
        uint32_t magic = rd_be32(r->buf);
        bool is_pcap = magic == 0xA1B2C3D4u || magic == 0xD4C3B2A1u ||
                       magic == 0xA1B23C4Du || magic == 0x4D3CB2A1u;
        return stop(r, errbuf, WST_EFORMAT, "not a pcapng file: starts with 0x%08" PRIx32 "%s",
                    magic, is_pcap ? " (classic pcap)" : "");
    }
    if (got < 8) {
        int rc = read_exact(r, r->buf + got, 8 - got, "header", errbuf);
        if (rc < 0)
            return rc;
    }

    size_t have = 8;
    if (rd_le32(r->buf) == BT_SHB) {
        int rc = read_exact(r, r->buf + 8, 4, "byte-order magic", errbuf);
        if (rc < 0)
            return rc;
        have = 12;
        if (rd_be32(r->buf + 8) == BYTE_ORDER_MAGIC) {
            r->is_be = true;
        } else if (rd_le32(r->buf + 8) == BYTE_ORDER_MAGIC) {
            r->is_be = false;
        } else if (!r->seen_shb) {
            return stop(r, errbuf, WST_EFORMAT,
                        "not a pcapng file: byte-order magic 0x%08" PRIx32 " is invalid",
                        rd_be32(r->buf + 8));
        } else {
            return damaged(r, errbuf, "byte-order magic 0x%08" PRIx32 " is invalid",
                           rd_be32(r->buf + 8));
        }
        r->seen_shb = true;
    }

    uint32_t len = u32(r, r->buf + 4);
    if (len < 12)
        return damaged(r, errbuf, "total length %" PRIu32 " is below 12", len);
    if (len % 4 != 0)
        return damaged(r, errbuf, "total length %" PRIu32 " is not a multiple of 4", len);
    if (len > MAX_BLOCK)
        return damaged(r, errbuf, "block too large (%" PRIu32 " bytes, maximum %u)", len,
                       MAX_BLOCK);
    int rc = reserve(r, len, errbuf);
    if (rc < 0)
        return rc;
    rc = read_exact(r, r->buf + have, len - have, "body", errbuf);
    if (rc < 0)
        return rc;
    uint32_t trailer = u32(r, r->buf + len - 4);
    if (trailer != len)
        return damaged(r, errbuf, "trailing length %" PRIu32 " differs from %" PRIu32, trailer,
                       len);
    r->block_type = u32(r, r->buf);
    r->block_len = len;
    return 1;
}

/* WST_ECORRUPT unless the current block is at least min bytes long. */
static int need_len(struct wst_pcapng *r, uint32_t min, const char *name, char *errbuf)
{
    if (r->block_len >= min)
        return 0;
    return damaged(r, errbuf, "%s length %" PRIu32 " is below %" PRIu32, name, r->block_len,
                   min);
}

/* ------------------------------------------------------------ blocks */

/* Starts a section: checks the version and forgets the previous interfaces. */
static int on_shb(struct wst_pcapng *r, bool is_first, char *errbuf)
{
    int rc = need_len(r, SHB_MIN_LEN, "section header block", errbuf);
    if (rc < 0)
        return rc;
    uint16_t major = u16(r, r->buf + 12);
    uint16_t minor = u16(r, r->buf + 14);
    /* Minor versions are accepted: 1.2 exists in the wild and reads as 1.0. */
    if (major != 1) {
        if (is_first)
            return stop(r, errbuf, WST_EFORMAT, "unsupported pcapng version %u.%u",
                        (unsigned)major, (unsigned)minor);
        return damaged(r, errbuf, "unsupported pcapng version %u.%u", (unsigned)major,
                       (unsigned)minor);
    }
    r->n_ifaces = 0;
    return 0;
}

/* Parses the options of an IDB (buf[16, block_len - 4)) into ifc. */
static int parse_idb_options(struct wst_pcapng *r, struct iface *ifc, char *errbuf)
{
    const uint8_t *p = r->buf + IDB_MIN_LEN - 4;
    const uint8_t *end = r->buf + r->block_len - 4;
    while (end - p >= 4) {
        uint16_t code = u16(r, p);
        uint16_t len = u16(r, p + 2);
        const uint8_t *val = p + 4;
        size_t room = (size_t)(end - val);
        if (code == OPT_ENDOFOPT)
            break;
        if (len > room)
            return damaged(r, errbuf, "interface option %u of %u bytes runs past the block",
                           (unsigned)code, (unsigned)len);
        if (code == OPT_IF_TSRESOL) {
            if (len != 1)
                return damaged(r, errbuf, "if_tsresol option of %u bytes, expected 1",
                               (unsigned)len);
            ifc->tsresol = val[0];
        } else if (code == OPT_IF_TSOFFSET) {
            if (len != 8)
                return damaged(r, errbuf, "if_tsoffset option of %u bytes, expected 8",
                               (unsigned)len);
            ifc->tsoffset_s = i64(r, val);
        }
        /* Values are padded to 4 bytes; tolerate a last option left unpadded. */
        size_t padded = ((size_t)len + 3u) & ~(size_t)3u;
        p = val + (padded < room ? padded : room);
    }
    return 0;
}

/* Appends an interface to the section's table. */
static int on_idb(struct wst_pcapng *r, char *errbuf)
{
    int rc = need_len(r, IDB_MIN_LEN, "interface description block", errbuf);
    if (rc < 0)
        return rc;
    if (r->n_ifaces == MAX_IFACES)
        return damaged(r, errbuf, "more than %u interfaces in one section", MAX_IFACES);
    if (r->n_ifaces == r->ifaces_cap) {
        uint32_t cap = r->ifaces_cap != 0 ? r->ifaces_cap * 2 : 8;
        struct iface *p = realloc(r->ifaces, (size_t)cap * sizeof *p);
        if (p == NULL)
            return stop(r, errbuf, WST_ENOMEM, "out of memory for %" PRIu32 " interfaces", cap);
        r->ifaces = p;
        r->ifaces_cap = cap;
    }
    struct iface ifc = {
        .linktype = u16(r, r->buf + 8),
        .snaplen = u32(r, r->buf + 12),
        .tsresol = TSRESOL_DEFAULT,
        .tsoffset_s = 0,
    };
    rc = parse_idb_options(r, &ifc, errbuf);
    if (rc < 0)
        return rc;
    r->ifaces[r->n_ifaces++] = ifc;
    return 0;
}

/* The interface a packet block names, or NULL with the error set. */
static const struct iface *packet_iface(struct wst_pcapng *r, uint32_t id, char *errbuf)
{
    if (r->n_ifaces == 0) {
        damaged(r, errbuf, "packet block before any interface description block");
        return NULL;
    }
    if (id >= r->n_ifaces) {
        damaged(r, errbuf, "interface id %" PRIu32 " is out of range (%" PRIu32
                           " interfaces in this section)", id, r->n_ifaces);
        return NULL;
    }
    return &r->ifaces[id];
}

/*
 * Fills pkt from an EPB or an obsolete PB, whose fields after the interface
 * id have the same layout: ts high, ts low, caplen, wirelen, data at 28.
 */
static int on_epb_or_opb(struct wst_pcapng *r, uint32_t id, struct wst_pcapng_packet *pkt,
                         char *errbuf)
{
    const struct iface *ifc = packet_iface(r, id, errbuf);
    if (ifc == NULL)
        return r->err;
    uint64_t ts = (uint64_t)u32(r, r->buf + 12) << 32 | u32(r, r->buf + 16);
    uint32_t caplen = u32(r, r->buf + 20);
    uint32_t wirelen = u32(r, r->buf + 24);
    /* block_len >= 32 (checked by the caller), so this cannot wrap. */
    if (caplen > r->block_len - EPB_MIN_LEN)
        return damaged(r, errbuf, "captured length %" PRIu32 " exceeds the block's %" PRIu32
                                  " bytes of data", caplen, r->block_len - EPB_MIN_LEN);
    r->last_ts_us = add_offset(units_to_us(ts, ifc->tsresol), ifc->tsoffset_s);
    *pkt = (struct wst_pcapng_packet){
        .ts_us = r->last_ts_us,
        .caplen = caplen,
        .wirelen = wirelen < caplen ? caplen : wirelen,
        .linktype = ifc->linktype,
        .snaplen = ifc->snaplen,
        .interface_id = id,
        .data = r->buf + 28,
    };
    return 1;
}

/* Fills pkt from an SPB: interface 0, the previous packet's timestamp. */
static int on_spb(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf)
{
    const struct iface *ifc = packet_iface(r, 0, errbuf);
    if (ifc == NULL)
        return r->err;
    uint32_t wirelen = u32(r, r->buf + 8);
    /* The spec derives caplen: the original length cut by snaplen and the block. */
    uint32_t caplen = wirelen;
    if (ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (caplen > r->block_len - SPB_MIN_LEN)
        caplen = r->block_len - SPB_MIN_LEN;
    *pkt = (struct wst_pcapng_packet){
        .ts_us = r->last_ts_us,
        .caplen = caplen,
        .wirelen = wirelen,
        .linktype = ifc->linktype,
        .snaplen = ifc->snaplen,
        .interface_id = 0,
        .data = r->buf + 12,
    };
    return 1;
}

/* ------------------------------------------------------------ API */

int wst_pcapng_open(struct wst_pcapng **out, FILE *fp, char *errbuf)
{
    struct wst_pcapng *r = NULL;
    int rc;

    if (out == NULL || fp == NULL) {
        rc = stop(NULL, errbuf, WST_EUSAGE, "no output pointer or no stream");
        goto fail;
    }
    *out = NULL;
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        rc = stop(NULL, errbuf, WST_ENOMEM, "out of memory for a pcapng reader");
        goto fail;
    }
    r->fp = fp;
    fp = NULL;          /* now closed through r */
    r->buf = malloc(INITIAL_BUF);
    if (r->buf == NULL) {
        rc = stop(NULL, errbuf, WST_ENOMEM, "out of memory for a pcapng reader");
        goto fail;
    }
    r->buf_cap = INITIAL_BUF;

    /* read_block() refuses anything but an SHB until seen_shb is set. */
    rc = read_block(r, errbuf);
    if (rc < 0)
        goto fail;
    rc = on_shb(r, true, errbuf);
    if (rc < 0)
        goto fail;
    *out = r;
    return 0;

fail:
    wst_pcapng_close(r);
    if (fp != NULL)
        fclose(fp);
    return rc;
}

int wst_pcapng_next(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf)
{
    if (r == NULL || pkt == NULL)
        return stop(NULL, errbuf, WST_EUSAGE, "no reader or no packet");
    if (r->err != 0) {
        int rc = r->err;
        return stop(r, errbuf, rc, "pcapng reader stopped by an earlier error");
    }
    if (r->at_eof)
        return 0;
    for (;;) {
        int rc = read_block(r, errbuf);
        if (rc <= 0)
            return rc;
        switch (r->block_type) {
        case BT_SHB:
            rc = on_shb(r, false, errbuf);
            break;
        case BT_IDB:
            rc = on_idb(r, errbuf);
            break;
        case BT_EPB:
            rc = need_len(r, EPB_MIN_LEN, "enhanced packet block", errbuf);
            if (rc == 0)
                return on_epb_or_opb(r, u32(r, r->buf + 8), pkt, errbuf);
            break;
        case BT_OPB:
            rc = need_len(r, OPB_MIN_LEN, "packet block", errbuf);
            if (rc == 0)
                return on_epb_or_opb(r, u16(r, r->buf + 8), pkt, errbuf);
            break;
        case BT_SPB:
            rc = need_len(r, SPB_MIN_LEN, "simple packet block", errbuf);
            if (rc == 0)
                return on_spb(r, pkt, errbuf);
            break;
        default:
            /* NRB, ISB, DSB, custom and unknown blocks carry no packets. */
            break;
        }
        if (rc < 0)
            return rc;
    }
}

void wst_pcapng_close(struct wst_pcapng *r)
{
    if (r == NULL)
        return;
    if (r->fp != NULL)
        fclose(r->fp);
    free(r->ifaces);
    free(r->buf);
    free(r);
}
