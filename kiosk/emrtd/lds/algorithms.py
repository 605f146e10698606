"""Digest and signature algorithm identifiers used by EF.SOD and certificates.

ICAO 9303-12 §4.4 and RFC 5754/4055/5758 identify the algorithms; the signature scheme and
hash are read from the SignerInfo's own identifier, never guessed from the signer's key (the
pitfall fixed in tananaev/passport-reader PR 99 and selfxyz PR 1302, facts/cccd.md §6).
Identifiers this library does not verify are kept (``scheme`` None) so that Passive
Authentication can report them as not supported instead of failing the parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from asn1crypto import algos

from kiosk.emrtd.lds.asn1 import translated

HASH_NAMES: Mapping[str, str] = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
"""Digest OIDs the LDS uses (ICAO 9303-12 §4.4.1), by their hashlib names."""

ID_MGF1 = "1.2.840.113549.1.1.8"


class SignatureScheme(StrEnum):
    """The signature schemes Passive Authentication verifies (ICAO 9303-12 §4.4.2)."""

    RSA_PKCS1V15 = "rsa_pkcs1v15"
    RSA_PSS = "rsa_pss"
    ECDSA = "ecdsa"


_SIGNATURE_OIDS: Mapping[str, tuple[SignatureScheme, str | None]] = {
    "1.2.840.113549.1.1.1": (SignatureScheme.RSA_PKCS1V15, None),  # rsaEncryption
    "1.2.840.113549.1.1.5": (SignatureScheme.RSA_PKCS1V15, "sha1"),
    "1.2.840.113549.1.1.14": (SignatureScheme.RSA_PKCS1V15, "sha224"),
    "1.2.840.113549.1.1.11": (SignatureScheme.RSA_PKCS1V15, "sha256"),
    "1.2.840.113549.1.1.12": (SignatureScheme.RSA_PKCS1V15, "sha384"),
    "1.2.840.113549.1.1.13": (SignatureScheme.RSA_PKCS1V15, "sha512"),
    "1.2.840.113549.1.1.10": (SignatureScheme.RSA_PSS, None),  # hash in the parameters
    "1.2.840.10045.2.1": (SignatureScheme.ECDSA, None),  # id-ecPublicKey, seen on passports
    "1.2.840.10045.4.1": (SignatureScheme.ECDSA, "sha1"),
    "1.2.840.10045.4.3.1": (SignatureScheme.ECDSA, "sha224"),
    "1.2.840.10045.4.3.2": (SignatureScheme.ECDSA, "sha256"),
    "1.2.840.10045.4.3.3": (SignatureScheme.ECDSA, "sha384"),
    "1.2.840.10045.4.3.4": (SignatureScheme.ECDSA, "sha512"),
}
"""Signature OIDs -> scheme and hash; a None hash means "the SignerInfo's digest algorithm"."""


@dataclass(frozen=True, slots=True)
class SignatureAlgorithm:
    """A signature algorithm identifier, resolved.

    Attributes:
        oid: the identifier as written.
        scheme: the scheme, or None for an algorithm this library does not verify.
        hash_name: the message hash (a ``HASH_NAMES`` value, or the dotted OID if unknown).
        mgf_hash_name: RSA-PSS only: the MGF1 hash.
        salt_length: RSA-PSS only: the salt length in bytes.
    """

    oid: str
    scheme: SignatureScheme | None
    hash_name: str
    mgf_hash_name: str | None = None
    salt_length: int | None = None


def hash_name(oid: str) -> str:
    """The hashlib name of a digest OID, or the OID itself when it is not one the LDS uses."""
    return HASH_NAMES.get(oid, oid)


def signature_algorithm(oid: str, parameters: bytes, digest_name: str) -> SignatureAlgorithm:
    """Resolve a signature identifier; ``digest_name`` fills in for identifiers without a hash.

    Args:
        oid: the signature algorithm OID.
        parameters: the DER of its parameters (RSASSA-PSS-params for RSA-PSS), or empty.
        digest_name: the SignerInfo's digest algorithm, as ``hash_name`` gives it.
    """
    scheme, named_hash = _SIGNATURE_OIDS.get(oid, (None, None))
    if scheme is SignatureScheme.RSA_PSS:
        return _pss(oid, parameters)
    return SignatureAlgorithm(oid, scheme, named_hash or digest_name)


def _pss(oid: str, parameters: bytes) -> SignatureAlgorithm:
    """RSASSA-PSS-params (RFC 4055 §3.1); absent fields take their SHA-1 defaults."""
    with translated("RSASSA-PSS-params"):
        params = algos.RSASSAPSSParams.load(parameters or b"\x30\x00", strict=True)
        digest = hash_name(params["hash_algorithm"]["algorithm"].dotted)
        mgf = params["mask_gen_algorithm"]
        if mgf["algorithm"].dotted != ID_MGF1:
            return SignatureAlgorithm(oid, None, digest)
        return SignatureAlgorithm(
            oid=oid,
            scheme=SignatureScheme.RSA_PSS,
            hash_name=digest,
            mgf_hash_name=hash_name(mgf["parameters"]["algorithm"].dotted),
            salt_length=int(params["salt_length"].native),
        )
