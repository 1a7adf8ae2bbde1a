/*
 * wirestate/link.h - the link-layer types wirestate decodes.
 *
 * Capture files name their link layer by a LINKTYPE_ value (the registry
 * shared by pcap and pcapng); libpcap's API speaks DLT_ values, which equal
 * the LINKTYPE_ values except for a few historical ones (DLT_RAW is 12 or
 * 14, LINKTYPE_RAW is 101). Both map onto one enum here, so the decoder
 * never sees either numbering.
 */
#ifndef WIRESTATE_LINK_H
#define WIRESTATE_LINK_H

#include <stdint.h>

/*        enum       name          LINKTYPE_ value */
#define WST_LINK_MAP(X)                                   \
    X(ETHERNET, "ethernet",   1)   /* IEEE 802.3 / DIX */ \
    X(NULL_BSD, "null",       0)   /* BSD loopback, AF in host order */ \
    X(LOOP,     "loop",       108) /* OpenBSD loopback, AF in network order */ \
    X(RAW,      "raw",        101) /* raw IPv4 or IPv6 */ \
    X(IPV4,     "ipv4",       228) /* raw IPv4 only */   \
    X(IPV6,     "ipv6",       229) /* raw IPv6 only */   \
    X(SLL,      "linux_sll",  113) /* Linux cooked v1 (-i any) */ \
    X(SLL2,     "linux_sll2", 276) /* Linux cooked v2 (-i any) */

enum wst_link {
    WST_LINK_UNSUPPORTED = 0,
#define WST_LINK_ENUM(e, name, lt) WST_LINK_##e,
    WST_LINK_MAP(WST_LINK_ENUM)
#undef WST_LINK_ENUM
    WST_LINK__COUNT
};

/* Maps a LINKTYPE_ value from a capture file; WST_LINK_UNSUPPORTED if unknown. */
enum wst_link wst_link_from_linktype(uint32_t linktype);

/*
 * The DLT_ value libpcap gives a classic pcap file of LINKTYPE_ value
 * `linktype` (its linktype_to_dlt(): LINKTYPE_RAW is DLT_RAW, 12 or 14 by
 * platform; a value without a mapping is taken as a DLT_ value itself).
 * Classic pcap files take their link type this way, as when libpcap read
 * them: a file header that says 14 is not raw IP on Linux.
 */
int wst_link_dlt_from_linktype(uint32_t linktype);

/* Maps a DLT_ value from pcap_datalink(); WST_LINK_UNSUPPORTED if unknown. */
enum wst_link wst_link_from_dlt(int dlt);

/* Stable lower-case name ("ethernet", ...; "unsupported" for 0). */
const char *wst_link_name(enum wst_link link);

#endif
