"""Chip Authentication: DG14 keys of every form, the protocol choice, and the check's verdicts.

The full protocol runs against the simulated chip (tests/unit/devices/sim/test_read_document);
here the parts a CCCD's DG14 may vary in: named or explicit curves, DH keys, key ids.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asn1crypto import core, keys
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.auth import chip
from kiosk.emrtd.auth.verdict import CheckResult, Verdict
from kiosk.emrtd.crypto import curves, dh
from kiosk.emrtd.crypto.agreement import DHKeyAgreement, ECKeyAgreement
from kiosk.emrtd.crypto.ec import Curve
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import MalformedData, UnsupportedFeature
from kiosk.emrtd.lds import spki
from kiosk.emrtd.lds.security_infos import (
    ID_PK_DH,
    ID_PK_ECDH,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    SecurityInfos,
)

CURVE = curves.BRAINPOOLP256R1
CA_ECDH_AES128 = "0.4.0.127.0.7.2.2.3.2.2"
CA_DH_AES256 = "0.4.0.127.0.7.2.2.3.1.4"


class FakeChannel:
    """Answers every command with ``answer`` and keeps the commands."""

    def __init__(self, answer: Callable[[CommandAPDU], ResponseAPDU]) -> None:
        self.answer = answer
        self.commands: list[CommandAPDU] = []

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        self.commands.append(command)
        return self.answer(command)


def named_key() -> spki.SubjectPublicKeyInfo:
    key = ec.generate_private_key(ec.BrainpoolP256R1()).public_key()
    return spki.parse(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def explicit_key(curve: Curve = CURVE, base: bytes | None = None) -> spki.SubjectPublicKeyInfo:
    size = curve.size
    domain = keys.SpecifiedECDomain(
        {
            "version": "ecdpVer1",
            "field_id": {"field_type": "prime_field", "parameters": curve.p},
            "curve": {"a": curve.a.to_bytes(size, "big"), "b": curve.b.to_bytes(size, "big")},
            "base": base if base is not None else curve.encode(curve.generator),
            "order": curve.n,
            "cofactor": 1,
        }
    )
    point = curve.encode(curve.multiply(3, curve.generator))
    info = keys.PublicKeyInfo(
        {
            "algorithm": {
                "algorithm": "ec",
                "parameters": keys.ECDomainParameters("specified", domain),
            },
            "public_key": point,
        }
    )
    return spki.parse(info.dump())


def dh_key(group: dh.DHGroup, value: int) -> spki.SubjectPublicKeyInfo:
    info = keys.PublicKeyInfo(
        {
            "algorithm": {
                "algorithm": "dh",
                "parameters": {"p": group.p, "g": group.g, "q": group.q},
            },
            "public_key": core.Integer(value),
        }
    )
    return spki.parse(info.dump())


def dg14(*infos: object) -> SecurityInfos:
    return SecurityInfos(tuple(infos))  # type: ignore[arg-type]


def test_a_named_curve_key() -> None:
    key = named_key()
    agreement, public = chip.key_agreement(key)
    assert isinstance(agreement, ECKeyAgreement)
    assert agreement.curve is CURVE
    assert public == key.public_key


def test_explicit_parameters_are_matched_to_the_named_curve() -> None:
    agreement, _ = chip.key_agreement(explicit_key())
    assert isinstance(agreement, ECKeyAgreement)
    assert agreement.curve is CURVE


def test_explicit_parameters_of_no_named_curve_are_refused() -> None:
    odd = Curve("odd", "1.2.3", CURVE.p, CURVE.a, CURVE.b, CURVE.gx, CURVE.gy, CURVE.n - 2)
    with pytest.raises(UnsupportedFeature):
        chip.key_agreement(explicit_key(odd))


def test_an_explicit_compressed_base_point_is_refused() -> None:
    compressed = b"\x02" + CURVE.gx.to_bytes(32, "big")
    with pytest.raises(UnsupportedFeature):
        chip.key_agreement(explicit_key(base=compressed))


def test_broken_explicit_parameters_are_malformed() -> None:
    key = named_key()
    broken = spki.SubjectPublicKeyInfo(key.algorithm, b"\x30\x03\x02\x01", b"", b"", None)
    with pytest.raises(MalformedData):
        chip.key_agreement(broken)


def test_an_rfc5114_dh_key() -> None:
    group = dh.RFC5114_2048_256
    agreement, public = chip.key_agreement(dh_key(group, pow(group.g, 5, group.p)))
    assert isinstance(agreement, DHKeyAgreement)
    assert agreement.group is group
    assert public == group.encode(pow(group.g, 5, group.p))


def test_a_dh_key_outside_the_subgroup_or_group_is_refused() -> None:
    group = dh.RFC5114_1024_160
    with pytest.raises(MalformedData):
        chip.key_agreement(dh_key(group, group.p - 1))
    other = dh.DHGroup("other", group.p, group.g, group.q + 2)
    with pytest.raises(UnsupportedFeature):
        chip.key_agreement(dh_key(other, 4))


def test_an_rsa_key_is_no_chip_authentication_key() -> None:
    key = rsa.generate_private_key(65537, 2048).public_key()
    info = spki.parse(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(UnsupportedFeature):
        chip.key_agreement(info)


def test_without_a_chip_authentication_info_3des_is_implied() -> None:
    setup = chip.chip_authentication_setup(
        dg14(ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, named_key()))
    )
    assert setup is not None
    assert (setup.protocol, setup.key_type) == ("0.4.0.127.0.7.2.2.3.2.1", KeyType.TDES)


def test_the_key_id_picks_the_key() -> None:
    group = dh.RFC5114_2048_256
    setup = chip.chip_authentication_setup(
        dg14(
            ChipAuthenticationInfo(CA_DH_AES256, 1, 2),
            ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, named_key(), 1),
            ChipAuthenticationPublicKeyInfo(ID_PK_DH, dh_key(group, group.g), 2),
        )
    )
    assert setup is not None
    assert (setup.key_type, setup.key_id) == (KeyType.AES256, 2)


@pytest.mark.parametrize(
    "protocol",
    [
        "0.4.0.127.0.7.2.2.3.1.2",  # DH protocol for an EC key
        "0.4.0.127.0.7.2.2.3.2.7",  # unknown cipher
        "0.4.0.127.0.7.2.2.3.2",  # no cipher at all
    ],
)
def test_no_protocol_fitting_the_key_is_unsupported(protocol: str) -> None:
    infos = dg14(
        ChipAuthenticationInfo(protocol, 1),
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, named_key()),
    )
    with pytest.raises(UnsupportedFeature):
        chip.chip_authentication_setup(infos)


def ok(_command: CommandAPDU) -> ResponseAPDU:
    return ResponseAPDU.from_sw(0x9000)


def test_no_dg14_or_no_key_is_not_supported() -> None:
    channel = FakeChannel(ok)
    for infos in (None, dg14()):
        outcome = chip.authenticate_chip(channel, channel, infos)
        assert outcome.result == CheckResult(Verdict.NOT_SUPPORTED)
        assert outcome.channel is channel
    assert channel.commands == []


def test_an_unsupported_key_is_not_performed() -> None:
    odd = Curve("odd", "1.2.3", CURVE.p, CURVE.a, CURVE.b, CURVE.gx, CURVE.gy, 7)
    infos = dg14(ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, explicit_key(odd)))
    outcome = chip.authenticate_chip(FakeChannel(ok), FakeChannel(ok), infos)
    assert outcome.result == CheckResult(
        Verdict.NOT_PERFORMED, ("chip_authentication_unsupported",)
    )


@pytest.mark.parametrize("refused_at", [0x22, 0x86])
def test_a_refusal_is_invalid_and_keeps_the_session(refused_at: int) -> None:
    def answer(command: CommandAPDU) -> ResponseAPDU:
        return ResponseAPDU.from_sw(0x6A80 if command.ins == refused_at else 0x9000)

    channel = FakeChannel(answer)
    infos = dg14(
        ChipAuthenticationInfo(CA_ECDH_AES128, 1, 0x1234),
        ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, named_key(), 0x1234),
    )
    outcome = chip.authenticate_chip(channel, channel, infos)
    assert outcome.result == CheckResult(Verdict.INVALID, ("chip_authentication_refused",))
    assert outcome.channel is channel
    assert outcome.transcript is None
    assert channel.commands[0].data.endswith(bytes.fromhex("84021234"))
