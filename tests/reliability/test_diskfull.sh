#!/bin/bash
# Disk full (issue 11, item 6): `lectern-index build --force` and `add` on a
# full disk must fail with a clear message and exit status 2, never a
# crash (build --force died with SIGBUS in mdb_env_open: LMDB maps its
# sparse lock file), and the old index must stay as it was.
# Two ways to fill the disk, each run when possible:
#   - a 1 MiB tmpfs (needs root and mount), filled up with a file;
#   - a file size limit (ulimit -f), under which writes fail with EFBIG.
# On the full tmpfs a running server is also sent a POST: it must refuse it
# saying the disk is full, write nothing, and keep serving.
# usage: test_diskfull.sh INDEXER LECTERN CORPUS [SERVER]
set -u
INDEXER=${1:?usage: $0 INDEXER LECTERN CORPUS [SERVER]}
LECTERN=${2:?}
CORPUS=${3:?}
SERVER=${4:-}
SPID=""
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-diskfull.XXXXXX")
MNT=""
cleanup() {
    [ -n "$SPID" ] && kill -9 "$SPID" 2> /dev/null && wait "$SPID" 2> /dev/null
    [ -n "$MNT" ] && umount "$MNT" 2> /dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
FAILS=0
CHECKS=0
fail() {
    echo "FAIL [diskfull $MODE]: $*" >&2
    FAILS=$((FAILS + 1))
}
ok() { CHECKS=$((CHECKS + 1)); }

docs() { "$LECTERN" stats --index "$1" 2> /dev/null | sed -n 's/^documents //p'; }

# expect_full WHAT RC OUT: exit status 2 (not a signal) and the message.
expect_full() {
    if [ "$2" -ne 2 ]; then
        fail "$1: expected exit status 2, got $2 $([ "$2" -gt 128 ] && echo "(signal $(($2 - 128)))"): $(cat "$3")"
    else
        ok
    fi
    grep -q 'the disk is full' "$3" || fail "$1: no disk-full message: $(cat "$3")"
    ok
}

# A lecture big enough not to fit in what is left.
python3 - "$TMP/big.jsonl" << 'PY' || { echo "python3 needed" >&2; exit 1; }
import json, random, sys
random.seed(7)
words = ["".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(60000)]
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "big-1", "title": "Big", "language": "en", "transcript": " ".join(words)}) + "\n")
PY

# run_case DIR LIMIT: DIR holds a built index; LIMIT is a ulimit -f value
# or "" (the file system itself is full).
run_case() {
    local dir=$1 lim=$2 before rc
    before=$(docs "$dir")
    [ -n "$before" ] && [ "$before" -gt 0 ] || { fail "no index to start from"; return; }
    (
        [ -n "$lim" ] && ulimit -f "$lim"
        exec "$INDEXER" build --force --quiet --index "$dir" "$CORPUS"
    ) > "$TMP/out" 2>&1
    rc=$?
    expect_full "build --force" $rc "$TMP/out"
    [ "$(docs "$dir")" = "$before" ] || fail "build --force: the old index changed: $(docs "$dir") lectures, was $before"
    ok
    [ -e "$dir/.building/data.mdb" ] && fail "build --force left its work files in $dir/.building"
    ok
    (
        [ -n "$lim" ] && ulimit -f "$lim"
        exec "$INDEXER" add --quiet --index "$dir" "$TMP/big.jsonl"
    ) > "$TMP/out" 2>&1
    rc=$?
    expect_full "add" $rc "$TMP/out"
    [ "$(docs "$dir")" = "$before" ] || fail "add: the index changed: $(docs "$dir") lectures, was $before"
    ok
    "$LECTERN" get --index "$dir" big-1 > /dev/null 2>&1 && fail "add: the lecture of a failed add is there"
    ok
}

# ---- a file size limit: 400 KiB, less than the corpus index (~600 KiB)
MODE=ulimit
"$INDEXER" build --quiet --index "$TMP/ix" "$CORPUS" > "$TMP/out" 2>&1 || { cat "$TMP/out" >&2; exit 1; }
run_case "$TMP/ix" 400
"$INDEXER" add --quiet --index "$TMP/ix" "$TMP/big.jsonl" > "$TMP/out" 2>&1 || fail "add without the limit failed: $(cat "$TMP/out")"
ok

# ---- a full tmpfs
MODE=tmpfs
mkdir -p "$TMP/mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m tmpfs "$TMP/mnt" 2> /dev/null; then
    MNT=$TMP/mnt
    "$INDEXER" build --quiet --index "$MNT/ix" "$CORPUS" > "$TMP/out" 2>&1 || { cat "$TMP/out" >&2; exit 1; }
    if [ -n "$SERVER" ]; then
        LECTERN_TOKEN=full-token "$SERVER" --index "$MNT/ix" --bind 127.0.0.1 --port 0 --quiet 2> "$TMP/server.log" &
        SPID=$!
        for _ in $(seq 100); do grep -q '^listening on' "$TMP/server.log" && break; sleep 0.1; done
        SBASE=$(sed -n 's#^listening on \(http://127\.0\.0\.1:[0-9]*\)$#\1#p' "$TMP/server.log")
        [ -n "$SBASE" ] || fail "the server did not start: $(cat "$TMP/server.log")"
    fi
    dd if=/dev/zero of="$MNT/fill" bs=4k 2> /dev/null
    if [ -n "$SERVER" ] && [ -n "$SBASE" ]; then
        out=$(curl -s --max-time 20 -H "Authorization: Bearer full-token" -w ' %{http_code}' \
            --data-binary @"$TMP/big.jsonl" "$SBASE/api/lectures")
        # The engine says LX_ENOSPC; the server maps it to 507 disk_full.
        case "$out" in
        *'"disk_full"'*' 507') ok ;;
        *) fail "POST on a full disk: expected a disk-full error, got: $out" ;;
        esac
        st=$(curl -s -o /dev/null -w '%{http_code}' "$SBASE/api/lectures/big-1")
        [ "$st" = 404 ] || fail "POST on a full disk: the lecture is there ($st)"
        st=$(curl -s -o /dev/null -w '%{http_code}' "$SBASE/api/search?q=gender")
        [ "$st" = 200 ] || fail "the server does not search after a disk-full POST ($st)"
        ok
        kill "$SPID" 2> /dev/null
        wait "$SPID" 2> /dev/null
        SPID=""
    fi
    run_case "$MNT/ix" ""
    # a reader that must create lock.mdb on a full disk is refused with a
    # message, not a SIGBUS
    rm -f "$MNT/ix/lock.mdb"
    "$LECTERN" stats --index "$MNT/ix" > "$TMP/out" 2>&1
    rc=$?
    [ $rc -lt 128 ] || fail "lectern stats on a full disk: signal $((rc - 128))"
    ok
    rm -f "$MNT/fill"
    [ "$(docs "$MNT/ix")" -gt 0 ] || fail "the index does not open once there is room"
    ok
else
    echo "SKIP [diskfull tmpfs]: cannot mount a tmpfs (not root?)"
fi

if [ "$FAILS" -gt 0 ]; then
    echo "FAIL [diskfull]: $FAILS failures, $CHECKS checks passed" >&2
    exit 1
fi
echo "PASS [diskfull]: $CHECKS checks"
