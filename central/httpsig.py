"""HTTP Message Signatures (RFC 9421) on kiosk requests: parsing, the signature base, checks.

Exactly the profile of docs/sync-protocol.md ("Transport"): one signature labelled ``kiosk``,
covering at least ``@method``, ``@path``, ``@query``, ``date`` and ``content-digest`` (and
``idempotency-key`` when the request carries one), with ``created``, ``nonce`` and ``keyid``
parameters and ``alg="ed25519"``. The body's ``Content-Digest`` (RFC 9530, SHA-256) is checked
here; which kiosk the key id names, the signature itself, the clock and the nonce are checked by
the caller, which holds the keys and the nonce store.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from central.errors import ProtocolError

LABEL = "kiosk"
DERIVED = ("@method", "@path", "@query")
REQUIRED = (*DERIVED, "date", "content-digest")
MAX_NONCE = 128

_INPUT = re.compile(
    r'kiosk=(?P<value>\((?P<components>"[^"]*"(?: "[^"]*")*)?\)'
    r'(?P<params>(?:;[a-z][a-z0-9_.*-]*=(?:[0-9]{1,15}|"[^"\\]*"))*))'
)
_PARAM = re.compile(r';([a-z][a-z0-9_.*-]*)=([0-9]{1,15}|"[^"\\]*")')
_SIGNATURE = re.compile(r"kiosk=:(?P<value>[A-Za-z0-9+/]*={0,2}):")
_DIGEST = re.compile(r"sha-256=:(?P<value>[A-Za-z0-9+/]*={0,2}):")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a request's signature claims; valid only once the caller verified ``signature``."""

    keyid: str
    created: int
    nonce: str
    date: dt.datetime
    base: bytes
    signature: bytes
    body_sha256: bytes


def parse(
    method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
) -> SignedRequest:
    """Check the digest and the signature's form, and build the signature base.

    Args:
        method: the request method.
        path: the request target's path as sent (percent-encoded).
        query: the query string as sent, without ``?`` ("" when there is none).
        headers: the request headers, looked up by lower-case name.
        body: the request body as received.

    Raises:
        ProtocolError: 401 ``signature_invalid`` for anything missing or malformed.
    """
    body_sha256 = hashlib.sha256(body).digest()
    _check_digest(headers.get("content-digest"), body_sha256)
    found = _INPUT.fullmatch(headers.get("signature-input", ""))
    signature = _SIGNATURE.fullmatch(headers.get("signature", ""))
    if found is None or signature is None:
        raise _invalid("Signature-Input or Signature missing or not in the protocol's form")
    components = re.findall(r'"([^"]*)"', found["components"] or "")
    params = {name: value.strip('"') for name, value in _PARAM.findall(found["params"])}
    _check_coverage(components, headers)
    if params.get("alg", "ed25519") != "ed25519":
        raise _invalid("alg must be ed25519")
    keyid, created, nonce = params.get("keyid"), params.get("created"), params.get("nonce")
    if not keyid or not created or not created.isdigit() or not nonce or len(nonce) > MAX_NONCE:
        raise _invalid("keyid, created and nonce are required")
    values = {
        "@method": method.upper(),
        "@path": path,
        "@query": f"?{query}",
        **{name: headers.get(name, "") for name in components if not name.startswith("@")},
    }
    lines = [f'"{name}": {values[name]}' for name in components]
    lines.append(f'"@signature-params": {found["value"]}')
    return SignedRequest(
        keyid=keyid,
        created=int(created),
        nonce=nonce,
        date=_date(headers.get("date", "")),
        base="\n".join(lines).encode(),
        signature=base64.b64decode(signature["value"]),
        body_sha256=body_sha256,
    )


def _check_digest(header: str | None, body_sha256: bytes) -> None:
    found = _DIGEST.search(header or "")
    if found is None:
        raise _invalid("Content-Digest with sha-256 missing")
    try:
        claimed = base64.b64decode(found["value"], validate=True)
    except binascii.Error as err:
        raise _invalid("Content-Digest is not base64") from err
    if not hmac.compare_digest(claimed, body_sha256):
        raise _invalid("Content-Digest does not match the body")


def _check_coverage(components: list[str], headers: Mapping[str, str]) -> None:
    needed = [*REQUIRED, *(["idempotency-key"] if "idempotency-key" in headers else [])]
    missing = [name for name in needed if name not in components]
    if missing:
        raise _invalid(f"signature does not cover {missing[0]}")
    for name in components:
        if name.startswith("@") and name not in DERIVED:
            raise _invalid(f"unsupported component {name[:32]}")
        if not name.startswith("@") and name not in headers:
            raise _invalid(f"covered header {name[:32]} is absent")
    if len(set(components)) != len(components):
        raise _invalid("a component is covered twice")


def _date(text: str) -> dt.datetime:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError) as err:
        raise _invalid("Date is not an HTTP date") from err
    if moment.tzinfo is None:
        raise _invalid("Date has no zone")
    return moment


def _invalid(detail: str) -> ProtocolError:
    return ProtocolError(401, "signature_invalid", detail)
