"""A card lifted off the simulated reader mid-read and put back: the tag loss of a real counter.

A citizen's hand moves, the card leaves the field during the long DG2 read (or during EF.SOD)
and is laid down again a moment later: the kiosk must open it afresh and continue where it
stopped. Or another card is laid down, which it must refuse. ``TagLoss`` describes one such
event for every way the simulated chip is served (the in-process reader, vpcd through pcscd,
the ISO-DEP card on nfcpy's udp link), so tests and the benchmark ask for the same thing
everywhere: the chip leaves once a read passes the middle of ``file`` (``ChipOS`` armed with
``leave_during``), stays away ``delay`` seconds, and the card put back is a freshly powered
chip of ``replacement`` (another card) or of the same profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.devices.sim.chip.profile import CardProfile

LOSS_FILES = ("DG2", "EF.SOD")
"""The files a loss is meant for: the longest read, and the file that proves the card."""


@dataclass(frozen=True, slots=True)
class TagLoss:
    """One lift of the card and its return.

    Attributes:
        file: the file during whose read the card leaves, half-way through ("DG2", "EF.SOD").
        delay: seconds before a card is put back.
        replacement: the card put back when it is another one; None for the same card.
    """

    file: str
    delay: float = 0.5
    replacement: CardProfile | None = field(default=None, repr=False)

    def returning(self, lifted: CardProfile) -> CardProfile:
        """The profile of the card put back after ``lifted`` left."""
        return self.replacement or lifted
