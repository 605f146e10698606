"""Test frames derived at run time from the two public-domain portraits in resources/demo/faces.

Every variant (placement on a 640x480 canvas, two faces side by side, blur, darkness, glare,
flat light, rotation, a turned head, closed eyes, a printed photo) is made here from the
committed originals, so no derived image is ever committed. dlib runs on small frames only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.face.detect import Box, Image, Landmarks, detect_faces, landmarks_68

FACES = Path(__file__).resolve().parents[3] / "resources" / "demo" / "faces"
SIZE = (640, 480)


@cache
def _portrait(name: str) -> Image:
    image = cv2.imread(str(FACES / name), cv2.IMREAD_COLOR)
    assert image is not None, name
    image.setflags(write=False)
    return image


@cache
def _portrait_box(name: str) -> Box:
    return detect_faces(_portrait(name))[0]


class FaceImages:
    """Builds test frames; every method returns a new BGR image."""

    HOPPER = "grace_hopper.jpg"
    ASTRONAUT = "astronaut.png"

    def portrait(self, name: str) -> Image:
        return _portrait(name)

    def encoded(self, name: str, ext: str = ".jpg") -> bytes:
        ok, data = cv2.imencode(ext, _portrait(name))
        assert ok
        return data.tobytes()

    def frame(
        self,
        name: str = HOPPER,
        face_width: float = 180,
        centre: tuple[float, float] = (0.5, 0.45),
        size: tuple[int, int] = SIZE,
    ) -> Image:
        """The portrait scaled so the face is ``face_width`` px, its centre at ``centre``."""
        box = _portrait_box(name)
        scale = face_width / box.width
        x, y = box.centre
        matrix = np.float32(
            [
                [scale, 0, centre[0] * size[0] - x * scale],
                [0, scale, centre[1] * size[1] - y * scale],
            ]
        )
        return cv2.warpAffine(_portrait(name), matrix, size, borderMode=cv2.BORDER_REPLICATE)

    def two_faces(self) -> Image:
        left = self.frame(self.HOPPER, face_width=140, size=(320, 480))
        right = self.frame(self.ASTRONAUT, face_width=140, size=(320, 480))
        return np.hstack([left, right])

    def landmarks(self, image: Image) -> Landmarks:
        return landmarks_68(image, detect_faces(image)[0])

    def blurred(self, image: Image, sigma: float = 2.5) -> Image:
        return cv2.GaussianBlur(image, (0, 0), sigma)

    def shifted(self, image: Image, delta: int) -> Image:
        """Every level moved by ``delta``: darker or brighter, contrast kept."""
        return np.clip(image.astype(np.int16) + delta, 0, 255).astype(np.uint8)

    def flattened(self, image: Image, keep: float = 0.3) -> Image:
        """Contrast cut to ``keep`` around the mean level: flat, hazy light."""
        mean = float(image.mean())
        return np.clip(image * keep + mean * (1 - keep), 0, 255).astype(np.uint8)

    def rotated(self, image: Image, degrees: float) -> Image:
        centre = detect_faces(image)[0].centre
        matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
        return cv2.warpAffine(image, matrix, SIZE, borderMode=cv2.BORDER_REPLICATE)

    def nose_moved(self, image: Image, dx: float, dy: float) -> Image:
        """The nose region pushed sideways (a turned head) or down (a lowered chin).

        A smooth displacement around the nose tip moves the nose against the eyes and mouth,
        which is what a real turn does to the 2-D landmarks.
        """
        box = detect_faces(image)[0]
        nose_x, nose_y = self.landmarks(image).nose_tip
        height, width = image.shape[:2]
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        sigma = box.width * 0.22
        weight = np.exp(-((xs - nose_x) ** 2 + (ys - nose_y) ** 2) / (2 * sigma**2))
        map_x = (xs - dx * weight).astype(np.float32)
        map_y = (ys - dy * weight).astype(np.float32)
        return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def eyes_closed(self, image: Image) -> Image:
        """Each eye painted over with the surrounding skin and a lash line drawn across."""
        out = image.copy()
        for eye in (self.landmarks(image).left_eye, self.landmarks(image).right_eye):
            points = np.array(eye, dtype=np.float32)
            x, y = points.mean(axis=0)
            width = float(points[:, 0].max() - points[:, 0].min())
            mask = np.zeros(out.shape[:2], np.uint8)
            centre = (round(x), round(y))
            cv2.ellipse(
                mask, centre, (round(width * 0.75), round(width * 0.45)), 0, 0, 360, 255, -1
            )
            out = cv2.inpaint(out, mask, 5, cv2.INPAINT_TELEA)
            cv2.ellipse(
                out, centre, (round(width * 0.5), round(width * 0.1)), 0, 0, 180, (40, 40, 50), 2
            )
        return out

    def printed(self, image: Image) -> Image:
        """A printed photo held up to the camera: paler, grainy, slightly tilted in depth."""
        paper = self.flattened(image, keep=0.8)
        grain = np.random.default_rng(7).normal(0, 6, paper.shape)
        noisy = np.clip(paper + grain + 20, 0, 255).astype(np.uint8)
        width, height = SIZE
        corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
        tilted = np.float32([[20, 10], [width - 20, 0], [width, height], [0, height - 10]])
        matrix = cv2.getPerspectiveTransform(corners, tilted)
        return cv2.warpPerspective(noisy, matrix, SIZE, borderMode=cv2.BORDER_REPLICATE)


@pytest.fixture(scope="session")
def faces() -> FaceImages:
    """The test-frame builder."""
    return FaceImages()
