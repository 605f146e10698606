#!/usr/bin/env bash
# Compile the Windows installer script against a PyInstaller build's file list.
# On Linux CI this is a syntax and packaging check (--check: no compression, the Linux build's
# files stand in for the Windows ones); on a Windows build machine it makes the real installer.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dist=${DIST:-dist/kiosk}
[ -d "$dist" ] || { echo "windows: $dist is missing; run installer/build.sh first" >&2; exit 1; }
version=$(.venv/bin/python -c 'import kiosk; print(kiosk.__version__)')
lists=build/nsis
.venv/bin/python installer/windows/file_list.py "$dist" "$lists"
check=()
out=dist/dinhdanh-kiosk-${version}-setup.exe
if [ "${1:-}" = "--check" ]; then
    # The check's output is an uncompressed stand-in, not a product: kept out of dist/, removed.
    check=(-DCHECK)
    out=$lists/check-setup.exe
    trap 'rm -f "$root/$out"' EXIT
fi
makensis -V2 -WX -INPUTCHARSET UTF8 "${check[@]}" -DDIST="$root/$dist" -DLISTS="$root/$lists" \
    -DVERSION="$version" -DOUTFILE="$root/$out" installer/windows/kiosk.nsi
echo "windows: $out ($(du -h "$out" | cut -f1))${check:+ (check build, uncompressed)}"
