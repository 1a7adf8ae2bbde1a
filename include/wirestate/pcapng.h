/*
 * wirestate/pcapng.h - a reader for pcapng capture files.
 *
 * libpcap reads pcapng only when every interface of the file has the same
 * link type and snapshot length; files merged from several captures (or
 * written by Wireshark on several interfaces at once) break that rule. This
 * reader keeps a table of interfaces per section, so each packet carries its
 * own interface's link type and timestamp resolution.
 *
 * Reference: draft-ietf-opsawg-pcapng (the pcapng specification).
 */
#ifndef WIRESTATE_PCAPNG_H
#define WIRESTATE_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#include "wirestate/error.h"
#include "wirestate/types.h"

struct wst_pcapng;

/* One packet; data is borrowed and valid until the next wst_pcapng_next(). */
struct wst_pcapng_packet {
    wst_ts_us ts_us;        /* interface's if_tsresol and if_tsoffset applied */
    uint32_t caplen;        /* bytes at data */
    uint32_t wirelen;       /* original length on the wire (>= caplen) */
    uint32_t linktype;      /* LINKTYPE_ value of the packet's interface */
    uint32_t snaplen;       /* snapshot length of that interface (0 = none) */
    uint32_t interface_id;  /* index of that interface in its section */
    const uint8_t *data;
};

/*
 * Starts reading a pcapng stream at its first byte (a Section Header Block).
 * Takes ownership of fp, which wst_pcapng_close() closes, also on failure.
 * Returns 0, or WST_EFORMAT when the stream is not pcapng, WST_ECORRUPT when
 * its first section header is damaged, WST_EIO on a read error, WST_ENOMEM,
 * or WST_EUSAGE for a NULL argument, with a one-line cause in errbuf.
 */
int wst_pcapng_open(struct wst_pcapng **out, FILE *fp, char *errbuf) WST_WARN_UNUSED;

/*
 * Reads the next packet (Enhanced, Simple or obsolete Packet Block); other
 * blocks are consumed silently. Returns 1 with *pkt filled, 0 at the end of
 * the stream, or WST_ECORRUPT / WST_EIO / WST_ENOMEM with a cause in errbuf
 * (the reader cannot continue after an error).
 */
int wst_pcapng_next(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf) WST_WARN_UNUSED;

/* Frees the reader and closes its stream; NULL is allowed. */
void wst_pcapng_close(struct wst_pcapng *r);

#endif
