/* test_xlang.c -- languages (issue 12): stop lists per language, the
 * dictd/dictzip reader on dictionaries written here (small chunks, so an
 * entry spans several), query language detection and hints,
 * translations with their "via", compound splitting, cross and
 * preference switched off. */
#include "check.h"
#include "testidx.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dict.h"
#include "dictlangs.h"
#include "stop.h"

static void b64(unsigned v, char *out) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char tmp[8];
    int n = 0;
    do {
        tmp[n++] = a[v % 64];
        v /= 64;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

/* Writes dir/freedict-NAME.index and .dict.dz (dictzip, CHLEN-byte
 * chunks) from entries (headword, text). */
#define CHLEN 40
static void write_dict(const char *dir, const char *name, const char *const (*e)[2], int n) {
    char text[4096], path[600];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/freedict-%s.index", dir, name);
    FILE *ix = fopen(path, "w");
    CHECK(ix != NULL);
    fprintf(ix, "00databaseutf8\tA\tB\n");
    for (int i = 0; i < n; i++) {
        char o[8], l[8];
        size_t el = (size_t)snprintf(text + len, sizeof text - len, "%s\n%s", e[i][0], e[i][1]);
        b64((unsigned)len, o);
        b64((unsigned)el, l);
        fprintf(ix, "%s\t%s\t%s\n", e[i][0], o, l);
        len += el;
    }
    fclose(ix);
    unsigned nch = (unsigned)((len + CHLEN - 1) / CHLEN);
    unsigned char out[8192], *p = out;
    unsigned sizes[256];
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    for (unsigned c = 0; c < nch; c++) {
        size_t from = (size_t)c * CHLEN, take = len - from < CHLEN ? len - from : CHLEN;
        z.next_in = (Bytef *)text + from;
        z.avail_in = (uInt)take;
        z.next_out = p;
        z.avail_out = (uInt)(out + sizeof out - p);
        deflate(&z, c + 1 == nch ? Z_FINISH : Z_FULL_FLUSH);
        sizes[c] = (unsigned)(z.next_out - p);
        p = z.next_out;
    }
    deflateEnd(&z);
    snprintf(path, sizeof path, "%s/freedict-%s.dict.dz", dir, name);
    FILE *dz = fopen(path, "wb");
    CHECK(dz != NULL);
    unsigned xlen = 4 + 6 + 2 * nch;
    unsigned char h[12] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, xlen & 255, xlen >> 8};
    fwrite(h, 1, 12, dz);
    unsigned sl = 6 + 2 * nch;
    unsigned char ra[10] = {'R', 'A', sl & 255, sl >> 8, 1, 0, CHLEN, 0, nch & 255, nch >> 8};
    fwrite(ra, 1, 10, dz);
    for (unsigned c = 0; c < nch; c++) {
        unsigned char s2[2] = {sizes[c] & 255, sizes[c] >> 8};
        fwrite(s2, 1, 2, dz);
    }
    fwrite(out, 1, (size_t)(p - out), dz);
    uLong crc = crc32(0, (const Bytef *)text, (uInt)len);
    unsigned char t[8] = {crc & 255, crc >> 8 & 255, crc >> 16 & 255, crc >> 24 & 255,
                          len & 255, len >> 8 & 255, len >> 16 & 255, len >> 24 & 255};
    fwrite(t, 1, 8, dz);
    fclose(dz);
}

static const char *const fin_eng[][2] = {
    {"ilmasto", "climate\ntietyn paikan tyypillinen s\xc3\xa4\xc3\xa4\n"},
    {"arvo", "value\nmerkitys\n"},
    {"muutos", "change\nmuuttuminen\n"},
    {"sukupuoli", "sex, gender\nmiehen tai naisen olemus\n"},
    {"syrjint\xc3\xa4", "1. discrimination, segregation\nkohtelu\n2. exclusion\npoissulkeminen\n"},
    {"tasa-arvo", "equality\nsama arvo\n"},
};
/* "tasa" is Spanish too (rate): a Finnish query must not turn Spanish. */
static const char *const spa_eng[][2] = {
    {"tasa", "rate\n"},
};
static const char *const eng_fin[][2] = {
    {"equality", "1. tasa-arvo, tasa-arvoisuus\nequal treatment\n2. yht\xc3\xa4suuruus 2.\nmath\n"},
    {"mould", "home\nmuotti\n"},
    {"hinterland", "taka maa\n"},
};

static const char *const recs[] = {
    "{\"id\":\"en-clim\",\"title\":\"Climate change and displacement\",\"language\":\"en\","
    "\"description\":\"How climate change drives people from their homes.\"}",
    "{\"id\":\"en-disc\",\"title\":\"Discrimination at work\",\"language\":\"en\","
    "\"description\":\"Field experiments measure discrimination in hiring.\"}",
    "{\"id\":\"fi-mig\",\"title\":\"Maahanmuutto Suomessa\",\"language\":\"fi\","
    "\"description\":\"Luento maahanmuutosta ja ty\xc3\xb6st\xc3\xa4: migration ja "
    "kotoutuminen.\"}",
    "{\"id\":\"en-mig\",\"title\":\"Migration and work\",\"language\":\"en\","
    "\"description\":\"Migration, labour markets and integration.\"}",
    /* Finnish "home" is mould: a translation, not the English word. */
    "{\"id\":\"fi-home\",\"title\":\"Home ja kosteus\",\"language\":\"fi\","
    "\"description\":\"Home asunnoissa ja terveys taka maa stop.\"}",
    /* The same two words in an English lecture: no Finnish phrase there. */
    "{\"id\":\"en-taka\",\"title\":\"Taka maa and the north\",\"language\":\"en\"}",
    /* No language: stored as English. */
    "{\"id\":\"nolang-val\",\"title\":\"The value of things\"}",
    /* A Finnish lecture with both words of "taka maa", not as the phrase,
     * and an English one with "hinterland" after it. */
    "{\"id\":\"fi-split\",\"title\":\"Maa ja taka stop\",\"language\":\"fi\"}",
    "{\"id\":\"en-hint\",\"title\":\"The hinterland\",\"language\":\"en\"}",
};

static const lx_hit *find(const lx_results *r, const char *id) {
    for (size_t i = 0; r && i < r->n; i++)
        if (!strcmp(r->hits[i].id, id))
            return &r->hits[i];
    return NULL;
}

static lx_results *run(lx_searcher *s, const char *q, const char *qlang, const char *accept,
                       unsigned flags) {
    lx_search_opts o = {0};
    lx_results *r = NULL;
    lx_error err;
    o.query = q;
    o.qlang = qlang;
    o.accept_lang = accept;
    o.flags = flags | LX_SEARCH_FACETS;
    CHECK(lx_search(s, &o, &r, &err) == 0);
    return r;
}

static void test_stop(void) {
    CHECK(lx_stopword("fi", "ja", 2));
    CHECK(lx_stopword("fi", "mit\xc3\xa4", 5));
    CHECK(lx_stopword("de", "und", 3));
    CHECK(lx_stopword("sv", "och", 3));
    CHECK(lx_stopword("es", "para", 4));
    CHECK(lx_stopword("en", "also", 4));    /* stopwords.adjust adds it */
    CHECK(!lx_stopword("en", "cannot", 6)); /* and removes this one */
    CHECK(!lx_stopword("en", "climate", 7));
    CHECK(!lx_stopword("fi", "ilmasto", 7));
    CHECK(!lx_stopword("xx", "ja", 2));
    /* the hash table: the token is len bytes, not a C string; prefixes
     * and extensions of a stopword are not one */
    CHECK(lx_stopword("en", "andes", 3) && lx_stopword("en", "thereby", 5));
    CHECK(!lx_stopword("en", "th", 2) && !lx_stopword("en", "theme", 5));
    CHECK(!lx_stopword("en", "", 0) && lx_stopword("en", "a", 1));
    /* A contraction of the list is asked as its two tokens joined by an
     * apostrophe ("doesn't"): neither half is a stopword by itself. */
    CHECK(lx_stopword("en", "doesn't", 7) && lx_stopword("en", "we'll", 5));
    CHECK(!lx_stopword("en", "doesn", 5) && !lx_stopword("en", "t", 1));
    CHECK(!lx_stopword("en", "s", 1) && !lx_stopword("en", "hasan's", 7));
    CHECK(lx_stop_has("fi") && !lx_stop_has("xx"));
}

static void test_dict(void) {
    lx_dict_info d[8];
    const char *dir;
    CHECK(lx_dict_list(d, 8, &dir) == 3); /* listed, loaded when used */
    CHECK(!strcmp(d[0].from, "en") && !strcmp(d[0].to, "fi") && d[0].words == 0);
    lx_dict_tr tr[8];
    /* Numbered senses, each line's items; an entry over several chunks. */
    int n = lx_dict_translate(1, "syrjint\xc3\xa4", 9, tr, 8);
    CHECK(n == 3);
    CHECK(n == 3 && !strcmp(tr[0].text, "discrimination") && !strcmp(tr[2].text, "exclusion"));
    n = lx_dict_translate(0, "equality", 8, tr, 8);
    CHECK(n == 3 && !strcmp(tr[0].text, "tasa arvo") && tr[0].ntok == 2);
    /* A sense's number after an item ("Armut 2.") is no word of it. */
    CHECK(n == 3 && !strcmp(tr[2].text, "yht\xc3\xa4suuruus") && tr[2].ntok == 1);
    CHECK(lx_dict_has(1, "tasa arvo", 9) && !lx_dict_has(1, "tasa-arvo", 9));
    CHECK(lx_dict_translate(1, "nothing", 7, tr, 8) == 0);
    CHECK(lx_dict_list(d, 8, &dir) == 3);
    CHECK(!strcmp(d[0].from, "en") && !strcmp(d[0].to, "fi") && d[0].words == 3);
    CHECK(!strcmp(d[1].from, "fi") && !strcmp(d[1].to, "en") && d[1].words == 6);
    /* An inflected word is no headword; its lemma is found by stem, cut
     * where Snowball leaves the inflection's change ("sukupuolt"). */
    char t[LX_TOKEN_BUF];
    CHECK(!lx_dict_has(1, "sukupuolten", 11));
    CHECK(lx_stem("fi", "sukupuolten", 11, t, sizeof t) > 0 && lx_dict_has_stem(1, t, strlen(t)));
    n = lx_dict_translate_stem(1, t, strlen(t), tr, 8);
    CHECK(n == 2 && !strcmp(tr[0].text, "sex") && !strcmp(tr[1].text, "gender"));
    /* Asked again: the same answer, from the cache. */
    CHECK(lx_dict_translate_stem(1, t, strlen(t), tr, 1) == 1 && !strcmp(tr[0].text, "sex"));
}

static void test_search(lx_searcher *s) {
    /* A compound the dictionary lacks: ilmasto(n) + muutos. */
    lx_results *r = run(s, "ilmastonmuutos", NULL, NULL, 0);
    CHECK(r && !strcmp(r->query_lang, "fi") && !strcmp(r->query_lang_source, "detected"));
    const lx_hit *h = find(r, "en-clim");
    CHECK(h && h->n_via == 1);
    if (h && h->n_via == 1) {
        CHECK_STR(h->via[0].from, "ilmastonmuutos");
        CHECK_STR(h->via[0].to, "climate change");
        CHECK_STR(h->via[0].lang, "en");
    }
    lx_results_free(r);
    r = run(s, "ilmastonmuutos", NULL, NULL, LX_SEARCH_NO_CROSS);
    CHECK(r && r->n == 0);
    lx_results_free(r);
    /* A word with senses: the hit says which one it matched. */
    r = run(s, "syrjint\xc3\xa4", NULL, NULL, 0);
    h = find(r, "en-disc");
    CHECK(r && r->n >= 1 && h && h->n_via == 1 && !strcmp(h->via[0].to, "discrimination"));
    CHECK(!find(r, "en-clim"));
    lx_results_free(r);
    /* Detection by stems: "sukupuolten" is Finnish (the lemma sukupuoli),
     * and outweighs "tasa", which Spanish has too. */
    r = run(s, "sukupuolten tasa-arvo", NULL, NULL, 0);
    CHECK(r && !strcmp(r->query_lang, "fi"));
    lx_results_free(r);
    r = run(s, "sukupuolten", NULL, NULL, 0);
    CHECK(r && !strcmp(r->query_lang, "fi"));
    lx_results_free(r);
    r = run(s, "tasa", NULL, NULL, 0);
    CHECK(r && !strcmp(r->query_lang, "es"));
    lx_results_free(r);
    /* Hints: qlang wins over Accept-Language, which wins over detection. */
    r = run(s, "migration", "fi", "en-GB,en;q=0.8", 0);
    CHECK(r && !strcmp(r->query_lang, "fi") && !strcmp(r->query_lang_source, "qlang"));
    lx_results_free(r);
    r = run(s, "migration", NULL, "fi-FI,fi;q=0.9", 0);
    CHECK(r && !strcmp(r->query_lang, "fi") && !strcmp(r->query_lang_source, "accept-language"));
    lx_results_free(r);
    /* The preference multiplies the query language's lectures' scores,
     * and only theirs. */
    lx_results *p = run(s, "migration", "fi", NULL, LX_SEARCH_NO_CROSS);
    lx_results *q = run(s, "migration", "fi", NULL, LX_SEARCH_NO_CROSS | LX_SEARCH_NO_PREFER);
    const lx_hit *pf = find(p, "fi-mig"), *qf = find(q, "fi-mig");
    const lx_hit *pe = find(p, "en-mig"), *qe = find(q, "en-mig");
    CHECK(pf && qf && pe && qe);
    if (pf && qf && pe && qe) {
        CHECK(pf->score > qf->score * 1.99 && pf->score < qf->score * 2.01);
        CHECK(pe->score == qe->score);
    }
    lx_results_free(p);
    lx_results_free(q);
}
/* Each source language's filters (the compiled file's: mapped) answer as
 * its pairs asked one by one do, for headwords, phrases, inflections
 * (by stem, with letters cut) and words no pair has. */
static void test_lang_filters(int mapped) {
    static const char *const words[] = {
        "ilmasto",   "arvo", "muutos",   "sukupuoli", "sukupuolten", "syrjint\xc3\xa4",
        "tasa arvo", "tasa", "equality", "climate",   "nothing",     "tasa-arvoisuus"};
    int nsrc = lx_dict_nsrcs();
    CHECK(nsrc == 3); /* en, fi, es */
    for (int j = 0; j < nsrc; j++) {
        const lx_dict_src *sp = lx_dict_src_at(j);
        CHECK((sp->lang >= 0) == mapped);
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            const char *k = words[w];
            size_t kl = strlen(k);
            char t[LX_TOKEN_BUF];
            int tl = lx_stem(sp->code, k, kl, t, sizeof t);
            int has = 0, stem = 0, exact = 0;
            for (int i = 0; i < sp->n; i++) {
                has |= lx_dict_has(sp->idx[i], k, kl);
                stem |= tl > 0 && lx_dict_has_stem(sp->idx[i], t, (size_t)tl);
                exact |= tl > 0 && lx_dict_has_stem_exact(sp->idx[i], t, (size_t)tl);
            }
            CHECK(lx_dict_has_any(sp->lang, sp->idx, sp->n, k, kl) == has);
            CHECK(lx_dict_has_any(-1, sp->idx, sp->n, k, kl) == has);
            if (tl > 0) {
                CHECK(lx_dict_has_stem_any(sp->lang, sp->idx, sp->n, t, (size_t)tl, 2) == stem);
                CHECK(lx_dict_has_stem_any(sp->lang, sp->idx, sp->n, t, (size_t)tl, 0) == exact);
            }
        }
    }
    const lx_dict_src *fi = lx_dict_src_find("fi");
    CHECK(fi && lx_dict_has_any(fi->lang, fi->idx, fi->n, "arvo", 4));
    CHECK(fi && !lx_dict_has_any(fi->lang, fi->idx, fi->n, "equality", 8));
}

/* A query's contractions and English possessives: the tokenizer splits
 * "hasan's" into "hasan" "s" and "doesn't" into "doesn" "t"; those halves
 * are stopwords of the query (left out beside a content word), not words
 * every English lecture has.  A quoted phrase keeps them. */
static void test_clitics(const char *dir) {
    static const char *const recs_c[] = {
        "{\"id\":\"hasan\",\"title\":\"Hasan Elahi on being watched\",\"language\":\"en\","
        "\"description\":\"An artist on a watch list.\"}",
        "{\"id\":\"poss\",\"title\":\"The world's oceans\",\"language\":\"en\","
        "\"description\":\"Earth's water and the planet's climate.\"}",
        "{\"id\":\"cont\",\"title\":\"Why it doesn't rain\",\"language\":\"en\","
        "\"description\":\"It doesn't, and we don't know why.\"}",
    };
    char ixdir[600];
    snprintf(ixdir, sizeof ixdir, "%.400s/index-clitics", dir);
    lx_index *ix = tix_open(ixdir, LX_OPEN_CREATE);
    tix_put_all(ix, recs_c, sizeof recs_c / sizeof recs_c[0]);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    for (int k = 0; s && k < 3; k++) {
        /* ASCII and typographic apostrophes alike. */
        const char *q = k == 0 ? "hasan's" : k == 1 ? "hasan\xe2\x80\x99s" : "hasan doesn't";
        lx_results *r = run(s, q, "en", NULL, 0);
        CHECK(r && r->total == 1 && find(r, "hasan"));
        lx_results_free(r);
    }
    lx_results *r = s ? run(s, "\"world's oceans\"", "en", NULL, 0) : NULL;
    CHECK(r && r->total == 1 && find(r, "poss"));
    lx_results_free(r);
    r = s ? run(s, "it's", "en", NULL, 0) : NULL; /* only stopwords: kept */
    CHECK(r && r->total >= 1);
    lx_results_free(r);
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* A name the index's English lectures say as written ("Ilmaston", whose
 * Finnish stem is that of the headword "ilmasto"), though in too few of
 * them (one of 401, under LX_QLANG_INDEX_SHARE) to be English by that
 * alone, is English, not an inflection of a Finnish word; a Finnish
 * inflection no lecture says ("ilmastoa") is still Finnish. */
static void test_names(const char *dir) {
    enum { NFILL = 400 };
    static char fill[NFILL][160];
    const char *recs_n[NFILL + 1];
    recs_n[0] = "{\"id\":\"name\",\"title\":\"Ilmaston Smith on lighthouses\","
                "\"language\":\"en\",\"description\":\"A keeper's life.\"}";
    for (int i = 0; i < NFILL; i++) {
        snprintf(fill[i], sizeof fill[i],
                 "{\"id\":\"clim%d\",\"title\":\"Climate and the sea %d\",\"language\":\"en\","
                 "\"description\":\"How the climate changes coasts.\"}",
                 i, i);
        recs_n[i + 1] = fill[i];
    }
    char ixdir[600];
    snprintf(ixdir, sizeof ixdir, "%.400s/index-names", dir);
    lx_index *ix = tix_open(ixdir, LX_OPEN_CREATE);
    tix_put_all(ix, recs_n, NFILL + 1);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    lx_results *r = s ? run(s, "ilmaston", NULL, NULL, 0) : NULL;
    CHECK(r && !strcmp(r->query_lang, "en") && r->total == 1 && find(r, "name"));
    lx_results_free(r);
    r = s ? run(s, "ilmastoa", NULL, NULL, 0) : NULL;
    CHECK(r && !strcmp(r->query_lang, "fi") && r->total > 1);
    lx_results_free(r);
    lx_searcher_close(s);
    lx_index_close(ix);
}

static size_t lang_facet(const lx_results *r, const char *lang) {
    for (size_t i = 0; r && i < r->n_lang_facets; i++)
        if (!strcmp(r->lang_facets[i].value, lang))
            return r->lang_facets[i].count;
    return 0;
}

/* A translation matches only the lectures of its language: English
 * "mould" is Finnish "home", which English lectures have as an English
 * word ("homes"); they are no match for it (xl13), the Finnish lecture
 * is, and the total and facets count the same set, pruned or not.  A
 * lecture without a language is English. */
static void test_own_language(lx_searcher *s) {
    for (int ex = 0; ex < 2; ex++) {
        lx_results *r = run(s, "mould", "en", NULL, ex ? LX_SEARCH_EXHAUSTIVE : 0);
        const lx_hit *h = find(r, "fi-home");
        CHECK(r && r->n == 1 && r->total == 1 && h);
        CHECK(!find(r, "en-clim"));
        CHECK(h && h->n_via == 1 && !strcmp(h->via[0].to, "home") && !strcmp(h->via[0].lang, "fi"));
        CHECK(lang_facet(r, "fi") == 1 && lang_facet(r, "en") == 0);
        lx_results_free(r);
    }
    /* A translation of two words is a phrase in its language's lectures. */
    for (int ex = 0; ex < 2; ex++) {
        lx_results *r = run(s, "hinterland", "en", NULL, ex ? LX_SEARCH_EXHAUSTIVE : 0);
        const lx_hit *h = find(r, "fi-home");
        CHECK(r && r->n == 2 && r->total == 2 && h && find(r, "en-hint") && !find(r, "en-taka"));
        CHECK(h && h->n_via == 1 && !strcmp(h->via[0].to, "taka maa"));
        lx_results_free(r);
    }
    /* Two words, intersected (lx_topk_and): the group of "hinterland" (the
     * word, and its phrase left unchecked where its words meet) stands on
     * fi-split, where "maa" and "taka" are not the phrase; checked there,
     * it does not match it: fi-split has one word of two, with the score
     * the exhaustive run gives it (without the check it had both words'
     * bonus, and the intersection found k lectures with it). */
    for (unsigned k = 1; k <= 3; k++) {
        lx_results *r[2];
        for (int ex = 0; ex < 2; ex++) {
            lx_search_opts o = {0};
            lx_error err;
            o.query = "hinterland stop";
            o.qlang = "en";
            o.limit = k;
            o.flags = LX_SEARCH_NO_PREFER | (ex ? LX_SEARCH_EXHAUSTIVE : 0);
            r[ex] = NULL;
            CHECK(lx_search(s, &o, &r[ex], &err) == 0);
        }
        CHECK(r[0] && r[1] && r[0]->n == r[1]->n && r[0]->n == k);
        CHECK(r[0] && r[0]->n && !strcmp(r[0]->hits[0].id, "fi-home"));
        for (size_t i = 0; r[0] && r[1] && i < r[0]->n && i < r[1]->n; i++)
            CHECK(!strcmp(r[0]->hits[i].id, r[1]->hits[i].id) &&
                  r[0]->hits[i].score == r[1]->hits[i].score);
        lx_results_free(r[0]);
        lx_results_free(r[1]);
    }
    /* The word itself still matches every lecture, whatever its language. */
    lx_results *r = run(s, "home", "en", NULL, LX_SEARCH_NO_CROSS);
    CHECK(r && find(r, "en-clim") && find(r, "fi-home"));
    lx_results_free(r);
    r = run(s, "arvo", "fi", NULL, 0);
    const lx_hit *h = find(r, "nolang-val");
    CHECK(h && h->n_via == 1 && !strcmp(h->via[0].to, "value") && !strcmp(h->via[0].lang, "en"));
    lx_results_free(r);
}

/* The lectures of test_lpost: LPOST_EN English ones that say "home" (an
 * English word; the first two in a title of one word and eight times in
 * one, which makes the bound of the whole list higher than that of its
 * Finnish lectures), Finnish ones, two of them with "home" (mould), and
 * English ones without it (so that "home" weighs something), a thousand
 * of them with "filler": "mould filler"'s all-terms bonus (the ceiling of
 * the cursors' list bounds and a margin) is 5 with the whole list's bound
 * of "home" and 4 with its Finnish lectures'. */
#define LPOST_EN 1030
#define LPOST_N (LPOST_EN + 3 + 2000)
static char *lpost_rec(int i) {
    static char buf[400];
    if (i == 0)
        snprintf(buf, sizeof buf,
                 "{\"id\":\"en-0\",\"title\":\"Home\",\"language\":\"en\",\"description\":"
                 "\"home home home home home home home home home home home home\"}");
    else if (i == 1)
        snprintf(buf, sizeof buf,
                 "{\"id\":\"en-1\",\"title\":\"home home home home home home home home\","
                 "\"language\":\"en\"}");
    else if (i >= LPOST_EN + 3)
        snprintf(buf, sizeof buf, "{\"id\":\"en-%d\",\"title\":\"%s %d\",\"language\":\"en\"}", i,
                 i < LPOST_EN + 3 + 1000 ? "Filler" : "Spare", i);
    else if (i < LPOST_EN)
        snprintf(buf, sizeof buf,
                 "{\"id\":\"en-%d\",\"title\":\"Home number %d\",\"language\":\"en\"}", i, i);
    else
        snprintf(buf, sizeof buf, "{\"id\":\"fi-%d\",\"title\":\"%s\",\"language\":\"fi\"}", i,
                 i == LPOST_EN       ? "Home ja kosteus"
                 : i == LPOST_EN + 1 ? "Home talossa"
                                     : "Sauna ja maa");
    return buf;
}

/* Hits and scores of q ("mould" is Finnish "home") on the index in dir. */
static lx_results *lpost_run(const char *dir, const char *q, unsigned flags) {
    lx_index *ix = tix_open(dir, LX_OPEN_READONLY);
    lx_searcher *s = NULL;
    lx_results *r = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    if (s)
        r = run(s, q, "en", NULL, flags);
    lx_searcher_close(s);
    lx_index_close(ix);
    return r;
}

/* A word of at least LX_LPOST_MIN lectures has its postings per language
 * stored by a build (format 7, "lpost"), and a translation into a
 * language of fewer lectures than its list reads them: "home" is in 1,032
 * lectures, 2 of them Finnish.  The same hits and scores as an index
 * written by batches (no such lists: the list walked against the
 * language's lectures), pruned or not, and with a second word, where the
 * all-terms bonus sums the cursors' list bounds (the whole list's, not
 * the Finnish lectures'); the check verifies the lists; a
 * later write that adds a Finnish lecture with "home" drops them (else
 * the translation would miss it: the stored list is the old one). */
static void test_lpost(const char *dir) {
    char built[600], added[600];
    snprintf(built, sizeof built, "%.400s/lpost-built", dir);
    snprintf(added, sizeof added, "%.400s/lpost-added", dir);
    lx_writer *w = NULL;
    lx_error err;
    CHECK(lx_writer_begin_build(built, LX_BUILD_REPLACE, &w, &err) == 0);
    for (int i = 0; w && i < LPOST_N; i++)
        CHECK(lx_writer_put_json(w, lpost_rec(i), strlen(lpost_rec(i)), &err) == 0);
    CHECK(w && lx_writer_commit(w, &err) == 0);
    lx_index *ix = tix_open(added, LX_OPEN_CREATE);
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    for (int i = 0; w && i < LPOST_N; i++)
        CHECK(lx_writer_put_json(w, lpost_rec(i), strlen(lpost_rec(i)), &err) == 0);
    CHECK(w && lx_writer_commit(w, &err) == 0);
    lx_index_close(ix);
    CHECK(tix_sound(built) && tix_sound(added));
    for (int ex = 0; ex < 4; ex++) {
        unsigned f = ex % 2 ? LX_SEARCH_EXHAUSTIVE : 0;
        const char *q = ex < 2 ? "mould" : "mould filler";
        lx_results *a = lpost_run(built, q, f), *b = lpost_run(added, q, f);
        CHECK(a && b && a->n == b->n && a->total == b->total);
        CHECK(ex >= 2 ||
              (a && a->n == 2 && a->total == 2 && find(a, "fi-1030") && find(a, "fi-1031")));
        for (size_t i = 0; a && b && i < a->n && i < b->n; i++)
            CHECK(!strcmp(a->hits[i].id, b->hits[i].id) && a->hits[i].score == b->hits[i].score);
        lx_results_free(a);
        lx_results_free(b);
    }
    ix = tix_open(built, LX_OPEN_CREATE);
    const char *later = "{\"id\":\"fi-later\",\"title\":\"Home ja sauna\",\"language\":\"fi\"}";
    tix_put_all(ix, &later, 1);
    lx_index_close(ix);
    CHECK(tix_sound(built));
    lx_results *r = lpost_run(built, "mould", 0);
    CHECK(r && r->n == 3 && find(r, "fi-later"));
    lx_results_free(r);
}

/* Whether a and b give the same hits, scores and "via" translations. */
static int same_via(const lx_results *a, const lx_results *b) {
    int ok = a && b && a->n == b->n && a->total == b->total;
    for (size_t i = 0; ok && i < a->n; i++) {
        const lx_hit *x = &a->hits[i], *y = &b->hits[i];
        ok = !strcmp(x->id, y->id) && x->score == y->score && x->n_via == y->n_via;
        for (size_t v = 0; ok && v < x->n_via; v++)
            ok = !strcmp(x->via[v].to, y->via[v].to) && !strcmp(x->via[v].lang, y->via[v].lang);
    }
    return ok;
}

/* A searcher on a new index dir/name of the n records recs (*ix: the
 * index, to close after the searcher). */
static lx_searcher *small_index(const char *dir, const char *name, const char *const *recs,
                                size_t n, lx_index **ix) {
    char ixdir[600];
    snprintf(ixdir, sizeof ixdir, "%.400s/%s", dir, name);
    *ix = tix_open(ixdir, LX_OPEN_CREATE);
    tix_put_all(*ix, recs, n);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(*ix, &s, NULL) == 0);
    return s;
}

/* A searcher keeps a word's translations for its snapshot (xlate.c's
 * memo): asked again, it answers as the first time; after a commit that
 * takes away the lectures of the translation it chose ("syrjintä" ->
 * "discrimination") and adds some of another sense ("exclusion", in no
 * lecture before: not chosen then), it answers as a searcher opened
 * after the commit, through the new sense. */
static void test_kept(const char *dir) {
    const char *const first[] = {
        "{\"id\":\"en-disc\",\"title\":\"Discrimination at work\",\"language\":\"en\"}",
        "{\"id\":\"en-other\",\"title\":\"Climate and work\",\"language\":\"en\"}",
        "{\"id\":\"fi-0\",\"title\":\"Ilmasto ja ty\xc3\xb6\",\"language\":\"fi\"}",
    };
    lx_index *ix;
    lx_searcher *s = small_index(dir, "kept", first, 3, &ix);
    const char *q = "syrjint\xc3\xa4";
    lx_results *a = run(s, q, "fi", NULL, 0), *b = run(s, q, "fi", NULL, 0);
    const lx_hit *h = find(a, "en-disc");
    CHECK(a && a->n == 1 && h && h->n_via == 1 && !strcmp(h->via[0].to, "discrimination"));
    CHECK(same_via(a, b));
    lx_results_free(a);
    lx_results_free(b);
    lx_writer *w = NULL;
    lx_error err;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    CHECK(w && lx_writer_delete(w, "en-disc", &err) == 0);
    const char *excl =
        "{\"id\":\"en-excl\",\"title\":\"Exclusion in schools\",\"language\":\"en\"}";
    CHECK(w && lx_writer_put_json(w, excl, strlen(excl), &err) == 0);
    CHECK(w && lx_writer_commit(w, &err) == 0);
    lx_searcher *t = NULL;
    CHECK(lx_searcher_open(ix, &t, NULL) == 0);
    a = run(s, q, "fi", NULL, 0);
    b = run(t, q, "fi", NULL, 0);
    h = find(a, "en-excl");
    CHECK(a && a->n == 1 && h && h->n_via == 1 && !strcmp(h->via[0].to, "exclusion"));
    CHECK(same_via(a, b));
    lx_results_free(a);
    lx_results_free(b);
    lx_searcher_close(t);
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* A translation's phrase whose words first meet apart ("taka" and "maa",
 * first in docid order; lx_topk leaves a phrase unchecked where its words
 * meet) is no match there, for the ranking (pruned and exhaustive), the
 * match set (total, facets) and an intersection alike. */
static void test_phrase_first(const char *dir) {
    const char *const recs2[] = {
        "{\"id\":\"fi-apart\",\"title\":\"Maa on taka\",\"language\":\"fi\"}",
        "{\"id\":\"fi-apart2\",\"title\":\"Taka ja maa stop\",\"language\":\"fi\"}",
        "{\"id\":\"fi-phrase\",\"title\":\"Taka maa stop\",\"language\":\"fi\"}",
        "{\"id\":\"en-stop\",\"title\":\"A stop\",\"language\":\"en\"}",
    };
    lx_index *ix;
    lx_searcher *s = small_index(dir, "phrase-first", recs2, 4, &ix);
    for (int ex = 0; s && ex < 2; ex++) {
        unsigned f = ex ? LX_SEARCH_EXHAUSTIVE : 0;
        lx_results *r = run(s, "hinterland", "en", NULL, f);
        CHECK(r && r->n == 1 && r->total == 1 && find(r, "fi-phrase"));
        lx_results_free(r);
        /* Both words in fi-phrase only: it alone has the all-terms bonus. */
        r = run(s, "hinterland stop", "en", NULL, f | LX_SEARCH_NO_PREFER);
        CHECK(r && r->n == 3 && r->n && !strcmp(r->hits[0].id, "fi-phrase"));
        CHECK(r && r->n == 3 && r->hits[0].score > r->hits[1].score + 1);
        lx_results_free(r);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* The lectures of test_lang_prune, in docid order: Finnish ones first
 * and last ("sukupuoli syrjint\xc3\xa4" and "ilmasto muutos" as written),
 * English ones between that say their translations ("gender
 * discrimination", "climate change"), and last an English lecture that
 * says both the Finnish words and their translations. */
#define PRUNE_EN 150
static char *prune_rec(int i) {
    static char buf[300];
    if (i < 6 || (i >= 6 + 2 * PRUNE_EN && i < 10 + 2 * PRUNE_EN))
        snprintf(buf, sizeof buf, "{\"id\":\"fi-%d\",\"title\":\"%s\",\"language\":\"fi\"}", i,
                 i % 2 ? "Sukupuoli ja syrjint\xc3\xa4" : "Ilmasto ja muutos");
    else if (i < 6 + 2 * PRUNE_EN)
        snprintf(buf, sizeof buf,
                 "{\"id\":\"en-%d\",\"title\":\"%s number %d\",\"language\":\"en\"}", i,
                 i % 2 ? "Gender and discrimination" : "Climate and change", i);
    else
        snprintf(buf, sizeof buf,
                 "{\"id\":\"en-star\",\"title\":\"Climate change: ilmasto, muutos\","
                 "\"language\":\"en\",\"description\":\"Muutos ja ilmasto, ilmasto.\"}");
    return buf;
}

/* The intersection ends the cursors of a language none of whose lectures
 * can enter the top k (rank.c's lang_prune): once the Finnish lectures
 * fill it, the English translations of "sukupuoli syrjint\xc3\xa4" stop;
 * the hits and scores are the exhaustive run's.  "ilmasto" and "muutos"
 * are said by one English lecture too (the last): their cursors' English
 * bounds keep English alive, so that lecture gets the parts of the
 * translations "climate" and "change" it also says (with the words'
 * languages found wrong, only Finnish, English would end at the first
 * Finnish hits and it would lose them).  Each word alone is ranked by
 * lx_topk, which ends a language's cursors alike. */
static void test_lang_prune(const char *dir) {
    char ixdir[600];
    snprintf(ixdir, sizeof ixdir, "%.400s/index-prune", dir);
    lx_index *ix = tix_open(ixdir, LX_OPEN_CREATE);
    const char *recs_p[11 + 2 * PRUNE_EN];
    char copies[11 + 2 * PRUNE_EN][300];
    for (int i = 0; i < 11 + 2 * PRUNE_EN; i++) {
        snprintf(copies[i], sizeof copies[i], "%s", prune_rec(i));
        recs_p[i] = copies[i];
    }
    tix_put_all(ix, recs_p, 11 + 2 * PRUNE_EN);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    static const char *const qs[] = {"sukupuoli syrjint\xc3\xa4", "ilmasto muutos", "sukupuoli",
                                     "ilmasto"};
    for (int q = 0; s && q < 4; q++) {
        for (unsigned k = 1; k <= 4; k++) {
            lx_results *r[2];
            for (int ex = 0; ex < 2; ex++) {
                lx_search_opts o = {0};
                lx_error err;
                o.query = qs[q];
                o.qlang = "fi";
                o.limit = k;
                o.flags = LX_SEARCH_NO_PREFER | (ex ? LX_SEARCH_EXHAUSTIVE : 0);
                r[ex] = NULL;
                CHECK(lx_search(s, &o, &r[ex], &err) == 0);
            }
            CHECK(r[0] && r[1] && r[0]->n == k && r[1]->n == k);
            /* A Finnish lecture first, or the English one with both. */
            CHECK(q >= 2 || (r[0] && r[0]->n && !strcmp(r[0]->hits[0].id, q ? "en-star" : "fi-1")));
            for (size_t i = 0; r[0] && r[1] && i < r[0]->n && i < r[1]->n; i++)
                CHECK(!strcmp(r[0]->hits[i].id, r[1]->hits[i].id) &&
                      r[0]->hits[i].score == r[1]->hits[i].score);
            lx_results_free(r[0]);
            lx_results_free(r[1]);
        }
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* Every check above, on an index of its own (tag names it). */
static void run_all(const char *dir, const char *tag) {
    test_stop();
    test_dict();
    test_lang_filters(!strcmp(tag, "mapped"));
    if (!strcmp(tag, "files")) {
        test_clitics(dir);
        test_lpost(dir);
        test_lang_prune(dir);
        test_kept(dir);
        test_phrase_first(dir);
    }
    test_names(dir);
    char ixdir[600];
    snprintf(ixdir, sizeof ixdir, "%.400s/index-%s", dir, tag);
    lx_index *ix = tix_open(ixdir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    if (s) {
        test_search(s);
        test_own_language(s);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* The same checks in a process of their own (the dictionaries load once
 * per process): "mapped" expects the compiled file up to date, "damaged"
 * reads the dictd files and compiles the file again. */
static int child(const char *self, const char *dir, const char *mode) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "TEST_XLANG_CHILD=%s TEST_XLANG_DIR='%s' '%s'", mode, dir, self);
    return system(cmd);
}

int main(int argc, char **argv) {
    (void)argc;
    const char *mode = getenv("TEST_XLANG_CHILD");
    if (mode) {
        run_all(getenv("TEST_XLANG_DIR"), mode);
        char msg[4400];
        int rc = lx_dict_compile(0, msg, sizeof msg);
        printf("%s: %s\n", mode, msg);
        CHECK(rc == (!strcmp(mode, "mapped") ? 1 : 0));
        CHECK_DONE();
    }
    const char *tmp = getenv("LECTERN_TMP") ? getenv("LECTERN_TMP") : "/tmp";
    char dir[300], dicts[400], cmd[800], maps[400];
    snprintf(dir, sizeof dir, "%.250s/test_xlang.%d", tmp, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/dicts'", dir, dir);
    CHECK(system(cmd) == 0);
    snprintf(dicts, sizeof dicts, "%s/dicts", dir);
    snprintf(maps, sizeof maps, "%s/maps", dir);
    write_dict(dicts, "fin-eng", fin_eng, 6);
    write_dict(dicts, "spa-eng", spa_eng, 1);
    write_dict(dicts, "eng-fin", eng_fin, 3);
    setenv("LECTERN_DICT_DIR", dicts, 1); /* before the first use: loaded once */
    setenv("LECTERN_DICT_MAP_DIR", maps, 1);
    /* From the dictd files (no compiled file yet), then compiled, and the
     * same answers read from the compiled file in another process. */
    run_all(dir, "files");
    char msg[4400];
    CHECK(lx_dict_compile(0, msg, sizeof msg) == 0);
    CHECK(child(argv[0], dir, "mapped") == 0);
    /* A damaged file (cut short): the dictd files again, same answers. */
    snprintf(cmd, sizeof cmd, "for f in '%s'/*.lxd; do truncate -s -100 \"$f\"; done", maps);
    CHECK(system(cmd) == 0);
    CHECK(child(argv[0], dir, "damaged") == 0);
    CHECK(child(argv[0], dir, "mapped") == 0); /* compiled again by "damaged" */
    /* A stale one: a dictionary changed since (its mtime). */
    snprintf(cmd, sizeof cmd, "touch -d '2001-01-01' '%s/freedict-spa-eng.index'", dicts);
    CHECK(system(cmd) == 0);
    CHECK(child(argv[0], dir, "damaged") == 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    CHECK_DONE();
}
