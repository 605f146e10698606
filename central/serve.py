"""Running the server: uvicorn over TLS on a socket we bind, and the ready file.

With ``--port 0`` the system picks a free port; the socket is bound here so the port is known
before uvicorn starts, and once uvicorn is listening the ready file gets ``{"url", "pin",
"pid"}`` (plus ``"invite"``, a fresh invitation code, in demo mode), written atomically: a
parent process (``kiosk --demo``) waits for the file, then talks to the server. SIGTERM and
SIGINT stop it gracefully (uvicorn's handlers).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
from pathlib import Path
from types import FrameType

import uvicorn

from central.api import create_app
from central.service import Central

_log = logging.getLogger(__name__)

DEMO_UNIT = "DEMO"
DEMO_COUNTER = 1


class _Server(uvicorn.Server):
    """uvicorn, writing the ready file once its sockets listen."""

    def __init__(self, config: uvicorn.Config, ready: dict[str, object], ready_file: Path | None):
        super().__init__(config)
        self._ready = ready
        self._ready_file = ready_file

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start listening, then announce it."""
        await super().startup(sockets)
        if self.started and self._ready_file is not None:
            write_ready_file(self._ready_file, self._ready)


def _exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def write_ready_file(path: Path, content: dict[str, object]) -> None:
    """Write ``content`` as JSON atomically (a reader never sees half a file)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(content), encoding="utf-8")
    os.replace(temporary, path)


def serve(central: Central, host: str, port: int, ready_file: Path | None = None) -> None:
    """Serve ``central`` on ``host:port`` until SIGTERM or SIGINT, then exit with status 0."""
    # uvicorn handles both while it runs, then raises them again once it has shut down: this
    # handler turns that (or one that arrives before uvicorn starts) into a clean exit.
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    bound = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(central),
        ssl_certfile=str(central.keys.tls_cert),
        ssl_keyfile=str(central.keys.tls_key),
        date_header=False,  # the application sets Date from its own clock
        server_header=False,
        log_config=None,
        access_log=False,
    )
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    ready: dict[str, object] = {
        "url": f"https://{shown}:{bound}",
        "pin": central.keys.tls_pins[0],
        "pid": os.getpid(),
    }
    if central.settings.demo:
        ready["invite"] = central.registry.invite(DEMO_UNIT, DEMO_COUNTER)
    _log.info("listening on https://%s:%d", shown, bound)
    central.intake.start()
    try:
        _Server(config, ready, ready_file).run(sockets=[listener])
    finally:
        listener.close()
        central.close()
        _log.info("stopped")
