"""initial: users, applications and their data keys, portraits, audit log, keyring, settings

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:44:05.375088
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('sequence', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('details', sa.String(length=2000), nullable=False),
    sa.Column('prev_hash', sa.LargeBinary(), nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.Column('mac', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sequence', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_subject'), ['subject'], unique=False)

    op.create_table('keyring',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('master_key_id', sa.LargeBinary(), nullable=False),
    sa.Column('key_check', sa.LargeBinary(), nullable=False),
    sa.Column('derivation_secret', sa.LargeBinary(), nullable=False),
    sa.Column('signing_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('signing_public_key', sa.LargeBinary(), nullable=False),
    sa.Column('recovery_copy', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('rotated_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_keyring_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keyring'))
    )
    op.create_table('users',
    sa.Column('id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('username', sa.String(length=32), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('service_number', sa.String(length=20), nullable=False),
    sa.Column('role', sa.Enum('officer', 'supervisor', 'admin', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('applications',
    sa.Column('id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('state', sa.Enum('draft', 'captured', 'submitted', 'approved', 'rejected', 'returned', 'cancelled', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('created_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('chip_verdict', sa.Enum('genuine', 'not_genuine', 'unverifiable', name='chip_verdict', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('face_attempts', sa.String(length=2000), nullable=False),
    sa.Column('captured_by', kiosk.store.types.UUIDBytes(length=16), nullable=True),
    sa.Column('submitted_by', kiosk.store.types.UUIDBytes(length=16), nullable=True),
    sa.Column('reviewed_by', kiosk.store.types.UUIDBytes(length=16), nullable=True),
    sa.Column('four_eyes_relaxed', sa.Boolean(), nullable=False),
    sa.Column('reason_code', sa.Enum('data_mismatch', 'document_invalid', 'chip_not_genuine', 'face_mismatch', 'photo_quality', 'contact_incorrect', 'duplicate', 'identity_confirmed_in_person', 'appearance_changed', 'citizen_withdrew', 'device_failure', 'other', name='reason_code', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('purged_at', kiosk.store.types.UTCDateTime(), nullable=True),
    sa.Column('id_number_index', sa.LargeBinary(), nullable=True),
    sa.Column('citizen', sa.LargeBinary(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('email', sa.LargeBinary(), nullable=True),
    sa.Column('reason_note', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['captured_by'], ['users.id'], name=op.f('fk_applications_captured_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_applications_created_by_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_applications_reviewed_by_users')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_applications_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_id_number_index'), ['id_number_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_updated_at'), ['updated_at'], unique=False)

    op.create_table('settings',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=1000), nullable=False),
    sa.Column('updated_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('updated_by', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_settings_updated_by_users')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_settings'))
    )
    op.create_table('data_keys',
    sa.Column('application_id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_data_keys_application_id_applications')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_data_keys'))
    )
    op.create_table('portraits',
    sa.Column('id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('application_id', kiosk.store.types.UUIDBytes(length=16), nullable=False),
    sa.Column('kind', sa.Enum('chip', 'live', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', kiosk.store.types.UTCDateTime(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_portraits_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portraits'))
    )
    with op.batch_alter_table('portraits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portraits_application_id'), ['application_id'], unique=False)

    _make_audit_log_append_only()


def _make_audit_log_append_only() -> None:
    # Not visible to autogenerate (triggers are not metadata); the audit tests cover them.
    if op.get_bind().dialect.name != "sqlite":
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def downgrade() -> None:
    # Kiosk databases are migrated forward only; recovery is by restoring the backup.
    raise NotImplementedError("forward-only migrations")
