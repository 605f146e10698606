"""Passive Authentication over hostile EF.SOD bytes: always a CheckResult, never an exception."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import Verdict
from kiosk.emrtd.lds import sod

PROPERTY = settings.get_profile("emrtd")
FILES = {1: b"DG1", 13: b"DG13"}


def _signed() -> tuple[bytes, TrustStore]:
    key = ec.generate_private_key(ec.BrainpoolP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "PROPERTY CSCA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return sod.encode(FILES, key, certificate), TrustStore((certificate,))


SOD, TRUST = _signed()


def test_the_unmutated_sod_is_valid() -> None:
    result = verify_passive(SOD, FILES, TRUST, issued_on=date(2021, 1, 1), today=date(2026, 1, 1))
    assert result.verdict is Verdict.VALID


@PROPERTY
@given(st.integers(0, len(SOD) - 1), st.integers(1, 255), st.integers(0, 3))
def test_any_changed_byte_gives_a_result(position: int, mask: int, cut: int) -> None:
    data = bytearray(SOD)
    data[position] ^= mask
    result = verify_passive(
        bytes(data[: len(data) - cut]), FILES, TRUST, issued_on=None, today=date(2026, 1, 1)
    )
    assert result.verdict in set(Verdict)
