/*
 * wirestate/types.h - plain types shared by every module; no logic.
 *
 * Times are capture times in microseconds since the Unix epoch, taken from
 * the packet headers of the capture (never from the wall clock).
 */
#ifndef WIRESTATE_TYPES_H
#define WIRESTATE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capture time in microseconds since 1970-01-01T00:00:00Z. */
typedef uint64_t wst_ts_us;

#define WST_US_PER_S 1000000u

/* Address families, as stored in keys and segments. 0 means unset. */
enum wst_family {
    WST_AF_INET = 4,
    WST_AF_INET6 = 6,
};

/*
 * A network address. IPv4 uses the first 4 bytes, the other 12 are zero, so
 * two addresses of the same family compare with memcmp() in network order.
 */
struct wst_addr {
    uint8_t b[16];
};

/* Size of an address of a family in bytes (4 or 16). */
static inline size_t wst_family_addr_len(uint8_t family)
{
    return family == WST_AF_INET ? 4 : 16;
}

#endif
