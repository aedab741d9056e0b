#!/bin/bash
# Moments (issue 14): GET /api/lectures/{id}/moments?q= lists every
# matching moment of one lecture in time order with times, marked text,
# scores and the density strip; an untimed lecture answers with passages
# and null times; /api/search?moments=N gives each hit its best moments.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
start_server --index "$TMP/index"

req GET '/api/lectures/rac-02/moments?q=racism%20discrimination'
expect_status 200 "moments of a timed lecture"
expect_json "moments"
expect_body '"id":"rac-02","query":"racism discrimination","total":2,"timed":true' "moments: id, query, total, timed"
expect_body '"moments":[{"start":6.5,"end":14,"text":"Many pupils meet everyday <mark>racism</mark> in the classroom."' "first moment in time order, marked"
expect_body '{"start":75,"end":82.5,"text":"Teachers can name <mark>discrimination</mark> when they see it."' "second moment"
bins=$(printf '%s' "$BODY" | sed -n 's/.*"density":\[\([0-9,]*\)\].*/\1/p' | awk -F, '{print NF}')
[ "$bins" = 48 ] || fail "density has 48 bins, got $bins: $BODY"
ok
# The bins cover 0..82.5 s: 6.5 s falls in bin 3, 75 s in bin 43.
dens=$(printf '%s' "$BODY" | sed -n 's/.*"density":\[\([0-9,]*\)\].*/\1/p')
[ "$(echo "$dens" | cut -d, -f4)" = 1 ] && [ "$(echo "$dens" | cut -d, -f44)" = 1 ] ||
    fail "density bins 3 and 43 hold the two words: $dens"
ok

req GET '/api/lectures/gpg-01/moments?q=gap'
expect_status 200 "moments of an untimed lecture"
expect_body '"timed":false' "untimed"
expect_body '"start":null,"end":null,"text":"The gender pay <mark>gap</mark>' "untimed passage without times"

req GET '/api/lectures/rac-02/moments?q=welfare'
expect_status 200 "moments with no match"
expect_body '"total":0' "no match: total 0"
expect_body '"moments":[]' "no match: no moments"

req GET '/api/lectures/no-such-lecture/moments?q=racism'
expect_error 404 not_found "moments of an unknown lecture"
req GET '/api/lectures/rac-02/moments?q=%22unterminated'
expect_status 400 "moments of a malformed query"

req GET '/api/search?q=racism%20discrimination&moments=1'
expect_status 200 "search with moments"
expect_body '"id":"rac-02"' "the timed lecture is found"
expect_body '"moments":[{"start":' "hits carry their best moment"
req GET '/api/search?q=racism'
expect_no_body '"moments"' "no moments unless asked"
req GET '/api/search?q=racism&moments=99'
expect_error 400 bad_parameter "moments above the limit"
done_ok
