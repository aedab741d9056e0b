#!/bin/sh
# smoke.sh -- every fuzz target run for a few seconds under libFuzzer with
# clang's AddressSanitizer and UndefinedBehaviorSanitizer, from the seed
# corpus kept in the repository (tests/fuzz/seeds/<target>/; a target
# without one starts from its built-in seeds), then the unit tests of the
# query and search paths, the integrity check and the corruption tests in
# the same clang build: clang's UBSan catches what gcc's misses (pointer
# arithmetic on NULL, issue 11 item 8).
#
#   sh tests/fuzz/smoke.sh [SECONDS_PER_TARGET]   (default 8; FUZZ_SECONDS)
#   FUZZ_BUILD=DIR   the clang build directory (default build-fuzz)
#
# Exits non-zero on the first crash, leak or sanitizer report; libFuzzer
# leaves the input that did it as crash-* / leak-* in the build directory.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-${FUZZ_SECONDS:-8}}
build=${FUZZ_BUILD:-build-fuzz}

# clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
# Optimised (-O2 -g) with the sanitizers: several times the runs of -O0.
if ! command -v clang >/dev/null; then
    sh scripts/deps.sh clang libclang-rt-14-dev
fi
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLECTERN_SANITIZE=ON \
    >/dev/null
targets=""
for src in tests/fuzz/fuzz_*.c; do
    targets="$targets $(basename "$src" .c)"
done
# The check and corruption tests too: damaged indexes are where pointer
# arithmetic goes wrong.  The corruption sweep runs apart, with fewer
# changes than the sanitize build's ctest sets (which would override ours).
units="test_query test_postings test_snippet test_check test_corrupt test_relvec"
flips=test_corrupt_flips
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build "$build" -j "$jobs" --target $targets $(for t in $targets; do echo "${t}_smoke"; done) \
    $units $flips >/dev/null

# -timeout is for hangs: the first query of fuzz_query and fuzz_http also
# builds the index and loads every installed dictionary's headwords, which
# takes over 10 s under ASan on a loaded machine.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in $targets; do
    corpus=$(mktemp -d "${TMPDIR:-/tmp}/lectern-fuzz-$t.XXXXXX")
    if [ -d "tests/fuzz/seeds/$t" ]; then
        cp tests/fuzz/seeds/"$t"/* "$corpus"/
    else
        "$build/tests/fuzz/${t}_smoke" --seeds "$corpus" >/dev/null
    fi
    echo "fuzz $t: ${secs}s from $(ls "$corpus" | wc -l) seeds"
    (cd "$build" && "./tests/fuzz/$t" -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 \
        -print_final_stats=0 "$corpus" 2>"fuzz-$t.log") ||
        { tail -40 "$build/fuzz-$t.log"; rm -rf "$corpus"; echo "FAIL: fuzz $t"; exit 1; }
    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$build/fuzz-$t.log" | tail -1
    rm -rf "$corpus"
done

# The query, search, check and corruption unit tests under clang's
# sanitizers.
(cd "$build" && LECTERN_TMP="$PWD/tmp" ctest --output-on-failure -R "^($(echo $units | tr ' ' '|'))\$")
echo "$flips: 300 changes"
(cd "$build" && mkdir -p tmp && LECTERN_TMP="$PWD/tmp" LECTERN_CORRUPT_FLIPS=300 "./tests/unit/$flips") ||
    { echo "FAIL: $flips"; exit 1; }
echo "fuzz smoke: all passed"
