"""CSCA Master Lists: imported only with a valid signature and a signer the admin confirmed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asn1crypto import cms, core
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from kiosk.emrtd import tlv
from kiosk.emrtd.auth.master_list import ID_CSCA_MASTER_LIST, fingerprint, verify_master_list
from kiosk.emrtd.errors import MalformedData, VerificationFailed
from kiosk.emrtd.lds import der, sod
from tests.unit.emrtd.auth.conftest import CertMaker, Issued

MAKER = CertMaker()
ISSUER = MAKER.csca(
    name=x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.COMMON_NAME, "TEST MASTER LIST CSCA"),
        ]
    )
)
LISTED = MAKER.csca()
SIGNER = MAKER.dsc(ISSUER)
CONFIRMED = {fingerprint(ISSUER.certificate)}


def content(*certificates: x509.Certificate) -> bytes:
    """``CscaMasterList ::= SEQUENCE { version 0, certList SET OF Certificate }``."""
    listed = b"".join(c.public_bytes(Encoding.DER) for c in certificates)
    return der.sequence(der.encode_integer(0), tlv.encode(0x31, listed))


def master_list(
    *certificates: x509.Certificate,
    signer: Issued = SIGNER,
    key: ec.EllipticCurvePrivateKey | None = None,
    content_type: str = ID_CSCA_MASTER_LIST,
) -> bytes:
    body = content(*(certificates or (ISSUER.certificate, LISTED.certificate)))
    return sod.sign(content_type, body, key or signer.key, signer.certificate)


def edited(change: Callable[[cms.SignedData], None]) -> bytes:
    info = cms.ContentInfo.load(master_list())
    change(info["content"])
    return bytes(info.dump(force=True))


def test_a_list_signed_under_a_confirmed_csca_is_taken() -> None:
    verified = verify_master_list(master_list(), CONFIRMED)
    assert verified.certificates == (ISSUER.certificate, LISTED.certificate)
    assert verified.signer == SIGNER.certificate
    assert verified.signer_issuer == ISSUER.certificate


def test_the_confirmed_csca_may_already_be_trusted() -> None:
    verified = verify_master_list(master_list(LISTED.certificate), CONFIRMED, [ISSUER.certificate])
    assert verified.certificates == (LISTED.certificate,)


def test_an_unconfirmed_signer_is_refused() -> None:
    with pytest.raises(VerificationFailed, match="confirmed"):
        verify_master_list(master_list(), {fingerprint(LISTED.certificate)})


def test_a_signer_not_issued_by_the_confirmed_csca_is_refused() -> None:
    impostor = MAKER.dsc(MAKER.csca(name=ISSUER.certificate.subject))
    with pytest.raises(VerificationFailed, match="confirmed"):
        verify_master_list(master_list(signer=impostor), CONFIRMED)


def test_a_broken_signature_is_refused() -> None:
    other = ec.generate_private_key(ec.BrainpoolP256R1())
    with pytest.raises(VerificationFailed, match="signature"):
        verify_master_list(master_list(key=other), CONFIRMED)


def replace_content(signed: cms.SignedData) -> None:
    encap = signed["encap_content_info"]
    encap["content"] = core.ParsableOctetString(content(LISTED.certificate))


def claim_master_list(signed: cms.SignedData) -> None:
    signed["encap_content_info"]["content_type"] = ID_CSCA_MASTER_LIST


def drop_certificates(signed: cms.SignedData) -> None:
    signed["certificates"] = []


def weak_algorithm(signed: cms.SignedData) -> None:
    signed["signer_infos"][0]["signature_algorithm"] = {"algorithm": "md5_rsa"}


def two_signers(signed: cms.SignedData) -> None:
    signed["signer_infos"] = [signed["signer_infos"][0], signed["signer_infos"][0]]


def unknown_version(signed: cms.SignedData) -> None:
    signed["certificates"][0].chosen["tbs_certificate"]["version"] = 3


@pytest.mark.parametrize(
    ("change", "error", "reason"),
    [
        (replace_content, VerificationFailed, "digest"),
        (drop_certificates, VerificationFailed, "signer's certificate"),
        (weak_algorithm, VerificationFailed, "algorithm"),
        (two_signers, MalformedData, "one SignerInfo"),
        (unknown_version, MalformedData, "certificate"),
    ],
)
def test_tampered_lists_are_refused(
    change: Callable[[cms.SignedData], None], error: type[Exception], reason: str
) -> None:
    with pytest.raises(error, match=reason):
        verify_master_list(edited(change), CONFIRMED)


def test_a_signed_object_of_another_type_is_no_master_list() -> None:
    other = master_list(content_type=sod.ID_LDS_SECURITY_OBJECT)
    with pytest.raises(MalformedData, match="not a CSCA master list"):
        verify_master_list(other, CONFIRMED)
    info = cms.ContentInfo.load(other)
    claim_master_list(info["content"])
    with pytest.raises(VerificationFailed, match="content type"):
        verify_master_list(info.dump(force=True), CONFIRMED)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"junk", id="junk"),
        pytest.param(
            cms.ContentInfo({"content_type": "data", "content": b"x"}).dump(), id="not-signed"
        ),
    ],
)
def test_junk_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedData):
        verify_master_list(data, CONFIRMED)


def test_a_list_whose_content_is_not_a_certificate_list_is_malformed() -> None:
    body = der.sequence(der.encode_integer(0), tlv.encode(0x31, b"\x02\x01\x00"))
    data = sod.sign(ID_CSCA_MASTER_LIST, body, SIGNER.key, SIGNER.certificate)
    with pytest.raises(MalformedData):
        verify_master_list(data, CONFIRMED)
