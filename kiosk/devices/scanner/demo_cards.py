"""Specimen GPLX and BHYT card photographs of the demo citizens, for the simulated scanner.

Demo material only (design.md): no real card is shipped or photographed. Each card is drawn at
run time from the demo citizen's fictitious values, marked "MẪU / SPECIMEN" across its face,
with a QR code in the layout the kiosk reads (a BHYT code of facts/cccd.md 3.3; the GPLX QR's
real content is unknown, so the demo's is an invented, plainly marked text), then laid on a
desk at a slight angle as a document camera would see it. Text is drawn with Pillow (a
reportlab dependency) in the shipped DejaVu Sans, since OpenCV cannot draw diacritics; the QR
comes from OpenCV's encoder. The pictures are written once into the demo data folder.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.documents import DocumentKind

Pixels = npt.NDArray[np.uint8]

CARD_SIZE = (1600, 1009)
"""Pixels of the drawn card: the ID-1 aspect (85.60 x 53.98 mm) at about 475 dpi."""

PHOTO_SIZE = (1920, 1080)
"""The document camera's picture."""

BHYT_VALIDITY = (date(2025, 1, 1), date(2030, 12, 31))
"""The demo BHYT cards' validity (fixed, so a demo run is the same every day)."""

_SPECIMEN = "MẪU / SPECIMEN"
_COLOURS = {DocumentKind.GPLX: (246, 226, 226), DocumentKind.BHYT: (246, 246, 240)}
_TITLES = {
    DocumentKind.GPLX: "GIẤY PHÉP LÁI XE / DRIVER'S LICENSE",
    DocumentKind.BHYT: "THẺ BẢO HIỂM Y TẾ",
}
# Where the QR is printed: left, top and size as fractions of the card's width.
_QR_BOX = {DocumentKind.GPLX: (0.745, 0.30, 0.225), DocumentKind.BHYT: (0.04, 0.28, 0.25)}
_TEXT_LEFT = {DocumentKind.GPLX: 0.05, DocumentKind.BHYT: 0.33}


@dataclass(frozen=True, slots=True)
class DemoCard:
    """One written photograph and the QR text printed on its card."""

    kind: DocumentKind
    path: Path
    payload: str


def write_demo_cards(folder: Path, citizen: Citizen) -> dict[DocumentKind, DemoCard]:
    """Photograph the citizen's specimen GPLX and BHYT into ``folder`` (kept when present).

    The files are named ``<kind>-front.jpg`` so the files scanner, pointed at the folder, serves
    the front side; the payload is returned for the demo to compare with what the scan decodes.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = {}
    for kind, payload in (
        (DocumentKind.GPLX, gplx_payload(citizen)),
        (DocumentKind.BHYT, bhyt_payload(citizen)),
    ):
        path = folder / f"{kind.value}-front.jpg"
        if not path.exists():
            _write_atomically(path, _jpeg(photograph(draw_card(kind, citizen, payload))))
        written[kind] = DemoCard(kind, path, payload)
    return written


def gplx_number(citizen: Citizen) -> str:
    """The demo licence number: 12 digits from the ID number (province, then its last nine)."""
    return citizen.id_number[:3] + citizen.id_number[-9:]


def gplx_payload(citizen: Citizen) -> str:
    """The demo GPLX QR text: invented (the real content is unknown) and marked as a specimen."""
    return f"MAU-SPECIMEN|{gplx_number(citizen)}|B"


def bhyt_code(citizen: Citizen) -> str:
    """A 15-character BHYT code: category HC, benefit level 4, province, 10 digits of the ID."""
    return f"HC4{citizen.id_number[1:3]}{citizen.id_number[2:12]}"


def bhyt_payload(citizen: Citizen) -> str:
    """The BHYT QR text in the field order of facts/cccd.md 3.3 (name and address as hex)."""
    start, end = BHYT_VALIDITY
    address = citizen.place_of_residence or ""
    return "|".join(
        [
            bhyt_code(citizen),
            citizen.full_name.encode().hex(),
            citizen.date_of_birth.strftime("%d/%m/%Y"),
            "2" if citizen.sex is Sex.FEMALE else "1",
            address.encode().hex(),
            f"{citizen.id_number[1:3]} - 014",
            start.strftime("%d/%m/%Y"),
            end.strftime("%d/%m/%Y"),
            start.strftime("%d/%m/%Y"),
            "SPECIMEN",
            "",
            "5",
            "$",
        ]
    )


def draw_card(kind: DocumentKind, citizen: Citizen, payload: str) -> Pixels:
    """The flat, upright specimen card (BGR, ``CARD_SIZE``)."""
    width, height = CARD_SIZE
    card = PILImage.new("RGB", CARD_SIZE, _COLOURS[kind])
    draw = ImageDraw.Draw(card)
    left = _TEXT_LEFT[kind] * width
    draw.text(
        (0.16 * width, 0.03 * width),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        font=_font(0.026, bold=True),
        fill=(20, 20, 30),
    )
    draw.text((left, 0.10 * width), _TITLES[kind], font=_font(0.032, bold=True), fill=(180, 30, 30))
    for row, line in enumerate(_lines(kind, citizen)):
        draw.text((left, (0.17 + 0.045 * row) * width), line, font=_font(0.024), fill=(20, 50, 140))
    draw.text(
        (0.30 * width, 0.50 * width), _SPECIMEN, font=_font(0.06, bold=True), fill=(225, 120, 120)
    )
    pixels = np.asarray(card, np.uint8)[:, :, ::-1].copy()
    _paste_qr(pixels, payload, _QR_BOX[kind])
    cv2.rectangle(pixels, (0, 0), (width - 1, height - 1), (120, 120, 120), 2)
    return pixels


def photograph(card: Pixels) -> Pixels:
    """The card lying on a wooden desk, turned a little and seen slightly from one side."""
    width, height = PHOTO_SIZE
    xs = np.arange(width // 2, dtype=np.float32)[None, :]
    ys = np.arange(height // 2, dtype=np.float32)[:, None]
    grain = np.sin(xs / 2.5 + 3 * np.sin(ys / 35.0))
    wood = np.array([40, 80, 130], np.float32) * (1 + 0.15 * grain[:, :, None])
    desk = cv2.resize(wood.astype(np.uint8), PHOTO_SIZE)
    corners = np.array([[420, 190], [1530, 250], [1480, 930], [370, 860]], np.float32)
    card_h, card_w = card.shape[:2]
    source = np.array([[0, 0], [card_w, 0], [card_w, card_h], [0, card_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    dimmed = cv2.convertScaleAbs(card, alpha=0.9)
    cv2.warpPerspective(
        dimmed,
        matrix,
        PHOTO_SIZE,
        dst=desk,
        flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_TRANSPARENT,
    )
    return np.asarray(cv2.GaussianBlur(desk, (0, 0), 0.6), np.uint8)


def _lines(kind: DocumentKind, citizen: Citizen) -> list[str]:
    born = citizen.date_of_birth.strftime("%d/%m/%Y")
    if kind is DocumentKind.GPLX:
        return [
            f"Số / No.: {gplx_number(citizen)}",
            f"Họ tên / Full name: {citizen.full_name.upper()}",
            f"Ngày sinh / Date of birth: {born}",
            f"Quốc tịch / Nationality: {citizen.nationality}",
            "Hạng / Class: B",
        ]
    start, end = BHYT_VALIDITY
    return [
        f"Mã số: {bhyt_code(citizen)}",
        f"Họ và tên: {citizen.full_name.upper()}",
        f"Ngày sinh: {born}    Giới tính: {'Nữ' if citizen.sex is Sex.FEMALE else 'Nam'}",
        f"Giá trị sử dụng: {start:%d/%m/%Y} - {end:%d/%m/%Y}",
    ]


def _font(size: float, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = (resources.files("kiosk.resources") / "fonts" / name).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), round(size * CARD_SIZE[0]))


def _paste_qr(card: Pixels, payload: str, box: tuple[float, float, float]) -> None:
    """Print the QR (error correction M, two modules of quiet zone) into the card's box."""
    params = cv2.QRCodeEncoder.Params()
    params.correction_level = cv2.QRCodeEncoder_CORRECT_LEVEL_M
    modules = cv2.QRCodeEncoder.create(params).encode(payload)
    symbol = np.pad(np.asarray(modules, np.uint8), 2, constant_values=255)
    size = round(box[2] * CARD_SIZE[0])
    scaled = cv2.resize(symbol, (size, size), interpolation=cv2.INTER_NEAREST)
    x0, y0 = round(box[0] * CARD_SIZE[0]), round(box[1] * CARD_SIZE[0])
    card[y0 : y0 + size, x0 : x0 + size] = scaled[:, :, None]


def _jpeg(image: Pixels) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    if not ok:
        raise OSError("JPEG encoding failed")
    return bytes(encoded)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
