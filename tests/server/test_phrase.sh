#!/bin/bash
# A phrase query matches only lectures with the phrase (in any field, the
# tags included): a tag its words name ranks those lectures but brings in
# no other.  Before, "higher education" also matched every lecture tagged
# "education" through the tag boost of its last word (issue 15, item 3).
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
start_server --index "$TMP/index"

json_total() { printf '%s' "$BODY" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }

req GET '/api/search?q=%22higher+education%22'
expect_status 200 "a phrase query"
expect_body '"total":1,' "only the lecture with the phrase matches"
expect_body '"id":"gpg-01"' "the lecture tagged higher education has the phrase"
expect_no_body '"id":"rac-02"' "a lecture tagged education lacks the phrase"
expect_no_body '"id":"int-05"' "a lecture tagged education lacks the phrase"
expect_body '"facets":{"tags":{"equality":1,"gender":1,"higher education":1}' \
    "the facets count the phrase's matches"

# Without facets the page keeps to the same matches.
req GET '/api/search?q=%22higher+education%22&facets=0&limit=10'
expect_no_body '"id":"rac-02"' "no facets: the phrase's matches only"

# With other words the phrase's tag still only ranks.
req GET '/api/search?q=%22higher+education%22+welfare'
expect_body '"id":"mig-03"' "the other word matches"
expect_no_body '"id":"int-05"' "a lecture tagged education lacks phrase and word"

# Words, not a phrase: a tag they name may bring lectures in, as before.
req GET '/api/search?q=higher+education'
t=$(json_total)
[ "${t:-0}" -ge 3 ] || fail "higher education as words: $BODY"
ok

stop_server
done_ok
