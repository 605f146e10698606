"""Our elliptic-curve and DH arithmetic: the named curves, hostile points, the key agreements."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec as crypto_ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.emrtd.crypto import curves, dh
from kiosk.emrtd.crypto.agreement import DHKeyAgreement, ECKeyAgreement
from kiosk.emrtd.crypto.ec import Curve
from kiosk.emrtd.errors import MalformedData, UnsupportedFeature

ALL_CURVES = list(curves.CURVES_BY_PARAMETER_ID.values())
CRYPTOGRAPHY = {
    "P-192": crypto_ec.SECP192R1(),
    "P-224": crypto_ec.SECP224R1(),
    "P-256": crypto_ec.SECP256R1(),
    "P-384": crypto_ec.SECP384R1(),
    "P-521": crypto_ec.SECP521R1(),
    "brainpoolP256r1": crypto_ec.BrainpoolP256R1(),
    "brainpoolP384r1": crypto_ec.BrainpoolP384R1(),
    "brainpoolP512r1": crypto_ec.BrainpoolP512R1(),
}
P256 = curves.BRAINPOOLP256R1


@pytest.mark.parametrize("curve", ALL_CURVES, ids=lambda c: c.name)
def test_the_generator_lies_on_the_curve_and_has_order_n(curve: Curve) -> None:
    assert curve.contains(curve.generator)
    minus_g = curve.multiply(curve.n - 1, curve.generator)
    assert minus_g == (curve.gx, curve.p - curve.gy)
    with pytest.raises(MalformedData, match="infinity"):
        curve.add(minus_g, curve.generator)


@pytest.mark.parametrize("name", sorted(CRYPTOGRAPHY))
def test_scalar_multiplication_agrees_with_cryptography(name: str) -> None:
    curve = next(c for c in ALL_CURVES if c.name == name)
    key = crypto_ec.generate_private_key(CRYPTOGRAPHY[name])
    expected = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    scalar = key.private_numbers().private_value
    assert curve.encode(curve.multiply(scalar, curve.generator)) == expected


def test_addition_of_a_point_to_itself_is_doubling() -> None:
    g = P256.generator
    assert P256.add(g, g) == P256.multiply(2, g)
    assert P256.add(P256.multiply(2, g), g) == P256.multiply(3, g)
    assert P256.multiply(1, g) == g


def test_encode_decode_round_trip() -> None:
    point = P256.multiply(12345, P256.generator)
    assert P256.decode(P256.encode(point)) == point


def invalid_curve_point_of_order_two(curve: Curve) -> bytes:
    """(x, 0) lies on y² = x³ + ax + b' for b' = -(x³ + ax): an invalid-curve attack point."""
    return b"\x04" + (5).to_bytes(curve.size, "big") + bytes(curve.size)


@pytest.mark.parametrize(
    "encoding",
    [
        pytest.param(b"\x00", id="infinity"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\x02" + bytes(32), id="compressed"),
        pytest.param(b"\x03" + bytes(64), id="wrong-prefix"),
        pytest.param(b"\x04" + bytes(63), id="short"),
        pytest.param(b"\x04" + bytes(64), id="origin-off-curve"),
        pytest.param(invalid_curve_point_of_order_two(P256), id="small-order-invalid-curve"),
        pytest.param(
            b"\x04" + (P256.gx + P256.p).to_bytes(33, "big")[1:] + P256.gy.to_bytes(32, "big"),
            id="x-above-p",
        ),
    ],
)
def test_hostile_points_are_refused(encoding: bytes) -> None:
    with pytest.raises(MalformedData):
        P256.decode(encoding)


def test_coordinates_outside_the_field_are_not_on_the_curve() -> None:
    assert not P256.contains((P256.gx + P256.p, P256.gy))
    assert not P256.contains((-1, P256.gy))


@pytest.mark.parametrize("scalar", [0, -1, P256.n])
def test_scalars_outside_one_to_n_minus_one_are_a_programming_error(scalar: int) -> None:
    with pytest.raises(ValueError, match="scalar"):
        P256.multiply(scalar, P256.generator)


def test_random_scalars_are_in_range() -> None:
    assert P256.random_scalar(lambda n: bytes(n)) == 1
    assert P256.random_scalar(lambda n: b"\xff" * n) < P256.n
    assert 0 < P256.random_scalar(os.urandom) < P256.n


def test_curves_by_oid_and_explicit_parameters() -> None:
    assert curves.by_oid("1.3.36.3.3.2.8.1.1.7") is P256
    with pytest.raises(UnsupportedFeature):
        curves.by_oid("1.2.3.4")
    assert curves.match(P256.p, P256.a, P256.b, P256.generator, P256.n) is P256
    with pytest.raises(UnsupportedFeature):
        curves.match(P256.p, P256.a, P256.b + 1, P256.generator, P256.n)


# DH (RFC 5114 groups).
GROUP = dh.RFC5114_1024_160


@pytest.mark.parametrize("group", list(dh.GROUPS_BY_PARAMETER_ID.values()), ids=lambda g: g.name)
def test_rfc5114_generators_have_order_q(group: dh.DHGroup) -> None:
    assert pow(group.g, group.q, group.p) == 1
    assert group.check(group.g) == group.g


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(0, id="zero"),
        pytest.param(1, id="one"),
        pytest.param(GROUP.p - 1, id="order-two"),
        pytest.param(GROUP.p, id="p"),
        pytest.param(2, id="outside-the-subgroup"),
    ],
)
def test_hostile_dh_values_are_refused(value: int) -> None:
    with pytest.raises(MalformedData):
        GROUP.check(value)


def test_dh_decoding_checks_length_and_value() -> None:
    assert GROUP.decode(GROUP.encode(GROUP.g)) == GROUP.g
    with pytest.raises(MalformedData):
        GROUP.decode(b"")
    with pytest.raises(MalformedData):
        GROUP.decode(bytes(GROUP.size + 1))
    with pytest.raises(UnsupportedFeature):
        dh.by_parameter_id(3)
    assert dh.by_parameter_id(2) is dh.RFC5114_2048_256


# Key agreements.
@pytest.mark.parametrize(
    "curve", [P256, curves.BRAINPOOLP320R1, curves.BRAINPOOLP192R1], ids=lambda c: c.name
)
def test_ecdh_both_sides_agree(curve: Curve) -> None:
    agreement = ECKeyAgreement.standard(curve)
    ours, theirs = agreement.random_private(os.urandom), agreement.random_private(os.urandom)
    shared = agreement.secret(ours, agreement.public_key(theirs))
    assert shared == agreement.secret(theirs, agreement.public_key(ours))
    assert len(shared) == curve.size


def test_ecdh_refuses_an_invalid_peer_key() -> None:
    agreement = ECKeyAgreement.standard(P256)
    with pytest.raises(MalformedData):
        agreement.secret(5, invalid_curve_point_of_order_two(P256))


def test_mapping_with_a_nonce_that_is_a_multiple_of_n_is_refused() -> None:
    agreement = ECKeyAgreement.standard(P256)
    peer = agreement.public_key(7)
    with pytest.raises(MalformedData, match="nonce"):
        agreement.mapped(P256.n.to_bytes(32, "big"), 3, peer)


def test_mapped_generators_agree_on_both_sides() -> None:
    agreement = ECKeyAgreement.standard(P256)
    nonce = os.urandom(16)
    ours, theirs = 11, 13
    mine = agreement.mapped(nonce, ours, agreement.public_key(theirs))
    their = agreement.mapped(nonce, theirs, agreement.public_key(ours))
    assert mine == their
    a, b = 17, 19
    assert mine.secret(a, mine.public_key(b)) == their.secret(b, their.public_key(a))


def test_dh_both_sides_agree_and_refuse_hostile_values() -> None:
    agreement = DHKeyAgreement.standard(GROUP)
    ours, theirs = agreement.random_private(os.urandom), agreement.random_private(os.urandom)
    shared = agreement.secret(ours, agreement.public_key(theirs))
    assert shared == agreement.secret(theirs, agreement.public_key(ours))
    with pytest.raises(MalformedData):
        agreement.secret(ours, GROUP.encode(GROUP.p - 1))
