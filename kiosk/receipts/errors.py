"""The receipts package's error root and the one failure verification reports."""

from __future__ import annotations

from kiosk.domain.errors import DomainError, ErrorCode


class ReceiptError(DomainError):
    """Root of the errors raised by ``kiosk.receipts``."""


class ReceiptInvalid(ReceiptError):
    """A receipt's code does not verify; ``reason`` is a stable code (never the payload)."""

    def __init__(self, reason: str) -> None:
        super().__init__(ErrorCode.RECEIPT_INVALID, reason, reason=reason)
        self.reason = reason
