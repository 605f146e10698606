"""Key agreement over an elliptic curve or a DH group, with the generator PACE has mapped.

PACE (ICAO 9303-11 §4.4) and Chip Authentication (§6.2) both run Diffie-Hellman and only
differ in the generator: the domain's own for Chip Authentication and the first PACE step, the
mapped one for the PACE key agreement. ``KeyAgreement`` hides the EC/DH difference from the
protocols, which exchange public keys only as bytes: every public key from a chip is decoded
and validated here (``crypto.ec`` and ``crypto.dh`` refuse points off the curve, infinity and
values outside the subgroup). ECDH on a named curve with its own generator, the common case,
is handed to ``cryptography``; the mapped generator, which ``cryptography`` cannot use, and the
curves it lacks go through ``crypto.ec``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec as crypto_ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.emrtd.crypto.dh import DHGroup
from kiosk.emrtd.crypto.ec import Curve, Point
from kiosk.emrtd.errors import MalformedData

Random = Callable[[int], bytes]

_CRYPTOGRAPHY_CURVES: Mapping[str, crypto_ec.EllipticCurve] = {
    "P-192": crypto_ec.SECP192R1(),
    "P-224": crypto_ec.SECP224R1(),
    "P-256": crypto_ec.SECP256R1(),
    "P-384": crypto_ec.SECP384R1(),
    "P-521": crypto_ec.SECP521R1(),
    "brainpoolP256r1": crypto_ec.BrainpoolP256R1(),
    "brainpoolP384r1": crypto_ec.BrainpoolP384R1(),
    "brainpoolP512r1": crypto_ec.BrainpoolP512R1(),
}
"""The curves ``cryptography`` implements in C, by our names."""


class KeyAgreement(Protocol):
    """Diffie-Hellman in one group with one generator; public keys travel as bytes."""

    def random_private(self, rng: Random) -> int:
        """A fresh private key for this group."""
        ...

    def public_key(self, private: int) -> bytes:
        """The encoded public key of ``private`` under this generator."""
        ...

    def secret(self, private: int, peer: bytes) -> bytes:
        """The shared secret with the peer's encoded public key (validated first).

        Raises:
            MalformedData: the peer's key is invalid (off the curve, outside the subgroup).
        """
        ...

    def mapped(self, nonce: bytes, private: int, peer: bytes) -> KeyAgreement:
        """PACE generic mapping: the same group with generator s·G + H (ICAO 9303-11 §4.4.3.3.1).

        H is the Diffie-Hellman point (or value) of ``private`` and the peer's mapping key.

        Raises:
            MalformedData: the peer's key is invalid, or the new generator is degenerate.
        """
        ...


@dataclass(frozen=True, slots=True)
class ECKeyAgreement:
    """ECDH on ``curve`` with ``generator`` (the curve's own G unless PACE mapped it)."""

    curve: Curve
    generator: Point

    @classmethod
    def standard(cls, curve: Curve) -> ECKeyAgreement:
        """ECDH with the curve's own generator."""
        return cls(curve, curve.generator)

    def random_private(self, rng: Random) -> int:
        """A private key in [1, n - 1]."""
        return self.curve.random_scalar(rng)

    def public_key(self, private: int) -> bytes:
        """``private · generator``, uncompressed."""
        fast = self._cryptography_curve()
        if fast is not None and self.generator == self.curve.generator:
            public = crypto_ec.derive_private_key(private, fast).public_key()
            return public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return self.curve.encode(self.curve.multiply(private, self.generator))

    def secret(self, private: int, peer: bytes) -> bytes:
        """The x-coordinate of ``private · peer`` (BSI TR-03111 §4.3.1 ECKA-DH)."""
        point = self.curve.decode(peer)
        fast = self._cryptography_curve()
        if fast is None:
            return self._x(self.curve.multiply(private, point))
        key = crypto_ec.derive_private_key(private, fast)
        public = crypto_ec.EllipticCurvePublicKey.from_encoded_point(fast, peer)
        return key.exchange(crypto_ec.ECDH(), public)

    def mapped(self, nonce: bytes, private: int, peer: bytes) -> ECKeyAgreement:
        """Generator s·G + H with H = ``private`` · peer (ICAO 9303-11 §4.4.3.3.1)."""
        shared = self.curve.multiply(private, self.curve.decode(peer))
        scalar = int.from_bytes(nonce, "big") % self.curve.n
        if scalar == 0:
            raise MalformedData("PACE nonce", "the nonce is a multiple of the group order")
        base = self.curve.multiply(scalar, self.curve.generator)
        return ECKeyAgreement(self.curve, self.curve.add(base, shared))

    def _x(self, point: Point) -> bytes:
        return point[0].to_bytes(self.curve.size, "big")

    def _cryptography_curve(self) -> crypto_ec.EllipticCurve | None:
        return _CRYPTOGRAPHY_CURVES.get(self.curve.name)


@dataclass(frozen=True, slots=True)
class DHKeyAgreement:
    """Diffie-Hellman in ``group`` with ``generator`` (g unless PACE mapped it)."""

    group: DHGroup
    generator: int

    @classmethod
    def standard(cls, group: DHGroup) -> DHKeyAgreement:
        """DH with the group's own generator g."""
        return cls(group, group.g)

    def random_private(self, rng: Random) -> int:
        """A private exponent in [1, q - 1]."""
        return self.group.random_exponent(rng)

    def public_key(self, private: int) -> bytes:
        """``generator ^ private mod p``, as long as p."""
        return self.group.encode(pow(self.generator, private, self.group.p))

    def secret(self, private: int, peer: bytes) -> bytes:
        """``peer ^ private mod p`` as long as p (ICAO 9303-11 §4.4.3.4)."""
        return self.group.encode(self._agree(private, peer))

    def mapped(self, nonce: bytes, private: int, peer: bytes) -> DHKeyAgreement:
        """Generator g^s · h mod p with h = peer ^ ``private`` (ICAO 9303-11 §4.4.3.3.1)."""
        shared = self._agree(private, peer)
        generator = pow(self.group.g, int.from_bytes(nonce, "big"), self.group.p) * shared
        return DHKeyAgreement(self.group, self.group.check(generator % self.group.p))

    def _agree(self, private: int, peer: bytes) -> int:
        return pow(self.group.decode(peer), private, self.group.p)
