"""No personal value reaches the disk in clear when the whole product runs, not only the store.

``tests/integration/store/test_no_plaintext.py`` searches what the store writes for a citizen
made in the test. This test runs the installed ``kiosk`` script as officers and scripts do:
``kiosk demo --headless`` (chip read on the simulated CCCD, face match, contact, submit,
approve) and then ``kiosk db backup``, each in a process of its own with a private ``HOME`` and
``TMPDIR``; the demo is the session's one run (``tests/support/demo_run.py``) and the backup is
made in this test's copy of its folders. Then it reads every file the product may have written,
under the run folder (the database and any ``-wal``/``-shm`` left, backups, logs, keys, the
simulated devices' folder), the temp folder and the home folder (``platformdirs`` logs land
there), and looks for the demo citizen's personal values in every form they could take, and
for the chip portrait's bytes.

A clean exit checkpoints and removes the ``-wal`` and ``-shm`` files, so they are searched when
present; the store-level test searches them while the engine is open.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from kiosk.app import build
from kiosk.config import PathSettings, Settings
from kiosk.devices.sim import citizens
from kiosk.domain.text import ascii_fold
from kiosk.store.rows.biometric import PortraitKind
from tests.support.demo_run import DemoRun, run_kiosk

pytestmark = pytest.mark.slow  # the session's headless demo (tests/support/demo_run.py): ~20 s

NAME = "Trần Thị Thu Hằng"
ID_NUMBER = "001185012345"
BIRTH = date(1985, 6, 15)
PHONE = "0912345678"
EMAIL = "congdan.demo@example.vn"
PORTRAIT = "grace_hopper.portrait.jpg"
"""The JPEG inside the simulated chip's DG2 (``resources/demo/faces``)."""
PORTRAIT_RUN = 64
"""How many bytes of the portrait's middle are searched for."""


def needles(portrait: bytes) -> dict[str, bytes]:
    """Every form in which the demo citizen's data could sit on a disk in clear."""
    nfc = unicodedata.normalize("NFC", NAME)
    nfd = unicodedata.normalize("NFD", NAME)
    middle = len(portrait) // 2
    return {
        "name NFC (UTF-8)": nfc.encode(),
        "name NFD (UTF-8)": nfd.encode(),
        "name without diacritics": ascii_fold(NAME).encode(),
        "name without diacritics, upper case": ascii_fold(NAME).upper().encode(),
        "name upper case (UTF-8)": nfc.upper().encode(),
        "name NFC UTF-16-LE": nfc.encode("utf-16-le"),
        "name NFD UTF-16-LE": nfd.encode("utf-16-le"),
        "name upper case UTF-16-LE": nfc.upper().encode("utf-16-le"),
        "ID number": ID_NUMBER.encode(),
        "ID number UTF-16-LE": ID_NUMBER.encode("utf-16-le"),
        "phone 0...": PHONE.encode(),
        "phone 84...": b"84" + PHONE[1:].encode(),
        "phone +84...": b"+84" + PHONE[1:].encode(),
        "e-mail": EMAIL.encode(),
        "birth DD/MM/YYYY": BIRTH.strftime("%d/%m/%Y").encode(),
        "birth ISO": BIRTH.isoformat().encode(),
        "birth YYMMDD": BIRTH.strftime("%y%m%d").encode(),
        "chip portrait bytes": portrait[middle : middle + PORTRAIT_RUN],
    }


def files_under(*folders: Path) -> list[Path]:
    """Every regular file below ``folders``, hidden ones included (symlinks are not followed)."""
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def found_in(files: list[Path], wanted: Mapping[str, bytes]) -> list[str]:
    """``"<label> in <file>"`` for every needle found in a file: the empty list is a pass."""
    hits: list[str] = []
    for path in files:
        content = path.read_bytes()
        hits.extend(f"{label} in {path}" for label, needle in wanted.items() if needle in content)
    return hits


def demo_portrait() -> bytes:
    record = citizens.find(ID_NUMBER)
    assert record.portrait == PORTRAIT
    assert record.citizen.full_name == NAME
    assert record.citizen.date_of_birth == BIRTH
    return record.portrait_bytes()


def test_the_whole_product_leaves_nothing_personal_in_clear(demo_run: DemoRun) -> None:
    home, temp, run = demo_run.home, demo_run.temp, demo_run.run
    assert demo_run.report["application_state"] == "approved", demo_run.report
    backup = run_kiosk(
        ["db", "backup"], {**demo_run.environment, "KIOSK_DATA_DIR": str(run / "kiosk")}
    )

    files = files_under(run, temp, home)
    database = run / "kiosk" / "kiosk.db"
    assert database in files
    assert Path(str(backup["backup"])) in files
    assert any(path.suffix == ".log" for path in files)
    assert any((run / "sim") in path.parents for path in files)
    portrait = demo_portrait()
    assert found_in(files, needles(portrait)) == []

    # The values searched for are really stored (sealed): the run holds this citizen and portrait.
    settings = Settings(demo=True, paths=PathSettings(data_dir=str(run / "kiosk")))
    product = build(settings)
    try:
        with product.context.read() as uow:
            [application] = uow.applications.find_by_id_number(ID_NUMBER)
            stored = dict(uow.applications.portraits(application.id))
    finally:
        product.operations.engine.dispose()
    assert application.citizen is not None
    assert application.citizen.full_name == NAME
    assert (application.phone, application.email) == (PHONE, EMAIL)
    assert stored[PortraitKind.CHIP] == portrait


def test_the_search_finds_each_value_stored_in_clear(tmp_path: Path) -> None:
    # Guards the search itself: each needle, planted in clear in a nested or hidden file,
    # is reported, so the test above can fail.
    portrait = demo_portrait()
    wanted = needles(portrait)
    planted: dict[str, Path] = {}
    for number, (label, needle) in enumerate(wanted.items()):
        path = tmp_path / "home" / ".cache" / f"f{number}" / "blob.bin"
        path.parent.mkdir(parents=True)
        path.write_bytes(os.urandom(100) + needle + os.urandom(100))
        planted[label] = path
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "portrait.jpg").write_bytes(portrait)

    hits = found_in(files_under(tmp_path / "home", tmp_path / "tmp"), wanted)

    for label, path in planted.items():
        assert f"{label} in {path}" in hits
    assert f"chip portrait bytes in {tmp_path / 'tmp' / 'portrait.jpg'}" in hits
