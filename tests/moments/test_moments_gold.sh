#!/bin/sh
# The moments gold set (gold.tsv): for each phrase, the first moment that
# `lectern moments --best` returns for its lecture must start within
# TOLERANCE seconds of the second written down; at least 90% must.
# Prints every miss and the share found.
#   test_moments_gold.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
TOLERANCE=10
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-moments.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$build/lectern-index" build --quiet --index "$work/idx" "$src/corpus/" 2>"$work/build.log" ||
    { cat "$work/build.log"; fail "cannot index the corpus"; }

n=0
ok=0
tab=$(printf '\t')
while IFS="$tab" read -r id second query; do
    case $id in '#'* | '') continue ;; esac
    n=$((n + 1))
    start=$("$build/lectern" moments --index "$work/idx" --best --limit 1 --json "$id" "$query" |
        sed -n 's/.*"moments":\[{"start":\([0-9.]*\).*/\1/p')
    if [ -n "$start" ] && awk -v s="$start" -v g="$second" -v t=$TOLERANCE \
        'BEGIN { d = s - g; if (d < 0) d = -d; exit !(d <= t) }'; then
        ok=$((ok + 1))
    else
        echo "miss: $id \"$query\": expected ${second}s, first moment at ${start:-none}"
    fi
done <"$src/tests/moments/gold.tsv"
[ $n -ge 30 ] || fail "the gold set has $n pairs; at least 30 expected"
echo "moments gold: $ok of $n first moments within ${TOLERANCE}s"
[ $((ok * 10)) -ge $((n * 9)) ] || fail "fewer than 90% within ${TOLERANCE}s"
