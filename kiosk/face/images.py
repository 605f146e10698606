"""Decoding untrusted portrait bytes (chip DG2, files) into pixels, within caps.

A chip or a file can be hostile: a few bytes can declare a gigapixel image. The declared size
is read from the header (JPEG SOF, PNG IHDR, JPEG 2000 ``ihdr`` box or SIZ marker) and checked
against a pixel cap before any decoder runs; the byte count is checked first of all.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.face.detect import Image
from kiosk.face.errors import ImageTooLarge, ImageUnreadable

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8"
_JP2 = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_J2K = b"\xff\x4f\xff\x51"
# JPEG start-of-frame markers (C0-CF except DHT C4, JPG C8 and DAC CC) hold the frame size.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Caps applied before decoding. The defaults fit a chip portrait or a camera still."""

    max_bytes: int = 8 * 1024 * 1024
    max_pixels: int = 4096 * 4096


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "big")


def _u32(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 4], "big")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            raise ImageUnreadable("JPEG marker expected", offset=offset)
        marker = data[offset + 1]
        if marker == 0xFF:
            offset += 1
        elif marker in _STANDALONE:
            offset += 2
        elif marker in _SOF and offset + 9 <= len(data):
            return _u16(data, offset + 7), _u16(data, offset + 5)
        else:
            offset += 2 + _u16(data, offset + 2)
    raise ImageUnreadable("JPEG without a frame header")


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageUnreadable("PNG without IHDR")
    return _u32(data, 16), _u32(data, 20)


def _j2k_size(data: bytes, offset: int) -> tuple[int, int]:
    # SIZ segment: marker, Lsiz, Rsiz, then Xsiz, Ysiz, XOsiz, YOsiz (ISO/IEC 15444-1 A.5.1).
    if len(data) < offset + 24:
        raise ImageUnreadable("JPEG 2000 SIZ truncated")
    x, y = _u32(data, offset + 6), _u32(data, offset + 10)
    x_origin, y_origin = _u32(data, offset + 14), _u32(data, offset + 18)
    return x - x_origin, y - y_origin


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, int]:
    """JP2 box types at one level, each with the offset of its contents (ISO/IEC 15444-1 I.4)."""
    found: dict[bytes, int] = {}
    offset = start
    while offset + 8 <= end:
        length, kind = _u32(data, offset), data[offset + 4 : offset + 8]
        found.setdefault(kind, offset + 8)
        if length < 8:
            break
        offset += length
    return found


def _jp2_size(data: bytes) -> tuple[int, int]:
    header = _boxes(data, 0, len(data)).get(b"jp2h")
    if header is None:
        raise ImageUnreadable("JP2 without a header box")
    ihdr = _boxes(data, header, min(len(data), header + _u32(data, header - 8))).get(b"ihdr")
    if ihdr is None or len(data) < ihdr + 8:
        raise ImageUnreadable("JP2 without ihdr")
    return _u32(data, ihdr + 4), _u32(data, ihdr)


def declared_size(data: bytes) -> tuple[int, int]:
    """The (width, height) an image's header declares, without decoding it.

    Raises:
        ImageUnreadable: not a JPEG, JPEG 2000 or PNG, or a header cut short.
    """
    if data.startswith(_JPEG):
        return _jpeg_size(data)
    if data.startswith(_PNG):
        return _png_size(data)
    if data.startswith(_JP2):
        return _jp2_size(data)
    if data.startswith(_J2K):
        return _j2k_size(data, 2)
    raise ImageUnreadable("not a JPEG, JPEG 2000 or PNG image")


def decode_image(data: bytes, limits: ImageLimits = ImageLimits()) -> Image:
    """Decode ``data`` into an 8-bit BGR image, refusing oversized input before decoding.

    Raises:
        ImageTooLarge: more bytes or declared pixels than ``limits`` allow.
        ImageUnreadable: not a supported image, or the decoder fails on it.
    """
    if len(data) > limits.max_bytes:
        raise ImageTooLarge("too many bytes", bytes=len(data), limit=limits.max_bytes)
    width, height = declared_size(data)
    if width <= 0 or height <= 0:
        raise ImageUnreadable("empty image")
    if width * height > limits.max_pixels:
        raise ImageTooLarge("too many pixels", width=width, height=height)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    # EXIF orientation may swap the sides; anything else means the header lied.
    if image is None or sorted(image.shape[:2]) != sorted((height, width)):
        raise ImageUnreadable("decoder refused the image")
    return np.asarray(image, dtype=np.uint8)


def encode_jpeg(image: Image, quality: int = 90) -> bytes:
    """The image as JPEG bytes, for the captured portrait kept with the application.

    Raises:
        ImageUnreadable: the encoder refused the pixels (an empty or malformed array).
    """
    try:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    except cv2.error as err:
        raise ImageUnreadable("the portrait could not be encoded as JPEG") from err
    if not ok:
        raise ImageUnreadable("the portrait could not be encoded as JPEG")
    return bytes(encoded.tobytes())
