#!/bin/sh
# Fails when a tracked C file does not follow .clang-format (Debian's clang-format).
# Run `scripts/check-format.sh --fix` to rewrite the files in place.
set -e
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 || sh scripts/deps.sh clang-format
files=$(git ls-files '*.c' '*.h')
if [ "$1" = "--fix" ]; then
    clang-format -i $files
    exit 0
fi
if ! clang-format --dry-run --Werror $files; then
    echo "check-format: files above differ from .clang-format; run scripts/check-format.sh --fix" >&2
    exit 1
fi
echo "check-format: $(echo $files | wc -w) files follow .clang-format"
