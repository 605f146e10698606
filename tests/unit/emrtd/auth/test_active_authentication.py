"""Active Authentication: ISO/IEC 9796-2 scheme 1 (RSA), plain ECDSA, and the check's verdicts.

The simulated chip signs with ECDSA; the RSA scheme is checked here with a signer of our own
that builds ``6A || M1 || H(M1 || challenge) || trailer`` and raises it to the private exponent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.auth import active
from kiosk.emrtd.auth.verdict import CheckResult, Verdict
from kiosk.emrtd.errors import SecureMessagingError
from kiosk.emrtd.lds import dg15
from kiosk.emrtd.lds.dg15 import DG15File
from kiosk.emrtd.lds.security_infos import ID_AA, ActiveAuthenticationInfo, SecurityInfos

CHALLENGE = bytes.fromhex("0102030405060708")
RSA_KEY = rsa.generate_private_key(65537, 2048)
EC_KEY = ec.generate_private_key(ec.BrainpoolP256R1())
ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
AA_INFO = SecurityInfos((ActiveAuthenticationInfo(ID_AA, 1, ECDSA_PLAIN_SHA256),))


def sign_9796_2(
    challenge: bytes,
    *,
    hash_name: str = "sha1",
    trailer: bytes = b"\xbc",
    header: int = 0x6A,
    key: rsa.RSAPrivateKey = RSA_KEY,
) -> bytes:
    """ISO/IEC 9796-2 scheme 1, partial recovery, as a chip signs (raw RSA on the block)."""
    numbers = key.private_numbers()
    size = (numbers.public_numbers.n.bit_length() + 7) // 8
    digest_size = hashlib.new(hash_name).digest_size
    m1 = bytes(range(7, 7 + size - 1 - digest_size - len(trailer)))
    digest = hashlib.new(hash_name, m1 + challenge).digest()
    block = bytes((header,)) + m1 + digest + trailer
    value = pow(int.from_bytes(block, "big"), numbers.d, numbers.public_numbers.n)
    return value.to_bytes(size, "big")


def sign_ecdsa(challenge: bytes) -> bytes:
    r, s = decode_dss_signature(EC_KEY.sign(challenge, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def dg15_of(key: object) -> DG15File:
    der = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]
    return dg15.parse(dg15.encode(der))


@pytest.mark.parametrize(
    ("hash_name", "trailer"),
    [("sha1", b"\xbc"), ("sha1", b"\x33\xcc"), ("sha256", b"\x34\xcc"), ("sha512", b"\x35\xcc")],
)
def test_rsa_9796_2_signatures_verify(hash_name: str, trailer: bytes) -> None:
    signature = sign_9796_2(CHALLENGE, hash_name=hash_name, trailer=trailer)
    assert active.verify_rsa(RSA_KEY.public_key(), CHALLENGE, signature)


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(sign_9796_2(b"another!"), id="other-challenge"),
        pytest.param(sign_9796_2(CHALLENGE, header=0x4B), id="full-recovery-header"),
        pytest.param(sign_9796_2(CHALLENGE, trailer=b"\x99\xcc"), id="unknown-hash"),
        pytest.param(sign_9796_2(CHALLENGE, trailer=b"\x12"), id="no-trailer"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff" * 256, id="above-the-modulus"),
    ],
)
def test_rsa_9796_2_forgeries_fail(signature: bytes) -> None:
    assert not active.verify_rsa(RSA_KEY.public_key(), CHALLENGE, signature)


def test_plain_ecdsa_verifies_and_rejects() -> None:
    key = EC_KEY.public_key()
    signature = sign_ecdsa(CHALLENGE)
    assert active.verify_ecdsa(key, "sha256", CHALLENGE, signature)
    assert not active.verify_ecdsa(key, "sha256", b"another!", signature)
    assert not active.verify_ecdsa(key, "sha256", CHALLENGE, signature[:-1])
    assert not active.verify_ecdsa(key, "sha256", CHALLENGE, b"")


def test_the_ecdsa_hash_comes_from_dg14() -> None:
    assert active.ecdsa_hash(AA_INFO) == "sha256"
    assert active.ecdsa_hash(None) is None
    assert active.ecdsa_hash(SecurityInfos(())) is None
    x962 = SecurityInfos((ActiveAuthenticationInfo(ID_AA, 1, "1.2.840.10045.4.3.3"),))
    assert active.ecdsa_hash(x962) == "sha384"


class Chip:
    """Answers INTERNAL AUTHENTICATE with ``sign(challenge)``, or a status word."""

    def __init__(self, sign: Callable[[bytes], bytes], sw: int = 0x9000) -> None:
        self.sign = sign
        self.sw = sw
        self.challenges: list[bytes] = []

    def transmit(self, command: CommandAPDU) -> ResponseAPDU:
        assert (command.ins, command.le) == (0x88, 256)
        self.challenges.append(command.data)
        data = self.sign(command.data) if self.sw == 0x9000 else b""
        return ResponseAPDU.from_sw(self.sw, data)


def rng(size: int) -> bytes:
    return CHALLENGE[:size]


def test_a_valid_rsa_answer_keeps_challenge_and_signature() -> None:
    chip = Chip(sign_9796_2)
    outcome = active.authenticate_active(chip, dg15_of(RSA_KEY.public_key()), None, rng)
    assert outcome.result == CheckResult(Verdict.VALID)
    assert chip.challenges == [CHALLENGE]
    assert outcome.evidence is not None
    assert outcome.evidence.challenge == CHALLENGE
    assert outcome.evidence.signature == sign_9796_2(CHALLENGE)


def test_a_valid_ecdsa_answer() -> None:
    outcome = active.authenticate_active(Chip(sign_ecdsa), dg15_of(EC_KEY.public_key()), AA_INFO)
    assert outcome.result == CheckResult(Verdict.VALID)


def test_a_signature_by_another_key_is_invalid_with_evidence() -> None:
    other = rsa.generate_private_key(65537, 2048)
    chip = Chip(lambda c: sign_9796_2(c, key=other))
    outcome = active.authenticate_active(chip, dg15_of(RSA_KEY.public_key()), None, rng)
    assert outcome.result == CheckResult(Verdict.INVALID, ("active_authentication_failed",))
    assert outcome.evidence is not None


def test_a_refusal_is_invalid() -> None:
    chip = Chip(sign_ecdsa, sw=0x6982)
    outcome = active.authenticate_active(chip, dg15_of(EC_KEY.public_key()), AA_INFO)
    assert outcome.result == CheckResult(Verdict.INVALID, ("active_authentication_refused",))
    assert outcome.evidence is None


def test_without_dg15_it_is_not_supported() -> None:
    outcome = active.authenticate_active(Chip(sign_ecdsa), None, AA_INFO)
    assert outcome.result == CheckResult(Verdict.NOT_SUPPORTED)


def not_performed(reason: str) -> CheckResult:
    return CheckResult(Verdict.NOT_PERFORMED, (f"active_authentication_{reason}",))


def test_an_ec_key_without_its_hash_in_dg14_is_not_performed() -> None:
    chip = Chip(sign_ecdsa)
    outcome = active.authenticate_active(chip, dg15_of(EC_KEY.public_key()), None)
    assert outcome.result == not_performed("algorithm_unknown")
    assert chip.challenges == []


def test_a_key_of_another_kind_is_not_performed() -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    outcome = active.authenticate_active(Chip(sign_ecdsa), dg15_of(key), AA_INFO)
    assert outcome.result == not_performed("unsupported")


def test_a_lost_session_is_not_performed() -> None:
    outcome = active.authenticate_active(None, dg15_of(EC_KEY.public_key()), AA_INFO)
    assert outcome.result == not_performed("session_lost")

    class Broken:
        def transmit(self, command: CommandAPDU) -> ResponseAPDU:
            raise SecureMessagingError("MAC does not verify")

    outcome = active.authenticate_active(Broken(), dg15_of(EC_KEY.public_key()), AA_INFO)
    assert outcome.result == not_performed("session_lost")
