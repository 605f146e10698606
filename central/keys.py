"""The server's keys, kept in its data folder: signing, encryption, TLS and the backup TLS key.

- Ed25519 signing key: acknowledgements and configuration bundles.
- P-256 encryption key: the kiosk encrypts packets to it (JWE ECDH-ES+A256KW).
- TLS: a self-signed certificate for loopback and this host's name, unless ``--tls-cert`` and
  ``--tls-key`` name another; and a backup TLS key that serves nothing yet, so its pin can
  travel in bundles before the day the certificate is replaced.

A pin is the base32 (no padding) SHA-256 of a SubjectPublicKeyInfo DER (docs/sync-protocol.md).
Private keys are written readable by the owner only, atomically.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

_log = logging.getLogger(__name__)

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """The keys the server works with, and where its TLS certificate and key are."""

    signing: ed25519.Ed25519PrivateKey
    encryption: ec.EllipticCurvePrivateKey
    tls_cert: Path
    tls_key: Path
    tls_pins: tuple[str, str]


def spki_pin(key: PublicKey) -> str:
    """The pin of ``key``: base32 without padding of the SHA-256 of its SPKI DER."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b32encode(hashlib.sha256(der).digest()).decode().rstrip("=")


def load_or_create(
    folder: Path, tls_cert: Path | None = None, tls_key: Path | None = None
) -> ServerKeys:
    """The keys in ``folder``, each created on first use.

    Args:
        folder: the server's data folder.
        tls_cert: a TLS certificate to serve instead of the self-signed one (with ``tls_key``).
        tls_key: its private key.

    Raises:
        ValueError: a stored key or certificate cannot be read.
    """
    folder.mkdir(parents=True, exist_ok=True)
    signing = _ed25519_key(folder / "signing-key.pem")
    encryption = _ec_key(folder / "encryption-key.pem")
    backup = _ec_key(folder / "tls-backup-key.pem")
    if tls_cert is None or tls_key is None:
        tls_key = folder / "tls-key.pem"
        tls_cert = folder / "tls-cert.pem"
        key = _ec_key(tls_key)
        if not tls_cert.exists():
            _write(tls_cert, _self_signed(key).public_bytes(serialization.Encoding.PEM), 0o644)
            _log.info("made a self-signed TLS certificate in the data folder")
    primary = x509.load_pem_x509_certificate(tls_cert.read_bytes()).public_key()
    if not isinstance(primary, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise ValueError("the TLS certificate's key must be EC or Ed25519")
    pins = (spki_pin(primary), spki_pin(backup.public_key()))
    return ServerKeys(signing, encryption, tls_cert, tls_key, pins)


def _ed25519_key(path: Path) -> ed25519.Ed25519PrivateKey:
    if not path.exists():
        _store_key(path, ed25519.Ed25519PrivateKey.generate())
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path.name} is not an Ed25519 key")
    return loaded


def _ec_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if not path.exists():
        _store_key(path, ec.generate_private_key(ec.SECP256R1()))
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path.name} is not an EC key")
    return loaded


def _store_key(path: Path, key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write(path, pem, 0o600)
    _log.info("made the server key %s", path.name)


def _self_signed(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk central server")])
    now = dt.datetime.now(dt.UTC)
    alternative = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.DNSName(socket.gethostname()),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(alternative, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically with ``mode`` from the start (a key is never briefly world-readable)."""
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
