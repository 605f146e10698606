"""Shared test settings: Hypothesis profiles, the log-fail guard, isolation from the machine.

* ``HYPOTHESIS_PROFILE=ci`` (set by ./test.sh) runs 2,000 examples per property with a per-example
  deadline; the default ``dev`` profile runs 100 for quick local runs.
* Every test fails if it logs a WARNING or worse that it did not declare with
  ``logfail.allow(...)`` (qutebrowser's logfail idea): warnings are never noise.
* No test reads the machine's settings or writes to the user's folders.
* No test leaves a thread or a child process of its own running (``_nothing_left_running``).
* ``demo_run`` gives a test its own copy of the session's one headless demo
  (``tests/support/demo_run.py``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.demo_run import demo_run, demo_run_template  # noqa: F401  (fixtures)

settings.register_profile(
    "ci",
    max_examples=2000,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=timedelta(milliseconds=500))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Opt-in hardware tests (tests/hardware): never run in CI."""
    parser.addoption("--camera", metavar="INDEX", help="run tests/hardware on this camera")
    parser.addoption("--reader", metavar="NAME", help="run tests/hardware on this card reader")
    parser.addoption(
        "--card-id", metavar="ID12", help="the 12-digit ID number of the card on --reader"
    )


class LogFail:
    """Collects what a test declared it expects to be logged at WARNING or above."""

    def __init__(self) -> None:
        self.allowed: list[tuple[str, re.Pattern[str]]] = []

    def allow(self, logger: str, pattern: str = ".*") -> None:
        """Declare that ``logger`` may log a warning matching ``pattern`` in this test."""
        self.allowed.append((logger, re.compile(pattern)))

    def is_allowed(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return any(
            record.name.startswith(name) and pattern.search(message)
            for name, pattern in self.allowed
        )


@pytest.fixture(autouse=True)
def logfail(caplog: pytest.LogCaptureFixture) -> Iterator[LogFail]:
    """Fail the test on any undeclared WARNING, ERROR or CRITICAL log record."""
    guard = LogFail()
    caplog.set_level(logging.DEBUG)
    yield guard
    unexpected = [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.get_records("call")
        if r.levelno >= logging.WARNING and not guard.is_allowed(r)
    ]
    if unexpected:
        pytest.fail("unexpected log records:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """Leave the root logger as the test found it.

    Commands run in-process call ``setup_logging``, which puts a file handler on the root
    logger; it is closed and removed after the test so no test writes into another's folder.
    """
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point every per-user folder at a temporary one and clear kiosk variables."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for name in ("KIOSK_DEMO", "KIOSK_CONFIG", "KIOSK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


LINGER_SECONDS = 2.0
"""How long a thread or process the test stopped may take to end before it counts as left."""


@pytest.fixture(autouse=True)
def _nothing_left_running() -> Iterator[None]:
    """Fail a test that leaves a non-daemon thread or a multiprocessing child running.

    A leaked server thread or worker process outlives its test and can still be running when
    a later test (a Qt one) tears down. As a function-scoped autouse fixture this starts after
    the module and session fixtures (their threads and processes are not the test's) and ends
    after the test's other fixtures have closed what they opened. Daemon threads are left out:
    Python's own helpers (a multiprocessing queue's feeder) are daemons that end with their owner.
    """
    threads = set(threading.enumerate())
    children = set(multiprocessing.active_children())
    yield
    left_threads = [t for t in threading.enumerate() if t not in threads and not t.daemon]
    left_children = [p for p in multiprocessing.active_children() if p not in children]
    for running in (*left_threads, *left_children):
        running.join(LINGER_SECONDS)
    left = [f"thread {t.name!r}" for t in left_threads if t.is_alive()]
    left += [f"process {p.name!r} (pid {p.pid})" for p in left_children if p.is_alive()]
    if left:
        pytest.fail("left running after the test: " + ", ".join(left), pytrace=False)


@pytest.fixture
def repo_root() -> Path:
    """The checkout's top folder."""
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gui_thread_collection(qapp: object) -> Iterator[None]:
    """Collect cycles only on the GUI thread while a module's Qt tests run, as the app does.

    A job's worker thread (Argon2, SQLAlchemy) allocates enough to start an automatic
    collection, which could free the wrappers of the previous test's windows and jobs there,
    off the GUI thread. Torn down after the module's own fixtures, so what they leave is
    collected here too.
    """
    from kiosk.ui.collector import gui_thread_collection as collecting

    with collecting():
        yield
