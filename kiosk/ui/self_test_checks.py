"""The start-of-shift checks: what each one asks of the services, and what counts as passing.

Each check is the work of one background job and ends with a ``CheckOutcome``; a failure is a
coded error, shown with its message. Checks for what this build cannot reach yet (the server and
the clock offset before sync exists, devices the composition root does not provide) say "not
configured" rather than pretending to pass.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from PySide6.QtPrintSupport import QPrinterInfo

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.i18n import N_
from kiosk.services.audit_log import AuditLogService
from kiosk.services.devices_status import ABSENT, DeviceReport, DeviceStatusService

MIN_FREE_BYTES = 2 * 1024**3
"""Below 2 GiB free, a day of applications with images and hourly backups may not fit."""


class CheckState(StrEnum):
    """Where a check stands; the screen colours its row by it (FAILED rows are red)."""

    WAITING = "waiting"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    NOT_CONFIGURED = "not_configured"
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


def not_configured(detail: str) -> CheckWork:
    """A check whose subject this kiosk does not have yet; it says so with ``detail``."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        return CheckOutcome(CheckState.NOT_CONFIGURED, detail)

    return work


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


def installed_printer() -> str | None:
    """The system's default printer, else any installed one, else None (Qt print support)."""
    chosen = QPrinterInfo.defaultPrinter()
    if chosen.isNull():
        printers = QPrinterInfo.availablePrinters()
        if not printers:
            return None
        chosen = printers[0]
    return chosen.printerName()


def printer(find: Callable[[], str | None] = installed_printer) -> CheckWork:
    """A printer is installed for the receipts; ``find`` names it (tests give their own)."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        name = find()
        if name is None:
            raise DomainError(ErrorCode.PRINTER_UNAVAILABLE, "no printer installed")
        return CheckOutcome(CheckState.PASSED, N_("Máy in: {name}."), {"name": name})

    return work


NO_DEVICE = N_("Chưa cấu hình: máy này chưa có thiết bị này.")


def device_check(
    devices: DeviceStatusService | None,
    probe: Callable[[DeviceStatusService, threading.Event], DeviceReport],
    detail: Callable[[DeviceReport], str],
) -> CheckWork:
    """A device row: the service's probe, or "not configured" without the device."""

    def work(progress: ProgressSink, cancel: threading.Event) -> CheckOutcome:
        report = probe(devices, cancel) if devices is not None else ABSENT
        if not report.present:
            return CheckOutcome(CheckState.NOT_CONFIGURED, NO_DEVICE)
        values = {"name": report.name, **report.facts}
        return CheckOutcome(CheckState.PASSED, detail(report), values)

    return work


def _reader_detail(report: DeviceReport) -> str:
    if report.facts.get("card"):
        return N_("{name} trả lời; có thẻ trên đầu đọc.")
    return N_("{name} trả lời; chưa có thẻ.")


def _image_detail(report: DeviceReport) -> str:
    return N_("Nhận được ảnh {width}x{height}.")


def device_checks(devices: DeviceStatusService | None) -> list[SelfTestCheck]:
    """The card reader, camera and scanner rows, each probing its port on its own resource."""
    service = DeviceStatusService
    reader = device_check(devices, service.check_card_reader, _reader_detail)
    camera = device_check(devices, service.check_camera, _image_detail)
    scanner = device_check(devices, service.check_scanner, _image_detail)
    return [
        SelfTestCheck("card_reader", N_("Đầu đọc thẻ"), N_("Đầu đọc"), "card", reader),
        SelfTestCheck("camera", N_("Camera"), N_("Camera"), "camera", camera),
        SelfTestCheck("scanner", N_("Máy quét giấy tờ"), N_("Máy quét"), "scanner", scanner),
    ]


def standard_checks(
    audit: AuditLogService,
    data_dir: Path,
    devices: DeviceStatusService | None,
    find_printer: Callable[[], str | None] = installed_printer,
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
        SelfTestCheck("printer", N_("Máy in"), N_("Máy in"), "printer", printer(find_printer)),
        SelfTestCheck(
            "clock",
            N_("Độ lệch đồng hồ"),
            N_("Đồng hồ"),
            "server",
            not_configured(N_("Chưa cấu hình: cần đồng bộ với máy chủ.")),
        ),
        *device_checks(devices),
    ]
