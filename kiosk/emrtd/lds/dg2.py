"""EF.DG2: the encoded face, an ISO/IEC 19794-5:2005 facial record inside a CBEFF wrapper.

ICAO 9303-10 §4.7.2 wraps each face in ``75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E data } } }``
(``7F2E`` is accepted for the data block too). The data block is an ISO/IEC 19794-5 record:
the record header (§5.4), then per image the facial information (§5.5), feature points (§5.6)
and image information (§5.7) followed by the image. The image is returned undecoded: decoding
JPEG and JPEG 2000 belongs to ``face/``, after a pixel cap (design.md, "Layers").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData, UnsupportedFeature

TAG_DG2 = 0x75
TAG_GROUP = 0x7F61
TAG_COUNT = 0x02
TAG_TEMPLATE = 0x7F60
TAG_HEADER = 0xA1
BLOCK_TAGS = (0x5F2E, 0x7F2E)

FORMAT_ID = b"FAC\x00"
VERSION_2005 = b"010\x00"
RECORD_HEADER_SIZE = 14
FACIAL_INFORMATION_SIZE = 20
FEATURE_POINT_SIZE = 8
IMAGE_INFORMATION_SIZE = 12

DEFAULT_HEADER: tuple[tuple[int, bytes], ...] = (
    (0x80, b"\x01\x01"),  # ICAO header version 1.1
    (0x81, b"\x02"),  # biometric type: facial features
    (0x87, b"\x01\x01"),  # format owner: ISO/IEC JTC 1/SC 37
    (0x88, b"\x00\x08"),  # format type: ISO/IEC 19794-5 face image
)
"""The biometric header template ICAO 9303-10 §4.7.2.1 prescribes for a face."""


class ImageDataType(IntEnum):
    """How the image is compressed (ISO/IEC 19794-5 §5.7.2)."""

    JPEG = 0
    JPEG2000 = 1


@dataclass(frozen=True, slots=True)
class FaceImage:
    """One facial image with its ISO/IEC 19794-5 facial and image information.

    The descriptive codes (gender, eye and hair colour, expression, source and device types)
    are kept as the record's numbers; the kiosk only needs the format and size.
    """

    gender: int
    eye_colour: int
    hair_colour: int
    property_mask: int
    expression: int
    pose_angles: bytes
    pose_uncertainties: bytes
    feature_points: bytes
    face_image_type: int
    image_data_type: ImageDataType
    width: int
    height: int
    colour_space: int
    source_type: int
    device_type: int
    quality: int
    image: bytes


@dataclass(frozen=True, slots=True)
class BiometricTemplate:
    """One CBEFF biometric information template: its header data objects and its face record."""

    header: tuple[tuple[int, bytes], ...]
    images: tuple[FaceImage, ...]


@dataclass(frozen=True, slots=True)
class DG2File:
    """The decoded DG2: one template per encoded face (CCCD cards hold one)."""

    templates: tuple[BiometricTemplate, ...]

    @property
    def portrait(self) -> FaceImage:
        """The first face: the holder's portrait."""
        return self.templates[0].images[0]


def parse(data: bytes) -> DG2File:
    """Decode DG2; a record that is not ISO/IEC 19794-5 is refused as unsupported."""
    group = tlv.decode(data, TAG_DG2).child(TAG_GROUP)
    templates = tuple(_template(item) for item in group.children() if item.tag == TAG_TEMPLATE)
    if not templates or _count(group.child(TAG_COUNT).value) != len(templates):
        raise MalformedData("DG2", "template count does not match", group.offset)
    return DG2File(templates)


def encode(
    images: tuple[FaceImage, ...], header: tuple[tuple[int, bytes], ...] = DEFAULT_HEADER
) -> bytes:
    """Build a DG2 holding one template with ``images``, as the simulated chip serves it."""
    template = BiometricTemplate(header, images)
    return encode_file(DG2File((template,)))


def encode_file(dg2: DG2File) -> bytes:
    """Build DG2 from a full ``DG2File`` (the inverse of ``parse``)."""
    templates = b"".join(_encode_template(t) for t in dg2.templates)
    count = tlv.encode(TAG_COUNT, bytes([len(dg2.templates)]))
    return tlv.encode(TAG_DG2, tlv.encode(TAG_GROUP, count + templates))


def _count(value: bytes) -> int:
    if len(value) != 1:
        raise MalformedData("DG2", "template count is not one byte")
    return value[0]


def _template(item: tlv.TLV) -> BiometricTemplate:
    header = tuple((child.tag, child.value) for child in item.child(TAG_HEADER).children())
    blocks = [child for child in item.children() if child.tag in BLOCK_TAGS]
    if len(blocks) != 1:
        raise MalformedData("DG2", "expected one biometric data block", item.offset)
    return BiometricTemplate(header, _record(blocks[0].value))


def _record(block: bytes) -> tuple[FaceImage, ...]:
    if block[:4] != FORMAT_ID:
        raise UnsupportedFeature("DG2 face record is not ISO/IEC 19794-5")
    if len(block) < RECORD_HEADER_SIZE or _uint(block, 8, 4) != len(block):
        raise MalformedData("DG2", "face record length does not match its block")
    count = _uint(block, 12, 2)
    images, pos = [], RECORD_HEADER_SIZE
    for _ in range(count):
        image, pos = _image(block, pos)
        images.append(image)
    if not images or pos != len(block):
        raise MalformedData("DG2", "face record images do not fill the record", pos)
    return tuple(images)


def _image(block: bytes, start: int) -> tuple[FaceImage, int]:
    length = _uint(block, start, 4)
    end = start + length
    points = _uint(block, start + 4, 2)
    info = start + FACIAL_INFORMATION_SIZE + points * FEATURE_POINT_SIZE
    image_start = info + IMAGE_INFORMATION_SIZE
    if end > len(block) or image_start > end:
        raise MalformedData("DG2", "facial record data length out of range", start)
    return FaceImage(
        gender=block[start + 6],
        eye_colour=block[start + 7],
        hair_colour=block[start + 8],
        property_mask=_uint(block, start + 9, 3),
        expression=_uint(block, start + 12, 2),
        pose_angles=block[start + 14 : start + 17],
        pose_uncertainties=block[start + 17 : start + 20],
        feature_points=block[start + FACIAL_INFORMATION_SIZE : info],
        face_image_type=block[info],
        image_data_type=_image_data_type(block[info + 1]),
        width=_uint(block, info + 2, 2),
        height=_uint(block, info + 4, 2),
        colour_space=block[info + 6],
        source_type=block[info + 7],
        device_type=_uint(block, info + 8, 2),
        quality=_uint(block, info + 10, 2),
        image=block[image_start:end],
    ), end


def _uint(block: bytes, offset: int, size: int) -> int:
    if offset + size > len(block):
        raise MalformedData("DG2", "face record ended early", offset)
    return int.from_bytes(block[offset : offset + size], "big")


def _image_data_type(value: int) -> ImageDataType:
    if value not in ImageDataType.__members__.values():
        raise MalformedData("DG2", "unknown image data type")
    return ImageDataType(value)


def _encode_template(template: BiometricTemplate) -> bytes:
    header = tlv.encode(TAG_HEADER, b"".join(tlv.encode(t, v) for t, v in template.header))
    return tlv.encode(
        TAG_TEMPLATE, header + tlv.encode(BLOCK_TAGS[0], _encode_record(template.images))
    )


def _encode_record(images: tuple[FaceImage, ...]) -> bytes:
    body = b"".join(_encode_image(image) for image in images)
    size = RECORD_HEADER_SIZE + len(body)
    return (
        FORMAT_ID + VERSION_2005 + size.to_bytes(4, "big") + len(images).to_bytes(2, "big") + body
    )


def _encode_image(image: FaceImage) -> bytes:
    points = len(image.feature_points) // FEATURE_POINT_SIZE
    information = (
        points.to_bytes(2, "big")
        + bytes([image.gender, image.eye_colour, image.hair_colour])
        + image.property_mask.to_bytes(3, "big")
        + image.expression.to_bytes(2, "big")
        + image.pose_angles
        + image.pose_uncertainties
        + image.feature_points
        + bytes([image.face_image_type, image.image_data_type])
        + image.width.to_bytes(2, "big")
        + image.height.to_bytes(2, "big")
        + bytes([image.colour_space, image.source_type])
        + image.device_type.to_bytes(2, "big")
        + image.quality.to_bytes(2, "big")
        + image.image
    )
    return (len(information) + 4).to_bytes(4, "big") + information
