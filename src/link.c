/*
 * link.c - LINKTYPE_/DLT_ values to enum wst_link (see wirestate/link.h).
 *
 * References: https://www.tcpdump.org/linktypes.html and libpcap's
 * pcap/dlt.h. DLT_RAW is 12 on most systems and 14 on OpenBSD, and DLT_LOOP
 * is 12 on OpenBSD; libpcap hands us its own platform's DLT_ values, so the
 * DLT mapping uses the macros rather than numbers.
 */
#include "wirestate/link.h"

#include <pcap/pcap.h>

static const struct {
    uint32_t linktype;
    const char *name;
} link_info[WST_LINK__COUNT] = {
    [WST_LINK_UNSUPPORTED] = {UINT32_MAX, "unsupported"},
#define WST_LINK_INFO(e, nm, lt) [WST_LINK_##e] = {lt, nm},
    WST_LINK_MAP(WST_LINK_INFO)
#undef WST_LINK_INFO
};

enum wst_link wst_link_from_linktype(uint32_t linktype)
{
    for (int l = 1; l < WST_LINK__COUNT; l++) {
        if (link_info[l].linktype == linktype)
            return (enum wst_link)l;
    }
    /* Some writers store the platform DLT_RAW value (12 or 14) in files. */
    if (linktype == 12 || linktype == 14)
        return WST_LINK_RAW;
    return WST_LINK_UNSUPPORTED;
}

int wst_link_dlt_from_linktype(uint32_t linktype)
{
    /* libpcap's linktype_to_dlt(): the LINKTYPE_ values whose DLT_ value
     * differs on some platform; every other value is its own DLT_. */
    switch (linktype) {
    case 100:
        return DLT_ATM_RFC1483;
    case 101:
        return DLT_RAW;
    case 102:
        return DLT_SLIP_BSDOS;
    case 103:
        return DLT_PPP_BSDOS;
    case 106:
        return DLT_ATM_CLIP;
    case 50:
        return DLT_PPP_SERIAL;
    case 51:
        return DLT_PPP_ETHER;
    case 246:
        return DLT_PFSYNC;
    case 258:
        return DLT_PKTAP;
    }
    return linktype <= INT32_MAX ? (int)linktype : -1;
}

enum wst_link wst_link_from_dlt(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
        return WST_LINK_ETHERNET;
    case DLT_NULL:
        return WST_LINK_NULL_BSD;
    case DLT_LOOP:
        return WST_LINK_LOOP;
    case DLT_RAW:
        return WST_LINK_RAW;
    case DLT_LINUX_SLL:
        return WST_LINK_SLL;
    case DLT_LINUX_SLL2:
        return WST_LINK_SLL2;
    case DLT_IPV4:
        return WST_LINK_IPV4;
    case DLT_IPV6:
        return WST_LINK_IPV6;
    }
    return WST_LINK_UNSUPPORTED;
}

const char *wst_link_name(enum wst_link link)
{
    if ((unsigned)link >= WST_LINK__COUNT)
        link = WST_LINK_UNSUPPORTED;
    return link_info[link].name;
}
