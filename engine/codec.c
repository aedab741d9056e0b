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

void lx_bitunpack(const uint8_t *in, size_t n, unsigned bits, uint32_t *out) {
    if (!bits) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1);
    size_t nbytes = lx_bitpack_bytes(n, bits);
    uint64_t acc = 0;
    unsigned have = 0;
    size_t ip = 0;
    for (size_t i = 0; i < n; i++) {
        while (have < bits) {
            uint64_t b = ip < nbytes ? in[ip] : 0;
            ip++;
            acc |= b << have;
            have += 8;
        }
        out[i] = (uint32_t)acc & mask;
        acc >>= bits;
        have -= bits;
    }
}
