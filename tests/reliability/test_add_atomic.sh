#!/bin/bash
# `lectern-index add` is one transaction (issue 11, item 7): while it runs a
# reader sees the index as it was before, then all of it; killed, it leaves
# the index as it was.  Before the fix an add committed every 16M tokens, so
# a reader saw it part-way and a kill left a state that was neither.  The
# input here is 18M tokens (nine lectures of 2M one-letter words, then
# 1,500 small ones): more than one old batch, a few seconds to index.
# usage: test_add_atomic.sh INDEXER LECTERN CORPUS
set -u
INDEXER=${1:?usage: $0 INDEXER LECTERN CORPUS}
LECTERN=${2:?}
CORPUS=${3:?}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-addatomic.XXXXXX")
ADD=""
trap '[ -n "$ADD" ] && kill -9 $ADD 2> /dev/null; rm -rf "$TMP"' EXIT
FAILS=0
fail() {
    echo "FAIL [add_atomic]: $*" >&2
    FAILS=$((FAILS + 1))
}
docs() { "$LECTERN" stats --index "$1" 2> /dev/null | sed -n 's/^documents //p'; }

python3 - "$TMP/add.jsonl" << 'PY'
import json, sys
big = " ".join(["x"] * 2000000)
with open(sys.argv[1], "w") as f:
    for i in range(9):
        f.write(json.dumps({"id": "bulk-%d" % i, "title": "Bulk %d" % i, "language": "en", "transcript": big}) + "\n")
    for i in range(1500):
        f.write(json.dumps({"id": "small-%d" % i, "title": "Small lecture %d" % i, "language": "en",
                            "transcript": "equality and migration in schools, part %d" % i}) + "\n")
PY
ADDED=1509

# run TRIAL KILL: an add watched by a reader (lectern stats every 50 ms);
# with KILL=1 the add is killed (-9) as soon as the reader sees any change.
run() {
    local trial=$1 kill=$2 before after seen n
    rm -rf "$TMP/ix"
    "$INDEXER" build --quiet --index "$TMP/ix" "$CORPUS" > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
    before=$(docs "$TMP/ix")
    after=$((before + ADDED))
    "$INDEXER" add --quiet --index "$TMP/ix" "$TMP/add.jsonl" > "$TMP/out" 2>&1 &
    ADD=$!
    seen=" "
    while kill -0 $ADD 2> /dev/null; do
        n=$(docs "$TMP/ix")
        case "$seen" in *" $n "*) ;; *) seen="$seen$n " ;; esac
        if [ "$kill" = 1 ] && [ -n "$n" ] && [ "$n" != "$before" ]; then
            kill -9 $ADD 2> /dev/null
            break
        fi
        sleep 0.05
    done
    wait $ADD 2> /dev/null
    ADD=""
    n=$(docs "$TMP/ix")
    seen="$seen$n "
    for n in $seen; do
        [ "$n" = "$before" ] || [ "$n" = "$after" ] ||
            fail "$trial: a reader saw $n lectures, neither before ($before) nor after ($after) the add; seen:$seen"
    done
    [ "$kill" = 1 ] || [ "$(docs "$TMP/ix")" = "$after" ] || fail "$trial: the add did not complete"
}
# (one run: killed at the first change it sees, or, when the first change
# it sees is the whole add, left to finish)
run "add watched and killed at its first visible change" 1
[ "$FAILS" = 0 ] || exit 1
echo "PASS [add_atomic]"
