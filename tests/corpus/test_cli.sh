#!/bin/sh
# The lectern and lectern-index command lines (issue 15, items 12-14): a
# bad query in a --queries batch is reported without a stale line number;
# every command's --help is its own; related takes the API's filters and
# paging (--tags, --speaker, --offset) and applies them.
#   test_cli.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$build/lectern-index" build --quiet --index "$work/idx" "$src/corpus/" 2>"$work/build.log" ||
    { cat "$work/build.log"; fail "cannot index the corpus"; }

# Item 12: the error of a query in a batch names the query, and no line.
printf 'gender equality\n"unterminated\nq3\tracism -\n' >"$work/q.txt"
"$build/lectern" search --index "$work/idx" --queries "$work/q.txt" 2>"$work/err.txt" >/dev/null
st=$?
cat "$work/err.txt"
[ $st = 3 ] || fail "batch with a bad query: exit status $st, expected 3"
grep -q '^query 2: unterminated quote' "$work/err.txt" || fail "query 2's message"
grep -q '^query 2: .*line' "$work/err.txt" && fail "query 2's message names a line"
grep -q "queries 3 errors 1" "$work/err.txt" || fail "summary: queries 3 errors 1"

# Item 13: each command's --help is its own.
for cmd in search related get moments tags stats; do
    out=$("$build/lectern" "$cmd" --help) || fail "lectern $cmd --help failed"
    echo "$out" | head -1 | grep -q "^usage: lectern $cmd " || fail "lectern $cmd --help: $(echo "$out" | head -1)"
    for other in search related get tags stats; do
        [ "$other" = "$cmd" ] && continue
        echo "$out" | grep -q "lectern $other " && fail "lectern $cmd --help describes $other"
    done
done
"$build/lectern" related -h | grep -q -- "--speaker" || fail "related --help lacks --speaker"
for cmd in build add delete; do
    out=$("$build/lectern-index" "$cmd" --help) || fail "lectern-index $cmd --help failed"
    echo "$out" | head -1 | grep -q "^usage: lectern-index $cmd " || fail "lectern-index $cmd --help"
    [ "$(echo "$out" | grep -c '^usage:\|^       lectern-index')" = 1 ] ||
        fail "lectern-index $cmd --help lists other commands"
done
"$build/lectern" --help | grep -q "lectern related" || fail "global usage lost"

# Item 14: related with --tags, --speaker and --offset, as the API.
python3 - "$build/lectern" "$work/idx" <<'PY' || fail "related filters"
import json, subprocess, sys
cli, idx = sys.argv[1], sys.argv[2]
def run(*args):
    p = subprocess.run([cli, *args, "--index", idx], capture_output=True, text=True)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout
def related(*args):
    return json.loads(run("related", "--json", *args, "dub-2021-007"))["results"]
def record(i):
    return json.loads(run("get", i))
full = [h["id"] for h in related("--limit", "50")]
assert len(full) >= 8, full
page = [h["id"] for h in related("--limit", "3", "--offset", "2")]
assert page == full[2:5], (page, full[:5])
# A tag most of the related lectures carry, then a speaker among them.
counts = {}
for i in full:
    for t in record(i).get("tags", []):
        counts[t] = counts.get(t, 0) + 1
tag = max(sorted(counts), key=counts.get)
tagged = [h["id"] for h in related("--limit", "50", "--tags", tag)]
assert tagged and all(tag in record(i)["tags"] for i in tagged), (tag, tagged)
assert set(tagged) <= set(full) and len(tagged) < len(full), (tag, len(tagged), len(full))
speakers = {}
for i in full:
    s = record(i).get("speaker")
    speakers[s] = speakers.get(s, 0) + 1
speaker = max(sorted(k for k in speakers if k), key=speakers.get)
by = [h["id"] for h in related("--limit", "50", "--speaker", speaker)]
assert by and all(record(i)["speaker"] == speaker for i in by), (speaker, by)
assert {i for i in full if record(i).get("speaker") == speaker} <= set(by), (speaker, by)
print("related: %d hits; --tags %r: %d; --speaker %r: %d; --offset 2: %s"
      % (len(full), tag, len(tagged), speaker, len(by), page))
PY

# lectern moments (issue 14): time order with [m:ss-m:ss] and the words in
# brackets; --best puts the best first; a missing query or id is an error.
out=$("$build/lectern" moments --index "$work/idx" nor-2023-006 "social sustainability") ||
    fail "lectern moments"
echo "$out" | head -1 | grep -q '^4 moments$' || fail "moments count: $out"
echo "$out" | grep -q '^\[1:50-1:57\] .*\[social\] \[sustainability\]' || fail "moment line: $out"
[ "$(echo "$out" | sed -n 2p | cut -c1-5)" = "[0:13" ] || fail "time order: $out"
best=$("$build/lectern" moments --index "$work/idx" --best --limit 1 nor-2023-006 "social sustainability")
[ "$(echo "$best" | sed -n 2p | cut -c1-10)" = "[1:50-1:57" ] || fail "--best --limit 1: $best"
"$build/lectern" moments --index "$work/idx" nor-2023-006 >/dev/null 2>&1 && fail "moments without a query"
"$build/lectern" moments --index "$work/idx" no-such-id "x" >/dev/null 2>&1
[ $? = 2 ] || fail "moments of an unknown id: exit 2 expected"
echo "ok"
