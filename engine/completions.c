/* completions.c -- the lecture titles and speakers lx_suggest completes
 * to (completions.h), per snapshot in memory.
 *
 * On first use in a snapshot every lecture's record is read once: its
 * title and the people of its speaker field (lx_speakers_split, one entry
 * per name key, counting their lectures) become entries, each with its
 * text normalised as queries are (tokens joined by one space).  Every word
 * start of an entry's text is an anchor; the anchors sorted by the text
 * from there on let a prefix be found by binary search, from the start of
 * any word.  TED (5,913 lectures, 2,000 speakers): about 60,000 anchors,
 * 1.5 MB, loaded in some 20 ms; a later lookup is a binary search and a
 * bounded scan (LX_COMPLETIONS_SCAN anchors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "completions.h"
#include "error.h"
#include "meta.h"
#include "text.h"

#define LX_COMPLETIONS_SCAN 512 /* anchors looked at past the first match */

typedef struct centry {
    uint32_t text, shown; /* offsets in bytes: normalised, as written */
    uint32_t count;
    char lang[LX_LANG_BYTES];
    int kind;
} centry;

typedef struct anchor {
    const char *at; /* into an entry's normalised text, at a word start */
    uint32_t entry;
    uint32_t start; /* at is the text's first word */
} anchor;

typedef struct clist {
    size_t snap;
    int have;
    centry *e;
    size_t n, cap;
    anchor *a;
    size_t na;
    lx_buf bytes;
    lx_strmap people; /* speaker name key -> entry */
} clist;

static void clist_free(void *p) {
    clist *c = p;
    if (!c)
        return;
    free(c->e);
    free(c->a);
    lx_buf_free(&c->bytes);
    lx_strmap_free(&c->people);
    free(c);
}

/* The normalised tokens of a text, joined by one space, into b. */
typedef struct joiner {
    lx_buf *b;
    size_t from;
    int rc;
} joiner;

static void join_token(void *ctx, const char *tok, size_t len, size_t start, size_t end,
                       uint32_t pos) {
    joiner *j = ctx;
    (void)start, (void)end, (void)pos;
    if (j->rc)
        return;
    if ((j->b->n > j->from && lx_buf_append(j->b, " ", 1)) || lx_buf_append(j->b, tok, len))
        j->rc = LX_ENOMEM;
}

/* Adds an entry (shown[0..n) normalised); 1 when it has words, 0 when not,
 * or LX_ENOMEM. */
static int add_entry(clist *c, const char *shown, size_t n, const char *lang, int kind) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        centry *e = realloc(c->e, cap * sizeof *e);
        if (!e)
            return LX_ENOMEM;
        c->e = e;
        c->cap = cap;
    }
    centry *e = &c->e[c->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->count = 1;
    snprintf(e->lang, sizeof e->lang, "%s", lang);
    e->text = (uint32_t)c->bytes.n;
    joiner j = {&c->bytes, c->bytes.n, 0};
    lx_error err;
    int rc = lx_text_scan(shown, n, 0, join_token, &j, NULL, &err);
    if (rc || j.rc || c->bytes.n == e->text) {
        c->bytes.n = e->text;
        return rc ? rc : j.rc;
    }
    e->shown = (uint32_t)(c->bytes.n + 1);
    if (lx_buf_append(&c->bytes, "", 1) || lx_buf_append(&c->bytes, shown, n) ||
        lx_buf_append(&c->bytes, "", 1))
        return LX_ENOMEM;
    c->n++;
    return 1;
}

typedef struct people_ctx {
    clist *c;
    const char *lang;
    int rc;
} people_ctx;

static void on_person(void *ctx, const char *name, size_t len, const char *key) {
    people_ctx *p = ctx;
    size_t kl = strlen(key);
    if (p->rc || !kl)
        return;
    uint32_t h = lx_hash(key, kl), *i = lx_strmap_get(&p->c->people, key, kl, h);
    if (i) {
        p->c->e[*i].count++;
        return;
    }
    uint32_t at = (uint32_t)p->c->n;
    int r = add_entry(p->c, name, len, p->lang, LX_COMPLETE_SPEAKER);
    if (r < 0)
        p->rc = r;
    else if (r && !lx_strmap_put(&p->c->people, key, kl, h, at, NULL))
        p->rc = LX_ENOMEM;
}

/* One lecture's title and people. */
static int add_lecture(clist *c, const lx_docview *v, lx_buf *sp) {
    int r = add_entry(c, v->title, v->h.title_len, v->h.lang, LX_COMPLETE_TITLE);
    if (r < 0)
        return r;
    r = lx_meta_string(v->meta, v->h.meta_len, "speaker", sp);
    if (r <= 0)
        return r;
    people_ctx p = {c, v->h.lang, 0};
    lx_speakers_split((const char *)sp->p, sp->n, on_person, &p);
    return p.rc;
}

static int by_text(const void *x, const void *y) {
    const anchor *a = x, *b = y;
    int d = strcmp(a->at, b->at);
    return d ? d : (a->entry > b->entry) - (a->entry < b->entry);
}

/* Every word start of every entry, sorted. */
static int anchor_all(clist *c) {
    size_t na = 0;
    for (size_t i = 0; i < c->n; i++)
        for (const char *p = (const char *)c->bytes.p + c->e[i].text; *p; p++)
            na += p == (const char *)c->bytes.p + c->e[i].text || p[-1] == ' ';
    free(c->a);
    if (!(c->a = malloc((na ? na : 1) * sizeof *c->a)))
        return LX_ENOMEM;
    c->na = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *t = (const char *)c->bytes.p + c->e[i].text;
        for (const char *p = t; *p; p++)
            if (p == t || p[-1] == ' ')
                c->a[c->na++] = (anchor){p, (uint32_t)i, p == t};
    }
    qsort(c->a, c->na, sizeof *c->a, by_text);
    return 0;
}

static int clist_load(lx_searcher *s, clist *c) {
    c->n = c->na = 0;
    c->bytes.n = 0;
    lx_strmap_free(&c->people);
    lx_strmap_init(&c->people);
    lx_buf sp = {0};
    int rc = 0;
    for (uint32_t d = 0; d < s->st.next_doc && !rc; d++) {
        lx_docview v;
        rc = lx_store_doc(s->txn, s->ix, d, &v);
        if (rc == LX_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (!rc)
            rc = add_lecture(c, &v, &sp);
    }
    lx_buf_free(&sp);
    /* The anchors point into bytes: taken once it has stopped growing. */
    return rc ? rc : anchor_all(c);
}

/* This snapshot's lists; NULL with the sticky error set. */
static clist *clist_get(lx_searcher *s) {
    clist *c = lx_searcher_part(s, LX_PART_COMPLETIONS);
    if (c && c->have && c->snap == s->snap)
        return c;
    if (!c) {
        if (!(c = calloc(1, sizeof *c))) {
            lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
            return NULL;
        }
        lx_strmap_init(&c->people);
        lx_searcher_set_part(s, LX_PART_COMPLETIONS, c, clist_free);
    }
    c->have = 0;
    int rc = clist_load(s, c);
    if (rc) {
        lx_searcher_fail(s, rc, NULL, -1, "cannot read the titles and speakers: %s",
                         lx_strerror(rc));
        return NULL;
    }
    c->snap = s->snap;
    c->have = 1;
    return c;
}

int lx_completions_find(lx_searcher *s, const char *text, size_t n, lx_completion *out, int cap,
                        int *nout) {
    *nout = 0;
    clist *c = clist_get(s);
    if (!c)
        return s->rc;
    size_t lo = 0, hi = c->na;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(c->a[mid].at, text, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Entries matched from their first word take the first places. */
    int nf = 0;
    for (size_t i = lo; i < c->na && i < lo + LX_COMPLETIONS_SCAN; i++) {
        const anchor *a = &c->a[i];
        if (strncmp(a->at, text, n))
            break;
        int dup = 0;
        for (int k = 0; k < *nout && !dup; k++)
            dup = out[k].shown == (const char *)c->bytes.p + c->e[a->entry].shown;
        if (dup || (*nout == cap && (!a->start || nf == cap)))
            continue;
        const centry *e = &c->e[a->entry];
        lx_completion x = {(const char *)c->bytes.p + e->shown, e->lang, e->count, e->kind,
                           (int)a->start};
        if (*nout < cap) {
            out[(*nout)++] = x;
        } else {
            /* Full: a first-word match takes a later word's place. */
            for (int k = cap - 1; k >= 0; k--)
                if (!out[k].at_start) {
                    out[k] = x;
                    break;
                }
        }
        nf += (int)a->start;
    }
    return 0;
}
