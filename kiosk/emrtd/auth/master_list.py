"""ICAO CSCA Master Lists: verified before any certificate in them is trusted (ICAO 9303-12 §8).

A master list is a CMS SignedData whose content (type id-icao-cscaMasterList) is
``CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }``, signed by a
Master List Signer certified by the issuing country's CSCA. Importing one means trusting every
CSCA in it, so the list is taken only when its signature verifies with the embedded signer
certificate, that certificate is directly issued by a CSCA, and that CSCA's SHA-256 fingerprint
is one the administrator confirmed out of band (issue 5: a broken signature or an unconfirmed
signer refuses the whole list). The issuing CSCA is looked for in the list itself and among the
anchors already trusted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import ClassVar

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from kiosk.emrtd.auth import signature
from kiosk.emrtd.auth.trust import CERTIFICATE_ERRORS
from kiosk.emrtd.errors import MalformedData, VerificationFailed
from kiosk.emrtd.lds.asn1 import translated
from kiosk.emrtd.lds.sod import ID_SIGNED_DATA, SignerInfo, signer_certificate, signer_info

ID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
_WHAT = "master list"


class _CertificateSet(core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_x509.Certificate


class _CscaMasterList(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[list[tuple[object, ...]]] = [
        ("version", core.Integer),
        ("cert_list", _CertificateSet),
    ]


@dataclass(frozen=True, slots=True)
class MasterList:
    """A verified master list: its CSCAs, its signer, and the confirmed CSCA that issued it."""

    certificates: tuple[x509.Certificate, ...]
    signer: x509.Certificate
    signer_issuer: x509.Certificate


def fingerprint(certificate: x509.Certificate) -> bytes:
    """The SHA-256 of the certificate's DER, as the administrator compares it."""
    return certificate.fingerprint(signature.HASHES["sha256"]())


def verify_master_list(
    data: bytes, confirmed: Collection[bytes], anchors: Sequence[x509.Certificate] = ()
) -> MasterList:
    """Decode and verify a master list (DER ContentInfo).

    Args:
        data: the master list file.
        confirmed: SHA-256 fingerprints of the CSCAs the administrator confirmed.
        anchors: CSCAs already trusted, which may have issued the Master List Signer.

    Raises:
        MalformedData: not a CMS SignedData master list.
        VerificationFailed: the signature, the message digest or the signer's certificate
            does not verify, or no confirmed CSCA issued the signer.
    """
    content, signer, signer_der = _parse(data)
    certificates = _certificates(content)
    if signer_der is None:
        raise VerificationFailed(_WHAT, "the signer's certificate is not in the list")
    signer_cert = _load(signer_der)
    _verify_signature(content, signer, signer_cert)
    issuer = _confirmed_issuer(signer_cert, [*certificates, *anchors], confirmed)
    return MasterList(certificates, signer_cert, issuer)


def _parse(data: bytes) -> tuple[bytes, SignerInfo, bytes | None]:
    with translated(_WHAT):
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].dotted != ID_SIGNED_DATA:
            raise MalformedData(_WHAT, "content is not SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != ID_CSCA_MASTER_LIST:
            raise MalformedData(_WHAT, "content is not a CSCA master list")
        signer_infos = list(signed["signer_infos"])
        if len(signer_infos) != 1:
            raise MalformedData(_WHAT, "expected exactly one SignerInfo")
        signer = signer_info(signer_infos[0], _WHAT)
        embedded = signed["certificates"] if signed["certificates"].native else []
        return bytes(encap["content"].native or b""), signer, signer_certificate(embedded, signer)


def _certificates(content: bytes) -> tuple[x509.Certificate, ...]:
    with translated(_WHAT):
        listed = _CscaMasterList.load(content, strict=True)["cert_list"]
        return tuple(_load(item.dump()) for item in listed)


def _load(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except CERTIFICATE_ERRORS as err:
        raise MalformedData(_WHAT, "a certificate cannot be decoded") from err


def _verify_signature(content: bytes, signer: SignerInfo, certificate: x509.Certificate) -> None:
    if signer.content_type != ID_CSCA_MASTER_LIST:
        raise VerificationFailed(_WHAT, "the signed content type is not a master list")
    if not signature.is_supported(signer.signature_algorithm):
        raise VerificationFailed(_WHAT, "the signature algorithm is not supported")
    if hashlib.new(signer.digest_algorithm, content).digest() != signer.message_digest:
        raise VerificationFailed(_WHAT, "the message digest does not match the content")
    key = certificate.public_key()
    if not signature.verify(
        key, signer.signature_algorithm, signer.signature, signer.signed_attributes
    ):
        raise VerificationFailed(_WHAT, "the signature does not verify")


def _confirmed_issuer(
    signer: x509.Certificate, candidates: Sequence[x509.Certificate], confirmed: Collection[bytes]
) -> x509.Certificate:
    for csca in candidates:
        named = csca.subject == signer.issuer and fingerprint(csca) in confirmed
        if named and _issued(signer, csca):
            return csca
    raise VerificationFailed(_WHAT, "no confirmed CSCA issued the master list signer")


def _issued(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True
