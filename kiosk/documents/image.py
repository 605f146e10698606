"""Reading an image file or its bytes into pixels, with the size caps checked first.

A scan's file comes from a scanner folder or the command line and may be corrupt, empty or
crafted: a few kilobytes of PNG can declare a 100 000 x 100 000 image. The header's declared
size is checked before anything is decoded, so no decoder allocates more than the caps allow.
Only JPEG and PNG are read, the formats document cameras and scanners write.
"""

from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.domain.errors import DomainError, ErrorCode

Image = npt.NDArray[np.uint8]

MAX_FILE_BYTES = 50 * 1024 * 1024
"""A 50 MB file is far beyond any card photograph; larger files are refused unread."""

MAX_PIXELS = 50_000_000
"""About 8 000 x 6 000: more than any document camera or 600 dpi card scan produces."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8"
# JPEG start-of-frame markers (baseline, progressive, lossless, ...) that carry the size.
_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a file over ``MAX_FILE_BYTES`` before reading it.

    Raises:
        DomainError: IMAGE_UNREADABLE (missing, unreadable) or IMAGE_TOO_LARGE.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DomainError(ErrorCode.IMAGE_TOO_LARGE, "file over the byte cap", size=size)
        return path.read_bytes()
    except OSError as err:
        raise DomainError(ErrorCode.IMAGE_UNREADABLE, f"cannot read file: {err.strerror}") from err


def decode_image(data: bytes) -> Image:
    """8-bit BGR pixels of a JPEG or PNG, after checking its declared size.

    Raises:
        DomainError: IMAGE_UNREADABLE (empty, not JPEG/PNG, corrupt) or IMAGE_TOO_LARGE.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(ErrorCode.IMAGE_TOO_LARGE, "data over the byte cap", size=len(data))
    width, height = declared_size(data)
    if width * height > MAX_PIXELS:
        raise DomainError(
            ErrorCode.IMAGE_TOO_LARGE, "image over the pixel cap", width=width, height=height
        )
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.shape[:2] != (height, width):
        raise DomainError(ErrorCode.IMAGE_UNREADABLE, "the image data is corrupt")
    return np.asarray(image, dtype=np.uint8)


def declared_size(data: bytes) -> tuple[int, int]:
    """(width, height) as the PNG or JPEG header states it.

    Raises:
        DomainError: IMAGE_UNREADABLE when the data is empty, another format or truncated.
    """
    if data.startswith(_PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return _positive(width, height)
    if data.startswith(_JPEG_SOI):
        return _jpeg_size(data)
    raise DomainError(ErrorCode.IMAGE_UNREADABLE, "not a JPEG or PNG image", size=len(data))


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the JPEG marker segments to the first start-of-frame (ITU-T T.81 B.1.1)."""
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            break
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte before a marker
            offset += 1
            continue
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        if marker in _SOF_MARKERS and offset + 9 <= len(data):
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return _positive(width, height)
        offset += 2 + length
    raise DomainError(ErrorCode.IMAGE_UNREADABLE, "JPEG without a readable frame header")


def _positive(width: int, height: int) -> tuple[int, int]:
    if width == 0 or height == 0:
        raise DomainError(ErrorCode.IMAGE_UNREADABLE, "the header declares an empty image")
    return width, height
