"""Signed configuration bundles: published with the next version, served to kiosks.

``central config publish FILE`` takes a JSON document with what the administrator decides
(``thresholds``, ``verdict_policy``, ``trust_store``: PEM texts or paths of PEM files next to
FILE, and optionally ``tls_pins``) and adds what the server knows: the version (one more than
the last), the time, its TLS pins unless given, and the public keys of every kiosk not revoked.
The whole is signed with the server's signing key (``typ`` ``kiosk-config+json``); a kiosk
refuses a version it does not exceed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from central import jose
from central.db import ConfigRow
from central.keys import ServerKeys

_log = logging.getLogger(__name__)

CONFIG_TYPE = "kiosk-config+json"
_FIELDS = frozenset({"thresholds", "verdict_policy", "trust_store", "tls_pins"})


class BundleError(ValueError):
    """A configuration document that cannot be published (says which field, never a secret)."""


class Bundles:
    """The server's configuration bundles, newest last."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        keys: ServerKeys,
        signing_kid: str,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self._kid = signing_kid
        self._clock = clock

    def publish(
        self, document: Mapping[str, Any], folder: Path, kiosk_keys: Mapping[str, Any]
    ) -> int:
        """Sign and store ``document`` as the next version; returns that version.

        Args:
            document: the administrator's part (see the module docstring).
            folder: where relative ``trust_store`` paths are read from.
            kiosk_keys: the public JWK of every kiosk not revoked, by kid.

        Raises:
            BundleError: an unknown field, a field of the wrong type, an unreadable certificate.
        """
        unknown = sorted(set(document) - _FIELDS)
        if unknown:
            raise BundleError(f"unknown field {unknown[0]}")
        thresholds, policy = document.get("thresholds", {}), document.get("verdict_policy", {})
        if not isinstance(thresholds, dict) or not isinstance(policy, dict):
            raise BundleError("thresholds and verdict_policy must be objects")
        pins = document.get("tls_pins", list(self._keys.tls_pins))
        if not (
            isinstance(pins, list) and len(pins) == 2 and all(isinstance(p, str) for p in pins)
        ):
            raise BundleError("tls_pins must be [primary, backup]")
        trust = [_certificate_pem(entry, folder) for entry in document.get("trust_store", [])]
        now = self._clock()
        with self._sessions.begin() as session:
            version = (session.scalar(select(func.max(ConfigRow.version))) or 0) + 1
            bundle = {
                "version": version,
                "issued_at": now.isoformat(),
                "trust_store": trust,
                "thresholds": thresholds,
                "verdict_policy": policy,
                "tls_pins": pins,
                "kiosk_keys": dict(kiosk_keys),
            }
            payload = json.dumps(bundle, separators=(",", ":"), sort_keys=True).encode()
            token = jose.sign_compact(payload, self._keys.signing, self._kid, CONFIG_TYPE)
            session.add(ConfigRow(version=version, issued_at=now, jws=token))
        _log.info("configuration bundle %d published (%d CSCA certificates)", version, len(trust))
        return version

    def newer_than(self, version: int) -> str | None:
        """The newest bundle when its version exceeds ``version``, else None."""
        with self._sessions() as session:
            row = session.scalars(select(ConfigRow).order_by(ConfigRow.version.desc())).first()
        return row.jws if row is not None and row.version > version else None


def _certificate_pem(entry: object, folder: Path) -> str:
    if not isinstance(entry, str):
        raise BundleError("trust_store entries must be PEM texts or file paths")
    text = entry if entry.startswith("-----BEGIN") else _read(folder / entry)
    try:
        certificate = x509.load_pem_x509_certificate(text.encode())
    except ValueError as err:
        raise BundleError("a trust_store entry is not a PEM certificate") from err
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        raise BundleError(f"cannot read trust_store file {path.name}") from err
