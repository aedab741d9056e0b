/* resbuild.c -- a page of results.  Hits are gathered as offsets into
 * one growing arena (stored fields, snippet, shared tags and terms), and
 * the page is one malloc (the lx_results, the hits, the facets, the
 * pointer arrays) and the arena itself, handed over as it is
 * (lx_results.strings: a page's 10-16 KiB are not copied again).
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "facet.h"
#include "resbuild.h"
#include "snapmemo.h"

/* Arena bytes reserved at the start: a page of ten hits' strings (id,
 * title, the record's other fields, the snippets) mostly fits, so the
 * arena does not grow from 64 bytes by doubling (at 8 KiB, 57% of the first
 * 400 TED log queries' pages grew once before their facets: a copy of 8
 * KiB, or none when realloc found room in place, which made callgrind's
 * counts of one build differ by 0.8% between runs; none passed 16 KiB). */
#define RESBUILD_ARENA_START 16384

struct lx_resbuild {
    lx_buf arena;
    size_t n, cap;
    struct hitoff {
        size_t id, title, meta, snippet, tags, terms;
        const char *field;
        double score, start;
        int plain; /* the snippet needs no JSON escape */
        size_t ntags, nterms;
        lx_member member[LX_NMEMBERS];
    } * h;
};

lx_resbuild *lx_resbuild_new(size_t n) {
    lx_resbuild *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cap = n ? n : 1;
    b->h = calloc(b->cap, sizeof *b->h);
    if (!b->h || lx_buf_reserve(&b->arena, RESBUILD_ARENA_START)) {
        lx_buf_free(&b->arena);
        free(b->h);
        free(b);
        return NULL;
    }
    return b;
}

void lx_resbuild_free(lx_resbuild *b) {
    if (!b)
        return;
    lx_buf_free(&b->arena);
    free(b->h);
    free(b);
}

static size_t arena_str(lx_buf *a, const char *s, size_t n) {
    size_t at = a->n;
    if (lx_buf_append(a, s, n) || lx_buf_append(a, "", 1))
        return (size_t)-1;
    return at;
}

/* Appends n strings one after the other; 0 or LX_ENOMEM. */
static int arena_strs(lx_buf *a, const char *const *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (arena_str(a, s[i], strlen(s[i])) == (size_t)-1)
            return LX_ENOMEM;
    return 0;
}

/* The searcher's snippet state, made on first use. */
static lx_snipper *snipper(lx_searcher *s) {
    lx_snipper *sp = lx_searcher_part(s, LX_PART_SNIPPER);
    if (!sp && (sp = lx_snipper_new()))
        lx_searcher_set_part(s, LX_PART_SNIPPER, sp, lx_snipper_free);
    return sp;
}

/* lx_resbuild_hit of a lecture read already (v). */
static int hit_add(lx_resbuild *b, lx_searcher *s, uint32_t doc, double score, int snippets,
                   const lx_docview *v, const char *const *shared_tags, size_t n_shared_tags,
                   const char *const *shared_terms, size_t n_shared_terms) {
    int rc;
    if (b->n == b->cap)
        return LX_EINVAL;
    struct hitoff *h = &b->h[b->n];
    memset(h, 0, sizeof *h);
    h->score = score;
    h->start = -1;
    h->field = "";
    h->id = arena_str(&b->arena, v->id, v->h.id_len);
    h->title = arena_str(&b->arena, v->title, v->h.title_len);
    h->meta = arena_str(&b->arena, v->meta, v->h.meta_len);
    memcpy(h->member, v->h.member, sizeof h->member);
    if (snippets) {
        lx_snipper *sp = snipper(s);
        if (!sp)
            return LX_ENOMEM;
        h->snippet = b->arena.n;
        /* Without a query (related lectures) the snippet is the opening. */
        rc = lx_snippet_hit(sp, &s->snip, s->snip_ready, doc, v, &b->arena, &h->field, &h->start,
                            &h->plain);
        if (rc)
            return rc;
    } else {
        h->snippet = arena_str(&b->arena, "", 0);
    }
    h->tags = b->arena.n;
    if (arena_strs(&b->arena, shared_tags, n_shared_tags))
        return LX_ENOMEM;
    h->ntags = n_shared_tags;
    h->terms = b->arena.n;
    if (arena_strs(&b->arena, shared_terms, n_shared_terms))
        return LX_ENOMEM;
    h->nterms = n_shared_terms;
    if (h->id == (size_t)-1 || h->title == (size_t)-1 || h->meta == (size_t)-1 ||
        h->snippet == (size_t)-1)
        return LX_ENOMEM;
    b->n++;
    return 0;
}

/* A docid the lists hold must be stored. */
static int stored(int rc) {
    return rc == LX_ENOTFOUND ? LX_ECORRUPT : rc;
}

int lx_resbuild_hit(lx_resbuild *b, lx_searcher *s, uint32_t doc, double score, int snippets,
                    const char *const *shared_tags, size_t n_shared_tags,
                    const char *const *shared_terms, size_t n_shared_terms) {
    lx_docview v;
    int rc = stored(lx_store_doc(s->txn, s->ix, doc, &v));
    return rc ? rc
              : hit_add(b, s, doc, score, snippets, &v, shared_tags, n_shared_tags, shared_terms,
                        n_shared_terms);
}

/* Hits read ahead at a time by lx_resbuild_hits: a page of ten in one. */
#define HIT_GROUP 16

int lx_resbuild_hits(lx_resbuild *b, lx_searcher *s, const lx_scored *hits, uint32_t n,
                     int snippets) {
    for (uint32_t at = 0; at < n; at += HIT_GROUP) {
        uint32_t m = n - at < HIT_GROUP ? n - at : HIT_GROUP;
        MDB_val rec[HIT_GROUP];
        lx_docview v[HIT_GROUP];
        int rc[HIT_GROUP];
        for (uint32_t i = 0; i < m; i++) /* the groups, and each lecture's offsets in its own */
            if (!(rc[i] = lx_snapmemo_group(s, hits[at + i].doc, &rec[i])))
                __builtin_prefetch((const uint8_t *)rec[i].mv_data +
                                   (hits[at + i].doc % LX_DOC_GROUP) * 4);
        for (uint32_t i = 0; i < m; i++) { /* the records, and each one's header */
            const uint8_t *p;
            if (!rc[i] &&
                !(rc[i] = lx_doc_slot(rec[i].mv_data, rec[i].mv_size,
                                      hits[at + i].doc % LX_DOC_GROUP, &p, &rec[i].mv_size))) {
                rec[i].mv_data = (void *)p;
                __builtin_prefetch(p);
            }
        }
        for (uint32_t i = 0; i < m; i++)
            if (!rc[i])
                rc[i] = lx_doc_view(rec[i].mv_data, rec[i].mv_size, &v[i]);
        for (uint32_t i = 0; i < m; i++) {
            int r = stored(rc[i]);
            if (r || (r = hit_add(b, s, hits[at + i].doc, hits[at + i].score, snippets, &v[i], NULL,
                                  0, NULL, 0)))
                return r;
        }
    }
    return 0;
}

/* Points hit x at its strings in arena (pp: room for its pointers);
 * returns the pointers' end. */
static const char **hit_fill(lx_hit *x, const struct hitoff *h, char *arena, const char **pp) {
    x->id = arena + h->id;
    x->title = arena + h->title;
    x->meta_json = arena + h->meta;
    memcpy(x->member, h->member, sizeof x->member);
    x->snippet = arena + h->snippet;
    x->snippet_field = h->field;
    x->snippet_start = h->start;
    x->snippet_plain = h->plain;
    x->score = h->score;
    x->n_shared_tags = h->ntags;
    x->shared_tags = pp;
    const char *q = arena + h->tags;
    for (size_t j = 0; j < h->ntags; j++) {
        *pp++ = q;
        q += strlen(q) + 1;
    }
    x->n_shared_terms = h->nterms;
    x->shared_terms = pp;
    q = arena + h->terms;
    for (size_t j = 0; j < h->nterms; j++) {
        *pp++ = q;
        q += strlen(q) + 1;
    }
    return pp;
}

int lx_resbuild_finish(lx_resbuild *b, lx_searcher *s, const uint64_t *matched, uint64_t total,
                       unsigned facets, double t0, lx_results **out) {
    lx_facet *tf = NULL, *lf = NULL;
    size_t ntf = 0, nlf = 0;
    size_t facet_base = b->arena.n;
    int rc = 0;
    if (facets && matched) {
        lx_buf keys = {0};
        rc = lx_facets_count(s, matched, facets, &keys, &tf, &ntf, &lf, &nlf);
        if (!rc)
            rc = lx_buf_append(&b->arena, keys.p, keys.n);
        lx_buf_free(&keys);
        if (rc) {
            free(tf);
            free(lf);
            return rc;
        }
    }
    size_t hsz = b->n * sizeof(lx_hit);
    size_t fsz = (ntf + nlf) * sizeof(lx_facet);
    size_t ptrs = 0;
    for (size_t i = 0; i < b->n; i++)
        ptrs += b->h[i].ntags + b->h[i].nterms;
    lx_results *r = malloc(sizeof *r + hsz + fsz + ptrs * sizeof(char *));
    if (!r || (!b->arena.p && lx_buf_reserve(&b->arena, 1))) {
        free(r);
        free(tf);
        free(lf);
        return LX_ENOMEM;
    }
    lx_hit *hits = (lx_hit *)(r + 1);
    lx_facet *fac = (lx_facet *)((char *)hits + hsz);
    const char **pp = (const char **)((char *)fac + fsz);
    /* The arena's bytes stay where they are: the results own them now. */
    char *arena = (char *)b->arena.p;
    r->strings = arena;
    b->arena.p = NULL;
    b->arena.n = b->arena.cap = 0;
    for (size_t i = 0; i < b->n; i++) {
        pp = hit_fill(&hits[i], &b->h[i], arena, pp);
        hits[i].n_via = 0; /* lx_search's languages (xlate.c) set these */
        hits[i].via = NULL;
    }
    /* lx_facets_count gave them in order (count desc, then value). */
    for (size_t i = 0; i < ntf; i++) {
        fac[i].value = arena + facet_base + (size_t)(uintptr_t)tf[i].value;
        fac[i].count = tf[i].count;
    }
    for (size_t i = 0; i < nlf; i++) {
        fac[ntf + i].value = arena + facet_base + (size_t)(uintptr_t)lf[i].value;
        fac[ntf + i].count = lf[i].count;
    }
    free(tf);
    free(lf);
    r->total = total;
    r->n = b->n;
    r->hits = hits;
    r->n_tag_facets = ntf;
    r->tag_facets = fac;
    r->n_lang_facets = nlf;
    r->lang_facets = fac + ntf;
    r->took_ms = lx_now_ms() - t0;
    r->partial = 0; /* lx_search sets these two */
    r->work = 0;
    r->query_lang[0] = 0;
    r->query_lang_source = NULL;
    r->query_lang_why[0] = 0;
    r->lang_extra = NULL;
    r->did_you_mean = NULL; /* and these (fuzzy.c) */
    r->n_corrections = 0;
    r->corrections = NULL;
    r->forgive = NULL;
    r->truncated = 0;
    r->n_dropped = 0;
    r->dropped = NULL;
    *out = r;
    return 0;
}

void lx_results_free(lx_results *r) {
    if (r) {
        free(r->lang_extra);
        free(r->forgive);
        free(r->strings);
    }
    free(r);
}
