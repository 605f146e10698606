#!/usr/bin/env bash
# lintian on the built packages: any error or warning not overridden (with its reason, in
# installer/debian/lintian/) fails. Takes minutes on the app package (thousands of binaries).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build/deb
status=0
lintian --fail-on error,warning --tag-display-limit 0 \
    dist/dinhdanh-kiosk-nfc_*_all.deb dist/dinhdanh-kiosk_*_amd64.deb > build/deb/lintian.txt 2>&1 \
    || status=$?
# CI runs as root, which lintian mentions on every run.
grep -v '^running with root privileges' build/deb/lintian.txt || true
echo "lintian: exit $status"
exit "$status"
