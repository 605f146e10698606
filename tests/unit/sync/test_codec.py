"""The packet codec: a round trip per version, and each validation code on its own cause."""

from __future__ import annotations

import dataclasses
import datetime as dt

import cbor2
import pytest

from kiosk.sync import codec, schema
from kiosk.sync.schema import SchemaError, ValidationCode
from tests.support.sync_packets import NOW, sample_packet


@pytest.mark.parametrize("version", sorted(schema.KNOWN_VERSIONS))
def test_every_version_round_trips(version: int) -> None:
    packet = sample_packet(version)
    data = codec.encode_packet(packet)
    assert codec.decode_packet(data) == packet
    assert sorted(cbor2.loads(data)) == sorted(schema.PARTS[version])


def test_versions_add_exactly_their_part() -> None:
    assert schema.PARTS[2][-1] == "face"
    assert schema.PARTS[3][-1] == "liveness"
    assert schema.PARTS[4][-1] == "documents"
    assert max(schema.KNOWN_VERSIONS) == schema.CURRENT_VERSION


def test_chip_files_use_the_protocol_names() -> None:
    raw = cbor2.loads(codec.encode_packet(sample_packet(1)))
    assert set(raw["chip"]["files"]) == {"COM", "DG1", "DG2", "DG13", "DG14", "DG15", "SOD"}
    assert raw["chip"]["files"]["DG1"] == b"dg1"


def test_empty_optional_parts_are_sent_as_null_and_come_back_as_none() -> None:
    packet = dataclasses.replace(sample_packet(4), face=None, liveness=None, documents=None)
    raw = cbor2.loads(codec.encode_packet(packet))
    assert raw["face"] is None
    assert raw["documents"] is None
    assert codec.decode_packet(codec.encode_packet(packet)) == packet


def test_a_nullable_key_may_be_absent() -> None:
    raw = cbor2.loads(codec.encode_packet(sample_packet(2)))
    del raw["chip"]["files"]["DG14"]
    del raw["face"]
    packet = codec.decode_packet(cbor2.dumps(raw))
    assert packet.chip.files.dg14 is None
    assert packet.face is None


def test_text_is_normalised_to_nfc_on_encoding() -> None:
    decomposed = "Nguye\u0302\u0303n"
    citizen = dataclasses.replace(sample_packet(1).citizen, full_name=decomposed)
    packet = dataclasses.replace(sample_packet(1), citizen=citizen)
    decoded = codec.decode_packet(codec.encode_packet(packet))
    assert decoded.citizen.full_name == "Nguyễn"


def _refusal(raw: dict[str, object], known: frozenset[int] = schema.KNOWN_VERSIONS) -> SchemaError:
    with pytest.raises(SchemaError) as caught:
        codec.decode_packet(cbor2.dumps(raw), known_versions=known)
    return caught.value


def _raw(version: int = 4) -> dict[str, object]:
    return dict(cbor2.loads(codec.encode_packet(sample_packet(version))))


def test_unknown_version_is_refused_with_its_code() -> None:
    raw = _raw(4)
    error = _refusal(raw, known=frozenset({1, 2, 3}))
    assert error.code is ValidationCode.SCHEMA_VERSION_UNKNOWN
    raw["schema_version"] = 5
    assert _refusal(raw).code is ValidationCode.SCHEMA_VERSION_UNKNOWN


def test_a_part_of_a_later_version_is_an_unknown_part() -> None:
    raw = _raw(1)
    raw["face"] = None
    error = _refusal(raw)
    assert (error.code, error.field) == (ValidationCode.SCHEMA_PART_UNKNOWN, "face")
    raw = _raw(4)
    raw["fingerprints"] = b""
    assert _refusal(raw).code is ValidationCode.SCHEMA_PART_UNKNOWN


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.pop("packet_id"), "packet_id"),
        (lambda r: r.update(demo="yes"), "demo"),
        (lambda r: r["citizen"].update(sex="X"), "citizen.sex"),
        (lambda r: r["citizen"].update(date_of_birth="15/06/1985"), "citizen.date_of_birth"),
        (lambda r: r["chip"]["files"].pop("SOD"), "chip.files.SOD"),
        (lambda r: r["chip"]["files"].update(DG1="text"), "chip.files.DG1"),
        (lambda r: r["chip"].update(extra=1), "chip.extra"),
        (lambda r: r["chip"]["passive_authentication"].update(verdict="ok"), None),
        (lambda r: r["consent"].update(confirmed_at="2026-11-27T07:00:00"), "consent.confirmed_at"),
        (lambda r: r["audit_head"].update(sequence=True), "audit_head.sequence"),
        (lambda r: r["face"].update(distance=float("nan")), "face.distance"),
        (lambda r: r["liveness"]["checks"].update(nested={"a": 1}), "liveness.checks.nested"),
        (lambda r: r["documents"][0].update(kind="passport"), "documents[0].kind"),
        (lambda r: r["citizen"].update(full_name="Nguye\u0302\u0303n"), "citizen.full_name"),
        (lambda r: r.update(schema_version="4"), "schema_version"),
    ],
)
def test_out_of_shape_fields_are_schema_invalid_and_named(
    change: object, field: str | None
) -> None:
    raw = _raw(4)
    change(raw)  # type: ignore[operator]
    error = _refusal(raw)
    assert error.code is ValidationCode.SCHEMA_INVALID
    if field is not None:
        assert error.field == field
    else:
        assert error.field == "chip.passive_authentication.verdict"


def test_the_error_text_never_holds_a_value() -> None:
    raw = _raw(1)
    raw["citizen"]["full_name"] = 12345  # type: ignore[index]
    error = _refusal(raw)
    assert "12345" not in str(error)
    assert str(error) == "schema_invalid: citizen.full_name not text"


def test_encoding_refuses_a_part_the_version_does_not_define() -> None:
    packet = dataclasses.replace(sample_packet(1), face=sample_packet(2).face)
    with pytest.raises(SchemaError) as caught:
        codec.encode_packet(packet)
    assert caught.value.code is ValidationCode.SCHEMA_PART_UNKNOWN


def test_encoding_refuses_a_time_without_offset() -> None:
    packet = dataclasses.replace(sample_packet(1), created_at=NOW.replace(tzinfo=None))
    with pytest.raises(SchemaError, match="created_at"):
        codec.encode_packet(packet)


def test_times_keep_their_offset() -> None:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    packet = dataclasses.replace(sample_packet(1), created_at=NOW.astimezone(hanoi))
    decoded = codec.decode_packet(codec.encode_packet(packet))
    assert decoded.created_at == NOW
    assert decoded.created_at.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff",
        cbor2.dumps([1, 2]),
        cbor2.dumps({"a": 1}),
        bytes([0xD8, 0x1C, 0x81, 0xD8, 0x1D, 0x00]),  # a list holding itself (tags 28/29)
        bytes([0xA2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]),  # a duplicate key
        bytes([0x5F, 0x41, 0x00, 0xFF]),  # an indefinite-length byte string
        cbor2.dumps(cbor2.CBORTag(1, 0)),
    ],
)
def test_hostile_cbor_is_schema_invalid(data: bytes) -> None:
    with pytest.raises(SchemaError) as caught:
        codec.decode_packet(data)
    assert caught.value.code is ValidationCode.SCHEMA_INVALID


def test_a_tagged_value_inside_the_packet_is_refused() -> None:
    raw = _raw(1)
    raw["created_at"] = cbor2.CBORTag(0, "2026-11-27T07:00:00+00:00")
    assert _refusal(raw).code is ValidationCode.SCHEMA_INVALID
