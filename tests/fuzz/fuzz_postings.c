/*
 * fuzz_postings.c -- fuzz target for the posting-list decoders
 * (engine/postings.c): a cursor opened on hostile bytes is walked (next,
 * tfs, positions of every field), advanced, asked for block bounds, and
 * the same bytes are decoded whole with lx_plist_decode.
 *
 * The first byte picks how the rest is read:
 *   'R'   raw: byte 1 splits the rest into the posting value and the
 *         positions value; byte 2 sets the docid limit (next_doc);
 *   else  built: the bytes describe a list (docids, tfs, positions), it is
 *         encoded with lx_plist_encode, then the trailing bytes, read as
 *         (offset, xor) pairs, damage the encoding -- so that text seeds
 *         reach every block layout.
 * Besides "no crash, no read outside the values", it aborts when a
 * promise is broken: the cursor's docids ascend and stay below the limit;
 * an undamaged list decodes to exactly what was encoded, through the
 * cursor and through lx_plist_decode; a damaged one either reads as
 * encoded or sets rc = LX_ECORRUPT.
 */
#include "codec.h"
#include "lectern.h"
#include "postings.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fuzz_seeds[] = {
    "Babcdefgh",
    "B\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f",
    "Bzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "B\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16",
    "Bgender pay gap|\x05\x40\x09\x01",
    "Bsocial sustainability in schools and cities|\x20\x80\x21\x01\x30\xff",
    "R\x40\x10\x03\x01\x10\x01\x01\x02\x20\x01\x01\x01\x01\x05\x09\x01\x01\x01\x03\x01\x02",
    "R\x80\xff\x81\x01\x02\x1f\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x7f\x20\x01\x01\x01",
    NULL,
};

const char *fuzz_tokens[] = {"|", "\x01", "\x7f", "\x80", "\xff", "\x10", "\x1f", "R", "B", NULL};

static void fail(const char *why) {
    fprintf(stderr, "fuzz_postings: %s\n", why);
    abort();
}

/* Reads a byte of the input, 0 past its end. */
static uint8_t at(const uint8_t *d, size_t n, size_t i) {
    return i < n ? d[i] : 0;
}

/* Walks c to its end with every accessor; returns the docs seen, checking
 * that they ascend below limit. */
static uint32_t walk(lx_pcursor *c, uint32_t limit, uint32_t *docs, uint32_t cap) {
    static uint32_t pos[256];
    uint32_t k = 0, prev = 0;
    for (; c->doc != LX_DOC_END; lx_pcursor_next(c)) {
        if ((k && c->doc <= prev) || c->doc >= limit)
            fail("cursor docids not ascending below the limit");
        prev = c->doc;
        if (k < cap)
            docs[k] = c->doc;
        k++;
        lx_pcursor_tf(c);
        /* Positions cost a scan of the block so far: some docs only. */
        for (int f = 0; f < LX_NFIELDS && k % 5 == 1; f++)
            lx_pcursor_positions(c, f, pos, 256);
        lx_bound b;
        lx_pbound pb;
        uint32_t last;
        lx_pcursor_block_bound(c, c->doc, &b, &last);
        lx_pcursor_block_pbound(c, c->doc, &pb, &last);
    }
    return k;
}

/* Advances through the list by targets taken from the input. */
static void jumps(lx_pcursor *c, const uint8_t *d, size_t n) {
    uint32_t t = 0;
    for (size_t i = 0; i < n && c->doc != LX_DOC_END; i += 3) {
        t += d[i] * 7u + 1;
        uint32_t before = c->doc;
        lx_pcursor_advance(c, t);
        if (c->doc != LX_DOC_END && (c->doc < t || c->doc < before))
            fail("advance went backwards or short of its target");
        if (c->doc != LX_DOC_END)
            lx_pcursor_tf(c);
        lx_pcursor_tf_block(c);
    }
}

static void run_raw(const uint8_t *d, size_t n) {
    size_t rest = n > 3 ? n - 3 : 0;
    size_t split = rest * at(d, n, 1) / 256;
    uint32_t limit = at(d, n, 2) ? (uint32_t)at(d, n, 2) * 1000u : LX_DOC_END;
    static const uint8_t none[1];
    const uint8_t *post = rest ? d + 3 : none, *pos = rest ? d + 3 + split : none;
    size_t plen = split, xlen = rest - split;
    lx_pcursor *c = malloc(sizeof *c);
    static uint32_t docs[1 << 16];
    if (lx_pcursor_open_limit(c, post, plen, limit) == 0) {
        c->pos = pos;
        c->pend = pos + xlen;
        walk(c, limit, docs, 1u << 16);
    }
    if (lx_pcursor_open_at_limit(c, post, plen, at(d, n, 3), limit) == 0)
        jumps(c, d, n);
    lx_plist pl;
    memset(&pl, 0, sizeof pl);
    lx_plist_decode(post, plen, pos, xlen, NULL, NULL, &pl);
    lx_plist_free(&pl);
    free(c);
}

static void run_built(const uint8_t *d, size_t n) {
    /* The list: bytes up to '|' (or the end), each one doc: its gap from
     * the byte, tfs from its bits. */
    size_t body = 1;
    while (body < n && d[body] != '|')
        body++;
    /* Several docs a byte, to reach lists of several blocks; at most 5
     * blocks, so a run stays fast. */
    uint32_t ndocs = (uint32_t)(body - 1) * 3;
    if (ndocs > 5 * LX_BLOCK)
        ndocs = 5 * LX_BLOCK;
    if (!ndocs)
        return;
    static uint32_t norms[(1u << 16) * LX_NFIELDS];
    lx_plist pl;
    memset(&pl, 0, sizeof pl);
    uint32_t doc = 0;
    uint8_t posb[64];
    for (uint32_t i = 0; i < ndocs; i++) {
        uint8_t b = d[1 + i / 3] + (uint8_t)(i % 3) * 37;
        doc += 1 + (b & 0x3F) * (b >> 7 ? 5 : 1);
        if (doc >= (1u << 16) - 1)
            break;
        uint32_t tf[LX_NFIELDS] = {0};
        size_t pn = 0;
        for (int f = 0; f < LX_NFIELDS; f++) {
            if (!((b >> (f % 6)) & 1) && !(f == LX_F_TRANSCRIPT))
                continue;
            tf[f] = 1 + (b % 3);
            uint32_t p = 0;
            for (uint32_t k = 0; k < tf[f]; k++) {
                uint32_t delta = k ? 1 + (b % 5) : b % 7;
                pn += lx_vbyte_put(posb + pn, delta);
                p += delta;
            }
            norms[(size_t)doc * LX_NFIELDS + f] = p + 1 + (b % 11);
        }
        if (lx_plist_add(&pl, doc, tf, posb, pn))
            fail("out of memory");
    }
    uint32_t limit = doc + 1;
    lx_buf post = {0}, pos = {0};
    if (lx_plist_encode(&pl, norms, &post, &pos))
        fail("encode failed");
    /* Damage: (offset, xor) pairs after the '|'. */
    int damaged = 0;
    for (size_t i = body + 1; i + 1 < n; i += 2) {
        size_t off = (size_t)d[i] * post.n / 256;
        if (off < post.n && d[i + 1]) {
            post.p[off] ^= d[i + 1];
            damaged = 1;
        }
    }
    lx_pcursor *c = malloc(sizeof *c);
    static uint32_t docs[1u << 16];
    uint32_t got = 0;
    int rc = lx_pcursor_open_limit(c, post.p, post.n, limit);
    if (rc == 0) {
        c->pos = pos.p;
        c->pend = pos.p + pos.n;
        got = walk(c, limit, docs, 1u << 16);
    }
    if (!damaged) {
        if (rc || c->rc || got != pl.n)
            fail("a sound list did not read back whole");
        for (uint32_t i = 0; i < got; i++)
            if (docs[i] != pl.doc[i])
                fail("a sound list read back other docids");
    } else if (rc == 0 && c->rc == 0 && got != c->df) {
        fail("a damaged list read fewer docs than df without saying so");
    }
    if (lx_pcursor_open_at_limit(c, post.p, post.n, d[1], limit) == 0)
        jumps(c, d + 1, body - 1);
    lx_plist back;
    memset(&back, 0, sizeof back);
    rc = lx_plist_decode(post.p, post.n, pos.p, pos.n, NULL, NULL, &back);
    if (!damaged && (rc || back.n != pl.n || memcmp(back.doc, pl.doc, pl.n * 4) ||
                     memcmp(back.tf, pl.tf, (size_t)pl.n * LX_NFIELDS * 4)))
        fail("lx_plist_decode of a sound list differs from what was encoded");
    lx_plist_free(&back);
    lx_plist_free(&pl);
    lx_buf_free(&post);
    lx_buf_free(&pos);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size && data[0] == 'R')
        run_raw(data, size);
    else if (size)
        run_built(data, size);
    return 0;
}
