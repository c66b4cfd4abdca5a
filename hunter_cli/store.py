"""The SQLite store: schema, migrations, the batched scan writer and the queries.

One file holds everything. It uses the standard library's sqlite3 directly:
the writer needs explicit BEGIN IMMEDIATE/COMMIT control, and every query is
hand-written SQL over indexed columns. WAL mode and a busy timeout let a rep
read while a cron job writes; every batch of results is one transaction, so Ctrl-C or
``kill -9`` loses at most the batch in flight, never consistency. Migrations are
numbered and recorded in ``schema_migrations``; later features append to
``MIGRATIONS`` and old files upgrade on open.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import posture
from .lead import Lead
from .models import DomainResult

BUSY_TIMEOUT_MS = 30_000
# The writer waits this long for one try at the write lock before it reports and tries again.
WRITER_BUSY_MS = 1_000
# How long the writer keeps trying while another process holds the write lock (env HUNTER_DB_WAIT).
WRITE_WAIT_LIMIT = 600.0
# Time budget of the integrity check run when a command opens the store for writing.
OPEN_CHECK_SECONDS = 2.0

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "domains, scans and runs",
        """
        CREATE TABLE domains (
            domain TEXT PRIMARY KEY,
            domain_unicode TEXT,
            company TEXT,
            added_at TEXT NOT NULL,
            last_attempt_at TEXT,
            last_status TEXT,
            last_scan_id INTEGER,
            last_good_at TEXT,
            last_good_scan_id INTEGER,
            last_ok_at TEXT,
            provider TEXT,
            provider_name TEXT,
            gateway TEXT,
            dmarc_policy TEXT,
            spf_all TEXT,
            dkim INTEGER,
            tenant TEXT,
            score INTEGER,
            segment TEXT,
            category TEXT,
            current_json TEXT
        );
        CREATE INDEX domains_provider ON domains(provider);
        CREATE INDEX domains_gateway ON domains(gateway);
        CREATE INDEX domains_category_score ON domains(category, score DESC);
        CREATE INDEX domains_last_ok ON domains(last_ok_at);
        CREATE INDEX domains_last_attempt ON domains(last_attempt_at);
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL REFERENCES domains(domain),
            run_id INTEGER REFERENCES runs(id),
            scanned_at TEXT NOT NULL,
            status TEXT NOT NULL,
            provider TEXT,
            gateway TEXT,
            result_json TEXT NOT NULL,
            raw_json TEXT,
            errors_json TEXT
        );
        CREATE INDEX scans_domain_time ON scans(domain, scanned_at);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,
            stats_json TEXT
        );
        """,
    ),
    (
        2,
        "tenant cache and registration data",
        """
        CREATE TABLE tenant_cache (
            domain TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            tenant_json TEXT
        );
        CREATE TABLE registrations (
            domain TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            status TEXT NOT NULL,
            source TEXT,
            registrar TEXT,
            created TEXT,
            expires TEXT,
            data_json TEXT,
            error_json TEXT
        );
        CREATE INDEX registrations_expires ON registrations(expires);
        ALTER TABLE domains ADD COLUMN tenant_id TEXT;
        CREATE INDEX domains_tenant ON domains(tenant);
        """,
    ),
]

MIGRATIONS.append(
    (
        3,
        "tags, notes, change events and lead-list indexes",
        """
        CREATE TABLE tags (
            domain TEXT NOT NULL REFERENCES domains(domain),
            tag TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('user', 'auto')),
            added_at TEXT NOT NULL,
            PRIMARY KEY (domain, tag, source)
        );
        CREATE INDEX tags_tag ON tags(tag, domain);
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL REFERENCES domains(domain),
            created_at TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX notes_domain ON notes(domain, created_at);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL REFERENCES domains(domain),
            scan_id INTEGER REFERENCES scans(id),
            occurred_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            old TEXT,
            new TEXT,
            detail TEXT
        );
        CREATE INDEX events_time ON events(occurred_at);
        CREATE INDEX events_domain ON events(domain, occurred_at);
        CREATE INDEX events_kind ON events(kind, occurred_at);
        ALTER TABLE domains ADD COLUMN last_change_at TEXT;
        ALTER TABLE domains ADD COLUMN expires TEXT;
        CREATE INDEX domains_last_change ON domains(last_change_at);
        CREATE INDEX domains_company ON domains(company COLLATE NOCASE);
        CREATE INDEX domains_segment ON domains(segment, score DESC);
        CREATE INDEX domains_score ON domains(score DESC);
        CREATE INDEX domains_last_good ON domains(last_good_at);
        CREATE INDEX domains_expires ON domains(expires);
        """,
    )
)

MIGRATIONS.append(
    (
        4,
        "Partner Center referrals",
        """
        CREATE TABLE referrals (
            id TEXT PRIMARY KEY,
            engagement_id TEXT,
            name TEXT,
            status TEXT,
            substatus TEXT,
            type TEXT,
            qualification TEXT,
            direction TEXT,
            kind TEXT NOT NULL,
            customer_name TEXT,
            customer_country TEXT,
            size TEXT,
            contacts_json TEXT,
            microsoft_contact TEXT,
            deal_value REAL,
            currency TEXT,
            closing_date TEXT,
            requirements_json TEXT,
            created_at TEXT,
            updated_at TEXT,
            domain TEXT,
            domain_source TEXT,
            link TEXT CHECK (link IN ('auto', 'manual') OR link IS NULL),
            raw_json TEXT NOT NULL,
            synced_at TEXT NOT NULL
        );
        CREATE INDEX referrals_domain ON referrals(domain);
        CREATE INDEX referrals_updated ON referrals(updated_at);
        CREATE INDEX referrals_status ON referrals(status, type);
        CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);
        ALTER TABLE domains ADD COLUMN active_cosell INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE domains ADD COLUMN referrals INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX domains_referrals ON domains(referrals);
        """,
    )
)

MIGRATIONS.append((5, "referral addresses", "ALTER TABLE referrals ADD COLUMN address_json TEXT;"))

# Dynamics 365 Sales (hunter crm): one Dataverse lead per domain. Queries live in crm/store.py.
MIGRATIONS.append(
    (
        6,
        "Dynamics 365 leads",
        """
        CREATE TABLE crm_leads (
            domain TEXT PRIMARY KEY REFERENCES domains(domain),
            environment TEXT NOT NULL,
            lead_id TEXT,
            push_state TEXT NOT NULL CHECK (push_state IN ('creating', 'pushed', 'failed', 'deleted')),
            payload_hash TEXT,
            first_pushed_at TEXT,
            pushed_at TEXT,
            attempted_at TEXT NOT NULL,
            error TEXT,
            statecode INTEGER,
            statuscode INTEGER,
            status_label TEXT,
            owner_id TEXT,
            owner_name TEXT,
            crm_created_on TEXT,
            crm_modified_on TEXT,
            pulled_at TEXT
        );
        CREATE INDEX crm_leads_lead_id ON crm_leads(lead_id);
        CREATE INDEX crm_leads_statecode ON crm_leads(statecode);
        """,
    )
)

TENANT_TTL_SECONDS = 24 * 3600
REGISTRATION_TTL_SECONDS = 7 * 24 * 3600


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("hunter", appauthor=False)) / "hunter.db"


class StoreError(Exception):
    """The store cannot be opened or used (bad path, not a database, locked, ...)."""


class StoreReadOnly(StoreError):
    """The database file or its folder cannot be written (permissions, read-only mount)."""


class StoreNewer(StoreError):
    """The database was written by a newer Hunter (a schema version this one does not know)."""


class StoreDamaged(StoreError):
    """SQLite found damage in the file (integrity check failed, or "database disk image is malformed")."""


class StoreFull(StoreError):
    """The disk (or file system quota) holding the database is full."""


class StoreBusy(StoreError):
    """Another process held the write lock for longer than Hunter was willing to wait."""


class Connection(sqlite3.Connection):
    """A store connection: ``path`` (the real file), ``readonly`` and ``warnings`` for the user."""

    path: Path
    readonly: bool
    warnings: list[str]


def real_path(path: str | os.PathLike) -> Path:
    """The database's real location: symlinks followed, ``..`` and relative spellings resolved.

    Locks and identity checks use this, so ``./x/../hunter.db`` and a symlink to the file are
    the same database.
    """
    return Path(os.path.realpath(os.path.expanduser(os.fspath(path))))


def latest_version() -> int:
    """The newest schema version this Hunter knows (its last migration)."""
    return max(v for v, _, _ in MIGRATIONS)


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
    kind = error_kind(exc)
    if kind == "SQLITE_FULL" or (isinstance(exc, OSError) and exc.errno == 28):
        return StoreFull(
            f"the disk holding {path} is full; nothing more could be stored (what was stored before is intact)."
            " Free some space and run the command again"
        )
    if kind in ("SQLITE_READONLY", "SQLITE_CANTOPEN") or (isinstance(exc, OSError) and exc.errno in (13, 30)):
        return StoreReadOnly(
            f"{path} is read-only (the file or its folder cannot be written): nothing was changed."
            " Reading commands (leads, leads show, sales-summary, explain, changes) still work;"
            " use --db for a writable copy"
        )
    if kind == "SQLITE_NOTADB":
        return StoreDamaged(
            f"cannot use {path} as the Hunter database: it is not an SQLite database, or its header is damaged"
        )
    if kind == "SQLITE_CORRUPT":
        return StoreDamaged(
            f"{path} is damaged ({exc}); nothing more was written to it. Run `hunter db check`,"
            " then restore a backup (`hunter db backup` makes one) or start a new database with --db"
        )
    if kind in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return StoreBusy(f"{path} is locked by another process ({exc}); try again when it has finished")
    if kind == "SQLITE_IOERR":
        return StoreError(f"cannot read or write {path}: disk I/O error ({exc})")
    return StoreError(f"cannot use {path} as the Hunter database: {exc}")


def _writable(p: Path) -> bool:
    """Whether this process may write the database file and create its -wal and -shm files beside it."""
    if p.exists() and not os.access(p, os.W_OK):
        return False
    return os.access(p.parent, os.W_OK)


def _open(uri: str, timeout_ms: int) -> Connection:
    conn = sqlite3.connect(
        uri, uri=True, timeout=timeout_ms / 1000, isolation_level=None, check_same_thread=False, factory=Connection
    )
    conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
    return conn


def _uri(p: Path, **params: str) -> str:
    from urllib.parse import quote

    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(p))}" + (f"?{query}" if query else "")


def connect(
    path: str | os.PathLike, *, write: bool = True, check: bool = True, busy_ms: int = BUSY_TIMEOUT_MS
) -> Connection:
    """Open the store; safe to call from several processes at once.

    ``write=True`` (commands that change the store): creates and migrates the file and
    refuses, with a StoreError subclass, a read-only file or folder (StoreReadOnly), a
    file from a newer Hunter (StoreNewer) and, when ``check`` is set, a file whose
    bounded ``PRAGMA quick_check`` finds damage (StoreDamaged). ``write=False`` (reading
    commands): a read-only file is opened read-only and a newer schema is read, each with
    a line in ``conn.warnings``; a missing file is created as for writing.
    """
    p = real_path(path)
    shown = Path(path)
    try:
        if not write and p.exists() and not _writable(p):
            return _open_read_only(p, shown)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno in (13, 30):
                raise StoreReadOnly(
                    f"cannot create the database at {shown}: {exc.strerror or exc} (read-only)"
                ) from None
            raise
        if not _writable(p):
            raise store_error(sqlite3.OperationalError("attempt to write a readonly database"), shown)
        conn = _open(_uri(p), busy_ms)
        conn.path, conn.readonly, conn.warnings = p, False, []
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            version = _stored_version(conn)
            if version > latest_version():
                message = (
                    f"{shown} was written by a newer Hunter (schema version {version}; this Hunter knows up to"
                    f" {latest_version()}). Upgrade Hunter (pip install -U hunter-cli) to use it"
                )
                if write:
                    raise StoreNewer(message + "; nothing was written")
                conn.warnings.append(message + "; reading it anyway, some details may be missing")
                return conn
            if write and check:
                check_damage(conn, shown)
            migrate(conn)
            if write:
                mark_crashed_runs(conn)
        except BaseException:
            conn.close()
            raise
    except StoreError:
        raise
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, shown) from None
    except OSError as exc:
        raise StoreError(f"cannot create the database at {shown}: {exc.strerror or exc}") from None
    return conn


def _open_read_only(p: Path, shown: Path) -> Connection:
    """A read-only file or folder: open with mode=ro, or immutable when SQLite cannot share its WAL index."""
    note = f"{shown} is read-only: reading only; scan, import, tag, note and rescore need a writable database"
    for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        conn = _open(_uri(p, **params), BUSY_TIMEOUT_MS)
        conn.path, conn.readonly, conn.warnings = p, True, [note]
        try:
            version = _stored_version(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if error_kind(exc) in ("SQLITE_CANTOPEN", "SQLITE_READONLY") and "immutable" not in params:
                continue  # no -shm file and no way to make one: read the file as it stands
            raise
        if version > latest_version():
            conn.warnings.append(
                f"{shown} was written by a newer Hunter (schema version {version}; this one knows up to"
                f" {latest_version()}); reading it anyway, some details may be missing"
            )
        elif version < latest_version():
            conn.warnings.append(
                f"{shown} has schema version {version} and this Hunter expects {latest_version()};"
                " it cannot be upgraded while read-only, so some details may be missing"
            )
        return conn
    raise StoreReadOnly(f"cannot read {shown}")  # not reached: the immutable open either works or raises


def _stored_version(conn: sqlite3.Connection) -> int:
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    if not has:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


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


def check_damage(conn: sqlite3.Connection, shown: str | os.PathLike) -> None:
    """Raise StoreDamaged when the bounded quick check at open finds damage."""
    problems = quick_check(conn, OPEN_CHECK_SECONDS)
    if problems:
        lines = [line for p in problems for line in p.splitlines() if line.strip() and not line.startswith("***")]
        raise StoreDamaged(
            f"{shown} is damaged ({lines[0] if lines else problems[0]}); Hunter will not write to it."
            " Run `hunter db check` for details, then restore a backup or start a new database with --db"
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


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
        "PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied: list[int] = []
    for version, name, sql in MIGRATIONS:
        if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # another process may have migrated while we waited for the write lock
            if not conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                for statement in sql.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, utcnow()),
                )
                applied.append(version)
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
    return applied


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


# -- maintenance: hunter db check / hunter db backup ----------------------------------
def open_for_inspection(path: str | os.PathLike) -> Connection:
    """A read-only connection that changes nothing (no create, no migration); StoreError if absent."""
    p = real_path(path)
    if not p.exists():
        raise StoreError(f"there is no database at {path}")
    last: Exception | None = None
    for params in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        conn = _open(_uri(p, **params), BUSY_TIMEOUT_MS)
        conn.path, conn.readonly, conn.warnings = p, True, []
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            conn.close()
            last = exc
            if error_kind(exc) not in ("SQLITE_CANTOPEN", "SQLITE_READONLY"):
                break
    raise store_error(last or sqlite3.DatabaseError("cannot open"), path)


def check(path: str | os.PathLike, quick: bool = False) -> dict:
    """Health of the database at ``path``, read only.

    Returns ``{"path", "bytes", "schema_version", "latest_version", "problems": [...],
    "unfinished_runs", "crashed_runs", "sound": bool, "writable_by_this_version": bool}``;
    ``problems`` lists what ``PRAGMA integrity_check`` (or ``quick_check``) reports, up to
    100. Raises StoreError when the file cannot be opened as a database at all.
    """
    conn = open_for_inspection(path)
    try:
        try:
            version = _stored_version(conn)
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, path) from None
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}(100)")]
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        problems = [] if rows == ["ok"] else rows
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
        raise StoreError(f"{dest} is the database itself; choose another file for the backup")
    if dest_real.exists() and not overwrite:
        raise StoreError(f"{dest} already exists; choose a new file or add --force to replace it")
    if dest_real.is_dir():
        raise StoreError(f"{dest} is a folder; give the backup's file name")
    src = open_for_inspection(path)
    tmp = dest_real.with_name(f".{dest_real.name}.{os.getpid()}.part")
    try:
        target = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            problems = [r[0] for r in target.execute("PRAGMA quick_check(20)")]
            version = _stored_version(target)
            domains = target.execute("SELECT count(*) FROM domains").fetchone()[0] if version else 0
        finally:
            target.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest_real)
    except sqlite3.DatabaseError as exc:
        if error_kind(exc) == "SQLITE_FULL":
            raise StoreFull(f"the disk holding {dest} is full; no backup was made") from None
        raise StoreError(f"the backup to {dest} failed: {exc}; no backup was made") from None
    except OSError as exc:
        raise StoreError(f"cannot write the backup {dest}: {exc.strerror or exc}; no backup was made") from None
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


# -- runs -------------------------------------------------------------------------
# A run's outcome: ok, failed (a fatal error, said in stats_json["error"]), interrupted
# (Ctrl-C or SIGTERM: what was received is stored) or crashed (the process died
# without finishing, found by the next process that opens the store for writing).
def _process() -> dict:
    import socket

    return {"pid": os.getpid(), "host": socket.gethostname()}


def start_run(conn: sqlite3.Connection, command: str) -> int:
    """Record a run as started; its pid and host let a later process tell whether it still runs."""
    cur = conn.execute(
        "INSERT INTO runs (command, started_at, stats_json) VALUES (?, ?, ?)",
        (command, utcnow(), json.dumps({"process": _process()})),
    )
    return int(cur.lastrowid or 0)


def finish_run(conn: sqlite3.Connection, run_id: int, outcome: str, stats: dict) -> None:
    conn.execute(
        "UPDATE runs SET finished_at = ?, outcome = ?, stats_json = ? WHERE id = ?",
        (utcnow(), outcome, json.dumps(stats, ensure_ascii=False), run_id),
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def mark_crashed_runs(conn: sqlite3.Connection, commands: tuple[str, ...] = ()) -> int:
    """Mark unfinished runs whose process is gone as ``crashed``; returns how many.

    A run is gone when it was started on this host by a pid that no longer exists, or,
    for the commands in ``commands``, unconditionally: the caller holds the lock every
    live run of those commands holds (``scan`` runs hold the scan lock).
    """
    host = _process()["host"]
    gone = []
    for run_id, command, stats_text in conn.execute(
        "SELECT id, command, stats_json FROM runs WHERE finished_at IS NULL AND outcome IS NULL"
    ).fetchall():
        try:
            proc = (json.loads(stats_text) or {}).get("process") or {} if stats_text else {}
        except ValueError:
            proc = {}
        if command in commands or (
            proc.get("host") == host and isinstance(proc.get("pid"), int) and not _alive(proc["pid"])
        ):
            gone.append((run_id, proc))
    for run_id, proc in gone:
        conn.execute(
            "UPDATE runs SET outcome = 'crashed', finished_at = ?, stats_json = ? WHERE id = ? AND finished_at IS NULL",
            (
                utcnow(),
                json.dumps(
                    {
                        "process": proc,
                        "error": "the process ended without finishing the run",
                        "stored": conn.execute("SELECT count(*) FROM scans WHERE run_id = ?", (run_id,)).fetchone()[0],
                    }
                ),
                run_id,
            ),
        )
    return len(gone)


# -- reads ------------------------------------------------------------------------
@dataclass
class Prior:
    """What the store already knows about a domain that a new scan can use."""

    fresh: bool = False  # fully answered scan within --max-age
    tenant_hit: bool = False  # tenant answer younger than a day (tenant may be None: no tenant)
    tenant: object = None
    registration: object = None  # Registration younger than a week (ok or unavailable), else None
    cosell: bool = False
    had_mail: bool = False  # the current view has MX hosts


def prior(
    conn: sqlite3.Connection, domain: str, fresh_since: str | None, tenant_since: str, registration_since: str
) -> Prior:
    """One indexed query per domain for everything the scan's producer needs."""
    row = conn.execute(
        """SELECT d.last_ok_at, d.active_cosell, d.provider,
                  t.fetched_at, t.tenant_json, r.fetched_at, r.status, r.data_json
           FROM (SELECT ? AS domain) q
           LEFT JOIN domains d ON d.domain = q.domain
           LEFT JOIN tenant_cache t ON t.domain = q.domain
           LEFT JOIN registrations r ON r.domain = q.domain""",
        (domain,),
    ).fetchone()
    last_ok, cosell, provider, t_at, t_json, r_at, r_status, r_json = row
    p = Prior(
        fresh=bool(fresh_since and last_ok and last_ok >= fresh_since),
        cosell=bool(cosell),
        had_mail=provider not in (None, "none", "unknown"),
    )
    if t_at and t_at >= tenant_since:
        from .models import TenantInfo

        p.tenant_hit = True
        p.tenant = TenantInfo.model_validate_json(t_json) if t_json else None
    if r_at and r_at >= registration_since and r_status != "failed" and r_json:
        from .models import Registration

        p.registration = Registration.model_validate_json(r_json)
    return p


def registration(conn: sqlite3.Connection, domain: str) -> dict | None:
    row = conn.execute(
        "SELECT status, data_json, error_json, fetched_at FROM registrations WHERE domain = ?", (domain,)
    ).fetchone()
    if not row:
        return None
    data = json.loads(row[1]) if row[1] else {}
    data.update({"status": row[0], "fetched_at": row[3]})
    if row[2]:
        data["error"] = json.loads(row[2])
    return data


def brief_inputs(conn: sqlite3.Connection, domain: str) -> dict | None:
    """Everything the call brief reads about one domain; None when it has no good scan."""
    row = conn.execute(
        "SELECT current_json, company, last_good_at, active_cosell FROM domains WHERE domain = ?", (domain,)
    ).fetchone()
    if not row or not row[0]:
        return None
    return {
        "view": json.loads(row[0]),
        "company": row[1],
        "last_good_at": row[2],
        "cosell": bool(row[3]),
        "referrals": referrals_of(conn, domain),
        "history": history(conn, domain),
        "registration": registration(conn, domain),
        "notes": notes_of(conn, domain),
    }


def current(conn: sqlite3.Connection, domain: str) -> dict | None:
    row = conn.execute("SELECT current_json FROM domains WHERE domain = ?", (domain,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def history(conn: sqlite3.Connection, domain: str) -> list[dict]:
    rows = conn.execute(
        "SELECT id, scanned_at, status, provider, gateway, errors_json "
        "FROM scans WHERE domain = ? ORDER BY scanned_at, id",
        (domain,),
    )
    return [
        {
            "id": r[0],
            "scanned_at": r[1],
            "status": r[2],
            "provider": r[3],
            "gateway": r[4],
            "errors": json.loads(r[5] or "[]"),
        }
        for r in rows
    ]


# -- writes -----------------------------------------------------------------------
SCORE_FIELDS = ("score", "segment", "category", "reasons")
CARRIED_FIELDS = {
    "txt": ("spf", "verifications", "services"),
    "spf": ("spf",),  # a temperror in the include tree keeps the last good verdict
    "dmarc": ("dmarc",),
    "dkim": ("dkim",),
    "tenant": ("tenant",),
}


def carry_forward(new: dict, previous: dict | None, not_done: Set[str] = frozenset()) -> dict:
    """The domain's current view after a scan that failed or skipped some checks.

    Checks that failed this time (or were not run, like the tenant lookup with
    ``--no-tenant``) keep the values of the last good scan instead of turning
    into "no record"; the errors stay listed beside them.
    """
    if not previous:
        return new
    merged = dict(new)
    failed = {e["check"] for e in new.get("errors", [])} | set(not_done)
    for check, fields in CARRIED_FIELDS.items():
        if check in failed:
            for f in fields:
                if f in previous:
                    merged[f] = previous[f]
    if "footprint" in failed:  # per workload: what this scan established stands, unknowns keep the last state
        from .footprint.microsoft import carry_forward as carry_footprint
        from .footprint.services import carry_forward as carry_services

        merged["microsoft"] = carry_footprint(new.get("microsoft"), previous.get("microsoft"))
        merged["services"] = carry_services(merged.get("services") or [], previous.get("services") or [])
    if new.get("score") is None and previous.get("score") is not None:
        # This scan could not be scored; the lead keeps its last known priority.
        for f in SCORE_FIELDS:
            merged[f] = previous.get(f)
    return merged


def _unicode(domain: str) -> str:
    from .domains import to_unicode

    return to_unicode(domain)


def upsert_lead(conn: sqlite3.Connection, domain: str, company: str | None, overwrite: bool = False) -> str:
    """Add a lead or fill in its company name: 'created', 'updated' or 'unchanged'.

    A stored company name is only replaced when ``overwrite`` is set; a blank
    never replaces anything.
    """
    cur = conn.execute(
        "INSERT OR IGNORE INTO domains (domain, domain_unicode, company, added_at) VALUES (?, ?, ?, ?)",
        (domain, _unicode(domain), company, utcnow()),
    )
    if cur.rowcount:
        return "created"
    if not company:
        return "unchanged"
    if overwrite:
        cur = conn.execute(
            "UPDATE domains SET company = ? WHERE domain = ? AND (company IS NULL OR company != ?)",
            (company, domain, company),
        )
    else:
        cur = conn.execute(
            "UPDATE domains SET company = ? WHERE domain = ? AND (company IS NULL OR company = '')", (company, domain)
        )
    return "updated" if cur.rowcount else "unchanged"


def import_leads(conn: sqlite3.Connection, leads, overwrite: bool = False, batch: int = 1000) -> dict[str, int]:
    """Store leads (from :func:`hunter_cli.inputs.leads`) in transactions of ``batch`` rows."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    pending: list = []

    def flush():
        conn.execute("BEGIN IMMEDIATE")
        try:
            for lead in pending:
                outcome = upsert_lead(conn, lead.domain, lead.company, overwrite)
                if not (lead.duplicate and outcome == "unchanged"):  # a repeat row that added nothing
                    counts[outcome] += 1
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
        pending.clear()

    for lead in leads:
        pending.append(lead)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return counts


def _set_auto_tags(conn: sqlite3.Connection, domain: str, view: Lead | dict | None, now: str) -> None:
    """Replace the domain's automatic tags; a rep's own tags are never touched."""
    from datetime import date

    if view is None:
        view = current(conn, domain)
        if view is None:
            return
    row = conn.execute(
        "SELECT expires FROM registrations WHERE domain = ? AND expires IS NOT NULL", (domain,)
    ).fetchone()
    tags = posture.auto_tags(view, row[0] if row else None, date.fromisoformat(now[:10]))
    conn.execute("DELETE FROM tags WHERE domain = ? AND source = 'auto'", (domain,))
    conn.executemany(
        "INSERT INTO tags (domain, tag, source, added_at) VALUES (?, ?, 'auto', ?)", [(domain, t, now) for t in tags]
    )


def _write_registration(conn: sqlite3.Connection, domain: str, reg, error) -> None:
    """Registration data, or a failed attempt that never replaces good data."""
    now = utcnow()
    if reg is not None and reg.expires:
        from datetime import date

        old = conn.execute("SELECT expires FROM domains WHERE domain = ?", (domain,)).fetchone()
        old_expires = old[0] if old else None
        today = date.fromisoformat(now[:10])
        days = posture.days_to_expiry(reg.expires, today)
        was_soon = (posture.days_to_expiry(old_expires, today) or 10**6) <= posture.EXPIRY_SOON_DAYS
        conn.execute("UPDATE domains SET expires = ? WHERE domain = ?", (reg.expires, domain))
        if days is not None and 0 <= days <= posture.EXPIRY_SOON_DAYS and not (was_soon and old_expires == reg.expires):
            conn.execute(
                "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES (?, ?, 'expires_soon', ?, ?)",
                (domain, now, old_expires, reg.expires),
            )
            conn.execute("UPDATE domains SET last_change_at = ? WHERE domain = ?", (now, domain))
    if reg is not None:
        conn.execute(
            "INSERT OR REPLACE INTO registrations (domain, fetched_at, status, "
            "source, registrar, created, expires, data_json, error_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                domain,
                reg.fetched_at or now,
                reg.status,
                reg.source,
                reg.registrar,
                reg.created,
                reg.expires,
                reg.model_dump_json(),
            ),
        )
    else:
        err = error.model_dump_json()
        cur = conn.execute("UPDATE registrations SET error_json = ? WHERE domain = ?", (err, domain))
        if cur.rowcount == 0:
            conn.execute(
                "INSERT INTO registrations (domain, fetched_at, status, error_json) VALUES (?, ?, 'failed', ?)",
                (domain, now, err),
            )


def write_results(conn: sqlite3.Connection, results: list, run_id: int | None) -> None:
    """Store one batch in a single transaction.

    Items are ``(DomainResult, json_text)`` or ``("registration", domain, Registration | None, ScanError | None)``.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        for item in results:
            if item[0] == "registration":
                _write_registration(conn, *item[1:])
                continue
            if item[0] == "lead":
                upsert_lead(conn, item[1], item[2])
                continue
            r, text = item
            data = json.loads(text)
            errors = data["errors"]
            conn.execute(
                "INSERT OR IGNORE INTO domains (domain, domain_unicode, added_at) VALUES (?, ?, ?)",
                (r.domain, _unicode(r.domain), r.scanned_at),
            )
            cur = conn.execute(
                "INSERT INTO scans (domain, run_id, scanned_at, status, "
                "provider, gateway, result_json, raw_json, errors_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    r.domain,
                    run_id,
                    r.scanned_at,
                    r.status,
                    r.provider,
                    r.gateway,
                    text,
                    json.dumps(r.raw, ensure_ascii=False) if r.raw is not None else None,
                    json.dumps(errors, ensure_ascii=False) if errors else None,
                ),
            )
            scan_id = cur.lastrowid
            if r.raw is not None and r.raw.get("tenant_source") == "lookup":
                conn.execute(
                    "INSERT OR REPLACE INTO tenant_cache (domain, fetched_at, tenant_json) VALUES (?, ?, ?)",
                    (r.domain, r.scanned_at, r.tenant.model_dump_json() if r.tenant is not None else None),
                )
            if r.status == "failed":
                # Keep the last good signals; only note that this attempt failed.
                conn.execute(
                    "UPDATE domains SET last_attempt_at = ?, last_status = ?, last_scan_id = ? WHERE domain = ?",
                    (r.scanned_at, r.status, scan_id, r.domain),
                )
                continue
            previous = current(conn, r.domain)
            view, view_text = data, text
            tenant_source = (r.raw or {}).get("tenant_source")
            not_done = {"tenant"} if tenant_source == "off" else set()
            if (r.raw or {}).get("footprint_source") == "off":  # scan --quick: keep the stored footprint
                not_done.add("footprint")
            if r.status == "partial" or not_done:
                view = carry_forward(data, previous, not_done)
                view_text = json.dumps(view, ensure_ascii=False)
            tenant_known = tenant_source in ("lookup", "cache") and not any(e["check"] == "tenant" for e in errors)
            if previous:
                found = posture.changes(previous, view)
                for kind, old, new in found:
                    conn.execute(
                        "INSERT INTO events (domain, scan_id, occurred_at, kind, old, new) VALUES (?, ?, ?, ?, ?, ?)",
                        (r.domain, scan_id, r.scanned_at, kind, old, new),
                    )
                if found:
                    conn.execute("UPDATE domains SET last_change_at = ? WHERE domain = ?", (r.scanned_at, r.domain))
            lead = Lead.from_view(view, tenant_known=tenant_known)
            _set_auto_tags(conn, r.domain, lead, r.scanned_at)
            col = lead.columns()
            conn.execute(
                """UPDATE domains SET last_attempt_at = ?, last_status = ?, last_scan_id = ?,
                   last_good_at = ?, last_good_scan_id = ?, last_ok_at = CASE WHEN ? = 'ok' THEN ? ELSE last_ok_at END,
                   provider = ?, provider_name = ?, gateway = ?, dmarc_policy = ?, spf_all = ?, dkim = ?,
                   tenant = ?, tenant_id = ?,
                   score = ?, segment = ?, category = ?, current_json = ?
                   WHERE domain = ?""",
                (
                    r.scanned_at,
                    r.status,
                    scan_id,
                    r.scanned_at,
                    scan_id,
                    r.status,
                    r.scanned_at,
                    col["provider"],
                    col["provider_name"],
                    col["gateway"],
                    col["dmarc_policy"],
                    col["spf_all"],
                    col["dkim"],
                    col["tenant"],
                    col["tenant_id"],
                    col["score"],
                    col["segment"],
                    col["category"],
                    view_text,
                    r.domain,
                ),
            )
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


_STOP = object()


def write_wait_limit() -> float:
    """Seconds the writer keeps trying while another process holds the write lock (HUNTER_DB_WAIT)."""
    try:
        return max(0.0, float(os.environ.get("HUNTER_DB_WAIT", WRITE_WAIT_LIMIT)))
    except ValueError:
        return WRITE_WAIT_LIMIT


def with_write_retry(action, path: str | os.PathLike, on_wait=None, limit: float | None = None, pending: int = 0):
    """Call ``action()`` until it gets past another process's write lock; returns its result.

    ``action`` must be one whole transaction (it is rerun from the start). While the lock
    is held, ``on_wait(seconds_waited, pending)`` is called about every busy timeout;
    after ``limit`` seconds (default :func:`write_wait_limit`) StoreBusy is raised. Any
    other SQLite or OS error becomes the matching StoreError (full, read-only, damaged).
    """
    limit = write_wait_limit() if limit is None else limit
    started = time.monotonic()
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if error_kind(exc) not in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                raise store_error(exc, path) from None
            waited = time.monotonic() - started
            if waited >= limit:
                raise StoreBusy(
                    f"another process held the write lock on {path} for {waited:.0f} s;"
                    f" gave up waiting (HUNTER_DB_WAIT={limit:g} s)"
                ) from None
            if on_wait is not None:
                on_wait(waited, pending)
            time.sleep(0.05)
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, path) from None
        except OSError as exc:
            raise store_error(exc, path) from None


@dataclass
class WriterStats:
    written: int = 0
    batches: int = 0
    waited: float = 0.0  # seconds spent waiting for another process's write lock
    unstored: int = 0  # results received but not stored (the writer failed)
    written_other: int = 0  # registration records and company names stored
    unstored_other: int = 0  # registration records and company names not stored


class ResultWriter:
    """Writes results from a background thread in batches, off the scan's event loop.

    Each batch (``batch_size`` items, or what arrived within ``max_delay`` seconds) is one
    transaction. ``on_stored(texts)`` is called with the JSON of a batch's results right
    after its COMMIT, so whatever the caller prints from there is already in the store.
    While another process holds the write lock the writer waits (reporting through
    ``on_wait(seconds, pending)``) and retries, for up to :func:`write_wait_limit`
    seconds. ``put`` never blocks the loop for long; ``close`` flushes everything queued
    and raises StoreError when something could not be stored, so a scan cannot claim
    success for results it lost.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        run_id: int | None,
        batch_size: int = 500,
        max_delay: float = 1.0,
        on_stored=None,
        on_wait=None,
    ):
        self.path = path
        self.run_id = run_id
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.on_stored = on_stored
        self.on_wait = on_wait
        self.stats = WriterStats()
        self.error: StoreError | None = None
        self.output_error: BaseException | None = None  # raised by on_stored (e.g. a closed stdout)
        self._received = 0
        self._received_other = 0
        # Results wait here only while a batch is being written or the lock is held; the
        # cap stops memory growing without end during a very long hold.
        self._queue: queue.Queue = queue.Queue(maxsize=batch_size * 100)
        self._thread = threading.Thread(target=self._run, name="hunter-store-writer", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Results received and not yet stored."""
        return self._received - self.stats.written

    def _check(self) -> None:
        if self.error is not None:
            raise self.error
        if self.output_error is not None:
            raise self.output_error

    def put(self, result: DomainResult, text: str | None = None) -> None:
        """Queue a result; ``text`` is its JSON when the caller already made it."""
        self._check()
        self._received += 1
        self._queue.put((result, text if text is not None else result.model_dump_json()))

    def put_lead(self, domain: str, company: str | None) -> None:
        self._check()
        self._received_other += 1
        self._queue.put(("lead", domain, company))

    def put_registration(self, domain: str, registration, error) -> None:
        self._check()
        self._received_other += 1
        self._queue.put(("registration", domain, registration, error))

    def _write(self, conn: sqlite3.Connection, batch: list) -> None:
        results = [item for item in batch if item[0] not in ("lead", "registration")]
        waited = [0.0]

        def note_wait(seconds: float, pending: int) -> None:
            waited[0] = seconds
            if self.on_wait is not None:
                self.on_wait(seconds, pending)

        with_write_retry(lambda: write_results(conn, batch, self.run_id), self.path, note_wait, pending=self.pending)
        self.stats.waited += waited[0]
        self.stats.written += len(results)
        self.stats.written_other += len(batch) - len(results)
        self.stats.batches += 1
        if self.on_stored is not None and self.output_error is None and results:
            try:
                self.on_stored([text for _, text in results])
            except BaseException as exc:  # noqa: BLE001 - handed to the scan, which stops
                self.output_error = exc

    def _run(self) -> None:
        conn = None
        batch: list = []
        try:
            conn = connect(self.path, check=False, busy_ms=WRITER_BUSY_MS)
            deadline = None
            while True:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    item = self._queue.get(timeout=timeout)
                except queue.Empty:
                    item = None
                if item is not None and item is not _STOP:
                    batch.append(item)
                    if deadline is None:
                        deadline = time.monotonic() + self.max_delay
                if batch and (item is None or item is _STOP or len(batch) >= self.batch_size):
                    self._write(conn, batch)
                    batch = []
                    deadline = None
                if item is _STOP:
                    return
        except StoreError as exc:  # reported by close()
            self.error = exc
        except BaseException as exc:  # noqa: BLE001 - reported by close(), never lost in a thread
            self.error = StoreError(f"writing results to {self.path} failed: {exc}")
        finally:
            if self.error is not None:
                # drain so producers never block on a dead writer
                while True:
                    try:
                        if self._queue.get_nowait() is _STOP:
                            break
                    except queue.Empty:
                        break
            if conn is not None:
                conn.close()

    def close(self) -> WriterStats:
        """Flush what is queued and stop; raises the writer's StoreError, if any."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        if self.error is not None:
            self.stats.unstored = self.pending
            self.stats.unstored_other = self._received_other - self.stats.written_other
            raise self.error
        return self.stats


def rescore(
    conn: sqlite3.Connection, rules, domains: list[str] | None = None, transaction: bool = True
) -> dict[str, int]:
    """Reapply ``rules`` to every domain's current view (or only ``domains``); no network."""
    from .scoring import evaluate, facts_from

    counts = {"scored": 0, "changed": 0, "unscorable": 0}
    if transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute(
            "SELECT domain, current_json, score, category, active_cosell FROM domains WHERE current_json IS NOT NULL"
        ).fetchall()
        if domains is not None:
            wanted = set(domains)
            rows = [r for r in rows if r[0] in wanted]
        for domain, text, old_score, old_category, cosell in rows:
            view = json.loads(text)
            facts = facts_from(view, rules, bool(cosell))
            if facts is None:
                counts["unscorable"] += 1
                continue
            out = evaluate(facts, rules)
            view.update(score=out.score, segment=out.segment, category=out.category, reasons=out.reasons)
            conn.execute(
                "UPDATE domains SET score = ?, segment = ?, category = ?, current_json = ? WHERE domain = ?",
                (out.score, out.segment, out.category, json.dumps(view, ensure_ascii=False), domain),
            )
            counts["scored"] += 1
            if (out.score, out.category) != (old_score, old_category):
                counts["changed"] += 1
        if transaction:
            conn.execute("COMMIT")
    except BaseException:
        if transaction:
            rollback(conn)
        raise
    return counts


def due_for_rescan(
    conn: sqlite3.Connection, older_than_iso: str, categories: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[str]:
    """Leads whose last good scan is older than the cut-off, never scanned, or whose last attempt failed."""
    where = ["(last_good_at IS NULL OR last_good_at <= ? OR last_status = 'failed')"]
    params: list = [older_than_iso]
    if categories:
        where.append(f"category IN ({','.join('?' * len(categories))})")
        params += list(categories)
    if tags:
        where.append(f"domain IN (SELECT domain FROM tags WHERE tag IN ({','.join('?' * len(tags))}))")
        params += list(tags)
    sql = f"SELECT domain FROM domains WHERE {' AND '.join(where)} ORDER BY last_good_at IS NOT NULL, last_good_at"
    return [r[0] for r in conn.execute(sql, params)]


def events_since(conn: sqlite3.Connection, since_iso: str, kinds: Sequence[str] = (), limit: int = 0) -> list[dict]:
    """Change events at or after ``since_iso``, newest first, with the lead's company and category."""
    sql = (
        "SELECT e.occurred_at, e.domain, d.company, e.kind, e.old, e.new, d.category FROM events e"
        " JOIN domains d USING (domain) WHERE e.occurred_at >= ?"
    )
    params: list = [since_iso]
    if kinds:
        sql += f" AND e.kind IN ({','.join('?' * len(kinds))})"
        params += list(kinds)
    sql += " ORDER BY e.occurred_at DESC, e.id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    cols = ("occurred_at", "domain", "company", "kind", "old", "new", "category")
    return [dict(zip(cols, r, strict=True)) for r in conn.execute(sql, params)]


def notes_of(conn: sqlite3.Connection, domain: str) -> list[dict]:
    rows = conn.execute(
        "SELECT created_at, text FROM notes WHERE domain = ? ORDER BY created_at DESC, id DESC", (domain,)
    )
    return [{"created_at": r[0], "text": r[1]} for r in rows]


REFERRAL_COLUMNS = (
    "id",
    "engagement_id",
    "name",
    "status",
    "substatus",
    "type",
    "qualification",
    "direction",
    "kind",
    "customer_name",
    "customer_country",
    "size",
    "contacts_json",
    "microsoft_contact",
    "deal_value",
    "currency",
    "closing_date",
    "requirements_json",
    "created_at",
    "updated_at",
    "domain",
    "domain_source",
    "link",
    "address_json",
    "synced_at",
)


def referrals_of(conn: sqlite3.Connection, domain: str) -> list[dict]:
    cols = ", ".join(REFERRAL_COLUMNS)
    rows = conn.execute(f"SELECT {cols} FROM referrals WHERE domain = ? ORDER BY updated_at DESC", (domain,))
    return [dict(zip(REFERRAL_COLUMNS, r, strict=True)) for r in rows]


def refresh_referral_flags(conn: sqlite3.Connection, domains) -> None:
    """Recompute each lead's referral count and whether an active co-sell referral names it."""
    for d in set(domains):
        n, cosell = conn.execute(
            "SELECT count(*), coalesce(max(kind = 'cosell' AND lower(status) IN ('new', 'active')), 0)"
            " FROM referrals WHERE domain = ?",
            (d,),
        ).fetchone()
        conn.execute("UPDATE domains SET referrals = ?, active_cosell = ? WHERE domain = ?", (n, cosell, d))


def get_state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, utcnow()),
    )
