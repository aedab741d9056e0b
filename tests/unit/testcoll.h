/* testcoll.h -- a generated collection of lectures for the unit tests
 * that compare indexes built different ways: 40 final lectures (NFINAL) in
 * English, Finnish and German, with tags, speakers, timed or plain
 * transcripts, and older versions of each for replace histories. */
#ifndef LECTERN_TESTCOLL_H
#define LECTERN_TESTCOLL_H
#include "check.h"
#include "testidx.h"

#define rnd check_rand
#define below check_below

static const char *const en_words[] = {"gender",      "equality",
                                       "migration",   "migrants",
                                       "racism",      "schools",
                                       "school",      "teachers",
                                       "pay",         "gap",
                                       "workplace",   "women",
                                       "men",         "children",
                                       "culture",     "identity",
                                       "integration", "language",
                                       "research",    "policy",
                                       "social",      "sustainability",
                                       "wellbeing",   "discrimination",
                                       "running",     "cities",
                                       "housing",     "health"};
static const char *const fi_words[] = {"kest\xC3\xA4v\xC3\xA4\xC3\xA4",
                                       "kehityst\xC3\xA4",
                                       "maahanmuutto",
                                       "maahanmuuttajat",
                                       "tasa-arvo",
                                       "koulussa",
                                       "koulut",
                                       "opettajat",
                                       "naiset",
                                       "miehet",
                                       "kulttuuri",
                                       "kieli",
                                       "tutkimus",
                                       "hyvinvointi",
                                       "syrjint\xC3\xA4",
                                       "rasismi"};
static const char *const de_words[] = {"Gleichberechtigung",
                                       "Migration",
                                       "Schulen",
                                       "Lehrer",
                                       "Frauen",
                                       "M\xC3\xA4nner",
                                       "Kultur",
                                       "Sprache",
                                       "Forschung",
                                       "Diskriminierung",
                                       "Rassismus",
                                       ("Stra\xC3\x9F"
                                        "e")}; /* split: \x9Fe would be one escape */
static const char *const tags_pool[] = {"gender",
                                        "migration",
                                        "racism",
                                        "schools",
                                        "equality",
                                        "wellbeing",
                                        "Higher Education",
                                        "social sustainability",
                                        "kest\xC3\xA4v\xC3\xA4 kehitys",
                                        "maahanmuutto",
                                        "pay gap",
                                        "identity"};
static const char *const speakers[] = {"Amina Yusuf",    "Jon Smith",          "Li Wei",
                                       "Maria Virtanen", "Hans M\xC3\xBCller", "Fatima Ali"};

#define NFINAL 40

static inline const char *lang_of(int v) {
    return v == 0 ? "en" : v == 1 ? "fi" : "de";
}

static inline void words(char *b, size_t cap, size_t *n, int lang, int count) {
    const char *const *w = lang == 0 ? en_words : lang == 1 ? fi_words : de_words;
    size_t nw = lang == 0   ? sizeof en_words / sizeof *en_words
                : lang == 1 ? sizeof fi_words / sizeof *fi_words
                            : sizeof de_words / sizeof *de_words;
    for (int i = 0; i < count; i++) {
        int k = snprintf(b + *n, cap - *n, "%s%s%s", i ? " " : "", w[below((uint32_t)nw)],
                         below(7) == 0 ? "." : "");
        if (k > 0 && *n + (size_t)k < cap)
            *n += (size_t)k;
    }
}

/* Lecture i, version v (v = 0 the final one).  Versions differ in text,
 * tags, language and body form. */
static inline char *make_record(int i, int v) {
    check_seed(0x9E3779B97F4A7C15ull ^ ((uint64_t)(i + 1) * 1000003u) ^ ((uint64_t)v << 40));
    rnd();
    int lang = (int)below(3);
    static char title[512], desc[2048], body[16384], tags[512];
    size_t n = 0;
    words(title, sizeof title, &n, lang, 2 + (int)below(4));
    n = 0;
    words(desc, sizeof desc, &n, lang, 5 + (int)below(20));
    size_t tn = 0;
    int nt = (int)below(4);
    for (int t = 0; t < nt; t++)
        tn += (size_t)snprintf(tags + tn, sizeof tags - tn, "%s\"%s\"", t ? "," : "",
                               tags_pool[below(sizeof tags_pool / sizeof *tags_pool)]);
    tags[tn] = 0;
    n = 0;
    int timed = below(3) == 0;
    if (timed) {
        int nseg = 1 + (int)below(6);
        n += (size_t)snprintf(body + n, sizeof body - n, "\"segments\":[");
        for (int s = 0; s < nseg; s++) {
            n += (size_t)snprintf(body + n, sizeof body - n,
                                  "%s{\"start\":%d.5,\"end\":%d,\"text\":\"", s ? "," : "", s * 10,
                                  s * 10 + 9);
            words(body, sizeof body, &n, lang, 3 + (int)below(15));
            n += (size_t)snprintf(body + n, sizeof body - n, "\"}");
        }
        n += (size_t)snprintf(body + n, sizeof body - n, "]");
    } else {
        n += (size_t)snprintf(body + n, sizeof body - n, "\"transcript\":\"");
        words(body, sizeof body, &n, lang, 20 + (int)below(200));
        n += (size_t)snprintf(body + n, sizeof body - n, "\"");
    }
    char *rec = malloc(32768);
    snprintf(rec, 32768,
             "{\"id\":\"lec-%02d\",\"title\":\"%s\",\"description\":\"%s\",\"speaker\":\"%s\","
             "\"language\":\"%s\",\"tags\":[%s],\"url\":\"https://example.org/%d\","
             "\"duration\":%d,\"x_version\":%d,\"x_extra\":{\"n\":[1,2,{\"k\":\"v\"}]},%s}",
             i, title, desc, speakers[below(sizeof speakers / sizeof *speakers)], lang_of(lang),
             tags, i, 600 + (int)below(3000), v, body);
    return rec;
}

static inline int put(lx_writer *w, const char *json) {
    lx_error err;
    int rc = lx_writer_put_json(w, json, strlen(json), &err);
    if (rc) {
        char msg[600];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "  put: %s\n", msg);
    }
    return rc;
}

static inline int del(lx_writer *w, const char *id) {
    lx_error err;
    return lx_writer_delete(w, id, &err);
}

static inline const char *idof(int i) {
    return tix_fmt("lec-%02d", i);
}

/* A new index in dir holding the NFINAL lectures in their final version,
 * written in one batch. */
static inline lx_index *tix_final(const char *dir) {
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    const char *recs[NFINAL];
    for (int i = 0; i < NFINAL; i++)
        recs[i] = make_record(i, 0);
    tix_put_all(ix, recs, NFINAL);
    for (int i = 0; i < NFINAL; i++)
        free((void *)recs[i]);
    return ix;
}
#endif
