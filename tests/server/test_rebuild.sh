#!/bin/bash
# A rebuild under a running server (issue 11, item 1): `lectern-index build
# --force` installs a new data.mdb by rename while the server has the old
# one open.  The server must notice and serve the new index from its next
# request: a POST after the rebuild lands in the new file (the CLI and a
# restarted server see it), CLI writes to the new file show in the server,
# and a second rebuild is picked up too.  Before the fix the server kept
# serving the unlinked old file, acknowledging writes nobody would see.
. "$(dirname "$0")/lib.sh"

LECTERN=$(dirname "$INDEXER")/lectern
AUTH="Authorization: Bearer s3cret-token"
export LECTERN_TOKEN=s3cret-token
build_index "$TMP/index"

cat > "$TMP/rebuild.jsonl" <<'JSON'
{"id": "rb-01", "title": "Sámi languages in Nordic schools", "language": "en", "tags": ["education", "interculturalism"], "transcript": "Teaching Sámi languages keeps a culture alive."}
{"id": "rb-02", "title": "Housing discrimination against migrants", "language": "en", "tags": ["discrimination", "migration"], "transcript": "Landlords reject applicants with foreign names."}
{"id": "rb-03", "title": "Wellbeing at work for migrant nurses", "language": "en", "tags": ["wellbeing", "migration"], "transcript": "Nurses trained abroad describe their first year."}
JSON

start_server --index "$TMP/index"
req GET '/api/stats'
expect_body '"documents":5' "the first index has 5 lectures"
req GET '/api/search?q=racism'
expect_body '"id":"rac-02"' "the first index is searched"

# ---- rebuild with --force while the server runs
"$INDEXER" build --force --quiet --index "$TMP/index" "$TMP/rebuild.jsonl" > "$TMP/rb.out" 2>&1 ||
    { cat "$TMP/rb.out" >&2; fail "build --force failed"; }
req GET '/api/stats'
expect_body '"documents":3' "the server serves the rebuilt index (3 lectures)"
req GET '/api/lectures/gpg-01'
expect_status 404 "a lecture of the old index is gone"
req GET '/api/search?q=landlords'
expect_body '"id":"rb-02"' "the rebuilt index is searched"

# a POST after the rebuild goes into the new file
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "after-01", "title": "Acknowledged after the rebuild", "language": "en", "transcript": "Written into the new index file."}'
expect_status 200 "POST after the rebuild"
expect_body '"indexed":1' "the POST is acknowledged"
req GET '/api/lectures/after-01'
expect_status 200 "the server returns the posted lecture"
"$LECTERN" get --index "$TMP/index" after-01 > "$TMP/get.out" 2>&1 ||
    fail "lectern get does not see the acknowledged POST: $(cat "$TMP/get.out")"
ok
grep -q 'Acknowledged after the rebuild' "$TMP/get.out" || fail "lectern get returned: $(cat "$TMP/get.out")"
ok

# a CLI write to the new file shows in the server
printf '%s\n' '{"id": "cli-01", "title": "Added from the command line", "language": "en", "transcript": "Municipal equality plans."}' > "$TMP/cli.jsonl"
"$INDEXER" add --quiet --index "$TMP/index" "$TMP/cli.jsonl" > "$TMP/add.out" 2>&1 ||
    { cat "$TMP/add.out" >&2; fail "add failed"; }
req GET '/api/lectures/cli-01'
expect_status 200 "the server sees a CLI add made after the rebuild"
req DELETE '/api/lectures/rb-03' -H "$AUTH"
expect_status 200 "DELETE after the rebuild"
"$LECTERN" get --index "$TMP/index" rb-03 > /dev/null 2>&1 && fail "lectern get still finds a deleted lecture"
ok
req GET '/api/stats'
expect_body '"documents":4' "3 rebuilt + 1 posted + 1 added - 1 deleted"

# ---- a restart keeps everything acknowledged
stop_server
start_server --index "$TMP/index"
req GET '/api/lectures/after-01'
expect_status 200 "the posted lecture survives a restart"
req GET '/api/lectures/cli-01'
expect_status 200 "the CLI lecture survives a restart"

# ---- a second rebuild, with searches before it (cached answers and warm
# searchers of every pool thread must not outlive the old file)
for i in 1 2 3 4 5 6 7 8; do
    req GET "/api/search?q=migrants&limit=$i"
    expect_body '"id":"rb-02"' "search $i before the second rebuild"
done
"$INDEXER" build --force --quiet --index "$TMP/index" "$TMP/lectures.jsonl" > "$TMP/rb2.out" 2>&1 ||
    { cat "$TMP/rb2.out" >&2; fail "second build --force failed"; }
for i in 1 2 3 4 5 6 7 8; do
    req GET "/api/search?q=migrants&limit=$i"
    expect_status 200 "search $i after the second rebuild"
    expect_body '"total":2' "search $i after the second rebuild finds the new index's 2 lectures"
    expect_no_body '"id":"rb-02"' "search $i after the second rebuild answers from the new index"
done
req GET '/api/stats'
expect_body '"documents":5' "the second rebuild is served"
req POST '/api/lectures' -H "$AUTH" --data-binary '{"id": "after-02", "title": "After the second rebuild"}'
expect_body '"indexed":1' "POST after the second rebuild"
stop_server
"$LECTERN" get --index "$TMP/index" after-02 > /dev/null 2>&1 || fail "the second POST is not in the file"
ok

# ---- POSTs racing three rebuilds: every POST acknowledged after a rebuild
# returned is in the final file (the one in flight when it returned may
# have gone into the replaced file, which the rebuild replaces, as it
# replaces every earlier write), and no POST fails.
start_server --index "$TMP/index" --quiet
: > "$TMP/race_acked"
: > "$TMP/race_bad"
(
    i=0
    while [ ! -e "$TMP/race_stop" ]; do
        i=$((i + 1))
        out=$(curl -s --max-time 20 -H "$AUTH" -w ' %{http_code}' \
            --data-binary "{\"id\": \"race-$i\", \"title\": \"Race $i\"}" "$BASE/api/lectures")
        case "$out" in
        *'"indexed":1'*' 200') echo "race-$i" >> "$TMP/race_acked" ;;
        *) echo "race-$i: $out" >> "$TMP/race_bad" ;;
        esac
    done
) &
CLIENT=$!
BG_PIDS="$BG_PIDS $CLIENT"
for r in 1 2 3; do
    sleep 0.3
    "$INDEXER" build --force --quiet --index "$TMP/index" "$TMP/lectures.jsonl" > "$TMP/rb3.out" 2>&1 ||
        { cat "$TMP/rb3.out" >&2; fail "rebuild $r under POSTs failed"; }
    mark=$(wc -l < "$TMP/race_acked")
done
sleep 0.5
touch "$TMP/race_stop"
wait $CLIENT
[ -s "$TMP/race_bad" ] && fail "POSTs failed during the rebuilds: $(head -n 3 "$TMP/race_bad")"
ok
total=$(wc -l < "$TMP/race_acked")
[ "$total" -gt $((mark + 1)) ] || fail "too few POSTs after the last rebuild ($total, mark $mark)"
stop_server
for id in $(tail -n +$((mark + 2)) "$TMP/race_acked"); do
    "$LECTERN" get --index "$TMP/index" "$id" > /dev/null 2>&1 ||
        fail "$id, acknowledged after the last rebuild returned, is not in the index"
    ok
done
echo "test_rebuild: $total POSTs during 3 rebuilds, $((total - mark - 1)) after the last, all present"
done_ok
