"""The oldest glibc each ELF file of the frozen build can run on, checked against the package.

A shared object or program records, in its ``.gnu.version_r`` section, the symbol versions it
needs from each library (``GLIBC_2.34`` from ``libc.so.6``, ``GLIBC_2.35`` from ``libm.so.6``).
The highest ``GLIBC_x.y`` among them is the oldest glibc the file loads on. The frozen app
carries libraries taken from the build machine, so a Debian 12 build can need glibc 2.36 where
the package promises less; dpkg would then install it where it cannot start.

Usage: ``glibc_floor.py FOLDER [--control CONTROL]``. Prints the folder's floor and the files
that set it. With ``--control`` (the .deb's control file or its template), it lists every file
needing a newer glibc than the control's ``libc6 (>= x.y)`` and exits 1 when there is one, so
the build fails instead of a counter PC. The section is parsed here (no binutils needed).
"""

from __future__ import annotations

import argparse
import os
import re
import struct
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

ELF_MAGIC = b"\x7fELF"
ELF64_LSB = b"\x02\x01"  # EI_CLASS 64-bit, EI_DATA little-endian
HEADER = struct.Struct("<Q10xHH")
SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")
VERNEED = struct.Struct("<HHIII")  # vn_version, vn_cnt, vn_file, vn_aux, vn_next
VERNAUX = struct.Struct("<IHHII")  # vna_hash, vna_flags, vna_other, vna_name, vna_next
SHT_GNU_VERNEED = 0x6FFFFFFE
GLIBC_VERSION = re.compile(r"GLIBC_(\d+(?:\.\d+)+)")
DECLARED_LIBC = re.compile(r"\blibc6\s*\(\s*>=\s*(\d+(?:\.\d+)+)")

Version = tuple[int, ...]


class MalformedElf(ValueError):
    """An ELF file whose headers or version section point outside the file."""


def _read(stream: BinaryIO, offset: int, size: int) -> bytes:
    stream.seek(offset)
    data = stream.read(size)
    if len(data) != size:
        raise MalformedElf(f"{size} bytes at offset {offset} run past the end of the file")
    return data


def _string(strtab: bytes, offset: int) -> str:
    end = strtab.find(b"\0", offset)
    if offset >= len(strtab) or end < 0:
        raise MalformedElf(f"string offset {offset} outside the string table")
    return strtab[offset:end].decode("ascii", "replace")


def _sections(stream: BinaryIO) -> list[tuple[int, int, int, int, int]]:
    """(type, offset, size, link, info) of every section header of a 64-bit little-endian ELF."""
    # e_shoff, then e_flags, e_ehsize, e_phentsize, e_phnum skipped, then e_shentsize, e_shnum.
    shoff, shentsize, shnum = HEADER.unpack(_read(stream, 0x28, HEADER.size))
    if shnum and shentsize < SECTION_HEADER.size:
        raise MalformedElf(f"section header entries of {shentsize} bytes")
    table = _read(stream, shoff, shentsize * shnum)
    headers = []
    for index in range(shnum):
        fields = SECTION_HEADER.unpack_from(table, index * shentsize)
        headers.append((fields[1], fields[4], fields[5], fields[6], fields[7]))
    return headers


def needed_versions(path: Path) -> dict[str, frozenset[str]] | None:
    """The symbol versions ``path`` needs, by library file name; None when it is not ELF."""
    with path.open("rb") as stream:
        ident = stream.read(16)
        if len(ident) < 16 or ident[:4] != ELF_MAGIC:
            return None
        if ident[4:6] != ELF64_LSB:
            raise MalformedElf("not a 64-bit little-endian ELF file (the kiosk is built for amd64)")
        sections = _sections(stream)
        needed: dict[str, set[str]] = {}
        for kind, offset, size, link, count in sections:
            if kind != SHT_GNU_VERNEED:
                continue
            if link >= len(sections):
                raise MalformedElf(f"version section linked to missing section {link}")
            _, str_offset, str_size, _, _ = sections[link]
            strtab = _read(stream, str_offset, str_size)
            section = _read(stream, offset, size)
            _walk_verneed(section, strtab, count, needed)
    return {library: frozenset(names) for library, names in needed.items()}


def _walk_verneed(section: bytes, strtab: bytes, count: int, needed: dict[str, set[str]]) -> None:
    """Add the (library, version) pairs of ``count`` Verneed entries and their Vernaux lists."""
    entry = 0
    try:
        for _ in range(count):
            _, aux_count, file_name, aux, following = VERNEED.unpack_from(section, entry)
            names = needed.setdefault(_string(strtab, file_name), set())
            position = entry + aux
            for _ in range(aux_count):
                _, _, _, name, next_aux = VERNAUX.unpack_from(section, position)
                names.add(_string(strtab, name))
                position += next_aux
            entry += following
    except struct.error as error:
        raise MalformedElf(f"version section entry at offset {entry}: {error}") from error


def glibc_floor(needed: Mapping[str, Iterable[str]]) -> Version | None:
    """The highest ``GLIBC_x.y`` among needed versions (from any library), or None."""
    versions = [
        tuple(int(part) for part in match.group(1).split("."))
        for names in needed.values()
        for name in names
        if (match := GLIBC_VERSION.fullmatch(name))
    ]
    return max(versions, default=None)


def folder_floors(folder: Path) -> dict[Path, Version]:
    """The glibc floor of every ELF file under ``folder`` that needs a versioned glibc symbol.

    Symbolic links are skipped: their target is measured where it lies (PyInstaller links
    Qt's libraries from the top of the bundle into the wheel's folder).
    """
    floors: dict[Path, Version] = {}
    for directory, _, files in os.walk(folder):
        for name in files:
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            try:
                needed = needed_versions(path)
            except MalformedElf as error:
                raise MalformedElf(f"{path}: {error}") from error
            floor = glibc_floor(needed) if needed else None
            if floor is not None:
                floors[path] = floor
    return floors


def declared_floor(control: str) -> Version:
    """The glibc version a control file's ``libc6 (>= x.y)`` dependency declares."""
    match = DECLARED_LIBC.search(control)
    if match is None:
        raise ValueError("the control file declares no libc6 (>= x.y) dependency")
    return tuple(int(part) for part in match.group(1).split("."))


def _dotted(version: Version) -> str:
    return ".".join(str(part) for part in version)


def main(argv: list[str] | None = None) -> int:
    """Print the folder's glibc floor; exit 1 when a file needs more than the control declares."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the frozen build (dist/kiosk)")
    parser.add_argument("--control", type=Path, help="the .deb control file or its template")
    args = parser.parse_args(argv)
    floors = folder_floors(args.folder)
    if not floors:
        sys.stderr.write(f"glibc floor: no ELF file under {args.folder}\n")
        return 1
    floor = max(floors.values())
    setters = sorted(path.relative_to(args.folder) for path, v in floors.items() if v == floor)
    lines = [f"glibc floor of {args.folder}: {_dotted(floor)} ({len(floors)} ELF files), set by:"]
    lines += [f"  {path}" for path in setters]
    above: list[tuple[Path, Version]] = []
    if args.control is not None:
        declared = declared_floor(args.control.read_text(encoding="utf-8"))
        above = sorted((path, v) for path, v in floors.items() if v > declared)
        lines += [f"  needs glibc {_dotted(v)}: {p.relative_to(args.folder)}" for p, v in above]
        lines.append(
            f"glibc floor: {len(above)} file(s) need more than the declared "
            f"libc6 (>= {_dotted(declared)}) of {args.control}"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if above else 0


if __name__ == "__main__":
    sys.exit(main())
