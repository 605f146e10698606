"""Certificates for the Passive Authentication tests: CSCAs and Document Signers on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from kiosk.devices.sim import pki

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
CSCA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "KIOSK TEST PKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, "KIOSK TEST CSCA"),
    ]
)


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: PrivateKey


class CertMaker:
    """Builds certificates with exactly the oddities a test needs."""

    def csca(
        self,
        key: PrivateKey | None = None,
        *,
        name: x509.Name = CSCA_NAME,
        key_id: bytes | None = None,
        until: datetime = datetime(2045, 1, 1, tzinfo=UTC),
    ) -> Issued:
        key = key or ec.generate_private_key(ec.BrainpoolP256R1())
        ski = (
            x509.SubjectKeyIdentifier(key_id)
            if key_id
            else x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        )
        builder = self._builder(name, name, key, datetime(2015, 1, 1, tzinfo=UTC), until)
        builder = builder.add_extension(ski, critical=False)
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        )
        return Issued(builder.sign(key, hashes.SHA256()), key)

    def dsc(
        self,
        issuer: Issued,
        key: PrivateKey | None = None,
        *,
        since: datetime = datetime(2020, 1, 1, tzinfo=UTC),
        until: datetime = datetime(2040, 1, 1, tzinfo=UTC),
        authority_key_id: bool = True,
        pss: bool = False,
    ) -> Issued:
        key = key or ec.generate_private_key(ec.BrainpoolP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "KIOSK TEST DOCUMENT SIGNER")])
        builder = self._builder(name, issuer.certificate.subject, key, since, until)
        if authority_key_id:
            ski = issuer.certificate.extensions.get_extension_for_class(
                x509.SubjectKeyIdentifier
            ).value
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
            )
        scheme = padding.PSS(padding.MGF1(hashes.SHA256()), 32) if pss else None
        return Issued(builder.sign(issuer.key, hashes.SHA256(), rsa_padding=scheme), key)

    @staticmethod
    def _builder(
        subject: x509.Name, issuer: x509.Name, key: PrivateKey, since: datetime, until: datetime
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(since)
            .not_valid_after(until)
        )


@pytest.fixture(scope="session")
def certs() -> CertMaker:
    return CertMaker()


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> pki.TestPKI:
    return pki.load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pki-files")
