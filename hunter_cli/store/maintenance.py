"""``hunter db check`` and ``hunter db backup``: look at a database without changing it, copy it safely."""

from __future__ import annotations

import os
import sqlite3
from itertools import chain
from pathlib import Path

from ..said import Said
from .connection import BUSY_TIMEOUT_MS, _open, _uri, folder_message
from .core import Connection, StoreError, StoreFull, error_kind, real_path, store_error
from .schema import latest_version, stored_version


def open_for_inspection(path: str | os.PathLike) -> Connection:
    """A read-only connection that changes nothing (no create, no migration); StoreError if absent."""
    p = real_path(path)
    if not p.exists():
        raise StoreError(Said("cli.store.no_database", path=str(path)))
    if p.is_dir():
        raise StoreError(folder_message(path))
    last: Exception | None = None
    for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        conn = _open(_uri(p, **params), BUSY_TIMEOUT_MS)
        conn.path, conn.readonly, conn.warnings, conn.notices = p, True, [], []
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            conn.close()
            last = exc
            if error_kind(exc) not in ("SQLITE_CANTOPEN", "SQLITE_READONLY"):
                break
    raise store_error(last or sqlite3.DatabaseError("cannot open"), path)


def broken_links(conn: sqlite3.Connection, limit: int = 100) -> list[str]:
    """Foreign keys that point at nothing (``PRAGMA foreign_key_check``), one sentence each."""
    out: list[str] = []
    try:
        for table, rowid, parent, fk in conn.execute("PRAGMA foreign_key_check"):
            links = conn.execute(f"PRAGMA foreign_key_list([{table}])").fetchall()
            column = next((r[3] for r in links if r[0] == fk), "?")
            out.append(f"{table} row {rowid}: {column} points at a missing row of {parent}")
            if len(out) >= limit:
                break
    except sqlite3.DatabaseError as exc:
        out.append(f"foreign key check failed: {exc}")
    return out


def unreadable_results(conn: sqlite3.Connection, limit: int = 100) -> list[str]:
    """Stored results that do not unpack or parse (:mod:`.packing`), one sentence each: SQLite's own
    checks see pages, not the zlib streams inside them (their checksums are checked here)."""
    from .packing import PackError, loads
    from .superseded import stored_results

    out: list[str] = []
    names = {r[1] for r in conn.execute("PRAGMA table_info(domains)")}
    if "current_view" not in names:  # a file before schema 9: plain JSON, nothing packed
        return out
    views = conn.execute("SELECT domain, current_view FROM domains WHERE current_view IS NOT NULL")
    try:
        for table, key, stored, error in chain(
            (("domains", domain, view, None) for domain, view in views),
            (("scans", sid, text, error) for sid, text, error in stored_results(conn)),
        ):
            try:
                if error is not None:
                    raise error
                loads(stored)
            except (PackError, ValueError) as exc:
                what = f"{key}'s current view" if table == "domains" else f"scan {key}'s result"
                out.append(f"{table}: {what} cannot be read: {exc}")
                if len(out) >= limit:
                    return out
    except sqlite3.DatabaseError as exc:
        out.append(f"stored results check failed: {exc}")
    return out


def check(path: str | os.PathLike, quick: bool = False) -> dict:
    """Health of the database at ``path``, read only.

    Returns ``{"path", "bytes", "schema_version", "latest_version", "problems": [...],
    "unfinished_runs", "crashed_runs", "sound": bool, "writable_by_this_version": bool}``;
    ``problems`` lists what ``PRAGMA integrity_check`` (or ``quick_check``) reports, up to
    100, and, when the file is otherwise sound and the check is the full one, the links
    ``PRAGMA foreign_key_check`` finds pointing at nothing and the stored results that do not
    unpack (:func:`unreadable_results`). Raises StoreError when the file
    cannot be opened as a database at all.
    """
    conn = open_for_inspection(path)
    try:
        try:
            version = stored_version(conn)
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, path) from None
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}(100)")]
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        problems = [] if rows == ["ok"] else rows
        if not problems and not quick:
            problems = broken_links(conn) + unreadable_results(conn)
        unfinished = crashed = 0
        try:
            unfinished = conn.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone()[0]
            crashed = conn.execute("SELECT count(*) FROM runs WHERE outcome = 'crashed'").fetchone()[0]
        except sqlite3.DatabaseError:
            pass
    finally:
        conn.close()
    return {
        "path": str(path),
        "bytes": real_path(path).stat().st_size,
        "schema_version": version,
        "latest_version": latest_version(),
        "problems": problems,
        "sound": not problems,
        "writable_by_this_version": version <= latest_version(),
        "unfinished_runs": unfinished,
        "crashed_runs": crashed,
    }


def backup(path: str | os.PathLike, dest: str | os.PathLike, overwrite: bool = False) -> dict:
    """Copy the database to ``dest`` with SQLite's online backup API; safe while a scan writes.

    The copy is one consistent snapshot (a single backup step under one read transaction;
    in WAL mode writers go on meanwhile), written beside ``dest`` under a temporary name,
    switched to a self-contained rollback-journal file, checked with ``quick_check`` and
    renamed into place, so ``dest`` is never half written. Returns ``{"dest", "bytes",
    "schema_version", "domains", "problems"}``. Raises StoreError when ``dest`` exists
    (without ``overwrite``), is the database itself, or cannot be written.
    """
    src_real, dest_real = real_path(path), real_path(dest)
    if src_real == dest_real:
        raise StoreError(Said("cli.store.backup_self", dest=str(dest)))
    if dest_real.exists() and not overwrite:
        raise StoreError(Said("cli.store.backup_exists", dest=str(dest)))
    if dest_real.is_dir():
        raise StoreError(Said("cli.store.backup_folder", dest=str(dest)))
    if not dest_real.parent.is_dir():
        raise StoreError(Said("cli.store.backup_no_folder", folder=str(dest_real.parent)))
    src = open_for_inspection(path)
    tmp = dest_real.with_name(f".{dest_real.name}.{os.getpid()}.part")
    try:
        target = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            problems = [r[0] for r in target.execute("PRAGMA quick_check(20)")]
            version = stored_version(target)
            domains = target.execute("SELECT count(*) FROM domains").fetchone()[0] if version else 0
        finally:
            target.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest_real)
    except sqlite3.DatabaseError as exc:
        if error_kind(exc) == "SQLITE_FULL":
            raise StoreFull(Said("cli.store.backup_full", dest=str(dest))) from None
        raise StoreError(Said("cli.store.backup_failed", dest=str(dest), detail=str(exc))) from None
    except OSError as exc:
        raise StoreError(Said("cli.store.backup_cannot_write", dest=str(dest), why=exc.strerror or str(exc))) from None
    finally:
        src.close()
        for leftover in (tmp, Path(str(tmp) + "-journal")):
            try:
                leftover.unlink()
            except OSError:
                pass
    return {
        "dest": str(dest),
        "bytes": dest_real.stat().st_size,
        "schema_version": version,
        "domains": domains,
        "problems": [] if problems == ["ok"] else problems,
    }
