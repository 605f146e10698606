"""The CSCA trust store: importing anchors, master lists and CRLs, and describing what is trusted.

Passive Authentication means something only against trusted CSCA certificates; this service is
how an administrator installs them. Three kinds of file are accepted:

* CSCA certificates (PEM or DER): each must be a CA certificate; its SHA-256 fingerprint is
  shown so the administrator can compare it with the one the issuing country published;
* ICAO master lists: the CMS signature must verify, and the Master List Signer must be issued
  by a CSCA whose fingerprint the administrator confirmed (``--confirm``); a broken list or an
  unconfirmed signer refuses the whole list;
* CRLs: accepted only when an installed CSCA signed them.

Files are written atomically into the trust folder, one per anchor or CRL, and every import is
audited. Vietnam's CSCA is not public: installing it is a deployment step (README).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.users import Permission, User, require
from kiosk.emrtd import (
    CERTIFICATE_SUFFIXES,
    CRL_SUFFIXES,
    EmrtdError,
    TrustReport,
    TrustStore,
    VerificationFailed,
    fingerprint,
    load_certificates,
    load_crl,
    trust_report,
    verify_master_list,
)
from kiosk.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import installed: its kind and, per file written, the fingerprint or issuer."""

    kind: str
    installed: tuple[str, ...]


class TrustService:
    """Installs and describes the trust anchors in ``folder``."""

    def __init__(self, context: ServiceContext, folder: Path) -> None:
        self._context = context
        self._folder = folder

    def import_file(self, admin: User, path: Path, confirmed: Sequence[str] = ()) -> Imported:
        """Install the anchors or CRL in ``path``.

        Args:
            admin: an administrator (MANAGE_TRUST).
            path: a certificate file, a master list or a CRL.
            confirmed: SHA-256 fingerprints (hex) of the CSCAs that may have issued a master
                list's signer, as the administrator checked them out of band.

        Raises:
            DomainError: TRUST_STORE_INVALID with the reason (not a CA, broken signature,
                unconfirmed signer, CRL of an unknown CSCA, unreadable file).
        """
        require(admin, Permission.MANAGE_TRUST)
        try:
            fingerprints = {bytes.fromhex(f.replace(":", "")) for f in confirmed}
            imported = self._install(path, fingerprints)
        except VerificationFailed as err:
            raise _refused("master_list_not_verified", err) from err
        except (EmrtdError, OSError, ValueError) as err:
            raise _refused("unreadable", err) from err
        now = self._context.clock.now()
        with self._context.write() as uow:
            details: dict[str, str | int] = {
                "kind": imported.kind,
                "count": len(imported.installed),
            }
            uow.audit.record_event(now, str(admin.id), "trust_import", path.name, details)
            uow.commit()
        return imported

    def report(self, today: date) -> TrustReport:
        """Every installed anchor and CRL with its validity, days left and warnings."""
        if not self._folder.is_dir():
            return TrustReport((), ())
        try:
            return trust_report(self._folder, today)
        except EmrtdError as err:
            raise DomainError(ErrorCode.TRUST_STORE_INVALID, str(err), reason="unreadable") from err

    def _install(self, path: Path, confirmed: set[bytes]) -> Imported:
        suffix = path.suffix.lower()
        if suffix in CRL_SUFFIXES:
            return self._install_crl(path)
        if suffix in CERTIFICATE_SUFFIXES:
            return self._install_anchors(load_certificates(path), "csca")
        listed = verify_master_list(path.read_bytes(), confirmed, self._installed())
        return self._install_anchors(list(listed.certificates), "master_list")

    def _install_anchors(self, certificates: list[x509.Certificate], kind: str) -> Imported:
        for certificate in certificates:
            if not _is_ca(certificate):
                raise _refused("not_a_ca", "a certificate in the file is not a CA certificate")
        written = tuple(self._write_anchor(certificate) for certificate in certificates)
        return Imported(kind, written)

    def _write_anchor(self, certificate: x509.Certificate) -> str:
        digest = fingerprint(certificate).hex()
        pem = certificate.public_bytes(serialization.Encoding.PEM)
        self._write(f"csca-{_country(certificate.subject)}-{digest[:16]}.pem", pem)
        return digest

    def _install_crl(self, path: Path) -> Imported:
        crl = load_crl(path)
        issuers = [c for c in self._installed() if TrustStore((c,), (crl,)).revocation_lists_of(c)]
        if not issuers:
            raise _refused("crl_issuer_unknown", "no installed CSCA signed this CRL")
        digest = fingerprint(issuers[0]).hex()
        der = crl.public_bytes(serialization.Encoding.DER)
        self._write(f"crl-{_country(crl.issuer)}-{digest[:16]}.crl", der)
        return Imported("crl", (crl.issuer.rfc4514_string(),))

    def _installed(self) -> tuple[x509.Certificate, ...]:
        if not self._folder.is_dir():
            return ()
        return TrustStore.load(self._folder).certificates

    def _write(self, name: str, data: bytes) -> None:
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=".import-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self._folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return constraints.value.ca


def _country(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    text = str(values[0].value) if values else "XX"
    return "".join(ch for ch in text if ch.isalnum())[:3] or "XX"


def _refused(reason: str, detail: object) -> DomainError:
    """The import's refusal: a stable reason code for the message, the detail for the log."""
    return DomainError(ErrorCode.TRUST_STORE_INVALID, str(detail), reason=reason)
