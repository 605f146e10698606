"""The trust store: the CSCA certificates a kiosk accepts as anchors (ICAO 9303-12 §5).

A folder of PEM or DER files (``--trust DIR`` or the configured store). A Document Signer is
matched to anchors by issuer name and authority key identifier, because a country re-keys its
CSCA under the same name: the name alone does not say which key signed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from kiosk.emrtd.errors import MalformedData

_log = logging.getLogger(__name__)

CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})

CERTIFICATE_ERRORS = (
    ValueError,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)
"""What ``cryptography`` raises on a certificate it cannot decode (not all are ValueErrors)."""


@dataclass(frozen=True, slots=True)
class TrustStore:
    """The trusted CSCA certificates."""

    certificates: tuple[x509.Certificate, ...] = ()

    @classmethod
    def load(cls, folder: Path) -> TrustStore:
        """Load every certificate file in ``folder`` (not recursive; other files are ignored).

        Raises:
            MalformedData: a certificate file cannot be decoded (a broken anchor is never
                skipped silently: the operator must see it).
        """
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in CERTIFICATE_SUFFIXES)
        certificates = tuple(cert for path in files for cert in _load_file(path))
        _log.info("trust store: %d CSCA certificates from %d files", len(certificates), len(files))
        return cls(certificates)

    def named(self, name: x509.Name) -> tuple[x509.Certificate, ...]:
        """The anchors whose subject is ``name``."""
        return tuple(c for c in self.certificates if c.subject == name)


def _load_file(path: Path) -> list[x509.Certificate]:
    """The certificates of one file, each with a usable key identifier (checked here, once)."""
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            certificates = x509.load_pem_x509_certificates(data)
        else:
            certificates = [x509.load_der_x509_certificate(data)]
        for certificate in certificates:
            key_identifier(certificate)
    except (*CERTIFICATE_ERRORS, UnsupportedAlgorithm) as err:
        raise MalformedData("CSCA certificate", f"{path.name} is not a usable certificate") from err
    return certificates


def key_identifier(certificate: x509.Certificate) -> bytes:
    """The certificate's subject key identifier: the extension, else RFC 5280 method 1."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest
    return extension.value.digest


def authority_key_identifier(certificate: x509.Certificate) -> bytes | None:
    """The key identifier of the certificate's issuer, when the certificate names it."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        return None
    return extension.value.key_identifier
