/* lecturers.c -- expert finding: people ranked by their lectures on a
 * query, and one person's profile.
 *
 * The model is a voting model over a document ranking (Macdonald and
 * Ounis, "Voting for candidates", CIKM 2006): the query's top lectures
 * (lx_search, LX_LECTURER_DEPTH deep) are the evidence, and each lecture
 * votes for every person its speaker field names with its score.  The
 * aggregates (LX_EXPERT_*) were compared on the tagged TED talks against
 * the baseline "the speakers of the top 10 lectures, in order"
 * (tests/eval/lecturers/README.md); the default is the best of them.
 * Balog's document-centric Model 2 is this family with p(d|ca) uniform
 * over the evidence; its "1 / number of lectures of the person" form was
 * not built: it needs every person's lecture count over the whole index,
 * a scan of every stored lecture the ranking does not otherwise read.
 *
 * People: a speaker field names one or more people ("A and B", "A, B",
 * "A + B", "A & B"); lx_speakers_split splits it and lx_name_key gives
 * each person one key (tokens as the index folds them: case, accents,
 * punctuation; a leading title dropped), so "Dr. Hanna Korhonen" and
 * "hanna korhonen" are one entry.  Two people written as one ("Melati and
 * Isabel Wijsen") become "melati" and "isabel wijsen": the split cannot
 * know that a surname is shared.
 *
 * Cost: one lecture search of depth hits whose page is the people's
 * (searcher.h page_fn): a ranked lecture without a speaker (its norms say
 * so) is never read, the others' people come from a per-searcher cache by
 * docid, and only the lectures of the people on the page become hits
 * (with snippets for each person's first when asked).  On the TED talks
 * about 1.4x a lecture search as the API runs it with snippets, 1x
 * without (tests/eval/lecturers/README.md).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "meta.h"
#include "resbuild.h"
#include "searcher.h"
#include "strmap.h"
#include "text.h"

/* ---- Names ------------------------------------------------------------ */

typedef struct keybuf {
    char *out;
    size_t size, n;
    int titles; /* still reading the leading titles */
} keybuf;

static int is_title(const char *t, size_t n) {
    static const char *const titles[] = {"dr",  "dra", "prof", "professor", "mr",
                                         "mrs", "ms",  "dott", "doc",       "sir"};
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strlen(titles[i]) == n && !memcmp(titles[i], t, n))
            return 1;
    return 0;
}

static void key_token(void *ctx, const char *tok, size_t len, size_t start, size_t end,
                      uint32_t pos) {
    keybuf *k = ctx;
    char t[LX_TOKEN_BUF];
    (void)start, (void)end, (void)pos;
    if (len >= sizeof t)
        len = sizeof t - 1;
    memcpy(t, tok, len);
    len = lx_text_strip_marks(t, len); /* "Aïcha" and "Aicha" are one person */
    tok = t;
    if (k->titles && is_title(tok, len))
        return;
    k->titles = 0;
    size_t need = len + (k->n ? 1 : 0);
    if (k->n + need + 1 > k->size)
        return;
    if (k->n)
        k->out[k->n++] = ' ';
    memcpy(k->out + k->n, tok, len);
    k->n += len;
    k->out[k->n] = 0;
}

int lx_name_key(const char *name, size_t len, char *out, size_t size) {
    keybuf k = {out, size, 0, 1};
    if (!size)
        return 0;
    out[0] = 0;
    int rc = lx_tokenize(name, len, key_token, &k, NULL);
    return rc < 0 ? rc : (int)k.n;
}

/* A part that only qualifies the name before it ("Jr.", "PhD"). */
static int is_suffix(const char *key) {
    static const char *const sfx[] = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "jr phd"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
        if (!strcmp(key, sfx[i]))
            return 1;
    return 0;
}

/* The length of a connecting word ("and" in the bank's languages) at p,
 * standing alone between spaces; 0 when there is none. */
static size_t connector(const char *p, const char *end) {
    static const char *const words[] = {"and", "und", "ja", "och", "og", "et", "en", "with"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(end - p) > n && !strncasecmp(p, words[i], n) && p[n] == ' ')
            return n;
    }
    return 0;
}

typedef struct span {
    size_t a, b;
} span;

int lx_speakers_split(const char *sp, size_t len, lx_person_fn fn, void *ctx) {
    span part[LX_MAX_PEOPLE * 2];
    size_t np = 0, start = 0;
    const char *end = sp + len;
    for (size_t i = 0; i <= len && np < LX_MAX_PEOPLE * 2; i++) {
        size_t skip = 0;
        if (i == len || strchr(",;&+/", sp[i]))
            skip = 1;
        else if (i > 0 && sp[i - 1] == ' ' && (skip = connector(sp + i, end)) == 0)
            continue;
        else if (!skip)
            continue;
        part[np].a = start;
        part[np++].b = i;
        start = i + skip;
        i = start - 1;
    }
    int people = 0;
    char key[LX_MAX_NAME_BYTES], prev[LX_MAX_NAME_BYTES];
    span cur = {0, 0};
    int have = 0;
    for (size_t i = 0; i <= np; i++) {
        int kl = 0;
        if (i < np) {
            kl = lx_name_key(sp + part[i].a, part[i].b - part[i].a, key, sizeof key);
            if (kl < 0)
                return kl;
            if (kl == 0)
                continue;
            if (have && is_suffix(key)) {
                cur.b = part[i].b; /* "King, Jr." stays one name */
                continue;
            }
        }
        if (have && people < LX_MAX_PEOPLE) {
            while (cur.a < cur.b && (sp[cur.a] == ' ' || sp[cur.a] == '\t'))
                cur.a++;
            while (cur.b > cur.a && (sp[cur.b - 1] == ' ' || sp[cur.b - 1] == '\t'))
                cur.b--;
            int pl = lx_name_key(sp + cur.a, cur.b - cur.a, prev, sizeof prev);
            if (pl > 0) {
                fn(ctx, sp + cur.a, cur.b - cur.a, prev);
                people++;
            }
        }
        if (i < np) {
            cur = part[i];
            have = 1;
        }
    }
    return people;
}

/* ---- Ranking ---------------------------------------------------------- */

/* A lecture of the evidence that names someone. */
typedef struct evid {
    uint32_t doc;
    uint32_t rank; /* in the lecture search, from 0 */
    double score;
    uint32_t hit; /* its hit in the answer's evidence, or UINT32_MAX */
    int snippet;  /* it gets a snippet */
} evid;

/* A person while the evidence is read; the public lx_lecturer is filled
 * from it at the end. */
typedef struct person {
    lx_lecturer l;
    uint32_t *ev; /* their lectures (indexes of owned.ev), best first */
    size_t n_ev, cap_ev, cap_inst, cap_lang, cap_tag;
    double sum, max, expsum, rr;
} person;

/* The answer and what it owns. */
typedef struct owned {
    lx_lecturers pub;  /* first: the caller's pointer */
    lx_strmap strings; /* every string the answer points to -> index in strs */
    const char **strs;
    size_t n_strs, cap_strs;
    lx_lecturer *page; /* the people on the page, copied from all */
    lx_strmap keys;    /* person key -> index in all */
    person *all;
    size_t n_all, cap_all;
    evid *ev; /* the evidence lectures that name someone, in rank order */
    size_t n_ev;
    /* What the page asks (people_page). */
    int model, snippets;
    const char *only; /* a profile: the one key counted */
    size_t limit, offset, from;
} owned;

/* Room for one more after the n elements of *pp. */
static int grow(void *pp, size_t *cap, size_t n, size_t size) {
    return lx_grow(pp, size, n + 1, cap, 4);
}

/* The arena copy of s, NUL-terminated, one per distinct string; NULL
 * when out of memory. */
static const char *intern(owned *o, const char *s, size_t n) {
    char tmp[LX_MAX_NAME_BYTES * 2];
    if (n + 1 > sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = 0; /* the key keeps its NUL: the copy is a C string */
    uint32_t h = lx_hash(tmp, n + 1);
    uint32_t *v = lx_strmap_get(&o->strings, tmp, n + 1, h);
    if (v)
        return o->strs[*v];
    const char *stored;
    if (grow(&o->strs, &o->cap_strs, o->n_strs, sizeof *o->strs) ||
        !lx_strmap_put(&o->strings, tmp, n + 1, h, (uint32_t)o->n_strs, &stored))
        return NULL;
    o->strs[o->n_strs++] = stored;
    return stored;
}

/* Adds s to a list of distinct strings. */
static int add_distinct(owned *o, const char ***list, size_t *n, size_t *cap, const char *s) {
    if (!s || !*s)
        return 0;
    const char *c = intern(o, s, strlen(s));
    if (!c)
        return LX_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i] == c)
            return 0;
    if (grow(list, cap, *n, sizeof **list))
        return LX_ENOMEM;
    (*list)[(*n)++] = c;
    return 0;
}

static int add_tag(owned *o, person *p, const char *tag) {
    const char *c = intern(o, tag, strlen(tag));
    if (!c)
        return LX_ENOMEM;
    for (size_t i = 0; i < p->l.n_tags; i++)
        if (p->l.tags[i].value == c) {
            p->l.tags[i].count++;
            return 0;
        }
    if (grow(&p->l.tags, &p->cap_tag, p->l.n_tags, sizeof *p->l.tags))
        return LX_ENOMEM;
    p->l.tags[p->l.n_tags].value = c;
    p->l.tags[p->l.n_tags++].count = 1;
    return 0;
}

static int cmp_facet(const void *a, const void *b) {
    const lx_facet *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* One evidence lecture voting for the people it names. */
typedef struct vote {
    owned *o;
    uint32_t e; /* in o->ev */
    double best;
    int rc;
} vote;

static const char *str_of(const cJSON *meta, const char *k) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(meta, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static person *person_of(owned *o, const char *name, size_t len, const char *key) {
    size_t kl = strlen(key);
    uint32_t h = lx_hash(key, kl);
    uint32_t *ix = lx_strmap_get(&o->keys, key, kl, h);
    if (ix)
        return &o->all[*ix];
    if (grow(&o->all, &o->cap_all, o->n_all, sizeof *o->all) ||
        !lx_strmap_put(&o->keys, key, kl, h, (uint32_t)o->n_all, NULL))
        return NULL;
    person *p = &o->all[o->n_all++];
    memset(p, 0, sizeof *p);
    p->l.name = intern(o, name, len);
    p->l.key = intern(o, key, kl);
    return p->l.name && p->l.key ? p : NULL;
}

static int person_vote(vote *v, person *p) {
    /* A person named twice in one field votes once. */
    if (p->n_ev && p->ev[p->n_ev - 1] == v->e)
        return 0;
    const evid *e = &v->o->ev[v->e];
    double s = e->score, x = v->best > 0 ? s / v->best : 1.0;
    p->sum += s;
    p->max = p->n_ev ? fmax(p->max, s) : s;
    p->expsum += exp(3.0 * x);
    p->rr += 1.0 / (double)(e->rank + 1);
    if (grow(&p->ev, &p->cap_ev, p->n_ev, sizeof *p->ev))
        return LX_ENOMEM;
    p->ev[p->n_ev++] = v->e;
    return 0;
}

/* The institutions, languages and tags of a person's lectures (only for
 * the people on the page: a cJSON tree per lecture). */
static int person_details(owned *o, person *p) {
    int rc = 0;
    for (size_t i = 0; !rc && i < p->l.n_lectures; i++) {
        const lx_hit *h = p->l.lectures[i];
        cJSON *meta = cJSON_Parse(h->meta_json ? h->meta_json : "{}");
        if (!meta)
            return LX_ENOMEM;
        rc = add_distinct(o, &p->l.institutions, &p->l.n_institutions, &p->cap_inst,
                          str_of(meta, "institution"));
        if (!rc)
            rc = add_distinct(o, &p->l.languages, &p->l.n_languages, &p->cap_lang,
                              str_of(meta, "language"));
        const cJSON *tags = cJSON_GetObjectItemCaseSensitive(meta, "tags"), *t;
        cJSON_ArrayForEach(t, tags) if (!rc && cJSON_IsString(t)) rc =
            add_tag(o, p, t->valuestring);
        cJSON_Delete(meta);
    }
    if (!rc && p->l.n_tags)
        qsort(p->l.tags, p->l.n_tags, sizeof *p->l.tags, cmp_facet);
    return rc;
}

static void on_person(void *ctx, const char *name, size_t len, const char *key) {
    vote *v = ctx;
    if (v->rc || (v->o->only && strcmp(v->o->only, key)))
        return;
    person *p = person_of(v->o, name, len, key);
    v->rc = p ? person_vote(v, p) : LX_ENOMEM;
}

static double model_score(const person *p, int model) {
    double n = (double)p->n_ev;
    switch (model) {
    case LX_EXPERT_MAX:
        return p->max;
    case LX_EXPERT_SUM:
        return p->sum;
    case LX_EXPERT_MNZ:
        return p->sum * n;
    case LX_EXPERT_VOTES:
        return n + p->rr * 1e-3; /* ties by the better ranks */
    case LX_EXPERT_EXPSUM:
        return p->expsum;
    default:
        return p->rr;
    }
}

static int cmp_person(const void *a, const void *b) {
    const person *x = a, *y = b;
    if (x->l.score != y->l.score)
        return x->l.score > y->l.score ? -1 : 1;
    return strcmp(x->l.key, y->l.key);
}

static owned *owned_new(void) {
    owned *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    lx_strmap_init(&o->strings);
    lx_strmap_init(&o->keys);
    return o;
}

void lx_lecturers_free(lx_lecturers *l) {
    owned *o = (owned *)l;
    if (!o)
        return;
    for (size_t i = 0; i < o->n_all; i++) {
        free(o->all[i].ev);
        free(o->all[i].l.lectures);
        free(o->all[i].l.institutions);
        free(o->all[i].l.languages);
        free(o->all[i].l.tags);
    }
    free(o->all);
    free(o->page);
    free(o->strs);
    free(o->ev);
    lx_strmap_free(&o->strings);
    lx_strmap_free(&o->keys);
    lx_results_free(o->pub.evidence);
    free(o);
}

/* ---- The people of each lecture, cached ------------------------------- */

/* A searcher's cache of each lecture's people, by docid: a docid is never
 * reused within an index file, so an entry stays true for every snapshot
 * of the file it was read from (env_gen); a rebuilt file empties it.  An
 * entry is "name NUL key NUL" per person, then a NUL, in the arena. */
#define SPEAKERS_MAX_BYTES (16u << 20) /* then emptied and refilled */

typedef struct speakers {
    uint64_t env_gen;
    uint32_t *at; /* per docid: 1 + the entry's arena offset; 0 = not read */
    uint32_t cap;
    lx_buf arena;
} speakers;

static void speakers_free(void *p) {
    speakers *c = p;
    if (c) {
        free(c->at);
        lx_buf_free(&c->arena);
        free(c);
    }
}

static void speakers_add(void *ctx, const char *name, size_t len, const char *key) {
    lx_buf *b = ctx;
    if (!b->p && b->cap) /* out of memory before */
        return;
    if (lx_buf_append(b, name, len) || lx_buf_append(b, "", 1) ||
        lx_buf_append(b, key, strlen(key) + 1))
        lx_buf_free(b), b->cap = 1;
}

/* The cache, fitted to this file and its docids; NULL when out of memory. */
static speakers *speakers_ready(lx_searcher *s) {
    speakers *c = lx_searcher_part(s, LX_PART_SPEAKERS);
    if (!c) {
        if (!(c = calloc(1, sizeof *c)))
            return NULL;
        lx_searcher_set_part(s, LX_PART_SPEAKERS, c, speakers_free);
    }
    uint32_t nd = s->st.next_doc;
    if (c->env_gen != s->env->gen || c->arena.n > SPEAKERS_MAX_BYTES) {
        if (c->cap)
            memset(c->at, 0, c->cap * sizeof *c->at);
        c->arena.n = 0;
        c->env_gen = s->env->gen;
    }
    if (nd > c->cap) {
        uint32_t *at = realloc(c->at, nd * sizeof *at);
        if (!at)
            return NULL;
        memset(at + c->cap, 0, (nd - c->cap) * sizeof *at);
        c->at = at;
        c->cap = nd;
    }
    return c;
}

/* Docid d's entry, read from its stored speaker field on first use. */
static int speakers_of(lx_searcher *s, speakers *c, uint32_t d, const char **entry) {
    if (!c->at[d]) {
        lx_docview v;
        lx_buf sp = {0}, e = {0};
        int rc = lx_store_doc(s->txn, s->ix, d, &v);
        if (!rc && (rc = lx_meta_string(v.meta, v.h.meta_len, "speaker", &sp)) == 1)
            rc = lx_speakers_split((const char *)sp.p, sp.n, speakers_add, &e);
        lx_buf_free(&sp);
        if (rc >= 0 && (e.cap && !e.p))
            rc = LX_ENOMEM;
        size_t off = c->arena.n;
        if (rc >= 0 &&
            (off + e.n + 1 >= UINT32_MAX || (e.n && lx_buf_append(&c->arena, e.p, e.n)) ||
             lx_buf_append(&c->arena, "", 1)))
            rc = LX_ENOMEM;
        lx_buf_free(&e);
        if (rc < 0)
            return rc;
        c->at[d] = (uint32_t)off + 1;
    }
    *entry = (const char *)c->arena.p + c->at[d] - 1;
    return 0;
}

/* The votes of the ranked lectures (top, n): only lectures whose speaker
 * field has tokens (the norms say so without reading them) are looked
 * at, and each one's people are read once per searcher (speakers_of). */
static int read_votes(lx_searcher *s, owned *o, const lx_scored *top, uint32_t n) {
    const uint32_t *norms;
    uint32_t nn;
    int rc = lx_store_norms(s->txn, s->ix, &norms, &nn);
    speakers *c = rc ? NULL : speakers_ready(s);
    if (!rc && (!c || (n && !(o->ev = malloc(n * sizeof *o->ev)))))
        rc = LX_ENOMEM;
    for (uint32_t i = 0; i < n && !rc; i++) {
        uint32_t d = top[i].doc;
        const char *p;
        uint32_t splen = 1; /* (the stored norms may be unaligned) */
        if (d < nn)
            memcpy(&splen, (const uint8_t *)norms + ((size_t)d * LX_NFIELDS + LX_F_SPEAKER) * 4, 4);
        if (!splen || d >= c->cap)
            continue;
        if ((rc = speakers_of(s, c, d, &p)))
            break;
        o->ev[o->n_ev] = (evid){d, i, top[i].score, UINT32_MAX, 0};
        vote vt = {o, (uint32_t)o->n_ev++, top[0].score, 0};
        while (*p && !vt.rc) {
            size_t nl = strlen(p);
            const char *key = p + nl + 1;
            on_person(&vt, p, nl, key);
            p = key + strlen(key) + 1;
        }
        rc = vt.rc;
    }
    return rc;
}

/* The lectures of the people on the page, in rank order, as the answer's
 * evidence: a hit each (a snippet for each person's first
 * LX_LECTURER_SNIPPETS when asked). */
static int page_hits(lx_searcher *s, owned *o, double t0, lx_results **out) {
    size_t want = 0, k = 0;
    for (size_t i = 0; i < o->pub.n; i++) {
        const person *p = &o->all[o->from + i];
        for (size_t j = 0; j < p->n_ev; j++) {
            evid *e = &o->ev[p->ev[j]];
            want += e->hit == UINT32_MAX;
            e->hit = 0;
            e->snippet |= o->snippets && j < LX_LECTURER_SNIPPETS;
        }
    }
    lx_resbuild *b = lx_resbuild_new(want ? want : 1);
    if (!b)
        return LX_ENOMEM;
    int rc = 0;
    for (size_t e = 0; e < o->n_ev && !rc; e++) {
        if (o->ev[e].hit == UINT32_MAX)
            continue;
        o->ev[e].hit = (uint32_t)k++;
        rc =
            lx_resbuild_hit(b, s, o->ev[e].doc, o->ev[e].score, o->ev[e].snippet, NULL, 0, NULL, 0);
    }
    if (!rc)
        rc = lx_resbuild_finish(b, s, NULL, k, 0, t0, out);
    lx_resbuild_free(b);
    return rc;
}

/* lx_search's page (searcher.h page_fn): the people ranked from the
 * ranked lectures, and the hits of the lectures the page shows. */
static int people_page(lx_searcher *s, const lx_scored *top, uint32_t n, double t0,
                       lx_results **out, void *ctx) {
    owned *o = ctx;
    int rc = read_votes(s, o, top, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < o->n_all; i++)
        o->all[i].l.score = model_score(&o->all[i], o->model);
    if (o->n_all)
        qsort(o->all, o->n_all, sizeof *o->all, cmp_person);
    o->pub.total = o->n_all;
    o->from = o->offset < o->n_all ? o->offset : o->n_all;
    size_t left = o->n_all - o->from;
    o->pub.n = left < o->limit ? left : o->limit;
    return page_hits(s, o, t0, out);
}

/* The evidence search of so with the people's page; then each person on
 * the page gets their lectures (hits of the evidence) and details. */
static int rank_people(lx_searcher *s, owned *o, const lx_search_opts *so, lx_error *err) {
    s->page_fn = people_page;
    s->page_ctx = o;
    int rc = lx_search(s, so, &o->pub.evidence, err);
    s->page_fn = NULL;
    s->page_ctx = NULL;
    if (rc)
        return rc;
    if (o->pub.n && !(o->page = malloc(o->pub.n * sizeof *o->page)))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    for (size_t i = 0; i < o->pub.n; i++) {
        person *p = &o->all[o->from + i];
        p->l.lectures = malloc((p->n_ev ? p->n_ev : 1) * sizeof *p->l.lectures);
        if (!p->l.lectures)
            return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
        for (size_t j = 0; j < p->n_ev; j++)
            p->l.lectures[j] = &o->pub.evidence->hits[o->ev[p->ev[j]].hit];
        p->l.n_lectures = p->n_ev;
        if ((rc = person_details(o, p)))
            return lx_fail(err, rc, NULL, -1, "out of memory");
        o->page[i] = p->l;
    }
    o->pub.people = o->page;
    return 0;
}

int lx_lecturers_search(lx_searcher *s, const lx_lecturer_opts *lo, lx_lecturers **out,
                        lx_error *err) {
    *out = NULL;
    if (lo->model < 0 || lo->model >= LX_EXPERT_N)
        return lx_fail(err, LX_EINVAL, "model", -1, "no expert model %d", lo->model);
    double t0 = lx_now_ms();
    lx_search_opts so = lo->search;
    int empty = !so.query || !*so.query;
    unsigned depth = lo->depth ? lo->depth : LX_LECTURER_DEPTH;
    if (empty || depth > LX_MAX_RESULTS)
        depth = LX_MAX_RESULTS;
    so.limit = depth;
    so.offset = 0;
    so.flags &= ~(unsigned)LX_SEARCH_FACETS;
    owned *o = owned_new();
    if (!o)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    o->model = empty ? LX_EXPERT_VOTES : lo->model;
    o->snippets = (so.flags & LX_SEARCH_SNIPPETS) != 0;
    o->limit = lo->search.limit ? lo->search.limit : 10;
    o->offset = lo->search.offset;
    int rc = rank_people(s, o, &so, err);
    if (rc) {
        lx_lecturers_free(&o->pub);
        return rc;
    }
    o->pub.partial = o->pub.evidence->partial;
    o->pub.took_ms = lx_now_ms() - t0;
    *out = &o->pub;
    return 0;
}

int lx_lecturer_get(lx_searcher *s, const char *name, lx_lecturers **out, lx_error *err) {
    return lx_lecturer_get_in(s, name, NULL, out, err);
}

int lx_lecturer_get_in(lx_searcher *s, const char *name, const lx_search_opts *filter,
                       lx_lecturers **out, lx_error *err) {
    *out = NULL;
    char key[LX_MAX_NAME_BYTES];
    int kl = name ? lx_name_key(name, strlen(name), key, sizeof key) : 0;
    if (kl <= 0)
        return lx_fail(err, kl < 0 ? kl : LX_EINVAL, "name", -1, "no name given");
    double t0 = lx_now_ms();
    lx_search_opts so = {0};
    so.query = "";
    so.speaker = key; /* a phrase of the key's words: only their lectures */
    /* A filter's speaker phrase joins as a speaker: clause (quotes
     * dropped, as the speaker option's are). */
    char fq[LX_MAX_NAME_BYTES + 16];
    if (filter) {
        so.tags = filter->tags;
        so.lang = filter->lang;
        so.flags = filter->flags & LX_SEARCH_SUGGESTED;
        if (filter->speaker && filter->speaker[0]) {
            int n =
                snprintf(fq, sizeof fq, "speaker:\"%.*s\"", LX_MAX_NAME_BYTES - 1, filter->speaker);
            for (int i = 9; i < n - 1 && i < (int)sizeof fq - 1; i++)
                if (fq[i] == '"')
                    fq[i] = ' ';
            so.query = fq;
        }
    }
    so.limit = LX_MAX_RESULTS;
    so.work_budget = LX_WORK_UNLIMITED;
    owned *o = owned_new();
    if (!o)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    o->model = LX_EXPERT_VOTES;
    o->only = key;
    o->limit = 1;
    int rc = rank_people(s, o, &so, err);
    if (!rc && !o->pub.n)
        rc = lx_fail(err, LX_ENOTFOUND, "name", -1, "no lecturer named \"%s\"", name);
    if (rc) {
        lx_lecturers_free(&o->pub);
        return rc;
    }
    o->pub.people[0].score = (double)o->pub.people[0].n_lectures;
    o->pub.took_ms = lx_now_ms() - t0;
    *out = &o->pub;
    return 0;
}
