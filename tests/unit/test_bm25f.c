/* test_bm25f.c -- ranking tests (engine/rank.c, engine/search.c):
 *
 * 1. A three-lecture index whose every score is computed here by hand from
 *    BM25F as rank.c documents it: per field tf_f * w_f / (1 - b_f + b_f *
 *    len_f / avg_f) summed over fields into tf~, then per term idf * (k1+1)
 *    * tf~ / (k1 + tf~) with idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
 *    summed over query terms (phrases score as the sum of their words),
 *    times (matched clauses / clauses)^coord.  Tag boost off for this.
 * 2. A query that names a tag ranks the tagged lecture first.
 * 3. A lecture matching all query terms beats one matching only one.
 * 4. On 2,000 generated lectures and 200 random queries, MaxScore pruning
 *    returns exactly the ids and scores of exhaustive scoring.
 * 5. So does a query whose words are all in fewer lectures than the page.
 */
#include "check.h"
#include "testidx.h"

#include <math.h>

/* ---- 1. hand-computed scores ---------------------------------------------- */

/* The lectures, and what a person counts in them: field lengths in tokens
 * and the tf of each query term per field (title, tags, speaker,
 * description, transcript).  "pays" stems to "pay"; "changes" does not
 * meet any query term. */
static const char *const three[] = {
    "{\"id\":\"l1\",\"title\":\"Gender equality at work\",\"tags\":[\"gender\",\"work\"],"
    "\"speaker\":\"Amina Yusuf\",\"description\":\"The gender pay gap explained.\","
    "\"language\":\"en\",\"transcript\":\"We measure the pay gap. The gap is real and the pay "
    "gap persists.\"}",
    "{\"id\":\"l2\",\"title\":\"Migration and work\",\"tags\":[\"migration\"],"
    "\"speaker\":\"Jon Smith\",\"description\":\"Labour migration in Europe.\","
    "\"transcript\":\"Migration changes work. Gender roles change too, and pay differs.\"}",
    "{\"id\":\"l3\",\"title\":\"Pay gap in the gig economy\",\"tags\":[\"economy\",\"pay gap\"],"
    "\"speaker\":\"Li Wei\",\"transcript\":\"Gig work pays less. Gender is one factor among "
    "many.\"}",
};

static const unsigned lens[3][LX_NFIELDS] = {
    {4, 2, 2, 5, 14},
    {3, 1, 2, 4, 10},
    {6, 3, 2, 0, 10},
};

enum { T_GENDER, T_PAY, T_GAP, T_MIGRATION, T_WORK, T_AMINA, NTERMS };
static const unsigned tfs[NTERMS][3][LX_NFIELDS] = {
    [T_GENDER] = {{1, 1, 0, 1, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 1}},
    [T_PAY] = {{0, 0, 0, 1, 2}, {0, 0, 0, 0, 1}, {1, 1, 0, 0, 1}},
    [T_GAP] = {{0, 0, 0, 1, 3}, {0, 0, 0, 0, 0}, {1, 1, 0, 0, 0}},
    [T_MIGRATION] = {{0, 0, 0, 0, 0}, {1, 1, 0, 1, 1}, {0, 0, 0, 0, 0}},
    [T_WORK] = {{1, 1, 0, 0, 0}, {1, 0, 0, 0, 1}, {0, 0, 0, 0, 1}},
    [T_AMINA] = {{0, 0, 1, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}},
};

static unsigned df_of(int t) {
    unsigned df = 0;
    for (int d = 0; d < 3; d++) {
        unsigned any = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            any += tfs[t][d][f];
        df += any > 0;
    }
    return df;
}

/* One term's BM25F contribution to lecture d. */
static double term_score(const lx_rank_params *p, int t, int d) {
    double N = 3, avg[LX_NFIELDS], tf = 0;
    for (int f = 0; f < LX_NFIELDS; f++) {
        avg[f] = (lens[0][f] + lens[1][f] + lens[2][f]) / N;
        if (tfs[t][d][f])
            tf += tfs[t][d][f] * p->weight[f] / (1 - p->b[f] + p->b[f] * lens[d][f] / avg[f]);
    }
    if (tf == 0)
        return 0;
    double df = df_of(t);
    double idf = log(1 + (N - df + 0.5) / (df + 0.5));
    return idf * (p->k1 + 1) * tf / (p->k1 + tf);
}

/* A query as clauses, each a list of terms (a phrase has several); a
 * phrase matches where the hand says so (phrase_docs bit d). */
typedef struct hquery {
    const char *text;
    int nclauses;
    int clause[4][3];        /* terms, -1 ended */
    unsigned phrase_docs[4]; /* for phrases: lectures where it is adjacent */
} hquery;

static double hand_score(const lx_rank_params *p, const hquery *q, int d, int *matches) {
    double s = 0;
    int matched = 0;
    for (int c = 0; c < q->nclauses; c++) {
        const int *ts = q->clause[c];
        int nt = 0;
        while (nt < 3 && ts[nt] >= 0)
            nt++;
        double cs = 0;
        int hit;
        if (nt == 1) {
            cs = term_score(p, ts[0], d);
            hit = cs > 0;
        } else {
            hit = (q->phrase_docs[c] >> d) & 1;
            for (int j = 0; hit && j < nt; j++)
                cs += term_score(p, ts[j], d);
        }
        if (hit) {
            s += cs;
            matched++;
        }
    }
    if (p->coord > 0 && q->nclauses)
        s *= pow((double)matched / q->nclauses, p->coord);
    *matches = matched > 0;
    return s;
}

/* The lengths above were counted by hand: check them with the tokenizer
 * so a miscount in this test does not pass for an engine bug. */
static void count_one(void *ctx, const char *t, size_t l, size_t a, size_t b, uint32_t pos) {
    (void)t;
    (void)l;
    (void)a;
    (void)b;
    (void)pos;
    (*(unsigned *)ctx)++;
}

static unsigned count_tokens(const char *s) {
    unsigned n = 0;
    lx_tokenize(s, strlen(s), count_one, &n, NULL);
    return n;
}

static void test_hand_computed(void) {
    CHECK(count_tokens("Gender equality at work") == lens[0][0]);
    CHECK(count_tokens("The gender pay gap explained.") == lens[0][3]);
    CHECK(count_tokens("We measure the pay gap. The gap is real and the pay gap persists.") ==
          lens[0][4]);
    CHECK(count_tokens("Migration changes work. Gender roles change too, and pay differs.") ==
          lens[1][4]);
    CHECK(count_tokens("Pay gap in the gig economy") == lens[2][0]);
    CHECK(count_tokens("Gig work pays less. Gender is one factor among many.") == lens[2][4]);

    const char *dir = check_tmpdir("bm25f-three");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, three, 3);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);

    lx_stats st;
    CHECK(lx_stats_get(s, &st, NULL) == 0);
    CHECK(st.documents == 3);
    unsigned total = 0;
    for (int d = 0; d < 3; d++)
        for (int f = 0; f < LX_NFIELDS; f++)
            total += lens[d][f];
    CHECK(st.tokens == total);

    lx_rank_params p;
    lx_rank_params_default(&p);
    p.tag_boost = 0;
    p.all_terms_first = 0; /* plain BM25F sums, as computed by hand */
    p.feedback_docs = 0;

    static const hquery queries[] = {
        {"gender", 1, {{T_GENDER, -1}}, {0}},
        {"pay", 1, {{T_PAY, -1}}, {0}},
        {"gap", 1, {{T_GAP, -1}}, {0}},
        {"migration", 1, {{T_MIGRATION, -1}}, {0}},
        {"amina", 1, {{T_AMINA, -1}}, {0}},
        {"gender pay", 2, {{T_GENDER, -1}, {T_PAY, -1}}, {0}},
        {"pay gap work", 3, {{T_PAY, -1}, {T_GAP, -1}, {T_WORK, -1}}, {0}},
        {"Migration OR gender", 2, {{T_MIGRATION, -1}, {T_GENDER, -1}}, {0}},
        /* "pay gap" is adjacent in l1 (description, transcript) and l3
         * (title, tags); in l2 "pay" and "gap" never meet. */
        {"\"pay gap\"", 1, {{T_PAY, T_GAP, -1}}, {0x5}},
        {"\"pay gap\" migration", 2, {{T_PAY, T_GAP, -1}, {T_MIGRATION, -1}}, {0x5, 0}},
        /* "gender pay" is adjacent only in l1's description. */
        {"\"gender pay\"", 1, {{T_GENDER, T_PAY, -1}}, {0x1}},
    };
    static const char *const ids[3] = {"l1", "l2", "l3"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const hquery *hq = &queries[i];
        lx_results *r = tix_search(s, hq->text, 10, LX_SEARCH_EXHAUSTIVE, &p);
        if (!r)
            continue;
        size_t expect_n = 0;
        for (int d = 0; d < 3; d++) {
            int m;
            double want = hand_score(&p, hq, d, &m);
            const lx_hit *h = tix_hit(r, ids[d]);
            CHECK(!!h == m);
            if (!!h != m)
                fprintf(stderr, "  \"%s\": %s %s\n", hq->text, ids[d],
                        m ? "missing" : "should not match");
            if (h && m) {
                CHECK_NEAR(h->score, want, 1e-5 * (1 + want));
                if (fabs(h->score - want) > 1e-5 * (1 + want))
                    fprintf(stderr, "  \"%s\": %s scored %.9g, by hand %.9g\n", hq->text, ids[d],
                            h->score, want);
            }
            expect_n += m;
        }
        CHECK(r->n == expect_n);
        /* Best first. */
        for (size_t j = 1; j < r->n; j++)
            CHECK(r->hits[j - 1].score >= r->hits[j].score);
        /* Pruned, the same. */
        lx_results *r2 = tix_search(s, hq->text, 10, 0, &p);
        CHECK(r2 && r2->n == r->n);
        for (size_t j = 0; r2 && j < r->n && j < r2->n; j++) {
            CHECK_STR(r2->hits[j].id, r->hits[j].id);
            CHECK(r2->hits[j].score == r->hits[j].score);
        }
        lx_results_free(r);
        lx_results_free(r2);
    }

    /* Scores follow the parameters: k1 and a field weight. */
    lx_rank_params p2 = p;
    p2.k1 = 2.0;
    p2.weight[LX_F_TITLE] = 5.0;
    p2.b[LX_F_TRANSCRIPT] = 0.2;
    lx_results *r = tix_search(s, "pay gap", 10, LX_SEARCH_EXHAUSTIVE, &p2);
    static const hquery pg = {"pay gap", 2, {{T_PAY, -1}, {T_GAP, -1}}, {0}};
    for (int d = 0; r && d < 3; d++) {
        int m;
        double want = hand_score(&p2, &pg, d, &m);
        const lx_hit *h = tix_hit(r, ids[d]);
        CHECK(!!h == m);
        if (h)
            CHECK_NEAR(h->score, want, 1e-5 * (1 + want));
    }
    lx_results_free(r);

    /* The index's defaults are lx_rank_params_default (params NULL). */
    lx_rank_params pd;
    lx_rank_params_default(&pd);
    lx_results *ra = tix_search(s, "gender", 10, LX_SEARCH_EXHAUSTIVE, NULL);
    lx_results *rb = tix_search(s, "gender", 10, LX_SEARCH_EXHAUSTIVE, &pd);
    CHECK(ra && rb && ra->n == rb->n);
    for (size_t j = 0; ra && rb && j < ra->n && j < rb->n; j++)
        CHECK(ra->hits[j].score == rb->hits[j].score);
    lx_results_free(ra);
    lx_results_free(rb);

    lx_searcher_close(s);
    lx_index_close(ix);
}

/* ---- 2. tag boost ----------------------------------------------------------- */

/* A searcher seeks the first tag forms it is asked for one by one and
 * then reads them all (tagboost.c): the boosts are the same either way.
 * The long query (words of the lectures: a query without cursors asks
 * for no tag) asks for more forms (74 runs) than are sought. */
static void test_tag_forms_read(lx_index *ix, const lx_rank_params *on) {
    static const char *const qs[] = {"racism", "racist schooling", "higher education",
                                     "students higher education"};
    static const char *const many = "children talk friends teachers lessons sports long "
                                    "days news online plants soil food students media "
                                    "gardening cooking everyday life school";
    lx_searcher *sought, *read;
    CHECK(lx_searcher_open(ix, &sought, NULL) == 0);
    CHECK(lx_searcher_open(ix, &read, NULL) == 0);
    lx_results_free(tix_search(read, many, 10, LX_SEARCH_EXHAUSTIVE, on));
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        lx_results *a = tix_search(sought, qs[i], 10, LX_SEARCH_EXHAUSTIVE, on);
        lx_results *b = tix_search(read, qs[i], 10, LX_SEARCH_EXHAUSTIVE, on);
        CHECK(a && b && a->n > 0 && a->n == b->n);
        for (size_t j = 0; a && b && j < a->n && j < b->n; j++) {
            CHECK(strcmp(a->hits[j].id, b->hits[j].id) == 0);
            CHECK(a->hits[j].score == b->hits[j].score);
        }
        lx_results_free(a);
        lx_results_free(b);
    }
    lx_searcher_close(sought);
    lx_searcher_close(read);
}

static void test_tag_boost(void) {
    /* "racism" appears more in t2 than in t1, but only t1 carries the tag:
     * without the boost t2 wins, with it t1. */
    static const char *const recs[] = {
        "{\"id\":\"t1\",\"title\":\"Everyday life at school\",\"tags\":[\"racism\",\"schools\"],"
        "\"transcript\":\"Children talk about racism and about friends, teachers, lessons, "
        "sports and the long days at school.\"}",
        "{\"id\":\"t2\",\"title\":\"Racism and the media\",\"tags\":[\"media\"],"
        "\"transcript\":\"Racism in the news. Racism online.\"}",
        "{\"id\":\"t3\",\"title\":\"Gardening\",\"tags\":[\"nature\"],"
        "\"transcript\":\"Plants and soil.\"}",
        "{\"id\":\"t4\",\"title\":\"Cooking\",\"tags\":[\"food\", \"higher education\"],"
        "\"transcript\":\"Food and more food for students.\"}",
    };
    const char *dir = check_tmpdir("bm25f-tags");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, 4);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    lx_rank_params off, on;
    lx_rank_params_default(&on);
    CHECK(on.tag_boost > 0);
    off = on;
    off.tag_boost = 0;
    lx_results *r0 = tix_search(s, "racism", 10, LX_SEARCH_EXHAUSTIVE, &off);
    lx_results *r1 = tix_search(s, "racism", 10, LX_SEARCH_EXHAUSTIVE, &on);
    lx_results *r2 = tix_search(s, "racism", 10, 0, &on);
    CHECK(r0 && r0->n == 2 && strcmp(r0->hits[0].id, "t2") == 0);
    CHECK(r1 && r1->n == 2 && strcmp(r1->hits[0].id, "t1") == 0);
    CHECK(r2 && r2->n == 2 && strcmp(r2->hits[0].id, "t1") == 0);
    if (r0 && r1) {
        /* The boost adds to the tagged lecture only. */
        CHECK(tix_hit(r1, "t1")->score > tix_hit(r0, "t1")->score);
        CHECK(tix_hit(r1, "t2")->score == tix_hit(r0, "t2")->score);
    }
    lx_results_free(r0);
    lx_results_free(r1);
    lx_results_free(r2);
    /* A stemmed form and a multi-word tag name it too. */
    r1 = tix_search(s, "racist schooling", 10, LX_SEARCH_EXHAUSTIVE, &on);
    CHECK(r1 && r1->n >= 1 && strcmp(r1->hits[0].id, "t1") == 0);
    lx_results_free(r1);
    /* A multi-word tag is named by its words typed unquoted, as by the
     * quoted phrase; an exclusion between them breaks the run. */
    static const struct {
        const char *q;
        int boosted;
    } multi[] = {{"higher education", 1},           {"\"higher education\"", 1},
                 {"Higher  Education students", 1}, {"students higher education", 1},
                 {"higher -plants education", 0},   {"education", 0}};
    for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++) {
        r1 = tix_search(s, multi[i].q, 10, LX_SEARCH_EXHAUSTIVE, &on);
        r0 = tix_search(s, multi[i].q, 10, LX_SEARCH_EXHAUSTIVE, &off);
        const lx_hit *h1 = tix_hit(r1, "t4"), *h0 = tix_hit(r0, "t4");
        CHECK(h1 && h0);
        if (h1 && h0) {
            CHECK((h1->score > h0->score) == multi[i].boosted);
            if ((h1->score > h0->score) != multi[i].boosted)
                fprintf(stderr, "  \"%s\": t4 %.6f with the tag boost, %.6f without\n", multi[i].q,
                        h1->score, h0->score);
        }
        lx_results_free(r0);
        lx_results_free(r1);
    }
    /* Tags are a searched field as well as a boost. */
    r1 = tix_search(s, "nature", 10, 0, &on);
    CHECK(r1 && r1->n == 1 && strcmp(r1->hits[0].id, "t3") == 0);
    lx_results_free(r1);
    lx_searcher_close(s);
    test_tag_forms_read(ix, &on);
    lx_index_close(ix);
}

/* ---- 3. all terms beat one -------------------------------------------------- */

static void test_all_terms_first(void) {
    /* Lectures of the same length; a1 has each query word once, a2 one of
     * them three times (in the transcript and once in its title). */
    static const char *const recs[] = {
        "{\"id\":\"a1\",\"title\":\"Youth and society\",\"transcript\":\"We study racism "
        "in schools across the country and what teachers can do about it today.\"}",
        "{\"id\":\"a2\",\"title\":\"Racism and society\",\"transcript\":\"We study racism "
        "in cities across the country and what racism means for people today.\"}",
        "{\"id\":\"a3\",\"title\":\"Schools of thought\",\"transcript\":\"Philosophy in "
        "antiquity and what it means for people across the country today.\"}",
        "{\"id\":\"a4\",\"title\":\"Weather\",\"transcript\":\"Rain and sun across the "
        "country today and what it means for farmers and people.\"}",
    };
    const char *dir = check_tmpdir("bm25f-allterms");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, 4);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    static const char *const qs[] = {"racism schools", "schools racism", "racism in schools"};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        lx_results *r = tix_search(s, qs[i], 10, 0, NULL);
        CHECK(r && r->n >= 3);
        if (r && r->n) {
            CHECK_STR(r->hits[0].id, "a1");
            if (strcmp(r->hits[0].id, "a1") != 0)
                for (size_t j = 0; j < r->n; j++)
                    fprintf(stderr, "  \"%s\" #%zu %s %.6f\n", qs[i], j + 1, r->hits[j].id,
                            r->hits[j].score);
        }
        lx_results_free(r);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* ---- 4. pruning changes nothing ---------------------------------------------- */

#define rnd check_rand
#define below check_below

#define VOCAB 400
static char vocab[VOCAB][16];

static void make_vocab(void) {
    static const char *const syl[] = {"ka", "lo", "mi", "ne", "su", "ra", "ti", "vo", "be",
                                      "da", "fu", "go", "hi", "ju", "pe", "sa", "to", "ze"};
    const int ns = sizeof syl / sizeof syl[0];
    for (int i = 0; i < VOCAB; i++)
        snprintf(vocab[i], sizeof vocab[i], "%s%s%s", syl[i % ns], syl[(i / ns) % ns],
                 i % 3 ? syl[(i * 7) % ns] : "");
}

/* A word index, skewed so that some words are very common (long lists of
 * many blocks) and most are rare. */
static int zipf(void) {
    double u = (rnd() + 0.5) / 4294967296.0;
    return (int)(VOCAB * u * u * u);
}

static void append_words(char *buf, size_t cap, size_t *n, int count) {
    for (int i = 0; i < count; i++) {
        const char *w = vocab[zipf()];
        int k = snprintf(buf + *n, cap - *n, "%s%s%s", i ? " " : "", w, below(9) == 0 ? "." : "");
        if (k > 0 && *n + (size_t)k < cap)
            *n += (size_t)k;
    }
}

static void test_pruning_identical(void) {
    enum { NDOCS = 2000, NQUERIES = 200 };
    make_vocab();
    const char *dir = check_tmpdir("bm25f-pruning");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    lx_writer *w;
    lx_error err;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    static char rec[64 * 1024], title[512], desc[2048], tr[32 * 1024];
    for (int d = 0; d < NDOCS; d++) {
        size_t n;
        n = 0;
        append_words(title, sizeof title, &n, 2 + (int)below(6));
        n = 0;
        append_words(desc, sizeof desc, &n, 5 + (int)below(30));
        n = 0;
        int len = below(10) == 0 ? 1500 + (int)below(1500) : 20 + (int)below(300);
        append_words(tr, sizeof tr, &n, len);
        /* Tags from the common words, so that queries name them. */
        int nt = (int)below(4);
        char tags[256] = "";
        size_t tn = 0;
        for (int t = 0; t < nt; t++)
            tn += (size_t)snprintf(tags + tn, sizeof tags - tn, "%s\"%s%s%s\"", t ? "," : "",
                                   vocab[below(30)], below(4) ? "" : " ",
                                   below(4) ? "" : vocab[below(30)]);
        snprintf(rec, sizeof rec,
                 "{\"id\":\"g%04d\",\"title\":\"%s\",\"description\":\"%s\",\"speaker\":\"%s "
                 "%s\",\"language\":\"%s\",\"tags\":[%s],\"transcript\":\"%s\"}",
                 d, title, desc, vocab[below(50)], vocab[below(VOCAB)],
                 below(10) == 0 ? "fi" : "en", tags, tr);
        int rc = lx_writer_put_json(w, rec, strlen(rec), &err);
        CHECK(rc == 0);
        if (rc)
            fprintf(stderr, "  g%04d: %s\n", d, err.message);
    }
    CHECK(lx_writer_commit(w, &err) == 0);

    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    lx_rank_params coord;
    lx_rank_params_default(&coord);
    coord.coord = 1.0;
    int same = 0, nonempty = 0;
    for (int i = 0; i < NQUERIES; i++) {
        char q[512];
        size_t n = 0;
        int nw = 1 + (int)below(4);
        for (int j = 0; j < nw; j++) {
            int kind = (int)below(10);
            const char *a = vocab[zipf()], *b = vocab[zipf()];
            if (kind == 0)
                n += (size_t)snprintf(q + n, sizeof q - n, "\"%s %s\" ", a, b);
            else if (kind == 1 && j > 0)
                n += (size_t)snprintf(q + n, sizeof q - n, "-%s ", a);
            else if (kind == 2)
                n += (size_t)snprintf(q + n, sizeof q - n, "tag:%s ", vocab[below(30)]);
            else
                n += (size_t)snprintf(q + n, sizeof q - n, "%s ", a);
        }
        unsigned limit = i % 3 == 0 ? 50 : 10;
        /* Every fifth query with a matched-terms factor, to prune with it. */
        const lx_rank_params *p = i % 5 == 4 ? &coord : NULL;
        lx_results *ex = tix_search(s, q, limit, LX_SEARCH_EXHAUSTIVE, p);
        lx_results *pr = tix_search(s, q, limit, 0, p);
        int ok = ex && pr && ex->n == pr->n;
        for (size_t j = 0; ok && j < ex->n; j++)
            ok = strcmp(ex->hits[j].id, pr->hits[j].id) == 0 &&
                 ex->hits[j].score == pr->hits[j].score;
        if (!ok && ex && pr) {
            fprintf(stderr, "  query \"%s\" (limit %u): exhaustive %zu hits, pruned %zu\n", q,
                    limit, ex->n, pr->n);
            for (size_t j = 0; j < ex->n || j < pr->n; j++)
                fprintf(stderr, "    #%zu %s %.12g | %s %.12g\n", j + 1,
                        j < ex->n ? ex->hits[j].id : "-", j < ex->n ? ex->hits[j].score : 0,
                        j < pr->n ? pr->hits[j].id : "-", j < pr->n ? pr->hits[j].score : 0);
        }
        same += ok;
        nonempty += ex && ex->n > 0;
        lx_results_free(ex);
        lx_results_free(pr);
    }
    CHECK(same == NQUERIES);
    /* The queries must exercise something. */
    CHECK(nonempty > NQUERIES / 2);
    /* A phrase of two common words (they meet in many lectures, side by
     * side in few: lx_topk reads its positions only for candidates that
     * may still enter) among other words, ranked as a union (coord). */
    int psame = 0;
    for (int i = 0; i < NQUERIES; i++) {
        char q[512];
        snprintf(q, sizeof q, "\"%s %s\" %s %s", vocab[below(12)], vocab[below(12)], vocab[zipf()],
                 i % 2 ? vocab[zipf()] : "");
        lx_results *ex = tix_search(s, q, 10, LX_SEARCH_EXHAUSTIVE, &coord);
        lx_results *pr = tix_search(s, q, 10, 0, &coord);
        int ok = ex && pr && ex->n == pr->n;
        for (size_t j = 0; ok && j < ex->n; j++)
            ok = strcmp(ex->hits[j].id, pr->hits[j].id) == 0 &&
                 ex->hits[j].score == pr->hits[j].score;
        if (!ok)
            fprintf(stderr, "  query \"%s\": exhaustive and pruned differ\n", q);
        psame += ok;
        lx_results_free(ex);
        lx_results_free(pr);
    }
    CHECK(psame == NQUERIES);
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* ---- 5. an intersection shorter than the page ------------------------------ */

/* When fewer than k lectures have every word, the intersection's hits
 * are kept and the union finds the rest of the page among the others:
 * the page is exhaustive scoring's, those lectures first, none twice. */
static void test_short_intersection(void) {
    enum { NDOCS = 90 };
    const char *dir = check_tmpdir("bm25f-short-and");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    static char rec[NDOCS][1024];
    const char *recs[NDOCS];
    for (int d = 0; d < NDOCS; d++) {
        char tr[768];
        size_t n = (size_t)snprintf(tr, sizeof tr, "filler%d words here", d % 7);
        /* alpha in 0..29, beta in 27..56, gamma in 28..70: all three in
         * 28 and 29, alpha and beta in 27 too */
        for (int k = 0; d < 30 && k <= d % 5; k++)
            n += (size_t)snprintf(tr + n, sizeof tr - n, " alpha");
        for (int k = 0; d >= 27 && d < 57 && k <= d % 3; k++)
            n += (size_t)snprintf(tr + n, sizeof tr - n, " beta");
        for (int k = 0; d >= 28 && d < 71 && k <= d % 4; k++)
            n += (size_t)snprintf(tr + n, sizeof tr - n, " gamma");
        snprintf(rec[d], sizeof rec[d],
                 "{\"id\":\"s%02d\",\"title\":\"Lecture %d\",\"language\":\"en\","
                 "\"transcript\":\"%s\"}",
                 d, d, tr);
        recs[d] = rec[d];
    }
    tix_put_all(ix, recs, NDOCS);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    static const struct {
        const char *q;
        int all; /* lectures with every word */
    } qs[] = {{"alpha beta", 3}, {"alpha beta gamma", 2}, {"beta gamma", 29}, {"alpha gamma", 2}};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        for (unsigned limit = 10; limit <= 40; limit += 30) {
            for (unsigned facets = 0; facets <= LX_SEARCH_FACETS; facets += LX_SEARCH_FACETS) {
                lx_results *ex = tix_search(s, qs[i].q, limit, LX_SEARCH_EXHAUSTIVE | facets, NULL);
                lx_results *pr = tix_search(s, qs[i].q, limit, facets, NULL);
                int ok = ex && pr && ex->n == pr->n &&
                         ex->n > ((size_t)qs[i].all < limit ? (size_t)qs[i].all : 0);
                for (size_t j = 0; ok && j < ex->n; j++)
                    ok = strcmp(ex->hits[j].id, pr->hits[j].id) == 0 &&
                         ex->hits[j].score == pr->hits[j].score;
                if (!ok)
                    fprintf(stderr, "  \"%s\" (limit %u): pruned differs from exhaustive\n",
                            qs[i].q, limit);
                CHECK(ok);
                lx_results_free(ex);
                lx_results_free(pr);
            }
        }
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

int main(void) {
    test_hand_computed();
    test_tag_boost();
    test_all_terms_first();
    test_pruning_identical();
    test_short_intersection();
    CHECK_DONE();
}
