"""The HTTP client of the central server: the only module of the kiosk that imports requests.

What it guarantees:
- **TLS pinned, no CA.** The server's certificate is accepted only when the SHA-256 of its
  SubjectPublicKeyInfo matches one of the pins the kiosk holds (a primary and a backup, from
  registration or a signed configuration bundle); the system's CAs are never consulted, and a
  mismatch raises ``ServerKeyMismatch`` before a byte of the request is written.
- **Signed requests.** Every request but registration and ``GET /v1/server`` carries the RFC 9421
  signature (``kiosk.sync.signing``) and the kiosk's ``X-Kiosk-*`` status headers.
- **Bounded waits.** A connect and a read timeout on every request; a proxy from the environment
  is never used (the server is reached directly).
- **Plain answers.** A response becomes a ``Reply`` (status, error code, body, server time);
  anything that is not a response (refused, reset, timed out, TLS failure) is
  ``ServerUnreachable``. Classifying replies is ``kiosk.sync.policy``'s job.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import ssl
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from kiosk.domain.clock import Clock
from kiosk.sync.errors import ServerKeyMismatch, ServerUnreachable
from kiosk.sync.signing import RequestParts, sign_request

log = logging.getLogger(__name__)

API = "/v1"
JOSE = "application/jose"


@dataclass(frozen=True, slots=True)
class KioskInfo:
    """The status headers every signed request carries (the server lists kiosks by them)."""

    version: str
    uptime_seconds: int
    backlog: int
    self_test: str

    def headers(self) -> dict[str, str]:
        """As ``X-Kiosk-*`` headers."""
        return {
            "X-Kiosk-Version": self.version,
            "X-Kiosk-Uptime": str(self.uptime_seconds),
            "X-Kiosk-Backlog": str(self.backlog),
            "X-Kiosk-Self-Test": self.self_test,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer.

    Attributes:
        code: the JSON error body's ``code`` (None on success or without one).
        server_time: the response's ``Date``, for the clock comparison.
        retry_after: the ``Retry-After`` seconds of a 429 or 503, if given.
    """

    status: int
    code: str | None
    body: bytes
    server_time: datetime | None
    retry_after: float | None

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Credentials:
    """How this kiosk signs: its ``kid`` and a signing function (the key stays in the store)."""

    key_id: str
    sign: Callable[[bytes], bytes]


def spki_sha256(certificate_der: bytes) -> bytes:
    """The SHA-256 of a certificate's SubjectPublicKeyInfo (DER): what a pin names."""
    certificate = x509.load_der_x509_certificate(certificate_der)
    spki = certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()


def pin_digest(pin: str) -> bytes:
    """The 32-byte digest a pin names, whether written base64, base64url, base32 or hex.

    The protocol names the invitation pin base32 and leaves ``tls_pins`` to the server; reading
    every common spelling keeps the two sides from disagreeing on letters.

    Raises:
        ValueError: not a SHA-256 digest in any of those spellings.
    """
    text = pin.strip().removeprefix("sha256/")
    for decode in (_hex, _b64, _b64url, _b32):
        try:
            digest = decode(text)
        except ValueError:
            continue
        if len(digest) == hashlib.sha256().digest_size:
            return digest
    raise ValueError("not a SHA-256 pin")


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b32(text: str) -> bytes:
    return base64.b32decode(text.upper() + "=" * (-len(text) % 8))


class _PinnedPool(HTTPSConnectionPool):
    """A connection pool that checks the server's public key against the pins on each use."""

    pins: frozenset[bytes] = frozenset()
    matched: bytes | None = None
    """The last certificate (DER) whose key matched a pin: a reused connection's is not parsed
    again for every request."""

    def _validate_conn(self, conn: Any) -> None:
        # Not the parent's: it warns about the unverified certificate, which is deliberate here
        # (the pin is stronger than a CA) and would fail the test suite's warnings-as-errors.
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()
        assert isinstance(conn, HTTPSConnection)  # noqa: S101 - this pool makes only these
        sock = conn.sock
        der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        if der and der == self.matched:
            return
        if not der or spki_sha256(der) not in self.pins:
            conn.close()
            raise ServerKeyMismatch("server TLS key matches no pin", host=str(self.host))
        self.matched = der


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, pins: Collection[bytes]) -> None:
        self._pool_class = type("PinnedPool", (_PinnedPool,), {"pins": frozenset(pins)})
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        # Our own context: without one, urllib3 loads the system's CA store for every new
        # connection (about 0.1 s of CPU), for CAs the pin makes irrelevant.
        kwargs["ssl_context"] = _pin_only_context()
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": HTTPConnectionPool,
            "https": self._pool_class,
        }


def _pin_only_context() -> ssl.SSLContext:
    """TLS 1.2 or later with no CA verification: the pin is checked on every connection."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class ServerClient:
    """One kiosk's HTTPS client of one central server, usable from several threads at once.

    A request takes a free ``requests.Session`` (its own pinned connection) and gives it back,
    so the relay's senders have their requests in flight side by side, and there are never more
    sessions than requests that were in flight at once.
    """

    def __init__(
        self,
        base_url: str,
        pins: Collection[str],
        clock: Clock,
        *,
        credentials: Credentials | None = None,
        info: Callable[[], KioskInfo] | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        """Prepare a client; nothing is sent yet.

        Raises:
            ValueError: the URL is not ``https://``, or a pin is not a SHA-256 digest.
        """
        if urlsplit(base_url).scheme != "https":
            raise ValueError("the central server is reached over https only")
        self._base = base_url.rstrip("/")
        self._clock = clock
        self._credentials = credentials
        self._info = info
        self._timeout = timeout
        self._pins = [pin_digest(pin) for pin in pins]
        self._sessions: list[requests.Session] = []
        self._free: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self.clock_offset: timedelta | None = None

    def close(self) -> None:
        """Close the pooled connections."""
        with self._sessions_lock:
            sessions, self._sessions, self._free = self._sessions, [], []
        for session in sessions:
            session.close()

    def _take_session(self) -> requests.Session:
        with self._sessions_lock:
            if self._free:
                return self._free.pop()
        session = requests.Session()
        session.trust_env = False
        session.verify = False
        session.mount("https://", _PinnedAdapter(self._pins))
        with self._sessions_lock:
            self._sessions.append(session)
        return session

    def _give_back(self, session: requests.Session) -> None:
        with self._sessions_lock:
            if session in self._sessions:
                self._free.append(session)

    def server(self) -> Reply:
        """``GET /v1/server`` (unsigned): the server's keys and pins."""
        return self._request("GET", "/server", signed=False)

    def register(self, body: dict[str, Any]) -> Reply:
        """``POST /v1/kiosks/register`` (unsigned: the invitation code is the credential)."""
        return self._request("POST", "/kiosks/register", body=_json(body), signed=False)

    def send_packet(self, packet_id: str, payload: bytes) -> Reply:
        """``POST /v1/packets`` with the stored JWE and its packet id as the idempotency key."""
        return self._request("POST", "/packets", body=payload, idempotency_key=packet_id)

    def verdicts(self, after: int, limit: int) -> Reply:
        """``GET /v1/verdicts``: this kiosk's verdicts after the cursor."""
        return self._request("GET", "/verdicts", query={"after": after, "limit": limit})

    def configuration(self, after: int) -> Reply:
        """``GET /v1/config``: a signed bundle newer than ``after``, or 204."""
        return self._request("GET", "/config", query={"after": after})

    def ping(self) -> Reply:
        """``GET /v1/ping``: the self-test's signed round trip."""
        return self._request("GET", "/ping")

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        query: dict[str, int] | None = None,
        idempotency_key: str | None = None,
        signed: bool = True,
    ) -> Reply:
        full_path = API + path
        query_text = urlencode(query or {})
        headers = {"Accept": "application/json, application/jose"}
        if body:
            headers["Content-Type"] = JOSE if idempotency_key else "application/json"
        if signed:
            headers |= self._signed_headers(method, full_path, query_text, body, idempotency_key)
        url = self._base + full_path + (f"?{query_text}" if query_text else "")
        sent_at = self._clock.now()
        session = self._take_session()
        try:
            response = session.request(
                method, url, data=body or None, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as err:
            log.info("%s %s: no answer (%s)", method, full_path, type(err).__name__)
            raise ServerUnreachable(type(err).__name__, reason=type(err).__name__) from err
        finally:
            self._give_back(session)
        reply = _reply(response)
        self._note_clock(reply, sent_at)
        log.info("%s %s -> %d %s", method, full_path, reply.status, reply.code or "")
        return reply

    def _signed_headers(
        self, method: str, path: str, query: str, body: bytes, idempotency_key: str | None
    ) -> dict[str, str]:
        if self._credentials is None:
            raise ValueError("a signed request needs the kiosk's credentials")
        parts = RequestParts(method, path, query, body, idempotency_key)
        headers = sign_request(
            parts, self._credentials.key_id, self._credentials.sign, self._clock.now()
        )
        if self._info is not None:
            headers |= self._info().headers()
        return headers

    def _note_clock(self, reply: Reply, sent_at: datetime) -> None:
        if reply.server_time is None:
            return
        received_at = self._clock.now()
        midpoint = sent_at + (received_at - sent_at) / 2
        self.clock_offset = reply.server_time - midpoint


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _reply(response: requests.Response) -> Reply:
    body = response.content
    code = None
    if response.status_code >= 400 and body[:1] == b"{":
        try:
            document = json.loads(body)
            code = document.get("code") if isinstance(document, dict) else None
            code = code if isinstance(code, str) else None
        except ValueError:
            code = None
    return Reply(
        status=response.status_code,
        code=code,
        body=body,
        server_time=_date(response.headers.get("Date")),
        retry_after=_seconds(response.headers.get("Retry-After")),
    )


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
