/*
 * wirestate/packet.h - one captured frame, as a capture source hands it on.
 */
#ifndef WIRESTATE_PACKET_H
#define WIRESTATE_PACKET_H

#include <stdint.h>

#include "wirestate/link.h"
#include "wirestate/types.h"

/*
 * data is borrowed from the capture source and valid only until the source
 * reads the next packet (as with pcap_next_ex(3PCAP)).
 */
struct wst_packet {
    wst_ts_us ts_us;
    uint32_t caplen;   /* bytes at data */
    uint32_t wirelen;  /* length on the wire (>= caplen) */
    enum wst_link link;
    const uint8_t *data;
};

#endif
