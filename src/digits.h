/*
 * digits.h - private: decimal text of unsigned integers without printf.
 *
 * Connection records carry a dozen numbers each and are written by the
 * million, so numbers are formatted straight into the output, two digits
 * at a time from a table of pairs, in blocks of 4 and 8 digits whose
 * halves are independent (no chain of divisions by 100), and in 32-bit
 * arithmetic whenever the value fits (a 64-bit division by a constant
 * costs twice as much). Counters, ports, octets and epoch seconds fit.
 *
 * The callers reserve the room: at most 20 bytes for a uint64_t, 10 for a
 * uint32_t. Nothing is NUL-terminated.
 */
#ifndef WST_DIGITS_H
#define WST_DIGITS_H

#include <stdint.h>
#include <string.h>

/* "00" "01" ... "99". */
static const char wst_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Exactly 2 digits of v < 100 at p. */
static inline void wst_put_2digits(char *p, uint32_t v)
{
    memcpy(p, wst_digit_pairs + 2 * v, 2);
}

/* Exactly 4 digits of v < 10^4 at p (zero-padded). */
static inline void wst_put_4digits(char *p, uint32_t v)
{
    wst_put_2digits(p, v / 100);
    wst_put_2digits(p + 2, v % 100);
}

/* Exactly 8 digits of v < 10^8 at p (zero-padded): two independent halves. */
static inline void wst_put_8digits(char *p, uint32_t v)
{
    wst_put_4digits(p, v / 10000);
    wst_put_4digits(p + 4, v % 10000);
}

/* The digits of v < 10^4 at p; returns how many (1 to 4). */
static inline size_t wst_fmt_below_10k(char *p, uint32_t v)
{
    if (v < 100) {
        if (v < 10) {
            p[0] = (char)('0' + v);
            return 1;
        }
        wst_put_2digits(p, v);
        return 2;
    }
    if (v < 1000) {
        p[0] = (char)('0' + v / 100);
        wst_put_2digits(p + 1, v % 100);
        return 3;
    }
    wst_put_4digits(p, v);
    return 4;
}

/* The digits of v at p; returns how many (1 to 10). */
static inline size_t wst_fmt_u32(char *p, uint32_t v)
{
    if (v < 10000)
        return wst_fmt_below_10k(p, v);
    if (v < 100000000) {
        size_t n = wst_fmt_below_10k(p, v / 10000);
        wst_put_4digits(p + n, v % 10000);
        return n + 4;
    }
    size_t n = wst_fmt_below_10k(p, v / 100000000); /* 1 to 42 */
    wst_put_8digits(p + n, v % 100000000);
    return n + 8;
}

/* The digits of v at p; returns how many (1 to 20). */
static inline size_t wst_fmt_u64_digits(char *p, uint64_t v)
{
    if (v <= UINT32_MAX)
        return wst_fmt_u32(p, (uint32_t)v);
    /* The low 8 digits apart; the rest (below 1.9 * 10^11) fits 32 bits,
     * or does after 8 digits more. */
    uint64_t hi = v / 100000000u;
    uint32_t lo = (uint32_t)(v - hi * 100000000u);
    size_t n;
    if (hi <= UINT32_MAX) {
        n = wst_fmt_u32(p, (uint32_t)hi);
    } else {
        uint32_t top = (uint32_t)(hi / 100000000u); /* at most 1844 */
        n = wst_fmt_u32(p, top);
        wst_put_8digits(p + n, (uint32_t)(hi - (uint64_t)top * 100000000u));
        n += 8;
    }
    wst_put_8digits(p + n, lo);
    return n + 8;
}

#endif
