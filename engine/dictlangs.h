/* dictlangs.h -- the installed dictionary pairs (dict.h) by language
 * (internal).
 *
 * The pairs are fixed once loaded, so which of them translate from a
 * language, and from one language to another, is found once per process:
 * query language detection (qlang.c) asks for the pairs from each
 * candidate language, translation (xlate.c) for the pairs of every path
 * of every word, and comparing every pair's codes each time was a tenth
 * of a translated query.  Read-only once built: threads share it. */
#ifndef LX_DICTLANGS_H
#define LX_DICTLANGS_H

#include "dict.h"
#include "lectern.h"

/* One source language and the pairs from it, ascending. */
typedef struct lx_dict_src {
    char code[LX_LANG_BYTES];
    int lang; /* its filters in the compiled file (lx_dict_lang), or -1 */
    int n;
    int idx[LX_DICT_MAX_PAIRS];
} lx_dict_src;

/* The distinct source languages of the pairs, in their first pair's order. */
int lx_dict_nsrcs(void);
/* Source j (0 <= j < lx_dict_nsrcs()). */
const lx_dict_src *lx_dict_src_at(int j);
/* The pairs from code; NULL when none. */
const lx_dict_src *lx_dict_src_find(const char *code);
/* The pairs that lead from -> to, ascending, in *idx (owned here); their
 * count (0: none, *idx left as it is). */
int lx_dict_pairs_between(const char *from, const char *to, const int **idx);

#endif
