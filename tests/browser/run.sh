#!/bin/sh
# The search page in headless Chromium (tests/browser/page.test.mjs)
# against lectern-server on the sample corpus.  Skips (77) when Chromium
# or the npm packages cannot be had.
#   run.sh BUILD_DIR SOURCE_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
src=$2
sh "$here/setup.sh" "$build/node" || exit $?
. "$here/serve.sh"
node "$here/page.test.mjs" "$BASE"
