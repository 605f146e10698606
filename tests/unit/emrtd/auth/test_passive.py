"""Passive Authentication: hashes, SOD signature, chain to a CSCA, validity at the issue date."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from asn1crypto import cms, core, keys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from kiosk.devices.sim import pki
from kiosk.emrtd import tlv
from kiosk.emrtd.auth.passive import verify_passive
from kiosk.emrtd.auth.trust import TrustStore, key_identifier
from kiosk.emrtd.auth.verdict import CheckResult, Verdict
from kiosk.emrtd.lds import sod
from kiosk.emrtd.lds.algorithms import SignatureScheme

FILES = {1: b"DG1 bytes", 2: b"DG2 bytes", 13: b"DG13 bytes", 14: b"DG14 bytes", 15: b"DG15"}
ISSUED = date(2021, 7, 1)
TODAY = date(2026, 11, 27)


def _verify(
    sod_data: bytes,
    trust: TrustStore,
    files: dict[int, bytes] = FILES,
    issued_on: date | None = ISSUED,
    today: date = TODAY,
) -> CheckResult:
    return verify_passive(sod_data, files, trust, issued_on=issued_on, today=today)


def _sod(signer, **options) -> bytes:
    return sod.encode(FILES, signer.key, signer.certificate, **options)


def test_test_pki_sod_is_valid(test_pki: pki.TestPKI) -> None:
    data = sod.encode(FILES, test_pki.document_signer_key, test_pki.document_signer)
    trust = TrustStore.load(test_pki.trust_dir)
    assert _verify(data, trust) == CheckResult(Verdict.VALID)
    assert pki.is_test_anchor(trust.certificates[0])


def test_ecdsa_brainpool_signer_is_valid(certs) -> None:
    csca = certs.csca()
    for curve in (ec.BrainpoolP256R1(), ec.BrainpoolP384R1(), ec.BrainpoolP512R1()):
        dsc = certs.dsc(csca, ec.generate_private_key(curve))
        assert (
            _verify(_sod(dsc, hash_algorithm="sha384"), TrustStore((csca.certificate,))).verdict
            is Verdict.VALID
        )


def test_rsa_pss_by_an_rsa_document_signer_is_valid(certs) -> None:
    csca = certs.csca(rsa.generate_private_key(65537, 2048))
    dsc = certs.dsc(csca, rsa.generate_private_key(65537, 2048), pss=True)
    trust = TrustStore((csca.certificate,))
    assert _verify(_sod(dsc, scheme=SignatureScheme.RSA_PSS), trust) == CheckResult(Verdict.VALID)
    assert _verify(_sod(dsc), trust) == CheckResult(Verdict.VALID)


def test_dsc_from_an_unknown_csca_is_unverified(certs) -> None:
    dsc = certs.dsc(certs.csca())
    other = certs.csca(name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ANOTHER CSCA")]))
    for trust in (TrustStore(), TrustStore((other.certificate,))):
        assert _verify(_sod(dsc), trust) == CheckResult(Verdict.UNVERIFIED, ("dsc_issuer_unknown",))


def test_csca_with_the_issuer_name_and_another_key_id_is_unverified(certs) -> None:
    dsc = certs.dsc(certs.csca())
    rekeyed = certs.csca()  # same name, new key: a CSCA roll-over the store does not hold
    assert _verify(_sod(dsc), TrustStore((rekeyed.certificate,))) == CheckResult(
        Verdict.UNVERIFIED, ("csca_key_unknown",)
    )


def test_csca_with_the_issuer_name_and_key_id_but_another_key_is_invalid(certs) -> None:
    genuine = certs.csca()
    dsc = certs.dsc(genuine)
    key_id = genuine.certificate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    ).value.digest
    impostor = certs.csca(key_id=key_id)
    assert _verify(_sod(dsc), TrustStore((impostor.certificate,))) == CheckResult(
        Verdict.INVALID, ("csca_signature_invalid",)
    )


def test_dsc_without_authority_key_id_is_matched_by_name(certs) -> None:
    csca = certs.csca()
    dsc = certs.dsc(csca, authority_key_id=False)
    trust = TrustStore((certs.csca().certificate, csca.certificate))
    assert _verify(_sod(dsc), trust) == CheckResult(Verdict.VALID)


def test_a_changed_data_group_is_invalid_naming_it(certs) -> None:
    csca = certs.csca()
    data = _sod(certs.dsc(csca))
    forged = {**FILES, 13: b"DG13 changed after signing", 11: b"not signed"}
    assert _verify(data, TrustStore((csca.certificate,)), forged) == CheckResult(
        Verdict.INVALID, ("dg_not_in_sod:DG11", "dg_hash_mismatch:DG13")
    )


def test_expired_since_issue_is_a_reason_not_a_failure(certs) -> None:
    csca = certs.csca(until=datetime(2025, 1, 1, tzinfo=UTC))
    dsc = certs.dsc(csca, until=datetime(2024, 1, 1, tzinfo=UTC))
    assert _verify(_sod(dsc), TrustStore((csca.certificate,))) == CheckResult(
        Verdict.VALID, ("dsc_expired_since_issue", "csca_expired_since_issue")
    )


def test_certificates_not_valid_at_issue_are_invalid(certs) -> None:
    csca = certs.csca()
    dsc = certs.dsc(csca, since=datetime(2022, 1, 1, tzinfo=UTC))
    assert _verify(_sod(dsc), TrustStore((csca.certificate,))) == CheckResult(
        Verdict.INVALID, ("dsc_not_valid_at_issue",)
    )


def test_unknown_issue_date_validates_at_today(certs) -> None:
    csca = certs.csca()
    result = _verify(_sod(certs.dsc(csca)), TrustStore((csca.certificate,)), issued_on=None)
    assert result == CheckResult(Verdict.VALID, ("issue_date_unknown",))


def _mutated(data: bytes, change: Callable[[cms.SignedData], None]) -> bytes:
    info = cms.ContentInfo.load(tlv.decode(data).value)
    change(info["content"])
    return tlv.encode(0x77, info.dump(force=True))


def _signer(signed: cms.SignedData) -> cms.SignerInfo:
    return signed["signer_infos"][0]


def _flip_signature(signed: cms.SignedData) -> None:
    signature = bytearray(_signer(signed)["signature"].native)
    signature[-5] ^= 1
    _signer(signed)["signature"] = bytes(signature)


def _other_content(signed: cms.SignedData) -> None:
    hashes = {n: hashlib.sha256(d).digest() for n, d in FILES.items()}
    content = sod.encode_security_object({**hashes, 16: b"not signed"}, "sha256")
    signed["encap_content_info"]["content"] = core.ParsableOctetString(content)


def _other_content_type(signed: cms.SignedData) -> None:
    signed["encap_content_info"]["content_type"] = "1.2.3.4"


def _signature_algorithm(algorithm: dict[str, object]) -> Callable[[cms.SignedData], None]:
    def change(signed: cms.SignedData) -> None:
        _signer(signed)["signature_algorithm"] = algorithm

    return change


def _digest_algorithm(signed: cms.SignedData) -> None:
    _signer(signed)["digest_algorithm"] = {"algorithm": "sha3_256"}


def _no_certificates(signed: cms.SignedData) -> None:
    signed["certificates"] = None


def _broken_certificate(signed: cms.SignedData) -> None:
    certificate = signed["certificates"][0].chosen
    certificate["signature_value"] = b"\x00"
    tbs = certificate["tbs_certificate"]
    constraints = {"extn_id": "basic_constraints", "critical": False, "extn_value": {"ca": False}}
    tbs["extensions"] = [constraints, constraints]  # a repeated extension: cryptography refuses it


def _unknown_version(signed: cms.SignedData) -> None:
    signed["certificates"][0].chosen["tbs_certificate"]["version"] = 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_flip_signature, CheckResult(Verdict.INVALID, ("sod_signature_invalid",))),
        (_other_content, CheckResult(Verdict.INVALID, ("sod_message_digest_mismatch",))),
        (_other_content_type, CheckResult(Verdict.INVALID, ("sod_content_type_mismatch",))),
        (_digest_algorithm, CheckResult(Verdict.NOT_SUPPORTED, ("digest_algorithm_unsupported",))),
        (
            _signature_algorithm({"algorithm": "sha256_rsa"}),
            CheckResult(Verdict.INVALID, ("sod_signature_invalid",)),
        ),
        (
            _signature_algorithm({"algorithm": "ed25519"}),
            CheckResult(Verdict.NOT_SUPPORTED, ("signature_algorithm_unsupported",)),
        ),
        (_no_certificates, CheckResult(Verdict.UNVERIFIED, ("dsc_missing",))),
        (_broken_certificate, CheckResult(Verdict.INVALID, ("dsc_malformed",))),
        (_unknown_version, CheckResult(Verdict.INVALID, ("dsc_malformed",))),
    ],
)
def test_sod_signature_failures(certs, change, expected: CheckResult) -> None:
    csca = certs.csca()
    data = _mutated(_sod(certs.dsc(csca)), change)
    assert _verify(data, TrustStore((csca.certificate,))) == expected


def test_ecdsa_identifier_with_an_rsa_key_fails(certs) -> None:
    csca = certs.csca()
    dsc = certs.dsc(csca, rsa.generate_private_key(65537, 2048))
    data = _mutated(_sod(dsc), _signature_algorithm({"algorithm": "sha256_ecdsa"}))
    assert _verify(data, TrustStore((csca.certificate,))).reasons == ("sod_signature_invalid",)


def test_unsupported_hash_in_the_security_object(certs) -> None:
    csca = certs.csca()

    def sha3(signed: cms.SignedData) -> None:
        content = sod.encode_security_object({1: b"x"}, "sha3_256")
        signed["encap_content_info"]["content"] = core.ParsableOctetString(content)

    result = _verify(_mutated(_sod(certs.dsc(csca)), sha3), TrustStore((csca.certificate,)))
    assert result.verdict is Verdict.INVALID
    assert result.reasons[0] == "hash_algorithm_unsupported"


def test_malformed_sod_is_invalid() -> None:
    assert _verify(b"\x77\x01\x00", TrustStore()) == CheckResult(
        Verdict.INVALID, ("sod_malformed",)
    )


def test_dsc_key_that_cannot_be_loaded_is_not_supported(certs) -> None:
    csca = certs.csca()

    def point_off_the_curve(signed: cms.SignedData) -> None:
        tbs = signed["certificates"][0].chosen["tbs_certificate"]
        tbs["subject_public_key_info"]["public_key"] = keys.ECPointBitString(b"\x04" + b"\x01" * 64)

    data = _mutated(_sod(certs.dsc(csca)), point_off_the_curve)
    result = _verify(data, TrustStore((csca.certificate,)))
    assert result.reasons[0] == "dsc_key_unsupported"


def test_csca_whose_key_cannot_check_the_dsc_is_not_supported(certs) -> None:
    ed_key = ed25519.Ed25519PrivateKey.generate()
    template = certs.csca().certificate
    csca = (
        x509.CertificateBuilder()
        .subject_name(template.subject)
        .issuer_name(template.subject)
        .public_key(ed_key.public_key())
        .serial_number(7)
        .not_valid_before(template.not_valid_before_utc)
        .not_valid_after(template.not_valid_after_utc)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ed_key.public_key()), critical=False
        )
        .sign(ed_key, None)
    )
    impostor_key = ec.generate_private_key(ec.BrainpoolP256R1())
    dsc = certs.dsc(type(certs.csca())(csca, impostor_key))
    assert (
        key_identifier(csca)
        == dsc.certificate.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier
        ).value.key_identifier
    )
    assert _verify(_sod(dsc), TrustStore((csca,))) == CheckResult(
        Verdict.NOT_SUPPORTED, ("csca_signature_unsupported",)
    )
