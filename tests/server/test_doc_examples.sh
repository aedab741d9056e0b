#!/bin/bash
# Every curl example in README.md and docs/api.md runs as written against
# the server `make run` starts (the sample corpus, a token for writes), from
# the repository's root (issue 15, item 15: two examples named a lecture
# the corpus lacks).  An example must answer 2xx, or the status of a
# "# NNN ..." line under it (examples meant to fail); a "# {...}" line
# under it (after the status, if any) is the exact body.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

"$INDEXER" build --quiet --index "$TMP/index" "$SRC/corpus/" > "$TMP/index.out" 2>&1 ||
    { cat "$TMP/index.out" >&2; fail "indexing the sample corpus failed"; }
export LECTERN_TOKEN=doc-example-token
start_server --index "$TMP/index"

# The examples of FILE, one a line: the command (continuation lines
# joined), a tab, the "# ..." line under it or nothing.
examples() {
    awk '/^```sh/ {block = 1; next}
         /^```/ {block = 0}
         !block {next}
         cmd != "" && cont {sub(/^ +/, " "); cmd = cmd $0; cont = sub(/ *\\$/, "", cmd); next}
         cmd != "" {e = /^# / ? substr($0, 3) : ""; print cmd "\t" e; cmd = ""}
         /^curl / {cmd = $0; cont = sub(/ *\\$/, "", cmd)}
         END {if (cmd != "") print cmd "\t"}' "$1"
}

n=0
for doc in README.md docs/api.md; do
    examples "$SRC/$doc" > "$TMP/examples"
    while IFS="$(printf '\t')" read -r cmd exp; do
        n=$((n + 1))
        run=${cmd//http:\/\/127.0.0.1:8080/$BASE}
        run=${run//http:\/\/localhost:8080/$BASE}
        status=$(cd "$SRC" && eval "$run -s -o '$TMP/body' -w '%{http_code}'" < /dev/null)
        body=$(cat "$TMP/body")
        want_status="2.."
        want_body=""
        case "$exp" in
        [0-9][0-9][0-9]*) want_status=${exp%% *}; [ "$exp" != "$want_status" ] && want_body=${exp#* } ;;
        '{'*) want_body=$exp ;;
        esac
        [[ "$status" =~ ^$want_status$ ]] || fail "$doc: $cmd
answered $status (expected $want_status): $body"
        if [ -n "$want_body" ] && [ "$body" != "$want_body" ]; then
            fail "$doc: $cmd
answered: $body
the doc says: $want_body"
        fi
        ok
    done < "$TMP/examples"
done
[ "$n" -ge 15 ] || fail "only $n curl examples found: is the extraction broken?"
echo "$n examples run"

stop_server
done_ok
