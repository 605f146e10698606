"""Benchmark of the encrypted store: inserts, look-up by ID number and pages, on a file database.

Usage: ``python benchmarks/store.py [--count 100000] [--service-count 300] [--queries 300]
[--fresh-runs 20] [--data-dir DIR] [--keep] [--skip-insert]``.

A smaller ``--count`` gives a quick look (``--count 2000 --fresh-runs 5`` takes about two
minutes); the issue's figure is for ``--count 100000`` (about 23 KB of disk per application,
2.4 GB in all, and tens of minutes on a slow shared disk). Figures: docs/benchmarks.md.

The kiosk is composed exactly as the product composes it (``kiosk.app.build`` on a SQLite file
in WAL mode with ``synchronous=FULL``, the key ring unlocked from its key file), in demo mode so
no recovery key is needed (demo only marks the applications). Each application is a fictitious
citizen with every personal field filled (name, ID number, birth date, places, parents, phone,
e-mail), all sealed with AES-GCM under the application's own data key, and a 20 KB portrait.

Two insert paths are measured:

- **One insert** (the issue's unit, ``--count`` of them): one application created in ONE unit of
  work, i.e. one ``BEGIN IMMEDIATE`` ... ``COMMIT``: the domain's ``open_application``, then
  ``record_chip`` and ``record_contact`` transitions (kiosk.domain), then
  ``uow.applications.add`` + ``save`` + ``add_portrait`` (20 KB, chip) and ``uow.audit.record``
  for the three audit facts, then ``commit``. The enrolment service has no "create in one step"
  use case (at the counter an application grows step by step and is saved after each step, so
  a crash loses at most one step); adding one only for a benchmark would be API nobody calls,
  so this path drives the store's ``UnitOfWork`` directly, with the service's own unit factory.
- **The real service path** (``--service-count`` applications, appended to the same database):
  ``EnrolmentService.open`` + ``record_chip`` + ``record_face`` with ``FaceEvidence`` (a live
  and a chip portrait of 20 KB each, the match figures and a ``face_match`` audit event): three
  transactions per application, as the counter does them.

Look-ups (``find_by_id_number`` through the blind index, in a read-only unit of work) and pages
of 50 (``RecordService.page``, the officer's queue, at random keyset positions) are timed warm
(``--queries`` of each in this process, after one untimed warm-up) and in fresh processes
(``--fresh-runs`` children, each timing its first look-up and first page right after composing
the kiosk: cold SQLAlchemy and SQLite caches; the OS page cache is not dropped, that would
disturb the other jobs of a shared machine).

fsync per commit is measured twice in the same folder: ``os.fsync`` after a 4 KB write to a
scratch file, and a committed one-row INSERT into a scratch SQLite file with the kiosk's pragmas
(WAL, ``synchronous=FULL``), which is one WAL append and one fsync.

Nothing is asserted: the figures and the targets of issue 3 are printed for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from kiosk.app import Kiosk, build
from kiosk.config import PathSettings, Settings
from kiosk.domain.application import open_application
from kiosk.domain.biometrics import FaceOutcome, compare_faces
from kiosk.domain.chip import ChipVerdict
from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.ids import new_application_id
from kiosk.domain.users import Role, User
from kiosk.services.enrolment import FaceEvidence
from kiosk.store.rows.application import ApplicationRow
from kiosk.store.rows.biometric import PortraitKind

TARGET_INSERTS_PER_S = 100.0
TARGET_LOOKUP_P95_MS = 5.0
TARGET_PAGE_P95_MS = 50.0
PORTRAIT_BYTES = 20 * 1024
PAGE = 50
PASSWORD = "mật-khẩu-đo-hiệu-năng-1"  # noqa: S105 - the benchmark's throw-away accounts
OFFICER = "canbo.dohieunang"

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
_MIDDLE = ("Văn", "Thị", "Hữu", "Ngọc", "Thu", "Minh", "Đức", "Thanh", "Quang", "Kim")
_GIVEN = ("An", "Bình", "Châu", "Dũng", "Hằng", "Hoà", "Khánh", "Lan", "Thuỷ", "Tuấn", "Yến")
_PLACES = (
    "Xã Đông Hội, huyện Đông Anh, Hà Nội",
    "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
    "Xã Hoà Tiến, huyện Hoà Vang, Đà Nẵng",
    "Phường Vĩnh Ninh, TP. Huế, Thừa Thiên Huế",
)


def citizen(index: int) -> Citizen:
    """The fictitious citizen number ``index``: the same on every run, so children can look up.

    ID numbers are unique for indexes below 10**8: the last two digits of ``index`` choose the
    birth year and sex (kept consistent with the ID's century/sex digit), the rest the serial.
    """
    year = 1950 + index % 50
    female = (index // 50) % 2 == 1
    serial = index // 100
    id_number = f"001{1 if female else 0}{year % 100:02d}{serial:06d}"
    rng = random.Random(index)
    name = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    return Citizen(
        id_number=id_number,
        full_name=name,
        date_of_birth=date(year, 1 + index % 12, 1 + index % 28),
        sex=Sex.FEMALE if female else Sex.MALE,
        ethnicity="Kinh",
        religion="Không",
        place_of_origin=rng.choice(_PLACES),
        place_of_residence=f"Số {index % 200 + 1}, ngõ {index % 90 + 1}, {rng.choice(_PLACES)}",
        identifying_features="Nốt ruồi C:1cm trên trước mép trái",
        date_of_issue=date(2021, 1 + index % 12, 1 + index % 28),
        date_of_expiry=date(2046, 1 + index % 12, 1 + index % 28),
        father_name=f"{rng.choice(_SURNAMES)} Văn {rng.choice(_GIVEN)}",
        mother_name=f"{rng.choice(_SURNAMES)} Thị {rng.choice(_GIVEN)}",
    )


def phone(index: int) -> str:
    """The citizen's mobile number (fictitious, unique per index)."""
    return f"09{index % 100_000_000:08d}"


def open_kiosk(folder: Path) -> Kiosk:
    """The kiosk composed as the product does, on a database in ``folder`` (demo mode)."""
    settings = Settings(
        demo=True,
        paths=PathSettings(
            data_dir=str(folder / "kiosk"),
            log_dir=str(folder / "logs"),
            sim_dir=str(folder / "sim"),
        ),
    )
    return build(settings)


def officer_of(kiosk: Kiosk) -> User:
    """The benchmark's officer, created (with a first admin) on a new database."""
    users = kiosk.services.users
    if users.is_empty():
        admin = users.add(
            None,
            username="quantri.dohieunang",
            full_name="Trần Quản Trị",
            service_number="QT-BENCH",
            role=Role.ADMIN,
            password=PASSWORD,
        )
        users.add(
            admin,
            username=OFFICER,
            full_name="Lê Văn Cán Bộ",
            service_number="CB-BENCH",
            role=Role.OFFICER,
            password=PASSWORD,
        )
    with kiosk.context.read() as uow:
        return next(user for user in uow.users.list() if user.username == OFFICER)


# Inserts


@dataclass(frozen=True)
class Inserts:
    """What one insert run took: wall and CPU time in all, and each application's latency."""

    count: int
    wall_s: float
    cpu_s: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        """Applications per second of wall time."""
        return self.count / self.wall_s


def insert_one(kiosk: Kiosk, officer: User, index: int, portrait: bytes) -> None:
    """One application, created in its own transaction (see the module docstring)."""
    now = kiosk.context.clock.now()
    opened = open_application(new_application_id(), officer.id, now, demo=kiosk.context.demo)
    chipped = opened.application.record_chip(
        officer.id, now, citizen(index), ChipVerdict.UNVERIFIABLE
    )
    contact = chipped.application.record_contact(
        officer.id, now, phone(index), f"congdan{index}@example.vn"
    )
    with kiosk.context.write() as uow:
        uow.applications.add(opened.application)
        uow.applications.save(contact.application)
        uow.applications.add_portrait(opened.application.id, PortraitKind.CHIP, portrait, now)
        for fact in (opened.fact, chipped.fact, contact.fact):
            uow.audit.record(fact)
        uow.commit()


def insert_service(kiosk: Kiosk, officer: User, index: int, portrait: bytes) -> None:
    """One application through the enrolment service: open, chip, face (three transactions)."""
    enrolment = kiosk.services.enrolment
    application = enrolment.open(officer)
    enrolment.record_chip(officer, application.id, citizen(index), ChipVerdict.UNVERIFIABLE)
    evidence = FaceEvidence(compare_faces(0.41, 0.6), portrait[::-1], portrait)
    enrolment.record_face(officer, application.id, FaceOutcome.PASSED, evidence)


def run_inserts(  # noqa: D103 - documented by its callers' labels
    insert: Callable[[Kiosk, User, int, bytes], None],
    kiosk: Kiosk,
    officer: User,
    indexes: range,
    label: str,
) -> Inserts:
    portrait = os.urandom(PORTRAIT_BYTES)  # incompressible, like a JPEG
    latencies = []
    cpu, wall = time.process_time(), time.perf_counter()
    step = max(1, len(indexes) // 20)
    for done, index in enumerate(indexes, 1):
        start = time.perf_counter()
        insert(kiosk, officer, index, portrait)
        latencies.append((time.perf_counter() - start) * 1000)
        if done % step == 0:
            rate = done / (time.perf_counter() - wall)
            print(f"  {label}: {done}/{len(indexes)} ({rate:.0f}/s)", file=sys.stderr, flush=True)
    return Inserts(len(indexes), time.perf_counter() - wall, time.process_time() - cpu, latencies)


# fsync


def fsync_ms(folder: Path, rounds: int) -> tuple[float, float]:
    """Median ms of (os.fsync of a 4 KB write, a committed one-row INSERT with the pragmas)."""
    scratch = folder / "fsync.scratch"
    raw = []
    with scratch.open("wb") as handle:
        for _ in range(rounds):
            handle.write(os.urandom(4096))
            handle.flush()
            start = time.perf_counter()
            os.fsync(handle.fileno())
            raw.append((time.perf_counter() - start) * 1000)
    scratch.unlink()
    database = folder / "fsync.sqlite"
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE t (v BLOB)")
    commits = []
    for _ in range(rounds):
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?)", (os.urandom(64),))
        connection.execute("COMMIT")
        commits.append((time.perf_counter() - start) * 1000)
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return statistics.median(raw), statistics.median(commits)


# Queries


Timing = tuple[float, float]
"""Wall and CPU milliseconds of one query."""


def time_lookup(kiosk: Kiosk, index: int) -> Timing:
    """One look-up by ID number through the blind index, in its own read-only unit of work."""
    wanted = citizen(index).id_number
    cpu, start = time.process_time(), time.perf_counter()
    with kiosk.context.read() as uow:
        found = uow.applications.find_by_id_number(wanted)
    elapsed = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    if not found:
        raise SystemExit(f"look-up of application {index} found nothing")
    return elapsed


def time_page(kiosk: Kiosk, officer: User, rng: random.Random | None) -> Timing:
    """One ``RecordService.page`` of 50: the first, or (half the time with ``rng``) a deeper one."""
    anchor = None
    if rng is not None and rng.random() < 0.5:
        anchor = _random_updated_at(kiosk, rng)
    cpu, start = time.process_time(), time.perf_counter()
    found = kiosk.services.records.page(officer, before=anchor, limit=PAGE)
    elapsed = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    if not found:
        raise SystemExit("a page came back empty")
    return elapsed


def _random_updated_at(kiosk: Kiosk, rng: random.Random) -> datetime:
    # Untimed: a keyset anchor somewhere in the history, read with a plain Core query.
    newest_first = select(ApplicationRow.updated_at).order_by(ApplicationRow.updated_at.desc())
    with kiosk.operations.engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(ApplicationRow)) or 0
        offset = rng.randrange(PAGE, max(PAGE + 1, total))
        anchor = connection.scalar(newest_first.offset(offset).limit(1))
    if anchor is None:
        raise SystemExit("the database holds fewer than a page of applications")
    return anchor


def warm_queries(  # noqa: D103 - see the module docstring
    kiosk: Kiosk, officer: User, count: int, queries: int
) -> tuple[list[Timing], list[Timing]]:
    rng = random.Random(7)
    time_lookup(kiosk, 0)
    time_page(kiosk, officer, rng)
    lookups = [time_lookup(kiosk, rng.randrange(count)) for _ in range(queries)]
    pages = [time_page(kiosk, officer, rng) for _ in range(queries)]
    return lookups, pages


def child(folder: Path, count: int, seed: int) -> None:
    """A fresh process: compose the kiosk, then time its first look-up and first page."""
    kiosk = open_kiosk(folder)
    with kiosk.context.read() as uow:
        officer = next(user for user in uow.users.list() if user.username == OFFICER)
    lookup = time_lookup(kiosk, random.Random(seed).randrange(count))
    page = time_page(kiosk, officer, None)
    print(json.dumps({"lookup_ms": lookup, "page_ms": page}))


def fresh_queries(  # noqa: D103 - see the module docstring
    folder: Path, count: int, runs: int
) -> tuple[list[Timing], list[Timing]]:
    lookups: list[Timing] = []
    pages: list[Timing] = []
    for seed in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--data-dir", str(folder), "--count", str(count),
             "--seed", str(seed)],
            capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        lookups.append(tuple(figures["lookup_ms"]))
        pages.append(tuple(figures["page_ms"]))
    return lookups, pages


# Report


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def machine() -> str:
    """Cores, CPU model, Python and SQLite versions."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    version = sys.version.split()[0]
    return f"{os.cpu_count()} cores, {model}, Python {version}, SQLite {sqlite3.sqlite_version}"


def load() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def report_inserts(  # noqa: D103
    label: str, figures: Inserts, transactions: int
) -> None:
    lat = figures.latencies_ms
    print(f"{label}")
    print(
        f"  {figures.count} applications in {figures.wall_s:.1f} s: "
        f"{figures.per_second:.1f} applications/s ({figures.per_second * transactions:.1f} "
        f"transactions/s) [target >= {TARGET_INSERTS_PER_S:.0f} inserts/s]"
    )
    print(
        f"  per application: p50 {percentile(lat, 0.5):.2f} ms, p95 {percentile(lat, 0.95):.2f} ms,"
        f" max {max(lat):.1f} ms; CPU {figures.cpu_s / figures.count * 1000:.2f} ms"
    )


def report_queries(  # noqa: D103
    label: str, lookups: list[Timing], pages: list[Timing]
) -> None:
    print(f"{label} ({len(lookups)} of each):")
    for name, timings, target in (
        ("look-up by ID number", lookups, TARGET_LOOKUP_P95_MS),
        (f"page of {PAGE}", pages, TARGET_PAGE_P95_MS),
    ):
        wall = [timing[0] for timing in timings]
        cpu = [timing[1] for timing in timings]
        print(
            f"  {name}: wall p50 {percentile(wall, 0.5):.2f} ms, p95 {percentile(wall, 0.95):.2f}"
            f" ms [target p95 < {target:.0f} ms]; CPU p50 {percentile(cpu, 0.5):.2f} ms,"
            f" p95 {percentile(cpu, 0.95):.2f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one fresh-process measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="applications (one insert each)")
    parser.add_argument("--service-count", type=int, default=300)
    parser.add_argument("--queries", type=int, default=300, help="warm look-ups and pages")
    parser.add_argument("--fresh-runs", type=int, default=20, help="fresh processes")
    parser.add_argument("--data-dir", type=Path, help="where the database goes (default: temp)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp database (a --data-dir is always kept)"
    )
    parser.add_argument(
        "--skip-insert", action="store_true", help="query a database made by an earlier --keep"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.data_dir, args.count, args.seed)
        return 0
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="kiosk-store-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    keep = args.keep or args.data_dir is not None
    print(f"machine: {machine()}; load average at start {load()}")
    print(f"database: {folder / 'kiosk' / 'kiosk.db'} (WAL, synchronous=FULL)")
    try:
        kiosk = open_kiosk(folder)
        officer = officer_of(kiosk)
        raw, commit = fsync_ms(folder, 200)
        print(
            f"fsync per commit: os.fsync of a 4 KB write {raw:.2f} ms (median of 200); "
            f"committed one-row INSERT (WAL, synchronous=FULL) {commit:.2f} ms"
        )
        if not args.skip_insert:
            direct = run_inserts(insert_one, kiosk, officer, range(args.count), "one-unit inserts")
            report_inserts(
                "inserts, one unit of work each (store UnitOfWork driven directly: open_application"
                " + record_chip + record_contact, add + save + add_portrait 20 KB + 3 audit"
                " entries, one commit)",
                direct,
                1,
            )
            first = args.count + 1_000_000
            service = run_inserts(
                insert_service,
                kiosk,
                officer,
                range(first, first + args.service_count),
                "service path",
            )
            report_inserts(
                "service path (EnrolmentService.open + record_chip + record_face with"
                " FaceEvidence: 2 x 20 KB portraits; 3 transactions per application)",
                service,
                3,
            )
        lookups, pages = warm_queries(kiosk, officer, args.count, args.queries)
        report_queries("warm (one process)", lookups, pages)
        kiosk.operations.engine.dispose()
        lookups, pages = fresh_queries(folder, args.count, args.fresh_runs)
        report_queries("fresh process (first query after composing the kiosk)", lookups, pages)
        size = (folder / "kiosk" / "kiosk.db").stat().st_size
        print(f"database size {size / 1e6:.0f} MB; load average at end {load()}")
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
