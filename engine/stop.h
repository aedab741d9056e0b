/* stop.h -- query stopwords (internal). */
#ifndef LX_STOP_H
#define LX_STOP_H
#include <stddef.h>

/* Whether tok (a normalised, unstemmed token) is a stopword of lang.
 * Only languages with a list answer yes. */
int lx_stopword(const char *lang, const char *tok, size_t len);
#endif
