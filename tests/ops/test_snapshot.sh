#!/bin/bash
# Snapshots while the server serves and writes: POST /api/snapshots and
# lectern-index snapshot write a compact, consistent copy that lectern
# check passes; restore puts it back, live (the running server moves to
# the restored file) and cold (stop, restore, start).
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

build_index "$TMP/index"
printf 'admin-token\n' > "$TMP/token"
ADMIN="Authorization: Bearer admin-token"

start_server --index "$TMP/index" --token-file "$TMP/token"
req POST /api/snapshots -H "$ADMIN"
expect_error 501 not_configured "snapshots without --snapshot-dir"
stop_server

mkdir "$TMP/snaps"
start_server --index "$TMP/index" --token-file "$TMP/token" --snapshot-dir "$TMP/snaps"

# writes and searches run while the snapshots are taken
(
    i=0
    while :; do
        i=$((i + 1))
        curl -s -o /dev/null -X POST -H "$ADMIN" --data-binary \
            "{\"id\": \"load-$i\", \"title\": \"Load lecture $i\", \"language\": \"en\", \"transcript\": \"written during the snapshot $i\"}" \
            "$BASE/api/lectures"
        curl -s -o /dev/null "$BASE/api/search?q=lecture+$i"
    done
) &
LOAD=$!
BG_PIDS="$BG_PIDS $LOAD"
sleep 0.5

req POST /api/snapshots -H "$ADMIN"
expect_status 201 "POST /api/snapshots"
expect_json "the snapshot answer"
SNAP=$(printf '%s' "$BODY" | sed -n 's/.*"path":"\([^"]*\)".*/\1/p')
[ -f "$SNAP/data.mdb" ] || fail "no data.mdb in '$SNAP' ($BODY)"
ls "$TMP/snaps" | grep -q tmp && fail "a temporary folder was left: $(ls "$TMP/snaps")"
"$CLI" check --index "$SNAP" > "$TMP/check.out" 2>&1 || fail "lectern check on the snapshot: $(cat "$TMP/check.out")"
ok
"$INDEXER" snapshot --index "$TMP/index" "$TMP/cli-snap" 2> "$TMP/snap.err" || fail "lectern-index snapshot: $(cat "$TMP/snap.err")"
grep -Eq '^snapshot .* bytes [0-9]+ seconds [0-9.]+$' "$TMP/snap.err" || fail "snapshot line: $(cat "$TMP/snap.err")"
"$CLI" check --index "$TMP/cli-snap" > "$TMP/check.out" 2>&1 || fail "lectern check on the CLI snapshot: $(cat "$TMP/check.out")"
"$INDEXER" snapshot --index "$TMP/index" "$TMP/cli-snap" 2> /dev/null && fail "a snapshot over an existing folder"
ok
# the load was running all along
kill -0 "$LOAD" || fail "the load stopped"
kill "$LOAD"
wait "$LOAD" 2> /dev/null
BG_PIDS=""

# ---- compact: the copy is no larger than the index file
[ "$(stat -c %s "$SNAP/data.mdb")" -le "$(stat -c %s "$TMP/index/data.mdb")" ] || fail "the snapshot is larger than the index"
ok

# ---- live restore: a lecture written after the snapshot goes away
N_SNAP=$("$CLI" search --index "$SNAP" --json "" 2> /dev/null | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
req POST /api/lectures -H "$ADMIN" --data-binary '{"id": "after-snap", "title": "Written after the snapshot"}'
expect_status 200 "a write after the snapshot"
req GET /api/lectures/after-snap
expect_status 200 "the new lecture is there"
"$INDEXER" restore --index "$TMP/index" "$SNAP" 2> "$TMP/restore.err" || fail "restore: $(cat "$TMP/restore.err")"
req GET /api/lectures/after-snap
expect_status 404 "after a live restore the running server serves the snapshot"
req GET '/api/search?q=&limit=1'
expect_body "\"total\":$N_SNAP" "the restored index holds the snapshot's $N_SNAP lectures"
req POST /api/lectures -H "$ADMIN" --data-binary '{"id": "after-restore", "title": "Written after the restore"}'
expect_status 200 "writes go on after a live restore"
req GET /api/lectures/after-restore
expect_status 200 "and are read back"
stop_server
"$CLI" check --index "$TMP/index" > "$TMP/check.out" 2>&1 || fail "lectern check after the restore: $(cat "$TMP/check.out")"
ok

# ---- cold restore into a new folder: stop, restore, start
"$INDEXER" restore --index "$TMP/fresh" "$TMP/cli-snap" 2> "$TMP/restore.err" || fail "restore into a new folder: $(cat "$TMP/restore.err")"
start_server --index "$TMP/fresh"
req GET /api/lectures/gpg-01
expect_status 200 "a server on the restored folder"
stop_server
"$INDEXER" restore --index "$TMP/fresh" "$TMP/nothing" 2> /dev/null && fail "restore from a missing snapshot"
ok
done_ok
