/* test_postings.c -- unit tests of the integer codecs (engine/codec.c) and
 * of block-compressed posting lists (engine/postings.c): vbyte and bit
 * packing round trips at every width, then random lists of 1 to 5000
 * documents encoded, decoded whole (with and without dropped docs) and
 * walked with a cursor (next, advance, tf, positions, block bounds), every
 * answer checked against the source data. */
#include "check.h"
#include "codec.h"
#include "lectern.h"
#include "postings.h"

#include <stdint.h>

#define rnd check_rand
#define below check_below

/* ---- codecs ----------------------------------------------------------------- */

static void test_vbyte(void) {
    static const uint32_t vals[] = {0,         1,          127,        128,       255,
                                    16383,     16384,      2097151,    2097152,   268435455,
                                    268435456, 0x7FFFFFFF, 0x80000000, UINT32_MAX};
    static const size_t lens[] = {1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5};
    uint8_t buf[16];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        memset(buf, 0xEE, sizeof buf);
        size_t n = lx_vbyte_put(buf, vals[i]);
        CHECK(n == lens[i]);
        CHECK(buf[n] == 0xEE);
        uint32_t v = 12345;
        const uint8_t *e = lx_vbyte_get(buf, buf + n, &v);
        CHECK(v == vals[i]);
        CHECK(e == buf + n);
        /* Every byte but the last has the high bit. */
        for (size_t j = 0; j + 1 < n; j++)
            CHECK(buf[j] & 0x80);
        CHECK(!(buf[n - 1] & 0x80));
        /* A truncated value never reads past the end. */
        if (n > 1) {
            e = lx_vbyte_get(buf, buf + n - 1, &v);
            CHECK(e == buf + n - 1);
        }
    }
    /* A stream of random values, then skipping through it. */
    enum { N = 10000 };
    static uint32_t src[N];
    static uint8_t stream[N * 5];
    size_t n = 0;
    for (int i = 0; i < N; i++) {
        unsigned w = below(33);
        src[i] = w == 32 ? rnd() : rnd() & ((1u << w) - 1);
        n += lx_vbyte_put(stream + n, src[i]);
    }
    const uint8_t *p = stream, *end = stream + n;
    int ok = 1;
    for (int i = 0; i < N; i++) {
        uint32_t v;
        p = lx_vbyte_get(p, end, &v);
        ok &= v == src[i];
    }
    CHECK(ok);
    CHECK(p == end);
    p = lx_vbyte_skip(stream, end, 5000);
    uint32_t v;
    lx_vbyte_get(p, end, &v);
    CHECK(v == src[5000]);
    /* Every skip from every start in a stretch: the word-at-a-time path
     * must stop exactly after the k-th value wherever it ends. */
    size_t offs[301];
    offs[0] = 0;
    for (int i = 0; i < 300; i++)
        offs[i + 1] = offs[i] + lx_vbyte_put((uint8_t[5]){0}, src[i]);
    int skips_ok = 1;
    for (int a = 0; a < 40; a++)
        for (int k = 0; a + k <= 300; k++)
            skips_ok &= lx_vbyte_skip(stream + offs[a], end, (uint32_t)k) == stream + offs[a + k];
    CHECK(skips_ok);
    /* The same over mostly one-byte values (position gaps), a 32-byte
     * step holding up to 32 ends, with a two-byte value one in eight, and
     * ending inside a value (the stream cut short). */
    static uint8_t small[2000];
    size_t sn = 0, soffs[1001];
    soffs[0] = 0;
    uint32_t x = 12345; /* its own generator: the fixtures after draw as before */
    for (int i = 0; i < 1000; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = x >> 16;
        sn += lx_vbyte_put(small + sn, r % 8 ? r / 8 % 128 : 128 + r / 8 % 2000);
        soffs[i + 1] = sn;
    }
    skips_ok = 1;
    for (int a = 0; a < 64; a++)
        for (int k = 0; a + k <= 1000; k++)
            skips_ok &=
                lx_vbyte_skip(small + soffs[a], small + sn, (uint32_t)k) == small + soffs[a + k];
    for (int k = 0; k <= 1010; k++) /* cut inside the last value: never past the cut */
        skips_ok &= lx_vbyte_skip(small, small + sn - 1, (uint32_t)k) <= small + sn - 1;
    CHECK(skips_ok);
    CHECK(lx_vbyte_skip(stream, end, N) == end);
    CHECK(lx_vbyte_skip(stream, end, N + 100) == end); /* never past the end */
    CHECK(lx_vbyte_skip(stream, end, 0) == stream);
    /* Empty input reads as 0 and does not move. */
    v = 7;
    CHECK(lx_vbyte_get(stream, stream, &v) == stream && v == 0);
}

static void test_bits(void) {
    CHECK(lx_bits(0) == 0);
    CHECK(lx_bits(1) == 1);
    CHECK(lx_bits(2) == 2);
    CHECK(lx_bits(3) == 2);
    CHECK(lx_bits(255) == 8);
    CHECK(lx_bits(256) == 9);
    CHECK(lx_bits(0x7FFFFFFF) == 31);
    CHECK(lx_bits(UINT32_MAX) == 32);
    CHECK(lx_bitpack_bytes(0, 7) == 0);
    CHECK(lx_bitpack_bytes(1, 1) == 1);
    CHECK(lx_bitpack_bytes(8, 1) == 1);
    CHECK(lx_bitpack_bytes(9, 1) == 2);
    CHECK(lx_bitpack_bytes(127, 32) == 508);
    CHECK(lx_bitpack_bytes(127, 0) == 0);
}

static void test_bitpack(void) {
    static const size_t counts[] = {0, 1, 2, 7, 8, 9, 31, 127, 128};
    uint32_t in[128], out[128];
    uint8_t packed[128 * 4 + 16];
    int ok = 1;
    for (unsigned bits = 0; bits <= 32; bits++) {
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            size_t n = counts[c];
            uint32_t mask = bits == 32 ? UINT32_MAX : (1u << bits) - 1;
            for (size_t i = 0; i < n; i++) {
                /* Random values, with the extremes of the width mixed in. */
                uint32_t r = below(4);
                in[i] = r == 0 ? mask : r == 1 ? 0 : rnd() & mask;
            }
            memset(packed, 0xA5, sizeof packed);
            size_t bytes = lx_bitpack(in, n, bits, packed);
            ok &= bytes == lx_bitpack_bytes(n, bits);
            ok &= packed[bytes] == 0xA5; /* nothing written past the end */
            /* Unpacked as gaps after a first docid: each docid is the one
             * before plus its gap plus one (mod 2^32, so every width is
             * checked exactly). */
            uint32_t first = rnd(), prev = first;
            memset(out, 0x5A, sizeof out);
            lx_bitunpack_gaps(packed, n, bits, first, out);
            for (size_t i = 0; i < n; i++) {
                ok &= out[i] - prev - 1 == in[i];
                prev = out[i];
            }
            if (n < 128)
                ok &= out[n] == 0x5A5A5A5Au; /* nothing unpacked past n */
            if (!ok) {
                fprintf(stderr, "  bitpack fails at bits=%u n=%zu\n", bits, n);
                CHECK(ok);
                return;
            }
        }
    }
    CHECK(ok);
    /* Width 0: consecutive docids, without reading. */
    for (int i = 0; i < 10; i++)
        out[i] = 9;
    lx_bitunpack_gaps(NULL, 10, 0, 100, out);
    CHECK(out[0] == 101 && out[9] == 110);
}

/* ---- posting lists ------------------------------------------------------------ */

/* The source of a list, kept apart from the encoder's structures. */
typedef struct src_list {
    uint32_t n;
    uint32_t *doc;
    uint32_t *tf;     /* n * LX_NFIELDS */
    uint32_t *posoff; /* n + 1: each doc's first position in pos */
    uint32_t *pos;    /* per doc, per field in order, tf[f] ascending */
    uint32_t maxdoc;
    uint32_t *norms; /* (maxdoc + 1) * LX_NFIELDS */
} src_list;

static void src_free(src_list *s) {
    free(s->doc);
    free(s->tf);
    free(s->posoff);
    free(s->pos);
    free(s->norms);
    memset(s, 0, sizeof *s);
}

/* A random list of n docs.  fields: which fields may hold the term;
 * maxgap: largest gap between docids; first: the first docid. */
static void src_make(src_list *s, uint32_t n, uint8_t fields, uint32_t maxgap, uint32_t first) {
    memset(s, 0, sizeof *s);
    s->n = n;
    s->doc = malloc(n * sizeof *s->doc);
    s->tf = calloc((size_t)n * LX_NFIELDS, sizeof *s->tf);
    s->posoff = malloc((n + 1) * sizeof *s->posoff);
    size_t cap = 1024, np = 0;
    s->pos = malloc(cap * sizeof *s->pos);
    uint32_t d = first;
    int nf = __builtin_popcount(fields);
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            d += 1 + (below(4) == 0 ? below(maxgap) : below(3));
        s->doc[i] = d;
        uint32_t *tf = s->tf + (size_t)i * LX_NFIELDS;
        /* At least one field; sometimes a large tf. */
        int any = 0;
        while (!any) {
            for (int f = 0; f < LX_NFIELDS; f++) {
                if (!(fields & (1u << f)))
                    continue;
                if (nf == 1 || below(2)) {
                    /* Mostly 1, some small, a few long (multi-byte vbyte). */
                    uint32_t r = below(200);
                    tf[f] = r < 120   ? 1
                            : r < 190 ? 1 + below(6)
                            : r < 199 ? 1 + below(300)
                                      : 1000 + below(500);
                    any = 1;
                }
            }
        }
        s->posoff[i] = (uint32_t)np;
        for (int f = 0; f < LX_NFIELDS; f++) {
            uint32_t at = below(5);
            for (uint32_t k = 0; k < tf[f]; k++) {
                if (np == cap) {
                    cap *= 2;
                    s->pos = realloc(s->pos, cap * sizeof *s->pos);
                }
                s->pos[np++] = at;
                at += 1 + (below(3) == 0 ? below(100000) : below(4));
            }
        }
    }
    s->posoff[n] = (uint32_t)np;
    s->maxdoc = d;
    s->norms = calloc((size_t)(d + 1) * LX_NFIELDS, sizeof *s->norms);
    for (uint32_t i = 0; i < n; i++)
        for (int f = 0; f < LX_NFIELDS; f++) {
            uint32_t t = s->tf[(size_t)i * LX_NFIELDS + f];
            /* A field holds at least its tf tokens; 0 when absent is fine
             * too, as is a long field with one hit. */
            s->norms[(size_t)s->doc[i] * LX_NFIELDS + f] = t ? t + below(3000) : below(50);
        }
}

/* Positions of doc i, field f, as stored: vbyte deltas, the first from 0. */
static void put_positions(const src_list *s, uint32_t i, lx_buf *b) {
    const uint32_t *p = s->pos + s->posoff[i];
    const uint32_t *tf = s->tf + (size_t)i * LX_NFIELDS;
    for (int f = 0; f < LX_NFIELDS; f++) {
        uint32_t last = 0;
        for (uint32_t k = 0; k < tf[f]; k++) {
            lx_buf_reserve(b, 5);
            b->n += lx_vbyte_put(b->p + b->n, *p - last);
            last = *p++;
        }
    }
}

static void src_to_plist(const src_list *s, lx_plist *pl) {
    memset(pl, 0, sizeof *pl);
    lx_buf one = {0};
    for (uint32_t i = 0; i < s->n; i++) {
        one.n = 0;
        put_positions(s, i, &one);
        CHECK(lx_plist_add(pl, s->doc[i], s->tf + (size_t)i * LX_NFIELDS, one.p, one.n) == 0);
    }
    lx_buf_free(&one);
}

/* The exact bound of docs [from, to). */
static void exact_bound(const src_list *s, uint32_t from, uint32_t to, lx_bound *b) {
    memset(b, 0, sizeof *b);
    for (uint32_t i = from; i < to; i++)
        for (int f = 0; f < LX_NFIELDS; f++) {
            uint32_t t = s->tf[(size_t)i * LX_NFIELDS + f];
            uint32_t len = s->norms[(size_t)s->doc[i] * LX_NFIELDS + f];
            if (!t)
                continue;
            if (t > b->maxtf[f])
                b->maxtf[f] = t;
            if (!b->minlen[f] || len < b->minlen[f])
                b->minlen[f] = len;
        }
}

static int bound_eq(const lx_bound *a, const lx_bound *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

/* lx_pcursor_positions_meet on the current doc's k positions got[] in
 * field f, as a phrase's last word: its last position (and the first, a
 * word after the one at first - 1) meets, read up to it; one past the
 * last does not, every position read. */
static int meets_ok(lx_pcursor *c, int f, const uint32_t *got, uint32_t k) {
    uint64_t read = 0;
    uint32_t last = got[k - 1], after = last + 1, before = got[0] - 1;
    if (!lx_pcursor_positions_meet(c, f, &last, 1, 0, 4096, &read) || read != k)
        return 0;
    read = 0;
    if (lx_pcursor_positions_meet(c, f, &after, 1, 0, 4096, &read) || read != k)
        return 0;
    read = 0;
    return !got[0] || (lx_pcursor_positions_meet(c, f, &before, 1, 1, 4096, &read) && read == 1);
}

/* Checks that cursor c stands on doc i of s: doc, tf and positions. */
static int at_doc(lx_pcursor *c, const src_list *s, uint32_t i) {
    static uint32_t got[4096];
    if (c->doc != s->doc[i])
        return 0;
    const uint32_t *tf = lx_pcursor_tf(c);
    const uint32_t *want = s->tf + (size_t)i * LX_NFIELDS;
    if (memcmp(tf, want, LX_NFIELDS * sizeof *tf) != 0)
        return 0;
    const uint32_t *p = s->pos + s->posoff[i];
    for (int f = 0; f < LX_NFIELDS; f++) {
        uint32_t k = lx_pcursor_positions(c, f, got, 4096);
        if (k != (want[f] < 4096 ? want[f] : 4096))
            return 0;
        if (memcmp(got, p, k * sizeof *got) != 0)
            return 0;
        if (k && !meets_ok(c, f, got, k))
            return 0;
        p += want[f];
    }
    return 1;
}

/* As at_doc, the positions asked for before the tfs (a snippet's
 * lookup): the row found from where the positions walk stepped. */
static int at_doc_positions_first(lx_pcursor *c, const src_list *s, uint32_t i) {
    static uint32_t got[4096];
    if (c->doc != s->doc[i])
        return 0;
    const uint32_t *want = s->tf + (size_t)i * LX_NFIELDS;
    const uint32_t *p = s->pos + s->posoff[i];
    for (int f = LX_NFIELDS - 1; f >= 0; f--) {
        uint32_t before = 0;
        for (int g = 0; g < f; g++)
            before += want[g];
        uint32_t k = lx_pcursor_positions(c, f, got, 4096);
        if (k != (want[f] < 4096 ? want[f] : 4096) || memcmp(got, p + before, k * sizeof *got))
            return 0;
    }
    return memcmp(lx_pcursor_tf(c), want, LX_NFIELDS * sizeof *want) == 0;
}

/* A cursor opened straight on target by the known docids: header, then
 * lx_pcursor_known_at (0 on it, 1 when the list lacks it). */
static int open_known(lx_pcursor *c, const uint8_t *pv, size_t pn, const uint32_t *all,
                      uint32_t target) {
    int rc = lx_pcursor_open_head(c, pv, pn);
    return rc ? rc : lx_pcursor_known_at(c, all, target);
}

/* The match set's walk keeps every docid (lx_pcursor_mark's all), and a
 * cursor given them (lx_pcursor_known, open_known) reads the same
 * postings as one that unpacks its blocks. */
static void check_known(const src_list *s, const uint8_t *pv, size_t pn, const uint8_t *xv,
                        size_t xn) {
    uint64_t rng = check_rng; /* the lists the tests after this one make stay the same */
    uint32_t n = s->n;
    size_t words = s->maxdoc / 64 + 1;
    uint64_t *bits = calloc(words, 8);
    uint32_t *all = malloc(n * sizeof *all);
    lx_pcursor *c = malloc(sizeof *c), *plain = malloc(sizeof *plain);
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    CHECK(lx_pcursor_mark(c, bits, all) == 1);
    CHECK(c->doc == LX_DOC_END && c->rc == 0);
    int ok = 1;
    uint64_t set = 0;
    for (uint32_t i = 0; i < n; i++)
        ok &= all[i] == s->doc[i] && (bits[s->doc[i] / 64] >> (s->doc[i] % 64) & 1);
    for (size_t w = 0; w < words; w++)
        set += (uint64_t)__builtin_popcountll(bits[w]);
    CHECK(ok && set == n);
    /* Not from the list's first doc: bits set, docids not kept. */
    if (n > 1) {
        memset(bits, 0, words * 8);
        CHECK(lx_pcursor_open(c, pv, pn) == 0);
        lx_pcursor_next(c);
        CHECK(lx_pcursor_mark(c, bits, all) == 0);
        CHECK(!(bits[s->doc[0] / 64] >> (s->doc[0] % 64) & 1));
        CHECK(bits[s->doc[1] / 64] >> (s->doc[1] % 64) & 1);
    }
    /* Every posting in order from a known cursor. */
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    lx_pcursor_known(c, all);
    c->pos = xv;
    c->pend = xv + xn;
    for (uint32_t i = 0; i < n && ok; i++) {
        ok = at_doc(c, s, i);
        lx_pcursor_next(c);
    }
    CHECK(ok && c->doc == LX_DOC_END && c->rc == 0);
    /* Random ascending targets: the known cursor and a plain one alike. */
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    lx_pcursor_known(c, all);
    CHECK(lx_pcursor_open(plain, pv, pn) == 0);
    c->pos = plain->pos = xv;
    c->pend = plain->pend = xv + xn;
    uint32_t target = 0, step = 1 + s->maxdoc / (n / 4 + 1);
    while (ok && c->doc != LX_DOC_END) {
        target += below(step * 2 + 1);
        lx_pcursor_advance(c, target);
        lx_pcursor_advance(plain, target);
        ok = c->doc == plain->doc && c->bi == plain->bi && c->i == plain->i;
        if (ok && c->doc != LX_DOC_END && below(3) == 0) {
            uint32_t i = c->bi * LX_BLOCK + c->i;
            ok = at_doc_positions_first(c, s, i) && at_doc(plain, s, i);
        }
    }
    CHECK(ok && plain->doc == LX_DOC_END);
    /* Straight to a posting by the docids: each doc found, with its tfs and
     * positions; a docid the list lacks not opened. */
    for (uint32_t i = 0; i < n && ok; i += 1 + below(7)) {
        ok = open_known(c, pv, pn, all, s->doc[i]) == 0;
        c->pos = xv;
        c->pend = xv + xn;
        ok = ok && (i & 1 ? at_doc(c, s, i) : at_doc_positions_first(c, s, i));
        if (ok && (i + 1 == n || s->doc[i + 1] != s->doc[i] + 1))
            ok = open_known(c, pv, pn, all, s->doc[i] + 1) == 1;
    }
    CHECK(ok);
    if (s->doc[0] > 0)
        CHECK(open_known(c, pv, pn, all, s->doc[0] - 1) == 1);
    CHECK(open_known(c, pv, pn, all, s->doc[n - 1] + 1) == 1); /* past the last */
    /* The search's every outcome: the first doc, the last, each in turn. */
    for (uint32_t i = 0; i < n && ok; i++) {
        ok = open_known(c, pv, pn, all, s->doc[i]) == 0 && c->bi * LX_BLOCK + c->i == i;
    }
    CHECK(ok);
    /* The header parsed once, its bytes copied back for each doc (a
     * snippet's terms): the same postings. */
    static unsigned char head[LX_PCURSOR_HEAD];
    CHECK(lx_pcursor_open_head(c, pv, pn) == 0);
    memcpy(head, c, LX_PCURSOR_HEAD);
    for (uint32_t i = n; i-- > 0 && ok;) {
        memcpy(c, head, LX_PCURSOR_HEAD);
        ok = lx_pcursor_known_at(c, all, s->doc[i]) == 0;
        c->pos = xv;
        c->pend = xv + xn;
        ok = ok && at_doc_positions_first(c, s, i);
    }
    CHECK(ok);
    free(bits);
    free(all);
    free(c);
    free(plain);
    check_rng = rng;
}

static int drop_odd(void *ctx, uint32_t doc) {
    (void)ctx;
    return doc & 1;
}

static void check_list(uint32_t n, uint8_t fields, uint32_t maxgap, uint32_t first) {
    src_list s;
    src_make(&s, n, fields, maxgap, first);
    lx_plist pl;
    src_to_plist(&s, &pl);
    CHECK(pl.n == n);

    /* Encode after some bytes already in the buffers: a list's offsets are
     * its own. */
    lx_buf post = {0}, pos = {0};
    CHECK(lx_buf_append(&post, "junk", 4) == 0);
    CHECK(lx_buf_append(&pos, "xyz", 3) == 0);
    CHECK(lx_plist_encode(&pl, s.norms, &post, &pos) == 0);
    const uint8_t *pv = post.p + 4, *xv = pos.p + 3;
    size_t pn = post.n - 4, xn = pos.n - 3;

    /* Whole decode: the same docs, tfs and position bytes. */
    lx_plist back;
    memset(&back, 0, sizeof back);
    CHECK(lx_plist_decode(pv, pn, xv, xn, NULL, NULL, &back) == 0);
    CHECK(back.n == n);
    int ok = back.n == n;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = back.doc[i] == s.doc[i];
    CHECK(ok);
    CHECK(back.n == n && memcmp(back.tf, pl.tf, (size_t)n * LX_NFIELDS * 4) == 0);
    CHECK(back.pos.n == pl.pos.n && memcmp(back.pos.p, pl.pos.p, pl.pos.n) == 0);

    /* Decode dropping odd docs, appended to a list that already holds
     * some: the survivors, positions kept in step. */
    lx_plist part;
    memset(&part, 0, sizeof part);
    uint32_t tf0[LX_NFIELDS] = {0, 0, 0, 0, 1};
    uint8_t p0 = 3;
    lx_plist_add(&part, 0, tf0, &p0, 1);
    CHECK(lx_plist_decode(pv, pn, xv, xn, drop_odd, NULL, &part) == 0);
    uint32_t kept = 1;
    lx_buf one = {0};
    ok = 1;
    size_t poff = 1;
    for (uint32_t i = 0; i < n && ok; i++) {
        if (s.doc[i] & 1)
            continue;
        if (kept >= part.n || part.doc[kept] != s.doc[i] ||
            memcmp(part.tf + (size_t)kept * LX_NFIELDS, s.tf + (size_t)i * LX_NFIELDS,
                   LX_NFIELDS * 4) != 0) {
            ok = 0;
            break;
        }
        one.n = 0;
        put_positions(&s, i, &one);
        if (poff + one.n > part.pos.n || memcmp(part.pos.p + poff, one.p, one.n) != 0)
            ok = 0;
        poff += one.n;
        kept++;
    }
    CHECK(ok);
    CHECK(kept == part.n);
    CHECK(poff == part.pos.n);
    lx_buf_free(&one);

    /* The cursor: header, list bound, every posting in order. */
    lx_pcursor *c = malloc(sizeof *c);
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    c->pos = xv;
    c->pend = xv + xn;
    CHECK(c->df == n);
    CHECK(c->nblocks == (n + LX_BLOCK - 1) / LX_BLOCK);
    CHECK(c->listmask != 0 && (c->listmask & ~fields) == 0);
    lx_bound want;
    exact_bound(&s, 0, n, &want);
    CHECK(bound_eq(&c->lbound, &want));
    ok = 1;
    int bounds_ok = 1;
    for (uint32_t i = 0; i < n && ok; i++) {
        ok = at_doc(c, &s, i);
        if (!ok) {
            fprintf(stderr, "  list n=%u: posting %u (doc %u) differs\n", n, i, s.doc[i]);
            break;
        }
        /* The block bound for this doc: exact, and it bounds the doc. */
        lx_bound b;
        uint32_t last;
        lx_pcursor_block_bound(c, s.doc[i], &b, &last);
        uint32_t blk = i / LX_BLOCK, to = (blk + 1) * LX_BLOCK < n ? (blk + 1) * LX_BLOCK : n;
        if (c->nblocks == 1)
            exact_bound(&s, 0, n, &want);
        else
            exact_bound(&s, blk * LX_BLOCK, to, &want);
        bounds_ok &= bound_eq(&b, &want) && last == s.doc[to - 1];
        for (int f = 0; f < LX_NFIELDS; f++) {
            uint32_t t = s.tf[(size_t)i * LX_NFIELDS + f];
            if (t)
                bounds_ok &=
                    b.maxtf[f] >= t && b.minlen[f] <= s.norms[(size_t)s.doc[i] * LX_NFIELDS + f];
        }
        lx_pcursor_next(c);
    }
    CHECK(ok);
    CHECK(bounds_ok);
    CHECK(c->doc == LX_DOC_END);
    lx_pcursor_next(c); /* stays at the end */
    CHECK(c->doc == LX_DOC_END);

    /* Advancing to random targets, ascending, with tf and positions read
     * only on some stops (so a block is sometimes skipped undecoded). */
    for (int round = 0; round < 4; round++) {
        CHECK(lx_pcursor_open(c, pv, pn) == 0);
        c->pos = xv;
        c->pend = xv + xn;
        uint32_t target = 0, i = 0;
        ok = 1;
        uint32_t step = 1 + (round == 0 ? 0 : s.maxdoc / (n / (round * 2) + 1));
        while (ok) {
            target += below(step * 2 + 1);
            /* The bound of the block target falls in, before moving. */
            lx_bound b;
            uint32_t last;
            lx_pcursor_block_bound(c, target, &b, &last);
            lx_pcursor_advance(c, target);
            while (i < n && s.doc[i] < target)
                i++;
            if (i == n) {
                ok = c->doc == LX_DOC_END && last == LX_DOC_END;
                lx_bound zero;
                memset(&zero, 0, sizeof zero);
                ok &= bound_eq(&b, &zero);
                break;
            }
            ok = c->doc == s.doc[i] && last >= s.doc[i];
            if (ok && below(3) == 0)
                ok = at_doc(c, &s, i);
            if (ok && below(4) == 0) {
                lx_pcursor_next(c);
                i++;
                ok = i < n ? c->doc == s.doc[i] : c->doc == LX_DOC_END;
                if (i == n)
                    break;
                if (ok)
                    ok = at_doc(c, &s, i);
            }
            /* Advancing to where it stands, or behind, does not move it. */
            if (ok) {
                uint32_t here = c->doc;
                lx_pcursor_advance(c, here);
                lx_pcursor_advance(c, here > 5 ? here - 5 : 0);
                ok = c->doc == here;
            }
            target = s.doc[i];
        }
        if (!ok)
            fprintf(stderr, "  list n=%u: advance round %d fails near doc %u\n", n, round,
                    i < n ? s.doc[i] : 0);
        CHECK(ok);
    }
    /* Straight to the last doc, and past it. */
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    c->pos = xv;
    c->pend = xv + xn;
    lx_pcursor_advance(c, s.doc[n - 1]);
    CHECK(at_doc(c, &s, n - 1));
    lx_pcursor_advance(c, s.doc[n - 1] + 1);
    CHECK(c->doc == LX_DOC_END);
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    lx_pcursor_advance(c, UINT32_MAX - 1);
    CHECK(c->doc == LX_DOC_END);

    /* A cursor without positions reports none. */
    CHECK(lx_pcursor_open(c, pv, pn) == 0);
    uint32_t tmp[4];
    CHECK(lx_pcursor_positions(c, LX_F_TRANSCRIPT, tmp, 4) == 0);

    check_known(&s, pv, pn, xv, xn);
    free(c);
    lx_plist_free(&pl);
    lx_plist_free(&back);
    lx_plist_free(&part);
    lx_buf_free(&post);
    lx_buf_free(&pos);
    src_free(&s);
}

static void test_lists(void) {
    static const uint32_t sizes[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000, 5000};
    const uint8_t all = (1u << LX_NFIELDS) - 1;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t n = sizes[i];
        /* Every field; one field only (mask bytes omitted); two fields. */
        check_list(n, all, 1000, below(1000));
        check_list(n, 1u << LX_F_TRANSCRIPT, 1000, 0);
        check_list(n, (1u << LX_F_TITLE) | (1u << LX_F_TAGS), 50, 7);
    }
    /* Consecutive docids (gap width 0) and wide gaps (width ~17 bits) in
     * one list; and a list that starts at a large docid. */
    check_list(300, all, 1, 0);
    check_list(129, all, 100000, 0);
    check_list(200, 1u << LX_F_TITLE, 10, 1000000);
}

/* Reserving on an empty buffer gives it memory even for 0 bytes: callers
 * compute b->p + offset on it (an empty query's snippet hits did, with
 * p NULL: undefined behaviour that clang's UBSan stops on). */
static void test_buf_reserve(void) {
    lx_buf b = {0};
    CHECK(lx_buf_reserve(&b, 0) == 0 && b.p != NULL && b.n == 0);
    CHECK(lx_buf_append(&b, "", 0) == 0 && b.p != NULL);
    uint8_t *p = b.p + b.n; /* defined now */
    CHECK(p == b.p);
    lx_buf_free(&b);
    CHECK(b.p == NULL && b.cap == 0);
}

static void test_corrupt_headers(void) {
    lx_pcursor *c = malloc(sizeof *c);
    /* Empty, nblocks 0, nblocks > df, a directory past the end. */
    CHECK(lx_pcursor_open(c, (const uint8_t *)"", 0) == LX_ECORRUPT);
    CHECK(c->doc == LX_DOC_END && c->rc == LX_ECORRUPT);
    const uint8_t zero_blocks[] = {1, 0, 0x10, 1, 1};
    CHECK(lx_pcursor_open(c, zero_blocks, sizeof zero_blocks) == LX_ECORRUPT);
    const uint8_t too_many[] = {1, 2, 0x10, 1, 1};
    CHECK(lx_pcursor_open(c, too_many, sizeof too_many) == LX_ECORRUPT);
    const uint8_t short_dir[] = {200, 1, 2, 0x10, 1, 1, 0, 0};
    CHECK(lx_pcursor_open(c, short_dir, sizeof short_dir) == LX_ECORRUPT);
    /* 129 docs in one block: nblocks must be what df implies. */
    const uint8_t too_few[] = {0x81, 1, 1, 0x10, 1, 1};
    CHECK(lx_pcursor_open(c, too_few, sizeof too_few) == LX_ECORRUPT);
    /* A header without its block: opens, yields nothing, says why. */
    const uint8_t no_block[] = {1, 1, 0x10, 1, 1};
    CHECK(lx_pcursor_open(c, no_block, sizeof no_block) == 0);
    CHECK(c->doc == LX_DOC_END && c->rc == LX_ECORRUPT);
    /* A cursor refused at its header is copied whole and safely (the
     * match set copies every cursor): no docs or tf rows of a block it
     * never loaded, whatever its memory held before (a reused pool
     * cursor; ASan's malloc fill found the copy reading such a count). */
    lx_pcursor *d = malloc(sizeof *d);
    memset(c, 0xab, sizeof *c);
    CHECK(lx_pcursor_open(c, zero_blocks, sizeof zero_blocks) == LX_ECORRUPT);
    CHECK(c->n == 0 && c->tf_upto == 0);
    lx_pcursor_copy(d, c);
    CHECK(d->doc == LX_DOC_END && d->rc == LX_ECORRUPT && d->n == 0);
    memset(c, 0xab, sizeof *c);
    CHECK(lx_pcursor_open(c, no_block, sizeof no_block) == 0);
    CHECK(c->n == 0 && c->tf_upto == 0);
    lx_pcursor_copy(d, c);
    CHECK(d->doc == LX_DOC_END && d->rc == LX_ECORRUPT);
    free(d);
    lx_plist pl;
    memset(&pl, 0, sizeof pl);
    CHECK(lx_plist_decode(too_many, sizeof too_many, NULL, 0, NULL, NULL, &pl) == LX_ECORRUPT);
    CHECK(pl.n == 0);
    lx_plist_free(&pl);
    free(c);
}

/* A stored list of n docs over every field, for damaging. */
typedef struct enc_list {
    src_list s;
    lx_buf post, pos;
    size_t dir, dirent, blocks; /* byte offsets in post */
} enc_list;

static void enc_make(enc_list *e, uint32_t n) {
    memset(e, 0, sizeof *e);
    src_make(&e->s, n, (1u << LX_NFIELDS) - 1, 50, 3);
    lx_plist pl;
    src_to_plist(&e->s, &pl);
    CHECK(lx_plist_encode(&pl, e->s.norms, &e->post, &e->pos) == 0);
    lx_plist_free(&pl);
    lx_pcursor c;
    CHECK(lx_pcursor_open(&c, e->post.p, e->post.n) == 0);
    e->dir = (size_t)(c.dir - e->post.p);
    e->dirent = c.dirent;
    e->blocks = (size_t)(c.blocks - e->post.p);
}

static void enc_free(enc_list *e) {
    src_free(&e->s);
    lx_buf_free(&e->post);
    lx_buf_free(&e->pos);
}

static void put32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Walks c to its end; returns the docs seen. */
static uint32_t walk(lx_pcursor *c) {
    uint32_t k = 0;
    for (; c->doc != LX_DOC_END; lx_pcursor_next(c)) {
        lx_pcursor_tf(c);
        k++;
    }
    return k;
}

/* Damaged blocks: each damage ends the cursor with rc = LX_ECORRUPT,
 * where before a docid past the index, a lying directory or a block
 * offset out of the value was decoded as if sound (an advance ran past
 * docs[], a search indexed bitmaps out of bounds). */
static void test_corrupt_blocks(void) {
    enc_list e;
    enc_make(&e, 300); /* 3 blocks: 128, 128, 44 */
    lx_pcursor *c = malloc(sizeof *c);
    uint32_t maxdoc = e.s.doc[299];

    /* Sound: every doc, no error, with a limit just above the last doc. */
    CHECK(lx_pcursor_open_limit(c, e.post.p, e.post.n, maxdoc + 1) == 0);
    CHECK(walk(c) == 300 && c->rc == 0);
    lx_pcursor_tf_block(c); /* on an ended cursor: nothing (it decoded row 2^32-1) */
    /* The limit at the last doc: the first two blocks, then the error. */
    CHECK(lx_pcursor_open_limit(c, e.post.p, e.post.n, maxdoc) == 0);
    CHECK(walk(c) == 256 && c->rc == LX_ECORRUPT);
    /* A limit below every doc: nothing, from the open. */
    CHECK(lx_pcursor_open_limit(c, e.post.p, e.post.n, 1) == 0);
    CHECK(c->doc == LX_DOC_END && c->rc == LX_ECORRUPT);
    CHECK(lx_pcursor_open_at_limit(c, e.post.p, e.post.n, e.s.doc[200], maxdoc) == 0);
    CHECK(c->doc == e.s.doc[200] && c->rc == 0);
    CHECK(lx_pcursor_open_at_limit(c, e.post.p, e.post.n, e.s.doc[280], maxdoc) == 0);
    CHECK(c->doc == LX_DOC_END && c->rc == LX_ECORRUPT);

    uint8_t *d1 = e.post.p + e.dir + e.dirent; /* block 1's directory entry */
    uint8_t *d2 = d1 + e.dirent;
    uint32_t save = get32(d1), save2 = get32(d2 + 4);
    /* The directory says block 1 ends later than it does: advancing to a
     * doc between the two once scanned past the block's docs. */
    put32(d1, maxdoc + 1000);
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    lx_pcursor_advance(c, e.s.doc[255] + 1);
    CHECK(c->doc == LX_DOC_END && c->rc == LX_ECORRUPT);
    put32(d1, save);

    /* Block 1 starts before block 0 ends (its first doc lowered). */
    size_t b1 = e.blocks + get32(d1 + 4);
    save = get32(e.post.p + b1 + 2);
    put32(e.post.p + b1 + 2, e.s.doc[0]);
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    CHECK(walk(c) == 128 && c->rc == LX_ECORRUPT);
    put32(e.post.p + b1 + 2, save);

    /* Block offsets past the value, or backwards (block 0 ends where block
     * 1 starts, so it is damaged too). */
    save = get32(d1 + 4);
    put32(d1 + 4, 0xFFFFFFF0u);
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    CHECK(walk(c) == 0 && c->rc == LX_ECORRUPT);
    put32(d1 + 4, 0);
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    CHECK(walk(c) == 0 && c->rc == LX_ECORRUPT);
    put32(d1 + 4, save);
    put32(d2 + 4, 0xFFFFFFF0u); /* block 2 */
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    CHECK(walk(c) == 128 && c->rc == LX_ECORRUPT);
    put32(d2 + 4, save2);

    /* A block's count that df does not imply. */
    e.post.p[b1] = 100;
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    CHECK(walk(c) == 128 && c->rc == LX_ECORRUPT);
    lx_plist pl;
    memset(&pl, 0, sizeof pl);
    CHECK(lx_plist_decode(e.post.p, e.post.n, e.pos.p, e.pos.n, NULL, NULL, &pl) == LX_ECORRUPT);
    lx_plist_free(&pl);
    e.post.p[b1] = 127;

    /* Positions: a block's offset past the positions value. */
    put32(d2 + 8, (uint32_t)e.pos.n + 1);
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    c->pos = e.pos.p;
    c->pend = e.pos.p + e.pos.n;
    uint32_t got[64];
    lx_pcursor_advance(c, e.s.doc[256]);
    CHECK(c->doc == e.s.doc[256] && c->rc == 0);
    CHECK(lx_pcursor_positions(c, LX_F_TITLE, got, 64) == 0 && c->rc == LX_ECORRUPT);
    /* ... and a positions value cut short. */
    CHECK(lx_pcursor_open(c, e.post.p, e.post.n) == 0);
    c->pos = e.pos.p;
    c->pend = e.pos.p + 2;
    lx_pcursor_positions(c, LX_F_TRANSCRIPT, got, 64);
    CHECK(c->rc == LX_ECORRUPT);
    free(c);
    enc_free(&e);

    /* Gaps of 32 bits that wrap docids back below the first. */
    const uint8_t wrap[] = {3,    1,    0x10, 1,    1, /* df 3, one block, transcript */
                            2,    32,   10,   0,    0,    0, 0xF0, 0xFF, 0xFF,
                            0xFF, 0xF0, 0xFF, 0xFF, 0xFF, 1, 1,    1};
    lx_pcursor w;
    CHECK(lx_pcursor_open(&w, wrap, sizeof wrap) == 0);
    CHECK(w.doc == LX_DOC_END && w.rc == LX_ECORRUPT);
}

int main(void) {
    test_vbyte();
    test_bits();
    test_bitpack();
    test_lists();
    test_buf_reserve();
    test_corrupt_headers();
    test_corrupt_blocks();
    CHECK_DONE();
}
