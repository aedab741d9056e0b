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
req PUT '/api/lectures/rac-02/related'
expect_error 405 method_not_allowed "PUT on related"

stop_server
done_ok
