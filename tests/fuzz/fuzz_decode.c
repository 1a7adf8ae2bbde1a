/*
 * fuzz_decode.c - libFuzzer target for the packet decoder.
 *
 * The first input byte picks the link type, the rest is the frame; the
 * second byte also shortens the wire length claim relative to the captured
 * length, so truncation and padding paths are both reached. Built with
 * -DWST_FUZZ=ON (clang); run e.g. build-fuzz/tests/fuzz_decode -max_total_time=60.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wirestate/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    enum wst_link link = (enum wst_link)(data[0] % WST_LINK__COUNT);
    uint32_t extra = data[1];
    /* A copy of exactly the frame's size, so ASan sees any read past it. */
    size_t len = size - 2;
    uint8_t *frame = malloc(len ? len : 1);
    if (frame == NULL)
        return 0;
    memcpy(frame, data + 2, len);
    struct wst_segment seg;
    enum wst_decode_status st = wst_decode(link, frame, (uint32_t)len, (uint32_t)len + extra, &seg);
    if (st >= WST_DECODE__COUNT)
        abort();
    if (st == WST_DECODE_TCP) {
        if (seg.payload_caplen > seg.payload_len)
            abort();
        if (seg.payload && (seg.payload < frame || seg.payload + seg.payload_caplen > frame + len))
            abort();
        struct wst_tcp_options opt;
        wst_decode_tcp_options(frame, &seg, &opt); /* any segment's options, in bounds */
        if (opt.sack_blocks > WST_MAX_SACK_BLOCKS)
            abort();
    }
    free(frame);
    return 0;
}
