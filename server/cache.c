/*
 * cache.c -- the response cache: whole JSON answers of search and related,
 * keyed by everything that shapes them, valid for one index version.
 *
 * A query asked again (the site's popular topics, a page reloaded, the same
 * student paging back) is answered by copying bytes instead of ranking,
 * building snippets and counting facets again.  An entry carries the
 * index version (lx_index_version) it was computed at; a lookup at any
 * other version is a miss and drops the entry, so a committed write is
 * never hidden by an old answer, whichever process made it.  The version is
 * read before the search: an answer computed on a newer snapshot than its
 * version says can only be dropped early, never served stale.
 *
 * The cache is split into SHARDS parts by key hash, each with its own
 * mutex, LRU list and byte budget (cfg.cache_bytes / SHARDS): a lookup
 * holds one shard's lock for a hash probe and a copy, and two pool threads
 * meet on a lock only when their keys fall in the same shard.  An entry is
 * one allocation: the header, the key, then the body.
 *
 * "took_ms" is the one member that must not be replayed: the body is
 * stored with the span of its value, and a hit writes the time the lookup
 * itself took there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SHARDS 16
#define BUCKETS 1024 /* per shard, a power of two */

typedef struct entry {
    struct entry *hnext;       /* bucket chain */
    struct entry *prev, *next; /* LRU list, most recent first */
    uint64_t hash, version;
    size_t klen, blen;
    size_t took_off, took_end; /* the took_ms value within the body */
    char data[];               /* key, then body */
} entry;

typedef struct shard {
    pthread_mutex_t lock;
    entry *bucket[BUCKETS];
    entry *head, *tail;
    size_t bytes, budget;
    size_t entries;
} shard;

static shard *g_shards; /* NULL: the cache is off */
static atomic_ulong g_hits, g_misses;

/* FNV-1a, 64 bits: keys are short and hashing them is not the cost. */
static uint64_t hash_key(const char *k, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t entry_size(const entry *e) {
    return sizeof *e + e->klen + e->blen;
}

static void lru_unlink(shard *s, entry *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(shard *s, entry *e) {
    e->prev = NULL;
    e->next = s->head;
    if (s->head)
        s->head->prev = e;
    s->head = e;
    if (!s->tail)
        s->tail = e;
}

/* Unlinks e from its bucket and the LRU list and frees it. */
static void drop(shard *s, entry *e) {
    entry **p = &s->bucket[(e->hash >> 32) & (BUCKETS - 1)];
    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    lru_unlink(s, e);
    s->bytes -= entry_size(e);
    s->entries--;
    free(e);
}

static entry *find(shard *s, uint64_t h, const char *key, size_t klen) {
    entry *e = s->bucket[(h >> 32) & (BUCKETS - 1)];
    for (; e; e = e->hnext)
        if (e->hash == h && e->klen == klen && memcmp(e->data, key, klen) == 0)
            return e;
    return NULL;
}

int cache_init(size_t bytes) {
    if (bytes == 0)
        return 0;
    g_shards = calloc(SHARDS, sizeof *g_shards);
    if (!g_shards)
        return -1;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&g_shards[i].lock, NULL);
        g_shards[i].budget = bytes / SHARDS;
    }
    return 0;
}

void cache_free(void) {
    if (!g_shards)
        return;
    for (int i = 0; i < SHARDS; i++) {
        while (g_shards[i].head)
            drop(&g_shards[i], g_shards[i].head);
        pthread_mutex_destroy(&g_shards[i].lock);
    }
    free(g_shards);
    g_shards = NULL;
}

int cache_on(void) {
    return g_shards != NULL;
}

char *cache_get(const char *key, size_t klen, uint64_t version, double t0, size_t *len) {
    if (!g_shards)
        return NULL;
    uint64_t h = hash_key(key, klen);
    shard *s = &g_shards[h % SHARDS];
    char *out = NULL;
    pthread_mutex_lock(&s->lock);
    entry *e = find(s, h, key, klen);
    if (e && e->version != version) {
        drop(s, e);
        e = NULL;
    }
    if (e) {
        lru_unlink(s, e);
        lru_push_front(s, e);
        const char *body = e->data + e->klen;
        char took[32];
        int tn = snprintf(took, sizeof took, "%.3f", (srv_now() - t0) * 1e3);
        size_t tail = e->blen - e->took_end;
        out = malloc(e->took_off + (size_t)tn + tail + 1);
        if (out) {
            memcpy(out, body, e->took_off);
            memcpy(out + e->took_off, took, (size_t)tn);
            memcpy(out + e->took_off + tn, body + e->took_end, tail);
            *len = e->took_off + (size_t)tn + tail;
            out[*len] = '\0';
        }
    }
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add(out ? &g_hits : &g_misses, 1);
    return out;
}

void cache_put(const char *key, size_t klen, uint64_t version, const char *body, size_t blen,
               size_t took_off, size_t took_end) {
    if (!g_shards || took_off > took_end || took_end > blen)
        return;
    uint64_t h = hash_key(key, klen);
    shard *s = &g_shards[h % SHARDS];
    size_t need = sizeof(entry) + klen + blen;
    if (need > s->budget / 8) /* one answer never takes a large part of a shard */
        return;
    entry *n = malloc(need);
    if (!n)
        return;
    memset(n, 0, sizeof *n);
    n->hash = h;
    n->version = version;
    n->klen = klen;
    n->blen = blen;
    n->took_off = took_off;
    n->took_end = took_end;
    memcpy(n->data, key, klen);
    memcpy(n->data + klen, body, blen);
    pthread_mutex_lock(&s->lock);
    entry *old = find(s, h, key, klen);
    if (old)
        drop(s, old);
    entry **b = &s->bucket[(h >> 32) & (BUCKETS - 1)];
    n->hnext = *b;
    *b = n;
    lru_push_front(s, n);
    s->bytes += need;
    s->entries++;
    while (s->bytes > s->budget && s->tail)
        drop(s, s->tail);
    pthread_mutex_unlock(&s->lock);
}

void cache_stats(cache_stat *out) {
    memset(out, 0, sizeof *out);
    out->hits = atomic_load(&g_hits);
    out->misses = atomic_load(&g_misses);
    if (!g_shards)
        return;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &g_shards[i];
        pthread_mutex_lock(&s->lock);
        out->bytes += s->bytes;
        out->entries += s->entries;
        out->budget += s->budget;
        pthread_mutex_unlock(&s->lock);
    }
}
