import re
import shutil
import sqlite3
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from kiosk.store.engine import create_session_factory, create_store_engine
from kiosk.store.migrate import (
    MIGRATIONS,
    alembic_config,
    current_revisions,
    head_revisions,
    is_at_head,
    schema_drift,
    upgrade_to_head,
)
from kiosk.store.uow import UnitOfWork

FUTURE_REVISION = '''"""test-only future revision: rebuilds applications, adds a column"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("future", sa.Integer(), nullable=True))
'''


def test_there_is_exactly_one_head() -> None:
    assert len(head_revisions()) == 1


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    for revision in revisions:
        assert not revision.is_merge_point
        assert not revision.is_branch_point
    assert revisions[-1].down_revision is None


def test_migration_files_are_dated() -> None:
    names = [p.name for p in (MIGRATIONS / "versions").glob("*.py")]
    assert names
    for name in names:
        assert re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.py", name), name


def test_the_migrations_match_the_rows(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'k.db'}")
    assert upgrade_to_head(engine, tmp_path / "backups", None) is None
    assert is_at_head(engine)
    assert schema_drift(engine) == []
    assert not (tmp_path / "backups").exists()
    engine.dispose()


def test_the_audit_log_is_append_only(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'k.db'}")
    upgrade_to_head(engine, tmp_path / "backups", None)
    engine.dispose()
    names = {
        row[0]
        for row in sqlite3.connect(tmp_path / "k.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    assert names == {"audit_log_no_update", "audit_log_no_delete"}


def test_an_upgrade_at_head_does_nothing(store, enrol) -> None:
    enrol()
    assert upgrade_to_head(store.engine, store.path.parent / "backups", b"k" * 32) is None


def test_an_upgrade_backs_up_then_keeps_encrypted_data_readable(tmp_path, store, enrol) -> None:
    apps = [enrol(), enrol()]
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations)
    future = FUTURE_REVISION.format(head=head_revisions()[0])
    (migrations / "versions" / "2099_01_01_9999_future.py").write_text(future)
    assert not is_at_head(store.engine, migrations)

    backup = upgrade_to_head(
        store.engine, tmp_path / "backups", store.keys.ring.backup_key, migrations
    )

    assert backup is not None
    assert backup.exists()
    assert current_revisions(store.engine) == ("9999",)
    columns = {c["name"] for c in inspect(store.engine).get_columns("applications")}
    assert "future" in columns
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        conn.rollback()
    with UnitOfWork(create_session_factory(store.engine), store.keys.ring) as uow:
        assert [uow.applications.get(a.id) for a in apps] == apps
        assert [k for k, _ in uow.applications.portraits(apps[0].id)]


def test_outbox_payloads_move_to_their_own_table_byte_for_byte(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'k.db'}")
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0003")
    user, application = b"u" * 16, b"a" * 16
    payload = bytes(range(256)) * 2000
    with sqlite3.connect(tmp_path / "k.db") as raw:
        raw.execute(
            "INSERT INTO users (id, username, full_name, service_number, role, password_hash,"
            " failed_attempts, disabled, created_at) VALUES (?, 'cb1', 'Cán bộ', 'SH1', 'officer',"
            " 'x', 0, 0, '2026-11-27 07:00:00')",
            (user,),
        )
        raw.execute(
            "INSERT INTO applications (id, state, created_by, created_at, updated_at,"
            " face_attempts, four_eyes_relaxed, demo) VALUES (?, 'approved', ?,"
            " '2026-11-27 07:00:00', '2026-11-27 07:00:00', '[]', 0, 0)",
            (application, user),
        )
        outbox = (
            "INSERT INTO outbox (packet_id, application_id, kind, payload, payload_sha256, size,"
            " created_at, attempts, next_attempt_at, state, flagged, conflict) VALUES"
            " (?, ?, 'application', ?, 'd', ?, '2026-11-27 07:00:00', 0, '2026-11-27 07:00:00',"
            " ?, 0, 0)"
        )
        raw.execute(outbox, (b"p" * 16, application, payload, len(payload), "pending"))
        raw.execute(outbox, (b"q" * 16, application, None, 0, "delivered"))

    upgrade_to_head(engine, tmp_path / "backups", b"k" * 32)

    with sqlite3.connect(tmp_path / "k.db") as raw:
        moved = raw.execute(
            "SELECT o.packet_id, p.payload, o.state FROM outbox o"
            " LEFT JOIN outbox_payloads p ON p.outbox_id = o.id ORDER BY o.id"
        ).fetchall()
        columns = {row[1] for row in raw.execute("PRAGMA table_info(outbox)")}
        drift = schema_drift(engine)
    engine.dispose()
    assert moved == [(b"p" * 16, payload, "pending"), (b"q" * 16, None, "delivered")]
    assert "payload" not in columns
    assert drift == []
