/* build.h -- a build: a new index written aside as sorted runs, merged
 * and installed at commit (internal; see the top of build.c). */
#ifndef LX_BUILD_H
#define LX_BUILD_H
#include "wstate.h"

/* Commits a build's transaction when it holds LX_TXN_BYTES and begins the
 * next (nothing for a batch). */
int lx_build_checkpoint(lx_writer *w, lx_error *err);

/* Writes everything a build holds besides the stored lectures: the lists
 * (merged from the runs and the accumulators), the tag and language lists,
 * the ids. */
int lx_build_finish(lx_writer *w, lx_error *err);

/* Makes the committed build the index of its directory. */
int lx_build_install(lx_writer *w, lx_error *err);

/* Releases what a build holds besides the batch (its run file, index,
 * work files, lock); for lx_writer_abort. */
void lx_build_close(lx_writer *w);
#endif
