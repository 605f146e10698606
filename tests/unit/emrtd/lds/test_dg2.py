"""DG2: the ISO/IEC 19794-5 face record inside its CBEFF wrapper."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData, UnsupportedFeature
from kiosk.emrtd.lds import dg2
from kiosk.emrtd.lds.dg2 import FaceImage, ImageDataType

JPEG = bytes.fromhex("FFD8FFE000104A464946") + b"\x00" * 40 + bytes.fromhex("FFD9")


def face(
    image: bytes = JPEG, kind: ImageDataType = ImageDataType.JPEG, points: int = 0
) -> FaceImage:
    return FaceImage(
        gender=1,
        eye_colour=2,
        hair_colour=3,
        property_mask=0x000001,
        expression=1,
        pose_angles=b"\x00\x00\x00",
        pose_uncertainties=b"\x00\x00\x00",
        feature_points=bytes(range(8)) * points,
        face_image_type=1,
        image_data_type=kind,
        width=480,
        height=640,
        colour_space=1,
        source_type=2,
        device_type=0,
        quality=0,
        image=image,
    )


def test_round_trip_of_a_jpeg_portrait() -> None:
    data = dg2.encode((face(),))
    parsed = dg2.parse(data)
    assert parsed.portrait == face()
    assert parsed.templates[0].header == dg2.DEFAULT_HEADER
    assert dg2.encode_file(parsed) == data


def test_jpeg2000_images_and_feature_points_and_several_templates() -> None:
    first = dg2.BiometricTemplate(
        dg2.DEFAULT_HEADER, (face(points=2), face(b"j2k", ImageDataType.JPEG2000))
    )
    second = dg2.BiometricTemplate(((0x81, b"\x02"),), (face(),))
    value = dg2.DG2File((first, second))
    parsed = dg2.parse(dg2.encode_file(value))
    assert parsed == value
    assert parsed.templates[0].images[1].image_data_type is ImageDataType.JPEG2000
    assert parsed.portrait.width == 480
    assert parsed.portrait.height == 640


def _with_block(block: bytes, count: bytes = b"\x01", block_tag: int = 0x5F2E) -> bytes:
    header = tlv.encode(0xA1, tlv.encode(0x81, b"\x02"))
    template = tlv.encode(0x7F60, header + tlv.encode(block_tag, block))
    group = tlv.encode(0x02, count) + template
    return tlv.encode(0x75, tlv.encode(0x7F61, group))


def _block() -> bytes:
    data = dg2.encode((face(),))
    return data[data.index(b"FAC\x00") :]


def test_7f2e_data_block_is_read_too() -> None:
    assert dg2.parse(_with_block(_block(), block_tag=0x7F2E)).portrait == face()


def test_a_record_that_is_not_19794_5_is_unsupported() -> None:
    with pytest.raises(UnsupportedFeature):
        dg2.parse(_with_block(b"\x30\x03\x02\x01\x01"))


@pytest.mark.parametrize(
    "block",
    [
        b"FAC\x00010\x00",  # shorter than the record header
        _block()[:-1],  # record length no longer matches the block
        _block() + b"\x00",
    ],
)
def test_record_length_must_match(block: bytes) -> None:
    with pytest.raises(MalformedData):
        dg2.parse(_with_block(block))


def _patched(offset: int, value: bytes) -> bytes:
    block = bytearray(_block())
    block[offset : offset + len(value)] = value
    return bytes(block)


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        (12, b"\x00\x00"),  # no images
        (12, b"\x00\x02"),  # two images announced, one present
        (14, b"\x00\x00\x00\x05"),  # facial record data length too short
        (14, b"\x00\x00\xff\xff"),  # facial record data length past the record
        (14 + 4, b"\x7f\xff"),  # feature points past the record
        (14 + 20 + 1, b"\x07"),  # unknown image data type
        (14, b"\x00\x00\x00\x20"),  # image data shorter: bytes left over in the record
    ],
)
def test_inconsistent_face_records_are_malformed(offset: int, value: bytes) -> None:
    with pytest.raises(MalformedData):
        dg2.parse(_with_block(_patched(offset, value)))


def test_image_data_length_truncated_at_the_fields() -> None:
    block = bytearray(_block()[: 14 + 10])
    block[8:12] = len(block).to_bytes(4, "big")
    with pytest.raises(MalformedData):
        dg2.parse(_with_block(bytes(block)))


@pytest.mark.parametrize("count", [b"\x00", b"\x02", b"\x00\x01"])
def test_template_count_must_match_and_be_one_byte(count: bytes) -> None:
    with pytest.raises(MalformedData):
        dg2.parse(_with_block(_block(), count=count))


def test_a_template_needs_exactly_one_data_block() -> None:
    header = tlv.encode(0xA1, b"")
    template = tlv.encode(0x7F60, header + tlv.encode(0x5F2E, _block()) * 2)
    data = tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + template))
    with pytest.raises(MalformedData):
        dg2.parse(data)


def test_dataclass_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        face().width = 1  # type: ignore[misc]
