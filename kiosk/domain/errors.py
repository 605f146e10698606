"""Stable error codes and the domain error root.

An ``ErrorCode`` is what services hand up to the UI and the command line; ``kiosk.messages``
turns it into a Vietnamese (and English) message. Codes are a public contract: they appear in
JSON output, logs and packets, so a code is never renamed or reused, only added.

Every coded error carries ``params``: values the message may show. Params never hold personal
data (names, ID numbers, dates of birth, images); a field name or a count is fine.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class ErrorCategory(StrEnum):
    """What kind of failure a code is; decides the command line's exit code."""

    USAGE = "usage"
    DEVICE = "device"
    DATA = "data"
    SERVER = "server"
    INTERNAL = "internal"


class ErrorCode(StrEnum):
    """Every failure the user can be told about. Values are stable identifiers."""

    # Command line and configuration
    USAGE = "usage"
    CONFIG_INVALID = "config_invalid"
    CONFIG_MISSING = "config_missing"
    INTERNAL = "internal"
    # Accounts and permissions
    LOGIN_FAILED = "login_failed"
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_DISABLED = "account_disabled"
    PERMISSION_DENIED = "permission_denied"
    FOUR_EYES = "four_eyes"
    # Records
    VALIDATION_FAILED = "validation_failed"
    INVALID_TRANSITION = "invalid_transition"
    NOT_FOUND = "not_found"
    DATABASE_UNAVAILABLE = "database_unavailable"
    KEY_UNAVAILABLE = "key_unavailable"
    DATA_INTEGRITY = "data_integrity"
    AUDIT_BROKEN = "audit_broken"
    BACKUP_FAILED = "backup_failed"
    # Chip reading
    READER_UNAVAILABLE = "reader_unavailable"
    READER_REFUSED = "reader_refused"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    CARD_REPLACED = "card_replaced"
    CARD_NOT_EMRTD = "card_not_emrtd"
    ACCESS_KEY_INVALID = "access_key_invalid"
    ACCESS_DENIED = "access_denied"
    CHIP_PROTOCOL = "chip_protocol"
    CHIP_DATA_MALFORMED = "chip_data_malformed"
    CHIP_NOT_GENUINE = "chip_not_genuine"
    TRUST_STORE_INVALID = "trust_store_invalid"
    # Images, face and documents
    IMAGE_UNREADABLE = "image_unreadable"
    IMAGE_TOO_LARGE = "image_too_large"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    CARD_NOT_FOUND = "card_not_found"
    QR_INVALID = "qr_invalid"
    # Central server
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_REFUSED = "server_refused"
    SERVER_AUTH = "server_auth"
    SERVER_CONFLICT = "server_conflict"
    CLOCK_SKEW = "clock_skew"
    SIGNATURE_INVALID = "signature_invalid"
    SERVER_KEY_MISMATCH = "server_key_mismatch"
    NOT_REGISTERED = "not_registered"
    INVITE_INVALID = "invite_invalid"
    # Printing and receipts
    PRINTER_UNAVAILABLE = "printer_unavailable"
    RECEIPT_INVALID = "receipt_invalid"
    # Installation and updates
    UPDATE_INVALID = "update_invalid"
    UPDATE_FAILED = "update_failed"


_DEVICE = {
    ErrorCode.LOGIN_FAILED, ErrorCode.ACCOUNT_LOCKED, ErrorCode.ACCOUNT_DISABLED,
    ErrorCode.PERMISSION_DENIED, ErrorCode.FOUR_EYES, ErrorCode.DATABASE_UNAVAILABLE,
    ErrorCode.KEY_UNAVAILABLE, ErrorCode.BACKUP_FAILED, ErrorCode.READER_UNAVAILABLE,
    ErrorCode.READER_REFUSED, ErrorCode.NO_CARD, ErrorCode.CARD_REMOVED, ErrorCode.CARD_REPLACED,
    ErrorCode.CARD_NOT_EMRTD, ErrorCode.ACCESS_DENIED, ErrorCode.CHIP_PROTOCOL,
    ErrorCode.CAMERA_UNAVAILABLE, ErrorCode.PRINTER_UNAVAILABLE, ErrorCode.UPDATE_FAILED,
}  # fmt: skip
_SERVER = {
    ErrorCode.SERVER_UNREACHABLE, ErrorCode.SERVER_REFUSED, ErrorCode.SERVER_AUTH,
    ErrorCode.SERVER_CONFLICT, ErrorCode.CLOCK_SKEW, ErrorCode.SERVER_KEY_MISMATCH,
    ErrorCode.NOT_REGISTERED, ErrorCode.INVITE_INVALID,
}  # fmt: skip
_USAGE = {ErrorCode.USAGE, ErrorCode.CONFIG_INVALID, ErrorCode.CONFIG_MISSING}


def category_of(code: ErrorCode) -> ErrorCategory:
    """The category of ``code`` (the rest of the codes are bad data)."""
    if code in _USAGE:
        return ErrorCategory.USAGE
    if code in _DEVICE:
        return ErrorCategory.DEVICE
    if code in _SERVER:
        return ErrorCategory.SERVER
    if code is ErrorCode.INTERNAL:
        return ErrorCategory.INTERNAL
    return ErrorCategory.DATA


class CodedError(Protocol):
    """Anything the message catalogue can describe: an error with a code and safe params."""

    @property
    def code(self) -> ErrorCode:
        """The stable code."""

    @property
    def params(self) -> dict[str, str | int]:
        """Values the message may show (never personal data)."""


class DomainError(Exception):
    """Root of the kiosk's coded errors; other packages' roots derive from it.

    Args:
        code: the stable code.
        detail: a precise technical description for the log (no personal data).
        params: values the user message may show.
    """

    def __init__(self, code: ErrorCode, detail: str = "", /, **params: str | int) -> None:
        self._code = code
        self._params = dict(params)
        self.detail = detail
        super().__init__(f"{code.value}: {detail}" if detail else code.value)

    @property
    def code(self) -> ErrorCode:
        """The stable code."""
        return self._code

    @property
    def params(self) -> dict[str, str | int]:
        """Values the user message may show."""
        return self._params


class Cancelled(Exception):
    """The user cancelled a long operation; callers stop quietly."""
