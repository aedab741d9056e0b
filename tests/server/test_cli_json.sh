#!/bin/bash
# `lectern search --json` and `lectern related --json` print exactly the
# body the API answers for the same request (one writer, resjson.c),
# took_ms aside.  Before, the CLI printed its own shape: full-precision
# scores, no speaker, tags, url or took_ms (issue 15, item 4).
. "$(dirname "$0")/lib.sh"
CLI=$(dirname "$INDEXER")/lectern
[ -x "$CLI" ] || { fail "no lectern CLI beside $INDEXER"; }

build_index "$TMP/index"
start_server --index "$TMP/index"

no_took() { sed 's/"took_ms":[0-9.e+-]*/"took_ms":T/'; }

# same PATH CLI_ARGS...: the API's body at PATH and the CLI's output match.
same() {
    local path=$1
    shift
    req GET "$path"
    expect_status 200 "$path"
    local api cli
    api=$(printf '%s' "$BODY" | no_took)
    cli=$("$CLI" "$@" --index "$TMP/index" --json | no_took)
    [ "$api" = "$cli" ] || fail "lectern $* --json differs from GET $path:
api: $api
cli: $cli"
    case "$cli" in *'"took_ms":T'*) ok ;; *) fail "no took_ms in lectern $*: $cli" ;; esac
}

same '/api/search?q=gender' search gender
same '/api/search?q=racism+schools&limit=2&offset=1' search --limit 2 --offset 1 'racism schools'
same '/api/search?q=migration&tags=equality&lang=en' search --tags equality --lang en migration
same '/api/search?q=%22gender+pay%22' search '"gender pay"'
same '/api/search?q=education&facets=2' search --facets 2 education
same '/api/search?q=' search ''
same '/api/lectures/rac-02/related' related rac-02
same '/api/lectures/rac-02/related?limit=1&offset=1&facets=1' related --limit 1 --offset 1 \
    --facets 1 rac-02
same '/api/lectures/mig-03/related?lang=en' related --lang en mig-03

stop_server
done_ok
