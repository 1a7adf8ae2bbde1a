/*
 * craft.h - test-only packet crafting and capture-file writers.
 *
 * A frame is built front to back, one call per header, so a test reads like
 * a packet script:
 *
 *     struct craft c;
 *     craft_init(&c);
 *     craft_eth(&c, CRAFT_ETH_VLAN);
 *     craft_vlan(&c, 100, CRAFT_ETH_IPV4);
 *     craft_ipv4(&c, "192.0.2.1", "198.51.100.2", CRAFT_IP_TCP);
 *     craft_tcp(&c, 40000, 80, 1000, 0, CRAFT_SYN, 64240, NULL, 0, 0);
 *     size_t len = craft_finish(&c);
 *
 * Each call writes exactly its own header; the field that names the next
 * header (an ethertype, an IP protocol) is always an explicit argument of
 * the call before it. Lengths and checksums are left zero while building and
 * filled in by craft_finish(), innermost header first, so a tunnel's outer
 * checksums cover the finished inner packet. After craft_finish() a test may
 * poke any byte (c.buf[c.ip_off] = 0x55) to make a frame malformed; nothing
 * is recomputed after that.
 *
 * The library is for tests and generators: a misuse (buffer overflow, a bad
 * address string, too many headers) prints a message and aborts.
 */
#ifndef WST_TEST_CRAFT_H
#define WST_TEST_CRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CRAFT_MAX_FRAME 4096 /* bytes of one crafted frame */
#define CRAFT_MAX_FIXUPS 24  /* headers with a length or checksum to fill */
#define CRAFT_NONE SIZE_MAX  /* an offset that was not set */

/* Ethertypes and related values used by the helpers and tests. */
enum {
    CRAFT_ETH_IPV4 = 0x0800,
    CRAFT_ETH_ARP = 0x0806,
    CRAFT_ETH_VLAN = 0x8100,  /* IEEE 802.1Q C-tag */
    CRAFT_ETH_QINQ = 0x88A8,  /* IEEE 802.1ad S-tag */
    CRAFT_ETH_QINQ_OLD1 = 0x9100,
    CRAFT_ETH_QINQ_OLD2 = 0x9200,
    CRAFT_ETH_IPV6 = 0x86DD,
    CRAFT_ETH_MPLS = 0x8847,
    CRAFT_ETH_MPLS_MC = 0x8848,
    CRAFT_ETH_PPPOE_DISC = 0x8863,
    CRAFT_ETH_PPPOE = 0x8864,
    CRAFT_ETH_LLDP = 0x88CC,
    CRAFT_ETH_PBB = 0x88E7,   /* IEEE 802.1ah I-Tag */
    CRAFT_ETH_VNTAG = 0x8926,
    CRAFT_ETH_ETAG = 0x893F,  /* IEEE 802.1BR */
    CRAFT_PPP_IPV4 = 0x0021,
    CRAFT_PPP_IPV6 = 0x0057,
    CRAFT_PPP_LCP = 0xC021,
};

/* IP protocol / IPv6 next-header numbers (IANA "Assigned Internet Protocol Numbers"). */
enum {
    CRAFT_IP_HOPOPTS = 0,
    CRAFT_IP_ICMP = 1,
    CRAFT_IP_IPIP = 4,
    CRAFT_IP_TCP = 6,
    CRAFT_IP_UDP = 17,
    CRAFT_IP_IPV6 = 41,
    CRAFT_IP_ROUTING = 43,
    CRAFT_IP_FRAGMENT = 44,
    CRAFT_IP_GRE = 47,
    CRAFT_IP_ESP = 50,
    CRAFT_IP_AH = 51,
    CRAFT_IP_ICMPV6 = 58,
    CRAFT_IP_NONE = 59,
    CRAFT_IP_DSTOPTS = 60,
};

/* TCP flags (the 14th byte of the header). */
enum {
    CRAFT_FIN = 0x01,
    CRAFT_SYN = 0x02,
    CRAFT_RST = 0x04,
    CRAFT_PSH = 0x08,
    CRAFT_ACK = 0x10,
    CRAFT_URG = 0x20,
    CRAFT_ECE = 0x40,
    CRAFT_CWR = 0x80,
};

/* Linux cooked-capture packet types (the sll_pkttype field). */
enum {
    CRAFT_SLL_HOST = 0,     /* addressed to this host */
    CRAFT_SLL_OUTGOING = 4, /* sent by this host */
};

/* BSD loopback address families (the 4-byte DLT_NULL / DLT_LOOP header). */
enum {
    CRAFT_AF_INET = 2,
    CRAFT_AF_INET6_LINUX = 10,
    CRAFT_AF_INET6_BSD = 24, /* NetBSD, OpenBSD */
    CRAFT_AF_INET6_FREEBSD = 28,
    CRAFT_AF_INET6_DARWIN = 30,
};

/* A length or checksum craft_finish() fills in (private to craft.c). */
struct craft_fixup {
    uint8_t kind;
    size_t off; /* the header's offset in the frame */
    size_t ip;  /* enclosing IP header (for pseudo-header checksums) */
    size_t aux; /* IPv6: offset of a Jumbo Payload option's HBH header */
};

/*
 * One frame under construction. buf[0..len) is the frame; the offsets name
 * the most recently added IP header, L4 header and L4 payload (CRAFT_NONE
 * when absent) so a test can poke fields after craft_finish().
 */
struct craft {
    uint8_t buf[CRAFT_MAX_FRAME];
    size_t len;
    size_t ip_off;      /* last IPv4/IPv6 header */
    size_t l4_off;      /* last TCP/UDP/ICMP/ICMPv6 header */
    size_t payload_off; /* first byte after that L4 header */
    size_t nfix;
    struct craft_fixup fix[CRAFT_MAX_FIXUPS];
};

/* A TCP option list under construction (at most 40 bytes, RFC 9293 §3.1). */
struct craft_opts {
    uint8_t b[40];
    size_t len;
};

/* Empties c: no bytes, no offsets, no fixups. */
void craft_init(struct craft *c);

/*
 * Fills lengths and checksums, innermost header first: IPv4 total length
 * and header checksum, IPv6 payload length (or Jumbo Payload), UDP length,
 * PPPoE length, 802.3 length, and TCP/UDP/ICMP/ICMPv6 checksums. Returns
 * the frame length. Bytes appended afterwards (craft_bytes() as Ethernet
 * padding) are not covered by any length.
 */
size_t craft_finish(struct craft *c);

/* ---- raw bytes */

/* Appends n bytes from data, or n zero bytes when data is NULL. */
void craft_bytes(struct craft *c, const void *data, size_t n);

/* Appends n bytes of the pattern 'a'..'z' repeated (byte i is 'a' + i % 26). */
void craft_pattern(struct craft *c, size_t n);

/* Big-endian stores at an offset already inside the frame (for pokes). */
void craft_put16(struct craft *c, size_t off, uint16_t v);
void craft_put32(struct craft *c, size_t off, uint32_t v);

/* ---- link layers */

/* Ethernet II with fixed MACs (src 02:00:00:00:00:01, dst 02:00:00:00:00:02). */
void craft_eth(struct craft *c, uint16_t ethertype);

/* Ethernet II with the given MACs. */
void craft_eth_mac(struct craft *c, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype);

/* IEEE 802.3 header whose length field craft_finish() fills; follow with LLC. */
void craft_eth_8023(struct craft *c);

/* LLC/SNAP header AA AA 03 00 00 00 + ethertype (RFC 1042). */
void craft_llc_snap(struct craft *c, uint16_t ethertype);

/*
 * An 802.1Q/802.1ad tag body: the TCI (12-bit VLAN ID plus PCP and DEI in
 * the top bits) and the next ethertype. The TPID is the ethertype written
 * by the header before it.
 */
void craft_vlan(struct craft *c, uint16_t tci, uint16_t next_ethertype);

/* Cisco VN-Tag body: 4 tag bytes, then the next ethertype. */
void craft_vntag(struct craft *c, uint16_t next_ethertype);

/* IEEE 802.1BR E-Tag body: 6 tag bytes, then the next ethertype. */
void craft_etag(struct craft *c, uint16_t next_ethertype);

/* IEEE 802.1ah I-Tag: 4 bytes (24-bit I-SID), then an inner Ethernet header. */
void craft_pbb_itag(struct craft *c, uint32_t isid, uint16_t inner_ethertype);

/* One MPLS label stack entry (RFC 3032): label, TC 0, S = bottom, TTL 64. */
void craft_mpls(struct craft *c, uint32_t label, bool bottom);

/* The 4-byte pseudowire control word (RFC 4385), all zero; follow with craft_eth(). */
void craft_pw_control_word(struct craft *c);

/* PPPoE session header (RFC 2516; ver 1, type 1, code 0, session 0x0001) and PPP protocol. */
void craft_pppoe(struct craft *c, uint16_t ppp_proto);

/* Linux cooked header v1 (16 bytes) with an Ethernet address; proto is an ethertype. */
void craft_sll(struct craft *c, uint16_t pkttype, uint16_t proto);

/* Linux cooked header v2 (20 bytes, interface index 1). */
void craft_sll2(struct craft *c, uint16_t pkttype, uint16_t proto);

/* BSD loopback header: the 4-byte family in little- or big-endian order (LOOP is big-endian). */
void craft_null(struct craft *c, uint32_t af, bool big_endian);

/* ---- network layers */

/*
 * IPv4 header (RFC 791): IHL 5, TTL 64, ID 0, DF set, the given protocol;
 * total length and checksum are filled by craft_finish(). src and dst are
 * dotted quads.
 */
void craft_ipv4(struct craft *c, const char *src, const char *dst, uint8_t proto);

/* Appends IP options to the IPv4 header just added (len a multiple of 4, <= 40). */
void craft_ipv4_options(struct craft *c, const uint8_t *opts, size_t len);

/* Sets the identification field of the last IPv4 header. */
void craft_ipv4_id(struct craft *c, uint16_t id);

/* Makes the last IPv4 header a fragment: offset in bytes (multiple of 8), MF bit; clears DF. */
void craft_ipv4_fragment(struct craft *c, uint16_t offset_bytes, bool more);

/* IPv6 header (RFC 8200): hop limit 64, no traffic class or flow label. */
void craft_ipv6(struct craft *c, const char *src, const char *dst, uint8_t next);

/*
 * An IPv6 extension header of `type` (0, 43, 60, 135, 139, 140 or 51 = AH)
 * of len bytes (a multiple of 8; of 4 for AH), with the given next header
 * and the length byte; the other bytes are zero (Pad1 options, or a routing
 * header of type 0 with segments left 0). The previous header's next field
 * must already say `type`.
 */
void craft_ipv6_ext(struct craft *c, uint8_t type, uint8_t next, size_t len);

/* An IPv6 fragment header (44): offset in bytes (multiple of 8), M bit, identification. */
void craft_ipv6_frag(struct craft *c, uint8_t next, uint16_t offset_bytes, bool more, uint32_t id);

/*
 * An 8-byte hop-by-hop header holding a Jumbo Payload option (RFC 2675);
 * craft_finish() then sets the IPv6 payload length to 0 and the option to
 * the real length. The IPv6 header's next field must be 0.
 */
void craft_ipv6_jumbo(struct craft *c, uint8_t next);

/* Sets the TTL / hop limit of the last IP header. */
void craft_ip_ttl(struct craft *c, uint8_t ttl);

/* ---- transport layers */

/*
 * TCP header (RFC 9293) with optlen option bytes (padded with EOL to a
 * multiple of 4) and payload_len bytes of craft_pattern(). The checksum is
 * filled by craft_finish(). Must follow an IP header.
 */
void craft_tcp(struct craft *c, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
               uint8_t flags, uint16_t win, const uint8_t *opts, size_t optlen, size_t payload_len);

/* UDP header with payload_len bytes of pattern; length and checksum filled by craft_finish(). */
void craft_udp(struct craft *c, uint16_t sport, uint16_t dport, size_t payload_len);

/* UDP header only; append the payload with other calls (a tunnel's inner frame). */
void craft_udp_header(struct craft *c, uint16_t sport, uint16_t dport);

/* ICMP (RFC 792) or ICMPv6 (RFC 4443) echo request with payload_len bytes of pattern. */
void craft_icmp_echo(struct craft *c, uint16_t id, uint16_t seq, size_t payload_len);
void craft_icmpv6_echo(struct craft *c, uint16_t id, uint16_t seq, size_t payload_len);

/*
 * An ICMP (RFC 792) error of `type` and `code` after an IPv4 header, or an
 * ICMPv6 (RFC 4443) one after an IPv6 header: the 8-byte header (type,
 * code, checksum, 4 unused bytes left zero) and quote_len bytes of quote,
 * the start of the datagram it reports on (often the IP header of another
 * crafted frame: c2.buf + c2.ip_off). The checksum is filled by
 * craft_finish().
 */
void craft_icmp_error(struct craft *c, uint8_t type, uint8_t code, const uint8_t *quote, size_t quote_len);

/* GRE header (RFC 2784) without checksum, key or sequence: flags 0, protocol. */
void craft_gre(struct craft *c, uint16_t proto);

/* VXLAN header (RFC 7348): flags 0x08 (VNI valid), 24-bit VNI; follow with craft_eth(). */
void craft_vxlan(struct craft *c, uint32_t vni);

/* ---- TCP option lists */

/* Empties o. */
void craft_opts_init(struct craft_opts *o);
void craft_opt_nop(struct craft_opts *o);
void craft_opt_eol(struct craft_opts *o);
void craft_opt_mss(struct craft_opts *o, uint16_t mss);
void craft_opt_wscale(struct craft_opts *o, uint8_t shift);
void craft_opt_sack_perm(struct craft_opts *o);
void craft_opt_timestamp(struct craft_opts *o, uint32_t val, uint32_t ecr);
/* A SACK option with n blocks of (left, right) edges, n <= 4. */
void craft_opt_sack(struct craft_opts *o, const uint32_t (*blocks)[2], size_t n);
/* Any bytes, for malformed lists. */
void craft_opt_raw(struct craft_opts *o, const void *bytes, size_t n);

/* ---- classic pcap writer (little-endian, microsecond timestamps) */

struct craft_pcap;

/*
 * Creates path and writes a pcap file header for LINKTYPE_ linktype and the
 * snapshot length snaplen. Returns the writer, or NULL (errno set) when the
 * file cannot be created.
 */
struct craft_pcap *craft_pcap_open(const char *path, uint32_t linktype, uint32_t snaplen);

/*
 * Writes one record: ts_us since the epoch, caplen of data captured of a
 * wirelen-byte frame. caplen is first cut to the file's snaplen, as a
 * capture would; wirelen must be >= caplen.
 */
void craft_pcap_write(struct craft_pcap *w, uint64_t ts_us, const uint8_t *data, uint32_t caplen,
                      uint32_t wirelen);

/* Number of records written so far. */
unsigned craft_pcap_count(const struct craft_pcap *w);

/* Closes and frees w. Returns 0, or -1 if any write or the close failed. */
int craft_pcap_close(struct craft_pcap *w);

/* ---- minimal pcapng writer (one section, if_tsresol 6 = microseconds) */

struct craft_pcapng;

/* Creates path and writes a Section Header Block. Returns NULL (errno set) on failure. */
struct craft_pcapng *craft_pcapng_open(const char *path);

/*
 * Writes an Interface Description Block with its own link type and snaplen
 * and returns the new interface's id (0, 1, ...). Add every interface
 * before the first packet that uses it.
 */
uint32_t craft_pcapng_add_interface(struct craft_pcapng *w, uint32_t linktype, uint32_t snaplen);

/* Writes an Enhanced Packet Block on interface ifid; caplen is cut to that interface's snaplen. */
void craft_pcapng_write(struct craft_pcapng *w, uint32_t ifid, uint64_t ts_us, const uint8_t *data,
                        uint32_t caplen, uint32_t wirelen);

/* Number of packets written so far. */
unsigned craft_pcapng_count(const struct craft_pcapng *w);

/* Closes and frees w. Returns 0, or -1 if any write or the close failed. */
int craft_pcapng_close(struct craft_pcapng *w);

#endif
