#!/bin/sh
# Installs the Debian packages Lectern builds with, when any is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Extra package names may be given as arguments (benchmarks add theirs).
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
pkgs="build-essential cmake pkg-config libstemmer-dev liblmdb-dev libcjson-dev libutf8proc-dev liblz4-dev zlib1g-dev libmicrohttpd-dev curl liblingua-stopwords-perl $dicts $*"
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
