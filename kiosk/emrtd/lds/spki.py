"""SubjectPublicKeyInfo as the chip stores it in DG14 and DG15 (RFC 5280 §4.1.2.7).

Chip keys often carry explicit domain parameters (ICAO 9303-11 §9.4.3 allows both named and
explicit), which general-purpose key loaders refuse. So the structure is split with the bounded
TLV reader into algorithm OID, raw parameters and key bits, and the DER is kept for whoever
performs the key agreement or signature check.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import der

TAG_BIT_STRING = 0x03

ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"


@dataclass(frozen=True, slots=True)
class SubjectPublicKeyInfo:
    """A public key split into its parts.

    Attributes:
        algorithm: the algorithm OID (id-ecPublicKey, rsaEncryption, dhpublicnumber, ...).
        parameters: the DER of the algorithm parameters (a named-curve OID, explicit domain
            parameters, NULL), empty when absent.
        public_key: the bits of the subjectPublicKey (an EC point, an RSAPublicKey, a DH value).
        der: the whole SubjectPublicKeyInfo, for loaders and for evidence.
        named_curve: the curve OID when an EC key names its curve; None otherwise (explicit
            domain parameters, or not an EC key).
    """

    algorithm: str
    parameters: bytes
    public_key: bytes
    der: bytes
    named_curve: str | None


def parse(data: bytes) -> SubjectPublicKeyInfo:
    """Decode a DER SubjectPublicKeyInfo that fills ``data`` exactly."""
    parts = tlv.decode(data, der.TAG_SEQUENCE).children()
    if [p.tag for p in parts] != [der.TAG_SEQUENCE, TAG_BIT_STRING]:
        raise MalformedData("SubjectPublicKeyInfo", "expected algorithm and key")
    algorithm = parts[0].children()
    if not algorithm or algorithm[0].tag != der.TAG_OID or len(algorithm) > 2:
        raise MalformedData("SubjectPublicKeyInfo", "bad AlgorithmIdentifier")
    bits = parts[1].value
    if bits[:1] != b"\x00":
        raise MalformedData("SubjectPublicKeyInfo", "key is not a whole number of bytes")
    oid = der.decode_oid(algorithm[0].value, "SubjectPublicKeyInfo")
    return SubjectPublicKeyInfo(
        algorithm=oid,
        parameters=b"".join(tlv.encode(p.tag, p.value) for p in algorithm[1:]),
        public_key=bits[1:],
        der=bytes(data),
        named_curve=_named_curve(oid, algorithm[1:]),
    )


def _named_curve(algorithm: str, parameters: list[tlv.TLV]) -> str | None:
    if algorithm != ID_EC_PUBLIC_KEY or not parameters or parameters[0].tag != der.TAG_OID:
        return None
    return der.decode_oid(parameters[0].value, "SubjectPublicKeyInfo")
