"""Persistence: SQLAlchemy rows, repositories, keys and encryption at rest, migrations, backups.

The only package that imports sqlalchemy and alembic; it imports nothing of ours but
``kiosk.domain``. Callers get frozen domain objects, never ORM rows.
"""
