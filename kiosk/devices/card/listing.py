"""Every card reader present, per backend, for ``kiosk card readers`` and the self-test.

Each backend is asked on its own, so a PC/SC service that is not running does not hide the
nfcpy readers (and the other way round): a backend that cannot be asked is reported with its
error instead of its readers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.devices.card import nfcpy, pcsc
from kiosk.devices.errors import DeviceError
from kiosk.devices.ports import CardReaderInfo


@dataclass(frozen=True, slots=True)
class BackendReaders:
    """The readers one backend sees, or why it could not be asked.

    Attributes:
        backend: ``pcsc`` or ``nfcpy``, as ``devices.card_reader`` names them.
        readers: the readers present, in the backend's order.
        error: the failure that kept the backend from answering, if any.
    """

    backend: str
    readers: tuple[CardReaderInfo, ...] = ()
    error: DeviceError | None = None


def list_all() -> tuple[BackendReaders, ...]:
    """The readers of every backend, PC/SC first."""
    return tuple(_ask(name, lister) for name, lister in _BACKENDS)


def _ask(backend: str, lister: Callable[[], tuple[CardReaderInfo, ...]]) -> BackendReaders:
    try:
        return BackendReaders(backend, lister())
    except DeviceError as err:
        return BackendReaders(backend, error=err)


_BACKENDS: tuple[tuple[str, Callable[[], tuple[CardReaderInfo, ...]]], ...] = (
    ("pcsc", pcsc.list_readers),
    ("nfcpy", nfcpy.list_readers),
)
