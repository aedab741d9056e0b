/* stop.h -- stopwords per language (internal): the Snowball project's
 * lists, from Debian's liblingua-stopwords-perl at build time. */
#ifndef LX_STOP_H
#define LX_STOP_H
#include <stddef.h>

/* Whether tok (a normalised, unstemmed token) is a stopword of lang (an
 * ISO 639-1 code).  Only languages with a list answer yes.  A contraction
 * of the list ("doesn't"), two tokens, is asked as those tokens joined
 * by an ASCII apostrophe ("doesn" "'" "t").  Thread-safe. */
int lx_stopword(const char *lang, const char *tok, size_t len);

/* Whether lang has a stop list. */
int lx_stop_has(const char *lang);
#endif
