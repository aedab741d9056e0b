#!/bin/sh
# Keystroke to paint: headless Chromium types 50 queries into the search
# page (the sample corpus's queries, then the moments gold set's phrases)
# at 60 ms a key, and the time from the last keystroke's keydown to the
# frame that shows that query's results (requestAnimationFrame after the
# results are in the DOM) is measured in the page.  Prints p50/p95/max.
# A benchmark, not a test: run it with nice on a quiet machine.
#   nice sh tests/bench/keystroke.sh [BUILD_DIR]
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
sh "$src/tests/browser/setup.sh" "$build/node" || exit $?
. "$src/tests/browser/serve.sh"
{
    cut -f2 "$src/corpus/queries.txt"
    grep -v '^#' "$src/tests/moments/gold.tsv" | cut -f3
} | head -50 >"$work/queries.txt"
node "$here/keystroke.mjs" "$BASE" "$work/queries.txt"
