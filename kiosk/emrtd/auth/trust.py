"""The trust store: the CSCA certificates a kiosk accepts as anchors (ICAO 9303-12 §5).

A folder of PEM or DER files (``--trust DIR`` or the configured store). A Document Signer is
matched to anchors by issuer name and authority key identifier, because a country re-keys its
CSCA under the same name: the name alone does not say which key signed. Certificate revocation
lists (``.crl``, ICAO 9303-12 §7) sit in the same folder; a CRL counts only for the CSCA whose
key verifies its signature, so a forged list can neither revoke nor clear a Document Signer.
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
CRL_SUFFIXES = frozenset({".crl"})

CERTIFICATE_ERRORS = (
    ValueError,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)
"""What ``cryptography`` raises on a certificate it cannot decode (not all are ValueErrors)."""


@dataclass(frozen=True, slots=True)
class TrustStore:
    """The trusted CSCA certificates and the revocation lists their CSCAs issued."""

    certificates: tuple[x509.Certificate, ...] = ()
    revocation_lists: tuple[x509.CertificateRevocationList, ...] = ()

    @classmethod
    def load(cls, folder: Path) -> TrustStore:
        """Load every certificate file in ``folder`` (not recursive; other files are ignored).

        Raises:
            MalformedData: a certificate or CRL file cannot be decoded (a broken anchor is
                never skipped silently: the operator must see it).
        """
        paths = sorted(folder.iterdir())
        files = [p for p in paths if p.suffix.lower() in CERTIFICATE_SUFFIXES]
        certificates = tuple(cert for path in files for cert in load_certificates(path))
        crls = tuple(load_crl(p) for p in paths if p.suffix.lower() in CRL_SUFFIXES)
        _log.info(
            "trust store: %d CSCA certificates from %d files, %d CRLs",
            len(certificates),
            len(files),
            len(crls),
        )
        return cls(certificates, crls)

    def named(self, name: x509.Name) -> tuple[x509.Certificate, ...]:
        """The anchors whose subject is ``name``."""
        return tuple(c for c in self.certificates if c.subject == name)

    def revocation_lists_of(
        self, csca: x509.Certificate
    ) -> tuple[x509.CertificateRevocationList, ...]:
        """The CRLs ``csca`` issued: its name, and a signature its key verifies."""
        return tuple(
            crl
            for crl in self.revocation_lists
            if crl.issuer == csca.subject and _signed_by(crl, csca)
        )


def _signed_by(crl: x509.CertificateRevocationList, csca: x509.Certificate) -> bool:
    """Whether the CSCA's key verifies the CRL (a key of another type simply does not)."""
    return crl.is_signature_valid(csca.public_key())  # type: ignore[arg-type]


def load_crl(path: Path) -> x509.CertificateRevocationList:
    """The CRL in ``path`` (PEM or DER).

    Raises:
        MalformedData: the file is not a CRL.
    """
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as err:
        raise MalformedData("CRL", f"{path.name} is not a usable CRL") from err


def load_certificates(path: Path) -> list[x509.Certificate]:
    """The certificates of one file, each with a usable key identifier (checked here, once).

    Raises:
        MalformedData: the file holds no usable certificate.
    """
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
