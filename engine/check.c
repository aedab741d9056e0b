/* check.c -- the integrity check (lx_index_check), in the spirit of FTS5's
 * integrity-check: one read snapshot, every database read whole, every
 * structure checked against what bounds it (layouts in store.c and
 * postings.c):
 *
 *   meta   stats: its size and version, ndocs <= next_doc, the norms hold
 *          next_doc rows, the field lengths of the live lectures sum to
 *          flen and ntokens, deleted docids have zero lengths;
 *   docs   keys below next_doc, every value decodes (lx_doc_view), its id
 *          maps back to it in ids and its language lists it in langs, as
 *          many as stats.ndocs; its member spans are where its meta has
 *          its members (lx_meta_members);
 *   ids    every value a live docid whose stored id is the key;
 *   post   every list decodes with docids below next_doc, ascending, of
 *          live lectures, df of them; tfs of the fields in each doc's mask
 *          non-zero and within the field's length; the list bound and each
 *          block's staircase bound dominate the data; as many lists as
 *          stats.nterms; and the list is byte for byte what the encoder
 *          writes for what was decoded (which pins the directory and the
 *          exact bounds);
 *   pos    every list's positions: as many as its tfs say, ascending per
 *          field, each block at its directory offset, nothing left over;
 *          no positions without a posting list;
 *   tags, langs   docids ascending and live (each live lecture once in
 *          langs); tagstem names existing tags;
 *   lpost  each key a term with a list, a NUL and a language of langs;
 *          each value exactly what a build writes for them: none when no
 *          lecture of the term's is in the language, LX_LPOST_MOST when
 *          more than half are, else the encoding of the term's postings
 *          in the language.
 *
 * The first LX_CHECK_PROBLEMS problems are named (database, key, what);
 * all are counted.  The check never trusts a length before checking it,
 * so a damaged index gives problems, not a crash. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "error.h"
#include "meta.h"
#include "postings.h"
#include "stem.h"
#include "store.h"

/* Above this many docids a damaged next_doc is not believed. */
#define CHECK_MAX_DOCS (1u << 28)

typedef struct chk {
    lx_check_report *r;
    lx_index *ix;
    MDB_txn *txn;
    lx_collstats st;
    int stats_ok;
    uint32_t nd;     /* docids checked against: next_doc, or a guess */
    uint32_t *norms; /* nd * LX_NFIELDS, aligned copy; zeros when unusable */
    uint64_t *live;  /* docids with a stored lecture */
    uint64_t nlive;
    lx_pcursor *c;
    lx_plist pl; /* re-encoding scratch */
    lx_buf post, pos;
    lx_plist lpl; /* a term's postings in one language (check_lpost) */
    struct {
        char code[16];
        uint64_t *bits; /* its lectures */
    } lang[LX_MAX_LANGS];
    int nlang;
} chk;

static void problem(chk *k, const char *fmt, ...) {
    lx_check_report *r = k->r;
    if (r->n_listed < LX_CHECK_PROBLEMS) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->problem[r->n_listed++], sizeof r->problem[0], fmt, ap);
        va_end(ap);
    }
    r->problems++;
}

/* A key for a message: printable ASCII kept, the rest as \xNN, cut. */
static const char *show(const MDB_val *key, char out[80]) {
    const uint8_t *p = key->mv_data;
    size_t o = 0;
    for (size_t i = 0; i < key->mv_size && o + 5 < 80; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '"' && p[i] != '\\')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, 80 - o, "\\x%02x", p[i]);
    }
    out[o] = 0;
    return out;
}

static int is_live(const chk *k, uint32_t d) {
    return d < k->nd && (k->live[d / 64] >> (d % 64) & 1);
}

static uint32_t get_u32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* ---- meta --------------------------------------------------------------- */

static int check_stats(chk *k) {
    MDB_val key = {5, "stats"}, v;
    int rc = lx_store_get(k->txn, k->ix->meta, &key, &v);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "stats");
    memset(&k->st, 0, sizeof k->st);
    if (rc == MDB_NOTFOUND) {
        problem(k, "meta stats: missing");
    } else if (v.mv_size != sizeof k->st) {
        problem(k, "meta stats: %zu bytes, want %zu", v.mv_size, sizeof k->st);
    } else {
        memcpy(&k->st, v.mv_data, sizeof k->st);
        k->stats_ok = 1;
        if (k->st.version != LX_FORMAT_VERSION) {
            problem(k, "meta stats: format version %u, want %u", k->st.version, LX_FORMAT_VERSION);
            k->stats_ok = 0;
        }
        if (k->st.ndocs > k->st.next_doc) {
            problem(k, "meta stats: ndocs %u > next_doc %u", k->st.ndocs, k->st.next_doc);
            k->stats_ok = 0;
        }
    }
    key = (MDB_val){5, "norms"};
    rc = lx_store_get(k->txn, k->ix->meta, &key, &v);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "norms");
    size_t have = rc ? 0 : v.mv_size;
    size_t rows = have / (LX_NFIELDS * 4);
    if (k->stats_ok && have != (size_t)k->st.next_doc * LX_NFIELDS * 4) {
        problem(k, "meta norms: %zu bytes, next_doc %u wants %zu", have, k->st.next_doc,
                (size_t)k->st.next_doc * LX_NFIELDS * 4);
        k->stats_ok = 0;
    }
    /* The docid bound: next_doc when it agrees with the norms, else the
     * larger of the norms' rows and the last stored docid + 1. */
    uint64_t nd = k->st.next_doc;
    if (!k->stats_ok) {
        nd = rows;
        MDB_cursor *mc;
        MDB_val dk, dv;
        if (mdb_cursor_open(k->txn, k->ix->docs, &mc) == 0) {
            if (lx_store_cursor_get(mc, &dk, &dv, MDB_LAST) == 0 && dk.mv_size == 4 &&
                ((uint64_t)get_u32(dk.mv_data) + 1) * LX_DOC_GROUP > nd)
                nd = ((uint64_t)get_u32(dk.mv_data) + 1) * LX_DOC_GROUP;
            mdb_cursor_close(mc);
        }
    }
    if (nd > CHECK_MAX_DOCS)
        nd = CHECK_MAX_DOCS;
    k->nd = (uint32_t)nd;
    k->norms = calloc(((size_t)k->nd + 1) * LX_NFIELDS, sizeof *k->norms);
    k->live = calloc((size_t)k->nd / 64 + 1, 8);
    if (!k->norms || !k->live)
        return LX_ENOMEM;
    if (!rc) {
        size_t n = rows < k->nd ? rows : k->nd;
        memcpy(k->norms, v.mv_data, n * LX_NFIELDS * 4);
    }
    return 0;
}

/* ---- docs and ids --------------------------------------------------------- */

static int check_doc(chk *k, uint32_t d, const uint8_t *rec, size_t len) {
    lx_docview v;
    if (lx_doc_view(rec, len, &v)) {
        problem(k, "docs %u: damaged value (%zu bytes; lengths or offsets out of bounds)", d, len);
        return 0;
    }
    if (!lx_doc_spans_ok(&v))
        problem(k, "docs %u: a segment or checkpoint past the body's %u bytes", d, v.h.body_len);
    lx_member m[LX_NMEMBERS];
    lx_meta_members(v.meta, v.h.meta_len, m);
    if (memcmp(m, v.h.member, sizeof m) != 0)
        problem(k, "docs %u: the member spans of its header are not where its meta has them", d);
    char buf[80];
    MDB_val id = {v.h.id_len, (void *)v.id}, x;
    int rc = lx_store_get(k->txn, k->ix->ids, &id, &x);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "ids");
    if (rc)
        problem(k, "docs %u: id \"%s\" missing from ids", d, show(&id, buf));
    else if (x.mv_size != 4 || get_u32(x.mv_data) != d)
        problem(k, "docs %u: ids maps its id \"%s\" elsewhere", d, show(&id, buf));
    MDB_val lk = {strlen(v.h.lang), v.h.lang};
    rc = lk.mv_size ? lx_store_get(k->txn, k->ix->langs, &lk, &x) : MDB_NOTFOUND;
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "langs");
    if (rc || !lx_store_list_has(x.mv_data, x.mv_size / 4, d))
        problem(k, "docs %u: langs \"%s\" does not list it", d, show(&lk, buf));
    return 0;
}

/* The lectures of group g's value v. */
static int check_group(chk *k, uint32_t g, const MDB_val *v, uint64_t *flen) {
    for (uint32_t i = 0; i < LX_DOC_GROUP; i++) {
        const uint8_t *rec;
        size_t len;
        uint64_t d = (uint64_t)g * LX_DOC_GROUP + i;
        int rc = lx_doc_slot(v->mv_data, v->mv_size, i, &rec, &len);
        if (rc == LX_ECORRUPT) {
            problem(k, "docs group %u: damaged value (%zu bytes; offsets out of bounds)", g,
                    v->mv_size);
            return 0;
        }
        if (rc)
            continue;
        k->r->documents++;
        if (d >= k->nd) {
            problem(k, "docs %llu: docid >= next_doc %u", (unsigned long long)d, k->nd);
            return 0;
        }
        k->live[d / 64] |= 1ull << (d % 64);
        k->nlive++;
        for (int f = 0; f < LX_NFIELDS; f++)
            flen[f] += k->norms[d * LX_NFIELDS + f];
        if ((rc = check_doc(k, (uint32_t)d, rec, len)))
            return rc;
    }
    return 0;
}

static int check_docs(chk *k) {
    MDB_cursor *mc;
    int rc = mdb_cursor_open(k->txn, k->ix->docs, &mc);
    if (rc)
        return lx_store_fail(NULL, rc, "docs");
    MDB_val key, v;
    uint64_t flen[LX_NFIELDS] = {0};
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        if (key.mv_size != 4) {
            problem(k, "docs: a key of %zu bytes", key.mv_size);
            continue;
        }
        uint32_t g = get_u32(key.mv_data);
        int e = check_group(k, g, &v, flen);
        if (e) {
            mdb_cursor_close(mc);
            return e;
        }
    }
    mdb_cursor_close(mc);
    if (rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "docs");
    if (!k->stats_ok)
        return 0;
    if (k->nlive != k->st.ndocs)
        problem(k, "meta stats: ndocs %u, docs holds %llu", k->st.ndocs,
                (unsigned long long)k->nlive);
    uint64_t total = 0;
    for (int f = 0; f < LX_NFIELDS; f++) {
        total += flen[f];
        if (flen[f] != k->st.flen[f])
            problem(k, "meta stats: %s length %llu, the norms of the lectures sum to %llu",
                    lx_field_name(f), (unsigned long long)k->st.flen[f],
                    (unsigned long long)flen[f]);
    }
    if (total != k->st.ntokens)
        problem(k, "meta stats: ntokens %llu, the norms sum to %llu",
                (unsigned long long)k->st.ntokens, (unsigned long long)total);
    for (uint32_t d = 0; d < k->nd; d++) {
        if (is_live(k, d))
            continue;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (k->norms[(size_t)d * LX_NFIELDS + f]) {
                problem(k, "meta norms: deleted docid %u has field lengths", d);
                break;
            }
    }
    return 0;
}

static int check_ids(chk *k) {
    MDB_cursor *mc;
    int rc = mdb_cursor_open(k->txn, k->ix->ids, &mc);
    if (rc)
        return lx_store_fail(NULL, rc, "ids");
    MDB_val key, v;
    uint64_t n = 0;
    char buf[80];
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        n++;
        if (v.mv_size != 4) {
            problem(k, "ids \"%s\": a value of %zu bytes", show(&key, buf), v.mv_size);
            continue;
        }
        uint32_t d = get_u32(v.mv_data);
        if (!is_live(k, d)) {
            problem(k, "ids \"%s\": docid %u is not a stored lecture", show(&key, buf), d);
            continue;
        }
        lx_docview dv;
        if (lx_store_doc(k->txn, k->ix, d, &dv) == 0 &&
            (dv.h.id_len != key.mv_size || memcmp(dv.id, key.mv_data, key.mv_size)))
            problem(k, "ids \"%s\": docid %u stores another id", show(&key, buf), d);
    }
    mdb_cursor_close(mc);
    if (rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "ids");
    if (n != k->nlive)
        problem(k, "ids: %llu ids for %llu stored lectures", (unsigned long long)n,
                (unsigned long long)k->nlive);
    return 0;
}

/* ---- tags, langs, tagstem ----------------------------------------------------- */

/* A value -> u32 docids database: ascending, live; returns the docids. */
static int check_doclists(chk *k, MDB_dbi dbi, const char *name, uint64_t *count) {
    MDB_cursor *mc;
    int rc = mdb_cursor_open(k->txn, dbi, &mc);
    if (rc)
        return lx_store_fail(NULL, rc, name);
    MDB_val key, v;
    char buf[80];
    *count = 0;
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        if (v.mv_size % 4 || !v.mv_size) {
            problem(k, "%s \"%s\": a value of %zu bytes (not u32 docids)", name, show(&key, buf),
                    v.mv_size);
            continue;
        }
        size_t n = v.mv_size / 4;
        *count += n;
        for (size_t i = 0; i < n; i++) {
            uint32_t d = get_u32((const uint8_t *)v.mv_data + i * 4);
            if (i && d <= get_u32((const uint8_t *)v.mv_data + (i - 1) * 4)) {
                problem(k, "%s \"%s\": docids not ascending at %zu", name, show(&key, buf), i);
                break;
            }
            if (!is_live(k, d)) {
                problem(k, "%s \"%s\": docid %u is not a stored lecture", name, show(&key, buf), d);
                break;
            }
        }
    }
    mdb_cursor_close(mc);
    return rc == MDB_NOTFOUND ? 0 : lx_store_fail(NULL, rc, name);
}

static int check_sets(chk *k) {
    uint64_t n;
    int rc;
    if ((rc = check_doclists(k, k->ix->tags, "tags", &n)) ||
        (rc = check_doclists(k, k->ix->langs, "langs", &n)))
        return rc;
    if (n != k->nlive)
        problem(k, "langs: %llu docids for %llu stored lectures", (unsigned long long)n,
                (unsigned long long)k->nlive);
    MDB_cursor *mc;
    if ((rc = mdb_cursor_open(k->txn, k->ix->tagstem, &mc)))
        return lx_store_fail(NULL, rc, "tagstem");
    MDB_val key, v, x;
    char buf[80], buf2[80];
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        if (v.mv_size && *(const char *)v.mv_data == LX_LABEL_PREFIX)
            continue; /* a topic label may name a tag no lecture has yet */
        int g = lx_store_get(k->txn, k->ix->tags, &v, &x);
        if (g == MDB_NOTFOUND)
            problem(k, "tagstem \"%s\": names tag \"%s\", which has no lectures", show(&key, buf),
                    show(&v, buf2));
        else if (g)
            rc = g;
        if (g && g != MDB_NOTFOUND)
            break;
    }
    mdb_cursor_close(mc);
    return rc == MDB_NOTFOUND ? 0 : lx_store_fail(NULL, rc, "tagstem");
}

/* The vocabulary (store.c, "words"): each key a word, a NUL and a
 * language code, each value a term.  A word whose term has no list is
 * fine (words stay when their lectures go). */
static int check_words(chk *k) {
    if (!k->ix->words)
        return 0;
    MDB_cursor *mc;
    int rc = mdb_cursor_open(k->txn, k->ix->words, &mc);
    if (rc)
        return lx_store_fail(NULL, rc, "words");
    MDB_val key, v;
    char buf[80];
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        size_t wl = strnlen(key.mv_data, key.mv_size), ll = key.mv_size - wl;
        if (!wl || ll < 2 || ll > 8 || !v.mv_size || v.mv_size > 511)
            problem(k, "words \"%s\": not a word, a NUL, a language and a term", show(&key, buf));
    }
    mdb_cursor_close(mc);
    return rc == MDB_NOTFOUND ? 0 : lx_store_fail(NULL, rc, "words");
}

/* ---- posting and positions lists ------------------------------------------------- */

/* Whether the staircase b dominates (tf, len) in field f. */
static int dominated(const lx_pbound *b, int f, uint32_t tf, uint32_t len) {
    for (int s = 0; s < LX_BOUND_PAIRS; s++)
        if (b->tf[f][s] >= tf && b->len[f][s] <= len)
            return 1;
    return 0;
}

/* Checks one block's docs and tfs (decoded in c) against the norms and
 * its bound, and its positions from *pp on; folds the list bound into lb.
 * Returns 0 when the block is sound, else 1 (a problem was named). */
static int check_block(chk *k, const char *term, const uint8_t *pos, const uint8_t **pp,
                       const uint8_t *pend, lx_bound *lb) {
    lx_pcursor *c = k->c;
    lx_pcursor_tf_block(c);
    if (c->tf_next != c->bend) {
        problem(k, "post \"%s\": block %u: its tfs end %td bytes from the block's end", term, c->bi,
                c->bend - c->tf_next);
        return 1;
    }
    lx_pbound pb;
    uint32_t last;
    lx_pcursor_block_pbound(c, c->docs[0], &pb, &last);
    if (pos && (size_t)(*pp - pos) != c->block_pos_off) {
        problem(k, "post \"%s\": block %u: positions at %u in the directory, %td by the tfs", term,
                c->bi, c->block_pos_off, *pp - pos);
        return 1;
    }
    for (uint32_t i = 0; i < c->n; i++) {
        uint32_t d = c->docs[i];
        const uint32_t *tf = c->tf[i];
        const uint32_t *len = k->norms + (size_t)d * LX_NFIELDS;
        unsigned m = c->maskp ? c->maskp[i] : c->listmask;
        if (!is_live(k, d)) {
            problem(k, "post \"%s\": doc %u is not a stored lecture", term, d);
            return 1;
        }
        if (!m || (m & ~(unsigned)c->listmask)) {
            problem(k, "post \"%s\": doc %u: field mask 0x%x outside the list's 0x%x", term, d, m,
                    c->listmask);
            return 1;
        }
        for (int f = 0; f < LX_NFIELDS; f++) {
            if (!(m >> f & 1))
                continue;
            if (!tf[f] || tf[f] > len[f]) {
                problem(k, "post \"%s\": doc %u: tf %u in %s, whose length is %u", term, d, tf[f],
                        lx_field_name(f), len[f]);
                return 1;
            }
            if (tf[f] > lb->maxtf[f])
                lb->maxtf[f] = tf[f];
            if (!lb->minlen[f] || len[f] < lb->minlen[f])
                lb->minlen[f] = len[f];
            if (!dominated(&pb, f, tf[f], len[f])) {
                problem(k, "post \"%s\": block %u: its bound does not cover doc %u in %s", term,
                        c->bi, d, lx_field_name(f));
                return 1;
            }
            if (!pos)
                continue;
            /* Positions: tf of them, ascending. */
            uint32_t at = 0;
            for (uint32_t j = 0; j < tf[f]; j++) {
                uint32_t delta;
                if (*pp >= pend) {
                    problem(k, "pos \"%s\": ends inside doc %u", term, d);
                    return 1;
                }
                *pp = lx_vbyte_get(*pp, pend, &delta);
                if ((j && !delta) || at + (uint64_t)delta > UINT32_MAX) {
                    problem(k, "pos \"%s\": doc %u: positions in %s not ascending", term, d,
                            lx_field_name(f));
                    return 1;
                }
                at += delta;
            }
            k->r->positions += tf[f];
        }
        k->r->postings++;
    }
    if (last != c->docs[c->n - 1]) {
        problem(k, "post \"%s\": block %u: last doc %u in the directory, %u in the block", term,
                c->bi, last, c->docs[c->n - 1]);
        return 1;
    }
    return 0;
}

/* The stored list must be what the encoder writes for its content. */
static int check_canonical(chk *k, const char *term, const MDB_val *pv, const MDB_val *xv) {
    lx_plist_clear(&k->pl);
    k->post.n = k->pos.n = 0;
    int rc =
        lx_plist_decode(pv->mv_data, pv->mv_size, xv->mv_data, xv->mv_size, NULL, NULL, &k->pl);
    if (rc == LX_ENOMEM)
        return rc;
    if (rc) {
        problem(k, "post \"%s\": does not decode", term);
        return 0;
    }
    if ((rc = lx_plist_encode(&k->pl, k->norms, &k->post, &k->pos)))
        return rc;
    if (k->post.n != pv->mv_size || memcmp(k->post.p, pv->mv_data, pv->mv_size)) {
        size_t at = 0;
        while (at < k->post.n && at < pv->mv_size && k->post.p[at] == ((uint8_t *)pv->mv_data)[at])
            at++;
        const char *where = at < (size_t)(k->c->dir - k->c->val)      ? "header (list bound)"
                            : at < (size_t)(k->c->blocks - k->c->val) ? "block directory"
                                                                      : "block data";
        problem(k, "post \"%s\": byte %zu (%s) differs from the encoding of its content", term, at,
                where);
    }
    return 0;
}

static int check_term(chk *k, const MDB_val *key, const MDB_val *pv) {
    char term[80];
    show(key, term);
    MDB_val xv = {0, NULL};
    int rc = lx_store_get(k->txn, k->ix->pos, (MDB_val *)key, &xv);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "pos");
    if (rc) {
        problem(k, "pos \"%s\": missing", term);
        xv.mv_size = 0;
        xv.mv_data = NULL;
    }
    lx_pcursor *c = k->c;
    if (lx_pcursor_open_limit(c, pv->mv_data, pv->mv_size, k->nd)) {
        problem(k, "post \"%s\": damaged header: %s", term, c->why);
        return 0;
    }
    const uint8_t *pos = xv.mv_data, *pp = pos, *pend = pos ? pos + xv.mv_size : NULL;
    lx_bound lb;
    memset(&lb, 0, sizeof lb);
    uint32_t count = 0;
    int bad = 0;
    while (c->doc != LX_DOC_END && !bad) {
        bad = check_block(k, term, pos, &pp, pend, &lb);
        count += c->n;
        c->i = c->n - 1;
        lx_pcursor_next(c);
    }
    if (bad)
        return 0;
    if (c->rc) {
        problem(k, "post \"%s\": block %u of %u (df %u, next_doc %u): %s", term, c->bad_block,
                c->nblocks, c->df, k->nd, c->why);
        return 0;
    }
    if (count != c->df) {
        problem(k, "post \"%s\": df %u, the list holds %u", term, c->df, count);
        return 0;
    }
    if (memcmp(&lb, &c->lbound, sizeof lb)) {
        problem(k, "post \"%s\": the list bound differs from its docs' tfs and lengths", term);
        return 0;
    }
    if (pos && pp != pend) {
        problem(k, "pos \"%s\": %td bytes past the last position", term, pend - pp);
        return 0;
    }
    return pos ? check_canonical(k, term, pv, &xv) : 0;
}

static int check_post(chk *k) {
    MDB_cursor *mc;
    int rc = mdb_cursor_open(k->txn, k->ix->post, &mc);
    if (rc)
        return lx_store_fail(NULL, rc, "post");
    MDB_val key, v;
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        k->r->terms++;
        int e = check_term(k, &key, &v);
        if (e) {
            mdb_cursor_close(mc);
            return e;
        }
    }
    mdb_cursor_close(mc);
    if (rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "post");
    if (k->stats_ok && k->r->terms != k->st.nterms)
        problem(k, "meta stats: nterms %u, post holds %llu lists", k->st.nterms,
                (unsigned long long)k->r->terms);
    /* Positions without a posting list. */
    if ((rc = mdb_cursor_open(k->txn, k->ix->pos, &mc)))
        return lx_store_fail(NULL, rc, "pos");
    char buf[80];
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        MDB_val pv;
        int g = lx_store_get(k->txn, k->ix->post, &key, &pv);
        if (g == MDB_NOTFOUND)
            problem(k, "pos \"%s\": no posting list", show(&key, buf));
        else if (g) {
            rc = g;
            break;
        }
    }
    mdb_cursor_close(mc);
    return rc == MDB_NOTFOUND ? 0 : lx_store_fail(NULL, rc, "pos");
}

/* ---- lists per language ------------------------------------------------------ */

/* The lectures of language code as a bitmap over k->nd (kept for the
 * check), NULL when langs has no such language (or out of memory: *rc). */
static const uint64_t *lang_bits(chk *k, const char *code, size_t n, int *rc) {
    for (int i = 0; i < k->nlang; i++)
        if (strlen(k->lang[i].code) == n && !memcmp(k->lang[i].code, code, n))
            return k->lang[i].bits;
    MDB_val v;
    if (n >= sizeof k->lang[0].code || k->nlang == LX_MAX_LANGS ||
        lx_store_lang(k->txn, k->ix, code, n, &v))
        return NULL;
    uint64_t *b = calloc((size_t)k->nd / 64 + 1, sizeof *b);
    if (!b) {
        *rc = LX_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < v.mv_size / 4; i++) {
        uint32_t d = get_u32((const uint8_t *)v.mv_data + i * 4);
        if (d < k->nd)
            b[d / 64] |= 1ull << (d % 64);
    }
    memcpy(k->lang[k->nlang].code, code, n);
    k->lang[k->nlang].code[n] = 0;
    k->lang[k->nlang++].bits = b;
    return b;
}

static int lpost_drop(void *ctx, uint32_t d) {
    const uint64_t *b = ctx;
    return !(b[d / 64] >> (d % 64) & 1);
}

/* One lpost value against the term's list (see the top of the file). */
static int check_lpost_one(chk *k, const MDB_val *key, const MDB_val *v) {
    char buf[80];
    size_t tl = strnlen(key->mv_data, key->mv_size), ll = key->mv_size - tl - (tl < key->mv_size);
    const char *code = (const char *)key->mv_data + tl + 1;
    MDB_val tk = {tl, key->mv_data}, pv;
    int rc = 0;
    if (!tl || tl == key->mv_size || !ll) {
        problem(k, "lpost \"%s\": not a term, a NUL and a language", show(key, buf));
        return 0;
    }
    int g = lx_store_get(k->txn, k->ix->post, &tk, &pv);
    if (g && g != MDB_NOTFOUND)
        return lx_store_fail(NULL, g, "post");
    if (g) {
        problem(k, "lpost \"%s\": its term has no posting list", show(key, buf));
        return 0;
    }
    const uint64_t *bits = lang_bits(k, code, ll, &rc);
    if (!bits) {
        if (!rc)
            problem(k, "lpost \"%s\": no such language in langs", show(key, buf));
        return rc;
    }
    lx_plist_clear(&k->lpl);
    if ((rc = lx_plist_decode(pv.mv_data, pv.mv_size, NULL, 0, lpost_drop, (void *)bits,
                              &k->lpl)) == LX_ENOMEM)
        return rc;
    if (rc)
        return 0; /* check_post names the damaged list */
    lx_pcursor *c = k->c;
    if (lx_pcursor_open_head(c, pv.mv_data, pv.mv_size))
        return 0;
    uint32_t n = k->lpl.n;
    int kind = lx_lpost_kind(n, c->df);
    if (!v->mv_size) {
        if (kind != LX_LPOST_IS_NONE)
            problem(k, "lpost \"%s\": none, but %u of its lectures are", show(key, buf), n);
        return 0;
    }
    if (v->mv_size == 1 && *(const uint8_t *)v->mv_data == LX_LPOST_MOST) {
        if (kind != LX_LPOST_IS_MOST)
            problem(k, "lpost \"%s\": most, but %u of %u", show(key, buf), n, c->df);
        return 0;
    }
    k->post.n = k->pos.n = 0;
    if ((rc = lx_plist_encode(&k->lpl, k->norms, &k->post, &k->pos)))
        return rc;
    if (kind != LX_LPOST_IS_LIST || k->post.n != v->mv_size ||
        memcmp(k->post.p, v->mv_data, v->mv_size))
        problem(k, "lpost \"%s\": not the encoding of its term's %u postings in the language",
                show(key, buf), n);
    return 0;
}

static int check_lpost(chk *k) {
    if (!k->ix->lpost)
        return 0;
    MDB_cursor *mc;
    int rc = mdb_cursor_open(k->txn, k->ix->lpost, &mc);
    if (rc)
        return lx_store_fail(NULL, rc, "lpost");
    MDB_val key, v;
    for (rc = lx_store_cursor_get(mc, &key, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(mc, &key, &v, MDB_NEXT)) {
        int e = check_lpost_one(k, &key, &v);
        if (e) {
            mdb_cursor_close(mc);
            return e;
        }
    }
    mdb_cursor_close(mc);
    return rc == MDB_NOTFOUND ? 0 : lx_store_fail(NULL, rc, "lpost");
}

/* ---- the call ------------------------------------------------------------------- */

int lx_index_check(lx_index *ix, lx_check_report *out, lx_error *err) {
    lx_error_clear(err);
    memset(out, 0, sizeof *out);
    chk k;
    memset(&k, 0, sizeof k);
    k.r = out;
    k.ix = ix;
    int rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &k.txn);
    if (rc)
        return lx_store_fail(err, rc, "begin read transaction");
    k.c = malloc(sizeof *k.c);
    rc = k.c ? 0 : LX_ENOMEM;
    if (!rc)
        rc = check_stats(&k);
    if (!rc)
        rc = check_docs(&k);
    if (!rc)
        rc = check_ids(&k);
    if (!rc)
        rc = check_sets(&k);
    if (!rc)
        rc = check_words(&k);
    if (!rc)
        rc = check_post(&k);
    if (!rc)
        rc = check_lpost(&k);
    mdb_txn_abort(k.txn);
    free(k.c);
    free(k.norms);
    free(k.live);
    lx_plist_free(&k.pl);
    lx_plist_free(&k.lpl);
    for (int i = 0; i < k.nlang; i++)
        free(k.lang[i].bits);
    lx_buf_free(&k.post);
    lx_buf_free(&k.pos);
    if (rc)
        return err && err->code ? rc : lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    if (out->problems)
        return lx_fail(err, LX_ECORRUPT, NULL, -1, "%s", out->problem[0]);
    return 0;
}
