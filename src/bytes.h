/*
 * bytes.h - private: bounds-helpers and big/little-endian readers for
 * untrusted packet and file bytes.
 *
 * Packet bytes are read one field at a time through these helpers, never by
 * casting a pointer to a header struct: a cast can be misaligned, can read
 * past the captured length, and depends on the platform's header layout.
 * The caller checks the length first (tcpdump's ND_TCHECK idea, without the
 * longjmp); the readers themselves do no checking.
 */
#ifndef WST_BYTES_H
#define WST_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t rd_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t rd_le16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[1] << 8 | p[0]);
}

static inline uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t rd_le64(const uint8_t *p)
{
    return (uint64_t)rd_le32(p + 4) << 32 | rd_le32(p);
}

static inline uint64_t rd_u64_native(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#endif
