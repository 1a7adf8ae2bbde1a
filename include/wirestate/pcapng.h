/*
 * wirestate/pcapng.h - a reader for capture files: pcapng, and classic pcap.
 *
 * libpcap reads pcapng only when every interface of the file has the same
 * link type and snapshot length; files merged from several captures (or
 * written by Wireshark on several interfaces at once) break that rule. This
 * reader keeps a table of interfaces per section, so each packet carries its
 * own interface's link type and timestamp resolution.
 *
 * It reads classic pcap files too, as a section with a single interface,
 * with libpcap's checks and messages. libpcap reads a record with two
 * fread() calls and copies it twice; this reader reads the file in large
 * chunks and hands out each packet where it lies, which makes reading a
 * file several times cheaper per packet.
 *
 * References: draft-ietf-opsawg-pcapng (the pcapng specification),
 * pcap-savefile(5).
 */
#ifndef WIRESTATE_PCAPNG_H
#define WIRESTATE_PCAPNG_H

#include <stdbool.h>
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
 * Nothing may have been read from fp: the reader reads its file descriptor
 * directly, in large chunks (a stream without one, such as fmemopen()'s,
 * through fread()).
 * Returns 0, or WST_EFORMAT when the stream is not pcapng, WST_ECORRUPT when
 * its first section header is damaged, WST_EIO on a read error, WST_ENOMEM,
 * or WST_EUSAGE for a NULL argument, with a one-line cause in errbuf.
 */
int wst_pcapng_open(struct wst_pcapng **out, FILE *fp, char *errbuf) WST_WARN_UNUSED;

/*
 * Starts reading a capture stream of either format, told apart by its first
 * bytes: pcapng as wst_pcapng_open() does, or classic pcap (microsecond or
 * nanosecond timestamps, either byte order, Kuznetzov's patched format).
 * Takes ownership of fp as wst_pcapng_open() does. Returns 0, or
 * WST_EFORMAT for an empty stream or one of neither format, WST_ECORRUPT
 * for a damaged classic file header (a truncated header, an unsupported
 * version: the text is libpcap's, after "damaged capture file: "), or what
 * wst_pcapng_open() returns for pcapng, with a one-line cause in errbuf.
 */
int wst_pcapng_open_any(struct wst_pcapng **out, FILE *fp, char *errbuf) WST_WARN_UNUSED;

/* What an open stream holds. */
struct wst_pcapng_info {
    bool is_classic;   /* a classic pcap file (its one link type is below) */
    uint32_t linktype; /* classic: the header's LINKTYPE_ value, FCS bits cleared */
    uint32_t snaplen;  /* classic: the snapshot length (0 or absurd: libpcap's maximum) */
};

void wst_pcapng_info(const struct wst_pcapng *r, struct wst_pcapng_info *out);

/*
 * Reads the next packet (Enhanced, Simple or obsolete Packet Block); other
 * blocks are consumed silently. A classic file's records are its packets,
 * of interface 0; one longer than the snapshot length is cut to it. Returns
 * 1 with *pkt filled, 0 at the end of the stream, or WST_ECORRUPT / WST_EIO
 * / WST_ENOMEM with a cause in errbuf (the reader cannot continue after an
 * error; for a classic file the cause is libpcap's, after "damaged capture
 * file: ").
 */
int wst_pcapng_next(struct wst_pcapng *r, struct wst_pcapng_packet *pkt, char *errbuf) WST_WARN_UNUSED;

/* Frees the reader and closes its stream; NULL is allowed. */
void wst_pcapng_close(struct wst_pcapng *r);

#endif
