"""Kiosk identity on the server: invitations, registration, revocation, request checks.

A request is accepted only when a registered kiosk signed it, recently, with a fresh nonce.

A request's checks run in the order that tells an attacker the least: the form and the body's
digest, then the key id (``kiosk_unknown``), the signature (``signature_invalid``), revocation
(``kiosk_revoked``, only for a request the revoked key really signed), the clock window and
the nonce (``replay``). Nonces are kept in the database, so a restart does not reopen the window.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central import httpsig, jose
from central.db import InviteRow, KioskRow, NonceRow
from central.errors import ProtocolError

_log = logging.getLogger(__name__)

INVITE_PREFIX = "KI1"
INVITE_VALIDITY = dt.timedelta(hours=24)
CLOCK_WINDOW = dt.timedelta(seconds=300)
NONCE_MEMORY = dt.timedelta(seconds=600)
SELF_TEST_VALUES = frozenset({"ok", "failed", "unknown"})


@dataclass(frozen=True, slots=True)
class Caller:
    """A request a registered kiosk signed, checked; its nonce is remembered with its effects.

    Attributes:
        key: the kiosk's public key (which verified the request, and verifies its packets).
        at: when the server checked it (the nonce's time and the kiosk's last contact).
        contact: the ``X-Kiosk-*`` headers as the kiosk's columns.
        body_sha256: the SHA-256 of the body (checked against ``Content-Digest``).
    """

    kid: str
    key: ed25519.Ed25519PublicKey
    nonce: str
    at: dt.datetime
    contact: Mapping[str, str | int | None]
    body_sha256: bytes


@dataclass(frozen=True, slots=True)
class KioskInfo:
    """What ``central kiosk list`` shows of one kiosk (no personal data)."""

    kiosk_id: str
    unit: str
    counter: int
    name: str
    registered_at: dt.datetime
    revoked: bool
    last_contact_at: dt.datetime | None
    version: str | None
    uptime: int | None
    backlog: int | None
    self_test: str | None
    audit_sequence: int | None
    audit_hash: str | None
    chain_flag: str | None


class Registry:
    """Invitations, registered kiosks and the request check, over the server's database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        pin: str,
        clock: Callable[[], dt.datetime],
    ) -> None:
        """``sessions`` write; ``reads`` only read (``central.db.session_factory(reads=True)``)."""
        self._sessions = sessions
        self._reads = reads
        self._pin = pin
        self._clock = clock

    def invite(self, unit: str, counter: int) -> str:
        """A new one-time code ``KI1.<token>.<pin>``, valid 24 hours; only its hash is stored."""
        token = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
        now = self._clock()
        with self._sessions.begin() as session:
            session.add(
                InviteRow(
                    token_sha256=_sha256(token),
                    unit=unit,
                    counter=counter,
                    created_at=now,
                    expires_at=now + INVITE_VALIDITY,
                )
            )
        _log.info("invitation made for unit %s counter %d", unit, counter)
        return f"{INVITE_PREFIX}.{token}.{self._pin}"

    def register(self, code: str, public_jwk: Mapping[str, Any], name: str) -> KioskRow:
        """Register the kiosk key ``public_jwk`` with the invitation ``code`` (used up here).

        Raises:
            ProtocolError: 400 ``invite_invalid`` (unknown, used, expired, another server's),
                400 ``request_invalid`` (not an Ed25519 public JWK), 409 ``kiosk_exists``.
        """
        parts = code.split(".")
        if len(parts) != 3 or parts[0] != INVITE_PREFIX or parts[2] != self._pin:
            raise ProtocolError(400, "invite_invalid", "not an invitation of this server")
        try:
            jose.ed25519_public_key(dict(public_jwk))
            canonical = {k: public_jwk[k] for k in ("kty", "crv", "x")}
            kid = jose.thumbprint(canonical)
        except (jose.JoseError, KeyError) as err:
            raise ProtocolError(400, "request_invalid", "public_key is not Ed25519") from err
        now = self._clock()
        with self._sessions.begin() as session:
            invite = session.get(InviteRow, _sha256(parts[1]))
            if invite is None or invite.used_at is not None or invite.expires_at < now:
                raise ProtocolError(400, "invite_invalid", "unknown, used or expired invitation")
            if session.get(KioskRow, kid) is not None:
                raise ProtocolError(409, "kiosk_exists", "this key is already registered")
            invite.used_at, invite.kiosk_id = now, kid
            row = KioskRow(
                kid=kid,
                public_jwk=json.dumps(canonical),
                unit=invite.unit,
                counter=invite.counter,
                name=name[:200],
                registered_at=now,
            )
            session.add(row)
        _log.info("kiosk %s registered for unit %s counter %d", kid, row.unit, row.counter)
        return row

    def revoke(self, kid: str) -> bool:
        """Revoke ``kid``; False when no such kiosk is registered."""
        with self._sessions.begin() as session:
            row = session.get(KioskRow, kid)
            if row is None:
                return False
            row.revoked_at = row.revoked_at or self._clock()
        _log.info("kiosk %s revoked", kid)
        return True

    def public_keys(self) -> dict[str, dict[str, Any]]:
        """The public JWK of every kiosk not revoked, by kid (for configuration bundles)."""
        with self._sessions() as session:
            rows = session.scalars(select(KioskRow).where(KioskRow.revoked_at.is_(None)))
            return {row.kid: {**json.loads(row.public_jwk), "kid": row.kid} for row in rows}

    def kiosks(self) -> list[KioskInfo]:
        """Every kiosk, the most recently heard from first (never heard from: last)."""
        with self._sessions() as session:
            rows = list(session.scalars(select(KioskRow)))
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        rows.sort(key=lambda r: (r.last_contact_at or epoch, r.registered_at), reverse=True)
        return [_info(row) for row in rows]

    def authenticate(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Caller:
        """The registered kiosk that signed this request, its nonce and contact recorded.

        Raises:
            ProtocolError: 401 ``signature_invalid``, ``kiosk_unknown`` or ``replay``; 403
                ``kiosk_revoked``.
        """
        caller = self.check(method, path, query, headers, body)
        with self._sessions.begin() as session:
            self.remember(session, caller)
        return caller

    def check(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> Caller:
        """Check the request as ``authenticate`` does, writing nothing.

        The caller then has ``remember`` run in the transaction the request's effects commit
        in (a packet is stored with its request's nonce: one commit), or alone.

        Raises:
            ProtocolError: as ``authenticate``; a nonce already stored is a ``replay``.
        """
        signed = httpsig.parse(method, path, query, headers, body)
        now = self._clock()
        with self._reads() as session:
            row = session.get(KioskRow, signed.keyid)
            if row is None:
                raise ProtocolError(401, "kiosk_unknown", "no kiosk has this key id")
            key = _verify(row, signed, now)
            seen = session.get(NonceRow, (row.kid, signed.nonce))
        if seen is not None and seen.seen_at >= now - NONCE_MEMORY:
            raise ProtocolError(401, "replay", "nonce already seen")
        return Caller(row.kid, key, signed.nonce, now, _contact(headers), signed.body_sha256)

    def remember(self, session: Session, caller: Caller) -> None:
        """Record ``caller``'s nonce and contact in ``session``'s transaction.

        Raises:
            ProtocolError: 401 ``replay``: another request with this nonce got there first.
        """
        session.execute(delete(NonceRow).where(NonceRow.seen_at < caller.at - NONCE_MEMORY))
        session.add(NonceRow(kiosk_id=caller.kid, nonce=caller.nonce, seen_at=caller.at))
        try:
            session.flush()
        except IntegrityError as err:
            raise ProtocolError(401, "replay", "nonce already seen") from err
        row = session.get(KioskRow, caller.kid)
        if row is not None:
            row.last_contact_at = caller.at
            for name, value in caller.contact.items():
                setattr(row, name, value)


def _verify(
    row: KioskRow, signed: httpsig.SignedRequest, now: dt.datetime
) -> ed25519.Ed25519PublicKey:
    """The kiosk's key, once it verified the request, the kiosk is not revoked and it is on time."""
    try:
        key = _public_key(row.public_jwk)
        key.verify(signed.signature, signed.base)
    except InvalidSignature as err:
        raise ProtocolError(401, "signature_invalid", "signature does not verify") from err
    if row.revoked_at is not None:
        raise ProtocolError(403, "kiosk_revoked", "this kiosk was revoked")
    late = abs(now.timestamp() - signed.created) > CLOCK_WINDOW.total_seconds()
    if late or abs(now - signed.date) > CLOCK_WINDOW:
        raise ProtocolError(401, "replay", "created or Date is outside the 300 s window")
    return key


@functools.lru_cache(maxsize=1024)
def _public_key(public_jwk: str) -> ed25519.Ed25519PublicKey:
    """A registered kiosk's key, parsed once (a kid names its key for good: the thumbprint)."""
    return jose.ed25519_public_key(json.loads(public_jwk))


def _contact(headers: Mapping[str, str]) -> dict[str, str | int | None]:
    """The informational headers as ``KioskRow`` columns (a malformed one: unknown, not refused)."""
    self_test = headers.get("x-kiosk-self-test")
    return {
        "last_version": headers.get("x-kiosk-version", "")[:64] or None,
        "last_uptime": _count(headers.get("x-kiosk-uptime")),
        "last_backlog": _count(headers.get("x-kiosk-backlog")),
        "last_self_test": self_test if self_test in SELF_TEST_VALUES else None,
    }


def _count(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 12:
        return None
    return int(text)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _info(row: KioskRow) -> KioskInfo:
    return KioskInfo(
        kiosk_id=row.kid,
        unit=row.unit,
        counter=row.counter,
        name=row.name,
        registered_at=row.registered_at,
        revoked=row.revoked_at is not None,
        last_contact_at=row.last_contact_at,
        version=row.last_version,
        uptime=row.last_uptime,
        backlog=row.last_backlog,
        self_test=row.last_self_test,
        audit_sequence=row.audit_sequence,
        audit_hash=row.audit_hash,
        chain_flag=row.chain_flag,
    )
