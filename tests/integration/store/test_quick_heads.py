"""The start-up's Alembic-free head check agrees with Alembic, and gives way when unsure."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.store.migrate import MIGRATIONS, head_revisions, quick_heads


def test_quick_heads_are_alembics_heads() -> None:
    assert quick_heads() == set(head_revisions())


def test_a_new_revision_moves_the_quick_head(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations)
    (migrations / "versions" / "2099_01_01_9999_next.py").write_text(
        f'revision = "9999"\ndown_revision = "{head_revisions()[0]}"\n'
    )
    assert quick_heads(migrations) == {"9999"} == set(head_revisions(migrations))


def test_a_revision_not_written_as_a_literal_leaves_the_answer_to_alembic(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations)
    (migrations / "versions" / "2099_01_01_9999_odd.py").write_text(
        f'revision = "99" + "99"\ndown_revision = "{head_revisions()[0]}"\n'
    )
    assert quick_heads(migrations) is None
