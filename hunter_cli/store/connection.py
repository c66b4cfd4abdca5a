"""Opening the store: WAL, busy timeouts, foreign keys, and the open-time checks.

``connect`` refuses what it must not write to (read-only, newer schema, damaged
file) with a :class:`~hunter_cli.store.core.StoreError` subclass, migrates older
writable files in place (:mod:`hunter_cli.store.schema`), for reading commands too,
with a line in ``conn.notices``, and marks runs whose process died.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from ..said import Said
from .core import (
    Connection,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreInterrupted,
    StoreMissing,
    StoreNewer,
    StoreReadOnly,
    error_kind,
    real_path,
    store_error,
)
from .runs import mark_crashed_runs
from .schema import latest_version, migrate, stand_ins, stored_version

log = logging.getLogger("hunter.store")

BUSY_TIMEOUT_MS = 30_000
# The writer waits this long for one try at the write lock before it reports and tries again.
WRITER_BUSY_MS = 1_000
# A writing command's connection waits in slices this long, so it can report at 3 s and give up on time.
WAIT_SLICE_MS = 500
# How long the writer keeps trying while another process holds the write lock (env HUNTER_DB_WAIT).
WRITE_WAIT_LIMIT = 600.0
# How long other writing commands (tag, note, import, rescore, ...) wait when HUNTER_DB_WAIT is not set.
COMMAND_WAIT_LIMIT = BUSY_TIMEOUT_MS / 1000
# Time budget of the integrity check run when a command opens the store for writing.
OPEN_CHECK_SECONDS = 2.0
# ... and when it only changes a row or two (tag, untag, note): the whole check of a million leads
# (1.2 GB) took 2 s before every tag. Half a second covers a file of about 500 MB.
EDIT_CHECK_SECONDS = 0.5


def write_wait_limit(default: float = WRITE_WAIT_LIMIT) -> float:
    """Seconds to keep trying while another process holds the write lock: HUNTER_DB_WAIT, else ``default``."""
    from ..config import get

    value = get("db_wait")
    return default if value is None else max(0.0, float(value))


class WaitingConnection(Connection):
    """A writing command's connection: waits for another process's write lock in short slices.

    A statement that starts a transaction (``BEGIN IMMEDIATE``, or a write outside one)
    and meets SQLITE_BUSY is tried again after each busy slice; ``on_wait(seconds)`` is
    called after every failed try so the command can say that it waits, and after
    ``wait_limit`` seconds (None: :func:`write_wait_limit` of
    :data:`COMMAND_WAIT_LIMIT`) :class:`StoreBusy` is raised. Statements inside an open
    transaction are never retried (the transaction is the unit that can be rerun). Ctrl-C during
    the wait, before the command's first write went through, raises :class:`StoreInterrupted` (nothing was
    changed); after it (a later chunk of a prune), the KeyboardInterrupt goes on as it is.
    """

    changes_at_open = 0  # total_changes once connect() has done its own writes: the command's start

    def execute(self, sql, parameters=(), /):  # the same call, retried while busy
        if self.in_transaction:
            return super().execute(sql, parameters)
        try:
            return self._waiting(sql, parameters)
        except KeyboardInterrupt:
            if self.total_changes != self.changes_at_open or not getattr(self, "_waited", False):
                raise  # not in a wait, or a write went through before (this one, an earlier transaction)
            log.info("%s: interrupted while waiting for the write lock; nothing was changed", self.path)
            raise StoreInterrupted(Said("cli.store.interrupted_waiting", path=str(self.path))) from None
        finally:
            self._waited = False

    def _waiting(self, sql, parameters):
        started = time.monotonic()
        logged = 0.0
        while True:
            try:
                return super().execute(sql, parameters)
            except sqlite3.OperationalError as exc:
                if error_kind(exc) not in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                    raise
                self._waited = True
                waited = time.monotonic() - started
                limit = write_wait_limit(COMMAND_WAIT_LIMIT) if self.wait_limit is None else self.wait_limit
                if waited >= logged:  # at the first wait, then every 10 s
                    log.info("%s: another process holds the write lock; waited %.0f of %g s", self.path, waited, limit)
                    logged = waited + 10
                if waited >= limit:
                    raise StoreBusy(
                        Said(
                            "cli.store.gave_up",
                            path=str(self.path),
                            seconds=waited,
                            limit=int(limit) if float(limit).is_integer() else limit,
                        )
                    ) from None
                if self.on_wait is not None:
                    self.on_wait(waited)
                time.sleep(0.02)


def _writable(p: Path) -> bool:
    """Whether this process may write the database file and create its -wal and -shm files beside it."""
    if p.exists() and not os.access(p, os.W_OK):
        return False
    return os.access(p.parent, os.W_OK)


# (device, inode) of the database files this process created (:func:`_claim_new_file`): only those may a failed
# first command remove (cli.common.new_database_kept_only_on_success), never a file another process made
_CREATED: set[tuple[int, int]] = set()


def _claim_new_file(p: Path) -> None:
    """Create the database file ``p`` if it does not exist, atomically (``O_EXCL``: of two processes opening a
    new path at once, exactly one creates it), and remember that this process made it (:func:`created_here`).
    An empty file is an empty SQLite database. Any OSError is left for SQLite's open to report."""
    try:
        fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)  # SQLite's own default mode
    except OSError:
        return
    try:
        st = os.fstat(fd)
        _CREATED.add((st.st_dev, st.st_ino))
    finally:
        os.close(fd)


def created_here(path: str | os.PathLike) -> bool:
    """Whether the database file now at ``path`` is one this process created (the same file, not one made again
    by another process after it was removed)."""
    try:
        st = os.stat(real_path(path))
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in _CREATED


def _open(uri: str, timeout_ms: int, factory: type[Connection] = Connection) -> Connection:
    conn = sqlite3.connect(
        uri, uri=True, timeout=timeout_ms / 1000, isolation_level=None, check_same_thread=False, factory=factory
    )
    conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
    conn.execute("PRAGMA foreign_keys = ON")  # every link is a foreign key (schema 7); SQLite's default is off
    return conn


def _uri(p: Path, **params: str) -> str:
    from urllib.parse import quote

    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(p))}" + (f"?{query}" if query else "")


def connect(
    path: str | os.PathLike,
    *,
    write: bool = True,
    check: bool = True,
    check_seconds: float = OPEN_CHECK_SECONDS,
    busy_ms: int | None = None,
    on_wait=None,
    wait_limit: float | None = None,
) -> Connection:
    """Open the store; safe to call from several processes at once.

    ``write=True`` (commands that change the store): creates and migrates the file and
    refuses, with a StoreError subclass, a read-only file or folder (StoreReadOnly), a
    file from a newer Hunter (StoreNewer) and, when ``check`` is set, a file whose
    ``PRAGMA quick_check``, bounded to ``check_seconds``, finds damage (StoreDamaged). ``write=False`` (reading
    commands): a read-only file is opened read-only (an older one is read as it is, not
    upgraded) and a newer schema is read, each with a line in ``conn.warnings``; a missing
    file raises StoreMissing, and neither the file nor its folder is created. Either way a
    writable file of an older schema is upgraded in place, with the line
    :func:`upgraded_message` in ``conn.notices`` (a new, empty file gets none).

    Without ``busy_ms``, a writing connection is a :class:`WaitingConnection`: while
    another process holds the write lock it calls ``on_wait(seconds)`` after each
    :data:`WAIT_SLICE_MS` slice and raises StoreBusy after ``wait_limit`` seconds
    (default HUNTER_DB_WAIT, else :data:`COMMAND_WAIT_LIMIT`). With ``busy_ms`` (the
    scan's writer thread, which retries whole batches itself) SQLite's own busy timeout
    of that length applies.
    """
    p = real_path(path)
    shown = Path(path)
    try:
        if p.is_dir():
            raise StoreError(folder_message(shown))
        if not write and not p.exists():
            raise StoreMissing(missing_message(shown))
        if not write and not _writable(p):
            return _open_read_only(p, shown)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno in (13, 30):
                raise StoreReadOnly(
                    Said("cli.store.cannot_create_read_only", path=str(shown), why=_os_why(exc))
                ) from None
            raise
        if not _writable(p):
            raise store_error(sqlite3.OperationalError("attempt to write a readonly database"), shown)
        _claim_new_file(p)
        if busy_ms is None and write:
            conn = _open(_uri(p), WAIT_SLICE_MS, WaitingConnection)
            conn.on_wait, conn.wait_limit = on_wait, wait_limit
        else:
            conn = _open(_uri(p), BUSY_TIMEOUT_MS if busy_ms is None else busy_ms)
        conn.path, conn.readonly, conn.warnings, conn.notices = p, False, [], []
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            version = stored_version(conn)
            if version > latest_version():
                if write:
                    raise StoreNewer(
                        Said("cli.store.newer_write", path=str(shown), version=version, latest=latest_version())
                    )
                conn.warnings.append(
                    Said("cli.store.newer_read", path=str(shown), version=version, latest=latest_version())
                )
                return conn
            if write and check:
                check_damage(conn, shown, check_seconds)
            if migrate(conn) and version > 0:
                conn.notices.append(upgraded_message(shown, version))
            if write:
                mark_crashed_runs(conn)
                if isinstance(conn, WaitingConnection):
                    conn.changes_at_open = conn.total_changes
        except BaseException:
            conn.close()
            raise
    except StoreError:
        raise
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, shown) from None
    except OSError as exc:
        raise StoreError(Said("cli.store.cannot_create", path=str(shown), why=_os_why(exc))) from None
    return conn


def _os_why(exc: OSError):
    """Why a file cannot be made, as Python says it in English (its strerror) and by its error number in
    other languages (hunter_cli/config.py :func:`os_reason`)."""
    from ..config import os_reason

    return os_reason(exc, exc.strerror or str(exc))


def upgraded_message(shown: str | os.PathLike, version: int) -> str:
    """The line any command prints when its open upgraded an older file in place (docs/database.md)."""
    return Said("cli.store.upgraded", path=str(shown), version=version, latest=latest_version())


def folder_message(shown: str | os.PathLike) -> str:
    """What any command says when ``--db`` names a folder (it is neither missing nor read-only)."""
    return Said("cli.store.folder", path=str(shown), example=str(Path(shown) / "hunter.db"))


def missing_message(shown: str | os.PathLike) -> str:
    """What a reading command says when its database does not exist (docs/cli.md, "No database")."""
    return Said("cli.store.missing", path=str(shown))


# What a database holds that is worth keeping (leads, referrals, CRM leads), and the run log (what was tried).
_KEPT_TABLES = ("domains", "referrals", "crm_leads")


def contents(path: str | os.PathLike) -> str | None:
    """What the database at ``path`` holds: ``data`` (a lead, a referral or a CRM lead), ``runs`` (only
    the run log: commands that were tried), ``nothing`` (also: only scans that had no valid domain to
    try); None when it cannot be read. A command that
    created the file and failed removes it when it holds nothing and says so when it holds only runs
    (cli.common.new_database_kept_only_on_success)."""
    try:  # not read-only: the last connection to close checkpoints the WAL and removes -wal and -shm
        conn = sqlite3.connect(_uri(real_path(path), mode="rw"), uri=True)
    except sqlite3.Error:
        return None
    try:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

        def empty(table: str) -> bool:
            return table not in have or conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None

        if not all(empty(t) for t in _KEPT_TABLES):
            return "data"
        if empty("runs"):
            return "nothing"
        # A scan that found no valid domain in its input (or could read none) tried nothing: its run
        # record is no reason to keep the file, as `hunter import` of the same input keeps none
        tried = conn.execute(
            "SELECT 1 FROM runs WHERE NOT (command = 'scan' AND outcome = 'ok' AND json_valid(stats_json)"
            " AND coalesce(json_extract(stats_json, '$.accepted'), 0) = 0"
            " AND coalesce(json_extract(stats_json, '$.scanned'), 0) = 0) LIMIT 1"
        ).fetchone()
        return "runs" if tried is not None else "nothing"
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _open_read_only(p: Path, shown: Path) -> Connection:
    """A read-only file or folder: open with mode=ro, or immutable when SQLite cannot share its WAL index."""
    note = Said("cli.store.read_only", path=str(shown))
    for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        conn = _open(_uri(p, **params), BUSY_TIMEOUT_MS)
        conn.path, conn.readonly, conn.warnings, conn.notices = p, True, [note], []
        try:
            version = stored_version(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if error_kind(exc) in ("SQLITE_CANTOPEN", "SQLITE_READONLY") and "immutable" not in params:
                continue  # no -shm file and no way to make one: read the file as it stands
            raise
        if version > latest_version():
            conn.warnings.append(
                Said("cli.store.newer_read_only", path=str(shown), version=version, latest=latest_version())
            )
        elif version < latest_version():
            stand_ins(conn)
            conn.warnings.append(
                Said("cli.store.older_read_only", path=str(shown), version=version, latest=latest_version())
            )
        return conn
    raise StoreReadOnly(f"cannot read {shown}")  # not reached: the immutable open either works or raises


def quick_check(conn: sqlite3.Connection, budget: float | None = OPEN_CHECK_SECONDS) -> list[str] | None:
    """SQLite's ``PRAGMA quick_check`` (b-tree structure, page and record format; not index contents).

    Returns [] when the file is sound, the problems SQLite lists otherwise, or None when
    ``budget`` seconds ran out first (about 1 GB a second from the page cache).
    """
    deadline = None if budget is None else time.monotonic() + budget

    def over_budget() -> int:
        return 1 if deadline is not None and time.monotonic() > deadline else 0

    conn.set_progress_handler(over_budget, 10_000)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            return None
        raise
    finally:
        conn.set_progress_handler(None, 0)
    return [] if rows == ["ok"] else rows


def check_damage(conn: sqlite3.Connection, shown: str | os.PathLike, budget: float = OPEN_CHECK_SECONDS) -> None:
    """Raise StoreDamaged when the quick check at open, bounded to ``budget`` seconds, finds damage."""
    problems = quick_check(conn, budget)
    if problems:
        lines = [line for p in problems for line in p.splitlines() if line.strip() and not line.startswith("***")]
        raise StoreDamaged(
            Said("cli.store.damaged_at_open", path=str(shown), detail=lines[0] if lines else problems[0])
        )
