#!/bin/bash
# Stored tag suggestions over HTTP (issue 18): an index built with
# --suggest-tags gives an untagged lecture "suggested_tags" beside (never
# inside) its tags; GET /api/lectures/{id}/suggested-tags has the shape
# {"id","tags":[{"tag","confidence"}]}; a search's tag filter and tag boost
# use the stored suggestions with suggested=1, and ignore them without it.
. "$(dirname "$0")/lib.sh"

cat > "$TMP/lectures.jsonl" << 'JSON'
{"id": "g1", "title": "The gender pay gap", "speaker": "A", "language": "en", "tags": ["gender equality", "labour market"], "transcript": "the gender pay gap in the labour market wages of women and men"}
{"id": "g2", "title": "Wages of women", "speaker": "B", "language": "en", "tags": ["gender equality"], "transcript": "women earn lower wages the pay gap and the labour market"}
{"id": "g3", "title": "Equal pay audits", "speaker": "C", "language": "en", "tags": ["gender equality"], "transcript": "pay audits show the wage gap between women and men"}
{"id": "r1", "title": "Racism in schools", "speaker": "D", "language": "en", "tags": ["racism", "education"], "transcript": "racism in schools teachers and pupils meet racism"}
{"id": "r2", "title": "Everyday racism", "speaker": "E", "language": "en", "tags": ["racism"], "transcript": "everyday racism at work and in schools"}
{"id": "u1", "title": "Pay at work", "speaker": "F", "language": "en", "transcript": "the pay gap wages of women in the labour market and equal pay"}
JSON
"$INDEXER" build --suggest-tags --index "$TMP/index" "$TMP/lectures.jsonl" > "$TMP/index.out" 2>&1 ||
    { cat "$TMP/index.out" >&2; fail "lectern-index build --suggest-tags failed"; }
grep -q "suggested tags for 1 lectures" "$TMP/index.out" ||
    fail "the build did not store suggestions for the one untagged lecture: $(cat "$TMP/index.out")"
ok
start_server --index "$TMP/index"

# ---- stored beside the curated tags
req GET '/api/lectures/u1'
expect_status 200 "the untagged lecture"
expect_body '"suggested_tags":["gender equality"' "its stored suggestion, the best first"
expect_no_body '"tags":[' "no curated tags appear"
req GET '/api/lectures/u1/suggested-tags?limit=3'
expect_status 200 "suggested-tags"
expect_json "suggested-tags"
expect_body '{"id":"u1","tags":[{"tag":"gender equality","confidence":' "suggested-tags shape"

# ---- the tag filter: only with suggested=1
hits() { printf '%s' "$BODY" | grep -o '"id":"[a-z0-9]*"' | tr '\n' ' '; }
req GET '/api/search?q=pay&tags=gender%20equality'
expect_status 200 "tag filter"
case "$(hits)" in *'"id":"u1"'*) fail "the tag filter used a suggestion without suggested=1: $BODY" ;; esac
ok
req GET '/api/search?q=pay&tags=gender%20equality&suggested=1'
expect_status 200 "tag filter with suggested=1"
case "$(hits)" in *'"id":"u1"'*) ok ;; *) fail "suggested=1: the filter missed u1: $BODY" ;; esac
req GET '/api/search?q=pay&tags=gender%20equality&suggested=0'
case "$(hits)" in *'"id":"u1"'*) fail "suggested=0 used suggestions: $BODY" ;; esac
ok

# ---- the tag boost: a query naming the tag lifts u1's score only with suggested=1
score_of() { printf '%s' "$BODY" | sed -n 's/.*"id":"u1"[^}]*"score":\([0-9.e+-]*\).*/\1/p' | head -n 1; }
req GET '/api/search?q=gender%20equality%20wages&limit=10'
expect_status 200 "boost"
s0=$(score_of)
req GET '/api/search?q=gender%20equality%20wages&limit=10&suggested=1'
expect_status 200 "boost with suggested=1"
s1=$(score_of)
[ -n "$s0" ] && [ -n "$s1" ] || fail "u1 not found by 'gender equality wages': $BODY"
awk -v a="$s0" -v b="$s1" 'BEGIN { exit !(b > a) }' ||
    fail "suggested=1 did not boost u1 by its suggested tag: $s0 then $s1"
echo "u1 score: $s0 without, $s1 with suggested=1" >&2
ok
# and the facets do not count suggestions
req GET '/api/tags'
expect_body '"gender equality"' "tags listing"
case "$BODY" in *'"gender equality","count":3'*|*'"gender equality":3'*) ok ;; *) fail "the tags listing counts a suggestion: $BODY" ;; esac

stop_server
done_ok
