/*
 * bare_loop.c - the baseline: a bare libpcap read loop over a file.
 *
 * Reads every packet with pcap_next_ex() and touches its header (the sum
 * of caplen keeps the compiler from dropping the loop), the least any tool
 * built on libpcap must do. wirestate's throughput is quoted as a ratio to
 * this loop over the same file in the same benchmark run.
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: bare_loop FILE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == NULL) {
        fprintf(stderr, "bare_loop: %s: %s\n", argv[1], err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long packets = 0, bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen + data[0];
    }
    pcap_close(p);
    printf("%llu packets %llu\n", packets, bytes);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
