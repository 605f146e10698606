"""The chip read as evidence: what the application keeps of ``kiosk.emrtd.ChipRead``.

The read holds parsed values and live objects; the application keeps the raw files and the
transcripts, from which the central server runs Passive, Chip and Active Authentication again,
and each check's verdict as it was judged at the counter.
"""

from __future__ import annotations

from kiosk.domain.evidence import CheckRecord, ChipEvidence
from kiosk.emrtd import CheckResult, ChipRead


def chip_evidence(read: ChipRead) -> ChipEvidence:
    """The evidence of ``read``, ready to be stored with the application."""
    transcripts: dict[str, bytes] = {}
    active = read.evidence.active_authentication
    if active is not None:
        transcripts["aa_challenge"] = active.challenge
        transcripts["aa_signature"] = active.signature
    chip = read.evidence.chip_authentication
    if chip is not None:
        transcripts["ca_protocol"] = chip.protocol.encode("ascii")
        transcripts["ca_terminal_public_key"] = chip.terminal_public_key
        transcripts["ca_chip_public_key"] = chip.chip_public_key
        if chip.key_id is not None:
            transcripts["ca_key_id"] = str(chip.key_id).encode("ascii")
    return ChipEvidence(
        access=read.access,
        files=dict(read.files),
        passive_authentication=_record(read.passive_authentication),
        chip_authentication=_record(read.chip_authentication),
        active_authentication=_record(read.active_authentication),
        chip_verdict=CheckRecord(read.verdict.verdict.value, read.verdict.reasons),
        transcripts=transcripts,
        warnings=read.warnings,
    )


def _record(result: CheckResult) -> CheckRecord:
    return CheckRecord(result.verdict.value, result.reasons)
