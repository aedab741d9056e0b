/* dictlangs.c -- the installed dictionary pairs by language, found once
 * per process (see dictlangs.h).
 *
 * srcs[] are the source languages with their pairs; codes[] every
 * language a pair leads to; between[f][t] the slice of by_langs (pair
 * numbers, ascending) that leads from srcs[f] to codes[t]. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dictlangs.h"

static lx_dict_src srcs[LX_DICT_MAX_PAIRS];
static int nsrcs;
static char codes[LX_DICT_MAX_PAIRS][LX_LANG_BYTES];
static int ncodes;
static struct { uint8_t start, n; } between[LX_DICT_MAX_PAIRS][LX_DICT_MAX_PAIRS];
static int by_langs[LX_DICT_MAX_PAIRS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* code's place in codes[], added when new. */
static int code_index(const char *code) {
    for (int i = 0; i < ncodes; i++)
        if (!strcmp(codes[i], code))
            return i;
    snprintf(codes[ncodes], LX_LANG_BYTES, "%s", code);
    return ncodes++;
}

static void load(void) {
    int np = lx_dict_npairs(), to[LX_DICT_MAX_PAIRS];
    for (int i = 0; i < np; i++) {
        const char *f, *t;
        size_t nw;
        lx_dict_pair(i, &f, &t, &nw);
        int j = 0;
        while (j < nsrcs && strcmp(srcs[j].code, f) != 0)
            j++;
        if (j == nsrcs)
            snprintf(srcs[nsrcs++].code, LX_LANG_BYTES, "%s", f);
        srcs[j].idx[srcs[j].n++] = i;
        to[i] = code_index(t);
    }
    for (int f = 0; f < nsrcs; f++)
        srcs[f].lang = lx_dict_lang(srcs[f].code);
    int at = 0;
    for (int f = 0; f < nsrcs; f++) {
        const lx_dict_src *s = &srcs[f];
        for (int a = 0; a < s->n; a++) {
            int t = to[s->idx[a]];
            if (between[f][t].n) /* its languages' slice is filled */
                continue;
            between[f][t].start = (uint8_t)at;
            for (int b = a; b < s->n; b++)
                if (to[s->idx[b]] == t)
                    by_langs[at++] = s->idx[b];
            between[f][t].n = (uint8_t)(at - between[f][t].start);
        }
    }
}

int lx_dict_nsrcs(void) {
    pthread_once(&once, load);
    return nsrcs;
}

const lx_dict_src *lx_dict_src_at(int j) {
    return &srcs[j];
}

const lx_dict_src *lx_dict_src_find(const char *code) {
    for (int j = 0, n = lx_dict_nsrcs(); j < n; j++)
        if (strcmp(srcs[j].code, code) == 0)
            return &srcs[j];
    return NULL;
}

int lx_dict_pairs_between(const char *from, const char *to, const int **idx) {
    const lx_dict_src *s = lx_dict_src_find(from);
    if (!s)
        return 0;
    int t = 0;
    while (t < ncodes && strcmp(codes[t], to) != 0)
        t++;
    if (t == ncodes)
        return 0;
    int f = (int)(s - srcs);
    *idx = by_langs + between[f][t].start;
    return between[f][t].n;
}
