"""The reference central server as a child process, for ``kiosk --demo`` and the headless demo.

``central serve --demo --port 0 --ready-file F --data DIR --trust CSCA_DIR`` binds a free
loopback port and, once listening, writes ``{"url", "pin", "pid", "invite"}`` to the ready file
(atomically); the kiosk waits for that file, registers with the invitation if it must, and stops
the child when it exits (SIGTERM, then SIGKILL after a grace period). A restart reuses the
port it was given, so a kiosk that registered keeps its URL. The child's output goes to a log file
in its data folder, never to the kiosk's terminal.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from kiosk.domain.errors import ErrorCode
from kiosk.sync.errors import ServerRefused

log = logging.getLogger(__name__)

READY_FILE = "ready.json"
LOG_FILE = "central.log"


@dataclass(frozen=True, slots=True)
class ReadyServer:
    """What the child announced once listening.

    Attributes:
        pin: the TLS key's pin (base32 SHA-256 of its SubjectPublicKeyInfo).
        invite: a fresh one-time invitation code (demo mode).
    """

    url: str
    pin: str
    pid: int
    invite: str | None


def central_command() -> list[str]:
    """How to run ``central`` from this interpreter (the console script may not be on PATH).

    A frozen build has no interpreter to give ``-m``: its program runs the bundled server's
    command line when called with ``--central`` (installer/entry.py).
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, "--central"]
    return [sys.executable, "-m", "central"]


class CentralChild:
    """One ``central serve`` child process on loopback; a context manager that stops it."""

    def __init__(
        self,
        data_dir: Path,
        trust_dir: Path | None = None,
        *,
        demo: bool = True,
        port: int = 0,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = data_dir
        self._trust_dir = trust_dir
        self._demo = demo
        self._port = port
        self._extra = extra
        self._process: subprocess.Popen[bytes] | None = None
        self.ready: ReadyServer | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> ReadyServer:
        """Start the server and wait until it listens.

        Raises:
            ServerRefused: SERVER_UNREACHABLE, it exited or did not announce itself in time.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        ready_file = self.data_dir / READY_FILE
        ready_file.unlink(missing_ok=True)
        command = [*central_command(), "serve", "--data", str(self.data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(self._port)]
        command += ["--ready-file", str(ready_file), *self._extra]
        if self._demo:
            command.append("--demo")
        if self._trust_dir is not None:
            command += ["--trust", str(self._trust_dir)]
        with (self.data_dir / LOG_FILE).open("ab") as output:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.ready = self._wait(ready_file, timeout)
        self._port = int(self.ready.url.rsplit(":", 1)[1])
        log.info("central server started (pid %d) at %s", self.ready.pid, self.ready.url)
        return self.ready

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server gracefully, or kill it after ``timeout`` seconds."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        log.info("central server stopped")

    def kill(self) -> None:
        """Kill the server at once (a crash, for the tests)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def invite(self, unit: str, counter: int) -> str:
        """A one-time invitation code, from ``central kiosk invite`` on the same data folder."""
        command = [*central_command(), "kiosk", "invite", "--data", str(self.data_dir)]
        command += ["--unit", unit, "--counter", str(counter)]
        done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            command, capture_output=True, check=False, timeout=60
        )
        if done.returncode != 0:
            raise ServerRefused(ErrorCode.SERVER_REFUSED, "invite failed", reason="invite")
        return done.stdout.decode().strip().splitlines()[-1]

    def _wait(self, ready_file: Path, timeout: float) -> ReadyServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready_file.exists():
                found = json.loads(ready_file.read_text(encoding="utf-8"))
                return ReadyServer(
                    str(found["url"]), str(found["pin"]), int(found["pid"]), found.get("invite")
                )
            if self._process is not None and self._process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise ServerRefused(
            ErrorCode.SERVER_UNREACHABLE, "central did not start", reason="child_start"
        )
