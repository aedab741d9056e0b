/* accum.h -- a batch's postings in memory (internal): per term an
 * accumulator of its postings in a compact form (term_acc, wstate.h),
 * filled as lectures are analysed; per tag and language the docids added
 * and whether one was deleted (set_acc).  flush.c and build.c turn them
 * into stored lists. */
#ifndef LX_ACCUM_H
#define LX_ACCUM_H
#include <stdint.h>

#include "lectern.h"
#include "postings.h"
#include "strmap.h"
#include "wstate.h"

/* One term's postings in accumulator form: from an accumulator, or a
 * record of a run (build.c). */
typedef struct run_rec {
    const char *s;
    uint32_t len, ndocs;
    const uint8_t *docs, *pos;
    size_t docs_n, pos_n;
} run_rec;

/* The token callback of lx_analyze (ctx: the writer): adds the token's
 * position to its term's accumulator (or, deleting, marks the term), a few
 * tokens later (a pipeline that prefetches what the token will read):
 * call lx_accum_drain after the analysis, before anything reads the
 * accumulators or w->oom. */
void lx_accum_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos);
/* Adds the tokens still in the pipeline. */
void lx_accum_drain(lx_writer *w);

/* Adds the batch's words as written (the word cache: language + token ->
 * term) to the index's vocabulary (store.c, "words").  0 or an LX_E*
 * code, err filled. */
int lx_accum_put_words(lx_writer *w, lx_error *err);

/* Appends the postings of the lecture just analysed. */
void lx_accum_end_doc(lx_writer *w);

/* The accumulators' indices in term order (LMDB's key order); *out is
 * owned by the caller. */
int lx_accum_sorted(lx_writer *w, uint32_t **out);

/* The entry of key in a tag or language map, added when new; NULL when
 * out of memory. */
set_acc *lx_set_get(lx_strmap *m, set_acc **arr, uint32_t *n, uint32_t *cap, const char *key,
                    size_t len);
int lx_set_add(set_acc *s, uint32_t doc);

run_rec lx_run_rec_of_acc(const term_acc *t);
/* Appends a term's postings (decoded from accumulator form) to pl. */
int lx_run_rec_decode(const run_rec *t, lx_plist *pl);
#endif
