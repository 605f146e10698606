"""The ``central`` command line: serve, kiosk invite/revoke/list, config publish (docs/central.md).

Every command takes ``--data DIR`` (keys, certificate, default database; ``CENTRAL_DATA_DIR``
or the user's data folder by default) and ``--db URL``, so the administration commands work on
the database of a running server. Exit codes: 0 done, 1 refused or failed (a message on
stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from central.bundles import BundleError
from central.registry import KioskInfo
from central.serve import serve
from central.service import Central, Settings, TestAnchorOutsideDemo
from kiosk.emrtd import EmrtdError

_log = logging.getLogger("central")

_KIOSK_ID_WITH_DASH = re.compile(r"-[A-Za-z0-9_-]{42}")
"""A kiosk id is a JWK thumbprint in base64url (43 characters), which begins with '-' once in 64."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(_kiosk_ids_as_operands(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=logging.INFO if args.command == "serve" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.run(args))
    except (TestAnchorOutsideDemo, EmrtdError, BundleError, OSError, ValueError) as err:
        _complain(f"central: {err}")
        return 1


def _kiosk_ids_as_operands(argv: Sequence[str]) -> list[str]:
    """Moves a kiosk id that begins with '-' behind ``--``, where argparse reads it as an operand.

    Without this, ``central kiosk revoke -8sUV...`` fails as a usage error for one kiosk in 64,
    and the administrator would have to know to write ``--`` themselves.
    """
    words = list(argv)
    if "--" in words:
        return words
    ids = [w for w in words if _KIOSK_ID_WITH_DASH.fullmatch(w)]
    if not ids:
        return words
    return [w for w in words if w not in ids] + ["--", *ids]


def _say(text: str) -> None:
    """A line of the command's output."""
    sys.stdout.write(text + "\n")


def _complain(text: str) -> None:
    """A line for the operator on stderr."""
    sys.stderr.write(text + "\n")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=_default_data(), help="the data folder")
    common.add_argument("--db", help="database URL (default: SQLite in the data folder)")
    common.add_argument("--tls-cert", type=Path, help="TLS certificate (default: self-signed)")
    common.add_argument("--tls-key", type=Path, help="the TLS certificate's key")
    parser = argparse.ArgumentParser(prog="central", description="the reference central server")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", parents=[common], help="serve the sync protocol")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8443, help="0 picks a free port")
    run.add_argument("--demo", action="store_true", help="accept DEMO packets, activate at once")
    run.add_argument("--activation-delay", type=float, metavar="S", help="seconds to activation")
    run.add_argument("--trust", type=Path, metavar="DIR", help="the CSCA folder")
    run.add_argument("--ready-file", type=Path, metavar="F", help='{"url","pin","pid"} here')
    run.add_argument(
        "--worker-processes",
        type=int,
        default=0,
        metavar="N",
        help="open and decide packets in N worker processes (default 0: in the server's threads)",
    )
    run.set_defaults(run=_serve)

    kiosk = commands.add_parser("kiosk", help="registered kiosks").add_subparsers(
        dest="kiosk_command", required=True
    )
    invite = kiosk.add_parser("invite", parents=[common], help="a one-time registration code")
    invite.add_argument("--unit", required=True, help="the police unit's code")
    invite.add_argument("--counter", type=int, required=True, help="the counter number")
    invite.set_defaults(run=_invite)
    revoke = kiosk.add_parser("revoke", parents=[common], help="revoke a kiosk's key")
    revoke.add_argument("kid")
    revoke.set_defaults(run=_revoke)
    listing = kiosk.add_parser("list", parents=[common], help="kiosks by last contact")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_list)

    config = commands.add_parser("config", help="configuration bundles").add_subparsers(
        dest="config_command", required=True
    )
    publish = config.add_parser("publish", parents=[common], help="sign and publish a bundle")
    publish.add_argument("file", type=Path, help="JSON: thresholds, verdict_policy, trust_store")
    publish.set_defaults(run=_publish)
    return parser


def _default_data() -> Path:
    folder = os.environ.get("CENTRAL_DATA_DIR")
    return Path(folder) if folder else Path(platformdirs.user_data_dir("kiosk-central"))


def _central(args: argparse.Namespace, *, serving: bool = False) -> Central:
    settings = Settings(
        data_dir=args.data,
        db_url=args.db,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        demo=serving and args.demo,
        activation_delay=args.activation_delay if serving else None,
        trust_dir=args.trust if serving else None,
        worker_processes=args.worker_processes if serving else 0,
    )
    return Central(settings)


def _serve(args: argparse.Namespace) -> int:
    if args.trust is None:
        _log.warning("no --trust CSCA folder: every chip will be declined as unverifiable")
    central = _central(args, serving=True)
    serve(central, args.host, args.port, args.ready_file)
    return 0


def _invite(args: argparse.Namespace) -> int:
    central = _central(args)
    try:
        code = central.registry.invite(args.unit, args.counter)
    finally:
        central.close()
    _say(f"Invitation for unit {args.unit}, counter {args.counter}: one use, valid 24 hours")
    _say(code)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    central = _central(args)
    try:
        found = central.registry.revoke(args.kid)
    finally:
        central.close()
    if not found:
        _complain(f"central: no kiosk {args.kid}")
        return 1
    _say(f"revoked {args.kid}")
    return 0


def _list(args: argparse.Namespace) -> int:
    central = _central(args)
    try:
        kiosks = central.registry.kiosks()
    finally:
        central.close()
    if args.json:
        _say(json.dumps({"kiosks": [_json(k) for k in kiosks]}, indent=2))
        return 0
    for k in kiosks:
        state = "revoked" if k.revoked else (k.chain_flag or "ok")
        contact = k.last_contact_at.isoformat() if k.last_contact_at else "never"
        fields = (k.version, k.uptime, k.backlog, k.self_test, k.audit_sequence)
        version, uptime, backlog, self_test, head = ("-" if f is None else f for f in fields)
        _say(
            f"{k.kiosk_id}  {k.unit}/{k.counter}  {state}  last contact {contact}  "
            f"version {version}  uptime {uptime} s  backlog {backlog}  self-test {self_test}  "
            f"audit head {head}"
        )
    return 0


def _json(k: KioskInfo) -> dict[str, object]:
    return {
        "kiosk_id": k.kiosk_id,
        "unit": k.unit,
        "counter": k.counter,
        "name": k.name,
        "registered_at": k.registered_at.isoformat(),
        "revoked": k.revoked,
        "last_contact_at": k.last_contact_at.isoformat() if k.last_contact_at else None,
        "version": k.version,
        "uptime": k.uptime,
        "backlog": k.backlog,
        "self_test": k.self_test,
        "audit_head": None
        if k.audit_sequence is None
        else {"sequence": k.audit_sequence, "hash": k.audit_hash},
        "chain_flag": k.chain_flag,
    }


def _publish(args: argparse.Namespace) -> int:
    document = json.loads(args.file.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        _complain("central: the bundle file must hold a JSON object")
        return 1
    central = _central(args)
    try:
        version = central.bundles.publish(
            document, args.file.parent, central.registry.public_keys()
        )
    finally:
        central.close()
    _say(f"published configuration bundle {version}")
    return 0
