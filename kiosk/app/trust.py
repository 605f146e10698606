"""Trust composition: the CSCA anchors in force, and the chip-reading service that uses them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kiosk.config import ConfigError, Settings
from kiosk.domain.clock import SystemClock, to_local
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.emrtd import MalformedData, TrustStore
from kiosk.services.chip_reading import ChipReadingService


def trust_folder(settings: Settings) -> Path:
    """Where the administrator's CSCA anchors and CRLs are installed (``kiosk trust import``)."""
    return settings.data_dir / "trust"


def trust_store(settings: Settings, override: Path | None = None) -> TrustStore:
    """The CSCA anchors in force.

    ``override`` if given (``--trust DIR``), else the installed ones plus, in demo mode only,
    the installation's test CSCA.

    Raises:
        ConfigError: a test anchor is installed outside demo mode (design.md: the kiosk refuses).
        DomainError: TRUST_STORE_INVALID, the folder is missing or holds a broken certificate.
    """
    from kiosk.devices.sim.pki import is_test_anchor, load_or_create

    if override is not None:
        return _load_anchors(override)
    installed = trust_folder(settings)
    anchors = _load_anchors(installed).certificates if installed.is_dir() else ()
    if not settings.demo:
        if any(is_test_anchor(certificate) for certificate in anchors):
            raise ConfigError("trust", "a test CSCA is installed; remove it before real use")
        return TrustStore(anchors)
    test_pki = load_or_create(settings.sim_dir / "pki")
    return TrustStore((*anchors, *TrustStore.load(test_pki.trust_dir).certificates))


def _load_anchors(folder: Path) -> TrustStore:
    """The CSCA certificates of ``folder``, or TRUST_STORE_INVALID naming what is wrong."""
    try:
        return TrustStore.load(folder)
    except OSError as err:
        reason = f"{folder}: {err.strerror}"
        raise DomainError(ErrorCode.TRUST_STORE_INVALID, reason, reason=reason) from err
    except MalformedData as err:
        raise DomainError(ErrorCode.TRUST_STORE_INVALID, str(err), reason=err.reason) from err


def chip_reading(settings: Settings, trust: TrustStore | None = None) -> ChipReadingService:
    """The chip-reading service with this kiosk's trust anchors, local date and card memory.

    The memory (``card_memory.json`` in the data folder) keeps the access protocol per card
    type and the largest READ BINARY per reader model (docs/readers.md).
    """
    from kiosk.devices.card.memory import FILE_NAME, JsonCardMemory

    memory = JsonCardMemory(settings.data_dir / FILE_NAME)
    return ChipReadingService(
        trust or trust_store(settings),
        local_today,
        memory=memory,
        return_wait=settings.devices.card_return_seconds,
    )


def local_today() -> date:
    """Today in Asia/Ho_Chi_Minh, the date printed on cards and receipts."""
    return to_local(SystemClock().now()).date()
