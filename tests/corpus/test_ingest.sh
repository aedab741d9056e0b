#!/bin/sh
# Malformed input: every bad record gets file:line: field: reason, the good
# ones around it are indexed (exit 3); under --strict nothing of the run is
# written (exit 2) and the index is unchanged.
#   test_ingest.sh BUILD_DIR
set -u
build=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-ingest.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
big=$(head -c 4194400 /dev/zero | tr '\0' 'a')
{
    echo '{"id":"g1","title":"Good one","transcript":"racism in schools"}'
    echo '{"title":"No id"}'
    echo '{"id":"b2","title":7}'
    printf '{"id":"b3","title":"Bad \377 byte"}\n'
    echo '{"id":"g2","title":"Good two","tags":["racism"]}'
    echo '{"id":"b4","title":"Big","description":"'"$big"'"}'
    echo '{"id":"g1","title":"Duplicate of g1"}'
    echo '{"id":"b5","title":"Bad times","segments":[{"start":5,"end":2,"text":"x"}]}'
    echo '{"id":"b6","title":"Broken JSON"'
    echo '{"id":"g3","title":"Good three","segments":[{"start":1,"end":2,"text":"hello migrants"}]}'
} >"$work/in.jsonl"

"$build/lectern-index" build --quiet --index "$work/idx" "$work/in.jsonl" 2>"$work/err.txt"
st=$?
cat "$work/err.txt"
[ $st = 3 ] || fail "exit status $st, expected 3 (some rejected)"
expect() { grep -qF "$1" "$work/err.txt" || fail "missing message: $1"; }
expect "in.jsonl:2: id: is required"
expect "in.jsonl:3: title: must be a string"
expect "in.jsonl:4: invalid UTF-8 byte 0xff (at byte 24)"
expect "in.jsonl:6: description: is 4194400 bytes, the limit is 4194304"
expect "in.jsonl:7: id: \"g1\" appears twice in this batch"
expect "in.jsonl:8: segments[0].end: must be a number >= start (5)"
expect "in.jsonl:9: malformed JSON"
grep -q "lectures 3 .*errors 7" "$work/err.txt" || fail "summary should count 3 lectures and 7 errors"
n=$("$build/lectern" search --index "$work/idx" --json "" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
[ "$n" = 3 ] || fail "expected the 3 good lectures, found $n"

# --strict: the first bad record aborts; nothing of this run is written.
{
    echo '{"id":"s1","title":"Would be new"}'
    echo '{"id":"s2"}'
} >"$work/strict.jsonl"
"$build/lectern-index" add --strict --quiet --index "$work/idx" "$work/strict.jsonl" 2>"$work/err2.txt"
st=$?
cat "$work/err2.txt"
[ $st = 2 ] || fail "strict exit status $st, expected 2"
grep -qF "strict.jsonl:2: title: is required" "$work/err2.txt" || fail "strict message"
n=$("$build/lectern" search --index "$work/idx" --json "" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
[ "$n" = 3 ] || fail "index changed under --strict: $n lectures"
"$build/lectern" get --index "$work/idx" s1 >/dev/null 2>&1 && fail "s1 written under --strict"

# A bad caption file names itself and its line; its lecture is skipped.
mkdir -p "$work/dir"
echo '{"id":"v1","title":"Timed"}' >"$work/dir/v1.json"
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhello\n' >"$work/dir/v1.vtt"
echo '{"id":"v2","title":"Fine"}' >"$work/dir/v2.json"
"$build/lectern-index" add --quiet --index "$work/idx" "$work/dir" 2>"$work/err3.txt"
st=$?
cat "$work/err3.txt"
[ $st = 3 ] || fail "caption error exit status $st, expected 3"
grep -q "v1.vtt:3:" "$work/err3.txt" || fail "caption error without file:line"
"$build/lectern" get --index "$work/idx" v2 >/dev/null || fail "v2 lost next to a bad caption file"
# Many records (more than the reader thread queues ahead): every 97th is
# bad, and the messages come out in input order with their own lines.
python3 - "$work/many.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 1001):
        if i % 97 == 0:
            f.write('{"id":"m%d","title":%d}\n' % (i, i))
        else:
            f.write(json.dumps({"id": "m%d" % i, "title": "Lecture %d on migration" % i,
                                "transcript": "word%d " % i * 50}) + "\n")
        if i % 250 == 0:
            f.write("\n")  # blank lines are skipped but counted
PY
"$build/lectern-index" build --quiet --index "$work/many" "$work/many.jsonl" 2>"$work/err4.txt"
st=$?
[ $st = 3 ] || fail "many: exit status $st, expected 3"
lines=$(grep -o 'many.jsonl:[0-9]*' "$work/err4.txt" | cut -d: -f2 | tr '\n' ' ')
want=$(python3 -c 'print(" ".join(str(i + i // 250 - (1 if i % 250 == 0 else 0)) for i in range(97, 1001, 97)) + " ")')
[ "$lines" = "$want" ] || fail "many: error lines '$lines', expected '$want'"
grep -q "lectures 990 .*errors 10" "$work/err4.txt" || fail "many: summary $(tail -1 "$work/err4.txt")"
"$build/lectern" get --index "$work/many" m998 >/dev/null || fail "many: m998 missing"
for i in idx many; do
    "$build/lectern" check --index "$work/$i" >/dev/null || fail "lectern check $i: exit $?"
done
# --strict over the same input stops at the first bad record and writes nothing.
"$build/lectern-index" build --strict --quiet --index "$work/many2" "$work/many.jsonl" 2>"$work/err5.txt"
st=$?
[ $st = 2 ] || fail "many --strict: exit status $st, expected 2"
[ "$(grep -c 'many.jsonl:' "$work/err5.txt")" = 1 ] || fail "many --strict: $(cat "$work/err5.txt")"
[ -e "$work/many2/data.mdb" ] && fail "many --strict: an index was written"
echo "ingest: all checks passed"
