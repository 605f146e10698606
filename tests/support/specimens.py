"""Specimen cards (GPLX, BHYT, CCCD) and photographs of them, for document tests and benchmarks.

Test data only: nothing here ships. Every card is marked "MẪU / SPECIMEN" and carries a
fictitious person whose name has full Vietnamese diacritics. Text is drawn with Qt (QPainter with
DejaVu Sans, offscreen) because ``cv2.putText`` cannot draw diacritics, and QR codes come from
``segno`` (both test-only needs). A photograph puts one card on a generated background with the
ranges of issue 9: rotation 0-360 degrees, tilt up to 35 degrees, the card's width (its long
edges as photographed) 35-80 % of the image width, Gaussian blur sigma up to 2 px, a glare spot
up to 15 % of the card (the whole spot, not only its saturated core), backgrounds of wood,
paper, patterned cloth and one close to the card's colour, a finger over one corner in 10 % of
the photographs. Everything is drawn from one ``random.Random`` seed, so a seed names a data
set and no image is stored in the repository.

Qt needs a ``QGuiApplication``: tests take pytest-qt's ``qapp`` fixture, scripts call
``qt_application()``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt
import segno
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
)

Image = npt.NDArray[np.uint8]
Corners = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

CARD_MM = (85.60, 53.98)
TEMPLATE_WIDTH = 1600
TEMPLATE_HEIGHT = round(TEMPLATE_WIDTH * CARD_MM[1] / CARD_MM[0])
PHOTO_SIZE = (1920, 1080)
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


class Kind(StrEnum):
    """The three card layouts."""

    CCCD = "cccd"
    GPLX = "gplx"
    BHYT = "bhyt"


class Background(StrEnum):
    """The generated surfaces a card lies on."""

    WOOD = "wood"
    PAPER = "paper"
    CLOTH = "cloth"
    CARD_COLOURED = "card_coloured"
    DARK_DESK = "dark_desk"


@dataclass(frozen=True, slots=True)
class Person:
    """A fictitious card holder."""

    full_name: str
    date_of_birth: date
    is_female: bool
    address: str
    id_number: str
    old_id_number: str
    date_of_issue: date
    bhyt_code: str
    gplx_number: str
    year_only_birth: bool


@dataclass(frozen=True, slots=True)
class Card:
    """An upright, flat specimen card and the exact text of its QR code."""

    kind: Kind
    person: Person
    image: Image
    payload: str


@dataclass(frozen=True, slots=True)
class PhotoSpec:
    """Everything that decides one photograph (after the card): the generator's ground truth.

    Attributes:
        rotation: in-plane rotation of the card, degrees.
        tilt: angle between the card and the image plane, degrees (0 to 35).
        tilt_axis: direction of the tilt axis in the card plane, degrees.
        width_fraction: the card's width (the mean length of its long edges as photographed)
            over the image width, 35-80 %. A card turned so that it would not fit the frame at
            the drawn width is as wide as fits, which is never below 35 % (a card's width
            across its bounding box could not keep to the range: turned 90 degrees, its short
            side is at most 34 % of a 16:9 frame's width).
        centre: the card's centre as fractions of the image size.
        blur_sigma: Gaussian blur of the whole photograph, pixels.
        glare_fraction: the area of the whole visible glare spot (every pixel it brightens)
            over the card's area; its saturated core is 3/8 of it (less of either lies on the
            card when the spot reaches past an edge).
        finger_corner: index (0-3, upright order) of the corner under a finger, or None.
        background: the surface.
        light: overall brightness factor.
    """

    rotation: float
    tilt: float
    tilt_axis: float
    width_fraction: float
    centre: tuple[float, float]
    blur_sigma: float
    glare_fraction: float
    finger_corner: int | None
    background: Background
    light: float


@dataclass(frozen=True, slots=True)
class Photo:
    """A photograph and its truth: corners in upright order (TL, TR, BR, BL) and the payload.

    ``corners``, ``card`` and ``spec`` are None for a photograph without a card.
    ``qr_under_glare`` and ``qr_under_finger`` are the shares of the QR symbol under the glare
    spot's bright core and under the finger; ``qr_covered`` is the share under either. A symbol
    more than a few per cent covered has lost what error correction can restore (a lost finder
    pattern is not restored at all), so nobody can decode it: the benchmark asks instead that
    the quality check rejects such a photograph for the reason that names the cover.
    """

    image: Image
    corners: Corners | None
    card: Card | None
    spec: PhotoSpec | None
    background: Background
    qr_covered: float = 0.0
    qr_under_glare: float = 0.0
    qr_under_finger: float = 0.0
    glare: GlareSpot | None = None


@dataclass(frozen=True, slots=True)
class GlareSpot:
    """Where a photograph's glare spot lies on the upright card template, and how bright it is.

    Kept with the photograph so ``glared_card`` can show what any decoder could at best have
    seen of the card.
    """

    centre: tuple[float, float]
    radii: tuple[float, float]
    peak: float


_FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thuỳ", "Hoài", "Xuân"]
_GIVEN = [
    "Hòa",
    "Thủy",
    "Nhung",
    "Tuấn",
    "Hưng",
    "Phượng",
    "Quỳnh",
    "Diệp",
    "Ánh",
    "Nguyệt",
    "Thụy",
    "Khoa",
    "Trường",
    "Khỏe",
    "Nghĩa",
    "Yến",
    "Đạt",
    "Ngọc Ánh",
    "Thế Vinh",
]
_STREETS = [
    "Lý Thường Kiệt",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Lê Lợi",
    "Điện Biên Phủ",
    "Hoàng Diệu",
    "Phạm Ngũ Lão",
]
_PLACES = [
    ("Phường Bến Nghé", "TP Hồ Chí Minh", "079"),
    ("Phường Ba Đình", "Hà Nội", "001"),
    ("Xã Hòa Khương", "Đà Nẵng", "048"),
    ("Phường Vĩnh Ninh", "Thừa Thiên Huế", "046"),
    ("Xã Ngũ Hiệp", "Hà Nội", "001"),
    ("Phường Thủy Xuân", "Thừa Thiên Huế", "046"),
]
_BHYT_CATEGORIES = ["DN", "HC", "HT", "TE", "HS", "GD", "CN"]


def make_person(rng: random.Random) -> Person:
    """A fictitious person with consistent numbers (ID structure follows facts 3.5)."""
    is_female = rng.random() < 0.5
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    ward, city, province = rng.choice(_PLACES)
    century = 2 * ((born.year - 1900) // 100) + int(is_female)
    id_number = f"{province}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
    issue = max(born + timedelta(days=365 * 14 + 30), date(2021, 1, 1))
    issue += timedelta(days=rng.randrange(0, 900))
    name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    category = f"{rng.choice(_BHYT_CATEGORIES)}{rng.randint(1, 5)}{province[1:]}"
    code = f"{category}{rng.randrange(10**10):010d}"
    return Person(
        full_name=name,
        date_of_birth=born,
        is_female=is_female,
        address=f"Số {rng.randint(1, 300)} {rng.choice(_STREETS)}, {ward}, {city}",
        id_number=id_number,
        old_id_number=f"{rng.randrange(10**9):09d}" if rng.random() < 0.6 else "",
        date_of_issue=issue,
        bhyt_code=code,
        gplx_number=f"{province}{rng.randrange(10**9):09d}",
        year_only_birth=rng.random() < 0.15,
    )


def cccd_payload(person: Person) -> str:
    """The CCCD-2021 front QR text (facts 3.1)."""
    sex = "Nữ" if person.is_female else "Nam"
    return "|".join(
        [
            person.id_number,
            person.old_id_number,
            person.full_name,
            person.date_of_birth.strftime("%d%m%Y"),
            sex,
            person.address,
            person.date_of_issue.strftime("%d%m%Y"),
        ]
    )


def bhyt_payload(person: Person) -> str:
    """A BHYT QR text (facts 3.3); fields 8 and 9 hold made-up values of unknown meaning."""
    born = person.date_of_birth
    birth = str(born.year) if person.year_only_birth else born.strftime("%d/%m/%Y")
    start = date(person.date_of_issue.year, 1, 1)
    return "|".join(
        [
            person.bhyt_code,
            person.full_name.encode().hex(),
            birth,
            "2" if person.is_female else "1",
            person.address.encode().hex(),
            f"{person.bhyt_code[3:5]} - 014",
            start.strftime("%d/%m/%Y"),
            date(start.year, 12, 31).strftime("%d/%m/%Y"),
            start.strftime("%d/%m/%Y"),
            "SPECIMEN",
            "",
            "5",
            "$",
        ]
    )


def gplx_payload(person: Person) -> str:
    """A GPLX QR text. The real content is unknown (facts 3.4); this one is invented."""
    return f"MAU-SPECIMEN|{person.gplx_number}|{person.full_name}|B"


_PAYLOADS = {Kind.CCCD: cccd_payload, Kind.BHYT: bhyt_payload, Kind.GPLX: gplx_payload}
# Card colours (RGB) and where each layout prints its QR: (x, y, size) as fractions of the width.
_CARD_COLOUR = {Kind.CCCD: (214, 232, 236), Kind.BHYT: (246, 246, 240), Kind.GPLX: (246, 226, 226)}
_QR_BOX = {
    Kind.CCCD: (0.745, 0.035, 0.225),
    Kind.BHYT: (0.04, 0.28, 0.25),
    Kind.GPLX: (0.745, 0.30, 0.225),
}


def qt_application() -> QGuiApplication:
    """The running Qt application, or a new offscreen one (for scripts; tests use ``qapp``)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return app
    return QGuiApplication([])


_LOST_NONE_REFERENCES: list[None] = []
_QT_CALLS_PER_CARD = 200


def make_card(kind: Kind, person: Person) -> Card:
    """Render the upright specimen card of ``kind`` for ``person``."""
    payload = _PAYLOADS[kind](person)
    canvas = QImage(TEMPLATE_WIDTH, TEMPLATE_HEIGHT, QImage.Format.Format_RGB888)
    canvas.fill(QColor(*_CARD_COLOUR[kind]))
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        _draw_layout(painter, kind, person)
        _draw_specimen_mark(painter)
    finally:
        painter.end()
    # PySide6 6.12 drops a reference to None on every call of a void QPainter method (setPen,
    # setBrush, setFont, drawRect, ...): after enough calls CPython aborts with "none_dealloc".
    # A card makes fewer than _QT_CALLS_PER_CARD such calls; holding as many extra references
    # to None keeps long runs alive (an extra reference to None costs nothing else).
    _LOST_NONE_REFERENCES.extend([None] * _QT_CALLS_PER_CARD)
    image = _to_bgr(canvas)
    _paste_qr(image, payload, _QR_BOX[kind])
    return Card(kind, person, image, payload)


def without_qr(card: Card) -> Card:
    """``card`` with its QR symbol painted over in the card's colour (a symbol nobody can read)."""
    image = card.image.copy()
    x, y, size = qr_square(card.kind)
    image[y : y + size, x : x + size] = _CARD_COLOUR[card.kind][::-1]
    return dataclasses.replace(card, image=image)


@functools.cache
def _family(path: str) -> str:
    families = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(path))
    return families[0] if families else "DejaVu Sans"


def _text(
    painter: QPainter,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    colour: tuple[int, int, int] = (20, 20, 30),
) -> None:
    font = QFont(_family(BOLD_FONT_FILE if bold else FONT_FILE))
    font.setBold(bold)
    room = (0.97 - x) * TEMPLATE_WIDTH  # shrink a long line to stay on the card
    pixels = max(1, round(size * TEMPLATE_WIDTH))
    font.setPixelSize(pixels)
    width = QFontMetrics(font).horizontalAdvance(text)
    if width > room:
        font.setPixelSize(max(1, int(pixels * room / width)))
    painter.setFont(font)
    painter.setPen(QColor(*colour))
    painter.drawText(
        QRectF(x * TEMPLATE_WIDTH, y * TEMPLATE_WIDTH, TEMPLATE_WIDTH, 200),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
        text,
    )


def _draw_layout(painter: QPainter, kind: Kind, person: Person) -> None:
    red, blue = (180, 30, 30), (20, 50, 140)
    _emblem(painter)
    _text(painter, 0.16, 0.025, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0.026, bold=True)
    _text(painter, 0.24, 0.060, "Độc lập - Tự do - Hạnh phúc", 0.024, bold=True)
    titles = {
        Kind.CCCD: "CĂN CƯỚC CÔNG DÂN",
        Kind.BHYT: "THẺ BẢO HIỂM Y TẾ",
        Kind.GPLX: "GIẤY PHÉP LÁI XE / DRIVER'S LICENSE",
    }
    _text(
        painter,
        0.18,
        0.10,
        titles[kind],
        0.034,
        bold=True,
        colour=red if kind != Kind.BHYT else blue,
    )
    sex = "Nữ" if person.is_female else "Nam"
    born = person.date_of_birth.strftime("%d/%m/%Y")
    lines = {
        Kind.CCCD: [
            f"Số / No.: {person.id_number}",
            "Họ và tên / Full name:",
            person.full_name.upper(),
            f"Ngày sinh / Date of birth: {born}",
            f"Giới tính / Sex: {sex}    Quốc tịch / Nationality: Việt Nam",
            "Nơi thường trú / Place of residence:",
            person.address,
        ],
        Kind.BHYT: [
            f"Mã số: {person.bhyt_code}",
            f"Họ và tên: {person.full_name.upper()}",
            f"Ngày sinh: {born}    Giới tính: {sex}",
            f"Địa chỉ: {person.address}",
            "Nơi ĐKKCB ban đầu: Trạm Y tế Phường",
            "Giá trị sử dụng: 01/01 - 31/12",
        ],
        Kind.GPLX: [
            f"Số / No.: {person.gplx_number}",
            f"Họ tên / Full name: {person.full_name.upper()}",
            f"Ngày sinh / Date of birth: {born}",
            "Quốc tịch / Nationality: Việt Nam",
            f"Nơi cư trú / Address: {person.address}",
            "Hạng / Class: B",
        ],
    }
    left = 0.33 if kind == Kind.BHYT else 0.27
    for row, line in enumerate(lines[kind]):
        _text(painter, left, 0.17 + row * 0.045, line, 0.022, bold=row == 0)
    if kind != Kind.BHYT:
        _photo(painter)


def _emblem(painter: QPainter) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(200, 30, 30))
    painter.drawEllipse(QRectF(0.03 * TEMPLATE_WIDTH, 0.02 * TEMPLATE_WIDTH, 110, 110))
    painter.setBrush(QColor(250, 215, 40))
    painter.drawEllipse(QRectF(0.03 * TEMPLATE_WIDTH + 35, 0.02 * TEMPLATE_WIDTH + 35, 40, 40))


def _photo(painter: QPainter) -> None:
    x, y, w, h = (
        0.035 * TEMPLATE_WIDTH,
        0.20 * TEMPLATE_WIDTH,
        0.2 * TEMPLATE_WIDTH,
        0.25 * TEMPLATE_WIDTH,
    )
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(170, 180, 195))
    painter.drawRect(QRectF(x, y, w, h))
    painter.setClipRect(QRectF(x, y, w, h))
    painter.setBrush(QColor(110, 95, 90))
    painter.drawEllipse(QRectF(x + w * 0.28, y + h * 0.12, w * 0.44, h * 0.42))
    painter.drawEllipse(QRectF(x + w * 0.1, y + h * 0.6, w * 0.8, h * 0.6))
    painter.setClipping(False)


def _paste_qr(card: Image, payload: str, box: tuple[float, float, float]) -> None:
    """Print the QR code into ``card`` (numpy, not Qt: thousands of Qt rectangles are slow)."""
    qr = segno.make(payload, error="m", micro=False, boost_error=False, encoding="utf-8")
    quiet = 2
    matrix = np.pad(np.array(list(qr.matrix), dtype=np.uint8), quiet)
    size = round(box[2] * TEMPLATE_WIDTH)
    symbol = cv2.resize((1 - matrix) * 255, (size, size), interpolation=cv2.INTER_NEAREST)
    x0, y0 = round(box[0] * TEMPLATE_WIDTH), round(box[1] * TEMPLATE_WIDTH)
    card[y0 : y0 + size, x0 : x0 + size] = symbol[:, :, None]


def _draw_specimen_mark(painter: QPainter) -> None:
    painter.save()
    painter.translate(0.45 * TEMPLATE_WIDTH, 0.52 * TEMPLATE_WIDTH)
    painter.rotate(-12)
    _text(painter, -0.12, -0.03, "MẪU / SPECIMEN", 0.05, bold=True, colour=(225, 120, 120))
    painter.restore()


def _to_bgr(canvas: QImage) -> Image:
    width, height, stride = canvas.width(), canvas.height(), canvas.bytesPerLine()
    buffer = np.frombuffer(canvas.constBits(), dtype=np.uint8, count=stride * height)
    rgb = buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


# --- Photographs ---------------------------------------------------------------------------


def make_photos(seed: int, count: int, no_card: int = 20) -> list[Photo]:
    """``count`` photographs of cards (kinds in turn) and ``no_card`` photographs without one."""
    return list(iter_photos(seed, count, no_card))


def iter_photos(seed: int, count: int, no_card: int = 20) -> Iterator[Photo]:
    """The photographs of ``make_photos`` one at a time (a benchmark need not hold them all)."""
    rng = random.Random(seed)
    kinds = list(Kind)
    for i in range(count):
        yield photograph(make_card(kinds[i % 3], make_person(rng)), random_spec(rng), rng)
    for _ in range(no_card):
        yield empty_photo(rng.choice(list(Background)), rng)


def random_spec(rng: random.Random) -> PhotoSpec:
    """A photograph's parameters drawn uniformly from the issue's ranges."""
    return PhotoSpec(
        rotation=rng.uniform(0, 360),
        tilt=rng.uniform(0, 35),
        tilt_axis=rng.uniform(0, 180),
        width_fraction=rng.uniform(0.35, 0.80),
        centre=(rng.random(), rng.random()),
        blur_sigma=rng.uniform(0, 2),
        glare_fraction=rng.uniform(0, 0.15) if rng.random() < 0.6 else 0.0,
        finger_corner=rng.randrange(4) if rng.random() < 0.10 else None,
        background=rng.choice(list(Background)),
        light=rng.uniform(0.6, 0.92),
    )


def photograph(card: Card, spec: PhotoSpec, rng: random.Random) -> Photo:
    """Photograph ``card`` as ``spec`` says; ``rng`` draws the textures and noise only."""
    width, height = PHOTO_SIZE
    background = make_background(spec.background, card, rng)
    corners = _place(spec)
    template = np.array(
        [[0, 0], [TEMPLATE_WIDTH, 0], [TEMPLATE_WIDTH, TEMPLATE_HEIGHT], [0, TEMPLATE_HEIGHT]],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(template, np.array(corners, dtype=np.float32))
    spot = _glare_spot(spec.glare_fraction, 255 * 1.15 / spec.light, rng)
    lit, strength = _add_glare(card.image, spot)
    warped = cv2.warpPerspective(lit, matrix, (width, height), flags=cv2.INTER_AREA)
    symbol = _symbol_mask(card.kind, strength)
    mask = cv2.warpPerspective(
        np.full(card.image.shape[:2], 255, np.uint8), matrix, (width, height)
    )
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    image = background.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    image = _cast_shadow_edge(image, alpha)
    finger = None
    if spec.finger_corner is not None:
        image, finger = _draw_finger(image, corners, spec.finger_corner, rng)
    cover = _covered(symbol, matrix, finger)
    image = _finish(image, spec.light, spec.blur_sigma, rng)
    return Photo(image, corners, card, spec, spec.background, *cover, glare=spot)


def glared_card(photo: Photo) -> Image:
    """The photograph's card flat, sharp and at full size, with its glare and light only.

    No perspective, blur, noise or finger: a QR symbol no decoder reads here is, but for one
    thing, beyond it in the photograph too. The benchmark decodes it for the ceiling of what any
    decoder could decode. That one thing: the photograph's light also slopes by up to 7.5 %
    towards its edges (``_finish``), so a symbol on the darker side keeps a little more of its
    print under the glare than here; the benchmark counts any symbol decoded beyond the ceiling.
    """
    if photo.card is None or photo.spec is None:
        raise ValueError("a photograph without a card")
    lit, _ = _add_glare(photo.card.image, photo.glare)
    return np.asarray(np.clip(lit * np.float32(photo.spec.light), 0, 255), np.uint8)


def qr_square(kind: Kind) -> tuple[int, int, int]:
    """Where the layout of ``kind`` prints its QR symbol: x, y and size in template pixels."""
    x, y, size = (round(v * TEMPLATE_WIDTH) for v in _QR_BOX[kind])
    return x, y, size


def _symbol_mask(kind: Kind, glare: npt.NDArray[np.float32]) -> Image:
    """The QR symbol's square on the template: 1 where intact, 2 where the glare's core is."""
    x, y, size = qr_square(kind)
    mask = np.zeros((TEMPLATE_HEIGHT, TEMPLATE_WIDTH), np.uint8)
    mask[y : y + size, x : x + size] = 1
    mask[(mask == 1) & (glare > _GLARE_CORE)] = 2
    return mask


def _covered(
    symbol: Image, matrix: npt.NDArray[np.float64], finger: Image | None
) -> tuple[float, float, float]:
    """Shares of the photographed QR symbol hidden: by either, by glare's core, by the finger."""
    width, height = PHOTO_SIZE
    placed = cv2.warpPerspective(symbol, matrix, (width, height), flags=cv2.INTER_NEAREST)
    inside = placed > 0
    glare = placed == 2
    fingered = inside & (finger > 0) if finger is not None else np.zeros_like(inside)
    area = max(1, int(np.count_nonzero(inside)))
    shares = (glare | fingered, glare, fingered)
    return tuple(float(np.count_nonzero(mask)) / area for mask in shares)  # type: ignore[return-value]


def empty_photo(background: Background, rng: random.Random) -> Photo:
    """A photograph of a surface with distractors (a pen, a coin) and no card."""
    surface = make_background(background, None, rng).astype(np.float32)
    cv2.line(
        surface,
        (rng.randrange(1920), rng.randrange(1080)),
        (rng.randrange(1920), rng.randrange(1080)),
        (40, 40, 160),
        18,
    )
    cv2.circle(surface, (rng.randrange(1920), rng.randrange(1080)), 60, (120, 160, 190), -1)
    image = _finish(surface, rng.uniform(0.6, 0.92), rng.uniform(0, 2), rng)
    return Photo(image, None, None, None, background)


def _place(spec: PhotoSpec) -> Corners:
    """Project the card's corners: rotation, tilt, then scale and move into the frame."""
    half_w, half_h = CARD_MM[0] / 2, CARD_MM[1] / 2
    points = np.array(
        [[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0], [-half_w, half_h, 0]],
        dtype=np.float64,
    )
    rotated = points @ _rotation_z(spec.rotation).T @ _rotation_axis(spec.tilt_axis, spec.tilt).T
    distance = 250.0
    projected = rotated[:, :2] / (distance + rotated[:, 2:3])
    projected -= projected.mean(axis=0)
    width, height = PHOTO_SIZE
    span = projected.max(axis=0) - projected.min(axis=0)
    long_edges = (
        float(np.linalg.norm(projected[1] - projected[0]))
        + float(np.linalg.norm(projected[2] - projected[3]))
    ) / 2
    fits = min(0.96 * width / span[0], 0.96 * height / span[1]) * long_edges / width
    fraction = min(spec.width_fraction, fits)
    scaled = projected * (fraction * width / long_edges)
    low, high = -scaled.min(axis=0), np.array([width, height]) - scaled.max(axis=0)
    margin = 0.01 * width
    centre = low + margin + (high - low - 2 * margin) * np.array(spec.centre)
    placed = scaled + centre
    return tuple((float(x), float(y)) for x, y in placed)  # type: ignore[return-value]


def _rotation_z(degrees: float) -> npt.NDArray[np.float64]:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def _rotation_axis(axis_degrees: float, degrees: float) -> npt.NDArray[np.float64]:
    ux, uy = math.cos(math.radians(axis_degrees)), math.sin(math.radians(axis_degrees))
    vector = np.array([ux * math.radians(degrees), uy * math.radians(degrees), 0.0])
    matrix, _ = cv2.Rodrigues(vector)
    return np.asarray(matrix, dtype=np.float64)


def make_background(kind: Background, card: Card | None, rng: random.Random) -> Image:
    """A 1920 x 1080 surface of ``kind`` (``card`` sets the colour of ``CARD_COLOURED``)."""
    width, height = PHOTO_SIZE[0] // 2, PHOTO_SIZE[1] // 2  # drawn at half size, then enlarged
    noise = np.random.default_rng(rng.randrange(2**32))
    xs = np.arange(width, dtype=np.float32)[None, :]
    ys = np.arange(height, dtype=np.float32)[:, None]
    if kind == Background.WOOD:
        angle = rng.uniform(0, math.pi)
        u = xs * math.cos(angle) + ys * math.sin(angle)
        v = -xs * math.sin(angle) + ys * math.cos(angle)
        grain = np.sin(u / rng.uniform(3, 7) + 3 * np.sin(v / rng.uniform(40, 100)))
        base = np.array([40, 80, 130], np.float32) * rng.uniform(0.7, 1.2)
        image = base * (1 + 0.18 * grain[:, :, None])
    elif kind == Background.PAPER:
        image = np.full((height, width, 3), rng.uniform(200, 240), np.float32)
        image += noise.normal(0, 3, (height, width, 1)).astype(np.float32)
        for row in range(rng.randrange(20, 40), height, rng.randrange(20, 35)):
            image[row : row + 1] *= np.array([0.85, 0.75, 0.7], np.float32)
    elif kind == Background.CLOTH:
        period = rng.uniform(10, 35)
        colours = np.array([[rng.uniform(30, 220) for _ in range(3)] for _ in range(2)], np.float32)
        checks = ((xs // period + ys // period) % 2).astype(np.int64)
        image = colours[checks]
        weave = np.sin(xs * 2.6) * np.sin(ys * 2.6)
        image *= (1 + 0.08 * weave)[:, :, None]
    elif kind == Background.CARD_COLOURED:
        colour = _CARD_COLOUR[card.kind] if card else _CARD_COLOUR[Kind.CCCD]
        shift = np.array([rng.uniform(-25, 25) for _ in range(3)], np.float32)
        image = np.full((height, width, 3), np.array(colour[::-1], np.float32) + shift, np.float32)
    else:
        image = np.full((height, width, 3), rng.uniform(25, 60), np.float32)
    image = np.broadcast_to(image, (height, width, 3)) + noise.standard_normal(
        (height, width, 3), dtype=np.float32
    ) * np.float32(4)
    enlarged = cv2.resize(np.clip(image, 0, 255).astype(np.uint8), PHOTO_SIZE)
    return np.asarray(enlarged, dtype=np.uint8)


_GLARE_CORE = 0.5  # glare strength above which printed black turns light grey or white


def _glare_spot(fraction: float, peak: float, rng: random.Random) -> GlareSpot | None:
    """An elliptical spot covering ``fraction`` of the card, somewhere over its middle.

    The whole spot, every pixel it brightens, is an ellipse of ``fraction`` of the card's area:
    issue 9's "glare up to 15 % of the card" bounds the spot, not only its core. A reflection
    saturates the sensor whatever the room's light, so the spot's plateau is ``peak`` (above 255
    before the light factor is applied, clipped to white in the photograph).
    """
    if fraction <= 0:
        return None
    aspect = rng.uniform(0.5, 2.0)
    radius_x = math.sqrt(fraction * TEMPLATE_WIDTH * TEMPLATE_HEIGHT / math.pi * aspect)
    centre = (rng.uniform(0.15, 0.85) * TEMPLATE_WIDTH, rng.uniform(0.15, 0.85) * TEMPLATE_HEIGHT)
    return GlareSpot(centre, (radius_x, radius_x / aspect), peak)


def _add_glare(
    card: Image, spot: GlareSpot | None
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The card under ``spot``, and the spot's strength (0 to 1) at each pixel.

    The strength falls linearly in the squared elliptical distance d^2 from 1 (a saturated
    plateau, d^2 up to 3/8, so 3/8 of the spot's area) to 0 on the ellipse's edge.
    """
    if spot is None:
        return card.astype(np.float32), np.zeros(card.shape[:2], np.float32)
    height, width = card.shape[:2]
    (cx, cy), (radius_x, radius_y) = spot.centre, spot.radii
    xs = np.arange(width, dtype=np.float32)[None, :]
    ys = np.arange(height, dtype=np.float32)[:, None]
    distance = ((xs - cx) / radius_x) ** 2 + ((ys - cy) / radius_y) ** 2
    strength = np.clip(1.6 * (1 - distance), 0, 1)[:, :, None]
    lit = card.astype(np.float32) * (1 - strength) + np.float32(spot.peak) * strength
    return np.asarray(lit, np.float32), np.asarray(strength[:, :, 0], np.float32)


def _cast_shadow_edge(
    image: npt.NDArray[np.float32], alpha: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """A faint contact shadow just outside the card, as a card lying on a surface has."""
    shadow = cv2.GaussianBlur(alpha[:, :, 0], (0, 0), 4)[:, :, None]
    outside = (1 - alpha) * np.clip(shadow * 2, 0, 1)
    return image * (1 - 0.25 * outside)


def _draw_finger(
    image: npt.NDArray[np.float32], corners: Corners, corner: int, rng: random.Random
) -> tuple[npt.NDArray[np.float32], Image]:
    """A skin-coloured finger coming from outside the card over one corner, and its mask."""
    points = np.array(corners)
    centre = points.mean(axis=0)
    tip_corner = points[corner]
    short_side = min(np.linalg.norm(points[1] - points[2]), np.linalg.norm(points[0] - points[1]))
    inward = (centre - tip_corner) / np.linalg.norm(centre - tip_corner)
    angle = rng.uniform(-0.5, 0.5)
    direction = np.array(
        [
            inward[0] * math.cos(angle) - inward[1] * math.sin(angle),
            inward[0] * math.sin(angle) + inward[1] * math.cos(angle),
        ]
    )
    tip = tip_corner + direction * short_side * rng.uniform(0.12, 0.2)
    base = tip - direction * 1500
    thickness = max(10, round(short_side * rng.uniform(0.25, 0.35)))
    skin = (rng.uniform(110, 160), rng.uniform(140, 180), rng.uniform(190, 230))
    canvas = image.copy()
    mask = np.zeros(image.shape[:2], np.uint8)
    start, end = tuple(int(v) for v in base), tuple(int(v) for v in tip)
    for target, colour in ((canvas, skin), (mask, 255)):
        cv2.line(target, start, end, colour, thickness)
        cv2.circle(target, end, thickness // 2, colour, -1)
    return canvas, mask


def _finish(image: npt.NDArray[np.float32], light: float, blur: float, rng: random.Random) -> Image:
    """Uneven light, blur, sensor noise and 8-bit rounding."""
    height, width = image.shape[:2]
    xs = np.linspace(-0.5, 0.5, width, dtype=np.float32)[None, :]
    ys = np.linspace(-0.5, 0.5, height, dtype=np.float32)[:, None]
    gx, gy = rng.uniform(-0.15, 0.15), rng.uniform(-0.15, 0.15)
    field = (np.float32(light) * (1 + np.float32(gx) * xs + np.float32(gy) * ys)).astype(np.float32)
    lit = cv2.multiply(image, cv2.merge([field, field, field]))
    if blur > 0.05:
        lit = cv2.GaussianBlur(lit, (0, 0), blur)
    noise = np.empty(lit.shape, np.float32)
    cv2.setRNGSeed(rng.randrange(2**31))
    cv2.randn(noise, 0.0, 2.5)
    return np.asarray(cv2.add(lit, noise), np.float32).clip(0, 255).astype(np.uint8)


def photograph_with(card: Card, seed: int, **overrides: object) -> Photo:
    """Photograph ``card`` with a random spec drawn from ``seed``, the named fields forced.

    Tests use it to pin a hard case (full tilt, a finger, the card-coloured background).
    """
    rng = random.Random(seed)
    spec = dataclasses.replace(random_spec(rng), **overrides)  # type: ignore[arg-type]
    return photograph(card, spec, rng)
