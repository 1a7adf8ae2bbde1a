/*
 * text.h - a bounded string builder for one-line diagnoses (explain.c).
 * Output past the buffer's size is cut, never overflows, and the buffer
 * is always NUL-terminated.
 */
#ifndef WST_TEXT_H
#define WST_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "wirestate/types.h"

struct wst_text {
    char *buf;
    size_t size, len;
};

/* Starts an empty string in buf (size > 0). */
static inline struct wst_text wst_text_start(char *buf, size_t size)
{
    buf[0] = '\0';
    return (struct wst_text){buf, size, 0};
}

void wst_text_put(struct wst_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A duration as "12.345 s" (ms precision: diagnoses are read by people). */
void wst_text_secs(struct wst_text *t, wst_ts_us us);

static inline const char *wst_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

#endif
