"""Property tests of the bounded BER-TLV reader: any bytes give a value or MalformedData."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import EmrtdError, MalformedData

PROPERTY = settings.get_profile("emrtd")


def _walk(item: tlv.TLV) -> int:
    """Decode every constructed object all the way down; return the number of objects."""
    if not item.is_constructed:
        return 1
    return 1 + sum(_walk(child) for child in item.children())


@PROPERTY
@given(st.binary(max_size=2048))
def test_decode_any_bytes_gives_a_value_or_an_emrtd_error(raw: bytes) -> None:
    with contextlib.suppress(EmrtdError):
        item = tlv.decode(raw)
        assert item.offset + len(item.value) == len(raw)
        _walk(item)


@PROPERTY
@given(st.binary(max_size=2048))
def test_iterating_any_bytes_gives_values_or_an_emrtd_error(raw: bytes) -> None:
    with contextlib.suppress(EmrtdError):
        for item in tlv.iter_tlvs(raw):
            assert item.offset + len(item.value) <= len(raw)
            _walk(item)


# Nested structures built from a small grammar reach the deeper code paths far more often
# than random bytes do.
_leaf = st.builds(
    tlv.encode, st.sampled_from([0x02, 0x04, 0x5F1F, 0x80, 0x9F01]), st.binary(max_size=12)
)
_tree = st.recursive(
    _leaf,
    lambda inner: st.builds(
        lambda tag, parts: tlv.encode(tag, b"".join(parts)),
        st.sampled_from([0x30, 0x61, 0x7F61, 0x6D]),
        st.lists(inner, max_size=4),
    ),
    max_leaves=8,
)


@PROPERTY
@given(_tree, st.data())
def test_structures_round_trip_and_their_mutations_stay_typed(
    raw: bytes, data: st.DataObject
) -> None:
    item = tlv.decode(raw)
    assert tlv.encode(item.tag, item.value) == raw
    _walk(item)
    position = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255))
    mutated = raw[:position] + bytes((value,)) + raw[position + 1 :]
    cut = mutated[: data.draw(st.integers(0, len(mutated)))]
    for candidate in (mutated, cut):
        with contextlib.suppress(EmrtdError):
            _walk(tlv.decode(candidate))


@PROPERTY
@given(_tree, st.data())
def test_an_object_cut_short_is_never_accepted(raw: bytes, data: st.DataObject) -> None:
    # A file that ends early (the truncated-file fault) must not yield a value shorter than
    # its length promised: every proper prefix of one object is malformed.
    cut = raw[: data.draw(st.integers(1, len(raw) - 1))]
    with pytest.raises(MalformedData):
        list(tlv.iter_tlvs(cut))
