/* stop.c -- function words per language, dropped from queries, from the
 * terms that choose related lectures and feedback, and from the shared
 * terms shown with a related lecture (never from the index, so phrases
 * such as "the who" still match).  BM25 already gives them a tiny idf,
 * but in a long natural-language question their small scores add up to
 * noise, and in a lecture's own terms they are what every lecture of the
 * language shares.  A query made only of stopwords keeps them.
 *
 * The lists are the Snowball project's, as Debian packages them
 * (liblingua-stopwords-perl): scripts/stopwords.pl writes them into
 * stopwords.inc at build time.  Each word is normalised here the way the
 * tokenizer normalises text (case folding, NFC), once, on first use, into
 * one block of words per language with a hash table over them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "postings.h"
#include "stop.h"
#include "strmap.h"
#include "text.h"

static const struct {
    const char *lang;
    const char *words; /* newline-terminated, UTF-8 */
} source[] = {
#include "stopwords.inc"
};

#define NSOURCE (sizeof source / sizeof source[0])

static struct {
    char *pool;   /* the normalised words, NUL-terminated, in the source's order */
    uint32_t *at; /* each word's offset in pool */
    size_t n;
    uint16_t *slot; /* open addressing: 1 + an index into w, 0 empty */
    size_t mask;    /* slots - 1 (a power of two, at least twice n) */
    int ready;      /* loaded (atomic) */
} lists[NSOURCE];

static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;

struct one {
    char buf[2 * LX_TOKEN_BUF]; /* the token; a contraction's two joined by ' */
    const char *tok;            /* buf, or the source's own bytes */
    size_t len;
    int n;
    size_t end1, start2; /* the first token's end, the second's start */
    size_t len2;         /* the second's length (0: none) */
};

static void take(void *ctx, const char *tok, size_t len, size_t start, size_t end, uint32_t pos) {
    struct one *o = ctx;
    (void)pos;
    if (o->n == 0 && len < LX_TOKEN_BUF) {
        memcpy(o->buf, tok, len);
        o->buf[len] = 0;
        o->len = len;
        o->end1 = end;
    } else if (o->n == 1 && o->len && len < LX_TOKEN_BUF) {
        o->buf[o->len] = '\'';
        memcpy(o->buf + o->len + 1, tok, len);
        o->buf[o->len + 1 + len] = 0;
        o->start2 = start;
        o->len2 = len;
    }
    o->n++;
}

/* The one token of the source line at w into o, and the line's end (its
 * '\n') in *end: a word of ASCII lower-case letters, no longer than a
 * token may be, is its own (text.c's ASCII path) and is found in the same
 * pass that finds the end; others are scanned.  o->n is the count of
 * tokens; a word of ASCII letters is pointed to (o->tok), not copied. */
static void line_token(const char *w, const char **end, struct one *o) {
    const char *e = w;
    while (*e >= 'a' && *e <= 'z')
        e++;
    size_t wl = (size_t)(e - w);
    o->n = 0;
    o->len = 0;
    o->tok = o->buf;
    if (*e == '\n' && wl > 0 && wl <= LX_MAX_TERM_BYTES) {
        o->tok = w;
        o->len = wl;
        o->n = 1;
    } else {
        e = strchr(e, '\n');
        wl = (size_t)(e - w);
        o->len2 = 0;
        if (lx_text_scan(w, wl, 0, take, o, NULL, NULL))
            o->n = 0;
        /* A contraction ("doesn't") is two tokens: kept joined by an
         * apostrophe, as lx_stopword is asked for one (stop.h). */
        size_t gap = o->start2 - o->end1;
        if (o->n == 2 && o->len2 && o->end1 < wl &&
            ((gap == 1 && w[o->end1] == '\'') ||
             (gap == 3 && !memcmp(w + o->end1, "\xe2\x80\x99", 3)))) {
            o->n = 1;
            o->len += 1 + o->len2;
        }
    }
    *end = e;
}

/* List l, loaded on its first use (a process that asks one language's
 * list does not normalise all fourteen: most of a one-query process's
 * start; nor does it sort them or allocate each word, which the hash
 * table below does not need), in one pass over the source.  A word that
 * is two tokens joined by an apostrophe ("aren't") is kept as "aren't"
 * (the tokens' normal forms): a query holds it as two words, which
 * lx_stopword is asked for joined so; other words of several tokens are
 * left out. */
static void load(size_t l) {
    if (__atomic_load_n(&lists[l].ready, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&load_mu);
    if (!lists[l].ready) {
        size_t bytes = strlen(source[l].words);
        /* A line is at least two bytes ("a\n"). */
        uint32_t *at = malloc((bytes / 2 + 1) * sizeof *at);
        uint32_t *hash = malloc((bytes / 2 + 1) * sizeof *hash);
        lx_buf pool = {0};
        size_t n = 0;
        /* The source's size: room for the tokens of most lists at once. */
        int ok = at && hash && !lx_buf_reserve(&pool, bytes + 1);
        for (const char *p = source[l].words; ok && *p; p++) {
            struct one o;
            line_token(p, &p, &o);
            if (o.n != 1)
                continue;
            at[n] = (uint32_t)pool.n;
            hash[n] = lx_hash(o.tok, o.len);
            if (pool.n + o.len + 1 > pool.cap && lx_buf_reserve(&pool, o.len + 1)) {
                ok = 0;
                break;
            }
            memcpy(pool.p + pool.n, o.tok, o.len);
            pool.p[pool.n + o.len] = 0;
            pool.n += o.len + 1;
            n++;
        }
        /* A hash table over the words: a lookup is one hash and (mostly)
         * one compare, where the binary search made eight strcmp calls. */
        size_t slots = 16;
        while (slots < 2 * n)
            slots *= 2;
        uint16_t *slot = ok && n < UINT16_MAX ? calloc(slots, sizeof *slot) : NULL;
        for (size_t i = 0; slot && i < n; i++) {
            size_t h = hash[i] & (slots - 1);
            while (slot[h])
                h = (h + 1) & (slots - 1);
            slot[h] = (uint16_t)(i + 1);
        }
        free(hash);
        if (!slot) {
            free(at);
            at = NULL;
        }
        lists[l].pool = (char *)pool.p;
        lists[l].at = at;
        lists[l].n = slot ? n : 0;
        lists[l].slot = slot;
        lists[l].mask = slots - 1;
        __atomic_store_n(&lists[l].ready, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&load_mu);
}

/* The list of a language code, or -1: the first byte is compared before
 * strcmp (query language detection asks several languages per word). */
static int list_of(const char *lang) {
    for (size_t l = 0; l < NSOURCE; l++)
        if (source[l].lang[0] == lang[0] && strcmp(lang, source[l].lang) == 0)
            return (int)l;
    return -1;
}

int lx_stopword(const char *lang, const char *tok, size_t len) {
    if (len >= LX_TOKEN_BUF)
        return 0;
    int l = list_of(lang);
    if (l < 0)
        return 0;
    load((size_t)l);
    if (!lists[l].n)
        return 0;
    const uint16_t *slot = lists[l].slot;
    for (size_t h = lx_hash(tok, len) & lists[l].mask; slot[h]; h = (h + 1) & lists[l].mask) {
        const char *x = lists[l].pool + lists[l].at[slot[h] - 1];
        if (strncmp(x, tok, len) == 0 && x[len] == 0)
            return 1;
    }
    return 0;
}

int lx_stop_has(const char *lang) {
    return list_of(lang) >= 0;
}
