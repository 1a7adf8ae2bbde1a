/*
 * capture.c - capture files and live interfaces behind one interface.
 *
 * Model: a source is SRC_FILE (wirestate's reader, pcapng.h: a pcapng
 * file with a link type per interface, or a classic pcap file with one) or
 * SRC_LIVE (a libpcap handle on an interface). File sources apply the
 * filter in user space with pcap_offline_filter(), so packets the filter
 * rejects are counted rather than silently absent; live sources install it
 * in the kernel. libpcap compiles every filter.
 *
 * Invariants:
 *  1. stats.read counts every packet taken from the source, stats.filtered
 *     those of them the filter rejected; the rest were handed out.
 *  2. A pcapng source compiles the filter for every link type when it is
 *     set; a link type we cannot decode passes unfiltered (the tracker
 *     counts it as unsupported_link_type), and one the expression cannot
 *     apply to is filtered out whole.
 *  3. A classic pcap source has one link type, checked at open (one we
 *     cannot decode is an error, as it was when libpcap read these files),
 *     and the filter must compile for it. Its link type is numbered as
 *     libpcap numbers it (wst_link_dlt_from_linktype()).
 *  4. A dump writes each packet exactly as handed out (timestamp, caplen,
 *     wirelen, bytes) under the LINKTYPE_ value its source read it with, so
 *     that reading the dump gives the same packets (but for a classic
 *     file's timestamps, 32-bit seconds, which end in 2106).
 *  5. A packet is handed out (and written) as read, tags and all, whatever
 *     the filter looked at (see "VLAN tags").
 *
 * Writing (-w). A dump attached to the sources receives every packet they
 * hand out, after the filter, in wst_capture_next(). Its format is chosen
 * when it is opened, from what is known then: classic pcap (in the host's
 * byte order, microseconds, as libpcap writes it) when every source has one
 * link type and they share it; pcapng otherwise, since a pcapng source's
 * interfaces are known only as it is read. A pcapng dump writes an
 * Interface Description Block the first time it meets a (link type, snap
 * length) pair. Writes go through a large stdio buffer, flushed when a
 * source ends, stops or fails; the first failed write is kept and reported
 * at the close, and nothing is written after it (a half-written record
 * would make the rest of the file unreadable).
 *
 * VLAN tags. On Linux the kernel takes a received frame's outer VLAN tag
 * off into metadata before a capture socket's filter runs, and libpcap puts
 * it back into the frame it hands over (and -w saves); so does a frame sent
 * through an interface with VLAN offload. A filter that saw no tag live
 * sees one in the file. So on Ethernet, an expression that names no
 * encapsulation (names_an_encapsulation()) is compiled, live and for files
 * alike, as the expression applied inside up to two tags
 * (through_vlan_tags()): the kernel's frame has a tag fewer only where it
 * took one off, and the program looks past whatever tags are in the frame.
 * A Linux cooked (v1) file's frame has the tag libpcap put back in the
 * cooked header, past which libpcap cannot look (no `vlan` for that link
 * type): the filter runs on a copy without that one tag, which is the frame
 * the kernel filtered (passes()). README, "Filters and VLAN tags", lists
 * where live and files still differ.
 *
 * Privileges. Opening an interface needs root (or CAP_NET_RAW); reading
 * from it once open does not. wst_capture_drop_privileges() gives root up
 * as tcpdump's droproot() does, groups first (once the user id is not 0,
 * the groups can no longer be changed), and then makes sure it cannot be
 * taken back. Without -Z, a process started as root stays root (README,
 * "Live captures", says why).
 *
 * References: pcap_offline_filter(3PCAP), pcap_compile(3PCAP),
 * pcap_create(3PCAP) and pcap_activate(3PCAP) for the live setup;
 * pcap-savefile(5) and draft-ietf-opsawg-pcapng for what -w writes;
 * initgroups(3), setgid(2), setuid(2), and tcpdump.c's droproot().
 */
#include "wirestate/capture.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wirestate/pcapng.h"
#include "alloc.h"

/* errbuf is handed to libpcap as its own error buffer. */
_Static_assert(WST_ERRBUF_SIZE >= PCAP_ERRBUF_SIZE + 256, "WST_ERRBUF_SIZE too small for libpcap messages");

enum source_kind { SRC_LIVE, SRC_FILE };

/* A filter program compiled for one link type (pcapng sources). */
struct link_filter {
    bool tried;                /* compilation was attempted */
    bool usable;               /* compiled; false for unsupported link types */
    bool rejects_all;          /* the expression cannot apply to this link type */
    struct bpf_program prog;
};

struct wst_capture {
    enum source_kind kind;
    bool is_live;
    uint32_t last_recv, last_drop, last_ifdrop; /* pcap_stats() as last read */
    int fd;                       /* live: the descriptor to poll() */
    volatile sig_atomic_t stop;
    pcap_t *pcap;              /* SRC_LIVE */
    struct wst_pcapng *file;   /* SRC_FILE */
    bool is_classic;           /* SRC_FILE: a classic pcap file (invariant 3) */
    enum wst_link link;        /* SRC_LIVE and classic files */
    int dlt;                   /* classic files: their link type as a DLT_ value */
    uint32_t linktype;         /* SRC_LIVE and classic files: the LINKTYPE_ value -w writes */
    uint32_t snaplen;          /* SRC_LIVE and classic files */
    bool has_file_id;          /* SRC_FILE: file_dev and file_ino are set (standard input too) */
    dev_t file_dev;
    ino_t file_ino;
    struct wst_capture_dump *dump; /* -w: every packet handed out is written there; NULL if none */
    bool untag_sll;            /* SRC_FILE: Linux cooked frames are filtered without their VLAN tag */
    uint8_t *untag_buf;        /* the copy they are filtered as */
    size_t untag_cap;
    char *filter;              /* expression, NULL if none */
    bool has_prog;             /* classic files: prog is in use */
    struct bpf_program prog;
    struct link_filter ng_filters[WST_LINK__COUNT]; /* pcapng files */
    struct wst_capture_stats stats;
};

/* DLT_ value for compiling a filter for a link type (see link.c). */
static int link_to_dlt(enum wst_link link)
{
    switch (link) {
    case WST_LINK_ETHERNET:
        return DLT_EN10MB;
    case WST_LINK_NULL_BSD:
        return DLT_NULL;
    case WST_LINK_LOOP:
        return DLT_LOOP;
    case WST_LINK_RAW:
        return DLT_RAW;
    case WST_LINK_IPV4:
        return DLT_IPV4;
    case WST_LINK_IPV6:
        return DLT_IPV6;
    case WST_LINK_SLL:
        return DLT_LINUX_SLL;
    case WST_LINK_SLL2:
        return DLT_LINUX_SLL2;
    case WST_LINK_UNSUPPORTED:
    case WST_LINK__COUNT:
        break;
    }
    return -1;
}

/* The LINKTYPE_ value of each link type we decode, as a file names it (link.h). */
static const uint32_t link_linktype[WST_LINK__COUNT] = {
#define LINK_LINKTYPE(e, name, lt) [WST_LINK_##e] = (lt),
    WST_LINK_MAP(LINK_LINKTYPE)
#undef LINK_LINKTYPE
};

static struct wst_capture *capture_alloc(void)
{
    struct wst_capture *cap = calloc(1, sizeof *cap);
    return cap;
}

/* Sets cap->link from a DLT_ value, or returns WST_ELINKTYPE with its name. */
static int check_link(struct wst_capture *cap, int dlt, char *errbuf)
{
    cap->link = wst_link_from_dlt(dlt);
    if (cap->link != WST_LINK_UNSUPPORTED)
        return 0;
    const char *name = pcap_datalink_val_to_name(dlt);
    snprintf(errbuf, WST_ERRBUF_SIZE, "unsupported link type %s (%d)", name ? name : "unknown", dlt);
    return WST_ELINKTYPE;
}

int wst_capture_open_file(struct wst_capture **out, const char *path, char *errbuf)
{
    int rc;
    FILE *fp = NULL;
    struct wst_capture *cap = NULL;
    *out = NULL;

    if (strcmp(path, "-") == 0) {
        fp = stdin;
    } else {
        fp = fopen(path, "rb");
        if (fp == NULL) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "%s", strerror(errno));
            return WST_EIO;
        }
    }
    struct stat st;
    bool has_stat = fstat(fileno(fp), &st) == 0;
    if (has_stat && S_ISDIR(st.st_mode)) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "is a directory, not a capture file");
        rc = WST_EIO;
        goto fail;
    }
    cap = capture_alloc();
    if (cap == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        rc = WST_ENOMEM;
        goto fail;
    }
    if (has_stat) { /* so that -w cannot overwrite it (wst_capture_dump_open) */
        cap->has_file_id = true;
        cap->file_dev = st.st_dev;
        cap->file_ino = st.st_ino;
    }

    /* The reader tells pcapng from classic pcap by the first bytes. */
    cap->kind = SRC_FILE;
    rc = wst_pcapng_open_any(&cap->file, fp, errbuf);
    fp = NULL; /* the reader owns it now, also on failure */
    if (rc < 0)
        goto fail;
    struct wst_pcapng_info info;
    wst_pcapng_info(cap->file, &info);
    if (info.is_classic) {
        cap->is_classic = true;
        cap->dlt = wst_link_dlt_from_linktype(info.linktype);
        cap->linktype = info.linktype;
        cap->snaplen = info.snaplen;
        rc = check_link(cap, cap->dlt, errbuf);
        if (rc < 0)
            goto fail;
    }
    *out = cap;
    return 0;

fail:
    if (fp && fp != stdin)
        fclose(fp);
    wst_capture_close(cap);
    return rc;
}

int wst_capture_open_live(struct wst_capture **out, const char *device, int snaplen, uint32_t buffer_kib,
                          char *errbuf)
{
    int rc;
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    *out = NULL;
    if (buffer_kib > INT_MAX / 1024) { /* pcap_set_buffer_size() takes bytes as an int */
        snprintf(errbuf, WST_ERRBUF_SIZE, "a capture buffer of %" PRIu32 " KiB is beyond libpcap's 2 GiB", buffer_kib);
        return WST_EUSAGE;
    }
    struct wst_capture *cap = capture_alloc();
    if (cap == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        return WST_ENOMEM;
    }
    cap->kind = SRC_LIVE;
    cap->is_live = true;
    cap->stats.is_live = true;
    cap->pcap = pcap_create(device, pcap_err);
    if (cap->pcap == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "%s", pcap_err);
        rc = WST_EPCAP;
        goto fail;
    }
    /* Immediate mode hands packets over as they arrive (no batching delay);
     * the timeout still wakes the loop on a quiet link (WST_CAPTURE_IDLE). */
    pcap_set_snaplen(cap->pcap, snaplen);
    pcap_set_promisc(cap->pcap, 1);
    pcap_set_immediate_mode(cap->pcap, 1);
    pcap_set_timeout(cap->pcap, WST_LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(cap->pcap, (int)buffer_kib * 1024);
    pcap_set_tstamp_precision(cap->pcap, PCAP_TSTAMP_PRECISION_MICRO);

    int act = pcap_activate(cap->pcap);
    if (act < 0) {
        const char *why = pcap_geterr(cap->pcap);
        switch (act) {
        case PCAP_ERROR_PERM_DENIED:
            snprintf(errbuf, WST_ERRBUF_SIZE, "permission denied: capturing needs root or CAP_NET_RAW (%s)", why);
            rc = WST_EPERM;
            break;
        case PCAP_ERROR_NO_SUCH_DEVICE:
            snprintf(errbuf, WST_ERRBUF_SIZE, "no such interface (%s)", why);
            rc = WST_EPCAP;
            break;
        case PCAP_ERROR_IFACE_NOT_UP:
            snprintf(errbuf, WST_ERRBUF_SIZE, "interface is down");
            rc = WST_EPCAP;
            break;
        default:
            snprintf(errbuf, WST_ERRBUF_SIZE, "%s", why && *why ? why : pcap_statustostr(act));
            rc = WST_EPCAP;
            break;
        }
        goto fail;
    }
    rc = check_link(cap, pcap_datalink(cap->pcap), errbuf);
    if (rc < 0)
        goto fail;
    cap->linktype = link_linktype[cap->link];
    cap->snaplen = (uint32_t)pcap_snapshot(cap->pcap);
    cap->fd = pcap_get_selectable_fd(cap->pcap);
    if (cap->fd < 0 || pcap_setnonblock(cap->pcap, 1, pcap_err) < 0) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "cannot wait for packets: %s",
                 cap->fd < 0 ? "no selectable descriptor" : pcap_err);
        rc = WST_EPCAP;
        goto fail;
    }
    *out = cap;
    return 0;

fail:
    wst_capture_close(cap);
    return rc;
}

/* Compiles `expr` against a handle; WST_EFILTER with libpcap's message on failure. */
static int compile(pcap_t *p, struct bpf_program *prog, const char *expr, char *errbuf)
{
    if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "bad filter expression '%s': %s", expr, pcap_geterr(p));
        return WST_EFILTER;
    }
    return 0;
}

/*
 * Whether the expression names a layer after which libpcap reads the rest
 * of the expression one layer deeper (gencode.c: vlan, mpls, pppoes,
 * geneve, vxlan). Such an expression says itself where the tags are, and is
 * used as written. Any word counts, even a host named "vlan": that only
 * keeps the expression as written.
 */
static bool names_an_encapsulation(const char *expr)
{
    static const char *const words[] = {"vlan", "mpls", "pppoes", "geneve", "vxlan"};
    for (const char *p = expr; *p;) {
        size_t len = 0;
        while (p[len] && (isalnum((unsigned char)p[len]) || p[len] == '_'))
            len++;
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            if (len == strlen(words[i]) && strncasecmp(p, words[i], len) == 0)
                return true;
        }
        p += len ? len : 1;
    }
    return false;
}

/*
 * The expression applied inside the VLAN tags (see "VLAN tags" above): to
 * an untagged frame, or after one tag, or after two. `vlan` moves the rest
 * of the program 4 bytes on, whether it matches or not, so "untagged" is
 * tested with `ether proto` (which only reads the type field where the
 * program is) and each deeper test is nested inside the `vlan` before it.
 * NULL when out of memory.
 */
static char *through_vlan_tags(const char *expr)
{
#define UNTAGGED "not (ether proto 0x8100 or ether proto 0x88a8 or ether proto 0x9100)"
    static const char form[] = "(" UNTAGGED " and (%s)) or (vlan and ((" UNTAGGED " and (%s)) or (vlan and (%s))))";
#undef UNTAGGED
    char *out = NULL;
    return asprintf(&out, form, expr, expr, expr) < 0 ? NULL : out;
}

/*
 * Compiles a filter for link type `dlt` against p (a live handle, or a dead
 * one for files): `expr` as written first, so that its errors are reported
 * as written; then, for Ethernet, unless it names an encapsulation, the
 * same expression inside VLAN tags, compiled for a dead Ethernet handle of
 * `snaplen` (libpcap compiles an expression alike for a live Ethernet
 * interface and a file, but for `vlan`, which live looks for in the
 * kernel's metadata; here the tags are in the frame, where the kernel's
 * filter finds those it did not take off). Returns what compile() returns.
 */
static int compile_filter(pcap_t *p, int dlt, int snaplen, struct bpf_program *prog, const char *expr, char *errbuf)
{
    int rc = compile(p, prog, expr, errbuf);
    if (rc < 0 || dlt != DLT_EN10MB || names_an_encapsulation(expr))
        return rc;
    char *tagged_expr = through_vlan_tags(expr);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, snaplen);
    struct bpf_program tagged;
    if (tagged_expr == NULL || dead == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        rc = WST_ENOMEM;
        pcap_freecode(prog);
    } else if (pcap_compile(dead, &tagged, tagged_expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
        pcap_freecode(prog);
        *prog = tagged;
    }
    /* else: it compiled as written and adding tags should change nothing to that;
     * were libpcap to refuse it, the expression as written is the better filter. */
    if (dead)
        pcap_close(dead);
    free(tagged_expr);
    return rc;
}

/* Compiles the filter for one pcapng link type (once; see wst_capture_set_filter). */
static int ng_filter(struct wst_capture *cap, enum wst_link link, struct link_filter **out, char *errbuf)
{
    struct link_filter *f = &cap->ng_filters[link];
    *out = f;
    if (f->tried)
        return 0;
    f->tried = true;
    int dlt = link_to_dlt(link);
    if (dlt < 0)
        return 0;
    pcap_t *dead = pcap_open_dead(dlt, 262144);
    if (dead == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        return WST_ENOMEM;
    }
    int rc = compile_filter(dead, dlt, 262144, &f->prog, cap->filter, errbuf);
    if (rc == WST_ENOMEM) {
        pcap_close(dead);
        return rc;
    }
    pcap_close(dead);
    if (rc < 0) {
        f->rejects_all = true;
        return rc;
    }
    f->usable = true;
    return 0;
}

int wst_capture_set_filter(struct wst_capture *cap, const char *expr, char *errbuf)
{
    if (cap->filter) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "a filter is already set");
        return WST_EUSAGE;
    }
    cap->filter = strdup(expr);
    if (cap->filter == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        return WST_ENOMEM;
    }
    cap->untag_sll = cap->kind == SRC_FILE && !names_an_encapsulation(expr);
    if (cap->kind == SRC_FILE && !cap->is_classic) {
        /* Interfaces may be of any link type: compile for each now, so a
         * typo is reported before any output. An expression that cannot
         * apply to some link type ("vlan" on raw IP) filters out all its
         * packets, as it matches none; one that compiles for no link type
         * at all is an error. */
        char first_err[WST_ERRBUF_SIZE] = "";
        bool any = false;
        for (int l = 1; l < WST_LINK__COUNT; l++) {
            struct link_filter *f;
            int rc = ng_filter(cap, (enum wst_link)l, &f, errbuf);
            if (rc == WST_ENOMEM)
                return rc;
            if (rc < 0 && first_err[0] == '\0')
                snprintf(first_err, sizeof first_err, "%s", errbuf);
            any |= f->usable;
        }
        if (!any) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "%s", first_err);
            return WST_EFILTER;
        }
        return 0;
    }
    if (cap->kind == SRC_FILE) {
        /* A classic file: its one link type, as libpcap compiled for it. */
        pcap_t *dead = pcap_open_dead(cap->dlt, (int)cap->snaplen);
        if (dead == NULL) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
            return WST_ENOMEM;
        }
        int rc = compile_filter(dead, cap->dlt, (int)cap->snaplen, &cap->prog, expr, errbuf);
        pcap_close(dead);
        if (rc < 0)
            return rc;
        cap->has_prog = true;
        return 0;
    }
    /* Live: the kernel filters. */
    int rc = compile_filter(cap->pcap, pcap_datalink(cap->pcap), (int)cap->snaplen, &cap->prog, expr, errbuf);
    if (rc < 0)
        return rc;
    int set = pcap_setfilter(cap->pcap, &cap->prog);
    pcap_freecode(&cap->prog);
    if (set < 0) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "cannot install filter: %s", pcap_geterr(cap->pcap));
        return WST_EFILTER;
    }
    return 0;
}

static void dump_packet(struct wst_capture_dump *d, uint32_t linktype, uint32_t snaplen, const struct wst_packet *pkt);
static void dump_flush(struct wst_capture_dump *d);

/*
 * The live source is non-blocking and waits in poll() itself: libpcap's
 * own read timeout does not return on Linux in immediate mode (the ring
 * is polled again until a packet comes), and the caller's clock must move
 * on a quiet link. An empty ring is WST_CAPTURE_IDLE after at most one
 * wait, so the caller also learns it is up to date.
 */
static int next_live(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf)
{
    for (int waited = 0;; waited = 1) {
        struct pcap_pkthdr *hdr;
        const u_char *data;
        int rc = pcap_next_ex(cap->pcap, &hdr, &data);
        if (rc == 0) {
            if (cap->stop)
                return 0;
            if (waited)
                return WST_CAPTURE_IDLE;
            struct pollfd pfd = {.fd = cap->fd, .events = POLLIN};
            if (poll(&pfd, 1, WST_LIVE_TIMEOUT_MS) <= 0)
                return cap->stop ? 0 : WST_CAPTURE_IDLE; /* nothing, or a signal (EINTR) */
            continue;
        }
        if (rc == PCAP_ERROR_BREAK)
            return 0; /* pcap_breakloop() */
        if (rc < 0) {
            if (cap->stop)
                return 0; /* interrupted: whatever the read says, it is the end */
            snprintf(errbuf, WST_ERRBUF_SIZE, "%s", pcap_geterr(cap->pcap));
            return WST_EPCAP;
        }
        cap->stats.read++;
        pkt->ts_us = (uint64_t)hdr->ts.tv_sec * WST_US_PER_S + (wst_ts_us)hdr->ts.tv_usec;
        pkt->caplen = hdr->caplen;
        pkt->wirelen = hdr->len < hdr->caplen ? hdr->caplen : hdr->len;
        pkt->link = cap->link;
        pkt->data = data;
        if (cap->dump)
            dump_packet(cap->dump, cap->linktype, cap->snaplen, pkt);
        return 1;
    }
}

#define SLL_HDR_LEN 16 /* Linux cooked v1: the protocol field is its last 2 bytes */

/* The tag protocol identifiers of 802.1Q, 802.1ad and the older QinQ (as libpcap's `vlan`). */
static bool is_vlan_tpid(uint16_t type)
{
    return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

/*
 * Whether a file's packet passes a filter program. A Linux cooked (v1)
 * frame may hold, at byte 14, the VLAN tag libpcap put back from the
 * kernel's metadata (pcap-linux.c), which the kernel's filter never saw: the
 * program then runs on a copy without it (see "VLAN tags" above).
 */
static bool passes(struct wst_capture *cap, const struct bpf_program *prog, enum wst_link link,
                   const struct wst_pcapng_packet *np)
{
    struct pcap_pkthdr hdr = {.caplen = np->caplen, .len = np->wirelen};
    const uint8_t *data = np->data;
    if (link == WST_LINK_SLL && cap->untag_sll && np->caplen >= SLL_HDR_LEN + 4 &&
        is_vlan_tpid((uint16_t)(data[14] << 8 | data[15]))) {
        if (cap->untag_cap < np->caplen) {
            cap->untag_buf = wst_xrealloc(cap->untag_buf, np->caplen, 1);
            cap->untag_cap = np->caplen;
        }
        /* The header but its protocol field, then the tag's own type field and what follows. */
        memcpy(cap->untag_buf, data, 14);
        memcpy(cap->untag_buf + 14, data + 18, np->caplen - 18);
        hdr.caplen -= 4;
        hdr.len -= 4; /* wirelen >= caplen */
        data = cap->untag_buf;
    }
    return pcap_offline_filter(prog, &hdr, data) != 0;
}

static int next_file(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf)
{
    for (;;) {
        struct wst_pcapng_packet np;
        int rc = wst_pcapng_next(cap->file, &np, errbuf);
        if (rc < 0 && cap->stop)
            return 0; /* interrupted: whatever the read says, it is the end */
        if (rc <= 0)
            return rc;
        cap->stats.read++;
        enum wst_link link;
        uint32_t linktype = np.linktype, snaplen = np.snaplen;
        if (cap->is_classic) {
            link = cap->link;
            linktype = cap->linktype; /* FCS bits cleared, as the file's header is read */
            if (cap->has_prog && !passes(cap, &cap->prog, link, &np)) {
                cap->stats.filtered++;
                continue;
            }
        } else {
            link = wst_link_from_linktype(np.linktype);
            if (cap->filter) {
                struct link_filter *f = &cap->ng_filters[link]; /* compiled by set_filter */
                if (f->rejects_all || (f->usable && !passes(cap, &f->prog, link, &np))) {
                    cap->stats.filtered++;
                    continue;
                }
            }
        }
        pkt->ts_us = np.ts_us;
        pkt->caplen = np.caplen;
        pkt->wirelen = np.wirelen;
        pkt->link = link;
        pkt->data = np.data;
        if (cap->dump)
            dump_packet(cap->dump, linktype, snaplen, pkt);
        return 1;
    }
}

int wst_capture_next(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf)
{
    int rc = 0;
    if (!cap->stop)
        rc = cap->kind == SRC_LIVE ? next_live(cap, pkt, errbuf) : next_file(cap, pkt, errbuf);
    /* The end, a stop or an error: what -w holds goes to the file now, before
     * the records are written (which a second Ctrl-C may cut short). */
    if (rc <= 0 && cap->dump)
        dump_flush(cap->dump);
    return rc;
}

void wst_capture_break(struct wst_capture *cap)
{
    cap->stop = 1;
    if (cap->pcap)
        pcap_breakloop(cap->pcap);
}

/* Adds to *total how far a 32-bit kernel counter moved since *last: the
 * counters of pcap_stats() wrap, and a capture of days passes 2^32. */
static void add_wrapping(uint64_t *total, uint32_t *last, u_int now)
{
    *total += (uint32_t)((uint32_t)now - *last);
    *last = (uint32_t)now;
}

void wst_capture_stats(struct wst_capture *cap, struct wst_capture_stats *out)
{
    if (cap->is_live) {
        struct pcap_stat ps;
        if (pcap_stats(cap->pcap, &ps) == 0) {
            add_wrapping(&cap->stats.kernel_received, &cap->last_recv, ps.ps_recv);
            add_wrapping(&cap->stats.kernel_dropped, &cap->last_drop, ps.ps_drop);
            add_wrapping(&cap->stats.interface_dropped, &cap->last_ifdrop, ps.ps_ifdrop);
        }
    }
    *out = cap->stats;
}

void wst_capture_close(struct wst_capture *cap)
{
    if (cap == NULL)
        return;
    if (cap->pcap)
        pcap_close(cap->pcap);
    wst_pcapng_close(cap->file);
    if (cap->has_prog)
        pcap_freecode(&cap->prog);
    for (int l = 0; l < WST_LINK__COUNT; l++) {
        if (cap->ng_filters[l].usable)
            pcap_freecode(&cap->ng_filters[l].prog);
    }
    free(cap->filter);
    free(cap->untag_buf);
    free(cap);
}

/* WST_EPERM with the failed step and errno's text. */
static int drop_failed(const char *step, char *errbuf)
{
    int e = errno;
    snprintf(errbuf, WST_ERRBUF_SIZE, "cannot drop privileges: %s: %s%s", step, strerror(e),
             e == EPERM ? " (giving up root needs root)" : "");
    return WST_EPERM;
}

int wst_capture_drop_privileges(const char *user, char *errbuf)
{
    errno = 0;
    const struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "no such user%s%s", errno ? ": " : "", errno ? strerror(errno) : "");
        return WST_EUSAGE;
    }
    /* Copied: initgroups() may read the databases again, over pw. */
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    if (uid == 0)
        return 0; /* -Z root: stay root, as Debian's tcpdump users write to keep it */

    /* As root, setgid() and setuid() set the real, effective and saved ids. */
    if (initgroups(user, gid) != 0)
        return drop_failed("initgroups", errbuf);
    if (setgid(gid) != 0)
        return drop_failed("setgid", errbuf);
    if (setuid(uid) != 0)
        return drop_failed("setuid", errbuf);

    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
        return drop_failed("getresuid", errbuf);
    if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "cannot drop privileges: the ids are still %u/%u/%u, group %u/%u/%u",
                 (unsigned)ru, (unsigned)eu, (unsigned)su, (unsigned)rg, (unsigned)eg, (unsigned)sg);
        return WST_EPERM;
    }
    if (setuid(0) == 0) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "cannot drop privileges: root could be taken back after setuid(%u)",
                 (unsigned)uid);
        return WST_EPERM;
    }
    return 0;
}

/* ------------------------------------------------------------------ writing what is read (-w) */

#define PCAP_MAGIC_US 0xA1B2C3D4u /* classic pcap, microsecond timestamps */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define DUMP_BUFFER (256u * 1024u)

/* One interface of a pcapng dump: a link type and a snap length met so far. */
struct dump_iface {
    uint32_t linktype;
    uint32_t snaplen;
};

struct wst_capture_dump {
    FILE *fp;
    bool is_stdout;             /* flushed at the end, never closed */
    bool is_pcapng;             /* else classic pcap, of linktype */
    uint32_t linktype;          /* classic: the one link type of every source */
    int err;                    /* errno of the first failed write; nothing is written after it */
    struct dump_iface *ifaces;  /* pcapng: the interfaces written so far, in order */
    uint32_t n_ifaces, ifaces_cap;
    uint32_t last;              /* pcapng: the index of the last packet's interface */
    char *buf;                  /* the FILE's buffer (not standard output's); freed after fclose() */
};

/* Writes n bytes unless a write failed before; the first failure is kept. */
static void dump_write(struct wst_capture_dump *d, const void *p, size_t n)
{
    if (d->err == 0 && n > 0 && fwrite(p, 1, n, d->fp) != n)
        d->err = errno ? errno : EIO;
}

static void dump_u32(struct wst_capture_dump *d, uint32_t v)
{
    dump_write(d, &v, sizeof v);
}

static void dump_u16(struct wst_capture_dump *d, uint16_t v)
{
    dump_write(d, &v, sizeof v);
}

/* The classic file header (pcap-savefile(5)), in the host's byte order as libpcap writes it. */
static void dump_classic_header(struct wst_capture_dump *d, uint32_t snaplen)
{
    dump_u32(d, PCAP_MAGIC_US);
    dump_u16(d, 2); /* version 2.4 */
    dump_u16(d, 4);
    dump_u32(d, 0); /* thiszone */
    dump_u32(d, 0); /* sigfigs */
    dump_u32(d, snaplen);
    dump_u32(d, d->linktype);
}

/* A pcapng Section Header Block: byte-order magic, version 1.0, length unknown. */
static void dump_pcapng_header(struct wst_capture_dump *d)
{
    dump_u32(d, PCAPNG_SHB);
    dump_u32(d, 28);
    dump_u32(d, PCAPNG_BYTE_ORDER_MAGIC);
    dump_u16(d, 1);
    dump_u16(d, 0);
    dump_u32(d, 0xFFFFFFFFu); /* section length: -1, not given */
    dump_u32(d, 0xFFFFFFFFu);
    dump_u32(d, 28);
}

/*
 * The pcapng interface of (linktype, snaplen), written as an Interface
 * Description Block the first time it is met. No if_tsresol option: the
 * default, microseconds, is what a packet's ts_us holds.
 */
static uint32_t dump_iface(struct wst_capture_dump *d, uint32_t linktype, uint32_t snaplen)
{
    if (d->last < d->n_ifaces && d->ifaces[d->last].linktype == linktype && d->ifaces[d->last].snaplen == snaplen)
        return d->last;
    for (uint32_t i = 0; i < d->n_ifaces; i++) {
        if (d->ifaces[i].linktype == linktype && d->ifaces[i].snaplen == snaplen)
            return d->last = i;
    }
    if (d->n_ifaces == d->ifaces_cap) {
        d->ifaces_cap = d->ifaces_cap ? 2 * d->ifaces_cap : 4;
        d->ifaces = wst_xrealloc(d->ifaces, d->ifaces_cap, sizeof *d->ifaces);
    }
    d->ifaces[d->n_ifaces] = (struct dump_iface){.linktype = linktype, .snaplen = snaplen};
    dump_u32(d, PCAPNG_IDB);
    dump_u32(d, 20);
    dump_u16(d, (uint16_t)linktype); /* pcapng's link type field is 16 bits */
    dump_u16(d, 0);
    dump_u32(d, snaplen);
    dump_u32(d, 20);
    return d->last = d->n_ifaces++;
}

static void dump_packet(struct wst_capture_dump *d, uint32_t linktype, uint32_t snaplen, const struct wst_packet *pkt)
{
    static const uint8_t pad[4];
    if (d->err)
        return;
    if (!d->is_pcapng) {
        /* One link type: wst_capture_dump_open() chose classic pcap only then. */
        assert(linktype == d->linktype);
        (void)linktype;
        (void)snaplen;
        dump_u32(d, (uint32_t)(pkt->ts_us / WST_US_PER_S)); /* 32-bit seconds, as the format has */
        dump_u32(d, (uint32_t)(pkt->ts_us % WST_US_PER_S));
        dump_u32(d, pkt->caplen);
        dump_u32(d, pkt->wirelen);
        dump_write(d, pkt->data, pkt->caplen);
        return;
    }
    uint32_t id = dump_iface(d, linktype, snaplen);
    uint32_t padded = (pkt->caplen + 3u) & ~3u;
    uint32_t len = 32u + padded;
    dump_u32(d, PCAPNG_EPB);
    dump_u32(d, len);
    dump_u32(d, id);
    dump_u32(d, (uint32_t)(pkt->ts_us >> 32));
    dump_u32(d, (uint32_t)pkt->ts_us);
    dump_u32(d, pkt->caplen);
    dump_u32(d, pkt->wirelen);
    dump_write(d, pkt->data, pkt->caplen);
    dump_write(d, pad, padded - pkt->caplen);
    dump_u32(d, len);
}

static void dump_flush(struct wst_capture_dump *d)
{
    if (d->err == 0 && fflush(d->fp) != 0)
        d->err = errno ? errno : EIO;
}

/* WST_EIO with "write error: <strerror>" for the first failed write, as the records' own message. */
static int write_error(int err, char *errbuf)
{
    snprintf(errbuf, WST_ERRBUF_SIZE, "write error: %s", strerror(err));
    return WST_EIO;
}

/* Closes the file (not standard output) and frees d; returns the first write error's errno, or 0. */
static int dump_free(struct wst_capture_dump *d)
{
    if (d->fp && !d->is_stdout && fclose(d->fp) != 0 && d->err == 0)
        d->err = errno ? errno : EIO;
    int err = d->err;
    free(d->buf);
    free(d->ifaces);
    free(d);
    return err;
}

int wst_capture_dump_open(struct wst_capture_dump **out, const char *path, struct wst_capture *const *sources,
                          size_t n_sources, char *errbuf)
{
    *out = NULL;
    bool is_stdout = strcmp(path, "-") == 0;

    /* A file being read would be emptied by opening it for writing. */
    struct stat st;
    if (!is_stdout && stat(path, &st) == 0) {
        for (size_t i = 0; i < n_sources; i++) {
            if (sources[i]->has_file_id && sources[i]->file_dev == st.st_dev && sources[i]->file_ino == st.st_ino) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "is also a capture being read: writing it would destroy it");
                return WST_EUSAGE;
            }
        }
    }

    /* Classic pcap when every source has one and the same link type; pcapng otherwise. */
    bool is_pcapng = n_sources == 0;
    uint32_t linktype = 0, snaplen = 0;
    for (size_t i = 0; i < n_sources; i++) {
        const struct wst_capture *c = sources[i];
        bool one_link = c->kind == SRC_LIVE || c->is_classic;
        if (!one_link || (i > 0 && c->linktype != linktype))
            is_pcapng = true;
        linktype = c->linktype;
        snaplen = c->snaplen > snaplen ? c->snaplen : snaplen;
    }

    int rc;
    struct wst_capture_dump *d = wst_xcalloc(1, sizeof *d);
    d->is_stdout = is_stdout;
    d->is_pcapng = is_pcapng;
    d->linktype = linktype;
    d->fp = is_stdout ? stdout : fopen(path, "wb");
    if (d->fp == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "%s", strerror(errno));
        rc = WST_EIO;
        goto fail;
    }
    if (!is_stdout) { /* larger writes than stdio's; standard output keeps its own buffer */
        d->buf = wst_xrealloc(NULL, DUMP_BUFFER, 1);
        setvbuf(d->fp, d->buf, _IOFBF, DUMP_BUFFER);
    }
    if (is_pcapng)
        dump_pcapng_header(d);
    else
        dump_classic_header(d, snaplen);
    dump_flush(d); /* a full disk shows now, not after the capture */
    if (d->err) {
        rc = write_error(d->err, errbuf);
        goto fail;
    }
    for (size_t i = 0; i < n_sources; i++)
        sources[i]->dump = d;
    *out = d;
    return 0;

fail:
    dump_free(d);
    return rc;
}

int wst_capture_dump_flush(struct wst_capture_dump *d, char *errbuf)
{
    dump_flush(d);
    return d->err ? write_error(d->err, errbuf) : 0;
}

int wst_capture_dump_close(struct wst_capture_dump *d, char *errbuf)
{
    if (d == NULL)
        return 0;
    dump_flush(d);
    int err = dump_free(d);
    return err ? write_error(err, errbuf) : 0;
}
