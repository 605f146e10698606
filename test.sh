#!/usr/bin/env bash
# The whole quality gate, offscreen: lint, format, types, architecture, dead code, tests.
# Tests start and stop every service they need (pcscd, the reference server) themselves.
set -euo pipefail
cd "$(dirname "$0")"
V=.venv/bin
[ -x "$V/python" ] || { echo "test: run ./setup.sh first" >&2; exit 1; }

export QT_QPA_PLATFORM=offscreen
export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}
unset KIOSK_DEMO KIOSK_CONFIG KIOSK_DATA_DIR

step() { printf '\n== %s\n' "$*"; }

sources=(kiosk tests benchmarks tools setup.py)
[ -d central ] && sources+=(central)
step "ruff check";  "$V/ruff" check "${sources[@]}"
step "ruff format"; "$V/ruff" format --check "${sources[@]}"
step "mypy --strict kiosk"; "$V/mypy"
step "import contracts"; "$V/lint-imports"
step "dead code";   "$V/python" tools/dead_code.py
step "catalogues";  "$V/python" tools/compile_catalogues.py

step "pytest"
# A crash (a signal) kills pytest before its summary: the fatal thread's stack, which
# faulthandler prints among all the others, is repeated last so a truncated log still shows it.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$V/python" -m pytest -p randomly --cov --cov-report= --durations=15 "$@" 2>&1 | tee "$log" \
  || status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  if [ "$status" -gt 128 ]; then
    printf '\n== pytest died of signal %d; the test that ran and the fatal stack:\n' "$((status - 128))"
    grep -n -m1 -B2 'Fatal Python error' "$log" || true
    sed -n '/^Current thread/,/^$/p' "$log"
  fi
  exit "$status"
fi
step "coverage of the security core (emrtd, domain): 100 % of branches required"
"$V/python" -m coverage report --include='kiosk/emrtd/*,kiosk/domain/*' --fail-under=100 --skip-covered
