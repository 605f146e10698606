"""Property tests of every LDS parser: hostile bytes give a value or an EmrtdError, nothing else.

Each parser gets random bytes and mutations (flips, cuts, insertions, overwrites) of a valid
file: the facts' DG13 sample, generated COM, DG1, DG2, DG14, DG15, EF.CardAccess and a signed
EF.SOD. Builders get round-trip properties over generated values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.emrtd.errors import EmrtdError
from kiosk.emrtd.lds import algorithms, card_access, com, dg1, dg2, dg13, dg14, dg15, sod, spki
from kiosk.emrtd.lds.dg2 import FaceImage, ImageDataType
from kiosk.emrtd.lds.dg13 import DG13File
from kiosk.emrtd.lds.security_infos import (
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    SecurityInfos,
)

PROPERTY = settings.get_profile("emrtd")

# facts/cccd.md §2.2, the synthetic DG13 sample.
FACTS_DG13 = bytes.fromhex(
    "6D8201633082015F020101060628D316010008318201503011020101130C3030"
    "3130393030303132333430140201020C0F4E677579E1BB856E2056C4836E2041"
    "300F020103130A30312F30312F3139393030080201040C034E616D300F020105"
    "0C0A5669E1BB8774204E616D30090201060C044B696E68300B0201070C064B68"
    "C3B46E67300E0201080C0948C3A0204EE1BB9969302B0201090C2653E1BB9120"
    "312C205068C6B0E1BB9D6E6720426120C490C3AC6E682C2048C3A0204EE1BB99"
    "69302C02010A0C274EE1BB9174207275E1BB93692063C3A163682032636D2074"
    "72C3AA6E206DC3A970207472C3A169300F02010B130A30312F30372F32303231"
    "300F02010C0C0A30312F30312F32303330302802010D30110C0F4E677579E1BB"
    "856E2056C4836E204230100C0E5472E1BAA76E205468E1BB8B2043300302010E"
    "300E02010F130931323334353637383930150201101310303132333435363738"
    "39414243444546"
)
MRZ = "IDVNM0900012345001090001234<<69001011M3001019VNM<<<<<<<<<<<8NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"


def _face(image: bytes, kind: ImageDataType = ImageDataType.JPEG) -> FaceImage:
    return FaceImage(
        1, 0, 0, 0, 0, b"\0\0\0", b"\0\0\0", bytes(8), 1, kind, 480, 640, 1, 2, 0, 0, image
    )


def _signed_sod() -> bytes:
    key = ec.generate_private_key(ec.BrainpoolP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FUZZ SIGNER")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return sod.encode({1: dg1.encode(MRZ), 13: FACTS_DG13}, key, certificate)


def _key_der(key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


EC_KEY_DER = _key_der(ec.generate_private_key(ec.BrainpoolP256R1()).public_key())
VALID: dict[str, tuple[Callable[[bytes], object], bytes]] = {
    "COM": (com.parse, com.encode(com.COMFile("0107", "040000", (0x61, 0x75, 0x6D, 0x6E, 0x6F)))),
    "DG1": (dg1.parse, dg1.encode(MRZ)),
    "DG2": (dg2.parse, dg2.encode((_face(b"\xff\xd8\xff\xe0" + bytes(20)),))),
    "DG13": (dg13.parse, FACTS_DG13),
    "DG14": (
        dg14.parse,
        dg14.encode(
            SecurityInfos(
                (
                    ChipAuthenticationPublicKeyInfo(
                        "0.4.0.127.0.7.2.2.1.2", spki.parse(EC_KEY_DER)
                    ),
                    ChipAuthenticationInfo("0.4.0.127.0.7.2.2.3.2.2", 1),
                )
            )
        ),
    ),
    "DG15": (
        lambda data: dg15.parse(data).public_key(),
        dg15.encode(_key_der(rsa.generate_private_key(65537, 2048).public_key())),
    ),
    "CardAccess": (card_access.parse, card_access.CCCD_CARD_ACCESS),
    "SOD": (sod.parse, _signed_sod()),
}


@st.composite
def mutations(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` with one to four random edits."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "cut", "insert", "overwrite", "truncate"]))
        if edit == "flip" and position < len(data):
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[position : position + draw(st.integers(1, 8))]
        elif edit == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=4))
            data[position : position + len(chunk)] = chunk
        else:
            del data[position:]
    return bytes(data)


def _parses_or_raises_emrtd_error(parse: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(EmrtdError):
        parse(data)


def _file_and_mutation(name: str) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.tuples(st.just(name), mutations(VALID[name][1]))


@PROPERTY
@given(st.sampled_from(sorted(VALID)), st.binary(max_size=512))
def test_random_bytes(name: str, data: bytes) -> None:
    _parses_or_raises_emrtd_error(VALID[name][0], data)


@PROPERTY
@given(_file_and_mutation("COM"))
def test_mutated_com(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("DG1"))
def test_mutated_dg1(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("DG2"))
def test_mutated_dg2(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("DG13"))
def test_mutated_dg13(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("DG14"))
def test_mutated_dg14(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("DG15"))
def test_mutated_dg15(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("CardAccess"))
def test_mutated_card_access(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(_file_and_mutation("SOD"))
def test_mutated_sod(case: tuple[str, bytes]) -> None:
    _parses_or_raises_emrtd_error(VALID[case[0]][0], case[1])


@PROPERTY
@given(st.binary(max_size=64))
def test_pss_parameters(data: bytes) -> None:
    _parses_or_raises_emrtd_error(
        lambda params: algorithms.signature_algorithm("1.2.840.113549.1.1.10", params, "sha256"),
        data,
    )


_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_ascii = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
_dates = _ascii.map(dg13.parse_date)


@PROPERTY
@given(
    st.builds(
        DG13File,
        id_number=st.none() | _ascii,
        full_name=st.none() | _names,
        date_of_birth=st.none() | _dates,
        sex=st.none() | _names,
        place_of_residence=st.none() | _names,
        date_of_issue=st.none() | _dates,
        date_of_expiry=st.none() | _names.map(dg13.parse_date),
        father_name=st.none() | _names,
        mother_name=st.none() | _names,
        spouse_name=st.none() | _names,
        old_id_number=st.none() | _ascii,
        field_16=st.none() | _ascii,
    )
)
def test_dg13_round_trip(value: DG13File) -> None:
    normalised = dg13.parse(dg13.encode(value))
    assert dg13.encode(normalised) == dg13.encode(dg13.parse(dg13.encode(normalised)))
    assert normalised.id_number == value.id_number
    assert (normalised.date_of_issue is None) == (value.date_of_issue is None)


@PROPERTY
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<", min_size=90, max_size=90))
def test_dg1_round_trip(mrz: str) -> None:
    assert dg1.parse(dg1.encode(mrz)).mrz == mrz


@PROPERTY
@given(
    st.lists(
        st.builds(_face, st.binary(max_size=64), st.sampled_from(ImageDataType)),
        min_size=1,
        max_size=3,
    )
)
def test_dg2_round_trip(images: list[FaceImage]) -> None:
    assert dg2.parse(dg2.encode(tuple(images))).templates[0].images == tuple(images)


@PROPERTY
@given(st.lists(st.integers(0, 255), max_size=20))
def test_com_round_trip(tags: list[int]) -> None:
    value = com.COMFile("0108", "040000", tuple(tags))
    assert com.parse(com.encode(value)) == value


@PROPERTY
@given(st.lists(st.integers(0, 2**32).map(str), min_size=2, max_size=6), st.integers(0, 1))
def test_oid_round_trip(arcs: list[str], first: int) -> None:
    from kiosk.emrtd import tlv
    from kiosk.emrtd.lds import der

    dotted = ".".join([str(first), str(int(arcs[0]) % 40), *arcs[1:]])
    assert der.decode_oid(tlv.decode(der.encode_oid(dotted)).value, "test") == dotted
