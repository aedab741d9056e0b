/* heap.h -- one binary heap for every bounded "best n" in the engine
 * (internal).
 *
 * LX_HEAP_DEFINE(name, T, Ctx, before) defines static inline functions on
 * an array T h[] whose root h[0] is the element to take (or evict) first:
 *
 *   name_up(h, i, ctx)       moves h[i] up to its place (after an append)
 *   name_down(h, n, i, ctx)  moves h[i] down to its place among h[0..n)
 *   name_make(h, n, ctx)     makes h[0..n) a heap
 *
 * before(ctx, a, b) is true when *a belongs nearer the root than *b; it
 * must be a strict order (a user may need only some of the three: they
 * are marked unused, which clang would otherwise warn of in a .c file).
 * The order is a function the compiler sees and
 * inlines, not a pointer called per comparison, so each heap is as fast as
 * the hand-written one it replaces (rank.c's top k, the writer's run
 * merge, related lectures' term selection).  Elements move only while
 * `before` holds strictly, so equal elements stay where they are: the
 * heap's layout, and so which of equal elements is evicted, is exactly
 * that of the classic sift-up / sift-down.
 */
#ifndef LX_HEAP_H
#define LX_HEAP_H
#include <stdint.h>

#define LX_HEAP_DEFINE(name, T, Ctx, before)                                                       \
    __attribute__((unused)) static inline void name##_up(T *h, uint32_t i, Ctx ctx) {              \
        while (i > 0) {                                                                            \
            uint32_t p = (i - 1) / 2;                                                              \
            if (!before(ctx, &h[i], &h[p]))                                                        \
                break;                                                                             \
            T t_ = h[i];                                                                           \
            h[i] = h[p];                                                                           \
            h[p] = t_;                                                                             \
            i = p;                                                                                 \
        }                                                                                          \
    }                                                                                              \
    __attribute__((unused)) static inline void name##_down(T *h, uint32_t n, uint32_t i,           \
                                                           Ctx ctx) {                              \
        for (;;) {                                                                                 \
            uint32_t l = 2 * i + 1, r = l + 1, m = i;                                              \
            if (l < n && before(ctx, &h[l], &h[m]))                                                \
                m = l;                                                                             \
            if (r < n && before(ctx, &h[r], &h[m]))                                                \
                m = r;                                                                             \
            if (m == i)                                                                            \
                return;                                                                            \
            T t_ = h[i];                                                                           \
            h[i] = h[m];                                                                           \
            h[m] = t_;                                                                             \
            i = m;                                                                                 \
        }                                                                                          \
    }                                                                                              \
    __attribute__((unused)) static inline void name##_make(T *h, uint32_t n, Ctx ctx) {            \
        for (uint32_t i = n / 2; i-- > 0;)                                                         \
            name##_down(h, n, i, ctx);                                                             \
    }

/* The common heap of u64 keys with the largest at the root (keys that
 * pack a value above and a tie-break below). */
static inline int lx_u64_greater(const void *ctx, const uint64_t *a, const uint64_t *b) {
    (void)ctx;
    return *a > *b;
}
LX_HEAP_DEFINE(lx_u64max, uint64_t, const void *, lx_u64_greater)
#endif
