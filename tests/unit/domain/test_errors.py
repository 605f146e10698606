from __future__ import annotations

import pytest

from kiosk.domain.errors import (
    Cancelled,
    CodedError,
    DomainError,
    ErrorCategory,
    ErrorCode,
    category_of,
)


@pytest.mark.parametrize(
    ("code", "category"),
    [
        (ErrorCode.USAGE, ErrorCategory.USAGE),
        (ErrorCode.CONFIG_MISSING, ErrorCategory.USAGE),
        (ErrorCode.PERMISSION_DENIED, ErrorCategory.DEVICE),
        (ErrorCode.FOUR_EYES, ErrorCategory.DEVICE),
        (ErrorCode.SERVER_UNREACHABLE, ErrorCategory.SERVER),
        (ErrorCode.INTERNAL, ErrorCategory.INTERNAL),
        (ErrorCode.VALIDATION_FAILED, ErrorCategory.DATA),
        (ErrorCode.INVALID_TRANSITION, ErrorCategory.DATA),
    ],
)
def test_category_of(code: ErrorCode, category: ErrorCategory) -> None:
    assert category_of(code) is category


def test_domain_error() -> None:
    error: CodedError = DomainError(ErrorCode.NOT_FOUND, "no such row", kind="application")
    assert error.code is ErrorCode.NOT_FOUND
    assert error.params == {"kind": "application"}
    assert str(error) == "not_found: no such row"
    assert str(DomainError(ErrorCode.INTERNAL)) == "internal"
    assert not issubclass(Cancelled, DomainError)
