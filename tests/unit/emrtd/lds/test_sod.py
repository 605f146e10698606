"""EF.SOD: the builder's output parses back to what was signed, and broken CMS is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import algorithms, sod
from kiosk.emrtd.lds.algorithms import SignatureScheme

FILES = {1: b"dg1 bytes", 2: b"dg2 bytes", 13: b"dg13 bytes"}


def _certificate(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, serial: int
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SOD TEST SIGNER")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


EC_KEY = ec.generate_private_key(ec.BrainpoolP256R1())
EC_CERT = _certificate(EC_KEY, 4242)
RSA_KEY = rsa.generate_private_key(65537, 2048)
RSA_CERT = _certificate(RSA_KEY, 4343)
EC_SOD = sod.encode(FILES, EC_KEY, EC_CERT)


def test_ecdsa_brainpool_sod_parses_to_what_was_signed() -> None:
    parsed = sod.parse(EC_SOD)
    assert parsed.version == 0
    assert parsed.hash_algorithm == "sha256"
    assert parsed.lds_version is None
    assert parsed.data_group_hashes == {n: hashlib.sha256(d).digest() for n, d in FILES.items()}
    assert parsed.content_type == sod.ID_LDS_SECURITY_OBJECT
    signer = parsed.signer
    assert signer.content_type == sod.ID_LDS_SECURITY_OBJECT
    assert signer.message_digest == hashlib.sha256(parsed.encapsulated_content).digest()
    assert signer.signature_algorithm == algorithms.SignatureAlgorithm(
        "1.2.840.10045.4.3.2", SignatureScheme.ECDSA, "sha256"
    )
    assert signer.signed_attributes[:1] == b"\x31"
    assert signer.serial_number == 4242
    assert signer.subject_key_identifier is None
    assert parsed.document_signer == EC_CERT.public_bytes(Encoding.DER)
    EC_KEY.public_key().verify(
        signer.signature, signer.signed_attributes, ec.ECDSA(hashes.SHA256())
    )


def test_rsa_pkcs1_sha384() -> None:
    signer = sod.parse(sod.encode(FILES, RSA_KEY, RSA_CERT, hash_algorithm="sha384")).signer
    assert signer.digest_algorithm == "sha384"
    assert signer.signature_algorithm.oid == "1.2.840.113549.1.1.12"
    assert signer.signature_algorithm.scheme is SignatureScheme.RSA_PKCS1V15


def test_rsa_pss_parameters_are_read_from_the_signer_info() -> None:
    signer = sod.parse(sod.encode(FILES, RSA_KEY, RSA_CERT, scheme=SignatureScheme.RSA_PSS)).signer
    assert signer.signature_algorithm == algorithms.SignatureAlgorithm(
        "1.2.840.113549.1.1.10", SignatureScheme.RSA_PSS, "sha256", "sha256", 32
    )


def _mutated(data: bytes, change: Callable[[cms.SignedData], None]) -> bytes:
    info = cms.ContentInfo.load(tlv.decode(data).value)
    change(info["content"])
    return tlv.encode(0x77, info.dump(force=True))


def _signer(signed: cms.SignedData) -> cms.SignerInfo:
    return signed["signer_infos"][0]


def test_signer_named_by_subject_key_identifier() -> None:
    ski = EC_CERT.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest

    def by_key_id(key_id: bytes) -> Callable[[cms.SignedData], None]:
        def change(signed: cms.SignedData) -> None:
            _signer(signed)["sid"] = cms.SignerIdentifier({"subject_key_identifier": key_id})

        return change

    parsed = sod.parse(_mutated(EC_SOD, by_key_id(ski)))
    assert parsed.signer.subject_key_identifier == ski
    assert parsed.signer.issuer is None
    assert parsed.document_signer == EC_CERT.public_bytes(Encoding.DER)
    assert sod.parse(_mutated(EC_SOD, by_key_id(b"other"))).document_signer is None


def test_document_signer_missing_or_not_matching() -> None:
    def no_certificates(signed: cms.SignedData) -> None:
        signed["certificates"] = None

    def other_certificates(signed: cms.SignedData) -> None:
        other_format = {"other_cert_format": "1.2.3", "other_cert": core.Null()}
        other = cms.CertificateChoices("other", cms.OtherCertificateFormat(other_format))
        mismatch = cms.CertificateChoices(
            "certificate", asn1_x509.Certificate.load(RSA_CERT.public_bytes(Encoding.DER))
        )
        signed["certificates"] = cms.CertificateSet([other, mismatch])

    assert sod.parse(_mutated(EC_SOD, no_certificates)).document_signer is None
    assert sod.parse(_mutated(EC_SOD, other_certificates)).document_signer is None


def test_lds_security_object_v1_gives_the_lds_version() -> None:
    def v1(signed: cms.SignedData) -> None:
        content = sod._LDSSecurityObject.load(sod.encode_security_object({1: b"h"}, "sha256"))
        content["version"] = 1
        content["lds_version_info"] = {"lds_version": "0108", "unicode_version": "040000"}
        signed["encap_content_info"]["content"] = core.ParsableOctetString(content.dump(force=True))

    parsed = sod.parse(_mutated(EC_SOD, v1))
    assert (parsed.version, parsed.lds_version) == (1, ("0108", "040000"))


def _drop_attribute(oid: str) -> Callable[[cms.SignedData], None]:
    def change(signed: cms.SignedData) -> None:
        attributes = [a for a in _signer(signed)["signed_attrs"] if a["type"].dotted != oid]
        _signer(signed)["signed_attrs"] = cms.CMSAttributes(attributes)

    return change


def _no_signed_attributes(signed: cms.SignedData) -> None:
    _signer(signed)["signed_attrs"] = None


def _two_signers(signed: cms.SignedData) -> None:
    signed["signer_infos"] = [_signer(signed), _signer(signed)]


def _twice_hashed(signed: cms.SignedData) -> None:
    content = sod.encode_security_object({1: b"h"}, "sha256").replace(
        b"\x02\x01\x01", b"\x02\x01\x01", 1
    )
    lso = sod._LDSSecurityObject.load(content)
    lso["data_group_hash_values"] = [
        {"data_group_number": 1, "data_group_hash_value": b"a"},
        {"data_group_number": 1, "data_group_hash_value": b"b"},
    ]
    signed["encap_content_info"]["content"] = core.ParsableOctetString(lso.dump(force=True))


@pytest.mark.parametrize(
    "change",
    [
        _drop_attribute(sod.ID_MESSAGE_DIGEST),
        _drop_attribute(sod.ID_CONTENT_TYPE),
        _no_signed_attributes,
        _two_signers,
        _twice_hashed,
    ],
)
def test_broken_signed_data_is_malformed(change: Callable[[cms.SignedData], None]) -> None:
    with pytest.raises(MalformedData):
        sod.parse(_mutated(EC_SOD, change))


def test_content_info_that_is_not_signed_data() -> None:
    info = cms.ContentInfo({"content_type": "data", "content": b"x"})
    with pytest.raises(MalformedData):
        sod.parse(tlv.encode(0x77, info.dump()))


def test_trailing_bytes_inside_the_sod_are_malformed() -> None:
    with pytest.raises(MalformedData):
        sod.parse(tlv.encode(0x77, tlv.decode(EC_SOD).value + b"\x00"))


@pytest.mark.parametrize(
    ("oid", "scheme", "hash_name"),
    [
        ("1.2.840.113549.1.1.1", SignatureScheme.RSA_PKCS1V15, "sha512"),
        ("1.2.840.10045.2.1", SignatureScheme.ECDSA, "sha512"),
        ("1.2.840.10045.4.3.4", SignatureScheme.ECDSA, "sha512"),
        ("0.4.0.127.0.7.1.1.4.1.3", None, "sha512"),
    ],
)
def test_signature_algorithms_without_parameters(
    oid: str, scheme: SignatureScheme | None, hash_name: str
) -> None:
    assert algorithms.signature_algorithm(oid, b"", "sha512") == algorithms.SignatureAlgorithm(
        oid, scheme, hash_name
    )


def test_pss_defaults_and_unknown_mask_generation() -> None:
    pss = "1.2.840.113549.1.1.10"
    assert algorithms.signature_algorithm(pss, b"", "sha256") == algorithms.SignatureAlgorithm(
        pss, SignatureScheme.RSA_PSS, "sha1", "sha1", 20
    )
    params = algos.RSASSAPSSParams(
        {"hash_algorithm": {"algorithm": "sha256"}, "mask_gen_algorithm": {"algorithm": "1.2.3.4"}}
    ).dump()
    assert algorithms.signature_algorithm(pss, params, "sha256").scheme is None
    with pytest.raises(MalformedData):
        algorithms.signature_algorithm(pss, bytes.fromhex("3003a00105"), "sha256")


def test_unknown_hash_keeps_its_oid() -> None:
    assert algorithms.hash_name("2.16.840.1.101.3.4.2.8") == "2.16.840.1.101.3.4.2.8"
