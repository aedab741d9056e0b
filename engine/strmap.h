/* strmap.h -- a hash map from byte strings to uint32 values, keys copied
 * into an arena (internal).  Open addressing, power-of-two table, FNV-1a.
 * Used by the writer for its term table and word cache.  A slot also holds
 * the key's first LX_STRMAP_HEAD bytes, so that a lookup of a short key
 * (most words) compares it without reading the arena: on a large map that
 * read is a cache miss the writer's pipeline (accum.c) does not prefetch. */
#ifndef LX_STRMAP_H
#define LX_STRMAP_H
#include <stddef.h>
#include <stdint.h>

#define LX_STRMAP_HEAD 12 /* a slot is 32 bytes */

typedef struct lx_strmap {
    struct lx_strmap_slot {
        uint32_t hash;
        uint32_t len;
        const char *key; /* NULL = empty */
        uint32_t value;
        char head[LX_STRMAP_HEAD]; /* key's first bytes (fewer if shorter) */
    } * slots;
    size_t cap, n;
    char **chunks; /* arena */
    size_t nchunks, used, chunk_cap;
    size_t bytes; /* memory held */
} lx_strmap;

void lx_strmap_init(lx_strmap *m);
void lx_strmap_free(lx_strmap *m);
/* Empties m but keeps its table's capacity and its largest arena chunk, so
 * that a map refilled to the same size (a writer's per-batch maps) neither
 * grows nor rehashes again nor faults its pages back in. */
void lx_strmap_clear(lx_strmap *m);

static inline uint32_t lx_hash(const void *p, size_t n) {
    const unsigned char *s = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

/* Finds key; returns a pointer to its value or NULL. */
uint32_t *lx_strmap_get(lx_strmap *m, const char *key, size_t len, uint32_t hash);

/* Inserts key (which must be absent) with value; returns a pointer to the
 * stored value, and the arena copy of the key in *stored when not NULL.
 * NULL on out of memory. */
uint32_t *lx_strmap_put(lx_strmap *m, const char *key, size_t len, uint32_t hash, uint32_t value,
                        const char **stored);
#endif
