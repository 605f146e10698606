"""EF.COM and DG1: round trips, the tag list and the MRZ checks."""

from __future__ import annotations

import pytest

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import com, dg1

# facts/cccd.md §1.2, synthetic TD1 MRZ (ID 001090001234).
CCCD_MRZ = (
    "IDVNM0900012345001090001234<<69001011M3001019VNM<<<<<<<<<<<8NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
)


def test_com_round_trip_and_data_groups() -> None:
    value = com.COMFile("0107", "040000", (0x61, 0x75, 0x63, 0x6D, 0x6F, 0x6E, 0x99))
    data = com.encode(value)
    assert data[:1] == b"\x60"
    parsed = com.parse(data)
    assert parsed == value
    assert parsed.data_groups == (1, 2, 3, 13, 15, 14)


@pytest.mark.parametrize(("lds", "unicode"), [(b"107", b"040000"), (b"01a7", b"040000")])
def test_com_refuses_bad_versions(lds: bytes, unicode: bytes) -> None:
    body = tlv.encode(0x5F01, lds) + tlv.encode(0x5F36, unicode) + tlv.encode(0x5C, b"\x61")
    with pytest.raises(MalformedData):
        com.parse(tlv.encode(0x60, body))


def test_com_requires_its_tag_list() -> None:
    body = tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000")
    with pytest.raises(MalformedData):
        com.parse(tlv.encode(0x60, body))


def test_dg1_round_trip_keeps_the_raw_td1_mrz() -> None:
    data = dg1.encode(CCCD_MRZ)
    assert data[:5] == bytes.fromhex("615D5F1F5A")
    parsed = dg1.parse(data)
    assert parsed.mrz == CCCD_MRZ
    assert parsed.lines == (CCCD_MRZ[:30], CCCD_MRZ[30:60], CCCD_MRZ[60:])


def test_dg1_splits_td3_into_two_lines() -> None:
    mrz = "P<UTOERIKSSON<<ANNA<MARIA" + "<" * 19 + "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert dg1.parse(dg1.encode(mrz)).lines == (mrz[:44], mrz[44:])


@pytest.mark.parametrize("mrz", [CCCD_MRZ[:-1], CCCD_MRZ[:-1] + "a", CCCD_MRZ[:-1] + "\n"])
def test_dg1_refuses_a_bad_mrz(mrz: str) -> None:
    with pytest.raises(MalformedData):
        dg1.parse(dg1.encode(mrz))
