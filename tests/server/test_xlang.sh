#!/bin/bash
# Languages (issue 12) on the sample corpus, with Debian's FreeDict
# dictionaries (scripts/deps.sh installs them): the query's language
# detected, given (qlang=) or taken from Accept-Language; a Finnish query
# finds English lectures through translations that each hit names (via);
# cross=0 turns that off; /api/stats says which dictionaries are there.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
dicts=${LECTERN_DICT_DIR:-/usr/share/dictd}
if [ ! -f "$dicts/freedict-fin-eng.index" ]; then
    echo "SKIP: no FreeDict fin-eng in $dicts (make installs it: scripts/deps.sh)"
    exit 0
fi
"$INDEXER" build --quiet --index "$TMP/index" "$here/../../corpus/" ||
    fail "cannot index the sample corpus"
start_server --index "$TMP/index"

# A Finnish compound the dictionary lacks, split and translated.
req GET '/api/search?q=ilmastonmuutos'
expect_status 200 "ilmastonmuutos"
expect_body '"query_lang":{"code":"fi","source":"detected"' "Finnish detected"
expect_body '"id":"ams-2024-002"' "the English climate lecture is found"
expect_body '"via":[{"from":"ilmastonmuutos","to":"climate change","lang":"en"}]' "and says how"
req GET '/api/search?q=ilmastonmuutos&cross=0'
expect_body '"total":0' "cross=0: nothing but Finnish"
expect_no_body '"via"' "cross=0: no via"

# Hints: qlang= over Accept-Language over detection.
req GET '/api/search?q=migration&qlang=de' -H 'Accept-Language: fi-FI,fi;q=0.9'
expect_body '"query_lang":{"code":"de","source":"qlang"' "qlang wins"
req GET '/api/search?q=migration' -H 'Accept-Language: fi-FI,fi;q=0.9'
expect_body '"query_lang":{"code":"fi","source":"accept-language"' "then Accept-Language"

# English queries: English lectures first (the preference), and
# equality lectures in three languages for tasa-arvo, Finnish first.
for q in discrimination racism; do
    req GET "/api/search?q=$q&limit=1"
    expect_body '"language":"en"' "$q: an English lecture first"
done
req GET '/api/search?q=tasa-arvo&limit=20'
expect_body '"language":"fi"' "tasa-arvo: Finnish lectures"
first=$(printf '%s' "$BODY" | grep -o '"language":"[a-z]*"' | head -1 | cut -d'"' -f4)
langs=$(printf '%s' "$BODY" | sed 's/"facets".*//' | grep -o '"language":"[a-z]*"' | sort -u | wc -l)
[ "$first" = fi ] || fail "tasa-arvo: a Finnish lecture first, not $first"
[ "$langs" -ge 3 ] || fail "tasa-arvo: lectures in $langs languages, expected at least 3"
ok

req GET '/api/stats'
expect_body '"dictionaries":{"dir":' "stats: dictionaries"
expect_body '{"from":"fi","to":"en","words":' "stats: the fi-en pair"
expect_body '"translation_coverage":{' "stats: coverage"
expect_body '"fi":{"queries":' "stats: Finnish queries counted"
stop_server
done_ok
