"""The throw-away test PKI: a test CSCA and the Document Signer it certifies.

It signs the simulated chip's EF.SOD (design.md, "Simulated devices"). It is generated once per
installation into the demo data folder and loaded from there afterwards, so a demo card read
today still verifies tomorrow. Every subject names ``O=KIOSK TEST PKI``: the kiosk recognises a
test anchor by it (``is_test_anchor``), refuses to start with one outside demo mode, and marks
reads it verified as DEMO. Private keys are written readable by the owner only.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

TEST_ORGANIZATION = "KIOSK TEST PKI"
"""The organisation every certificate of the test PKI names, so it is never mistaken for real."""

CSCA_VALIDITY = (datetime(2015, 1, 1, tzinfo=UTC), datetime(2045, 1, 1, tzinfo=UTC))
DSC_VALIDITY = (datetime(2015, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))
"""Fixed, wide validity: Passive Authentication checks the chain at each simulated card's
date of issue, and demo citizens hold cards issued from 2016 on."""

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class KeyAlgorithm(StrEnum):
    """The key type of the test PKI; also the name of its sub-folder."""

    EC = "brainpoolP256r1"
    RSA = "rsa2048"


@dataclass(frozen=True, slots=True)
class TestPKI:
    """The test CSCA and Document Signer, keys included.

    Attributes:
        trust_dir: a folder holding only the CSCA certificate, ready for ``TrustStore.load``
            and ``kiosk card read --trust``.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, despite its name

    csca: x509.Certificate
    csca_key: PrivateKey
    document_signer: x509.Certificate
    document_signer_key: PrivateKey
    trust_dir: Path


def load_or_create(folder: Path, algorithm: KeyAlgorithm = KeyAlgorithm.EC) -> TestPKI:
    """The test PKI stored under ``folder``, generated there on first use.

    Raises:
        ValueError: a stored file is corrupt (delete the folder to start afresh).
    """
    home = folder / algorithm.value
    paths = _Paths(home)
    if not all(p.exists() for p in paths.all()):
        _create(paths, algorithm)
    return TestPKI(
        csca=x509.load_pem_x509_certificate(paths.csca.read_bytes()),
        csca_key=_load_key(paths.csca_key),
        document_signer=x509.load_pem_x509_certificate(paths.dsc.read_bytes()),
        document_signer_key=_load_key(paths.dsc_key),
        trust_dir=paths.csca.parent,
    )


def is_test_anchor(certificate: x509.Certificate) -> bool:
    """Whether ``certificate`` belongs to a test PKI (its subject names ``TEST_ORGANIZATION``)."""
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return any(name.value == TEST_ORGANIZATION for name in names)


@dataclass(frozen=True, slots=True)
class _Paths:
    home: Path

    @property
    def csca(self) -> Path:
        return self.home / "trust" / "csca.pem"

    @property
    def csca_key(self) -> Path:
        return self.home / "csca-key.pem"

    @property
    def dsc(self) -> Path:
        return self.home / "dsc.pem"

    @property
    def dsc_key(self) -> Path:
        return self.home / "dsc-key.pem"

    def all(self) -> tuple[Path, ...]:
        return (self.csca, self.csca_key, self.dsc, self.dsc_key)


def _create(paths: _Paths, algorithm: KeyAlgorithm) -> None:
    csca_key, dsc_key = _new_key(algorithm), _new_key(algorithm)
    csca_name, dsc_name = _name("KIOSK TEST CSCA"), _name("KIOSK TEST DOCUMENT SIGNER")
    csca = (
        _certificate(csca_name, csca_key.public_key(), csca_name, csca_key, CSCA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    dsc = (
        _certificate(dsc_name, dsc_key.public_key(), csca_name, csca_key, DSC_VALIDITY)
        .add_extension(_key_usage(key_cert_sign=False), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    (paths.home / "trust").mkdir(mode=0o700, parents=True, exist_ok=True)
    _write(paths.csca_key, _key_pem(csca_key), 0o600)
    _write(paths.dsc_key, _key_pem(dsc_key), 0o600)
    _write(paths.dsc, dsc.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(paths.csca, csca.public_bytes(serialization.Encoding.PEM), 0o644)


def _new_key(algorithm: KeyAlgorithm) -> PrivateKey:
    if algorithm is KeyAlgorithm.RSA:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.BrainpoolP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    issuer: x509.Name,
    issuer_key: PrivateKey,
    validity: tuple[datetime, datetime],
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(secrets.randbits(63) + 1)
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )


def _key_usage(*, key_cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not key_cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path.name} is neither an RSA nor an EC key")
    return key


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically with ``mode`` from the start (a key is never briefly world-readable)."""
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
