/*
 * text.c - the bounded string builder of text.h.
 */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>

void wst_text_put(struct wst_text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len = t->len + (size_t)n < t->size ? t->len + (size_t)n : t->size - 1;
}

void wst_text_secs(struct wst_text *t, wst_ts_us us)
{
    wst_text_put(t, "%llu.%03llu s", (unsigned long long)(us / WST_US_PER_S),
                 (unsigned long long)(us % WST_US_PER_S / 1000));
}
