/* strmap.c -- see strmap.h. */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* Arena chunks start small (a map per query is common) and double up to
 * CHUNK_MAX. */
#define CHUNK_MIN (4u << 10)
#define CHUNK_MAX (1u << 20)

void lx_strmap_init(lx_strmap *m) {
    memset(m, 0, sizeof *m);
}

void lx_strmap_free(lx_strmap *m) {
    for (size_t i = 0; i < m->nchunks; i++)
        free(m->chunks[i]);
    free(m->chunks);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

void lx_strmap_clear(lx_strmap *m) {
    if (m->slots)
        memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->n = 0;
    /* Every chunk but the largest (the last) goes; the next key starts it
     * again from its beginning. */
    for (size_t i = 0; i + 1 < m->nchunks; i++)
        free(m->chunks[i]);
    if (m->nchunks > 1) {
        m->chunks[0] = m->chunks[m->nchunks - 1];
        m->nchunks = 1;
    }
    m->used = 0;
    m->bytes = m->cap * sizeof *m->slots + (m->nchunks ? m->chunk_cap : 0);
}

uint32_t *lx_strmap_get(lx_strmap *m, const char *key, size_t len, uint32_t hash) {
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1, head = len < LX_STRMAP_HEAD ? len : LX_STRMAP_HEAD;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        struct lx_strmap_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->hash == hash && s->len == len && memcmp(s->head, key, head) == 0 &&
            (len == head || memcmp(s->key + head, key + head, len - head) == 0))
            return &s->value;
    }
}

static int grow(lx_strmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct lx_strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        struct lx_strmap_slot *s = &m->slots[i];
        if (!s->key)
            continue;
        size_t j = s->hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    m->bytes += (cap - m->cap) * sizeof *slots;
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

static char *arena_copy(lx_strmap *m, const char *key, size_t len) {
    if (!m->nchunks || m->used + len + 1 > m->chunk_cap) {
        size_t cap = m->chunk_cap ? m->chunk_cap * 2 : CHUNK_MIN;
        if (cap > CHUNK_MAX)
            cap = CHUNK_MAX;
        if (cap < len + 1)
            cap = len + 1;
        char **c = realloc(m->chunks, (m->nchunks + 1) * sizeof *c);
        if (!c)
            return NULL;
        m->chunks = c;
        if (!(c[m->nchunks] = malloc(cap)))
            return NULL;
        m->nchunks++;
        m->used = 0;
        m->chunk_cap = cap;
        m->bytes += cap;
    }
    char *p = m->chunks[m->nchunks - 1] + m->used;
    memcpy(p, key, len);
    p[len] = 0;
    m->used += len + 1;
    return p;
}

uint32_t *lx_strmap_put(lx_strmap *m, const char *key, size_t len, uint32_t hash, uint32_t value,
                        const char **stored) {
    if ((m->n + 1) * 4 > m->cap * 3 && grow(m))
        return NULL;
    char *k = arena_copy(m, key, len);
    if (!k)
        return NULL;
    size_t mask = m->cap - 1, i = hash & mask;
    while (m->slots[i].key)
        i = (i + 1) & mask;
    m->slots[i].hash = hash;
    m->slots[i].len = (uint32_t)len;
    m->slots[i].key = k;
    m->slots[i].value = value;
    memcpy(m->slots[i].head, key, len < LX_STRMAP_HEAD ? len : LX_STRMAP_HEAD);
    m->n++;
    if (stored)
        *stored = k;
    return &m->slots[i].value;
}
