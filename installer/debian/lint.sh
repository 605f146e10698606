#!/usr/bin/env bash
# The glibc floor of the frozen folder against the package's libc6 dependency, then lintian on
# the built packages: any error or warning not overridden (with its reason, in
# installer/debian/lintian/) fails. Takes minutes on the app package (thousands of binaries).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build/deb
status=0
# Every bundled ELF file must load on the oldest glibc the package declares (libc6 in
# control.in): dpkg installs wherever that holds, so a newer need would break the app there.
.venv/bin/python installer/glibc_floor.py dist/kiosk --control installer/debian/control.in \
    || status=$?
lintian_status=0
lintian --fail-on error,warning --tag-display-limit 0 \
    dist/dinhdanh-kiosk-nfc_*_all.deb dist/dinhdanh-kiosk_*_amd64.deb > build/deb/lintian.txt 2>&1 \
    || lintian_status=$?
# CI runs as root, which lintian mentions on every run.
grep -v '^running with root privileges' build/deb/lintian.txt || true
echo "lintian: exit $lintian_status"
[ "$status" -eq 0 ] || exit "$status"
exit "$lintian_status"
