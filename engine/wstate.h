/* wstate.h -- the writer's state and its small shared helpers
 * (internal), the bottom layer of the writer's modules: accum.c (the
 * in-memory postings of a batch) and tagstem.c (the tag-stem keys) on it,
 * flush.c (merging a batch into the stored lists) on those, build.c (a
 * build: sorted runs and their merge) on flush.c, and writer.c (the
 * public calls: put, delete, commit, abort) on top.  How a batch and a
 * build work: the top of writer.c. */
#ifndef LX_WSTATE_H
#define LX_WSTATE_H
#include <stdio.h>

#include "lectern.h"
#include "postings.h"
#include "stem.h"
#include "store.h"
#include "strmap.h"

/* Accumulated postings past this are flushed: merged into LMDB mid-batch,
 * or written as a run by a build. */
#ifndef LX_FLUSH_BYTES
#define LX_FLUSH_BYTES ((size_t)192 << 20)
#endif

/* A build commits its transaction once it has written about this many
 * bytes of pages (LMDB keeps a transaction's dirty pages in the heap). */
#ifndef LX_TXN_BYTES
#define LX_TXN_BYTES ((size_t)64 << 20)
#endif

/* The merge drops the run file's pages from the process every this many
 * bytes of lists written (they are read once). */
#define LX_RUN_DROP_BYTES ((size_t)16 << 20)

#define LX_BUILD_SUBDIR ".building"

/* A term's postings gathered in the batch (filled by accum.c). */
typedef struct term_acc {
    const char *s;
    uint32_t len;
    uint32_t cur_doc; /* doc being analysed, LX_DOC_END when none */
    uint32_t tf[LX_NFIELDS];
    int lastfield;
    uint32_t lastpos;
    uint32_t prev_doc; /* last doc appended to docs */
    uint32_t ndocs;
    int del;          /* a deleted lecture had this term */
    const char *form; /* the first token of the batch that became it (in
                         the word cache), flen bytes: shown to people */
    uint32_t flen;
    lx_buf docs; /* per posting: vbyte gap, mask, vbyte tf per field */
    lx_buf pos;  /* positions as stored (postings.c) */
} term_acc;

typedef struct set_acc { /* a tag's or a language's docid list changes */
    const char *key;
    uint32_t len;
    int del;
    uint32_t *add;
    uint32_t n, cap;
} set_acc;

/* A token waiting in the writer's pipeline (accum.c): its word-cache key
 * (the stemmer's number, then the token), where it was, and the term it
 * was found to be. */
#define LX_PEND 16
typedef struct lx_pend {
    uint32_t hash, len, pos, idx; /* len: the token's; idx once looked up */
    int field, looked;
    const char *wkey;                       /* once looked up: the word cache's copy of key */
    uint8_t key[LX_MAX_TERM_BYTES * 4 + 9]; /* LX_TOKEN_BUF + 1 */
} lx_pend;

/* A term of a lecture of the batch, for its related-term vector
 * (relvec.c): the accumulator and the counts of the fields that select
 * terms (title, tags, description, transcript), saturating. */
typedef struct relv_ent {
    uint32_t idx;
    uint16_t tf[4];
} relv_ent;

typedef struct relv_doc {
    uint32_t doc;
    uint32_t n; /* its entries, after the previous doc's */
} relv_doc;

struct lx_writer {
    lx_index *ix;
    MDB_txn *txn;
    lx_wlock wl; /* the file txn writes to, held until the end (store.h) */
    lx_collstats st;
    uint32_t *norms;
    size_t norms_cap; /* in docs */
    lx_stemmers stem;
    int lang; /* stemmer of the lecture being analysed */
    lx_strmap terms, words;
    term_acc *acc;
    uint32_t nacc, capacc;
    lx_pend pend[LX_PEND]; /* tokens in flight: pend_out .. pend_in - 1 */
    uint32_t pend_in, pend_out;
    uint32_t *touched;
    uint32_t ntouched, captouched;
    uint32_t cur_doc;
    int deleting;  /* analysing a lecture being deleted */
    lx_strmap ids; /* ids put in this batch */
    uint32_t *deleted;
    uint32_t ndel, capdel;
    lx_strmap tagmap, langmap;
    set_acc *tags, *langs;
    uint32_t ntags, captags, nlangs, caplangs;
    uint32_t flush_from; /* first docid whose postings are not in LMDB */
    relv_ent *rv;        /* the batch's lectures' terms (relvec.c) */
    size_t nrv, caprv;
    relv_doc *rvd;
    uint32_t nrvd, caprvd;
    uint64_t tokens;
    size_t pending;
    int failed; /* sticky: the batch can only be aborted */
    int oom;
    size_t flush_bytes; /* the flush threshold */
    lx_buf val;
    lx_docstage docs; /* the group of lectures being filled */
    lx_plist pl;
    lx_buf post, posv;
    /* a build only (see the top of build.c) */
    int build;
    /* Writes the accumulators, sorted (order), as one run: build.c's,
     * set with build.  flush.c sits below build.c, so calls it through
     * this. */
    int (*write_run)(lx_writer *w, const uint32_t *order, lx_error *err);
    char *dir;         /* the index directory; dir/.building is the work */
    int dirfd;         /* open on dir, holding the build lock (flock) */
    int made_dir;      /* dir did not exist before the build */
    size_t txn_bytes;  /* values written in the current transaction */
    FILE *runf;        /* the runs, one after another (unlinked) */
    uint64_t *run_end; /* byte offset where run i ends */
    uint32_t nruns, capruns;
    const uint8_t *runmap; /* the run file mapped for the merge */
    size_t runmap_len;
};

/* A writer on ix, its transaction begun; w->build and its fields are left
 * for the caller.  On failure *out is NULL: nothing is left to free. */
int lx_writer_new(lx_index *ix, lx_writer **out, lx_error *err);

/* Empties a tag or language map. */
void lx_sets_reset(lx_strmap *m, set_acc *sets, uint32_t *n);

/* Frees w and what it holds in memory.  Its transaction and a build's
 * files are the caller's to end first (lx_writer_abort). */
void lx_writer_free(lx_writer *w);

/* Marks the batch failed (only abort is left) and maps an LMDB code to an
 * LX_E* code, filling err. */
int lx_writer_mdb_fail(lx_writer *w, lx_error *err, int rc, const char *what);

/* The stemmer entry of lang (see wstate.c). */
int lx_writer_lang(lx_writer *w, const char *lang);

/* Whether doc is deleted in this batch (w->deleted sorted); ctx is the
 * writer (a drop callback of lx_plist_decode). */
int lx_writer_deleted(void *ctx, uint32_t doc);

/* qsort/bsearch order of u32s. */
int lx_u32_cmp(const void *a, const void *b);

/* The dirty page bytes a value of n bytes costs a transaction, about: a
 * large one has overflow pages of its own. */
static inline size_t lx_dirty_bytes(size_t n) {
    const size_t page = 4096;
    return n < page / 2 ? n + 16 : (n + 16 + page - 1) / page * page;
}

/* Drops the pages of the index map (and the heap's free memory) from the
 * process. */
void lx_writer_release_map(lx_writer *w);
#endif
