/* snapmemo.c -- what a searcher's lookups found in its snapshot, kept
 * while the snapshot is the searcher's.
 *
 * A search looks up each of its words' lists (query language detection,
 * the plan and the snippets share one lookup) and, for the snippets, the
 * words' positions, and the stored group of
 * each lecture on its page; detection also asks, for each word and
 * language, whether that language's lectures hold it.  Each lookup
 * descends an LMDB B-tree: about 1,000 instructions and a few cache
 * misses, some 17 a search on the TED log.  Their values lie in the map,
 * and the pages of the latest committed snapshot stay as they are while
 * it is the latest (a writer copies on write and reuses only pages no
 * snapshot from the latest on can reach; a grown map comes with a new
 * transaction), so every later transaction of the same snapshot finds
 * the same values at the same addresses.  The memo keeps them, and drops
 * them all when the snapshot changes (lx_searcher_begin's snap: the
 * transaction id with the file's generation), as termbits.c does.
 *
 * Words sit in LX_SNAPMEMO_WORDS slots, two ways a set by hash, a new
 * word replacing the way not used last (bounded; a word longer than
 * LX_SNAPMEMO_KEY bytes is looked up every time); groups in an array by
 * group number, sized to the snapshot.  Only found values and "no such
 * term" are kept: an error is looked up again.
 *
 * Records (lx_snapmemo_rec) are what a part made of the snapshot's
 * values and keeps under its own key: xlate.c's translations of a word
 * into a language, chosen by their lectures' counts.  A strmap finds a
 * key's record in one arena; when keys and records would pass
 * LX_SNAPMEMO_REC_BYTES, every record is dropped first.
 */
#include <stdlib.h>
#include <string.h>

#include "snapmemo.h"
#include "strmap.h"

typedef struct memo_word {
    uint32_t hash;
    uint8_t n;                        /* 0: an empty slot */
    uint8_t used;                     /* the set's most recently used way */
    int8_t rc;                        /* 0 or LX_ENOTFOUND */
    uint8_t pos_have;                 /* pos looked up */
    MDB_val post;                     /* the list, when rc is 0 */
    MDB_val pos;                      /* its positions (NULL: none stored) */
    unsigned char lang[LX_MAX_LANGS]; /* qlang.c's findings */
    char t[LX_SNAPMEMO_KEY];
} memo_word;

typedef struct snapmemo {
    size_t snap;
    memo_word *words; /* LX_SNAPMEMO_WORDS, allocated at first use */
    MDB_val *groups;  /* ngroups, mv_data NULL until read */
    size_t ngroups;
    lx_strmap recs; /* a record's key -> its offset in arena (a u32 length, its bytes) */
    lx_buf arena;
} snapmemo;

static void memo_free(void *p) {
    snapmemo *m = p;
    free(m->words);
    free(m->groups);
    lx_strmap_free(&m->recs);
    lx_buf_free(&m->arena);
    free(m);
}

/* Drops every record. */
static void recs_clear(snapmemo *m) {
    lx_strmap_clear(&m->recs);
    m->arena.n = 0;
}

/* The searcher's memo for its current snapshot (emptied if it was kept
 * for another), or NULL without memory. */
static snapmemo *memo_get(lx_searcher *s) {
    snapmemo *m = lx_searcher_part(s, LX_PART_SNAPMEMO);
    if (!m) {
        if (!(m = calloc(1, sizeof *m)))
            return NULL;
        m->snap = s->snap;
        lx_searcher_set_part(s, LX_PART_SNAPMEMO, m, memo_free);
    }
    if (m->snap != s->snap) {
        if (m->words)
            memset(m->words, 0, LX_SNAPMEMO_WORDS * sizeof *m->words);
        free(m->groups);
        m->groups = NULL;
        m->ngroups = 0;
        recs_clear(m);
        m->snap = s->snap;
    }
    if (!m->words && !(m->words = calloc(LX_SNAPMEMO_WORDS, sizeof *m->words)))
        return NULL;
    return m;
}

/* The set of two ways that holds or would hold word t (*h its hash),
 * or NULL when the word is not kept (too long, or no memory); *way
 * receives the word's way (*found 1), else the way a fill replaces: the
 * one not used last. */
static memo_word *word_set(lx_searcher *s, const char *t, size_t n, uint32_t *h, int *way,
                           int *found) {
    snapmemo *m = n && n <= LX_SNAPMEMO_KEY ? memo_get(s) : NULL;
    *found = 0;
    if (!m)
        return NULL;
    *h = lx_hash(t, n);
    memo_word *set = &m->words[(*h & (LX_SNAPMEMO_WORDS / 2 - 1)) * 2];
    for (*way = 0; *way < 2; ++*way)
        if (set[*way].n == n && set[*way].hash == *h && memcmp(set[*way].t, t, n) == 0) {
            *found = 1;
            return set;
        }
    *way = !set[0].used;
    return set;
}

int lx_snapmemo_word(lx_searcher *s, const char *t, size_t n, MDB_val *post, unsigned char **lang) {
    uint32_t h;
    int way, found;
    memo_word *set = word_set(s, t, n, &h, &way, &found), *w = set ? &set[way] : NULL;
    if (lang)
        *lang = NULL;
    if (found) {
        set[0].used = (uint8_t)way;
        *post = w->post;
        if (lang)
            *lang = w->lang;
        return w->rc;
    }
    int rc = lx_store_term(s->txn, s->ix, t, n, post, NULL);
    if (w && (rc == 0 || rc == LX_ENOTFOUND)) {
        w->hash = h;
        w->n = (uint8_t)n;
        w->rc = (int8_t)rc;
        w->pos_have = 0;
        w->post = rc ? (MDB_val){0, NULL} : *post;
        memset(w->lang, 0, sizeof w->lang);
        memcpy(w->t, t, n);
        set[0].used = (uint8_t)way;
        if (lang)
            *lang = w->lang;
    }
    return rc;
}

int lx_snapmemo_pos(lx_searcher *s, const char *t, size_t n, MDB_val *pos) {
    uint32_t h;
    int way, found;
    memo_word *set = word_set(s, t, n, &h, &way, &found), *w = found ? &set[way] : NULL;
    if (w)
        set[0].used = (uint8_t)way;
    if (w && w->pos_have) {
        *pos = w->pos;
        return 0;
    }
    int rc = lx_store_pos(s->txn, s->ix, t, n, pos);
    if (w && !rc) { /* kept with the word's list only */
        w->pos = *pos;
        w->pos_have = 1;
    }
    return rc;
}

int lx_snapmemo_group(lx_searcher *s, uint32_t docid, MDB_val *group) {
    snapmemo *m = memo_get(s);
    size_t g = docid >> LX_DOC_GROUP_SHIFT;
    if (m && !m->groups && s->st.next_doc) {
        size_t ng = (((size_t)s->st.next_doc - 1) >> LX_DOC_GROUP_SHIFT) + 1;
        if ((m->groups = calloc(ng, sizeof *m->groups)))
            m->ngroups = ng;
    }
    if (m && g < m->ngroups && m->groups[g].mv_data) {
        *group = m->groups[g];
        return 0;
    }
    int rc = lx_store_doc_group(s->txn, s->ix, docid, group);
    if (!rc && m && g < m->ngroups)
        m->groups[g] = *group;
    return rc;
}

const void *lx_snapmemo_rec(lx_searcher *s, const void *key, size_t kl, size_t *len) {
    snapmemo *m = memo_get(s);
    uint32_t *at = m ? lx_strmap_get(&m->recs, key, kl, lx_hash(key, kl)) : NULL;
    if (!at)
        return NULL;
    uint32_t n;
    memcpy(&n, m->arena.p + *at, sizeof n);
    *len = n;
    return m->arena.p + *at + sizeof n;
}

void lx_snapmemo_keep(lx_searcher *s, const void *key, size_t kl, const void *rec, size_t len) {
    snapmemo *m = memo_get(s);
    uint32_t n = (uint32_t)len, h = lx_hash(key, kl);
    if (!m || sizeof n + kl + len > LX_SNAPMEMO_REC_BYTES / 2)
        return;
    if (m->recs.bytes + m->arena.n + sizeof n + kl + len > LX_SNAPMEMO_REC_BYTES)
        recs_clear(m);
    if (lx_buf_reserve(&m->arena, sizeof n + len))
        return;
    uint32_t at = (uint32_t)m->arena.n, *v = lx_strmap_get(&m->recs, key, kl, h);
    if (!v && !(v = lx_strmap_put(&m->recs, key, kl, h, at, NULL)))
        return;
    *v = at;
    memcpy(m->arena.p + at, &n, sizeof n);
    memcpy(m->arena.p + at + sizeof n, rec, len);
    m->arena.n += sizeof n + len;
}
