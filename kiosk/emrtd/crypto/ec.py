"""Short-Weierstrass elliptic-curve arithmetic over prime fields (BSI TR-03111 §2.3).

PACE's generic mapping computes a new generator Ĝ = s·G + H (ICAO 9303-11 §4.4.3.3.1) and then
runs Diffie-Hellman on it; ``cryptography`` only multiplies a curve's own generator, so PACE
needs this module. Points are affine ``(x, y)`` pairs outside and Jacobian triples
``(X, Y, Z)`` inside (x = X/Z², y = Y/Z³), which saves a field inversion per step. Scalars are
multiplied with a Montgomery ladder over the full bit length of the order, so every
multiplication performs the same sequence of operations whatever the scalar's bits.

Every point that comes from a chip goes through ``decode``: it must be the uncompressed
encoding ``04 || x || y`` of a point on the curve with coordinates below p. The point at
infinity has no affine form and is refused wherever a result would be it. Every curve of
``kiosk.emrtd.crypto.curves`` has cofactor 1, so a point on the curve other than infinity has
the full prime order: the on-curve check also refuses every small-order point, including those
an invalid-curve attack would send (BSI TR-03111 §4.3.2.2 public key validation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.emrtd.errors import MalformedData

Point = tuple[int, int]
"""An affine point (x, y); the point at infinity is never one."""

_Jacobian = tuple[int, int, int]
_INFINITY: _Jacobian = (1, 1, 0)
_UNCOMPRESSED = 0x04
_WHAT = "EC point"


@dataclass(frozen=True, slots=True)
class Curve:
    """A named curve y² = x³ + ax + b over GF(p) with base point G of prime order n.

    Attributes:
        name: the curve's name (``brainpoolP256r1``, ``P-256``).
        oid: its object identifier, as a SubjectPublicKeyInfo names it.
    """

    name: str
    oid: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def size(self) -> int:
        """The length in bytes of a field element (and of each coordinate of an encoding)."""
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> Point:
        """The base point G."""
        return (self.gx, self.gy)

    def contains(self, point: Point) -> bool:
        """Whether ``point`` has coordinates in [0, p) and satisfies the curve equation."""
        x, y = point
        if not (0 <= x < self.p and 0 <= y < self.p):
            return False
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def add(self, first: Point, second: Point) -> Point:
        """``first + second``.

        Raises:
            MalformedData: the sum is the point at infinity (``second`` is ``-first``).
        """
        return self._affine(self._add(_lift(first), _lift(second)))

    def multiply(self, scalar: int, point: Point) -> Point:
        """``scalar · point`` for 0 < scalar < n.

        Raises:
            ValueError: the scalar is out of range (a programming error, never chip data).
            MalformedData: the product is the point at infinity (``point`` is not of order n).
        """
        if not 0 < scalar < self.n:
            raise ValueError("the scalar must lie in [1, n - 1]")
        return self._affine(self._ladder(scalar, _lift(point)))

    def encode(self, point: Point) -> bytes:
        """The uncompressed encoding ``04 || x || y`` (BSI TR-03111 §3.2.1)."""
        x, y = point
        return bytes((_UNCOMPRESSED,)) + x.to_bytes(self.size, "big") + y.to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Point:
        """A point from its uncompressed encoding, validated (BSI TR-03111 §3.2.1, §4.3.2.2).

        Raises:
            MalformedData: not ``04 || x || y`` of this curve's length (the infinity encoding
                ``00`` and compressed points included), or the point is not on the curve.
        """
        if len(data) != 1 + 2 * self.size or data[0] != _UNCOMPRESSED:
            raise MalformedData(_WHAT, f"not an uncompressed point of {self.name}")
        point = (int.from_bytes(data[1 : 1 + self.size]), int.from_bytes(data[1 + self.size :]))
        if not self.contains(point):
            raise MalformedData(_WHAT, f"the point is not on {self.name}")
        return point

    def random_scalar(self, rng: Callable[[int], bytes]) -> int:
        """A private key in [1, n - 1] from ``size + 8`` random bytes (BSI TR-03111 §4.1.1).

        The 64 extra bits make the bias of the reduction modulo n - 1 negligible.
        """
        value = int.from_bytes(rng(self.size + 8))
        return value % (self.n - 1) + 1

    def _affine(self, point: _Jacobian) -> Point:
        x, y, z = point
        if z == 0:
            raise MalformedData(_WHAT, "the result is the point at infinity")
        inverse = pow(z, -1, self.p)
        square = inverse * inverse % self.p
        return (x * square % self.p, y * square * inverse % self.p)

    def _ladder(self, scalar: int, point: _Jacobian) -> _Jacobian:
        low, high = _INFINITY, point
        for bit in range(self.n.bit_length() - 1, -1, -1):
            if (scalar >> bit) & 1:
                low, high = self._add(low, high), self._double(high)
            else:
                low, high = self._double(low), self._add(low, high)
        return low

    def _double(self, point: _Jacobian) -> _Jacobian:
        """Jacobian doubling for any a ("dbl-2007-bl", Bernstein-Lange EFD)."""
        x, y, z = point
        p = self.p
        if z == 0 or y == 0:
            return _INFINITY
        yy = y * y % p
        s = 4 * x * yy % p
        zz = z * z % p
        m = (3 * x * x + self.a * zz * zz) % p
        x3 = (m * m - 2 * s) % p
        y3 = (m * (s - x3) - 8 * yy * yy) % p
        return (x3, y3, 2 * y * z % p)

    def _add(self, first: _Jacobian, second: _Jacobian) -> _Jacobian:
        """Jacobian addition ("add-1998-cmo-2", Bernstein-Lange EFD), doubling when equal.

        ``second`` is never infinity: it is an affine input or the ladder's upper point, a
        non-zero multiple of a point of prime order n.
        """
        x1, y1, z1 = first
        x2, y2, z2 = second
        if z1 == 0:
            return second
        p = self.p
        z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
        u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
        s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
        h, r = (u2 - u1) % p, (s2 - s1) % p
        if h == 0:
            return self._double(first) if r == 0 else _INFINITY
        hh = h * h % p
        hhh = h * hh % p
        v = u1 * hh % p
        x3 = (r * r - hhh - 2 * v) % p
        y3 = (r * (v - x3) - s1 * hhh) % p
        return (x3, y3, z1 * z2 * h % p)


def _lift(point: Point) -> _Jacobian:
    return (point[0], point[1], 1)
