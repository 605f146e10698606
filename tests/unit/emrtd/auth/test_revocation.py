"""Revocation: a Document Signer on its CSCA's CRL is invalid; stale CRLs are named.

Only a CRL whose signature the CSCA's key verifies counts (ICAO 9303-12 §7), so a list made by
anyone else can neither revoke nor clear a Document Signer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import Verdict
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import sod
from tests.unit.emrtd.auth.conftest import CertMaker, Issued

TODAY = date(2026, 11, 27)
ISSUED = date(2024, 6, 1)
GROUPS = {1: b"\x61\x03\x5f\x1f\x00"}


def crl_of(
    issuer: Issued,
    *,
    revoked: tuple[int, ...] = (),
    next_update: datetime = datetime(2027, 1, 1, tzinfo=UTC),
    key: ec.EllipticCurvePrivateKey | None = None,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(datetime(2026, 1, 1, tzinfo=UTC))
        .next_update(next_update)
    )
    for serial in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(datetime(2025, 1, 1, tzinfo=UTC))
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(key or issuer.key, hashes.SHA256())


def passive(dsc: Issued, store: TrustStore) -> tuple[Verdict, tuple[str, ...]]:
    security_object = sod.encode(GROUPS, dsc.key, dsc.certificate)
    result = verify_passive(security_object, GROUPS, store, issued_on=ISSUED, today=TODAY)
    return result.verdict, result.reasons


@pytest.fixture(scope="module")
def chain() -> tuple[Issued, Issued]:
    maker = CertMaker()
    csca = maker.csca()
    return csca, maker.dsc(csca)


def test_a_revoked_document_signer_is_invalid(chain: tuple[Issued, Issued]) -> None:
    csca, dsc = chain
    crl = crl_of(csca, revoked=(dsc.certificate.serial_number,))
    store = TrustStore((csca.certificate,), (crl,))
    assert passive(dsc, store) == (Verdict.INVALID, ("dsc_revoked",))


def test_a_fresh_crl_without_the_signer_clears_it(chain: tuple[Issued, Issued]) -> None:
    csca, dsc = chain
    store = TrustStore((csca.certificate,), (crl_of(csca, revoked=(12345,)),))
    assert passive(dsc, store) == (Verdict.VALID, ())


def test_a_stale_crl_is_named(chain: tuple[Issued, Issued]) -> None:
    csca, dsc = chain
    stale = crl_of(csca, next_update=datetime(2026, 6, 1, tzinfo=UTC))
    assert passive(dsc, TrustStore((csca.certificate,), (stale,))) == (
        Verdict.VALID,
        ("crl_stale",),
    )


def test_a_crl_not_signed_by_the_csca_counts_for_nothing(chain: tuple[Issued, Issued]) -> None:
    csca, dsc = chain
    forged = crl_of(
        csca,
        revoked=(dsc.certificate.serial_number,),
        key=ec.generate_private_key(ec.BrainpoolP256R1()),
    )
    assert passive(dsc, TrustStore((csca.certificate,), (forged,))) == (Verdict.VALID, ())


def test_crls_load_from_the_trust_folder(chain: tuple[Issued, Issued], tmp_path: Path) -> None:
    csca, dsc = chain
    (tmp_path / "csca.pem").write_bytes(csca.certificate.public_bytes(Encoding.PEM))
    revoking = crl_of(csca, revoked=(dsc.certificate.serial_number,))
    (tmp_path / "a.crl").write_bytes(revoking.public_bytes(Encoding.DER))
    (tmp_path / "b.crl").write_bytes(crl_of(csca).public_bytes(Encoding.PEM))
    store = TrustStore.load(tmp_path)
    assert len(store.revocation_lists_of(csca.certificate)) == 2
    assert passive(dsc, store)[1] == ("dsc_revoked",)


def test_a_broken_crl_file_is_malformed(tmp_path: Path) -> None:
    (tmp_path / "broken.crl").write_bytes(b"not a CRL")
    with pytest.raises(MalformedData, match=r"broken\.crl"):
        TrustStore.load(tmp_path)
