"""The built app: its size, and its cold start to a shown window (targets: < 800 MB, < 3 s).

Usage: .venv/bin/python benchmarks/startup.py [--app dist/kiosk/kiosk] [--runs 5]

* Size: the PyInstaller folder on disk (``du``-style, apparent sizes of regular files), and the
  ``.deb`` beside it in ``dist/`` when there is one.
* Start: for each run a fresh process of the frozen program, ``kiosk --demo`` with its own
  settings under a private Xvfb display, from spawn until the main window is mapped (polled
  with ``xwininfo``), i.e. the login screen on screen. One unmeasured run first creates the demo
  database and accounts and warms the disk cache, as a counter PC that has started before.
  ``kiosk --version`` (bootloader and interpreter only) and ``kiosk support versions`` (every
  component imported) are timed the same way, without a window.
Prints figures only; docs/benchmarks.md records them with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOW_TITLE = "DEMO"
"""The main window's title ends with " — DEMO" in demo mode."""
POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 60.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"startup: {name} is needed (apt-get install xvfb x11-utils)")
    return path


def folder_bytes(folder: Path) -> int:
    """The bytes of every regular file under ``folder`` (symbolic links not followed)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@contextmanager
def xvfb() -> Iterator[str]:
    """A private Xvfb server on a free display; stopped (only it) on exit."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            _tool("Xvfb"),
            "-displayfd",
            str(write),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as handle:
        display = ":" + handle.readline().strip()
    try:
        yield display
    finally:
        server.terminate()
        server.wait(10)


def window_shown(display: str) -> bool:
    """Whether a window whose title holds ``WINDOW_TITLE`` is mapped on ``display``."""
    tree = subprocess.run(
        [_tool("xwininfo"), "-root", "-tree", "-display", display],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return any(WINDOW_TITLE in line for line in tree.splitlines())


def start_to_window(app: Path, config: Path, display: str) -> float:
    """Seconds from spawning ``kiosk --demo`` to its main window being mapped."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    began = time.perf_counter()
    # Its own process group: the demo starts the reference server as a child, and both are
    # stopped together, and nothing else.
    child = subprocess.Popen(
        [str(app), "--demo", "--config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not window_shown(display):
            if child.poll() is not None:
                raise RuntimeError(f"the app exited with {child.returncode} before its window")
            if time.perf_counter() - began > TIMEOUT_SECONDS:
                raise RuntimeError("no window within the timeout")
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - began
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(30)


def command_seconds(app: Path, args: list[str], home: Path) -> float:
    """Seconds for the frozen program to run ``args`` to completion."""
    began = time.perf_counter()
    subprocess.run(
        [str(app), *args], check=True, capture_output=True, env={**os.environ, "HOME": str(home)}
    )
    return time.perf_counter() - began


def main() -> None:
    """Print the size and the start-up figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=ROOT / "dist" / "kiosk" / "kiosk")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = args.app.parent
    print(f"build folder {folder}: {folder_bytes(folder) / 1e6:.0f} MB (target < 800 MB)")
    for package in sorted((folder.parent).glob("dinhdanh-kiosk_*.deb")):
        print(f"package {package.name}: {package.stat().st_size / 1e6:.0f} MB")
    with tempfile.TemporaryDirectory() as work:
        home = Path(work)
        config = home / "kiosk.toml"
        config.write_text(f'[paths]\ndata_dir = "{home / "data"}"\nlog_dir = "{home / "logs"}"\n')
        for label, command in (
            ("--version", ["--version"]),
            ("support versions", ["support", "versions"]),
        ):
            command_seconds(args.app, command, home)
            times = [command_seconds(args.app, command, home) for _ in range(args.runs)]
            print(f"kiosk {label}, median of {args.runs}: {statistics.median(times):.2f} s")
        with xvfb() as display:
            start_to_window(args.app, config, display)
            times = [start_to_window(args.app, config, display) for _ in range(args.runs)]
        print(
            f"cold start to the login window, median of {args.runs}: "
            f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f};"
            " target < 3 s)"
        )


if __name__ == "__main__":
    main()
