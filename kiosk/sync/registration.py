"""Registering the kiosk with its central server (``kiosk register --server URL --code CODE``).

The invitation code ``KI1.<token>.<pin>`` (``central kiosk invite``) carries the server's TLS key
fingerprint, so the very first connection is already pinned: a server showing another key is
refused (``server_key_mismatch``) before the code or the kiosk's key is sent. The server answers
with its signing and encryption keys and its pins, which the kiosk keeps in its store; from then
on only a signed configuration bundle can change them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from kiosk.domain.clock import Clock
from kiosk.domain.errors import ErrorCode
from kiosk.store.repositories.sync_state import Registration
from kiosk.sync.client import ServerClient, pin_digest
from kiosk.sync.envelope import ConfigurationBundle, kiosk_public_jwk, open_configuration
from kiosk.sync.errors import ServerKeyMismatch, ServerRefused, SignatureInvalid

log = logging.getLogger(__name__)

PREFIX = "KI1"


@dataclass(frozen=True, slots=True)
class Invitation:
    """A parsed invitation code: the whole code (sent to the server) and the key pin it names."""

    code: str
    pin: str


@dataclass(frozen=True, slots=True)
class Registered:
    """What a successful registration brings back."""

    registration: Registration
    configuration: ConfigurationBundle | None
    configuration_token: bytes | None


def parse_invitation(code: str) -> Invitation:
    """Read ``KI1.<token>.<pin>``.

    Raises:
        ServerRefused: INVITE_INVALID, the code is not of that shape.
    """
    parts = code.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        raise ServerRefused(ErrorCode.INVITE_INVALID, "malformed invitation code")
    try:
        pin_digest(parts[2])
    except ValueError as err:
        raise ServerRefused(ErrorCode.INVITE_INVALID, "malformed pin") from err
    return Invitation(code.strip(), parts[2])


def register(
    server_url: str,
    code: str,
    public_raw: bytes,
    clock: Clock,
    *,
    version: str,
    name: str,
    timeout: tuple[float, float] = (5.0, 30.0),
) -> Registered:
    """Register this kiosk's public key with the server named by ``server_url``.

    Raises:
        ServerKeyMismatch: the server's TLS key is not the one the invitation names.
        ServerRefused: INVITE_INVALID (unknown, used or expired code), SERVER_REFUSED (the key
            is already registered, or an unexpected answer).
        ServerUnreachable: no answer.
        SignatureInvalid: the configuration bundle that came with the answer is not signed by
            the server's key.
    """
    invitation = parse_invitation(code)
    client = ServerClient(server_url, [invitation.pin], clock, timeout=timeout)
    try:
        reply = client.register(
            {
                "code": invitation.code,
                "public_key": kiosk_public_jwk(public_raw),
                "kiosk_version": version,
                "name": name,
            }
        )
    finally:
        client.close()
    if reply.status == 400:
        raise ServerRefused(ErrorCode.INVITE_INVALID, reply.code or "invite refused")
    if reply.status != 201:
        code_text = reply.code or f"http_{reply.status}"
        raise ServerRefused(ErrorCode.SERVER_REFUSED, code_text, reason=code_text)
    return _registered(server_url, invitation, reply.json())


def _registered(server_url: str, invitation: Invitation, body: Any) -> Registered:
    try:
        server = body["server"]
        registration = Registration(
            server_url=server_url.rstrip("/"),
            server_id=str(server["server_id"]),
            kiosk_id=str(body["kiosk_id"]),
            unit=str(body["unit"]),
            counter=int(body["counter"]),
            signing_key=json.dumps(server["signing_key"]),
            encryption_key=json.dumps(server["encryption_key"]),
            tls_pins=tuple(str(pin) for pin in server["tls_pins"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ServerRefused(ErrorCode.SERVER_REFUSED, "bad answer", reason="bad_reply") from err
    # The pins the server announces must include the key we just checked, or the next
    # connection would be refused (or worse, pinned to a key we never saw).
    shown = pin_digest(invitation.pin)
    if shown not in {pin_digest(pin) for pin in registration.tls_pins}:
        raise ServerKeyMismatch("announced pins omit the invitation's key")
    token = body.get("configuration")
    if token is None:
        return Registered(registration, None, None)
    raw = token.encode() if isinstance(token, str) else b""
    try:
        bundle = open_configuration(raw, registration.signing_key, 0)
    except SignatureInvalid:
        log.error("the configuration bundle sent at registration is not validly signed")
        raise
    return Registered(registration, bundle, raw)
