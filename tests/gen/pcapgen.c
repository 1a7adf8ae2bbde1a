/*
 * pcapgen.c - writes the edge-case capture files of pcaps/.
 *
 * Usage: pcapgen OUTDIR
 *
 * Every file is a pure function of this program: timestamps start at
 * 1700000000.000000 UTC and advance 1 ms per packet (anomalies.pcap and
 * findings.pcap also wait fixed gaps of up to seconds where a scenario
 * needs them), ISNs, IP IDs and TCP timestamp values are fixed, and nothing reads the clock or a
 * random source, so two runs write byte-identical files. Unless a file says
 * otherwise, a "connection" below is nine packets: a three-way handshake
 * with MSS, SACK-permitted, timestamps and window scale on the SYNs, one
 * request from the client, one response from the server, the client's ACK,
 * and a FIN from the client, the server's FIN and the client's last ACK.
 * Addresses come from the documentation ranges (RFC 5737, RFC 3849).
 *
 * File                link type      what it shows (packets)
 * vlan.pcap           Ethernet (1)   two connections with the same 4-tuple,
 *                                    interleaved, one on 802.1Q VLAN 100 and
 *                                    one on VLAN 200 (only --vlan-key keeps
 *                                    them apart); the VLAN 100 client request
 *                                    carries a VN-Tag inside the VLAN tag (18)
 * qinq.pcap           Ethernet (1)   one connection under an 802.1ad outer tag
 *                                    (VLAN 10, TPID 0x88A8) and an 802.1Q
 *                                    inner tag (VLAN 20) (9)
 * mpls-pppoe.pcap     Ethernet (1)   four connections: IPv4 over a two-label
 *                                    MPLS stack (16001, 16002); IPv4 over a
 *                                    PPPoE session; IPv6 over a PPPoE session;
 *                                    IPv4 in Ethernet over an MPLS pseudowire
 *                                    (label 20001, control word) (36)
 * sll.pcap            Linux SLL (113)   one IPv4 and one IPv6 connection and
 *                                    one ARP request (non_ip) (19)
 * sll2.pcap           Linux SLL2 (276)  the same over cooked v2 headers (19)
 * raw.pcap            raw IP (101)   one IPv4 and one IPv6 connection (18)
 * null.pcap           BSD null (0)   one IPv4 connection with AF_INET 2
 *                                    written little-endian, one IPv6
 *                                    connection with AF 30 (Darwin) written
 *                                    big-endian (18)
 * loop.pcap           loop (108)     one IPv4 connection, AF big-endian (9)
 * truncated.pcap      Ethernet (1)   one connection whose 1000-byte client
 *                                    request is captured only up to the end
 *                                    of its TCP header (a valid segment with
 *                                    payload_len 1000, payload_caplen 0),
 *                                    plus six frames cut inside the Ethernet
 *                                    header, a VLAN tag, an IPv4 header, an
 *                                    IPv6 header, the fixed TCP header (after
 *                                    the ports) and a TCP option list; the
 *                                    last is a whole fixed header, so it still
 *                                    counts as a TCP SYN with its options
 *                                    flagged truncated (15)
 * malformed.pcap      Ethernet (1)   one connection whose last ACK carries a
 *                                    malformed option list (a timestamp
 *                                    option of length 1; still a TCP segment),
 *                                    plus ten bad frames: IPv4 version 5,
 *                                    IHL 4, total length 16 < IHL*4, total
 *                                    length 1500 > the frame, TCP data offset
 *                                    4, TCP data offset 15 past the IP
 *                                    payload, IPv6 payload length 1000 > the
 *                                    frame, an IPv6 hop-by-hop header running
 *                                    past the payload, PPPoE version 2, and an
 *                                    MPLS stack with no payload byte (19)
 * other.pcap          Ethernet (1)   ARP request, DNS query over UDP, ICMP
 *                                    echo, ICMPv6 echo, both fragments of one
 *                                    IPv4 TCP segment, the first fragment of
 *                                    an IPv6 TCP segment, GRE carrying an
 *                                    IPv4 TCP SYN, VXLAN (UDP 4789) carrying
 *                                    an ICMP echo, ESP, and one TCP
 *                                    connection (19)
 * multi-link.pcapng   pcapng         three interfaces: Ethernet (snaplen
 *                                    262144), raw IP (snaplen 128) and Linux
 *                                    SLL2 (snaplen 96); one connection on
 *                                    each (IPv4, IPv6, IPv4), interleaved in
 *                                    time order; the data segments of the
 *                                    last two are cut by their interface's
 *                                    snaplen (27)
 * anomalies.pcap      Ethernet (1)   nine independent scenarios, one after
 *                                    the other, each on its own client port
 *                                    420NN (NN = scenario); the client is
 *                                    192.0.2.10 or 2001:db8::10, the server
 *                                    198.51.100.20:80 or 2001:db8::20 port 80
 *                                    unless said. TCP timestamp values follow
 *                                    the capture clock (1 per ms) and the
 *                                    times below are from each scenario's
 *                                    first packet (t) or the packet named.
 *                                    Scenarios: (1) invalid flags: SYN+FIN,
 *                                    no flags, then FIN+PSH+URG (Xmas), win
 *                                    1024, no options, from one client port
 *                                    to port 81 which never answers (3);
 *                                    (2) data after close: handshake, 100
 *                                    bytes (ACKed), the client's FIN (ACKed,
 *                                    no FIN back), 50 more client bytes
 *                                    starting just after the FIN, and the
 *                                    server's RST (no ACK flag) at its next
 *                                    sequence number (9); (3) a SYN to
 *                                    198.51.100.21:443 and 1 ms later an ICMP
 *                                    type 3 code 13 (communication
 *                                    administratively prohibited) from router
 *                                    192.0.2.254 quoting the SYN's IPv4
 *                                    header and first 8 TCP bytes (2); (4) a
 *                                    SYN to [2001:db8::21]:443 and 1 ms later
 *                                    an ICMPv6 type 1 code 4 (port
 *                                    unreachable) from router 2001:db8::fe
 *                                    quoting the whole SYN (IPv6 + TCP
 *                                    headers, 80 bytes) (2); (5) zero window:
 *                                    handshake, 3 x 1000 client bytes, one
 *                                    server ACK of all with window 0 (at z),
 *                                    window probes (ACK, no data, seq one
 *                                    below the client's next) at z+0.5,
 *                                    z+1.5, z+3.5 s each answered 1 ms later
 *                                    with window 0, a window update (65535)
 *                                    at z+7 s, 1000 client bytes (ACKed), FIN
 *                                    from the client, FIN+ACK from the
 *                                    server, last ACK (19); (6) retransmission
 *                                    stall: handshake, 1000 client bytes at
 *                                    d, never ACKed, sent again (same seq,
 *                                    same length) at d+0.2, +0.6, +1.4, +3.0
 *                                    and +6.2 s, connection left open (9);
 *                                    (7) keepalive unanswered: handshake
 *                                    (last ACK at h), probes (ACK, no data,
 *                                    seq one below the client's next) at
 *                                    h+10, +11, +12, +13 s with no answer, a
 *                                    client RST+ACK at its next sequence
 *                                    number at h+14 s (8); (8) keepalive
 *                                    answered: handshake (last ACK at h),
 *                                    probes at h+10 and h+20 s, each ACKed by
 *                                    the server 1 ms later, connection left
 *                                    open (7); (9) syn unanswered: a SYN at
 *                                    t, the same SYN (same ISN) again at t+1
 *                                    and t+3 s, never answered; then, as
 *                                    nothing else follows, the client's ARP
 *                                    request for 192.0.2.1 at t+5 s ends the
 *                                    capture (4) (63)
 * findings.pcap       Ethernet (1)   patterns across connections, one after
 *                                    the other (the generator's comments
 *                                    give the timing): (1) 40 short
 *                                    connections from 192.0.2.60 to
 *                                    198.51.100.60:80, 25 ms apart, each
 *                                    closed by the client first (360);
 *                                    (2) five clients whose server
 *                                    198.51.100.70:80 closes first (45);
 *                                    (3) seven clients of 198.51.100.50:8080
 *                                    whose FINs it ACKs and never answers
 *                                    with its own (56); (4) 192.0.2.93 to
 *                                    198.51.100.43:8081: six attempts
 *                                    refused (RST+ACK), two completed (30);
 *                                    (5) five SYNs from 192.0.2.92 to
 *                                    198.51.100.42:22, each answered by ICMP
 *                                    3/13 from 203.0.113.1 (10); (6) a SYN
 *                                    flood: 30 sources in 203.0.113.0/24, one
 *                                    SYN each 5 ms apart to
 *                                    198.51.100.30:443, each answered by a
 *                                    SYN+ACK never acknowledged, and one
 *                                    real client completing an exchange
 *                                    meanwhile (65); (7) six attempts from
 *                                    192.0.2.90 and .91 to
 *                                    198.51.100.41:5432, SYNs at t, t+1 and
 *                                    t+3 s, never answered (18); an ARP
 *                                    request at t+9 s ends the capture (531)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"

enum { C2S = 0, S2C = 1 };

#define TS_START_US 1700000000000000ull /* 2023-11-14T22:13:20Z */
#define TS_STEP_US 1000u

/* LINKTYPE_ values (https://www.tcpdump.org/linktypes.html). */
enum {
    LT_NULL = 0,
    LT_ETHERNET = 1,
    LT_RAW = 101,
    LT_LOOP = 108,
    LT_SLL = 113,
    LT_SLL2 = 276,
};

/* ---- output: one pcap or pcapng file at a time */

struct out {
    struct craft_pcap *pcap;
    struct craft_pcapng *ng;
    uint64_t ts_us;
};

/* Writes a finished frame, caplen bytes of it captured, and advances the clock. */
static void out_frame_cut(struct out *o, uint32_t ifid, const struct craft *c, size_t caplen)
{
    if (o->ng != NULL)
        craft_pcapng_write(o->ng, ifid, o->ts_us, c->buf, (uint32_t)caplen, (uint32_t)c->len);
    else
        craft_pcap_write(o->pcap, o->ts_us, c->buf, (uint32_t)caplen, (uint32_t)c->len);
    o->ts_us += TS_STEP_US;
}

static void out_frame(struct out *o, const struct craft *c)
{
    out_frame_cut(o, 0, c, c->len);
}

/* ---- link layers of a conversation */

enum encap {
    ENC_ETH,     /* Ethernet II */
    ENC_VLAN,    /* Ethernet, one 802.1Q tag (tag[0]) */
    ENC_QINQ,    /* Ethernet, 802.1ad tag[0], 802.1Q tag[1] */
    ENC_MPLS2,   /* Ethernet, MPLS labels tag[0], tag[1] (bottom) */
    ENC_MPLS_PW, /* Ethernet, MPLS label tag[0], control word, inner Ethernet */
    ENC_PPPOE,   /* Ethernet, PPPoE session */
    ENC_SLL,     /* Linux cooked v1 */
    ENC_SLL2,    /* Linux cooked v2 */
    ENC_RAW,     /* nothing before the IP header */
    ENC_NULL_LE, /* BSD null, family little-endian (written on x86) */
    ENC_NULL_BE, /* BSD null, family big-endian (written on a big-endian host) */
    ENC_LOOP,    /* OpenBSD loop, family always big-endian */
};

static const uint8_t mac_client[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_server[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t mac_pw_client[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
static const uint8_t mac_pw_server[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x02};

/*
 * One scripted TCP conversation. The fixed part is set by the caller; the
 * rest tracks the script: the next step, each side's next sequence number,
 * IP ID and last TCP timestamp value sent.
 */
struct conv {
    enum encap encap;
    uint16_t tag[2];      /* VLAN IDs or MPLS labels, by encap */
    int vntag_step;       /* step whose frame also carries a VN-Tag, or -1 */
    const char *addr[2];  /* client, server; IPv6 if it has a ':' */
    uint16_t port[2];
    uint32_t isn[2];
    uint16_t data_len[2]; /* bytes each side sends in its data step */

    int step;
    uint32_t nxt[2];
    uint16_t ip_id[2];
    uint32_t tsval[2];
};

static bool conv_is_v6(const struct conv *cv)
{
    return strchr(cv->addr[0], ':') != NULL;
}

static void put_link(struct craft *c, const struct conv *cv, int dir, bool vntag)
{
    bool v6 = conv_is_v6(cv);
    uint16_t et = v6 ? CRAFT_ETH_IPV6 : CRAFT_ETH_IPV4;
    const uint8_t *src = dir == C2S ? mac_client : mac_server;
    const uint8_t *dst = dir == C2S ? mac_server : mac_client;
    uint16_t pkttype = dir == C2S ? CRAFT_SLL_OUTGOING : CRAFT_SLL_HOST;

    switch (cv->encap) {
    case ENC_ETH:
        craft_eth_mac(c, dst, src, et);
        break;
    case ENC_VLAN:
        craft_eth_mac(c, dst, src, CRAFT_ETH_VLAN);
        if (vntag) {
            craft_vlan(c, cv->tag[0], CRAFT_ETH_VNTAG);
            craft_vntag(c, et);
        } else {
            craft_vlan(c, cv->tag[0], et);
        }
        break;
    case ENC_QINQ:
        craft_eth_mac(c, dst, src, CRAFT_ETH_QINQ);
        craft_vlan(c, cv->tag[0], CRAFT_ETH_VLAN);
        craft_vlan(c, cv->tag[1], et);
        break;
    case ENC_MPLS2:
        craft_eth_mac(c, dst, src, CRAFT_ETH_MPLS);
        craft_mpls(c, cv->tag[0], false);
        craft_mpls(c, cv->tag[1], true);
        break;
    case ENC_MPLS_PW:
        craft_eth_mac(c, dst, src, CRAFT_ETH_MPLS);
        craft_mpls(c, cv->tag[0], true);
        craft_pw_control_word(c);
        craft_eth_mac(c, dir == C2S ? mac_pw_server : mac_pw_client,
                      dir == C2S ? mac_pw_client : mac_pw_server, et);
        break;
    case ENC_PPPOE:
        craft_eth_mac(c, dst, src, CRAFT_ETH_PPPOE);
        craft_pppoe(c, v6 ? CRAFT_PPP_IPV6 : CRAFT_PPP_IPV4);
        break;
    case ENC_SLL:
        craft_sll(c, pkttype, et);
        break;
    case ENC_SLL2:
        craft_sll2(c, pkttype, et);
        break;
    case ENC_RAW:
        break;
    case ENC_NULL_LE:
        craft_null(c, v6 ? CRAFT_AF_INET6_DARWIN : CRAFT_AF_INET, false);
        break;
    case ENC_NULL_BE:
        craft_null(c, v6 ? CRAFT_AF_INET6_DARWIN : CRAFT_AF_INET, true);
        break;
    case ENC_LOOP:
        craft_null(c, v6 ? CRAFT_AF_INET6_BSD : CRAFT_AF_INET, true);
        break;
    }
}

/* ---- the conversation script */

static const struct step {
    uint8_t dir;
    uint8_t flags;
    bool has_data; /* carries the sender's data_len bytes */
} script[] = {
    {C2S, CRAFT_SYN, false},             /* handshake */
    {S2C, CRAFT_SYN | CRAFT_ACK, false},
    {C2S, CRAFT_ACK, false},
    {C2S, CRAFT_PSH | CRAFT_ACK, true},  /* request */
    {S2C, CRAFT_PSH | CRAFT_ACK, true},  /* response, acknowledging the request */
    {C2S, CRAFT_ACK, false},
    {C2S, CRAFT_FIN | CRAFT_ACK, false}, /* the client closes first */
    {S2C, CRAFT_FIN | CRAFT_ACK, false},
    {C2S, CRAFT_ACK, false},             /* acknowledges the server's FIN */
};
#define SCRIPT_LEN ((int)(sizeof script / sizeof script[0]))

static void conv_start(struct conv *cv)
{
    cv->step = 0;
    for (int d = 0; d < 2; d++) {
        cv->nxt[d] = cv->isn[d];
        cv->ip_id[d] = (uint16_t)(d == C2S ? 0x1000 : 0x8000);
        cv->tsval[d] = d == C2S ? 100000u : 700000u;
    }
}

static bool conv_done(const struct conv *cv)
{
    return cv->step >= SCRIPT_LEN;
}

/*
 * Builds the frame of the next step into c (finished) and advances the
 * script. opts replaces the step's TCP option list when not NULL.
 */
static void conv_frame(struct conv *cv, struct craft *c, const struct craft_opts *opts)
{
    const struct step *s = &script[cv->step];
    int d = s->dir;
    bool v6 = conv_is_v6(cv);
    struct craft_opts o;

    craft_opts_init(&o);
    cv->tsval[d] += 10;
    uint32_t ecr = s->flags == CRAFT_SYN ? 0 : cv->tsval[!d];
    if (s->flags & CRAFT_SYN) {
        /* Linux's SYN layout: MSS, SACK-permitted, timestamps, NOP, window scale. */
        craft_opt_mss(&o, v6 ? 1440 : 1460);
        craft_opt_sack_perm(&o);
        craft_opt_timestamp(&o, cv->tsval[d], ecr);
        craft_opt_nop(&o);
        craft_opt_wscale(&o, 7);
    } else {
        craft_opt_nop(&o);
        craft_opt_nop(&o);
        craft_opt_timestamp(&o, cv->tsval[d], ecr);
    }
    if (opts != NULL)
        o = *opts;

    craft_init(c);
    put_link(c, cv, d, cv->step == cv->vntag_step);
    if (v6) {
        craft_ipv6(c, cv->addr[d], cv->addr[!d], CRAFT_IP_TCP);
    } else {
        craft_ipv4(c, cv->addr[d], cv->addr[!d], CRAFT_IP_TCP);
        craft_ipv4_id(c, cv->ip_id[d]++);
    }
    uint16_t win = s->flags & CRAFT_SYN ? (d == C2S ? 64240 : 65160) : (d == C2S ? 502 : 509);
    size_t len = s->has_data ? cv->data_len[d] : 0;
    uint32_t ack = s->flags & CRAFT_ACK ? cv->nxt[!d] : 0;
    craft_tcp(c, cv->port[d], cv->port[!d], cv->nxt[d], ack, s->flags, win, o.b, o.len, len);
    craft_finish(c);

    /* SYN and FIN each take one sequence number (RFC 9293 §3.4). */
    cv->nxt[d] += (uint32_t)len + (s->flags & CRAFT_SYN ? 1 : 0) + (s->flags & CRAFT_FIN ? 1 : 0);
    cv->step++;
}

/* Writes every remaining step of cv. */
static void run_conv(struct out *o, struct conv *cv)
{
    struct craft c;
    conv_start(cv);
    while (!conv_done(cv)) {
        conv_frame(cv, &c, NULL);
        out_frame(o, &c);
    }
}

/* Writes n conversations step by step in turn; conversation i goes to interface ifid[i]. */
static void run_interleaved(struct out *o, struct conv *cvs, const uint32_t *ifid, size_t n)
{
    struct craft c;
    for (size_t i = 0; i < n; i++)
        conv_start(&cvs[i]);
    for (int step = 0; step < SCRIPT_LEN; step++) {
        for (size_t i = 0; i < n; i++) {
            conv_frame(&cvs[i], &c, NULL);
            out_frame_cut(o, ifid != NULL ? ifid[i] : 0, &c, c.len);
        }
    }
}

/* A client-to-server conversation template; callers fill encap and tags. */
static struct conv conv4(enum encap encap, uint16_t cport, uint16_t sport, uint32_t isn_c, uint32_t isn_s)
{
    return (struct conv){
        .encap = encap,
        .vntag_step = -1,
        .addr = {"192.0.2.10", "198.51.100.20"},
        .port = {cport, sport},
        .isn = {isn_c, isn_s},
        .data_len = {48, 120},
    };
}

static struct conv conv6(enum encap encap, uint16_t cport, uint16_t sport, uint32_t isn_c, uint32_t isn_s)
{
    struct conv cv = conv4(encap, cport, sport, isn_c, isn_s);
    cv.addr[0] = "2001:db8::10";
    cv.addr[1] = "2001:db8::20";
    return cv;
}

/* ---- single frames */

/* An ARP request (RFC 826) from 192.0.2.10 for 192.0.2.1, body only. */
static void put_arp_request(struct craft *c)
{
    static const uint8_t arp[28] = {
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,     /* Ethernet/IPv4, request */
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 192, 0, 2, 10, /* sender */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 0, 2, 1,  /* target */
    };
    craft_bytes(c, arp, sizeof arp);
}

/* A TCP SYN with the usual SYN options, for frames that are then cut or broken. */
static void put_syn(struct craft *c, uint16_t cport, bool v6)
{
    struct craft_opts o;
    craft_opts_init(&o);
    craft_opt_mss(&o, 1460);
    craft_opt_sack_perm(&o);
    craft_opt_timestamp(&o, 1, 0);
    craft_opt_nop(&o);
    craft_opt_wscale(&o, 7);
    if (v6)
        craft_ipv6(c, "2001:db8::10", "2001:db8::20", CRAFT_IP_TCP);
    else
        craft_ipv4(c, "192.0.2.10", "198.51.100.20", CRAFT_IP_TCP);
    craft_tcp(c, cport, 80, 5000000, 0, CRAFT_SYN, 64240, o.b, o.len, 0);
}

/* A plain IPv4 ACK with `payload` bytes and no options, for broken frames. */
static void put_ack4(struct craft *c, uint16_t cport, size_t payload)
{
    craft_eth(c, CRAFT_ETH_IPV4);
    craft_ipv4(c, "192.0.2.10", "198.51.100.20", CRAFT_IP_TCP);
    craft_tcp(c, cport, 80, 6000000, 7000000, CRAFT_ACK, 502, NULL, 0, payload);
    craft_finish(c);
}

/* ---- the files */

static void gen_vlan(struct out *o)
{
    /* Same 4-tuple on two VLANs; distinct ISNs tell them apart in a dump. */
    struct conv cv[2] = {
        conv4(ENC_VLAN, 40000, 80, 1000000, 2000000),
        conv4(ENC_VLAN, 40000, 80, 3000000, 4000000),
    };
    cv[0].tag[0] = 100;
    cv[0].vntag_step = 3; /* the client's request */
    cv[1].tag[0] = 200;
    run_interleaved(o, cv, NULL, 2);
}

static void gen_qinq(struct out *o)
{
    struct conv cv = conv4(ENC_QINQ, 40010, 80, 1100000, 2100000);
    cv.tag[0] = 10;
    cv.tag[1] = 20;
    run_conv(o, &cv);
}

static void gen_mpls_pppoe(struct out *o)
{
    struct conv cv[4] = {
        conv4(ENC_MPLS2, 40020, 80, 1200000, 2200000),
        conv4(ENC_PPPOE, 40021, 80, 1210000, 2210000),
        conv6(ENC_PPPOE, 40022, 80, 1220000, 2220000),
        conv4(ENC_MPLS_PW, 40023, 80, 1230000, 2230000),
    };
    cv[0].tag[0] = 16001;
    cv[0].tag[1] = 16002;
    cv[3].tag[0] = 20001;
    for (size_t i = 0; i < 4; i++)
        run_conv(o, &cv[i]);
}

static void gen_cooked(struct out *o, enum encap encap, uint16_t port_base)
{
    struct conv v4 = conv4(encap, port_base, 80, 1300000, 2300000);
    struct conv v6 = conv6(encap, (uint16_t)(port_base + 1), 80, 1310000, 2310000);
    struct craft c;
    run_conv(o, &v4);
    craft_init(&c);
    if (encap == ENC_SLL)
        craft_sll(&c, CRAFT_SLL_OUTGOING, CRAFT_ETH_ARP);
    else
        craft_sll2(&c, CRAFT_SLL_OUTGOING, CRAFT_ETH_ARP);
    put_arp_request(&c);
    craft_finish(&c);
    out_frame(o, &c);
    run_conv(o, &v6);
}

static void gen_sll(struct out *o)
{
    gen_cooked(o, ENC_SLL, 40030);
}

static void gen_sll2(struct out *o)
{
    gen_cooked(o, ENC_SLL2, 40040);
}

static void gen_raw(struct out *o)
{
    struct conv v4 = conv4(ENC_RAW, 40050, 80, 1400000, 2400000);
    struct conv v6 = conv6(ENC_RAW, 40051, 80, 1410000, 2410000);
    run_conv(o, &v4);
    run_conv(o, &v6);
}

static void gen_null(struct out *o)
{
    struct conv v4 = conv4(ENC_NULL_LE, 40060, 80, 1500000, 2500000);
    struct conv v6 = conv6(ENC_NULL_BE, 40061, 80, 1510000, 2510000);
    run_conv(o, &v4);
    run_conv(o, &v6);
}

static void gen_loop(struct out *o)
{
    struct conv v4 = conv4(ENC_LOOP, 40070, 80, 1600000, 2600000);
    run_conv(o, &v4);
}

static void gen_truncated(struct out *o)
{
    struct conv cv = conv4(ENC_ETH, 40080, 80, 1700000, 2700000);
    struct craft c;

    /* The client's 1000-byte request is cut right after its TCP header, as
     * a short snap length would cut it; its IP length still says 1000. */
    cv.data_len[C2S] = 1000;
    conv_start(&cv);
    while (!conv_done(&cv)) {
        bool is_request = cv.step == 3;
        conv_frame(&cv, &c, NULL);
        out_frame_cut(o, 0, &c, is_request ? c.payload_off : c.len);
    }

    /* Frames cut inside each layer: Ethernet header (10 of 14 bytes). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_syn(&c, 40081, false);
    craft_finish(&c);
    out_frame_cut(o, 0, &c, 10);

    /* Inside the 802.1Q tag (2 of its 4 bytes). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_VLAN);
    craft_vlan(&c, 100, CRAFT_ETH_IPV4);
    put_syn(&c, 40082, false);
    craft_finish(&c);
    out_frame_cut(o, 0, &c, 16);

    /* Inside the IPv4 header (12 of 20 bytes). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_syn(&c, 40083, false);
    craft_finish(&c);
    out_frame_cut(o, 0, &c, 14 + 12);

    /* Inside the IPv6 header (24 of 40 bytes). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    put_syn(&c, 40084, true);
    craft_finish(&c);
    out_frame_cut(o, 0, &c, 14 + 24);

    /* Inside the fixed TCP header (12 of 20 bytes). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_syn(&c, 40085, false);
    craft_finish(&c);
    out_frame_cut(o, 0, &c, 14 + 20 + 12);

    /* Inside the TCP option list (10 of its 20 bytes): MSS and
     * SACK-permitted captured, the timestamps option cut. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    put_syn(&c, 40086, false);
    craft_finish(&c);
    out_frame_cut(o, 0, &c, 14 + 20 + 30);
}

static void gen_malformed(struct out *o)
{
    struct conv cv = conv4(ENC_ETH, 40090, 80, 1800000, 2800000);
    struct craft_opts bad;
    struct craft c;

    /* The last ACK's options: NOP, NOP, then kind 8 (timestamps) with
     * length 1, which cannot even cover its own kind and length bytes. */
    craft_opts_init(&bad);
    craft_opt_raw(&bad, (const uint8_t[]){1, 1, 8, 1}, 4);
    conv_start(&cv);
    while (!conv_done(&cv)) {
        conv_frame(&cv, &c, cv.step == SCRIPT_LEN - 1 ? &bad : NULL);
        out_frame(o, &c);
    }

    /* IPv4 version 5. */
    craft_init(&c);
    put_ack4(&c, 40091, 0);
    c.buf[c.ip_off] = 0x55;
    out_frame(o, &c);

    /* IHL 4 (16 bytes), below the 20-byte minimum. */
    craft_init(&c);
    put_ack4(&c, 40092, 0);
    c.buf[c.ip_off] = 0x44;
    out_frame(o, &c);

    /* Total length 16, shorter than the header. */
    craft_init(&c);
    put_ack4(&c, 40093, 0);
    craft_put16(&c, c.ip_off + 2, 16);
    out_frame(o, &c);

    /* Total length 1500 in a 54-byte frame. */
    craft_init(&c);
    put_ack4(&c, 40094, 0);
    craft_put16(&c, c.ip_off + 2, 1500);
    out_frame(o, &c);

    /* TCP data offset 4 (16 bytes), below the 20-byte minimum. */
    craft_init(&c);
    put_ack4(&c, 40095, 0);
    c.buf[c.l4_off + 12] = 0x40;
    out_frame(o, &c);

    /* TCP data offset 15 (60 bytes) in a 40-byte IP payload. */
    craft_init(&c);
    put_ack4(&c, 40096, 20);
    c.buf[c.l4_off + 12] = 0xF0;
    out_frame(o, &c);

    /* IPv6 payload length 1000 in a frame that carries 20. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    craft_ipv6(&c, "2001:db8::10", "2001:db8::20", CRAFT_IP_TCP);
    craft_tcp(&c, 40097, 80, 6000000, 7000000, CRAFT_ACK, 502, NULL, 0, 0);
    craft_finish(&c);
    craft_put16(&c, c.ip_off + 4, 1000);
    out_frame(o, &c);

    /* A hop-by-hop header claiming 32 bytes in a 28-byte payload. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    craft_ipv6(&c, "2001:db8::10", "2001:db8::20", CRAFT_IP_HOPOPTS);
    craft_ipv6_ext(&c, CRAFT_IP_HOPOPTS, CRAFT_IP_TCP, 8);
    craft_tcp(&c, 40098, 80, 6000000, 7000000, CRAFT_ACK, 502, NULL, 0, 0);
    craft_finish(&c);
    c.buf[c.ip_off + 40 + 1] = 3;
    out_frame(o, &c);

    /* PPPoE version 2 (RFC 2516 requires version 1, type 1). */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_PPPOE);
    craft_pppoe(&c, CRAFT_PPP_IPV4);
    craft_ipv4(&c, "192.0.2.10", "198.51.100.20", CRAFT_IP_TCP);
    craft_tcp(&c, 40099, 80, 6000000, 7000000, CRAFT_ACK, 502, NULL, 0, 0);
    craft_finish(&c);
    c.buf[14] = 0x21;
    out_frame(o, &c);

    /* An MPLS stack whose bottom label ends the frame. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_MPLS);
    craft_mpls(&c, 16001, true);
    craft_finish(&c);
    out_frame(o, &c);
}

static void gen_other(struct out *o)
{
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    /* A DNS query (RFC 1035 §4.1): ID 0x1a2b, RD, one question "example.com" A IN. */
    static const uint8_t dns_query[] = {
        0x1a, 0x2b, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
        0x00, 0x01, 0x00, 0x01,
    };
    static const uint8_t esp_head[8] = {0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01};
    struct craft c, seg;

    /* ARP request, broadcast. */
    craft_init(&c);
    craft_eth_mac(&c, bcast, mac_client, CRAFT_ETH_ARP);
    put_arp_request(&c);
    craft_finish(&c);
    out_frame(o, &c);

    /* DNS over UDP. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.10", "192.0.2.53", CRAFT_IP_UDP);
    craft_udp_header(&c, 53000, 53);
    craft_bytes(&c, dns_query, sizeof dns_query);
    craft_finish(&c);
    out_frame(o, &c);

    /* ICMP echo request. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.10", "198.51.100.20", CRAFT_IP_ICMP);
    craft_icmp_echo(&c, 0x1234, 1, 32);
    craft_finish(&c);
    out_frame(o, &c);

    /* ICMPv6 echo request. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    craft_ipv6(&c, "2001:db8::10", "2001:db8::20", CRAFT_IP_ICMPV6);
    craft_icmpv6_echo(&c, 0x1234, 1, 32);
    craft_finish(&c);
    out_frame(o, &c);

    /* Both fragments of one IPv4 TCP segment (20 + 100 bytes): 64 bytes at
     * offset 0 with MF, then 56 bytes at offset 64. */
    craft_init(&seg);
    craft_ipv4(&seg, "192.0.2.10", "198.51.100.20", CRAFT_IP_TCP);
    craft_tcp(&seg, 40110, 80, 6000000, 7000000, CRAFT_PSH | CRAFT_ACK, 502, NULL, 0, 100);
    craft_finish(&seg);
    for (int part = 0; part < 2; part++) {
        craft_init(&c);
        craft_eth(&c, CRAFT_ETH_IPV4);
        craft_ipv4(&c, "192.0.2.10", "198.51.100.20", CRAFT_IP_TCP);
        craft_ipv4_id(&c, 0x4242);
        craft_ipv4_fragment(&c, part == 0 ? 0 : 64, part == 0);
        craft_bytes(&c, seg.buf + seg.l4_off + (part == 0 ? 0 : 64), part == 0 ? 64 : 56);
        craft_finish(&c);
        out_frame(o, &c);
    }

    /* The first fragment (64 bytes, M set) of an IPv6 TCP segment. */
    craft_init(&seg);
    craft_ipv6(&seg, "2001:db8::10", "2001:db8::20", CRAFT_IP_TCP);
    craft_tcp(&seg, 40111, 80, 6000000, 7000000, CRAFT_PSH | CRAFT_ACK, 502, NULL, 0, 100);
    craft_finish(&seg);
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV6);
    craft_ipv6(&c, "2001:db8::10", "2001:db8::20", CRAFT_IP_FRAGMENT);
    craft_ipv6_frag(&c, CRAFT_IP_TCP, 0, true, 0x12345678);
    craft_bytes(&c, seg.buf + seg.l4_off, 64);
    craft_finish(&c);
    out_frame(o, &c);

    /* GRE carrying an IPv4 TCP SYN. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.10", "203.0.113.1", CRAFT_IP_GRE);
    craft_gre(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "10.1.0.1", "10.2.0.1", CRAFT_IP_TCP);
    craft_tcp(&c, 40112, 80, 6000000, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    craft_finish(&c);
    out_frame(o, &c);

    /* VXLAN (UDP 4789) carrying an Ethernet frame with an ICMP echo. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.10", "203.0.113.1", CRAFT_IP_UDP);
    craft_udp_header(&c, 54321, 4789);
    craft_vxlan(&c, 42);
    craft_eth_mac(&c, mac_pw_server, mac_pw_client, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "10.1.0.1", "10.2.0.1", CRAFT_IP_ICMP);
    craft_icmp_echo(&c, 0x4321, 1, 16);
    craft_finish(&c);
    out_frame(o, &c);

    /* ESP (RFC 4303): SPI 0x1000, sequence 1, 40 opaque bytes. */
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.10", "203.0.113.1", CRAFT_IP_ESP);
    craft_bytes(&c, esp_head, sizeof esp_head);
    craft_pattern(&c, 40);
    craft_finish(&c);
    out_frame(o, &c);

    struct conv cv = conv4(ENC_ETH, 40113, 80, 1900000, 2900000);
    run_conv(o, &cv);
}

static void gen_multi_link(struct out *o)
{
    struct conv cv[3] = {
        conv4(ENC_ETH, 41000, 443, 1910000, 2910000),
        conv6(ENC_RAW, 41001, 22, 1920000, 2920000),
        conv4(ENC_SLL2, 41002, 25, 1930000, 2930000),
    };
    uint32_t ifid[3];
    cv[2].addr[0] = "192.0.2.30";
    cv[2].addr[1] = "198.51.100.40";
    for (size_t i = 0; i < 3; i++)
        cv[i].data_len[S2C] = 300;
    ifid[0] = craft_pcapng_add_interface(o->ng, LT_ETHERNET, 262144);
    ifid[1] = craft_pcapng_add_interface(o->ng, LT_RAW, 128);
    ifid[2] = craft_pcapng_add_interface(o->ng, LT_SLL2, 96);
    run_interleaved(o, cv, ifid, 3);
}

/* ---- hand-driven conversations (anomalies.pcap) */

/* Moves the clock so the next frame is written at ts_us (never backwards). */
static void out_at(struct out *o, uint64_t ts_us)
{
    if (ts_us < o->ts_us) {
        fprintf(stderr, "pcapgen: the clock cannot go back (%llu < %llu)\n", (unsigned long long)ts_us,
                (unsigned long long)o->ts_us);
        abort();
    }
    o->ts_us = ts_us;
}

/*
 * Writes one segment of cv from d with the given sequence number, flags,
 * raw window and payload length, and leaves the frame in *c; an ACK
 * acknowledges all the peer has used. SYNs carry the SYN options of
 * conv_frame(), a RST without ACK none, other segments NOP, NOP and
 * timestamps. TCP timestamp values follow the capture clock (1 per ms, from
 * 100000 for the client and 700000 for the server), as long gaps need. The
 * sender's next sequence number only moves forward, so a retransmission or
 * a probe leaves it as it was.
 */
static void put_seg_at(struct out *o, struct conv *cv, struct craft *c, int d, uint8_t flags, uint32_t seq,
                       uint16_t win, size_t len)
{
    bool v6 = conv_is_v6(cv);
    struct craft_opts opt;

    cv->tsval[d] = (d == C2S ? 100000u : 700000u) + (uint32_t)((o->ts_us - TS_START_US) / 1000);
    uint32_t ecr = flags & CRAFT_ACK ? cv->tsval[!d] : 0;
    craft_opts_init(&opt);
    if ((flags & (CRAFT_RST | CRAFT_ACK)) == CRAFT_RST) {
        /* A RST answering a segment (Linux's tcp_v4_send_reset()): no options. */
    } else if (flags & CRAFT_SYN) {
        craft_opt_mss(&opt, v6 ? 1440 : 1460);
        craft_opt_sack_perm(&opt);
        craft_opt_timestamp(&opt, cv->tsval[d], ecr);
        craft_opt_nop(&opt);
        craft_opt_wscale(&opt, 7);
    } else {
        craft_opt_nop(&opt);
        craft_opt_nop(&opt);
        craft_opt_timestamp(&opt, cv->tsval[d], ecr);
    }

    craft_init(c);
    put_link(c, cv, d, false);
    if (v6) {
        craft_ipv6(c, cv->addr[d], cv->addr[!d], CRAFT_IP_TCP);
    } else {
        craft_ipv4(c, cv->addr[d], cv->addr[!d], CRAFT_IP_TCP);
        craft_ipv4_id(c, cv->ip_id[d]++);
    }
    uint32_t ack = flags & CRAFT_ACK ? cv->nxt[!d] : 0;
    craft_tcp(c, cv->port[d], cv->port[!d], seq, ack, flags, win, opt.b, opt.len, len);
    craft_finish(c);
    out_frame(o, c);

    uint32_t end = seq + (uint32_t)len + (flags & CRAFT_SYN ? 1 : 0) + (flags & CRAFT_FIN ? 1 : 0);
    if ((int32_t)(end - cv->nxt[d]) > 0)
        cv->nxt[d] = end;
}

/* The window conv_frame() gives a segment of d. */
static uint16_t default_win(int d, uint8_t flags)
{
    if (flags & CRAFT_SYN)
        return d == C2S ? 64240 : 65160;
    return d == C2S ? 502 : 509;
}

/* Writes the next segment of cv from d: at its next sequence number, usual window. */
static void put_seg(struct out *o, struct conv *cv, int d, uint8_t flags, size_t len)
{
    struct craft c;
    put_seg_at(o, cv, &c, d, flags, cv->nxt[d], default_win(d, flags), len);
}

/* Starts cv and writes its three-way handshake. */
static void put_handshake(struct out *o, struct conv *cv)
{
    conv_start(cv);
    put_seg(o, cv, C2S, CRAFT_SYN, 0);
    put_seg(o, cv, S2C, CRAFT_SYN | CRAFT_ACK, 0);
    put_seg(o, cv, C2S, CRAFT_ACK, 0);
}

/*
 * An ICMP destination unreachable (RFC 792: type 3) or, if orig is IPv6, an
 * ICMPv6 one (RFC 4443 §3.1: type 1) with `code`, from `router` back to `to`,
 * the sender of orig (a finished Ethernet frame), quoting the first quote_len
 * bytes of orig's IP packet, its IP header included.
 */
static void put_unreach(struct craft *c, const struct craft *orig, const char *router, const char *to, uint8_t code,
                        size_t quote_len)
{
    bool v6 = orig->buf[orig->ip_off] >> 4 == 6;
    craft_init(c);
    craft_eth_mac(c, mac_client, mac_server, v6 ? CRAFT_ETH_IPV6 : CRAFT_ETH_IPV4);
    if (v6)
        craft_ipv6(c, router, to, CRAFT_IP_ICMPV6);
    else
        craft_ipv4(c, router, to, CRAFT_IP_ICMP);
    craft_icmp_error(c, v6 ? 1 : 3, code, orig->buf + orig->ip_off, quote_len);
    craft_finish(c);
}

/* Scenario n of anomalies.pcap: client port and ISNs. */
#define AN_PORT(n) ((uint16_t)(42000 + (n)))
#define AN_ISN_C(n) (3000000u + 10000u * (n))
#define AN_ISN_S(n) (4000000u + 10000u * (n))

#define MS_US 1000ull /* one millisecond, one second in microseconds */
#define S_US 1000000ull

static void gen_anomalies(struct out *o)
{
    static const uint8_t mac_broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t bad_flags[3] = {CRAFT_SYN | CRAFT_FIN, 0, CRAFT_FIN | CRAFT_PSH | CRAFT_URG};
    static const uint64_t zw_probe_ms[3] = {500, 1500, 3500};       /* zero-window probes */
    static const uint64_t rto_ms[5] = {200, 600, 1400, 3000, 6200}; /* retransmissions */
    static const uint64_t syn_ms[3] = {0, 1000, 3000};              /* SYNs */
    struct craft c, syn;
    struct conv cv;
    uint64_t t;

    /* 1. Invalid flags: a scanner's SYN+FIN, null and Xmas segments on
     * one 4-tuple (nmap's layout: window 1024, no options), to a port
     * that never answers. */
    for (int i = 0; i < 3; i++) {
        craft_init(&c);
        craft_eth_mac(&c, mac_server, mac_client, CRAFT_ETH_IPV4);
        craft_ipv4(&c, "192.0.2.10", "198.51.100.20", CRAFT_IP_TCP);
        craft_ipv4_id(&c, (uint16_t)(0x1000 + i));
        craft_tcp(&c, AN_PORT(1), 81, AN_ISN_C(1), 0, bad_flags[i], 1024, NULL, 0, 0);
        craft_finish(&c);
        out_frame(o, &c);
    }

    /* 2. Data after close: the client sends again after its FIN was ACKed. */
    cv = conv4(ENC_ETH, AN_PORT(2), 80, AN_ISN_C(2), AN_ISN_S(2));
    put_handshake(o, &cv);
    put_seg(o, &cv, C2S, CRAFT_PSH | CRAFT_ACK, 100);
    put_seg(o, &cv, S2C, CRAFT_ACK, 0);
    put_seg(o, &cv, C2S, CRAFT_FIN | CRAFT_ACK, 0);
    put_seg(o, &cv, S2C, CRAFT_ACK, 0);
    put_seg(o, &cv, C2S, CRAFT_PSH | CRAFT_ACK, 50); /* from the FIN's sequence number + 1 */
    /* RFC 9293 §3.5.2: a RST answering a segment with ACK has SEQ=SEG.ACK and no ACK flag. */
    put_seg_at(o, &cv, &c, S2C, CRAFT_RST, cv.nxt[S2C], 0, 0);

    /* 3. A SYN that a router's filter rejects with ICMP 3/13, quoting the
     * SYN's IPv4 header and the 8 TCP bytes RFC 792 requires. */
    cv = conv4(ENC_ETH, AN_PORT(3), 443, AN_ISN_C(3), AN_ISN_S(3));
    cv.addr[1] = "198.51.100.21";
    conv_start(&cv);
    put_seg_at(o, &cv, &syn, C2S, CRAFT_SYN, cv.isn[C2S], default_win(C2S, CRAFT_SYN), 0);
    put_unreach(&c, &syn, "192.0.2.254", cv.addr[C2S], 13, 20 + 8);
    out_frame(o, &c);

    /* 4. The same over IPv6: ICMPv6 1/4 quoting the whole SYN, as RFC 4443
     * §2.4 (c) asks (as much as fits in the minimum MTU). */
    cv = conv6(ENC_ETH, AN_PORT(4), 443, AN_ISN_C(4), AN_ISN_S(4));
    cv.addr[1] = "2001:db8::21";
    conv_start(&cv);
    put_seg_at(o, &cv, &syn, C2S, CRAFT_SYN, cv.isn[C2S], default_win(C2S, CRAFT_SYN), 0);
    put_unreach(&c, &syn, "2001:db8::fe", cv.addr[C2S], 4, syn.len - syn.ip_off);
    out_frame(o, &c);

    /* 5. Zero window: the server's receive buffer fills; the client probes
     * it (backing off 0.5, 1, 2 s) until the server opens it at 7 s. */
    cv = conv4(ENC_ETH, AN_PORT(5), 80, AN_ISN_C(5), AN_ISN_S(5));
    put_handshake(o, &cv);
    put_seg(o, &cv, C2S, CRAFT_ACK, 1000);
    put_seg(o, &cv, C2S, CRAFT_ACK, 1000);
    put_seg(o, &cv, C2S, CRAFT_PSH | CRAFT_ACK, 1000);
    t = o->ts_us;
    put_seg_at(o, &cv, &c, S2C, CRAFT_ACK, cv.nxt[S2C], 0, 0);
    for (int i = 0; i < 3; i++) {
        out_at(o, t + zw_probe_ms[i] * MS_US);
        put_seg_at(o, &cv, &c, C2S, CRAFT_ACK, cv.nxt[C2S] - 1, default_win(C2S, CRAFT_ACK), 0);
        put_seg_at(o, &cv, &c, S2C, CRAFT_ACK, cv.nxt[S2C], 0, 0);
    }
    out_at(o, t + 7 * S_US);
    put_seg_at(o, &cv, &c, S2C, CRAFT_ACK, cv.nxt[S2C], 65535, 0);
    put_seg(o, &cv, C2S, CRAFT_PSH | CRAFT_ACK, 1000);
    put_seg(o, &cv, S2C, CRAFT_ACK, 0);
    put_seg(o, &cv, C2S, CRAFT_FIN | CRAFT_ACK, 0);
    put_seg(o, &cv, S2C, CRAFT_FIN | CRAFT_ACK, 0);
    put_seg(o, &cv, C2S, CRAFT_ACK, 0);

    /* 6. Retransmission stall: 1000 bytes the server never ACKs, sent again
     * with the timer doubling (RFC 6298 §5.5) from Linux's 200 ms minimum. */
    cv = conv4(ENC_ETH, AN_PORT(6), 80, AN_ISN_C(6), AN_ISN_S(6));
    put_handshake(o, &cv);
    t = o->ts_us;
    uint32_t data_seq = cv.nxt[C2S];
    put_seg(o, &cv, C2S, CRAFT_PSH | CRAFT_ACK, 1000);
    for (int i = 0; i < 5; i++) {
        out_at(o, t + rto_ms[i] * MS_US);
        put_seg_at(o, &cv, &c, C2S, CRAFT_PSH | CRAFT_ACK, data_seq, default_win(C2S, CRAFT_ACK), 1000);
    }

    /* 7. Keepalive unanswered: after 10 s idle, four probes 1 s apart get
     * no answer and the client aborts with a RST+ACK (Linux's active reset). */
    cv = conv4(ENC_ETH, AN_PORT(7), 80, AN_ISN_C(7), AN_ISN_S(7));
    put_handshake(o, &cv);
    t = o->ts_us - TS_STEP_US; /* the handshake's last ACK */
    for (int i = 0; i < 4; i++) {
        out_at(o, t + (uint64_t)(10 + i) * S_US);
        put_seg_at(o, &cv, &c, C2S, CRAFT_ACK, cv.nxt[C2S] - 1, default_win(C2S, CRAFT_ACK), 0);
    }
    out_at(o, t + 14 * S_US);
    put_seg_at(o, &cv, &c, C2S, CRAFT_RST | CRAFT_ACK, cv.nxt[C2S], 0, 0);

    /* 8. Keepalive answered: two probes 10 s apart, each ACKed at once. */
    cv = conv4(ENC_ETH, AN_PORT(8), 80, AN_ISN_C(8), AN_ISN_S(8));
    put_handshake(o, &cv);
    t = o->ts_us - TS_STEP_US;
    for (int i = 1; i <= 2; i++) {
        out_at(o, t + (uint64_t)(10 * i) * S_US);
        put_seg_at(o, &cv, &c, C2S, CRAFT_ACK, cv.nxt[C2S] - 1, default_win(C2S, CRAFT_ACK), 0);
        put_seg(o, &cv, S2C, CRAFT_ACK, 0);
    }

    /* 9. SYN unanswered: the SYN and its retransmissions (same ISN) at 1
     * and 3 s, as Linux backs off. */
    cv = conv4(ENC_ETH, AN_PORT(9), 80, AN_ISN_C(9), AN_ISN_S(9));
    conv_start(&cv);
    t = o->ts_us;
    for (int i = 0; i < 3; i++) {
        out_at(o, t + syn_ms[i] * MS_US);
        put_seg_at(o, &cv, &c, C2S, CRAFT_SYN, cv.isn[C2S], default_win(C2S, CRAFT_SYN), 0);
    }
    /* Nothing follows: the client's ARP request for its gateway at 5 s
     * keeps the capture going past the 3 s SYN timeout. */
    out_at(o, t + 5 * S_US);
    craft_init(&c);
    craft_eth_mac(&c, mac_broadcast, mac_client, CRAFT_ETH_ARP);
    put_arp_request(&c);
    craft_finish(&c);
    out_frame(o, &c);
}

/* ---- patterns across connections (findings.pcap) */

/* Addresses made up per connection, kept for the life of the file. */
static const char *host_addr(char (*buf)[16], unsigned n, const char *net, unsigned host)
{
    snprintf(buf[n], sizeof buf[n], "%s.%u", net, host % 256);
    return buf[n];
}

/* A short exchange: handshake, a request and its response. */
static void put_exchange(struct out *o, struct conv *cv)
{
    put_handshake(o, cv);
    put_seg(o, cv, C2S, CRAFT_PSH | CRAFT_ACK, 100);
    put_seg(o, cv, S2C, CRAFT_PSH | CRAFT_ACK, 200);
}

static void gen_findings(struct out *o)
{
    static const uint8_t mac_broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static char addrs[64][16];
    unsigned na = 0;
    struct craft c, syn;
    struct conv cv;
    uint64_t t;

    /* 1. TIME_WAIT on a client: 40 short connections from 192.0.2.60 to
     * 198.51.100.60:80, 25 ms apart, each closed by the client first. */
    for (unsigned i = 0; i < 40; i++) {
        cv = conv4(ENC_ETH, (uint16_t)(40001 + i), 80, 5000000u + 1000u * i, 6000000u + 1000u * i);
        cv.addr[0] = "192.0.2.60";
        cv.addr[1] = "198.51.100.60";
        t = o->ts_us;
        put_exchange(o, &cv);
        put_seg(o, &cv, C2S, CRAFT_FIN | CRAFT_ACK, 0);
        put_seg(o, &cv, S2C, CRAFT_FIN | CRAFT_ACK, 0);
        put_seg(o, &cv, C2S, CRAFT_ACK, 0);
        out_at(o, t + 25 * MS_US);
    }

    /* 2. TIME_WAIT on a server: 198.51.100.70:80 closes five connections
     * first (HTTP/1.0 style). */
    for (unsigned i = 0; i < 5; i++) {
        cv = conv4(ENC_ETH, (uint16_t)(41001 + i), 80, 5100000u + 1000u * i, 6100000u + 1000u * i);
        cv.addr[0] = host_addr(addrs, na++, "192.0.2", 70 + i);
        cv.addr[1] = "198.51.100.70";
        put_exchange(o, &cv);
        put_seg(o, &cv, S2C, CRAFT_FIN | CRAFT_ACK, 0);
        put_seg(o, &cv, C2S, CRAFT_FIN | CRAFT_ACK, 0);
        put_seg(o, &cv, S2C, CRAFT_ACK, 0);
    }

    /* 3. A CLOSE_WAIT pile-up: seven clients close; the application at
     * 198.51.100.50:8080 acknowledges each FIN and never closes. */
    for (unsigned i = 0; i < 7; i++) {
        cv = conv4(ENC_ETH, (uint16_t)(42001 + i), 8080, 5200000u + 1000u * i, 6200000u + 1000u * i);
        cv.addr[0] = host_addr(addrs, na++, "192.0.2", 80 + i);
        cv.addr[1] = "198.51.100.50";
        put_exchange(o, &cv);
        put_seg(o, &cv, C2S, CRAFT_FIN | CRAFT_ACK, 0);
        put_seg(o, &cv, S2C, CRAFT_ACK, 0);
    }

    /* 4. A load balancer with a dead member: 198.51.100.43:8081 refuses
     * six of eight attempts from 192.0.2.93 and accepts the other two. */
    for (unsigned i = 0; i < 8; i++) {
        cv = conv4(ENC_ETH, (uint16_t)(43001 + i), 8081, 5300000u + 1000u * i, 6300000u + 1000u * i);
        cv.addr[0] = "192.0.2.93";
        cv.addr[1] = "198.51.100.43";
        if (i % 3 == 2) {
            put_exchange(o, &cv);
            put_seg(o, &cv, C2S, CRAFT_FIN | CRAFT_ACK, 0);
            put_seg(o, &cv, S2C, CRAFT_FIN | CRAFT_ACK, 0);
            put_seg(o, &cv, C2S, CRAFT_ACK, 0);
        } else {
            conv_start(&cv);
            put_seg(o, &cv, C2S, CRAFT_SYN, 0);
            put_seg_at(o, &cv, &c, S2C, CRAFT_RST | CRAFT_ACK, 0, 0, 0);
        }
    }

    /* 5. A firewall in front of 198.51.100.42:22: five attempts from
     * 192.0.2.92, each answered by 203.0.113.1 with ICMP 3/13. */
    for (unsigned i = 0; i < 5; i++) {
        cv = conv4(ENC_ETH, (uint16_t)(44001 + i), 22, 5400000u + 1000u * i, 6400000u + 1000u * i);
        cv.addr[0] = "192.0.2.92";
        cv.addr[1] = "198.51.100.42";
        conv_start(&cv);
        put_seg_at(o, &cv, &syn, C2S, CRAFT_SYN, cv.isn[C2S], default_win(C2S, CRAFT_SYN), 0);
        put_unreach(&c, &syn, "203.0.113.1", cv.addr[C2S], 13, 20 + 8);
        out_frame(o, &c);
    }

    /* 6. A SYN flood: 30 spoofed sources in 203.0.113.0/24, one SYN each,
     * 5 ms apart, to 198.51.100.30:443, which answers every one with a
     * SYN+ACK nobody acknowledges; one real client completes meanwhile. */
    for (unsigned i = 0; i < 30; i++) {
        cv = conv4(ENC_ETH, (uint16_t)(1024 + 37 * i), 443, 0x10000000u * (i % 16) + 7919u * i,
                   6500000u + 1000u * i);
        cv.addr[0] = host_addr(addrs, na++, "203.0.113", 10 + 7 * i);
        cv.addr[1] = "198.51.100.30";
        conv_start(&cv);
        t = o->ts_us;
        put_seg(o, &cv, C2S, CRAFT_SYN, 0);
        put_seg(o, &cv, S2C, CRAFT_SYN | CRAFT_ACK, 0);
        out_at(o, t + 5 * MS_US);
        if (i == 15) {
            cv = conv4(ENC_ETH, 45001, 443, 5500000u, 6600000u);
            cv.addr[0] = "192.0.2.95";
            cv.addr[1] = "198.51.100.30";
            put_exchange(o, &cv);
        }
    }

    /* 7. A silent service: 198.51.100.41:5432 answers nothing; six
     * attempts from two clients, each SYN sent again at 1 and 3 s. */
    struct conv silent[6];
    for (unsigned i = 0; i < 6; i++) {
        silent[i] = conv4(ENC_ETH, (uint16_t)(46001 + i), 5432, 5600000u + 1000u * i, 0);
        silent[i].addr[0] = i % 2 ? "192.0.2.91" : "192.0.2.90";
        silent[i].addr[1] = "198.51.100.41";
        conv_start(&silent[i]);
    }
    t = o->ts_us;
    for (unsigned k = 0; k < 3; k++) {
        out_at(o, t + (k == 0 ? 0 : k == 1 ? 1 : 3) * S_US);
        for (unsigned i = 0; i < 6; i++)
            put_seg_at(o, &silent[i], &c, C2S, CRAFT_SYN, silent[i].isn[C2S], default_win(C2S, CRAFT_SYN), 0);
    }

    /* The capture goes on to 6 s after the last SYNs: past --syn-timeout
     * for all of them, past --linger for the CLOSE_WAIT. */
    out_at(o, t + 9 * S_US);
    craft_init(&c);
    craft_eth_mac(&c, mac_broadcast, mac_client, CRAFT_ETH_ARP);
    put_arp_request(&c);
    craft_finish(&c);
    out_frame(o, &c);
}

/* ---- main */

static const struct file {
    const char *name;
    uint32_t linktype; /* classic pcap only */
    bool is_pcapng;
    void (*fill)(struct out *o);
} files[] = {
    {"vlan.pcap", LT_ETHERNET, false, gen_vlan},
    {"qinq.pcap", LT_ETHERNET, false, gen_qinq},
    {"mpls-pppoe.pcap", LT_ETHERNET, false, gen_mpls_pppoe},
    {"sll.pcap", LT_SLL, false, gen_sll},
    {"sll2.pcap", LT_SLL2, false, gen_sll2},
    {"raw.pcap", LT_RAW, false, gen_raw},
    {"null.pcap", LT_NULL, false, gen_null},
    {"loop.pcap", LT_LOOP, false, gen_loop},
    {"truncated.pcap", LT_ETHERNET, false, gen_truncated},
    {"malformed.pcap", LT_ETHERNET, false, gen_malformed},
    {"other.pcap", LT_ETHERNET, false, gen_other},
    {"multi-link.pcapng", 0, true, gen_multi_link},
    {"anomalies.pcap", LT_ETHERNET, false, gen_anomalies},
    {"findings.pcap", LT_ETHERNET, false, gen_findings},
};

#define SNAPLEN 65535

static int write_file(const char *dir, const struct file *f)
{
    char path[4096];
    struct out o = {.ts_us = TS_START_US};
    unsigned count;
    int rc;

    if (snprintf(path, sizeof path, "%s/%s", dir, f->name) >= (int)sizeof path) {
        fprintf(stderr, "pcapgen: %s/%s: path too long\n", dir, f->name);
        return -1;
    }
    if (f->is_pcapng)
        o.ng = craft_pcapng_open(path);
    else
        o.pcap = craft_pcap_open(path, f->linktype, SNAPLEN);
    if (o.ng == NULL && o.pcap == NULL) {
        perror(path);
        return -1;
    }
    f->fill(&o);
    if (f->is_pcapng) {
        count = craft_pcapng_count(o.ng);
        rc = craft_pcapng_close(o.ng);
    } else {
        count = craft_pcap_count(o.pcap);
        rc = craft_pcap_close(o.pcap);
    }
    if (rc < 0) {
        perror(path);
        return -1;
    }
    printf("%s: %u packets\n", path, count);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = EXIT_SUCCESS;
    if (argc != 2) {
        fprintf(stderr, "usage: pcapgen OUTDIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (write_file(argv[1], &files[i]) < 0)
            rc = EXIT_FAILURE;
    }
    return rc;
}
