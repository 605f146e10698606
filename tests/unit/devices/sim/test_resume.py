"""``read_document`` across sessions: resumption after a tag loss, the card's identity proved by
EF.SOD, the access memory per card type, and the probe of the reader's largest READ BINARY.

Each "session" is a freshly powered ``ChipOS`` of a profile, as the card put back would be; a
``Reader`` wrapper stands for a reader whose buffer is smaller than the chip's answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from kiosk.devices.sim import citizens
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.atr import card_type
from kiosk.emrtd.auth.trust import TrustStore
from kiosk.emrtd.auth.verdict import ChipVerdict
from kiosk.emrtd.errors import (
    AccessDenied,
    CardRemoved,
    CardReplaced,
    PartialRead,
    ReadLimitExceeded,
    StatusWordError,
    TransportError,
)
from kiosk.emrtd.files import DEFAULT_SETTINGS, SHORT_CHUNK, ReadSettings
from kiosk.emrtd.lds.card_access import CCCD_CARD_ACCESS
from kiosk.emrtd.read_size import limited_settings
from kiosk.emrtd.reader import ChipRead, read_document
from kiosk.emrtd.resume import ReadJournal
from kiosk.emrtd.transport import Transport
from tests.unit.devices.sim.conftest import FACTS_ID

TODAY = date(2026, 11, 27)
ProfileFactory = Callable[..., CardProfile]
Reports = list[tuple[str, int, int]]


class Memory:
    """An ``AccessMemory`` in a dict."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = dict(known or {})

    def recall(self, card_type: str) -> str | None:
        return self.known.get(card_type)

    def remember(self, card_type: str, access: str) -> None:
        self.known[card_type] = access


class Reader:
    """A reader in front of the chip: answers longer than ``buffer`` bytes break the link
    (``refusal`` None) or come back as that status word, as small reader buffers do."""

    def __init__(self, chip: Transport, buffer: int, refusal: int | None = None) -> None:
        self._chip = chip
        self._buffer = buffer
        self._refusal = refusal

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        response = self._chip.transmit(command)
        if len(response.to_bytes()) <= self._buffer:
            return response
        if self._refusal is None:
            raise TransportError("the reader's buffer overflowed")
        return ResponseAPDU.from_sw(self._refusal)


def session(
    link: Transport,
    profile: CardProfile,
    trust: TrustStore,
    journal: ReadJournal,
    reports: Reports | None = None,
    **options: object,
) -> ChipRead:
    return read_document(
        link,
        [profile.can, profile.access_key],
        trust,
        today=TODAY,
        journal=journal,
        progress=None if reports is None else lambda *r: reports.append(r),
        **options,  # type: ignore[arg-type]
    )


def lifted(chip: ChipOS, profile: CardProfile, trust: TrustStore, journal: ReadJournal) -> None:
    with pytest.raises((PartialRead, CardRemoved)):
        session(chip, profile, trust, journal)


def test_a_read_resumes_on_the_card_put_back_and_reads_each_chunk_once(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()
    reports: Reports = []
    with pytest.raises(PartialRead):
        session(ChipOS(profile, leave_during="DG2"), profile, trust, journal, reports)
    assert 0 < len(journal.partial["DG2"]) < len(journal.held("EF.SOD")) * 20
    result = session(ChipOS(profile), profile, trust, journal, reports)
    files = [r for r in reports if r[0] != "access"]
    assert len(files) == len(set(files))
    assert result.verdict.verdict is ChipVerdict.GENUINE
    assert (result.sessions, result.access_attempts) == (2, 2)
    assert (
        result.files["DG2"] == session(ChipOS(profile), profile, trust, ReadJournal()).files["DG2"]
    )
    assert result.timings_ms["DG2"] > 0
    assert journal.partial == {}


def test_a_card_lost_before_ef_sod_is_read_again_from_the_start(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()
    lifted(ChipOS(profile, leave_during="EF.COM"), profile, trust, journal)
    assert "EF.COM" in journal.partial
    result = session(ChipOS(profile), profile, trust, journal)
    assert result.verdict.verdict is ChipVerdict.GENUINE


def test_another_card_put_back_is_refused_and_nothing_held_is_kept(
    make_profile: ProfileFactory, pki_folder: object, trust: TrustStore
) -> None:
    profile = make_profile()
    record = citizens.find(FACTS_ID)
    assert record.citizen.date_of_expiry is not None
    next_card = build_profile(
        replace(
            record,
            citizen=replace(
                record.citizen,
                date_of_expiry=record.citizen.date_of_expiry.replace(day=1),
            ),
        ),
        pki_folder,  # type: ignore[arg-type]
    )
    journal = ReadJournal()
    lifted(ChipOS(profile, leave_during="DG2"), profile, trust, journal)
    with pytest.raises(CardReplaced) as caught:
        session(ChipOS(next_card), next_card, trust, journal)
    assert caught.value.file == "EF.SOD"
    assert (journal.files, journal.partial) == ({}, {})


def test_a_card_the_keys_no_longer_open_is_another_card(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    other = make_profile(citizens.list_citizens()[0].citizen.id_number)
    journal = ReadJournal()
    lifted(ChipOS(profile, leave_during="DG2"), profile, trust, journal)
    with pytest.raises(CardReplaced) as caught:
        session(ChipOS(other), profile, trust, journal)
    assert caught.value.file == "access key"
    assert journal.files == {}


def test_keys_refused_before_any_access_are_a_wrong_key(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    other = make_profile(citizens.list_citizens()[0].citizen.id_number)
    with pytest.raises(AccessDenied) as caught:
        session(ChipOS(other), profile, trust, ReadJournal())
    assert caught.value.wrong_key


def test_the_remembered_protocol_of_the_card_type_goes_first(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    chip = ChipOS(profile)
    kind = card_type(chip.atr, CCCD_CARD_ACCESS)
    memory = Memory({kind: "BAC"})
    result = session(chip, profile, trust, ReadJournal(), memory=memory, atr=chip.atr)
    assert (result.access, result.access_attempts) == ("BAC", 1)
    assert memory.known == {kind: "BAC"}


def test_a_card_of_another_type_skips_nothing_and_teaches_its_own_type(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(fault=Fault.NO_PACE)
    chip = ChipOS(profile)
    memory = Memory({card_type(chip.atr, CCCD_CARD_ACCESS): "PACE-MRZ"})
    journal = ReadJournal()
    result = session(chip, profile, trust, journal, memory=memory, atr=chip.atr)
    assert (result.access, result.access_attempts) == ("BAC", 2)  # PACE tried all the same
    assert journal.card_type == card_type(chip.atr, None)
    assert memory.known[journal.card_type] == "BAC"


def test_the_probe_keeps_the_chip_chunk_when_the_reader_carries_it(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()
    result = session(ChipOS(profile), profile, trust, journal, probe=True)
    assert journal.settings is not None
    assert journal.read_limit == journal.settings.chunk
    assert result.verdict.verdict is ChipVerdict.GENUINE


def test_a_reader_breaking_on_a_large_answer_sets_the_limit_and_the_read_resumes(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()
    with pytest.raises(ReadLimitExceeded) as caught:
        session(Reader(ChipOS(profile), 0x600), profile, trust, journal, probe=True)
    assert (caught.value.size, caught.value.limit) == (0x800, 0x400)
    assert len(journal.partial["DG2"]) == 0x400
    result = session(Reader(ChipOS(profile), 0x600), profile, trust, journal, probe=True)
    assert result.verdict.verdict is ChipVerdict.GENUINE
    assert journal.read_limit == 0x400


def test_a_reader_refusing_the_first_extended_size_falls_back_to_short_reads(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()
    with pytest.raises(ReadLimitExceeded):
        session(Reader(ChipOS(profile), 0x300, 0x6700), profile, trust, journal, probe=True)
    assert journal.read_limit == SHORT_CHUNK
    result = session(Reader(ChipOS(profile), 0x300, 0x6700), profile, trust, journal)
    assert result.verdict.verdict is ChipVerdict.GENUINE


def test_a_card_leaving_during_the_probe_teaches_nothing(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()

    class Leaving:
        """Lifted at the second extended READ BINARY (the probe's 2048 bytes)."""

        def __init__(self) -> None:
            self.chip = ChipOS(profile)
            self.extended_reads = 0

        def transmit(self, command: CommandAPDU) -> ResponseAPDU:
            self.extended_reads += command.extended and command.ins == 0xB0
            if self.extended_reads == 2:
                raise CardRemoved("lifted during the probe")
            return self.chip.transmit(command)

    with pytest.raises(CardRemoved):
        session(Leaving(), profile, trust, journal, probe=True)
    assert journal.read_limit is None
    assert len(journal.partial["DG2"]) == 0x400


def test_a_chip_refusing_dg2_during_the_probe_is_not_a_reader_limit(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile()
    journal = ReadJournal()
    reader = Reader(ChipOS(profile), 0x300, 0x6982)
    with pytest.raises(StatusWordError):
        session(reader, profile, trust, journal, probe=True)
    assert journal.read_limit is None


def test_no_probe_on_a_chip_without_extended_length(
    make_profile: ProfileFactory, trust: TrustStore
) -> None:
    profile = make_profile(fault=Fault.NO_EXTENDED_LENGTH)
    journal = ReadJournal()
    session(ChipOS(profile), profile, trust, journal, probe=True)
    assert journal.read_limit is None


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (None, ReadSettings(True, 0x0FE0)),
        (0x2000, ReadSettings(True, 0x0FE0)),
        (0x0800, ReadSettings(True, 0x0800)),
        (SHORT_CHUNK, DEFAULT_SETTINGS),
    ],
)
def test_limited_settings(limit: int | None, expected: ReadSettings) -> None:
    assert limited_settings(ReadSettings(True, 0x0FE0), limit) == expected
