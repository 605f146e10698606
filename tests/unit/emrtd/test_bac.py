"""BAC against ICAO 9303-11 App. D (D.2 keys, D.3 mutual authentication), then D.4 over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.bac import (
    BACKeys,
    check_chip_cryptogram,
    derive_bac_keys,
    initial_ssc,
    key_seed,
    run_bac,
    session_keys,
    terminal_cryptogram,
)
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import AccessDenied, FileNotFound
from kiosk.emrtd.keys import MRZKey
from kiosk.emrtd.transport import Exchange, ReplayTransport

H = bytes.fromhex
D1_KEY = MRZKey("L898902C", dt.date(1969, 8, 6), dt.date(1994, 6, 23))
D2_K_SEED = H("239AB9CB282DAF66231DC5A4DF6BFBAE")
D2_KEYS = BACKeys(H("AB94FDECF2674FDFB9B391F85D7F76F2"), H("7962D9ECE03D1ACD4C76089DCE131543"))
D3_RND_IC = H("4608F91988702212")
D3_RND_IFD = H("781723860C06C226")
D3_K_IFD = H("0B795240CB7049B01C19B33E32804F0B")
D3_EXTERNAL_AUTHENTICATE = H(
    "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7"
)
D3_CHIP_ANSWER = H(
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
)
D3_K_IC = H("0B4F80323EB3191CB04970CB4052790B")
D3_KS_ENC = H("979EC13B1CBFE9DCD01AB0FED307EAE5")
D3_KS_MAC = H("F1CB1F1FB5ADF208806B89DC579DC1F8")
D3_SSC = H("887022120C06C226")

SELECT_APPLICATION = CommandAPDU(0x00, 0xA4, 0x04, 0x0C, H("A0000002471001"))
GET_CHALLENGE = CommandAPDU(0x00, 0x84, 0x00, 0x00, le=8)
EXTERNAL_AUTHENTICATE = CommandAPDU(0x00, 0x82, 0x00, 0x00, D3_EXTERNAL_AUTHENTICATE, le=0x28)
OK = ResponseAPDU.from_sw(0x9000)


def _rng() -> Callable[[int], bytes]:
    """The terminal randomness of App. D.3: RND.IFD first, then K.IFD."""
    values = iter((D3_RND_IFD, D3_K_IFD))
    return lambda size: next(values)


def app_d_trace(external_authenticate_answer: ResponseAPDU) -> list[Exchange]:
    return [
        Exchange(SELECT_APPLICATION, OK),
        Exchange(GET_CHALLENGE, ResponseAPDU(D3_RND_IC, 0x90, 0x00)),
        Exchange(EXTERNAL_AUTHENTICATE, external_authenticate_answer),
    ]


def test_icao_app_d2_key_seed_and_basic_access_keys() -> None:
    assert D1_KEY.mrz_information == "L898902C<369080619406236"
    assert key_seed(D1_KEY) == D2_K_SEED
    assert derive_bac_keys(D1_KEY) == D2_KEYS


def test_icao_app_d3_external_authenticate_data() -> None:
    assert terminal_cryptogram(D2_KEYS, D3_RND_IC, D3_RND_IFD, D3_K_IFD) == (
        D3_EXTERNAL_AUTHENTICATE
    )


def test_icao_app_d3_chip_answer_session_keys_and_ssc() -> None:
    assert check_chip_cryptogram(D2_KEYS, D3_CHIP_ANSWER, D3_RND_IFD) == D3_K_IC
    keys = session_keys(D3_K_IFD, D3_K_IC)
    assert (keys.ks_enc, keys.ks_mac, keys.key_type) == (D3_KS_ENC, D3_KS_MAC, KeyType.TDES)
    assert initial_ssc(D3_RND_IC, D3_RND_IFD) == D3_SSC


def test_icao_app_d_run_bac_byte_for_byte() -> None:
    replay = ReplayTransport(app_d_trace(ResponseAPDU(D3_CHIP_ANSWER, 0x90, 0x00)))
    result = run_bac(replay, D1_KEY, rng=_rng())
    assert result.keys.ks_enc == D3_KS_ENC
    assert result.keys.ks_mac == D3_KS_MAC
    assert result.ssc == D3_SSC
    assert replay.remaining == 0
    assert repr(result) == "BACResult(keys=SessionKeys(key_type=<KeyType.TDES: '3DES'>))"


def test_icao_app_d4_secure_messaging_after_run_bac() -> None:
    protected = [
        (
            "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
            "990290008E08FA855A5D4C50A8ED9000",
        ),
        (
            "0CB000000D9701048E08ED6705417E96BA5500",
            "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
        ),
    ]
    trace = app_d_trace(ResponseAPDU(D3_CHIP_ANSWER, 0x90, 0x00)) + [
        Exchange(CommandAPDU.from_bytes(H(c)), ResponseAPDU.from_bytes(H(r))) for c, r in protected
    ]
    replay = ReplayTransport(trace)
    channel = run_bac(replay, D1_KEY, rng=_rng()).secure_channel(replay)
    channel.transmit(CommandAPDU(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    assert channel.transmit(CommandAPDU(0x00, 0xB0, 0x00, 0x00, le=4)).data == H("60145F01")


@pytest.mark.parametrize(("sw", "wrong_key"), [(0x6300, True), (0x6982, True), (0x6A80, False)])
def test_refused_external_authenticate(sw: int, wrong_key: bool) -> None:
    replay = ReplayTransport(app_d_trace(ResponseAPDU.from_sw(sw)))
    with pytest.raises(AccessDenied) as caught:
        run_bac(replay, D1_KEY, rng=_rng())
    assert (caught.value.protocol, caught.value.step) == ("BAC", "EXTERNAL AUTHENTICATE")
    assert (caught.value.sw, caught.value.wrong_key) == (sw, wrong_key)


@pytest.mark.parametrize(
    ("answer", "sw"),
    [(ResponseAPDU.from_sw(0x6D00), 0x6D00), (ResponseAPDU(bytes(4), 0x90, 0), None)],
)
def test_refused_or_short_challenge(answer: ResponseAPDU, sw: int | None) -> None:
    replay = ReplayTransport([Exchange(SELECT_APPLICATION, OK), Exchange(GET_CHALLENGE, answer)])
    with pytest.raises(AccessDenied) as caught:
        run_bac(replay, D1_KEY, rng=_rng())
    assert (caught.value.step, caught.value.sw, caught.value.wrong_key) == (
        "GET CHALLENGE",
        sw,
        False,
    )


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes((data[position] ^ 1,)) + data[position + 1 :]


@pytest.mark.parametrize(
    "answer",
    [D3_CHIP_ANSWER[:-1], _flip(D3_CHIP_ANSWER, 39), _flip(D3_CHIP_ANSWER, 3)],
    ids=["short", "bad-mac", "bad-cryptogram"],
)
def test_bad_chip_cryptogram_is_refused(answer: bytes) -> None:
    with pytest.raises(AccessDenied) as caught:
        check_chip_cryptogram(D2_KEYS, answer, D3_RND_IFD)
    assert (caught.value.step, caught.value.wrong_key) == ("chip cryptogram", False)


def test_rnd_ifd_echo_is_checked() -> None:
    with pytest.raises(AccessDenied, match="chip cryptogram"):
        check_chip_cryptogram(D2_KEYS, D3_CHIP_ANSWER, bytes(8))


def test_card_without_the_application() -> None:
    replay = ReplayTransport([Exchange(SELECT_APPLICATION, ResponseAPDU.from_sw(0x6A82))])
    with pytest.raises(FileNotFound):
        run_bac(replay, D1_KEY)


def test_short_random_source_is_a_programming_error() -> None:
    replay = ReplayTransport(app_d_trace(ResponseAPDU(D3_CHIP_ANSWER, 0x90, 0x00)))
    with pytest.raises(ValueError, match="random"):
        run_bac(replay, D1_KEY, rng=lambda size: bytes(size - 1))


def test_repr_hides_keys() -> None:
    assert repr(D2_KEYS) == "BACKeys()"
