/* dict.c -- Debian's FreeDict bilingual dictionaries, read in place.
 *
 * A pair is freedict-AAA-BBB.index and .dict.dz (dictd's format, read by
 * dictfmt.c); AAA and BBB are ISO 639-3 codes, mapped to 639-1 by
 * lx_language_lookup.
 *
 * The directory is listed once per process (pthread_once); a pair is
 * loaded when first used (its index parsed into a hash map, its .dict.dz
 * mapped), so a search pays only for the pairs its languages need; its
 * headwords' stems (every headword stemmed: 60% of a pair's load) only
 * when a stem is first looked up, which a query's language detection
 * mostly does not need (the words themselves decide it).
 *
 * All of that is done once, not per process, when the dictionaries are
 * compiled (lx_dict_compile: `lectern-index build` and `lectern-index
 * dicts`) into a file that dictmap.c maps: a process that finds it up to
 * date reads headwords, stems and translations in place from it, loads
 * nothing and answers exactly as the dictd files would (the file holds
 * what the functions below return).  A missing, stale or damaged file
 * leaves the process reading the dictd files as above, after a line on
 * stderr; $LECTERN_DICT_MAP=0 does so silently. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "dict.h"
#include "dictcache.h"
#include "dictfmt.h"
#include "dictlangs.h"
#include "dictmap.h"
#include "grow.h"
#include "text.h"

typedef struct entry {
    uint32_t off, len; /* in the uncompressed text */
    uint32_t next;     /* next entry of the same headword, UINT32_MAX = none */
} entry;

typedef struct pair {
    char from[LX_LANG_BYTES], to[LX_LANG_BYTES];
    char name[24];      /* freedict-AAA-BBB */
    int state;          /* 0 not loaded yet, 1 loaded, -1 unreadable (atomic) */
    int sstate;         /* the same for stems, loaded on their first use */
    pthread_mutex_t mu; /* held while loading */
    lx_strmap words;    /* normalised headword -> first entry */
    lx_strmap stems;    /* a one-word headword's term (stem.h) -> its first entry */
    entry *e;
    size_t ne;
    lx_dz z;         /* the mapped .dict.dz */
    int64_t dz_size; /* its size when listed, -1 unknown */
    /* A reversed pair (rev: its source pair + 1): words maps each
     * translation of the source's entries to its first rrec, chained by
     * next to the others; a rrec names the source's headword (its arena
     * key) and where the translation stood in its entry. */
    int rev;
    struct rrec {
        const char *hw;
        uint32_t hl, next;
        uint16_t rank;
    } * r;
    size_t nr;
} pair;

static pair pairs[LX_DICT_MAX_PAIRS];
static int npairs, nreal; /* every pair; those read from files (the reversed ones follow) */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The compiled dictionaries when up to date (mapped: then pairs[] holds
 * only each pair's languages and name), and a pair's first use there
 * (lx_dict_pair's word count is 0 until then, as when loading). */
static lx_dmap map;
static int mapped, compiling;
static int used[LX_DICT_MAX_PAIRS];
static uint64_t dicts_fp; /* the directory's fingerprint (dictmap.h) */

static inline void use(int i) {
    if (!__atomic_load_n(&used[i], __ATOMIC_RELAXED))
        __atomic_store_n(&used[i], 1, __ATOMIC_RELAXED);
}

const char *lx_dict_dir(void) {
    const char *d = getenv("LECTERN_DICT_DIR");
    return d && d[0] ? d : "/usr/share/dictd";
}

/* Adds one index line to p. */
static int index_line(pair *p, const char *s, const char *end, size_t *cap) {
    const char *t1 = memchr(s, '\t', (size_t)(end - s));
    const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
    if (!t2 || (end - s > 10 && !memcmp(s, "00database", 10)))
        return 0;
    char key[LX_TOKEN_BUF];
    int ntok;
    size_t kl = lx_dict_normalise(s, (size_t)(t1 - s), key, sizeof key, &ntok);
    uint32_t off = lx_dict_b64(t1 + 1, t2), len = lx_dict_b64(t2 + 1, end);
    if (!kl || off == UINT32_MAX || len == UINT32_MAX || len > (1u << 20))
        return 0;
    if (lx_grow(&p->e, sizeof *p->e, p->ne + 1, cap, 4096))
        return -1;
    uint32_t h = lx_hash(key, kl), id = (uint32_t)p->ne;
    uint32_t *v = lx_strmap_get(&p->words, key, kl, h);
    p->e[p->ne++] = (entry){off, len, UINT32_MAX};
    if (v) { /* senses in file order: append to the chain */
        uint32_t i = *v;
        while (p->e[i].next != UINT32_MAX)
            i = p->e[i].next;
        p->e[i].next = id;
        return 0;
    }
    return lx_strmap_put(&p->words, key, kl, h, id, NULL) ? 0 : -1;
}

static int load_index(pair *p, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *line = NULL;
    size_t lcap = 0, cap = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&line, &lcap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        rc = index_line(p, line, line + n, &cap);
    }
    free(line);
    fclose(f);
    return rc;
}

/* Each one-word headword under its term, as the index stems it in the
 * pair's source language ("sukupuoli" under "sukupuol"), so that an
 * inflected query word ("sukupuolten") finds its lemma's entry.  Where
 * headwords share a term, the first in the file (alphabetical: usually
 * the shortest, the lemma) keeps it. */
static int load_stems(pair *p) {
    lx_stemmers st;
    lx_stemmers_init(&st);
    int si = lx_stemmers_lookup(&st, p->from), rc = 0;
    for (size_t k = 0; si >= 0 && !rc && k < p->words.cap; k++) {
        const struct lx_strmap_slot *sl = &p->words.slots[k];
        if (!sl->key || memchr(sl->key, ' ', sl->len) || sl->len >= LX_TOKEN_BUF)
            continue;
        char t[LX_TOKEN_BUF];
        size_t tl = lx_stemmers_term(&st, si, sl->key, sl->len, t);
        uint32_t h = lx_hash(t, tl), id = sl->value;
        uint32_t *v = tl ? lx_strmap_get(&p->stems, t, tl, h) : NULL;
        if (tl && !v)
            rc = lx_strmap_put(&p->stems, t, tl, h, id, NULL) ? 0 : -1;
        else if (v && id < *v) /* entries are in file order */
            *v = id;
    }
    lx_stemmers_free(&st);
    return rc;
}

static void drop(pair *p) {
    lx_strmap_free(&p->words);
    lx_strmap_free(&p->stems);
    free(p->e);
    free(p->r);
    p->r = NULL;
    p->nr = 0;
    lx_dz_close(&p->z);
    p->e = NULL;
    p->ne = 0;
}

/* dir/name's first nl bytes + ext in path (cap bytes), cut as snprintf
 * would: a process lists every pair's two files (snprintf was ~1K
 * instructions a path, 88 of them). */
static void pair_path(char *path, size_t cap, const char *dir, const char *name, size_t nl,
                      const char *ext) {
    size_t dl = strlen(dir), el = strlen(ext), at = 0;
    const struct {
        const char *s;
        size_t n;
    } part[] = {{dir, dl}, {"/", 1}, {name, nl}, {ext, el}};
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
        size_t k = part[i].n < cap - 1 - at ? part[i].n : cap - 1 - at;
        memcpy(path + at, part[i].s, k);
        at += k;
    }
    path[at] = 0;
}

/* Lists freedict-AAA-BBB.index (with its .dict.dz, dz_size bytes when it
 * was listed, -1 when not there) as the next pair. */
static void open_pair(const char *dir, const char *name, int64_t dz_size) {
    char a[4], b[4], path[4096];
    if (strlen(name) != 22 || memcmp(name, "freedict-", 9) || name[12] != '-' ||
        strcmp(name + 16, ".index") || npairs == LX_DICT_MAX_PAIRS)
        return;
    memcpy(a, name + 9, 3);
    memcpy(b, name + 13, 3);
    a[3] = b[3] = 0;
    pair *p = &pairs[npairs];
    memset(p, 0, sizeof *p);
    char ca[3], cb[3];
    pair_path(path, sizeof path, dir, name, 16, ".dict.dz");
    if (lx_language_lookup(a, ca) < 0 || lx_language_lookup(b, cb) < 0 || access(path, R_OK))
        return;
    memcpy(p->from, ca, 3);
    memcpy(p->to, cb, 3);
    memcpy(p->name, name, 16);
    p->name[16] = 0;
    p->dz_size = dz_size;
    lx_strmap_init(&p->words);
    lx_strmap_init(&p->stems);
    pthread_mutex_init(&p->mu, NULL);
    npairs++;
}

/* Builds reversed pair p from its (loaded) source q: each translation of
 * each of q's entries, under its text, points to q's headword and says
 * where in the entry it stood, so that "sostenibilidad", which only
 * deu-spa's "Nachhaltigkeit" lists, leads back to "nachhaltigkeit". */
static int load_reverse(pair *p, const pair *q) {
    const char **hw = calloc(q->ne ? q->ne : 1, sizeof *hw);
    uint32_t *hl = calloc(q->ne ? q->ne : 1, sizeof *hl);
    char *all = NULL;
    size_t alen = 0, cap = 0;
    int rc = -1;
    if (!hw || !hl || lx_dz_inflate_all(&q->z, &all, &alen))
        goto out;
    for (size_t k = 0; k < q->words.cap; k++) {
        const struct lx_strmap_slot *sl = &q->words.slots[k];
        for (uint32_t id = sl->key ? sl->value : UINT32_MAX; id != UINT32_MAX; id = q->e[id].next)
            hw[id] = sl->key, hl[id] = sl->len;
    }
    rc = 0;
    for (size_t id = 0; id < q->ne && !rc; id++) {
        const entry *e = &q->e[id];
        if (!hw[id] || (size_t)e->off + e->len > alen)
            continue;
        char save = all[e->off + e->len];
        all[e->off + e->len] = 0;
        lx_dict_tr it[32];
        int n = lx_dict_entry_items(all + e->off, it, 0, 32);
        all[e->off + e->len] = save;
        for (int j = 0; j < n && !rc; j++) {
            if (lx_grow(&p->r, sizeof *p->r, p->nr + 1, &cap, 4096)) {
                rc = -1;
                break;
            }
            uint32_t h = lx_hash(it[j].text, it[j].len), rid = (uint32_t)p->nr;
            uint32_t *v = lx_strmap_get(&p->words, it[j].text, it[j].len, h);
            p->r[p->nr++] = (struct rrec){hw[id], hl[id], v ? *v : UINT32_MAX,
                                          (uint16_t)(j < 65535 ? j : 65535)};
            if (v)
                *v = rid;
            else if (!lx_strmap_put(&p->words, it[j].text, it[j].len, h, rid, NULL))
                rc = -1;
        }
    }
out:
    free(hw);
    free(hl);
    free(all);
    return rc;
}

static int cmp_rrec(const void *x, const void *y) {
    const struct rrec *a = *(const struct rrec *const *)x, *b = *(const struct rrec *const *)y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a < b ? -1 : a > b; /* then in the source's file order */
}

/* The headwords whose entries list translation id of reversed pair i,
 * those that list it first first; the count. */
static int read_reverse(int i, uint32_t id, lx_dict_tr *out, int max) {
    const pair *p = &pairs[i];
    const struct rrec *got[256];
    int ng = 0, n = 0;
    for (; id != UINT32_MAX && ng < 256; id = p->r[id].next)
        got[ng++] = &p->r[id];
    qsort(got, (size_t)ng, sizeof *got, cmp_rrec);
    for (int k = 0; k < ng && n < max; k++) {
        const struct rrec *r = got[k];
        int dup = r->hl >= sizeof out[n].text;
        for (int m = 0; m < n && !dup; m++)
            dup = out[m].len == r->hl && !memcmp(out[m].text, r->hw, r->hl);
        if (dup)
            continue;
        memcpy(out[n].text, r->hw, r->hl);
        out[n].text[r->hl] = 0;
        out[n].len = r->hl;
        out[n].sense = r->rank;
        out[n].ntok = 1;
        for (uint32_t c = 0; c < r->hl; c++)
            out[n].ntok += r->hw[c] == ' ';
        if (out[n].ntok <= 3)
            n++;
    }
    return n;
}

/* Loads pair i on first use; whether it is readable. */
static int ensure(int i) {
    pair *p = &pairs[i];
    if (mapped)
        return use(i), map.pairs[i].state > 0;
    int st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
    if (st)
        return st > 0;
    if (p->rev && !ensure(p->rev - 1)) {
        __atomic_store_n(&p->state, -1, __ATOMIC_RELEASE);
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    if (!(st = p->state) && p->rev) {
        st = load_reverse(p, &pairs[p->rev - 1]) == 0 && p->nr ? 1 : -1;
        if (st < 0)
            drop(p);
        __atomic_store_n(&p->state, st, __ATOMIC_RELEASE);
    } else if (!st) {
        char path[4096];
        const char *dir = lx_dict_dir();
        snprintf(path, sizeof path, "%s/%s.dict.dz", dir, p->name);
        int ok = lx_dz_open(&p->z, path) == 0;
        snprintf(path, sizeof path, "%s/%s.index", dir, p->name);
        ok = ok && load_index(p, path) == 0 && p->ne;
        if (!ok)
            drop(p);
        st = ok ? 1 : -1;
        __atomic_store_n(&p->state, st, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&p->mu);
    return st > 0;
}

/* Loads pair i and its stems on first use; whether both are there. */
static int ensure_stems(int i) {
    pair *p = &pairs[i];
    if (mapped)
        return use(i), map.pairs[i].state > 0 && map.pairs[i].sstate > 0;
    int st = __atomic_load_n(&p->sstate, __ATOMIC_ACQUIRE);
    if (st)
        return st > 0;
    /* A reversed pair's words are translations, often inflected or
     * phrases: looked up as they are only. */
    if (p->rev || !ensure(i))
        return 0;
    pthread_mutex_lock(&p->mu);
    if (!(st = p->sstate)) {
        st = load_stems(p) == 0 ? 1 : -1;
        if (st < 0)
            lx_strmap_free(&p->stems);
        __atomic_store_n(&p->sstate, st, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&p->mu);
    return st > 0;
}

static int cmp_name(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static uint64_t fp_mix(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

/* What the compiled file must have been made from: its format, this
 * build's code and utf8proc, the directory, and each dictd file's name, size and
 * modification time. */
static uint64_t fingerprint(const char *dir, char *const *names, int n, int64_t *dz_size) {
    uint64_t h = 14695981039346656037ull;
    uint32_t v = LX_DMAP_VERSION;
    const char *id = lx_dmap_code_id();
    h = fp_mix(h, &v, sizeof v);
    h = fp_mix(h, id, strlen(id) + 1);
    id = utf8proc_version(); /* the tokenizer's folding */
    h = fp_mix(h, id, strlen(id) + 1);
    h = fp_mix(h, dir, strlen(dir) + 1);
    for (int i = 0; i < n; i++) {
        char path[4096];
        size_t nl = strlen(names[i]);
        h = fp_mix(h, names[i], nl + 1);
        for (int f = 0; f < 2; f++) {
            struct stat st;
            /* freedict-AAA-BBB.index, then its .dict.dz */
            size_t keep = f == 1 && nl > 6 ? nl - 6 : nl;
            pair_path(path, sizeof path, dir, names[i], keep, f == 0 ? "" : ".dict.dz");
            int64_t m[3] = {-1, -1, -1};
            if (stat(path, &st) == 0) {
                m[0] = (int64_t)st.st_size;
                m[1] = (int64_t)st.st_mtim.tv_sec;
                m[2] = (int64_t)st.st_mtim.tv_nsec;
            }
            h = fp_mix(h, m, sizeof m);
            if (f == 1)
                dz_size[i] = m[0];
        }
    }
    return h;
}

/* Maps the compiled dictionaries when they are up to date and list the
 * pairs just listed, else says why on stderr. */
static void open_map(const char *dir) {
    const char *off = getenv("LECTERN_DICT_MAP"), *why = "missing";
    char path[4096];
    if (off && !strcmp(off, "0"))
        return;
    if (lx_dmap_path(dir, path, sizeof path)) {
        fprintf(stderr,
                "lectern: no cache directory for compiled dictionaries ($HOME unset); "
                "reading the FreeDict files in %s\n",
                dir);
        return;
    }
    if (lx_dmap_open(&map, path, dicts_fp, &why) == 0) {
        int same = map.head->npairs == (uint32_t)npairs && map.head->nreal == (uint32_t)nreal;
        for (int i = 0; i < npairs && same; i++)
            same = !strcmp(map.pairs[i].from, pairs[i].from) &&
                   !strcmp(map.pairs[i].to, pairs[i].to) &&
                   !strcmp(map.pairs[i].name, pairs[i].name) && map.pairs[i].rev == pairs[i].rev;
        if (same) {
            mapped = 1;
            return;
        }
        lx_dmap_close(&map);
        why = "stale";
    }
    fprintf(stderr,
            "lectern: compiled dictionaries %s %s; reading the FreeDict files in %s instead "
            "(slower; `lectern-index dicts` compiles them)\n",
            path, why, dir);
}

static void load(void) {
    const char *dir = lx_dict_dir();
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[LX_DICT_MAX_PAIRS];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < LX_DICT_MAX_PAIRS)
        if (!strncmp(de->d_name, "freedict-", 9) && strstr(de->d_name, ".index"))
            if ((names[n] = strdup(de->d_name)))
                n++;
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_name); /* the same order everywhere */
    int64_t dz_size[LX_DICT_MAX_PAIRS];
    dicts_fp = fingerprint(dir, names, n, dz_size);
    for (int i = 0; i < n; i++) {
        open_pair(dir, names[i], dz_size[i]);
        free(names[i]);
    }
    /* Every pair read backwards too (eng-spa as spa -> eng: the small
     * pairs of a language lack words their reverse has), except the
     * largest, whose reversal would cost more than it adds. */
    nreal = npairs;
    for (int i = 0; i < nreal && npairs < LX_DICT_MAX_PAIRS; i++) {
        if (pairs[i].dz_size < 0 || pairs[i].dz_size > LX_DICT_REVERSE_MAX)
            continue;
        pair *p = &pairs[npairs++];
        memset(p, 0, sizeof *p);
        memcpy(p->from, pairs[i].to, sizeof p->from);
        memcpy(p->to, pairs[i].from, sizeof p->to);
        memcpy(p->name, pairs[i].name, sizeof p->name);
        p->rev = i + 1;
        lx_strmap_init(&p->words);
        lx_strmap_init(&p->stems);
        pthread_mutex_init(&p->mu, NULL);
    }
    if (npairs && !compiling)
        open_map(dir);
}

int lx_dict_npairs(void) {
    pthread_once(&once, load);
    return npairs;
}

void lx_dict_warm(void) {
    int n = lx_dict_npairs();
    if (mapped) /* nothing to load */
        return;
    for (int i = 0; i < n; i++)
        if (!ensure_stems(i))
            ensure(i);
}

void lx_dict_pair(int i, const char **from, const char **to, size_t *nwords) {
    *from = pairs[i].from;
    *to = pairs[i].to;
    if (mapped)
        *nwords = __atomic_load_n(&used[i], __ATOMIC_RELAXED) && map.pairs[i].state > 0
                      ? map.pairs[i].nwords
                      : 0;
    else
        *nwords = __atomic_load_n(&pairs[i].state, __ATOMIC_ACQUIRE) > 0 ? pairs[i].words.n : 0;
}

int lx_dict_has(int i, const char *key, size_t len) {
    if (mapped)
        return ensure(i) && lx_dmap_word(&map, i, key, len) != NULL;
    return ensure(i) && lx_strmap_get(&pairs[i].words, key, len, lx_hash(key, len)) != NULL;
}

/* The translations of headword id of pair i read from its entries; -1
 * when out of memory. */
static int read_entries(int i, uint32_t id, lx_dict_tr *out, int max) {
    const pair *p = &pairs[i];
    if (p->rev)
        return read_reverse(i, id, out, max);
    lx_dz_reader r = {&p->z, malloc(p->z.chlen), UINT32_MAX, 0};
    int n = 0;
    if (!r.buf)
        return -1;
    for (; id != UINT32_MAX && n < max; id = p->e[id].next) {
        char *t = malloc(p->e[id].len + 1);
        if (!t) {
            n = -1;
            break;
        }
        if (lx_dz_read(&r, p->e[id].off, p->e[id].len, t) == 0)
            n = lx_dict_entry_items(t, out, n, max);
        free(t);
    }
    free(r.buf);
    return n;
}

/* The translations of headword id of pair i, through the cache. */
static int translate_id(int i, uint32_t id, lx_dict_tr *out, int max) {
    /* The first senses of the whole list are the list cut short, so one
     * cached list answers every max up to LX_DICT_MAX_SENSES. */
    if (max > LX_DICT_MAX_SENSES)
        return read_entries(i, id, out, max);
    int n = lx_dict_cache_get(i, id, out, max);
    if (n >= 0)
        return n;
    lx_dict_tr all[LX_DICT_MAX_SENSES];
    if ((n = read_entries(i, id, all, LX_DICT_MAX_SENSES)) < 0)
        return -1;
    lx_dict_cache_put(i, id, all, n);
    memcpy(out, all, (size_t)(n < max ? n : max) * sizeof *out);
    return n < max ? n : max;
}

/* translate_id, each translation's sense its place unless reversed. */
static int translate_ranked(int i, uint32_t id, lx_dict_tr *out, int max) {
    if (pairs[i].rev) /* in memory already: no cache */
        return read_reverse(i, id, out, max);
    int n = translate_id(i, id, out, max);
    for (int k = 0; k < n; k++)
        out[k].sense = k;
    return n;
}

int lx_dict_translate(int i, const char *key, size_t len, lx_dict_tr *out, int max) {
    if (!ensure(i))
        return 0;
    if (mapped) {
        const uint8_t *r = lx_dmap_word(&map, i, key, len);
        return r ? lx_dmap_translations(&map, r, out, max) : 0;
    }
    uint32_t *v = lx_strmap_get(&pairs[i].words, key, len, lx_hash(key, len));
    return v ? translate_ranked(i, *v, out, max) : 0;
}

/* The entry of term in pair i's stems, or of term cut by one or two
 * letters (at least 5 bytes kept): Snowball leaves some of an inflected
 * word's stem change ("sukupuolten" -> "sukupuolt", "sukupuoli" ->
 * "sukupuol"). */
/* term's length with its last letter (UTF-8 character) cut. */
static size_t cut_letter(const char *term, size_t len) {
    do
        len--;
    while (len && ((unsigned char)term[len] & 0xC0) == 0x80);
    return len;
}

static const void *find_stem(int i, const char *term, size_t len, int maxcut) {
    lx_strmap *m = &pairs[i].stems;
    for (int cut = 0; cut <= maxcut && len >= 5; cut++) {
        const void *v = mapped ? (const void *)lx_dmap_stem(&map, i, term, len)
                               : (const void *)lx_strmap_get(m, term, len, lx_hash(term, len));
        if (v)
            return v;
        len = cut_letter(term, len);
    }
    return NULL;
}

/* lx_dict_prefetch_any's read-ahead of pairs idx[0..n) one by one. */
static void prefetch_pairs(const int *idx, int n, const char *key, size_t len, int stems,
                           int mincut, int maxcut) {
    if (!mapped || !n)
        return;
    if (!stems)
        mincut = maxcut = 0;
    /* The cuts as find_stem makes them. */
    for (int cut = 0; cut <= maxcut && (!stems || len >= 5); cut++, len = cut_letter(key, len)) {
        uint32_t h = cut < mincut ? 0 : lx_hash(key, len);
        for (int j = 0; cut >= mincut && j < n; j++)
            lx_dmap_prefetch(&map, idx[j], stems, h);
    }
}

int lx_dict_lang(const char *code) {
    lx_dict_npairs();
    return mapped ? lx_dmap_lang_find(&map, code) : -1;
}

/* Whether some pair of idx[0..n), every pair from language lang, has key
 * (stems: as a stem term), asked of the compiled file's table of the
 * language's keys (dictmap.h), which holds exactly the keys those pairs'
 * look-ups find; the pairs count as used either way (as asked).  -1 when
 * there is no such table to ask (lang -1, or no compiled file). */
static int lang_has(int lang, const int *idx, int n, const char *key, size_t len, int stems) {
    if (lang < 0 || !mapped)
        return -1;
    for (int j = 0; j < n; j++)
        use(idx[j]);
    return lx_dmap_lang_has(&map, lang, stems, key, len);
}

int lx_dict_has_any(int lang, const int *idx, int n, const char *key, size_t len) {
    int r = lang_has(lang, idx, n, key, len, 0);
    if (r >= 0)
        return r;
    for (int j = 0; j < n; j++)
        if (lx_dict_has(idx[j], key, len))
            return 1;
    return 0;
}

int lx_dict_has_stem_any(int lang, const int *idx, int n, const char *term, size_t len,
                         int maxcut) {
    /* find_stem's cuts, each asked of the language first. */
    for (int cut = 0; cut <= maxcut && len >= 5; cut++, len = cut_letter(term, len)) {
        int r = lang_has(lang, idx, n, term, len, 1);
        if (r > 0)
            return 1;
        for (int j = 0; r < 0 && j < n; j++)
            if (ensure_stems(idx[j]) && find_stem(idx[j], term, len, 0))
                return 1;
    }
    return 0;
}

void lx_dict_prefetch_any(int lang, const int *idx, int n, const char *key, size_t len, int stems,
                          int mincut, int maxcut) {
    if (lang < 0 || !mapped) {
        prefetch_pairs(idx, n, key, len, stems, mincut, maxcut);
        return;
    }
    if (!stems)
        mincut = maxcut = 0;
    for (int cut = 0; cut <= maxcut && (!stems || len >= 5); cut++, len = cut_letter(key, len))
        if (cut >= mincut)
            lx_dmap_lang_prefetch(&map, lang, stems, lx_hash(key, len));
}

int lx_dict_has_stem(int i, const char *term, size_t len) {
    return ensure_stems(i) && find_stem(i, term, len, 2) != NULL;
}

int lx_dict_has_stem_exact(int i, const char *term, size_t len) {
    return ensure_stems(i) && find_stem(i, term, len, 0) != NULL;
}

int lx_dict_translate_stem(int i, const char *term, size_t len, lx_dict_tr *out, int max) {
    if (!ensure_stems(i))
        return 0;
    const void *v = find_stem(i, term, len, 2);
    if (mapped)
        return v ? lx_dmap_translations(&map, v, out, max) : 0;
    return v ? translate_ranked(i, *(const uint32_t *)v, out, max) : 0;
}

size_t lx_dict_list(lx_dict_info *out, size_t max, const char **dir) {
    lx_dict_npairs();
    int n = nreal; /* the files: a reversed pair is no package */
    if (dir)
        *dir = lx_dict_dir();
    for (int i = 0; i < n && (size_t)i < max; i++) {
        memcpy(out[i].from, pairs[i].from, sizeof out[i].from);
        memcpy(out[i].to, pairs[i].to, sizeof out[i].to);
        size_t nw;
        const char *f, *t;
        lx_dict_pair(i, &f, &t, &nw);
        out[i].words = nw;
    }
    return (size_t)n;
}

int lx_dict_known_word(const char *from, const char *key, size_t len, const char *term, size_t tl) {
    const lx_dict_src *sp = lx_dict_src_find(from);
    return sp && (lx_dict_has_any(sp->lang, sp->idx, sp->n, key, len) ||
                  (tl && lx_dict_has_stem_any(sp->lang, sp->idx, sp->n, term, tl, 2)));
}

int lx_dict_split(const char *from, lx_stemmers *st, int si, const char *key, size_t len,
                  size_t *left, size_t *right) {
    const lx_dict_src *sp = lx_dict_src_find(from);
    for (size_t i = len >= 8 ? len - 3 : 0; sp && i >= 3; i--) {
        if (((unsigned char)key[i] & 0xC0) == 0x80)
            continue;
        /* The second part as it is or inflected ("...förändringar"),
         * stemmed only when not a headword as it is. */
        if (!lx_dict_has_any(sp->lang, sp->idx, sp->n, key + i, len - i)) {
            char t[LX_TOKEN_BUF];
            size_t tl =
                st && len - i < LX_TOKEN_BUF ? lx_stemmers_term(st, si, key + i, len - i, t) : 0;
            if (!tl || !lx_dict_has_stem_any(sp->lang, sp->idx, sp->n, t, tl, 2))
                continue;
        }
        /* The first part as it is, or without a linking -n (Finnish
         * genitive) or -s (German, Swedish). */
        for (size_t drop = 0; drop <= 1; drop++) {
            size_t ll = i - drop;
            if (drop && !strchr("ns", key[ll]))
                break;
            if (ll >= 3 && lx_dict_has_any(sp->lang, sp->idx, sp->n, key, ll)) {
                *left = ll;
                *right = i;
                return 1;
            }
        }
    }
    return 0;
}

/* ---- compiling (dictmap.h) ---- */

/* read_entries over pair p's whole text, inflated once (all, alen):
 * the same translations without a chunk inflated per headword. */
static int entries_text(const pair *p, const char *all, size_t alen, uint32_t id, lx_dict_tr *out,
                        int max) {
    int n = 0;
    for (; id != UINT32_MAX && n < max; id = p->e[id].next) {
        const entry *e = &p->e[id];
        if ((size_t)e->off + e->len > alen)
            continue; /* lx_dz_read fails there too */
        char *t = malloc((size_t)e->len + 1);
        if (!t)
            return -1;
        memcpy(t, all + e->off, e->len);
        t[e->len] = 0;
        n = lx_dict_entry_items(t, out, n, max);
        free(t);
    }
    return n;
}

/* Writes pair i (loaded) into w. */
static int compile_pair(lx_dmap_writer *w, int i) {
    pair *p = &pairs[i];
    lx_dmap_pair meta;
    memset(&meta, 0, sizeof meta);
    memcpy(meta.from, p->from, sizeof p->from < 8 ? sizeof p->from : 8);
    memcpy(meta.to, p->to, sizeof p->to < 8 ? sizeof p->to : 8);
    memcpy(meta.name, p->name, sizeof meta.name);
    meta.rev = p->rev;
    meta.state = p->state > 0 ? 1 : -1;
    meta.sstate = p->sstate > 0 ? 1 : p->sstate < 0 ? -1 : 0;
    size_t nw = meta.state > 0 ? p->words.n : 0;
    lx_dmap_pair_begin(w, &meta, nw);
    char *all = NULL;
    size_t alen = 0;
    uint32_t *rec = NULL;
    int rc = 0;
    if (nw && !p->rev) {
        rec = calloc(p->ne ? p->ne : 1, sizeof *rec);
        if (!rec || lx_dz_inflate_all(&p->z, &all, &alen))
            all = NULL; /* read entry by entry instead */
        if (!rec)
            rc = -1;
    }
    for (size_t k = 0; nw && !rc && k < p->words.cap; k++) {
        const struct lx_strmap_slot *sl = &p->words.slots[k];
        if (!sl->key)
            continue;
        lx_dict_tr tr[LX_DICT_MAX_SENSES];
        int n = p->rev ? read_reverse(i, sl->value, tr, LX_DICT_MAX_SENSES)
                : all  ? entries_text(p, all, alen, sl->value, tr, LX_DICT_MAX_SENSES)
                       : read_entries(i, sl->value, tr, LX_DICT_MAX_SENSES);
        if (n < 0) {
            rc = -1;
            break;
        }
        for (int j = 0; j < n && !p->rev; j++)
            tr[j].sense = j; /* as translate_ranked gives them */
        uint32_t off = lx_dmap_add_word(w, sl->key, sl->len, tr, n);
        if (!off)
            rc = -1;
        else if (rec)
            rec[sl->value] = off;
    }
    size_t ns = meta.sstate > 0 && rec ? p->stems.n : 0;
    lx_dmap_stems_begin(w, ns);
    for (size_t k = 0; ns && !rc && k < p->stems.cap; k++) {
        const struct lx_strmap_slot *sl = &p->stems.slots[k];
        if (sl->key && sl->value < p->ne && rec[sl->value])
            lx_dmap_add_stem(w, sl->key, sl->len, rec[sl->value]);
    }
    lx_dmap_pair_end(w);
    free(all);
    free(rec);
    return rc;
}

int lx_dict_compile(int force, char *msg, size_t cap) {
    char path[4096];
    const char *dir = lx_dict_dir(), *why;
    if (lx_dmap_path(dir, path, sizeof path)) {
        snprintf(msg, cap,
                 "no cache directory for compiled dictionaries ($HOME unset; set "
                 "LECTERN_DICT_MAP_DIR)");
        return -1;
    }
    compiling = 1; /* a process that has not used them yet loads the dictd files */
    int n = lx_dict_npairs();
    if (!n) {
        snprintf(msg, cap, "no FreeDict dictionaries in %s: nothing to compile", dir);
        return 2;
    }
    lx_dmap old;
    if (mapped || (!force && lx_dmap_open(&old, path, dicts_fp, &why) == 0)) {
        if (!mapped)
            lx_dmap_close(&old);
        snprintf(msg, cap, "compiled dictionaries %s up to date", path);
        return 1;
    }
    lx_dict_warm();
    lx_dmap_writer *w = lx_dmap_create(path, npairs, nreal);
    int rc = w ? 0 : -1;
    for (int i = 0; i < npairs && !rc; i++)
        rc = compile_pair(w, i);
    size_t bytes = 0;
    if (w && rc)
        lx_dmap_abort(w);
    else if (w)
        rc = lx_dmap_finish(w, dicts_fp, &bytes);
    if (rc)
        snprintf(msg, cap, "compiled dictionaries: could not write %s", path);
    else
        snprintf(msg, cap, "compiled dictionaries: %s (%d pairs, %.1f MiB)", path, npairs,
                 (double)bytes / (1 << 20));
    return rc;
}
