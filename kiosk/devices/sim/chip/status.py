"""The status words the simulated chip answers with, and the refusal that carries one.

Every value is the meaning ISO/IEC 7816-4 §5.6 (Tables 5-6) gives it, as ICAO 9303-11 §9.8 and
Appendix D use it for an eMRTD. Handlers raise ``Refusal`` and the OS turns it into the bare
status word, so each refusal is one line at the place that decides it.
"""

from __future__ import annotations

SUCCESS = 0x9000
END_OF_FILE = 0x6282
"""Warning: end of file reached before Le bytes (READ BINARY, §11.2.3)."""
VERIFICATION_FAILED = 0x6300
"""EXTERNAL AUTHENTICATE: the terminal's cryptogram is wrong (ICAO 9303-11 §4.3, App. D)."""
WRONG_LENGTH = 0x6700
LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
SECURE_MESSAGING_NOT_SUPPORTED = 0x6882
CHAINING_NOT_SUPPORTED = 0x6884
SECURITY_STATUS_NOT_SATISFIED = 0x6982
CONDITIONS_NOT_SATISFIED = 0x6985
NO_CURRENT_EF = 0x6986
SM_OBJECTS_INCORRECT = 0x6988
INCORRECT_DATA = 0x6A80
FILE_NOT_FOUND = 0x6A82
INCORRECT_P1P2 = 0x6A86
OFFSET_OUTSIDE_EF = 0x6B00
INS_NOT_SUPPORTED = 0x6D00
CLA_NOT_SUPPORTED = 0x6E00


class Refusal(Exception):
    """A command the chip refuses; ``sw`` is the status word it answers."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw
