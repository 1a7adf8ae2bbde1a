/*
 * fuzz_pcapng.c - libFuzzer target for the capture file reader: the input
 * is a whole file, pcapng or classic pcap, read to its end or its first
 * error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wirestate/pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errbuf[WST_ERRBUF_SIZE];
    if (size == 0)
        return 0;
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (fp == NULL)
        return 0;
    struct wst_pcapng *r;
    if (wst_pcapng_open_any(&r, fp, errbuf) < 0)
        return 0;
    struct wst_pcapng_packet pkt;
    unsigned long sum = 0;
    int rc;
    while ((rc = wst_pcapng_next(r, &pkt, errbuf)) > 0) {
        if (pkt.caplen > pkt.wirelen)
            abort();
        for (uint32_t i = 0; i < pkt.caplen; i++)
            sum += pkt.data[i]; /* every byte handed out must be readable */
    }
    wst_pcapng_close(r);
    return (int)(sum & 0); /* keep the reads */
}
