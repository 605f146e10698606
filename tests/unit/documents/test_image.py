from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.documents.image import MAX_FILE_BYTES, decode_image, read_bytes
from kiosk.documents.report import scan_report
from kiosk.documents.scan import scan
from kiosk.domain.documents import DocumentKind
from kiosk.domain.errors import DomainError, ErrorCode


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


def jpeg(width: int = 64, height: int = 48) -> bytes:
    _, data = cv2.imencode(".jpg", np.full((height, width, 3), 128, np.uint8))
    return bytes(data)


def code_of(data: bytes) -> ErrorCode:
    with pytest.raises(DomainError) as caught:
        scan(data, DocumentKind.CCCD)
    return caught.value.code


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        png_header(0, 10),
        b"GIF89a" + b"\x00" * 20,
    ],
)
def test_empty_foreign_and_headless_data_is_unreadable(data: bytes) -> None:
    assert code_of(data) is ErrorCode.IMAGE_UNREADABLE


def test_corrupt_body_is_unreadable() -> None:
    assert code_of(png_header(64, 48) + b"\x00" * 50) is ErrorCode.IMAGE_UNREADABLE


def test_declared_enormous_image_is_refused_before_decoding() -> None:
    assert code_of(png_header(100_000, 100_000) + b"\x00" * 50) is ErrorCode.IMAGE_TOO_LARGE
    big_jpeg = bytearray(jpeg())
    sof = big_jpeg.index(b"\xff\xc0")
    big_jpeg[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    assert code_of(bytes(big_jpeg)) is ErrorCode.IMAGE_TOO_LARGE


def test_a_file_over_the_byte_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(DomainError) as caught:
        read_bytes(path)
    assert caught.value.code is ErrorCode.IMAGE_TOO_LARGE
    assert code_of(b"\xff\xd8" + b"\x00" * (MAX_FILE_BYTES)) is ErrorCode.IMAGE_TOO_LARGE


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as caught:
        scan(tmp_path / "absent.png", DocumentKind.BHYT)
    assert caught.value.code is ErrorCode.IMAGE_UNREADABLE


def test_a_plain_picture_decodes_and_has_no_card() -> None:
    assert decode_image(jpeg()).shape == (48, 64, 3)
    result = scan(jpeg(), DocumentKind.GPLX)
    assert (result.found, result.corners, result.flat) == (False, None, None)
    assert scan_report(result)["found"] is False
    with pytest.raises(DomainError) as caught:
        result.png()
    assert caught.value.code is ErrorCode.CARD_NOT_FOUND
