#!/usr/bin/env bash
# Package the frozen one-folder app (dist/kiosk/, made by installer/build.sh) as .deb files:
#   dist/dinhdanh-kiosk_VERSION_amd64.deb     the app under /opt/kiosk, /usr/bin/kiosk, the menu entry
#   dist/dinhdanh-kiosk-nfc_VERSION_all.deb   the nfcpy option: the pn533_usb blacklist
# It never freezes again: CI freezes once and packages that output.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/installer/debian
cd "$root"
[ -x dist/kiosk/kiosk ] || { echo "build-deb: dist/kiosk is missing; run installer/build.sh first" >&2; exit 1; }
version=$(.venv/bin/python -c 'import kiosk; print(kiosk.__version__)')
stage=build/deb
rm -rf "$stage" && mkdir -p "$stage"

# Fill a control template and write the package's md5sums (lintian asks for them).
finish() {  # finish PACKAGE_DIR TEMPLATE
    local dir=$1 template=$2 size
    size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
    mkdir -p "$dir/DEBIAN"
    sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$template" > "$dir/DEBIAN/control"
    (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
        | xargs -0 md5sum > DEBIAN/md5sums)
}
doc() {  # doc PACKAGE_DIR PACKAGE: copyright and changelog where Debian policy wants them
    local dir=$1 package=$2
    install -d -m 0755 "$dir/usr/share/doc/$package"
    install -m 0644 "$here/copyright" "$dir/usr/share/doc/$package/copyright"
    sed -e "s/@PACKAGE@/$package/" -e "s/@VERSION@/$version/" \
        -e "s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct)")/" "$here/changelog.in" \
        | gzip -9n > "$dir/usr/share/doc/$package/changelog.gz"
    install -d -m 0755 "$dir/usr/share/lintian/overrides"
    install -m 0644 "$here/lintian/$package" "$dir/usr/share/lintian/overrides/$package"
}

# The app.
app=$stage/dinhdanh-kiosk
install -d -m 0755 "$app/opt" "$app/usr/bin" "$app/usr/share/applications" \
    "$app/usr/share/icons/hicolor/scalable/apps"
cp -a dist/kiosk "$app/opt/kiosk"
# PyInstaller keeps the modes it found; the package gives everyone read (and execute on folders
# and programs), nothing writable but by root.
chmod -R u+rwX,go+rX,go-w "$app/opt/kiosk"
# Shared objects are mapped, not run: no execute bit (lintian: shared-library-is-executable).
find "$app/opt/kiosk" -type f -name '*.so*' -exec chmod 0644 {} +
ln -s /opt/kiosk/kiosk "$app/usr/bin/kiosk"
install -d -m 0755 "$app/usr/share/man/man1"
gzip -9n < "$here/kiosk.1" > "$app/usr/share/man/man1/kiosk.1.gz"
install -m 0644 "$here/dinhdanh-kiosk.desktop" "$app/usr/share/applications/"
install -m 0644 "$here/dinhdanh-kiosk.svg" "$app/usr/share/icons/hicolor/scalable/apps/"
doc "$app" dinhdanh-kiosk
finish "$app" "$here/control.in"
install -m 0755 "$here/postinst" "$here/postrm" "$app/DEBIAN/"

# The nfcpy option.
nfc=$stage/dinhdanh-kiosk-nfc
install -d -m 0755 "$nfc/etc/modprobe.d"
install -m 0644 "$here/nfc/dinhdanh-kiosk-nfc.conf" "$nfc/etc/modprobe.d/"
doc "$nfc" dinhdanh-kiosk-nfc
finish "$nfc" "$here/nfc/control.in"
echo "/etc/modprobe.d/dinhdanh-kiosk-nfc.conf" > "$nfc/DEBIAN/conffiles"

# gzip, not xz: xz takes minutes on 600 MB on two cores; the size differs by about a tenth.
dpkg-deb --root-owner-group -Zgzip --build "$app" "dist/dinhdanh-kiosk_${version}_amd64.deb" >/dev/null
dpkg-deb --root-owner-group -Zgzip --build "$nfc" "dist/dinhdanh-kiosk-nfc_${version}_all.deb" >/dev/null
ls -l dist/*.deb
