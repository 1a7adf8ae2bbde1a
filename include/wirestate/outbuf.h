/*
 * wirestate/outbuf.h - buffered text output for the emitters.
 *
 * Connection records are written at up to millions per run, so numbers and
 * timestamps are formatted by hand into one buffer instead of through
 * printf, and the buffer reaches the stream in large writes. A write error
 * is remembered and reported once, at flush.
 */
#ifndef WIRESTATE_OUTBUF_H
#define WIRESTATE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wirestate/error.h"
#include "wirestate/types.h"

#define WST_OUTBUF_SIZE (64 * 1024)

/* Caller-allocated. */
struct wst_outbuf {
    FILE *fp;          /* borrowed */
    size_t len;
    int err;           /* errno of the first failed write, 0 if none */
    char buf[WST_OUTBUF_SIZE];
};

void wst_outbuf_init(struct wst_outbuf *ob, FILE *fp);

/* Writes the buffer to the stream and fflush()es it. Returns 0 or WST_EIO (errno kept in ob->err). */
int wst_outbuf_flush(struct wst_outbuf *ob) WST_WARN_UNUSED;

/* Writes out the buffered bytes (not a flush of the stream). Internal to wst_outbuf_space(). */
void wst_outbuf_drain(struct wst_outbuf *ob);

/*
 * Room for n more bytes (n <= WST_OUTBUF_SIZE): the caller formats into the
 * returned pointer and then adds what it wrote to ob->len. The fast path of
 * the emitters, which write a whole record at once.
 */
static inline char *wst_outbuf_space(struct wst_outbuf *ob, size_t n)
{
    if (ob->len + n > WST_OUTBUF_SIZE)
        wst_outbuf_drain(ob);
    return ob->buf + ob->len;
}

/* Decimal text of v at p (at most 20 bytes, no NUL); returns its length. */
size_t wst_fmt_u64(char *p, uint64_t v);

/* "seconds.micros" of us at p (at most 27 bytes, no NUL); returns its length. */
size_t wst_fmt_seconds(char *p, uint64_t us);

/* wst_outbuf_write() of data that does not fit in the room left. */
void wst_outbuf_write_slow(struct wst_outbuf *ob, const void *data, size_t len);

/*
 * Appends len bytes; data larger than half the buffer is written through.
 * Inline, so that a literal's length and copy are known when compiling the
 * caller (most writes are short literals of the emitters).
 */
static inline void wst_outbuf_write(struct wst_outbuf *ob, const void *data, size_t len)
{
    if (len < WST_OUTBUF_SIZE - ob->len) {
        memcpy(ob->buf + ob->len, data, len);
        ob->len += len;
        return;
    }
    wst_outbuf_write_slow(ob, data, len);
}

static inline void wst_outbuf_puts(struct wst_outbuf *ob, const char *s)
{
    wst_outbuf_write(ob, s, strlen(s));
}

static inline void wst_outbuf_putc(struct wst_outbuf *ob, char ch)
{
    if (ob->len + 1 >= WST_OUTBUF_SIZE)
        wst_outbuf_drain(ob);
    ob->buf[ob->len++] = ch;
}

void wst_outbuf_u64(struct wst_outbuf *ob, uint64_t v);

/* Right-aligns v in a field of `width` characters (no truncation). */
void wst_outbuf_u64_width(struct wst_outbuf *ob, uint64_t v, int width);

/* "seconds.micros" with exactly 6 decimals, e.g. 1700000000.000123. */
void wst_outbuf_seconds(struct wst_outbuf *ob, uint64_t us);

/* UTC calendar time "YYYY-MM-DD HH:MM:SS.uuuuuu" (no zone suffix). */
void wst_outbuf_utc(struct wst_outbuf *ob, wst_ts_us ts);

/* A JSON string literal with quotes; control characters and non-ASCII bytes escaped. */
void wst_outbuf_json_string(struct wst_outbuf *ob, const char *s);

#endif
