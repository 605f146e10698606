"""The simulated chip's side of PACE, Chip and Active Authentication: the refusals it answers.

The happy paths run through ``read_document`` (test_read_document); here each malformed or
out-of-order command gets the status word ISO/IEC 7816-4 and ICAO 9303-11 give it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile
from kiosk.emrtd import pace, tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import AccessDenied
from kiosk.emrtd.keys import CANKey
from kiosk.emrtd.lds.security_infos import PACEInfo
from kiosk.emrtd.sm import SecureChannel

ProfileFactory = Callable[..., CardProfile]
PACE_INFO = PACEInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13)
SET_AT_CAN = bytes.fromhex("800A04007F00070202040202830102")


def send(
    chip: ChipOS, cla: int, ins: int, p1p2: int, data: bytes = b"", le: int | None = None
) -> int:
    return chip.transmit(CommandAPDU(cla, ins, p1p2 >> 8, p1p2 & 0xFF, data, le)).sw


def ga(chip: ChipOS, tag: int | None, value: bytes = b"", *, cla: int = 0x10) -> ResponseAPDU:
    inner = tlv.encode(tag, value) if tag is not None else b""
    command = CommandAPDU(cla, 0x86, 0, 0, tlv.encode(0x7C, inner), le=256)
    return chip.transmit(command)


@pytest.mark.parametrize(
    ("data", "sw"),
    [
        (SET_AT_CAN, 0x9000),
        (bytes.fromhex("800A04007F00070202040402830102"), 0x6A80),  # integrated mapping
        (bytes.fromhex("800A04007F00070202040202830103"), 0x6A80),  # unknown password
        (bytes.fromhex("800A04007F00070202040202"), 0x6A80),  # no password
        (bytes.fromhex("8005"), 0x6A80),  # malformed
    ],
)
def test_mse_set_at_for_pace(chip: ChipOS, data: bytes, sw: int) -> None:
    assert send(chip, 0x00, 0x22, 0xC1A4, data) == sw


def test_mse_with_other_parameters_is_refused(chip: ChipOS) -> None:
    assert send(chip, 0x00, 0x22, 0x81B6, SET_AT_CAN) == 0x6A86
    assert send(chip, 0x00, 0x22, 0x41A4, SET_AT_CAN) == 0x6985  # CA needs secure messaging


def test_general_authenticate_needs_mse_and_the_chain(chip: ChipOS) -> None:
    assert ga(chip, None).sw == 0x6985
    assert send(chip, 0x00, 0x22, 0xC1A4, SET_AT_CAN) == 0x9000
    assert ga(chip, None, cla=0x00).sw == 0x6985  # the first step must be chained
    assert send(chip, 0x00, 0x22, 0xC1A4, SET_AT_CAN) == 0x9000
    assert ga(chip, 0x81, b"\x04").sw == 0x6A80  # step 1 carries nothing
    assert send(chip, 0x10, 0x86, 0x0001, tlv.encode(0x7C, b""), 256) == 0x6A86


def open_pace(chip: ChipOS, profile: CardProfile) -> SecureChannel:
    result = pace.run_pace(chip, profile.can, PACE_INFO)
    return result.secure_channel(chip)


def test_an_invalid_mapping_point_and_an_echo_are_refused(
    chip: ChipOS, make_profile: ProfileFactory
) -> None:
    assert send(chip, 0x00, 0x22, 0xC1A4, SET_AT_CAN) == 0x9000
    assert ga(chip, None).sw == 0x9000
    assert ga(chip, 0x81, b"\x04" + bytes(64)).sw == 0x6A80
    assert ga(chip, None).sw == 0x6985  # the run was dropped


def test_out_of_order_and_invalid_steps_end_the_run(chip: ChipOS) -> None:
    assert send(chip, 0x00, 0x22, 0xC1A4, SET_AT_CAN) == 0x9000
    nonce = ga(chip, None)
    assert nonce.sw == 0x9000
    agreement = pace.protocol_for(PACE_INFO).agreement
    mapping = ga(chip, 0x81, agreement.public_key(5))
    chip_mapping = tlv.decode(mapping.data, 0x7C).child(0x82).value
    k_pi = pace.password_key(CANKey("001234"), KeyType.AES128)
    s = pace.decrypt_nonce(k_pi, KeyType.AES128, tlv.decode(nonce.data, 0x7C).child(0x80).value)
    mapped = agreement.mapped(s, 5, chip_mapping)
    ours = mapped.public_key(7)
    chip_public = tlv.decode(ga(chip, 0x83, ours).data, 0x7C).child(0x84).value
    assert ga(chip, 0x83, chip_public).sw == 0x6985  # a fourth step out of order
    assert send(chip, 0x00, 0x22, 0xC1A4, SET_AT_CAN) == 0x9000
    assert ga(chip, None).sw == 0x9000
    assert ga(chip, 0x81, agreement.public_key(5)).sw == 0x9000
    assert ga(chip, 0x83, b"\x04" + bytes(64)).sw == 0x6A80


def test_a_terminal_echoing_the_chip_key_is_refused(chip: ChipOS) -> None:
    # The chip draws its ephemeral key from the rng before comparing: a fixed rng makes its
    # public key predictable, and the terminal sends exactly that.
    fixed = ChipOS(chip._profile, rng=lambda n: b"\x01" * n)
    protocol = pace.protocol_for(PACE_INFO)
    k_pi = pace.password_key(CANKey("001234"), KeyType.AES128)
    assert send(fixed, 0x00, 0x22, 0xC1A4, SET_AT_CAN) == 0x9000
    nonce = tlv.decode(ga(fixed, None).data, 0x7C).child(0x80).value
    s = pace.decrypt_nonce(k_pi, KeyType.AES128, nonce)
    chip_mapping = tlv.decode(ga(fixed, 0x81, protocol.agreement.public_key(5)).data, 0x7C)
    mapped = protocol.agreement.mapped(s, 5, chip_mapping.child(0x82).value)
    echo = mapped.public_key(protocol.agreement.random_private(lambda n: b"\x01" * n))
    assert ga(fixed, 0x83, echo).sw == 0x6A80


def test_chip_and_active_authentication_refusals(
    chip: ChipOS, make_profile: ProfileFactory
) -> None:
    assert send(chip, 0x00, 0x88, 0x0000, bytes(8), 256) == 0x6982  # no session
    channel = open_pace(chip, make_profile())

    def protected(ins: int, p1p2: int, data: bytes, le: int | None = None) -> int:
        return channel.transmit(CommandAPDU(0x00, ins, p1p2 >> 8, p1p2 & 0xFF, data, le)).sw

    assert protected(0x88, 0x0100, bytes(8), 256) == 0x6A86
    assert protected(0x88, 0x0000, bytes(7), 256) == 0x6700
    assert protected(0x86, 0x0000, tlv.encode(0x7C, tlv.encode(0x80, b"\x04"))) == 0x6985
    assert protected(0x22, 0xC1A4, SET_AT_CAN) == 0x6985  # PACE inside secure messaging
    assert protected(0x22, 0x41A4, bytes.fromhex("8001")) == 0x6A80
    assert protected(0x22, 0x41A4, SET_AT_CAN) == 0x6A80  # a PACE OID is no CA protocol
    ca_oid = bytes.fromhex("800A04007F00070202030202")
    assert protected(0x22, 0x41A4, ca_oid) == 0x9000
    assert protected(0x86, 0x0000, tlv.encode(0x7C, tlv.encode(0x80, b"\x04"))) == 0x6A80
    assert protected(0x86, 0x0100, b"") == 0x6A86


def test_a_wrong_can_is_refused_at_the_token_with_6300(chip: ChipOS) -> None:
    with pytest.raises(AccessDenied) as caught:
        pace.run_pace(chip, CANKey("999999"), PACE_INFO)
    assert (caught.value.sw, caught.value.wrong_key) == (0x6300, True)
    assert ga(chip, None).sw == 0x6985  # the run is over: a new MSE:Set AT is needed
