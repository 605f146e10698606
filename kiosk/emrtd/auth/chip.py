"""Chip Authentication (ICAO 9303-11 §6.2): the chip proves it holds DG14's private key.

The terminal sends an ephemeral public key (MSE:Set AT, then GENERAL AUTHENTICATE); both sides
agree a secret with the chip's static key from DG14, derive new session keys from it, and
restart secure messaging with SSC = 0. Only a chip that holds the private key can protect the
next command's answer under the new keys, so the next protected command (a SELECT of EF.COM)
is the proof. DG14 is signed by the issuer, so this counts only when Passive Authentication
of DG14 is valid (design.md): a clone may carry a DG14 of its own making.

Keys in DG14 name a curve (an OID) or give explicit parameters, which must match a named curve
(``crypto.curves.match``); DH keys must be in an RFC 5114 group. Anything else is not
performed rather than guessed at.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from asn1crypto import core, keys

from kiosk.emrtd import tlv
from kiosk.emrtd.apdu import SHORT_MAX_LE, CommandAPDU
from kiosk.emrtd.auth.verdict import CheckResult, Verdict
from kiosk.emrtd.crypto import curves, dh
from kiosk.emrtd.crypto.agreement import DHKeyAgreement, ECKeyAgreement, KeyAgreement, Random
from kiosk.emrtd.crypto.ec import Curve
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import (
    AccessDenied,
    MalformedData,
    SecureMessagingError,
    StatusWordError,
    UnsupportedFeature,
)
from kiosk.emrtd.files import EF_COM, select_file
from kiosk.emrtd.lds import der, spki
from kiosk.emrtd.lds.asn1 import translated
from kiosk.emrtd.lds.security_infos import (
    ID_CA,
    ID_PK_DH,
    ID_PK_ECDH,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    SecurityInfos,
)
from kiosk.emrtd.pace import session_keys
from kiosk.emrtd.sm import SecureChannel
from kiosk.emrtd.sw import SUCCESS
from kiosk.emrtd.transport import Transport

PROTOCOL = "CA"
STEP_SET_AT = "MSE:Set AT"
STEP_GENERAL_AUTHENTICATE = "GENERAL AUTHENTICATE"

ID_DH_PUBLIC_NUMBER = "1.2.840.10046.2.1"
_EC_ALGORITHMS = frozenset({spki.ID_EC_PUBLIC_KEY, ID_PK_ECDH})
_DH_ALGORITHMS = frozenset({ID_DH_PUBLIC_NUMBER, ID_PK_DH})
_AGREEMENT_ARC = {ID_PK_DH: "1", ID_PK_ECDH: "2"}
"""id-CA-DH-* and id-CA-ECDH-* (ICAO 9303-11 §9.2.5), by the key's protocol."""
_CIPHERS: Mapping[str, KeyType] = {
    "1": KeyType.TDES,
    "2": KeyType.AES128,
    "3": KeyType.AES192,
    "4": KeyType.AES256,
}
_TAG_PROTOCOL = 0x80
_TAG_KEY_ID = 0x84
_TAG_DYNAMIC = 0x7C
_TAG_EPHEMERAL = 0x80


@dataclass(frozen=True, slots=True)
class ChipAuthenticationSetup:
    """What DG14 offers, resolved: protocol, cipher, group and the chip's static public key."""

    protocol: str
    key_type: KeyType
    agreement: KeyAgreement
    chip_public_key: bytes = field(repr=False)
    key_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChipAuthenticationTranscript:
    """What was exchanged, kept as evidence: the protocol, key id and both public keys."""

    protocol: str
    key_id: int | None
    terminal_public_key: bytes = field(repr=False)
    chip_public_key: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChipAuthenticationOutcome:
    """The check's result, the channel to go on with, and the transcript.

    Attributes:
        channel: the secure channel under the new keys after success; the old one when Chip
            Authentication did not run or the chip refused it; None when the session is lost.
    """

    result: CheckResult
    channel: Transport | None
    transcript: ChipAuthenticationTranscript | None = None


def chip_authentication_setup(dg14: SecurityInfos) -> ChipAuthenticationSetup | None:
    """The protocol and key to use, or None when DG14 holds no Chip Authentication key.

    Without a ChipAuthenticationInfo the 3DES protocol of the key's kind is implied
    (ICAO 9303-11 §9.2.5, Chip Authentication version 1).

    Raises:
        UnsupportedFeature: no offered protocol fits a key this library can use.
        MalformedData: a key is not a valid key of its domain.
    """
    keys_offered = dg14.chip_authentication_keys
    if not keys_offered:
        return None
    infos = dg14.chip_authentication or tuple(_implied(key) for key in keys_offered)
    for info in infos:
        for key in keys_offered:
            if _fits(info, key):
                return _setup(info, key)
    raise UnsupportedFeature("no Chip Authentication protocol fits the keys of DG14")


def _implied(key: ChipAuthenticationPublicKeyInfo) -> ChipAuthenticationInfo:
    arc = _AGREEMENT_ARC.get(key.protocol, "0")
    return ChipAuthenticationInfo(f"{ID_CA}.{arc}.1", 1, key.key_id)


def _fits(info: ChipAuthenticationInfo, key: ChipAuthenticationPublicKeyInfo) -> bool:
    parts = info.protocol.removeprefix(ID_CA + ".").split(".")
    same_key = info.key_id is None or info.key_id == key.key_id
    kind = _AGREEMENT_ARC.get(key.protocol)
    return same_key and len(parts) == 2 and parts[0] == kind and parts[1] in _CIPHERS


def _setup(
    info: ChipAuthenticationInfo, key: ChipAuthenticationPublicKeyInfo
) -> ChipAuthenticationSetup:
    agreement, public = key_agreement(key.public_key)
    cipher = _CIPHERS[info.protocol.rsplit(".", 1)[1]]
    return ChipAuthenticationSetup(info.protocol, cipher, agreement, public, key.key_id)


def key_agreement(key: spki.SubjectPublicKeyInfo) -> tuple[KeyAgreement, bytes]:
    """The key agreement of a DG14 key and the key itself, validated and encoded for it.

    Raises:
        UnsupportedFeature: not an EC or DH key, or parameters that match no named domain.
        MalformedData: the key is not a valid element of its domain.
    """
    if key.algorithm in _EC_ALGORITHMS:
        curve = _curve(key.parameters)
        curve.decode(key.public_key)
        return ECKeyAgreement.standard(curve), key.public_key
    if key.algorithm in _DH_ALGORITHMS:
        group = _dh_group(key.parameters)
        with translated("DH public key"):
            value = core.Integer.load(key.public_key, strict=True).native
        return DHKeyAgreement.standard(group), group.encode(group.check(value))
    raise UnsupportedFeature(f"Chip Authentication key algorithm {key.algorithm}")


def _curve(parameters: bytes) -> Curve:
    item = tlv.decode(parameters) if parameters else None
    if item is not None and item.tag == der.TAG_OID:
        return curves.by_oid(der.decode_oid(item.value, "DG14"))
    with translated("ECParameters"):
        domain = keys.SpecifiedECDomain.load(parameters, strict=True)
        p = int(domain["field_id"]["parameters"].native)
        a = int.from_bytes(domain["curve"]["a"].native, "big")
        b = int.from_bytes(domain["curve"]["b"].native, "big")
        base: bytes = domain["base"].native
        order = int(domain["order"].native)
    size = (p.bit_length() + 7) // 8
    if len(base) != 1 + 2 * size or base[0] != 0x04:
        raise UnsupportedFeature("explicit parameters with a compressed or odd base point")
    generator = (int.from_bytes(base[1 : 1 + size]), int.from_bytes(base[1 + size :]))
    return curves.match(p, a, b, generator, order)


def _dh_group(parameters: bytes) -> dh.DHGroup:
    with translated("DomainParameters"):
        domain = keys.DomainParameters.load(parameters, strict=True)
        values = (domain["p"].native, domain["g"].native, domain["q"].native)
    for group in dh.GROUPS_BY_PARAMETER_ID.values():
        if (group.p, group.g, group.q) == values:
            return group
    raise UnsupportedFeature("DH parameters of DG14 are not an RFC 5114 group")


def run_chip_authentication(
    channel: Transport, link: Transport, setup: ChipAuthenticationSetup, rng: Random = os.urandom
) -> tuple[SecureChannel, ChipAuthenticationTranscript]:
    """Run Chip Authentication over ``channel`` and prove it with the next protected command.

    Args:
        channel: the secure channel that access opened.
        link: the plain link below it, which the new channel wraps.
        setup: from ``chip_authentication_setup``.
        rng: the source of the ephemeral private key.

    Raises:
        AccessDenied: the chip refused MSE:Set AT or GENERAL AUTHENTICATE.
        SecureMessagingError, StatusWordError: the proof under the new keys failed.
    """
    _send(channel, STEP_SET_AT, CommandAPDU(0x00, 0x22, 0x41, 0xA4, _set_at_data(setup)))
    private = setup.agreement.random_private(rng)
    public = setup.agreement.public_key(private)
    data = tlv.encode(_TAG_DYNAMIC, tlv.encode(_TAG_EPHEMERAL, public))
    command = CommandAPDU(0x00, 0x86, 0x00, 0x00, data, le=SHORT_MAX_LE)
    _send(channel, STEP_GENERAL_AUTHENTICATE, command)
    secret = setup.agreement.secret(private, setup.chip_public_key)
    new_keys = session_keys(secret, setup.key_type)
    renewed = SecureChannel(link, new_keys, bytes(new_keys.block_size))
    select_file(renewed, EF_COM.fid)
    transcript = ChipAuthenticationTranscript(
        setup.protocol, setup.key_id, public, setup.chip_public_key
    )
    return renewed, transcript


def _set_at_data(setup: ChipAuthenticationSetup) -> bytes:
    """80 the protocol OID, and 84 the key id when DG14 gives one (ICAO 9303-11 §6.2.4.1)."""
    data = tlv.encode(_TAG_PROTOCOL, der.encode_oid(setup.protocol)[2:])
    if setup.key_id is None:
        return data
    size = max(1, (setup.key_id.bit_length() + 7) // 8)
    return data + tlv.encode(_TAG_KEY_ID, setup.key_id.to_bytes(size, "big"))


def _send(channel: Transport, step: str, command: CommandAPDU) -> None:
    response = channel.transmit(command)
    if response.sw != SUCCESS:
        raise AccessDenied(PROTOCOL, step, response.sw)


def authenticate_chip(
    channel: Transport, link: Transport, dg14: SecurityInfos | None, rng: Random = os.urandom
) -> ChipAuthenticationOutcome:
    """Chip Authentication as a check: its verdict, the channel to go on with, the transcript.

    ``not_supported`` without DG14 or a key in it; ``not_performed`` when the key's domain is
    not supported; ``invalid`` when the chip refuses or fails the proof (a suspected clone).
    """
    try:
        setup = None if dg14 is None else chip_authentication_setup(dg14)
    except (UnsupportedFeature, MalformedData):
        return ChipAuthenticationOutcome(_result(Verdict.NOT_PERFORMED, "unsupported"), channel)
    if setup is None:
        return ChipAuthenticationOutcome(CheckResult(Verdict.NOT_SUPPORTED), channel)
    try:
        renewed, transcript = run_chip_authentication(channel, link, setup, rng)
    except AccessDenied:
        return ChipAuthenticationOutcome(_result(Verdict.INVALID, "refused"), channel)
    except (SecureMessagingError, StatusWordError):
        return ChipAuthenticationOutcome(_result(Verdict.INVALID, "failed"), None)
    return ChipAuthenticationOutcome(CheckResult(Verdict.VALID), renewed, transcript)


def _result(verdict: Verdict, reason: str) -> CheckResult:
    return CheckResult(verdict, (f"chip_authentication_{reason}",))
