"""Signature verification with the algorithm a SignerInfo names (ICAO 9303-12 §4.4.2).

RSA PKCS#1 v1.5, RSA-PSS with its own parameters, and ECDSA on any curve ``cryptography``
knows (brainpoolP256r1/384r1/512r1 included). The key must suit the scheme: an ECDSA
identifier with an RSA key fails, it is never "corrected" from the key.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from kiosk.emrtd.lds.algorithms import SignatureAlgorithm, SignatureScheme

HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
"""The hashes Passive Authentication computes, by the names ``lds.algorithms`` gives them."""


def is_supported(algorithm: SignatureAlgorithm) -> bool:
    """Whether ``verify`` can judge signatures of ``algorithm``."""
    hash_names = [algorithm.hash_name]
    if algorithm.scheme is SignatureScheme.RSA_PSS:
        hash_names.append(algorithm.mgf_hash_name or "")
    return algorithm.scheme is not None and all(name in HASHES for name in hash_names)


def verify(
    key: CertificatePublicKeyTypes, algorithm: SignatureAlgorithm, signature: bytes, data: bytes
) -> bool:
    """Whether ``signature`` over ``data`` verifies; call only when ``is_supported(algorithm)``."""
    digest = HASHES[algorithm.hash_name]()
    try:
        if algorithm.scheme is SignatureScheme.ECDSA and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(digest))
            return True
        if not isinstance(key, rsa.RSAPublicKey) or algorithm.scheme is SignatureScheme.ECDSA:
            return False
        key.verify(signature, data, _rsa_padding(algorithm), digest)
    except InvalidSignature:
        return False
    return True


def _rsa_padding(algorithm: SignatureAlgorithm) -> padding.AsymmetricPadding:
    if algorithm.scheme is SignatureScheme.RSA_PKCS1V15:
        return padding.PKCS1v15()
    mgf = padding.MGF1(HASHES[algorithm.mgf_hash_name or ""]())
    return padding.PSS(mgf=mgf, salt_length=algorithm.salt_length or 0)
