/* test_heap.c -- the one heap (engine/heap.h) and the top-k heap on it
 * (engine/rank.h), checked against a sort:
 *
 * - lx_topk_push keeps exactly the k best of a stream (score desc, then
 *   docid asc), for k from 1 past the stream's length, with many equal
 *   scores, and its root is always the k-th;
 * - a max-heap of u64 keys pops them in descending order (heapsort);
 * - a heap whose order needs a context (indices into an array of keys,
 *   ties by index, as the writer's run merge orders its sources) pops in
 *   the sorted order, also when elements are replaced at the root.
 */
#include "check.h"
#include "rank.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_u64_desc(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void test_topk(void) {
    enum { N = 500 };
    lx_scored all[N], heap[N + 1], sorted[N];
    for (int round = 0; round < 20; round++) {
        /* Few distinct scores: ties must fall to the lower docid. */
        int levels = round % 2 ? 7 : 1000;
        for (uint32_t i = 0; i < N; i++) {
            all[i].doc = (uint32_t)(next_rand() % 100000) * N + i; /* distinct */
            all[i].score = (double)(next_rand() % (uint64_t)levels) / 4.0;
        }
        memcpy(sorted, all, sizeof all);
        qsort(sorted, N, sizeof *sorted, lx_scored_cmp);
        static const uint32_t ks[] = {1, 2, 3, 10, 64, 499, 500, 501};
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            uint32_t k = ks[ki], n = 0;
            for (uint32_t i = 0; i < N; i++) {
                lx_topk_push(heap, &n, k, all[i]);
                /* The root is the worst kept: no kept entry is worse. */
                for (uint32_t j = 1; j < n; j++)
                    CHECK(!lx_scored_worse(NULL, &heap[j], &heap[0]));
            }
            uint32_t want = k < N ? k : N;
            CHECK(n == want);
            qsort(heap, n, sizeof *heap, lx_scored_cmp);
            int same = 1;
            for (uint32_t j = 0; j < n; j++)
                same &= heap[j].doc == sorted[j].doc && heap[j].score == sorted[j].score;
            CHECK(same);
        }
    }
}

static void test_u64max(void) {
    enum { N = 1000 };
    uint64_t a[N], b[N];
    for (uint32_t round = 0; round < 20; round++) {
        uint32_t n = 1 + (uint32_t)(next_rand() % N);
        for (uint32_t i = 0; i < n; i++)
            a[i] = b[i] = next_rand() % (round % 2 ? 16 : UINT64_MAX); /* duplicates too */
        qsort(b, n, sizeof *b, cmp_u64_desc);
        lx_u64max_make(a, n, NULL);
        int same = 1;
        for (uint32_t m = n; m > 0;) {
            same &= a[0] == b[n - m];
            a[0] = a[--m];
            lx_u64max_down(a, m, 0, NULL);
        }
        CHECK(same);
    }
}

/* Indices into keys, smallest key first, then smallest index. */
static inline int key_less(const uint32_t *keys, const uint32_t *a, const uint32_t *b) {
    return keys[*a] != keys[*b] ? keys[*a] < keys[*b] : *a < *b;
}
LX_HEAP_DEFINE(idx_heap, uint32_t, const uint32_t *, key_less)

static void test_context_heap(void) {
    enum { N = 300 };
    uint32_t keys[N], h[N];
    for (int round = 0; round < 20; round++) {
        for (uint32_t i = 0; i < N; i++)
            keys[i] = (uint32_t)(next_rand() % 50);
        /* Push one at a time (sift up), then pop: a stable sort by key. */
        uint32_t n = 0;
        for (uint32_t i = 0; i < N; i++) {
            h[n] = i;
            idx_heap_up(h, n++, keys);
        }
        uint32_t last_key = 0, last_idx = 0;
        int ok = 1, first = 1;
        while (n) {
            uint32_t top = h[0];
            if (!first)
                ok &= keys[top] > last_key || (keys[top] == last_key && top > last_idx);
            first = 0;
            last_key = keys[top];
            last_idx = top;
            /* Like the run merge: a source advances (its key grows) and
             * goes back down, or it is done and the last takes its place. */
            if (keys[top] < 40 && next_rand() % 2) {
                keys[top] += 10;
            } else {
                h[0] = h[--n];
            }
            idx_heap_down(h, n, 0, keys);
        }
        CHECK(ok);
    }
}

int main(void) {
    test_topk();
    test_u64max();
    test_context_heap();
    CHECK_DONE();
}
