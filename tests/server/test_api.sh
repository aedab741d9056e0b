#!/bin/bash
# Read endpoints and their errors: search (filters, paging, facets,
# snippets), lecture, tags, stats, healthz, the page; malformed
# and over-long queries, bad parameters, unknown ids and paths, wrong
# methods.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
start_server --index "$TMP/index"

# ---- search
req GET '/api/search?q=gender'
expect_status 200 "search"
expect_header Content-Type "application/json; charset=utf-8" "search"
expect_json "search"
expect_body '"query":"gender"' "search echoes the query"
expect_body '"id":"gpg-01"' "search finds the gender lecture"
expect_body '"took_ms":' "search reports took_ms"
expect_body '"facets":{"tags":{' "search has tag facets"
expect_body '"language":{' "search has language facets"
expect_body '<mark>' "the snippet highlights the match"
expect_body '"speaker":"Maria Lindqvist"' "hits carry the speaker from the record"
expect_body '"tags":["gender","equality","higher education"]' "hits carry the tags"
expect_body '"url":"https://lectures.example.org/gpg-01"' "hits carry the url"
expect_body '"duration":2710' "hits carry the duration"
expect_body '"language":"en"' "hits carry the language"

# a phrase spoken in a timed segment: the snippet says when (seconds)
req GET '/api/search?q=%22meet+everyday+racism%22'
expect_status 200 "timed search"
expect_body '"id":"rac-02"' "timed search finds the lecture"
expect_body '"field":"transcript","start":6.5}' "the timed snippet starts at 6.5 s"
# an untimed transcript snippet has start null
req GET '/api/search?q=audits'
expect_status 200 "untimed search"
expect_body '"start":null}' "an untimed snippet has start null"

# tags filter (all required) and facets over the whole result set, not the page
req GET '/api/search?tags=equality&limit=1'
expect_status 200 "tag filter"
expect_body '"total":3' "three lectures carry the equality tag"
expect_body '"limit":1' "limit is echoed"
expect_body '"equality":3' "facets count the whole result set"
n=$(printf '%s' "$BODY" | grep -o '"score":' | wc -l)
[ "$n" -eq 1 ] || fail "limit=1 returned $n hits"
ok
# facets=N lists the N most frequent values of each facet
req GET '/api/search?facets=1'
expect_status 200 "facets=1"
expect_body '"facets":{"tags":{"equality":3},"language":{"en":4}}' "facets=1 keeps the top value"
req GET '/api/search?facets=0'
expect_body '"facets":{"tags":{},"language":{}}' "facets=0 lists none"
req GET '/api/search?tags=equality,migration'
expect_body '"total":1' "two tags are both required"
expect_body '"id":"mig-03"' "two tags filter"

# paging: offset walks the same ranking
req GET '/api/search?tags=equality&limit=3'
all=$(printf '%s' "$BODY" | grep -o '"id":"[^"]*"' | tr '\n' ' ')
req GET '/api/search?tags=equality&limit=1&offset=2'
third=$(printf '%s' "$BODY" | grep -o '"id":"[^"]*"' | tr '\n' ' ')
[ "$third" = "$(echo "$all" | cut -d' ' -f3) " ] || fail "offset=2 gave $third of $all"
ok

# language filter and stemming in that language
req GET '/api/search?q=kest%C3%A4v%C3%A4&lang=fi'
expect_status 200 "lang=fi"
expect_body '"id":"kes-04"' "a Finnish query finds the Finnish lecture"
req GET '/api/search?q=migration&lang=fi'
expect_no_body '"id":"mig-03"' "lang=fi leaves out English lectures"

# speaker filter
req GET '/api/search?speaker=Ahmed+Yusuf'
expect_status 200 "speaker filter"
expect_body '"total":2' "two lectures by this speaker"

# an empty query lists everything
req GET '/api/search'
expect_status 200 "empty query"
expect_body '"total":5' "an empty query matches every lecture"

# HEAD answers like GET without a body
code=$(curl -s -o /dev/null -I -w '%{http_code}' "$BASE/api/search?q=gender")
[ "$code" = 200 ] || fail "HEAD /api/search: $code"
ok

# ---- errors of search
req GET '/api/search?q=%22unterminated+phrase'
expect_error 400 bad_query "an unterminated phrase"
expect_body '"offset":' "a bad query says where"
long=$(head -c 1100 /dev/zero | tr '\0' a)
req GET "/api/search?q=$long"
expect_status 200 "a query over LX_MAX_QUERY_BYTES is read as plain words (issue 13)"
long=$(for i in $(seq 1200); do printf 'word%05d+' "$i"; done)
req GET "/api/search?q=$long"
expect_status 200 "a GET of 12,000 bytes fits the default --header-buffer (16 KiB)"
long=$(head -c 15000 /dev/zero | tr '\0' a)
req GET "/api/search?q=$long"
expect_status 200 "a q of 15,000 bytes fits the default --header-buffer (16 KiB)"
long=$(head -c 17000 /dev/zero | tr '\0' a)
req GET "/api/search?q=$long"
expect_status 414 "a q of 17,000 bytes is beyond the default --header-buffer (16 KiB)"
long=$(head -c 17000 /dev/zero | tr '\0' b)
req GET "/api/search?q=gender" -H "X-Long: $long"
expect_status 431 "a header of 17,000 bytes is beyond the default --header-buffer (16 KiB)"
huge=$(head -c 40000 /dev/zero | tr '\0' a)
req GET "/api/search?q=$huge"
expect_status 414 "a URL beyond the header buffer"
many=$(for i in $(seq 80); do printf 'w%d+' "$i"; done)
req GET "/api/search?q=$many"
expect_status 200 "a query with too many terms is answered (issue 13)"
expect_body '"truncated":true,"dropped":["w65",' "it says which words it left out"
for p in 'limit=0' 'limit=abc' 'limit=101' 'offset=-1' 'offset=x' 'limit=10&offset=995' 'lang=EN%3B' 'facets=-1' 'facets=1001'; do
    req GET "/api/search?q=gender&$p"
    expect_error 400 bad_parameter "search with $p"
done

# ---- one lecture: the stored record, unknown fields included
req GET '/api/lectures/rac-02'
expect_status 200 "get"
expect_json "get"
expect_body '"id":' "get returns the record"
expect_body '"institution":' "get keeps every field"
expect_body 'Teachers can name discrimination' "get returns the segments"
req GET '/api/lectures/no-such-lecture'
expect_error 404 not_found "an unknown id"
req GET "/api/lectures/$(head -c 300 /dev/zero | tr '\0' x)"
expect_error 404 not_found "an id longer than LX_MAX_ID_BYTES"

# ---- tags, stats, healthz
req GET '/api/tags'
expect_status 200 "tags"
expect_json "tags"
expect_body '{"tag":"equality","count":3}' "every tag with its count"
expect_body '{"tag":"sustainability","count":1}' "every tag with its count"
req GET '/api/stats'
expect_status 200 "stats"
expect_json "stats"
expect_body '"documents":5' "stats counts the lectures"
expect_body '"uptime_s":' "stats has the uptime"
expect_body '"languages":[' "stats lists the languages"
req GET '/healthz'
expect_status 200 "healthz"
expect_body '{"status":"ok"}' "healthz"

# ---- the search page
req GET '/'
expect_status 200 "the page"
expect_header Content-Type "text/html; charset=utf-8" "the page"
expect_body '<title>Lectern' "the page has its title"
expect_body 'role="search"' "the page has a search form"
expect_body '/api/search' "the page calls the API"

# ---- routes and methods
req GET '/api/nothing'
expect_error 404 not_found "an unknown path"
req PUT '/api/search'
expect_error 405 method_not_allowed "PUT on search"
expect_header Allow "GET, HEAD, POST, OPTIONS" "405 says what is allowed"
req DELETE '/api/tags'
expect_error 405 method_not_allowed "DELETE on tags"
req GET '/api/lectures'
expect_error 405 method_not_allowed "GET on the lecture collection"
expect_header Allow "POST, OPTIONS" "the collection takes POST"
req POST '/api/lectures/rac-02' -d '{}'
expect_error 405 method_not_allowed "POST on one lecture"
expect_header Allow "GET, HEAD, DELETE, OPTIONS" "one lecture takes GET and DELETE"

# ---- the access log: method path status bytes microseconds cache
grep -Eq '^GET /api/search 200 [0-9]+ [0-9]+ (hit|miss)$' "$LOG" || fail "no access-log line for GET /api/search"
ok
grep -Eq '^PUT /api/search 405 [0-9]+ [0-9]+ -$' "$LOG" || fail "no access-log line for the 405"
ok

stop_server
done_ok
