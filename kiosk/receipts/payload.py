"""What a receipt's QR code says, signed: the application, a digest of it, the time, the station.

The claims are a small JSON object inside a compact JWS (``kiosk.receipts.jws``), so the code
stays scannable (about 400 characters) and any JOSE library can check it. The same token is
written into the PDF's ``/Subject``, so a saved receipt verifies without decoding the image.
The digest binds the paper to the record: the central server, holding the application, can
recompute it; a verifier with only the paper learns that this station issued it, and when.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from kiosk.domain.application import Application
from kiosk.receipts import jws
from kiosk.receipts.errors import ReceiptInvalid

TOKEN_TYPE = "kiosk-receipt"  # noqa: S105 - a JWS type name, not a secret
"""The JWS ``typ``: keeps a receipt apart from anything else the station key signs."""

_T = TypeVar("_T")

_PDF_SUBJECT = re.compile(rb"/Subject\s*\(([A-Za-z0-9_.\-]{1,4096})\)")


class ReceiptKind(StrEnum):
    """Which paper: the slip handed over at submission, or the receipt after approval."""

    SLIP = "slip"
    RECEIPT = "receipt"


@dataclass(frozen=True, slots=True)
class ReceiptClaims:
    """The signed content of a receipt's code.

    Attributes:
        digest: base64url SHA-256 of the application's identifying content (``digest_of``).
        issued_at: when the paper was made, UTC, to the second.
        station: the issuing station's code (``<commune>-<counter>``).
        demo: made in demo mode; never a real receipt.
    """

    application_id: uuid.UUID
    digest: str
    issued_at: datetime
    kind: ReceiptKind
    station: str
    demo: bool

    def to_json(self) -> bytes:
        """The compact JSON the JWS carries."""
        claims = {
            "app": str(self.application_id),
            "dig": self.digest,
            "iat": int(self.issued_at.timestamp()),
            "kind": self.kind.value,
            "stn": self.station,
            "demo": self.demo,
        }
        return json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()


def digest_of(application: Application) -> str:
    """A digest of what identifies the application and does not change after submission.

    Covers the id, the citizen's identity as read, the contact details and the chip verdict, in
    sorted compact JSON; the state is left out, so the slip and the receipt carry the same one.
    """
    citizen = application.citizen
    content = {
        "id": str(application.id),
        "id_number": citizen.id_number if citizen else None,
        "full_name": citizen.full_name if citizen else None,
        "date_of_birth": citizen.date_of_birth.isoformat() if citizen else None,
        "phone": application.phone,
        "email": application.email,
        "chip_verdict": application.chip_verdict.value if application.chip_verdict else None,
        "demo": application.demo,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return jws.b64url_encode(hashlib.sha256(canonical.encode()).digest())


def sign_claims(claims: ReceiptClaims, signer: jws.Signer, public_key: bytes) -> str:
    """The compact JWS of ``claims``, with the signing key's thumbprint as ``kid``."""
    header = {"kid": jws.thumbprint(public_key), "typ": TOKEN_TYPE}
    return jws.sign(claims.to_json(), signer, header)


def verify_token(token: str, keys: jws.TrustedKeys) -> ReceiptClaims:
    """The claims of ``token`` after checking it against ``keys`` (public keys only).

    Raises:
        ReceiptInvalid: the token is malformed, signed by an unknown key, tampered with, or
            not a receipt (``type``, ``claims``).
    """
    header, payload = jws.verify(token, keys)
    if header.get("typ") != TOKEN_TYPE:
        raise ReceiptInvalid("type")
    return _claims(payload)


def token_from_pdf(data: bytes) -> str:
    """The token a receipt PDF carries in its ``/Subject`` metadata.

    Raises:
        ReceiptInvalid: ``no_payload`` when the file holds none (not one of our receipts).
    """
    found = _PDF_SUBJECT.search(data)
    if found is None:
        raise ReceiptInvalid("no_payload")
    return found.group(1).decode("ascii")


def _claims(payload: bytes) -> ReceiptClaims:
    try:
        raw = json.loads(payload)
        return ReceiptClaims(
            application_id=uuid.UUID(_typed(raw, "app", str)),
            digest=_typed(raw, "dig", str),
            issued_at=datetime.fromtimestamp(_typed(raw, "iat", int), UTC),
            kind=ReceiptKind(_typed(raw, "kind", str)),
            station=_typed(raw, "stn", str),
            demo=_typed(raw, "demo", bool),
        )
    except (ValueError, TypeError, OverflowError, OSError) as err:
        raise ReceiptInvalid("claims") from err


def _typed(raw: object, name: str, kind: type[_T]) -> _T:
    value = raw.get(name) if isinstance(raw, dict) else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(name)
    return value
