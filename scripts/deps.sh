#!/bin/sh
# Installs the Debian packages Lectern builds with, when any is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Extra package names may be given as arguments (benchmarks add theirs).
set -e
pkgs="build-essential cmake pkg-config libstemmer-dev liblmdb-dev libcjson-dev libutf8proc-dev liblz4-dev libmicrohttpd-dev libssl-dev libinih-dev curl $*"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
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
