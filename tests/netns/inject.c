/*
 * inject.c - raw TCP segments that sockets do not send, for the kernel-state
 * test (tests/netns/kernel_states.sh). IPv4 only; run as root inside a
 * network namespace. Each command waits for what it needs on an interface
 * (an AF_PACKET socket sees both directions, and segments that iptables
 * drops later in INPUT), then sends through a raw socket (IP_HDRINCL) with
 * the checksums computed here.
 *
 *   inject syn IFACE SRC:PORT DST:PORT
 *       One SYN (ISN 1000000, MSS 1460) from SRC, which holds no socket for
 *       it: a half-open scan. The kernel at SRC answers the SYN+ACK with a
 *       RST (tcp_v4_send_reset()).
 *   inject replay-syn IFACE SRC:PORT DST:PORT NTH TS_BACK_MS TTL
 *       Waits for the NTH SYN (1 = the first) from SRC:PORT to DST:PORT and
 *       sends it again with its TCP timestamp value TS_BACK_MS lower and IP
 *       TTL TTL (so an iptables rule can tell it from the original), as a
 *       delayed duplicate would arrive. The SYN+ACK answering it echoes the
 *       old value, which SRC rejects (tcp_rcv_synsent_state_process(),
 *       PAWSActiveRejected).
 *   inject synack-fin IFACE SERVER:PORT CLIENT:PORT DATA_BYTES HOLD_MS
 *       Waits for the client's SYN to SERVER:PORT, where nothing listens,
 *       and becomes the server: a TCP_REPAIR socket bound to SERVER:PORT,
 *       connected to the client in the middle of the connection it is
 *       about to make (its send sequence after the SYN+ACK, its receive
 *       sequence after the client's SYN), which queues DATA_BYTES of data
 *       and its FIN as already sent; then the SYN+ACK that sent them, with
 *       the data and FIN on it, acknowledging the SYN (MSS only, no other
 *       option, as the repaired socket uses none). The socket then acts as
 *       a kernel socket that sent SYN+ACK+FIN from SYN_RCVD would: it waits
 *       for the ACK of its FIN, retransmits it, and so on. Exits after
 *       HOLD_MS, which closes it.
 *
 *   inject flood IFACE SRC:PORT DST:PORT COUNT
 *       COUNT SYNs to DST from spoofed sources: SRC's address plus 0 to
 *       65535 in its last two bytes (SRC 198.18.0.0 gives 198.18.0.0/16),
 *       ports from PORT on, a different ISN each, 50 a millisecond (a
 *       capture keeps up with a burst that fills no buffer): a SYN flood
 *       whose connections never complete.
 *       IFACE is unused (the route decides), kept for the argument order.
 *
 * Exit status: 0 done; 1 usage; 3 nothing matching came within 10 s;
 * 4 any other error, with one line on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef TCP_REPAIR_OFF_NO_WP
#define TCP_REPAIR_OFF_NO_WP -1
#endif

enum { EXIT_USAGE = 1, EXIT_TIMEDOUT = 3, EXIT_FAILED = 4 };

#define WAIT_MS 10000
#define SCAN_ISN 1000000u

struct ep {
    struct sockaddr_in sa;
};

/* A TCP segment as read from the interface: the IP packet and where its parts are. */
struct seen {
    unsigned char pkt[1600];
    size_t len, ihl, thl;
};

static int fail(const char *what)
{
    fprintf(stderr, "inject: %s: %s\n", what, strerror(errno));
    return EXIT_FAILED;
}

static int parse_ep(const char *text, struct ep *ep)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host)
        return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    memset(ep, 0, sizeof *ep);
    ep->sa.sin_family = AF_INET;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535 || inet_pton(AF_INET, host, &ep->sa.sin_addr) != 1)
        return -1;
    ep->sa.sin_port = htons((uint16_t)port);
    return 0;
}

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void wr32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t sum16(const unsigned char *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += rd16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Recomputes the IPv4 header and TCP checksums of pkt (len bytes). */
static void checksum(unsigned char *pkt, size_t len)
{
    size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
    wr16(pkt + 10, 0);
    wr16(pkt + 10, fold(sum16(pkt, ihl, 0)));
    unsigned char *th = pkt + ihl;
    size_t tlen = len - ihl;
    wr16(th + 16, 0);
    uint32_t s = sum16(pkt + 12, 8, 0); /* source and destination addresses */
    s += IPPROTO_TCP + (uint32_t)tlen;
    wr16(th + 16, fold(sum16(th, tlen, s)));
}

/* Sends an IPv4 packet whose header is complete (IP_HDRINCL). */
static int send_raw(const unsigned char *pkt, size_t len)
{
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0)
        return fail("socket(SOCK_RAW)");
    struct sockaddr_in dst = {.sin_family = AF_INET};
    memcpy(&dst.sin_addr, pkt + 16, 4);
    ssize_t n = sendto(fd, pkt, len, 0, (const struct sockaddr *)&dst, sizeof dst);
    int err = errno;
    close(fd);
    errno = err;
    return n == (ssize_t)len ? 0 : fail("sendto");
}

/* Builds a segment from `from` to `to` with a 20-byte IP header, TCP
 * options opt (optlen, a multiple of 4) and data_len bytes of 'x'. */
static size_t build(unsigned char *pkt, const struct ep *from, const struct ep *to, uint8_t flags, uint32_t seq,
                    uint32_t ack, const unsigned char *opt, size_t optlen, size_t data_len)
{
    size_t thl = 20 + optlen, len = 20 + thl + data_len;
    memset(pkt, 0, len);
    pkt[0] = 0x45;
    wr16(pkt + 2, (uint16_t)len);
    wr16(pkt + 4, 0x4242);
    wr16(pkt + 6, 0x4000); /* DF */
    pkt[8] = 64;
    pkt[9] = IPPROTO_TCP;
    memcpy(pkt + 12, &from->sa.sin_addr, 4);
    memcpy(pkt + 16, &to->sa.sin_addr, 4);
    unsigned char *th = pkt + 20;
    memcpy(th, &from->sa.sin_port, 2);
    memcpy(th + 2, &to->sa.sin_port, 2);
    wr32(th + 4, seq);
    wr32(th + 8, ack);
    th[12] = (unsigned char)(thl / 4 << 4);
    th[13] = flags;
    wr16(th + 14, 65535);
    memcpy(th + 20, opt, optlen);
    memset(th + thl, 'x', data_len);
    checksum(pkt, len);
    return len;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Waits on iface for the nth segment from `from` to `to` whose flags,
 * masked by mask, equal want. Fills *s. Returns 0, EXIT_TIMEDOUT or
 * EXIT_FAILED.
 */
static int await(const char *iface, const struct ep *from, const struct ep *to, uint8_t mask, uint8_t want,
                 unsigned nth, struct seen *s)
{
    /* ETH_P_ALL: only such sockets see what the host sends, too. */
    int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
    if (fd < 0)
        return fail("socket(AF_PACKET)");
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = (int)if_nametoindex(iface)};
    if (ll.sll_ifindex == 0 || bind(fd, (const struct sockaddr *)&ll, sizeof ll) < 0) {
        int rc = fail(iface);
        close(fd);
        return rc;
    }
    /* Ready: the caller may make the segment happen now. */
    printf("ready\n");
    fflush(stdout);
    uint64_t deadline = now_ms() + WAIT_MS;
    unsigned found = 0;
    for (;;) {
        uint64_t t = now_ms();
        if (t >= deadline) {
            close(fd);
            fprintf(stderr, "inject: nothing matching on %s within %d s\n", iface, WAIT_MS / 1000);
            return EXIT_TIMEDOUT;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)(deadline - t)) <= 0)
            continue;
        struct sockaddr_ll from_ll;
        socklen_t from_len = sizeof from_ll;
        ssize_t n = recvfrom(fd, s->pkt, sizeof s->pkt, 0, (struct sockaddr *)&from_ll, &from_len);
        if (n < 40 || from_ll.sll_protocol != htons(ETH_P_IP) || (s->pkt[0] >> 4) != 4 || s->pkt[9] != IPPROTO_TCP)
            continue;
        s->len = (size_t)n;
        s->ihl = (size_t)(s->pkt[0] & 0x0f) * 4;
        const unsigned char *th = s->pkt + s->ihl;
        if (s->ihl < 20 || s->len < s->ihl + 20)
            continue;
        s->thl = (size_t)(th[12] >> 4) * 4;
        if (memcmp(s->pkt + 12, &from->sa.sin_addr, 4) || memcmp(s->pkt + 16, &to->sa.sin_addr, 4) ||
            memcmp(th, &from->sa.sin_port, 2) || memcmp(th + 2, &to->sa.sin_port, 2) || (th[13] & mask) != want)
            continue;
        if (++found == nth) {
            close(fd);
            return 0;
        }
    }
}

/* The TCP timestamp option of a segment: offset of TSval in s->pkt, or 0. */
static size_t tsval_offset(const struct seen *s)
{
    size_t off = s->ihl + 20, end = s->ihl + s->thl;
    while (off < end) {
        uint8_t kind = s->pkt[off];
        if (kind == 0)
            break;
        if (kind == 1) {
            off++;
            continue;
        }
        if (off + 1 >= end || s->pkt[off + 1] < 2)
            break;
        if (kind == 8 && s->pkt[off + 1] == 10 && off + 10 <= end)
            return off + 2;
        off += s->pkt[off + 1];
    }
    return 0;
}

static int cmd_syn(const struct ep *src, const struct ep *dst)
{
    static const unsigned char mss[] = {2, 4, 0x05, 0xb4};
    unsigned char pkt[100];
    size_t len = build(pkt, src, dst, TH_SYN, SCAN_ISN, 0, mss, sizeof mss, 0);
    return send_raw(pkt, len);
}

static int cmd_flood(const struct ep *src, const struct ep *dst, unsigned long count)
{
    static const unsigned char mss[] = {2, 4, 0x05, 0xb4};
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0)
        return fail("socket(SOCK_RAW)");
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst->sa.sin_addr};
    uint32_t base = ntohl(src->sa.sin_addr.s_addr);
    uint16_t port0 = ntohs(src->sa.sin_port);
    for (unsigned long i = 0; i < count; i++) {
        struct ep from = *src;
        from.sa.sin_addr.s_addr = htonl((base & 0xffff0000u) | (uint32_t)(i & 0xffff));
        from.sa.sin_port = htons((uint16_t)(port0 + (i >> 16)));
        unsigned char pkt[100];
        size_t len = build(pkt, &from, dst, TH_SYN, (uint32_t)(i * 2654435761u), 0, mss, sizeof mss, 0);
        if (i % 50 == 49)
            usleep(1000);
        while (sendto(fd, pkt, len, 0, (const struct sockaddr *)&to, sizeof to) != (ssize_t)len) {
            if (errno != ENOBUFS && errno != EAGAIN) {
                int err = errno;
                close(fd);
                errno = err;
                return fail("sendto");
            }
            usleep(100); /* the device queue is full: let it drain */
        }
    }
    close(fd);
    return 0;
}

static int cmd_replay_syn(const char *iface, const struct ep *src, const struct ep *dst, unsigned nth,
                          uint32_t back_ms, uint8_t ttl)
{
    struct seen s;
    int rc = await(iface, src, dst, TH_SYN | TH_ACK, TH_SYN, nth, &s);
    if (rc)
        return rc;
    size_t ts = tsval_offset(&s);
    if (ts == 0) {
        fprintf(stderr, "inject: the SYN has no timestamp option\n");
        return EXIT_FAILED;
    }
    wr32(s.pkt + ts, rd32(s.pkt + ts) - back_ms);
    s.pkt[8] = ttl;
    wr16(s.pkt + 4, (uint16_t)(rd16(s.pkt + 4) + 1));
    s.len = rd16(s.pkt + 2) < s.len ? rd16(s.pkt + 2) : s.len;
    checksum(s.pkt, s.len);
    return send_raw(s.pkt, s.len);
}

static int setopt(int fd, int level, int name, const void *v, socklen_t len, const char *what)
{
    return setsockopt(fd, level, name, v, len) < 0 ? fail(what) : 0;
}

static int cmd_synack_fin(const char *iface, const struct ep *srv, const struct ep *cli, unsigned data_len,
                          unsigned hold_ms)
{
    struct seen s;
    int rc = await(iface, cli, srv, TH_SYN | TH_ACK, TH_SYN, 1, &s);
    if (rc)
        return rc;
    uint32_t cisn = rd32(s.pkt + s.ihl + 4);
    uint32_t sisn = 5000000u;

    /* The server's socket, repaired into the state the SYN+ACK+FIN leaves
     * it in (Documentation/networking/tcp_repair, TCP_REPAIR in tcp(7)). */
    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1, q;
    if (fd < 0)
        return fail("socket");
    if ((rc = setopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on, "SO_REUSEADDR")) ||
        (rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on, "TCP_REPAIR")))
        return rc;
    if (bind(fd, (const struct sockaddr *)&srv->sa, sizeof srv->sa) < 0)
        return fail("bind");
    uint32_t snd = sisn + 1, rcv = cisn + 1;
    q = TCP_SEND_QUEUE;
    if ((rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof q, "TCP_REPAIR_QUEUE")) ||
        (rc = setopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &snd, sizeof snd, "TCP_QUEUE_SEQ send")))
        return rc;
    q = TCP_RECV_QUEUE;
    if ((rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof q, "TCP_REPAIR_QUEUE")) ||
        (rc = setopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &rcv, sizeof rcv, "TCP_QUEUE_SEQ recv")))
        return rc;
    if (connect(fd, (const struct sockaddr *)&cli->sa, sizeof cli->sa) < 0)
        return fail("connect (repair)");
    struct tcp_repair_opt opts[] = {{TCPOPT_MAXSEG, 1460}};
    if ((rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opts, sizeof opts, "TCP_REPAIR_OPTIONS")))
        return rc;
    struct tcp_repair_window w = {.snd_wl1 = rcv, .snd_wnd = rd16(s.pkt + s.ihl + 14), .max_window = 65535,
                                  .rcv_wnd = 65535, .rcv_wup = rcv};
    if ((rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof w, "TCP_REPAIR_WINDOW")))
        return rc;
    q = TCP_SEND_QUEUE;
    if ((rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof q, "TCP_REPAIR_QUEUE")))
        return rc;
    /* In repair mode with the send queue chosen, what is written counts as
     * sent (tcp_write_xmit() only advances snd_nxt), the FIN too, and the
     * retransmission timer runs for it. */
    char data[1400];
    memset(data, 'x', sizeof data);
    if (data_len > sizeof data)
        data_len = sizeof data;
    if (data_len && send(fd, data, data_len, 0) != (ssize_t)data_len)
        return fail("send (repair)");
    if (shutdown(fd, SHUT_WR) < 0)
        return fail("shutdown (repair)");
    int off = TCP_REPAIR_OFF_NO_WP; /* no window probe on leaving repair */
    if ((rc = setopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof off, "TCP_REPAIR off")))
        return rc;

    static const unsigned char mss[] = {2, 4, 0x05, 0xb4};
    unsigned char pkt[1600];
    size_t len = build(pkt, srv, cli, TH_SYN | TH_ACK | TH_FIN | (data_len ? TH_PUSH : 0), sisn, rcv, mss,
                       sizeof mss, data_len);
    if ((rc = send_raw(pkt, len)))
        return rc;
    struct timespec ts = {.tv_sec = hold_ms / 1000, .tv_nsec = (long)(hold_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    close(fd);
    return 0;
}

static long num(const char *text, long lo, long hi)
{
    char *end;
    long v = strtol(text, &end, 10);
    return *text && *end == '\0' && v >= lo && v <= hi ? v : -1;
}

static int usage(void)
{
    fputs("usage: inject syn IFACE SRC:PORT DST:PORT\n"
          "       inject replay-syn IFACE SRC:PORT DST:PORT NTH TS_BACK_MS TTL\n"
          "       inject synack-fin IFACE SERVER:PORT CLIENT:PORT DATA_BYTES HOLD_MS\n"
          "       inject flood IFACE SRC:PORT DST:PORT COUNT\n",
          stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct ep a, b;
    if (argc < 5 || parse_ep(argv[3], &a) < 0 || parse_ep(argv[4], &b) < 0)
        return usage();
    if (strcmp(argv[1], "syn") == 0 && argc == 5)
        return cmd_syn(&a, &b);
    if (strcmp(argv[1], "replay-syn") == 0 && argc == 8) {
        long nth = num(argv[5], 1, 100), back = num(argv[6], 1, 1000000000), ttl = num(argv[7], 1, 255);
        if (nth < 0 || back < 0 || ttl < 0)
            return usage();
        return cmd_replay_syn(argv[2], &a, &b, (unsigned)nth, (uint32_t)back, (uint8_t)ttl);
    }
    if (strcmp(argv[1], "flood") == 0 && argc == 6) {
        long count = num(argv[5], 1, 100000000);
        if (count < 0)
            return usage();
        return cmd_flood(&a, &b, (unsigned long)count);
    }
    if (strcmp(argv[1], "synack-fin") == 0 && argc == 7) {
        long data = num(argv[5], 0, 1400), hold = num(argv[6], 0, 600000);
        if (data < 0 || hold < 0)
            return usage();
        return cmd_synack_fin(argv[2], &a, &b, (unsigned)data, (unsigned)hold);
    }
    return usage();
}
