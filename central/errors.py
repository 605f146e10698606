"""The server's refusals: an HTTP status and a protocol code, turned into the JSON error body."""

from __future__ import annotations


class ProtocolError(Exception):
    """A request the protocol refuses, with the status and code docs/sync-protocol.md names.

    ``detail`` is English for the kiosk's log and never holds a value from the packet.
    """

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}

    def __reduce__(self) -> tuple[type[ProtocolError], tuple[int, str, str, dict[str, str]]]:
        """Pickled by its fields: a refusal raised in a worker process reaches the request."""
        return (ProtocolError, (self.status, self.code, self.detail, self.headers))
