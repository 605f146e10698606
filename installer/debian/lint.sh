#!/usr/bin/env bash
# lintian on the built packages: any error or warning not overridden (with its reason, in
# installer/debian/lintian/) fails. Takes minutes on the app package (thousands of binaries).
set -euo pipefail
cd "$(dirname "$0")/../.."
lintian --fail-on error,warning --tag-display-limit 0 --suppress-tags running-with-root-privileges \
    dist/dinhdanh-kiosk-nfc_*_all.deb dist/dinhdanh-kiosk_*_amd64.deb 2>&1 \
    | grep -v '^running with root privileges' || status=${PIPESTATUS[0]}
exit "${status:-0}"
