"""The message catalogue: every code has a Vietnamese and an English text, filled safely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.domain.errors import DomainError, ErrorCategory, ErrorCode, category_of
from kiosk.face.quality import Instruction
from kiosk.messages import catalogue_codes, describe, guidance_codes, guidance_text


def test_every_code_has_a_message() -> None:
    assert catalogue_codes() == frozenset(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_message_has_an_english_translation(code: ErrorCode) -> None:
    vi, en = describe(code, "vi"), describe(code, "en")
    for vi_part, en_part in ((vi.title, en.title), (vi.what, en.what), (vi.todo, en.todo)):
        assert vi_part
        assert en_part
        assert en_part != vi_part or not re.search(r"[^\x00-\x7f]", vi_part)
        assert en_part.isascii() or "«" in en_part


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry(repo_root: Path) -> None:
    with (repo_root / "kiosk/locale/en/LC_MESSAGES/kiosk.po").open("rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_parameters_fill_the_text_and_missing_ones_do_not_crash() -> None:
    message = describe(DomainError(ErrorCode.CONFIG_INVALID, key="station.counter", reason="x"))
    assert "station.counter" in message.what
    assert "?" in describe(ErrorCode.CONFIG_INVALID, "en").what


def test_categories_decide_the_exit_codes() -> None:
    assert category_of(ErrorCode.USAGE) is ErrorCategory.USAGE
    assert category_of(ErrorCode.NO_CARD) is ErrorCategory.DEVICE
    assert category_of(ErrorCode.SERVER_UNREACHABLE) is ErrorCategory.SERVER
    assert category_of(ErrorCode.IMAGE_UNREADABLE) is ErrorCategory.DATA
    assert category_of(ErrorCode.INTERNAL) is ErrorCategory.INTERNAL


def test_every_face_instruction_has_a_citizen_text_in_both_languages() -> None:
    assert guidance_codes() == {instruction.value for instruction in Instruction}
    for code in guidance_codes():
        vietnamese, english = guidance_text(code, "vi"), guidance_text(code, "en")
        assert vietnamese != english
        assert english.isascii()


def test_a_reason_named_below_the_ui_is_worded_in_the_messages_language() -> None:
    refused = DomainError(ErrorCode.UPDATE_INVALID, "SHA-256 differs", reason="package_altered")
    assert "nội dung tệp đã bị sửa" in describe(refused, "vi").what
    english = describe(refused, "en").what
    assert "nội dung" not in english
    assert "package_altered" not in english
