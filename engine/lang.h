/* lang.h -- languages: the table of ISO 639 codes and names (internal).
 * The lookup itself, lx_language_lookup, is public (lectern.h): the
 * indexer, the server and the query filters validate with the same one. */
#ifndef LX_LANG_H
#define LX_LANG_H
#include "lectern.h"
#endif
