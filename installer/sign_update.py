"""Sign an update package for ``kiosk update`` (the province's build side).

    sign_update.py keygen PRIVATE.pem PUBLIC.pem       a new Ed25519 update key pair
    sign_update.py sign FILE --key PRIVATE.pem --version X.Y.Z

``sign`` writes ``FILE.sig`` beside the package (format: ``kiosk.services.updates``). The public
key goes into every kiosk's settings as ``security.update_public_key``; the private key stays
with the province, offline.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from kiosk.services.updates import sign_update, signature_path


def keygen(private_path: Path, public_path: Path) -> None:
    """Write a new key pair; the private key readable by its owner only."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def sign(package: Path, private_path: Path, version: str) -> Path:
    """Write ``package``'s signature file and return its path."""
    key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SystemExit("sign_update: the key is not an Ed25519 private key")
    target = signature_path(package)
    target.write_text(sign_update(package, version, key), encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    """Run one sub-command."""
    parser = argparse.ArgumentParser(description="Sign kiosk update packages.")
    commands = parser.add_subparsers(dest="command", required=True)
    pair = commands.add_parser("keygen")
    pair.add_argument("private", type=Path)
    pair.add_argument("public", type=Path)
    one = commands.add_parser("sign")
    one.add_argument("package", type=Path)
    one.add_argument("--key", type=Path, required=True)
    one.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    if args.command == "keygen":
        keygen(args.private, args.public)
    else:
        print(f"sign_update: {sign(args.package, args.key, args.version)}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
