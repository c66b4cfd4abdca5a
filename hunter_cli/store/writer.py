"""Writes: the batched scan writer, lead imports, registrations, automatic tags and rescoring.

The scan's results are written by :class:`ResultWriter` from a background thread,
one explicit ``BEGIN IMMEDIATE`` transaction per batch of up to 500 results, so
Ctrl-C or ``kill -9`` loses at most the batch in flight and whatever is printed
from ``on_stored`` is already committed. This stays hand-written sqlite3: the
per-batch transaction and its retry while another process holds the write lock
are the point of it (measured in docs/performance.md), and it runs a handful of
statements per result on prepared-statement cache hits.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..facts import unknown_checks
from ..rules_identity import STATE_KEY
from ..said import Said
from .connection import WRITER_BUSY_MS, connect, log, write_wait_limit
from .core import StoreBusy, StoreError, error_kind, rollback, store_error, utcnow
from .packing import PackError, loads, pack, unpack
from .reads import current, set_state
from .schema import RESTORE_RESULT_SQL, compact_json, failed_checks_column
from .search import search_text
from .superseded import supersede

if TYPE_CHECKING:
    from ..lead import Lead
    from ..models import DomainResult
# posture and the lead view (pydantic models) are imported where results are written, so that
# `from hunter_cli import store` stays light for the commands that only read (hunter leads)

# -- writes -----------------------------------------------------------------------
SCORE_FIELDS = ("score", "segment", "category", "reasons", "rules")
CARRIED_FIELDS = {
    "txt": ("spf", "verifications", "services"),
    "spf": ("spf",),  # a temperror in the include tree keeps the last good verdict
    "dmarc": ("dmarc",),
    "dkim": ("dkim",),
    "tenant": ("tenant",),
}


def carry_forward(
    new: dict, previous: dict | None, not_done: Set[str] = frozenset(), tenant_asked_at: str | None = None
) -> dict:
    """The domain's current view after a scan that failed or skipped some checks.

    Checks that failed this time (or were not run, like the tenant lookup with
    ``--no-tenant``) keep the values of the last good scan instead of turning
    into "no record"; the errors stay listed beside them. ``carried`` (``{check: ISO time}``) names
    the checks whose kept values an earlier scan observed, and when: a value the earlier scan could not
    read either (its lookup failed too) is still not known (:func:`hunter_cli.facts.unknown_checks`), and
    a known "no record" or "no tenant" stays known. ``tenant_asked_at``: when the sign-in service last
    answered for the domain (``tenant_cache``), None when it never did.
    """
    if not previous:
        return new
    merged = dict(new)
    failed = {e["check"] for e in new.get("errors", [])} | set(not_done)
    before = previous.get("carried") or {}
    unknown_before = unknown_checks(previous)
    carried: dict[str, str] = {}
    for check, fields in CARRIED_FIELDS.items():
        if check in failed:
            for f in fields:
                if f in previous:
                    merged[f] = previous[f]
            if check == "tenant":
                # a lookup's answer is kept in tenant_cache: without one, the view's "no tenant" was never asked
                at = (
                    before.get(check)
                    or tenant_asked_at
                    or (previous.get("scanned_at") if previous.get("tenant") else None)
                )
            elif check in unknown_before:
                at = None
            else:
                at = before.get(check) or previous.get("scanned_at")
            if at:
                carried[check] = at
    if carried:
        merged["carried"] = carried
    else:
        merged.pop("carried", None)
    if "footprint" in failed:  # per workload: what this scan established stands, unknowns keep the last state
        from ..footprint.microsoft import carry_forward as carry_footprint
        from ..footprint.services import carry_forward as carry_services

        merged["microsoft"] = carry_footprint(new.get("microsoft"), previous.get("microsoft"))
        merged["services"] = carry_services(merged.get("services") or [], previous.get("services") or [])
    if new.get("score") is None and previous.get("score") is not None:
        # This scan could not be scored; the lead keeps its last known priority.
        for f in SCORE_FIELDS:
            merged[f] = previous.get(f)
    return merged


def _unicode(domain: str) -> str:
    from ..domains import to_unicode

    return to_unicode(domain)


def _notes_texts(conn: sqlite3.Connection, domain: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT text FROM notes WHERE domain = ? ORDER BY created_at, id", (domain,))]


def refresh_search_text(conn: sqlite3.Connection, domain: str) -> None:
    """Recompute the lead's folded search text (after its company or notes changed); triggers update the index."""
    row = conn.execute("SELECT domain_unicode, company FROM domains WHERE domain = ?", (domain,)).fetchone()
    if row is not None:
        text = search_text(domain, row[0], row[1], _notes_texts(conn, domain))
        conn.execute(
            "UPDATE domains SET search_text = ? WHERE domain = ? AND search_text IS NOT ?", (text, domain, text)
        )


def ensure_lead(conn: sqlite3.Connection, domain: str, added_at: str | None = None) -> bool:
    """Add ``domain`` as a lead with no company if it is not one yet; True when it was added."""
    uni = _unicode(domain)
    cur = conn.execute(
        "INSERT OR IGNORE INTO domains (domain, domain_unicode, added_at, search_text) VALUES (?, ?, ?, ?)",
        (domain, uni, added_at or utcnow(), search_text(domain, uni, None)),
    )
    return bool(cur.rowcount)


def upsert_lead(conn: sqlite3.Connection, domain: str, company: str | None, overwrite: bool = False) -> str:
    """Add a lead or fill in its company name: 'created', 'updated' or 'unchanged'.

    A stored company name is only replaced when ``overwrite`` is set; a blank
    never replaces anything.
    """
    uni = _unicode(domain)
    cur = conn.execute(
        "INSERT OR IGNORE INTO domains (domain, domain_unicode, company, added_at, search_text) VALUES (?, ?, ?, ?, ?)",
        (domain, uni, company, utcnow(), search_text(domain, uni, company)),
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
    if not cur.rowcount:
        return "unchanged"
    refresh_search_text(conn, domain)
    return "updated"


def import_leads(conn: sqlite3.Connection, leads, overwrite: bool = False, batch: int = 1000) -> dict[str, int]:
    """Store leads (from :func:`hunter_cli.inputs.leads`) in transactions of ``batch`` rows.

    Returns counts: ``created`` (new leads), ``known`` (unique domains of the input already stored
    before it, whether or not their name was filled in), ``updated`` (company names filled in or
    replaced) and ``unchanged`` (rows that changed nothing)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "known": 0}
    pending: list = []

    def flush():
        conn.execute("BEGIN IMMEDIATE")
        try:
            for lead in pending:
                outcome = upsert_lead(conn, lead.domain, lead.company, overwrite)
                if not (lead.duplicate and outcome == "unchanged"):  # a repeat row that added nothing
                    counts[outcome] += 1
                if not lead.duplicate and outcome != "created":
                    counts["known"] += 1
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

    from ..lead import posture

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
    ensure_lead(conn, domain, now)  # registrations.domain references domains
    if reg is not None and reg.expires:
        from datetime import date

        from ..lead import posture

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
        # the failed attempt's time beside its error: `leads show` says when the kept record was last asked
        err = json.dumps({**error.model_dump(), "at": now}, separators=(",", ":"))
        cur = conn.execute("UPDATE registrations SET error_json = ? WHERE domain = ?", (err, domain))
        if cur.rowcount == 0:
            conn.execute(
                "INSERT INTO registrations (domain, fetched_at, status, error_json) VALUES (?, ?, 'failed', ?)",
                (domain, now, err),
            )


class _Row:
    """What :func:`write_results` reads of a DomainResult, taken from its JSON and its ``raw``
    (which the JSON leaves out); the writer process has no model."""

    __slots__ = ("domain", "scanned_at", "status", "provider", "gateway", "raw", "tenant")

    def __init__(self, data: dict, raw: dict | None) -> None:
        self.domain = data["domain"]
        self.scanned_at = data["scanned_at"]
        self.status = data["status"]
        self.provider = data.get("provider")
        self.gateway = data.get("gateway")
        self.raw = raw
        self.tenant = data.get("tenant")


def _tenant_json(r: DomainResult | _Row) -> str | None:
    if r.tenant is None:
        return None
    if isinstance(r, _Row):  # the same compact JSON pydantic writes
        return json.dumps(r.tenant, ensure_ascii=False, separators=(",", ":"))
    return r.tenant.model_dump_json()


def write_results(conn: sqlite3.Connection, results: list, run_id: int | None) -> None:
    """Store one batch in a single transaction.

    Items are ``(DomainResult, json_text)``, ``("json", json_text, raw)`` (a result as the
    writer process gets it: its JSON, and its ``raw`` records, which the JSON leaves out),
    ``("registration", domain, Registration | None, ScanError | None)`` or ``("lead", domain, company)``.
    """
    from ..lead import Lead, posture
    from ..lead.footprint import footprint_columns

    conn.execute("BEGIN IMMEDIATE")
    try:
        for item in results:
            if item[0] == "registration":
                _write_registration(conn, *item[1:])
                continue
            if item[0] == "lead":
                upsert_lead(conn, item[1], item[2])
                continue
            if item[0] == "json":  # as the writer process receives a result
                _, text, raw = item
                data = json.loads(text)
                r: DomainResult | _Row = _Row(data, raw)
            else:
                r, text = item
                data = json.loads(text)
            errors = data["errors"]
            ensure_lead(conn, r.domain, r.scanned_at)
            previous = view = view_text = restore = None
            if r.status != "failed":
                try:
                    previous = current(conn, r.domain, "current_view")  # a writing connection is migrated
                except PackError:  # damaged in the file: this result replaces it (no events: nothing to compare)
                    log.warning("%s: the stored view is damaged and is replaced by this scan's", r.domain)
                    previous = None
                view, view_text = data, text
                tenant_source = (r.raw or {}).get("tenant_source")
                not_done = {"tenant"} if tenant_source == "off" else set()
                if (r.raw or {}).get("footprint_source") == "off":  # scan --quick: keep the stored footprint
                    not_done.add("footprint")
                if r.status == "partial" or not_done:
                    asked = conn.execute("SELECT fetched_at FROM tenant_cache WHERE domain = ?", (r.domain,)).fetchone()
                    view = carry_forward(data, previous, not_done, asked[0] if asked else None)
                    view_text = text if view == data else compact_json(view)
                # the view about to be replaced goes back into its scan row (schema migration 8), as a delta
                # against this scan's result once this scan has its id (migration 19, .superseded)
                restore = conn.execute(SUPERSEDED_VIEW_SQL, (r.domain,)).fetchone()
            raw_text = json.dumps(r.raw, ensure_ascii=False) if r.raw is not None else None
            cur = conn.execute(
                "INSERT INTO scans (domain, run_id, scanned_at, status, "
                "provider, gateway, result, raw_json, errors_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    r.domain,
                    run_id,
                    r.scanned_at,
                    r.status,
                    r.provider,
                    r.gateway,
                    None if view_text is text else pack(text),  # NULL: the result is the current view, stored once
                    raw_text,
                    json.dumps(errors, ensure_ascii=False) if errors else None,
                ),
            )
            scan_id = cur.lastrowid
            assert scan_id is not None  # an INSERT's rowid
            if restore is not None:
                _supersede_view(conn, restore, scan_id, (text, raw_text))
            # Whether the stored view's "no tenant" was ever observed (read before this result's answer is
            # cached below): a lookup's answer is kept in tenant_cache, so a view with no tenant and no such
            # row never had one asked. Asked only where change events will read it.
            old_tenant_known = previous is not None and (
                bool(previous.get("tenant"))
                or conn.execute("SELECT 1 FROM tenant_cache WHERE domain = ?", (r.domain,)).fetchone() is not None
            )
            if r.raw is not None and r.raw.get("tenant_source") == "lookup":
                conn.execute(
                    "INSERT OR REPLACE INTO tenant_cache (domain, fetched_at, tenant_json) VALUES (?, ?, ?)",
                    (r.domain, r.scanned_at, _tenant_json(r)),
                )
            if view is None:
                # Keep the last good signals; only note that this attempt failed.
                conn.execute(
                    "UPDATE domains SET last_attempt_at = ?, last_status = ?, last_scan_id = ?, failed_checks = ?"
                    " WHERE domain = ?",
                    (r.scanned_at, r.status, scan_id, failed_checks_column(errors), r.domain),
                )
                continue
            tenant_known = (
                tenant_source in ("lookup", "cache") and not any(e["check"] == "tenant" for e in errors)
            ) or "tenant" in (view.get("carried") or {})  # a known answer kept through a failed or skipped lookup
            if previous:
                found = posture.changes(
                    previous, view, old_tenant_known=old_tenant_known, new_tenant_known=tenant_known
                )
                for kind, old, new in found:
                    detail = posture.change_detail(kind, previous, view, old, new)
                    conn.execute(
                        "INSERT INTO events (domain, scan_id, occurred_at, kind, old, new, detail)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (r.domain, scan_id, r.scanned_at, kind, old, new, detail),
                    )
                if found:
                    conn.execute("UPDATE domains SET last_change_at = ? WHERE domain = ?", (r.scanned_at, r.domain))
            assert view_text is not None  # set with view
            lead = Lead.from_view(view, tenant_known=tenant_known)
            _set_auto_tags(conn, r.domain, lead, r.scanned_at)
            col = lead.columns()
            fp = footprint_columns(lead)
            conn.execute(
                """UPDATE domains SET last_attempt_at = ?, last_status = ?, last_scan_id = ?,
                   last_good_at = ?, last_good_scan_id = ?, last_ok_at = CASE WHEN ? = 'ok' THEN ? ELSE last_ok_at END,
                   provider = ?, provider_name = ?, gateway = ?, dmarc_policy = ?, spf_all = ?, dkim = ?,
                   tenant = ?, tenant_id = ?,
                   score = ?, segment = ?, category = ?, current_view = ?,
                   spf_result = ?, dkim_state = ?, state = ?, footprint = ?,
                   workload_tags = ?, workloads_unknown = ?, service_ids = ?, failed_checks = ?
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
                    pack(view_text),
                    col["spf_result"],
                    col["dkim_state"],
                    col["state"],
                    fp["footprint"],  # the footprint as the lead view states it (lead/footprint.py)
                    fp["workload_tags"],
                    fp["workloads_unknown"],
                    fp["service_ids"],
                    failed_checks_column(errors),
                    r.domain,
                ),
            )
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


_STOP = object()


def with_write_retry(action, path: str | os.PathLike, on_wait=None, limit: float | None = None, pending: int = 0):
    """Call ``action()`` until it gets past another process's write lock; returns its result.

    ``action`` must be one whole transaction (it is rerun from the start). While the lock
    is held, ``on_wait(seconds_waited, pending)`` is called about every busy timeout;
    after ``limit`` seconds (default :func:`write_wait_limit`) StoreBusy is raised. Any
    other SQLite or OS error becomes the matching StoreError (full, read-only, damaged).
    """
    limit = write_wait_limit() if limit is None else limit
    started = time.monotonic()
    logged = 0.0
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if error_kind(exc) not in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                raise store_error(exc, path) from None
            waited = time.monotonic() - started
            if waited >= logged:  # at the first wait, then every 10 s (hunter.store, like connection.py)
                log.info("%s: another process holds the write lock; %d results wait", path, pending)
                logged = waited + 10
            if waited >= limit:
                raise StoreBusy(
                    Said(
                        "cli.store.gave_up",
                        path=str(path),
                        seconds=waited,
                        limit=int(limit) if float(limit).is_integer() else limit,
                    )
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
    """Writes results in batches off the scan's event loop: in a thread, or in a writer process.

    Each batch (``batch_size`` items, or what arrived within ``max_delay`` seconds) is one
    ``BEGIN IMMEDIATE`` transaction. ``on_stored(texts)`` is called with the JSON of a
    batch's results right after its COMMIT, so whatever the caller prints from there is
    already in the store. While another process holds the write lock the writer waits
    (reporting through ``on_wait(seconds, pending)``) and retries, for up to
    :func:`write_wait_limit` seconds. ``put`` never blocks the loop for long; ``close``
    flushes everything queued and raises StoreError when something could not be stored,
    so a scan cannot claim success for results it lost.

    With ``process=True`` the transactions run in a child Python process
    (:func:`_child_main`) that gets each result as its JSON text only, so the SQL, the
    JSON decoding, the lead view, change events and automatic tags run on another core,
    outside the scanning interpreter's lock (docs/performance.md). The child ignores
    SIGINT and SIGTERM: the scan handles them and closes the writer, which stores what
    was received. If the scan itself dies, the child sees its pipe close, stores the
    batch it holds and exits. The guarantees are the thread's: one transaction per batch,
    ``on_stored`` only after COMMIT, errors raised by ``close``.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        run_id: int | None,
        batch_size: int = 500,
        max_delay: float = 1.0,
        on_stored=None,
        on_wait=None,
        process: bool = False,
    ):
        self.path = path
        self.run_id = run_id
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.on_stored = on_stored
        self.on_wait = on_wait
        self.process = process and os.name == "posix"  # the pipes are handed over with pass_fds
        self.stats = WriterStats()
        self.error: StoreError | None = None
        self.output_error: BaseException | None = None  # raised by on_stored (e.g. a closed stdout)
        self._received = 0
        self._received_other = 0
        # Results wait here only while a batch is being written or the lock is held; the
        # cap stops memory growing without end during a very long hold.
        self._queue: queue.Queue = queue.Queue(maxsize=batch_size * 100)
        if self.process:
            self._texts: collections.deque[str] = collections.deque()  # sent, not yet stored, in order
            self._child, self._send, self._recv = _start_child(path, run_id, batch_size, max_delay)
            self._receiver = threading.Thread(target=self._receive, name="hunter-store-receiver", daemon=True)
            self._receiver.start()
            self._thread = threading.Thread(target=self._forward, name="hunter-store-sender", daemon=True)
        else:
            self._thread = threading.Thread(target=self._run, name="hunter-store-writer", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Results received and not yet stored."""
        return self._received - self.stats.written

    def behind(self) -> bool:
        """True while more than :data:`BACKLOG` results wait to be stored and the writer still works.

        The scan starts no new domain meanwhile (``scan_many``'s ``behind``): a list of names that
        cost a few questions each (dead domains) is scanned faster than it is stored, and without
        this the results queued up to the queue's cap, about 200 MB at a million lines. A writer
        that failed is never behind: the next ``put`` raises its error instead.
        """
        return self.error is None and self.pending > BACKLOG

    def _check(self) -> None:
        if self.error is not None:
            raise self.error
        if self.output_error is not None:
            raise self.output_error

    def put(self, result: DomainResult, text: str | None = None) -> None:
        """Queue a result; ``text`` is its JSON when the caller already made it."""
        self._check()
        self._received += 1
        text = text if text is not None else result.model_dump_json()
        self._queue.put(("json", text, result.raw) if self.process else (result, text))

    def put_lead(self, domain: str, company: str | None) -> None:
        self._check()
        self._received_other += 1
        self._queue.put(("lead", domain, company))

    def put_registration(self, domain: str, registration, error) -> None:
        self._check()
        self._received_other += 1
        self._queue.put(("registration", domain, registration, error))

    def _stored(self, texts: list[str]) -> None:
        if self.on_stored is not None and self.output_error is None and texts:
            try:
                self.on_stored(texts)
            except BaseException as exc:  # noqa: BLE001 - handed to the scan, which stops
                self.output_error = exc

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
        self._stored([text for _, text in results])

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
            self.error = StoreError(Said("cli.store.write_failed", path=str(self.path), detail=str(exc)))
        finally:
            if self.error is not None:
                self._drain()
            if conn is not None:
                conn.close()

    def _drain(self) -> None:
        """Empty the queue so producers never block on a dead writer."""
        while True:
            try:
                if self._queue.get_nowait() is _STOP:
                    break
            except queue.Empty:
                break

    # -- the writer process --------------------------------------------------------
    def _forward(self) -> None:
        """Sender thread: hand queued items to the child in chunks (one pickle and write per chunk).

        A pipe that no longer takes them (the child has exited) is not a reason to fail with: the
        child may have sent its reason (``("error", StoreBusy)``: it gave up on a held write lock)
        just before it exited, and the receiver, which reads the child's reports in order, may not
        have read it yet. So the sender only stops sending (it keeps draining the queue, so that
        ``put`` never blocks); the receiver says why the child ended (:meth:`_receive`)."""
        gone = False
        try:
            while True:
                item = self._queue.get()
                chunk = [item]
                while item is not _STOP and len(chunk) < _CHUNK:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    chunk.append(item)
                stop = chunk[-1] is _STOP
                if stop:
                    chunk.pop()
                if self.error is None and not gone:
                    texts = [i[1] for i in chunk if i[0] == "json"]
                    if self.on_stored is not None:
                        self._texts.extend(texts)
                    try:
                        if chunk:
                            self._send.send(chunk)
                        if stop:
                            self._send.send(None)  # no more: store what is left and finish
                    except OSError:  # the child is gone; the receiver says why, once it has read all it sent
                        gone = True
                if stop:
                    return
        finally:
            self._send.close()

    def _child_gone(self) -> None:
        """The child ended without saying why (killed, out of memory): only once its reports are all read."""
        if self.error is None:
            self.error = StoreError(Said("cli.store.writer_ended", path=str(self.path)))

    def _receive(self) -> None:
        """Receiver thread: the child's reports (stored, waiting, failed, done).

        The only thread that sets :attr:`error` while the writer runs: the child's own error (sent
        before it exits) is read before the end of its pipe, so a child that said why it stopped
        is never reported as one that "ended unexpectedly"."""
        try:
            while True:
                try:
                    msg = self._recv.recv()
                except (EOFError, OSError):
                    self._child_gone()
                    break
                except Exception as exc:  # a report that does not unpickle: never a silent success, nor a
                    if self.error is None:  # child blocked on a pipe nobody reads (the loop goes on reading)
                        self.error = StoreError(Said("cli.store.writer_report", path=str(self.path), error=exc))
                    continue
                kind = msg[0]
                if kind == "stored":
                    _, results, other, waited = msg
                    self.stats.waited += waited
                    self.stats.written += results
                    self.stats.written_other += other
                    self.stats.batches += 1
                    texts = [self._texts.popleft() for _ in range(results)] if self.on_stored is not None else []
                    self._stored(texts)
                elif kind == "wait":
                    if self.on_wait is not None:
                        self.on_wait(msg[1], self.pending)
                elif kind == "error":
                    self.error = msg[1]
                elif kind == "done":
                    break
        finally:
            self._recv.close()  # the sender keeps draining the queue until close() stops it

    def close(self) -> WriterStats:
        """Flush what is queued and stop; raises the writer's StoreError, if any."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        if self.process:
            self._receiver.join()
            self._child.wait()
            if self.error is None and self._child.returncode != 0:
                self._child_gone()
        if self.error is not None:
            self.stats.unstored = self.pending
            self.stats.unstored_other = self._received_other - self.stats.written_other
            raise self.error
        return self.stats


_CHUNK = 64  # items per message to the writer process
BACKLOG = 2_000  # results handed over and not yet stored, beyond which the scan waits (four batches)


def _start_child(path, run_id: int | None, batch_size: int, max_delay: float):
    """Start the writer process (:mod:`hunter_cli.child`); returns (Popen, connection to send on,
    connection to receive on). It imports only the store."""
    from multiprocessing.connection import Connection

    from ..child import start_child

    child, send_fd, recv_fd = start_child(
        "hunter_cli.store.writer:_child_main", [os.fspath(path), run_id, batch_size, max_delay]
    )
    return child, Connection(send_fd, readable=False), Connection(recv_fd, writable=False)


def _child_main() -> None:
    """The writer process: batches from the scan, one transaction each, reports back."""
    import signal
    import sys
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the scan stops on these and closes the writer
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    path, run_id, batch_size, max_delay, rfd, wfd = json.loads(sys.argv[1])
    inbox = Connection(rfd, writable=False)
    out = Connection(wfd, readable=False)
    conn = None
    batch: list = []
    pending: collections.deque = collections.deque()
    try:
        conn = connect(path, check=False, busy_ms=WRITER_BUSY_MS)
        deadline = None
        done = False
        while True:
            if not pending and not done:
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                if timeout is None or inbox.poll(timeout):
                    try:
                        chunk = inbox.recv()
                    except EOFError:  # the scan is gone: store what was received
                        chunk = None
                    if chunk is None:
                        done = True
                    else:
                        pending.extend(chunk)
            while pending and len(batch) < batch_size:
                batch.append(pending.popleft())
                if deadline is None:
                    deadline = time.monotonic() + max_delay
            due = deadline is not None and time.monotonic() >= deadline
            if batch and (done or due or len(batch) >= batch_size):
                _child_write(conn, batch, run_id, path, out)
                batch = []
                deadline = None
            if done and not batch and not pending:
                break
    except StoreError as exc:
        _send_error(out, exc)
    except BaseException as exc:  # noqa: BLE001 - reported by the scan's close(), never lost
        _send_error(out, StoreError(Said("cli.store.write_failed", path=str(path), detail=str(exc))))
    finally:
        if conn is not None:
            conn.close()
    try:
        out.send(("done",))
    except OSError:
        pass
    sys.stdout.flush()
    os._exit(0)


def _child_write(conn: sqlite3.Connection, batch: list, run_id: int | None, path, out) -> None:
    """One batch in one transaction (retried while another process holds the lock), then reported."""
    waited = [0.0]

    def note_wait(seconds: float, _pending: int) -> None:
        waited[0] = seconds
        out.send(("wait", seconds))

    with_write_retry(lambda: write_results(conn, batch, run_id), path, note_wait)
    results = sum(1 for item in batch if item[0] == "json")
    out.send(("stored", results, len(batch) - results, waited[0]))


def _send_error(out, exc: StoreError) -> None:
    try:
        out.send(("error", exc))
    except Exception:  # noqa: BLE001 - an exception that does not pickle goes as its message
        try:
            out.send(("error", StoreError(str(exc))))
        except OSError:
            pass


# The scan row that holds a domain's current view (its last good scan, result NULL) and that view, packed.
SUPERSEDED_VIEW_SQL = (
    "SELECT s.id, d.current_view, s.raw_json FROM domains d JOIN scans s ON s.id = d.last_good_scan_id"
    " WHERE d.domain = ? AND s.result IS NULL AND d.current_view IS NOT NULL"
)


def _supersede_view(
    conn: sqlite3.Connection, restore: tuple[int, bytes | str, str | None], scan_id: int, texts: tuple[str, str | None]
) -> None:
    """Put the view scan ``restore[0]`` produced (``restore[1]``, packed) back into its row, and its raw records
    (``restore[2]``), as deltas against the new scan ``scan_id``'s result and raw records (``texts``: the result
    is that scan's stored result or its current view, the same text). A view that does not unpack goes back as
    it is (``hunter db check`` names it)."""
    old_id, stored, raw = restore
    try:
        old_text = unpack(stored)
    except PackError:
        old_text = None
    if old_text is None or not (raw is None or isinstance(raw, str)):
        conn.execute("UPDATE scans SET result = ? WHERE id = ?", (stored, old_id))
    else:
        supersede(conn, old_id, (old_text, raw), scan_id, texts)


def rescore(
    conn: sqlite3.Connection, rules, domains: list[str] | None = None, transaction: bool = True
) -> dict[str, int]:
    """Reapply ``rules`` to every domain's current view (or only ``domains``); no network."""
    from ..scoring import evaluate, facts_from

    counts = {"scored": 0, "changed": 0, "unscorable": 0}
    if transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute(
            "SELECT domain, current_view, score, category, active_cosell FROM domains WHERE current_view IS NOT NULL"
        ).fetchall()
        if domains is not None:
            wanted = set(domains)
            rows = [r for r in rows if r[0] in wanted]
        for domain, stored, old_score, old_category, cosell in rows:
            view = loads(stored)
            facts = facts_from(view, rules, bool(cosell))
            if facts is None:
                counts["unscorable"] += 1
                continue
            out = evaluate(facts, rules)
            before = [view.get(k) for k in SCORE_FIELDS]
            view.update(
                score=out.score, segment=out.segment, category=out.category, reasons=out.reasons, rules=rules.digest
            )
            changed = [view.get(k) for k in SCORE_FIELDS] != before
            if changed:  # else the view stays as stored, byte for byte: older scans' deltas may lean on it
                conn.execute(RESTORE_RESULT_SQL, (domain,))  # the scan keeps the result it had
                conn.execute(
                    "UPDATE domains SET score = ?, segment = ?, category = ?, current_view = ? WHERE domain = ?",
                    (out.score, out.segment, out.category, pack(compact_json(view)), domain),
                )
                # migration-ready follows the segment: the automatic tags follow the new score
                _set_auto_tags(conn, domain, view, utcnow())
            counts["scored"] += 1
            if (out.score, out.category) != (old_score, old_category):
                counts["changed"] += 1
        if domains is None and rules.digest:
            set_state(conn, STATE_KEY, rules.digest)  # every stored score is now these rules'
        if transaction:
            conn.execute("COMMIT")
    except BaseException:
        if transaction:
            rollback(conn)
        raise
    return counts


def claim_rules(conn: sqlite3.Connection, digest: str | None) -> None:
    """Record ``digest`` as the rules of every stored score when there is no scored lead yet (a new
    database, or one not scored before): a scan then scores everything it stores with them."""
    if digest and conn.execute("SELECT 1 FROM domains WHERE score IS NOT NULL LIMIT 1").fetchone() is None:
        set_state(conn, STATE_KEY, digest)


def scores_stale(conn: sqlite3.Connection, digest: str | None) -> str | None:
    """Whether the stored scores may come from other rules than ``digest``: ``"other"`` when the
    database names other rules, ``"unknown"`` when it names none (files before this release) and holds
    scored leads, None when they are these rules' or there are none. Reading only."""
    if not digest:
        return None
    try:
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (STATE_KEY,)).fetchone()
        if row is not None and row[0] == digest:
            return None
        if conn.execute("SELECT 1 FROM domains WHERE score IS NOT NULL LIMIT 1").fetchone() is None:
            return None
        return "other" if row is not None else "unknown"
    except sqlite3.DatabaseError:
        return None


# -- a rep's own tags and notes ----------------------------------------------------------
def add_tags(conn: sqlite3.Connection, domain: str, tags: list[str]) -> bool:
    """Add the rep's own ``tags`` to ``domain`` (made a lead if it is not one), in one transaction.

    Returns True when ``domain`` was not a lead before (the caller says so). A tag whose key
    (store/tags.py) is stored already is added in the stored spelling: ``SICAK`` after ``sıcak``
    is ``sıcak`` (``tags`` is updated in place to the spellings stored).
    """
    from .tags import stored_spellings, tag_key

    conn.execute("BEGIN IMMEDIATE")
    try:
        created = upsert_lead(conn, domain, None) == "created"
        now = utcnow()
        known = stored_spellings(conn, tags)
        tags[:] = [known.get(tag_key(t), t) for t in tags]  # the caller names the tags as stored
        conn.executemany(
            "INSERT OR IGNORE INTO tags (domain, tag, source, added_at) VALUES (?, ?, 'user', ?)",
            [(domain, t, now) for t in tags],
        )
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return created


def remove_tags(conn: sqlite3.Connection, domain: str, tags: list[str]) -> int:
    """Remove the rep's own ``tags`` from ``domain`` (automatic tags stay), compared by their keys
    (store/tags.py: ``SICAK`` removes ``sıcak``); returns how many were removed."""
    from .tags import register, tag_key

    register(conn)
    keys = sorted({tag_key(t) for t in tags})
    marks = ",".join("?" * len(keys))
    cur = conn.execute(
        f"DELETE FROM tags WHERE domain = ? AND source = 'user' AND hunter_fold(tag) IN ({marks})", (domain, *keys)
    )
    return cur.rowcount


def add_note(conn: sqlite3.Connection, domain: str, text: str) -> bool:
    """Add a timestamped note to ``domain`` (made a lead if it is not one); notes are searchable.

    Returns True when ``domain`` was not a lead before (the caller says so).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        created = upsert_lead(conn, domain, None) == "created"
        conn.execute("INSERT INTO notes (domain, created_at, text) VALUES (?, ?, ?)", (domain, utcnow(), text))
        refresh_search_text(conn, domain)
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return created
