"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Only hashes are stored; verifying runs in constant work whatever the input, and a hash made with
older parameters is flagged so the caller can re-hash it at the next successful login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, with salt and parameters) of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with parameters weaker than the current ones."""
    return _HASHER.check_needs_rehash(password_hash)
