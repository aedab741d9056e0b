#!/bin/sh
# README's command-line examples run as written (issue 15, item 18): the
# ```sh block of "## Command line", line by line, from a folder where
# build/ is this build and corpus/ the sample corpus; each must exit 0, so
# a file the README names must exist.
#   test_readme.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-readme.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ln -s "$build" "$work/build"
ln -s "$src/corpus" "$work/corpus"
awk '/^## Command line/ {on = 1; next} on && /^```sh/ {block = 1; next}
     block && /^```/ {exit} block && NF && !/^#/ {print}' "$src/README.md" >"$work/commands"
[ "$(grep -c 'build/lectern' "$work/commands")" -ge 10 ] || fail "command block not found"
cd "$work" || exit 1
while IFS= read -r cmd; do
    echo "\$ $cmd"
    sh -c "$cmd" >out.txt 2>&1 </dev/null
    st=$?
    [ $st = 0 ] || { cat out.txt; fail "exit status $st: $cmd"; }
done <commands
[ -s run.txt ] || fail "the batch example wrote no TREC run"
echo "ok"
