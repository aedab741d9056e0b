/* test_check.c -- the integrity check (lx_index_check, engine/check.c) and
 * the hardened reads behind it:
 *
 * - an index built, added to, replaced into and deleted from is sound;
 * - each hand-made damage (a docid gap, a tf, a list bound, a block
 *   bound, df, the stats' next_doc, a stored lecture, an id, a tag list)
 *   makes the check fail naming the database, the key and what is wrong;
 * - on each damaged copy searches (filters, facets, snippets), related
 *   lectures and get return a result or an error, never crash (run under
 *   ASan by make sanitize); the stats' next_doc lowered (the 68 -> 4 flip
 *   of issue 11, which overflowed a bitmap in match_set) gives
 *   LX_ECORRUPT.
 */
#include "check.h"
#include "postings.h"
#include "store.h"
#include "testcoll.h"
#include "testidx.h"
#include "zdict.h"

#include <lmdb.h>
#include <lz4.h>

/* Lectures 0..NDOCS-1: enough English ones for lists of several blocks. */
#define NDOCS 420

static char base[512];
/* A list of several blocks and one of a single block, chosen from base. */
static char big[64], small[64];

static void pick_terms(void) {
    lx_index *ix = tix_open(base, LX_OPEN_READONLY);
    MDB_txn *txn;
    MDB_cursor *mc;
    MDB_val k, v;
    uint32_t bigdf = 0;
    CHECK(mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn) == 0);
    CHECK(mdb_cursor_open(txn, ix->post, &mc) == 0);
    lx_pcursor c;
    for (int r = mdb_cursor_get(mc, &k, &v, MDB_FIRST); r == 0;
         r = mdb_cursor_get(mc, &k, &v, MDB_NEXT)) {
        if (k.mv_size >= sizeof big || lx_pcursor_open(&c, v.mv_data, v.mv_size))
            continue;
        if (c.df > bigdf) {
            bigdf = c.df;
            snprintf(big, sizeof big, "%.*s", (int)k.mv_size, (const char *)k.mv_data);
        }
        if (!small[0] && c.df >= 5 && c.df < 100 && c.nlf > 1)
            snprintf(small, sizeof small, "%.*s", (int)k.mv_size, (const char *)k.mv_data);
    }
    mdb_cursor_close(mc);
    mdb_txn_abort(txn);
    lx_index_close(ix);
    CHECK(bigdf > LX_BLOCK && small[0]);
}

static void build_base(void) {
    snprintf(base, sizeof base, "%s", check_tmpdir("check-base"));
    lx_index *ix = tix_open(base, LX_OPEN_CREATE);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < NDOCS; i++) {
        char *r = make_record(i, 1);
        CHECK(put(w, r) == 0);
        free(r);
    }
    CHECK(lx_writer_commit(w, NULL) == 0);
    /* A second batch: some replaced, some deleted. */
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < NDOCS; i += 7) {
        char *r = make_record(i, 0);
        CHECK(put(w, r) == 0);
        free(r);
    }
    for (int i = 3; i < NDOCS; i += 11)
        CHECK(del(w, idof(i)) == 0);
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_index_close(ix);
}

/* A fresh copy of the base index. */
static const char *copy_base(const char *name) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s", check_tmpdir(name));
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s/data.mdb' '%s/'", base, dir);
    CHECK(system(cmd) == 0);
    return dir;
}

/* Rewrites the value under key in the database picked by `db` (an offset
 * of an MDB_dbi in lx_index) through edit(value, len, arg). */
typedef void (*edit_fn)(uint8_t *v, size_t *len, const void *arg);

static void damage(const char *dir, MDB_dbi *(*pick)(lx_index *), const void *key, size_t klen,
                   edit_fn edit, const void *arg) {
    lx_index *ix = tix_open(dir, 0);
    MDB_txn *txn;
    CHECK(mdb_txn_begin(ix->env, NULL, 0, &txn) == 0);
    MDB_val k = {klen, (void *)key}, v;
    int rc = mdb_get(txn, *pick(ix), &k, &v);
    CHECK(rc == 0);
    if (rc == 0) {
        size_t len = v.mv_size;
        uint8_t *copy = malloc(len + 64);
        memcpy(copy, v.mv_data, len);
        edit(copy, &len, arg);
        MDB_val nv = {len, copy};
        CHECK(mdb_put(txn, *pick(ix), &k, &nv, 0) == 0);
        free(copy);
    }
    CHECK(mdb_txn_commit(txn) == 0);
    lx_index_close(ix);
}

static MDB_dbi *db_post(lx_index *ix) {
    return &ix->post;
}
static MDB_dbi *db_meta(lx_index *ix) {
    return &ix->meta;
}
static MDB_dbi *db_docs(lx_index *ix) {
    return &ix->docs;
}
static MDB_dbi *db_ids(lx_index *ix) {
    return &ix->ids;
}
static MDB_dbi *db_tags(lx_index *ix) {
    return &ix->tags;
}

/* The check of dir fails, its first problem containing want. */
static int check_names(const char *dir, const char *want) {
    lx_index *ix = tix_open(dir, LX_OPEN_READONLY);
    lx_check_report *r = malloc(sizeof *r);
    lx_error err;
    int rc = lx_index_check(ix, r, &err);
    int ok = rc == LX_ECORRUPT && r->problems > 0 && strstr(r->problem[0], want) &&
             err.code == LX_ECORRUPT && !strcmp(err.message, r->problem[0]);
    if (!ok)
        fprintf(stderr, "  check %s: rc %d, want \"%s\", first problem \"%s\"\n", dir, rc, want,
                r->n_listed ? r->problem[0] : "");
    free(r);
    lx_index_close(ix);
    return ok;
}

/* Reads dir every way a client can; returns how many calls failed (each
 * with a code in err), crashing never. */
static int read_all(const char *dir) {
    lx_index *ix = tix_open(dir, LX_OPEN_READONLY);
    lx_searcher *s;
    lx_error err;
    int failed = 0;
    if (lx_searcher_open(ix, &s, &err)) {
        lx_index_close(ix);
        return 1;
    }
    static const char *const queries[] = {"gender equality", "\"pay gap\" racism",
                                          "migration -schools", "tag:gender culture", ""};
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        lx_search_opts o = {0};
        o.query = queries[i];
        o.limit = 10;
        o.flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
        o.tags = i == 2 ? "migration" : NULL;
        o.lang = i == 1 ? "en" : NULL;
        lx_results *r = NULL;
        int rc = lx_search(s, &o, &r, &err);
        failed += rc != 0;
        CHECK(rc <= 0 && (rc == 0) == (r != NULL));
        lx_results_free(r);
    }
    for (int i = 0; i < 6; i++) {
        lx_search_opts o = {0};
        o.limit = 5;
        lx_results *r = NULL;
        int rc = lx_related(s, idof(i * 13), &o, &r, &err);
        failed += rc != 0;
        lx_results_free(r);
        char *json = NULL;
        size_t len;
        rc = lx_get(s, idof(i * 13), &json, &len, &err);
        failed += rc != 0;
        free(json);
    }
    lx_facet *f = NULL;
    size_t n;
    failed += lx_tags(s, &f, &n, &err) != 0;
    free(f);
    lx_stats st;
    failed += lx_stats_get(s, &st, &err) != 0;
    lx_searcher_close(s);
    lx_index_close(ix);
    return failed;
}

/* ---- edits ---------------------------------------------------------------- */

/* Where a list's parts are. */
static void list_layout(const uint8_t *v, size_t len, lx_pcursor *c) {
    CHECK(lx_pcursor_open(c, v, len) == 0);
}

static void edit_gap(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    lx_pcursor c;
    list_layout(v, *len, &c);
    /* The first byte of block 0's packed gaps: its low bit. */
    size_t off = c.nblocks > 1 ? (size_t)(c.blocks - v) + 0 : (size_t)(c.blocks - v);
    v[off + 6] ^= 0x01;
}

static void edit_tf(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    lx_pcursor c;
    list_layout(v, *len, &c);
    v[c.tfp - v] = 0x7F; /* the first doc's first tf: 127 */
}

static void edit_list_bound(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    lx_pcursor c;
    list_layout(v, *len, &c);
    /* After df, nblocks and the mask: the first field's max tf. */
    const uint8_t *p = v;
    while (*p & 0x80)
        p++;
    p++;
    while (*p & 0x80)
        p++;
    p += 2;
    CHECK(*p < 0x7E);
    v[p - v]++;
}

static void edit_block_bound(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    lx_pcursor c;
    list_layout(v, *len, &c);
    CHECK(c.nblocks > 1);
    /* Block 0's staircase in its first field: every step's tf to 1. */
    uint8_t *e = v + (c.dir - v) + 12;
    for (int k = 0; k < LX_BOUND_PAIRS; k++)
        if (e[k * 8])
            e[k * 8] = 1, e[k * 8 + 1] = e[k * 8 + 2] = e[k * 8 + 3] = 0;
}

static void edit_df(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    (void)len;
    CHECK(v[0] < 0x7F);
    v[0]++; /* df one more, in the same block */
}

static void edit_next_doc(uint8_t *v, size_t *len, const void *arg) {
    (void)len;
    uint32_t nd = *(const uint32_t *)arg;
    memcpy(v + 4, &nd, 4);
}

static void edit_doc_len(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    (void)len;
    v[4] ^= 0x10; /* title_len */
}

/* The language member's span moved one byte on (inside the meta still:
 * every lecture of the base has a language). */
static void edit_member_span(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    (void)len;
    lx_dochdr h;
    memcpy(&h, v, sizeof h);
    h.member[LX_MEMBER_LANGUAGE].off++;
    h.member[LX_MEMBER_LANGUAGE].len--;
    memcpy(v, &h, sizeof h);
}

static void edit_group_off(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    uint32_t past = (uint32_t)*len + 1; /* lecture 2 ends past the value */
    memcpy(v + 3 * 4, &past, 4);
}

static void edit_last_checkpoint(uint8_t *v, size_t *len, const void *arg) {
    (void)arg;
    memset(v + *len - 4, 0xFF, 4);
}

/* A lecture's edit within its group's value (store.c): `slot` picks the
 * lecture, `edit` changes its bytes (not their length). */
typedef struct slot_edit {
    uint32_t slot;
    edit_fn edit;
} slot_edit;

static void edit_slot(uint8_t *v, size_t *len, const void *arg) {
    const slot_edit *e = arg;
    const uint8_t *rec;
    size_t n;
    CHECK(lx_doc_slot(v, *len, e->slot, &rec, &n) == 0);
    e->edit(v + (rec - v), &n, NULL);
}

/* Damages docid d of a copy of base through edit (see damaged). */
static void damaged_doc(const char *name, uint32_t d, edit_fn edit, const char *want);

/* A lecture of base with transcript checkpoints. */
static uint32_t doc_with_checkpoints(void) {
    lx_index *ix = tix_open(base, LX_OPEN_READONLY);
    MDB_txn *txn;
    uint32_t found = 0;
    CHECK(mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn) == 0);
    for (uint32_t d = 0; d < NDOCS && !found; d++) {
        lx_docview v;
        if (lx_store_doc(txn, ix, d, &v) == 0 && v.h.ncp > 0)
            found = d;
    }
    mdb_txn_abort(txn);
    lx_index_close(ix);
    CHECK(found > 0);
    return found;
}

static void edit_u32(uint8_t *v, size_t *len, const void *arg) {
    (void)len;
    memcpy(v, arg, 4);
}

static void edit_append(uint8_t *v, size_t *len, const void *arg) {
    memcpy(v + *len, arg, 4);
    *len += 4;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_sound(void) {
    CHECK(tix_sound(base));
    lx_index *ix = tix_open(base, LX_OPEN_READONLY);
    lx_check_report *r = malloc(sizeof *r);
    CHECK(lx_index_check(ix, r, NULL) == 0);
    CHECK(r->documents == NDOCS - (NDOCS + 7) / 11);
    CHECK(r->terms > 50);
    if (r->documents != NDOCS - (NDOCS + 7) / 11)
        fprintf(stderr, "  %llu documents\n", (unsigned long long)r->documents);
    CHECK(r->postings > r->documents && r->positions >= r->postings && r->problems == 0);
    free(r);
    lx_index_close(ix);
    CHECK(read_all(base) == 0);
}

/* One damaged copy: the check names it, the reads survive it. */
static void damaged(const char *name, MDB_dbi *(*pick)(lx_index *), const char *key, size_t klen,
                    edit_fn edit, const void *arg, const char *want) {
    const char *dir = copy_base(name);
    damage(dir, pick, key, klen, edit, arg);
    CHECK(check_names(dir, want));
    read_all(dir);
}

static void damaged_doc(const char *name, uint32_t d, edit_fn edit, const char *want) {
    uint32_t g = d >> LX_DOC_GROUP_SHIFT;
    slot_edit e = {d % LX_DOC_GROUP, edit};
    damaged(name, db_docs, (const char *)&g, 4, edit_slot, &e, want);
}

static void test_damage(void) {
    size_t bl = strlen(big), sl = strlen(small);
    damaged("check-gap", db_post, big, bl, edit_gap, NULL, tix_fmt("post \"%s\": ", big));
    damaged("check-tf", db_post, small, sl, edit_tf, NULL, tix_fmt("post \"%s\": ", small));
    damaged("check-lbound", db_post, small, sl, edit_list_bound, NULL,
            tix_fmt("post \"%s\": the list bound differs", small));
    damaged("check-bbound", db_post, big, bl, edit_block_bound, NULL,
            tix_fmt("post \"%s\": block 0: its bound does not cover", big));
    damaged("check-df", db_post, small, sl, edit_df, NULL,
            tix_fmt("post \"%s\": block 0 of 1 (df", small));
    uint32_t four = 4;
    damaged("check-stats", db_meta, "stats", 5, edit_next_doc, &four,
            "meta stats: ndocs 382 > next_doc 4");
    damaged_doc("check-doc", 5, edit_doc_len, "docs 5: damaged value");
    uint32_t cd = doc_with_checkpoints();
    damaged_doc("check-checkpoint", cd, edit_last_checkpoint,
                tix_fmt("docs %u: a segment or checkpoint past the body", cd));
    damaged_doc("check-member", 5, edit_member_span,
                "docs 5: the member spans of its header are not where its meta has them");
    uint32_t g0 = 0;
    damaged("check-group", db_docs, (const char *)&g0, 4, edit_group_off, NULL,
            "docs group 0: damaged value");
    uint32_t other = 6;
    damaged("check-ids", db_ids, "lec-05", 6, edit_u32, &other,
            "docs 5: ids maps its id \"lec-05\" elsewhere");
    uint32_t past = 100000;
    damaged("check-tags", db_tags, "gender", 6, edit_append, &past,
            "tags \"gender\": docid 100000 is not a stored lecture");
}

/* Issue 11: next_doc 68 -> 4 overflowed match_set's bitmap (ASan) or,
 * in a release build, answered 1 lecture instead of 15.  Now a search
 * says the index is damaged. */
static void test_next_doc_flip(void) {
    const char *dir = copy_base("check-nextdoc");
    uint32_t four = 4;
    damage(dir, db_meta, "stats", 5, edit_next_doc, &four);
    lx_index *ix = tix_open(dir, LX_OPEN_READONLY);
    lx_searcher *s;
    lx_error err;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    lx_search_opts o = {0};
    o.query = "gender equality";
    o.limit = 10;
    o.flags = LX_SEARCH_FACETS | LX_SEARCH_SNIPPETS;
    lx_results *r = NULL;
    CHECK(lx_search(s, &o, &r, &err) == LX_ECORRUPT && r == NULL);
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* A view of a body stored as lx_body_compress writes it (into z). */
static void compressed_view(lx_docview *v, const char *text, size_t len, lx_buf *z) {
    size_t zn = 0;
    z->n = 0;
    CHECK(lx_body_compress(text, len, z, &zn) == 0 && zn > 0 && zn == z->n);
    memset(v, 0, sizeof *v);
    v->h.zlen = (uint32_t)zn;
    v->h.zshift = LX_BODY_BLOCK_SHIFT;
    v->h.zdict = LX_ZDICT_CURRENT;
    v->h.body_len = (uint32_t)len;
    v->body = (const char *)z->p;
}

/* A compressed body that decompresses to a NUL inside (a damaged literal)
 * is damaged: lx_analyze read it to body_len past the shorter C string
 * that the related-lectures path copies it into (ASan, the sweep). */
static void test_body_with_nul(void) {
    char text[600];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "abc def ghi jkl mno pqr stu vwx yz "[i % 35];
    text[300] = 0;
    lx_buf z = {0}, scratch = {0};
    lx_docview v;
    compressed_view(&v, text, sizeof text, &z);
    CHECK(lx_doc_body(&v, &scratch) == NULL);
    /* Without the NUL it reads back whole. */
    text[300] = 'x';
    compressed_view(&v, text, sizeof text, &z);
    const char *b = lx_doc_body(&v, &scratch);
    CHECK(b && !memcmp(b, text, sizeof text) && b[sizeof text] == 0);
    lx_buf_free(&scratch);
    lx_buf_free(&z);
}

/* A body of several blocks: any range reads back the text's bytes there
 * (and only the blocks it needs are promised); a damaged block table is
 * corruption, not a read past the value. */
static void test_body_blocks(void) {
    const size_t bs = (size_t)1 << LX_BODY_BLOCK_SHIFT;
    size_t len = 5 * bs + 123;
    char *text = malloc(len);
    CHECK(text != NULL);
    if (!text)
        return;
    /* Words drawn at random: compressible, and no two blocks alike. */
    static const char *const words[] = {"lecture ", "search ", "the ",   "index ",
                                        "block ",   "of ",     "words ", "snippet "};
    uint32_t x = 12345;
    for (size_t i = 0; i < len;) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % 8];
        for (size_t c = 0; w[c] && i < len; c++)
            text[i++] = w[c];
    }
    lx_buf z = {0}, scratch = {0};
    lx_docview v;
    compressed_view(&v, text, len, &z);
    size_t cuts[] = {0, 1, bs - 1, bs, bs + 1, 2 * bs + bs / 5, 4 * bs, len - 124, len - 1, len};
    size_t nc = sizeof cuts / sizeof cuts[0];
    for (size_t i = 0; i < nc; i++)
        for (size_t j = i + 1; j < nc; j++) {
            size_t lo = 99, hi = 0;
            const char *t = lx_doc_body_range(&v, &scratch, cuts[i], cuts[j], &lo, &hi);
            CHECK(t && lo <= cuts[i] && hi >= cuts[j] && hi <= len && lo < hi);
            CHECK(t && !memcmp(t + lo, text + lo, hi - lo) && t[hi] == 0);
            /* Whole blocks before the last, which may be cut. */
            CHECK(lo % bs == 0);
        }
    const char *all = lx_doc_body(&v, &scratch);
    CHECK(all && !memcmp(all, text, len));
    /* Block 2's end before block 1's: damaged. */
    uint32_t e1, bad = 1;
    memcpy(&e1, z.p + 4, 4);
    memcpy(z.p + 4, &bad, 4);
    size_t lo, hi;
    CHECK(lx_doc_body(&v, &scratch) == NULL);
    CHECK(lx_doc_body_range(&v, &scratch, bs, 2 * bs - 100, &lo, &hi) == NULL);
    CHECK(lx_doc_body_range(&v, &scratch, 0, 100, &lo, &hi) != NULL); /* block 0 is sound */
    memcpy(z.p + 4, &e1, 4);
    /* A table entry past the stored bytes. */
    uint32_t far = v.h.zlen;
    memcpy(z.p + 8, &far, 4);
    CHECK(lx_doc_body_range(&v, &scratch, 2 * bs, 2 * bs + 8, &lo, &hi) == NULL);
    lx_buf_free(&scratch);
    lx_buf_free(&z);
    free(text);
}

/* Transcript blocks are compressed with dictionary 1 (zdict.h): its bytes
 * are frozen, since every index written with it reads its blocks with the
 * same bytes (an edit of engine/zdict1.txt fails here: add a dictionary
 * instead).  A block read without its dictionary, or with one this program
 * lacks, is not the text. */
static void test_zdict(void) {
    size_t n = 0;
    CHECK(lx_zdict(LX_ZDICT_1, &n) != NULL && n == 65530);
    CHECK(lx_zdict_hash(LX_ZDICT_1) == 0xa34e7728c4a335c7ull);
    CHECK(lx_zdict(2, &n) == NULL && lx_zdict(LX_ZDICT_NONE, &n) == NULL);
    /* An English passage: the dictionary's words make it smaller. */
    const char *passage = "and I think that what we are talking about here is the question of how "
                          "people who come to a new country find their place in the community, "
                          "and how the schools and the universities can help them with that.";
    size_t len = strlen(passage);
    char zd[512], zp[512];
    int a = lx_zdict_compress(passage, zd, (int)len, sizeof zd);
    int b = LZ4_compress_default(passage, zp, (int)len, sizeof zp);
    CHECK(a > 0 && b > 0 && a < b);
    char out[512];
    CHECK(lx_zdict_decompress(LX_ZDICT_1, zd, a, out, (int)len, (int)len) == (int)len &&
          !memcmp(out, passage, len));
    /* a part: at least the bytes asked for, and those right */
    int part = lx_zdict_decompress(LX_ZDICT_1, zd, a, out, 40, (int)len);
    CHECK(part >= 40 && !memcmp(out, passage, (size_t)part));
    CHECK(lx_zdict_decompress(7, zd, a, out, (int)len, (int)len) == -1);
    int plain = LZ4_decompress_safe(zd, out, a, sizeof out);
    CHECK(plain != (int)len || memcmp(out, passage, len) != 0);
    /* A stored body naming no dictionary, or one not known, is damaged. */
    lx_buf z = {0}, scratch = {0};
    lx_docview v;
    char text[1500];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = passage[i % len];
    compressed_view(&v, text, sizeof text, &z);
    const char *t = lx_doc_body(&v, &scratch);
    CHECK(t && !memcmp(t, text, sizeof text));
    v.h.zdict = 9;
    CHECK(lx_doc_body(&v, &scratch) == NULL);
    v.h.zdict = LX_ZDICT_NONE;
    t = lx_doc_body(&v, &scratch);
    CHECK(!t || memcmp(t, text, sizeof text) != 0);
    lx_buf_free(&scratch);
    lx_buf_free(&z);
}

int main(void) {
    test_zdict();
    test_body_with_nul();
    test_body_blocks();
    build_base();
    pick_terms();
    test_sound();
    test_damage();
    test_next_doc_flip();
    CHECK_DONE();
}
