#!/bin/sh
# Issue 12: corpus/topics.txt names each topic in every corpus language
# (`equality | fi: tasa-arvo | ...`), and a query naming a topic by its
# label in the query's language boosts the tag as the English name does.
# The same corpus indexed with the labels stripped is the "before": an
# English query ranks exactly as it did there.
#   test_topic_labels.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-labels.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 "$src/corpus/check_corpus.py" "$src/corpus" >/dev/null 2>&1 || fail "check_corpus.py rejects the corpus"
"$build/lectern-index" build --index "$work/idx" --quiet "$src/corpus/" 2>"$work/build.log" ||
    { cat "$work/build.log"; fail "lectern-index exited $?"; }
grep -q "warning" "$work/build.log" && { cat "$work/build.log"; fail "warnings indexing the labels"; }
"$build/lectern" check --index "$work/idx" >/dev/null || fail "lectern check: exit $?"
cp -r "$src/corpus" "$work/bare"
sed 's/ *|.*//' "$src/corpus/topics.txt" >"$work/bare/topics.txt"
grep -q '|' "$work/bare/topics.txt" && fail "labels left in the bare topics.txt"
"$build/lectern-index" build --index "$work/bare-idx" --quiet "$work/bare/" 2>/dev/null ||
    fail "lectern-index (no labels) exited $?"

# A label that is no `xx: label` is a warning, and the lectures go in.
mkdir "$work/bad"
cp "$src/corpus/lectures/lectures.jsonl" "$work/bad/"
printf 'equality | tasa-arvo | xx: nope\nracism | fi: rasismi\n' >"$work/bad/topics.txt"
"$build/lectern-index" build --index "$work/bad-idx" "$work/bad/" 2>"$work/bad.log" ||
    fail "a bad label failed the build: $(cat "$work/bad.log")"
grep -q 'topics.txt:1: label "tasa-arvo" of "equality" has no language' "$work/bad.log" ||
    fail "no warning for a label without a language: $(cat "$work/bad.log")"
grep -q 'topics.txt:1: .*no language "xx"' "$work/bad.log" ||
    fail "no warning for language xx: $(cat "$work/bad.log")"
"$build/lectern" check --index "$work/bad-idx" >/dev/null || fail "lectern check (bad labels): exit $?"

# hits IDX QUERY [LIMIT]: id, lang, tags|..., score (tab-separated) a line,
# in rank order.
hits() {
    "$build/lectern" search --index "$1" --json --limit "${3:-40}" "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for h in d["results"]:
    print("\t".join((h["id"], h["language"], "|".join(h["tags"]), "%.6f" % h["score"])))'
}

# tasa-arvo (Finnish) finds the equality-tagged lectures of at least
# three languages, the Finnish ones first.
hits "$work/idx" tasa-arvo >"$work/fi.txt"
python3 - "$work/fi.txt" <<'PY' || fail "tasa-arvo: $(cat "$work/fi.txt")"
import sys
rows = [l.split("\t") for l in open(sys.argv[1])]
eq = [r for r in rows if "equality" in r[2].split("|")]
langs = {r[1] for r in eq}
assert len(langs) >= 3, langs
first = [r[1] for r in eq]
nfi = first.count("fi")
assert nfi >= 1 and first[:nfi] == ["fi"] * nfi, first
assert rows[0][1] == "fi" and "equality" in rows[0][2].split("|"), rows[0]
PY
# Without the labels the German and the Swedish label find less: the
# labels reach lectures of other languages through the tag.
for q in Gleichstellung jämställdhet; do
    hits "$work/idx" "$q" >"$work/with.txt"
    hits "$work/bare-idx" "$q" >"$work/without.txt"
    python3 - "$work/with.txt" "$work/without.txt" "$q" <<'PY' || fail "$q: $(cat "$work/with.txt")"
import sys
def tagged(path):
    rows = [l.split("\t") for l in open(path)]
    return [r for r in rows if "gender equality" in r[2].split("|")]
w, wo = tagged(sys.argv[1]), tagged(sys.argv[2])
assert len({r[1] for r in w}) >= 3, (sys.argv[3], w)
assert {r[0] for r in wo} < {r[0] for r in w}, (sys.argv[3], wo, w)
PY
done
# lang:sv jämställdhet (corpus/queries.txt q9): the Swedish lecture first.
hits "$work/idx" "lang:sv jämställdhet" 5 | head -1 | grep -q "	sv	gender equality" ||
    fail "lang:sv jämställdhet: $(hits "$work/idx" "lang:sv jämställdhet" 5)"

# English queries rank exactly as without the labels, even those whose
# stems a label shares in another language (Politik, interpretación).
for q in equality "gender equality" politics interpretation "racism in schools" \
    "wellbeing of migrant students" "integration policy" "discrimination" "diversity"; do
    hits "$work/idx" "$q" >"$work/with.txt"
    hits "$work/bare-idx" "$q" >"$work/without.txt"
    [ -s "$work/with.txt" ] || fail "$q: no hits"
    cmp -s "$work/with.txt" "$work/without.txt" ||
        fail "$q: ranks differ with the labels: $(diff "$work/without.txt" "$work/with.txt")"
done
echo "ok"
