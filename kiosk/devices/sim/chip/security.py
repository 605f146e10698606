"""The card side of access control and secure messaging, built on the emrtd primitives.

The chip plays the other half of what ``kiosk.emrtd`` does as a terminal, with the same
functions: BAC (ICAO 9303-11 §4.3) answers GET CHALLENGE and EXTERNAL AUTHENTICATE, PACE (§4.4,
in ``chip.pace``) answers MSE:Set AT and GENERAL AUTHENTICATE, Chip Authentication (§6.2)
agrees new session keys with the chip's static key, Active Authentication (§6.1) signs the
terminal's challenge, and secure messaging (§9.8) checks every protected command and protects
every response with the send sequence counter. A protocol that ends in session keys hands them
to ``establish``; Chip Authentication does so while its own answer is still protected under
the old keys (the OS wraps it with the session it unwrapped the command with).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from kiosk.devices.sim.chip.keys import CURVE, ChipKeys
from kiosk.devices.sim.chip.pace import CardPACE
from kiosk.devices.sim.chip.status import (
    CONDITIONS_NOT_SATISFIED,
    INCORRECT_DATA,
    VERIFICATION_FAILED,
    Refusal,
)
from kiosk.emrtd import bac, pace, tlv
from kiosk.emrtd.apdu import CommandAPDU, ResponseAPDU
from kiosk.emrtd.bac import BACKeys
from kiosk.emrtd.crypto.cipher import tdes_decrypt
from kiosk.emrtd.crypto.kdf import KeyType
from kiosk.emrtd.errors import AccessDenied, MalformedData
from kiosk.emrtd.keys import CANKey, MRZKey
from kiosk.emrtd.lds import der
from kiosk.emrtd.lds.security_infos import ID_CA_ECDH_AES_CBC_CMAC_128, PACEInfo
from kiosk.emrtd.sm import MAC_LENGTH, SessionKeys, unwrap_command, wrap_response

CHALLENGE_LENGTH = 8
"""RND.IC is 8 bytes (ICAO 9303-11 §4.3.4.1)."""
CRYPTOGRAM_LENGTH = 40
"""EXTERNAL AUTHENTICATE data: E_IFD (32) || M_IFD (8) (ICAO 9303-11 §4.3.4.2)."""
_STATUS_OBJECT = 4
"""DO'99' with the two status bytes."""
_MAC_OBJECT = 2 + MAC_LENGTH
"""DO'8E' with the 8-byte MAC."""
_COORDINATE = 32
"""brainpoolP256r1 coordinates and ECDSA halves are 32 bytes."""

Random = Callable[[int], bytes]


class SecureSession:
    """One secure-messaging session: the session keys and the chip's send sequence counter.

    The counter is incremented before every command and every response (ICAO 9303-11 §9.8.2),
    so a replayed command, whose MAC covers an older counter, fails its check.
    """

    def __init__(self, keys: SessionKeys, ssc: bytes) -> None:
        self._keys = keys
        self._ssc = int.from_bytes(ssc, "big")

    def unwrap(self, protected: CommandAPDU) -> CommandAPDU:
        """Verify and decrypt a protected command (§9.8.4).

        Raises:
            SecureMessagingError: the MAC is wrong or an object is malformed.
        """
        return unwrap_command(self._keys, self._next_ssc(), protected)

    def wrap(self, response: ResponseAPDU, *, odd_ins: bool) -> ResponseAPDU:
        """Protect a response (§9.8.5); an odd INS carries its data in DO'85'."""
        return wrap_response(self._keys, self._next_ssc(), response, odd_ins=odd_ins)

    def room(self, budget: int, *, odd_ins: bool) -> int:
        """The most plain response bytes whose protected form fits ``budget`` bytes.

        A short response holds at most 256 bytes (ISO/IEC 7816-4 §5.1), and DO'87', DO'99' and
        DO'8E' take room of their own, so a read is shortened to what still fits.
        """
        size = budget
        while size > 0 and self._protected_size(size, odd_ins=odd_ins) > budget:
            size -= 1
        return size

    def _protected_size(self, size: int, *, odd_ins: bool) -> int:
        block = self._keys.block_size
        cryptogram = (size // block + 1) * block
        value = cryptogram if odd_ins else cryptogram + 1  # DO'87' adds the indicator byte 01
        return 1 + len(tlv.encode_length(value)) + value + _STATUS_OBJECT + _MAC_OBJECT

    def _next_ssc(self) -> bytes:
        block = self._keys.block_size
        self._ssc = (self._ssc + 1) % (1 << (8 * block))
        return self._ssc.to_bytes(block, "big")


class CardSecurity:
    """The chip's security state: the pending challenge and the secure-messaging session.

    Args:
        key: the MRZ key the chip was personalised with (BAC and PACE-MRZ).
        can: the CAN (PACE-CAN).
        pace_offered: the PACEInfos of EF.CardAccess; none refuses PACE.
        keys: the Chip and Active Authentication private keys.
        rng: the chip's random source (RND.IC, K.IC, PACE nonces and keys).
    """

    def __init__(
        self,
        key: MRZKey,
        can: CANKey,
        pace_offered: tuple[PACEInfo, ...],
        keys: ChipKeys,
        rng: Random = os.urandom,
    ) -> None:
        self._bac_keys: BACKeys = bac.derive_bac_keys(key)
        passwords: dict[int, pace.Password] = {pace.PASSWORD_MRZ: key, pace.PASSWORD_CAN: can}
        self.pace = CardPACE(pace_offered, passwords, rng)
        self._keys = keys
        self._rng = rng
        self._challenge: bytes | None = None
        self._session: SecureSession | None = None
        self._chip_authentication_set = False

    @property
    def session(self) -> SecureSession | None:
        """The open secure-messaging session, or None before access and after an SM error."""
        return self._session

    def reset(self) -> None:
        """Forget the challenge, PACE and the session, as a power cycle or warm reset does."""
        self._challenge = None
        self._session = None
        self._chip_authentication_set = False
        self.pace.reset()

    def drop_session(self) -> None:
        """End secure messaging: after an SM error or a plain command (ICAO 9303-11 §9.8)."""
        self._session = None
        self._chip_authentication_set = False

    def establish(self, keys: SessionKeys, ssc: bytes) -> None:
        """Open secure messaging with the keys an access protocol has just agreed."""
        self._session = SecureSession(keys, ssc)

    def get_challenge(self) -> bytes:
        """GET CHALLENGE: a fresh RND.IC, valid for the next EXTERNAL AUTHENTICATE only."""
        self._challenge = self._rng(CHALLENGE_LENGTH)
        return self._challenge

    def external_authenticate(self, cryptogram: bytes) -> bytes:
        """The chip's half of BAC mutual authentication (ICAO 9303-11 §4.3.4.2, App. D.3).

        BAC is symmetric: the chip checks the terminal's E_IFD || M_IFD with the same function
        the terminal uses on the chip's answer, and builds its own E_IC || M_IC with the
        terminal's function, with the roles of the random values swapped.

        Raises:
            Refusal: 6985 without a preceding GET CHALLENGE; 6300 when the cryptogram is wrong
                (the terminal holds another MRZ key).
        """
        rnd_ic, self._challenge = self._challenge, None
        if rnd_ic is None:
            raise Refusal(CONDITIONS_NOT_SATISFIED)
        try:
            k_ifd = bac.check_chip_cryptogram(self._bac_keys, cryptogram, rnd_ic)
        except AccessDenied as err:
            raise Refusal(VERIFICATION_FAILED) from err
        rnd_ifd = tdes_decrypt(self._bac_keys.k_enc, cryptogram[:32])[:CHALLENGE_LENGTH]
        k_ic = self._rng(16)
        answer = bac.terminal_cryptogram(self._bac_keys, rnd_ic=rnd_ifd, rnd_ifd=rnd_ic, k_ifd=k_ic)
        self.establish(bac.session_keys(k_ifd, k_ic), bac.initial_ssc(rnd_ic, rnd_ifd))
        return answer

    def general_authenticate_pace(self, cla: int, data: bytes) -> bytes:
        """One PACE step; the last opens secure messaging with SSC = 0 (ICAO 9303-11 §9.8.2)."""
        answer, keys = self.pace.general_authenticate(cla, data)
        if keys is not None:
            self.establish(keys, bytes(keys.block_size))
        return answer

    def set_chip_authentication(self, data: bytes) -> None:
        """MSE:Set AT for Chip Authentication: only the protocol DG14 announces is accepted.

        Raises:
            Refusal: 6A80 for another protocol or malformed data.
        """
        try:
            items = {item.tag: item.value for item in tlv.iter_tlvs(data)}
            protocol = der.decode_oid(items.get(0x80, b""), "MSE:Set AT")
        except MalformedData as err:
            raise Refusal(INCORRECT_DATA) from err
        if protocol != ID_CA_ECDH_AES_CBC_CMAC_128:
            raise Refusal(INCORRECT_DATA)
        self._chip_authentication_set = True

    def chip_authenticate(self, data: bytes) -> None:
        """GENERAL AUTHENTICATE of Chip Authentication: agree, then switch to the new keys.

        The answer to this command is still protected with the old keys; every later one uses
        the new keys and SSC = 0 (ICAO 9303-11 §6.2.4). A ``clone-ca`` chip agrees with a key
        that does not match DG14, so the terminal's next command fails its MAC here.

        Raises:
            Refusal: 6985 without MSE:Set AT; 6A80 for a malformed or invalid public key.
        """
        if not self._chip_authentication_set:
            raise Refusal(CONDITIONS_NOT_SATISFIED)
        try:
            template = tlv.decode(data, 0x7C).children()
            point = template[0].value if len(template) == 1 and template[0].tag == 0x80 else b""
            public = ec.EllipticCurvePublicKey.from_encoded_point(CURVE, point)
        except (MalformedData, ValueError) as err:
            raise Refusal(INCORRECT_DATA) from err
        secret = self._keys.chip_authentication.exchange(ec.ECDH(), public)
        keys = pace.session_keys(secret, KeyType.AES128)
        self.establish(keys, bytes(keys.block_size))

    def internal_authenticate(self, challenge: bytes) -> bytes:
        """Active Authentication: ECDSA-SHA-256 over the challenge, plain r || s (TR-03111)."""
        signature = self._keys.active_authentication.sign(challenge, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(signature)
        return r.to_bytes(_COORDINATE, "big") + s.to_bytes(_COORDINATE, "big")
