#!/usr/bin/env bash
# Prepare a Debian 12 machine (or Ubuntu 22.04+) for developing and testing kiosk.
# Idempotent: a second run installs nothing and finishes in seconds.
# Run as root, or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

# What the product needs at run time (and to build pyscard from its sdist).
PRODUCT_PACKAGES=(
    pcscd libccid libpcsclite-dev libusb-1.0-0
    build-essential python3-dev python3-venv
    fonts-dejavu-core libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3
    libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
    libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0
    libstdc++6 libexpat1 libcups2   # not bundled by installer/kiosk.spec: the .deb depends on them
)
# What only the tests and the benchmarks need (benchmarks/startup.py: xwininfo of x11-utils);
# never a dependency of a product package.
TEST_PACKAGES=(vsmartcard-vpcd poppler-utils xvfb x11-utils gettext)
# What only building the installers needs (installer/build.sh: the .deb, lintian, the NSIS check).
BUILD_PACKAGES=(dpkg-dev fakeroot lintian nsis)

missing=()
for pkg in "${PRODUCT_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BUILD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "setup: Python 3.11 or newer is required ($PYTHON is $("$PYTHON" --version))" >&2; exit 1; }

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

# Reinstall only when the dependency declarations changed.
stamp=.venv/.kiosk-setup-stamp
want=$(cat pyproject.toml setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip wheel
    .venv/bin/python -m pip install -q -e '.[dev,server]'
    # face_recognition declares dlib, which pip would compile; dlib-bin provides it prebuilt.
    .venv/bin/python -m pip install -q --no-deps 'face-recognition==1.3.0'
    echo "$want" > "$stamp"
fi
.venv/bin/python tools/compile_catalogues.py
echo "setup: ready (.venv)"
