"""The citizen's papers and the day's report: issuing, saving, recording printing, verifying.

Issuing a slip or receipt needs ``print_receipt`` and is audited with the paper's kind and a
short hash of its token (so an auditor can match a paper to its entry); saving and printing are
audited too. Verification needs no login and no private key: it checks a token (typed, read from
a PDF's metadata, or decoded from a photo's QR code) against the trusted stations' public keys,
which until sync delivers the trust bundle are this kiosk's own. The daily report needs
``view_reports`` and is computed from the audit log alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.ids import ApplicationId, UserId
from kiosk.domain.users import Permission, User, require
from kiosk.receipts import jws
from kiosk.receipts.daily_report import (
    DailyReport,
    ReportSource,
    day_bounds,
    render_daily_report,
    summarise,
)
from kiosk.receipts.errors import ReceiptInvalid
from kiosk.receipts.payload import (
    ReceiptClaims,
    digest_of,
    sign_claims,
    token_from_pdf,
    verify_token,
)
from kiosk.receipts.payload import (
    ReceiptKind as ReceiptKind,  # the UI names the paper it asks for through this module
)
from kiosk.receipts.receipt import Person, ReceiptContent, render_receipt
from kiosk.services.context import ServiceContext
from kiosk.store.uow import UnitOfWork

_STATE_FOR = {
    ReceiptKind.SLIP: ApplicationState.SUBMITTED,
    ReceiptKind.RECEIPT: ApplicationState.APPROVED,
}


@dataclass(frozen=True, slots=True)
class IssuedReceipt:
    """A slip or receipt made for one application: its PDF and the token it carries."""

    kind: ReceiptKind
    application_id: ApplicationId
    pdf: bytes
    token: str

    @property
    def reference(self) -> str:
        """A short hash of the token, written in the audit log (the token itself is not)."""
        return hashlib.sha256(self.token.encode("ascii")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The outcome of verifying a receipt.

    Attributes:
        reason: why it is not valid (a stable code such as ``signature`` or ``no_code``).
        claims: what the receipt says, when valid.
    """

    valid: bool
    reason: str | None = None
    claims: ReceiptClaims | None = None


class ReceiptService:
    """Receipts, slips and daily reports of this station."""

    def __init__(
        self, context: ServiceContext, trusted_public_keys: Iterable[bytes] | None = None
    ) -> None:
        self._context = context
        if trusted_public_keys is None:
            trusted_public_keys = (context.signing_public_key,)
        self._trusted = jws.trusted_keys(trusted_public_keys)

    def issue(self, actor: User, application_id: ApplicationId, kind: ReceiptKind) -> IssuedReceipt:
        """Make the slip (submitted applications) or receipt (approved ones); audited.

        Raises:
            DomainError: INVALID_TRANSITION when the application is not in the kind's state.
        """
        return self._issue(actor, application_id, kind, "receipt_issue", None)

    def save(
        self, actor: User, application_id: ApplicationId, kind: ReceiptKind, target: Path
    ) -> IssuedReceipt:
        """Issue the paper and write it to ``target`` as PDF; audited only once written."""
        return self._issue(actor, application_id, kind, "receipt_save", target)

    def record_printed(self, actor: User, issued: IssuedReceipt, printer: str) -> None:
        """Audit that ``issued`` went to ``printer`` (called once the printer took it)."""
        require(actor, Permission.PRINT_RECEIPT)
        details = {"kind": issued.kind.value, "receipt": issued.reference, "printer": printer}
        with self._context.write() as uow:
            now = self._context.clock.now()
            uow.audit.record_event(
                now, str(actor.id), "receipt_print", str(issued.application_id), details
            )
            uow.commit()

    def verify_text(self, token: str) -> ReceiptCheck:
        """Check a token as typed or scanned (no login, public keys only)."""
        try:
            return ReceiptCheck(True, claims=verify_token(token, self._trusted))
        except ReceiptInvalid as err:
            return ReceiptCheck(False, err.reason)

    def verify_pdf(self, data: bytes) -> ReceiptCheck:
        """Check the token a receipt PDF carries in its metadata."""
        try:
            token = token_from_pdf(data)
        except ReceiptInvalid as err:
            return ReceiptCheck(False, err.reason)
        return self.verify_text(token)

    def verify_image(self, data: bytes) -> ReceiptCheck:
        """Check the QR code in a photo or scan of a receipt (PNG or JPEG).

        Raises:
            DomainError: IMAGE_UNREADABLE or IMAGE_TOO_LARGE for a file that is not a usable image.
        """
        # Imported here: OpenCV and the QR decoder are needed only for this, not at start.
        from kiosk.documents.image import decode_image
        from kiosk.documents.qr import decode_qr

        found = decode_qr(decode_image(data))
        if found is None:
            return ReceiptCheck(False, "no_code")
        return self.verify_text(found.text)

    def daily_report(self, actor: User, day: date) -> DailyReport:
        """The figures of ``day`` (Vietnam's day) from the audit log."""
        require(actor, Permission.VIEW_REPORTS)
        _, end = day_bounds(day)
        station = self._context.station
        with self._context.read() as uow:
            people = {str(u.id): Person(u.full_name, u.service_number) for u in uow.users.list()}
            entries = [entry.fields for entry in uow.audit.entries(None, end)]
        source = ReportSource(
            station.code, station.unit.name, people, entries, self._context.clock.now(),
            self._context.demo,
        )  # fmt: skip
        return summarise(day, source)

    def save_daily_report(self, actor: User, day: date, target: Path) -> DailyReport:
        """Write the report of ``day`` to ``target`` as PDF; audited."""
        report = self.daily_report(actor, day)
        with self._context.write() as uow:
            target.write_bytes(render_daily_report(report))
            details = {"date": day.isoformat()}
            now = self._context.clock.now()
            uow.audit.record_event(now, str(actor.id), "report_daily", "report", details)
            uow.commit()
        return report

    def _issue(
        self,
        actor: User,
        application_id: ApplicationId,
        kind: ReceiptKind,
        action: str,
        target: Path | None,
    ) -> IssuedReceipt:
        require(actor, Permission.PRINT_RECEIPT)
        with self._context.write() as uow:
            application = uow.applications.get(application_id)
            _require_state(application, kind)
            issued = self._render(uow, application, kind)
            if target is not None:
                target.write_bytes(issued.pdf)
            details = {"kind": kind.value, "receipt": issued.reference}
            uow.audit.record_event(
                self._context.clock.now(), str(actor.id), action, str(application_id), details
            )
            uow.commit()
        return issued

    def _render(
        self, uow: UnitOfWork, application: Application, kind: ReceiptKind
    ) -> IssuedReceipt:
        context = self._context
        issued_at = context.clock.now().replace(microsecond=0)  # the token counts whole seconds
        claims = ReceiptClaims(
            application.id,
            digest_of(application),
            issued_at,
            kind,
            context.station.code,
            application.demo,
        )
        token = sign_claims(claims, context.signer, context.signing_public_key)
        content = self._content(uow, application, claims, token)
        return IssuedReceipt(kind, application.id, render_receipt(content), token)

    def _content(
        self, uow: UnitOfWork, application: Application, claims: ReceiptClaims, token: str
    ) -> ReceiptContent:
        station, citizen = self._context.station, application.citizen
        if citizen is None:  # submitted applications always hold one; a broken row does not
            raise DomainError(ErrorCode.DATA_INTEGRITY, "application without a citizen")
        approver = application.reviewed_by if claims.kind is ReceiptKind.RECEIPT else None
        return ReceiptContent(
            kind=claims.kind,
            number=f"{station.code}-{application.id.hex[:8].upper()}",
            application_id=str(application.id),
            full_name=citizen.full_name,
            id_number=citizen.id_number,
            received_at=application.created_at,
            unit_name=station.unit.name,
            counter=station.counter,
            station=station.code,
            received_by=_person(uow, application.submitted_by or application.created_by),
            approved_by=None if approver is None else _person(uow, approver),
            issued_at=claims.issued_at,
            demo=application.demo,
            token=token,
        )


def _require_state(application: Application, kind: ReceiptKind) -> None:
    if application.state is not _STATE_FOR[kind]:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"a {kind.value} is not issued in {application.state.value}",
            action=f"print_{kind.value}",
            state=application.state.value,
        )


def _person(uow: UnitOfWork, user_id: UserId | None) -> Person:
    if user_id is None:
        raise DomainError(ErrorCode.DATA_INTEGRITY, "application without its officer")
    user = uow.users.get(user_id)
    return Person(user.full_name, user.service_number)
