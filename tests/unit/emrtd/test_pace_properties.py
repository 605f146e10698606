"""Property tests: whatever a chip sends where a public key or a PACE answer belongs, the result
is a valid value or a typed ``EmrtdError`` (``MalformedData``, ``AccessDenied``), never another
exception (conventions.md, "Malicious input")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.emrtd import pace, tlv
from kiosk.emrtd.apdu import ResponseAPDU
from kiosk.emrtd.auth import chip
from kiosk.emrtd.crypto import curves, dh
from kiosk.emrtd.errors import AccessDenied, EmrtdError, MalformedData
from kiosk.emrtd.lds import spki
from kiosk.emrtd.transport import Exchange, ReplayTransport
from tests.unit.emrtd.test_pace import G1_INFO, G1_KEY, G1_TRACE, g1_rng

PROPERTY = settings.get_profile("emrtd")
CURVE = curves.BRAINPOOLP256R1


@PROPERTY
@given(st.binary(max_size=140) | st.binary(min_size=65, max_size=65).map(lambda b: b"\x04" + b))
def test_any_bytes_decode_to_a_point_on_the_curve_or_malformed(data: bytes) -> None:
    try:
        point = CURVE.decode(data)
    except MalformedData:
        return
    assert CURVE.contains(point)


@PROPERTY
@given(st.binary(max_size=200))
def test_any_bytes_decode_to_a_subgroup_element_or_malformed(data: bytes) -> None:
    group = dh.RFC5114_1024_160
    try:
        value = group.decode(data)
    except MalformedData:
        return
    assert pow(value, group.q, group.p) == 1


@settings(PROPERTY, max_examples=min(PROPERTY.max_examples, 100))  # EC arithmetic per example
@given(st.binary(max_size=200), st.sampled_from([2, 4]))
def test_any_answer_to_the_mapping_or_token_step_is_access_denied(data: bytes, step: int) -> None:
    trace = list(G1_TRACE[: step + 1])
    trace[step] = Exchange(trace[step].command, ResponseAPDU.from_sw(0x9000, data))
    with pytest.raises(AccessDenied) as caught:
        pace.run_pace(ReplayTransport(trace), G1_KEY, G1_INFO, g1_rng())
    assert caught.value.protocol == "PACE"


@PROPERTY
@given(st.binary(max_size=120))
def test_any_dg14_key_bits_are_a_key_or_a_typed_error(bits: bytes) -> None:
    algorithm = tlv.encode(
        0x30, bytes.fromhex("06072A8648CE3D0201") + bytes.fromhex("06092B2403030208010107")
    )
    der = tlv.encode(0x30, algorithm + tlv.encode(0x03, b"\x00" + bits))
    try:
        chip.key_agreement(spki.parse(der))
    except EmrtdError:
        return
