/* completions.h -- the lecture titles and speakers that lx_suggest
 * completes to, per snapshot in memory (internal).
 *
 * Each title and each person named in a speaker field (lx_speakers_split)
 * is kept normalised (tokens joined by one space), and is found from the
 * start of any of its words: "rob" and "ken rob" both complete to "Ken
 * Robinson", "intersec" to "Why intersectionality can't wait".  A title
 * counts one lecture; a speaker the lectures naming them. */
#ifndef LX_COMPLETIONS_H
#define LX_COMPLETIONS_H
#include "searcher.h"

enum { LX_COMPLETE_SPEAKER = 1, LX_COMPLETE_TITLE = 2 };

typedef struct lx_completion {
    const char *shown; /* as written; valid while the snapshot is */
    const char *lang;  /* ISO 639-1 code of the lecture (a speaker's first) */
    unsigned count;    /* lectures */
    int kind;          /* LX_COMPLETE_* */
    int at_start;      /* matched from the first word */
} lx_completion;

/* Up to cap titles and speakers with a word starting at text[0..n)
 * (normalised: tokens joined by one space), the ones matched from their
 * first word first; *nout receives how many.  Loads this snapshot's lists
 * on first use (every lecture's record read once).  Returns 0 or the
 * sticky error. */
int lx_completions_find(lx_searcher *s, const char *text, size_t n, lx_completion *out, int cap,
                        int *nout);
#endif
