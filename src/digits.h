/*
 * digits.h - private: decimal text of unsigned integers without printf.
 *
 * Connection records carry a dozen numbers each and are written by the
 * million, so numbers are formatted straight into the output: the digit
 * count first, then the digits from the right, two at a time from a table
 * of pairs, in 32-bit arithmetic whenever the value fits (a 64-bit
 * division by a constant costs twice as much). Counters, ports, octets and
 * epoch seconds all fit.
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

/* Number of decimal digits of v (1 to 10). */
static inline unsigned wst_digits_u32(uint32_t v)
{
    unsigned n = 1;
    for (;;) {
        if (v < 10)
            return n;
        if (v < 100)
            return n + 1;
        if (v < 1000)
            return n + 2;
        if (v < 10000)
            return n + 3;
        v /= 10000;
        n += 4;
    }
}

/* Writes the n = wst_digits_u32(v) digits of v at p. */
static inline void wst_put_digits_u32(char *p, uint32_t v, unsigned n)
{
    char *q = p + n;
    while (v >= 100) {
        uint32_t r = v % 100;
        v /= 100;
        q -= 2;
        memcpy(q, wst_digit_pairs + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(q - 2, wst_digit_pairs + 2 * v, 2);
    else
        q[-1] = (char)('0' + v);
}

/* The digits of v at p; returns how many (1 to 10). */
static inline size_t wst_fmt_u32(char *p, uint32_t v)
{
    unsigned n = wst_digits_u32(v);
    wst_put_digits_u32(p, v, n);
    return n;
}

/* The digits of v at p; returns how many (1 to 20). */
static inline size_t wst_fmt_u64_digits(char *p, uint64_t v)
{
    if (v <= UINT32_MAX)
        return wst_fmt_u32(p, (uint32_t)v);
    /* Split off the low 9 digits (zero-padded), in 32-bit pieces. */
    uint64_t hi = v / 1000000000u;
    uint32_t lo = (uint32_t)(v - hi * 1000000000u);
    size_t n = hi <= UINT32_MAX ? wst_fmt_u32(p, (uint32_t)hi) : wst_fmt_u64_digits(p, hi);
    p += n;
    p[0] = (char)('0' + lo / 100000000u);
    lo %= 100000000u;
    for (int i = 3; i >= 0; i--) {
        memcpy(p + 1 + 2 * i, wst_digit_pairs + 2 * (lo % 100), 2);
        lo /= 100;
    }
    return n + 9;
}

#endif
