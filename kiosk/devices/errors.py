"""The error tree of ``kiosk.devices``: what can go wrong with a piece of hardware.

Every device failure is a ``DeviceError`` carrying the stable ``ErrorCode`` of the device
kind (``CAMERA_UNAVAILABLE``, ``READER_UNAVAILABLE``, ...) that the message catalogue shows.
The subclass says what happened, so callers can react without parsing text: ``Unavailable``
(it cannot be opened), ``Busy`` (another consumer owns it), ``Timeout`` (it did not answer in
time) and ``Lost`` (it went away while in use and did not come back). Library exceptions
(cv2, pyscard, nfcpy) are translated at the edge with ``raise ... from err``.
"""

from __future__ import annotations

from kiosk.domain.errors import DomainError, ErrorCode


class DeviceError(DomainError):
    """Root of every device failure.

    Args:
        code: the stable code of the device kind, e.g. ``ErrorCode.CAMERA_UNAVAILABLE``.
        device: which device, as configured (an index or a file name; never personal data).
        detail: what exactly failed, for the log.
    """

    def __init__(self, code: ErrorCode, device: str, detail: str = "") -> None:
        super().__init__(code, f"{device}: {detail}" if detail else device)
        self.device = device


class Unavailable(DeviceError):
    """The device could not be opened: absent, unplugged, wrong index or path."""


class Busy(DeviceError):
    """Another consumer already owns the device; it serves one at a time."""


class Timeout(DeviceError):
    """The device did not answer within the allowed time."""


class Lost(DeviceError):
    """The device went away while in use and reconnecting failed."""
