"""The simulated Ministry decision on a received packet: accepted or declined, with a reason.

The server trusts nothing the kiosk concluded about the chip's data: it re-runs Passive
Authentication on the raw files against its own CSCA store (``kiosk.emrtd.verify_passive``), so
the files must hash to the signed EF.SOD and the signer must chain to a CSCA the server holds.
Chip and Active Authentication cannot be replayed from a transcript: the kiosk's results count,
and only because Passive Authentication covered DG14 and DG15 (design.md's verdict rule). Then
the citizen part must say what DG1 and DG13 say (ID number, name, birth date, sex).

Reasons: ``chip_not_genuine``, ``chip_unverifiable`` (no CSCA of the server vouches for the
chip: a real Ministry has the national CSCA, so this is a decline), ``chip_files_malformed``,
``data_inconsistent:<field>``. No reason or log line holds a value of the packet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from central.workers import Workers, worker_trust
from kiosk.emrtd import (
    CheckResult,
    ChipVerdict,
    EmrtdError,
    TrustStore,
    Verdict,
    decide_chip_verdict,
    parse_dg1,
    parse_dg13,
    parse_td1,
    verify_passive,
)
from kiosk.sync.schema import Check, Packet

ACCEPTED = "accepted"
DECLINED = "declined"
_SEX_TEXT = {"Nam": "M", "Nữ": "F"}


@dataclass(frozen=True, slots=True)
class Decision:
    """The server's Passive Authentication verdict and what it decided."""

    passive_authentication: str
    verdict: str
    reason: str | None = None


def decide(packet: Packet, trust: TrustStore, today: dt.date) -> Decision:
    """Judge ``packet`` as the Ministry would: genuine chip, consistent data."""
    files = packet.chip.files
    groups = {1: files.dg1, 2: files.dg2, 13: files.dg13}
    groups |= {n: data for n, data in ((14, files.dg14), (15, files.dg15)) if data is not None}
    try:
        personal = parse_dg13(files.dg13)
        mrz = parse_td1(parse_dg1(files.dg1).mrz, today=today)
    except EmrtdError:
        return Decision(Verdict.INVALID.value, DECLINED, "chip_files_malformed")
    issued = personal.date_of_issue.value if personal.date_of_issue else None
    passive = verify_passive(files.sod, groups, trust, issued_on=issued, today=today)
    chip = decide_chip_verdict(
        passive, _check(packet.chip.chip_authentication), _check(packet.chip.active_authentication)
    )
    if chip.verdict is ChipVerdict.NOT_GENUINE:
        return Decision(passive.verdict.value, DECLINED, "chip_not_genuine")
    if chip.verdict is ChipVerdict.UNVERIFIABLE:
        return Decision(passive.verdict.value, DECLINED, "chip_unverifiable")
    citizen = packet.citizen
    birth = personal.date_of_birth.value if personal.date_of_birth else None
    claims = {
        "id_number": (citizen.id_number, (personal.id_number, mrz.id_number)),
        "full_name": (_nfc(citizen.full_name), (_nfc(personal.full_name),)),
        "date_of_birth": (citizen.date_of_birth, (birth, mrz.date_of_birth)),
        "sex": (citizen.sex, (_SEX_TEXT.get(personal.sex or ""), mrz.sex)),
    }
    for name, (claimed, read) in claims.items():
        if any(value is not None and value != claimed for value in read):
            return Decision(passive.verdict.value, DECLINED, f"data_inconsistent:{name}")
    return Decision(passive.verdict.value, ACCEPTED)


def _check(claimed: Check) -> CheckResult:
    return CheckResult(Verdict(claimed.verdict), claimed.reasons)


def _nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


class Judge:
    """Runs ``decide`` on a batch of packets: in the calling thread, or in the worker processes.

    Passive Authentication is the largest part of a decision and holds the interpreter lock
    while it runs; in the server's worker processes (``central.workers``) it runs on another
    core beside the request threads, against the trust store each worker loaded from the same
    CSCA folder, and gets only the parts of a packet the decision reads.
    """

    def __init__(self, trust: TrustStore, workers: Workers | None) -> None:
        self._trust = trust
        self._workers = workers

    def __call__(self, packets: Sequence[Packet], today: dt.date) -> list[Decision]:
        """Each packet's decision, in order."""
        if self._workers is None:
            return [decide(packet, self._trust, today) for packet in packets]
        parts = [dataclasses.replace(p, face=None, liveness=None, documents=None) for p in packets]
        return list(self._workers.map(_decide_in_worker, parts, repeat(today)))


def _decide_in_worker(packet: Packet, today: dt.date) -> Decision:
    return decide(packet, worker_trust(), today)
