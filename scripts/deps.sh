#!/bin/sh
# Installs the Debian packages Lectern builds with, when any is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Extra package names may be given as arguments (benchmarks add theirs).
# The operations tests' programs (help2man for the man pages, nginx,
# promtool, the OpenAPI checker's Python modules) are installed too as
# root; otherwise their absence is only noted: those tests skip.
# liblingua-stopwords-perl: the stop lists (scripts/stopwords.pl).
set -e
# The FreeDict pairs of cross-language search (engine/dict.c): every
# corpus language to and from English (the pivot), and the German pairs
# that hold the words the small Spanish, Swedish and French ones lack.
dicts=""
for p in fin-eng eng-fin deu-eng eng-deu swe-eng eng-swe spa-eng eng-spa fra-eng eng-fra \
    ita-eng eng-ita deu-swe swe-deu deu-spa spa-deu deu-fra fra-deu deu-fin fin-deu deu-ita ita-deu; do
    dicts="$dicts dict-freedict-$p"
done
pkgs="build-essential cmake pkg-config libstemmer-dev liblmdb-dev libcjson-dev libutf8proc-dev liblz4-dev zlib1g-dev libmicrohttpd-dev libssl-dev libinih-dev curl liblingua-stopwords-perl $dicts $*"
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
