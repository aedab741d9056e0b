#!/bin/bash
# A write racing concurrent searches: every search answers 200 while
# batches commit, and the new lectures are visible once their POST returns.
. "$(dirname "$0")/lib.sh"

READERS=4
URLS=25 # searches per curl call (one keep-alive connection)

build_index "$TMP/index"
printf 'race-token' > "$TMP/token"
start_server --index "$TMP/index" --token-file "$TMP/token" --quiet
AUTH="Authorization: Bearer race-token"

reader() {
    local n=0 args=() i
    for i in $(seq "$URLS"); do
        case $((i % 5)) in
        0) args+=(-o /dev/null "$BASE/api/search?q=gender+equality") ;;
        1) args+=(-o /dev/null "$BASE/api/search?q=racism&tags=racism") ;;
        2) args+=(-o /dev/null "$BASE/api/search?q=batch+lecture&limit=20") ;;
        3) args+=(-o /dev/null "$BASE/api/lectures/rac-02/related") ;;
        4) args+=(-o /dev/null "$BASE/api/search?q=migration&lang=en") ;;
        esac
    done
    # keep searching until the writer is done, and at least three rounds;
    # stop at once if the test itself is gone (kill -0 $$: the test shell)
    while [ ! -f "$TMP/writes-done" ] || [ "$n" -lt 3 ]; do
        kill -0 $$ 2> /dev/null && [ -d "$TMP" ] && [ "$n" -lt 400 ] || break
        curl -s -w '%{http_code}\n' --max-time 20 "${args[@]}" >> "$TMP/codes.$1"
        n=$((n + 1))
    done
}

for r in $(seq "$READERS"); do
    reader "$r" &
    READER_PIDS="${READER_PIDS:-} $!"
    BG_PIDS="$BG_PIDS $!"
done

# three batches of 40 lectures, then one with a word nobody else has
for b in 1 2 3; do
    for i in $(seq 40); do
        printf '{"id": "batch-%d-%02d", "title": "Batch lecture %d.%d on equality", "language": "en", "tags": ["equality", "batch"], "transcript": "A batch lecture about gender equality and migration, number %d of batch %d."}\n' \
            "$b" "$i" "$b" "$i" "$i" "$b"
    done > "$TMP/batch-$b.jsonl"
    req POST '/api/lectures' -H "$AUTH" --data-binary @"$TMP/batch-$b.jsonl"
    expect_status 200 "batch $b"
    expect_body '"indexed":40' "batch $b is indexed whole"
done
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "race-new", "title": "Zyxwquark studies", "language": "en", "transcript": "zyxwquark"}'
expect_status 200 "the last write"
# visible as soon as the POST has returned
req GET '/api/search?q=zyxwquark'
expect_status 200 "search after commit"
expect_body '"total":1' "the new lecture is found right after its commit"
expect_body '"id":"race-new"' "the new lecture is found right after its commit"
touch "$TMP/writes-done"

for p in $READER_PIDS; do wait "$p"; done
total=$(cat "$TMP"/codes.* | wc -l)
bad=$(grep -cv '^200$' "$TMP"/codes.* | awk -F: '{s += $NF} END {print s + 0}')
[ "$total" -ge $((READERS * URLS * 3)) ] || fail "only $total searches ran"
ok
[ "$bad" -eq 0 ] || fail "$bad of $total searches failed during the writes: $(sort "$TMP"/codes.* | uniq -c | tr '\n' ' ')"
ok
req GET '/api/stats'
expect_body '"documents":126' "5 + 120 + 1 lectures"
echo "$total searches during the writes"
stop_server
done_ok
