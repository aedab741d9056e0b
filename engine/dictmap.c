/* dictmap.c -- the compiled dictionaries: one read-only file, mapped and
 * read in place (dictmap.h describes the layout). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dictmap.h"
#include "dmap_id.h"
#include "strmap.h"

static const char magic[8] = "LXDMAP1";

/* A table's filter (the layout above): where, how many 64-byte blocks,
 * and the block and three bits of a key of hash h. */
static uint64_t filter_at(uint64_t tab, uint32_t cap) {
    return (tab + 8ull * cap + 63) & ~63ull;
}

static uint32_t filter_blocks(uint32_t cap) {
    return cap >= 128 ? cap / 128 : 1;
}

static size_t filter_bits(uint32_t h, uint32_t nb, unsigned bit[3]) {
    uint64_t x = h * 0x9E3779B97F4A7C15ull;
    bit[0] = (unsigned)(x & 511);
    bit[1] = (unsigned)(x >> 9 & 511);
    bit[2] = (unsigned)(x >> 18 & 511);
    return (size_t)(x >> 32 & (nb - 1)) * 64;
}

const char *lx_dmap_code_id(void) {
    return LX_DMAP_CODE_ID;
}

static uint64_t fnv64(const char *s) {
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int lx_dmap_path(const char *dir, char *out, size_t cap) {
    const char *d = getenv("LECTERN_DICT_MAP_DIR"), *x = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char base[4096];
    if (d && d[0])
        snprintf(base, sizeof base, "%s", d);
    else if (x && x[0] == '/')
        snprintf(base, sizeof base, "%s/lectern", x);
    else if (home && home[0])
        snprintf(base, sizeof base, "%s/.cache/lectern", home);
    else
        return -1;
    char real[4096];
    if (!realpath(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    int n = snprintf(out, cap, "%s/dicts-%016llx-%.16s.lxd", base, (unsigned long long)fnv64(real),
                     LX_DMAP_CODE_ID);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int lx_dmap_open(lx_dmap *m, const char *path, uint64_t fingerprint, const char **why) {
    memset(m, 0, sizeof *m);
    *why = "missing";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    void *p = fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(lx_dmap_head)
                  ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)
                  : MAP_FAILED;
    close(fd);
    *why = "damaged";
    if (p == MAP_FAILED)
        return -1;
    m->base = p;
    m->size = (size_t)st.st_size;
    m->head = p;
    const lx_dmap_head *h = m->head;
    size_t ptab = sizeof *h + (size_t)h->npairs * sizeof(lx_dmap_pair);
    if (memcmp(h->magic, magic, 8) || h->size != m->size || h->npairs > LX_DICT_MAX_PAIRS ||
        h->nreal > h->npairs || ptab > m->size)
        goto bad;
    if (h->version != LX_DMAP_VERSION || h->fingerprint != fingerprint) {
        *why = "stale";
        goto bad;
    }
    m->pairs = (const lx_dmap_pair *)(m->base + sizeof *h);
    if (h->nlangs > LX_DICT_MAX_PAIRS || h->langs % 8 || h->langs > m->size ||
        (m->size - h->langs) / sizeof(lx_dmap_lang) < h->nlangs)
        goto bad;
    m->langs = (const lx_dmap_lang *)(m->base + h->langs);
    for (uint32_t l = 0; l < h->nlangs; l++) {
        const lx_dmap_lang *g = &m->langs[l];
        if ((g->wblocks & (g->wblocks - 1)) || (g->sblocks & (g->sblocks - 1)) ||
            g->wfilt > m->size || (m->size - g->wfilt) / 64 < g->wblocks || g->sfilt > m->size ||
            (m->size - g->sfilt) / 64 < g->sblocks || (g->wscap & (g->wscap - 1)) ||
            (g->sscap & (g->sscap - 1)) || g->wset > m->size ||
            (m->size - g->wset) / 8 < g->wscap || g->sset > m->size ||
            (m->size - g->sset) / 8 < g->sscap || memchr(g->code, 0, 8) == NULL)
            goto bad;
    }
    for (uint32_t i = 0; i < h->npairs; i++) {
        const lx_dmap_pair *q = &m->pairs[i];
        if ((q->wcap & (q->wcap - 1)) || (q->scap & (q->scap - 1)) ||
            (q->wcap && filter_at(q->wtab, q->wcap) + 64ull * filter_blocks(q->wcap) > m->size) ||
            (q->scap && filter_at(q->stab, q->scap) + 64ull * filter_blocks(q->scap) > m->size) ||
            q->rev < 0 || q->rev > (int32_t)h->npairs || memchr(q->from, 0, 8) == NULL ||
            memchr(q->to, 0, 8) == NULL || memchr(q->name, 0, 24) == NULL)
            goto bad;
    }
    return 0;
bad:
    lx_dmap_close(m);
    return -1;
}

void lx_dmap_close(lx_dmap *m) {
    if (m->base)
        munmap((void *)m->base, m->size);
    memset(m, 0, sizeof *m);
}

static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* Whether the filter of nb blocks at byte at may hold a key of hash h. */
static int filter_has(const lx_dmap *m, uint64_t at, uint32_t nb, uint32_t h) {
    unsigned bit[3];
    const uint8_t *f = m->base + at + filter_bits(h, nb, bit);
    return (f[bit[0] / 8] >> bit[0] % 8 & 1) && (f[bit[1] / 8] >> bit[1] % 8 & 1) &&
           (f[bit[2] / 8] >> bit[2] % 8 & 1);
}

/* Whether the filter of the table at tab (cap slots) may hold a key of hash h. */
static int filter_may(const lx_dmap *m, uint64_t tab, uint32_t cap, uint32_t h) {
    return filter_has(m, filter_at(tab, cap), filter_blocks(cap), h);
}

/* The record of key (lx_hash h) in a table of cap slots at tab whose
 * records hold the key at byte at after a u16 length (3 for a word, 2
 * for a stem or a language's key), or NULL; its filter unasked.  Every
 * offset is checked against the file's size. */
static const uint8_t *find(const lx_dmap *m, uint64_t tab, uint32_t cap, size_t at, const char *key,
                           size_t len, uint32_t h) {
    const uint8_t *slots = m->base + tab;
    for (uint32_t s = h & (cap - 1), k = 0; k < cap; s = (s + 1) & (cap - 1), k++) {
        uint32_t off = rd32(slots + 8 * (size_t)s + 4);
        if (!off)
            return NULL;
        if (rd32(slots + 8 * (size_t)s) != h || (size_t)off + at + len > m->size)
            continue;
        const uint8_t *r = m->base + off;
        if (rd16(r) == len && !memcmp(r + at, key, len))
            return r;
    }
    return NULL;
}

/* find, the table's filter asked first. */
static const uint8_t *probe(const lx_dmap *m, uint64_t tab, uint32_t cap, size_t at,
                            const char *key, size_t len) {
    if (!cap)
        return NULL;
    uint32_t h = lx_hash(key, len);
    return filter_may(m, tab, cap, h) ? find(m, tab, cap, at, key, len, h) : NULL;
}

const uint8_t *lx_dmap_word(const lx_dmap *m, int i, const char *key, size_t len) {
    const lx_dmap_pair *q = &m->pairs[i];
    return probe(m, q->wtab, q->wcap, 3, key, len);
}

const uint8_t *lx_dmap_stem(const lx_dmap *m, int i, const char *term, size_t len) {
    const lx_dmap_pair *q = &m->pairs[i];
    /* A stem record: u16 length, the term, u32 its word's offset. */
    const uint8_t *r = probe(m, q->stab, q->scap, 2, term, len);
    if (!r || (size_t)(r - m->base) + 6 + len > m->size)
        return NULL;
    uint32_t w = rd32(r + 2 + len);
    return w && (size_t)w + 3 <= m->size ? m->base + w : NULL;
}

void lx_dmap_prefetch(const lx_dmap *m, int i, int stems, uint32_t h) {
    const lx_dmap_pair *q = &m->pairs[i];
    uint32_t cap = stems ? q->scap : q->wcap;
    unsigned bit[3];
    uint64_t tab = stems ? q->stab : q->wtab;
    if (cap) { /* the table and its filter lie inside the file (lx_dmap_open) */
        __builtin_prefetch(m->base + filter_at(tab, cap) + filter_bits(h, filter_blocks(cap), bit));
        __builtin_prefetch(m->base + tab + 8 * (size_t)(h & (cap - 1)));
    }
}

int lx_dmap_lang_find(const lx_dmap *m, const char *code) {
    for (uint32_t l = 0; m->head && l < m->head->nlangs; l++)
        if (!strcmp(m->langs[l].code, code))
            return (int)l;
    return -1;
}

int lx_dmap_lang_may(const lx_dmap *m, int l, int stems, uint32_t h) {
    const lx_dmap_lang *g = &m->langs[l];
    uint32_t nb = stems ? g->sblocks : g->wblocks;
    return nb && filter_has(m, stems ? g->sfilt : g->wfilt, nb, h);
}

int lx_dmap_lang_has(const lx_dmap *m, int l, int stems, const char *key, size_t len) {
    const lx_dmap_lang *g = &m->langs[l];
    uint32_t cap = stems ? g->sscap : g->wscap, h = lx_hash(key, len);
    return lx_dmap_lang_may(m, l, stems, h) && cap &&
           find(m, stems ? g->sset : g->wset, cap, 2, key, len, h) != NULL;
}

void lx_dmap_lang_prefetch(const lx_dmap *m, int l, int stems, uint32_t h) {
    const lx_dmap_lang *g = &m->langs[l];
    uint32_t nb = stems ? g->sblocks : g->wblocks, cap = stems ? g->sscap : g->wscap;
    unsigned bit[3];
    if (nb)
        __builtin_prefetch(m->base + (stems ? g->sfilt : g->wfilt) + filter_bits(h, nb, bit));
    if (cap)
        __builtin_prefetch(m->base + (stems ? g->sset : g->wset) + 8 * (size_t)(h & (cap - 1)));
}

int lx_dmap_translations(const lx_dmap *m, const uint8_t *rec, lx_dict_tr *out, int max) {
    const uint8_t *end = m->base + m->size;
    size_t kl = rd16(rec);
    int n = rec[2];
    const uint8_t *p = rec + 3 + kl;
    for (int k = 0; k < n && k < max; k++) {
        if (p + 5 > end)
            return 0;
        size_t len = rd16(p + 3);
        if (len >= sizeof out[k].text || p + 5 + len > end)
            return 0;
        out[k].sense = rd16(p);
        out[k].ntok = p[2];
        out[k].len = len;
        memcpy(out[k].text, p + 5, len);
        out[k].text[len] = 0;
        p += 5 + len;
    }
    return n < max ? n : max;
}

/* ---- writing ---- */

/* Sets the three bits of a key of hash h in filter f of nb blocks. */
static void filter_add(uint8_t *f, uint32_t nb, uint32_t h) {
    unsigned bit[3];
    uint8_t *b = f + filter_bits(h, nb, bit);
    for (int j = 0; j < 3; j++)
        b[bit[j] / 8] |= (uint8_t)(1u << bit[j] % 8);
}

/* A source language's distinct keys (words, stems), gathered while its
 * pairs' tables are written, for its filters and tables at the end. */
typedef struct wlang {
    char code[8];
    lx_strmap keys[2];
} wlang;

struct lx_dmap_writer {
    FILE *f;
    char path[4096], tmp[4200];
    uint64_t at; /* bytes written */
    int err;
    int npairs, nreal, cur;
    lx_dmap_pair *pairs;
    uint32_t *tab; /* the table being filled: cap x {hash, off} */
    uint32_t cap;
    int stems;    /* filling the stem table */
    wlang *langs; /* at most one a pair */
    int nlangs;
    wlang *lang; /* the current pair's */
};

static void put(lx_dmap_writer *w, const void *p, size_t n) {
    if (!w->err && n && fwrite(p, 1, n, w->f) != n)
        w->err = 1;
    w->at += n;
}

/* The current pair's source language among w->langs, added when new. */
static wlang *cur_lang(lx_dmap_writer *w) {
    const char *code = w->pairs[w->cur].from;
    for (int l = 0; l < w->nlangs; l++)
        if (!strncmp(w->langs[l].code, code, sizeof w->langs[l].code))
            return &w->langs[l];
    wlang *g = &w->langs[w->nlangs++];
    memcpy(g->code, code, sizeof g->code);
    g->code[sizeof g->code - 1] = 0;
    lx_strmap_init(&g->keys[0]);
    lx_strmap_init(&g->keys[1]);
    return g;
}

/* Adds key (lx_hash h) to the current pair's language's keys of the
 * table being filled, when the pair is read as one (its stems: as a stem
 * map too) and the key is new there. */
static void collect(lx_dmap_writer *w, const char *key, size_t len, uint32_t h) {
    const lx_dmap_pair *q = &w->pairs[w->cur];
    if (q->state <= 0 || (w->stems && q->sstate <= 0))
        return;
    lx_strmap *k = &w->lang->keys[w->stems];
    if (!lx_strmap_get(k, key, len, h) && !lx_strmap_put(k, key, len, h, 1, NULL))
        w->err = 1;
}

/* Writes a filter of the n hashes h (64-byte aligned); its offset, and
 * its blocks in *nb (0 when n is: no filter). */
static uint64_t put_filter(lx_dmap_writer *w, const uint32_t *h, size_t n, uint32_t *nb) {
    static const char zero[64];
    *nb = 0;
    if (!n)
        return 0;
    uint32_t b = 1; /* a block of 512 bits for each 16 keys at most */
    while ((size_t)b * 16 < n && b < (1u << 26))
        b *= 2;
    uint8_t *f = calloc(b, 64);
    if (!f) {
        w->err = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        filter_add(f, b, h[i]);
    put(w, zero, (64 - w->at % 64) % 64);
    uint64_t off = w->at;
    put(w, f, (size_t)b * 64);
    free(f);
    *nb = b;
    return off;
}

static void free_langs(lx_dmap_writer *w) {
    for (int l = 0; w->langs && l < w->nlangs; l++)
        lx_strmap_free(&w->langs[l].keys[0]), lx_strmap_free(&w->langs[l].keys[1]);
    free(w->langs);
}

lx_dmap_writer *lx_dmap_create(const char *path, int npairs, int nreal) {
    lx_dmap_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    /* The directory, made if missing (one level under an existing one). */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        char *up = strrchr(dir, '/');
        if (up && up != dir) {
            *up = 0;
            mkdir(dir, 0755);
            *up = '/';
        }
        mkdir(dir, 0755);
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.%ld.tmp", path, (long)getpid());
    w->npairs = npairs;
    w->nreal = nreal;
    w->cur = -1;
    w->pairs = calloc((size_t)(npairs ? npairs : 1), sizeof *w->pairs);
    w->langs = calloc((size_t)(npairs ? npairs : 1), sizeof *w->langs);
    w->f = fopen(w->tmp, "wb");
    if (!w->pairs || !w->langs || !w->f) {
        lx_dmap_abort(w);
        return NULL;
    }
    lx_dmap_head h;
    memset(&h, 0, sizeof h);
    put(w, &h, sizeof h);
    for (int i = 0; i < npairs; i++)
        put(w, &w->pairs[i], sizeof w->pairs[i]);
    return w;
}

static void table_begin(lx_dmap_writer *w, size_t n) {
    uint32_t cap = 16;
    while (cap < 2 * n && cap < (1u << 30))
        cap *= 2;
    free(w->tab);
    w->tab = calloc((size_t)cap * 2, sizeof *w->tab);
    w->cap = w->tab ? cap : 0;
    if (!w->tab)
        w->err = 1;
}

/* Adds key at record offset off to the table being filled; its lx_hash. */
static uint32_t table_add(lx_dmap_writer *w, const char *key, size_t len, uint32_t off) {
    uint32_t h = lx_hash(key, len), i = h & (w->cap - 1);
    if (!w->cap || !off)
        return h;
    while (w->tab[2 * i + 1])
        i = (i + 1) & (w->cap - 1);
    w->tab[2 * i] = h;
    w->tab[2 * i + 1] = off;
    return h;
}

/* Writes the table being filled (8-byte aligned) and, when filter, its
 * filter; the table's offset. */
static uint64_t table_end(lx_dmap_writer *w, uint32_t *cap, int filter) {
    static const char zero[64];
    put(w, zero, (8 - w->at % 8) % 8);
    uint64_t off = w->at;
    put(w, w->tab, (size_t)w->cap * 8);
    if (!filter)
        goto done;
    put(w, zero, (64 - w->at % 64) % 64);
    uint32_t nb = filter_blocks(w->cap);
    uint8_t *f = calloc(nb, 64);
    if (!f)
        w->err = 1;
    for (uint32_t i = 0; f && i < w->cap; i++)
        if (w->tab[2 * i + 1])
            filter_add(f, nb, w->tab[2 * i]);
    if (f)
        put(w, f, (size_t)nb * 64);
    free(f);
done:
    *cap = w->cap;
    free(w->tab);
    w->tab = NULL;
    w->cap = 0;
    return off;
}

void lx_dmap_pair_begin(lx_dmap_writer *w, const lx_dmap_pair *meta, size_t nwords) {
    w->cur++;
    if (w->cur >= w->npairs) {
        w->err = 1;
        return;
    }
    w->pairs[w->cur] = *meta;
    w->pairs[w->cur].nwords = (uint32_t)nwords;
    w->lang = cur_lang(w);
    w->stems = 0;
    table_begin(w, nwords);
}

uint32_t lx_dmap_add_word(lx_dmap_writer *w, const char *key, size_t len, const lx_dict_tr *tr,
                          int n) {
    if (w->err || len > 65535 || n > 255 || w->at > UINT32_MAX - (1u << 20))
        return w->err = 1, 0;
    uint32_t off = (uint32_t)w->at;
    uint16_t kl = (uint16_t)len;
    uint8_t nn = (uint8_t)n;
    put(w, &kl, 2);
    put(w, &nn, 1);
    put(w, key, len);
    for (int k = 0; k < n; k++) {
        uint16_t sense = (uint16_t)tr[k].sense, tl = (uint16_t)tr[k].len;
        uint8_t ntok = (uint8_t)tr[k].ntok;
        put(w, &sense, 2);
        put(w, &ntok, 1);
        put(w, &tl, 2);
        put(w, tr[k].text, tr[k].len);
    }
    collect(w, key, len, table_add(w, key, len, off));
    return w->err ? 0 : off;
}

void lx_dmap_stems_begin(lx_dmap_writer *w, size_t nstems) {
    if (w->err || w->cur < 0)
        return;
    lx_dmap_pair *q = &w->pairs[w->cur];
    q->wtab = table_end(w, &q->wcap, 1);
    w->stems = 1;
    table_begin(w, nstems);
}

void lx_dmap_add_stem(lx_dmap_writer *w, const char *term, size_t len, uint32_t word) {
    if (w->err || len > 65535 || w->at > UINT32_MAX - (1u << 20)) {
        w->err = 1;
        return;
    }
    uint32_t off = (uint32_t)w->at;
    uint16_t tl = (uint16_t)len;
    put(w, &tl, 2);
    put(w, term, len);
    put(w, &word, 4);
    collect(w, term, len, table_add(w, term, len, off));
}

void lx_dmap_pair_end(lx_dmap_writer *w) {
    if (w->err || w->cur < 0)
        return;
    lx_dmap_pair *q = &w->pairs[w->cur];
    if (!w->stems)
        lx_dmap_stems_begin(w, 0);
    q->stab = table_end(w, &q->scap, 1);
    if (!q->scap || q->sstate <= 0) { /* an empty stem map answers as none */
        q->scap = 0;
    }
}

/* Writes a language's keys of map k (words 0, stems 1): each key as
 * u16 length and bytes, their filter into t's filter fields and their
 * table into its table fields. */
static void put_keys(lx_dmap_writer *w, const lx_strmap *keys, int k, lx_dmap_lang *t) {
    uint32_t *h = malloc((keys->n ? keys->n : 1) * sizeof *h);
    size_t n = 0;
    if (!h) {
        w->err = 1;
        return;
    }
    table_begin(w, keys->n);
    for (size_t i = 0; i < keys->cap && !w->err; i++) {
        const struct lx_strmap_slot *e = &keys->slots[i];
        if (!e->key)
            continue;
        uint16_t kl = (uint16_t)e->len;
        uint32_t off = (uint32_t)w->at;
        if (w->at > UINT32_MAX - (1u << 20))
            w->err = 1;
        put(w, &kl, 2);
        put(w, e->key, e->len);
        table_add(w, e->key, e->len, off);
        h[n++] = e->hash;
    }
    uint64_t *filt = k ? &t->sfilt : &t->wfilt, *set = k ? &t->sset : &t->wset;
    uint32_t *nb = k ? &t->sblocks : &t->wblocks, *cap = k ? &t->sscap : &t->wscap;
    *filt = put_filter(w, h, n, nb);
    *set = table_end(w, cap, 0);
    if (!n)
        *cap = 0;
    free(h);
}

/* Writes every language's keys, filters and tables, and the language
 * table; the table's offset. */
static uint64_t put_langs(lx_dmap_writer *w) {
    static const char zero[8];
    lx_dmap_lang *t = calloc((size_t)(w->nlangs ? w->nlangs : 1), sizeof *t);
    if (!t) {
        w->err = 1;
        return 0;
    }
    for (int l = 0; l < w->nlangs; l++) {
        const wlang *g = &w->langs[l];
        memcpy(t[l].code, g->code, sizeof t[l].code);
        put_keys(w, &g->keys[0], 0, &t[l]);
        put_keys(w, &g->keys[1], 1, &t[l]);
    }
    put(w, zero, (8 - w->at % 8) % 8);
    uint64_t off = w->at;
    put(w, t, (size_t)w->nlangs * sizeof *t);
    free(t);
    return off;
}

/* Removes the files of the same dictionary directory made by other code
 * (another build) that nothing has rewritten for a day: each is as large
 * as this one, and a build still in use compiles its own again. */
static void remove_old(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    *slash = 0;
    const char *name = slash + 1; /* dicts-DIRHASH-... */
    size_t keep = strlen("dicts-") + 17;
    DIR *d = opendir(dir);
    struct dirent *de;
    time_t now = time(NULL);
    while (d && (de = readdir(d))) {
        char p[8192];
        struct stat st;
        if (strncmp(de->d_name, name, keep) || !strcmp(de->d_name, name))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) == 0 && st.st_mtime < now - 86400)
            unlink(p);
    }
    if (d)
        closedir(d);
}

int lx_dmap_finish(lx_dmap_writer *w, uint64_t fingerprint, size_t *bytes) {
    int rc = -1;
    uint64_t langs = w->err ? 0 : put_langs(w);
    if (!w->err && w->cur + 1 == w->npairs) {
        lx_dmap_head h = {{0},
                          LX_DMAP_VERSION,
                          (uint32_t)w->npairs,
                          (uint32_t)w->nreal,
                          (uint32_t)w->nlangs,
                          fingerprint,
                          w->at,
                          langs};
        memcpy(h.magic, magic, 8);
        if (fseek(w->f, 0, SEEK_SET) == 0 && fwrite(&h, sizeof h, 1, w->f) == 1 &&
            fwrite(w->pairs, sizeof *w->pairs, (size_t)w->npairs, w->f) == (size_t)w->npairs &&
            fflush(w->f) == 0 && fsync(fileno(w->f)) == 0)
            rc = 0;
    }
    if (fclose(w->f) != 0)
        rc = -1;
    w->f = NULL;
    if (rc == 0 && rename(w->tmp, w->path) != 0)
        rc = -1;
    if (rc == 0 && bytes)
        *bytes = (size_t)w->at;
    if (rc == 0)
        remove_old(w->path);
    if (rc != 0)
        unlink(w->tmp);
    free(w->pairs);
    free(w->tab);
    free_langs(w);
    free(w);
    return rc;
}

void lx_dmap_abort(lx_dmap_writer *w) {
    if (!w)
        return;
    if (w->f) {
        fclose(w->f);
        unlink(w->tmp);
    }
    free(w->pairs);
    free(w->tab);
    free_langs(w);
    free(w);
}
