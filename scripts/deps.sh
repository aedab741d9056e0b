#!/bin/sh
# Installs the Debian packages Lectern builds with, when any is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Extra package names may be given as arguments (benchmarks add theirs).
# The operations tests' programs (help2man for the man pages, nginx,
# promtool, the OpenAPI checker's Python modules) are installed too as
# root; otherwise their absence is only noted: those tests skip.
set -e
pkgs="build-essential cmake pkg-config libstemmer-dev liblmdb-dev libcjson-dev libutf8proc-dev liblz4-dev libmicrohttpd-dev libssl-dev libinih-dev curl $*"
test_pkgs="help2man nginx-light prometheus systemd python3-yaml python3-jsonschema"
installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing=""
for p in $pkgs; do
    installed "$p" || missing="$missing $p"
done
test_missing=""
for p in $test_pkgs; do
    installed "$p" || test_missing="$test_missing $p"
done
if [ "$(id -u)" = 0 ]; then
    missing="$missing$test_missing"
elif [ -n "$test_missing" ]; then
    echo "note: the operations tests skip without:$test_missing" >&2
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq $missing >/dev/null
else
    echo "missing packages:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
fi
