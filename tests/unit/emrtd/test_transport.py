"""Transport decorators: redacting APDU log, recorder, replay, link model, cancellation."""

from __future__ import annotations

import logging
import threading

import pytest

from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.errors import Cancelled, CardRemoved, MalformedData, TransportError
from kiosk.emrtd.transport import (
    TRAFFIC,
    APDULog,
    Cancellable,
    Exchange,
    LinkModel,
    Recorder,
    ReplayTransport,
    Transport,
    dump_trace,
    exchange_seconds,
    load_trace,
)

H = bytes.fromhex
SELECT_APP = CommandAPDU(0x00, 0xA4, 0x04, 0x0C, H("A0000002471001"))
GET_CHALLENGE = CommandAPDU(0x00, 0x84, 0x00, 0x00, le=8)
READ = CommandAPDU(0x00, 0xB0, 0x00, 0x00, le=4)
OK = ResponseAPDU(b"", 0x90, 0x00)


class EchoCard:
    """A card that answers each command with its data reversed, or fails when told to."""

    def __init__(self) -> None:
        self.sent: list[CommandAPDU] = []
        self.fail: BaseException | None = None

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        if self.fail is not None:
            raise self.fail
        self.sent.append(command)
        return ResponseAPDU(command.data[::-1] or H("4608F91988702212"), 0x90, 0x00)


def _traffic(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == TRAFFIC]


def test_apdu_log_shows_data_before_access(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRAFFIC, logger="kiosk.emrtd.transport")
    APDULog(EchoCard()).transmit(SELECT_APP)
    assert _traffic(caplog) == [
        "> 00 A4 04 0C Lc=7 Le=- data=A0000002471001",
        "< SW=9000 len=7 data=011047020000A0",
    ]


@pytest.mark.parametrize(
    "trigger",
    [GET_CHALLENGE, CommandAPDU(0x0C, 0xB0, 0x00, 0x00, H("970104"), le=256)],
)
def test_apdu_log_redacts_from_the_first_access_command(
    caplog: pytest.LogCaptureFixture, trigger: CommandAPDU
) -> None:
    caplog.set_level(TRAFFIC, logger="kiosk.emrtd.transport")
    log = APDULog(EchoCard())
    log.transmit(trigger)
    log.transmit(SELECT_APP)
    messages = _traffic(caplog)
    assert all("data=" not in m for m in messages)
    assert "4608F919" not in "".join(messages)
    assert messages[-2:] == ["> 00 A4 04 0C Lc=7 Le=-", "< SW=9000 len=7"]


def test_apdu_log_is_silent_when_traffic_is_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.emrtd.transport")
    card = EchoCard()
    APDULog(card).transmit(SELECT_APP)
    assert card.sent == [SELECT_APP]
    assert _traffic(caplog) == []


def test_apdu_log_uses_the_given_logger(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("kiosk.test.apdu")
    caplog.set_level(TRAFFIC, logger="kiosk.test.apdu")
    APDULog(EchoCard(), logger).transmit(GET_CHALLENGE)
    assert [r.name for r in caplog.records] == ["kiosk.test.apdu", "kiosk.test.apdu"]
    assert logging.getLevelName(TRAFFIC) == "TRAFFIC"


def test_recorder_keeps_exchanges_and_replay_reproduces_them() -> None:
    recorder = Recorder(EchoCard())
    recorder.transmit(SELECT_APP)
    recorder.transmit(GET_CHALLENGE)
    replay = ReplayTransport(recorder.exchanges)
    assert replay.remaining == 2
    assert replay.transmit(SELECT_APP).data == H("011047020000A0")
    assert replay.transmit(GET_CHALLENGE).data == H("4608F91988702212")
    assert replay.remaining == 0


def test_recorder_keeps_nothing_when_the_card_fails() -> None:
    card = EchoCard()
    card.fail = CardRemoved("gone")
    recorder = Recorder(card)
    with pytest.raises(CardRemoved):
        recorder.transmit(READ)
    assert recorder.exchanges == ()


def test_replay_raises_on_a_different_command() -> None:
    replay = ReplayTransport([Exchange(SELECT_APP, OK)])
    with pytest.raises(TransportError, match=r"exchange 0 expected INS A4 P1P2 040C, got INS B0"):
        replay.transmit(READ)


def test_replay_raises_when_exhausted() -> None:
    replay = ReplayTransport([])
    with pytest.raises(TransportError, match="exhausted after 0"):
        replay.transmit(READ)


def test_trace_text_round_trip() -> None:
    exchanges = (Exchange(SELECT_APP, OK), Exchange(READ, ResponseAPDU(H("60145F01"), 0x90, 0)))
    text = dump_trace(exchanges)
    assert text == "> 00A4040C07A0000002471001\n< 9000\n> 00B0000004\n< 60145F019000\n"
    assert load_trace("# recorded\n\n" + text) == exchanges


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("> 00B0000004\n", "no response"),
        ("< 9000\n> 00B0000004\n", "should start with '>'"),
        ("> 00B0000004\n> 9000\n", "should start with '<'"),
        ("> 00B0zz\n< 9000\n", "not hex"),
    ],
)
def test_bad_trace_text_is_malformed(text: str, reason: str) -> None:
    with pytest.raises(MalformedData, match=reason):
        load_trace(text)


def test_link_model_accounts_bytes_and_frames() -> None:
    link = LinkModel(EchoCard())
    link.transmit(GET_CHALLENGE)  # 5 command bytes, 10 response bytes, 2 frames
    assert link.seconds == pytest.approx(8 * 15 / 424_000 + 0.010)
    assert exchange_seconds(300, 2) == pytest.approx(8 * 302 / 424_000 + 0.015)
    assert exchange_seconds(0, 0) == pytest.approx(0.010)


def test_cancellable_stops_before_the_next_apdu() -> None:
    cancel = threading.Event()
    card = EchoCard()
    transport: Transport = Cancellable(card, cancel)
    transport.transmit(READ)
    cancel.set()
    with pytest.raises(Cancelled):
        transport.transmit(READ)
    assert len(card.sent) == 1
