"""A fault-injecting HTTPS reverse proxy on loopback, in front of the real central server.

It serves the server's own certificate and key (so the kiosk's pin matches, as it would for a
TLS-terminating load balancer) and forwards each request to the server, unless a planned fault
applies to it: an error status with the protocol's JSON body, a response held back longer than
the client's timeout, or the connection reset in the middle of the upload. Faults are planned
per request path prefix and count, from the test's thread; everything the proxy did is counted.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class Fault:
    """What to do with the next ``count`` requests whose path starts with ``prefix``.

    kind: ``status`` (answer ``status`` with ``code``), ``slow`` (forward, then hold the answer
    ``seconds``), ``reset`` (read half the body, then reset the connection), ``tamper``
    (forward, then change one byte of the answer's signature).
    """

    kind: str
    count: int
    prefix: str = "/v1/packets"
    status: int = 500
    code: str = "server_error"
    seconds: float = 0.0
    retry_after: int | None = None


class FaultProxy:
    """The proxy; ``url`` is what the kiosk registers with."""

    def __init__(self, upstream: str, cert: Path, key: Path) -> None:
        self.upstream = upstream
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.enabled = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def plan(self, fault: Fault) -> None:
        """Apply ``fault`` to the next matching requests."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Forward everything from now on."""
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.prefix) and fault.count > 0:
                    fault.count -= 1
                    self.seen[fault.kind] += 1
                    return fault
        self.seen["forwarded"] += 1
        return None


class _Handler(BaseHTTPRequestHandler):
    proxy: ClassVar[FaultProxy]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test's output is the assertions."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        fault = self.proxy.take(self.path)
        if fault is not None and fault.kind == "reset":
            self.rfile.read(length // 2)
            self._reset()
            return
        body = self.rfile.read(length)
        if fault is not None and fault.kind == "status":
            self._answer_error(fault)
            return
        status, headers, content = self._forward(body)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "tamper":
            content = content[:-2] + (b"A" if content[-2:-1] != b"A" else b"B") + content[-1:]
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        host, port = self.proxy.upstream.removeprefix("https://").rsplit(":", 1)
        context = ssl._create_unverified_context()  # noqa: S323 - loopback to our own server
        connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _answer_error(self, fault: Fault) -> None:
        content = json.dumps({"code": fault.code, "detail": "injected"}).encode()
        self.send_response(fault.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        if fault.retry_after is not None:
            self.send_header("Retry-After", str(fault.retry_after))
        self.end_headers()
        self.wfile.write(content)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout: close() sends RST, as a dropped link would.
        raw = self.connection
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        raw.close()
