"""Whether the disk holding the kiosk's data is fully encrypted (an installation prerequisite).

The master key lies beside the database (DPAPI or a key file), so data at rest is only as safe
as the disk under it: design.md makes full-disk encryption a prerequisite and the self-test
checks it. The answer is True, False, or None when this system cannot tell.

* Linux: the block device under the data folder's mount, followed down through its device-mapper
  slaves (LVM on LUKS), is encrypted when one of them is a dm-crypt target, whose
  ``/sys/block/dm-N/dm/uuid`` starts with ``CRYPT-`` (what ``lsblk`` shows as ``crypt``).
* Windows: BitLocker's ``manage-bde -status`` for the data folder's drive says
  "Protection On". Untested: written from Microsoft's documentation, no Windows counter has run
  it yet.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from kiosk.system_env import system_environment

log = logging.getLogger(__name__)

CRYPT_PREFIX = "CRYPT-"
MANAGE_BDE_SECONDS = 20
_OCTAL = re.compile(r"\\([0-7]{3})")


def data_disk_encrypted(folder: Path) -> bool | None:
    """Whether the disk holding ``folder`` is fully encrypted; None when it cannot be told."""
    if sys.platform == "win32":
        return bitlocker_protected(folder)
    return linux_encrypted(folder)


def linux_encrypted(
    folder: Path, proc: Path = Path("/proc"), sysfs: Path = Path("/sys")
) -> bool | None:
    """dm-crypt under ``folder``'s mount; ``proc`` and ``sysfs`` are for the tests' fake trees.

    None without ``/proc/mounts`` (a system other than Linux).
    """
    try:
        device = _mount_device(folder, proc / "mounts")
    except OSError as err:
        log.info("mounts unreadable: %s", err)
        return None
    if device is None or not device.startswith("/dev/"):
        log.info("data folder's file system is not on a block device: %s", device)
        return None
    block = _block_name(device, sysfs)
    if block is None:
        log.info("block device %s not found in sysfs", device)
        return None
    return _is_crypt(block, sysfs, depth=0)


def _mount_device(folder: Path, mounts: Path) -> str | None:
    """The device mounted at the longest mount point that contains ``folder``."""
    target = os.path.realpath(folder)
    best, device = "", None
    for line in mounts.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        # /proc/mounts escapes spaces and tabs in paths as octal (\040).
        point = _OCTAL.sub(lambda match: chr(int(match.group(1), 8)), fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, device = point, fields[0]
    return device


def _block_name(device: str, sysfs: Path) -> str | None:
    """The kernel's name for ``device`` (``dm-0``, ``sda2``), found through sysfs."""
    name = Path(device).name
    if device.startswith("/dev/mapper/"):
        for uuid_dir in sorted((sysfs / "block").glob("dm-*/dm")):
            if (uuid_dir / "name").read_text(encoding="utf-8").strip() == name:
                return uuid_dir.parent.name
        return None
    if not (sysfs / "class" / "block" / name).exists():
        real = Path(os.path.realpath(device)).name
        return real if (sysfs / "class" / "block" / real).exists() else None
    return name


def _is_crypt(block: str, sysfs: Path, depth: int) -> bool:
    """Whether ``block`` or a device under it (its slaves) is a dm-crypt target."""
    entry = sysfs / "class" / "block" / block
    uuid = entry / "dm" / "uuid"
    if uuid.exists() and uuid.read_text(encoding="utf-8").startswith(CRYPT_PREFIX):
        return True
    slaves = entry / "slaves"
    if depth > 8 or not slaves.is_dir():  # device-mapper stacks are shallow; never loop
        return False
    return any(_is_crypt(slave.name, sysfs, depth + 1) for slave in slaves.iterdir())


def bitlocker_protected(folder: Path) -> bool | None:
    """BitLocker protection of ``folder``'s drive from ``manage-bde -status`` (untested)."""
    drive = Path(os.path.abspath(folder)).drive or "C:"
    try:
        done = subprocess.run(  # noqa: S603 - a fixed system tool, the drive from our own path
            ["manage-bde", "-status", drive],  # noqa: S607 - found on the system PATH
            capture_output=True,
            text=True,
            timeout=MANAGE_BDE_SECONDS,
            env=system_environment(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        log.info("manage-bde did not answer: %s", err)
        return None
    return bitlocker_status(done.stdout)


def bitlocker_status(output: str) -> bool | None:
    """Read "Protection Status" from ``manage-bde -status`` output (English Windows)."""
    for line in output.splitlines():
        label, _, value = line.partition(":")
        if label.strip() == "Protection Status":
            return value.strip().startswith("Protection On")
    return None
