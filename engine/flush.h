/* flush.h -- emptying a batch's accumulators into the index (internal). */
#ifndef LX_FLUSH_H
#define LX_FLUSH_H
#include "wstate.h"

/* Empties the accumulators: in a batch, merges them into the stored lists
 * and writes the tag and language lists; in a build, writes them as a run
 * (build.c). */
int lx_flush(lx_writer *w, lx_error *err);

/* Writes the changed docid lists of sets (tags or languages) into dbi;
 * tags that lost lectures get their tag-stem keys rebuilt. */
int lx_flush_sets(lx_writer *w, MDB_dbi dbi, set_acc *sets, uint32_t n, int is_tags, lx_error *err);

/* Encodes w->pl and writes it under term k in "post" and "pos". */
int lx_flush_store_list(lx_writer *w, const char *term, size_t len, unsigned putflags,
                        lx_error *err);
#endif
