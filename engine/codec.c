/* codec.c -- bit packing of docid deltas, one width per block of 128:
 * simple, branch-light and fast enough in plain C (Lemire & Boytsov's
 * BP128 idea without SIMD). */
#include <string.h>

#include "codec.h"

size_t lx_bitpack(const uint32_t *in, size_t n, unsigned bits, uint8_t *out) {
    size_t bytes = lx_bitpack_bytes(n, bits);
    if (!bits)
        return 0;
    memset(out, 0, bytes);
    uint64_t acc = 0;
    unsigned have = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= (uint64_t)in[i] << have;
        have += bits;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    if (have)
        out[o++] = (uint8_t)acc;
    return bytes;
}

/* Value i starts at bit i * bits: one unaligned 8-byte load (little-
 * endian, as everything we store) holds it whole, since its first bit is
 * at most 7 into the load and it has at most 32 bits.  The last few values,
 * whose load would pass the end of the input, are read from a padded copy.
 * Inlined once per width, so shifts and masks are constants. */
static inline __attribute__((always_inline)) void unpack_width(const uint8_t *in, size_t n,
                                                               const unsigned bits, uint32_t *out,
                                                               const int gaps, uint32_t prev) {
    const uint64_t mask = bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1);
    size_t nbytes = lx_bitpack_bytes(n, bits);
    size_t fast = nbytes >= 8 ? ((nbytes - 8) * 8) / bits + 1 : 0; /* loads that fit */
    if (fast > n)
        fast = n;
    size_t i = 0, off = 0;
    for (; i < fast; i++, off += bits) {
        uint64_t w;
        memcpy(&w, in + (off >> 3), 8);
        uint32_t v = (uint32_t)((w >> (off & 7)) & mask);
        out[i] = gaps ? (prev += v + 1) : v;
    }
    if (i < n) {
        /* The rest starts in the last 8 bytes: load it from a zero-padded
         * copy. */
        uint8_t tail[16] = {0};
        size_t tb = off >> 3;
        memcpy(tail, in + tb, nbytes - tb);
        for (; i < n; i++, off += bits) {
            uint64_t w;
            memcpy(&w, tail + ((off >> 3) - tb), 8);
            uint32_t v = (uint32_t)((w >> (off & 7)) & mask);
            out[i] = gaps ? (prev += v + 1) : v;
        }
    }
}

#define UNPACK_WIDTHS(gaps, prev)                                                                  \
    W(1, gaps, prev) W(2, gaps, prev) W(3, gaps, prev) W(4, gaps, prev) W(5, gaps, prev)           \
    W(6, gaps, prev) W(7, gaps, prev) W(8, gaps, prev) W(9, gaps, prev) W(10, gaps, prev)          \
    W(11, gaps, prev) W(12, gaps, prev) W(13, gaps, prev) W(14, gaps, prev) W(15, gaps, prev)      \
    W(16, gaps, prev) W(17, gaps, prev) W(18, gaps, prev) W(19, gaps, prev) W(20, gaps, prev)      \
    W(21, gaps, prev) W(22, gaps, prev) W(23, gaps, prev) W(24, gaps, prev) W(25, gaps, prev)      \
    W(26, gaps, prev) W(27, gaps, prev) W(28, gaps, prev) W(29, gaps, prev) W(30, gaps, prev)      \
    W(31, gaps, prev) W(32, gaps, prev)
#define W(b, gaps, prev)                                                                           \
    case b:                                                                                        \
        unpack_width(in, n, b, out, gaps, prev);                                                   \
        return;

void lx_bitunpack(const uint8_t *in, size_t n, unsigned bits, uint32_t *out) {
    switch (bits) {
    case 0:
        memset(out, 0, n * sizeof *out);
        return;
        UNPACK_WIDTHS(0, 0)
    default:
        return; /* wider than 32: never written */
    }
}

void lx_bitunpack_gaps(const uint8_t *in, size_t n, unsigned bits, uint32_t first, uint32_t *out) {
    switch (bits) {
    case 0:
        for (size_t i = 0; i < n; i++)
            out[i] = first + (uint32_t)i + 1;
        return;
        UNPACK_WIDTHS(1, first)
    default:
        return;
    }
}
#undef W
