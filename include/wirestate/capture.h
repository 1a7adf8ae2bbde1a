/*
 * wirestate/capture.h - packet sources: capture files and live interfaces.
 *
 * A source hands out packets one at a time with capture timestamps in
 * microseconds and the link type to decode them with. Capture files, pcapng
 * and classic pcap, go through wirestate's own reader (pcapng.h), which
 * allows a different link type per pcapng interface and reads a classic
 * file as libpcap would, only faster; live interfaces go through libpcap,
 * which also compiles every filter. The format is told by the file's first
 * bytes, so `-` (stdin) works for both, and packets from a pipe are handed
 * out as they arrive.
 *
 * Errors carry one line of text in the caller's errbuf (WST_ERRBUF_SIZE),
 * without the file or interface name, which the caller prints.
 */
#ifndef WIRESTATE_CAPTURE_H
#define WIRESTATE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/error.h"
#include "wirestate/packet.h"

struct wst_capture;
struct wst_capture_dump;

/* Counters of one source. */
struct wst_capture_stats {
    uint64_t read;           /* packets read from the source */
    uint64_t filtered;       /* of which rejected by the filter expression (offline) */
    bool is_live;            /* the kernel counters below are valid */
    uint64_t kernel_received;    /* pcap_stats ps_recv: packets that passed the kernel filter */
    uint64_t kernel_dropped;     /* ps_drop: no room in the capture buffer */
    uint64_t interface_dropped;  /* ps_ifdrop: dropped by the interface or driver */
};

/*
 * Opens a capture file ("-" = standard input), classic pcap or pcapng.
 * Returns 0, or WST_EIO (cannot open or read; errbuf has strerror text),
 * WST_EFORMAT (not a capture file), WST_ECORRUPT (damaged header),
 * WST_ELINKTYPE (a classic pcap file of a link type we cannot decode),
 * WST_ENOMEM.
 */
int wst_capture_open_file(struct wst_capture **out, const char *path, char *errbuf) WST_WARN_UNUSED;

/*
 * Opens a live capture on `device`: promiscuous, immediate delivery,
 * `snaplen` bytes per packet, a kernel buffer of `buffer_kib` KiB
 * (pcap_set_buffer_size; libpcap rounds it up to whole frames of its
 * ring). Returns 0, or WST_EPERM (no capture privilege), WST_EPCAP (no
 * such device, a buffer the kernel refuses, or another libpcap failure),
 * WST_ELINKTYPE, WST_EUSAGE (a buffer of 2 GiB or more, which libpcap
 * cannot take).
 */
int wst_capture_open_live(struct wst_capture **out, const char *device, int snaplen, uint32_t buffer_kib,
                          char *errbuf) WST_WARN_UNUSED;

/*
 * Applies a tcpdump filter expression, once per source. Live sources filter
 * in the kernel; file sources filter in wirestate and count what they
 * reject. A pcapng file compiles the expression for every link type; a link
 * type it cannot apply to ("vlan" on raw IP) has all its packets filtered
 * out. Returns 0, or WST_EFILTER with libpcap's message (for pcapng: when
 * it compiles for no link type), WST_EUSAGE for a second call, WST_ENOMEM.
 */
int wst_capture_set_filter(struct wst_capture *cap, const char *expr, char *errbuf) WST_WARN_UNUSED;

/* wst_capture_next(): a live source's read timeout passed with no packet. */
#define WST_CAPTURE_IDLE 2

/* How long a live read waits for a packet before it returns WST_CAPTURE_IDLE. */
#define WST_LIVE_TIMEOUT_MS 100

/*
 * Reads the next packet that passes the filter. Returns 1 with *pkt filled
 * (data valid until the next call), 0 at the end of the source or after
 * wst_capture_break() (a read error after a break is taken as the end),
 * WST_CAPTURE_IDLE when a live source had nothing for WST_LIVE_TIMEOUT_MS
 * (the kernel's buffer is empty: the caller is up to date, and may move
 * its clock on), or WST_ECORRUPT / WST_EIO / WST_EPCAP / WST_ENOMEM with
 * the cause in errbuf.
 */
int wst_capture_next(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf) WST_WARN_UNUSED;

/* Makes a blocked or future wst_capture_next() return 0. Async-signal-safe. */
void wst_capture_break(struct wst_capture *cap);

/* Fills *out; for live sources this asks the kernel (pcap_stats), whose
 * 32-bit counters are summed across their wrap. */
void wst_capture_stats(struct wst_capture *cap, struct wst_capture_stats *out);

/* Closes the source; NULL is allowed. */
void wst_capture_close(struct wst_capture *cap);

/*
 * Opens `path` ("-" = standard output) for tcpdump's -w and attaches it to
 * the sources: from then on wst_capture_next() writes every packet it hands
 * out (those the filter passed) before returning it, and flushes the file
 * when a source ends, stops or fails. The format follows the sources: a
 * classic pcap file of their link type and their largest snap length when
 * every source is a live interface or a classic pcap file and all share one
 * link type; pcapng otherwise (a pcapng source, or classic files of several
 * link types), with an interface for each link type and snap length met.
 * Timestamps are written in microseconds, as the packets carry them.
 * Call it once every source is open, before any is read. Returns 0, or
 * WST_EUSAGE (path is a file one of the sources reads), WST_EIO (cannot
 * create or write it; strerror text).
 */
int wst_capture_dump_open(struct wst_capture_dump **out, const char *path, struct wst_capture *const *sources,
                          size_t n_sources, char *errbuf) WST_WARN_UNUSED;

/*
 * Writes out what is buffered. A failed write is not reported by
 * wst_capture_next(), which goes on reading; the first one is kept, and
 * nothing more is written after it. Returns 0, or WST_EIO with that error
 * ("write error: ...").
 */
int wst_capture_dump_flush(struct wst_capture_dump *d, char *errbuf) WST_WARN_UNUSED;

/*
 * Flushes and closes the file (standard output is flushed only) and frees
 * d; NULL is allowed. The sources it was attached to must not be read after
 * it. Returns 0, or WST_EIO with the first write error since it was opened.
 */
int wst_capture_dump_close(struct wst_capture_dump *d, char *errbuf) WST_WARN_UNUSED;

/*
 * Gives up root for `user` (tcpdump's -Z), to be called once every capture
 * and every file the process writes is open: the user's supplementary
 * groups (initgroups), its group (setgid), then its user id (setuid), in
 * that order, and then checks that the change took: real, effective and
 * saved ids are the user's, and setuid(0) fails. A user whose id is 0
 * ("root") keeps root: nothing changes. Returns 0, or WST_EUSAGE (no such
 * user), WST_EPERM (a step failed, for want of root for instance, or root
 * could be taken back; errbuf names the step). After WST_EPERM the process
 * may be part way between the two users and must not go on.
 */
int wst_capture_drop_privileges(const char *user, char *errbuf) WST_WARN_UNUSED;

#endif
