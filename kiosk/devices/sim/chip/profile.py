"""The CCCD personality: a Vietnamese chip ID card's files, built from a citizen record.

What a CCCD holds (facts/cccd.md §1, §2): the eMRTD application with EF.COM, EF.SOD, DG1 (the
TD1 MRZ, document number = the last 9 digits of the 12-digit ID, the ID in the optional data),
DG2 (an ISO/IEC 19794-5 face record around a JPEG), DG3 (fingerprints, refused without Terminal
Authentication), DG13 (the Vietnamese details, fields numbered 1-16), DG14 (the Chip
Authentication key, brainpoolP256r1, and the ECDSA hash of Active Authentication) and DG15 (the
Active Authentication key). EF.SOD hashes every data group and is signed by the Document Signer
of the installation's test PKI. The MF holds EF.CardAccess with the CCCD constant of
facts/cccd.md §1.3 (PACE ECDH generic mapping, AES-128, brainpoolP256r1), so the chip takes
PACE with the CAN (the last 6 digits of the ID) or the MRZ, and BAC. Every file is encoded by
the ``kiosk.emrtd.lds`` builders; this module only decides the values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from kiosk.devices.sim import pki
from kiosk.devices.sim.chip import faults
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.filesystem import Access, DedicatedFile, ElementaryFile, FileSystem
from kiosk.devices.sim.chip.keys import ChipKeys, chip_keys
from kiosk.devices.sim.citizens import CitizenRecord
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.text import ascii_fold
from kiosk.emrtd import files, tlv
from kiosk.emrtd.keys import TD1_LINE, CANKey, MRZKey, check_digit
from kiosk.emrtd.lds import card_access, com, dg1, dg2, dg13, dg14, dg15, sod, spki
from kiosk.emrtd.lds.card_access import CCCD_CARD_ACCESS
from kiosk.emrtd.lds.dg2 import FaceImage, ImageDataType
from kiosk.emrtd.lds.dg13 import CardDate, DG13File
from kiosk.emrtd.lds.security_infos import (
    ID_AA,
    ID_CA_ECDH_AES_CBC_CMAC_128,
    ID_PK_ECDH,
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    PACEInfo,
    SecurityInfos,
)

LDS_VERSION = "0107"
UNICODE_VERSION = "040000"
"""LDS 1.7 and Unicode 4.0.0, the values ICAO 9303-10 §4.6.1 gives for current documents."""

EF_ATR_INFO = 0x2F01
"""EF.ATR/INFO in the MF, where extended length support is stated (ISO/IEC 7816-4 §12.7.1)."""
MAX_EXTENDED = 0x1000
"""Largest command and response data the chip takes with extended length: 4 KiB."""

PAYMENT_AID = bytes.fromhex("A0000007271010")
"""The payment application of a domestic bank card (NAPAS), the one a ``no-emrtd`` card has."""

ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
"""The Active Authentication signature algorithm DG14 names (BSI TR-03111 §5.2.1)."""

_TAG_EXTENDED_LENGTH_INFO = 0x7F66
_TAG_INTEGER = 0x02
_ISSUER = "VNM"
_DOCUMENT_CODE = "ID"
_SEX_TEXT = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
_ISO_GENDER = {Sex.MALE: 1, Sex.FEMALE: 2}
"""ISO/IEC 19794-5 §5.5.3 gender codes."""
_FULL_FRONTAL = 1
_RGB_24 = 1
_DIGITAL_STILL_CAMERA = 2
_SOF_MARKERS = frozenset(
    {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), 0xCD, 0xCE, 0xCF}
)


@dataclass(frozen=True, slots=True)
class CardProfile:
    """Everything one simulated card is: its files, its access key and its capabilities.

    Attributes:
        files: the MF/DF/EF tree as the chip serves it (faults already applied).
        access_key: the MRZ key BAC and PACE-MRZ accept.
        can: the CAN PACE-CAN accepts.
        pace: the PACE protocols EF.CardAccess announces (none under ``no-pace``).
        keys: the Chip and Active Authentication private keys the chip computes with.
        extended_length: whether the chip takes extended-length APDUs and says so.
        fault: the misbehaviour the card was built with, if any.
    """

    files: FileSystem
    access_key: MRZKey = field(repr=False)
    can: CANKey = field(repr=False)
    pace: tuple[PACEInfo, ...]
    keys: ChipKeys = field(repr=False)
    extended_length: bool
    fault: Fault | None = None


def build_profile(
    record: CitizenRecord, pki_folder: Path, fault: Fault | None = None
) -> CardProfile:
    """Personalise a simulated CCCD for ``record``, signed by the test PKI in ``pki_folder``.

    The PKI is generated there on first use (``kiosk.devices.sim.pki``). ``fault`` changes the
    card as ``kiosk.devices.sim.chip.faults`` describes.

    Raises:
        ValueError: the citizen has no expiry date (a lifetime card has no confirmed MRZ
            expiry, facts/cccd.md §1.2, so no BAC key can be built for it).
    """
    citizen = record.citizen
    if citizen.date_of_expiry is None:
        raise ValueError("a simulated card needs an expiry date for its MRZ and BAC key")
    keys = chip_keys(citizen.id_number, fault)
    key = MRZKey.from_id_number(citizen.id_number, citizen.date_of_birth, citizen.date_of_expiry)
    can = CANKey.from_id_number(citizen.id_number)
    if fault is Fault.NO_EMRTD:
        # The officer's keys are this citizen's; the card on the reader opens with none of them.
        return CardProfile(not_emrtd_files(), key, can, (), keys, False, fault)
    groups = data_groups(record, keys)
    signer = (
        faults.unknown_signer() if fault is Fault.UNKNOWN_SIGNER else pki.load_or_create(pki_folder)
    )
    security_object = sod.encode(groups, signer.document_signer_key, signer.document_signer)
    extended = fault is not Fault.NO_EXTENDED_LENGTH
    with_pace = fault is not Fault.NO_PACE
    tree = FileSystem(_master(extended, with_pace), (_application(groups, security_object, fault),))
    offered = card_access.parse(CCCD_CARD_ACCESS).pace if with_pace else ()
    return CardProfile(tree, key, can, offered, keys, extended, fault)


def not_emrtd_files() -> FileSystem:
    """A bank card's tree: an empty MF and a payment application, no eMRTD application.

    SELECT of the eMRTD AID finds nothing (6A82), as on any card without it; the payment
    application keeps its data in records this simulator never serves.
    """
    payment = DedicatedFile("payment", PAYMENT_AID, ())
    return FileSystem(DedicatedFile("MF", None, ()), (payment,))


def data_groups(record: CitizenRecord, keys: ChipKeys) -> dict[int, bytes]:
    """DG1, DG2, DG3, DG13, DG14 and DG15 as signed: the exact bytes EF.SOD hashes."""
    citizen = record.citizen
    return {
        1: dg1.encode(td1_mrz(citizen)),
        2: dg2.encode((face_image(record.portrait_bytes(), Sex(citizen.sex)),)),
        3: _empty_fingerprint_group(),
        13: dg13.encode(dg13_file(citizen)),
        14: dg14.encode(dg14_infos(keys)),
        15: dg15.encode(keys.active_authentication_spki),
    }


def dg14_infos(keys: ChipKeys) -> SecurityInfos:
    """DG14: PACE as in EF.CardAccess, Chip Authentication with its key, the AA hash."""
    chip_key = spki.parse(keys.chip_authentication_spki)
    return SecurityInfos(
        (
            *card_access.parse(CCCD_CARD_ACCESS).pace,
            ChipAuthenticationInfo(ID_CA_ECDH_AES_CBC_CMAC_128, 1),
            ChipAuthenticationPublicKeyInfo(ID_PK_ECDH, chip_key),
            ActiveAuthenticationInfo(ID_AA, 1, ECDSA_PLAIN_SHA256),
        )
    )


def td1_mrz(citizen: Citizen) -> str:
    """The 90-character TD1 MRZ of a CCCD (ICAO 9303-5 §4.2; the CCCD layout of facts §1.2).

    Line 1 holds the last 9 digits of the ID as the document number, then the whole 12-digit
    ID and ``<<`` in the optional data, with position 30 the check digit over the 12 digits.
    """
    if citizen.date_of_expiry is None:
        raise ValueError("a TD1 MRZ needs an expiry date")
    number = citizen.id_number
    document = number[3:]
    line1 = f"{_DOCUMENT_CODE}{_ISSUER}{document}{check_digit(document)}{number}<<"
    line1 += check_digit(number + "<<")
    birth, expiry = _yymmdd(citizen.date_of_birth), _yymmdd(citizen.date_of_expiry)
    line2 = f"{birth}{check_digit(birth)}{Sex(citizen.sex).value}{expiry}{check_digit(expiry)}"
    line2 += _ISSUER + "<" * 11
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    return line1 + line2 + _name_line(citizen.full_name)


def dg13_file(citizen: Citizen) -> DG13File:
    """DG13 values as a CCCD writes them: dd/MM/yyyy dates, ``Nam``/``Nữ``, Vietnamese text."""
    return DG13File(
        id_number=citizen.id_number,
        full_name=citizen.full_name,
        date_of_birth=_card_date(citizen.date_of_birth),
        sex=_SEX_TEXT[Sex(citizen.sex)],
        nationality=citizen.nationality,
        ethnicity=citizen.ethnicity,
        religion=citizen.religion,
        place_of_origin=citizen.place_of_origin,
        place_of_residence=citizen.place_of_residence,
        identifying_features=citizen.identifying_features,
        date_of_issue=None if citizen.date_of_issue is None else _card_date(citizen.date_of_issue),
        date_of_expiry=None
        if citizen.date_of_expiry is None
        else _card_date(citizen.date_of_expiry),
        father_name=citizen.father_name,
        mother_name=citizen.mother_name,
        spouse_name=citizen.spouse_name,
        old_id_number=citizen.old_id_number,
    )


def face_image(jpeg: bytes, sex: Sex) -> FaceImage:
    """An ISO/IEC 19794-5 full-frontal face image around ``jpeg`` (§5.5, §5.7)."""
    width, height = jpeg_size(jpeg)
    return FaceImage(
        gender=_ISO_GENDER[sex],
        eye_colour=0,
        hair_colour=0,
        property_mask=0,
        expression=0,
        pose_angles=bytes(3),
        pose_uncertainties=bytes(3),
        feature_points=b"",
        face_image_type=_FULL_FRONTAL,
        image_data_type=ImageDataType.JPEG,
        width=width,
        height=height,
        colour_space=_RGB_24,
        source_type=_DIGITAL_STILL_CAMERA,
        device_type=0,
        quality=0,
        image=jpeg,
    )


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame segment (ITU-T T.81 §B.2.2).

    The face record states the image size; reading the frame header gives it without decoding
    the image (and without an image library in ``devices/sim``).

    Raises:
        ValueError: ``jpeg`` is not a JPEG with a frame header.
    """
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG (no SOI marker)")
    position = 2
    while position + 4 <= len(jpeg) and jpeg[position] == 0xFF:
        marker = jpeg[position + 1]
        length = int.from_bytes(jpeg[position + 2 : position + 4], "big")
        if marker in _SOF_MARKERS and position + 9 <= len(jpeg):
            height = int.from_bytes(jpeg[position + 5 : position + 7], "big")
            width = int.from_bytes(jpeg[position + 7 : position + 9], "big")
            return width, height
        position += 2 + length
    raise ValueError("JPEG has no start-of-frame segment")


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def _card_date(day: date) -> CardDate:
    return CardDate(day.strftime("%d/%m/%Y"), day)


def _name_line(full_name: str) -> str:
    """Line 3: SURNAME<<GIVEN<NAMES without diacritics, cut to 30 (ICAO 9303-3 §4.6)."""
    words = [
        "".join(c if "A" <= c <= "Z" else "<" for c in w)
        for w in ascii_fold(full_name).upper().split()
    ]
    surname, given = words[0], "<".join(words[1:])
    return f"{surname}<<{given}".ljust(TD1_LINE, "<")[:TD1_LINE]


def _empty_fingerprint_group() -> bytes:
    """DG3 with no finger templates: ``63 { 7F61 { 02 01 00 } }`` (ICAO 9303-10 §4.7.3).

    The chip never serves DG3 (it needs Terminal Authentication), but EF.COM lists it and
    EF.SOD hashes it, as on a real CCCD; the simulator holds no fingerprints.
    """
    count = tlv.encode(dg2.TAG_COUNT, b"\x00")
    return tlv.encode(com.DATA_GROUP_TAGS[3], tlv.encode(dg2.TAG_GROUP, count))


def _master(extended_length: bool, with_pace: bool) -> DedicatedFile:
    """The MF: EF.CardAccess (with PACE) and EF.ATR/INFO (with extended length), both open.

    EF.ATR/INFO states the extended length limits; both files are read before any access.
    """
    entries = []
    if with_pace:
        spec = files.EF_CARD_ACCESS
        entries.append(
            ElementaryFile(spec.name, spec.fid, spec.sfi, CCCD_CARD_ACCESS, Access.ALWAYS)
        )
    if extended_length:
        limit = MAX_EXTENDED.to_bytes(2, "big")
        limits = tlv.encode(_TAG_INTEGER, limit) + tlv.encode(_TAG_INTEGER, limit)
        info = tlv.encode(_TAG_EXTENDED_LENGTH_INFO, limits)
        entries.append(ElementaryFile("EF.ATR/INFO", EF_ATR_INFO, None, info, Access.ALWAYS))
    return DedicatedFile("MF", None, tuple(entries))


def _application(
    groups: dict[int, bytes], security_object: bytes, fault: Fault | None
) -> DedicatedFile:
    """The eMRTD application DF with the files as served, after any fault has struck."""
    served = dict(groups)
    if fault is Fault.FORGED_SOD:
        served[13] = faults.forge_dg13(served[13])
    if fault is Fault.TRUNCATED_FILE:
        served[2] = faults.truncate(served[2])
    tags = tuple(com.DATA_GROUP_TAGS[n] for n in sorted(served))
    entries = [
        _ef(files.EF_COM, com.encode(com.COMFile(LDS_VERSION, UNICODE_VERSION, tags))),
        _ef(files.EF_SOD, security_object),
    ]
    entries += [_data_group(n, content, fault) for n, content in sorted(served.items())]
    return DedicatedFile("eMRTD", files.APPLICATION_AID, tuple(entries))


def _data_group(number: int, content: bytes, fault: Fault | None) -> ElementaryFile:
    ef = _ef(files.data_group(number), content)
    if number == 3:
        return replace(ef, access=Access.TERMINAL_AUTHENTICATION)
    if number == 2 and fault is Fault.REMOVED_MID_READ:
        return replace(ef, leaves_at=faults.removal_offset(content))
    return ef


def _ef(spec: files.ElementaryFile, content: bytes) -> ElementaryFile:
    return ElementaryFile(spec.name, spec.fid, spec.sfi, content)
