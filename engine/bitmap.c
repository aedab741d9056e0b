/* bitmap.c -- bitmaps over docids: filters, match sets and facet values
 * are sets of lectures, and a bitmap of next_doc bits makes AND, OR and
 * counting one pass over words.  Docid lists come straight from LMDB
 * (u32, unaligned) and are read with memcpy.
 */
#include <stdatomic.h>
#include <string.h>

#include "bitmap.h"

void lx_bitmap_fill(uint64_t *b, size_t words, uint32_t ndocs) {
    memset(b, 0, words * 8);
    for (uint32_t w = 0; w < ndocs / 64; w++)
        b[w] = ~0ull;
    if (ndocs % 64)
        b[ndocs / 64] = (1ull << (ndocs % 64)) - 1;
}

void lx_bitmap_set_list(uint64_t *b, size_t words, const void *docs, size_t n) {
    const uint8_t *p = docs;
    for (size_t i = 0; i < n; i++) {
        uint32_t d;
        memcpy(&d, p + i * 4, 4);
        if (d / 64 < words)
            b[d / 64] |= 1ull << (d % 64);
    }
}

void lx_bitmap_and_list(uint64_t *b, uint64_t *tmp, size_t words, const void *docs, size_t n) {
    memset(tmp, 0, words * 8);
    lx_bitmap_set_list(tmp, words, docs, n);
    for (size_t i = 0; i < words; i++)
        b[i] &= tmp[i];
}

/* With the CPU's popcount instruction where it has one (checked once at
 * run time; the portable build's __builtin_popcountll is a library
 * call). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_POPCNT_DISPATCH 1
#if defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define HAVE_GLIBC_CPU_FEATURES 1
#endif
#endif

/* Whether the CPU has popcnt.  glibc (2.33 and later) detected its
 * features when it started: asking it costs nothing, where libgcc's
 * __builtin_cpu_supports links a constructor into the program that runs
 * cpuid some twenty times at every start, whether or not anything counts
 * bits (under a hypervisor each is a VM exit: ~3% of a process that
 * answers one query). */
static int cpu_has_popcnt(void) {
#ifdef HAVE_GLIBC_CPU_FEATURES
    return CPU_FEATURE_ACTIVE(POPCNT) ? 1 : 0;
#else
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") ? 1 : 0;
#endif
}

/* Four words a step into four sums: popcnt's latency overlapped, the
 * loop's overhead a quarter.  Inlined into each of the two calls below,
 * b's test folds away: a loop without b, one with. */
__attribute__((target("popcnt"), always_inline)) static inline uint64_t
count4(const uint64_t *a, const uint64_t *b, size_t n) {
    uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        c0 += (uint64_t)__builtin_popcountll(b ? a[i] & b[i] : a[i]);
        c1 += (uint64_t)__builtin_popcountll(b ? a[i + 1] & b[i + 1] : a[i + 1]);
        c2 += (uint64_t)__builtin_popcountll(b ? a[i + 2] & b[i + 2] : a[i + 2]);
        c3 += (uint64_t)__builtin_popcountll(b ? a[i + 3] & b[i + 3] : a[i + 3]);
    }
    for (; i < n; i++)
        c0 += (uint64_t)__builtin_popcountll(b ? a[i] & b[i] : a[i]);
    return c0 + c1 + c2 + c3;
}

__attribute__((target("popcnt"))) static uint64_t count_and_hw(const uint64_t *a, const uint64_t *b,
                                                               size_t n) {
    return b ? count4(a, b, n) : count4(a, NULL, n);
}
#endif

uint64_t lx_bitmap_count_and(const uint64_t *a, const uint64_t *b, size_t n) {
#ifdef HAVE_POPCNT_DISPATCH
    static atomic_int hw = -1; /* unknown yet */
    int h = atomic_load_explicit(&hw, memory_order_relaxed);
    if (h < 0) {
        h = cpu_has_popcnt();
        atomic_store_explicit(&hw, h, memory_order_relaxed);
    }
    if (h)
        return count_and_hw(a, b, n);
#endif
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (uint64_t)__builtin_popcountll(b ? a[i] & b[i] : a[i]);
    return c;
}
