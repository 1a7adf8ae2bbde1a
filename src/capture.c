/*
 * capture.c - libpcap and pcapng sources behind one interface.
 *
 * Model: a source is SRC_PCAP (a libpcap handle: classic pcap file or live
 * interface, one link type) or SRC_PCAPNG (our reader: a link type per
 * interface). File sources apply the filter in user space with
 * pcap_offline_filter(), so packets the filter rejects are counted rather
 * than silently absent; live sources install it in the kernel.
 *
 * Invariants:
 *  1. stats.read counts every packet taken from the source, stats.filtered
 *     those of them the filter rejected; the rest were handed out.
 *  2. A pcapng source compiles the filter for every link type when it is
 *     set; a link type we cannot decode passes unfiltered (the tracker
 *     counts it as unsupported_link_type), and one the expression cannot
 *     apply to is filtered out whole.
 *
 * References: pcap_next_ex(3PCAP), pcap_offline_filter(3PCAP),
 * pcap_create(3PCAP) and pcap_activate(3PCAP) for the live setup.
 */
#include "wirestate/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wirestate/pcapng.h"

/* errbuf is handed to libpcap as its own error buffer. */
_Static_assert(WST_ERRBUF_SIZE >= PCAP_ERRBUF_SIZE + 256, "WST_ERRBUF_SIZE too small for libpcap messages");

enum source_kind { SRC_PCAP, SRC_PCAPNG };

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
    volatile sig_atomic_t stop;
    pcap_t *pcap;              /* SRC_PCAP */
    enum wst_link link;        /* SRC_PCAP */
    struct wst_pcapng *ng;     /* SRC_PCAPNG */
    char *filter;              /* expression, NULL if none */
    bool has_prog;             /* SRC_PCAP offline: prog is in use */
    struct bpf_program prog;
    struct link_filter ng_filters[WST_LINK__COUNT];
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

static struct wst_capture *capture_alloc(void)
{
    struct wst_capture *cap = calloc(1, sizeof *cap);
    return cap;
}

/* The link type of a libpcap handle, or WST_ELINKTYPE with its name. */
static int check_link(struct wst_capture *cap, char *errbuf)
{
    int dlt = pcap_datalink(cap->pcap);
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
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "is a directory, not a capture file");
            rc = WST_EIO;
            goto fail;
        }
    }
    cap = capture_alloc();
    if (cap == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        rc = WST_ENOMEM;
        goto fail;
    }

    /* pcapng starts with 0x0A (its Section Header Block type); no classic
     * pcap magic does (a1b2c3d4, a1b23c4d and their byte swaps). */
    int first = getc(fp);
    if (first == EOF) {
        if (ferror(fp)) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "%s", strerror(errno));
            rc = WST_EIO;
        } else {
            snprintf(errbuf, WST_ERRBUF_SIZE, "empty file, not a pcap or pcapng capture");
            rc = WST_EFORMAT;
        }
        goto fail;
    }
    ungetc(first, fp);

    if (first == 0x0A) {
        cap->kind = SRC_PCAPNG;
        rc = wst_pcapng_open(&cap->ng, fp, errbuf);
        fp = NULL; /* the reader owns it now, also on failure */
        if (rc < 0)
            goto fail;
    } else {
        cap->kind = SRC_PCAP;
        char pcap_err[PCAP_ERRBUF_SIZE] = "";
        cap->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
        if (cap->pcap == NULL) {
            /* libpcap says "unknown file format" for anything without a pcap
             * magic, and reports a file shorter than a magic as truncated. */
            if (strstr(pcap_err, "unknown file format") || strstr(pcap_err, "read 4 file header bytes")) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "not a pcap or pcapng capture (unknown file format)");
                rc = WST_EFORMAT;
            } else {
                snprintf(errbuf, WST_ERRBUF_SIZE, "damaged capture file: %s", pcap_err);
                rc = WST_ECORRUPT;
            }
            goto fail;
        }
        fp = NULL; /* pcap_close() closes it */
        rc = check_link(cap, errbuf);
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

int wst_capture_open_live(struct wst_capture **out, const char *device, int snaplen, char *errbuf)
{
    int rc;
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    *out = NULL;
    struct wst_capture *cap = capture_alloc();
    if (cap == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        return WST_ENOMEM;
    }
    cap->kind = SRC_PCAP;
    cap->is_live = true;
    cap->stats.is_live = true;
    cap->pcap = pcap_create(device, pcap_err);
    if (cap->pcap == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "%s", pcap_err);
        rc = WST_EPCAP;
        goto fail;
    }
    /* Immediate mode hands packets over as they arrive (no batching delay);
     * the timeout still wakes the loop now and then on a quiet link. */
    pcap_set_snaplen(cap->pcap, snaplen);
    pcap_set_promisc(cap->pcap, 1);
    pcap_set_immediate_mode(cap->pcap, 1);
    pcap_set_timeout(cap->pcap, 100);
    pcap_set_buffer_size(cap->pcap, WST_LIVE_BUFFER_BYTES);
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
    rc = check_link(cap, errbuf);
    if (rc < 0)
        goto fail;
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
    int rc = compile(dead, &f->prog, cap->filter, errbuf);
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
    if (cap->kind == SRC_PCAPNG) {
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
    int rc = compile(cap->pcap, &cap->prog, expr, errbuf);
    if (rc < 0)
        return rc;
    if (cap->is_live) {
        int set = pcap_setfilter(cap->pcap, &cap->prog);
        pcap_freecode(&cap->prog);
        if (set < 0) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "cannot install filter: %s", pcap_geterr(cap->pcap));
            return WST_EFILTER;
        }
        return 0;
    }
    cap->has_prog = true;
    return 0;
}

static int next_pcap(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf)
{
    for (;;) {
        struct pcap_pkthdr *hdr;
        const u_char *data;
        int rc = pcap_next_ex(cap->pcap, &hdr, &data);
        if (rc == 0)
            continue; /* live timeout with nothing captured */
        if (rc == PCAP_ERROR_BREAK)
            return 0; /* end of file, or pcap_breakloop() */
        if (rc < 0) {
            if (cap->stop)
                return 0; /* interrupted: whatever the read says, it is the end */
            if (cap->is_live) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "%s", pcap_geterr(cap->pcap));
                return WST_EPCAP;
            }
            snprintf(errbuf, WST_ERRBUF_SIZE, "damaged capture file: %s", pcap_geterr(cap->pcap));
            return WST_ECORRUPT;
        }
        cap->stats.read++;
        if (cap->has_prog && !pcap_offline_filter(&cap->prog, hdr, data)) {
            cap->stats.filtered++;
            continue;
        }
        /* A classic pcap record holds 32-bit unsigned seconds, which libpcap
         * sign-extends into tv_sec: take them back as unsigned (valid until
         * 2106). Live timestamps come from the kernel. */
        uint64_t secs = cap->is_live ? (uint64_t)hdr->ts.tv_sec : (uint32_t)hdr->ts.tv_sec;
        pkt->ts_us = secs * WST_US_PER_S + (wst_ts_us)hdr->ts.tv_usec;
        pkt->caplen = hdr->caplen;
        pkt->wirelen = hdr->len < hdr->caplen ? hdr->caplen : hdr->len;
        pkt->link = cap->link;
        pkt->data = data;
        return 1;
    }
}

static int next_pcapng(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf)
{
    for (;;) {
        struct wst_pcapng_packet np;
        int rc = wst_pcapng_next(cap->ng, &np, errbuf);
        if (rc < 0 && cap->stop)
            return 0; /* interrupted: whatever the read says, it is the end */
        if (rc <= 0)
            return rc;
        cap->stats.read++;
        enum wst_link link = wst_link_from_linktype(np.linktype);
        if (cap->filter) {
            struct link_filter *f = &cap->ng_filters[link]; /* compiled by set_filter */
            struct pcap_pkthdr hdr = {.caplen = np.caplen, .len = np.wirelen};
            if (f->rejects_all || (f->usable && !pcap_offline_filter(&f->prog, &hdr, np.data))) {
                cap->stats.filtered++;
                continue;
            }
        }
        pkt->ts_us = np.ts_us;
        pkt->caplen = np.caplen;
        pkt->wirelen = np.wirelen;
        pkt->link = link;
        pkt->data = np.data;
        return 1;
    }
}

int wst_capture_next(struct wst_capture *cap, struct wst_packet *pkt, char *errbuf)
{
    if (cap->stop)
        return 0;
    return cap->kind == SRC_PCAP ? next_pcap(cap, pkt, errbuf) : next_pcapng(cap, pkt, errbuf);
}

void wst_capture_break(struct wst_capture *cap)
{
    cap->stop = 1;
    if (cap->pcap)
        pcap_breakloop(cap->pcap);
}

void wst_capture_stats(struct wst_capture *cap, struct wst_capture_stats *out)
{
    if (cap->is_live) {
        struct pcap_stat ps;
        if (pcap_stats(cap->pcap, &ps) == 0) {
            cap->stats.kernel_received = ps.ps_recv;
            cap->stats.kernel_dropped = ps.ps_drop;
            cap->stats.interface_dropped = ps.ps_ifdrop;
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
    wst_pcapng_close(cap->ng);
    if (cap->has_prog)
        pcap_freecode(&cap->prog);
    for (int l = 0; l < WST_LINK__COUNT; l++) {
        if (cap->ng_filters[l].usable)
            pcap_freecode(&cap->ng_filters[l].prog);
    }
    free(cap->filter);
    free(cap);
}
