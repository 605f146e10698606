"""outbox_payloads: an outbox row's JWE in a table of its own

SQLite rewrites a whole row on every update, and an outbox row is updated four or five times per
packet (claimed, delivered, each verdict): with the ~550 KB JWE in the row, each update wrote it
again. The payloads move, byte for byte, to ``outbox_payloads``; a purged row (payload NULL) has
none.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_payloads',
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_outbox_payloads_outbox_id_outbox')),
    sa.PrimaryKeyConstraint('outbox_id', name=op.f('pk_outbox_payloads'))
    )
    op.execute(
        "INSERT INTO outbox_payloads (outbox_id, payload) "
        "SELECT id, payload FROM outbox WHERE payload IS NOT NULL"
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('payload')


def downgrade() -> None:
    # Kiosk databases are migrated forward only; recovery is by restoring the backup.
    raise NotImplementedError("forward-only migrations")
