/* qlang.c -- which language a query is written in.
 *
 * A hint wins: the qlang option, else the first language of an
 * Accept-Language header.  Otherwise each scored word votes: the
 * languages that have it, in their stop list, as a headword of one of
 * their installed dictionaries (dict.c) or, stemmed their way, in the
 * index's lectures, share one vote, so a word only one language has
 * counts fully and a loanword that every language has barely counts.
 * Ties go to English, then to the index's languages in their order.  The
 * detection reads only the query, the dictionaries' headwords and the
 * index's term table; it never changes what the query matches.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "dict.h"
#include "dictlangs.h"
#include "error.h"
#include "qlang.h"
#include "snapmemo.h"
#include "stop.h"
#include "xlate.h"

#define MAX_CAND (LX_MAX_LANGS + 16)
#define LX_QLANG_SCAN 256
/* The first pass takes a word for a language of the index only when at
 * least this share of the language's lectures have it: an English
 * transcript quotes a little of every language ("santé", "música"), and
 * a word that rare is no sign the query is English. */
#define LX_QLANG_INDEX_SHARE 0.005

size_t lx_qlang_key(const lx_query *q, const lx_qclause *cl, char *out) {
    size_t n = 0;
    for (int j = 0; j < cl->n; j++) {
        const lx_qword *w = &q->words[cl->first + j];
        if (n + w->len + 2 > LX_TOKEN_BUF)
            return 0;
        if (j)
            out[n++] = ' ';
        memcpy(out + n, w->tok, w->len);
        n += w->len;
    }
    out[n] = 0;
    return n;
}

const char *lx_qlang_source_name(int source) {
    switch (source) {
    case LX_QLANG_DETECTED:
        return "detected";
    case LX_QLANG_GIVEN:
        return "qlang";
    case LX_QLANG_ACCEPT:
        return "accept-language";
    default:
        return NULL;
    }
}

/* The first language of an Accept-Language value ("fi-FI,fi;q=0.9"). */
static int accept_first(const char *h, char *code) {
    char tag[16];
    size_t n = 0;
    while (*h == ' ')
        h++;
    while (h[n] && h[n] != ',' && h[n] != ';' && h[n] != ' ' && n + 1 < sizeof tag) {
        tag[n] = h[n];
        n++;
    }
    tag[n] = 0;
    return lx_lang_normalise(tag, code);
}

/* The candidates' codes point into s->langs, the sources or a literal, all
 * fixed for the detection: no copies. */
typedef struct votes {
    const char *code[MAX_CAND];
    const lx_dict_src *sp[MAX_CAND]; /* the pairs from each candidate */
    double v[MAX_CAND];
    int n;
} votes;

static int cand(votes *vt, const char *code) {
    for (int i = 0; i < vt->n; i++)
        if (strcmp(vt->code[i], code) == 0)
            return i;
    if (vt->n == MAX_CAND)
        return -1;
    vt->code[vt->n] = code;
    vt->sp[vt->n] = lx_dict_src_find(code);
    vt->v[vt->n] = 0;
    return vt->n++;
}

static int in_list(const uint8_t *p, size_t n, uint32_t doc, size_t *from);

/* What detection learnt of a query word in one of the index's languages
 * (row: its place in s->langs; column: the word's in s->q.words), kept
 * for both passes of one detection: IN_LOOKED, IN_ANY (in a lecture of
 * the language), IN_SHARE (in LX_QLANG_INDEX_SHARE of them), IN_ASIS (the
 * language's stemmer leaves the word as written). */
enum { IN_LOOKED = 1, IN_ANY = 2, IN_SHARE = 4, IN_ASIS = 8 };
static __thread unsigned char memo[LX_MAX_LANGS][LX_MAX_QUERY_TERMS];

/* in_lang_docs's answer, read now from the word's list. */
static int lang_docs_scan(lx_searcher *s, int li, const MDB_val *list) {
    MDB_val pv = *list, lv;
    lx_pcursor *pc;
    if (lx_searcher_lang(s, li, &lv))
        return 0;
    if (!(pc = lx_searcher_pcursor(s))) {
        lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        return 0;
    }
    if (lx_pcursor_open_limit(pc, pv.mv_data, pv.mv_size, s->st.next_doc))
        return 0;
    size_t nl = lv.mv_size / 4;
    uint32_t first = 1, last = 0;
    if (nl) {
        memcpy(&first, lv.mv_data, 4);
        memcpy(&last, (const uint8_t *)lv.mv_data + (nl - 1) * 4, 4);
    }
    int all = first == 0 && last == nl - 1, found = 0;
    double n = LX_QLANG_INDEX_SHARE * (double)nl;
    int need = n < 1 ? 1 : n > LX_QLANG_SCAN ? LX_QLANG_SCAN : (int)n;
    size_t from = 0; /* the postings ascend: each search starts where the last ended */
    for (int i = 0; i < LX_QLANG_SCAN && pc->doc != LX_DOC_END; i++, lx_pcursor_next(pc))
        if ((all ? pc->doc < nl : in_list(lv.mv_data, nl, pc->doc, &from)) && ++found >= need)
            break;
    return (found ? IN_ANY : 0) | (found >= need ? IN_SHARE : 0);
}

/* Whether term t occurs in a lecture of language s->langs[li] (IN_ANY), and in
 * LX_QLANG_INDEX_SHARE of them, at least one (IN_SHARE): the index's
 * terms are shared by its languages, and most stemmers leave a foreign
 * word as it is, so the term alone would say every language has it.  The
 * first LX_QLANG_SCAN postings are looked at.  A language whose list is
 * every lecture 0 .. n-1 (an index of one language) has each posting
 * below n without a search of its list.  What a word's lookup found is
 * kept for the snapshot with its list (snapmemo.c): a word asked again
 * costs no scan. */
static int in_lang_docs(lx_searcher *s, int li, const char *t, size_t tl) {
    MDB_val pv;
    unsigned char *row;
    if (lx_snapmemo_word(s, t, tl, &pv, &row))
        return 0;
    if (row && row[li]) /* found in an earlier search of this snapshot */
        return row[li] & (IN_ANY | IN_SHARE);
    int r = lang_docs_scan(s, li, &pv);
    if (row && !s->rc) /* row is the word's while no other word is looked up */
        row[li] = (unsigned char)(IN_LOOKED | r);
    return r;
}

/* How certain a piece of evidence is that a word belongs to a language:
 * the word itself in a stop list, as a headword or in LX_QLANG_INDEX_SHARE
 * of the index's lectures of that language first; then the word as
 * written (the language's stemmer leaves it so) in some lecture of the
 * language; then an inflection of a headword (its stem that of a
 * headword: "robotar", "robot"), then the word's stem in the index's
 * lectures of the language, then a headword's stem with one or two
 * letters cut (which every language's stemmer reaches for some words).
 * A word is weighed by the most certain level some language reaches, so
 * that an English index, whose transcripts hold a little of every
 * language ("et", "santé": headwords), does not make every word English,
 * while a name its lectures say ("temple grandin", "steven levitt") is
 * not taken for an inflection of a foreign word ("grandine", hail;
 * Finnish "levittää", spread) or one two letters away ("patricia",
 * Spanish "patria"). */
enum { BY_WORD, BY_ASIS, BY_STEM, BY_INDEX, BY_CUT, NLEVELS };

/* A one-word key's term under one candidate's stemmer, made at the
 * first level that needs it and kept for the next (tl < 0: not yet; 0:
 * the candidate has no stemmer). */
typedef struct cand_stem {
    int tl;
    char t[LX_TOKEN_BUF];
} cand_stem;

/* The one word w's term under c's stemmer into cs, made once; its length. */
static size_t cand_term(lx_searcher *s, const char *c, const lx_qword *w, cand_stem *cs) {
    if (cs->tl < 0) {
        int si = lx_stemmers_lookup(&s->stem, c);
        cs->tl = si < 0 ? 0 : (int)lx_stemmers_term(&s->stem, si, w->tok, w->len, cs->t);
    }
    return (size_t)cs->tl;
}

/* Whether a dictionary pair from c has key, its concatenation (for a
 * hyphenated phrase: FreeDict writes "tasaarvo") or, by stem (cs, the
 * term under c's stemmer), the one-word key. */
static int in_dicts(lx_searcher *s, const char *c, const lx_dict_src *sp, const lx_qword *w, int n,
                    const char *key, size_t kl, int level, cand_stem *cs) {
    char joined[LX_TOKEN_BUF];
    size_t tl = 0, jl = 0;
    if (!sp)
        return 0;
    if (level == BY_STEM || level == BY_CUT) {
        if (n != 1 || !(tl = cand_term(s, c, w, cs)))
            return 0;
    } else if (n == 2 && w[0].len + w[1].len < LX_TOKEN_BUF) {
        memcpy(joined, w[0].tok, w[0].len);
        memcpy(joined + w[0].len, w[1].tok, w[1].len);
        jl = w[0].len + w[1].len;
    }
    if (level == BY_STEM || level == BY_CUT)
        return lx_dict_has_stem_any(sp->lang, sp->idx, sp->n, cs->t, tl, level == BY_CUT ? 2 : 0);
    return lx_dict_has_any(sp->lang, sp->idx, sp->n, key, kl) ||
           (jl && lx_dict_has_any(sp->lang, sp->idx, sp->n, joined, jl));
}

/* Whether the word(s) key (words w[0..n)) belong to candidate c at level;
 * at BY_INDEX, want is the IN_* evidence asked for (IN_ANY or IN_SHARE,
 * and IN_ASIS).  A word as written in LX_QLANG_INDEX_SHARE of the index's
 * lectures of c is as telling as a headword ("3d atlas" on an English
 * index); not its stem, which cognates share ("mentale", "mental"). */
static int has_word(lx_searcher *s, const char *c, const lx_dict_src *sp, const lx_qword *w, int n,
                    const char *key, size_t kl, int level, int want, cand_stem *cs) {
    if (level == BY_WORD && n == 1 &&
        (lx_stopword(c, w->tok, w->len) ||
         has_word(s, c, sp, w, n, key, kl, BY_INDEX, IN_SHARE | IN_ASIS, NULL)))
        return 1;
    if (level == BY_ASIS)
        return has_word(s, c, sp, w, n, key, kl, BY_INDEX, IN_ANY | IN_ASIS, NULL);
    if (level != BY_INDEX)
        return in_dicts(s, c, sp, w, n, key, kl, level, cs);
    int i = n == 1 ? lx_searcher_lang_find(s, c) : -1;
    if (i < 0)
        return 0;
    ptrdiff_t wi = w - s->q.words;
    unsigned char *m = wi >= 0 && wi < LX_MAX_QUERY_TERMS ? &memo[i][wi] : NULL;
    if (!m || !*m) {
        int si = lx_stemmers_lookup(&s->stem, c), r = 0;
        char t[LX_TOKEN_BUF];
        size_t tl = si < 0 ? 0 : lx_stemmers_term(&s->stem, si, w->tok, w->len, t);
        r = IN_LOOKED | (tl ? in_lang_docs(s, i, t, tl) : 0);
        if (tl == w->len && memcmp(t, w->tok, tl) == 0)
            r |= IN_ASIS;
        if (!m)
            return (r & want) == want;
        *m = (unsigned char)r;
    }
    return (*m & want) == want;
}

/* Starts reading the dictionary slots that in_dicts will probe at level
 * for every candidate: each probe of the mapped tables is a cache miss,
 * and issued one after the other they were a sixth of a title search's
 * time; read ahead, they overlap. */
static void prefetch_level(lx_searcher *s, const votes *vt, const lx_qword *w, int n,
                           const char *key, size_t kl, int level, cand_stem *cs) {
    int stems = level == BY_STEM || level == BY_CUT;
    if (level == BY_INDEX || level == BY_ASIS || (stems && n != 1))
        return;
    for (int c = 0; c < vt->n; c++) {
        const lx_dict_src *sp = vt->sp[c];
        size_t tl = sp && stems ? cand_term(s, vt->code[c], w, &cs[c]) : kl;
        /* BY_CUT's uncut term was BY_STEM's. */
        if (sp && tl)
            lx_dict_prefetch_any(sp->lang, sp->idx, sp->n, stems ? cs[c].t : key, tl, stems,
                                 level == BY_CUT, level == BY_CUT ? 2 : 0);
    }
}

/* Adds the votes of the word(s) w[0..n) (weight share) at the most
 * certain level some candidate reaches; returns how many candidates
 * have them there. */
static int vote(lx_searcher *s, votes *vt, const lx_qword *w, int n, const char *key, size_t kl,
                double share) {
    int in[MAX_CAND], k = 0;
    cand_stem cs[MAX_CAND];
    for (int c = 0; c < vt->n; c++)
        cs[c].tl = -1;
    for (int level = 0; level < NLEVELS && !k; level++) {
        prefetch_level(s, vt, w, n, key, kl, level, cs);
        for (int c = 0; c < vt->n; c++)
            k += in[c] = has_word(s, vt->code[c], vt->sp[c], w, n, key, kl, level, IN_ANY, &cs[c]);
    }
    for (int c = 0; c < vt->n && k; c++)
        vt->v[c] += in[c] ? share / k : 0;
    return k;
}

/* A word no language has whole: the languages whose headwords it is a
 * compound of ("ilmastonmuutos"). */
static int vote_compound(lx_searcher *s, votes *vt, const char *key, size_t kl) {
    int in[MAX_CAND], k = 0;
    size_t l, r;
    for (int c = 0; c < vt->n; c++) {
        int si = lx_stemmers_lookup(&s->stem, vt->code[c]);
        k += in[c] = lx_dict_split(vt->code[c], si >= 0 ? &s->stem : NULL, si, key, kl, &l, &r);
    }
    for (int c = 0; c < vt->n && k; c++)
        vt->v[c] += in[c] ? 1.0 / k : 0;
    return k;
}

/* The candidates every detection starts from: English first (so a tie,
 * a word every language has, goes to it), then the index's languages. */
static void index_cands(const lx_searcher *s, votes *vt) {
    vt->n = 0;
    cand(vt, "en");
    for (int i = 0; i < s->nlangs; i++)
        cand(vt, s->langs[i]);
}

/* src into dst[size] as snprintf's "%s" writes it (cut to size - 1
 * bytes), without a formatted print. */
static void copy_str(char *dst, size_t size, const char *src) {
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* The most telling word so far into telling[80]: its first 60 bytes, as
 * "%.60s" writes them. */
static void set_telling(char *telling, const char *word) {
    copy_str(telling, 61, word);
}

/* The decimal digits of u at p; returns their count. */
static size_t put_uint(char *p, unsigned long u) {
    char d[24];
    size_t n = 0;
    do
        d[n++] = (char)('0' + u % 10);
    while (u /= 10);
    for (size_t i = 0; i < n; i++)
        p[i] = d[n - 1 - i];
    return n;
}

/* out->why, "%.2f of %.0f words' weight; most telling: \"%s\"" of v,
 * nwords and telling, printed without printf when v * 100 is no nearer
 * than 1e-6 to a rounding tie: for v below 1e6 the product's rounding
 * error (under 2e-8) cannot carry it across one, so it rounds to two
 * decimals as printf's exact decimal of v does.  Else printf itself. */
static void why_votes(lx_qlang *out, double v, int nwords, const char *telling) {
    double x = v * 100, f = floor(x);
    if (!(v >= 0 && v < 1e6) || nwords < 0 || fabs(x - f - 0.5) < 1e-6) {
        snprintf(out->why, sizeof out->why, "%.2f of %.0f words' weight; most telling: \"%s\"", v,
                 (double)nwords, telling);
        return;
    }
    static const char of[] = " of ", weight[] = " words' weight; most telling: \"";
    unsigned long c = (unsigned long)f + (x - f > 0.5);
    char b[sizeof out->why + 128]; /* 6 + 3 digits, the count's, 60 bytes of telling: fits */
    size_t n = put_uint(b, c / 100);
    b[n++] = '.';
    b[n++] = (char)('0' + c / 10 % 10);
    b[n++] = (char)('0' + c % 10);
    memcpy(b + n, of, sizeof of - 1);
    n += sizeof of - 1;
    n += put_uint(b + n, (unsigned long)nwords);
    memcpy(b + n, weight, sizeof weight - 1);
    n += sizeof weight - 1;
    size_t tl = strnlen(telling, 79);
    memcpy(b + n, telling, tl);
    n += tl;
    b[n++] = '"';
    b[n] = 0;
    copy_str(out->why, sizeof out->why, b);
}

/* The candidate with the most votes into out (its code and why), or -1
 * when none has any. */
static int elect(const lx_searcher *s, const votes *vt, const char *telling, lx_qlang *out) {
    int best = -1;
    for (int c = 0; c < vt->n; c++)
        if (vt->v[c] > 0 && (best < 0 || vt->v[c] > vt->v[best]))
            best = c;
    if (best < 0)
        return -1;
    copy_str(out->code, sizeof out->code, vt->code[best]);
    out->source = LX_QLANG_DETECTED;
    why_votes(out, vt->v[best], s->q.nclauses, telling);
    return best;
}

/* Whether the scored words, each a stopword or in the index's lectures
 * of one of the index's languages, name one of them (the first pass:
 * no dictionary is loaded, so a query in the index's own languages costs
 * no more than before).  A stopword of another language that has a
 * dictionary ("et", "und", "och") and is none of the index languages'
 * sends the query to the second pass. */
static int detect_index(lx_searcher *s, const char *en_clitic, lx_qlang *out) {
    votes vt;
    index_cands(s, &vt);
    int nc = vt.n, ns = lx_dict_nsrcs(), nf = 0;
    /* The pairs' source languages that are no candidate: a stopword of
     * one sends the query to the second pass. */
    const char *foreign[LX_DICT_MAX_PAIRS];
    for (int j = 0; j < ns; j++) {
        int c = 0;
        const char *code = lx_dict_src_at(j)->code;
        while (c < nc && strcmp(vt.code[c], code) != 0)
            c++;
        if (c == nc)
            foreign[nf++] = code;
    }
    char telling[80] = "";
    double best_word = 0;
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        const lx_qclause *cl = &s->q.clauses[ci];
        if (cl->neg || cl->filter || cl->n > 3)
            continue;
        if (en_clitic[ci]) { /* English's, as its stopwords are */
            vt.v[0] += 1;
            if (!telling[0])
                set_telling(telling, s->q.words[cl->first].tok);
            continue;
        }
        for (int j = 0; j < cl->n; j++) {
            const lx_qword *w = &s->q.words[cl->first + j];
            int in[MAX_CAND], k = 0, stop = 0;
            for (int c = 0; c < nc; c++) {
                int st = lx_stopword(vt.code[c], w->tok, w->len);
                stop |= st;
                k += in[c] = st || has_word(s, vt.code[c], vt.sp[c], w, 1, w->tok, w->len, BY_INDEX,
                                            IN_SHARE, NULL);
            }
            for (int f = 0; f < nf && k && !stop; f++)
                if (lx_stopword(foreign[f], w->tok, w->len))
                    return -1;
            if (!k)
                return -1;
            for (int c = 0; c < nc; c++)
                vt.v[c] += in[c] ? 1.0 / (k * cl->n) : 0;
            if (cl->n == 1 && 1.0 / k > best_word) {
                best_word = 1.0 / k;
                set_telling(telling, w->tok);
            }
        }
    }
    return elect(s, &vt, telling, out);
}

/* The votes; the best candidate or -1. */
static int detect(lx_searcher *s, const char *en_clitic, lx_qlang *out) {
    votes vt;
    index_cands(s, &vt);
    int np = lx_dict_npairs(), ns = lx_dict_nsrcs();
    for (int j = 0; j < ns; j++)
        cand(&vt, lx_dict_src_at(j)->code);
    char telling[80] = "";
    double best_word = 0;
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        const lx_qclause *cl = &s->q.clauses[ci];
        char key[LX_TOKEN_BUF];
        size_t kl;
        if (cl->neg || cl->filter || cl->n > 3 || !(kl = lx_qlang_key(&s->q, cl, key)))
            continue;
        if (en_clitic[ci]) {
            vt.v[0] += 1;
            if (!telling[0])
                set_telling(telling, key);
            continue;
        }
        const lx_qword *w = &s->q.words[cl->first];
        int k = vote(s, &vt, w, cl->n, key, kl, 1.0);
        /* A phrase no language has as a whole: its words. */
        for (int j = 0; !k && cl->n > 1 && j < cl->n; j++)
            vote(s, &vt, &w[j], 1, w[j].tok, w[j].len, 1.0 / cl->n);
        if (!k && cl->n == 1 && np)
            k = vote_compound(s, &vt, key, kl);
        if (k && 1.0 / k > best_word) {
            best_word = 1.0 / k;
            set_telling(telling, key);
        }
    }
    int best = elect(s, &vt, telling, out);
    if (best < 0)
        snprintf(out->why, sizeof out->why, "no word of the query is known in any language");
    return best;
}

void lx_qlang_detect(lx_searcher *s, const lx_search_opts *o, lx_qlang *out) {
    memset(out, 0, sizeof *out);
    if (o->qlang && o->qlang[0] && lx_lang_normalise(o->qlang, out->code) == 0) {
        out->source = LX_QLANG_GIVEN;
        snprintf(out->why, sizeof out->why, "given as qlang");
        return;
    }
    if (o->accept_lang && o->accept_lang[0] && accept_first(o->accept_lang, out->code) == 0) {
        out->source = LX_QLANG_ACCEPT;
        snprintf(out->why, sizeof out->why, "the first language of Accept-Language");
        return;
    }
    out->code[0] = 0;
    memset(memo, 0, (size_t)s->nlangs * sizeof memo[0]);
    /* The halves of an English contraction or possessive ("you" "re",
     * "hasan" "s") are English's, as its stopwords are, and nothing
     * else's: "s", "t" and "d" are French elisions too, but those come
     * before an apostrophe, not after it. */
    char en_clitic[LX_MAX_QUERY_TERMS];
    for (int ci = 0; ci < s->q.nclauses && ci < LX_MAX_QUERY_TERMS; ci++)
        en_clitic[ci] = (char)lx_query_clitic(&s->q, o->query, ci, "en");
    if (detect_index(s, en_clitic, out) < 0) {
        memset(out, 0, sizeof *out);
        detect(s, en_clitic, out);
    }
    if (lx_xlate_trace_on()) /* xlate.c's trace */
        fprintf(stderr, "xlate\tlang\t%s\t%s\n", out->code, out->why);
}

int lx_qlang_prefers(const lx_searcher *s, const lx_search_opts *o, const lx_qlang *ql) {
    return s->nlangs > 1 && ql->code[0] && !(o->flags & LX_SEARCH_NO_PREFER) &&
           !(o->lang && o->lang[0]);
}

static int cmp_scored(const void *a, const void *b) {
    const lx_scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Whether doc is in the ascending list p[0..n), searched from *from on
 * (lx_docs_gallop); *from becomes the place of the first entry >= doc,
 * where the search for a larger doc starts. */
static int in_list(const uint8_t *p, size_t n, uint32_t doc, size_t *from) {
    *from = lx_docs_gallop(p, n, doc, *from);
    return *from < n && lx_docs_at(p, *from) == doc;
}

int lx_qlang_prefer(lx_searcher *s, const lx_qlang *ql, lx_scored *hits, uint32_t n) {
    MDB_val v;
    int rc = lx_store_lang(s->txn, s->ix, ql->code, strlen(ql->code), &v);
    if (rc == LX_ENOTFOUND)
        return 0;
    if (rc)
        return lx_searcher_fail(s, rc, "lang", -1, "cannot read language \"%s\"", ql->code);
    for (uint32_t i = 0; i < n; i++) {
        size_t from = 0; /* hits are in score order, not by doc */
        if (in_list(v.mv_data, v.mv_size / 4, hits[i].doc, &from))
            hits[i].score *= LX_QLANG_PREFER;
    }
    qsort(hits, n, sizeof *hits, cmp_scored);
    return 0;
}
