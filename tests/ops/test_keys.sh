#!/bin/bash
# Scoped keys: created, listed and revoked through the API and
# lectern-index keys; stored hashed; admin, search, write and
# search-with-a-fixed-filter scopes; --token-file stays the admin key;
# --private makes reads need a key.
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

build_index "$TMP/index"
printf 'admin-token\n' > "$TMP/token"
ADMIN="Authorization: Bearer admin-token"
start_server --index "$TMP/index" --token-file "$TMP/token"

# ---- the admin token creates keys
req POST /api/keys -H "$ADMIN" --data-binary '{"scope": ["search"], "name": "site", "tags": "migration"}'
expect_status 201 "POST /api/keys (filtered search key)"
expect_json "the created key"
FILTERED=$(printf '%s' "$BODY" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
FID=$(printf '%s' "$BODY" | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
[ -n "$FILTERED" ] && [ ${#FID} -eq 16 ] || fail "no secret or id in $BODY"
req POST /api/keys -H "$ADMIN" --data-binary '{"scope": "write", "name": "importer"}'
expect_status 201 "POST /api/keys (write key)"
WRITER=$(printf '%s' "$BODY" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
req POST /api/keys -H "$ADMIN" --data-binary '{"scope": ["search"]}'
SEARCHER=$(printf '%s' "$BODY" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
req POST /api/keys -H "$ADMIN" --data-binary '{"scope": ["root"]}'
expect_error 400 bad_key "an unknown scope"
req POST /api/keys -H "$ADMIN" --data-binary '{"scope": ["write"], "tags": "x"}'
expect_error 400 bad_key "a filter on a write key"

# ---- listing shows ids and scopes, never secrets
req GET /api/keys -H "$ADMIN"
expect_status 200 "GET /api/keys"
expect_body "\"id\":\"$FID\"" "the filtered key is listed"
expect_body '"filter":{"tags":"migration"}' "with its filter"
expect_no_body "$FILTERED" "no secret in the listing"
expect_no_body '"secret"' "no secret member in the listing"
req GET /api/keys -H "Authorization: Bearer $WRITER"
expect_error 403 forbidden "a write key cannot list keys"
req GET /api/keys
expect_error 401 unauthorized "listing keys without a key"

# ---- stored hashed: the index holds the SHA-256, not the secret
grep -q "$FILTERED" "$TMP/index/data.mdb" && fail "the secret is stored in the index"
HASH=$(printf '%s' "$FILTERED" | sha256sum | cut -c1-64)
grep -q "key/$HASH" "$TMP/index/data.mdb" || fail "the key's SHA-256 is not in the index"
ok

# ---- scopes
req POST /api/lectures -H "Authorization: Bearer $WRITER" --data-binary '{"id": "k-01", "title": "Keys and migration", "language": "en", "tags": ["migration"], "transcript": "A lecture written with a write key about migration."}'
expect_status 200 "a write key writes"
req POST /api/lectures -H "Authorization: Bearer $SEARCHER" --data-binary '{"id": "k-02", "title": "X"}'
expect_error 403 forbidden "a search key cannot write"
req DELETE /api/lectures/k-01 -H "Authorization: Bearer $FILTERED"
expect_error 403 forbidden "a filtered search key cannot delete"
req POST /api/snapshots -H "Authorization: Bearer $WRITER"
expect_error 403 forbidden "a write key cannot take snapshots"

# ---- a fixed filter narrows every search made with the key
req GET '/api/search?q=&limit=50'
expect_body '"total":6' "all six lectures without a key"
req GET '/api/search?q=&limit=50' -H "Authorization: Bearer $FILTERED"
expect_status 200 "search with the filtered key"
expect_body '"total":3' "the filtered key sees the three migration lectures"
expect_no_body '"id":"gpg-01"' "nor any other"
req GET '/api/search?q=&tags=education&limit=50' -H "Authorization: Bearer $FILTERED"
expect_body '"total":1' "the request's tags narrow further (int-05)"
req GET '/api/lectures/mig-03/related' -H "Authorization: Bearer $FILTERED"
expect_status 200 "related with the filtered key"
expect_no_body '"id":"gpg-01"' "related is filtered too"
# reads by id: a lecture outside the filter reads as absent
req GET '/api/lectures/mig-03' -H "Authorization: Bearer $FILTERED"
expect_status 200 "a lecture inside the filter, by id"
for path in /api/lectures/gpg-01 /api/lectures/gpg-01/related '/api/lectures/gpg-01/moments?q=pay' \
    /api/lectures/gpg-01/suggested-tags; do
    req GET "$path" -H "Authorization: Bearer $FILTERED"
    expect_error 404 not_found "$path outside the key's filter"
done
req GET '/api/lectures/gpg-01'
expect_status 200 "the same lecture without a key"
# lecturers: the search and the profile count only lectures inside it
req GET '/api/lecturers/Ahmed%20Yusuf'
expect_body '"id":"rac-02"' "the profile without a key has every lecture"
req GET '/api/lecturers/Ahmed%20Yusuf' -H "Authorization: Bearer $FILTERED"
expect_status 200 "a profile with the filtered key"
expect_body '"id":"int-05"' "with the lecture inside the filter"
expect_no_body '"id":"rac-02"' "and not the one outside"
req GET '/api/lecturers/Maria%20Lindqvist' -H "Authorization: Bearer $FILTERED"
expect_error 404 not_found "a lecturer with no lecture inside the filter"
req GET '/api/lecturers?q=racism&limit=50' -H "Authorization: Bearer $FILTERED"
expect_status 200 "lecturer search with the filtered key"
expect_no_body '"id":"rac-02"' "lecturer search is filtered too"

# ---- lectern-index keys works beside the running server
NEWKEY=$("$INDEXER" keys create --index "$TMP/index" --scope search --name cli 2> "$TMP/keys.err")
case "$NEWKEY" in lx_*) ok ;; *) fail "keys create printed '$NEWKEY' $(cat "$TMP/keys.err")" ;; esac
"$INDEXER" keys list --index "$TMP/index" > "$TMP/keys.list" || fail "keys list failed"
[ "$(wc -l < "$TMP/keys.list")" -eq 4 ] || fail "keys list: $(cat "$TMP/keys.list")"
grep -q "^$FID	search	.*	site	tags=migration$" "$TMP/keys.list" || fail "keys list line: $(cat "$TMP/keys.list")"
grep -q "lx_" "$TMP/keys.list" && fail "keys list shows a secret"
ok

# ---- --private: reads need a search key
stop_server
start_server --index "$TMP/index" --token-file "$TMP/token" --private
req GET '/api/search?q=migration'
expect_error 401 unauthorized "--private: a search without a key"
req GET '/api/search?q=migration' -H "Authorization: Bearer $NEWKEY"
expect_status 200 "--private: the key made by the CLI searches"
req GET '/api/lectures/gpg-01' -H "Authorization: Bearer $WRITER"
expect_error 403 forbidden "--private: a write key cannot read"
req GET '/api/lectures/gpg-01' -H "$ADMIN"
expect_status 200 "--private: the admin token reads"
req GET '/healthz'
expect_status 200 "--private: /healthz stays open"

# ---- revoking
req DELETE "/api/keys/$FID" -H "$ADMIN"
expect_status 200 "DELETE /api/keys/{id}"
req GET '/api/search?q=migration' -H "Authorization: Bearer $FILTERED"
expect_error 401 unauthorized "a revoked key"
req DELETE "/api/keys/$FID" -H "$ADMIN"
expect_error 404 not_found "revoking twice"
NID=$("$INDEXER" keys list --index "$TMP/index" | grep cli | cut -f1)
"$INDEXER" keys revoke --index "$TMP/index" "$NID" 2> /dev/null || fail "keys revoke failed"
req GET '/api/search?q=migration' -H "Authorization: Bearer $NEWKEY"
expect_error 401 unauthorized "a key revoked by the CLI, at the next request"
stop_server
done_ok
