"""The job runner: results on the GUI thread, per-resource order, cancel, the three outcomes."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.domain.errors import Cancelled, DomainError, ErrorCode
from kiosk.domain.progress import Progress, ProgressSink
from kiosk.messages import UserMessage
from kiosk.ui.jobs import Job, JobRunner
from tests.conftest import LogFail


def test_a_job_runs_off_the_gui_thread_and_reports_on_it(qtbot: QtBot) -> None:
    runner = JobRunner()
    seen: dict[str, object] = {}

    def work(progress: ProgressSink, cancel: threading.Event) -> str:
        seen["worker"] = threading.current_thread()
        progress(Progress("step", 1, 2))
        return "done"

    handle = runner.prepare(Job("demo", "card", work))
    reports: list[Progress] = []
    handle.progress.connect(
        lambda p: reports.append(p) or seen.setdefault("progress_thread", QThread.currentThread())
    )
    with qtbot.waitSignal(handle.succeeded, timeout=5000) as done:
        runner.start(handle)
    assert done.args == ["done"]
    assert seen["worker"] is not threading.main_thread()
    assert reports == [Progress("step", 1, 2)]
    app = QApplication.instance()
    assert app is not None
    assert seen["progress_thread"] is app.thread()
    runner.wait_for_done()


def test_jobs_on_one_resource_run_in_order_never_overlapping(qtbot: QtBot) -> None:
    runner = JobRunner()
    active = threading.Lock()
    order: list[int] = []

    def make(index: int) -> Job:
        def work(progress: ProgressSink, cancel: threading.Event) -> int:
            assert active.acquire(blocking=False), "two jobs on one resource overlapped"
            time.sleep(0.01)
            order.append(index)
            active.release()
            return index

        return Job(f"job {index}", "camera", work)

    handles = [runner.prepare(make(i)) for i in range(5)]
    with qtbot.waitSignal(handles[-1].succeeded, timeout=5000):
        for handle in handles:
            runner.start(handle)
    assert order == [0, 1, 2, 3, 4]
    runner.wait_for_done()


def test_cancel_stops_the_work_at_its_next_check(qtbot: QtBot) -> None:
    runner = JobRunner()
    started = threading.Event()

    def work(progress: ProgressSink, cancel: threading.Event) -> None:
        started.set()
        while not cancel.wait(0.005):
            pass
        raise Cancelled

    handle = runner.prepare(Job("endless", "card", work))
    outcomes: list[str] = []
    handle.succeeded.connect(lambda _: outcomes.append("succeeded"))
    handle.cancelled.connect(lambda: outcomes.append("cancelled"))
    runner.start(handle)
    assert started.wait(5)
    with qtbot.waitSignal(handle.finished, timeout=5000):
        handle.cancel()
    assert outcomes == ["cancelled"]
    assert runner.running("card") is None
    runner.wait_for_done()


def test_a_known_error_becomes_its_message() -> None:
    runner = JobRunner(inline=True)

    def work(progress: ProgressSink, cancel: threading.Event) -> None:
        raise DomainError(ErrorCode.NO_CARD)

    handle = runner.prepare(Job("read", "card", work))
    messages: list[UserMessage] = []
    handle.failed.connect(messages.append)
    runner.start(handle)
    assert [m.code for m in messages] == [ErrorCode.NO_CARD]
    assert handle.done


def test_an_unexpected_error_gets_an_incident_id_in_the_message_and_the_log(
    logfail: LogFail, caplog: pytest.LogCaptureFixture
) -> None:
    logfail.allow("kiosk.ui.jobs", "crashed, incident SC-")
    runner = JobRunner(inline=True)

    def work(progress: ProgressSink, cancel: threading.Event) -> None:
        raise RuntimeError("boom")

    handle = runner.prepare(Job("read", "card", work))
    messages: list[UserMessage] = []
    handle.failed.connect(messages.append)
    runner.start(handle)
    (message,) = messages
    assert message.code is ErrorCode.INTERNAL
    incident = message.what.split("(")[1].split()[-1].rstrip(").")
    assert incident.startswith("SC-")
    assert any(incident in record.getMessage() for record in caplog.records)


def test_cancel_all_cancels_queued_jobs_before_they_start(qtbot: QtBot) -> None:
    runner = JobRunner()
    holding = threading.Event()

    def hold_printer(progress: ProgressSink, cancel: threading.Event) -> None:
        holding.set()
        cancel.wait(5)
        raise Cancelled

    first = runner.prepare(Job("first", "printer", hold_printer))
    queued = runner.prepare(Job("second", "printer", lambda p, c: pytest.fail("must not run")))
    outcomes: list[str] = []
    first.cancelled.connect(lambda: outcomes.append("first cancelled"))
    queued.cancelled.connect(lambda: outcomes.append("second cancelled"))
    runner.start(first)
    runner.start(queued)
    assert holding.wait(5)
    with qtbot.waitSignal(queued.finished, timeout=5000):
        runner.cancel_all()
    assert outcomes == ["first cancelled", "second cancelled"]
    runner.wait_for_done()


def test_a_finished_job_lets_go_of_what_its_work_captured() -> None:
    class Evidence:
        """Stands for what a job's closure holds: a chip read, camera frames."""

    def make_work() -> tuple[Callable[[ProgressSink, threading.Event], str], weakref.ref[Evidence]]:
        evidence = Evidence()
        return (lambda _progress, _cancel: type(evidence).__name__), weakref.ref(evidence)

    runner = JobRunner(inline=True)
    work, evidence = make_work()
    handle = runner.prepare(Job("scan", "scanner", work))
    results: list[str] = []
    handle.succeeded.connect(results.append)
    del work
    runner.start(handle)
    assert results == ["Evidence"]
    assert handle.done
    assert evidence() is None
    with pytest.raises(RuntimeError, match="does not run again"):
        handle.job.work(lambda _report: None, threading.Event())
