#!/bin/bash
# Language codes are validated the same way in every place a request names
# one (lang= of search and related, lang: in a query): by
# lx_language_lookup, as records are.  Before, lang=EN was refused while
# lang=xx and lang=english answered 200 with no results (issue 15, item 2).
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
start_server --index "$TMP/index"

# What names a language, in any case or form, finds its lectures.
for l in en EN En en-GB english English eng; do
    req GET "/api/search?q=migration&lang=$l"
    expect_status 200 "lang=$l"
    expect_body '"id":"mig-03"' "lang=$l finds the English lecture"
    expect_body '"language":{"en":' "lang=$l facets as en"
    req GET "/api/lectures/rac-02/related?lang=$l"
    expect_status 200 "related lang=$l"
    expect_body '"id":"int-05"' "related lang=$l"
done
req GET '/api/search?q=kest%C3%A4v%C3%A4&lang=FI'
expect_body '"id":"kes-04"' "lang=FI finds the Finnish lecture"

# What does not is refused, with the parameter named.
for l in xx english1 tlh zz-GB x Gaelic '%20' 'EN%3B'; do
    req GET "/api/search?q=migration&lang=$l"
    expect_error 400 bad_parameter "search lang=$l"
    expect_body '"field":"lang"' "search lang=$l names the parameter"
    req GET "/api/lectures/rac-02/related?lang=$l"
    expect_error 400 bad_parameter "related lang=$l"
done

# The query syntax's lang: reads languages the same way.
req GET '/api/search?q=migration+lang:EN'
expect_status 200 "lang:EN in the query"
expect_body '"id":"mig-03"' "lang:EN finds the English lecture"
req GET '/api/search?q=migration+lang:english'
expect_body '"id":"mig-03"' "lang:english finds the English lecture"
req GET '/api/search?q=migration+lang:xx'
expect_error 400 bad_query "lang:xx in the query"

stop_server
done_ok
