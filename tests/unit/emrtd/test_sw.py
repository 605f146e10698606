"""The status-word table: meanings and exception classes."""

from __future__ import annotations

import pytest

from kiosk.emrtd.apdu import ResponseAPDU
from kiosk.emrtd.errors import FileNotFound, SecurityStatusNotSatisfied, StatusWordError
from kiosk.emrtd.sw import check, describe, error_for


def test_check_returns_the_data_on_9000() -> None:
    assert check(ResponseAPDU(b"\x01\x02", 0x90, 0x00), "READ BINARY") == b"\x01\x02"


@pytest.mark.parametrize(
    ("sw", "kind"),
    [
        (0x6A82, FileNotFound),
        (0x6982, SecurityStatusNotSatisfied),
        (0x6988, StatusWordError),
        (0x1234, StatusWordError),
    ],
)
def test_check_raises_the_class_of_the_table(sw: int, kind: type[StatusWordError]) -> None:
    with pytest.raises(kind) as caught:
        check(ResponseAPDU.from_sw(sw), "SELECT")
    assert type(caught.value) is kind
    assert caught.value.sw == sw
    assert caught.value.command == "SELECT"


def test_error_message_names_command_status_and_meaning() -> None:
    error = error_for(0x6A82, "SELECT")
    assert str(error) == "SELECT answered 6A82 (file or application not found)"


@pytest.mark.parametrize(
    ("sw", "meaning"),
    [
        (0x9000, "success"),
        (0x6B00, "wrong parameters (offset outside the EF)"),
        (0x6110, "more response bytes available"),
        (0x63C2, "verification failed, counter in the low nibble"),
        (0x6C10, "wrong Le, exact length in SW2"),
        (0x6400, ""),
    ],
)
def test_describe(sw: int, meaning: str) -> None:
    assert describe(sw) == meaning
