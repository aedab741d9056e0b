#!/bin/bash
# The per-query work budget (--work-budget): a search that runs out answers
# its best hits so far with "partial": true, or 503 over_budget when it has
# none; 0 means no budget.  The budgets below are work units of the sample
# records (lectern search --queries reports them): "migration" needs 14,
# and at 10 it has its hits but not its whole match set; at 5 none.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"

start_server --index "$TMP/index" --work-budget 0 --quiet
req GET '/api/search?q=migration'
expect_status 200 "no budget"
expect_no_body '"partial"' "no budget"
expect_body '"id":"mig-03"' "no budget"
stop_server

start_server --index "$TMP/index" --work-budget 10 --quiet
req GET '/api/search?q=migration'
expect_status 200 "budget 10"
expect_body '"partial":true' "budget 10"
expect_body '"id":"mig-03"' "budget 10"
expect_json "budget 10"
req GET '/api/lectures/mig-03/related'
expect_status 200 "related under a budget"
expect_no_body '"partial"' "related has no budget"
stop_server

start_server --index "$TMP/index" --work-budget 5 --quiet
req GET '/api/search?q=migration'
expect_error 503 over_budget "budget 5: nothing usable"
stop_server

if "$SERVER" --index "$TMP/index" --port 0 --work-budget x 2> "$TMP/bad.err"; then
    fail "--work-budget x was accepted"
fi
grep -q -- "--work-budget" "$TMP/bad.err" || fail "no message names --work-budget: $(cat "$TMP/bad.err")"
ok

done_ok
