/* store.h -- the LMDB environment and the layout of every database in it
 * (internal).  The byte layouts are described at the top of store.c. */
#ifndef LX_STORE_H
#define LX_STORE_H
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "lectern.h"
#include "postings.h"

#define LX_FORMAT_VERSION 7u

/* The named databases in their fixed handle order (store_env.c); "words"
 * is last and optional when reading (an older index lacks it). */
#define LX_NDBI 11
#define LX_DBI_WORDS 8
#define LX_DBI_RELVEC 9 /* optional too: an index without it re-tokenises */
#define LX_DBI_LPOST 10

/* A build gives a term of at least this many lectures its lists per
 * language ("lpost", store.c): a shorter list is walked against a
 * language's lectures at about its own length. */
#define LX_LPOST_MIN 1024
/* The lpost value of a language that holds more than half of the term's
 * lectures: its lectures are the term's list itself, nearly. */
#define LX_LPOST_MOST 0x00
/* What a build stores for a term of df lectures, n of them in a language:
 * no value's worth (an empty one), LX_LPOST_MOST, or the list.  lectern
 * check holds a value to the same rule. */
enum { LX_LPOST_IS_NONE, LX_LPOST_IS_MOST, LX_LPOST_IS_LIST };
static inline int lx_lpost_kind(uint32_t n, uint32_t df) {
    return !n ? LX_LPOST_IS_NONE : (uint64_t)n * 2 > df ? LX_LPOST_IS_MOST : LX_LPOST_IS_LIST;
}
/* LMDB's longest key: a "words" or "lpost" key (a term, NUL, a language
 * code) longer than it is not stored. */
#define LX_LANG_KEY 511

/* Collection statistics, the value of meta "stats". */
typedef struct lx_collstats {
    uint32_t version;          /* LX_FORMAT_VERSION */
    uint32_t next_doc;         /* next internal docid to hand out */
    uint32_t ndocs;            /* live lectures */
    uint32_t nterms;           /* distinct terms with a posting list */
    uint64_t ntokens;          /* tokens over live lectures */
    uint64_t flen[LX_NFIELDS]; /* sum of field lengths over live lectures */
} lx_collstats;

/* Header of a stored lecture (one of a "docs" group); see store.c. */
typedef struct lx_dochdr {
    uint32_t id_len, title_len, meta_len, body_len, nseg;
    uint32_t zlen;  /* stored body bytes when LZ4-compressed (block table
                       and blocks), else 0 */
    uint32_t ncp;   /* transcript checkpoints that follow the segments */
    uint8_t flags;  /* LX_DOC_* */
    uint8_t zshift; /* when zlen: log2 of the text bytes per block */
    uint8_t zdict;  /* when zlen: the LZ4 dictionary of its blocks (zdict.h) */
    uint8_t pad;
    char lang[8]; /* NUL-terminated language code */
    /* where the meta's members answers show are (LX_MEMBER_*; format 6):
     * checked to lie inside the meta by lx_doc_view */
    lx_member member[LX_NMEMBERS];
} lx_dochdr;

#define LX_DOC_BODY_TRANSCRIPT 0x1u /* body came from "transcript" */
#define LX_DOC_BODY_SEGMENTS 0x2u   /* body is the segments' text joined */

/* A checkpoint (the token's byte offset in the body) every this many
 * transcript tokens: a snippet decompresses and scans from the one before
 * its window.  32 (64 in format 4): 1.6% fewer instructions a search for
 * 0.8% more index on TED (tests/bench/README.md, round six; 16 in round
 * ten: 1.0% fewer again for 1.5% more index, and no fewer cycles seen). */
#define LX_CP_EVERY 32

/* Bodies at least this long are stored LZ4-compressed. */
#define LX_DOC_COMPRESS_MIN 256

/* A compressed body is cut into blocks of 1 << LX_BODY_BLOCK_SHIFT bytes
 * of text, each compressed on its own with the built-in LZ4 dictionary
 * (zdict.h), so that a snippet decompresses only the block(s) around its
 * window.  512 bytes with the dictionary (format 6; 2 KiB without one in
 * format 5): a snippet decompresses a quarter of a KiB before its window
 * on average instead of a KiB, and the index is 5.7% smaller on TED
 * (tests/bench/README.md, "Uncached search cost", round ten).  The shift
 * is stored in each lecture's header (zshift): any of LX_BODY_SHIFT_MIN..
 * MAX reads (a dictionary's blocks up to LX_ZDICT_BLOCK_MAX). */
#define LX_BODY_BLOCK_SHIFT 9
#define LX_BODY_SHIFT_MIN 8
#define LX_BODY_SHIFT_MAX 24

/* The "docs" database holds the lectures of LX_DOC_GROUP consecutive
 * docids in one value (store.c): LMDB stores a value past half a page on
 * whole overflow pages, so one lecture a value left about half a page
 * unused per lecture; a group leaves it once per 16 lectures (TED's index
 * 95.8 -> 85.4 MB, tests/bench/README.md "Lectures in groups"). */
#define LX_DOC_GROUP_SHIFT 4
#define LX_DOC_GROUP (1u << LX_DOC_GROUP_SHIFT)
#define LX_DOC_GROUP_HDR ((LX_DOC_GROUP + 1) * 4) /* u32 off[LX_DOC_GROUP + 1] */

/* The writer's group being filled: lectures put into it wait here and
 * are written as one value when the next group starts, before a delete
 * reads the database, and before a commit (lx_store_doc_unstage). */
typedef struct lx_docstage {
    uint32_t group;
    int open;    /* val holds group's value */
    int existed; /* the group was in the database when opened */
    lx_buf val;
} lx_docstage;

/* A timed segment as stored: 24 bytes. */
typedef struct lx_dseg {
    double start, end;
    uint32_t off, len; /* byte span in the body */
} lx_dseg;

/* A stored lecture, decoded in place (pointers into the map). */
typedef struct lx_docview {
    lx_dochdr h;
    const char *id, *title, *meta;
    const char *body;    /* the stored body: block table and LZ4 blocks
                            when h.zlen (use lx_doc_body), else the text,
                            NUL-terminated */
    const uint8_t *segs; /* nseg * sizeof(lx_dseg), unaligned */
    const uint8_t *cps;  /* ncp u32 byte offsets, unaligned */
} lx_docview;

/* One open LMDB environment of an index and the data file it maps.  When
 * a rebuild installs a new data.mdb (lx_store_install), the index opens
 * it as a new lx_env; the old one stays open until the last transaction
 * in it has ended (refs), so readers never lose their snapshot. */
typedef struct lx_env {
    MDB_env *env;
    dev_t dev; /* of the data.mdb it maps, to notice a replacement */
    ino_t ino;
    dev_t lock_dev; /* of its lock.mdb: a new one means a new pairing */
    ino_t lock_ino;
    uint64_t gen;  /* unique in the process and growing: see lx_store_snapshot */
    unsigned refs; /* the index while it is current, plus each holder */
    /* Where LMDB maps the file, to bound the values it returns (see
     * lx_store_get); map NULL when it could not be located. */
    const uint8_t *map;
    size_t map_size, psize;
    size_t map_used; /* bytes of the file in use when last looked (atomic) */
} lx_env;

struct lx_index {
    MDB_env *env;         /* cur->env; only for an index that is never replaced
                             (a build's own), everyone else goes through cur */
    lx_env *cur;          /* where new transactions begin */
    pthread_mutex_t lock; /* guards cur (stored atomically too: lx_store_read_idle
                             reads it without the lock) and every lx_env's refs */
    char *data_path;      /* dir/data.mdb */
    char *lock_path;      /* dir/lock.mdb */
    int watch;            /* inotify on the folder (non-blocking): no event, no
                             stats; -1: stat the paths at every acquire */
    dev_t bad_dev;        /* a replacement that failed to open: not retried */
    ino_t bad_ino;
    MDB_dbi meta, ids, docs, post, pos, tags, tagstem, langs;
    MDB_dbi words;  /* 0 when the index predates the vocabulary */
    MDB_dbi relvec; /* 0 when the index predates the related-term vectors */
    MDB_dbi lpost;
    unsigned flags;
    lx_rank_params params;
};

/* A writer's hold on the index file: its environment, and a shared flock
 * on its data.mdb that keeps an install from replacing the file until the
 * write has committed (so no write is acknowledged into a dead file). */
typedef struct lx_wlock {
    lx_env *env;
    int fd; /* -1 when not held */
} lx_wlock;

/* Opens the named databases (creating them in a write txn). */
int lx_store_open(lx_index *ix, const char *dir, unsigned flags, lx_error *err);
void lx_store_close(lx_index *ix);

/* mdb_get and mdb_cursor_get, and then a check that what they return lies
 * inside the pages of the file in use: LMDB trusts the sizes in its
 * pages, so one damaged byte there gives a value that runs past the end
 * of the file (SIGBUS on reading it).  MDB_CORRUPTED when it does.  Values
 * outside the map (a write transaction's own pages) are not checked. */
int lx_store_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *val);
/* Finds where e's file is mapped (e->map, NULL when it cannot tell), for
 * the bounds lx_store_get checks; called once an environment is open. */
void lx_store_map_locate(lx_env *e, MDB_dbi meta);
int lx_store_cursor_get(MDB_cursor *c, MDB_val *key, MDB_val *val, MDB_cursor_op op);

/* The current environment, with a reference for the caller: first, when
 * dir/data.mdb is no longer the file it maps (one stat), the new file is
 * opened and becomes current.  Release with lx_store_release. */
lx_env *lx_store_acquire(lx_index *ix);
void lx_store_release(lx_index *ix, lx_env *e);

/* A reader's transaction: *held is the environment the reader holds (NULL
 * at first) and *txn its reusable read transaction in it.  read_begin
 * moves both to the current environment when it changed, then begins or
 * renews *txn.  read_idle, after the caller reset *txn, lets go of a
 * replaced environment at once; read_close ends both. */
int lx_store_read_begin(lx_index *ix, lx_env **held, MDB_txn **txn, lx_error *err);
void lx_store_read_idle(lx_index *ix, lx_env **held, MDB_txn **txn);
void lx_store_read_close(lx_index *ix, lx_env **held, MDB_txn **txn);

/* A snapshot id that never repeats across environments: caches keyed on
 * it cannot outlive a replaced index. */
uint64_t lx_store_snapshot(const lx_env *e, uint64_t txnid);

/* Begins a write transaction in the current file and holds it (lx_wlock)
 * until lx_store_write_end, which the caller calls after its commit or
 * abort.  LX_EIO when the file keeps being replaced. */
int lx_store_write_begin(lx_index *ix, lx_wlock *wl, MDB_txn **txn, lx_error *err);
void lx_store_write_end(lx_index *ix, lx_wlock *wl);

/* Makes the complete index file `built` the data.mdb of dir: waits for
 * the writes in progress on the old file (their flocks), removes the old
 * lock.mdb and renames `built` over data.mdb, then syncs dir. */
int lx_store_install(const char *dir, const char *built, lx_error *err);

/* Maps an LMDB return code to an LX_E* code, filling err. */
int lx_store_fail(lx_error *err, int mdb_rc, const char *what);

/* As lx_store_fail, for a write in env: disk full (ENOSPC, EFBIG, EDQUOT,
 * or an EIO, which LMDB returns for a short write, while the file system
 * has no room or the file is at the process's size limit) is LX_ENOSPC. */
int lx_store_write_fail(MDB_env *env, lx_error *err, int mdb_rc, const char *what);

/* Reads meta "stats" (zeros when absent).  LX_EFORMAT for another
 * version, LX_ECORRUPT when next_doc disagrees with ndocs or with the
 * length of meta "norms". */
int lx_store_stats(MDB_txn *txn, lx_index *ix, lx_collstats *st);

/* Reads meta "norms": a pointer into the map of next_doc * LX_NFIELDS u32
 * (NULL and 0 when absent). */
int lx_store_norms(MDB_txn *txn, lx_index *ix, const uint32_t **norms, uint32_t *ndocs);

/* Decodes a stored lecture in place, checking its lengths against the value
 * and its strings' ends.  Returns 0 or LX_ECORRUPT. */
int lx_doc_view(const void *val, size_t len, lx_docview *v);

/* The plain body of a view: in place when stored plain, else decompressed
 * into scratch (valid until scratch changes); body_len bytes with no NUL
 * before the final one.  NULL on corruption or out of memory. */
const char *lx_doc_body(const lx_docview *v, lx_buf *scratch);

/* As lx_doc_body, but only the text bytes [*lo, *hi) of the returned
 * pointer are there, *lo <= from and *hi >= to (cut to body_len): the
 * offsets stay the body's, the blocks outside are not decompressed (their
 * bytes are not to be read).  text[*hi] is a NUL.  NULL on corruption or
 * out of memory. */
const char *lx_doc_body_range(const lx_docview *v, lx_buf *scratch, size_t from, size_t to,
                              size_t *lo, size_t *hi);

/* The stored form of a body of len bytes (len >= LX_DOC_COMPRESS_MIN):
 * appended to out, *zlen its size; *zlen 0 (nothing appended) when it
 * would not be smaller than the text, which is then stored plain.  0 or
 * LX_ENOMEM. */
int lx_body_compress(const char *body, size_t len, lx_buf *out, size_t *zlen);

/* Checkpoint i of a view (byte offset of token i * LX_CP_EVERY); a
 * damaged one past the body reads as the body's end. */
uint32_t lx_doc_checkpoint(const lx_docview *v, uint32_t i);

/* Reads segment i of a view; a damaged span is cut to the body. */
void lx_doc_segment(const lx_docview *v, uint32_t i, lx_dseg *out);

/* Whether every segment span and checkpoint lies in the body (what the
 * two readers above would cut); for the integrity check. */
int lx_doc_spans_ok(const lx_docview *v);

/* Lecture `slot` of a "docs" group value: *rec, *rlen its bytes in place.
 * 0, LX_ENOTFOUND (an empty slot) or LX_ECORRUPT (offsets out of order
 * or past the value). */
int lx_doc_slot(const void *val, size_t len, uint32_t slot, const uint8_t **rec, size_t *rlen);

/* Looks a lecture up by docid (in place).  LX_ENOTFOUND when absent. */
int lx_store_doc(MDB_txn *txn, lx_index *ix, uint32_t docid, lx_docview *v);
/* The "docs" group value holding docid, in place (its record: lx_doc_slot
 * with slot docid % LX_DOC_GROUP): a caller with several lectures to read
 * finds every group, then every record, then decodes them, so that the
 * cache misses of each step overlap.  LX_ENOTFOUND when absent. */
int lx_store_doc_group(MDB_txn *txn, lx_index *ix, uint32_t docid, MDB_val *group);

/* Looks a lecture up by id: its docid into *docid and, when v is not
 * NULL, its view (in place).  LX_ENOTFOUND when absent. */
int lx_store_doc_by_id(MDB_txn *txn, lx_index *ix, const char *id, uint32_t *docid, lx_docview *v);

/* Whether the n unaligned u32 docids at p (ascending) hold d. */
int lx_store_list_has(const void *p, size_t n, uint32_t d);

/* Checks a "tags" or "langs" value: u32 docids ascending, each below
 * limit (next_doc).  Returns 0 or LX_ECORRUPT. */
int lx_store_doclist(const MDB_val *v, uint32_t limit);

/* The docid of an external id.  LX_ENOTFOUND when absent. */
int lx_store_docid(MDB_txn *txn, lx_index *ix, const char *id, size_t len, uint32_t *docid);
/* ---- accessors of the writer and of related lectures ----------------------
 * Each returns 0, or a negative LX_E* code with err filled (the LMDB error
 * named).  Reads are the query side's, below. */

/* Writes a term's posting list and positions (flags: 0 or MDB_APPEND). */
int lx_store_list_put(MDB_txn *txn, lx_index *ix, const char *term, size_t len, const lx_buf *post,
                      const lx_buf *pos, unsigned flags, lx_error *err);
/* Deletes a term's posting list and positions (absent is fine). */
int lx_store_list_del(MDB_txn *txn, lx_index *ix, const char *term, size_t len, lx_error *err);
/* Writes the lpost value of (term, lang): val[0..n), n 0 for none. */
int lx_store_lpost_put(MDB_txn *txn, lx_index *ix, const char *term, size_t len, const char *lang,
                       const void *val, size_t n, lx_error *err);
/* Deletes every lpost value of term (none is fine): its list changed. */
int lx_store_lpost_del(MDB_txn *txn, lx_index *ix, const char *term, size_t len, lx_error *err);
/* How many terms have a posting list. */
int lx_store_list_count(MDB_txn *txn, lx_index *ix, size_t *n, lx_error *err);

/* Writes a docid list; n == 0 deletes it (absent is fine). */
int lx_store_docids_put(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t len,
                        const uint32_t *docs, uint32_t n, lx_error *err);
/* Calls fn for every language and its docid list, in key order, until fn
 * returns non-zero (which is returned). */
typedef int (*lx_store_lang_fn)(void *ctx, const char *lang, size_t len, const uint8_t *docs,
                                uint32_t n);
int lx_store_langs_each(MDB_txn *txn, lx_index *ix, lx_store_lang_fn fn, void *ctx, lx_error *err);

/* Adds the tagstem entry key -> tag (an existing one is fine). */
int lx_store_tagstem_put(MDB_txn *txn, lx_index *ix, const char *key, size_t klen, const char *tag,
                         size_t taglen, lx_error *err);
/* Removes every tagstem entry that names tag. */
int lx_store_tagstem_drop(MDB_txn *txn, lx_index *ix, const char *tag, size_t len, lx_error *err);

/* Adds the vocabulary entry of a token as written in language lang (an
 * existing one is fine): key token NUL lang, value the term it becomes. */
int lx_store_word_put(MDB_txn *txn, lx_index *ix, const char *tok, size_t len, const char *lang,
                      const char *term, size_t tlen, lx_error *err);

/* Stores a lecture's related-term vector (relvec.c) under docid (flags: 0
 * or MDB_APPEND); nothing when the index has no "relvec". */
int lx_store_relvec_put(MDB_txn *txn, lx_index *ix, uint32_t docid, const void *val, size_t len,
                        unsigned flags, lx_error *err);
/* Deletes a lecture's vector (absent is fine). */
int lx_store_relvec_del(MDB_txn *txn, lx_index *ix, uint32_t docid, lx_error *err);
/* A lecture's vector (in the map); LX_ENOTFOUND when absent (or the
 * index has none). */
int lx_store_relvec(MDB_txn *txn, lx_index *ix, uint32_t docid, MDB_val *v);

/* Puts a lecture's record under docid into st (docids ascending): the
 * group before it is written when docid starts another; a group already
 * in the database is read back first. */
int lx_store_doc_stage(MDB_txn *txn, lx_index *ix, lx_docstage *st, uint32_t docid, const void *val,
                       size_t len, lx_error *err);
/* Writes st's group, if any, and empties st. */
int lx_store_doc_unstage(MDB_txn *txn, lx_index *ix, lx_docstage *st, lx_error *err);
void lx_docstage_free(lx_docstage *st);
/* Maps an external id to docid (flags: 0 or MDB_APPEND for ids in key
 * order). */
int lx_store_id_put(MDB_txn *txn, lx_index *ix, const char *id, size_t len, uint32_t docid,
                    unsigned flags, lx_error *err);
/* Deletes a lecture's record and its id (nothing of it staged). */
int lx_store_doc_del(MDB_txn *txn, lx_index *ix, uint32_t docid, const char *id, size_t len,
                     lx_error *err);
/* Writes meta "norms" (ndocs * LX_NFIELDS u32) and "stats". */
int lx_store_stats_put(MDB_txn *txn, lx_index *ix, const lx_collstats *st, const uint32_t *norms,
                       uint32_t ndocs, lx_error *err);

/* ---- The query side's reads.  Each returns 0, LX_ENOTFOUND when the key
 * is absent, or LX_EIO / LX_ECORRUPT / LX_ENOMEM (lx_store_code) when
 * LMDB fails: absent and unreadable are never confused. */

/* The LX_E* code of an LMDB return code (MDB_NOTFOUND: LX_ENOTFOUND), the
 * one mapping (lx_store_fail names the LMDB error too). */
int lx_store_code(int mdb_rc);

/* A term's posting list (post) and, when pos is not NULL, its positions
 * ({0, NULL} when the term has none).  Values point into the map. */
int lx_store_term(MDB_txn *txn, lx_index *ix, const char *t, size_t n, MDB_val *post, MDB_val *pos);
/* The lpost value of (t, lang) (store.c): 0, or LX_ENOTFOUND when there
 * is none (not written: the list of every lecture is to be walked). */
int lx_store_lpost(MDB_txn *txn, lx_index *ix, const char *t, size_t n, const char *lang,
                   MDB_val *v);

/* A term's positions alone ({0, NULL} and 0 when it has none). */
int lx_store_pos(MDB_txn *txn, lx_index *ix, const char *t, size_t n, MDB_val *pos);

/* The u32 docids (ascending, unaligned) under key in the tags or langs
 * database dbi, or with a tag, or in a language ({0, NULL} when absent). */
int lx_store_docids(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t n, MDB_val *docs);
int lx_store_tag(MDB_txn *txn, lx_index *ix, const char *tag, size_t n, MDB_val *docs);
int lx_store_lang(MDB_txn *txn, lx_index *ix, const char *code, size_t n, MDB_val *docs);

/* Walks a database in key order (every duplicate of tagstem). */
typedef enum lx_dbname {
    LX_DB_TAGS,
    LX_DB_TAGSTEM,
    LX_DB_LANGS,
    LX_DB_WORDS,
    LX_DB_POST
} lx_dbname;
typedef struct lx_store_iter {
    MDB_cursor *c;
    int op;       /* MDB_FIRST, then MDB_NEXT */
    int skip_sug; /* tags: suggested-tag keys (LX_SUGGEST_PREFIX) skipped */
} lx_store_iter;
int lx_store_iter_open(MDB_txn *txn, lx_index *ix, lx_dbname db, lx_store_iter *it);
/* 1 with the next entry in k and v, 0 at the end, or a negative LX_E*. */
int lx_store_iter_next(lx_store_iter *it, MDB_val *k, MDB_val *v);
/* As lx_store_iter_next, from the first key >= key (then on in order). */
int lx_store_iter_seek(lx_store_iter *it, const void *key, size_t len, MDB_val *k, MDB_val *v);
void lx_store_iter_close(lx_store_iter *it);

/* Suggested tags (lectern-index --suggest-tags) live in the tags database
 * under keys LX_SUGGEST_PREFIX + normalised tag: never a curated tag's key
 * (normalised tags hold no control characters), skipped by the tags
 * iterator (listing, facets) and by the tagstem rebuild. */
#define LX_SUGGEST_PREFIX '\x01'

/* A topic label (lx_writer_topic_label: "tasa-arvo" for "equality") is a
 * tagstem entry whose value is LX_LABEL_PREFIX + normalised tag: the
 * tagstem rebuild of a tag that lost lectures (it drops the entries whose
 * value is the bare tag) keeps it, and the query side strips the prefix. */
#define LX_LABEL_PREFIX '\x02'

/* The suggested tags stored for docid, each without the prefix and
 * followed by a NUL, into buf (cap bytes; tags that do not fit are left
 * out); *n receives how many.  0 or an LX_E* code. */
int lx_store_suggested_of(MDB_txn *txn, lx_index *ix, uint32_t docid, char *buf, size_t cap,
                          unsigned *n);
#endif
