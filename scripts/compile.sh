#!/bin/sh
# Builds a configured CMake build folder, quietly: what the compiler and
# linker say (warnings, errors) and one closing line, but not CMake's
# "Built target" lines nor make's "Entering directory".  Its status is the
# build's.  -v: everything, with every command (make V=1).
#   compile.sh [-v] BUILD_DIR [JOBS]
verbose=0
if [ "${1:-}" = "-v" ]; then
    verbose=1
    shift
fi
dir=${1:?usage: compile.sh [-v] BUILD_DIR [JOBS]}
jobs=${2:-$(nproc)}
if [ $verbose = 1 ]; then
    exec cmake --build "$dir" -j "$jobs" --verbose
fi
status=$(mktemp "${TMPDIR:-/tmp}/lectern-compile.XXXXXX") || exit 2
# The status travels through a file: a pipeline's status is its last
# command's, here grep's.
{
    cmake --build "$dir" -j "$jobs" -- --no-print-directory 2>&1
    echo $? >"$status"
} | grep -v -e '^\[ *[0-9]*%\] Built target ' -e '^Consolidate compiler generated dependencies'
rc=$(cat "$status")
rm -f "$status"
if [ "$rc" = 0 ]; then
    echo "built $dir"
else
    echo "build of $dir failed (make V=1 shows every command)"
fi
exit "$rc"
