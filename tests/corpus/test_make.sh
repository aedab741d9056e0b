#!/bin/sh
# `make` is quiet (issue 15, item 19): scripts/compile.sh, which the
# Makefile builds with, shows what the compiler says and one closing line,
# no "Entering directory" nor a line per file or target; V=1 shows all;
# a failed build fails.  Checked on a small CMake project of three targets
# like ours (a library, two programs), then on the Makefile's commands.
#   test_make.sh SOURCE_DIR
set -u
src=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-make.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# As a person types make: not a sub-make of the make that runs the tests
# (make sanitize), which would print its own directory messages.
unset MAKELEVEL MAKEFLAGS MFLAGS

mkdir -p "$work/p/sub"
cat >"$work/p/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(quiet C)
add_compile_options(-Wall)
add_subdirectory(sub)
add_executable(one one.c)
target_link_libraries(one lib)
add_executable(two two.c)
target_link_libraries(two lib)
CM
echo 'add_library(lib STATIC lib.c)' >"$work/p/sub/CMakeLists.txt"
echo 'int lib(void) { return 1; }' >"$work/p/sub/lib.c"
echo 'int lib(void); int main(void) { return lib() - 1; }' >"$work/p/one.c"
echo 'int lib(void); int main(void) { int unused; return lib() - 1; }' >"$work/p/two.c"

# The Makefile's way: configured without rule messages, built by compile.sh
# under make (so that make's directory messages would show).
cat >"$work/Makefile" <<MK
all:
	@cmake -S p -B b -DCMAKE_RULE_MESSAGES=OFF >/dev/null
	@sh $src/scripts/compile.sh b 2
MK
(cd "$work" && make) >"$work/out.txt" 2>&1
st=$?
cat "$work/out.txt"
[ $st = 0 ] || fail "quiet build failed: $st"
grep -q "Entering directory\|Leaving directory" "$work/out.txt" && fail "make's directory noise"
grep -q "Built target\|Building C object\|Linking C" "$work/out.txt" && fail "a line per target or file"
grep -q "unused variable" "$work/out.txt" || fail "the compiler's warning was hidden"
[ "$(tail -1 "$work/out.txt")" = "built b" ] || fail "no closing line"
[ "$(wc -l <"$work/out.txt")" -le 8 ] || fail "more than the warning and one line"

# Nothing to do: one line.
(cd "$work" && make) >"$work/out.txt" 2>&1 || fail "no-op build failed"
[ "$(cat "$work/out.txt")" = "built b" ] || { cat "$work/out.txt"; fail "no-op build not one line"; }

# A broken file: the error shows and the status is a failure.
echo 'int main(void) { return nope; }' >"$work/p/one.c"
(cd "$work" && make) >"$work/out.txt" 2>&1 && fail "a broken build succeeded"
cat "$work/out.txt"
grep -q "nope" "$work/out.txt" || fail "the compiler's error was hidden"

# -v (V=1): every command.
echo 'int lib(void); int main(void) { return lib() - 1; }' >"$work/p/one.c"
sh "$src/scripts/compile.sh" -v "$work/b" 2 >"$work/out.txt" 2>&1 || fail "verbose build failed"
grep -q "one.c" "$work/out.txt" || fail "V=1 does not show the compiler's command"

# The Makefile builds that way, and V=1 turns it all back on.
make -n -C "$src" build >"$work/n.txt" 2>&1
grep -q "CMAKE_RULE_MESSAGES=OFF" "$work/n.txt" && grep -q "scripts/compile.sh build" "$work/n.txt" ||
    { cat "$work/n.txt"; fail "make build is not quiet"; }
make -n -C "$src" build V=1 >"$work/n.txt" 2>&1
grep -q "CMAKE_RULE_MESSAGES=ON" "$work/n.txt" && grep -q "compile.sh -v" "$work/n.txt" ||
    { cat "$work/n.txt"; fail "make V=1 is not verbose"; }
echo "ok"
