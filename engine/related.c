/* related.c -- related lectures (more-like-this with topic tags). */
#include "error.h"
#include "searcher.h"

int lx_related(lx_searcher *s, const char *id, const lx_search_opts *opts, lx_results **out,
               lx_error *err) {
    (void)s;
    (void)id;
    (void)opts;
    *out = NULL;
    return lx_fail(err, LX_EINVAL, NULL, -1, "related lectures are not built yet");
}
