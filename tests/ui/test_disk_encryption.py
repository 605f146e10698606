"""The full-disk-encryption probe on fake /proc and /sys trees, and BitLocker's status text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.disk_encryption import bitlocker_status, linux_encrypted


class FakeSystem:
    """A /proc/mounts and a /sys/class/block tree under ``root``, as the kernel lays them out."""

    def __init__(self, root: Path) -> None:
        self.proc, self.sysfs = root / "proc", root / "sys"
        self.proc.mkdir()
        self.mounts: list[str] = []

    def mount(self, device: str, point: str, kind: str = "ext4") -> None:
        self.mounts.append(f"{device} {point} {kind} rw,relatime 0 0")
        (self.proc / "mounts").write_text("\n".join(self.mounts) + "\n")

    def block(self, name: str, uuid: str = "", dm_name: str = "", slaves: tuple[str, ...] = ()):
        entry = self.sysfs / "class" / "block" / name
        entry.mkdir(parents=True)
        if uuid:
            (entry / "dm").mkdir()
            (entry / "dm" / "uuid").write_text(uuid + "\n")
            (entry / "dm" / "name").write_text(dm_name + "\n")
            link = self.sysfs / "block" / name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(entry)
        (entry / "slaves").mkdir()
        for slave in slaves:
            (entry / "slaves" / slave).mkdir()

    def encrypted(self, folder: str) -> bool | None:
        return linux_encrypted(Path(folder), self.proc, self.sysfs)


@pytest.fixture
def system(tmp_path: Path) -> FakeSystem:
    return FakeSystem(tmp_path)


def test_luks_under_lvm_is_encrypted(system: FakeSystem) -> None:
    system.block("sda2")
    system.block("dm-0", "CRYPT-LUKS2-0123-sda2_crypt", "sda2_crypt", ("sda2",))
    system.block("dm-1", "LVM-abc", "vg-root", ("dm-0",))
    system.mount("/dev/mapper/vg-root", "/")
    assert system.encrypted("/var/lib/kiosk") is True


def test_a_plain_partition_is_not(system: FakeSystem) -> None:
    system.block("vda1")
    system.mount("/dev/vda1", "/")
    assert system.encrypted("/var/lib/kiosk") is False


def test_lvm_without_crypt_is_not(system: FakeSystem) -> None:
    system.block("sda2")
    system.block("dm-0", "LVM-abc", "vg-root", ("sda2",))
    system.mount("/dev/mapper/vg-root", "/")
    assert system.encrypted("/srv") is False


def test_the_data_folders_own_mount_decides(system: FakeSystem) -> None:
    system.block("sda1")
    system.block("sdb1")
    system.block("dm-0", "CRYPT-LUKS2-99-data", "data", ("sdb1",))
    system.mount("/dev/sda1", "/")
    system.mount("/dev/mapper/data", "/srv/kiosk data")
    system.mounts[-1] = system.mounts[-1].replace("kiosk data", "kiosk\\040data")
    (system.proc / "mounts").write_text("\n".join(system.mounts) + "\n")
    assert system.encrypted("/srv/kiosk data/db") is True
    assert system.encrypted("/srv/kiosk") is False


def test_a_file_system_without_a_block_device_cannot_tell(system: FakeSystem) -> None:
    system.mount("overlay", "/", "overlay")
    assert system.encrypted("/var/lib/kiosk") is None


def test_no_proc_mounts_cannot_tell(tmp_path: Path) -> None:
    assert linux_encrypted(Path("/"), tmp_path / "none", tmp_path / "none") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("    Protection Status:    Protection On", True),
        ("    Protection Status:    Protection Off", False),
        ("    Conversion Status:    Fully Decrypted", None),
    ],
)
def test_bitlocker_status_line(line: str, expected: bool | None) -> None:
    output = f"Volume C: [OS]\n    Size:                 237.85 GB\n{line}\n"
    assert bitlocker_status(output) is expected
