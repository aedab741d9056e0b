/* test_budget.c -- the per-query work budget (lx_search_opts.work_budget).
 *
 * Over a generated collection of lectures whose transcripts are mostly
 * stopwords, a query of many stopword phrases reads the positions of
 * nearly every lecture.  With no budget it gives the full answer and
 * reports its work; with a fraction of that work it stops, marks the
 * answer partial, spends less, and every hit it returns carries the score
 * the full answer gives it, in the full answer's order.  A query under
 * the budget gives the same answer with and without it.  Work is counted
 * in units (lx_results.work), never timed.
 */
#include "check.h"
#include "rank.h"
#include "testidx.h"

#define NDOCS 300
#define OVERSHOOT 4000 /* > the most positions of a doc's phrase, a list, n */
#define SWEEP 250

static const char *const stopw[] = {"the", "of", "and", "to",   "a",   "in",  "that",
                                    "is",  "it", "we",  "this", "for", "was", "on"};
static const char *const content[] = {"climate", "energy", "ocean", "music",   "brain",
                                      "water",   "cities", "trust", "poverty", "design"};
static const char *const phrases =
    "\"of the\" \"in a\" \"to the\" \"and the\" \"it is\" \"we was\" \"this is\" \"on the\" "
    "\"for a\" \"is the\" \"that we\" \"the of\"";

static void collection(lx_index *ix) {
    static char rec[NDOCS][8192];
    const char *recs[NDOCS];
    check_seed(11);
    for (int d = 0; d < NDOCS; d++) {
        char text[6000];
        size_t n = 0;
        int words = 200 + (int)check_below(400);
        for (int w = 0; w < words; w++) {
            const char *t = check_below(10) < 7 ? stopw[check_below(14)] : content[check_below(10)];
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", w ? " " : "", t);
        }
        snprintf(rec[d], sizeof rec[d],
                 "{\"id\":\"b-%03d\",\"title\":\"%s of the %s\",\"language\":\"en\","
                 "\"tags\":[\"%s\"],\"transcript\":\"%s\"}",
                 d, content[d % 10], content[(d / 10) % 10], content[(d / 3) % 10], text);
        recs[d] = rec[d];
    }
    tix_put_all(ix, recs, NDOCS);
}

static lx_results *search(lx_searcher *s, const char *q, uint64_t budget, unsigned limit,
                          const lx_rank_params *p) {
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.query = q;
    o.limit = limit;
    o.flags = LX_SEARCH_FACETS | LX_SEARCH_SNIPPETS;
    o.params = p;
    o.work_budget = budget;
    lx_results *r = NULL;
    lx_error err;
    int rc = lx_search(s, &o, &r, &err);
    CHECK(rc == 0);
    if (rc)
        fprintf(stderr, "  search \"%s\": %s (%s)\n", q, lx_strerror(rc), err.message);
    return r;
}

/* The rank of id in r, -1 when absent. */
static long rank_of(const lx_results *r, const char *id) {
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->hits[i].id, id))
            return (long)i;
    return -1;
}

/* Every hit of part is in full with the same score, in full's order. */
static int consistent(const lx_results *part, const lx_results *full) {
    long prev = -1;
    for (size_t i = 0; i < part->n; i++) {
        long j = rank_of(full, part->hits[i].id);
        if (j < 0 || full->hits[j].score != part->hits[i].score || j <= prev)
            return 0;
        prev = j;
    }
    return 1;
}

static int same(const lx_results *a, const lx_results *b) {
    if (a->n != b->n || a->total != b->total || a->partial != b->partial ||
        a->n_tag_facets != b->n_tag_facets || a->n_lang_facets != b->n_lang_facets)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->hits[i].id, b->hits[i].id) || a->hits[i].score != b->hits[i].score ||
            strcmp(a->hits[i].snippet, b->hits[i].snippet))
            return 0;
    for (size_t i = 0; i < a->n_tag_facets; i++)
        if (strcmp(a->tag_facets[i].value, b->tag_facets[i].value) ||
            a->tag_facets[i].count != b->tag_facets[i].count)
            return 0;
    return 1;
}

/* Budgets below what the phrase query needs: partial, cheaper, and
 * consistent with the full answer. */
static void cut_phrases(lx_searcher *s, const lx_rank_params *nofb) {
    lx_results *full = search(s, phrases, LX_WORK_UNLIMITED, LX_MAX_RESULTS, nofb);
    if (!full)
        return;
    CHECK(!full->partial);
    CHECK(full->n > 100);
    CHECK(full->work > 10000);
    int some_hits = 0;
    for (uint64_t div = 2; div <= 64; div *= 2) {
        uint64_t budget = full->work / div;
        lx_results *r = search(s, phrases, budget, 10, nofb);
        if (!r)
            continue;
        CHECK(r->partial);
        CHECK(r->work < full->work);
        /* A step stops within one doc's phrase positions, one list or
         * one candidate of its limit. */
        CHECK(r->work <= budget + OVERSHOOT);
        CHECK(r->n <= 10);
        CHECK(consistent(r, full));
        CHECK(r->total <= full->total);
        CHECK(r->total >= r->n);
        some_hits += r->n > 0;
        /* Deterministic: the same budget, the same answer. */
        lx_results *again = search(s, phrases, budget, 10, nofb);
        CHECK(again && same(r, again) && again->work == r->work);
        lx_results_free(again);
        lx_results_free(r);
    }
    CHECK(some_hits >= 3);
    /* Budgets in fine steps, so that cuts land in every step: plan,
     * match set, the top-k loop, a phrase cursor probed for a candidate. */
    for (int i = 1; i < SWEEP; i++) {
        uint64_t budget = full->work * (uint64_t)i / SWEEP;
        lx_results *r = search(s, phrases, budget, 10, nofb);
        CHECK(r && r->partial && consistent(r, full) && r->work <= budget + OVERSHOOT);
        lx_results_free(r);
    }
    /* A budget that the cursors alone exhaust: partial and empty. */
    lx_results *r = search(s, phrases, 1, 10, nofb);
    CHECK(r && r->partial && r->n == 0);
    lx_results_free(r);
    lx_results_free(full);
}

/* With feedback, a cut first pass answers with the query as written:
 * the hits agree with the answer without feedback, or (cut later) with
 * the full answer with feedback. */
static void cut_feedback(lx_searcher *s, const lx_rank_params *nofb) {
    lx_results *full = search(s, phrases, LX_WORK_UNLIMITED, LX_MAX_RESULTS, NULL);
    lx_results *plain = search(s, phrases, LX_WORK_UNLIMITED, LX_MAX_RESULTS, nofb);
    if (!full || !plain)
        return;
    CHECK(!full->partial);
    for (uint64_t div = 2; div <= 64; div *= 2) {
        lx_results *r = search(s, phrases, full->work / div, 10, NULL);
        if (!r)
            continue;
        CHECK(r->partial);
        CHECK(consistent(r, plain) || consistent(r, full));
        lx_results_free(r);
    }
    lx_results_free(full);
    lx_results_free(plain);
}

/* Exclusions cut short cannot be applied in part: no hits. */
static void cut_filters(lx_searcher *s) {
    const char *q = "climate -\"of the\" -\"in a\" -\"to the\" -\"and the\"";
    lx_results *full = search(s, q, LX_WORK_UNLIMITED, 10, NULL);
    CHECK(full && !full->partial);
    if (!full)
        return;
    lx_results *r = search(s, q, full->work / 8, 10, NULL);
    CHECK(r && r->partial && r->n == 0);
    lx_results_free(r);
    lx_results_free(full);
}

/* Under the budget (the default, or one just above what it needs) the
 * answer is the unlimited one. */
static void under_budget(lx_searcher *s) {
    const char *qs[] = {"climate energy", "\"of the\" ocean", "music -brain", "cities OR trust",
                        phrases};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        lx_results *full = search(s, qs[i], LX_WORK_UNLIMITED, 20, NULL);
        lx_results *dflt = search(s, qs[i], 0, 20, NULL);
        CHECK(full && dflt && !dflt->partial && same(full, dflt));
        if (full) {
            lx_results *twice = search(s, qs[i], full->work * 2, 20, NULL);
            CHECK(twice && same(full, twice));
            lx_results_free(twice);
        }
        lx_results_free(full);
        lx_results_free(dflt);
    }
}

/* The default budget (work_budget 0) grows with the collection: a fixed
 * 3M units cut 41 of the first 300 TED-log queries at 1M synthetic
 * lectures, and the exhaustive run of 60 of the first 100, whose costliest
 * needs 34.2M (tests/bench/README.md, "1M again"). */
static void default_scales(void) {
    CHECK(lx_work_default(0) == LX_WORK_BUDGET_DEFAULT);
    CHECK(lx_work_default(5913) == LX_WORK_BUDGET_DEFAULT); /* TED keeps 3M */
    CHECK(lx_work_default(100000) == 100000 * LX_WORK_PER_LECTURE);
    CHECK(lx_work_default(1000000) > 34182447);
    CHECK(lx_work_default(UINT32_MAX) >= (uint64_t)UINT32_MAX * LX_WORK_PER_LECTURE);
}

/* Facets make the match set walk every query list whole; the ranking's
 * and the snippets' cursors then take those lists' docids from that walk
 * (lx_pcursor_known) instead of unpacking their blocks: the hits, their
 * scores and snippets are the same as a search without facets gives.  The
 * lists here span several blocks (300 lectures). */
static void known_docids(lx_searcher *s) {
    static const char *const qs[] = {"climate",
                                     "energy ocean",
                                     "music brain water",
                                     "cities trust poverty design",
                                     "climate OR trust",
                                     "\"the climate\"",
                                     "energy tag:climate",
                                     "water the of",
                                     "brain energy ocean music climate water cities trust"};
    int ok = 1;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        for (unsigned limit = 10; limit <= 100; limit += 90) {
            lx_search_opts o;
            memset(&o, 0, sizeof o);
            o.query = qs[i];
            o.limit = limit;
            o.flags = LX_SEARCH_SNIPPETS;
            lx_results *a = NULL, *b = NULL;
            lx_error err;
            CHECK(lx_search(s, &o, &a, &err) == 0);
            o.flags |= LX_SEARCH_FACETS;
            CHECK(lx_search(s, &o, &b, &err) == 0);
            int same_hits = a && b && a->n == b->n && a->n > 0;
            for (size_t h = 0; same_hits && h < a->n; h++)
                same_hits = !strcmp(a->hits[h].id, b->hits[h].id) &&
                            a->hits[h].score == b->hits[h].score &&
                            !strcmp(a->hits[h].snippet, b->hits[h].snippet);
            if (!same_hits)
                fprintf(stderr, "  \"%s\" (limit %u): hits differ with facets\n", qs[i], limit);
            ok &= same_hits;
            lx_results_free(a);
            lx_results_free(b);
        }
    }
    CHECK(ok);
}

/* A common word's postings are scored from the saturations termbits.c
 * keeps for the snapshot and the scorer's parameters: with other
 * parameters (k1, a field's weight and b) the same searcher answers as a
 * fresh one and as a search without facets (which keeps nothing), and
 * with the first parameters again as it first did; every one of them
 * as the exhaustive run. */
static void kept_saturations(lx_index *ix, lx_searcher *s) {
    static const char *const qs[] = {"climate", "energy ocean", "music brain water",
                                     "climate OR trust"};
    enum { NQ = sizeof qs / sizeof qs[0] };
    lx_rank_params p[2];
    lx_rank_params_default(&p[0]);
    p[0].feedback_docs = 0;
    p[1] = p[0];
    p[1].k1 = 1.1;
    p[1].weight[LX_F_TRANSCRIPT] = 1.7;
    p[1].b[LX_F_TRANSCRIPT] = 0.4;
    lx_results *first[NQ] = {0};
    lx_searcher *t = NULL;
    CHECK(lx_searcher_open(ix, &t, NULL) == 0);
    for (int round = 0; round < 3 && t; round++) {
        const lx_rank_params *pp = &p[round == 1];
        for (int i = 0; i < NQ; i++) {
            lx_search_opts o;
            memset(&o, 0, sizeof o);
            o.query = qs[i];
            o.limit = 100;
            o.params = pp;
            o.flags = LX_SEARCH_FACETS | LX_SEARCH_SNIPPETS;
            lx_results *a = NULL, *b = NULL, *c = NULL, *x = NULL;
            lx_error err;
            CHECK(lx_search(s, &o, &a, &err) == 0); /* kept: the second of a round reads them */
            lx_results_free(a);
            a = NULL;
            CHECK(lx_search(s, &o, &a, &err) == 0);
            CHECK(lx_search(t, &o, &b, &err) == 0);
            o.flags |= LX_SEARCH_EXHAUSTIVE;
            CHECK(lx_search(s, &o, &x, &err) == 0);
            o.flags = LX_SEARCH_SNIPPETS;
            CHECK(lx_search(s, &o, &c, &err) == 0);
            int ok = a && b && c && x && a->n > 10 && same(a, b) && same(a, x);
            for (size_t h = 0; ok && h < a->n; h++) /* no facets: the hits alone */
                ok = h < c->n && !strcmp(a->hits[h].id, c->hits[h].id) &&
                     a->hits[h].score == c->hits[h].score;
            if (ok && round == 2)
                ok = first[i] && same(a, first[i]);
            if (ok && round == 1)
                ok = first[i] && first[i]->hits[0].score != a->hits[0].score;
            if (!ok)
                fprintf(stderr, "  \"%s\" (round %d): kept saturations answer otherwise\n", qs[i],
                        round);
            CHECK(ok);
            if (round == 0)
                first[i] = a;
            else
                lx_results_free(a);
            lx_results_free(b);
            lx_results_free(c);
            lx_results_free(x);
        }
    }
    for (int i = 0; i < NQ; i++)
        lx_results_free(first[i]);
    lx_searcher_close(t);
}

/* Adds n lectures "PREFIX-i" whose transcripts repeat words[0..nw) in
 * turn, len words each. */
static void add_lectures(lx_index *ix, const char *prefix, int n, const char *const *words, int nw,
                         int len) {
    lx_writer *w = NULL;
    lx_error err;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    if (!w)
        return;
    for (int d = 0; d < n; d++) {
        char rec[8192];
        int m = snprintf(rec, sizeof rec,
                         "{\"id\":\"%s-%03d\",\"title\":\"%s %d\",\"language\":\"en\","
                         "\"tags\":[\"design\"],\"transcript\":\"",
                         prefix, d, prefix, d);
        for (int k = 0; k < len; k++)
            m += snprintf(rec + m, sizeof rec - (size_t)m, "%s ", words[(d + k) % nw]);
        m += snprintf(rec + m, sizeof rec - (size_t)m, "\"}");
        CHECK(lx_writer_put_json(w, rec, (size_t)m, &err) == 0);
    }
    CHECK(lx_writer_commit(w, &err) == 0);
}

/* The saturations kept for a list are those of the snapshot's scorer.  A
 * commit that adds lectures without "music" (long ones: every lecture's
 * length factors change, and N and the idf) leaves its list, grown past
 * a page by the commit before (LMDB's overflow pages), where it lay in
 * the map: a searcher that kept its saturations before answers as a fresh
 * one. */
static void saturations_after_writes(lx_index *ix, lx_searcher *s) {
    static const char *const qs[] = {"music", "music brain"};
    static const char *const with[] = {"music", "the", "brain", "of", "music", "water"};
    static const char *const without[] = {"poverty", "cities", "the", "design"};
    enum { NQ = sizeof qs / sizeof qs[0] };
    add_lectures(ix, "m", 600, with, 6, 12);
    for (int i = 0; i < NQ; i++)
        for (int twice = 0; twice < 2; twice++)
            lx_results_free(search(s, qs[i], 0, 10, NULL));
    add_lectures(ix, "long", 40, without, 4, 400);
    lx_searcher *t = NULL;
    CHECK(lx_searcher_open(ix, &t, NULL) == 0);
    for (int i = 0; t && i < NQ; i++) {
        lx_results *a = search(s, qs[i], 0, 10, NULL);
        lx_results *b = search(t, qs[i], 0, 10, NULL);
        int ok = a && b && a->n > 0 && same(a, b);
        if (!ok)
            fprintf(stderr, "  \"%s\" after the commit: kept saturations answer otherwise\n",
                    qs[i]);
        CHECK(ok);
        lx_results_free(a);
        lx_results_free(b);
    }
    lx_searcher_close(t);
}

/* A common word's list is kept as a bitmap with its docids for the
 * snapshot (termbits.c): after a commit that deletes and adds lectures
 * with the word (and grows the bitmaps by a word), a searcher that kept
 * the lists answers as one opened after the commit, whose lists are
 * walked afresh, and the total counts the added and deleted lectures. */
static void common_lists_after_writes(lx_index *ix, lx_searcher *s) {
    static const char *const qs[] = {"climate", "energy ocean", "climate OR trust", "music brain"};
    enum { NQ = sizeof qs / sizeof qs[0], NDEL = 10, NADD = 70 };
    uint64_t before = 0;
    for (int i = 0; i < NQ; i++) {
        for (int twice = 0; twice < 2; twice++) { /* kept by the first */
            lx_results *r = search(s, qs[i], 0, 10, NULL);
            if (r && i == 0)
                before = r->total;
            lx_results_free(r);
        }
    }
    /* The deleted lectures that have the word, from every hit. */
    lx_results *all = tix_search(s, "climate", LX_MAX_RESULTS, 0, NULL);
    uint64_t gone = 0;
    for (size_t h = 0; all && h < all->n; h++)
        gone += !strncmp(all->hits[h].id, "b-00", 4);
    CHECK(all && all->n == before);
    lx_results_free(all);
    lx_writer *w = NULL;
    lx_error err;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    if (!w)
        return;
    for (int d = 0; d < NDEL; d++) {
        char id[16];
        snprintf(id, sizeof id, "b-%03d", d);
        CHECK(lx_writer_delete(w, id, &err) == 0);
    }
    for (int d = 0; d < NADD; d++) {
        char rec[256];
        snprintf(rec, sizeof rec,
                 "{\"id\":\"n-%02d\",\"title\":\"added %d\",\"language\":\"en\","
                 "\"tags\":[\"poverty\"],\"transcript\":\"climate of the energy and trust\"}",
                 d, d);
        CHECK(lx_writer_put_json(w, rec, strlen(rec), &err) == 0);
    }
    CHECK(lx_writer_commit(w, &err) == 0);
    lx_searcher *t = NULL;
    CHECK(lx_searcher_open(ix, &t, NULL) == 0);
    for (int i = 0; t && i < NQ; i++) {
        lx_results *a = search(s, qs[i], 0, 10, NULL);
        lx_results *b = search(t, qs[i], 0, 10, NULL);
        int ok = a && b && same(a, b);
        if (!ok)
            fprintf(stderr,
                    "  \"%s\" after the commit: the searcher that kept its lists "
                    "answers otherwise (total %llu, fresh %llu)\n",
                    qs[i], a ? (unsigned long long)a->total : 0ull,
                    b ? (unsigned long long)b->total : 0ull);
        CHECK(ok);
        if (a && i == 0)
            CHECK(a->total == before - gone + NADD);
        lx_results_free(a);
        lx_results_free(b);
    }
    lx_searcher_close(t);
}

int main(void) {
    default_scales();
    const char *dir = check_tmpdir("budget");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    collection(ix);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    if (s) {
        lx_rank_params nofb;
        lx_rank_params_default(&nofb);
        nofb.feedback_docs = 0;
        cut_phrases(s, &nofb);
        cut_feedback(s, &nofb);
        cut_filters(s);
        under_budget(s);
        known_docids(s);
        kept_saturations(ix, s);
        saturations_after_writes(ix, s);
        common_lists_after_writes(ix, s);
        lx_searcher_close(s);
    }
    lx_index_close(ix);
    CHECK_DONE();
}
