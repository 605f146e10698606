"""Decoding untrusted portrait bytes: formats, caps checked before decoding, corrupt input."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from kiosk.face.errors import ImageTooLarge, ImageUnreadable
from kiosk.face.images import ImageLimits, declared_size, decode_image, encode_jpeg


@pytest.mark.parametrize("ext", [".jpg", ".png", ".jp2"])
def test_each_format_decodes_to_its_declared_size(faces, ext: str) -> None:
    data = faces.encoded(faces.HOPPER, ext)
    assert declared_size(data) == (512, 600)
    assert decode_image(data).shape == (600, 512, 3)


def test_a_raw_jpeg_2000_codestream_decodes(faces) -> None:
    jp2 = faces.encoded(faces.HOPPER, ".jp2")
    codestream = jp2[jp2.index(b"jp2c") + 4 :]  # the last box of OpenCV's JP2 holds it
    assert declared_size(codestream) == (512, 600)
    assert decode_image(codestream).shape == (600, 512, 3)


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


def _jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0


@pytest.mark.parametrize("header", [_png_header(100_000, 100_000), _jpeg_header(65_000, 65_000)])
def test_enormous_declared_dimensions_are_refused_before_decoding(header: bytes) -> None:
    with pytest.raises(ImageTooLarge) as caught:
        decode_image(header + bytes(64))
    assert caught.value.code == "image_too_large"


def test_too_many_bytes_are_refused(faces) -> None:
    data = faces.encoded(faces.HOPPER, ".png")
    with pytest.raises(ImageTooLarge):
        decode_image(data, ImageLimits(max_bytes=len(data) - 1))


def test_the_pixel_cap_is_configurable(faces) -> None:
    with pytest.raises(ImageTooLarge):
        decode_image(faces.encoded(faces.HOPPER), ImageLimits(max_pixels=512 * 599))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"\xff\xd8\xff",
        b"\xff\xd8\x00\x00\x00\x00",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00\x00\x08ftyp",
        b"\xff\x4f\xff\x51\x00",
    ],
    ids=["empty", "text", "jpeg-cut", "jpeg-no-marker", "png-cut", "jp2-no-header", "j2k-cut"],
)
def test_corrupt_headers_are_unreadable(data: bytes) -> None:
    with pytest.raises(ImageUnreadable) as caught:
        decode_image(data)
    assert caught.value.code == "image_unreadable"


def test_a_valid_header_over_garbage_is_unreadable(faces) -> None:
    data = faces.encoded(faces.HOPPER)
    with pytest.raises(ImageUnreadable):
        decode_image(data[:200] + bytes(len(data) - 200))


def test_a_header_that_lies_about_the_size_is_unreadable(faces) -> None:
    data = bytearray(faces.encoded(faces.HOPPER, ".png"))
    data[16:24] = struct.pack(">II", 64, 64)
    with pytest.raises(ImageUnreadable):
        decode_image(bytes(data))


def test_a_portrait_encodes_to_jpeg_and_back(faces) -> None:
    image = faces.frame()
    data = encode_jpeg(image)
    assert declared_size(data) == (640, 480)
    assert decode_image(data).shape == image.shape


def test_an_empty_array_cannot_be_encoded() -> None:
    with pytest.raises(ImageUnreadable):
        encode_jpeg(np.zeros((0, 0, 3), np.uint8))
