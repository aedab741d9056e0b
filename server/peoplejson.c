/*
 * peoplejson.c -- lecturers and tag suggestions as JSON, in the shapes
 * docs/api.md describes; the server's answers and the CLI's --json are
 * both written here.
 */
#include <string.h>

#include "peoplejson.h"
#include "resjson.h"

static void write_lecture(jsonw *w, const lx_hit *h) {
    static const char *const keys[] = {"date", "institution"};
    jw_span m[2];
    if (!h->meta_json || jw_members(h->meta_json, strlen(h->meta_json), keys, 2, m))
        memset(m, 0, sizeof m);
    jw_obj(w);
    jw_key(w, "id");
    jw_str(w, h->id);
    jw_key(w, "title");
    jw_str(w, h->title);
    for (int i = 0; i < 2; i++) {
        jw_key(w, keys[i]);
        if (m[i].p && m[i].p[0] == '"')
            jw_raw(w, m[i].p, m[i].len);
        else
            jw_null(w);
    }
    jw_key(w, "score");
    jw_double(w, h->score, 4);
    resjson_snippet(w, h);
    jw_obj_end(w);
}

static void write_strings(jsonw *w, const char *key, const char **s, size_t n) {
    jw_key(w, key);
    jw_arr(w);
    for (size_t i = 0; i < n; i++)
        jw_str(w, s[i]);
    jw_arr_end(w);
}

static void write_person(jsonw *w, const lx_lecturer *p, size_t max_lectures) {
    jw_obj(w);
    jw_key(w, "name");
    jw_str(w, p->name);
    jw_key(w, "key");
    jw_str(w, p->key);
    jw_key(w, "score");
    jw_double(w, p->score, 4);
    jw_key(w, "n_lectures");
    jw_uint(w, p->n_lectures);
    jw_key(w, "lectures");
    jw_arr(w);
    for (size_t i = 0; i < p->n_lectures && i < max_lectures; i++)
        write_lecture(w, p->lectures[i]);
    jw_arr_end(w);
    write_strings(w, "institutions", p->institutions, p->n_institutions);
    write_strings(w, "languages", p->languages, p->n_languages);
    resjson_counts(w, "tags", "tag", p->tags, p->n_tags);
    jw_obj_end(w);
}

void peoplejson_write(jsonw *w, const char *query, const lx_lecturers *l, unsigned limit,
                      unsigned offset, int profile) {
    if (profile) {
        write_person(w, &l->people[0], (size_t)-1);
        return;
    }
    jw_obj(w);
    jw_key(w, "query");
    jw_str(w, query ? query : "");
    jw_key(w, "total");
    jw_uint(w, l->total);
    if (l->partial) {
        jw_key(w, "partial");
        jw_bool(w, 1);
    }
    jw_key(w, "took_ms");
    jw_double(w, l->took_ms, 3);
    jw_key(w, "limit");
    jw_uint(w, limit);
    jw_key(w, "offset");
    jw_uint(w, offset);
    jw_key(w, "results");
    jw_arr(w);
    for (size_t i = 0; i < l->n; i++)
        write_person(w, &l->people[i], PEOPLEJSON_LECTURES);
    jw_arr_end(w);
    jw_obj_end(w);
}

void peoplejson_suggestions(jsonw *w, const char *id, const lx_tag_suggestion *t, size_t n) {
    jw_obj(w);
    jw_key(w, "id");
    jw_str(w, id);
    jw_key(w, "tags");
    jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(w);
        jw_key(w, "tag");
        jw_str(w, t[i].tag);
        jw_key(w, "confidence");
        jw_double(w, t[i].confidence, 3);
        jw_key(w, "curated");
        jw_bool(w, t[i].curated);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}
