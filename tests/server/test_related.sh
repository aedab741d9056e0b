#!/bin/bash
# Related lectures: shape, shared tags and terms, the lecture itself left
# out, filters and paging, unknown ids and bad parameters.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
start_server --index "$TMP/index"

# ---- related lectures
req GET '/api/lectures/rac-02/related?limit=3'
expect_status 200 "related"
expect_json "related"
expect_body '"id":"rac-02"' "related names the lecture"
expect_body '"shared_tags":[' "related hits carry shared tags"
expect_body '"shared_terms":[' "related hits carry shared terms"
expect_body '"id":"int-05"' "the other education lecture by the same speaker is related"
results=${BODY#*\"results\":}
case "$results" in *'"id":"rac-02"'*) fail "related lists the lecture itself: $BODY" ;; esac
ok
req GET '/api/lectures/no-such-lecture/related'
expect_error 404 not_found "related of an unknown id"
req GET '/api/lectures/rac-02/related?limit=-3'
expect_error 400 bad_parameter "related with a bad limit"

req GET '/api/lectures/rac-02/related?limit=1&offset=1'
expect_status 200 "related with paging"
expect_body '"limit":1,"offset":1' "related echoes the page"
req GET '/api/lectures/rac-02/related?lang=fi'
expect_status 200 "related with a language filter"
expect_no_body '"language":"en"' "lang=fi leaves out English lectures"
# The total is every related lecture, the same on every page (it grew
# with the page), and the facets count them (they were always {}).
json_total() { printf '%s' "$BODY" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }
req GET '/api/lectures/rac-02/related?limit=1'
t1=$(json_total)
req GET '/api/lectures/rac-02/related?limit=1&offset=1'
t2=$(json_total)
req GET '/api/lectures/rac-02/related?limit=4&facets=20'
t3=$(json_total)
[ -n "$t1" ] && [ "$t1" -ge 2 ] && [ "$t1" = "$t2" ] && [ "$t1" = "$t3" ] ||
    fail "related total changes with the page: $t1, $t2, $t3"
ok
expect_no_body '"facets":{"tags":{},"language":{}}' "related has facets"
langs=${BODY#*\"language\":\{}
langs=${langs%%\}*}
sum=0
for n in $(printf '%s' "$langs" | tr ',' '\n' | sed 's/.*://'); do sum=$((sum + n)); done
[ "$sum" = "$t1" ] || fail "related language facets sum to $sum, total $t1: $BODY"
ok
expect_body '"education":' "related tag facets count the related lectures"
req GET '/api/lectures/rac-02/related?lang=en&facets=5'
tf=$(json_total)
case "$BODY" in *'"language":{"en":'"$tf"'}'*) ok ;; *) fail "filtered related facets: $BODY" ;; esac

req PUT '/api/lectures/rac-02/related'
expect_error 405 method_not_allowed "PUT on related"

stop_server

# On the sample corpus, where the total grew with the page (13 at
# limit=5, 18 at offset=5, 58 at limit=50 for dub-2021-007).
SRC=$(cd "$(dirname "$0")/../.." && pwd)
"$INDEXER" build --quiet --index "$TMP/corpus" "$SRC/corpus/" > "$TMP/index.out" 2>&1 ||
    { cat "$TMP/index.out" >&2; fail "indexing the sample corpus failed"; }
start_server --index "$TMP/corpus"
totals=""
for page in 'limit=5' 'limit=5&offset=5' 'limit=5&offset=10' 'limit=50' 'limit=100&offset=100'; do
    req GET "/api/lectures/dub-2021-007/related?$page"
    expect_status 200 "related $page"
    totals="$totals $(json_total)"
done
set -- $totals
for t in "$@"; do [ "$t" = "$1" ] || fail "related totals differ by page:$totals"; done
[ "$1" -gt 50 ] || fail "related total $1: fewer than the page of 50 lists"
ok
stop_server
done_ok
