"""The one edge to asn1crypto: error translation for everything the CMS parser touches.

asn1crypto decodes lazily and reports junk with ``ValueError``, ``TypeError``, ``KeyError``
and friends, at load time or at first access. ``translated`` turns any of them into
``MalformedData`` so that hostile bytes from a chip can only ever raise an ``EmrtdError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.emrtd.errors import MalformedData

ASN1_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    AttributeError,
    RecursionError,
)
"""What asn1crypto raises on input it cannot decode (UnicodeDecodeError is a ValueError)."""


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Run a block that reads asn1crypto values; decoding failures become ``MalformedData``."""
    try:
        yield
    except ASN1_ERRORS as err:
        raise MalformedData(what, f"ASN.1 decoding failed ({type(err).__name__})") from err
