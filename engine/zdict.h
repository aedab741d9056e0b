/* zdict.h -- the LZ4 dictionary transcript blocks are compressed with
 * (internal).
 *
 * A transcript is stored in small blocks, each compressed on its own so
 * that a snippet decompresses only the text around its window (store.c).
 * On its own a block of a few hundred bytes compresses poorly: LZ4 finds
 * its matches in what came before, and a small block has little before
 * it.  Each block is therefore compressed as if the same 64 KiB of
 * ordinary lecture text came just before it (LZ4's dictionary): common
 * words and phrases are found there.  The dictionary is built into the
 * program, never read from the index: a lecture's header names the one it
 * was written with (lx_dochdr.zdict), and a dictionary, once released,
 * never changes (a new one would get a new id beside it; test_check pins
 * dictionary 1's bytes).  Dictionary 1 is engine/zdict1.txt: 64 KiB of the
 * transcripts of the sample corpus (corpus/lectures), written for Lectern,
 * in its seven languages, English last (nearest to the block, so the
 * cheapest to refer to). */
#ifndef LX_ZDICT_H
#define LX_ZDICT_H
#include <stddef.h>
#include <stdint.h>

#define LX_ZDICT_NONE 0u /* each block on its own (format 5) */
#define LX_ZDICT_1 1u
#define LX_ZDICT_CURRENT LX_ZDICT_1 /* what lx_zdict_compress writes */

/* The largest block (1 << zshift) a dictionary-compressed body may have:
 * a block is decompressed right after a copy of the dictionary (LZ4 reads
 * it fastest there), in a per-thread buffer with this much room. */
#define LX_ZDICT_BLOCK_MAX (1u << 12)

/* Dictionary id's bytes and length, or NULL for an unknown id. */
const char *lx_zdict(unsigned id, size_t *len);

/* Compresses n bytes of src into dst (cap bytes of room) with the current
 * dictionary.  Returns the compressed length, or 0 when it does not fit
 * (LZ4_compress_fast_continue's). */
int lx_zdict_compress(const char *src, char *dst, int n, int cap);

/* Decompresses one block written with dictionary id (zn bytes at src,
 * blen bytes of text) into dst, at least its first `want` bytes (all when
 * want >= blen).  Returns the bytes written, or -1 when the block is
 * damaged, id unknown or blen above LX_ZDICT_BLOCK_MAX.  Allocates nothing. */
int lx_zdict_decompress(unsigned id, const char *src, int zn, char *dst, int want, int blen);

/* FNV-1a of dictionary id's bytes (test_check pins dictionary 1's). */
uint64_t lx_zdict_hash(unsigned id);

#endif
