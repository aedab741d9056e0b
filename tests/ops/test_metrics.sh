#!/bin/bash
# GET /metrics: Prometheus text format that promtool check metrics
# accepts, with the counts of the requests just made.
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

build_index "$TMP/index"
printf 'admin-token\n' > "$TMP/token"
start_server --index "$TMP/index" --token-file "$TMP/token"
req GET '/api/search?q=migration'
req GET '/api/search?q=migration'
req GET '/api/nothing'
req POST /api/lectures -H "Authorization: Bearer admin-token" --data-binary '{"id": "m-01", "title": "Metrics"}'
req POST /api/lectures -H "Authorization: Bearer wrong" --data-binary '{"id": "m-02", "title": "Metrics"}'
req GET /metrics
expect_status 200 "GET /metrics"
expect_header Content-Type "text/plain; version=0.0.4; charset=utf-8" "the exposition format's type"
printf '%s\n' "$BODY" > "$TMP/metrics.txt"

has() {
    grep -qxF "$1" "$TMP/metrics.txt" || fail "no line '$1' in /metrics: $(grep -F "${1%% *}" "$TMP/metrics.txt")"
    ok
}
has 'lectern_http_requests_total{method="GET",route="/api/search",status="200"} 2'
has 'lectern_http_requests_total{method="other",route="other",status="404"} 1'
has 'lectern_http_requests_total{method="POST",route="/api/lectures",status="401"} 1'
has 'lectern_http_request_duration_seconds_count{method="GET",route="/api/search"} 2'
has 'lectern_cache_hits_total 1'
has 'lectern_cache_misses_total 1'
has 'lectern_index_documents 6'
has 'lectern_writes_total{result="ok"} 1'
has 'lectern_writes_total{result="rejected"} 1'
has 'lectern_search_partial_total 0'
grep -Eq '^lectern_http_request_duration_seconds_bucket\{method="GET",route="/api/search",le="\+Inf"\} 2$' "$TMP/metrics.txt" || fail "no +Inf bucket"
grep -Eq '^lectern_index_version [1-9][0-9]*$' "$TMP/metrics.txt" || fail "no index version"
grep -Eq '^lectern_open_connections [0-9]+$' "$TMP/metrics.txt" || fail "no open connections"
ok
stop_server

# a search cut by the work budget is counted
start_server --index "$TMP/index" --work-budget 1
req GET '/api/search?q=gender+equality+migration+education'
req GET /metrics
printf '%s\n' "$BODY" > "$TMP/metrics2.txt"
grep -qx 'lectern_search_partial_total 1' "$TMP/metrics2.txt" || fail "the cut search is not counted"
ok
stop_server

PROMTOOL=$(command -v promtool) || skip "promtool missing (Debian package prometheus); the metrics themselves passed $CHECKS checks"
"$PROMTOOL" check metrics < "$TMP/metrics.txt" > "$TMP/promtool.out" 2>&1 || fail "promtool check metrics: $(cat "$TMP/promtool.out")"
ok
done_ok
