#!/bin/bash
# Ids, tokens and queries with control characters are refused with a
# clear error wherever they arrive (issue 11, item 2): a JSON id with
# \u0000 (it used to be cut at the NUL and replace another lecture), an
# Authorization header with a NUL after the right token (it used to be
# accepted), q=ab%00cd (it used to search "ab"), an id in the path.
# And ids that look like API paths (item 9): "a/related" is written, then
# read and deleted as a%2Frelated.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
printf 's3cret-token\n' > "$TMP/token"
AUTH="Authorization: Bearer s3cret-token"
start_server --index "$TMP/index" --token-file "$TMP/token"

# raw_status HEADERS: sends a GET-free DELETE with the given raw header
# bytes (printf escapes) and prints the status code.
raw_status() {
    python3 - "$PORT" "$1" <<'PY'
import socket, sys
port, hdr = int(sys.argv[1]), sys.argv[2].encode().decode('unicode_escape').encode('latin-1')
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"DELETE /api/lectures/zz HTTP/1.1\r\nHost: x\r\n" + hdr + b"\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(data.split(b" ", 2)[1].decode())
print(data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace"))
PY
}

# ---- JSON ids: a NUL is refused, naming the field; nothing is replaced
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "zz", "title": "The first zz"}'
expect_status 200 "POST zz"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "zz\u0000b", "title": "Not zz"}'
expect_error 400 bad_record "an id with \\u0000"
expect_body '"field":"id"' "the error names the id"
expect_body 'NUL' "the error says what is wrong"
req GET '/api/lectures/zz'
expect_body '"title":"The first zz"' "zz was not replaced"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "zz2", "title": "a\u0000b"}'
expect_error 400 bad_record "a title with \\u0000"
expect_body '"field":"title"' "the error names the title"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "zz3", "title": "t\u0001"}'
expect_status 200 "other control characters in a title are text"

# ---- the Authorization header: a control character after the token
# is refused.  (A NUL never reaches the server: libmicrohttpd 0.9.75 ends
# a header value at a NUL, so "token\0junk" arrives as "token".  The
# server compares the whole value it is given, length included:
# test_routes.c checks that a NUL inside is refused.)
out=$(raw_status 'Authorization: Bearer s3cret-token\x01junk')
[ "${out%%$'\n'*}" = 400 ] || fail "a control character after the token: expected 400, got $out"
ok
case "$out" in *bad_header*control*) ok ;; *) fail "the 400 says why: $out" ;; esac
out=$(raw_status 'Authorization: Bearer s3cret-token\x7f')
[ "${out%%$'\n'*}" = 400 ] || fail "DEL after the token: expected 400, got $out"
ok
req GET '/api/lectures/zz'
expect_status 200 "zz is still there"
out=$(raw_status 'Authorization: Bearer s3cret-token')
[ "${out%%$'\n'*}" = 200 ] || fail "the right token deletes: $out"
ok

# ---- query strings
req GET '/api/search?q=ab%00cd'
expect_error 400 bad_parameter "q with %00"
expect_body 'q contains a control character' "the error names q"
req GET '/api/search?q=gender%0A'
expect_error 400 bad_parameter "q with a newline"
req GET '/api/search?q=gender&tags=gen%00der'
expect_error 400 bad_parameter "tags with %00"
req GET '/api/search?q=gender&x%00=1'
expect_error 400 bad_parameter "a parameter name with %00"
req GET '/api/search?q=gender+pay'
expect_status 200 "a plain query still works"
expect_body '"query":"gender pay"' "+ is a space"
req GET '/api/search?q=caf%C3%A9%25'
expect_status 200 "percent-encoded UTF-8 and %25"
expect_body '"query":"café%"' "decoded"

# ---- ids in the path
req GET '/api/lectures/gpg%0001'
expect_error 400 bad_parameter "an id with %00"
req GET '/api/lectures/gpg-01%00/related'
expect_error 400 bad_parameter "a related id with %00"

# ---- ids that look like API paths are reachable encoded (item 9)
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "a/related", "title": "An id that ends like a route", "tags": ["equality"]}'
expect_status 200 "POST a/related"
req GET '/api/lectures/a%2Frelated'
expect_status 200 "GET a%2Frelated is the lecture"
expect_body '"id":"a/related"' "the lecture a/related"
req GET '/api/lectures/a%2Frelated/related'
expect_status 200 "its related lectures"
expect_body '"id":"a/related"' "related to a/related"
req GET '/api/lectures/a/related'
expect_error 404 not_found "a/related unencoded is the related route of a"
req DELETE '/api/lectures/a%2Frelated' -H "$AUTH"
expect_status 200 "DELETE a%2Frelated"
expect_body '"deleted":"a/related"' "a/related deleted"
req GET '/api/lectures/a%2Frelated'
expect_error 404 not_found "a/related is gone"

stop_server
done_ok
