/* stop.c -- function words dropped from queries (never from the index, so
 * phrases such as "the who" still match).  BM25 already gives them a tiny
 * idf, but in a long natural-language question ("what are the problems of
 * ...") their small scores add up to noise; dropping them measurably
 * helps (tests/eval/README.md).  A query made only of stopwords keeps them.
 */
#include <stdlib.h>
#include <string.h>

#include "stop.h"

static const char *const english[] = {
    "a",         "about",      "above",  "after", "again", "against", "all",     "also",
    "am",        "an",         "and",    "any",   "are",   "as",      "at",      "be",
    "because",   "been",       "before", "being", "below", "between", "both",    "but",
    "by",        "can",        "could",  "did",   "do",    "does",    "doing",   "down",
    "during",    "each",       "few",    "for",   "from",  "further", "had",     "has",
    "have",      "having",     "he",     "her",   "here",  "hers",    "herself", "him",
    "himself",   "his",        "how",    "i",     "if",    "in",      "into",    "is",
    "it",        "its",        "itself", "just",  "may",   "me",      "more",    "most",
    "must",      "my",         "myself", "no",    "nor",   "not",     "now",     "of",
    "off",       "on",         "once",   "only",  "or",    "other",   "our",     "ours",
    "ourselves", "out",        "over",   "own",   "same",  "shall",   "she",     "should",
    "so",        "some",       "such",   "than",  "that",  "the",     "their",   "theirs",
    "them",      "themselves", "then",   "there", "these", "they",    "this",    "those",
    "through",   "to",         "too",    "under", "until", "up",      "very",    "was",
    "we",        "were",       "what",   "when",  "where", "which",   "while",   "who",
    "whom",      "why",        "will",   "with",  "would", "you",     "your",    "yours",
    "yourself",  "yourselves"};

static int cmp(const void *key, const void *elem) {
    return strcmp((const char *)key, *(const char *const *)elem);
}

int lx_stopword(const char *lang, const char *tok, size_t len) {
    char buf[32];
    if (strcmp(lang, "en") != 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, tok, len);
    buf[len] = 0;
    return bsearch(buf, english, sizeof english / sizeof english[0], sizeof english[0], cmp) !=
           NULL;
}
