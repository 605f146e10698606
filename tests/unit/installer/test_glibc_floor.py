"""installer/glibc_floor.py: the symbol versions read from real ELF files of the venv's Python,
and the build check that fails when a bundled file needs a newer glibc than the .deb declares."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from installer import glibc_floor

ROOT = Path(__file__).resolve().parents[3]


def _real_elf_files() -> list[Path]:
    """The interpreter's shared library and a compiled extension module (cmath needs libm)."""
    library = Path(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME"))
    return [
        library,
        Path(math.__file__).with_name(Path(math.__file__).name.replace("math", "cmath")),
    ]


def _readelf_needs(path: Path) -> dict[str, frozenset[str]]:
    """binutils' reading of the same section (readelf comes with build-essential, see setup.sh)."""
    text = subprocess.run(
        ["readelf", "--version-info", "--wide", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    section = text.split("'.gnu.version_r'", 1)[1]
    needs: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in section.splitlines():
        if file_name := re.search(r"File: (\S+)", line):
            current = needs.setdefault(file_name.group(1), set())
        elif version := re.search(r"Name: (\S+)", line):
            current.add(version.group(1))
    return {library: frozenset(names) for library, names in needs.items()}


@pytest.mark.parametrize("path", _real_elf_files(), ids=lambda path: path.name)
def test_versions_needed_are_those_readelf_lists(path: Path) -> None:
    needed = glibc_floor.needed_versions(path)
    assert needed == _readelf_needs(path)
    assert needed is not None
    assert "libc.so.6" in needed


def _bundle(tmp_path: Path) -> tuple[Path, Path]:
    """A folder like dist/kiosk: a real ELF, a symbolic link to it and a data file."""
    folder = tmp_path / "kiosk"
    (folder / "_internal").mkdir(parents=True)
    elf = folder / "_internal" / "libpython.so"
    shutil.copyfile(_real_elf_files()[0], elf)
    (folder / "libpython-link.so").symlink_to(elf)
    (folder / "_internal" / "base_library.zip").write_bytes(b"PK\x03\x04 not an ELF file")
    return folder, elf


def _control(tmp_path: Path, version: glibc_floor.Version) -> Path:
    control = tmp_path / "control"
    dotted = ".".join(map(str, version))
    control.write_text(f"Package: x\nDepends: pcscd, libc6 (>= {dotted}), libgl1\n")
    return control


def test_the_check_passes_at_the_floor_and_names_each_file_above_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, elf = _bundle(tmp_path)
    needed = glibc_floor.needed_versions(elf)
    assert needed is not None
    floor = glibc_floor.glibc_floor(needed)
    assert floor is not None
    assert floor >= (2, 3)
    assert glibc_floor.folder_floors(folder) == {elf: floor}  # the link and the zip are skipped

    assert glibc_floor.main([str(folder), "--control", str(_control(tmp_path, floor))]) == 0
    older = (floor[0], floor[1] - 1)
    assert glibc_floor.main([str(folder), "--control", str(_control(tmp_path, older))]) == 1
    dotted = ".".join(map(str, floor))
    assert f"needs glibc {dotted}: _internal/libpython.so" in capsys.readouterr().out


def test_a_truncated_elf_file_is_reported_not_skipped(tmp_path: Path) -> None:
    folder, elf = _bundle(tmp_path)
    elf.write_bytes(elf.read_bytes()[:4096])
    with pytest.raises(glibc_floor.MalformedElf, match=r"libpython\.so"):
        glibc_floor.folder_floors(folder)


def test_the_package_declares_a_glibc_ubuntu_2204_has() -> None:
    """README and docs/install.md promise Ubuntu 22.04 (glibc 2.35); lint.sh holds the bundle
    to the control's floor, so the control must not ask for more."""
    control = (ROOT / "installer" / "debian" / "control.in").read_text(encoding="utf-8")
    assert glibc_floor.declared_floor(control) <= (2, 35)
    with pytest.raises(ValueError, match="libc6"):
        glibc_floor.declared_floor("Depends: pcscd, libc6-dev\n")
