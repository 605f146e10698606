"""The server's migrations end exactly at its rows, and upgrade a database that holds data."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from central import migrations
from central.db import Base, create_server_engine


def test_the_steps_build_exactly_the_rows(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert migrations.migrate(engine) == len(migrations.MIGRATIONS)
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert drift == []


def test_a_version_1_database_is_upgraded_with_its_data(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert migrations.migrate(engine, steps=1) == 1
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO config_bundles (version, issued_at, jws) "
                "VALUES (1, '2026-11-27 07:00:00', 'token')"
            )
        )
    assert migrations.migrate(engine) == len(migrations.MIGRATIONS)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT jws FROM config_bundles")).scalar() == "token"
        columns = {c["name"] for c in sa.inspect(connection).get_columns("packets")}
        assert {"face_decision", "face_distance", "liveness_live"} <= columns
        assert sa.inspect(connection).has_table("packet_documents")
        indexes = {i["name"] for i in sa.inspect(connection).get_indexes("packets")}
        assert {"ix_packets_chain", "ix_packets_activation"} <= indexes
    assert migrations.migrate(engine) == len(migrations.MIGRATIONS)  # at head: nothing to do
    engine.dispose()


def test_a_stored_packet_keeps_its_jws_when_it_moves_to_its_own_table(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert migrations.migrate(engine, steps=5) == 5
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO kiosks (kid, public_jwk, unit, counter, name, registered_at) "
                "VALUES ('k1', '{}', 'unit', 1, 'Quầy 1', '2026-11-27 07:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO packets (packet_id, kiosk_id, application_id, schema_version, "
                "body_sha256, payload_sha256, jws, acknowledgement, created_at, received_at, "
                "demo, audit_sequence, audit_hash, passive_authentication, decision) VALUES "
                "('p1', 'k1', 'a1', 4, 'b', 'p', 'the.signed.jws', 'ack', "
                "'2026-11-27 07:00:00', '2026-11-27 07:00:01', 0, 3, 'h', 'pending', 'pending')"
            )
        )
    assert migrations.migrate(engine) == len(migrations.MIGRATIONS)
    with engine.connect() as connection:
        bodies = connection.execute(sa.text("SELECT packet_id, jws FROM packet_bodies")).all()
        columns = {c["name"] for c in sa.inspect(connection).get_columns("packets")}
        decision = connection.execute(sa.text("SELECT decision FROM packets")).scalar()
    engine.dispose()
    assert bodies == [("p1", "the.signed.jws")]
    assert "jws" not in columns
    assert decision == "pending"


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    engine = create_server_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrations.migrate(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE central_schema SET version = 99"))
    with pytest.raises(RuntimeError, match="newer"):
        migrations.migrate(engine)
    engine.dispose()
