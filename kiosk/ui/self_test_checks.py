"""The start-of-shift checks: what each one asks of the services, and what counts as passing.

Each check is the work of one background job and ends with a ``CheckOutcome``; a failure is a
coded error, shown with its message. Checks for what this kiosk does not have (devices the
composition root does not provide) say "not configured", and checks that cannot get an answer
(no server time before the first sync, a system that cannot tell whether its disk is encrypted)
say "could not check", rather than pretending to pass.

What the checks probe beyond the services comes in ``Equipment`` from the composition root; the
devices are built on the first device check (in its job, off the GUI thread), so the desktop app
opens without loading the device stacks.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.i18n import N_
from kiosk.ui.disk_encryption import data_disk_encrypted

if TYPE_CHECKING:
    # For the type checker only: the services load with the composition, after the login
    # screen is up, and the status bar imports this module to show the checks' states.
    from kiosk.services.audit_log import AuditLogService
    from kiosk.services.devices_status import DeviceReport, DeviceStatusService

MIN_FREE_BYTES = 2 * 1024**3
"""Below 2 GiB free, a day of applications with images and hourly backups may not fit."""
MAX_CLOCK_OFFSET = timedelta(minutes=5)
"""The tolerance beyond which the sync service refuses submissions (``check_clock``)."""


class CheckState(StrEnum):
    """Where a check stands; the screen colours its row by it (FAILED rows are red)."""

    WAITING = "waiting"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    NOT_CONFIGURED = "not_configured"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What a finished check found: passed or not configured, with a detail to show.

    Attributes:
        detail: the Vietnamese source text of the detail, with ``{name}`` fields.
        params: the values of those fields (never personal data).
    """

    state: CheckState
    detail: str
    params: dict[str, str | int] = field(default_factory=dict)


CheckWork = Callable[[ProgressSink, threading.Event], CheckOutcome]


@dataclass(frozen=True, slots=True)
class SelfTestCheck:
    """One row of the self-test: a stable key, its labels, the job resource and its work.

    Attributes:
        short: the one-word name the status bar shows beside the row's state.
    """

    key: str
    label: str
    short: str
    resource: str
    work: CheckWork


def installed_printer() -> str | None:
    """The system's default printer, else any installed one, else None (Qt print support)."""
    from PySide6.QtPrintSupport import QPrinterInfo  # loaded by the check, not at start

    chosen = QPrinterInfo.defaultPrinter()
    if chosen.isNull():
        printers = QPrinterInfo.availablePrinters()
        if not printers:
            return None
        chosen = printers[0]
    return chosen.printerName()


def no_devices() -> DeviceStatusService | None:
    """A kiosk composed without devices."""
    return None


def no_server_time() -> timedelta | None:
    """No server time to compare with (before the first sync)."""
    return None


def forget_result(passed: bool) -> None:
    """Nobody to tell of a finished self-test."""


@dataclass(frozen=True, slots=True)
class Equipment:
    """What the self-test asks of the machine, as the composition root provides it.

    Attributes:
        devices: the device checks' service, built on first call from a worker (it may load
            OpenCV and the reader stacks); None when the kiosk has no devices.
        clock_offset: the difference between the central server's clock and this one at the
            last contact (either sign), None while never measured.
        printer: the printer's name, None when none is installed.
        disk_encrypted: whether the disk under a folder is fully encrypted, None if unknown.
        record_result: told whether a whole run passed (the sync reports it to the server).
    """

    devices: Callable[[], DeviceStatusService | None] = no_devices
    clock_offset: Callable[[], timedelta | None] = no_server_time
    printer: Callable[[], str | None] = installed_printer
    disk_encrypted: Callable[[Path], bool | None] = data_disk_encrypted
    record_result: Callable[[bool], None] = forget_result


def database_and_keys(audit: AuditLogService) -> CheckWork:
    """Open the records with the station's keys and verify the whole audit chain."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        progress(Progress("audit_verify", 0, 0))
        report = audit.verify()
        if not report.valid:
            raise DomainError(ErrorCode.AUDIT_BROKEN, "self-test", first_bad=report.first_bad or 0)
        return CheckOutcome(
            CheckState.PASSED, N_("Nhật ký toàn vẹn, {count} mục."), {"count": report.entries}
        )

    return work


def free_disk(folder: Path, minimum: int = MIN_FREE_BYTES) -> CheckWork:
    """Enough free space in the data folder for the day's work."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        free = shutil.disk_usage(folder).free
        gigabytes = f"{free / 1024**3:.1f}"
        if free < minimum:
            return CheckOutcome(
                CheckState.FAILED,
                N_("Chỉ còn {free_gb} GB trống; cần ít nhất {min_gb} GB."),
                {"free_gb": gigabytes, "min_gb": minimum // 1024**3},
            )
        return CheckOutcome(
            CheckState.PASSED, N_("Còn trống {free_gb} GB."), {"free_gb": gigabytes}
        )

    return work


def printer(find: Callable[[], str | None] = installed_printer) -> CheckWork:
    """A printer is installed for the receipts; ``find`` names it (tests give their own)."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        name = find()
        if name is None:
            raise DomainError(ErrorCode.PRINTER_UNAVAILABLE, "no printer installed")
        return CheckOutcome(CheckState.PASSED, N_("Máy in: {name}."), {"name": name})

    return work


def clock(offset: Callable[[], timedelta | None], limit: timedelta = MAX_CLOCK_OFFSET) -> CheckWork:
    """This clock is within ``limit`` of the central server's; unknown without server time."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        found = offset()
        if found is None:
            return CheckOutcome(CheckState.UNKNOWN, N_("Chưa có giờ của máy chủ để so sánh."))
        seconds: dict[str, str | int] = {"seconds": round(abs(found.total_seconds()))}
        if abs(found) > limit:
            return CheckOutcome(
                CheckState.FAILED,
                N_("Đồng hồ lệch {seconds} giây so với máy chủ; hãy chỉnh lại giờ máy."),
                seconds,
            )
        return CheckOutcome(CheckState.PASSED, N_("Lệch {seconds} giây so với máy chủ."), seconds)

    return work


def disk_encryption(folder: Path, encrypted: Callable[[Path], bool | None]) -> CheckWork:
    """The disk holding the data folder is fully encrypted (an installation prerequisite)."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        found = encrypted(folder)
        if found is None:
            detail = N_("Không xác định được ổ chứa dữ liệu có được mã hóa hay không.")
            return CheckOutcome(CheckState.UNKNOWN, detail)
        if not found:
            detail = N_("Dữ liệu nằm trên ổ đĩa chưa mã hóa; cần bật mã hóa toàn bộ ổ đĩa.")
            return CheckOutcome(CheckState.FAILED, detail)
        return CheckOutcome(CheckState.PASSED, N_("Dữ liệu nằm trên ổ đĩa đã mã hóa."))

    return work


NO_DEVICE = N_("Chưa cấu hình: máy này chưa có thiết bị này.")


def device_check(
    devices: Callable[[], DeviceStatusService | None],
    probe: Callable[[DeviceStatusService, threading.Event], DeviceReport],
    detail: Callable[[DeviceReport], str],
) -> CheckWork:
    """A device row: the service's probe, or "not configured" without the device."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        service = devices()
        report = probe(service, cancel) if service is not None else None
        if report is None or not report.present:
            return CheckOutcome(CheckState.NOT_CONFIGURED, NO_DEVICE)
        values = {"name": report.name, **report.facts}
        return CheckOutcome(CheckState.PASSED, detail(report), values)

    return work


CHIP_ANSWERS = N_("{name} trả lời; chip của thẻ trả lời (EF.CardAccess {card_access_bytes} byte).")


def _reader_detail(report: DeviceReport) -> str:
    if report.facts.get("card"):
        return CHIP_ANSWERS
    return N_("{name} trả lời; chưa có thẻ.")


def _image_detail(report: DeviceReport) -> str:
    return N_("Nhận được ảnh {width}x{height}.")


def device_checks(devices: Callable[[], DeviceStatusService | None]) -> list[SelfTestCheck]:
    """The card reader, camera and scanner rows, each probing its port on its own resource."""
    reader = device_check(devices, lambda s, cancel: s.check_card_reader(cancel), _reader_detail)
    camera = device_check(devices, lambda s, cancel: s.check_camera(cancel), _image_detail)
    scanner = device_check(devices, lambda s, cancel: s.check_scanner(cancel), _image_detail)
    return [
        SelfTestCheck("card_reader", N_("Đầu đọc thẻ"), N_("Đầu đọc"), "card", reader),
        SelfTestCheck("camera", N_("Camera"), N_("Camera"), "camera", camera),
        SelfTestCheck("scanner", N_("Máy quét giấy tờ"), N_("Máy quét"), "scanner", scanner),
    ]


def standard_checks(
    audit: AuditLogService, data_dir: Path, equipment: Equipment
) -> list[SelfTestCheck]:
    """The checks of this build, in the order the screen lists them."""
    return [
        SelfTestCheck(
            "database",
            N_("Cơ sở dữ liệu và khóa"),
            N_("Dữ liệu"),
            "store",
            database_and_keys(audit),
        ),
        SelfTestCheck("disk", N_("Dung lượng đĩa"), N_("Đĩa"), "disk", free_disk(data_dir)),
        SelfTestCheck(
            "encryption",
            N_("Mã hóa ổ đĩa"),
            N_("Mã hóa"),
            "disk",
            disk_encryption(data_dir, equipment.disk_encrypted),
        ),
        SelfTestCheck("printer", N_("Máy in"), N_("Máy in"), "printer", printer(equipment.printer)),
        SelfTestCheck(
            "clock", N_("Độ lệch đồng hồ"), N_("Đồng hồ"), "server", clock(equipment.clock_offset)
        ),
        *device_checks(equipment.devices),
    ]
