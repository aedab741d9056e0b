#!/bin/sh
# Regenerates docs/screens/*.png: the page's states in headless Chromium
# against the sample corpus.
#   sh tests/browser/screens.sh [BUILD_DIR]   (default: build)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
sh "$here/setup.sh" "$build/node" || exit $?
. "$here/serve.sh"
node "$here/screens.mjs" "$BASE" "$src/docs/screens"
