"""The trust store folder, key identifiers, signature edge cases and the test PKI files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.devices.sim import pki
from kiosk.emrtd.auth import signature
from kiosk.emrtd.auth.trust import TrustStore, authority_key_identifier, key_identifier
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds.algorithms import SignatureAlgorithm, SignatureScheme


def test_trust_store_loads_pem_bundles_and_der_and_ignores_other_files(
    tmp_path: Path, certs
) -> None:
    first, second, third = certs.csca(), certs.csca(), certs.csca()
    bundle = first.certificate.public_bytes(Encoding.PEM) + second.certificate.public_bytes(
        Encoding.PEM
    )
    (tmp_path / "bundle.pem").write_bytes(bundle)
    (tmp_path / "third.CER").write_bytes(third.certificate.public_bytes(Encoding.DER))
    (tmp_path / "notes.txt").write_text("not a certificate")
    store = TrustStore.load(tmp_path)
    assert store.certificates == (first.certificate, second.certificate, third.certificate)
    assert store.named(first.certificate.subject) == store.certificates


@pytest.mark.parametrize(
    "content", [b"junk", b"-----BEGIN CERTIFICATE-----\njunk\n-----END CERTIFICATE-----\n"]
)
def test_a_broken_anchor_stops_the_load(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "broken.pem").write_bytes(content)
    with pytest.raises(MalformedData, match=r"broken\.pem"):
        TrustStore.load(tmp_path)


def test_key_identifiers_fall_back_to_the_key_hash(certs) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([])
    bare = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(certs.csca().certificate.not_valid_before_utc)
        .not_valid_after(certs.csca().certificate.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    assert (
        key_identifier(bare) == x509.SubjectKeyIdentifier.from_public_key(key.public_key()).digest
    )
    assert authority_key_identifier(bare) is None


def test_signature_support_and_key_mismatches() -> None:
    pss = SignatureAlgorithm("1.2.840.113549.1.1.10", SignatureScheme.RSA_PSS, "sha256", "md5", 32)
    assert not signature.is_supported(pss)
    assert not signature.is_supported(SignatureAlgorithm("1.2", None, "sha256"))
    assert not signature.is_supported(SignatureAlgorithm("1.2", SignatureScheme.ECDSA, "md5"))
    ecdsa = SignatureAlgorithm("1.2.840.10045.4.3.2", SignatureScheme.ECDSA, "sha256")
    rsa_key = rsa.generate_private_key(65537, 2048)
    signed = rsa_key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    assert not signature.verify(rsa_key.public_key(), ecdsa, signed, b"data")
    pkcs1 = SignatureAlgorithm("1.2.840.113549.1.1.11", SignatureScheme.RSA_PKCS1V15, "sha256")
    ec_key = ec.generate_private_key(ec.BrainpoolP256R1())
    assert not signature.verify(
        ec_key.public_key(), pkcs1, ec_key.sign(b"data", ec.ECDSA(hashes.SHA256())), b"data"
    )
    assert not signature.verify(ec_key.public_key(), ecdsa, b"\x30\x00", b"data")


@pytest.mark.parametrize("algorithm", list(pki.KeyAlgorithm))
def test_test_pki_is_generated_once_and_reloaded(
    tmp_path: Path, algorithm: pki.KeyAlgorithm
) -> None:
    created = pki.load_or_create(tmp_path, algorithm)
    again = pki.load_or_create(tmp_path, algorithm)
    assert again.csca == created.csca
    assert again.document_signer == created.document_signer
    assert [p.name for p in created.trust_dir.iterdir()] == ["csca.pem"]
    home = tmp_path / algorithm.value
    for key_file in ("csca-key.pem", "dsc-key.pem"):
        assert stat.S_IMODE((home / key_file).stat().st_mode) == 0o600
    created.document_signer.verify_directly_issued_by(created.csca)
    assert pki.is_test_anchor(created.csca)
    assert pki.is_test_anchor(created.document_signer)
    key_type = (
        rsa.RSAPrivateKey if algorithm is pki.KeyAlgorithm.RSA else ec.EllipticCurvePrivateKey
    )
    assert isinstance(created.document_signer_key, key_type)


def test_a_foreign_certificate_is_not_a_test_anchor(certs) -> None:
    foreign = certs.csca(
        name=x509.Name([x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Bộ Công an")])
    )
    assert not pki.is_test_anchor(foreign.certificate)


def test_a_stored_key_of_another_type_is_refused(tmp_path: Path) -> None:
    created = pki.load_or_create(tmp_path)
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    odd = ed25519.Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    (created.trust_dir.parent / "dsc-key.pem").write_bytes(odd)
    with pytest.raises(ValueError, match="dsc-key"):
        pki.load_or_create(tmp_path)
