"""Reads of one domain's stored state, change events and notes: what the scan, brief and reports need."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .core import utcnow
from .packing import loads
from .referrals import referrals_of

TENANT_TTL_SECONDS = 24 * 3600
REGISTRATION_TTL_SECONDS = 7 * 24 * 3600


# -- reads ------------------------------------------------------------------------
@dataclass
class Prior:
    """What the store already knows about a domain that a new scan can use."""

    fresh: bool = False  # the latest attempt was ok (fully answered) and within --max-age
    tenant_hit: bool = False  # tenant answer younger than a day (tenant may be None: no tenant)
    tenant: Any = None  # TenantInfo or None (models are imported only when a cached answer is read)
    registration: Any = None  # Registration younger than a week (ok or unavailable), else None
    cosell: bool = False
    had_mail: bool = False  # the current view has MX hosts
    failed_before: bool = False  # the latest attempt failed too: a failure now is no news
    microsoft_seen: bool = False  # the stored view's mail is at Microsoft 365: a kept "no tenant" was given beside it


_PRIOR_SQL = """SELECT q.domain, d.last_ok_at, d.last_status, d.active_cosell, d.provider,
                  t.fetched_at, t.tenant_json, r.fetched_at, r.status, r.data_json
           FROM q
           LEFT JOIN domains d ON d.domain = q.domain
           LEFT JOIN tenant_cache t ON t.domain = q.domain
           LEFT JOIN registrations r ON r.domain = q.domain"""


def prior(
    conn: sqlite3.Connection, domain: str, fresh_since: str | None, tenant_since: str, registration_since: str
) -> Prior:
    """What the store knows of one domain that its scan can use (:func:`priors` for many)."""
    return priors(conn, [domain], fresh_since, tenant_since, registration_since)[domain]


def priors(
    conn: sqlite3.Connection,
    domains: Sequence[str],
    fresh_since: str | None,
    tenant_since: str,
    registration_since: str,
) -> dict[str, Prior]:
    """:class:`Prior` of each of ``domains`` (distinct names, at most a few hundred), in one indexed query."""
    if not domains:
        return {}
    values = ",".join("(?)" for _ in domains)
    out: dict[str, Prior] = {}
    for row in conn.execute(f"WITH q(domain) AS (VALUES {values}) {_PRIOR_SQL}", list(domains)):
        domain, last_ok, last_status, cosell, provider, t_at, t_json, r_at, r_status, r_json = row
        p = Prior(
            # the latest attempt itself must be ok: a partial or failed one is retried on the next run
            # even when an older ok scan is within --max-age (trial 23)
            fresh=bool(fresh_since and last_ok and last_ok >= fresh_since and last_status == "ok"),
            cosell=bool(cosell),
            had_mail=provider not in (None, "none", "unknown"),
            failed_before=last_status == "failed",
            microsoft_seen=provider == "m365",
        )
        if t_at and t_at >= tenant_since:
            from ..models import TenantInfo

            p.tenant_hit = True
            p.tenant = TenantInfo.model_validate_json(t_json) if t_json else None
        if r_at and r_at >= registration_since and r_status != "failed" and r_json:
            from ..models import Registration

            p.registration = Registration.model_validate_json(r_json)
        out[domain] = p
    return out


def tenant_asked_at(conn: sqlite3.Connection, domain: str, scanned_at: str | None) -> str | None:
    """When the sign-in service gave the tenant answer that the scan of ``scanned_at`` (ISO time) used,
    when that is before the scan: the scan read it from ``tenant_cache`` (kept :data:`TENANT_TTL_SECONDS`,
    a day). None when the scan asked itself (the cache row holds the scan's own time), when no answer is
    stored, or when a later lookup replaced it (a scan that failed after asking: its time is not this
    answer's)."""
    if not scanned_at:
        return None
    try:
        row = conn.execute("SELECT fetched_at FROM tenant_cache WHERE domain = ?", (domain,)).fetchone()
    except sqlite3.OperationalError:  # a file from before the cache (schema 1), opened read-only
        return None
    fetched = row[0] if row else None
    return fetched if fetched and fetched < scanned_at else None


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


def view_column(conn: sqlite3.Connection) -> str:
    """``current_view`` (schema 9 on), or ``current_json`` in a file before it opened read-only."""
    names = {r[1] for r in conn.execute("PRAGMA table_info(domains)")}
    return "current_json" if "current_json" in names else "current_view"


def brief_inputs(conn: sqlite3.Connection, domain: str, events: int = 8) -> dict | None:
    """Everything the call brief reads about one domain; None when it has no good scan.

    ``events``: how many of its latest change events to read (``events_total`` counts them all).
    """
    row = conn.execute(
        f"SELECT {view_column(conn)}, company, last_good_at, active_cosell, tenant FROM domains WHERE domain = ?",
        (domain,),
    ).fetchone()
    if not row or not row[0]:
        return None
    recent, total = events_of(conn, domain, events)
    return {
        "view": loads(row[0]),
        "company": row[1],
        "last_good_at": row[2],
        "cosell": bool(row[3]),
        "tenant_known": row[4] is not None,  # NULL: the tenant lookup was not made, or failed
        "tenant_asked_at": tenant_asked_at(conn, domain, row[2]),  # the day's cached answer: when it was asked
        "referrals": referrals_of(conn, domain),
        "history": history(conn, domain),
        "events": recent,
        "events_total": total,
        # every move of their mail, however many other events came since: a win-back (brief/compose.py
        # ``left_microsoft``) must not be lost behind the latest few events shown
        "provider_events": events_of(conn, domain, kind="provider_changed")[0],
        "registration": registration(conn, domain),
        "notes": notes_of(conn, domain),
    }


def current(conn: sqlite3.Connection, domain: str, column: str | None = None) -> dict | None:
    """The current view of ``domain`` (its last good result, JSON form) or None; PackError if damaged.

    ``column``: the view's column when the caller knows the schema (the writer's file is always
    migrated: ``current_view``); otherwise it is read from the file, a statement more."""
    row = conn.execute(f"SELECT {column or view_column(conn)} FROM domains WHERE domain = ?", (domain,)).fetchone()
    return loads(row[0]) if row and row[0] else None


def scan_result(conn: sqlite3.Connection, scan_id: int) -> dict | None:
    """The result scan ``scan_id`` produced (its ``--json`` object), wherever and however it is stored: the
    current view, packed whole, or a delta against a newer result (:mod:`.superseded`); None when there is no
    such scan. Raises PackError when the stored value is damaged."""
    from .superseded import RESULT, stored_text

    text = stored_text(conn, scan_id, RESULT)
    return None if text is None else json.loads(text)


def scan_records(conn: sqlite3.Connection, scan_id: int) -> dict | None:
    """The raw records scan ``scan_id`` read (``{"mx": [[preference, host]], "txt": [...], ...}``), whether kept
    as text or as a delta against a newer scan's (:mod:`.superseded`); None when there is no such scan or it
    kept none. Raises PackError when the stored value is damaged."""
    from .superseded import RAW, stored_text

    text = stored_text(conn, scan_id, RAW)
    return None if text is None else json.loads(text)


def history(conn: sqlite3.Connection, domain: str) -> list[dict]:
    """One domain's scans, oldest first: ``id``, ``scanned_at``, ``status``, ``provider``, ``provider_name`` (the
    hosting brand of a ``hosting`` scan, Natro, read from its result as every other view names it; else None,
    and None too where that result cannot be read), ``gateway``, ``errors``. Reads files of any schema (a
    read-only older file names its result column otherwise, and keeps no deltas)."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(scans)")}
    result = "s.result" if "result" in cols else "s.result_json" if "result_json" in cols else "NULL"
    base = "s.result_base" if "result_base" in cols else "NULL"
    rows = conn.execute(
        "SELECT s.id, s.scanned_at, s.status, s.provider, s.gateway, s.errors_json, "
        f"CASE WHEN s.provider = 'hosting' THEN {result} END, {result} IS NULL, {base}, d.provider_name "
        "FROM scans s LEFT JOIN domains d ON d.domain = s.domain WHERE s.domain = ? ORDER BY s.scanned_at, s.id",
        (domain,),
    )
    return [
        {
            "id": r[0],
            "scanned_at": r[1],
            "status": r[2],
            "provider": r[3],
            "provider_name": _brand_of_scan(conn, r) if r[3] == "hosting" else None,
            "gateway": r[4],
            "errors": json.loads(r[5] or "[]"),
        }
        for r in rows.fetchall()
    ]


def _brand_of_scan(conn: sqlite3.Connection, row: tuple) -> str | None:
    """The ``provider_name`` of a history row (:func:`history`'s columns): the current view's when the scan's
    result is the current view (NULL, schema.py), else its result's, read whole or through its deltas."""
    from .packing import PackError

    scan_id, stored, is_view, base, view_brand = row[0], row[6], row[7], row[8], row[9]
    if is_view:
        return view_brand
    try:
        got = scan_result(conn, scan_id) if base is not None else loads(stored)
    except (PackError, ValueError):  # a damaged row names no brand; `hunter db check` names the row
        return None
    return (got or {}).get("provider_name")


def events_of(conn: sqlite3.Connection, domain: str, limit: int = 0, kind: str | None = None) -> tuple[list[dict], int]:
    """One domain's change events newest first (``occurred_at``, ``kind``, ``old``, ``new``), at most
    ``limit`` of them (0: all), and how many it has in all: one query over the ``events_domain`` index.
    ``kind``: only the events of that kind (``provider_changed``, ...).

    The later scan's events come first even within one second (times are stored to the second);
    the events of one scan keep the order they were recorded in (:func:`hunter_cli.lead.posture.changes`:
    the provider first, then gateway, tenant, DMARC, SPF, category, workloads, services).
    """
    params: list = [domain]
    of_kind = ""
    if kind:
        of_kind = " AND kind = ?"
        params.append(kind)
    sql = (
        f"SELECT occurred_at, kind, old, new, count(*) OVER (), detail FROM events WHERE domain = ?{of_kind}"
        " ORDER BY occurred_at DESC, scan_id DESC, id"
    )
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    rows = conn.execute(sql, params).fetchall()
    return [{"occurred_at": r[0], "kind": r[1], "old": r[2], "new": r[3], "detail": r[5]} for r in rows], (
        rows[0][4] if rows else 0
    )


def due_for_rescan(
    conn: sqlite3.Connection, older_than_iso: str, categories: Sequence[str] = (), tags: Sequence[str] = ()
) -> list[str]:
    """Leads due for a rescan, least recently complete first: never fully answered, last fully answered
    (``ok``) scan at or before ``older_than_iso``, or latest attempt ``partial`` or ``failed`` (what the scan
    summary promises is "retried on the next run", whatever the age of the last ok scan).

    One indexed query: a lead whose latest attempt is not ok but whose last ok scan is after the cut-off was
    attempted after it too, so the ``domains_last_attempt`` range finds it and ``domains_last_ok`` the rest.
    """
    where = [
        "(last_ok_at IS NULL OR last_ok_at <= ? OR (last_attempt_at > ? AND last_status IN ('partial', 'failed')))"
    ]
    params: list = [older_than_iso, older_than_iso]
    if categories:
        where.append(f"category IN ({','.join('?' * len(categories))})")
        params += list(categories)
    if tags:  # compared by their keys (store/tags.py): SICAK finds sıcak
        from .tags import register, spellings_sql, tag_key

        register(conn)
        where.append(f"domain IN (SELECT domain FROM tags WHERE tag IN ({spellings_sql(map(tag_key, tags), params)}))")
    sql = f"SELECT domain FROM domains WHERE {' AND '.join(where)} ORDER BY last_ok_at IS NOT NULL, last_ok_at"
    return [r[0] for r in conn.execute(sql, params)]


EVENT_COLUMNS = ("occurred_at", "domain", "company", "kind", "old", "new", "category", "detail")


def _events_where(since_iso: str, kinds: Sequence[str]) -> tuple[str, list]:
    where, params = " WHERE e.occurred_at >= ?", [since_iso]
    if kinds:
        where += f" AND e.kind IN ({','.join('?' * len(kinds))})"
        params += list(kinds)
    return where, params


def iter_events(
    conn: sqlite3.Connection, since_iso: str, kinds: Sequence[str] = (), limit: int = 0, chunk: int = 500
) -> Iterator[dict]:
    """Change events at or after ``since_iso``, newest first, with the lead's company and category;
    streamed ``chunk`` rows at a time (``limit`` 0: all)."""
    where, params = _events_where(since_iso, kinds)
    sql = (
        "SELECT e.occurred_at, e.domain, d.company, e.kind, e.old, e.new, d.category, e.detail FROM events e"
        f" JOIN domains d USING (domain){where} ORDER BY e.occurred_at DESC, e.id DESC"
    )
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    cur = conn.execute(sql, params)
    while rows := cur.fetchmany(chunk):
        for r in rows:
            yield dict(zip(EVENT_COLUMNS, r, strict=True))


def events_since(conn: sqlite3.Connection, since_iso: str, kinds: Sequence[str] = (), limit: int = 0) -> list[dict]:
    """:func:`iter_events` as a list."""
    return list(iter_events(conn, since_iso, kinds, limit))


def count_events(conn: sqlite3.Connection, since_iso: str, kinds: Sequence[str] = ()) -> int:
    """How many change events :func:`iter_events` would give without a limit (the ``events_time`` index)."""
    where, params = _events_where(since_iso, kinds)
    return conn.execute(f"SELECT count(*) FROM events e{where}", params).fetchone()[0]


def notes_of(conn: sqlite3.Connection, domain: str) -> list[dict]:
    rows = conn.execute(
        "SELECT created_at, text FROM notes WHERE domain = ? ORDER BY created_at DESC, id DESC", (domain,)
    )
    return [{"created_at": r[0], "text": r[1]} for r in rows]


def get_state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, utcnow()),
    )


def last_good_at(conn: sqlite3.Connection, domain: str) -> str | None:
    """When ``domain`` last had a good (ok or partial) scan; None when never, or not a lead."""
    row = conn.execute("SELECT last_good_at FROM domains WHERE domain = ?", (domain,)).fetchone()
    return row[0] if row else None


def latest_ok(conn: sqlite3.Connection, domain: str) -> bool:
    """Whether the latest attempt at ``domain`` was fully answered (``ok``); False for a partial or failed
    one, or a domain never scanned: what a partial or failed one did not read is asked on the next run."""
    row = conn.execute("SELECT last_status FROM domains WHERE domain = ?", (domain,)).fetchone()
    return bool(row and row[0] == "ok")


def stored_category(conn: sqlite3.Connection, domain: str) -> str | None:
    """The category ``hunter leads`` lists for ``domain`` (set by the rules of its last scoring); None when none."""
    row = conn.execute("SELECT category FROM domains WHERE domain = ?", (domain,)).fetchone()
    return row[0] if row else None


def active_cosell(conn: sqlite3.Connection, domain: str) -> bool:
    """Whether an active co-sell referral names ``domain`` (kept by refresh_referral_flags)."""
    row = conn.execute("SELECT active_cosell FROM domains WHERE domain = ?", (domain,)).fetchone()
    return bool(row and row[0])


def has_leads(conn: sqlite3.Connection) -> bool:
    """Whether the database holds any domain at all (the empty state of every list command)."""
    return conn.execute("SELECT 1 FROM domains LIMIT 1").fetchone() is not None
