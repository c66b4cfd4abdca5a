"""The SQL of ``hunter crm``: one ``crm_leads`` row per domain (migration 6 in hunter_cli/store/schema.py).

Every push outcome is written as soon as it is known, each in its own
transaction, so a run stopped half-way loses nothing it achieved: a rerun
updates what was created instead of creating it again. Before a create the
lead id Hunter chose is stored as ``creating``; a rerun finishes that create
with an upsert on the same id, so even a run killed between Dynamics' answer
and Hunter's write leaves no duplicate.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..said import from_stored, stored
from . import reads as core
from .core import rollback, utcnow

COLUMNS = (
    "domain",
    "environment",
    "lead_id",
    "push_state",
    "payload_hash",
    "first_pushed_at",
    "pushed_at",
    "attempted_at",
    "error",
    "statecode",
    "statuscode",
    "status_label",
    "owner_id",
    "owner_name",
    "crm_created_on",
    "crm_modified_on",
    "pulled_at",
)
# statecode of the standard lead table (Microsoft Learn, lead EntityType: statecode 0 Open, 1 Qualified, 2 Disqualified)
STATES = {0: "open", 1: "qualified", 2: "disqualified"}
STATE_CODES = {v: k for k, v in STATES.items()}
# the default statuscode labels of the lead table, used when the answer carries no formatted value
STATUS_LABELS = {
    1: "New",
    2: "Contacted",
    3: "Qualified",
    4: "Lost",
    5: "Cannot Contact",
    6: "No Longer Interested",
    7: "Canceled",
}


def watermark_key(environment: str) -> str:
    return f"crm.pull.modifiedon:{environment}"


def _row(r: tuple | None) -> dict | None:
    """A ``crm_leads`` row as a dict; its ``error`` as :func:`hunter_cli.said.from_stored` reads it (a sentence
    said in the reader's language, or the plain text a release before migration 16 stored)."""
    if not r:
        return None
    row = dict(zip(COLUMNS, r, strict=True))
    row["error"] = from_stored(row["error"])
    return row


def record(conn: sqlite3.Connection, domain: str) -> dict | None:
    """The stored CRM row of ``domain`` (any environment), or None."""
    return _row(conn.execute(f"SELECT {', '.join(COLUMNS)} FROM crm_leads WHERE domain = ?", (domain,)).fetchone())


def _write(conn: sqlite3.Connection, row: dict) -> None:
    cols = ", ".join(COLUMNS)
    marks = ", ".join("?" * len(COLUMNS))
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"INSERT OR REPLACE INTO crm_leads ({cols}) VALUES ({marks})", [row.get(c) for c in COLUMNS])
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)  # SQLite may have rolled back already (disk full)
        raise


def _base(old: dict | None, domain: str, environment: str) -> dict:
    """The row to update: the old one when it belongs to this environment, else a fresh one."""
    if old and old["environment"] == environment:
        return dict(old)
    return {"domain": domain, "environment": environment}


def mark_creating(conn: sqlite3.Connection, domain: str, environment: str, lead_id: str) -> None:
    """Before ``POST``: remember the id Hunter chose, so a crash cannot lead to a second create."""
    row = _base(record(conn, domain), domain, environment)
    row.update(lead_id=lead_id, push_state="creating", attempted_at=utcnow(), error=None)
    _write(conn, row)


def mark_pushed(
    conn: sqlite3.Connection, domain: str, environment: str, lead_id: str | None, payload_hash: str
) -> None:
    now = utcnow()
    row = _base(record(conn, domain), domain, environment)
    row.update(
        lead_id=lead_id or row.get("lead_id"),
        push_state="pushed",
        payload_hash=payload_hash,
        pushed_at=now,
        attempted_at=now,
        error=None,
    )
    row["first_pushed_at"] = row.get("first_pushed_at") or now
    _write(conn, row)


def mark_failed(conn: sqlite3.Connection, domain: str, environment: str, error: str, *, deleted: bool = False) -> None:
    """A failed attempt; ``error`` must already be redacted (its values too). A lead created earlier keeps its id.

    A :class:`~hunter_cli.said.Said` ``error`` is kept as its message key and values (JSON,
    :func:`hunter_cli.said.stored`), so ``crm status``, ``leads show`` and the brief say it in the
    language they are read in, not the one of the push (migration 16)."""
    old = record(conn, domain)
    row = _base(old, domain, environment)
    if deleted:
        state = "deleted"
    elif row.get("push_state") == "creating":
        state = "creating"  # the create may or may not have happened: the rerun upserts on the same id
    else:
        state = "failed"
    row.update(push_state=state, attempted_at=utcnow(), error=stored(error))
    _write(conn, row)


def pushed_ids(conn: sqlite3.Connection, environment: str) -> dict[str, str]:
    """lead id (lower case) -> domain for every lead Dynamics holds for this environment, as far as Hunter knows."""
    rows = conn.execute(
        "SELECT lead_id, domain FROM crm_leads WHERE environment = ? AND lead_id IS NOT NULL"
        " AND push_state IN ('pushed', 'failed')",
        (environment,),
    )
    return {lead_id.lower(): domain for lead_id, domain in rows}


def apply_pull(conn: sqlite3.Connection, environment: str, statuses: Iterable[dict], watermark: str | None) -> int:
    """Store pulled statuses and move the watermark, in one transaction. Returns rows changed."""
    now = utcnow()
    changed = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for s in statuses:
            cur = conn.execute(
                """UPDATE crm_leads SET statecode = ?, statuscode = ?, status_label = ?, owner_id = ?,
                   owner_name = ?, crm_created_on = ?, crm_modified_on = ?, pulled_at = ?
                   WHERE domain = ? AND environment = ?""",
                (
                    s["statecode"],
                    s["statuscode"],
                    s["status_label"],
                    s["owner_id"],
                    s["owner_name"],
                    s["created_on"],
                    s["modified_on"],
                    now,
                    s["domain"],
                    environment,
                ),
            )
            changed += cur.rowcount
        if watermark:
            core.set_state(conn, watermark_key(environment), watermark)
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)  # SQLite may have rolled back already (disk full)
        raise
    return changed


def watermark(conn: sqlite3.Connection, environment: str) -> str | None:
    return core.get_state(conn, watermark_key(environment))


def summary(conn: sqlite3.Connection, environment: str) -> dict:
    """Counts for ``hunter crm status``; ``pushed``, ``pending`` and ``failed`` are apart and add up to ``total``.

    total: the leads Hunter has tried to send to this environment; pushed: in Dynamics with Hunter's
    latest facts; pending: a create not confirmed yet, or a lead rescanned or changed in Hunter since
    its last push (the next push updates it); failed: the last attempt failed (``crm_status`` failed,
    update failed or deleted; hunter_cli/store/schema.py :data:`CRM_STATUS_SQL`), of which
    ``failed_in_dynamics`` are still in Dynamics from an earlier push and ``deleted`` were deleted there;
    and the pulled states.
    """
    from .schema import CRM_STATUS_SQL

    failed = f"coalesce(({CRM_STATUS_SQL}) IN ('failed', 'update failed', 'deleted'), 0)"
    changed = "coalesce(d.last_good_at > c.pushed_at OR d.last_change_at > c.pushed_at, 0)"  # NULL: never
    row = conn.execute(
        f"""SELECT
             count(*),
             coalesce(sum(NOT {failed} AND c.push_state = 'pushed' AND NOT {changed}), 0),
             coalesce(sum(NOT {failed} AND (c.push_state = 'creating' OR (c.push_state = 'pushed' AND {changed}))), 0),
             coalesce(sum({failed}), 0),
             coalesce(sum(({CRM_STATUS_SQL}) = 'update failed'), 0),
             coalesce(sum(c.push_state = 'deleted'), 0),
             coalesce(sum(c.statecode = 0), 0),
             coalesce(sum(c.statecode = 1), 0),
             coalesce(sum(c.statecode = 2), 0),
             max(c.pushed_at), max(c.pulled_at)
           FROM crm_leads c JOIN domains d USING (domain) WHERE c.environment = ?""",
        (environment,),
    ).fetchone()
    keys = (
        "total",
        "pushed",
        "pending",
        "failed",
        "failed_in_dynamics",
        "deleted",
        "open",
        "qualified",
        "disqualified",
        "last_push",
        "last_pull",
    )
    out = dict(zip(keys, row, strict=True))
    out["failures"] = [
        {"domain": d, "error": from_stored(e)}
        for d, e in conn.execute(
            f"SELECT domain, error FROM crm_leads c WHERE environment = ? AND {failed}"
            " ORDER BY attempted_at DESC LIMIT 20",
            (environment,),
        )
    ]
    out["watermark"] = watermark(conn, environment)
    return out


def lead_crm(conn: sqlite3.Connection, domain: str) -> dict | None:
    """What the brief and ``leads show`` say about a lead in Dynamics; None when it was never sent.

    Adds ``state`` (open, qualified, disqualified as last pulled, else None) and ``status``, the
    lead's ``crm_status`` (:data:`hunter_cli.store.schema.CRM_STATUS_SQL`, the same SQL `hunter leads` reads).
    """
    from .schema import CRM_STATUS_SQL

    r = record(conn, domain)
    if not r:
        return None
    (status,) = conn.execute(f"SELECT {CRM_STATUS_SQL} FROM crm_leads c WHERE c.domain = ?", (domain,)).fetchone()
    if status is None:
        return None
    r["state"] = STATES.get(r["statecode"]) if r["statecode"] is not None else None
    r["status"] = status
    return r
