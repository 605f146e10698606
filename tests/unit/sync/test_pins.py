"""A pin names a SHA-256 digest, whichever common spelling the server chose."""

import base64
import hashlib

import pytest

from kiosk.sync.client import pin_digest

DIGEST = hashlib.sha256(b"spki").digest()


@pytest.mark.parametrize(
    "spelling",
    [
        base64.b32encode(DIGEST).decode().rstrip("="),
        base64.b32encode(DIGEST).decode().rstrip("=").lower(),
        base64.b64encode(DIGEST).decode(),
        base64.urlsafe_b64encode(DIGEST).decode().rstrip("="),
        DIGEST.hex(),
        "sha256/" + base64.b64encode(DIGEST).decode(),
    ],
)
def test_every_spelling_names_the_same_digest(spelling: str) -> None:
    assert pin_digest(spelling) == DIGEST


@pytest.mark.parametrize("bad", ["", "abc", "Z" * 10, base64.b64encode(b"short").decode()])
def test_anything_else_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        pin_digest(bad)
