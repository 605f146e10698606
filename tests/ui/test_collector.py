"""Cycles are collected on the GUI thread only, however much a worker thread allocates."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.collector import GuiThreadCollector


class Node:
    """One half of a reference cycle, as a lambda connected to a signal makes."""

    def __init__(self) -> None:
        self.other: Node | None = None


def make_cycles(count: int) -> None:
    for _ in range(count):
        first, second = Node(), Node()
        first.other, second.other = second, first


@pytest.fixture
def collecting_threads() -> Iterator[list[int]]:
    """The ident of the thread that ran each collection while the test ran."""
    threads: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.get_ident())

    gc.callbacks.append(record)
    yield threads
    gc.callbacks.remove(record)


def test_a_busy_worker_never_runs_a_collection(qtbot: QtBot, collecting_threads: list[int]) -> None:
    gui_thread = threading.get_ident()
    collector = GuiThreadCollector()
    try:
        worker = threading.Thread(target=make_cycles, args=(200_000,))
        worker.start()
        worker.join()
        assert collecting_threads == []
        qtbot.waitUntil(lambda: bool(collecting_threads), timeout=5_000)
    finally:
        collector.stop()
    assert set(collecting_threads) == {gui_thread}


def test_stopping_collects_what_is_left_and_gives_collection_back(
    collecting_threads: list[int],
) -> None:
    was_enabled = gc.isenabled()
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    make_cycles(10)
    collector.stop()
    assert collecting_threads == [threading.get_ident()]
    assert gc.isenabled() == was_enabled
