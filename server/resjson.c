/*
 * resjson.c -- a page of search or related results as JSON, in the one
 * shape docs/api.md describes.  The server's answers and the CLI's --json
 * are both written here, so they cannot drift apart (they did: the CLI
 * printed full-precision scores and no speaker, tags, url or took_ms).
 */
#include <string.h>

#include "resjson.h"

/* The member's value if its first byte is one of `kinds` (a JSON type:
 * '"' string, '[' array, '-' or a digit for a number), else null; the
 * key quoted (WRITE_MEMBER's literal). */
static void write_member(jsonw *w, const char *qkey, size_t qn, const jw_span *v,
                         const char *kinds) {
    if (v->p && v->len > 0 && strchr(kinds, v->p[0]))
        jw_member_raw(w, qkey, qn, v->p, v->len);
    else
        jw_member_raw(w, qkey, qn, "null", 4);
}

#define WRITE_MEMBER(w, lit, v, kinds)                                                             \
    write_member((w), "\"" lit "\":", sizeof(lit) + 2, (v), (kinds))

static void write_strings(jsonw *w, const char *key, const char **s, size_t n) {
    size_t i;
    jw_key(w, key);
    jw_arr(w);
    for (i = 0; i < n; i++)
        jw_str(w, s[i]);
    jw_arr_end(w);
}

/* One result: the fields a result list shows, copied from the stored
 * record as written (the engine stores valid JSON), the score and the
 * snippet. */
void resjson_snippet(jsonw *w, const lx_hit *h) {
    JW_KEY(w, "snippet");
    if (!h->snippet || !h->snippet[0]) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    JW_KEY(w, "text");
    if (h->snippet_plain) /* nothing to escape: found when it was made */
        jw_str_plain(w, h->snippet, strlen(h->snippet));
    else
        jw_str(w, h->snippet);
    JW_KEY(w, "field");
    jw_str_plain(w, h->snippet_field, strlen(h->snippet_field)); /* the engine's names */
    JW_KEY(w, "start");
    if (h->snippet_start >= 0)
        jw_double(w, h->snippet_start, 2);
    else
        jw_null(w);
    jw_obj_end(w);
}

void resjson_counts(jsonw *w, const char *key, const char *name, const lx_facet *f, size_t n) {
    jw_key(w, key);
    jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(w);
        jw_key(w, name);
        jw_str(w, f[i].value);
        JW_KEY(w, "count");
        jw_uint(w, f[i].count);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void write_hit(jsonw *w, const lx_hit *h, int related, const lx_moments *mo) {
    static const char number[] = "-0123456789";
    jw_span m[LX_NMEMBERS]; /* the members, located when the lecture was stored */
    for (int i = 0; i < LX_NMEMBERS; i++) {
        m[i].p = h->meta_json && h->member[i].len ? h->meta_json + h->member[i].off : NULL;
        m[i].len = m[i].p ? h->member[i].len : 0;
    }
    jw_obj(w);
    JW_KEY(w, "id");
    jw_str(w, h->id);
    JW_KEY(w, "title");
    jw_str(w, h->title);
    WRITE_MEMBER(w, "speaker", &m[LX_MEMBER_SPEAKER], "\"");
    if (m[LX_MEMBER_TAGS].p && m[LX_MEMBER_TAGS].p[0] == '[') {
        jw_member_raw(w, "\"tags\":", 7, m[LX_MEMBER_TAGS].p, m[LX_MEMBER_TAGS].len);
    } else {
        JW_KEY(w, "tags");
        jw_arr(w);
        jw_arr_end(w);
    }
    WRITE_MEMBER(w, "language", &m[LX_MEMBER_LANGUAGE], "\"");
    WRITE_MEMBER(w, "url", &m[LX_MEMBER_URL], "\"");
    WRITE_MEMBER(w, "duration", &m[LX_MEMBER_DURATION], number);
    JW_KEY(w, "score");
    jw_double(w, h->score, 4);
    resjson_snippet(w, h);
    if (h->n_via) { /* the translations it matched through (issue 12) */
        JW_KEY(w, "via");
        jw_arr(w);
        for (size_t i = 0; i < h->n_via; i++) {
            jw_obj(w);
            JW_KEY(w, "from");
            jw_str(w, h->via[i].from);
            JW_KEY(w, "to");
            jw_str(w, h->via[i].to);
            JW_KEY(w, "lang");
            jw_str(w, h->via[i].lang);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    if (related || h->n_shared_tags || h->n_shared_terms) { /* also lectures like a text */
        write_strings(w, "shared_tags", h->shared_tags, h->n_shared_tags);
        write_strings(w, "shared_terms", h->shared_terms, h->n_shared_terms);
    }
    if (mo) {
        JW_KEY(w, "moments");
        resjson_moment_list(w, mo);
    }
    jw_obj_end(w);
}

static void write_facets(jsonw *w, const char *key, const lx_facet *f, size_t n, unsigned max) {
    size_t i;
    if (n > max)
        n = max; /* the engine orders them by count */
    jw_key(w, key);
    jw_obj(w);
    for (i = 0; i < n; i++) {
        jw_key(w, f[i].value);
        jw_uint(w, f[i].count);
    }
    jw_obj_end(w);
}

/* "did_you_mean": {"query": ..., "corrections": [{"from", "to"}]} */
static void write_did_you_mean(jsonw *w, const lx_results *r) {
    JW_KEY(w, "did_you_mean");
    jw_obj(w);
    JW_KEY(w, "query");
    jw_str(w, r->did_you_mean);
    JW_KEY(w, "corrections");
    jw_arr(w);
    for (size_t i = 0; i < r->n_corrections; i++) {
        jw_obj(w);
        JW_KEY(w, "from");
        jw_str(w, r->corrections[i].from);
        JW_KEY(w, "to");
        jw_str(w, r->corrections[i].to);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void resjson_write(jsonw *w, int related, const char *subject, const lx_results *r, unsigned limit,
                   unsigned offset, unsigned facets, size_t took[2]) {
    resjson_write_moments_of(w, related, subject, r, limit, offset, facets, took, NULL);
}

void resjson_write_moments_of(jsonw *w, int related, const char *subject, const lx_results *r,
                              unsigned limit, unsigned offset, unsigned facets, size_t took[2],
                              lx_moments *const *moments) {
    size_t i;
    jw_obj(w);
    jw_key(w, related ? "id" : "query");
    jw_str(w, subject ? subject : "");
    JW_KEY(w, "total");
    jw_uint(w, r->total);
    if (r->partial) { /* out of work budget: total at least, hits the best found */
        JW_KEY(w, "partial");
        jw_bool(w, 1);
    }
    if (!related && r->query_lang[0]) { /* issue 12: how the language was chosen */
        JW_KEY(w, "query_lang");
        jw_obj(w);
        JW_KEY(w, "code");
        jw_str(w, r->query_lang);
        JW_KEY(w, "source");
        jw_str(w, r->query_lang_source ? r->query_lang_source : "detected");
        JW_KEY(w, "why");
        jw_str(w, r->query_lang_why);
        jw_obj_end(w);
    }
    if (r->did_you_mean)
        write_did_you_mean(w, r);
    if (r->truncated) { /* a long text: its most informative words were kept */
        JW_KEY(w, "truncated");
        jw_bool(w, 1);
        JW_KEY(w, "dropped");
        jw_arr(w);
        for (size_t j = 0; j < r->n_dropped; j++)
            jw_str(w, r->dropped[j]);
        jw_arr_end(w);
    }
    JW_KEY(w, "took_ms");
    took[0] = w->len;
    jw_double(w, r->took_ms, 3);
    took[1] = w->len;
    JW_KEY(w, "limit");
    jw_uint(w, limit);
    JW_KEY(w, "offset");
    jw_uint(w, offset);
    JW_KEY(w, "results");
    jw_arr(w);
    for (i = 0; i < r->n; i++)
        write_hit(w, &r->hits[i], related, moments ? moments[i] : NULL);
    jw_arr_end(w);
    JW_KEY(w, "facets");
    jw_obj(w);
    write_facets(w, "tags", r->tag_facets, r->n_tag_facets, facets);
    write_facets(w, "language", r->lang_facets, r->n_lang_facets, facets);
    jw_obj_end(w);
    jw_obj_end(w);
}

/* A time in seconds, or null when untimed (< 0). */
static void write_time(jsonw *w, const char *key, double t) {
    jw_key(w, key);
    if (t >= 0)
        jw_double(w, t, 2);
    else
        jw_null(w);
}

void resjson_moment_list(jsonw *w, const lx_moments *m) {
    jw_arr(w);
    for (size_t i = 0; i < m->n; i++) {
        const lx_moment *x = &m->moments[i];
        jw_obj(w);
        write_time(w, "start", x->start);
        write_time(w, "end", x->end);
        JW_KEY(w, "text");
        jw_str(w, x->text);
        JW_KEY(w, "score");
        jw_double(w, x->score, 4);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

void resjson_moments(jsonw *w, const char *id, const char *query, const lx_moments *m) {
    jw_obj(w);
    JW_KEY(w, "id");
    jw_str(w, id);
    JW_KEY(w, "query");
    jw_str(w, query ? query : "");
    JW_KEY(w, "total");
    jw_uint(w, m->total);
    JW_KEY(w, "timed");
    jw_bool(w, m->timed);
    JW_KEY(w, "span");
    jw_double(w, m->span, 2);
    JW_KEY(w, "density");
    jw_arr(w);
    for (int i = 0; i < LX_MOMENT_BINS; i++)
        jw_uint(w, m->density[i]);
    jw_arr_end(w);
    JW_KEY(w, "moments");
    resjson_moment_list(w, m);
    jw_obj_end(w);
}
