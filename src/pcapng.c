/*
 * pcapng.c - a streaming reader for capture files: pcapng, and classic pcap
 * (see wirestate/pcapng.h).
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
 * skipped.
 *
 * A classic pcap file (pcap-savefile(5)) reads as a pcapng section with one
 * interface: a 24-byte file header (magic, version, snapshot length, link
 * type) and then records of a 16-byte header (seconds, micro- or
 * nanoseconds, captured length, original length) and the captured bytes.
 * The magic tells the byte order and the timestamp unit; Kuznetzov's
 * patched format (magic a1b2cd34) has 24-byte record headers. The reader
 * does what libpcap 1.10's sf-pcap.c does, check for check and message for
 * message, so nothing changes but the speed: the same version and length
 * checks, the same caplen/len swap of versions before 2.3, records longer
 * than the snapshot length cut to it, and the sub-second field read with
 * the sign libpcap gives it (which depends on the host's byte order).
 * (libpcap also byte-swaps the pseudo-headers of USB, NFLOG and Linux
 * cooked CAN frames in files of the other byte order; none of them carries
 * IP, and the reader hands them out as written.)
 *
 * Input. The stream is read in large chunks (CHUNK bytes a read) into one
 * growable buffer, and blocks are parsed where they lie in it: a packet
 * costs no read call and no copy, and its data points into the buffer. The
 * unconsumed tail moves to the front before each refill, so a block is
 * always contiguous; the buffer grows when a block is larger than it. A
 * stream with a file descriptor is read with read(2), which returns what a
 * pipe holds so far: packets written to a pipe are handed out as they
 * arrive, not once a whole chunk has come. Nothing is allocated per packet,
 * and nothing needs seeking.
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
 * 1. After read_block() returns 1, blk[0, block_len) holds one whole block,
 *    inside the input buffer: 12 <= block_len <= MAX_BLOCK, block_len % 4
 *    == 0, and the trailing length equals the leading one. It stays valid
 *    until the next refill, which only the next read_block() can cause.
 * 2. Every field is read only after its block's length has been checked to
 *    cover it (minimum length per block type, caplen, option lengths), so a
 *    damaged file can never make the reader look outside the block.
 * 3. is_be is the byte order of the current section; every multi-byte field
 *    except the SHB type (a palindrome) is read through it.
 * 4. n_ifaces <= ifaces_cap <= MAX_IFACES, and ifaces[] describes only the
 *    IDBs of the current section; a new SHB empties it.
 * 5. in.offset is the stream offset of in.buf[in.pos] (the bytes parsed so
 *    far), and block_off the stream offset of the current block; error
 *    texts cite block_off, and as "bytes read" the bytes the stream
 *    delivered in all (in_total()).
 * 6. The stream counts as pcapng once its first 12 bytes hold an SHB type
 *    and a valid byte-order magic. Failures before that point (and a major
 *    version other than 1 in that first SHB) are WST_EFORMAT; after it,
 *    damage is WST_ECORRUPT.
 * 7. Once a call has failed, err holds its code and every later call
 *    returns it again: the position in the stream is no longer trustworthy.
 * 8. in.buf[in.pos, in.end) holds bytes read but not yet parsed, with
 *    in.pos <= in.end <= in.cap; once in.eof is set no read is tried again.
 * 9. A classic record is handed out only when its header and all its
 *    captured bytes are in the buffer; caplen <= max_caplen always, and the
 *    caplen handed out is at most the snapshot length.
 *
 * References: draft-ietf-opsawg-pcapng (block layouts in sections 4 and 5,
 * if_tsresol and if_tsoffset in 4.2), https://www.tcpdump.org/linktypes.html,
 * pcap-savefile(5), libpcap's sf-pcap.c (pcap_check_header(),
 * pcap_next_packet()) and pcap-common.c (linktype_to_dlt(),
 * max_snaplen_for_dlt()).
 */
#include "wirestate/pcapng.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define CHUNK (256u * 1024u)  /* the buffer's first size: what one read asks for */
#define MAX_BLOCK (16u * 1024u * 1024u)
#define MAX_IFACES 65536u

struct iface {
    uint32_t linktype;
    uint32_t snaplen;
    uint8_t tsresol;          /* if_tsresol byte, TSRESOL_DEFAULT if absent */
    int64_t tsoffset_s;       /* if_tsoffset, 0 if absent */
};

/* The buffered stream (invariant 8). */
struct input {
    FILE *fp;                 /* owned; closed by wst_pcapng_close() */
    int fd;                   /* fp's descriptor, read with read(2); -1: fread() */
    uint8_t *buf;
    size_t cap;
    size_t pos;               /* first byte not parsed yet */
    size_t end;               /* end of the bytes read */
    uint64_t offset;          /* stream offset of buf[pos] */
    bool eof;                 /* the stream ended or failed: no more reads */
    int read_errno;           /* errno of the failed read, 0 if none */
};

/* Classic pcap: what the file header said. */
enum { LEN_AS_IS, LEN_SWAPPED, LEN_MAYBE_SWAPPED }; /* caplen and len order, by version */

struct classic {
    bool nsec;                /* nanosecond timestamps (magic a1b23c4d) */
    uint8_t hdr_len;          /* record header: 16, or 24 in Kuznetzov's format */
    uint8_t lengths;          /* LEN_*: versions before 2.3 wrote len before caplen */
    uint32_t linktype;        /* the header's, without the FCS bits (LT_LINKTYPE) */
    uint32_t snapshot;        /* snapshot length as libpcap adjusts it */
    uint32_t max_caplen;      /* libpcap's max_snaplen_for_dlt() */
    uint32_t plain_caplen;    /* a record of 16-byte header, lengths as is and caplen up to
                                 this (the snapshot, the maximum) needs no check but its
                                 bytes' presence: 0 if the file has no such records */
    bool signed_frac;         /* the fraction is read as signed (classic_next()) */
};

struct wst_pcapng {
    struct input in;
    bool is_classic;          /* a classic pcap file: c applies, blocks do not */
    struct classic c;
    const uint8_t *blk;       /* the current block (invariant 1) */
    uint32_t block_len;
    uint32_t block_type;
    uint64_t block_off;       /* stream offset of the current block */
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

/* ------------------------------------------------------------ input */

/* Bytes the stream has delivered so far (parsed or not). */
static uint64_t in_total(const struct input *in)
{
    return in->offset + (in->end - in->pos);
}

/* Bytes read and not parsed yet. */
static size_t in_avail(const struct input *in)
{
    return in->end - in->pos;
}

/* Marks n bytes at in.pos parsed. */
static void in_consume(struct input *in, size_t n)
{
    in->pos += n;
    in->offset += n;
}

static int in_refill(struct input *in, size_t n);

/*
 * Makes n bytes available at buf + pos (invariant 8). Returns 0; 1 if the
 * stream ends first (in_avail() says how many there are); WST_EIO after a
 * read error (errno in read_errno; every later call fails alike); or
 * WST_ENOMEM if the buffer cannot grow to n bytes. Moves the unparsed
 * bytes, so pointers into the buffer are stale after any refill.
 */
static inline int in_fill(struct input *in, size_t n)
{
    return in_avail(in) >= n ? 0 : in_refill(in, n); /* the common case inline */
}

/* in_fill() once the buffer holds fewer than n bytes. */
static int in_refill(struct input *in, size_t n)
{
    if (in->eof)
        return in->read_errno != 0 ? WST_EIO : 1;
    if (in->pos > 0) {
        /* The tail to the front: the read below then fills most of a chunk. */
        memmove(in->buf, in->buf + in->pos, in_avail(in));
        in->end -= in->pos;
        in->pos = 0;
    }
    if (n > in->cap) {
        size_t cap = in->cap;
        while (cap < n)
            cap *= 2;
        uint8_t *p = realloc(in->buf, cap);
        if (p == NULL)
            return WST_ENOMEM;
        in->buf = p;
        in->cap = cap;
    }
    while (in->end < n) {
        size_t room = in->cap - in->end;
        ssize_t got;
        errno = 0;
        if (in->fd >= 0) {
            got = read(in->fd, in->buf + in->end, room);
        } else {
            got = (ssize_t)fread(in->buf + in->end, 1, room, in->fp);
            if (got == 0 && ferror(in->fp))
                got = -1;
        }
        if (got < 0) {
            /* As stdio does, an interrupted read fails too: the capture
             * source decides whether it was asked to stop. */
            in->read_errno = errno != 0 ? errno : EIO;
            in->eof = true;
            return WST_EIO;
        }
        if (got == 0) {
            in->eof = true;
            return 1;
        }
        in->end += (size_t)got;
    }
    return 0;
}

/* Sets up in for fp, whose descriptor it reads directly if it has one. */
static int in_init(struct input *in, FILE *fp)
{
    in->fp = fp;
    in->fd = fileno(fp);
    in->buf = malloc(CHUNK);
    in->cap = CHUNK;
    in->pos = in->end = 0;
    in->offset = 0;
    in->eof = false;
    in->read_errno = 0;
    return in->buf != NULL ? 0 : WST_ENOMEM;
}

static void in_fini(struct input *in)
{
    if (in->fp != NULL)
        fclose(in->fp);
    free(in->buf);
}

/* ------------------------------------------------------------ framing */

/* WST_EIO after a failed read, with its errno. */
static int read_error(struct wst_pcapng *r, char *errbuf)
{
    return stop(r, errbuf, WST_EIO, "read error at byte %" PRIu64 ": %s", in_total(&r->in),
                strerror(r->in.read_errno));
}

/*
 * The error of an in_fill() that did not deliver: WST_EIO or WST_ENOMEM as
 * it said, or, when the stream ended early, WST_ECORRUPT / WST_EFORMAT (per
 * invariant 6); what names the part being read for that message.
 */
static int fill_failed(struct wst_pcapng *r, int rc, size_t n, const char *what, char *errbuf)
{
    if (rc == WST_EIO)
        return read_error(r, errbuf);
    if (rc == WST_ENOMEM)
        return stop(r, errbuf, WST_ENOMEM, "out of memory for a block of %zu bytes", n);
    if (!r->seen_shb)
        return stop(r, errbuf, WST_EFORMAT,
                    "not a pcapng file: stream ends after %" PRIu64 " bytes", in_total(&r->in));
    return stop(r, errbuf, WST_ECORRUPT,
                "truncated block at byte %" PRIu64 ": stream ends inside its %s, after %" PRIu64
                " of its bytes", r->block_off, what, in_total(&r->in) - r->block_off);
}

/*
 * Parses the next whole block in place (invariant 1) and sets blk,
 * block_type, block_len and, for an SHB, the section's byte order; the
 * block counts as consumed. Returns 1, 0 at a clean end of stream (only
 * between blocks), or a negative WST_E* code.
 */
static int read_block(struct wst_pcapng *r, char *errbuf)
{
    struct input *in = &r->in;
    r->block_off = in->offset;
    int rc = in_fill(in, 8);
    if (rc < 0)
        return fill_failed(r, rc, 8, "header", errbuf);
    size_t got = in_avail(in);
    if (got == 0) {
        if (!r->seen_shb)
            return stop(r, errbuf, WST_EFORMAT, "not a pcapng file: empty stream");
        r->at_eof = true;
        return 0;
    }
    const uint8_t *b = in->buf + in->pos;
    if (got >= 4 && rd_le32(b) != BT_SHB && !r->seen_shb) {
        uint32_t magic = rd_be32(b);
        bool is_pcap = magic == 0xA1B2C3D4u || magic == 0xD4C3B2A1u ||
                       magic == 0xA1B23C4Du || magic == 0x4D3CB2A1u;
        return stop(r, errbuf, WST_EFORMAT, "not a pcapng file: starts with 0x%08" PRIx32 "%s",
                    magic, is_pcap ? " (classic pcap)" : "");
    }
    if (rc == 1)
        return fill_failed(r, rc, 8, "header", errbuf);

    if (rd_le32(b) == BT_SHB) {
        rc = in_fill(in, 12);
        if (rc != 0)
            return fill_failed(r, rc, 12, "byte-order magic", errbuf);
        b = in->buf + in->pos;
        if (rd_be32(b + 8) == BYTE_ORDER_MAGIC) {
            r->is_be = true;
        } else if (rd_le32(b + 8) == BYTE_ORDER_MAGIC) {
            r->is_be = false;
        } else if (!r->seen_shb) {
            return stop(r, errbuf, WST_EFORMAT,
                        "not a pcapng file: byte-order magic 0x%08" PRIx32 " is invalid",
                        rd_be32(b + 8));
        } else {
            return damaged(r, errbuf, "byte-order magic 0x%08" PRIx32 " is invalid",
                           rd_be32(b + 8));
        }
        r->seen_shb = true;
    }

    uint32_t len = u32(r, b + 4);
    if (len < 12)
        return damaged(r, errbuf, "total length %" PRIu32 " is below 12", len);
    if (len % 4 != 0)
        return damaged(r, errbuf, "total length %" PRIu32 " is not a multiple of 4", len);
    if (len > MAX_BLOCK)
        return damaged(r, errbuf, "block too large (%" PRIu32 " bytes, maximum %u)", len,
                       MAX_BLOCK);
    rc = in_fill(in, len);
    if (rc != 0)
        return fill_failed(r, rc, len, "body", errbuf);
    b = in->buf + in->pos;
    uint32_t trailer = u32(r, b + len - 4);
    if (trailer != len)
        return damaged(r, errbuf, "trailing length %" PRIu32 " differs from %" PRIu32, trailer,
                       len);
    r->blk = b;
    r->block_type = u32(r, b);
    r->block_len = len;
    in_consume(in, len);
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
    uint16_t major = u16(r, r->blk + 12);
    uint16_t minor = u16(r, r->blk + 14);
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
    const uint8_t *p = r->blk + IDB_MIN_LEN - 4;
    const uint8_t *end = r->blk + r->block_len - 4;
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
        .linktype = u16(r, r->blk + 8),
        .snaplen = u32(r, r->blk + 12),
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
    uint64_t ts = (uint64_t)u32(r, r->blk + 12) << 32 | u32(r, r->blk + 16);
    uint32_t caplen = u32(r, r->blk + 20);
    uint32_t wirelen = u32(r, r->blk + 24);
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
        .data = r->blk + 28,
    };
    return 1;
}

/* Fills pkt from an SPB: interface 0, the previous packet's timestamp. */
static int on_spb(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf)
{
    const struct iface *ifc = packet_iface(r, 0, errbuf);
    if (ifc == NULL)
        return r->err;
    uint32_t wirelen = u32(r, r->blk + 8);
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
        .data = r->blk + 12,
    };
    return 1;
}

/* ------------------------------------------------------------ classic pcap */

#define PCAP_MAGIC 0xA1B2C3D4u           /* microsecond timestamps */
#define PCAP_MAGIC_NSEC 0xA1B23C4Du      /* nanosecond timestamps */
#define PCAP_MAGIC_KUZNETZOV 0xA1B2CD34u /* patched libpcap: 24-byte record headers */
#define PCAP_FILE_HDR 24u
#define PCAP_MAXIMUM_SNAPLEN 262144u     /* libpcap's MAXIMUM_SNAPLEN */
#define LT_LINKTYPE(x) ((x) & 0x03FFFFFFu) /* the upper 6 bits carry the FCS length */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_IS_BE true
#else
#define HOST_IS_BE false
#endif

/* The prefix capture sources have always put before libpcap's messages. */
#define DAMAGED "damaged capture file: "

/* True if magic (the first 4 bytes, in the file's byte order) starts a classic pcap file. */
static bool is_pcap_magic(uint32_t magic)
{
    return magic == PCAP_MAGIC || magic == PCAP_MAGIC_NSEC || magic == PCAP_MAGIC_KUZNETZOV;
}

/*
 * libpcap's max_snaplen_for_dlt(): the largest record it accepts. The three
 * exceptions are LINKTYPE_ values in the range where DLT_ values equal
 * them (DBUS, USBPCAP, EBHSCR).
 */
static uint32_t max_caplen_for(uint32_t linktype)
{
    switch (linktype) {
    case 231:
        return 128u * 1024u * 1024u;
    case 249:
        return 1024u * 1024u;
    case 279:
        return 8u * 1024u * 1024u;
    }
    return PCAP_MAXIMUM_SNAPLEN;
}

/* The error of an in_fill() that failed outright, in libpcap's words. */
static int classic_failed(struct wst_pcapng *r, int rc, char *errbuf)
{
    if (rc == WST_ENOMEM)
        return stop(r, errbuf, WST_ENOMEM, DAMAGED "out of memory");
    return stop(r, errbuf, WST_EIO, DAMAGED "error reading dump file: %s", strerror(r->in.read_errno));
}

/*
 * Reads the 24-byte file header (pcap_check_header()); the magic, in byte
 * order is_be, has been recognised. Returns 0, or WST_ECORRUPT for a
 * truncated header or an unsupported version, WST_EIO, WST_ENOMEM.
 */
static int classic_open(struct wst_pcapng *r, uint32_t magic, bool is_be, char *errbuf)
{
    struct input *in = &r->in;
    r->is_classic = true;
    r->is_be = is_be;
    int rc = in_fill(in, PCAP_FILE_HDR);
    if (rc < 0)
        return classic_failed(r, rc, errbuf);
    if (rc == 1) /* libpcap counts what followed the magic */
        return stop(r, errbuf, WST_ECORRUPT,
                    DAMAGED "truncated dump file; tried to read %u file header bytes, only got %zu",
                    PCAP_FILE_HDR, in_avail(in) - 4);
    const uint8_t *h = in->buf + in->pos;
    unsigned major = u16(r, h + 4), minor = u16(r, h + 6);
    uint32_t snaplen = u32(r, h + 16);
    struct classic *c = &r->c;
    c->linktype = LT_LINKTYPE(u32(r, h + 20));
    if (major < 2)
        return stop(r, errbuf, WST_ECORRUPT, DAMAGED "archaic pcap savefile format");
    if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0)))
        return stop(r, errbuf, WST_ECORRUPT, DAMAGED "unsupported pcap savefile version %u.%u",
                    major, minor);
    /* Version 2.3 swapped caplen and len to match BPF, and some writers
     * kept the old order under 2.3; DG/UX wrote 543.0 in the old order. */
    if (major == 2 && minor < 3)
        c->lengths = LEN_SWAPPED;
    else if (major == 2 && minor == 3)
        c->lengths = LEN_MAYBE_SWAPPED;
    else if (major == 543)
        c->lengths = LEN_SWAPPED;
    else
        c->lengths = LEN_AS_IS;
    c->nsec = magic == PCAP_MAGIC_NSEC;
    c->max_caplen = max_caplen_for(c->linktype);
    /* pcap_adjust_snapshot(): a bogus snapshot length takes the maximum. */
    c->snapshot = snaplen == 0 || snaplen > INT32_MAX ? c->max_caplen : snaplen;
    c->hdr_len = 16;
    if (magic == PCAP_MAGIC_KUZNETZOV) {
        c->hdr_len = 24;
        /* Captured in cooked mode, perhaps, with a fake Ethernet header added. */
        if (c->linktype == 1)
            c->snapshot = c->snapshot <= INT32_MAX - 14 ? c->snapshot + 14 : INT32_MAX;
    }
    c->signed_frac = is_be == HOST_IS_BE;
    c->plain_caplen = 0;
    if (c->hdr_len == 16 && c->lengths == LEN_AS_IS)
        c->plain_caplen = c->snapshot < c->max_caplen ? c->snapshot : c->max_caplen;
    in_consume(in, PCAP_FILE_HDR);
    return 0;
}

/* A signed 32-bit field as libpcap's struct pcap_timeval holds it. */
static int64_t i32(uint32_t v)
{
    return v <= INT32_MAX ? (int64_t)v : (int64_t)v - 4294967296;
}

/* The timestamp of a record: seconds, and the fraction as libpcap reads it. */
static wst_ts_us classic_ts(const struct classic *c, uint32_t secs, uint32_t frac)
{
    /* libpcap reads the fraction into a long: sign-extended from the file's
     * int32 when the file has the host's byte order, but zero-extended from
     * the unsigned result of its SWAPLONG() when it has the other. */
    int64_t sub = c->signed_frac ? i32(frac) : (int64_t)frac;
    if (c->nsec)
        sub /= 1000; /* truncating toward zero, as libpcap's division does */
    /* Seconds are unsigned (valid until 2106); the fraction as libpcap has it. */
    return (uint64_t)secs * WST_US_PER_S + (uint64_t)sub;
}

static int classic_next_any(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf);

/*
 * The next record (pcap_next_packet()). Returns 1 with *pkt filled, 0 at
 * the end of the file (only between records), or WST_ECORRUPT / WST_EIO /
 * WST_ENOMEM with libpcap's message. Most records are whole in the buffer
 * and plain (plain_caplen): they take the few checks here, the rest
 * classic_next_any().
 */
static inline int classic_next(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf)
{
    struct input *in = &r->in;
    const struct classic *c = &r->c;
    const uint8_t *h = in->buf + in->pos;
    size_t avail = in_avail(in);
    if (avail >= 16) {
        uint32_t caplen = r->is_be ? rd_be32(h + 8) : rd_le32(h + 8);
        if (caplen <= c->plain_caplen && avail - 16 >= caplen) {
            uint32_t secs, frac, len;
            if (r->is_be) {
                secs = rd_be32(h);
                frac = rd_be32(h + 4);
                len = rd_be32(h + 12);
            } else {
                secs = rd_le32(h);
                frac = rd_le32(h + 4);
                len = rd_le32(h + 12);
            }
            in_consume(in, 16 + (size_t)caplen);
            pkt->ts_us = classic_ts(c, secs, frac);
            pkt->caplen = caplen;
            pkt->wirelen = len < caplen ? caplen : len;
            pkt->linktype = c->linktype;
            pkt->snaplen = c->snapshot;
            pkt->interface_id = 0;
            pkt->data = h + 16;
            return 1;
        }
    }
    return classic_next_any(r, pkt, errbuf);
}

/* classic_next() for any record: the whole of libpcap's checks. */
static int classic_next_any(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf)
{
    struct input *in = &r->in;
    const struct classic *c = &r->c;
    size_t hl = c->hdr_len;
    int rc = in_fill(in, hl);
    if (rc < 0)
        return classic_failed(r, rc, errbuf);
    if (rc == 1) {
        if (in_avail(in) == 0) {
            r->at_eof = true;
            return 0;
        }
        return stop(r, errbuf, WST_ECORRUPT,
                    DAMAGED "truncated dump file; tried to read %zu header bytes, only got %zu", hl,
                    in_avail(in));
    }
    const uint8_t *h = in->buf + in->pos;
    uint32_t secs, frac, caplen, len;
    if (r->is_be) {
        secs = rd_be32(h);
        frac = rd_be32(h + 4);
        caplen = rd_be32(h + 8);
        len = rd_be32(h + 12);
    } else {
        secs = rd_le32(h);
        frac = rd_le32(h + 4);
        caplen = rd_le32(h + 8);
        len = rd_le32(h + 12);
    }
    if (c->lengths == LEN_SWAPPED || (c->lengths == LEN_MAYBE_SWAPPED && caplen > len)) {
        uint32_t t = caplen;
        caplen = len;
        len = t;
    }
    if (caplen > c->max_caplen) {
        /* A damaged or fuzzed file. */
        if (caplen > c->snapshot)
            return stop(r, errbuf, WST_ECORRUPT,
                        DAMAGED "invalid packet capture length %" PRIu32 ", bigger than snaplen of %" PRIu32,
                        caplen, c->snapshot);
        return stop(r, errbuf, WST_ECORRUPT,
                    DAMAGED "invalid packet capture length %" PRIu32 ", bigger than maximum of %" PRIu32,
                    caplen, c->max_caplen);
    }
    rc = in_fill(in, hl + caplen);
    if (rc < 0)
        return classic_failed(r, rc, errbuf);
    if (rc == 1) {
        /* Beyond the snapshot length libpcap reads the snapshot first, and
         * names the shorter length if even that was not there. */
        size_t got = in_avail(in) - hl;
        uint32_t tried = caplen > c->snapshot && got < c->snapshot ? c->snapshot : caplen;
        return stop(r, errbuf, WST_ECORRUPT,
                    DAMAGED "truncated dump file; tried to read %" PRIu32 " captured bytes, only got %zu",
                    tried, got);
    }
    h = in->buf + in->pos;
    in_consume(in, hl + caplen);
    /* Records longer than the file's snapshot length (old Solaris bufmod)
     * are cut to it, as libpcap does. */
    if (caplen > c->snapshot)
        caplen = c->snapshot;
    pkt->ts_us = classic_ts(c, secs, frac);
    pkt->caplen = caplen;
    pkt->wirelen = len < caplen ? caplen : len;
    pkt->linktype = c->linktype;
    pkt->snaplen = c->snapshot;
    pkt->interface_id = 0;
    pkt->data = h + hl;
    return 1;
}

/* ------------------------------------------------------------ API */

/*
 * wst_pcapng_open() (any_format false) and wst_pcapng_open_any(): the two
 * differ only in what they accept before the first block.
 */
static int open_stream(struct wst_pcapng **out, FILE *fp, bool any_format, char *errbuf)
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
    rc = in_init(&r->in, fp);
    fp = NULL;          /* now closed through r */
    if (rc < 0) {
        rc = stop(NULL, errbuf, WST_ENOMEM, "out of memory for a pcapng reader");
        goto fail;
    }

    if (any_format) {
        /* The first bytes tell the format: pcapng starts with 0x0A (its
         * SHB type); no classic pcap magic does. */
        rc = in_fill(&r->in, 4);
        if (rc < 0) {
            rc = rc == WST_EIO ? stop(r, errbuf, WST_EIO, "%s", strerror(r->in.read_errno))
                               : stop(r, errbuf, rc, "out of memory for a capture reader");
            goto fail;
        }
        const uint8_t *b = r->in.buf;
        size_t got = in_avail(&r->in);
        if (got == 0) {
            rc = stop(r, errbuf, WST_EFORMAT, "empty file, not a pcap or pcapng capture");
            goto fail;
        }
        if (b[0] != 0x0A) {
            bool le = got >= 4 && is_pcap_magic(rd_le32(b)), be = got >= 4 && is_pcap_magic(rd_be32(b));
            if (!le && !be) {
                rc = stop(r, errbuf, WST_EFORMAT, "not a pcap or pcapng capture (unknown file format)");
                goto fail;
            }
            rc = classic_open(r, be ? rd_be32(b) : rd_le32(b), be, errbuf);
            if (rc < 0)
                goto fail;
            *out = r;
            return 0;
        }
    }
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

int wst_pcapng_open(struct wst_pcapng **out, FILE *fp, char *errbuf)
{
    return open_stream(out, fp, false, errbuf);
}

int wst_pcapng_open_any(struct wst_pcapng **out, FILE *fp, char *errbuf)
{
    return open_stream(out, fp, true, errbuf);
}

void wst_pcapng_info(const struct wst_pcapng *r, struct wst_pcapng_info *out)
{
    out->is_classic = r->is_classic;
    out->linktype = r->is_classic ? r->c.linktype : 0;
    out->snaplen = r->is_classic ? r->c.snapshot : 0;
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
    if (r->is_classic)
        return classic_next(r, pkt, errbuf);
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
                return on_epb_or_opb(r, u32(r, r->blk + 8), pkt, errbuf);
            break;
        case BT_OPB:
            rc = need_len(r, OPB_MIN_LEN, "packet block", errbuf);
            if (rc == 0)
                return on_epb_or_opb(r, u16(r, r->blk + 8), pkt, errbuf);
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
    in_fini(&r->in);
    free(r->ifaces);
    free(r);
}
