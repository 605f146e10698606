"""The server's worker processes end with the server, even when it is killed."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from central.workers import Workers

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _serve_with_one_worker(key_pem: bytes, report: Connection) -> None:
    """A stand-in server process: starts its worker, says the worker's pid, then waits."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    workers = Workers(1, None, key)
    report.send(workers.call(os.getpid))
    time.sleep(120)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}


def test_a_worker_ends_when_its_server_is_killed() -> None:
    key_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    server = context.Process(target=_serve_with_one_worker, args=(key_pem, sending))
    server.start()
    try:
        assert receiving.poll(60), "the stand-in server never reported its worker"
        worker = receiving.recv()
        assert _running(worker)
        os.kill(server.pid or 0, signal.SIGKILL)
        server.join(30)
        deadline = time.monotonic() + 30
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker)
    finally:
        if server.is_alive():
            server.kill()
            server.join()
