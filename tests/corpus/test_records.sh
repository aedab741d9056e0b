#!/bin/sh
# What lectern-index takes, refuses and warns about (issue 15, items 5-11):
# languages as ISO 639-1 codes, ISO 8601 dates, cues past the duration, a
# transcript beside segments or beside x.vtt, orphan caption files, a
# missing input (exit 2), paths without a doubled slash, "1 lecture", and
# a terminal progress bar that ends at 100%.
#   test_records.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-records.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work" || exit 1

# Records in JSON lines.
{
    echo '{"id":"l1","title":"English by name","language":"english"}'
    echo '{"id":"l2","title":"Klingon","language":"tlh"}'
    echo '{"id":"l3","title":"Made up","language":"xx"}'
    echo '{"id":"l4","title":"Finnish by code","language":"FIN"}'
    echo '{"id":"l5","title":"Upper case","language":"SV"}'
    echo '{"id":"d1","title":"Day first","date":"14/03/2023"}'
    echo '{"id":"d2","title":"Month only","date":"2023-03"}'
    echo '{"id":"d3","title":"No 30 February","date":"2023-02-30"}'
    echo '{"id":"c1","title":"Late cue","duration":600,"segments":[{"start":630,"end":632,"text":"after the end"}]}'
    echo '{"id":"t1","title":"Both","transcript":"plain copy","segments":[{"start":1,"end":2,"text":"timed copy"}]}'
} >in.jsonl
"$build/lectern-index" build --index idx in.jsonl 2>err.txt
st=$?
cat err.txt
[ $st = 3 ] || fail "exit status $st, expected 3 (some rejected)"
expect() { grep -qF -- "$1" err.txt || fail "missing message: $1"; }
expect 'warning: in.jsonl:1: language: "english" stored as its ISO 639-1 code "en"'
expect 'in.jsonl:2: language: "tlh" is not a language: use an ISO 639-1 code'
expect 'in.jsonl:3: language: "xx" is not a language'
expect 'warning: in.jsonl:4: language: "FIN" stored as its ISO 639-1 code "fi"'
expect 'in.jsonl:6: date: "14/03/2023" is not an ISO 8601 date: use YYYY, YYYY-MM or YYYY-MM-DD'
expect 'in.jsonl:8: date: "2023-02-30" is not an ISO 8601 date'
expect "warning: in.jsonl:9: segments[0]: ends at 632 s, after the lecture's duration (600 s)"
expect 'warning: in.jsonl:10: transcript: ignored: the lecture has timed segments'
grep -q "in.jsonl:5:\|in.jsonl:7:" err.txt && fail "a good record was reported"
grep -q "lectures 6 .*errors 4" err.txt || fail "summary should count 6 lectures and 4 errors"
# One language value per language: "english" is "en" to the filter, the
# facets and the stored record.
langs=$("$build/lectern" search --index idx --json --limit 50 "" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(" ".join(sorted(r["facets"]["language"])))')
[ "$langs" = "en fi sv" ] || fail "language facets: $langs"
"$build/lectern" search --index idx --lang en --json "english" | grep -q '"l1"' || fail "l1 not under lang en"
"$build/lectern" get --index idx l1 | grep -q '"language":"en"' || fail "l1 stored without its code"
"$build/lectern" get --index idx t1 | grep -q 'plain copy' && fail "t1 keeps a transcript it does not index"

# Folders: captions beside x.json, given with a trailing slash.
mkdir -p dir/timed
echo '{"id":"v1","title":"Timed with a transcript too","transcript":"plain"}' >dir/timed/v1.json
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ntimed words\n' >dir/timed/v1.vtt
printf '1\n00:00:01,000 --> 00:00:02,000\nsrt words\n' >dir/timed/v1.srt
echo '{"id":"v2","title":"Inline segments","segments":[{"start":1,"end":2,"text":"inline"}]}' >dir/timed/v2.json
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nnot read\n' >dir/timed/v2.vtt
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nbroken\n' >dir/timed/broken.vtt
echo '{"id":"broken","title":"Broken captions"}' >dir/timed/broken.json
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nalone\n' >dir/timed/orphan.vtt
printf '1\n00:00:01,000 --> 00:00:02,000\nalone\n' >dir/timed/lonely.srt
"$build/lectern-index" build --index idx2 dir/timed/ 2>err.txt
st=$?
cat err.txt
[ $st = 3 ] || fail "folder: exit status $st, expected 3 (the broken captions)"
grep -q "//" err.txt && fail "a path with a doubled slash"
expect 'dir/timed/broken.vtt:3:'
expect 'warning: dir/timed/v1.json:1: transcript: ignored: the timed transcript dir/timed/v1.vtt is indexed instead'
expect 'warning: dir/timed/v1.srt: ignored: dir/timed/v1.vtt beside it'
expect 'warning: dir/timed/v2.vtt: ignored: dir/timed/v2.json has its own "segments"'
expect 'warning: dir/timed/orphan.vtt: ignored: no dir/timed/orphan.json beside it'
expect 'warning: dir/timed/lonely.srt: ignored: no dir/timed/lonely.json beside it'
"$build/lectern" get --index idx2 v1 | grep -q '"transcript"' && fail "v1 keeps the transcript"

# A missing input fails the run (2), and nothing is written.
"$build/lectern-index" add --index idx missing.jsonl 2>err.txt
st=$?
cat err.txt
[ $st = 2 ] || fail "missing input: exit status $st, expected 2"
expect "missing.jsonl: No such file or directory"
echo '{"id":"n1","title":"New"}' >new.jsonl
"$build/lectern-index" add --index idx new.jsonl missing.jsonl 2>err.txt
st=$?
[ $st = 2 ] || fail "missing second input: exit status $st, expected 2"
"$build/lectern" get --index idx n1 >/dev/null 2>&1 && fail "n1 written although the run failed"

# Progress, not on a terminal: "1 lecture".
echo '{"id":"p1","title":"One"}' >one.jsonl
"$build/lectern-index" build --index idx3 one.jsonl 2>err.txt
cat err.txt
expect "progress: 1 lecture,"

# On a terminal the bar ends at 100%, also for the sample corpus, whose
# folder holds files that are not read (README, schema, topics).
python3 - "$build/lectern-index" "$src/corpus/" "$work/idx4" <<'PY' || fail "progress bar"
import os, pty, re, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "build", "--index", sys.argv[3], sys.argv[2]])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
text = out.decode("utf-8", "replace")
bars = re.findall(r"\] +([0-9.]+)% ", text)
print("progress bar:", bars[-3:] if bars else "none")
assert os.WEXITSTATUS(status) == 0, text
assert bars and bars[-1] == "100.0", text
PY
echo "ok"
