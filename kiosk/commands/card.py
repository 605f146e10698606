"""``kiosk card read`` and ``kiosk card sim list``: reading a chip from the command line.

The JSON of ``card read`` is a stable contract (design.md, "Command line"): the person's fields
from DG13 (text with diacritics, ISO dates, ``sex`` as M/F), DG1's values under ``mrz``, the
access protocol (``PACE-CAN``, ``PACE-MRZ``, ``BAC``), the three checks and the overall
``chip_verdict`` with the AA challenge and signature and the CA transcript as
``authentication_evidence``, file sizes, the APDU count and timings. ``--can`` or ``--id`` alone
open the chip with PACE-CAN (the CAN of a CCCD is the last 6 digits of its ID). It exits
0 whatever the verdict; ``--require-genuine`` makes a chip that is not genuine exit 3.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

from kiosk import app
from kiosk.commands.base import CommandContext, CommandResult, UsageError
from kiosk.devices.errors import Unavailable
from kiosk.devices.sim import citizens, vpcd
from kiosk.devices.sim.chip.faults import FAULTS
from kiosk.devices.sim.lift import LOSS_FILES, TagLoss
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.errors import ErrorCode
from kiosk.domain.validators import parse_date
from kiosk.emrtd import AuthenticationEvidence, CheckResult, ChipRead
from kiosk.i18n import _
from kiosk.services.chip_reading import AccessInput, ChipReadOutcome

EXIT_NOT_GENUINE = 3


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``card`` and its sub-commands."""
    card = groups.add_parser("card", help=_("đọc chip thẻ căn cước"))
    commands = card.add_subparsers(dest="card_command", required=True)
    read = commands.add_parser("read", help=_("đọc và xác thực chip"))
    source = read.add_mutually_exclusive_group(required=True)
    source.add_argument("--sim", nargs="?", const="", metavar="CITIZEN", help=_("thẻ mô phỏng"))
    source.add_argument("--reader", metavar="NAME", help=_("tên đầu đọc thẻ (PC/SC, nfc:...)"))
    read.add_argument("--fault", choices=FAULTS, help=_("lỗi mô phỏng của chip"))
    access = read.add_mutually_exclusive_group(required=True)
    access.add_argument("--id", metavar="ID12", help=_("số định danh 12 chữ số"))
    access.add_argument("--can", metavar="CAN", help=_("số truy cập thẻ (CAN) 6 chữ số"))
    access.add_argument("--mrz", help=_("ba dòng MRZ"))
    access.add_argument("--qr", help=_("nội dung mã QR trên thẻ"))
    read.add_argument("--dob", help=_("ngày sinh"))
    read.add_argument("--expiry", help=_("ngày hết hạn"))
    read.add_argument(
        "--require-genuine", action="store_true", help=_("lỗi nếu chip không xác thực")
    )
    read.add_argument("--evidence", type=Path, metavar="DIR", help=_("lưu các tệp đọc được"))
    read.add_argument("--trust", type=Path, metavar="DIR", help=_("thư mục chứng thư CSCA"))
    read.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    read.set_defaults(handler=run_read, needs_settings=True)
    sim = commands.add_parser("sim", help=_("thẻ mô phỏng"))
    sim_commands = sim.add_subparsers(dest="sim_command", required=True)
    listing = sim_commands.add_parser("list", help=_("công dân và lỗi mô phỏng"))
    listing.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    listing.set_defaults(handler=run_sim_list, needs_settings=False)
    serve = sim_commands.add_parser("serve", help=_("đưa thẻ mô phỏng vào đầu đọc ảo vpcd"))
    serve.add_argument("--vpcd", default=f"{vpcd.DEFAULT_HOST}:{vpcd.DEFAULT_PORT}")
    serve.add_argument("--citizen", metavar="CITIZEN", help=_("công dân mô phỏng"))
    serve.add_argument("--fault", choices=FAULTS, help=_("lỗi mô phỏng của chip"))
    serve.add_argument("--lift", choices=LOSS_FILES, help=_("nhấc thẻ khi đang đọc tệp này"))
    serve.add_argument(
        "--lift-delay", type=float, default=0.5, metavar="SECONDS", help=_("đặt lại sau")
    )
    serve.add_argument("--put-back", metavar="CITIZEN", help=_("đặt lại thẻ của công dân khác"))
    serve.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    serve.set_defaults(handler=run_sim_serve, needs_settings=True)
    readers = commands.add_parser("readers", help=_("các đầu đọc thẻ đang có"))
    readers.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    readers.set_defaults(handler=run_readers, needs_settings=False)


def run_read(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Read the card, verify it, and report (exit 3 with ``--require-genuine`` if not genuine)."""
    settings = context.settings
    if args.reader is not None and args.fault is not None:
        raise UsageError("--fault needs --sim")
    reader = (
        app.card_reader(settings, args.reader)
        if args.reader is not None
        else app.simulated_card_reader(settings, args.sim or None, args.fault)
    )
    service = app.chip_reading(settings, app.trust_store(settings, args.trust))
    outcome = service.read(reader, _access_input(args))
    if args.evidence is not None:
        _write_evidence(args.evidence, outcome.read)
    data = chip_read_json(outcome, demo=settings.demo)
    genuine = outcome.verdict is ChipVerdict.GENUINE
    code = EXIT_NOT_GENUINE if args.require_genuine and not genuine else 0
    return CommandResult(data, _summary(outcome), code)


def run_sim_list(_args: argparse.Namespace, _context: CommandContext) -> CommandResult:
    """The simulated citizens and the fault names."""
    people = [
        {
            "id_number": record.citizen.id_number,
            "full_name": record.citizen.full_name,
            "date_of_birth": record.citizen.date_of_birth.isoformat(),
            "date_of_expiry": _iso(record.citizen.date_of_expiry),
            "sex": record.citizen.sex.value,
        }
        for record in citizens.list_citizens()
    ]
    lines = [f"{p['id_number']}  {p['full_name']}" for p in people]
    lines.append(_("Lỗi mô phỏng: {faults}").format(faults=", ".join(FAULTS)))
    return CommandResult({"citizens": people, "faults": list(FAULTS)}, "\n".join(lines))


def run_readers(_args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Every card reader present; outside demo mode virtual readers are marked refused."""
    demo = context.settings.demo
    readers, unavailable, lines = [], [], []
    for backend in app.card_readers():
        for info in backend.readers:
            refused = info.is_virtual and not demo
            readers.append(
                {
                    "name": info.name,
                    "backend": backend.backend,
                    "virtual": info.is_virtual,
                    "refused": refused,
                }
            )
            lines.append(
                f"{info.name} ({backend.backend})" + (_(": bị từ chối") if refused else "")
            )
        if backend.error is not None:
            error = backend.error
            unavailable.append(
                {"backend": backend.backend, "code": error.code.value, "detail": str(error)}
            )
            lines.append(_("{backend}: không dùng được").format(backend=backend.backend))
    data = {"readers": readers, "unavailable": unavailable, "demo": demo}
    return CommandResult(data, "\n".join(lines) or _("Không có đầu đọc thẻ nào"))


def run_sim_serve(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Serve a simulated card to vpcd until interrupted, vpcd hangs up or the card leaves."""
    try:
        host, port = vpcd.parse_address(args.vpcd)
    except ValueError as err:
        raise UsageError("--vpcd expects HOST:PORT") from err
    profile = app.simulated_card(context.settings, args.citizen, args.fault)
    loss = _tag_loss(args, context)
    stop = threading.Event()
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in _STOP_SIGNALS}
    try:
        vpcd.serve(profile, stop, host, port, loss=loss)
    except OSError as err:
        raise Unavailable(ErrorCode.READER_UNAVAILABLE, args.vpcd, str(err)) from err
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    data = {
        "vpcd": f"{host}:{port}",
        "citizen": args.citizen,
        "fault": args.fault,
        "lift": None
        if loss is None
        else {"file": loss.file, "delay": loss.delay, "put_back": args.put_back},
    }
    return CommandResult(data, _("Thẻ mô phỏng đã rời đầu đọc"))


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _tag_loss(args: argparse.Namespace, context: CommandContext) -> TagLoss | None:
    """The lift ``--lift``, ``--lift-delay`` and ``--put-back`` ask for, if any."""
    if args.lift is None:
        if args.put_back is not None:
            raise UsageError("--put-back needs --lift")
        return None
    if not 0 <= args.lift_delay <= MAX_LIFT_DELAY:
        raise UsageError(f"--lift-delay must be between 0 and {MAX_LIFT_DELAY:.0f} seconds")
    other = app.simulated_card(context.settings, args.put_back) if args.put_back else None
    return TagLoss(args.lift, args.lift_delay, other)


MAX_LIFT_DELAY = 600.0


def _access_input(args: argparse.Namespace) -> AccessInput:
    today = app.local_today()
    if args.id is not None:
        if args.expiry is not None and args.dob is None:
            raise UsageError("--expiry needs --dob")
        return AccessInput(
            id_number=args.id,
            date_of_birth=parse_date(args.dob, today=today, field="dob") if args.dob else None,
            date_of_expiry=(
                parse_date(args.expiry, today=today, future=True, field="expiry")
                if args.expiry
                else None
            ),
        )
    if args.can is not None:
        return AccessInput(can=args.can)
    if args.mrz is not None:
        return AccessInput(mrz=args.mrz)
    return AccessInput(qr_text=args.qr)


def chip_read_json(outcome: ChipReadOutcome, *, demo: bool) -> dict[str, Any]:
    """The ``kiosk card read --json`` object."""
    citizen, read = outcome.citizen, outcome.read
    mrz = read.mrz
    return {
        "id_number": citizen.id_number,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
        "sex": citizen.sex.value,
        "nationality": citizen.nationality,
        "ethnicity": citizen.ethnicity,
        "religion": citizen.religion,
        "place_of_origin": citizen.place_of_origin,
        "place_of_residence": citizen.place_of_residence,
        "identifying_features": citizen.identifying_features,
        "date_of_issue": _iso(citizen.date_of_issue),
        "date_of_expiry": _iso(citizen.date_of_expiry),
        "lifetime": citizen.lifetime,
        "father_name": citizen.father_name,
        "mother_name": citizen.mother_name,
        "spouse_name": citizen.spouse_name,
        "old_id_number": citizen.old_id_number,
        "mrz": {
            "document_code": mrz.document_code,
            "issuing_state": mrz.issuing_state,
            "document_number": mrz.document_number,
            "id_number": mrz.id_number,
            "date_of_birth": mrz.date_of_birth.isoformat(),
            "date_of_expiry": mrz.date_of_expiry.isoformat(),
            "sex": mrz.sex,
            "nationality": mrz.nationality,
            "surname": mrz.surname,
            "given_names": mrz.given_names,
        },
        "warnings": list(read.warnings),
        "access": read.access,
        "portrait": {
            "format": "jpeg2000" if read.portrait.image_data_type == 1 else "jpeg",
            "width": read.portrait.width,
            "height": read.portrait.height,
        },
        "passive_authentication": _check(read.passive_authentication),
        "chip_authentication": _check(read.chip_authentication),
        "active_authentication": _check(read.active_authentication),
        "chip_verdict": outcome.verdict.value,
        "chip_verdict_reasons": list(read.verdict.reasons),
        "authentication_evidence": _evidence(read.evidence),
        "files": {name: len(data) for name, data in read.files.items()},
        "apdus": read.apdus,
        "sessions": read.sessions,
        "access_attempts": read.access_attempts,
        "timings_ms": {name: round(ms, 1) for name, ms in read.timings_ms.items()},
        "demo": demo,
    }


def _check(result: CheckResult) -> dict[str, Any]:
    return {"verdict": result.verdict.value, "reasons": list(result.reasons)}


def _evidence(evidence: AuthenticationEvidence) -> dict[str, Any]:
    """The AA challenge and signature and the CA transcript, in hex (nothing personal)."""
    active, chip = evidence.active_authentication, evidence.chip_authentication
    return {
        "active_authentication": None
        if active is None
        else {"challenge": active.challenge.hex(), "signature": active.signature.hex()},
        "chip_authentication": None
        if chip is None
        else {
            "protocol": chip.protocol,
            "key_id": chip.key_id,
            "terminal_public_key": chip.terminal_public_key.hex(),
            "chip_public_key": chip.chip_public_key.hex(),
        },
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _write_evidence(folder: Path, read: ChipRead) -> None:
    """Write each file read as ``NAME.bin`` (0600) into ``folder``: all of them or none.

    The files go to a private folder beside ``folder``, renamed into place in one step, so a
    failure leaves no partial evidence, and evidence of two reads is never mixed: ``folder``
    must not exist yet or be empty.

    Raises:
        UsageError: ``folder`` cannot be written or already holds files.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as err:
        raise UsageError(f"--evidence {folder}: {err.strerror}") from err
    try:
        for name, data in read.files.items():
            descriptor = os.open(
                staging / f"{name}.bin", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )
            with os.fdopen(descriptor, "wb") as target:
                target.write(data)
        staging.replace(folder)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"--evidence {folder}: {err.strerror}") from err


def _summary(outcome: ChipReadOutcome) -> str:
    verdicts = {
        ChipVerdict.GENUINE: _("chip xác thực"),
        ChipVerdict.UNVERIFIABLE: _("chưa kiểm chứng được chip"),
        ChipVerdict.NOT_GENUINE: _("CHIP KHÔNG XÁC THỰC"),
    }
    citizen = outcome.citizen
    return f"{citizen.full_name} ({citizen.id_number}): {verdicts[outcome.verdict]}"
