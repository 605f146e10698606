"""KDF, MAC, cipher and padding against ICAO 9303-11 App. D/G and the facts 5.5 vectors."""

from __future__ import annotations

import hashlib

import pytest

from kiosk.emrtd.crypto.cipher import (
    aes_decrypt,
    aes_encrypt,
    aes_ssc_iv,
    pad,
    tdes_decrypt,
    tdes_encrypt,
    tdes_key,
    unpad,
)
from kiosk.emrtd.crypto.kdf import (
    ENC_COUNTER,
    MAC_COUNTER,
    KeyType,
    adjust_parity,
    derive_key,
)
from kiosk.emrtd.crypto.mac import aes_cmac, retail_mac
from kiosk.emrtd.errors import MalformedData

H = bytes.fromhex
PACE_COUNTER = 3  # K_pi of a PACE password (ICAO 9303-11 §9.7.3)

# ICAO 9303-11 App. D.2
D2_K_SEED = H("239AB9CB282DAF66231DC5A4DF6BFBAE")
D2_K_ENC = H("AB94FDECF2674FDFB9B391F85D7F76F2")
D2_K_MAC = H("7962D9ECE03D1ACD4C76089DCE131543")
# ICAO 9303-11 App. D.3
D3_E_IFD = H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
D3_M_IFD = H("5F1448EEA8AD90A7")
D3_S = H("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B")
# ICAO 9303-11 App. G.1
G1_KS_MAC = H("FE251C7858B356B24514B3BD5F4297D1")
G1_T_IFD_INPUT = H(
    "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D2"
    "8C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
)
G1_T_IFD = H("C2B0BD78D94BA866")
G1_K = H("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
G1_K_PI = H("89DED1B26624EC1E634C1989302849DD")


def test_kdf_icao_app_d2_k_enc_and_k_mac() -> None:
    assert derive_key(D2_K_SEED, ENC_COUNTER, KeyType.TDES) == D2_K_ENC
    assert derive_key(D2_K_SEED, MAC_COUNTER, KeyType.TDES) == D2_K_MAC


def test_parity_adjustment_icao_app_d2() -> None:
    raw = hashlib.sha1(D2_K_SEED + b"\x00\x00\x00\x01", usedforsecurity=False).digest()[:16]
    assert raw.hex().upper().startswith("AB94FCEDF2664EDF")
    assert adjust_parity(raw) == D2_K_ENC
    assert all(bin(b).count("1") % 2 == 1 for b in adjust_parity(bytes(range(256))))


def test_kdf_icao_app_g1_pace_password_key() -> None:
    assert derive_key(G1_K, PACE_COUNTER, KeyType.AES128) == G1_K_PI


@pytest.mark.parametrize(
    ("key_type", "expected"),
    [
        (KeyType.AES128, "591468CDA83D65219CCCB8560233600F"),
        (KeyType.AES192, "8DF3278FB32026E66277357FCD6C826DBEB3DE32088B2531"),
        (KeyType.TDES, "581568CDA83D64209DCDB9570232610E"),
    ],
)
def test_kdf_facts_5_5_can_123456(key_type: KeyType, expected: str) -> None:
    assert derive_key(b"123456", PACE_COUNTER, key_type) == H(expected)


def test_kdf_aes256_uses_sha256() -> None:
    expected = hashlib.sha256(b"secret" + b"\x00\x00\x00\x01").digest()
    assert derive_key(b"secret", ENC_COUNTER, KeyType.AES256) == expected


def test_kdf_facts_5_5_synthetic_cccd() -> None:
    info = "090001234590010113001019"
    seed = hashlib.sha1(info.encode(), usedforsecurity=False).digest()[:16]
    assert seed == H("ADE2AA844518B1D2E4221D8423EE3B72")
    assert derive_key(seed, ENC_COUNTER, KeyType.TDES) == H("B63DDF672946E9B304B3A7EF159BA894")
    assert derive_key(seed, MAC_COUNTER, KeyType.TDES) == H("4016D5FB2CEC2CAE3715C46415018CCD")
    assert derive_key(b"001234", PACE_COUNTER, KeyType.AES128) == H(
        "301B8B85834DCF25B7EE71BD62F07A4E"
    )


def test_key_type_properties() -> None:
    assert not KeyType.TDES.is_aes
    assert KeyType.TDES.block_size == 8
    assert KeyType.AES256.is_aes
    assert KeyType.AES128.block_size == 16


def test_tdes_cbc_icao_app_d3_e_ifd() -> None:
    assert tdes_encrypt(D2_K_ENC, D3_S) == D3_E_IFD
    assert tdes_decrypt(D2_K_ENC, D3_E_IFD) == D3_S


def test_retail_mac_icao_app_d3_m_ifd() -> None:
    assert retail_mac(D2_K_MAC, pad(D3_E_IFD, 8)) == D3_M_IFD


def test_retail_mac_refuses_bad_key_and_unpadded_data() -> None:
    with pytest.raises(ValueError, match="16-byte"):
        retail_mac(bytes(8), bytes(8))
    with pytest.raises(ValueError, match="whole"):
        retail_mac(D2_K_MAC, bytes(7))
    with pytest.raises(ValueError, match="whole"):
        retail_mac(D2_K_MAC, b"")


def test_aes_cmac_icao_app_g1_token() -> None:
    assert aes_cmac(G1_KS_MAC, G1_T_IFD_INPUT)[:8] == G1_T_IFD


def test_single_des_key_is_accepted_and_bad_lengths_refused() -> None:
    assert tdes_key(bytes(8)).key_size == 192
    with pytest.raises(ValueError, match="8 or 16"):
        tdes_key(bytes(24))


def test_aes_round_trip_with_ssc_iv() -> None:
    key, ssc = bytes(range(16)), bytes(15) + b"\x01"
    iv = aes_ssc_iv(key, ssc)
    assert iv == aes_encrypt(key, ssc)
    data = pad(b"personal data", 16)
    assert aes_decrypt(key, aes_encrypt(key, data, iv), iv) == data
    assert aes_encrypt(key, data, iv) != aes_encrypt(key, data)


@pytest.mark.parametrize(
    ("data", "block", "padded"),
    [
        (b"", 8, "8000000000000000"),
        (b"\x01" * 7, 8, "0101010101010180"),
        (b"\x01" * 8, 8, "01010101010101018000000000000000"),
        (b"\x01", 16, "01800000000000000000000000000000"),
    ],
)
def test_padding_method_2(data: bytes, block: int, padded: str) -> None:
    assert pad(data, block) == H(padded)
    assert unpad(H(padded), block) == data


@pytest.mark.parametrize(
    "bad",
    [
        "",  # empty
        "01020304050680",  # not whole blocks
        "0102030405060700",  # no 80 marker
        "0000000000000000",  # nothing but zeros
        "80000000000000000000000000000000",  # padding longer than one block
    ],
)
def test_unpad_refuses_bad_padding(bad: str) -> None:
    with pytest.raises(MalformedData):
        unpad(H(bad), 8)
