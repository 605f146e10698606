"""PACE against the worked examples of ICAO 9303-11 Appendix G, byte for byte (facts §5.3-5.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from kiosk.emrtd import pace, tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.crypto import curves, dh
from kiosk.emrtd.crypto.agreement import DHKeyAgreement, ECKeyAgreement
from kiosk.emrtd.crypto.ec import Curve
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import AccessDenied, UnsupportedFeature
from kiosk.emrtd.keys import CANKey, MRZKey
from kiosk.emrtd.lds.security_infos import PACEInfo
from kiosk.emrtd.transport import Exchange, ReplayTransport


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def exchange(command: str, response: str) -> Exchange:
    return Exchange(CommandAPDU.from_bytes(h(command)), ResponseAPDU.from_bytes(h(response)))


def fixed_rng(*values: bytes) -> Callable[[int], bytes]:
    """Hands out ``values`` in order, checking each request's size."""
    queue = list(values)

    def rng(size: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == size
        return value

    return rng


def ec_private(curve: Curve, key: str) -> bytes:
    """The rng bytes that make ``Curve.random_scalar`` return ``key``."""
    return (int(key, 16) - 1).to_bytes(curve.size + 8, "big")


def dh_private(group: dh.DHGroup, key: str) -> bytes:
    """The rng bytes that make ``DHGroup.random_exponent`` return ``key``."""
    return (int(key, 16) - 1).to_bytes((group.q.bit_length() + 7) // 8 + 8, "big")


# ICAO 9303-11 App. G.1 (facts/cccd.md §5.3): ECDH generic mapping, brainpoolP256r1, AES-128.
G1_KEY = MRZKey("T22000129", date(1964, 8, 12), date(2010, 10, 31))
G1_INFO = PACEInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13)
G1_K_PI = "89DED1B26624EC1E634C1989302849DD"
G1_MAPPING_PRIVATE = "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"
G1_EPHEMERAL_PRIVATE = "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"
G1_TRACE = (
    exchange("0022C1A40F800A04007F00070202040202830101", "9000"),
    exchange("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
    exchange(
        "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
        "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
        "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
        "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
    ),
    exchange(
        "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
        "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
        "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
        "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
    ),
    exchange("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
)


def g1_rng() -> Callable[[int], bytes]:
    curve = curves.BRAINPOOLP256R1
    return fixed_rng(ec_private(curve, G1_MAPPING_PRIVATE), ec_private(curve, G1_EPHEMERAL_PRIVATE))


def test_icao_9303_11_g1_pace_ecdh_generic_mapping_brainpool_p256_aes128() -> None:
    card = ReplayTransport(G1_TRACE)
    result = pace.run_pace(card, G1_KEY, G1_INFO, g1_rng())
    assert card.remaining == 0
    assert result.keys.ks_enc == h("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert result.keys.ks_mac == h("FE251C7858B356B24514B3BD5F4297D1")
    assert result.keys.key_type is KeyType.AES128
    assert result.ssc == bytes(16)
    assert result.password == "MRZ"
    assert result.chip_public_key == h(
        "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
        "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
    )


def test_icao_9303_11_g1_intermediate_values() -> None:
    protocol = pace.protocol_for(G1_INFO)
    k_pi = pace.password_key(G1_KEY, KeyType.AES128)
    assert k_pi == h(G1_K_PI)
    nonce = pace.decrypt_nonce(k_pi, KeyType.AES128, h("95A3A016522EE98D01E76CB6B98B42C3"))
    assert nonce == h("3F00C4D39D153F2B2A214A078D899B22")
    assert pace.encrypt_nonce(k_pi, KeyType.AES128, nonce) == h("95A3A016522EE98D01E76CB6B98B42C3")
    chip_mapping = h(
        "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
        "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
    )
    mapped = protocol.agreement.mapped(nonce, int(G1_MAPPING_PRIVATE, 16), chip_mapping)
    assert isinstance(mapped, ECKeyAgreement)
    assert mapped.generator == (
        int("8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2", 16),
        int("8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522", 16),
    )
    chip_public = G1_TRACE[3].response.data[4:]
    secret = mapped.secret(int(G1_EPHEMERAL_PRIVATE, 16), chip_public)
    assert secret == h("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
    assert pace.public_key_object(protocol, chip_public) == h(
        "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2"
        "D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
    )


# ICAO 9303-11 App. G.2 (facts/cccd.md §5.4): DH generic mapping, RFC 5114 1024-bit, AES-128.
G2_INFO = PACEInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 0)
G2 = {
    "nonce_encrypted": "854D8DF5827FA6852D1A4FA701CDDDCA",
    "nonce": "FA5B7E3E49753A0DB9178B7B9BD898C8",
    "mapping_private": "5265030F751F4AD18B08AC565FC7AC952E41618D",
    "mapping_public": "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C",  # noqa: E501
    "chip_mapping_public": "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6",  # noqa: E501
    "generator": "7C9CBFE98F9FBDDA8D143506FA7D9306F4CB17E3C71707AFF5E1C1A12370249684D64EE37AF44B8DBD9D45BF6023919CBAA027AB97ACC771666C8E98FF483301BFA4872DEDE9034EDFACB70814166B7F360676829B826BEA57291B5AD69FBC84EF1E779032A305803F74341793E869742D401325B37EE8565FFCDEE618342DC5",  # noqa: E501
    "ephemeral_private": "89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA",
    "ephemeral_public": "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4",  # noqa: E501
    "chip_ephemeral_public": "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1",  # noqa: E501
    "secret": "6BABC7B3A72BCD7EA385E4C62DB2625BD8613B24149E146A629311C4CA6698E38B834B6A9E9CD7184BA8834AFF5043D436950C4C1E7832367C10CB8C314D40E5990B0DF7013E64B4549E2270923D06F08CFF6BD3E977DDE6ABE4C31D55C0FA2E465E553E77BDF75E3193D3834FC26E8EB1EE2FA1E4FC97C18C3F6CFFFE2607FD",  # noqa: E501
    "ks_enc": "2F7F46ADCC9E7E521B45D192FAFA9126",
    "ks_mac": "805A1D27D45A5116F73C54469462B7D8",
    "t_ifd": "B46DD9BD4D98381F",
    "t_ic": "917F37B5C0E6D8D1",
}


def ga(tag: int | None, value: str, *, last: bool = False) -> CommandAPDU:
    return pace.general_authenticate(tag, h(value), last=last)


def answer(*items: tuple[int, str]) -> ResponseAPDU:
    inner = b"".join(tlv.encode(tag, h(value)) for tag, value in items)
    return ResponseAPDU.from_sw(0x9000, tlv.encode(0x7C, inner))


def g2_trace() -> tuple[Exchange, ...]:
    car = b"DETESTCVCA00003".hex()
    return (
        exchange("0022C1A40F800A04007F00070202040102830101", "9000"),
        Exchange(ga(None, ""), answer((0x80, G2["nonce_encrypted"]))),
        Exchange(ga(0x81, G2["mapping_public"]), answer((0x82, G2["chip_mapping_public"]))),
        Exchange(ga(0x83, G2["ephemeral_public"]), answer((0x84, G2["chip_ephemeral_public"]))),
        Exchange(ga(0x85, G2["t_ifd"], last=True), answer((0x86, G2["t_ic"]), (0x87, car))),
    )


def test_icao_9303_11_g2_pace_dh_generic_mapping_rfc5114_1024_aes128() -> None:
    group = dh.RFC5114_1024_160
    rng = fixed_rng(
        dh_private(group, G2["mapping_private"]), dh_private(group, G2["ephemeral_private"])
    )
    card = ReplayTransport(g2_trace())
    result = pace.run_pace(card, G1_KEY, G2_INFO, rng)
    assert card.remaining == 0
    assert (result.keys.ks_enc, result.keys.ks_mac) == (h(G2["ks_enc"]), h(G2["ks_mac"]))
    assert g2_trace()[4].command.to_bytes() == h(
        "00 86 00 00 0C 7C 0A 85 08 B4 6D D9 BD 4D 98 38 1F 00"
    )


def test_icao_9303_11_g2_intermediate_values() -> None:
    protocol = pace.protocol_for(G2_INFO)
    k_pi = pace.password_key(G1_KEY, KeyType.AES128)
    nonce = pace.decrypt_nonce(k_pi, KeyType.AES128, h(G2["nonce_encrypted"]))
    assert nonce == h(G2["nonce"])
    standard = protocol.agreement
    assert standard.public_key(int(G2["mapping_private"], 16)) == h(G2["mapping_public"])
    mapped = standard.mapped(nonce, int(G2["mapping_private"], 16), h(G2["chip_mapping_public"]))
    assert isinstance(mapped, DHKeyAgreement)
    assert mapped.generator == int(G2["generator"], 16)
    private = int(G2["ephemeral_private"], 16)
    assert mapped.public_key(private) == h(G2["ephemeral_public"])
    assert mapped.secret(private, h(G2["chip_ephemeral_public"])) == h(G2["secret"])
    assert pace.public_key_object(protocol, h(G2["chip_ephemeral_public"])).startswith(
        h("7F49818F060A04007F0007020204010284818007")
    )


# facts/cccd.md §5.5: CAN key vectors.
@pytest.mark.parametrize(
    ("can", "key_type", "k_pi"),
    [
        ("123456", KeyType.AES128, "591468CDA83D65219CCCB8560233600F"),
        ("123456", KeyType.AES192, "8DF3278FB32026E66277357FCD6C826DBEB3DE32088B2531"),
        ("123456", KeyType.TDES, "581568CDA83D64209DCDB9570232610E"),
        ("001234", KeyType.AES128, "301B8B85834DCF25B7EE71BD62F07A4E"),
    ],
)
def test_can_password_keys_of_the_facts(can: str, key_type: KeyType, k_pi: str) -> None:
    assert pace.password_key(CANKey(can), key_type) == h(k_pi)


def test_the_cccd_can_is_the_last_six_digits_of_the_id() -> None:
    key = CANKey.from_id_number("001090001234")
    assert pace.password_key(key, KeyType.AES128) == h("301B8B85834DCF25B7EE71BD62F07A4E")
    assert pace.password_reference(key) == pace.PASSWORD_CAN
    assert pace.password_reference(G1_KEY) == pace.PASSWORD_MRZ


# Refusals and hostile answers, on the G.1 trace with one exchange changed.
def g1_with(index: int, response: str, *, upto: int | None = None) -> ReplayTransport:
    trace = list(G1_TRACE[: (upto if upto is not None else index) + 1])
    trace[index] = Exchange(trace[index].command, ResponseAPDU.from_bytes(h(response)))
    return ReplayTransport(trace)


@pytest.mark.parametrize(
    ("index", "response", "step", "sw"),
    [
        (0, "6A80", pace.STEP_SET_AT, 0x6A80),
        (1, "6985", pace.STEP_NONCE, 0x6985),
        (1, "7C0281009000", pace.STEP_NONCE, None),
        (1, "7C0580030102039000", pace.STEP_NONCE, None),
        (1, "7C009000", pace.STEP_NONCE, None),
        (2, "6A80", pace.STEP_MAPPING, 0x6A80),
        (2, "7C438241" + "04" + "00" * 64 + "9000", pace.STEP_MAPPING, None),
        (3, "6A80", pace.STEP_AGREEMENT, 0x6A80),
        (4, "6A80", pace.STEP_AUTHENTICATE, 0x6A80),
        (4, "7C0A86080000000000000000" + "9000", pace.STEP_AUTHENTICATE, None),
        (4, "7C0A87083ABB9674BCE93C08" + "9000", pace.STEP_AUTHENTICATE, None),
    ],
)
def test_refusals_and_invalid_answers_name_the_step(
    index: int, response: str, step: str, sw: int | None
) -> None:
    with pytest.raises(AccessDenied) as caught:
        pace.run_pace(g1_with(index, response), G1_KEY, G1_INFO, g1_rng())
    assert (caught.value.protocol, caught.value.step, caught.value.sw) == ("PACE", step, sw)
    assert not caught.value.wrong_key


@pytest.mark.parametrize("sw", ["6300", "63C2", "6982"])
def test_a_refused_token_means_a_wrong_password(sw: str) -> None:
    with pytest.raises(AccessDenied) as caught:
        pace.run_pace(g1_with(4, sw), G1_KEY, G1_INFO, g1_rng())
    assert caught.value.wrong_key
    assert caught.value.step == pace.STEP_AUTHENTICATE


def test_a_chip_echoing_our_ephemeral_key_is_refused() -> None:
    echo = G1_TRACE[3].command.data[4:]
    response = "7C438441" + echo.hex() + "9000"
    with pytest.raises(AccessDenied) as caught:
        pace.run_pace(g1_with(3, response), G1_KEY, G1_INFO, g1_rng())
    assert caught.value.step == pace.STEP_AGREEMENT


@pytest.mark.parametrize(
    "info",
    [
        PACEInfo("0.4.0.127.0.7.2.2.4.4.2", 2, 13),  # integrated mapping
        PACEInfo("0.4.0.127.0.7.2.2.4.6.2", 2, 13),  # chip authentication mapping
        PACEInfo("0.4.0.127.0.7.2.2.4.2.9", 2, 13),  # no such cipher
        PACEInfo("0.4.0.127.0.7.2.2.4.2.2", 2, None),  # proprietary parameters
        PACEInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 7),  # reserved id
        PACEInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 3),  # reserved DH id
        PACEInfo("0.4.0.127.0.7.2.2.3.2.2", 2, 13),  # not PACE at all
        PACEInfo("0.4.0.127.0.7.2.2.4.2", 2, 13),  # a family, not a protocol
    ],
)
def test_unsupported_pace_variants_are_refused_before_any_apdu(info: PACEInfo) -> None:
    with pytest.raises(UnsupportedFeature):
        pace.run_pace(ReplayTransport(()), G1_KEY, info, g1_rng())


@pytest.mark.parametrize(
    ("parameter_id", "curve"),
    [(12, "P-256"), (13, "brainpoolP256r1"), (16, "brainpoolP384r1"), (18, "P-521")],
)
def test_parameter_ids_name_their_curves(parameter_id: int, curve: str) -> None:
    protocol = pace.protocol_for(PACEInfo("0.4.0.127.0.7.2.2.4.2.4", 2, parameter_id))
    assert isinstance(protocol.agreement, ECKeyAgreement)
    assert protocol.agreement.curve.name == curve
    assert protocol.key_type is KeyType.AES256


def test_3des_nonce_and_token() -> None:
    protocol = pace.protocol_for(PACEInfo("0.4.0.127.0.7.2.2.4.2.1", 2, 13))
    k_pi = pace.password_key(CANKey("123456"), KeyType.TDES)
    nonce = bytes(range(8))
    encrypted = pace.encrypt_nonce(k_pi, KeyType.TDES, nonce)
    assert pace.decrypt_nonce(k_pi, KeyType.TDES, encrypted) == nonce
    keys = pace.session_keys(b"secret", KeyType.TDES)
    assert len(pace.authentication_token(keys, protocol, b"\x04" + bytes(64))) == 8
    result = pace.PACEResult(protocol.oid, "CAN", keys, b"")
    assert result.ssc == bytes(8)
    assert result.secure_channel(ReplayTransport(())).ssc == bytes(8)
