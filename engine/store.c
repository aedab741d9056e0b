/* store.c -- one LMDB environment holding the whole index.
 *
 * Format version 7 (6 had no "lpost"; 5 compressed 2 KiB transcript
 * blocks without a dictionary and kept no member spans; 4 stored one
 * lecture a "docs" value and kept a checkpoint every 64 transcript
 * tokens, 3 stored each body as one LZ4 stream: such an index is refused
 * with a request to rebuild it).
 * Integers are host order (little-endian on our targets) and read with
 * memcpy.  Databases:
 *
 *   meta     "stats"  -> lx_collstats (store.h), 64 bytes
 *            "norms"  -> u32 len[next_doc][5]: each lecture's field lengths
 *                        in tokens (title, tags, speaker, description,
 *                        transcript); zeros for deleted docids
 *   ids      external id bytes -> u32 docid
 *   docs     u32 group (MDB_INTEGERKEY) -> the lectures of docids group *
 *            LX_DOC_GROUP .. + LX_DOC_GROUP - 1: u32 off[LX_DOC_GROUP + 1]
 *            (from the value's start; lecture i is bytes off[i] ..
 *            off[i + 1], none when equal), then the lectures, each:
 *              lx_dochdr (88 bytes: u32 id_len, title_len, meta_len,
 *                         body_len, nseg, zlen, ncp; u8 flags, zshift,
 *                         zdict, pad; lang[8]; then u32 off, len of each
 *                         LX_MEMBER_* member's value in meta, 0 0 when
 *                         absent: where the members a result shows are,
 *                         found when it is stored, so that answers do
 *                         not walk the meta's JSON per hit)
 *              id, NUL; title, NUL
 *              meta: the record as JSON without "segments" (and without
 *                    "transcript" when that is the body), NUL
 *              body: the transcript text, or the segments' texts joined
 *                    by one space, NUL; when zlen > 0 (bodies of
 *                    LX_DOC_COMPRESS_MIN bytes or more) instead zlen bytes
 *                    and a NUL: the text cut into nblk = ceil(body_len /
 *                    2^zshift) blocks (zshift: LX_BODY_BLOCK_SHIFT when
 *                    written), u32 end[nblk] (the end of each compressed
 *                    block, counted from the first), then each block in
 *                    LZ4 block format on its own, compressed with LZ4
 *                    dictionary zdict (zdict.h; 0: none): transcripts
 *                    are most of an index, LZ4 with the dictionary
 *                    shrinks them by a third while decompressing a
 *                    lecture in microseconds, and a snippet decompresses
 *                    only the blocks around its window
 *              nseg lx_dseg (start f64, end f64, off u32, len u32): each
 *                    segment's time and byte span in the body
 *              ncp u32: the body byte offset of transcript tokens 0, 32,
 *                    64, ... (LX_CP_EVERY), so a snippet decompresses and
 *                    scans only the text around its window
 *   post     term bytes -> posting list (layout at the top of postings.c)
 *   pos      term bytes -> positions of that list (postings.c)
 *   tags     normalised tag -> u32 docids ascending (lectures with the tag)
 *            and LX_SUGGEST_PREFIX + normalised tag -> u32 docids (lectures
 *            the tag is suggested for: lectern-index --suggest-tags)
 *   tagstem  stemmed tag words joined by ' ' -> normalised tag
 *            (MDB_DUPSORT: one stem form may name several tags)
 *   langs    ISO 639 code -> u32 docids ascending
 *   words    token as written (normalised, unstemmed), NUL, ISO 639 code ->
 *            the term it becomes (its stem): the vocabulary that typo
 *            tolerance and completion walk (fuzzy.c).  Entries are added,
 *            never removed: a word whose term has no list any more adds
 *            nothing to a query.  Optional when reading: an index written
 *            before it opens without typo tolerance.
 *   relvec   u32 docid (MDB_INTEGERKEY) -> the lecture's related-term
 *            vector, the terms that lectures like it are looked for by
 *            (layout at the top of relvec.c), written when its batch
 *            flushes, deleted with the lecture.  Optional when reading:
 *            a lecture without one (an index written before it) is
 *            tokenised again by lx_related.
 *   lpost    term bytes, NUL, ISO 639 code -> the term's lists per
 *            language, written by a build for every term of at least
 *            LX_LPOST_MIN lectures and every language of the index: the
 *            term's postings in lectures of that language as a posting
 *            list (postings.c's layout; its positions are not kept: the
 *            directory's pos_off are 0), or an empty value when none of
 *            its lectures is in it, or the one byte LX_LPOST_MOST when
 *            more than half are (walk the whole list).  A translation
 *            into a language of fewer lectures than the term's list reads
 *            it instead of walking the list against the language's
 *            lectures, which decodes a block per lecture of the language
 *            (plan.c, lpost_cursor).  No value: the list is walked.  A
 *            write that changes a term's list deletes its values (flush.c).
 *
 * Docids are never reused: a replaced lecture gets a new docid, so lists
 * only ever grow at the end and a reader's snapshot stays consistent.
 */
#include <errno.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "zdict.h"

int lx_store_code(int mdb_rc) {
    switch (mdb_rc) {
    case 0:
        return 0;
    case MDB_NOTFOUND:
        return LX_ENOTFOUND;
    case ENOMEM:
        return LX_ENOMEM;
    case MDB_MAP_FULL:
        return LX_EFULL;
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
        return LX_ENOSPC;
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return LX_EFORMAT;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
        return LX_ECORRUPT;
    default:
        return LX_EIO;
    }
}

int lx_store_fail(lx_error *err, int rc, const char *what) {
    return lx_fail(err, lx_store_code(rc), NULL, -1, "%s: %s", what, mdb_strerror(rc));
}

/* The bytes of the file LMDB has handed out pages from. */
static size_t used_bytes(lx_env *ix) {
    MDB_envinfo info;
    mdb_env_info(ix->env, &info);
    size_t used = ((size_t)info.me_last_pgno + 1) * ix->psize;
    __atomic_store_n(&ix->map_used, used, __ATOMIC_RELAXED);
    return used;
}

/* Finds where the file is mapped: a value read in a read-only transaction
 * lies in a page of the map whose header starts with its page number
 * (LMDB's page layout), so the map starts that many pages before; the
 * guess is kept only when that page's bytes are the file's bytes there. */
void lx_store_map_locate(lx_env *ix, MDB_dbi meta) {
    MDB_stat ms;
    MDB_txn *txn;
    MDB_val k = {5, "stats"}, v;
    ix->map = NULL;
    if (mdb_env_stat(ix->env, &ms) || mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn))
        return;
    ix->psize = ms.ms_psize;
    int fd;
    if (ix->psize >= 64 && !(ix->psize & (ix->psize - 1)) && mdb_get(txn, meta, &k, &v) == 0 &&
        mdb_env_get_fd(ix->env, &fd) == 0) {
        const uint8_t *page = (const uint8_t *)((uintptr_t)v.mv_data & ~(uintptr_t)(ix->psize - 1));
        uint64_t pgno;
        uint8_t file[64];
        memcpy(&pgno, page, 8);
        if (pgno < ((uint64_t)1 << 40) &&
            pread(fd, file, sizeof file, (off_t)(pgno * ix->psize)) == (ssize_t)sizeof file &&
            !memcmp(file, page, sizeof file) && (uintptr_t)page >= pgno * ix->psize) {
            ix->map = page - pgno * ix->psize;
            used_bytes(ix);
        }
    }
    mdb_txn_abort(txn);
}

/* Whether v lies in the used part of the file, when it is in the map. */
static int val_ok(MDB_txn *txn, const MDB_val *v) {
    lx_env *ix = mdb_env_get_userctx(mdb_txn_env(txn));
    if (!ix || !ix->map)
        return 1;
    uintptr_t p = (uintptr_t)v->mv_data, m = (uintptr_t)ix->map;
    if (p < m || p - m >= ix->map_size)
        return 1; /* not in the map: a write transaction's page */
    size_t off = (size_t)(p - m);
    if (v->mv_size <= __atomic_load_n(&ix->map_used, __ATOMIC_RELAXED) - off)
        return 1;
    size_t used = used_bytes(ix); /* the file may have grown since */
    return off <= used && v->mv_size <= used - off;
}

int lx_store_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *val) {
    int rc = mdb_get(txn, dbi, key, val);
    return rc == 0 && !val_ok(txn, val) ? MDB_CORRUPTED : rc;
}

int lx_store_cursor_get(MDB_cursor *c, MDB_val *key, MDB_val *val, MDB_cursor_op op) {
    int rc = mdb_cursor_get(c, key, val, op);
    if (rc == 0 &&
        ((key && !val_ok(mdb_cursor_txn(c), key)) || (val && !val_ok(mdb_cursor_txn(c), val))))
        return MDB_CORRUPTED;
    return rc;
}

int lx_store_stats(MDB_txn *txn, lx_index *ix, lx_collstats *st) {
    MDB_val k = {5, "stats"}, v;
    memset(st, 0, sizeof *st);
    int rc = lx_store_get(txn, ix->meta, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return lx_store_fail(NULL, rc, "stats");
    if (v.mv_size != sizeof *st)
        return LX_EFORMAT;
    memcpy(st, v.mv_data, sizeof *st);
    if (st->version != LX_FORMAT_VERSION)
        return LX_EFORMAT;
    /* Readers size bitmaps and norms by next_doc and trust docids below
     * it: a damaged next_doc must not pass.  The norms hold exactly
     * next_doc rows, written with the stats in one transaction, so each
     * checks the other. */
    if (st->ndocs > st->next_doc || st->next_doc == LX_DOC_END)
        return LX_ECORRUPT;
    k = (MDB_val){5, "norms"};
    rc = lx_store_get(txn, ix->meta, &k, &v);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(NULL, rc, "norms");
    size_t have = rc ? 0 : v.mv_size;
    if (have != (size_t)st->next_doc * LX_NFIELDS * sizeof(uint32_t))
        return LX_ECORRUPT;
    return 0;
}

int lx_store_norms(MDB_txn *txn, lx_index *ix, const uint32_t **norms, uint32_t *ndocs) {
    MDB_val k = {5, "norms"}, v;
    int rc = lx_store_get(txn, ix->meta, &k, &v);
    *norms = NULL;
    *ndocs = 0;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return lx_store_fail(NULL, rc, "norms");
    *norms = v.mv_data;
    *ndocs = (uint32_t)(v.mv_size / (LX_NFIELDS * sizeof(uint32_t)));
    return 0;
}

/* The blocks of a compressed body. */
static uint32_t body_blocks(const lx_docview *v) {
    return (uint32_t)(((uint64_t)v->h.body_len + ((uint64_t)1 << v->h.zshift) - 1) >> v->h.zshift);
}

/* Checks what a view's readers index with: the strings end in their NULs,
 * the language code inside its 8 bytes, the body's stored size fits its
 * length (LZ4 expands at most 255 times).  Segments and checkpoints are
 * bounded where they are read (lx_doc_segment, lx_doc_checkpoint): a view
 * costs the same for a lecture of any length. */
static int doc_view_check(const lx_docview *v) {
    size_t stored = v->h.zlen ? v->h.zlen : v->h.body_len;
    if (v->id[v->h.id_len] || v->title[v->h.title_len] || v->meta[v->h.meta_len] ||
        v->body[stored] || !memchr(v->h.lang, 0, sizeof v->h.lang))
        return LX_ECORRUPT;
    if (v->h.body_len > INT32_MAX || (v->h.zlen && v->h.body_len > (uint64_t)v->h.zlen * 255 + 64))
        return LX_ECORRUPT;
    for (int i = 0; i < LX_NMEMBERS; i++)
        if ((uint64_t)v->h.member[i].off + v->h.member[i].len > v->h.meta_len)
            return LX_ECORRUPT;
    if (v->h.zlen && (v->h.zshift < LX_BODY_SHIFT_MIN || v->h.zshift > LX_BODY_SHIFT_MAX ||
                      (uint64_t)body_blocks(v) * 4 > v->h.zlen))
        return LX_ECORRUPT;
    /* a dictionary this program has, and blocks that fit its stage */
    size_t dlen;
    if (v->h.zlen && v->h.zdict &&
        (!lx_zdict(v->h.zdict, &dlen) || ((size_t)1 << v->h.zshift) > LX_ZDICT_BLOCK_MAX))
        return LX_ECORRUPT;
    return 0;
}

int lx_doc_view(const void *val, size_t len, lx_docview *v) {
    const char *p = val;
    if (len < sizeof v->h)
        return LX_ECORRUPT;
    memcpy(&v->h, p, sizeof v->h);
    size_t stored = v->h.zlen ? v->h.zlen : v->h.body_len;
    /* In 64 bits no sum of these u32 counts can wrap. */
    uint64_t need = sizeof v->h + (uint64_t)v->h.id_len + 1 + v->h.title_len + 1 + v->h.meta_len +
                    1 + stored + 1 + (uint64_t)v->h.nseg * sizeof(lx_dseg) + (uint64_t)v->h.ncp * 4;
    if (need != len)
        return LX_ECORRUPT;
    p += sizeof v->h;
    v->id = p;
    p += v->h.id_len + 1;
    v->title = p;
    p += v->h.title_len + 1;
    v->meta = p;
    p += v->h.meta_len + 1;
    v->body = p;
    p += stored + 1;
    v->segs = (const uint8_t *)p;
    p += (size_t)v->h.nseg * sizeof(lx_dseg);
    v->cps = (const uint8_t *)p;
    return doc_view_check(v);
}

/* Decompresses blocks b0..b1 of v into dst (the body's offsets) and the
 * last one only up to byte `to` at least; *hi receives the end of the
 * text there.  0 or LX_ECORRUPT. */
static int body_decode(const lx_docview *v, char *dst, uint32_t b0, uint32_t b1, size_t to,
                       size_t *hi) {
    const uint8_t *tab = (const uint8_t *)v->body;
    uint32_t nblk = body_blocks(v);
    size_t bsize = (size_t)1 << v->h.zshift, avail = v->h.zlen - (size_t)nblk * 4;
    const char *data = v->body + (size_t)nblk * 4;
    for (uint32_t i = b0; i <= b1 && i < nblk; i++) {
        uint32_t a = 0, b;
        if (i)
            memcpy(&a, tab + (size_t)(i - 1) * 4, 4);
        memcpy(&b, tab + (size_t)i * 4, 4);
        if (a > b || b > avail)
            return LX_ECORRUPT;
        size_t off = (size_t)i << v->h.zshift;
        size_t blen = v->h.body_len - off < bsize ? v->h.body_len - off : bsize;
        int n;
        if (v->h.zdict) {
            int want = i == b1 && to < off + blen ? (int)(to - off) : (int)blen;
            n = lx_zdict_decompress(v->h.zdict, data + a, (int)(b - a), dst + off, want, (int)blen);
            if (n < want || (want == (int)blen && n != want))
                return LX_ECORRUPT;
        } else if (i == b1 && to < off + blen) {
            n = LZ4_decompress_safe_partial(data + a, dst + off, (int)(b - a), (int)(to - off),
                                            (int)blen);
            if (n < (int)(to - off))
                return LX_ECORRUPT;
        } else {
            n = LZ4_decompress_safe(data + a, dst + off, (int)(b - a), (int)blen);
            if (n != (int)blen)
                return LX_ECORRUPT;
        }
        /* Text never holds a NUL (JSON strings are cut at one): a damaged
         * body that decompresses to one would be shorter as a C string
         * than body_len says, and readers take either. */
        if (memchr(dst + off, 0, (size_t)n))
            return LX_ECORRUPT;
        *hi = off + (size_t)n;
    }
    return 0;
}

const char *lx_doc_body(const lx_docview *v, lx_buf *scratch) {
    size_t lo, hi;
    return lx_doc_body_range(v, scratch, 0, v->h.body_len, &lo, &hi);
}

const char *lx_doc_body_range(const lx_docview *v, lx_buf *scratch, size_t from, size_t to,
                              size_t *lo, size_t *hi) {
    if (!v->h.zlen) {
        *lo = 0;
        *hi = v->h.body_len;
        return v->body;
    }
    if (to > v->h.body_len)
        to = v->h.body_len;
    if (from >= to)
        from = to ? to - 1 : 0;
    scratch->n = 0;
    if (lx_buf_reserve(scratch, (size_t)v->h.body_len + 1))
        return NULL;
    uint32_t b0 = (uint32_t)(from >> v->h.zshift);
    uint32_t b1 = to ? (uint32_t)((to - 1) >> v->h.zshift) : 0;
    *hi = 0;
    if (body_decode(v, (char *)scratch->p, b0, b1, to, hi))
        return NULL;
    *lo = (size_t)b0 << v->h.zshift;
    scratch->p[*hi] = 0;
    scratch->n = *hi + 1;
    return (const char *)scratch->p;
}

int lx_body_compress(const char *body, size_t len, lx_buf *out, size_t *zlen) {
    size_t bsize = (size_t)1 << LX_BODY_BLOCK_SHIFT;
    size_t nblk = (len + bsize - 1) / bsize;
    *zlen = 0;
    if (len < LX_DOC_COMPRESS_MIN || len > INT32_MAX)
        return 0;
    size_t bound = nblk * 4 + (size_t)LZ4_compressBound((int)len) + nblk * 16;
    if (lx_buf_reserve(out, bound))
        return LX_ENOMEM;
    uint8_t *tab = out->p + out->n;
    char *data = (char *)tab + nblk * 4;
    size_t used = 0;
    for (size_t i = 0; i < nblk; i++) {
        size_t off = i * bsize, blen = len - off < bsize ? len - off : bsize;
        int z =
            lx_zdict_compress(body + off, data + used, (int)blen, (int)(bound - nblk * 4 - used));
        if (z <= 0)
            return 0;
        used += (size_t)z;
        uint32_t end = (uint32_t)used;
        memcpy(tab + i * 4, &end, 4);
    }
    if (nblk * 4 + used >= len)
        return 0;
    *zlen = nblk * 4 + used;
    out->n += *zlen;
    return 0;
}

uint32_t lx_doc_checkpoint(const lx_docview *v, uint32_t i) {
    uint32_t off;
    memcpy(&off, v->cps + (size_t)i * 4, 4);
    return off <= v->h.body_len ? off : v->h.body_len; /* damaged: the end */
}

void lx_doc_segment(const lx_docview *v, uint32_t i, lx_dseg *out) {
    memcpy(out, v->segs + (size_t)i * sizeof *out, sizeof *out);
    /* A damaged span is cut to the body. */
    if (out->off > v->h.body_len)
        out->off = v->h.body_len;
    if (out->len > v->h.body_len - out->off)
        out->len = v->h.body_len - out->off;
}

int lx_doc_spans_ok(const lx_docview *v) {
    for (uint32_t i = 0; i < v->h.nseg; i++) {
        lx_dseg g;
        memcpy(&g, v->segs + (size_t)i * sizeof g, sizeof g);
        if ((uint64_t)g.off + g.len > v->h.body_len)
            return 0;
    }
    for (uint32_t i = 0; i < v->h.ncp; i++) {
        uint32_t off;
        memcpy(&off, v->cps + (size_t)i * 4, 4);
        if (off > v->h.body_len)
            return 0;
    }
    return 1;
}

int lx_store_doc_by_id(MDB_txn *txn, lx_index *ix, const char *id, uint32_t *docid, lx_docview *v) {
    int rc = lx_store_docid(txn, ix, id, strlen(id), docid);
    return rc || !v ? rc : lx_store_doc(txn, ix, *docid, v);
}

static uint32_t group_off(const void *val, uint32_t i) {
    uint32_t o;
    memcpy(&o, (const uint8_t *)val + (size_t)i * 4, 4);
    return o;
}

int lx_doc_slot(const void *val, size_t len, uint32_t slot, const uint8_t **rec, size_t *rlen) {
    if (len < LX_DOC_GROUP_HDR || slot >= LX_DOC_GROUP)
        return LX_ECORRUPT;
    uint32_t a = group_off(val, slot), b = group_off(val, slot + 1);
    if (a < LX_DOC_GROUP_HDR || a > b || b > len)
        return LX_ECORRUPT;
    *rec = (const uint8_t *)val + a;
    *rlen = b - a;
    return a == b ? LX_ENOTFOUND : 0;
}

/* The group value holding docid, in place. */
static int group_get(MDB_txn *txn, lx_index *ix, uint32_t docid, MDB_val *v) {
    uint32_t g = docid >> LX_DOC_GROUP_SHIFT;
    MDB_val k = {sizeof g, &g};
    return lx_store_get(txn, ix->docs, &k, v);
}

int lx_store_doc_group(MDB_txn *txn, lx_index *ix, uint32_t docid, MDB_val *group) {
    int rc = group_get(txn, ix, docid, group);
    if (rc == MDB_NOTFOUND)
        return LX_ENOTFOUND;
    return rc ? lx_store_fail(NULL, rc, "docs") : 0;
}

int lx_store_doc(MDB_txn *txn, lx_index *ix, uint32_t docid, lx_docview *v) {
    MDB_val d;
    int rc = lx_store_doc_group(txn, ix, docid, &d);
    const uint8_t *rec;
    size_t len;
    if (!rc)
        rc = lx_doc_slot(d.mv_data, d.mv_size, docid % LX_DOC_GROUP, &rec, &len);
    return rc ? rc : lx_doc_view(rec, len, v);
}

int lx_store_doclist(const MDB_val *v, uint32_t limit) {
    const uint8_t *p = v->mv_data;
    size_t n = v->mv_size / 4;
    if (v->mv_size % 4)
        return LX_ECORRUPT;
    if (!n)
        return 0;
    /* Ascending and the last below limit: all below.  No branch per doc
     * (tag boosts run this on every query that names a tag). */
    uint32_t prev, d;
    unsigned bad = 0;
    memcpy(&prev, p, 4);
    for (size_t i = 1; i < n; i++) {
        memcpy(&d, p + i * 4, 4);
        bad |= d <= prev;
        prev = d;
    }
    return bad || prev >= limit ? LX_ECORRUPT : 0;
}

int lx_store_docid(MDB_txn *txn, lx_index *ix, const char *id, size_t len, uint32_t *docid) {
    if (len == 0 || len > LX_MAX_ID_BYTES)
        return LX_ENOTFOUND;
    MDB_val k = {len, (void *)id}, v;
    int rc = lx_store_get(txn, ix->ids, &k, &v);
    if (rc == MDB_NOTFOUND)
        return LX_ENOTFOUND;
    if (rc)
        return lx_store_fail(NULL, rc, "ids");
    if (v.mv_size != 4)
        return LX_EFORMAT;
    memcpy(docid, v.mv_data, 4);
    return 0;
}

/* ---- accessors of the writer and of related lectures ---------------------- */

int lx_store_list_put(MDB_txn *txn, lx_index *ix, const char *term, size_t len, const lx_buf *post,
                      const lx_buf *pos, unsigned flags, lx_error *err) {
    MDB_val k = {len, (void *)term}, v1 = {post->n, post->p}, v2 = {pos->n, pos->p};
    int rc = mdb_put(txn, ix->post, &k, &v1, flags);
    if (!rc)
        rc = mdb_put(txn, ix->pos, &k, &v2, flags);
    return rc ? lx_store_fail(err, rc, "writing a posting list") : 0;
}

int lx_store_list_del(MDB_txn *txn, lx_index *ix, const char *term, size_t len, lx_error *err) {
    MDB_val k = {len, (void *)term};
    int rc = mdb_del(txn, ix->post, &k, NULL);
    if (!rc)
        rc = mdb_del(txn, ix->pos, &k, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(err, rc, "deleting a posting list");
    return 0;
}

/* term, NUL, lang: a key of "words" or "lpost", in key; its length (0:
 * longer than cap). */
static size_t lang_key(char *key, size_t cap, const char *term, size_t len, const char *lang) {
    size_t ll = strnlen(lang, 8); /* a language code */
    if (len + 1 + ll > cap)
        return 0;
    memcpy(key, term, len);
    key[len] = 0;
    memcpy(key + len + 1, lang, ll);
    return len + 1 + ll;
}

int lx_store_lpost_put(MDB_txn *txn, lx_index *ix, const char *term, size_t len, const char *lang,
                       const void *val, size_t n, lx_error *err) {
    char key[LX_LANG_KEY];
    MDB_val k = {lang_key(key, sizeof key, term, len, lang), key}, v = {n, (void *)val};
    if (!k.mv_size)
        return 0; /* a term too long for a key has none: its list is walked */
    int rc = mdb_put(txn, ix->lpost, &k, &v, 0);
    return rc ? lx_store_fail(err, rc, "writing a list per language") : 0;
}

int lx_store_lpost_del(MDB_txn *txn, lx_index *ix, const char *term, size_t len, lx_error *err) {
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, ix->lpost, &cur);
    if (rc)
        return lx_store_fail(err, rc, "deleting the lists per language");
    char key[LX_LANG_KEY];
    MDB_val k = {lang_key(key, sizeof key, term, len, ""), key}, v;
    if (k.mv_size)
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    else
        rc = MDB_NOTFOUND;
    /* The keys of term are those that start with it and its NUL. */
    while (!rc && k.mv_size > len && !memcmp(k.mv_data, term, len) &&
           ((const char *)k.mv_data)[len] == 0) {
        if ((rc = mdb_cursor_del(cur, 0)))
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
        if (rc == MDB_NOTFOUND || rc == EINVAL)
            break;
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND && rc != EINVAL)
        return lx_store_fail(err, rc, "deleting the lists per language");
    return 0;
}

int lx_store_list_count(MDB_txn *txn, lx_index *ix, size_t *n, lx_error *err) {
    MDB_stat ms;
    int rc = mdb_stat(txn, ix->post, &ms);
    *n = rc ? 0 : ms.ms_entries;
    return rc ? lx_store_fail(err, rc, "reading the posting lists") : 0;
}

int lx_store_docids_put(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t len,
                        const uint32_t *docs, uint32_t n, lx_error *err) {
    MDB_val k = {len, (void *)key}, v = {(size_t)n * 4, (void *)docs};
    int rc = n ? mdb_put(txn, dbi, &k, &v, 0) : mdb_del(txn, dbi, &k, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(err, rc, "writing a docid list");
    return 0;
}

int lx_store_langs_each(MDB_txn *txn, lx_index *ix, lx_store_lang_fn fn, void *ctx, lx_error *err) {
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, ix->langs, &c);
    if (rc)
        return lx_store_fail(err, rc, "langs");
    MDB_val k, v;
    int g, stop = 0;
    for (g = lx_store_cursor_get(c, &k, &v, MDB_FIRST); g == 0 && !stop;
         g = lx_store_cursor_get(c, &k, &v, MDB_NEXT))
        stop = fn(ctx, k.mv_data, k.mv_size, v.mv_data, (uint32_t)(v.mv_size / 4));
    mdb_cursor_close(c);
    if (stop)
        return stop;
    if (g != MDB_NOTFOUND)
        return lx_store_fail(err, g, "langs");
    return 0;
}

int lx_store_tagstem_put(MDB_txn *txn, lx_index *ix, const char *key, size_t klen, const char *tag,
                         size_t taglen, lx_error *err) {
    MDB_val k = {klen, (void *)key}, v = {taglen, (void *)tag};
    int rc = mdb_put(txn, ix->tagstem, &k, &v, MDB_NODUPDATA);
    if (rc && rc != MDB_KEYEXIST)
        return lx_store_fail(err, rc, "tagstem");
    return 0;
}

int lx_store_tagstem_drop(MDB_txn *txn, lx_index *ix, const char *tag, size_t len, lx_error *err) {
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, ix->tagstem, &c);
    if (rc)
        return lx_store_fail(err, rc, "tagstem");
    MDB_val k, v;
    for (rc = lx_store_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = lx_store_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (v.mv_size == len && memcmp(v.mv_data, tag, len) == 0) {
            if ((rc = mdb_cursor_del(c, 0)))
                break;
        }
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(err, rc, "tagstem");
    return 0;
}

int lx_store_word_put(MDB_txn *txn, lx_index *ix, const char *tok, size_t len, const char *lang,
                      const char *term, size_t tlen, lx_error *err) {
    char key[LX_LANG_KEY];
    MDB_val k = {lang_key(key, sizeof key, tok, len, lang), key}, v = {tlen, (void *)term};
    if (!ix->words || !k.mv_size)
        return 0;
    int rc = mdb_put(txn, ix->words, &k, &v, MDB_NOOVERWRITE);
    if (rc && rc != MDB_KEYEXIST)
        return lx_store_fail(err, rc, "words");
    return 0;
}

int lx_store_doc_unstage(MDB_txn *txn, lx_index *ix, lx_docstage *st, lx_error *err) {
    if (!st->open)
        return 0;
    st->open = 0;
    MDB_val k = {sizeof st->group, &st->group}, v = {st->val.n, st->val.p};
    int rc = mdb_put(txn, ix->docs, &k, &v, st->existed ? 0 : MDB_APPEND);
    return rc ? lx_store_fail(err, rc, "storing lectures") : 0;
}

/* Opens st on group g: its value when stored, else no lecture. */
static int stage_open(MDB_txn *txn, lx_index *ix, lx_docstage *st, uint32_t g, lx_error *err) {
    MDB_val v;
    int rc = group_get(txn, ix, g << LX_DOC_GROUP_SHIFT, &v);
    if (rc && rc != MDB_NOTFOUND)
        return lx_store_fail(err, rc, "docs");
    st->val.n = 0;
    if (rc == 0) {
        const uint8_t *rec;
        size_t n;
        if (lx_doc_slot(v.mv_data, v.mv_size, LX_DOC_GROUP - 1, &rec, &n) == LX_ECORRUPT ||
            group_off(v.mv_data, LX_DOC_GROUP) != v.mv_size)
            return lx_fail(err, LX_ECORRUPT, NULL, -1, "docs group %u: damaged value", g);
        if (lx_buf_append(&st->val, v.mv_data, v.mv_size))
            return LX_ENOMEM;
    } else {
        if (lx_buf_reserve(&st->val, LX_DOC_GROUP_HDR))
            return LX_ENOMEM;
        for (uint32_t i = 0; i <= LX_DOC_GROUP; i++) {
            uint32_t o = LX_DOC_GROUP_HDR;
            memcpy(st->val.p + (size_t)i * 4, &o, 4);
        }
        st->val.n = LX_DOC_GROUP_HDR;
    }
    st->group = g;
    st->existed = rc == 0;
    st->open = 1;
    return 0;
}

int lx_store_doc_stage(MDB_txn *txn, lx_index *ix, lx_docstage *st, uint32_t docid, const void *val,
                       size_t len, lx_error *err) {
    uint32_t g = docid >> LX_DOC_GROUP_SHIFT, slot = docid % LX_DOC_GROUP;
    int rc = 0;
    if (st->open && st->group != g)
        rc = lx_store_doc_unstage(txn, ix, st, err);
    if (!rc && !st->open)
        rc = stage_open(txn, ix, st, g, err);
    if (rc)
        return rc;
    /* Docids ascend: this slot and every one after it are empty. */
    if (group_off(st->val.p, slot) != st->val.n || st->val.n + len > UINT32_MAX)
        return lx_fail(err, LX_ECORRUPT, NULL, -1, "docs group %u: docid %u is taken", g, docid);
    if (lx_buf_append(&st->val, val, len))
        return LX_ENOMEM;
    uint32_t end = (uint32_t)st->val.n;
    for (uint32_t i = slot + 1; i <= LX_DOC_GROUP; i++)
        memcpy(st->val.p + (size_t)i * 4, &end, 4);
    return 0;
}

void lx_docstage_free(lx_docstage *st) {
    lx_buf_free(&st->val);
    memset(st, 0, sizeof *st);
}

int lx_store_relvec_put(MDB_txn *txn, lx_index *ix, uint32_t docid, const void *val, size_t len,
                        unsigned flags, lx_error *err) {
    if (!ix->relvec)
        return 0;
    MDB_val k = {sizeof docid, &docid}, v = {len, (void *)val};
    int rc = mdb_put(txn, ix->relvec, &k, &v, flags);
    return rc ? lx_store_fail(err, rc, "storing a related-term vector") : 0;
}

int lx_store_relvec_del(MDB_txn *txn, lx_index *ix, uint32_t docid, lx_error *err) {
    if (!ix->relvec)
        return 0;
    MDB_val k = {sizeof docid, &docid};
    int rc = mdb_del(txn, ix->relvec, &k, NULL);
    return rc && rc != MDB_NOTFOUND ? lx_store_fail(err, rc, "deleting a related-term vector") : 0;
}

int lx_store_relvec(MDB_txn *txn, lx_index *ix, uint32_t docid, MDB_val *v) {
    if (!ix->relvec)
        return LX_ENOTFOUND;
    MDB_val k = {sizeof docid, &docid};
    int rc = lx_store_get(txn, ix->relvec, &k, v);
    return rc ? lx_store_code(rc) : 0;
}

int lx_store_id_put(MDB_txn *txn, lx_index *ix, const char *id, size_t len, uint32_t docid,
                    unsigned flags, lx_error *err) {
    MDB_val k = {len, (void *)id}, v = {sizeof docid, &docid};
    int rc = mdb_put(txn, ix->ids, &k, &v, flags);
    return rc ? lx_store_fail(err, rc, "storing an id") : 0;
}

/* Removes lecture `slot` from its group's value v: the group without it
 * rewritten, or deleted when it was the last. */
static int group_drop(MDB_txn *txn, lx_index *ix, uint32_t g, const MDB_val *v, uint32_t slot) {
    const uint8_t *rec;
    size_t n;
    int rc = lx_doc_slot(v->mv_data, v->mv_size, slot, &rec, &n);
    if (rc)
        return rc == LX_ENOTFOUND ? MDB_NOTFOUND : MDB_CORRUPTED;
    MDB_val k = {sizeof g, &g};
    if (n + LX_DOC_GROUP_HDR == v->mv_size)
        return mdb_del(txn, ix->docs, &k, NULL);
    size_t a = (size_t)(rec - (const uint8_t *)v->mv_data), len = v->mv_size - n;
    uint8_t *p = malloc(len);
    if (!p)
        return ENOMEM;
    memcpy(p, v->mv_data, a);
    memcpy(p + a, rec + n, v->mv_size - a - n);
    for (uint32_t i = slot + 1; i <= LX_DOC_GROUP; i++) {
        uint32_t o = group_off(p, i);
        o = o >= a + n ? o - (uint32_t)n : (uint32_t)a; /* damaged: past the lecture */
        memcpy(p + (size_t)i * 4, &o, 4);
    }
    MDB_val nv = {len, p};
    rc = mdb_put(txn, ix->docs, &k, &nv, 0);
    free(p);
    return rc;
}

int lx_store_doc_del(MDB_txn *txn, lx_index *ix, uint32_t docid, const char *id, size_t len,
                     lx_error *err) {
    MDB_val gv, ik = {len, (void *)id};
    int rc = group_get(txn, ix, docid, &gv);
    if (!rc)
        rc = group_drop(txn, ix, docid >> LX_DOC_GROUP_SHIFT, &gv, docid % LX_DOC_GROUP);
    if (!rc)
        rc = mdb_del(txn, ix->ids, &ik, NULL);
    return rc ? lx_store_fail(err, rc, "deleting a lecture") : 0;
}

int lx_store_stats_put(MDB_txn *txn, lx_index *ix, const lx_collstats *st, const uint32_t *norms,
                       uint32_t ndocs, lx_error *err) {
    MDB_val k = {5, "norms"}, v = {(size_t)ndocs * LX_NFIELDS * 4, (void *)norms};
    MDB_val sk = {5, "stats"}, sv = {sizeof *st, (void *)st};
    int rc = mdb_put(txn, ix->meta, &k, &v, 0);
    if (!rc)
        rc = mdb_put(txn, ix->meta, &sk, &sv, 0);
    return rc ? lx_store_fail(err, rc, "writing statistics") : 0;
}

/* ---- the query side's reads ------------------------------------------------ */

int lx_store_term(MDB_txn *txn, lx_index *ix, const char *t, size_t n, MDB_val *post,
                  MDB_val *pos) {
    MDB_val k = {n, (void *)t};
    int rc = lx_store_get(txn, ix->post, &k, post);
    if (rc)
        return lx_store_code(rc);
    return pos ? lx_store_pos(txn, ix, t, n, pos) : 0;
}

int lx_store_lpost(MDB_txn *txn, lx_index *ix, const char *t, size_t n, const char *lang,
                   MDB_val *v) {
    char key[LX_LANG_KEY];
    MDB_val k = {lang_key(key, sizeof key, t, n, lang), key};
    if (!k.mv_size || !ix->lpost)
        return LX_ENOTFOUND;
    return lx_store_code(lx_store_get(txn, ix->lpost, &k, v));
}

int lx_store_pos(MDB_txn *txn, lx_index *ix, const char *t, size_t n, MDB_val *pos) {
    MDB_val k = {n, (void *)t};
    int rc = lx_store_get(txn, ix->pos, &k, pos);
    if (rc) {
        pos->mv_size = 0;
        pos->mv_data = NULL;
        if (rc != MDB_NOTFOUND)
            return lx_store_code(rc);
    }
    return 0;
}

int lx_store_docids(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n, MDB_val *docs) {
    MDB_val k = {n, (void *)key};
    int rc = lx_store_get(txn, dbi, &k, docs);
    if (rc) {
        docs->mv_size = 0;
        docs->mv_data = NULL;
        return lx_store_code(rc);
    }
    return 0;
}

int lx_store_tag(MDB_txn *txn, lx_index *ix, const char *tag, size_t n, MDB_val *docs) {
    return lx_store_docids(txn, ix->tags, tag, n, docs);
}

int lx_store_lang(MDB_txn *txn, lx_index *ix, const char *code, size_t n, MDB_val *docs) {
    return lx_store_docids(txn, ix->langs, code, n, docs);
}

int lx_store_iter_open(MDB_txn *txn, lx_index *ix, lx_dbname db, lx_store_iter *it) {
    MDB_dbi dbi = db == LX_DB_TAGS      ? ix->tags
                  : db == LX_DB_TAGSTEM ? ix->tagstem
                  : db == LX_DB_WORDS   ? ix->words
                  : db == LX_DB_POST    ? ix->post
                                        : ix->langs;
    it->op = MDB_FIRST;
    it->c = NULL;
    if (db == LX_DB_WORDS && !dbi)
        return LX_ENOTFOUND;
    it->skip_sug = db == LX_DB_TAGS;
    int rc = mdb_cursor_open(txn, dbi, &it->c);
    if (rc) {
        it->c = NULL;
        return lx_store_code(rc);
    }
    return 0;
}

int lx_store_iter_next(lx_store_iter *it, MDB_val *k, MDB_val *v) {
    int rc = lx_store_cursor_get(it->c, k, v, (MDB_cursor_op)it->op);
    it->op = MDB_NEXT;
    while (!rc && it->skip_sug && k->mv_size && *(const char *)k->mv_data == LX_SUGGEST_PREFIX)
        rc = lx_store_cursor_get(it->c, k, v, MDB_NEXT);
    if (rc == MDB_NOTFOUND)
        return 0;
    return rc ? lx_store_code(rc) : 1;
}

int lx_store_iter_seek(lx_store_iter *it, const void *key, size_t len, MDB_val *k, MDB_val *v) {
    k->mv_size = len;
    k->mv_data = (void *)key;
    int rc = lx_store_cursor_get(it->c, k, v, MDB_SET_RANGE);
    it->op = MDB_NEXT;
    if (rc == MDB_NOTFOUND)
        return 0;
    return rc ? lx_store_code(rc) : 1;
}

void lx_store_iter_close(lx_store_iter *it) {
    if (it->c)
        mdb_cursor_close(it->c);
    it->c = NULL;
}

int lx_store_list_has(const void *p, size_t n, uint32_t d) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t x;
        memcpy(&x, (const uint8_t *)p + mid * 4, 4);
        if (x == d)
            return 1;
        if (x < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int lx_store_suggested_of(MDB_txn *txn, lx_index *ix, uint32_t docid, char *buf, size_t cap,
                          unsigned *n) {
    *n = 0;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, ix->tags, &c);
    if (rc)
        return lx_store_code(rc);
    char first = LX_SUGGEST_PREFIX;
    MDB_val k = {1, &first}, v;
    size_t used = 0;
    for (rc = lx_store_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc;
         rc = lx_store_cursor_get(c, &k, &v, MDB_NEXT)) {
        const char *key = k.mv_data;
        if (!k.mv_size || key[0] != LX_SUGGEST_PREFIX)
            break;
        if (!lx_store_list_has(v.mv_data, v.mv_size / 4, docid) || used + k.mv_size > cap)
            continue;
        memcpy(buf + used, key + 1, k.mv_size - 1);
        used += k.mv_size - 1;
        buf[used++] = 0;
        (*n)++;
    }
    mdb_cursor_close(c);
    return rc && rc != MDB_NOTFOUND ? lx_store_code(rc) : 0;
}
