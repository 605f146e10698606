"""Finding an ID-1 card (85.60 x 53.98 mm) in a photograph: its four corners, or nothing.

The card may lie on any surface, at any rotation, tilted up to about 35 degrees, with a finger
over a corner or glare on it. The search runs on a copy scaled to ``WORK_SIZE`` pixels: edges
(Canny on each colour channel, so a card close to the surface's brightness still shows its hue
edge), then every closed contour's convex hull is reduced to a quadrilateral whose four sides
are refitted as straight lines through the contour points along them. Intersecting the lines
puts back a corner hidden under a finger, and the points that do not reach a corner say that it
is hidden. A candidate must be convex, with plausible angles, an aspect a tilted ID-1 card can
show, and a contour that follows its sides; the largest such candidate wins, and an image with
none gives None rather than a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Point = tuple[float, float]
Corners = tuple[Point, Point, Point, Point]

CARD_ASPECT = 85.60 / 53.98
"""Width over height of an ID-1 card (ISO/IEC 7810)."""

WORK_SIZE = 960
"""The longer side of the scaled copy searched: half a 1920 x 1080 photograph.

At 640 (a third) a small card's header or QR, printed a millimetre from its edge, merged with the
edge after the search's blur and dilation, and ruled paper's lines joined the outline: 8 of 300
generated photographs (seeds 2 and 7) and 14 (seed 13) were missed or fitted more than 2 % off.
At 960 it was 1, 0 and 0 of 300, no card was found on the no-card photographs, and the search
costs about 7 ms more (docs/benchmarks.md, documents)."""

# A 35-degree tilt shortens one direction by cos(35) = 0.82, so the apparent aspect of the
# card ranges from about 1.3 to 1.95; the bounds leave room for lens and fitting error.
_ASPECT_RANGE = (1.22, 2.15)
_MIN_AREA = 0.02  # of the image: a card this small is far below the "too small" limit anyway
_MAX_AREA = 0.97
_MIN_ANGLE, _MAX_ANGLE = 50.0, 130.0
_MIN_FILL = 0.80  # contour area over quadrilateral area (a finger takes a bite, glare a little)
_MIN_SUPPORT = 0.65  # share of the perimeter the contour follows within the tolerance
_MIN_OPPOSITE = 0.55  # shorter over longer of two opposite sides (perspective)
_FRAME_BAND = 6  # work pixels along the frame where contour points do not count
_SUPPORT_TOLERANCE = 2.5  # work pixels between an outline and the contour that supports it
_HIDDEN_CORNER = 0.06  # of the mean side: a corner this far from the contour is not visible
_REFINE_RADIUS = 2.5  # work pixels either side of a fitted side searched at full resolution


@dataclass(frozen=True, slots=True)
class CardOutline:
    """Where the card is in the source image.

    Attributes:
        corners: the four corners in source pixels, clockwise in image coordinates, starting
            with a corner whose next side is a long side (the card's top or bottom edge).
        hidden: indices of corners not seen in the image (under a finger, cut off by the frame);
            their position comes from the intersecting sides.
        support: share of the outline's perimeter that the image's edges follow (0 to 1).
    """

    corners: Corners
    hidden: tuple[int, ...]
    support: float

    @property
    def long_side(self) -> float:
        """The card's width as seen: the mean of the two long sides, in source pixels."""
        points = np.array(self.corners)
        return float((_length(points[0], points[1]) + _length(points[2], points[3])) / 2)


@dataclass(frozen=True, slots=True)
class _Candidate:
    corners: npt.NDArray[np.float64]
    hidden: tuple[int, ...]
    support: float
    score: float


def find_card(image: Image) -> CardOutline | None:
    """The card's outline in ``image`` (8-bit BGR), or None when no card-shaped object is there."""
    scale = WORK_SIZE / max(image.shape[:2])
    small = np.asarray(
        cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8
    )
    best: _Candidate | None = None
    for contour in _contours(small):
        candidate = _candidate(contour, small.shape[0] * small.shape[1], small.shape[:2])
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    if best is None:
        return None
    refined = _refine(image, best.corners / scale, radius=_REFINE_RADIUS / scale + 2)
    corners = tuple((float(x), float(y)) for x, y in refined)
    return CardOutline(corners, best.hidden, best.support)  # type: ignore[arg-type]


def _refine(
    image: Image, corners: npt.NDArray[np.float64], radius: float
) -> npt.NDArray[np.float64]:
    """Move each side onto the strongest full-resolution edge within ``radius`` pixels.

    The search copy is half a 1920 x 1080 photograph's size and its contours sit a pixel or two
    inside the edge; this puts the corners where the source's own gradient is steepest.
    """
    lines = [_edge_line(image, corners[i], corners[(i + 1) % 4], radius) for i in range(4)]
    refined = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(point is None for point in refined):
        return corners
    moved = np.array(refined, dtype=np.float64)
    if np.max(np.hypot(*(moved - corners).T)) > 3 * radius:
        return corners
    return moved


def _edge_line(
    image: Image, start: npt.NDArray[np.float64], end: npt.NDArray[np.float64], radius: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The line through the steepest colour step across the side, sampled along its middle."""
    unit = (end - start) / _length(start, end)
    normal = np.array([-unit[1], unit[0]])
    along = np.linspace(0.1, 0.9, 40)[:, None] * (end - start) + start
    offsets = np.arange(-radius, radius + 1.0)
    grid = along[:, None, :] + offsets[None, :, None] * normal[None, None, :]
    samples = cv2.remap(
        image, grid[..., 0].astype(np.float32), grid[..., 1].astype(np.float32), cv2.INTER_LINEAR
    ).astype(np.float32)
    step = np.abs(np.diff(samples, axis=1)).sum(axis=2)
    best = np.argmax(step, axis=1)
    points = along + (offsets[best] + 0.5)[:, None] * normal
    vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)


def _contours(small: Image) -> list[npt.NDArray[np.int32]]:
    """Closed contours of the edge map: both sides of every edge ring (RETR_LIST)."""
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    edges = np.zeros(small.shape[:2], np.uint8)
    for channel in cv2.split(blurred):
        edges |= np.asarray(cv2.Canny(channel, 20, 50), np.uint8)
    ring = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    found, _ = cv2.findContours(ring, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    contours = [np.asarray(c, np.int32) for c in found]
    minimum = _MIN_AREA * small.shape[0] * small.shape[1]
    # A contour enclosing that area has at least 4 * sqrt(area) points: a cheap first filter.
    long_enough = [c for c in contours if len(c) >= 4 * math.sqrt(minimum)]
    return [c for c in long_enough if cv2.contourArea(cv2.convexHull(c)) >= minimum]


def _candidate(
    contour: npt.NDArray[np.int32], image_area: int, shape: tuple[int, ...]
) -> _Candidate | None:
    """A plausible card quadrilateral for ``contour``, or None."""
    hull = np.asarray(cv2.convexHull(contour), np.int32)
    hull_area = cv2.contourArea(hull)
    if hull_area > _MAX_AREA * image_area:
        return None
    rough = _four_points(hull)
    if rough is None:
        return None
    points = contour.reshape(-1, 2).astype(np.float64)
    fitted = _refit(rough, points)
    if fitted is None or not _is_card_shaped(fitted):
        return None
    corners = _order(fitted)
    quad_area = cv2.contourArea(corners.astype(np.float32))
    fill = cv2.contourArea(contour) / quad_area if quad_area > 0 else 0.0
    if fill < _MIN_FILL and hull_area / quad_area < _MIN_FILL:
        return None
    distance = _distance_map(contour, shape)
    support = _support(corners, distance)
    if support < _MIN_SUPPORT:
        return None
    hidden = _hidden_corners(corners, distance)
    return _Candidate(corners, hidden, support, quad_area * support**2)


def _four_points(hull: npt.NDArray[np.int32]) -> npt.NDArray[np.float64] | None:
    """Reduce a convex hull to four vertices by growing the approximation tolerance.

    A pentagon is a card with one corner cut off (a finger, glare at the edge): its shortest
    side is dropped and the two sides next to it are extended to meet.
    """
    perimeter = cv2.arcLength(hull, closed=True)
    for fraction in (0.015, 0.025, 0.04, 0.06, 0.09):
        approx = cv2.approxPolyDP(hull, fraction * perimeter, closed=True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float64)
        if len(approx) == 5:
            return _drop_shortest_side(approx.reshape(5, 2).astype(np.float64))
        if len(approx) < 4:
            return None
    return None


def _drop_shortest_side(pentagon: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    sides = [_length(pentagon[i], pentagon[(i + 1) % 5]) for i in range(5)]
    short = int(np.argmin(sides))
    before = (pentagon[short - 1], pentagon[short] - pentagon[short - 1])
    after = (pentagon[(short + 1) % 5], pentagon[(short + 2) % 5] - pentagon[(short + 1) % 5])
    corner = _intersect(before, after)
    if corner is None:
        return None
    kept = [pentagon[(short + k) % 5] for k in range(2, 5)]
    return np.array([corner, *kept], dtype=np.float64)


def _refit(
    rough: npt.NDArray[np.float64], points: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64] | None:
    """Fit a line to the contour points along each side and intersect neighbouring lines."""
    lines = []
    for i in range(4):
        line = _side_line(rough[i], rough[(i + 1) % 4], points)
        if line is None:
            return None
        lines.append(line)
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(corner is None for corner in corners):
        return None
    return np.array(corners, dtype=np.float64)


def _side_line(
    start: npt.NDArray[np.float64], end: npt.NDArray[np.float64], points: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """(point, unit direction) of the line through the contour points near one side.

    Only the middle 80 % of the side is used, so a rounded or occluded corner does not bend it.
    """
    direction = end - start
    length = float(np.hypot(*direction))
    if length < 4:
        return None
    unit = direction / length
    relative = points - start
    along = relative @ unit
    across = np.abs(relative @ np.array([-unit[1], unit[0]]))
    tolerance = max(2.0, 0.012 * length)
    near = points[(along > 0.1 * length) & (along < 0.9 * length) & (across < tolerance)]
    if len(near) < 8:
        return None
    vx, vy, x0, y0 = cv2.fitLine(near.astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    return np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)


def _intersect(
    first: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    second: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> npt.NDArray[np.float64] | None:
    (p, r), (q, s) = first, second
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        return None
    t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / cross
    return np.asarray(p + t * r, np.float64)


def _is_card_shaped(corners: npt.NDArray[np.float64]) -> bool:
    """Convex, angles near right, opposite sides alike, and an ID-1 aspect within tilt range."""
    contour = corners.astype(np.float32)
    if not cv2.isContourConvex(contour):
        return False
    sides = [_length(corners[i], corners[(i + 1) % 4]) for i in range(4)]
    if min(sides) < 8:
        return False
    for i in range(4):
        angle = _angle(corners[i - 1], corners[i], corners[(i + 1) % 4])
        if not _MIN_ANGLE <= angle <= _MAX_ANGLE:
            return False
    pairs = ((sides[0], sides[2]), (sides[1], sides[3]))
    if any(min(pair) / max(pair) < _MIN_OPPOSITE for pair in pairs):
        return False
    a, b = sides[0] + sides[2], sides[1] + sides[3]
    aspect = max(a, b) / min(a, b)
    return _ASPECT_RANGE[0] <= aspect <= _ASPECT_RANGE[1]


def _distance_map(
    contour: npt.NDArray[np.int32], shape: tuple[int, ...]
) -> npt.NDArray[np.float32]:
    """Each pixel's distance to the contour, to measure how well an outline follows it."""
    mask = np.full(shape[:2], 255, np.uint8)
    cv2.drawContours(mask, [contour], -1, 0, 1)
    # Contour points on the frame's edge are where the picture ends, not an object's outline:
    # a pattern cut by the frame must not look like a card side running along it.
    band = _FRAME_BAND
    mask[:band, :] = mask[-band:, :] = 255
    mask[:, :band] = mask[:, -band:] = 255
    return np.asarray(cv2.distanceTransform(mask, cv2.DIST_L2, 3), dtype=np.float32)


def _support(corners: npt.NDArray[np.float64], distance: npt.NDArray[np.float32]) -> float:
    """Share of the outline (sampled evenly) that has the contour close by."""
    tolerance = _SUPPORT_TOLERANCE
    # Nothing in the frame band can support an outline (see ``_distance_map``).
    samples = _lookup(distance, _outline_samples(corners, 160), _FRAME_BAND)
    return float(np.mean(samples < tolerance))


def _hidden_corners(
    corners: npt.NDArray[np.float64], distance: npt.NDArray[np.float32]
) -> tuple[int, ...]:
    """Corners outside the image or with no contour near them (under a finger, in glare)."""
    mean_side = sum(_length(corners[i], corners[(i + 1) % 4]) for i in range(4)) / 4
    gaps = _lookup(distance, corners)
    return tuple(i for i in range(4) if gaps[i] > _HIDDEN_CORNER * mean_side)


def _lookup(
    distance: npt.NDArray[np.float32], points: npt.NDArray[np.float64], band: int = 0
) -> npt.NDArray[np.float32]:
    """``distance`` at each point; infinite outside the image or within ``band`` of its edge."""
    height, width = distance.shape
    columns = np.round(points[:, 0]).astype(np.int64)
    rows = np.round(points[:, 1]).astype(np.int64)
    inside = (columns >= band) & (columns < width - band) & (rows >= band) & (rows < height - band)
    values = np.full(len(points), np.inf, np.float32)
    values[inside] = distance[rows[inside], columns[inside]]
    return values


def _outline_samples(corners: npt.NDArray[np.float64], count: int) -> npt.NDArray[np.float64]:
    steps = np.linspace(0, 1, count // 4, endpoint=False)[:, None]
    sides = [corners[i] + steps * (corners[(i + 1) % 4] - corners[i]) for i in range(4)]
    return np.concatenate(sides)


def _order(corners: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Corners clockwise (in image coordinates), starting with a corner that begins a long side."""
    centre = corners.mean(axis=0)
    angles = np.arctan2(corners[:, 1] - centre[1], corners[:, 0] - centre[0])
    ordered = corners[np.argsort(angles)]
    first = _length(ordered[0], ordered[1]) + _length(ordered[2], ordered[3])
    second = _length(ordered[1], ordered[2]) + _length(ordered[3], ordered[0])
    return ordered if first >= second else np.roll(ordered, -1, axis=0)


def _length(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    return float(math.hypot(*(b - a)))


def _angle(
    before: npt.NDArray[np.float64], at: npt.NDArray[np.float64], after: npt.NDArray[np.float64]
) -> float:
    u, v = before - at, after - at
    cosine = float(u @ v) / (float(np.hypot(*u)) * float(np.hypot(*v)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))
