"""``hunter db prune`` and ``hunter db vacuum``: drop the old scans nothing needs, give the space back.

What a scan older than the window is still needed for, and so is kept:

- ``domains.last_scan_id`` and ``last_good_scan_id`` point at it (the lead's current state);
- a change event names it (``events.scan_id``: the change history);
- it is a domain's first good scan (``leads show`` and the brief say since when the lead is known);
- it is one side of a provider or gateway move (the scan history in ``leads show`` shows it): a good
  (``ok`` or ``partial``) scan whose provider or gateway differs from the good scan before it, and
  that scan before it.

Everything else older than the window goes. A kept scan whose result is stored as a delta against one
that goes is first re-packed against what that one leaned on (:func:`hunter_cli.store.superseded.release`).
Safe beside a running scan without its lock: the
scans to remove are chosen from one read snapshot, and a scan running meanwhile only adds newer
scans and points leads and events at them, never at an old one; the removal runs in short write
transactions (:data:`PRUNE_CHUNK` scans each) so the scan's writer is never held up for long,
and the foreign keys on ``domains`` and ``events`` refuse to remove a scan that something points at.

``VACUUM`` rewrites the whole file; :func:`vacuum` takes the scan lock (``<database>.lock``, the one
``hunter scan`` holds) so no scan waits behind it, checks there is room for the copy SQLite makes,
and checks the search index afterwards (VACUUM may renumber the rowids that tie it and
``footprint_facets`` to ``domains``; both are rebuilt when it did).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from ..said import Said
from .core import StoreBusy, StoreError, real_path, rollback, store_error
from .superseded import compact, release

PRUNE_CHUNK = 500  # scans a write transaction: about 0.1 s of the file held (trial 31), so a scan beside waits little

# Scans older than the cut-off that nothing needs (see the module docstring), oldest first.
_PRUNABLE_SQL = """
WITH good AS (
    SELECT id, domain, scanned_at, provider, gateway,
           row_number() OVER w AS n,
           lag(provider) OVER w AS prev_provider, lag(gateway) OVER w AS prev_gateway,
           lead(provider) OVER w AS next_provider, lead(gateway) OVER w AS next_gateway,
           lead(id) OVER w AS next_id
    FROM scans WHERE status IN ('ok', 'partial')
    WINDOW w AS (PARTITION BY domain ORDER BY scanned_at, id)
),
keep AS (
    SELECT id FROM good
    WHERE n = 1
       OR (n > 1 AND (provider IS NOT prev_provider OR gateway IS NOT prev_gateway))
       OR (next_id IS NOT NULL AND (provider IS NOT next_provider OR gateway IS NOT next_gateway))
    UNION SELECT last_scan_id FROM domains WHERE last_scan_id IS NOT NULL
    UNION SELECT last_good_scan_id FROM domains WHERE last_good_scan_id IS NOT NULL
    UNION SELECT scan_id FROM events WHERE scan_id IS NOT NULL
)
SELECT s.id FROM scans s
WHERE s.scanned_at < ? AND s.id NOT IN (SELECT id FROM keep)
ORDER BY s.id
"""


def prunable(conn: sqlite3.Connection, before_iso: str) -> tuple[list[int], int]:
    """(ids of the scans older than ``before_iso`` (ISO 8601 UTC) that nothing needs, how many scans are
    older in all), read in one snapshot."""
    conn.execute("BEGIN")
    try:
        ids = [r[0] for r in conn.execute(_PRUNABLE_SQL, (before_iso,))]
        older = conn.execute("SELECT count(*) FROM scans WHERE scanned_at < ?", (before_iso,)).fetchone()[0]
    finally:
        conn.execute("COMMIT")
    return ids, older


def prune(conn: sqlite3.Connection, before_iso: str, dry_run: bool = False) -> dict:
    """Remove the scans older than ``before_iso`` that nothing needs.

    Returns ``{"older": scans older than the cut-off, "removed": scans removed (or that would be,
    with ``dry_run``), "kept": older scans kept, "scans": scans left (or that would be)}``. Runs beside a scan (see the
    module docstring); StoreError kinds as :func:`hunter_cli.store.store_error` maps them.
    """
    try:
        ids, older = prunable(conn, before_iso)
        removed = 0
        gone = set(ids)
        deltas = _has_deltas(conn)
        if not dry_run:
            for i in range(0, len(ids), PRUNE_CHUNK):
                chunk = ids[i : i + PRUNE_CHUNK]
                marks = ",".join("?" * len(chunk))
                conn.execute("BEGIN IMMEDIATE")
                try:
                    if deltas:
                        release(conn, chunk, gone)  # a kept scan stored as a delta against one of these
                    removed += conn.execute(f"DELETE FROM scans WHERE id IN ({marks})", chunk).rowcount
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        else:
            removed = len(ids)
        left = conn.execute("SELECT count(*) FROM scans").fetchone()[0] - (removed if dry_run else 0)
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, getattr(conn, "path", "the database")) from None
    return {"older": older, "removed": removed, "kept": older - removed, "scans": left}


def file_bytes(path: str | os.PathLike) -> int:
    """The database's size on disk: the file and its write-ahead log."""
    p = real_path(path)
    total = 0
    for f in (p, Path(str(p) + "-wal")):
        try:
            total += f.stat().st_size
        except OSError:
            pass
    return total


def vacuum(conn: sqlite3.Connection, path: str | os.PathLike) -> dict:
    """``VACUUM`` the database under the scan lock; returns ``{"before", "after", "freed"}`` in bytes and
    ``"repacked"``: the older scans still stored whole that were first re-packed as deltas
    (:func:`hunter_cli.store.superseded.compact`).

    Raises StoreBusy (naming the holder) when a scan holds the lock, StoreError when the disk has no room for the
    copy SQLite writes (about the size of the data kept) or SQLite fails.
    """
    from .scanlock import Holder, LockTaken, ScanLock

    before = file_bytes(path)
    lock = ScanLock(path, Holder("vacuum"))
    try:
        lock.acquire()
    except LockTaken as exc:
        raise StoreBusy(Said("cli.store.vacuum_busy_by", path=str(path), holder=exc.holder.said())) from None
    try:
        page_size, pages, free = (
            conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count", "freelist_count")
        )
        needed = page_size * (pages - free)
        room = shutil.disk_usage(real_path(path).parent).free
        if room < needed:
            raise StoreError(Said("cli.store.vacuum_room", path=str(path), needed=needed, room=room))
        try:
            repacked = compact(conn) if _has_deltas(conn) else 0  # older scans stored whole, as deltas
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _check_search_index(conn)
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, path) from None
    finally:
        lock.release()
    after = file_bytes(path)
    return {"before": before, "after": after, "freed": max(0, before - after), "repacked": repacked}


def _has_deltas(conn: sqlite3.Connection) -> bool:
    """Whether the file's schema keeps older scans as deltas (migration 19: ``scans.result_base``)."""
    return "result_base" in {r[1] for r in conn.execute("PRAGMA table_info(scans)")}


def _check_search_index(conn: sqlite3.Connection) -> None:
    """Rebuild ``domains_fts`` (and ``footprint_facets``, tied the same way) when VACUUM renumbered the rowids
    that tie it to ``domains``."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'domains_fts'").fetchone()
    if not has:
        return
    try:
        conn.execute("INSERT INTO domains_fts(domains_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        conn.execute("INSERT INTO domains_fts(domains_fts) VALUES ('rebuild')")
        _rebuild_facets(conn)


def _rebuild_facets(conn: sqlite3.Connection) -> None:
    """``footprint_facets`` filled again from the columns (schema 20), for rowids VACUUM renumbered."""
    from .schema import FACETS_TABLE, fill_footprint_facets

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FACETS_TABLE,)).fetchone():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"DELETE FROM {FACETS_TABLE}")
        fill_footprint_facets(conn)
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
