"""Benchmark of delivery: applications per second, bytes on the wire, signing and memory.

Applications per second to the real reference server, bytes on the wire per packet, the cost of
signing and encryption per packet, and the relay's peak memory against the backlog.

Usage: ``python benchmarks/sync.py [--count 1000] [--size-kb 300] [--backlogs 100,1000,5000]
[--data-dir DIR] [--keep]``.

The kiosk is composed as the product composes it (``kiosk.app.build``, demo mode), and the
reference server runs as a child process (``central serve --demo``, trusting the run's test CSCA,
re-running Passive Authentication on every packet). The backlog is made in bulk: each application
is stored approved with a real chip read as its evidence, two scanned documents of random bytes
making the packet about ``--size-kb``, and its consent, then ``PacketOutbox.enqueue`` builds,
encodes, signs and encrypts its packet exactly as an approval does. Delivery is the relay's own
round (``SyncControlService.run_once``): one packet per request, up to three requests in flight,
each outcome in its own transaction, verdict pages pulled beside them; the figure is wall time
from the first request to the last verdict applied. Because the machine is shared, the CPU time
the kiosk process and the server process spent per packet is printed too, and the rate the two
would allow on this machine's cores if nothing else ran (``cpu_bound_applications_per_second``:
the requests in flight overlap the kiosk's and the server's work, so the bound is the busier
process, or all of them together spread over the cores, whichever is lower; the server's
worker processes are counted apart). The memory figure is the
peak resident size (``ru_maxrss``) of a separate kiosk process (composed from its settings file
as ``kiosk sync run`` is) delivering the first 300 packets of a backlog of each size: the relay
holds one claimed batch (five packets) and three in flight at most, and what grows with the
backlog (the store's counts and claims) runs in every round.

Nothing is asserted: the figures and issue 10/11's targets are printed for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import app
from kiosk.config import PathSettings, ServerSettings, Settings, load_settings
from kiosk.demo_accounts import ADMIN, OFFICER, SUPERVISOR, ensure_demo_accounts
from kiosk.devices.sim import citizens
from kiosk.domain.application import Application, ApplicationState
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.evidence import DocumentEvidence
from kiosk.domain.ids import new_application_id
from kiosk.services.chip_evidence import chip_evidence
from kiosk.services.chip_reading import AccessInput
from kiosk.services.consent import consent_record
from kiosk.sync import codec
from kiosk.sync.envelope import PacketSealer
from kiosk.sync.outbox import PacketOutbox
from kiosk.sync.packet import PacketSource, build_packet
from kiosk.sync.signing import RequestParts, sign_request

TARGET_PER_SECOND = 20.0
BATCH = 50


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures as JSON and as lines."""
    args = _arguments(argv)
    if args.deliver is not None:
        return deliver_some(args.config, args.deliver)
    root = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="sync-bench-"))
    settings = _settings(root)
    kiosk = app.build(settings)
    ensure_demo_accounts(kiosk)
    admin = kiosk.services.session.assume_demo_user(ADMIN)
    options = ("--worker-processes", str(args.worker_processes))
    child = app.start_demo_central(kiosk, root / "central", admin, options)
    try:
        server_pid = child.ready.pid if child.ready else 0
        figures = _run(kiosk, settings, root, args, server_pid)
    finally:
        child.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--size-kb", type=int, default=300)
    parser.add_argument("--backlogs", default="100,1000,5000")
    parser.add_argument("--data-dir")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--worker-processes", type=int, default=1)
    parser.add_argument("--deliver", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _settings(root: Path) -> Settings:
    return dataclasses.replace(
        Settings(demo=True),
        paths=PathSettings(
            data_dir=str(root / "kiosk"),
            log_dir=str(root / "kiosk" / "logs"),
            sim_dir=str(root / "sim"),
        ),
        server=ServerSettings(timeout_seconds=30.0),
    )


def _run(
    kiosk: app.Kiosk, settings: Settings, root: Path, args: argparse.Namespace, server_pid: int
) -> dict[str, Any]:
    template = _Template(kiosk, settings, args.size_kb * 1024)
    made = template.backlog(args.count)
    sync = kiosk.services.sync
    start, cpu, server_before = time.perf_counter(), time.process_time(), _tree_cpu(server_pid)
    status = sync.run_once()
    while status.undelivered:
        status = sync.run_once()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    server_after = _tree_cpu(server_pid)
    server_cpu = server_after[server_pid] - server_before[server_pid]
    workers_cpu = sum(t - server_before.get(p, 0.0) for p, t in server_after.items()) - server_cpu
    cores = os.cpu_count() or 1
    busiest = max(cpu, server_cpu, workers_cpu, (cpu + server_cpu + workers_cpu) / cores)
    per_packet_cpu = busiest / args.count
    print(f"delivered {args.count} packets in {elapsed:.1f} s", file=sys.stderr)
    memory = {
        size: _peak_memory(template, settings, root, size)
        for size in (int(part) for part in args.backlogs.split(",") if part)
    }
    peaks = list(memory.values())
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "count": args.count,
        "server_worker_processes": args.worker_processes,
        "packet_bytes_mean": round(statistics.mean(made.sizes)),
        "cbor_bytes_mean": round(statistics.mean(made.cbor_sizes)),
        "wire_bytes_per_packet": round(statistics.mean(made.sizes) + made.header_bytes),
        "request_header_bytes": made.header_bytes,
        "build_and_encode_ms_per_packet": round(made.build_seconds / args.count * 1000, 2),
        "sign_and_encrypt_ms_per_packet": round(made.seal_seconds / args.count * 1000, 2),
        "delivery_seconds": round(elapsed, 2),
        "applications_per_second": round(args.count / elapsed, 1),
        "kiosk_cpu_ms_per_packet": round(cpu / args.count * 1000, 1),
        "server_cpu_ms_per_packet": round(server_cpu / args.count * 1000, 1),
        "server_workers_cpu_ms_per_packet": round(workers_cpu / args.count * 1000, 1),
        "cpu_bound_applications_per_second": round(1 / per_packet_cpu, 1),
        "target_per_second": TARGET_PER_SECOND,
        "undelivered_after": status.undelivered,
        "failed_after": status.failed,
        "peak_rss_mb_by_backlog": {str(k): round(v / 1024, 1) for k, v in memory.items()},
        "peak_rss_spread_percent": round((max(peaks) / min(peaks) - 1) * 100, 1) if peaks else None,
    }


def _tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of process ``pid`` and of each of its children (its workers)."""
    found = {pid: _cpu_seconds(pid)}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(stat.parent.name)] = _cpu_seconds(int(stat.parent.name))
    return found


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass
class _Made:
    sizes: list[int]
    cbor_sizes: list[int]
    build_seconds: float
    seal_seconds: float
    header_bytes: int


class _Template:
    """One real chip read and the documents, reused for every application of the backlog."""

    def __init__(self, kiosk: app.Kiosk, settings: Settings, size: int) -> None:
        self.kiosk = kiosk
        record = citizens.list_citizens()[0]
        given = AccessInput(
            id_number=record.citizen.id_number,
            date_of_birth=record.citizen.date_of_birth,
            date_of_expiry=record.citizen.date_of_expiry,
        )
        outcome = app.chip_reading(settings).read(app.simulated_card_reader(settings), given)
        self.citizen = outcome.citizen
        self.chip = chip_evidence(outcome.read)
        chip_bytes = sum(len(data) for data in self.chip.files.values())
        image = max(1024, (size - chip_bytes) // 2)
        self.documents = [
            DocumentEvidence(kind, secrets.token_bytes(image), None, {"number": "DEMO"})
            for kind in ("gplx", "bhyt")
        ]
        session = kiosk.services.session
        self.officer = session.assume_demo_user(OFFICER)
        self.supervisor = session.assume_demo_user(SUPERVISOR)
        self.sealer = PacketSealer(kiosk.keys.signing_key)
        self.outbox = PacketOutbox(self.sealer)

    def backlog(self, count: int) -> _Made:
        """``count`` approved applications with their packets, in transactions of ``BATCH``."""
        made = _Made([], [], 0.0, 0.0, 0)
        for first in range(0, count, BATCH):
            with self.kiosk.context.write() as uow:
                for _ in range(min(BATCH, count - first)):
                    self._one(uow, made)
                uow.commit()
        made.header_bytes = self._header_bytes()
        return made

    def _one(self, uow: Any, made: _Made) -> None:
        now = datetime.now(UTC)
        app_id = new_application_id()
        application = Application(
            id=app_id,
            created_by=self.officer.id,
            created_at=now,
            updated_at=now,
            state=ApplicationState.APPROVED,
            citizen=self.citizen,
            chip_verdict=ChipVerdict.GENUINE,
            phone="0912345678",
            captured_by=self.officer.id,
            submitted_by=self.officer.id,
            reviewed_by=self.supervisor.id,
            demo=True,
        )
        uow.applications.add(application)
        uow.evidence.put_chip(app_id, self.chip, now)
        for document in self.documents:
            uow.evidence.put_document(app_id, document, now)
        uow.evidence.put_consent(app_id, consent_record(self.officer, now), now)
        uow.audit.record_event(now, str(self.supervisor.id), "approve", str(app_id), {})
        # The costs apart (the same steps enqueue takes), then the real enqueue.
        started = time.perf_counter()
        source = PacketSource(application, uow.evidence.get(app_id), None, None, now, now, 1, b"h")
        cbor = codec.encode_packet(build_packet(source, app_id, self.outbox.kiosk_id, now))
        built = time.perf_counter()
        state = uow.sync_state.get()
        sealed = self.sealer.seal(cbor, state.encryption_key)
        made.build_seconds += built - started
        made.seal_seconds += time.perf_counter() - built
        made.cbor_sizes.append(len(cbor))
        made.sizes.append(len(sealed))
        self.outbox.enqueue(uow, app_id, now)

    def _header_bytes(self) -> int:
        parts = RequestParts(
            "POST", "/v1/packets", "", b"x", idempotency_key=str(new_application_id())
        )
        headers = sign_request(parts, self.sealer.key_id, self.sealer.sign, datetime.now(UTC))
        headers |= {
            "Content-Type": "application/jose",
            "X-Kiosk-Version": "0.0.0",
            "X-Kiosk-Uptime": "100000",
            "X-Kiosk-Backlog": "1000",
            "X-Kiosk-Self-Test": "ok",
        }
        request_line = len("POST /v1/packets HTTP/1.1\r\n")
        return request_line + sum(len(k) + len(v) + 4 for k, v in headers.items())


def _peak_memory(template: _Template, settings: Settings, root: Path, backlog: int) -> int:
    """Peak RSS (KB) of a kiosk process delivering from a backlog of ``backlog`` packets.

    The process composes the kiosk from its settings file, as ``kiosk sync run`` does, and runs
    the relay's round until ``MEMORY_DELIVERIES`` packets are delivered (then stops it between
    requests): what grows with the backlog is the store's queries, and they all run.
    """
    with template.kiosk.context.read() as uow:
        waiting = uow.outbox.counts().undelivered
    template.backlog(max(0, backlog - waiting))
    config = root / "kiosk.toml"
    paths = settings.paths
    config.write_text(
        f'[paths]\ndata_dir = "{paths.data_dir}"\nlog_dir = "{paths.log_dir}"\n'
        f'sim_dir = "{paths.sim_dir}"\n',
        encoding="utf-8",
    )
    command = [
        sys.executable,
        __file__,
        "--deliver",
        str(MEMORY_DELIVERIES),
        "--config",
        str(config),
    ]
    environment = {**os.environ, "KIOSK_DEMO": "1"}
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE)
    output = process.stdout.read() if process.stdout else b"{}"
    _, status, usage = os.wait4(process.pid, 0)
    delivered = json.loads(output or b"{}").get("delivered", "?") if status == 0 else "?"
    peak = usage.ru_maxrss / 1024
    print(f"backlog {backlog}: peak {peak:.1f} MB, delivered {delivered}", file=sys.stderr)
    return int(usage.ru_maxrss)


MEMORY_DELIVERIES = 300


def deliver_some(config: Path, count: int) -> int:
    """The memory child: compose the kiosk and deliver ``count`` packets; print how many."""
    kiosk = app.build(load_settings(config, demo=True))
    sync = kiosk.services.sync
    with kiosk.context.read() as uow:
        before = uow.outbox.counts().undelivered
    done = threading.Event()

    def stop_after() -> None:
        while not done.is_set():
            with kiosk.context.read() as uow:
                if before - uow.outbox.counts().undelivered >= count:
                    kiosk.relay.stop(0.0)
                    return
            time.sleep(0.2)

    watcher = threading.Thread(target=stop_after, daemon=True)
    watcher.start()
    sync.release_stale()
    status = sync.run_once()
    done.set()
    print(json.dumps({"delivered": before - status.undelivered}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
