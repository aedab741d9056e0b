#!/bin/bash
# Writes: the bearer token (missing, wrong, none configured), POST of one
# object, JSON lines and arrays (upsert), all-or-nothing and ?partial=1,
# bad JSON with its position, oversized bodies, DELETE.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
AUTH="Authorization: Bearer s3cret-token"

# ---- no token configured: writes are disabled
unset LECTERN_TOKEN
start_server --index "$TMP/index"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "x", "title": "X"}'
expect_error 403 forbidden "POST without a configured token"
req DELETE '/api/lectures/gpg-01' -H "$AUTH"
expect_error 403 forbidden "DELETE without a configured token"
req GET '/api/stats'
expect_body '"writable":false' "stats says writes are off"
stop_server

# ---- token from a file
printf 's3cret-token\n' > "$TMP/token"
start_server --index "$TMP/index" --token-file "$TMP/token" --max-body 64k
req POST '/api/lectures' --data-binary '{"id": "x", "title": "X"}'
expect_error 401 unauthorized "POST without Authorization"
expect_header WWW-Authenticate 'Bearer realm="lectern"' "401 names the scheme"
req POST '/api/lectures' -H "Authorization: Bearer wrong" --data-binary '{"id": "x", "title": "X"}'
expect_error 401 unauthorized "POST with a wrong token"
req POST '/api/lectures' -H "Authorization: Bearer s3cret-tokenX" --data-binary '{"id": "x", "title": "X"}'
expect_error 401 unauthorized "POST with a longer token"
req POST '/api/lectures' -H "Authorization: Basic czNjcmV0LXRva2Vu" --data-binary '{"id": "x", "title": "X"}'
expect_error 401 unauthorized "POST with Basic auth"
req DELETE '/api/lectures/gpg-01'
expect_error 401 unauthorized "DELETE without Authorization"
req GET '/api/lectures/x'
expect_status 404 "nothing was written by refused requests"

# one object (may span lines)
req POST '/api/lectures' -H "$AUTH" -H 'Content-Type: application/json' --data-binary '{
  "id": "new-01",
  "title": "Wellbeing of international students",
  "language": "en",
  "tags": ["wellbeing", "higher education"],
  "transcript": "Loneliness and wellbeing among international students in Finland."
}'
expect_status 200 "POST one object"
expect_json "POST one object"
expect_body '"indexed":1' "one record indexed"
req GET '/api/lectures/new-01'
expect_status 200 "the new lecture is stored"
req GET '/api/search?q=loneliness'
expect_body '"id":"new-01"' "the new lecture is searchable"

# JSON lines
req POST '/api/lectures' -H "$AUTH" -H 'Content-Type: application/x-ndjson' --data-binary $'{"id": "new-02", "title": "Anti-racism training for staff", "language": "en", "tags": ["racism"]}\n\n{"id": "new-03", "title": "Equality plans in municipalities", "language": "en", "tags": ["equality"]}\n'
expect_status 200 "POST JSON lines"
expect_body '"indexed":2' "two records indexed"
expect_body '"failed":0' "none failed"

# a JSON array
req POST '/api/lectures' -H "$AUTH" --data-binary '[{"id": "new-04", "title": "Array one"}, {"id": "new-05", "title": "Array two"}]'
expect_status 200 "POST an array"
expect_body '"indexed":2' "two array records indexed"

# upsert: the same id replaces the lecture
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "new-03", "title": "Equality plans in Nordic municipalities", "tags": ["equality"]}'
expect_status 200 "upsert"
req GET '/api/lectures/new-03'
expect_body 'Nordic municipalities' "the replaced lecture has the new title"
req GET '/api/stats'
expect_body '"documents":10' "an upsert does not add a lecture"

# all or nothing: one bad record rejects the batch, with line numbers
req POST '/api/lectures' -H "$AUTH" --data-binary $'{"id": "bat-01", "title": "Good one"}\n{"id": "bat-02"}\n{"id": "bat-03", "title": oops}\n'
expect_status 400 "a batch with bad records"
expect_json "a batch with bad records"
expect_body '"errors":[' "the errors are listed"
expect_body '{"line":2,' "the record without a title is line 2"
expect_body '"field":"title"' "the missing field is named"
expect_body '{"line":3,' "the bad JSON is line 3"
expect_body '"code":"bad_json"' "bad JSON is named"
req GET '/api/lectures/bat-01'
expect_status 404 "nothing of a rejected batch is written"

# ?partial=1 keeps the good records
req POST '/api/lectures?partial=1' -H "$AUTH" --data-binary $'{"id": "bat-01", "title": "Good one"}\n{"id": "bat-02"}\n'
expect_status 200 "a partial batch"
expect_body '"indexed":1' "the good record is kept"
expect_body '"failed":1' "the bad one is reported"
expect_body '"line":2' "with its line"
req GET '/api/lectures/bat-01'
expect_status 200 "the good record of a partial batch is written"

# bad JSON in one object: where (line, column, byte offset)
req POST '/api/lectures' -H "$AUTH" --data-binary $'{\n  "id": "bad-01",\n  "title": nope\n}'
expect_error 400 bad_json "malformed JSON"
expect_body '"line":3' "the error is on line 3"
expect_body '"column":' "with its column"
expect_body '"offset":' "and its byte offset"
req POST '/api/lectures' -H "$AUTH" --data-binary '[{"id": "a", "title": "A"},'
expect_error 400 bad_json "a truncated array"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"title": "no id"}'
expect_error 400 bad_record "a record without an id"
expect_body '"field":"id"' "the missing id is named"
req POST '/api/lectures' -H "$AUTH" --data-binary $'{"id": "dup", "title": "A"}\n{"id": "dup", "title": "B"}'
expect_error 400 duplicate_id "the same id twice in one batch"
req POST '/api/lectures' -H "$AUTH" --data-binary '   '
expect_error 400 empty_body "an empty body"

# bodies over --max-body (64 KiB): refused from Content-Length, or after
# reading a chunked body
head -c 70000 /dev/zero | tr '\0' ' ' > "$TMP/big"
req POST '/api/lectures' -H "$AUTH" --data-binary @"$TMP/big"
expect_error 413 body_too_large "a body over --max-body"
req POST '/api/lectures' -H "$AUTH" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big"
expect_error 413 body_too_large "a chunked body over --max-body"
req GET '/healthz'
expect_status 200 "the server is fine after a 413"

# DELETE
req DELETE '/api/lectures/new-02' -H "$AUTH"
expect_status 200 "DELETE"
expect_body '"deleted":"new-02"' "DELETE names the id"
req GET '/api/lectures/new-02'
expect_status 404 "a deleted lecture is gone"
req GET '/api/search?q=anti-racism+training'
expect_no_body '"id":"new-02"' "a deleted lecture is not found"
req DELETE '/api/lectures/new-02' -H "$AUTH"
expect_error 404 not_found "DELETE of an unknown id"
stop_server

# ---- token from the environment; the writes above survived the restart
LECTERN_TOKEN=env-token start_server --index "$TMP/index"
req GET '/api/lectures/new-01'
expect_status 200 "writes are durable across a restart"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "env-01", "title": "Env"}'
expect_error 401 unauthorized "the file's token is not the env token"
req POST '/api/lectures' -H "Authorization: Bearer env-token" --data-binary '{"id": "env-01", "title": "Env"}'
expect_status 200 "POST with the token from LECTERN_TOKEN"
stop_server

# Every write through the server left the index sound.
"$(dirname "$INDEXER")/lectern" check --index "$TMP/index" > "$TMP/check.out" 2>&1 ||
    { cat "$TMP/check.out" >&2; fail "lectern check after the server's writes"; }

done_ok
