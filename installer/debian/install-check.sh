#!/usr/bin/env bash
# The package's life on this machine, as CI proves it (issue 15):
# install with dpkg -i, run the installed `kiosk demo --headless` as the kiosk account, remove
# with dpkg -r and check that the data folder survived; install again with the README's own
# block (run verbatim); apply the same package as a signed update through the installed
# `kiosk update install`, after a tampered copy is refused; then purge and check that the data
# went. Needs root. Leaves the machine without the package, as it found it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
deb=$(ls dist/dinhdanh-kiosk_*_amd64.deb)
nfc=$(ls dist/dinhdanh-kiosk-nfc_*_all.deb)
if dpkg-query -W -f='${Status}' dinhdanh-kiosk 2>/dev/null | grep -q "install ok installed"; then
    echo "install-check: dinhdanh-kiosk is already installed here; not touching it" >&2
    exit 1
fi
trap 'dpkg --purge dinhdanh-kiosk-nfc dinhdanh-kiosk >/dev/null 2>&1 || true' EXIT

# Without systemd (CI, containers) the pcscd dependency's postinst only says it was not started.
dpkg -i "$deb" "$nfc"
test "$(readlink -f /usr/bin/kiosk)" = /opt/kiosk/kiosk
test "$(stat -c '%U:%G %a' /etc/kiosk)" = "root:kiosk 750"
test "$(stat -c '%U:%G %a' /var/lib/kiosk)" = "kiosk:kiosk 700"
grep -qx 'blacklist pn533_usb' /etc/modprobe.d/dinhdanh-kiosk-nfc.conf

# The installed program, as the account it runs under, in the data folder the package made.
run=/var/lib/kiosk/install-check
runuser -u kiosk -- env HOME=/var/lib/kiosk kiosk demo --headless --json --data-dir "$run" \
    > build/deb/demo.json
.venv/bin/python installer/check_demo_output.py build/deb/demo.json
database=$(find "$run" -name kiosk.db | head -1)
test -n "$database"

dpkg -r dinhdanh-kiosk-nfc dinhdanh-kiosk
test ! -e /opt/kiosk/kiosk && test ! -e /usr/bin/kiosk
test -f "$database" || { echo "install-check: dpkg -r lost the data folder" >&2; exit 1; }
echo "install-check: dpkg -r kept $database"

# The README's install block, verbatim, from the folder holding the packages.
.venv/bin/python tools/readme_block.py Install > build/deb/readme-install.sh
(cd dist && bash -euo pipefail "$root/build/deb/readme-install.sh")

# A signed update through the installed program: a tampered package is refused, the signed
# one is installed by dpkg (the same version again: the running one is not newer).
update=build/deb/update
rm -rf "$update" && mkdir -p "$update"
cp "$deb" "$update/"
package=$update/$(basename "$deb")
.venv/bin/python installer/sign_update.py keygen "$update/private.pem" "$update/public.pem"
.venv/bin/python installer/sign_update.py sign "$package" --key "$update/private.pem" \
    --version "$(.venv/bin/python -c 'import kiosk; print(kiosk.__version__)')"
printf '[security]\nupdate_public_key = "%s"\n' "$root/$update/public.pem" > "$update/kiosk.toml"
mkdir "$update/tampered"
tampered=$update/tampered/$(basename "$deb")
cp "$package" "$tampered" && printf 'x' >> "$tampered"
cp "$package.sig" "$tampered.sig"
status=0
kiosk --config "$update/kiosk.toml" update install "$tampered" --json || status=$?
if [ "$status" != 5 ]; then  # 5: update_invalid, refused before anything was installed
    echo "install-check: a tampered update gave exit $status, not 5" >&2; exit 1
fi
kiosk --config "$update/kiosk.toml" update install "$package" --json
rm -rf "$update"

dpkg --purge dinhdanh-kiosk-nfc dinhdanh-kiosk
test ! -e /var/lib/kiosk && test ! -e /etc/kiosk
echo "install-check: installed, ran, removed (data kept), README install, signed update, purged (data gone)"
