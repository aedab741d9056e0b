/*
 * zdict.c -- the LZ4 dictionary transcript blocks are compressed with
 * (why: zdict.h).
 *
 * The dictionary's bytes are engine/zdict1.txt, copied into the program's
 * read-only data by the assembler's .incbin (as server/page.c embeds the
 * page); CMake passes the file's path as LECTERN_ZDICT1.  Compressing
 * copies a stream state that has the dictionary loaded (LZ4_loadDict
 * once per process; lz4.h names copying such a state as a way to reuse a
 * dictionary).  Decompressing writes each block right after a copy of the
 * dictionary, where LZ4 reads the dictionary as the block's prefix (its
 * fast path; from a dictionary elsewhere it decodes about 2.5 times
 * slower), in a buffer per thread (the dictionary copied in at its first
 * use), then copies the block out.
 */
#include <lz4.h>
#include <pthread.h>
#include <string.h>

#include "zdict.h"

#ifndef LECTERN_ZDICT1
#error "LECTERN_ZDICT1 must name engine/zdict1.txt (set by engine/CMakeLists.txt)"
#endif

__asm__(".pushsection .rodata\n"
        ".type lx_zdict1_bytes, @object\n"
        "lx_zdict1_bytes:\n"
        ".incbin \"" LECTERN_ZDICT1 "\"\n"
        "lx_zdict1_end:\n"
        ".size lx_zdict1_bytes, . - lx_zdict1_bytes\n"
        ".balign 8\n"
        ".type lx_zdict1_len, @object\n"
        "lx_zdict1_len:\n"
        ".quad lx_zdict1_end - lx_zdict1_bytes\n"
        ".size lx_zdict1_len, 8\n"
        ".popsection\n");
extern const char lx_zdict1_bytes[];
extern const size_t lx_zdict1_len;

const char *lx_zdict(unsigned id, size_t *len) {
    if (id != LX_ZDICT_1) {
        *len = 0;
        return NULL;
    }
    *len = lx_zdict1_len;
    return lx_zdict1_bytes;
}

uint64_t lx_zdict_hash(unsigned id) {
    size_t n;
    const unsigned char *p = (const unsigned char *)lx_zdict(id, &n);
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; p && i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* ---- compressing ------------------------------------------------------------------------- */

static LZ4_stream_t loaded; /* the current dictionary loaded, never written after */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_dict(void) {
    size_t n;
    const char *d = lx_zdict(LX_ZDICT_CURRENT, &n);
    LZ4_initStream(&loaded, sizeof loaded);
    LZ4_loadDict(&loaded, d, (int)n);
}

int lx_zdict_compress(const char *src, char *dst, int n, int cap) {
    pthread_once(&load_once, load_dict);
    LZ4_stream_t s;
    memcpy(&s, &loaded, sizeof s);
    return LZ4_compress_fast_continue(&s, src, dst, n, cap, 1);
}

/* ---- decompressing ----------------------------------------------------------------------- */

/* Per thread (no allocation: nothing to fail on the query path): a copy
 * of the dictionary last used, then room for one block. */
#define STAGE_DICT_MAX 65536
static __thread struct {
    unsigned id; /* whose bytes dict holds (0: none yet) */
    int dlen;
    char dict[STAGE_DICT_MAX];
    char block[LX_ZDICT_BLOCK_MAX];
} stage;

int lx_zdict_decompress(unsigned id, const char *src, int zn, char *dst, int want, int blen) {
    if (blen < 0 || (unsigned)blen > LX_ZDICT_BLOCK_MAX)
        return -1;
    if (stage.id != id) {
        size_t dlen;
        const char *d = lx_zdict(id, &dlen);
        if (!d || dlen > STAGE_DICT_MAX)
            return -1;
        /* at the end of dict, so that the block follows it */
        stage.dlen = (int)dlen;
        memcpy(stage.dict + STAGE_DICT_MAX - dlen, d, dlen);
        stage.id = id;
    }
    const char *d = stage.dict + STAGE_DICT_MAX - stage.dlen;
    int n = want < blen ? LZ4_decompress_safe_partial_usingDict(src, stage.block, zn, want, blen, d,
                                                                stage.dlen)
                        : LZ4_decompress_safe_usingDict(src, stage.block, zn, blen, d, stage.dlen);
    if (n > 0)
        memcpy(dst, stage.block, (size_t)n);
    return n < 0 ? -1 : n;
}
