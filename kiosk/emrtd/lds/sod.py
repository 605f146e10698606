"""EF.SOD: the Document Security Object, a CMS SignedData over the data group hashes.

ICAO 9303-10 §4.6.2 and 9303-11 §5.1: ``77 { ContentInfo { SignedData { ... eContent
LDSSecurityObject, certificates { Document Signer }, one SignerInfo with signed attributes } } }``.
``parse`` extracts what Passive Authentication checks (``kiosk.emrtd.auth.passive``) without
judging it; ``encode`` signs an LDS security object for the simulated chip and the tests with
RSA PKCS#1 v1.5, RSA-PSS or ECDSA (any curve, brainpool included).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from asn1crypto import algos, cms, core, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import algorithms
from kiosk.emrtd.lds.algorithms import SignatureAlgorithm, SignatureScheme
from kiosk.emrtd.lds.asn1 import translated

TAG_SOD = 0x77
ID_SIGNED_DATA = "1.2.840.113549.1.7.2"
ID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
ID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"

_WHAT = "EF.SOD"

_Fields = list[tuple[object, ...]]
"""An asn1crypto field list: (name, spec[, options])."""


class _DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[_Fields] = [
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class _DataGroupHashes(core.SequenceOf):  # type: ignore[misc]
    _child_spec = _DataGroupHash


class _LDSVersionInfo(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar[_Fields] = [
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class _LDSSecurityObject(core.Sequence):  # type: ignore[misc]
    """ICAO 9303-10 §4.6.2.3: version 0 (V0) or 1 (V1, with the LDS version info)."""

    _fields: ClassVar[_Fields] = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", _DataGroupHashes),
        ("lds_version_info", _LDSVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """The one CMS SignerInfo of an EF.SOD, as far as verification needs it.

    Attributes:
        digest_algorithm: the hash of the signed attributes' messageDigest (hashlib name or OID).
        signature_algorithm: the scheme and hash of the signature, from this SignerInfo.
        signature: the signature bytes.
        signed_attributes: the DER ``SET OF Attribute`` the signature covers (RFC 5652 §5.4).
        message_digest: the messageDigest attribute: the hash of the encapsulated content.
        content_type: the contentType attribute (an OID).
        issuer: DER of the signer's issuer name, when the signer is named by issuer and serial.
        serial_number: the signer certificate's serial number, likewise.
        subject_key_identifier: the signer's key identifier, when it is named that way.
    """

    digest_algorithm: str
    signature_algorithm: SignatureAlgorithm
    signature: bytes
    signed_attributes: bytes
    message_digest: bytes
    content_type: str
    issuer: bytes | None
    serial_number: int | None
    subject_key_identifier: bytes | None


@dataclass(frozen=True, slots=True)
class SODFile:
    """The decoded EF.SOD.

    Attributes:
        version: the LDSSecurityObject version (0, or 1 with ``lds_version``).
        hash_algorithm: the data group hash algorithm (hashlib name, or OID if unknown).
        data_group_hashes: data group number -> hash, as signed.
        lds_version: V1 only: (LDS version, Unicode version).
        encapsulated_content: the DER LDSSecurityObject, which messageDigest covers.
        content_type: the encapsulated content type (the LDS security object OID).
        signer: the SignerInfo.
        document_signer: DER of the embedded certificate that matches the signer, if any.
    """

    version: int
    hash_algorithm: str
    data_group_hashes: Mapping[int, bytes]
    lds_version: tuple[str, str] | None
    encapsulated_content: bytes
    content_type: str
    signer: SignerInfo
    document_signer: bytes | None


def parse(data: bytes) -> SODFile:
    """Decode EF.SOD; structural failures (BER, CMS, counts) raise ``MalformedData``."""
    value = tlv.decode(data, TAG_SOD).value
    with translated(_WHAT):
        info = cms.ContentInfo.load(value, strict=True)
        if info["content_type"].dotted != ID_SIGNED_DATA:
            raise MalformedData(_WHAT, "content is not SignedData")
        return _signed_data(info["content"])


def _signed_data(signed: cms.SignedData) -> SODFile:
    encap = signed["encap_content_info"]
    content = bytes(encap["content"].native or b"")
    lso = _LDSSecurityObject.load(content, strict=True)
    signer_infos = list(signed["signer_infos"])
    if len(signer_infos) != 1:
        raise MalformedData(_WHAT, "expected exactly one SignerInfo")
    signer = signer_info(signer_infos[0])
    certificates = signed["certificates"] if signed["certificates"].native else []
    return SODFile(
        version=int(lso["version"].native),
        hash_algorithm=algorithms.hash_name(lso["hash_algorithm"]["algorithm"].dotted),
        data_group_hashes=_hashes(lso["data_group_hash_values"]),
        lds_version=_lds_version(lso["lds_version_info"]),
        encapsulated_content=content,
        content_type=encap["content_type"].dotted,
        signer=signer,
        document_signer=signer_certificate(certificates, signer),
    )


def _hashes(values: _DataGroupHashes) -> dict[int, bytes]:
    hashes_by_number: dict[int, bytes] = {}
    for item in values:
        number = int(item["data_group_number"].native)
        if number in hashes_by_number:
            raise MalformedData(_WHAT, f"DG{number} is hashed twice")
        hashes_by_number[number] = bytes(item["data_group_hash_value"].native)
    return hashes_by_number


def _lds_version(info: _LDSVersionInfo | core.Void) -> tuple[str, str] | None:
    if isinstance(info, core.Void):
        return None
    return str(info["lds_version"].native), str(info["unicode_version"].native)


def signer_info(signer: cms.SignerInfo, what: str = _WHAT) -> SignerInfo:
    """What verification needs of a CMS SignerInfo (EF.SOD, and CSCA Master Lists too).

    Run it inside ``translated``: asn1crypto decodes lazily.
    """
    attributes = signer["signed_attrs"]
    if isinstance(attributes, core.Void):
        raise MalformedData(what, "SignerInfo has no signed attributes")
    digest = algorithms.hash_name(signer["digest_algorithm"]["algorithm"].dotted)
    algorithm = signer["signature_algorithm"]
    parameters = algorithm["parameters"]
    sid = signer["sid"]
    by_name = sid.name == "issuer_and_serial_number"
    return SignerInfo(
        digest_algorithm=digest,
        signature_algorithm=algorithms.signature_algorithm(
            algorithm["algorithm"].dotted,
            b"" if isinstance(parameters, core.Void | core.Null) else parameters.dump(),
            digest,
        ),
        signature=bytes(signer["signature"].native),
        # The signature covers the attributes re-tagged as a SET (RFC 5652 §5.4).
        signed_attributes=b"\x31" + attributes.dump()[1:],
        message_digest=bytes(_attribute(attributes, ID_MESSAGE_DIGEST, what).native),
        content_type=_attribute(attributes, ID_CONTENT_TYPE, what).dotted,
        issuer=sid.chosen["issuer"].dump() if by_name else None,
        serial_number=int(sid.chosen["serial_number"].native) if by_name else None,
        subject_key_identifier=None if by_name else bytes(sid.chosen.native),
    )


def _attribute(attributes: cms.CMSAttributes, oid: str, what: str) -> core.Asn1Value:
    """The single value of the single attribute ``oid`` (RFC 5652 §11 forbids repeats)."""
    found = [a["values"] for a in attributes if a["type"].dotted == oid]
    if len(found) != 1 or len(found[0]) != 1:
        raise MalformedData(what, f"signed attribute {oid} missing or repeated")
    return found[0][0]


def signer_certificate(certificates: cms.CertificateSet, signer: SignerInfo) -> bytes | None:
    """The DER of the embedded certificate that ``signer`` names, if any."""
    for choice in certificates:
        if choice.name != "certificate":
            continue
        certificate = choice.chosen
        if _names_signer(certificate, signer):
            return bytes(certificate.dump())
    return None


def _names_signer(certificate: x509.Certificate, signer: SignerInfo) -> bool:
    if signer.subject_key_identifier is not None:
        return bool(certificate.key_identifier == signer.subject_key_identifier)
    tbs = certificate["tbs_certificate"]
    return bool(
        tbs["issuer"].dump() == signer.issuer
        and tbs["serial_number"].native == signer.serial_number
    )


def encode(
    data_groups: Mapping[int, bytes],
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    certificate: cx509.Certificate,
    *,
    hash_algorithm: str = "sha256",
    scheme: SignatureScheme | None = None,
) -> bytes:
    """Build and sign an EF.SOD over ``data_groups`` (number -> file bytes).

    The data groups, the messageDigest and the signature all use ``hash_algorithm``; the scheme
    defaults to PKCS#1 v1.5 for an RSA key and ECDSA for an EC key. RSA-PSS uses MGF1 with the
    same hash and a salt as long as the hash (RFC 4055 §3.1).
    """
    content = encode_security_object(
        {n: hashlib.new(hash_algorithm, d).digest() for n, d in data_groups.items()}, hash_algorithm
    )
    signed = sign(ID_LDS_SECURITY_OBJECT, content, key, certificate, hash_algorithm, scheme)
    return tlv.encode(TAG_SOD, signed)


def sign(
    content_type: str,
    content: bytes,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    certificate: cx509.Certificate,
    hash_algorithm: str = "sha256",
    scheme: SignatureScheme | None = None,
) -> bytes:
    """A DER ContentInfo of SignedData over ``content`` with one signer (RFC 5652 §5).

    For the simulated chip's EF.SOD and for test master lists; see ``encode`` for the schemes.
    """
    scheme = scheme or _default_scheme(key)
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [content_type]},
            {"type": "message_digest", "values": [hashlib.new(hash_algorithm, content).digest()]},
        ]
    )
    signature, algorithm = _sign(key, scheme, hash_algorithm, attributes.dump())
    certificate_der = certificate.public_bytes(Encoding.DER)
    signer = _encode_signer(certificate_der, hash_algorithm, attributes, algorithm, signature)
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": hash_algorithm}],
            "encap_content_info": {
                "content_type": content_type,
                "content": core.ParsableOctetString(content),
            },
            "certificates": [x509.Certificate.load(certificate_der)],
            "signer_infos": [signer],
        }
    )
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return bytes(info.dump())


def encode_security_object(data_group_hashes: Mapping[int, bytes], hash_algorithm: str) -> bytes:
    """The DER LDSSecurityObject V0 listing ``data_group_hashes`` in ascending DG order."""
    return bytes(
        _LDSSecurityObject(
            {
                "version": 0,
                "hash_algorithm": {"algorithm": hash_algorithm},
                "data_group_hash_values": [
                    {"data_group_number": n, "data_group_hash_value": h}
                    for n, h in sorted(data_group_hashes.items())
                ],
            }
        ).dump()
    )


def _default_scheme(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> SignatureScheme:
    return (
        SignatureScheme.RSA_PKCS1V15
        if isinstance(key, rsa.RSAPrivateKey)
        else SignatureScheme.ECDSA
    )


def _sign(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    scheme: SignatureScheme,
    hash_algorithm: str,
    data: bytes,
) -> tuple[bytes, dict[str, object]]:
    digest = _HASHES[hash_algorithm]()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(digest)), {"algorithm": f"{hash_algorithm}_ecdsa"}
    if scheme is SignatureScheme.RSA_PKCS1V15:
        return key.sign(data, padding.PKCS1v15(), digest), {"algorithm": f"{hash_algorithm}_rsa"}
    pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    parameters = {
        "hash_algorithm": {"algorithm": hash_algorithm},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_algorithm}},
        "salt_length": digest.digest_size,
        "trailer_field": "trailer_field_bc",
    }
    return key.sign(data, pss, digest), {"algorithm": "rsassa_pss", "parameters": parameters}


_HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _encode_signer(
    certificate_der: bytes,
    hash_algorithm: str,
    attributes: cms.CMSAttributes,
    algorithm: dict[str, object],
    signature: bytes,
) -> cms.SignerInfo:
    tbs = x509.Certificate.load(certificate_der)["tbs_certificate"]
    sid = {"issuer": tbs["issuer"], "serial_number": tbs["serial_number"].native}
    return cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": sid}),
            "digest_algorithm": {"algorithm": hash_algorithm},
            "signed_attrs": attributes,
            "signature_algorithm": algorithm,
            "signature": signature,
        }
    )
