"""The face package's errors: each a ``DomainError`` with its stable ``ErrorCode``.

The classes let callers catch precisely; the code is what the message catalogue and the
command line (exit 5, bad data) use. ``error_for`` rebuilds one from its code, which is how
the face worker process hands an error back to the client across the queue.
"""

from __future__ import annotations

from kiosk.domain.errors import DomainError, ErrorCode


class FaceError(DomainError):
    """Root of the face package's errors; subclasses fix the code."""

    code_of_class = ErrorCode.INTERNAL

    def __init__(self, detail: str = "", **params: str | int) -> None:
        super().__init__(self.code_of_class, detail, **params)


class ImageUnreadable(FaceError):
    """The bytes are not a JPEG, JPEG 2000 or PNG image we can decode."""

    code_of_class = ErrorCode.IMAGE_UNREADABLE


class ImageTooLarge(FaceError):
    """The image exceeds the byte or pixel cap; it was refused before decoding."""

    code_of_class = ErrorCode.IMAGE_TOO_LARGE


class NoFace(FaceError):
    """No face was found where exactly one is needed."""

    code_of_class = ErrorCode.NO_FACE


class MultipleFaces(FaceError):
    """More than one face was found where exactly one is needed (params: ``count``)."""

    code_of_class = ErrorCode.MULTIPLE_FACES


class WorkerFailed(FaceError):
    """The face worker process failed, died or did not answer; the cause is in its log."""


_BY_CODE = {
    cls.code_of_class: cls for cls in (ImageUnreadable, ImageTooLarge, NoFace, MultipleFaces)
}


def error_for(code: ErrorCode, detail: str, params: dict[str, str | int]) -> FaceError:
    """The face error of ``code`` (``WorkerFailed`` for any other code)."""
    return _BY_CODE.get(code, WorkerFailed)(detail, **params)
