#!/bin/bash
# The response cache: a repeated search or related read is answered from it
# (same body but took_ms, counted as a hit in /api/stats), every input of
# the request is part of its key, and a committed write -- through the API
# or by lectern-index in another process -- is never hidden by an answer
# cached before it.  --cache-mb 0 turns it off.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
AUTH="Authorization: Bearer cache-token"

# cache_field NAME: the value of cache.NAME in /api/stats.
cache_field() {
    req GET '/api/stats'
    printf '%s' "$BODY" | sed -n "s/.*\"cache\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"
}

# without_took: the body with its took_ms value blanked.
without_took() {
    printf '%s' "$BODY" | sed 's/"took_ms":[0-9.]*/"took_ms":_/'
}

LECTERN_TOKEN=cache-token start_server --index "$TMP/index"

# ---- a repeated search is a hit with the same answer
req GET '/api/search?q=migration&limit=2'
expect_status 200 "first search"
expect_json "first search"
first=$(without_took)
hits0=$(cache_field hits)
req GET '/api/search?q=migration&limit=2'
expect_status 200 "repeated search"
expect_json "repeated search (took_ms rewritten)"
[ "$(without_took)" = "$first" ] || fail "a cached answer differs: $(without_took) vs $first"
ok
expect_body '"took_ms":' "a cached answer has took_ms"
hits1=$(cache_field hits)
[ "$hits1" = $((hits0 + 1)) ] || fail "the repeat was not a cache hit ($hits0 -> $hits1)"
ok
[ "$(cache_field entries)" -ge 1 ] || fail "no cache entries after a search"
ok

# ---- every input is part of the key
req GET '/api/search?q=migration&limit=1'
expect_body '"limit":1' "another limit is another answer"
req GET '/api/search?q=migration&limit=2&offset=1'
expect_body '"offset":1' "another offset is another answer"
req GET '/api/search?q=migration&limit=2&lang=fi'
expect_body '"total":0' "another lang filter is another answer"
req GET '/api/search?q=migration&limit=2&tags=wellbeing'
expect_body '"total":1' "another tag filter is another answer"
req GET '/api/search?q=migration&limit=2&facets=1'
expect_body '"facets":{"tags":{"migration":2},"language":{"en":2}}' "facets=1 lists one value per facet"
req GET '/api/search?q=migrations&limit=2'
expect_body '"query":"migrations"' "another query is another answer"

# ---- related lectures are cached too, keyed by id
req GET '/api/lectures/int-05/related?limit=3'
expect_status 200 "related"
rel=$(without_took)
hits0=$(cache_field hits)
req GET '/api/lectures/int-05/related?limit=3'
[ "$(without_took)" = "$rel" ] || fail "a cached related answer differs"
ok
[ "$(cache_field hits)" = $((hits0 + 1)) ] || fail "a repeated related read was not a hit"
ok
req GET '/api/lectures/mig-03/related?limit=3'
expect_body '"id":"mig-03"' "another lecture's related list is another answer"

# ---- a write through the API is seen at once
req GET '/api/search?q=zanzibar'
expect_body '"total":0' "no zanzibar yet"
req GET '/api/search?q=zanzibar'
expect_body '"total":0' "no zanzibar yet (cached)"
req POST '/api/lectures' -H "$AUTH" --data-binary \
    '{"id": "zan-06", "title": "Zanzibar and the Indian Ocean trade", "language": "en", "tags": ["migration"]}'
expect_status 200 "POST a lecture"
req GET '/api/search?q=zanzibar'
expect_body '"total":1' "a POSTed lecture is found after a cached miss"
expect_body '"id":"zan-06"' "the POSTed lecture"
req DELETE '/api/lectures/zan-06' -H "$AUTH"
expect_status 200 "DELETE it"
req GET '/api/search?q=zanzibar'
expect_body '"total":0' "a deleted lecture is gone from a cached answer"

# ---- a write by another process is seen too
req GET '/api/search?q=okapi'
expect_body '"total":0' "no okapi yet"
printf '%s\n' '{"id": "oka-07", "title": "Okapi conservation and local communities", "language": "en"}' \
    > "$TMP/okapi.jsonl"
"$INDEXER" add --index "$TMP/index" "$TMP/okapi.jsonl" > "$TMP/add.out" 2>&1 ||
    fail "lectern-index add beside the server: $(cat "$TMP/add.out")"
req GET '/api/search?q=okapi'
expect_body '"total":1' "a lecture added by lectern-index is found after a cached miss"
stop_server

# ---- --cache-mb 0: no cache
start_server --index "$TMP/index" --cache-mb 0
req GET '/api/search?q=migration'
req GET '/api/search?q=migration'
expect_status 200 "search without a cache"
[ "$(cache_field hits)" = 0 ] || fail "hits with the cache off"
ok
[ "$(cache_field entries)" = 0 ] || fail "entries with the cache off"
ok
stop_server

if "$SERVER" --index "$TMP/index" --port 0 --cache-mb x 2> "$TMP/bad.err"; then
    fail "--cache-mb x was accepted"
fi
grep -q -- "--cache-mb" "$TMP/bad.err" || fail "no message names --cache-mb: $(cat "$TMP/bad.err")"
ok

done_ok
