"""evidence: each step's sealed evidence (chip read, scanned documents, liveness, consent, timings)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:57:28.005657
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evidence',
    sa.Column('id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('application_id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('kind', sa.Enum('chip', 'document', 'liveness', 'consent', 'timings', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('slot', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_evidence_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('application_id', 'kind', 'slot', name=op.f('uq_evidence_application_id'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_application_id'), ['application_id'], unique=False)



def downgrade() -> None:
    # Kiosk databases are migrated forward only; recovery is by restoring the backup.
    raise NotImplementedError("forward-only migrations")
