/* synth: streams synthetic lectures (JSON lines) drawn from a model fitted on
 * TED by synth_fit.py, for the 100k and 1M benchmarks (benchmark-only code).
 *
 *   synth MODEL [--count N] [--start K] [--seed S] [--segments SHARE]
 *               [--langs SHARE] [--repeat SHARE] [--queries N]
 *
 * Lecture i (K <= i < K+N) is drawn from its own generator, seeded from S and
 * i alone, so any range can be written on its own and the same i is always the
 * same lecture; nothing is held in memory but the model. What a lecture is made
 * of, each part sampled from TED's own distribution:
 *   - a seed talk, whose topic words (its tf-idf top words, theta of its
 *     tokens) make a share theta of the transcript; the rest is the transcript
 *     vocabulary's Zipf distribution, and a share "rare" (TED's share of words
 *     seen at most twice) comes from an unbounded synthetic vocabulary with a
 *     Pareto rank, so the vocabulary grows with the collection (Heaps' law);
 *   - lengths (transcript, title, description) from TED's empirical ones;
 *   - for a share "meta" of lectures (TED's share with metadata): a speaker
 *     (given name and surname from TED's speakers, speakers recurring), a
 *     description, and the seed talk's tags, lightly varied;
 *   - a share --langs (default 0.05) in the sample corpus's other languages,
 *     from their vocabularies; a share --segments (default 0.2) with timed
 *     segments instead of a plain transcript, timed at TED's words per second.
 * --queries N prints N title-like queries instead: 1 to 4 of the rarer words
 * (not among the 300 most frequent title words) of random lectures' titles.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *m) {
    fprintf(stderr, "synth: %s\n", m);
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* ---- random numbers: splitmix64 seeds xoshiro256** ---- */
typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static double unif(rng *r) {
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
static size_t below(rng *r, size_t n) {
    return n ? (size_t)(unif(r) * (double)n) : 0;
}

/* ---- a weighted vocabulary, sampled in O(1) by Walker's alias method ---- */
typedef struct {
    char **w;
    double *cnt;
    double *prob;
    uint32_t *alias;
    size_t n;
} vocab;

static void vocab_alias(vocab *v) {
    size_t n = v->n, ns = 0, nl = 0;
    double sum = 0, *p = xmalloc(n * sizeof *p);
    uint32_t *small = xmalloc(n * sizeof *small), *large = xmalloc(n * sizeof *large);
    v->prob = xmalloc(n * sizeof *v->prob);
    v->alias = xmalloc(n * sizeof *v->alias);
    for (size_t i = 0; i < n; i++)
        sum += v->cnt[i];
    for (size_t i = 0; i < n; i++) {
        p[i] = v->cnt[i] * (double)n / sum;
        if (p[i] < 1)
            small[ns++] = (uint32_t)i;
        else
            large[nl++] = (uint32_t)i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[--nl];
        v->prob[s] = p[s];
        v->alias[s] = l;
        p[l] -= 1 - p[s];
        if (p[l] < 1)
            small[ns++] = l;
        else
            large[nl++] = l;
    }
    while (nl)
        v->prob[large[--nl]] = 1;
    while (ns)
        v->prob[small[--ns]] = 1;
    free(p);
    free(small);
    free(large);
}

static size_t vocab_pick(const vocab *v, rng *r) {
    size_t i = below(r, v->n);
    return unif(r) < v->prob[i] ? i : v->alias[i];
}

static const char *vocab_draw(const vocab *v, rng *r) {
    return v->w[vocab_pick(v, r)];
}

/* ---- the model ---- */
typedef struct {
    char **tags;
    size_t ntags;
    char **topic;
    double *cum; /* cumulative topic-word counts */
    size_t ntopic;
    double theta;
} seed_talk;

typedef struct {
    char name[8];
    vocab v;
} language;

typedef struct {
    double rare, meta, wps;
    vocab words, twords, dwords, first, last, tags;
    long *tlen, *ilen, *dlen;
    size_t ntlen, nilen, ndlen;
    seed_talk *seeds;
    size_t nseeds;
    size_t *tagged; /* the seeds that have tags */
    size_t ntagged;
    language langs[16];
    size_t nlangs;
} model;

static char *read_line(FILE *f) {
    static char *buf;
    static size_t cap;
    ssize_t n = getline(&buf, &cap, f);
    if (n < 0)
        die("model: unexpected end of file");
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = 0;
    return buf;
}

static size_t header(FILE *f, const char *name) {
    char *l = read_line(f);
    size_t k = strlen(name);
    if (strncmp(l, name, k) != 0 || l[k] != ' ')
        die("model: a section is missing or out of order (refit the model)");
    return (size_t)strtoull(l + k + 1, NULL, 10);
}

static double scalar(FILE *f, const char *name) {
    char *l = read_line(f);
    size_t k = strlen(name);
    if (strncmp(l, name, k) != 0)
        die("model: a scalar is missing (refit the model)");
    return strtod(l + k, NULL);
}

static void read_vocab(FILE *f, const char *name, vocab *v) {
    v->n = header(f, name);
    v->w = xmalloc(v->n * sizeof *v->w);
    v->cnt = xmalloc(v->n * sizeof *v->cnt);
    for (size_t i = 0; i < v->n; i++) {
        char *l = read_line(f), *tab = strrchr(l, '\t');
        if (!tab)
            die("model: a vocabulary line lacks its count");
        *tab = 0;
        v->w[i] = strdup(l);
        v->cnt[i] = strtod(tab + 1, NULL);
    }
    if (v->n)
        vocab_alias(v);
}

static long *read_lengths(FILE *f, const char *name, size_t *n) {
    *n = header(f, name);
    long *a = xmalloc(*n * sizeof *a);
    for (size_t i = 0; i < *n; i++)
        a[i] = strtol(read_line(f), NULL, 10);
    return a;
}

static void read_seed(FILE *f, seed_talk *s) {
    char *l = read_line(f), *p, *save = NULL;
    s->ntags = strtoull(l, &p, 10);
    s->ntopic = strtoull(p, &p, 10);
    s->theta = strtod(p, NULL);
    s->tags = xmalloc(s->ntags * sizeof *s->tags);
    l = read_line(f);
    size_t k = 0;
    for (p = strtok_r(l, "|", &save); p && k < s->ntags; p = strtok_r(NULL, "|", &save))
        s->tags[k++] = strdup(p);
    s->ntags = k;
    s->topic = xmalloc(s->ntopic * sizeof *s->topic);
    s->cum = xmalloc(s->ntopic * sizeof *s->cum);
    l = read_line(f);
    k = 0;
    double sum = 0;
    for (p = strtok_r(l, " ", &save); p && k < s->ntopic; p = strtok_r(NULL, " ", &save)) {
        char *colon = strrchr(p, ':');
        if (!colon)
            continue;
        *colon = 0;
        s->topic[k] = strdup(p);
        sum += strtod(colon + 1, NULL);
        s->cum[k++] = sum;
    }
    s->ntopic = k;
    if (!k)
        s->theta = 0;
}

static void model_load(model *m, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "synth: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    if (strcmp(read_line(f), "lectern-synth-model 1") != 0)
        die("model: not a synth model (version 1)");
    m->rare = scalar(f, "rare");
    m->meta = scalar(f, "meta");
    m->wps = scalar(f, "wps");
    read_vocab(f, "words", &m->words);
    read_vocab(f, "twords", &m->twords);
    read_vocab(f, "dwords", &m->dwords);
    m->tlen = read_lengths(f, "tlen", &m->ntlen);
    m->ilen = read_lengths(f, "ilen", &m->nilen);
    m->dlen = read_lengths(f, "dlen", &m->ndlen);
    read_vocab(f, "first", &m->first);
    read_vocab(f, "last", &m->last);
    read_vocab(f, "tags", &m->tags);
    m->nseeds = header(f, "seeds");
    m->seeds = xmalloc(m->nseeds * sizeof *m->seeds);
    m->tagged = xmalloc(m->nseeds * sizeof *m->tagged);
    for (size_t i = 0; i < m->nseeds; i++) {
        read_seed(f, &m->seeds[i]);
        if (m->seeds[i].ntags)
            m->tagged[m->ntagged++] = i;
    }
    char *l;
    static char *buf;
    static size_t cap;
    while (m->nlangs < 16 && getline(&buf, &cap, f) > 0) {
        l = buf;
        language *g = &m->langs[m->nlangs];
        if (sscanf(l, "lang %7s", g->name) != 1)
            break;
        char sect[16];
        snprintf(sect, sizeof sect, "lang %s", g->name);
        /* re-read this header through read_vocab: rewind one line */
        size_t n = strtoull(l + strlen(sect) + 1, NULL, 10);
        g->v.n = n;
        g->v.w = xmalloc(n * sizeof *g->v.w);
        g->v.cnt = xmalloc(n * sizeof *g->v.cnt);
        for (size_t i = 0; i < n; i++) {
            char *w = read_line(f), *tab = strrchr(w, '\t');
            if (!tab)
                die("model: a vocabulary line lacks its count");
            *tab = 0;
            g->v.w[i] = strdup(w);
            g->v.cnt[i] = strtod(tab + 1, NULL);
        }
        if (n) {
            vocab_alias(&g->v);
            m->nlangs++;
        } else {
            free(g->v.w);
            free(g->v.cnt);
        }
    }
    fclose(f);
    if (!m->words.n || !m->twords.n || !m->ntlen || !m->nilen || !m->nseeds)
        die("model: empty vocabulary or lengths");
}

static void vocab_free(vocab *v) {
    for (size_t i = 0; i < v->n; i++)
        free(v->w[i]);
    free(v->w);
    free(v->cnt);
    free(v->prob);
    free(v->alias);
}

static void model_free(model *m) {
    vocab *vs[] = {&m->words, &m->twords, &m->dwords, &m->first, &m->last, &m->tags};
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++)
        vocab_free(vs[i]);
    for (size_t i = 0; i < m->nlangs; i++)
        vocab_free(&m->langs[i].v);
    for (size_t i = 0; i < m->nseeds; i++) {
        seed_talk *s = &m->seeds[i];
        for (size_t k = 0; k < s->ntags; k++)
            free(s->tags[k]);
        for (size_t k = 0; k < s->ntopic; k++)
            free(s->topic[k]);
        free(s->tags);
        free(s->topic);
        free(s->cum);
    }
    free(m->seeds);
    free(m->tagged);
    free(m->tlen);
    free(m->ilen);
    free(m->dlen);
}

/* ---- output: one growing buffer per lecture ---- */
typedef struct {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            die("out of memory");
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}
static void puts_(buf *b, const char *s) {
    put(b, s, strlen(s));
}

static void put_json(buf *b, const char *s) { /* a JSON string body */
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            put(b, "\\", 1);
            put(b, s, 1);
        } else if ((unsigned char)*s < 0x20)
            put(b, " ", 1);
        else
            put(b, s, 1);
    }
}

static void putf(buf *b, const char *fmt, double x) {
    char t[64];
    int n = snprintf(t, sizeof t, fmt, x);
    put(b, t, (size_t)n);
}

/* ---- drawing words ---- */
static const char *const syl[] = {"ba", "be", "bi", "bo", "da", "de", "di", "do", "fa", "fe",
                                  "ga", "gi", "ka", "ke", "ki", "ko", "la", "le", "li", "lo",
                                  "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe",
                                  "ra", "re", "ri", "ro", "sa", "se", "ta", "te", "ti", "vo"};
#define NSYL (sizeof syl / sizeof *syl)

/* A word of the unbounded rare vocabulary: its rank from a Pareto law
 * (P(rank >= x) = 1/x), spelled in syllables, at least three. */
static const char *rare_word(rng *r) {
    static char w[64];
    double u = unif(r);
    uint64_t id = u > 1e-9 ? (uint64_t)(1.0 / u) : 1000000000ULL;
    size_t k = 0;
    for (int i = 0; i < 3 || id; i++) {
        memcpy(w + k, syl[id % NSYL], 2);
        k += 2;
        id /= NSYL;
    }
    w[k] = 0;
    return w;
}

static const char *topic_word(const seed_talk *s, rng *r) {
    double x = unif(r) * s->cum[s->ntopic - 1];
    size_t lo = 0, hi = s->ntopic - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return s->topic[lo];
}

#define HIST 8192

typedef struct {
    const model *m;
    const seed_talk *s;
    int lang; /* index in m->langs of a non-English lecture, or -1 */
    int meta, timed;
    long ilen, tlen;
    rng r;
    /* The lecture's background words so far, for repeats (a cache model):
     * real talks are bursty, a word once said tends to come back. */
    const char *hist[HIST];
    size_t nhist;
} lecture;

/* The most frequent words (function words: "the", "around", "world") are
 * drawn afresh each time; a content word drawn from the background is, with
 * probability repeat_share, replaced by one of the lecture's earlier ones. */
#define UNBURSTY 150
/* Share of background tokens that repeat one of the lecture's earlier ones
 * (synth --repeat); fitted so that a content word's document frequency and the
 * distinct words a lecture comes near TED's (see tests/bench/README.md). */
static double repeat_share = 0.6;

static const char *body_word(lecture *L) {
    double u = unif(&L->r);
    if (u < L->m->rare)
        return rare_word(&L->r);
    if (L->lang < 0 && u < L->m->rare + L->s->theta)
        return topic_word(L->s, &L->r);
    const vocab *v = L->lang >= 0 ? &L->m->langs[L->lang].v : &L->m->words;
    size_t k = vocab_pick(v, &L->r);
    if (k < UNBURSTY)
        return v->w[k];
    if (L->nhist && unif(&L->r) < repeat_share)
        return L->hist[below(&L->r, L->nhist < HIST ? L->nhist : HIST)];
    L->hist[L->nhist++ % HIST] = v->w[k];
    return v->w[k];
}

/* Field words: a share from the seed's topic words, the rest from V. */
static const char *field_word(lecture *L, const vocab *v, double topical) {
    if (L->lang >= 0)
        return vocab_draw(&L->m->langs[L->lang].v, &L->r);
    if (L->s->ntopic && unif(&L->r) < topical)
        return topic_word(L->s, &L->r);
    return vocab_draw(v, &L->r);
}

static long draw_len(rng *r, const long *a, size_t n, long least) {
    long x = n ? (long)((double)a[below(r, n)] * (0.8 + 0.4 * unif(r))) : least;
    return x < least ? least : x;
}

static void put_title(buf *b, lecture *L, long n) {
    for (long i = 0; i < n; i++) {
        const char *w = field_word(L, &L->m->twords, 0.5);
        if (i)
            put(b, " ", 1);
        if (i == 0 && isalpha((unsigned char)w[0])) {
            char c = (char)toupper((unsigned char)w[0]);
            put(b, &c, 1);
            put_json(b, w + 1);
        } else
            put_json(b, w);
    }
}

/* Words of running text, a sentence every 8 to 24 words. */
static void put_text(buf *b, lecture *L, long n, long *sentence) {
    for (long i = 0; i < n; i++) {
        const char *w = body_word(L);
        if (*sentence <= 0) {
            *sentence = 8 + (long)below(&L->r, 17);
            if (b->len && b->p[b->len - 1] != '"')
                put(b, ". ", 2);
            char c = (char)toupper((unsigned char)w[0]);
            put(b, &c, 1);
            put_json(b, w + 1);
        } else {
            put(b, " ", 1);
            put_json(b, w);
        }
        (*sentence)--;
    }
}

static void put_segments(buf *b, lecture *L, long n) {
    double t = 0;
    puts_(b, ", \"segments\": [");
    for (long done = 0; done < n;) {
        long k = 6 + (long)below(&L->r, 9), sentence = 0;
        if (k > n - done)
            k = n - done;
        /* the 0.1 s pause after a segment is part of its speaking time, so
         * that the last one ends by the lecture's duration (n / wps) */
        double end = t + (double)k / L->m->wps - 0.1;
        if (end < t + 0.01)
            end = t + 0.01;
        if (done)
            put(b, ", ", 2);
        putf(b, "{\"start\": %.2f", t);
        putf(b, ", \"end\": %.2f, \"text\": \"", end);
        put_text(b, L, k, &sentence);
        puts_(b, ".\"}");
        t = end + 0.1;
        done += k;
    }
    put(b, "]", 1);
}

static void put_meta(buf *b, lecture *L, long i) {
    const model *m = L->m;
    /* recurring speakers among those of the lectures so far: a few prolific */
    uint64_t people = (uint64_t)(i / 3 > 50 ? i / 3 : 50);
    uint64_t who = (uint64_t)((double)people * unif(&L->r) * unif(&L->r)), h = who;
    if (m->first.n && m->last.n) {
        puts_(b, ", \"speaker\": \"");
        put_json(b, m->first.w[splitmix(&h) % m->first.n]);
        put(b, " ", 1);
        put_json(b, m->last.w[splitmix(&h) % m->last.n]);
        put(b, "\"", 1);
    }
    puts_(b, ", \"description\": \"");
    long n = draw_len(&L->r, m->dlen, m->ndlen, 5);
    for (long k = 0; k < n; k++) {
        if (k)
            put(b, " ", 1);
        put_json(b, field_word(L, &m->dwords, 0.4));
    }
    puts_(b, ".\", \"tags\": [");
    size_t kept = 0;
    for (size_t k = 0; k < L->s->ntags; k++)
        if (unif(&L->r) < 0.8 || (k + 1 == L->s->ntags && !kept)) {
            puts_(b, kept++ ? ", \"" : "\"");
            put_json(b, L->s->tags[k]);
            put(b, "\"", 1);
        }
    if (m->tags.n && (unif(&L->r) < 0.3 || !kept)) {
        puts_(b, kept++ ? ", \"" : "\"");
        put_json(b, vocab_draw(&m->tags, &L->r));
        put(b, "\"", 1);
    }
    putf(b, "], \"event\": \"Synth %.0f\"", (double)(2000 + i % 25));
    putf(b, ", \"date\": \"%.0f", (double)(2000 + i % 25));
    putf(b, "-%02.0f", (double)(1 + below(&L->r, 12)));
    putf(b, "-%02.0f\"", (double)(1 + below(&L->r, 28)));
    putf(b, ", \"url\": \"https://example.org/synth/%.0f\"", (double)i);
}

/* Everything drawn before the title, the same for a lecture and its query. */
static void lecture_begin(lecture *L, const model *m, uint64_t seed, long i, double langs,
                          double segments) {
    L->m = m;
    rng_seed(&L->r, seed, (uint64_t)i + 1);
    L->lang = -1;
    L->nhist = 0;
    if (m->nlangs && unif(&L->r) < langs)
        L->lang = (int)below(&L->r, m->nlangs);
    L->meta = unif(&L->r) < m->meta && m->ntagged;
    L->s = L->meta ? &m->seeds[m->tagged[below(&L->r, m->ntagged)]]
                   : &m->seeds[below(&L->r, m->nseeds)];
    L->ilen = draw_len(&L->r, m->ilen, m->nilen, 2);
    L->tlen = draw_len(&L->r, m->tlen, m->ntlen, 20);
    L->timed = unif(&L->r) < segments;
}

static void write_lecture(buf *b, const model *m, uint64_t seed, long i, double segments,
                          double langs) {
    lecture L;
    lecture_begin(&L, m, seed, i, langs, segments);
    long ilen = L.ilen, tlen = L.tlen;
    b->len = 0;
    putf(b, "{\"id\": \"synth-%07.0f\", \"collection\": \"synth\", \"title\": \"", (double)i);
    put_title(b, &L, ilen);
    puts_(b, "\", \"language\": \"");
    puts_(b, L.lang >= 0 ? m->langs[L.lang].name : "en");
    put(b, "\"", 1);
    if (L.meta)
        put_meta(b, &L, i);
    putf(b, ", \"duration\": %.0f", (double)tlen / m->wps);
    if (L.timed)
        put_segments(b, &L, tlen);
    else {
        long sentence = 0;
        puts_(b, ", \"transcript\": \"");
        put_text(b, &L, tlen, &sentence);
        puts_(b, ".\"");
    }
    puts_(b, "}\n");
}

/* A title-like query: 1 to 4 of the rarer words of lecture i's title, in order. */
static void write_query(buf *b, const model *m, uint64_t seed, long i, double langs,
                        double segments) {
    lecture L;
    lecture_begin(&L, m, seed, i, langs, segments);
    long ilen = L.ilen;
    const char *w[64];
    size_t n = 0;
    for (long k = 0; k < ilen && n < 64; k++) {
        const char *x = field_word(&L, &m->twords, 0.5);
        size_t j;
        for (j = 0; j < 300 && j < m->twords.n; j++)
            if (strcmp(m->twords.w[j], x) == 0)
                break;
        if (j < 300 && j < m->twords.n)
            continue; /* a common title word */
        if (strlen(x) < 3)
            continue;
        w[n++] = strdup(x);
    }
    rng q;
    rng_seed(&q, seed ^ 0x5eed, (uint64_t)i + 1);
    size_t want = 1 + below(&q, 4), start = n > want ? below(&q, n - want + 1) : 0;
    b->len = 0;
    for (size_t k = start; k < n && k < start + want; k++) {
        if (k > start)
            put(b, " ", 1);
        puts_(b, w[k]);
    }
    for (size_t k = 0; k < n; k++)
        free((void *)w[k]);
    if (b->len)
        put(b, "\n", 1);
}

static double num_arg(int argc, char **argv, int *i) {
    if (*i + 1 >= argc)
        die("an option lacks its value");
    char *end;
    double x = strtod(argv[++*i], &end);
    if (*end == 'k' || *end == 'K')
        x *= 1e3;
    else if (*end == 'M' || *end == 'm')
        x *= 1e6;
    return x;
}

int main(int argc, char **argv) {
    const char *path = NULL;
    long count = 1000, start = 0, queries = 0;
    uint64_t seed = 17;
    double segments = 0.2, langs = 0.05;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count"))
            count = (long)num_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--start"))
            start = (long)num_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--seed"))
            seed = (uint64_t)num_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--segments"))
            segments = num_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--langs"))
            langs = num_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--queries"))
            queries = (long)num_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--repeat"))
            repeat_share = num_arg(argc, argv, &i);
        else if (argv[i][0] == '-')
            die("usage: synth MODEL [--count N] [--start K] [--seed S] [--segments SHARE] "
                "[--langs SHARE] [--repeat SHARE] [--queries N]");
        else
            path = argv[i];
    }
    if (!path)
        die("usage: synth MODEL [--count N] ...: the model comes from synth_fit.py");
    model m = {0};
    model_load(&m, path);
    static char out[1 << 20];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    buf b = {0};
    if (queries > 0) {
        rng pick;
        rng_seed(&pick, seed ^ 0x9e3779b9ULL, 0);
        for (long q = 0, tries = 0; q < queries && tries < queries * 20; tries++) {
            write_query(&b, &m, seed, start + (long)below(&pick, (size_t)count), langs, segments);
            if (b.len) {
                fwrite(b.p, 1, b.len, stdout);
                q++;
            }
        }
    } else {
        for (long i = start; i < start + count; i++) {
            write_lecture(&b, &m, seed, i, segments, langs);
            fwrite(b.p, 1, b.len, stdout);
        }
    }
    if (fflush(stdout) != 0)
        die("write error");
    free(b.p);
    model_free(&m);
    return 0;
}
