"""outbox: packets waiting for the central server, and the station's link to it (sync_state)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 07:00:27.632741
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('server_url', sa.String(length=500), nullable=True),
    sa.Column('server_id', sa.String(length=100), nullable=True),
    sa.Column('kiosk_id', sa.String(length=100), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('signing_key', sa.String(length=2000), nullable=True),
    sa.Column('encryption_key', sa.String(length=2000), nullable=True),
    sa.Column('tls_pins', sa.String(length=1000), nullable=False),
    sa.Column('registered_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('verdict_cursor', sa.Integer(), nullable=False),
    sa.Column('config_version', sa.Integer(), nullable=False),
    sa.Column('config_bundle', sa.LargeBinary(), nullable=True),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('last_contact_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('clock_offset_ms', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_sync_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('packet_id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('application_id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('kind', sa.Enum('application', name='packet_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('held', sa.LargeBinary(), nullable=True),
    sa.Column('payload_sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'delivered', 'failed', name='delivery_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('last_error_code', sa.String(length=64), nullable=True),
    sa.Column('last_error_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('delivered_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('acknowledgement', sa.LargeBinary(), nullable=True),
    sa.Column('server_verdict', sa.Enum('received', 'accepted', 'declined', 'activated', name='server_verdict', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('verdict_reason', sa.String(length=64), nullable=True),
    sa.Column('verdict_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('purged_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_outbox_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('packet_id', name=op.f('uq_outbox_packet_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_state'), ['state'], unique=False)


def downgrade() -> None:
    # Kiosk databases are migrated forward only; recovery is by restoring the backup.
    raise NotImplementedError("forward-only migrations")
