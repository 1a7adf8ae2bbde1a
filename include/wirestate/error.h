/*
 * wirestate/error.h - error codes for functions that can fail.
 *
 * Functions that can fail return int: 0 on success or a negative WST_E*
 * code. Where a failure has a cause worth telling a person (a file that is
 * not a capture, a permission problem), the function also writes one line
 * of text, without a trailing newline, into a caller-supplied errbuf of
 * WST_ERRBUF_SIZE bytes, as libpcap does. No module prints or exits.
 */
#ifndef WIRESTATE_ERROR_H
#define WIRESTATE_ERROR_H

/*
 * Big enough for any libpcap message (PCAP_ERRBUF_SIZE, 256) plus our own
 * context; capture.c checks the first half of that at compile time, so this
 * header needs no libpcap.
 */
#define WST_ERRBUF_SIZE 512

/*        name        value  text */
#define WST_ERR_MAP(X)                                                     \
    X(OK,         0, "success")                                            \
    X(EUSAGE,    -1, "invalid argument")                                   \
    X(ENOMEM,    -2, "out of memory")                                      \
    X(EIO,       -3, "input/output error")                                 \
    X(EFORMAT,   -4, "not a capture file")                                 \
    X(ECORRUPT,  -5, "capture file is damaged")                            \
    X(ELINKTYPE, -6, "unsupported link type")                              \
    X(EFILTER,   -7, "invalid filter expression")                          \
    X(EPCAP,     -8, "packet capture error")                               \
    X(EPERM,     -9, "permission denied")                                  \
    X(ELIMIT,   -10, "limit reached")

enum wst_err {
#define WST_ERR_ENUM(name, value, text) WST_##name = (value),
    WST_ERR_MAP(WST_ERR_ENUM)
#undef WST_ERR_ENUM
};

/* Fixed text for an error code; never NULL (unknown codes get a generic text). */
const char *wst_strerror(int err);

#if defined(__GNUC__)
#define WST_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define WST_WARN_UNUSED
#endif

#endif
