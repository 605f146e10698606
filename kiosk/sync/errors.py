"""``SyncError`` and its kinds: what delivery can fail with, each under a stable code.

``str()`` never holds personal data: a status, a server code or a reason word only.
"""

from __future__ import annotations

from kiosk.domain.errors import DomainError, ErrorCode


class SyncError(DomainError):
    """Root of the errors of ``kiosk.sync``; services hand the code up to the user."""


class ServerUnreachable(SyncError):
    """No answer: network down, refused connection, timeout, reset mid-upload."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.SERVER_UNREACHABLE, detail, **params)


class ServerKeyMismatch(SyncError):
    """The server's TLS key matches none of the pins held: it is not our server."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.SERVER_KEY_MISMATCH, detail, **params)


class SignatureInvalid(SyncError):
    """An acknowledgement or a configuration bundle failed verification with the server key."""

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(ErrorCode.SIGNATURE_INVALID, detail, **params)


class ServerRefused(SyncError):
    """The server answered with an error that is not about one packet (registration, pulls)."""

    def __init__(self, code: ErrorCode, detail: str = "", **params: str | int) -> None:
        super().__init__(code, detail, **params)
