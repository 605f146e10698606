"""The redaction filter: nothing personal reaches a log file, at any level."""

from __future__ import annotations

import logging
import logging.handlers
import unicodedata
from pathlib import Path

import pytest

from kiosk.log import RedactionFilter, new_incident_id, redaction, setup_logging
from tests.conftest import LogFail

NAME = "Nguyễn Thị Thuỷ"


@pytest.mark.parametrize(
    "secret",
    [
        "001090001234",  # 12-digit ID
        "123456789",  # old 9-digit ID
        "0912345678",
        "+84912345678",
        "thuy.nguyen@example.vn",
        "01/01/1990",
        "1990-01-01",
        "900101",
        "IDVNM0900012345001090001234<<6",
        "9001011M3001019VNM<<<<<<<<<<<8",
        "FFD8FFE000104A46494600010101004800480000FFDB",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
    ],
)
def test_shaped_personal_data_is_removed(secret: str) -> None:
    assert secret not in RedactionFilter().redact(f"reading card: {secret} done")


def test_registered_names_are_removed_in_every_normal_form() -> None:
    guard = RedactionFilter()
    guard.register(NAME)
    for form in (NAME, unicodedata.normalize("NFD", NAME), NAME.upper(), NAME.lower()):
        assert form not in guard.redact(f"citizen {form} enrolled")
    guard.forget()
    assert NAME in guard.redact(f"citizen {NAME}")


def test_harmless_technical_text_survives() -> None:
    text = "SELECT answered 6A82; read DG2 in 312 ms, 20480 bytes"
    assert RedactionFilter().redact(text) == text


def test_the_log_file_holds_no_personal_data(tmp_path: Path, logfail: LogFail) -> None:
    logfail.allow("kiosk.test", "incident SC-")
    path = setup_logging(tmp_path / "logs")
    redaction.register(NAME)
    try:
        logger = logging.getLogger("kiosk.test")
        logger.info("read %s born %s id %s", NAME, "01/01/1990", "001090001234")
        try:
            raise ValueError(f"bad card for {NAME} 001090001234")
        except ValueError:
            logger.exception("incident %s", new_incident_id())
        for handler in logging.getLogger().handlers:
            handler.flush()
    finally:
        redaction.forget()
        setup_logging(tmp_path / "other")
    content = path.read_text(encoding="utf-8")
    assert "incident SC-" in content
    for secret in (NAME, "01/01/1990", "001090001234"):
        assert secret not in content
    assert oct(path.parent.stat().st_mode & 0o777) == oct(0o700)


def test_incident_ids_are_distinct() -> None:
    assert len({new_incident_id() for _ in range(100)}) == 100


def test_setup_replaces_only_its_own_handlers(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(foreign)
    try:
        setup_logging(tmp_path / "a")
        setup_logging(tmp_path / "b")
        ours = [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
        assert foreign in root.handlers
        assert [Path(h.baseFilename).parent.name for h in ours] == ["b"]
    finally:
        root.removeHandler(foreign)
