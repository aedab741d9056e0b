/* bitmap.h -- bitmaps over docids [0, next_doc): one bit per lecture, in
 * u64 words (internal). */
#ifndef LX_BITMAP_H
#define LX_BITMAP_H
#include <stddef.h>
#include <stdint.h>

/* Sets the first ndocs bits of b (words long), clears the rest. */
void lx_bitmap_fill(uint64_t *b, size_t words, uint32_t ndocs);

/* Sets the bits of n u32 docids (unaligned, as LMDB stores them). */
void lx_bitmap_set_list(uint64_t *b, size_t words, const void *docs, size_t n);

/* b &= the set of n u32 docids (tmp: scratch of words words). */
void lx_bitmap_and_list(uint64_t *b, uint64_t *tmp, size_t words, const void *docs, size_t n);

/* Bits set in a & b over n words (b NULL: in a). */
uint64_t lx_bitmap_count_and(const uint64_t *a, const uint64_t *b, size_t n);
#endif
