"""What ``kiosk trust list`` shows: each anchor and CRL of the trust folder, with its warnings.

An expired CSCA still verifies cards issued while it was valid, so expiry is a warning, not a
removal: the administrator is told 60 days ahead (``csca_expires_soon``) and after the fact
(``csca_expired``). A CRL is warned about 7 days before its nextUpdate
(``crl_next_update_soon``) and marked ``crl_stale`` once past it, which Passive Authentication
also reports (issue 5). The source is the file an entry came from, so an anchor imported from a
master list can be traced to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from kiosk.emrtd.auth.master_list import fingerprint
from kiosk.emrtd.auth.trust import CERTIFICATE_SUFFIXES, CRL_SUFFIXES, load_certificates, load_crl

CSCA_WARNING_DAYS = 60
CRL_WARNING_DAYS = 7


@dataclass(frozen=True, slots=True)
class AnchorStatus:
    """One trusted CSCA as the administrator sees it."""

    subject: str
    country: str | None
    not_before: date
    not_after: date
    days_left: int
    source: str
    fingerprint: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RevocationListStatus:
    """One CRL as the administrator sees it; ``next_update`` None means the CRL has none."""

    issuer: str
    country: str | None
    next_update: date | None
    days_left: int | None
    source: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrustReport:
    """Every anchor and CRL of a trust folder, in file-name order."""

    anchors: tuple[AnchorStatus, ...]
    revocation_lists: tuple[RevocationListStatus, ...]


def report(folder: Path, today: date) -> TrustReport:
    """Describe the trust folder ``folder`` as of ``today``.

    Raises:
        MalformedData: a file cannot be decoded (as ``TrustStore.load`` would refuse it).
    """
    paths = sorted(folder.iterdir())
    anchors = tuple(
        anchor_status(certificate, today, path.name)
        for path in paths
        if path.suffix.lower() in CERTIFICATE_SUFFIXES
        for certificate in load_certificates(path)
    )
    crls = tuple(
        revocation_list_status(load_crl(path), today, path.name)
        for path in paths
        if path.suffix.lower() in CRL_SUFFIXES
    )
    return TrustReport(anchors, crls)


def anchor_status(certificate: x509.Certificate, today: date, source: str) -> AnchorStatus:
    """A CSCA's validity, days left and warnings."""
    end = certificate.not_valid_after_utc.date()
    days_left = (end - today).days
    warnings = _warnings(days_left, CSCA_WARNING_DAYS, "csca_expires_soon", "csca_expired")
    return AnchorStatus(
        subject=certificate.subject.rfc4514_string(),
        country=_country(certificate.subject),
        not_before=certificate.not_valid_before_utc.date(),
        not_after=end,
        days_left=days_left,
        source=source,
        fingerprint=fingerprint(certificate).hex(),
        warnings=warnings,
    )


def revocation_list_status(
    crl: x509.CertificateRevocationList, today: date, source: str
) -> RevocationListStatus:
    """A CRL's next update, days left and warnings (no nextUpdate at all counts as stale)."""
    moment = crl.next_update_utc
    next_update = None if moment is None else moment.date()
    days_left = None if next_update is None else (next_update - today).days
    warnings = (
        ("crl_stale",)
        if days_left is None
        else _warnings(days_left, CRL_WARNING_DAYS, "crl_next_update_soon", "crl_stale")
    )
    return RevocationListStatus(
        issuer=crl.issuer.rfc4514_string(),
        country=_country(crl.issuer),
        next_update=next_update,
        days_left=days_left,
        source=source,
        warnings=warnings,
    )


def _warnings(days_left: int, ahead: int, soon: str, past: str) -> tuple[str, ...]:
    if days_left < 0:
        return (past,)
    if days_left <= ahead:
        return (soon,)
    return ()


def _country(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value) if values else None
