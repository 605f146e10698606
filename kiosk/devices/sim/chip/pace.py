"""The card side of PACE with generic mapping (ICAO 9303-11 §4.4), on the emrtd step functions.

MSE:Set AT chooses the protocol and the password; four chained GENERAL AUTHENTICATE commands
follow, each answered as §4.4.4 prescribes: the encrypted nonce, the chip's mapping key, its
ephemeral key on the mapped generator, and its authentication token once the terminal's has
verified. A wrong token means the terminal holds another password: 6300, and PACE starts over.
The chip computes with the same ``KeyAgreement`` objects as the terminal, so both sides of the
simulation check every point the other sends.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.devices.sim.chip.status import (
    CONDITIONS_NOT_SATISFIED,
    INCORRECT_DATA,
    VERIFICATION_FAILED,
    Refusal,
)
from kiosk.emrtd import pace, tlv
from kiosk.emrtd.crypto.agreement import KeyAgreement, Random
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import der
from kiosk.emrtd.lds.security_infos import PACEInfo
from kiosk.emrtd.pace import PACEProtocol, Password
from kiosk.emrtd.sm import SessionKeys

NONCE_LENGTH = 16
_TAG_PROTOCOL = 0x80
_TAG_PASSWORD = 0x83
_CHAINING = 0x10


@dataclass(slots=True)
class _Run:
    """One PACE run in progress: what MSE:Set AT chose and what the steps have agreed so far."""

    protocol: PACEProtocol
    password: Password = field(repr=False)
    step: int = 1
    nonce: bytes = field(default=b"", repr=False)
    agreement: KeyAgreement | None = None
    keys: SessionKeys | None = None
    public: bytes = field(default=b"", repr=False)
    terminal_public: bytes = field(default=b"", repr=False)


class CardPACE:
    """The chip's PACE state: the offered protocols, the passwords, the run in progress.

    Args:
        offered: the PACEInfos of EF.CardAccess (none: the chip refuses PACE).
        passwords: the chip's passwords by MSE:Set AT reference (01 MRZ, 02 CAN).
        rng: the chip's random source (nonce, mapping and ephemeral keys).
    """

    def __init__(
        self, offered: tuple[PACEInfo, ...], passwords: Mapping[int, Password], rng: Random
    ) -> None:
        self._offered = {info.protocol: info for info in offered}
        self._passwords = passwords
        self._rng = rng
        self._run: _Run | None = None

    def reset(self) -> None:
        """Forget any run in progress."""
        self._run = None

    def set_authentication_template(self, data: bytes) -> None:
        """MSE:Set AT: the protocol (80) and the password reference (83).

        Raises:
            Refusal: 6A80 for a protocol not offered, an unknown password or malformed data.
        """
        self._run = None
        try:
            objects = {item.tag: item.value for item in tlv.iter_tlvs(data)}
            protocol = der.decode_oid(objects[_TAG_PROTOCOL], "MSE:Set AT")
            reference = objects[_TAG_PASSWORD]
        except (MalformedData, KeyError) as err:
            raise Refusal(INCORRECT_DATA) from err
        info = self._offered.get(protocol)
        password = self._passwords.get(int.from_bytes(reference, "big"))
        if info is None or password is None:
            raise Refusal(INCORRECT_DATA)
        self._run = _Run(pace.protocol_for(info), password)

    def general_authenticate(self, cla: int, data: bytes) -> tuple[bytes, SessionKeys | None]:
        """One GENERAL AUTHENTICATE step: the response data, and the keys after the last.

        Raises:
            Refusal: 6985 out of order or without MSE:Set AT; 6A80 for malformed data or an
                invalid point; 6300 when the terminal's token is wrong.
        """
        run = self._run
        if run is None or bool(cla & _CHAINING) == (run.step == 4):
            self._run = None
            raise Refusal(CONDITIONS_NOT_SATISFIED)
        try:
            value = _request(data, run.step)
            answer = _STEPS[run.step](self, run, value)
        except MalformedData as err:
            self._run = None
            raise Refusal(INCORRECT_DATA) from err
        run.step += 1
        if run.step <= 4:
            return answer, None
        self._run = None
        return answer, run.keys

    def _nonce(self, run: _Run, _value: bytes) -> bytes:
        run.nonce = self._rng(NONCE_LENGTH)
        k_pi = pace.password_key(run.password, run.protocol.key_type)
        return _answer(pace.TAG_NONCE, pace.encrypt_nonce(k_pi, run.protocol.key_type, run.nonce))

    def _mapping(self, run: _Run, terminal_mapping: bytes) -> bytes:
        standard = run.protocol.agreement
        private = standard.random_private(self._rng)
        run.agreement = standard.mapped(run.nonce, private, terminal_mapping)
        return _answer(pace.TAG_MAPPING_IC, standard.public_key(private))

    def _agreement(self, run: _Run, terminal_public: bytes) -> bytes:
        assert run.agreement is not None  # noqa: S101 - step 3 follows step 2
        private = run.agreement.random_private(self._rng)
        run.public = run.agreement.public_key(private)
        if hmac.compare_digest(run.public, terminal_public):
            raise MalformedData("PACE", "the terminal echoed our ephemeral public key")
        secret = run.agreement.secret(private, terminal_public)
        run.keys = pace.session_keys(secret, run.protocol.key_type)
        run.terminal_public = terminal_public
        return _answer(pace.TAG_EPHEMERAL_IC, run.public)

    def _token(self, run: _Run, token: bytes) -> bytes:
        assert run.keys is not None  # noqa: S101 - step 4 follows step 3
        expected = pace.authentication_token(run.keys, run.protocol, run.public)
        if not hmac.compare_digest(token, expected):
            self._run = None
            raise Refusal(VERIFICATION_FAILED)
        ours = pace.authentication_token(run.keys, run.protocol, run.terminal_public)
        return _answer(pace.TAG_TOKEN_IC, ours)


_STEPS = {1: CardPACE._nonce, 2: CardPACE._mapping, 3: CardPACE._agreement, 4: CardPACE._token}
_REQUEST_TAGS = {
    1: None,
    2: pace.TAG_MAPPING_IFD,
    3: pace.TAG_EPHEMERAL_IFD,
    4: pace.TAG_TOKEN_IFD,
}


def _request(data: bytes, step: int) -> bytes:
    """The one object a step's 7C template carries (nothing for the first step)."""
    children = tlv.decode(data, pace.TAG_DYNAMIC).children()
    tag = _REQUEST_TAGS[step]
    if tag is None and not children:
        return b""
    if len(children) != 1 or children[0].tag != tag:
        raise MalformedData("GENERAL AUTHENTICATE", f"step {step} expects one object")
    return children[0].value


def _answer(tag: int, value: bytes) -> bytes:
    return tlv.encode(pace.TAG_DYNAMIC, tlv.encode(tag, value))
