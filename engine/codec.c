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

/* Gap i starts at bit i * bits: one unaligned 8-byte load (little-
 * endian, as everything we store) holds it whole, since its first bit is
 * at most 7 into the load and it has at most 32 bits.  The last few gaps,
 * whose load would pass the end of the input, are read from a padded copy.
 * Inlined once per width, so shifts and masks are constants; the docids
 * are summed in the same pass. */
static inline __attribute__((always_inline)) void
unpack_width(const uint8_t *in, size_t n, const unsigned bits, uint32_t *out, uint32_t prev) {
    const uint64_t mask = bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1);
    size_t nbytes = lx_bitpack_bytes(n, bits);
    size_t fast = nbytes >= 8 ? ((nbytes - 8) * 8) / bits + 1 : 0; /* loads that fit */
    if (fast > n)
        fast = n;
    size_t i = 0, off = 0;
    /* Eight gaps take exactly `bits` bytes: in groups of eight, each
     * load's offset and shift is a constant (half the instructions). */
    for (; i + 8 <= fast; i += 8, off += 8 * bits) {
        const uint8_t *g = in + (off >> 3);
#pragma GCC unroll 8
        for (unsigned k = 0; k < 8; k++) {
            uint64_t w;
            memcpy(&w, g + ((k * bits) >> 3), 8);
            out[i + k] = prev += (uint32_t)((w >> ((k * bits) & 7)) & mask) + 1;
        }
    }
    for (; i < fast; i++, off += bits) {
        uint64_t w;
        memcpy(&w, in + (off >> 3), 8);
        out[i] = prev += (uint32_t)((w >> (off & 7)) & mask) + 1;
    }
    if (i < n) {
        uint8_t tail[16] = {0};
        size_t tb = off >> 3;
        memcpy(tail, in + tb, nbytes - tb);
        for (; i < n; i++, off += bits) {
            uint64_t w;
            memcpy(&w, tail + ((off >> 3) - tb), 8);
            out[i] = prev += (uint32_t)((w >> (off & 7)) & mask) + 1;
        }
    }
}

/* One case per width, so that each gets its own constant-width loop. */
#define UNPACK_CASE(b)                                                                             \
    case b:                                                                                        \
        unpack_width(in, n, b, out, first);                                                        \
        return

void lx_bitunpack_gaps(const uint8_t *in, size_t n, unsigned bits, uint32_t first, uint32_t *out) {
    switch (bits) {
    case 0:
        for (size_t i = 0; i < n; i++)
            out[i] = first + (uint32_t)i + 1;
        return;
        // clang-format off
    UNPACK_CASE(1); UNPACK_CASE(2); UNPACK_CASE(3); UNPACK_CASE(4); UNPACK_CASE(5);
    UNPACK_CASE(6); UNPACK_CASE(7); UNPACK_CASE(8); UNPACK_CASE(9); UNPACK_CASE(10);
    UNPACK_CASE(11); UNPACK_CASE(12); UNPACK_CASE(13); UNPACK_CASE(14); UNPACK_CASE(15);
    UNPACK_CASE(16); UNPACK_CASE(17); UNPACK_CASE(18); UNPACK_CASE(19); UNPACK_CASE(20);
    UNPACK_CASE(21); UNPACK_CASE(22); UNPACK_CASE(23); UNPACK_CASE(24); UNPACK_CASE(25);
    UNPACK_CASE(26); UNPACK_CASE(27); UNPACK_CASE(28); UNPACK_CASE(29); UNPACK_CASE(30);
    UNPACK_CASE(31); UNPACK_CASE(32);
        // clang-format on
    default:
        return; /* wider than 32: never written */
    }
}
#undef UNPACK_CASE
