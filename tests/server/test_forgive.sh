#!/bin/bash
# Forgiving search (issue 13): typo correction with did_you_mean, the last
# word completed as a prefix (prefix=0 off), a long query answered with
# truncated and dropped, POST /api/search, POST /api/related {"text"},
# GET /api/suggest.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
start_server --index "$TMP/index"

# ---- typos
req GET '/api/search?q=everyday+racsim'
expect_status 200 "a typo'd query"
expect_body '"did_you_mean":{"query":"everyday racism","corrections":[{"from":"racsim","to":"racism"}]}' \
    "did_you_mean names the correction"
expect_body '"id":"rac-' "the typo'd query finds the racism lectures"
req GET '/api/search?q=everyday+racsim&typos=0&prefix=0'
expect_no_body '"did_you_mean"' "typos=0 corrects nothing"
req GET '/api/search?q=racism'
expect_no_body '"did_you_mean"' "a word the index has is not corrected"

# ---- the last word as a prefix
req GET '/api/search?q=interculturali'
expect_status 200 "a word being typed"
expect_body '"total":' "completion answers"
expect_no_body '"total":0' "the word being typed matches as a prefix"
req GET '/api/search?q=interculturali&prefix=0&typos=0'
expect_body '"total":0' "prefix=0 turns completion off"

# ---- long queries are never refused
long=$(for i in $(seq 120); do printf 'word%d racism education ' "$i"; done)
req GET "/api/search?q=$(printf '%s' "$long" | sed 's/ /+/g')"
expect_status 200 "a query of 360 words"
expect_body '"truncated":true' "a long query says it was cut"
expect_body '"dropped":["' "and which words were dropped"
req POST '/api/search?limit=3' -H 'Content-Type: application/json' \
    --data "{\"q\": \"$long\"}"
expect_status 200 "POST /api/search with a long text"
expect_body '"truncated":true' "POST /api/search reads the body's q"
req POST '/api/search' --data '{"query": 1}'
expect_error 400 bad_body "POST /api/search without q"

# ---- lectures like a text
req POST '/api/related?limit=3' --data '{"text": "Everyday racism in higher education: how students and staff experience discrimination on campus"}'
expect_status 200 "POST /api/related with a text"
expect_body '"id":"rac-' "a text about racism finds the racism lectures"
req POST '/api/related' --data '{"id": "rac-02"}'
expect_error 400 bad_body "POST /api/related without text"

# ---- suggestions
req GET '/api/suggest?q=raci&limit=5'
expect_status 200 "suggest"
expect_json "suggest"
expect_body '"suggestions":[{"text":"racism"' "raci completes to racism first"
req GET '/api/suggest?q=everyday%20rac&limit=5'
expect_body '"text":"Everyday racism in schools"' "a title completes"
req GET '/api/suggest?q=raci&limit=0'
expect_error 400 bad_param "suggest with limit 0"

stop_server
done_ok
