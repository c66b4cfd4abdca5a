"""What every part of the store shares: errors, the clock, and rolling back safely."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("hunter", appauthor=False)) / "hunter.db"


class StoreError(Exception):
    """The store cannot be opened or used (bad path, not a database, locked, ...)."""


class StoreReadOnly(StoreError):
    """The database file or its folder cannot be written (permissions, read-only mount)."""


class StoreMissing(StoreError):
    """A reading command was pointed at a database file that does not exist (none is created for it)."""


class StoreNewer(StoreError):
    """The database was written by a newer Hunter (a schema version this one does not know)."""


class StoreDamaged(StoreError):
    """SQLite found damage in the file (integrity check failed, or "database disk image is malformed")."""


class StoreFull(StoreError):
    """The disk (or file system quota) holding the database is full."""


class StoreBusy(StoreError):
    """Another process held the write lock for longer than Hunter was willing to wait."""


class StoreInterrupted(StoreError):
    """Ctrl-C while waiting for another process's write lock, before the statement ran: nothing was changed."""


class Connection(sqlite3.Connection):
    """A store connection: ``path`` (the real file), ``readonly``, and ``warnings`` and ``notices`` (what
    was done at open, e.g. an upgrade) for the user."""

    path: Path
    readonly: bool
    warnings: list[str]
    notices: list[str]
    # Used by connection.WaitingConnection (writing commands): called while waiting for the
    # write lock, and how long to wait (None: HUNTER_DB_WAIT or the command default).
    on_wait = None
    wait_limit: float | None = None


def real_path(path: str | os.PathLike) -> Path:
    """The database's real location: symlinks followed, ``..`` and relative spellings resolved.

    Locks and identity checks use this, so ``./x/../hunter.db`` and a symlink to the file are
    the same database.
    """
    return Path(os.path.realpath(os.path.expanduser(os.fspath(path))))


def error_kind(exc: BaseException) -> str:
    """SQLite's primary result code name for ``exc`` (``SQLITE_FULL``, ``SQLITE_BUSY``, ...), or ''."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        for primary in ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR"):
            if name.startswith(primary):
                return primary
        if name.startswith("SQLITE_CORRUPT"):
            return "SQLITE_CORRUPT"
        return name
    text = str(exc).lower()
    for needle, kind in (
        ("database or disk is full", "SQLITE_FULL"),
        ("disk image is malformed", "SQLITE_CORRUPT"),
        ("file is not a database", "SQLITE_NOTADB"),
        ("readonly database", "SQLITE_READONLY"),
        ("database is locked", "SQLITE_BUSY"),
        ("unable to open database", "SQLITE_CANTOPEN"),
        ("disk i/o error", "SQLITE_IOERR"),
    ):
        if needle in text:
            return kind
    return ""


def store_error(exc: BaseException, path: str | os.PathLike) -> StoreError:
    """A clear StoreError for a sqlite3 or OS error met while using the store at ``path``."""
    from ..said import Said  # the sentence in the command's language (messages cli.store.*)

    kind = error_kind(exc)
    shown = str(path)
    if kind == "SQLITE_FULL" or (isinstance(exc, OSError) and exc.errno == 28):
        return StoreFull(Said("cli.store.full", path=shown))
    if kind in ("SQLITE_READONLY", "SQLITE_CANTOPEN") or (isinstance(exc, OSError) and exc.errno in (13, 30)):
        if not os.path.lexists(path):  # a new database in a folder that cannot be written: nothing to read
            folder = os.path.dirname(os.path.abspath(path))
            return StoreReadOnly(Said("cli.store.new_in_read_only_folder", path=shown, folder=folder))
        return StoreReadOnly(Said("cli.store.read_only_write", path=shown))
    if kind == "SQLITE_NOTADB":
        return StoreDamaged(Said("cli.store.not_a_db", path=shown))
    if kind == "SQLITE_CORRUPT":
        return StoreDamaged(Said("cli.store.corrupt", path=shown, detail=sqlite_reason(exc)))
    if kind in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return StoreBusy(Said("cli.store.locked", path=shown, detail=sqlite_reason(exc)))
    if kind == "SQLITE_IOERR" and _disk_full(path):  # a WAL index (-shm) that cannot grow on a full disk
        return StoreFull(Said("cli.store.full", path=shown))
    if kind == "SQLITE_IOERR":
        return StoreError(Said("cli.store.io_error", path=shown, detail=sqlite_reason(exc)))
    return StoreError(Said("cli.store.unusable", path=shown, detail=sqlite_reason(exc)))


def _disk_full(path: str | os.PathLike) -> bool:
    """Whether the file system holding ``path`` has (next to) no space left: SQLite says "disk I/O error", not
    "disk is full", when the WAL index beside the database cannot be created or grown."""
    import shutil

    try:
        return shutil.disk_usage(os.path.dirname(os.path.abspath(path)) or ".").free < 64 * 1024
    except OSError:
        return False


def sqlite_reason(exc: BaseException):
    """What SQLite (or the OS) said, as it said it in English (``database disk image is malformed``) and
    from its result code in other languages (messages ``cli.sqlite.*``); an OSError by its error number."""
    from ..said import Said

    if isinstance(exc, OSError):
        from ..config import os_reason

        return os_reason(exc, str(exc))
    kind = error_kind(exc)
    if kind.startswith("SQLITE_") and kind in _SQLITE_WORDS:
        return Said.worded(str(exc), f"cli.sqlite.{kind}")
    return Said.worded(str(exc), "cli.sqlite.other", code=kind or type(exc).__name__, detail=str(exc))


# the result codes whose reason has words of its own (messages cli.sqlite.*)
_SQLITE_WORDS = frozenset(
    {
        "SQLITE_CORRUPT",
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_IOERR",
        "SQLITE_NOTADB",
        "SQLITE_FULL",
        "SQLITE_READONLY",
        "SQLITE_CANTOPEN",
    }
)


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already rolled it back itself.

    On SQLITE_FULL, SQLITE_IOERR and some others SQLite ends the transaction on its own;
    a second ROLLBACK would raise "cannot rollback - no transaction is active" and hide
    the real error.
    """
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back (if SQLite has not already) on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
