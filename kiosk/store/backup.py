"""Encrypted online backups of the SQLite database, and their verified restore.

A backup is taken with SQLite's online backup API (consistent while the kiosk keeps writing),
into a temporary file beside the database, then encrypted in 1 MiB chunks with AES-GCM into the
backup folder and the temporary copy deleted. The file is ``magic | file id (16) | chunks``,
each chunk ``length (4, big-endian) | sealed``; a chunk's associated data holds the file id, its
index and whether it is the last, so chunks cannot be reordered, dropped or truncated unnoticed.
Restore decrypts to a temporary file, runs ``integrity_check``, and only then replaces the
database atomically (its stale ``-wal`` and ``-shm`` removed first).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from kiosk.store import crypto
from kiosk.store.errors import BackupFailedError, DataIntegrityError

MAGIC = b"KIOSKBK1"
SUFFIX = ".kbak"
_CHUNK = 1 << 20
_LENGTH = 4


def backup_database(engine: Engine, folder: Path, backup_key: bytes) -> Path:
    """Write an encrypted backup of ``engine``'s SQLite database into ``folder``.

    Raises:
        BackupFailedError: not a file database, or the copy or the write failed.
    """
    database = _database_path(engine)
    plain = database.with_name(f".{database.name}.{uuid.uuid4().hex}.backup")
    try:
        _online_copy(engine, plain)
        return _encrypt_into(plain, folder, backup_key)
    except (OSError, sqlite3.Error) as err:
        raise BackupFailedError("backup not written", reason=type(err).__name__) from err
    finally:
        plain.unlink(missing_ok=True)


def restore_database(backup_file: Path, database: Path, backup_key: bytes) -> None:
    """Replace ``database`` with the backup's content, after checking it decrypts and is sound.

    The caller disposes of every engine on ``database`` first.

    Raises:
        BackupFailedError: the backup is unreadable, altered, incomplete or fails integrity_check;
            the database is then left untouched.
    """
    plain = database.with_name(f".{database.name}.{uuid.uuid4().hex}.restore")
    try:
        _decrypt_into(backup_file, plain, backup_key)
        _check_integrity(plain)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(plain, database)
        _fsync_folder(database.parent)
    except (OSError, sqlite3.Error, DataIntegrityError) as err:
        raise BackupFailedError("restore refused", reason=type(err).__name__) from err
    finally:
        plain.unlink(missing_ok=True)


def _database_path(engine: Engine) -> Path:
    name = engine.url.database
    if engine.dialect.name != "sqlite" or not name or name == ":memory:":
        raise BackupFailedError("only SQLite file databases are backed up", reason="not_sqlite")
    return Path(name)


def _online_copy(engine: Engine, target: Path) -> None:
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            source.driver_connection.backup(destination)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        source.close()


def _encrypt_into(plain: Path, folder: Path, backup_key: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"kiosk-{stamp}{SUFFIX}"
    partial = target.with_suffix(".partial")
    file_id = uuid.uuid4().bytes
    key = crypto.derive_key(backup_key, f"backup/{file_id.hex()}")
    with open(plain, "rb") as source, open(partial, "wb") as out:
        out.write(MAGIC + file_id)
        for index, (chunk, last) in enumerate(_chunks(source)):
            sealed = crypto.seal(key, chunk, _chunk_ad(file_id, index, last))
            out.write(len(sealed).to_bytes(_LENGTH, "big") + sealed)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    _fsync_folder(folder)
    return target


def _decrypt_into(backup_file: Path, plain: Path, backup_key: bytes) -> None:
    with open(backup_file, "rb") as source, open(plain, "wb") as out:
        header = source.read(len(MAGIC) + 16)
        if len(header) != len(MAGIC) + 16 or not header.startswith(MAGIC):
            raise DataIntegrityError("not a kiosk backup")
        file_id = header[len(MAGIC) :]
        key = crypto.derive_key(backup_key, f"backup/{file_id.hex()}")
        _decrypt_chunks(source, out, key, file_id)
        out.flush()
        os.fsync(out.fileno())


def _decrypt_chunks(source: BinaryIO, out: BinaryIO, key: bytes, file_id: bytes) -> None:
    sealed, index = _read_chunk(source), 0
    if sealed is None:
        raise DataIntegrityError("backup empty")
    while sealed is not None:
        following = _read_chunk(source)
        out.write(crypto.unseal(key, sealed, _chunk_ad(file_id, index, following is None)))
        sealed, index = following, index + 1


def _read_chunk(source: BinaryIO) -> bytes | None:
    header = source.read(_LENGTH)
    if not header:
        return None
    length = int.from_bytes(header, "big")
    sealed = source.read(length)
    if len(header) != _LENGTH or len(sealed) != length:
        raise DataIntegrityError("backup truncated")
    return sealed


def _chunks(source: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    chunk = source.read(_CHUNK)
    while True:
        following = source.read(_CHUNK)
        yield chunk, not following
        if not following:
            return
        chunk = following


def _chunk_ad(file_id: bytes, index: int, last: bool) -> bytes:
    return MAGIC + file_id + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def _check_integrity(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    if result != [("ok",)]:
        raise DataIntegrityError("integrity_check failed")


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
