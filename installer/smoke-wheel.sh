#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh venv, and run the headless demo from it,
# so package data that only an editable install finds is caught.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip wheel -q --no-deps -w "$work/wheel" .
python3 -m venv "$work/venv"
wheel=$(ls "$work"/wheel/*.whl)
"$work/venv/bin/python" -m pip install -q "${wheel}[server]"
"$work/venv/bin/python" -m pip install -q --no-deps 'face-recognition==1.3.0'
cd "$work"
HOME=$work "$work/venv/bin/kiosk" support versions
HOME=$work KIOSK_DATA_DIR=$work/data "$work/venv/bin/kiosk" demo --headless --json > demo.json
"$root/.venv/bin/python" "$root/installer/check_demo_output.py" demo.json
