/*
 * outbuf.c - buffered, printf-free formatting (see wirestate/outbuf.h).
 *
 * Invariant: ob->len < WST_OUTBUF_SIZE between calls; the space check in
 * each writer makes room first (every single item is far smaller than the
 * buffer except wst_outbuf_write() of large data, which writes through
 * unless it fits in the room left).
 */
#include "wirestate/outbuf.h"

#include <stdbool.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "digits.h"

void wst_outbuf_init(struct wst_outbuf *ob, FILE *fp)
{
    ob->fp = fp;
    ob->len = 0;
    ob->err = 0;
}

/* fwrite() all of data, going on after a signal interrupted the write. */
static void write_all(struct wst_outbuf *ob, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0 && !ob->err) {
        errno = 0;
        size_t n = fwrite(p, 1, len, ob->fp);
        p += n;
        len -= n;
        if (len > 0) {
            if (errno != EINTR)
                ob->err = errno ? errno : EIO;
            clearerr(ob->fp);
        }
    }
}

void wst_outbuf_drain(struct wst_outbuf *ob)
{
    write_all(ob, ob->buf, ob->len);
    ob->len = 0;
}

int wst_outbuf_flush(struct wst_outbuf *ob)
{
    wst_outbuf_drain(ob);
    /* As write_all(): a signal (a stop asked while a slow reader holds the
     * pipe full) interrupts the write, and stdio keeps what it has not
     * written, so the flush goes on. */
    while (!ob->err) {
        errno = 0;
        if (fflush(ob->fp) == 0)
            break;
        if (errno != EINTR)
            ob->err = errno ? errno : EIO;
        clearerr(ob->fp);
    }
    return ob->err ? WST_EIO : 0;
}

/* Makes room for n more bytes (n <= WST_OUTBUF_SIZE). */
static inline char *reserve(struct wst_outbuf *ob, size_t n)
{
    if (ob->len + n > WST_OUTBUF_SIZE)
        wst_outbuf_drain(ob);
    return ob->buf + ob->len;
}

void wst_outbuf_write_slow(struct wst_outbuf *ob, const void *data, size_t len)
{
    if (len > WST_OUTBUF_SIZE / 2) {
        wst_outbuf_drain(ob);
        write_all(ob, data, len);
        return;
    }
    memcpy(reserve(ob, len), data, len);
    ob->len += len;
}

/* Writes the decimal digits of v, right-aligned to width, at p; returns the length. */
static size_t format_u64(char *p, uint64_t v, int width)
{
    char tmp[20];
    size_t n = wst_fmt_u64_digits(tmp, v);
    size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
    memset(p, ' ', pad);
    memcpy(p + pad, tmp, n);
    return pad + n;
}

size_t wst_fmt_u64(char *p, uint64_t v)
{
    return wst_fmt_u64_digits(p, v);
}

size_t wst_fmt_seconds(char *p, uint64_t us)
{
    uint64_t secs = us / WST_US_PER_S;
    uint32_t frac = (uint32_t)(us - secs * WST_US_PER_S);
    size_t n = wst_fmt_u64_digits(p, secs);
    p[n] = '.';
    wst_put_2digits(p + n + 1, frac / 10000);
    wst_put_4digits(p + n + 3, frac % 10000);
    return n + 7;
}

void wst_outbuf_u64(struct wst_outbuf *ob, uint64_t v)
{
    ob->len += wst_fmt_u64_digits(reserve(ob, 24), v);
}

void wst_outbuf_u64_width(struct wst_outbuf *ob, uint64_t v, int width)
{
    if (width > 64)
        width = 64;
    ob->len += format_u64(reserve(ob, 24 + 64), v, width);
}

/* Exactly `digits` digits of v, zero-padded. */
static void put_fixed(struct wst_outbuf *ob, uint64_t v, int digits)
{
    char *p = reserve(ob, (size_t)digits);
    int i = digits;
    while (i >= 2) {
        i -= 2;
        wst_put_2digits(p + i, (uint32_t)(v % 100));
        v /= 100;
    }
    if (i)
        p[0] = (char)('0' + v % 10);
    ob->len += (size_t)digits;
}

void wst_outbuf_seconds(struct wst_outbuf *ob, uint64_t us)
{
    ob->len += wst_fmt_seconds(reserve(ob, 32), us);
}

void wst_outbuf_utc(struct wst_outbuf *ob, wst_ts_us ts)
{
    time_t secs = (time_t)(ts / WST_US_PER_S);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL)
        memset(&tm, 0, sizeof tm);
    uint64_t year = (uint64_t)tm.tm_year + 1900;
    if (year < 10000)
        put_fixed(ob, year, 4);
    else
        wst_outbuf_u64(ob, year); /* a damaged clock, but say so faithfully */
    wst_outbuf_putc(ob, '-');
    put_fixed(ob, (uint64_t)tm.tm_mon + 1, 2);
    wst_outbuf_putc(ob, '-');
    put_fixed(ob, (uint64_t)tm.tm_mday, 2);
    wst_outbuf_putc(ob, ' ');
    put_fixed(ob, (uint64_t)tm.tm_hour, 2);
    wst_outbuf_putc(ob, ':');
    put_fixed(ob, (uint64_t)tm.tm_min, 2);
    wst_outbuf_putc(ob, ':');
    put_fixed(ob, (uint64_t)tm.tm_sec, 2);
    wst_outbuf_putc(ob, '.');
    put_fixed(ob, ts % WST_US_PER_S, 6);
}

/*
 * True if none of the 8 bytes of v needs an escape in a JSON string: each
 * is printable ASCII other than '"' and '\\' (a byte is 0 in x - 0x01..
 * & ~x & 0x80.. only where x has a zero byte, or past one).
 */
static inline bool word_plain(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = v ^ (ones * '"'), backslash = v ^ (ones * '\\'), del = v ^ (ones * 0x7f);
    uint64_t hit = ((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                   ((del - ones) & ~del) | v;
    return !(hit & highs);
}

void wst_outbuf_json_string(struct wst_outbuf *ob, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    wst_outbuf_putc(ob, '"');
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s), *run = p;
    while (p < end) {
        /* Diagnoses are long and plain: eight bytes a test while they are. */
        if (end - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (word_plain(v)) {
                p += 8;
                continue;
            }
        }
        unsigned char ch = *p;
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
            p++;
            continue;
        }
        /* The run of bytes that need no escape goes out in one write. */
        if (p > run)
            wst_outbuf_write(ob, run, (size_t)(p - run));
        char *q = reserve(ob, 6);
        if (ch == '"' || ch == '\\') {
            q[0] = '\\';
            q[1] = (char)ch;
            ob->len += 2;
        } else {
            /* Not valid UTF-8 is possible (file names): escape every non-ASCII byte as \u00XX. */
            q[0] = '\\';
            q[1] = 'u';
            q[2] = '0';
            q[3] = '0';
            q[4] = hex[ch >> 4];
            q[5] = hex[ch & 15];
            ob->len += 6;
        }
        run = ++p;
    }
    if (p > run)
        wst_outbuf_write(ob, run, (size_t)(p - run));
    wst_outbuf_putc(ob, '"');
}
