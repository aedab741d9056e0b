#!/bin/sh
# Prepares the browser tests: Debian's chromium (installed with apt-get
# when running as root, as CI does) and playwright-core and axe-core from
# npm, installed into NODE_DIR (an ignored folder of the build, never the
# source tree; no browser is downloaded: the tests drive /usr/bin/chromium).
# Exit 0 when ready, 77 (ctest's skip) with the reason when it cannot be.
#   setup.sh NODE_DIR
set -u
node_dir=$1
skip() { echo "SKIP: browser tests: $*"; exit 77; }

if ! command -v chromium >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || skip "chromium is not installed (run: sudo apt-get install -y chromium)"
    echo "installing chromium with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } ||
        skip "chromium cannot be installed with apt-get"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || skip "node and npm are not installed (run: sudo apt-get install -y nodejs npm)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1 ||
        skip "nodejs and npm cannot be installed with apt-get"
fi
if [ ! -f "$node_dir/node_modules/playwright-core/package.json" ] ||
    [ ! -f "$node_dir/node_modules/axe-core/axe.min.js" ]; then
    mkdir -p "$node_dir"
    [ -f "$node_dir/package.json" ] || echo '{"private": true}' >"$node_dir/package.json"
    # playwright-core has no browser download of its own (that is the
    # "playwright" package); the environment variable makes sure.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm install --silent --no-audit --no-fund \
        --prefix "$node_dir" playwright-core@1 axe-core@4 >"$node_dir/npm.log" 2>&1 ||
        { tail -5 "$node_dir/npm.log"; skip "npm cannot install playwright-core and axe-core (offline?)"; }
fi
exit 0
