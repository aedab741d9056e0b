/* grow.h -- the one growth rule of the engine's arrays. */
#ifndef LX_GROW_H
#define LX_GROW_H

#include <stdlib.h>

#include "lectern.h"

/* Makes the array at *pp (elements of size bytes, *cap of them) hold at
 * least need: its capacity doubled from first (or from *cap) until it
 * does.  0, or LX_ENOMEM with the array as it was. */
static inline int lx_grow(void *pp, size_t size, size_t need, size_t *cap, size_t first) {
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : first;
    while (c < need)
        c *= 2;
    void *p = realloc(*(void **)pp, c * size);
    if (!p)
        return LX_ENOMEM;
    *(void **)pp = p;
    *cap = c;
    return 0;
}

#endif
