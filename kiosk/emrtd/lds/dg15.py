"""EF.DG15: the Active Authentication public key (ICAO 9303-10 §4.7.15, 9303-11 §6.1).

``6F { SubjectPublicKeyInfo }``, an RSA or EC key (which one a CCCD uses is unknown, facts §1.4).
Like DG14 it proves nothing until Passive Authentication covers it: a clone may carry its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import UnsupportedFeature
from kiosk.emrtd.lds import spki

TAG_DG15 = 0x6F

ActiveAuthenticationKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


@dataclass(frozen=True, slots=True)
class DG15File:
    """The decoded DG15: the chip's Active Authentication key."""

    public_key_info: spki.SubjectPublicKeyInfo

    def public_key(self) -> ActiveAuthenticationKey:
        """The key as a ``cryptography`` object, for verifying the AA signature.

        Raises:
            UnsupportedFeature: the key is neither RSA nor EC on a named curve that
                ``cryptography`` knows (explicit EC domain parameters, for instance).
        """
        try:
            key = load_der_public_key(self.public_key_info.der)
        except (ValueError, UnsupportedAlgorithm) as err:
            raise UnsupportedFeature("DG15 key cannot be loaded") from err
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise UnsupportedFeature("DG15 key is neither RSA nor EC")
        return key


def parse(data: bytes) -> DG15File:
    """Decode DG15; the key is split, not yet loaded (see ``DG15File.public_key``)."""
    return DG15File(spki.parse(tlv.decode(data, TAG_DG15).value))


def encode(public_key_info_der: bytes) -> bytes:
    """Build DG15 around a DER SubjectPublicKeyInfo, as the simulated chip serves it."""
    return tlv.encode(TAG_DG15, public_key_info_der)
