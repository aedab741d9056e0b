#!/bin/bash
# CORS (listed origins, *, none; the OPTIONS preflight) and the connection
# limit (503 beyond --max-connections).
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"

# ---- two listed origins
start_server --index "$TMP/index" --cors-origin https://bank.example --cors-origin https://other.example
req OPTIONS '/api/search' -H 'Origin: https://bank.example' -H 'Access-Control-Request-Method: GET'
expect_status 204 "preflight of search"
expect_header Access-Control-Allow-Origin https://bank.example "preflight allows the origin"
expect_header Access-Control-Allow-Methods "GET, HEAD, POST, OPTIONS" "preflight lists the methods"
expect_header Access-Control-Allow-Headers "Authorization, Content-Type" "preflight allows the token header"
expect_header Vary Origin "an echoed origin varies by Origin"
req OPTIONS '/api/lectures' -H 'Origin: https://other.example' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization'
expect_status 204 "preflight of a write"
expect_header Access-Control-Allow-Origin https://other.example "the second origin is allowed"
expect_header Access-Control-Allow-Methods "POST, OPTIONS" "writes are POST"
req OPTIONS '/api/lectures/gpg-01'
expect_status 204 "OPTIONS without Origin"
expect_header Allow "GET, HEAD, DELETE, OPTIONS" "OPTIONS says what is allowed"
req GET '/api/search?q=gender' -H 'Origin: https://bank.example'
expect_status 200 "a cross-origin search"
expect_header Access-Control-Allow-Origin https://bank.example "a search answers with the origin"
req GET '/api/lectures/nope' -H 'Origin: https://bank.example'
expect_header Access-Control-Allow-Origin https://bank.example "errors carry CORS headers too"
req GET '/api/search?q=gender' -H 'Origin: https://evil.example'
expect_status 200 "a search from an unlisted origin"
expect_no_header Access-Control-Allow-Origin "an unlisted origin is not allowed"
req OPTIONS '/api/search' -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: GET'
expect_no_header Access-Control-Allow-Origin "an unlisted origin gets no preflight grant"
req GET '/api/search?q=gender'
expect_no_header Access-Control-Allow-Origin "a same-origin request needs no CORS header"
req OPTIONS '/api/nothing' -H 'Origin: https://bank.example'
expect_error 404 not_found "OPTIONS on an unknown path"
stop_server

# ---- any origin
start_server --index "$TMP/index" --cors-origin '*'
req GET '/api/search?q=gender' -H 'Origin: https://anywhere.example'
expect_header Access-Control-Allow-Origin '*' "--cors-origin * allows any origin"
stop_server

# ---- no CORS configured
start_server --index "$TMP/index"
req OPTIONS '/api/search' -H 'Origin: https://bank.example' -H 'Access-Control-Request-Method: GET'
expect_status 204 "OPTIONS without CORS configured"
expect_no_header Access-Control-Allow-Origin "no CORS unless configured"
stop_server

# ---- the connection limit: two idle connections fill it, a third gets 503
start_server --index "$TMP/index" --max-connections 2
exec 3<> "/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect"
exec 4<> "/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect"
sleep 0.3
req GET '/healthz'
expect_error 503 over_capacity "a connection over --max-connections"
expect_header Retry-After 1 "503 says when to retry"
exec 3>&- 4>&-
sleep 0.3
req GET '/healthz'
expect_status 200 "served again once connections close"
stop_server

done_ok
