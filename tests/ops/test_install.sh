#!/bin/bash
# make install's layout (cmake --install of this build into a DESTDIR, as
# make install DESTDIR=... runs it): the programs, man pages made by
# help2man, the systemd unit (systemd-analyze verify passes on it, and its
# sandbox scores OK in systemd-analyze security) and the example config,
# which lectern-server reads.
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

STAGE=$TMP/stage
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
DESTDIR=$STAGE cmake --install "$BUILD" > "$TMP/install.out" 2>&1 || fail "cmake --install: $(cat "$TMP/install.out")"
if [ "$PREFIX" = /usr ]; then ETC=/etc; else ETC=$PREFIX/etc; fi
for f in bin/lectern-server bin/lectern-index bin/lectern bin/lectern-ship; do
    [ -x "$STAGE$PREFIX/$f" ] || fail "no $PREFIX/$f"
    ok
done
UNIT=$STAGE$PREFIX/lib/systemd/system/lectern.service
CONF=$STAGE$ETC/lectern/lectern-server.conf
[ -f "$UNIT" ] || fail "no unit at $PREFIX/lib/systemd/system"
[ -f "$CONF" ] || fail "no example config at $ETC/lectern"
grep -qx "ExecStart=$PREFIX/bin/lectern-server --config $ETC/lectern/lectern-server.conf" "$UNIT" || fail "ExecStart: $(grep ExecStart "$UNIT")"
for line in User=lectern ProtectSystem=strict ReadWritePaths=/var/lib/lectern NoNewPrivileges=yes PrivateTmp=yes; do
    grep -qx "$line" "$UNIT" || fail "the unit lacks $line"
    ok
done
if command -v help2man > /dev/null; then
    for m in lectern-server lectern-index lectern; do
        page=$STAGE$PREFIX/share/man/man1/$m.1
        [ -f "$page" ] || fail "no man page $m.1"
        grep -q '^\.SH' "$page" || fail "$m.1 is not a man page"
        ok
    done
    grep -q 'snapshot.-dir' "$STAGE$PREFIX/share/man/man1/lectern-server.1" || fail "lectern-server.1 lacks the options"
fi

# ---- the example config is one lectern-server reads (paths moved here)
build_index "$TMP/index"
sed -e "s|^index = .*|index = $TMP/index|" -e "s|^token-file = .*|token-file = $TMP/token|" \
    -e "s|^snapshot-dir = .*|snapshot-dir = $TMP/snaps|" -e "s|^port = .*|port = 0|" "$CONF" > "$TMP/conf"
printf 'tok\n' > "$TMP/token"
start_server --config "$TMP/conf"
req GET /healthz
expect_status 200 "a server started with the example config"
stop_server

# ---- systemd-analyze verify (the binary path moved to the staged one)
command -v systemd-analyze > /dev/null || skip "systemd-analyze missing (Debian package systemd); the layout passed $CHECKS checks"
sed "s|^ExecStart=$PREFIX/bin/|ExecStart=$STAGE$PREFIX/bin/|" "$UNIT" > "$TMP/lectern.service"
systemd-analyze verify --man=no "$TMP/lectern.service" > "$TMP/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$TMP/verify.out")"
ok
if systemd-analyze security --offline=yes "$TMP/lectern.service" > "$TMP/security.out" 2>&1; then
    grep -q 'Overall exposure level for lectern.service: [0-9.]* OK' "$TMP/security.out" || fail "the sandbox is weak: $(tail -n 1 "$TMP/security.out")"
    ok
fi
done_ok
