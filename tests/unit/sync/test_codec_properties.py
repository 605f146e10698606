"""Hostile CBOR yields a decoded packet or ``SchemaError``, never another exception."""

from __future__ import annotations

from typing import Any

import cbor2
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.sync import codec, schema
from kiosk.sync.schema import SchemaError
from tests.support.sync_packets import sample_packet

PROPERTY = settings(max_examples=300)
"""Capped in every profile: each example decodes a whole packet (about 10 ms on a busy core)."""

VALID = {v: codec.encode_packet(sample_packet(v)) for v in sorted(schema.KNOWN_VERSIONS)}

values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=12,
)


def _decode_or_refuse(data: bytes) -> None:
    try:
        packet = codec.decode_packet(data)
    except SchemaError:
        return
    # Whatever passed validation encodes again (the server stores and the kiosk rebuilds it).
    assert codec.decode_packet(codec.encode_packet(packet)) == packet


@PROPERTY
@given(st.binary(max_size=512))
def test_random_bytes(data: bytes) -> None:
    _decode_or_refuse(data)


@PROPERTY
@given(st.sampled_from(sorted(VALID)), st.data())
def test_mutated_packets(version: int, data: st.DataObject) -> None:
    original = bytearray(VALID[version])
    for _ in range(data.draw(st.integers(1, 4))):
        offset = data.draw(st.integers(0, len(original) - 1))
        original[offset] = data.draw(st.integers(0, 255))
    _decode_or_refuse(bytes(original))


@PROPERTY
@given(st.sampled_from(sorted(VALID)), st.data())
def test_a_field_replaced_by_any_value(version: int, data: st.DataObject) -> None:
    raw = cbor2.loads(VALID[version])
    node = raw
    while True:
        key = data.draw(st.sampled_from(sorted(node, key=str)))
        child = node[key]
        if not isinstance(child, dict) or not child or data.draw(st.booleans()):
            node[key] = data.draw(values)
            break
        node = child
    _decode_or_refuse(cbor2.dumps(raw))


@PROPERTY
@given(values)
def test_any_cbor_value(value: Any) -> None:
    _decode_or_refuse(cbor2.dumps(value))
