"""The face engine: the two calls capture needs, wherever dlib runs.

``FaceEngine`` is what the capture service is given: ``InProcessFace`` runs dlib in the calling
process (the headless demo, the command line, the worker process itself), ``FaceWorker`` runs it
in the one face worker process (the desktop app, where dlib must never hold the GUI's GIL).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from kiosk.domain.biometrics import FaceMatch
from kiosk.face.detect import Encoding, Image
from kiosk.face.images import decode_image
from kiosk.face.match import compare, encode_single
from kiosk.face.quality import DEFAULT_RULES, Guidance, GuidanceRules, analyse


class FaceEngine(Protocol):
    """Guidance for one frame, and the 1:1 match of a frame with the chip portrait."""

    def analyse(self, image: Image, rules: GuidanceRules = DEFAULT_RULES) -> Guidance:
        """Detect, measure and judge one frame."""
        ...

    def match(self, image: Image, portrait: bytes, threshold: float) -> FaceMatch:
        """Compare the one face of ``image`` with the chip portrait (JPEG or JPEG 2000)."""
        ...


class InProcessFace:
    """dlib in this process."""

    def analyse(self, image: Image, rules: GuidanceRules = DEFAULT_RULES) -> Guidance:
        """Detect, measure and judge one frame."""
        return analyse(image, rules)

    def match(self, image: Image, portrait: bytes, threshold: float) -> FaceMatch:
        """Compare the one face of ``image`` with the chip portrait."""
        return compare(encode_single(image), reference_encoding(portrait), threshold)


@lru_cache(maxsize=4)
def reference_encoding(portrait: bytes) -> Encoding:
    """The chip portrait's descriptor; one citizen's portrait serves up to three attempts."""
    return encode_single(decode_image(portrait))
