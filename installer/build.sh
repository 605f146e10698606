#!/usr/bin/env bash
# Build the PyInstaller one-folder app into dist/kiosk/.
# --smoke: then run the frozen app's --version, `support versions`, the bundled central server's
# --help, `demo --headless` and `support bundle`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
V=.venv/bin
export KIOSK_ROOT=$root
# Freeze the package as a wheel installs it (resources/ mapped into kiosk/resources, compiled
# catalogues, migrations), not the editable checkout PyInstaller cannot see through.
rm -rf build/freeze && mkdir -p build/freeze
"$V/python" -m pip wheel -q --no-deps -w build/freeze/wheel .
"$V/python" -m pip install -q --no-deps --target build/freeze/site build/freeze/wheel/*.whl
export KIOSK_SITE=$root/build/freeze/site
"$V/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/kiosk.spec
echo "build: dist/kiosk ($(du -sh dist/kiosk | cut -f1))"

if [ "${1:-}" = "--smoke" ]; then
    app=dist/kiosk/kiosk
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$app" --version
    HOME=$work "$app" support versions
    "$app" --central --help > /dev/null   # the bundled reference server (the demo's child)
    HOME=$work KIOSK_DATA_DIR=$work/data "$app" demo --headless --json > "$work/demo.json"
    "$V/python" installer/check_demo_output.py "$work/demo.json"
    HOME=$work KIOSK_DATA_DIR=$work/data KIOSK_DEMO=1 "$app" support bundle --out "$work/support.zip"
fi
