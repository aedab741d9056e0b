/* index.c -- opening and closing an index, and the ranking defaults. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store.h"

static const char *const field_names[LX_NFIELDS] = {"title", "tags", "speaker", "description",
                                                     "transcript"};

const char *lx_field_name(int field) {
    return field >= 0 && field < LX_NFIELDS ? field_names[field] : "?";
}

void lx_rank_params_default(lx_rank_params *p) {
    /* Chosen on the Cranfield collection (tests/eval/README.md). */
    static const double w[LX_NFIELDS] = {2.0, 1.5, 0.5, 1.0, 1.0};
    static const double b[LX_NFIELDS] = {0.5, 0.3, 0.3, 0.75, 0.75};
    for (int f = 0; f < LX_NFIELDS; f++) {
        p->weight[f] = w[f];
        p->b[f] = b[f];
    }
    p->k1 = 1.2;
    p->tag_boost = 0.5;
    p->coord = 0.0;
}

int lx_index_open(const char *dir, unsigned flags, lx_index **out, lx_error *err) {
    *out = NULL;
    lx_error_clear(err);
    lx_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return LX_ENOMEM;
    int rc = lx_store_open(ix, dir, flags, err);
    if (rc) {
        free(ix);
        return rc;
    }
    lx_rank_params_default(&ix->params);
    *out = ix;
    return 0;
}

void lx_index_close(lx_index *ix) {
    if (!ix)
        return;
    lx_store_close(ix);
    free(ix);
}
