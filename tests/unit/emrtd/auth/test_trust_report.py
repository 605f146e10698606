"""``trust_report``: what ``kiosk trust list`` shows, with the 60-day and 7-day warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.emrtd.auth import trust_report
from kiosk.emrtd.auth.master_list import fingerprint
from tests.unit.emrtd.auth.conftest import CertMaker, Issued

MAKER = CertMaker()
CSCA = MAKER.csca(until=datetime(2027, 1, 1, tzinfo=UTC))


def crl_until(issuer: Issued, next_update: datetime) -> x509.CertificateRevocationList:
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(datetime(2026, 1, 1, tzinfo=UTC))
        .next_update(next_update)
        .sign(issuer.key, hashes.SHA256())
    )


@pytest.mark.parametrize(
    ("today", "warnings"),
    [
        (date(2026, 6, 1), ()),
        (date(2026, 11, 2), ("csca_expires_soon",)),
        (date(2027, 1, 1), ("csca_expires_soon",)),
        (date(2027, 1, 2), ("csca_expired",)),
    ],
)
def test_csca_warnings(today: date, warnings: tuple[str, ...]) -> None:
    status = trust_report.anchor_status(CSCA.certificate, today, "csca.pem")
    assert status.warnings == warnings
    assert status.days_left == (date(2027, 1, 1) - today).days
    assert (status.not_before, status.not_after) == (date(2015, 1, 1), date(2027, 1, 1))
    assert status.country == "VN"
    assert status.source == "csca.pem"
    assert status.fingerprint == fingerprint(CSCA.certificate).hex()
    assert "KIOSK TEST CSCA" in status.subject


@pytest.mark.parametrize(
    ("today", "warnings"),
    [
        (date(2026, 11, 1), ()),
        (date(2026, 11, 24), ("crl_next_update_soon",)),
        (date(2026, 12, 2), ("crl_stale",)),
    ],
)
def test_crl_warnings(today: date, warnings: tuple[str, ...]) -> None:
    crl = crl_until(CSCA, datetime(2026, 12, 1, tzinfo=UTC))
    status = trust_report.revocation_list_status(crl, today, "vn.crl")
    assert status.warnings == warnings
    assert status.next_update == date(2026, 12, 1)
    assert status.country == "VN"


def test_a_crl_without_next_update_is_stale() -> None:
    parsed = asn1_crl.CertificateList.load(
        crl_until(CSCA, datetime(2026, 12, 1, tzinfo=UTC)).public_bytes(Encoding.DER)
    )
    tbs = parsed["tbs_cert_list"]
    del tbs["next_update"]
    crl = x509.load_der_x509_crl(parsed.dump(force=True))
    status = trust_report.revocation_list_status(crl, date(2026, 1, 2), "old.crl")
    assert (status.next_update, status.days_left, status.warnings) == (None, None, ("crl_stale",))


def test_the_report_of_a_folder(tmp_path: Path) -> None:
    other = MAKER.csca(key_id=b"\x01" * 20)
    (tmp_path / "a.pem").write_bytes(
        CSCA.certificate.public_bytes(Encoding.PEM) + other.certificate.public_bytes(Encoding.PEM)
    )
    crl = crl_until(CSCA, datetime(2027, 6, 1, tzinfo=UTC))
    (tmp_path / "b.crl").write_bytes(crl.public_bytes(Encoding.DER))
    (tmp_path / "notes.txt").write_text("ignored")
    found = trust_report.report(tmp_path, date(2026, 11, 27))
    assert [a.source for a in found.anchors] == ["a.pem", "a.pem"]
    assert [c.source for c in found.revocation_lists] == ["b.crl"]
    assert found.anchors[0].warnings == ("csca_expires_soon",)
    assert found.anchors[1].country == "VN"
