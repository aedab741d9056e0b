/* snippet.c -- snippets that show the original words, not the stems.
 *
 * Where the query's terms occur comes from the positions index, so the
 * lecture's text is neither re-tokenised in full nor stemmed: the best
 * window of at most WIN_TOKENS tokens holds the most distinct query terms,
 * then query words side by side (phrases), then the most matches; among
 * tied windows the one with more words exactly as typed wins.  Only the
 * text around the window is decompressed and scanned (from the transcript
 * checkpoint before it) to find the words' bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "record.h"
#include "snippet.h"
#include "text.h"

typedef struct match {
    uint32_t start, end;
    int term;
} match;

typedef struct best {
    int score;
    uint32_t from, to; /* match index range [from, to) */
} best;

static int is_sp(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* The snippet's HTML into out; *plain: it holds no byte that a JSON
 * string escapes.  The text's bytes that JSON escapes pass the HTML
 * escaping as they are and the marks and ellipses hold none, so the
 * text's range says: one pass over it here (most snippets have none)
 * spares the answer's JSON a scan of the longer HTML. */
static int emit(lx_buf *out, const char *text, size_t len, size_t from, size_t to, const match *m,
                uint32_t mf, uint32_t mt, int *plain) {
    *plain = !lx_text_json_special(text + from, to - from);
    /* Escaping at most sextuples the text. */
    if (lx_buf_reserve(out, (to - from) * 6 + 64 + (mt - mf) * 16))
        return LX_ENOMEM;
    char *o = (char *)out->p + out->n;
    size_t n = 0, room = out->cap - out->n;
    if (from > 0) {
        memcpy(o + n, "\xe2\x80\xa6", 3);
        n += 3;
    }
    size_t at = from;
    for (uint32_t i = mf; i < mt; i++) {
        if (m[i].start < at || m[i].end > to)
            continue;
        n += lx_text_html_escape(text + at, m[i].start - at, o + n, room - n);
        memcpy(o + n, "<mark>", 6);
        n += 6;
        n += lx_text_html_escape(text + m[i].start, m[i].end - m[i].start, o + n, room - n);
        memcpy(o + n, "</mark>", 7);
        n += 7;
        at = m[i].end;
    }
    n += lx_text_html_escape(text + at, to - at, o + n, room - n);
    if (to < len) {
        memcpy(o + n, "\xe2\x80\xa6", 3);
        n += 3;
    }
    o[n] = 0;
    out->n += n + 1;
    return 0;
}

/* The start time of the segment that holds body byte `at`. */
static double segment_start(const lx_docview *v, uint32_t at) {
    uint32_t lo = 0, hi = v->h.nseg;
    while (lo + 1 < hi) {
        uint32_t mid = (lo + hi) / 2;
        lx_dseg g;
        lx_doc_segment(v, mid, &g);
        if (g.off <= at)
            lo = mid;
        else
            hi = mid;
    }
    lx_dseg g;
    lx_doc_segment(v, lo, &g);
    return g.start;
}

/* Widens [s, e) to about LX_SNIPPET_BYTES at word boundaries. */
static void widen(const char *text, size_t len, size_t *s, size_t *e) {
    size_t span = *e - *s;
    size_t extra = span < LX_SNIPPET_BYTES ? LX_SNIPPET_BYTES - span : 0;
    size_t left = extra / 3;
    size_t ns = *s > left ? *s - left : 0;
    size_t ne = *e + (extra - (*s - ns));
    if (ne > len)
        ne = len;
    if (ns > 0) {
        while (ns < *s && !is_sp(text[ns - 1]))
            ns++;
    }
    if (ne < len) {
        while (ne > *e && !is_sp(text[ne]))
            ne--;
    }
    while (ns < *s && is_sp(text[ns]))
        ns++;
    while (ne > *e && is_sp(text[ne - 1]))
        ne--;
    *s = ns;
    *e = ne;
}

/* ---- from the positions index ------------------------------------------- */

/* A window of at most this many tokens holds the matches shown. */
#define WIN_TOKENS 32

#define MAX_TIES 4

/* The best windows by score; up to MAX_TIES that tie with the best, in
 * order (terms: how many the hits' term indexes count).  Returns how
 * many. */
static int best_pos_windows(lx_snip_pos *const h, uint32_t n, int terms, best *out) {
    int nb = 0;
    int count[LX_SNIP_TERMS];
    memset(count, 0, (size_t)terms * sizeof *count);
    int distinct = 0, adjacent = 0;
    uint32_t lo = 0;
    out[0].score = 0;
    for (uint32_t hi = 0; hi < n; hi++) {
        if (count[h[hi].term]++ == 0)
            distinct++;
        if (hi > lo && h[hi].term != h[hi - 1].term && h[hi].pos == h[hi - 1].pos + 1)
            adjacent++;
        while (h[hi].pos - h[lo].pos >= WIN_TOKENS) {
            if (--count[h[lo].term] == 0)
                distinct--;
            if (h[lo + 1].term != h[lo].term && h[lo + 1].pos == h[lo].pos + 1)
                adjacent--;
            lo++;
        }
        int score = distinct * 16 + adjacent * 8 + (int)(hi - lo + 1);
        if (score > out[0].score) {
            nb = 1;
            out[0] = (best){score, lo, hi + 1};
        } else if (nb && score == out[0].score && nb < MAX_TIES && lo >= out[nb - 1].to) {
            out[nb++] = (best){score, lo, hi + 1};
        }
    }
    return nb;
}

struct span_ctx {
    uint32_t from, to; /* positions wanted */
    uint32_t *start, *end;
    uint32_t base;          /* byte offset of the scanned text in the field */
    const char *text;       /* the scanned text */
    const lx_snip_terms *t; /* when set, words exactly as typed are counted */
    uint64_t lens;          /* bit min(len, 63): a word as typed has that length */
    int exact;
};

/* Whether an ASCII token's bytes lowered (as the scan normalises it)
 * equal the word w; bytes from 0x80 (Latin-1 letters) compare as they
 * are. */
static int lowered_eq(const char *tok, const char *w, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)tok[i];
        if ((unsigned)(ch - 'A') < 26u)
            ch += 32;
        if (ch != (unsigned char)w[i])
            return 0;
    }
    return 1;
}

/* Records the byte span of each token of the window (and counts its
 * words exactly as typed when c->t is set: a token without a non-ASCII
 * letter comes without its text, tok NULL, and is compared lowered from
 * the scanned text). */
static void on_span(void *ctx, const char *tok, size_t len, size_t s, size_t e, uint32_t pos) {
    struct span_ctx *c = ctx;
    if (pos < c->from || pos > c->to)
        return;
    c->start[pos - c->from] = (uint32_t)s + c->base;
    c->end[pos - c->from] = (uint32_t)e + c->base;
    if (!c->t || !(c->lens >> (len < 63 ? len : 63) & 1))
        return;
    for (int wd = 0; wd < c->t->nwords; wd++)
        if (c->t->wlen[wd] == len && (tok ? memcmp(c->t->word[wd], tok, len) == 0
                                          : lowered_eq(c->text + s, c->t->word[wd], len))) {
            c->exact++;
            break;
        }
}

/* With tight, a window's transcript is decompressed from TIGHT_BEFORE
 * before its checkpoint (widen looks back at most a third of
 * LX_SNIPPET_BYTES and one byte more) to tight_end; the caller checks
 * that the text reached that far, and else loads it again without tight,
 * so that the answer cannot change. */
#define TIGHT_BEFORE (LX_SNIPPET_BYTES / 3 + 2)

/* How far before the checkpoint before hit `first` a tight range starts:
 * TIGHT_BEFORE before the first match, which starts 2 bytes at least past
 * the checkpoint for each token between (a token and a separator). */
static size_t tight_back(uint32_t first) {
    size_t d = 2 * (size_t)(first % LX_CP_EVERY);
    return d < TIGHT_BEFORE ? TIGHT_BEFORE - d : 0;
}

/* How far the text of the window of hits first..last is read at most:
 * the scan reads to the end of its last token, before the checkpoint c1
 * after it, and widen LX_SNIPPET_BYTES + 1 bytes from the start s of its
 * first match, the hit at first (or a later one).  s lies before the
 * checkpoint cf after first by 2 bytes at least for each token from first
 * to cf's (a token is a byte at least, and one more separates it from the
 * next), so the text is needed up to the larger of c1 and that bound plus
 * LX_SNIPPET_BYTES + 1: some 60 to 260 bytes short of where the window's
 * last checkpoint and a whole snippet's length after it would end. */
static size_t tight_end(const lx_docview *v, uint32_t first, uint32_t last) {
    uint32_t cf = first / LX_CP_EVERY + 1, c1 = last / LX_CP_EVERY + 1;
    if (c1 >= v->h.ncp)
        return v->h.body_len;
    size_t end = lx_doc_checkpoint(v, c1), bf = lx_doc_checkpoint(v, cf);
    size_t gap = 2 * ((size_t)cf * LX_CP_EVERY - first);
    size_t w = (bf > gap ? bf - gap : 0) + LX_SNIPPET_BYTES + 1;
    return w > end ? w : end;
}

/* Tied windows of a compressed transcript, each decompressed on its own:
 * from a little before the checkpoint before it to a little past the one
 * after it, windows whose text overlaps (or starts in the LZ4 block where
 * the range before ends) sharing one range, so that the blocks between
 * windows far apart are not decompressed (two to four ties are 38% of
 * the TED log's snippets, and decompressing from the first to the last
 * was 61% of the bytes) and no block's prefix twice.  A joined tie's
 * text ends further on, which cannot change its snippet: its text
 * reached far enough already or the caller loads it again untight.  The
 * ranges are decompressed in order as the ties are compared
 * (window_matches), so that the ties after one that no later tie can
 * beat are not decompressed at all; the bytes between ranges are not
 * set.  tie_plan gives each tie's range (from, to), or 0 when the
 * checkpoints are out of order (damaged): then the caller decompresses
 * one range over all. */
static int tie_plan(const lx_docview *v, const lx_snip_pos *h, const best *ties, int nt,
                    size_t from[MAX_TIES], size_t to[MAX_TIES], int tight) {
    for (int i = 0; i < nt; i++) {
        uint32_t c0 = h[ties[i].from].pos / LX_CP_EVERY,
                 c1 = h[ties[i].to - 1].pos / LX_CP_EVERY + 1;
        size_t b = c0 < v->h.ncp ? lx_doc_checkpoint(v, c0) : 0;
        size_t back = tight ? tight_back(h[ties[i].from].pos) : LX_SNIPPET_BYTES;
        from[i] = b > back ? b - back : 0;
        if (tight)
            to[i] = tight_end(v, h[ties[i].from].pos, h[ties[i].to - 1].pos);
        else
            to[i] = c1 < v->h.ncp ? lx_doc_checkpoint(v, c1) + 2 * LX_SNIPPET_BYTES : v->h.body_len;
        if (b >= to[i] || (i && (from[i] < from[i - 1] || to[i] < to[i - 1])))
            return 0;
    }
    return 1;
}

/* The windows of one field: the best and those tied with it. */
typedef struct field_windows {
    int k;                   /* the field: 0 description, 1 transcript */
    const lx_snip_pos *hits; /* its hits */
    best bw;                 /* its best window (score 0: no hit) */
    best ties[MAX_TIES];
    int nties;
} field_windows;

/* The field text a snippet is cut from: only the blocks around the
 * windows are decompressed; offsets stay the body's. */
typedef struct snip_text {
    const char *text;
    size_t len;          /* the text ends here */
    size_t lo, need;     /* where its first range starts; how far the transcript is needed */
    uint32_t base, pos0; /* the checkpoint before the windows: byte offset, position */
    int split;           /* tied windows decompressed each on its own range */
    int tight, short_;   /* loaded tight; some window's text ended too soon for it */
    /* split: each tie's range (tie_plan), where its text ends once
     * decompressed, the ties decompressed so far (a prefix), and whether
     * a range was damaged (then loaded again as one) */
    size_t tie_from[MAX_TIES], tie_to[MAX_TIES], tie_end[MAX_TIES];
    int loaded, damaged;
    lx_buf *scratch;
} snip_text;

/* Decompresses the range of the ties from st->loaded on that share it
 * (see tie_plan) into st->scratch and sets where their text ends; st->len
 * becomes its end.  Returns 0, or -1 when a block or a checkpoint is
 * damaged. */
static int tie_load(const lx_docview *v, const lx_snip_pos *h, const best *ties, int nt,
                    snip_text *st) {
    int i = st->loaded, j = i + 1;
    size_t t = st->tie_to[i], glo, ghi;
    /* joined: that block's prefix is decompressed once, not twice */
    while (j < nt &&
           (st->tie_from[j] <= t || st->tie_from[j] >> v->h.zshift == (t - 1) >> v->h.zshift))
        t = st->tie_to[j++];
    const char *text = lx_doc_body_range(v, st->scratch, st->tie_from[i], t, &glo, &ghi);
    if (!text)
        return -1;
    if (!i) {
        st->text = text;
        st->lo = glo;
    }
    for (int g = i; g < j; g++) {
        st->tie_end[g] = ghi;
        if (h[ties[g].from].pos / LX_CP_EVERY < v->h.ncp &&
            lx_doc_checkpoint(v, h[ties[g].from].pos / LX_CP_EVERY) > ghi)
            return -1;
    }
    st->len = ghi;
    st->loaded = j;
    return 0;
}

/* Which field the snippet comes from: the one whose best window scores
 * more (the transcript on a tie when it is timed); with no hit, the
 * description's opening, or the transcript's without one (*nohit set:
 * the caller decides, k 0 until then). */
static void choose_field(const lx_docview *v, int terms, lx_snip_pos *const hits[2],
                         const uint32_t nhits[2], field_windows *fw, int *nohit) {
    best ties[2][MAX_TIES];
    int nties[2];
    for (int k = 0; k < 2; k++)
        nties[k] = best_pos_windows(hits[k], nhits[k], terms, ties[k]);
    int s0 = nties[0] ? ties[0][0].score : 0, s1 = nties[1] ? ties[1][0].score : 0;
    int k = s1 > s0 || (s1 == s0 && s1 && v->h.nseg > 0) ? 1 : 0;
    *nohit = (k ? s1 : s0) == 0;
    fw->k = k;
    fw->hits = hits[k];
    fw->nties = nties[k];
    memcpy(fw->ties, ties[k], sizeof fw->ties);
    fw->bw = nties[k] ? ties[k][0] : (best){0, 0, 0};
}

/* Loads the text of fw's field into st (the transcript's through
 * scratch; tied windows' each on its own range unless one), the first
 * tie's range only.  Returns 0, LX_ENOMEM, or LX_ECORRUPT for a damaged
 * body. */
static int load_text(const lx_docview *v, const char *description, size_t dlen,
                     const field_windows *fw, lx_buf *scratch, snip_text *st, int tight, int one) {
    int k = fw->k;
    memset(st, 0, sizeof *st);
    st->tight = tight;
    st->scratch = scratch;
    st->text = description;
    st->need = k ? v->h.body_len : dlen;
    if (k && !fw->bw.score)
        st->need = 2 * LX_SNIPPET_BYTES; /* the opening is the snippet */
    /* In the transcript, start scanning at the checkpoint before the
     * windows (tied ones are compared later: cover them all) and
     * decompress no further than the one after them, plus room to widen
     * the snippet. */
    if (k && fw->bw.score && v->h.ncp) {
        uint32_t first = fw->hits[fw->ties[0].from].pos;
        uint32_t last = fw->hits[fw->ties[fw->nties - 1].to - 1].pos;
        uint32_t c0 = first / LX_CP_EVERY, c1 = last / LX_CP_EVERY + 1;
        if (c0 < v->h.ncp) {
            st->base = lx_doc_checkpoint(v, c0);
            st->pos0 = c0 * LX_CP_EVERY;
        }
        if (tight) {
            st->need = 0;
            for (int i = 0; i < (fw->nties > 1 ? fw->nties : 1); i++) {
                size_t e =
                    tight_end(v, fw->hits[fw->ties[i].from].pos, fw->hits[fw->ties[i].to - 1].pos);
                st->need = e > st->need ? e : st->need;
            }
        } else if (c1 < v->h.ncp) {
            st->need = lx_doc_checkpoint(v, c1) + 2 * LX_SNIPPET_BYTES;
        }
    }
    /* Room for the whole body first, so that a NULL body below means a
     * damaged one, not a failed allocation (the buffer is reused from hit
     * to hit: it grows to the longest transcript shown). */
    scratch->n = 0;
    if (k && v->h.zlen && lx_buf_reserve(scratch, (size_t)v->h.body_len + 1))
        return LX_ENOMEM;
    size_t hi = 0;
    if (k && v->h.zlen && fw->bw.score && v->h.ncp && fw->nties > 1 && !one)
        st->split = tie_plan(v, fw->hits, fw->ties, fw->nties, st->tie_from, st->tie_to, tight) &&
                    !tie_load(v, fw->hits, fw->ties, fw->nties, st);
    if (st->split)
        hi = st->len;
    if (k && !st->split) {
        /* from a little before the checkpoint (widen looks back up to
         * LX_SNIPPET_BYTES / 3 from the first match) */
        size_t back = tight ? tight_back(fw->hits[fw->ties[0].from].pos) : LX_SNIPPET_BYTES;
        size_t from = st->base > back ? st->base - back : 0;
        st->text = lx_doc_body_range(v, scratch, from, st->need, &st->lo, &hi);
        /* A damaged checkpoint past the text: the whole body. */
        if (st->text && st->base > hi)
            st->text = lx_doc_body_range(v, scratch, 0, v->h.body_len, &st->lo, &hi);
    }
    if (k && !st->text)
        return LX_ECORRUPT;
    st->len = k ? hi : dlen;
    if (st->base > st->len)
        st->base = 0, st->pos0 = 0;
    return 0;
}

/* The window's hits as offsets from its first: bit p for the token at
 * its first position + p.  Only their spans are used (the matches, the
 * window's last token), so the scan reports only them and steps over the
 * tokens between as it steps over those before the window. */
static uint64_t hit_offsets(const lx_snip_pos *h, const best *w) {
    uint64_t want = 0;
    for (uint32_t i = w->from; i < w->to; i++)
        want |= 1ull << (h[i].pos - h[w->from].pos);
    return want;
}

/* Finds the byte spans of the best window's tokens, scanning no further;
 * tied windows are each scanned (from their own checkpoint, split ones'
 * ranges decompressed as they come) and the one with more words exactly
 * as typed wins: once one holds as many as any later tie has tokens, the
 * later ones are left.  The window's matches go to m (returns how many);
 * st->len is cut to the winner's text.  A split range found damaged sets
 * st->damaged (returns 0): the caller loads the text as one range. */
static uint32_t window_matches(const lx_docview *v, const lx_snip_terms *terms, field_windows *fw,
                               snip_text *st, int hit_bound, match m[WIN_TOKENS]) {
    uint32_t sstart[MAX_TIES][WIN_TOKENS], send[MAX_TIES][WIN_TOKENS], nm = 0;
    int win = 0, most = -1, k = fw->k, nt = fw->nties > 1 ? fw->nties : 1;
    /* tokens[i]: the most tokens tie i or a later one spans (with
     * hit_bound, the most hits), the most words exactly as typed it can
     * hold: once a tie has that many, no later one can win (a later tie
     * wins only with more), and the rest are neither decompressed nor
     * scanned. */
    uint32_t tokens[MAX_TIES + 1];
    tokens[nt] = 0;
    uint64_t lens = 0;
    for (int wd = 0; nt > 1 && wd < terms->nwords; wd++)
        lens |= 1ull << (terms->wlen[wd] < 63 ? terms->wlen[wd] : 63);
    for (int i = nt - 1; i >= 0; i--) {
        const best *w = fw->nties > 1 ? &fw->ties[i] : &fw->bw;
        uint32_t span = fw->hits[w->to - 1].pos - fw->hits[w->from].pos + 1;
        if (hit_bound && w->to - w->from < span)
            span = w->to - w->from;
        tokens[i] = span > tokens[i + 1] ? span : tokens[i + 1];
    }
    for (int i = 0; i < nt && !(most >= 0 && (uint32_t)most >= tokens[i]); i++) {
        const best *w = fw->nties > 1 ? &fw->ties[i] : &fw->bw;
        uint32_t first = fw->hits[w->from].pos, last = fw->hits[w->to - 1].pos;
        if (st->split && i >= st->loaded && tie_load(v, fw->hits, fw->ties, nt, st)) {
            st->damaged = 1;
            return 0;
        }
        uint32_t b = st->base, p0 = st->pos0;
        if (fw->nties > 1) {
            b = 0, p0 = 0;
            if (k && v->h.ncp && first / LX_CP_EVERY < v->h.ncp) {
                b = lx_doc_checkpoint(v, first / LX_CP_EVERY);
                p0 = first / LX_CP_EVERY * LX_CP_EVERY;
            }
            if (b < st->base || b > st->len) /* damaged: from the first window's */
                b = st->base, p0 = st->pos0;
        }
        memset(sstart[i], 0, sizeof sstart[i]);
        memset(send[i], 0, sizeof send[i]);
        struct span_ctx c = {
            first, last, sstart[i], send[i], b, st->text + b, nt > 1 ? terms : NULL, lens, 0};
        size_t tend = st->split ? st->tie_end[i] : st->len;
        /* a tie's words as typed are counted over all its tokens, unless
         * they can only be hits */
        uint64_t want = nt > 1 && !hit_bound ? LX_WANT_ALL : hit_offsets(fw->hits, w);
        if (nt > 1) /* the words as typed counted */
            lx_text_scan_spans(st->text + b, tend - b, p0, first, last, want, on_span, &c);
        else
            lx_text_spans(st->text + b, tend - b, p0, first, last, want, b, sstart[i], send[i]);
        /* the window's last token not reached, or cut by the text's end */
        if (st->tight && tend < v->h.body_len &&
            (!send[i][last - first] || send[i][last - first] >= tend))
            st->short_ = 1;
        if (c.exact > most) {
            most = c.exact;
            win = i;
        }
    }
    if (nt > 1)
        fw->bw = fw->ties[win];
    if (st->split)
        st->len = st->tie_end[win]; /* the winner's text: widen stays in it */
    uint32_t from = fw->hits[fw->bw.from].pos;
    for (uint32_t i = fw->bw.from; i < fw->bw.to && nm < WIN_TOKENS; i++) {
        uint32_t p = fw->hits[i].pos - from;
        if (send[win][p] > sstart[win][p] && (!nm || sstart[win][p] >= m[nm - 1].end))
            m[nm++] = (match){sstart[win][p], send[win][p], fw->hits[i].term};
    }
    return nm;
}

/* load_text, then window_matches (*nm matches in m) when the field has a
 * window; when a tie's range is found damaged on the way, the text is
 * loaded again as one range and compared again.  Returns load_text's. */
static int load_windows(const lx_docview *v, const char *description, size_t dlen,
                        const lx_snip_terms *terms, int hit_bound, field_windows *fw,
                        lx_buf *scratch, snip_text *st, int tight, match m[WIN_TOKENS],
                        uint32_t *nm) {
    for (int one = 0; one < 2; one++) {
        int rc = load_text(v, description, dlen, fw, scratch, st, tight, one);
        if (rc || !st->text || !st->len)
            return rc;
        *nm = fw->bw.score ? window_matches(v, terms, fw, st, hit_bound, m) : 0;
        if (!st->damaged)
            break;
    }
    return 0;
}

int lx_snippet_from_positions(const lx_docview *v, lx_buf *desc, const lx_snip_terms *terms,
                              lx_snip_pos *const hits[2], const uint32_t nhits[2], int hit_bound,
                              lx_buf *scratch, lx_buf *out, const char **field, double *start,
                              int *plain) {
    field_windows fw;
    int nohit;
    choose_field(v, terms->n, hits, nhits, &fw, &nohit);
    /* The description is unescaped only when it may be shown: its window
     * is chosen, or nothing has a hit and its opening is the snippet. */
    const char *description = NULL;
    size_t dlen = 0;
    if (fw.k == 0 || nohit) {
        const lx_member *d = &v->h.member[LX_MEMBER_DESCRIPTION];
        int found = lx_meta_string_at(v->meta + d->off, d->len, desc);
        if (found < 0)
            return found;
        description = found ? (const char *)desc->p : NULL;
        dlen = description ? strlen(description) : 0;
    }
    if (nohit) { /* both fields without a window: the opening of the description */
        fw.k = dlen ? 0 : 1;
        fw.hits = hits[fw.k];
    }
    *field = fw.k ? "transcript" : "description";
    *start = -1;
    *plain = 1; /* "" */
    snip_text st;
    /* a compressed transcript's window(s): the tight range first */
    int tight = fw.k == 1 && fw.bw.score && v->h.zlen && v->h.ncp;
    match m[WIN_TOKENS];
    uint32_t nm = 0;
    int rc = load_windows(v, description, dlen, terms, hit_bound, &fw, scratch, &st, tight, m, &nm);
    if (rc || !st.text || !st.len)
        return rc ? rc : lx_buf_append(out, "", 1);
    size_t s = 0, e = 0, hi;
    /* widen reads to LX_SNIPPET_BYTES past the first match's start */
    if (tight && (st.short_ ||
                  ((!nm || m[0].start + LX_SNIPPET_BYTES >= st.len) && st.len < v->h.body_len))) {
        /* not far enough (or nothing found): the range as without tight */
        rc = load_windows(v, description, dlen, terms, hit_bound, &fw, scratch, &st, 0, m, &nm);
        if (rc || !st.text || !st.len)
            return rc ? rc : lx_buf_append(out, "", 1);
    }
    if (nm) {
        s = m[0].start;
        e = m[nm - 1].end;
    } else if (st.lo > 0) {
        /* No word found where the positions said (a damaged body): the
         * opening, as for no hit. */
        st.text = lx_doc_body_range(v, scratch, 0, st.need, &st.lo, &hi);
        if (!st.text)
            return LX_ECORRUPT;
        st.len = hi;
    }
    widen(st.text, st.len, &s, &e);
    /* The ellipsis after the snippet depends on the whole field. */
    rc = emit(out, st.text, fw.k ? v->h.body_len : st.len, s, e, m, 0, nm, plain);
    if (fw.k == 1 && v->h.nseg)
        *start = segment_start(v, nm ? m[0].start : (uint32_t)s);
    return rc;
}

/* ---- from the query to the passage ------------------------------------------ */

/* Terms whose list headers a snipper keeps (a query's first few). */
#define HEAD_TERMS 16

struct lx_snipper {
    /* Each term's posting and positions values (this query's transaction;
     * post.mv_data NULL: the term has no list). */
    MDB_val post[LX_SNIP_TERMS], pos[LX_SNIP_TERMS];
    const uint32_t *known[LX_SNIP_TERMS]; /* a list's docids decoded already (NULL: none) */
    /* The first HEAD_TERMS known lists' cursor headers, parsed once a
     * query (head_ok bit i: head[i] holds term i's). */
    uint32_t head_ok;
    unsigned char head[HEAD_TERMS][LX_PCURSOR_HEAD];
    lx_pcursor pc; /* finds a hit's positions */
    lx_buf hits;   /* lx_snip_pos runs, then the merged ones */
    lx_buf more;   /* the second field's runs while gathering */
    lx_buf desc;   /* a hit's description, unescaped */
    lx_buf text;   /* a transcript's decompressed ranges (room for the whole body) */
    /* lx_snip_terms.whole, and the words' terms each found with their
     * positions or in no list (ENOTFOUND): a token equal to a word in a
     * lecture of language l is then a hit unless its term's positions
     * were cut at LX_MAX_SNIPPET_POSITIONS (cut, per hit) */
    unsigned char hit_bound[LX_MAX_LANGS];
    int cut;
    uint32_t tmp[2][LX_MAX_SNIPPET_POSITIONS];
    char termbuf[LX_SNIP_TERMS][LX_TOKEN_BUF];
};

lx_snipper *lx_snipper_new(void) {
    return calloc(1, sizeof(lx_snipper));
}

void lx_snipper_free(void *p) {
    lx_snipper *sp = p;
    if (!sp)
        return;
    lx_buf_free(&sp->hits);
    lx_buf_free(&sp->more);
    lx_buf_free(&sp->desc);
    lx_buf_free(&sp->text);
    free(sp);
}

void lx_snippet_terms(lx_snipper *sp, lx_snip_terms *t, const lx_query *q, lx_stemmers *stem,
                      const int *langs, int nl, const char *stop, int content) {
    t->n = 0;
    t->nwords = 0;
    for (int ci = 0; ci < q->nclauses; ci++) {
        const lx_qclause *cl = &q->clauses[ci];
        if (cl->neg || cl->filter)
            continue;
        for (int j = 0; j < cl->n && t->nwords < LX_MAX_QUERY_TERMS; j++) {
            const lx_qword *w = &q->words[cl->first + j];
            t->word[t->nwords] = w->tok;
            t->wlen[t->nwords++] = w->len;
        }
    }
    t->nl = nl < LX_MAX_LANGS ? nl : LX_MAX_LANGS;
    for (int l = 0; l < t->nl; l++) {
        memcpy(t->lang[l], stem->e[langs[l]].lang, LX_LANG_BYTES);
        t->whole[l] = 1;
    }
    int wi = 0; /* the word's index in t->word (in the same order) */
    for (int ci = 0; ci < q->nclauses; ci++) {
        const lx_qclause *cl = &q->clauses[ci];
        if (cl->neg || cl->filter)
            continue;
        /* Stopwords the search left out are not highlighted either (a
         * word without its term: no language is whole). */
        if (stop[ci] && content) {
            for (int l = 0; l < t->nl && wi < t->nwords; l++)
                t->whole[l] = 0;
            wi += cl->n;
            continue;
        }
        for (int j = 0; j < cl->n; j++, wi++) {
            int l = 0;
            for (; l < nl && t->n < LX_SNIP_TERMS; l++) {
                const lx_qword *w = &q->words[cl->first + j];
                char *b = sp->termbuf[t->n];
                size_t tl = lx_stemmers_term(stem, langs[l], w->tok, w->len, b);
                int m = 0;
                while (m < t->n && !(t->len[m] == tl && !memcmp(t->term[m], b, tl)))
                    m++;
                if (wi < t->nwords && l < t->nl)
                    t->wterm[l][wi] = (unsigned char)m;
                if (m < t->n)
                    continue; /* a duplicate */
                t->term[t->n] = b;
                t->len[t->n] = tl;
                t->n++;
            }
            for (; l < t->nl && wi < t->nwords; l++) /* no room for its term */
                t->whole[l] = 0;
        }
    }
}

int lx_snippet_lookup(lx_snipper *sp, const lx_snip_terms *t, MDB_txn *txn, lx_index *ix,
                      lx_post_lookup post_of, void *ctx) {
    unsigned char lost[LX_SNIP_TERMS]; /* a list without its positions */
    for (int i = 0; i < t->n; i++) {
        int rc = post_of ? post_of(ctx, t->term[i], t->len[i], &sp->post[i], &sp->pos[i])
                         : lx_store_term(txn, ix, t->term[i], t->len[i], &sp->post[i], &sp->pos[i]);
        lost[i] = !rc && !sp->pos[i].mv_data;
        if (rc && rc != LX_ENOTFOUND)
            return rc;
        if (rc || !sp->pos[i].mv_data)
            sp->post[i].mv_data = NULL;
        sp->known[i] = NULL;
    }
    for (int l = 0; l < t->nl; l++) {
        sp->hit_bound[l] = t->whole[l];
        for (int w = 0; w < t->nwords && sp->hit_bound[l]; w++)
            sp->hit_bound[l] = !lost[t->wterm[l][w]];
    }
    sp->head_ok = 0;
    return 0;
}

void lx_snippet_known(lx_snipper *sp, const lx_snip_terms *t, lx_known_lookup known_of, void *ctx) {
    for (int i = 0; i < t->n; i++)
        sp->known[i] = sp->post[i].mv_data ? known_of(ctx, sp->post[i].mv_data) : NULL;
}

/* Appends run for run (one per term, each sorted) the positions of every
 * term in the nf (1 or 2) adjacent fields f .. of doc: field f's to
 * sp->hits, field f + 1's to sp->more; n[g] receives how many. */
static int gather_fields(lx_snipper *sp, const lx_snip_terms *t, uint32_t doc, int f, int nf,
                         uint32_t n[2]) {
    lx_buf *hb[2] = {&sp->hits, &sp->more};
    uint32_t *const tmp[2] = {sp->tmp[0], sp->tmp[1]};
    lx_pcursor *pc = &sp->pc;
    for (int i = 0; i < t->n; i++) {
        if (!sp->post[i].mv_data)
            continue;
        if (sp->known[i]) {
            /* The docids decoded already: no block unpacked to find doc;
             * the list's header parsed once a query. */
            int r = 0;
            if (i < HEAD_TERMS && (sp->head_ok >> i & 1)) {
                memcpy(pc, sp->head[i], LX_PCURSOR_HEAD);
            } else if (!(r = lx_pcursor_open_head(pc, sp->post[i].mv_data, sp->post[i].mv_size)) &&
                       i < HEAD_TERMS) {
                memcpy(sp->head[i], pc, LX_PCURSOR_HEAD);
                sp->head_ok |= 1u << i;
            }
            if (!r)
                r = lx_pcursor_known_at(pc, sp->known[i], doc);
            if (r == 1)
                continue; /* not in the list */
            if (r)
                return LX_ECORRUPT;
        } else if (lx_pcursor_open_at(pc, sp->post[i].mv_data, sp->post[i].mv_size, doc)) {
            return LX_ECORRUPT;
        }
        if (pc->doc != doc) {
            if (pc->rc)
                return pc->rc;
            continue;
        }
        pc->pos = sp->pos[i].mv_data;
        pc->pend = (const uint8_t *)sp->pos[i].mv_data + sp->pos[i].mv_size;
        uint32_t np[2];
        lx_pcursor_positions_fields(pc, f, nf, tmp, LX_MAX_SNIPPET_POSITIONS, np);
        if (pc->rc)
            return pc->rc;
        for (int g = 0; g < nf; g++) {
            sp->cut |= np[g] == LX_MAX_SNIPPET_POSITIONS;
            if (lx_buf_reserve(hb[g], np[g] * sizeof(lx_snip_pos)))
                return LX_ENOMEM;
            lx_snip_pos *dst = (lx_snip_pos *)(hb[g]->p + hb[g]->n);
            for (uint32_t j = 0; j < np[g]; j++)
                dst[j] = (lx_snip_pos){tmp[g][j], i};
            hb[g]->n += np[g] * sizeof(lx_snip_pos);
            n[g] += np[g];
        }
    }
    return 0;
}

/* Merges the n positions at byte off of sp->hits (sorted runs, one per
 * term) into one sorted list appended to sp->hits; *off moves to it.
 * The runs are merged two at a time, each into the merge of those before
 * (positions equal: the earlier run's first), in two areas used in turn. */
static int merge_runs(lx_snipper *sp, size_t *off, uint32_t n) {
    lx_buf *hb = &sp->hits;
    lx_snip_pos *src = (lx_snip_pos *)(hb->p + *off);
    uint32_t head[LX_SNIP_TERMS + 1];
    int nr = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || src[i].term != src[i - 1].term) {
            if (nr == LX_SNIP_TERMS)
                break;
            head[nr++] = i;
        }
    }
    if (nr < 2)
        return 0; /* one term's run: sorted already */
    head[nr] = n;
    size_t bytes = n * sizeof(lx_snip_pos);
    if (lx_buf_reserve(hb, 2 * bytes))
        return LX_ENOMEM;
    src = (lx_snip_pos *)(hb->p + *off); /* the buffer may have moved */
    lx_snip_pos *area[2] = {(lx_snip_pos *)(hb->p + hb->n), (lx_snip_pos *)(hb->p + hb->n) + n};
    const lx_snip_pos *a = src; /* the runs merged so far: a[0, head[r]) */
    lx_snip_pos *dst = NULL;
    for (int r = 1; r < nr; r++) {
        dst = area[r & 1];
        const lx_snip_pos *b = src + head[r], *be = src + head[r + 1];
        const lx_snip_pos *ae = a + head[r];
        uint32_t o = 0;
        while (a < ae && b < be)
            dst[o++] = b->pos < a->pos ? *b++ : *a++;
        while (a < ae)
            dst[o++] = *a++;
        while (b < be)
            dst[o++] = *b++;
        a = dst;
    }
    *off = (size_t)((uint8_t *)dst - hb->p);
    hb->n += 2 * bytes;
    return 0;
}

int lx_snippet_hit(lx_snipper *sp, const lx_snip_terms *t, int with_terms, uint32_t doc,
                   const lx_docview *v, lx_buf *out, const char **field, double *start,
                   int *plain) {
    uint32_t n[2] = {0, 0};
    size_t off[2] = {0, 0};
    int rc;
    sp->hits.n = 0;
    sp->more.n = 0;
    sp->cut = 0;
    /* The description's positions are stored just before the transcript's. */
    _Static_assert(LX_F_TRANSCRIPT == LX_F_DESCRIPTION + 1, "adjacent fields");
    if (with_terms && (rc = gather_fields(sp, t, doc, LX_F_DESCRIPTION, 2, n)))
        return rc;
    off[1] = sp->hits.n;
    if (lx_buf_append(&sp->hits, sp->more.p, sp->more.n))
        return LX_ENOMEM;
    /* Each term's positions come sorted: merge the runs (a handful). */
    for (int k = 0; k < 2; k++)
        if ((rc = merge_runs(sp, &off[k], n[k])))
            return rc;
    lx_snip_pos *h[2];
    h[0] = (lx_snip_pos *)(sp->hits.p + off[0]);
    h[1] = (lx_snip_pos *)(sp->hits.p + off[1]);
    /* The lecture's language among the terms': a window then holds no
     * more words as typed than hits. */
    int bound = 0;
    for (int l = 0; with_terms && !sp->cut && l < t->nl && !bound; l++)
        bound = sp->hit_bound[l] && strncmp(t->lang[l], v->h.lang, sizeof v->h.lang) == 0;
    return lx_snippet_from_positions(v, &sp->desc, t, h, n, bound, &sp->text, out, field, start,
                                     plain);
}

int lx_snippet_positions(lx_snipper *sp, const lx_snip_terms *t, uint32_t doc, int f,
                         lx_snip_pos **hits, uint32_t *n, uint32_t df[LX_SNIP_TERMS]) {
    size_t off = 0;
    int rc;
    *n = 0;
    sp->hits.n = 0;
    for (int i = 0; i < t->n; i++) {
        df[i] = 0;
        if (!sp->post[i].mv_data)
            continue;
        if (lx_pcursor_open(&sp->pc, sp->post[i].mv_data, sp->post[i].mv_size))
            return LX_ECORRUPT;
        df[i] = sp->pc.df;
    }
    uint32_t nn[2] = {0, 0};
    rc = gather_fields(sp, t, doc, f, 1, nn);
    *n = nn[0];
    if (rc || (rc = merge_runs(sp, &off, *n)))
        return rc;
    *hits = (lx_snip_pos *)(sp->hits.p + off);
    return 0;
}
