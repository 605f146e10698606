"""SecurityInfos: the protocol announcements of EF.CardAccess and DG14 (ICAO 9303-11 §9.2).

``SecurityInfos ::= SET OF SecurityInfo``, each ``SEQUENCE { protocol OID, requiredData,
optionalData OPTIONAL }``. The protocol OID decides the shape: PACEInfo (§9.2.1),
ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo (§9.2.5, §9.2.6),
TerminalAuthenticationInfo (§9.2.7) and ActiveAuthenticationInfo (§9.2.8). Anything else
(domain parameter infos, vendor infos) is kept as ``UnknownSecurityInfo`` with its DER, so an
unexpected announcement never stops a read. Both files share this one parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.emrtd import tlv
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import der, spki

ID_PK_DH = "0.4.0.127.0.7.2.2.1.1"
ID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
ID_TA = "0.4.0.127.0.7.2.2.2"
ID_CA = "0.4.0.127.0.7.2.2.3"
ID_PACE = "0.4.0.127.0.7.2.2.4"
ID_AA = "2.23.136.1.1.5"
ID_PACE_ECDH_GM_AES_CBC_CMAC_128 = "0.4.0.127.0.7.2.2.4.2.2"
ID_CA_ECDH_AES_CBC_CMAC_128 = "0.4.0.127.0.7.2.2.3.2.2"

_WHAT = "SecurityInfos"


@dataclass(frozen=True, slots=True)
class PACEInfo:
    """A PACE protocol the chip supports; ``parameter_id`` names standard domain parameters."""

    protocol: str
    version: int
    parameter_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChipAuthenticationInfo:
    """A Chip Authentication protocol; ``key_id`` links it to its public key info."""

    protocol: str
    version: int
    key_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChipAuthenticationPublicKeyInfo:
    """The chip's static key agreement key (EC or DH) for Chip Authentication."""

    protocol: str
    public_key: spki.SubjectPublicKeyInfo
    key_id: int | None = None


@dataclass(frozen=True, slots=True)
class TerminalAuthenticationInfo:
    """Terminal Authentication support; ``ef_cvca`` is the DER of the optional file id."""

    protocol: str
    version: int
    ef_cvca: bytes | None = None


@dataclass(frozen=True, slots=True)
class ActiveAuthenticationInfo:
    """Active Authentication with an ECDSA key: the signature algorithm the chip uses."""

    protocol: str
    version: int
    signature_algorithm: str


@dataclass(frozen=True, slots=True)
class UnknownSecurityInfo:
    """An announcement this library does not interpret, kept whole as DER."""

    protocol: str
    der: bytes


SecurityInfo = (
    PACEInfo
    | ChipAuthenticationInfo
    | ChipAuthenticationPublicKeyInfo
    | TerminalAuthenticationInfo
    | ActiveAuthenticationInfo
    | UnknownSecurityInfo
)


@dataclass(frozen=True, slots=True)
class SecurityInfos:
    """The decoded SET, in the chip's order, with typed views for each protocol."""

    infos: tuple[SecurityInfo, ...]

    @property
    def pace(self) -> tuple[PACEInfo, ...]:
        """The PACE protocols offered."""
        return tuple(i for i in self.infos if isinstance(i, PACEInfo))

    @property
    def chip_authentication(self) -> tuple[ChipAuthenticationInfo, ...]:
        """The Chip Authentication protocols offered."""
        return tuple(i for i in self.infos if isinstance(i, ChipAuthenticationInfo))

    @property
    def chip_authentication_keys(self) -> tuple[ChipAuthenticationPublicKeyInfo, ...]:
        """The chip's Chip Authentication public keys."""
        return tuple(i for i in self.infos if isinstance(i, ChipAuthenticationPublicKeyInfo))

    @property
    def active_authentication(self) -> ActiveAuthenticationInfo | None:
        """The Active Authentication info, present when the AA key is an EC key."""
        return next((i for i in self.infos if isinstance(i, ActiveAuthenticationInfo)), None)


def parse(data: bytes) -> SecurityInfos:
    """Decode a DER ``SecurityInfos`` SET filling ``data`` exactly."""
    return SecurityInfos(tuple(_info(child) for child in tlv.decode(data, der.TAG_SET).children()))


def encode(infos: SecurityInfos) -> bytes:
    """The DER SET of ``infos``, in their order (as the chip stores them)."""
    return tlv.encode(der.TAG_SET, b"".join(_encode_info(i) for i in infos.infos))


def _info(item: tlv.TLV) -> SecurityInfo:
    parts = item.children() if item.tag == der.TAG_SEQUENCE else []
    if not parts or parts[0].tag != der.TAG_OID:
        raise MalformedData(_WHAT, "SecurityInfo does not start with an OID", item.offset)
    protocol = der.decode_oid(parts[0].value, _WHAT)
    rest = parts[1:]
    if _is_protocol_of(protocol, ID_PACE):
        _match(rest, (der.TAG_INTEGER, der.TAG_INTEGER), 1)
        return PACEInfo(protocol, _integer(rest[0]), _optional_integer(rest, 1))
    if _is_protocol_of(protocol, ID_CA):
        _match(rest, (der.TAG_INTEGER, der.TAG_INTEGER), 1)
        return ChipAuthenticationInfo(protocol, _integer(rest[0]), _optional_integer(rest, 1))
    if protocol in (ID_PK_DH, ID_PK_ECDH):
        _match(rest, (der.TAG_SEQUENCE, der.TAG_INTEGER), 1)
        key = spki.parse(tlv.encode(rest[0].tag, rest[0].value))
        return ChipAuthenticationPublicKeyInfo(protocol, key, _optional_integer(rest, 1))
    if protocol == ID_TA:
        _match(rest, (der.TAG_INTEGER, der.TAG_SEQUENCE), 1)
        ef_cvca = tlv.encode(rest[1].tag, rest[1].value) if len(rest) > 1 else None
        return TerminalAuthenticationInfo(protocol, _integer(rest[0]), ef_cvca)
    if protocol == ID_AA:
        _match(rest, (der.TAG_INTEGER, der.TAG_OID), 2)
        algorithm = der.decode_oid(rest[1].value, _WHAT)
        return ActiveAuthenticationInfo(protocol, _integer(rest[0]), algorithm)
    return UnknownSecurityInfo(protocol, tlv.encode(item.tag, item.value))


def _is_protocol_of(protocol: str, family: str) -> bool:
    """Whether ``protocol`` is family.x.y: a protocol, not the family's domain parameters."""
    prefix = family + "."
    return protocol.startswith(prefix) and protocol[len(prefix) :].count(".") == 1


def _match(rest: list[tlv.TLV], tags: tuple[int, ...], required: int) -> None:
    """Check ``rest`` against ``tags``: the first ``required`` present, the others optional."""
    if not required <= len(rest) <= len(tags) or any(
        r.tag != t for r, t in zip(rest, tags, strict=False)
    ):
        raise MalformedData(_WHAT, "SecurityInfo fields do not match its protocol")


def _integer(item: tlv.TLV) -> int:
    return der.decode_integer(item.value, _WHAT)


def _optional_integer(rest: list[tlv.TLV], index: int) -> int | None:
    return _integer(rest[index]) if index < len(rest) else None


def _encode_info(info: SecurityInfo) -> bytes:
    oid = der.encode_oid(info.protocol)
    if isinstance(info, UnknownSecurityInfo):
        return info.der
    if isinstance(info, PACEInfo):
        return der.sequence(
            oid, der.encode_integer(info.version), _encode_optional(info.parameter_id)
        )
    if isinstance(info, ChipAuthenticationInfo):
        return der.sequence(oid, der.encode_integer(info.version), _encode_optional(info.key_id))
    if isinstance(info, ChipAuthenticationPublicKeyInfo):
        return der.sequence(oid, info.public_key.der, _encode_optional(info.key_id))
    if isinstance(info, TerminalAuthenticationInfo):
        return der.sequence(oid, der.encode_integer(info.version), info.ef_cvca or b"")
    return der.sequence(
        oid, der.encode_integer(info.version), der.encode_oid(info.signature_algorithm)
    )


def _encode_optional(number: int | None) -> bytes:
    return b"" if number is None else der.encode_integer(number)
