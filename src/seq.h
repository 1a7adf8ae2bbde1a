/*
 * seq.h - private: TCP sequence-number comparisons modulo 2^32.
 *
 * Sequence numbers wrap, and initial sequence numbers are random, so a
 * plain `a < b` is wrong about half the time near the wrap. RFC 9293 §3.4
 * compares them in a window of 2^31 on either side; so do these (the
 * kernel's before()/after(), Suricata's SEQ_LT...).
 */
#ifndef WST_SEQ_H
#define WST_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

static inline bool seq_geq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

#endif
