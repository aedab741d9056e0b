#!/bin/bash
# `make run` (issue 15, item 17): the port is checked before anything is
# rebuilt, and a port in use stops it at once with what holds it and how
# to pick another (before, a second make run deleted and rebuilt the index
# under the first, then failed with "Address already in use"); the index
# is replaced in one rename, so a server reading it keeps answering.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
unset MAKELEVEL MAKEFLAGS MFLAGS

# The recipe: the port check first, the index replaced (--force), not
# removed; the port from PORT=.
make -n -C "$SRC" run PORT=18099 > "$TMP/n.txt" 2>&1 || { cat "$TMP/n.txt" >&2; fail "make -n run"; }
check=$(grep -n 'port-check.sh 18099' "$TMP/n.txt" | cut -d: -f1)
index=$(grep -n 'lectern-index build --force' "$TMP/n.txt" | cut -d: -f1)
serve=$(grep -n 'lectern-server .*--port 18099' "$TMP/n.txt" | cut -d: -f1)
[ -n "$check" ] && [ -n "$index" ] && [ -n "$serve" ] && [ "$check" -lt "$index" ] ||
    { cat "$TMP/n.txt" >&2; fail "make run does not check the port before indexing"; }
grep -q 'rm -rf' "$TMP/n.txt" && fail "make run removes the index before building it"
ok

"$INDEXER" build --quiet --force --index "$TMP/index" "$SRC/corpus/" > "$TMP/index.out" 2>&1 ||
    { cat "$TMP/index.out" >&2; fail "build --force of a new index failed"; }
start_server --index "$TMP/index"

# A port in use: said, with what holds it and how to choose another.
sh "$SRC/scripts/port-check.sh" "$PORT" > "$TMP/check.out" 2>&1 &&
    fail "the port check passes a port in use"
grep -q "port $PORT is in use by a Lectern server" "$TMP/check.out" &&
    grep -q "make run PORT=" "$TMP/check.out" ||
    { cat "$TMP/check.out" >&2; fail "the port check does not say what holds the port"; }
ok

# Rebuilding the index under the running server (a second make run on
# another port does that): the server goes on answering.
"$INDEXER" build --quiet --force --index "$TMP/index" "$SRC/corpus/" > "$TMP/index.out" 2>&1 ||
    { cat "$TMP/index.out" >&2; fail "build --force under a server failed"; }
req GET '/api/search?q=gender'
expect_status 200 "search after the index was rebuilt under the server"
expect_body '"id":"dub-2021-007"' "the server still finds lectures"

stop_server
# A free port passes.
sh "$SRC/scripts/port-check.sh" "$PORT" > "$TMP/check.out" 2>&1 ||
    { cat "$TMP/check.out" >&2; fail "the port check refuses a free port"; }
ok
done_ok
