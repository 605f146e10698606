"""SecurityInfos in EF.CardAccess and DG14, and the keys of DG14 and DG15."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData, UnsupportedFeature
from kiosk.emrtd.lds import card_access, der, dg14, dg15, security_infos, spki
from kiosk.emrtd.lds.security_infos import (
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    PACEInfo,
    SecurityInfos,
    TerminalAuthenticationInfo,
    UnknownSecurityInfo,
)

BRAINPOOL_P256R1 = "1.3.36.3.3.2.8.1.1.7"
DH_PUBLIC_NUMBER = "1.2.840.10046.2.1"


def _spki(key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_cccd_card_access_constant_decodes_to_pace_ecdh_gm_aes_128_param_13() -> None:
    infos = card_access.parse(card_access.CCCD_CARD_ACCESS)
    assert infos.pace == (PACEInfo(security_infos.ID_PACE_ECDH_GM_AES_CBC_CMAC_128, 2, 13),)
    assert infos.chip_authentication == (
        ChipAuthenticationInfo(security_infos.ID_CA_ECDH_AES_CBC_CMAC_128, 1),
    )
    assert infos.infos[0] == TerminalAuthenticationInfo(security_infos.ID_TA, 1)
    assert infos.active_authentication is None
    assert card_access.encode(infos) == card_access.CCCD_CARD_ACCESS


def test_dg14_round_trip_with_every_kind_of_info() -> None:
    ec_key = spki.parse(_spki(ec.generate_private_key(ec.BrainpoolP256R1()).public_key()))
    dh_params = der.sequence(der.encode_integer(23), der.encode_integer(5), der.encode_integer(11))
    dh_key = spki.parse(
        der.sequence(
            der.sequence(der.encode_oid(DH_PUBLIC_NUMBER), dh_params),
            tlv.encode(0x03, b"\x00" + der.encode_integer(8)),
        )
    )
    domain = der.sequence(
        der.encode_oid("0.4.0.127.0.7.2.2.3.2"), der.sequence(), der.encode_integer(1)
    )
    infos = SecurityInfos(
        (
            ChipAuthenticationPublicKeyInfo(security_infos.ID_PK_ECDH, ec_key, 7),
            ChipAuthenticationPublicKeyInfo(security_infos.ID_PK_DH, dh_key),
            ChipAuthenticationInfo(security_infos.ID_CA_ECDH_AES_CBC_CMAC_128, 1, 7),
            TerminalAuthenticationInfo(
                security_infos.ID_TA, 1, der.sequence(tlv.encode(0x04, b"\x01\x1c"))
            ),
            ActiveAuthenticationInfo(security_infos.ID_AA, 1, "0.4.0.127.0.7.1.1.4.1.3"),
            UnknownSecurityInfo("0.4.0.127.0.7.2.2.3.2", domain),
            PACEInfo(security_infos.ID_PACE_ECDH_GM_AES_CBC_CMAC_128, 2),
        )
    )
    data = dg14.encode(infos)
    assert data[:1] == b"\x6e"
    parsed = dg14.parse(data)
    assert parsed == infos
    assert parsed.chip_authentication_keys[0].public_key.named_curve == BRAINPOOL_P256R1
    assert parsed.chip_authentication_keys[1].public_key.named_curve is None
    assert parsed.active_authentication == infos.infos[4]


@pytest.mark.parametrize(
    "info",
    [
        der.encode_integer(1),  # not a SEQUENCE
        der.sequence(der.encode_integer(1)),  # no OID
        der.sequence(),
        der.sequence(der.encode_oid(security_infos.ID_PACE_ECDH_GM_AES_CBC_CMAC_128)),  # no version
        der.sequence(der.encode_oid(security_infos.ID_TA), der.encode_oid("1.2")),  # wrong type
        der.sequence(
            der.encode_oid(security_infos.ID_CA_ECDH_AES_CBC_CMAC_128), *[der.encode_integer(1)] * 3
        ),  # too many fields
        der.sequence(der.encode_oid(security_infos.ID_AA), der.encode_integer(1)),  # no algorithm
        der.sequence(der.encode_oid(security_infos.ID_PK_ECDH), der.sequence()),  # broken key
        der.sequence(tlv.encode(0x06, b"\x81")),  # broken OID
    ],
)
def test_malformed_security_infos(info: bytes) -> None:
    with pytest.raises(MalformedData):
        security_infos.parse(tlv.encode(0x31, info))


def test_dg14_needs_exactly_one_set() -> None:
    with pytest.raises(MalformedData):
        dg14.parse(tlv.encode(0x6E, tlv.encode(0x31, b"") * 2))


@pytest.mark.parametrize(
    "key",
    [
        rsa.generate_private_key(65537, 2048).public_key(),
        ec.generate_private_key(ec.SECP256R1()).public_key(),
    ],
)
def test_dg15_keys(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> None:
    parsed = dg15.parse(dg15.encode(_spki(key)))
    assert parsed.public_key() == key
    assert parsed.public_key_info.der == _spki(key)


def test_dg15_with_an_ed25519_key_is_unsupported() -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    with pytest.raises(UnsupportedFeature):
        dg15.parse(dg15.encode(_spki(key))).public_key()


def test_dg15_with_unknown_key_algorithm_is_unsupported() -> None:
    key_info = der.sequence(der.sequence(der.encode_oid("1.2.3.4")), tlv.encode(0x03, b"\x00\x01"))
    with pytest.raises(UnsupportedFeature):
        dg15.parse(dg15.encode(key_info)).public_key()


@pytest.mark.parametrize(
    "key_info",
    [
        der.sequence(der.sequence(der.encode_oid("1.2.3")), tlv.encode(0x03, b"\x07\x01")),
        der.sequence(der.sequence(der.encode_oid("1.2.3"))),
        der.sequence(der.sequence(), tlv.encode(0x03, b"\x00")),
        der.sequence(der.sequence(der.encode_integer(1)), tlv.encode(0x03, b"\x00")),
        der.sequence(
            der.sequence(der.encode_oid("1.2"), der.sequence(), der.sequence()),
            tlv.encode(0x03, b"\x00"),
        ),
    ],
)
def test_malformed_subject_public_key_info(key_info: bytes) -> None:
    with pytest.raises(MalformedData):
        spki.parse(key_info)


@pytest.mark.parametrize(
    ("dotted", "value"),
    [("1.2.840.113549", "2A864886F70D"), ("2.999.3", "883703"), ("0.4.0.127", "04007F")],
)
def test_object_identifiers(dotted: str, value: str) -> None:
    assert der.encode_oid(dotted) == tlv.encode(0x06, bytes.fromhex(value))
    assert der.decode_oid(bytes.fromhex(value), "test") == dotted


@pytest.mark.parametrize("number", [0, 1, 127, 128, 255, 256, -1, -129, 2**62])
def test_integers(number: int) -> None:
    assert der.decode_integer(tlv.decode(der.encode_integer(number)).value, "test") == number


@pytest.mark.parametrize("value", [b"", b"\x01" * 9])
def test_integer_sizes_are_bounded(value: bytes) -> None:
    with pytest.raises(MalformedData):
        der.decode_integer(value, "test")
