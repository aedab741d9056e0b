/* codec.h -- integer codecs for posting lists (internal).
 *
 * vbyte: 7 bits a byte, low bits first, high bit set on every byte but
 * the last.  Bit packing: n values of a fixed width, LSB first, in
 * ceil(n*bits/8) bytes. */
#ifndef LX_CODEC_H
#define LX_CODEC_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline size_t lx_vbyte_put(uint8_t *p, uint32_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Decodes one value; never reads past end (a truncated value reads as
 * what was there). */
static inline const uint8_t *lx_vbyte_get(const uint8_t *p, const uint8_t *end, uint32_t *v) {
    if (p < end && *p < 0x80) { /* most values (tfs, position gaps) fit one byte */
        *v = *p;
        return p + 1;
    }
    uint32_t x = 0;
    int shift = 0;
    while (p < end) {
        uint8_t b = *p++;
        x |= (uint32_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
        if (shift > 28) {
            /* Corrupt: stop at this byte. */
            break;
        }
    }
    *v = x;
    return p;
}

/* Skips k vbyte values (a block's positions before the doc asked about:
 * some hundreds of bytes for a common word).  A value ends at a byte
 * without the high bit: 32 bytes a step while more than 32 values are
 * left (each word's ends in its byte lanes, the four words' lanes added
 * before the one multiply that sums them: no popcount instruction in a
 * portable build), then 8, and the k-th end found in its word by
 * clearing the ends before it, not byte by byte. */
static inline const uint8_t *lx_vbyte_skip(const uint8_t *p, const uint8_t *end, uint32_t k) {
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    if (!k)
        return p;
    while (k > 32 && end - p >= 32) { /* 32 bytes end at most 32 values */
        uint64_t w[4];
        memcpy(w, p, 32);
        uint64_t lanes = ((~w[0] & high) >> 7) + ((~w[1] & high) >> 7) + ((~w[2] & high) >> 7) +
                         ((~w[3] & high) >> 7);
        k -= (uint32_t)((lanes * ones) >> 56);
        p += 32;
    }
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t m = ~w & high;
        uint32_t ends = (uint32_t)(((m >> 7) * ones) >> 56);
        if (ends >= k) {
            while (--k)
                m &= m - 1;
            return p + (__builtin_ctzll(m) >> 3) + 1;
        }
        k -= ends;
        p += 8;
    }
    while (k && p < end) {
        if (!(*p++ & 0x80))
            k--;
    }
    return p;
}

/* Skips k vbyte values, adding them to *sum (modulo 2^32, each read as
 * lx_vbyte_get reads it).  Eight one-byte values at a time where eight
 * bytes in a row have no high bit (tfs mostly do not). */
static inline const uint8_t *lx_vbyte_sum(const uint8_t *p, const uint8_t *end, uint32_t k,
                                          uint32_t *sum) {
    uint32_t s = *sum;
    while (k) {
        if (k >= 8 && end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & 0x8080808080808080ull)) {
                /* bytes summed in 16-bit lanes, then the lanes by one multiply */
                w = (w & 0x00ff00ff00ff00ffull) + ((w >> 8) & 0x00ff00ff00ff00ffull);
                s += (uint32_t)((w * 0x0001000100010001ull) >> 48);
                p += 8;
                k -= 8;
                continue;
            }
        }
        uint32_t v;
        p = lx_vbyte_get(p, end, &v);
        s += v;
        k--;
    }
    *sum = s;
    return p;
}

/* Bits needed for v (0 for 0). */
static inline unsigned lx_bits(uint32_t v) {
    return v ? 32u - (unsigned)__builtin_clz(v) : 0u;
}

/* Packs n values of `bits` bits into out; returns bytes written. */
size_t lx_bitpack(const uint32_t *in, size_t n, unsigned bits, uint8_t *out);

/* Unpacks n gaps of `bits` bits from in (which holds at least
 * ceil(n*bits/8) bytes) into the docids after first:
 * out[i] = out[i-1] + gap[i] + 1, with out[-1] = first. */
void lx_bitunpack_gaps(const uint8_t *in, size_t n, unsigned bits, uint32_t first, uint32_t *out);

static inline size_t lx_bitpack_bytes(size_t n, unsigned bits) {
    return (n * bits + 7) / 8;
}
#endif
