"""The simulated chip's private keys for Chip and Active Authentication, and their clones.

Both keys are brainpoolP256r1, like the chip's PACE parameters. Active Authentication uses
ECDSA rather than RSA with ISO/IEC 9796-2: the signature comes from ``cryptography`` on the
chip side (no hand-made RSA private-key arithmetic in the simulator), the key is as small as
the Chip Authentication key, and it exercises the ActiveAuthenticationInfo of DG14 that ECDSA
needs; the reader's RSA path is covered by unit tests with keys of their own.

Keys are derived from the citizen's ID number and a label, so the same card has the same DG14
and DG15 on every build, as a real card does. They protect nothing: this is a test chip. The
``clone-ca`` and ``clone-aa`` faults keep DG14 and DG15 (and so the SOD) of the genuine card,
but the chip computes with a key derived under another label: a copy of the data without the
chip's secrets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.devices.sim.chip.faults import Fault

CURVE = ec.BrainpoolP256R1()
_ORDER = int("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7", 16)
"""The order n of brainpoolP256r1 (RFC 5639 §3.4)."""


@dataclass(frozen=True, slots=True)
class ChipKeys:
    """The keys the chip computes with, and the public keys its DG14 and DG15 hold.

    Attributes:
        chip_authentication: the static key-agreement key (the clone's under ``clone-ca``).
        active_authentication: the signing key (the clone's under ``clone-aa``).
        chip_authentication_spki: the DER SubjectPublicKeyInfo DG14 announces.
        active_authentication_spki: the DER SubjectPublicKeyInfo DG15 holds.
    """

    chip_authentication: ec.EllipticCurvePrivateKey = field(repr=False)
    active_authentication: ec.EllipticCurvePrivateKey = field(repr=False)
    chip_authentication_spki: bytes = field(repr=False)
    active_authentication_spki: bytes = field(repr=False)


def chip_keys(id_number: str, fault: Fault | None = None) -> ChipKeys:
    """The keys of the card of ``id_number``, with a clone's private key under a clone fault."""
    genuine_ca, genuine_aa = _key(id_number, "CA"), _key(id_number, "AA")
    used_ca = _key(id_number, "clone-CA") if fault is Fault.CLONE_CA else genuine_ca
    used_aa = _key(id_number, "clone-AA") if fault is Fault.CLONE_AA else genuine_aa
    return ChipKeys(used_ca, used_aa, _spki(genuine_ca), _spki(genuine_aa))


def _key(id_number: str, label: str) -> ec.EllipticCurvePrivateKey:
    seed = hashlib.sha256(f"kiosk simulated chip {label} {id_number}".encode()).digest()
    return ec.derive_private_key(int.from_bytes(seed, "big") % (_ORDER - 1) + 1, CURVE)


def _spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
