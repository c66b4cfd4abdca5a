"""Partner Center referrals: the rows ``hunter referrals sync`` stores and the lists it shows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

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
    """The referrals naming ``domain``, newest first, as ``{column: value}`` over :data:`REFERRAL_COLUMNS`. A
    column the database does not have yet (an older release's file opened read-only, which cannot be
    upgraded) reads as None."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(referrals)")}
    cols = [c for c in REFERRAL_COLUMNS if c in have]
    rows = conn.execute(f"SELECT {', '.join(cols)} FROM referrals WHERE domain = ? ORDER BY updated_at DESC", (domain,))
    return [dict.fromkeys(REFERRAL_COLUMNS) | dict(zip(cols, r, strict=True)) for r in rows]


def refresh_referral_flags(conn: sqlite3.Connection, domains) -> None:
    """Recompute each lead's referral count and whether an active co-sell referral names it."""
    for d in set(domains):
        n, cosell = conn.execute(
            "SELECT count(*), coalesce(max(kind = 'cosell' AND lower(status) IN ('new', 'active')), 0)"
            " FROM referrals WHERE domain = ?",
            (d,),
        ).fetchone()
        conn.execute("UPDATE domains SET referrals = ?, active_cosell = ? WHERE domain = ?", (n, cosell, d))


# The columns `hunter referrals list` shows, in order.
LIST_COLUMNS = (
    "id",
    "name",
    "customer_name",
    "domain",
    "link",
    "kind",
    "type",
    "status",
    "substatus",
    "deal_value",
    "currency",
    "closing_date",
    "microsoft_contact",
    "updated_at",
)


def _referrals_where(
    statuses: Sequence[str], types: Sequence[str], linked: bool | None, updated_since: str | None
) -> tuple[str, list]:
    where: list[str] = []
    params: list = []
    if statuses:
        where.append(f"lower(status) IN ({','.join('?' * len(statuses))})")
        params += [s.lower() for s in statuses]
    if types:
        marks = ",".join("?" * len(types))
        where.append(f"(lower(type) IN ({marks}) OR kind IN ({marks}))")
        params += [t.lower() for t in types] * 2
    if linked is not None:
        where.append("domain IS NOT NULL" if linked else "domain IS NULL")
    if updated_since:
        where.append("updated_at >= ?")
        params.append(updated_since)
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def iter_referrals(
    conn: sqlite3.Connection,
    statuses: Sequence[str] = (),
    types: Sequence[str] = (),
    linked: bool | None = None,
    updated_since: str | None = None,
    limit: int = 0,
) -> Iterator[dict]:
    """Stored referrals (:data:`LIST_COLUMNS`), newest update first, streamed (``limit`` 0: all).

    ``statuses``: New, Active, Closed (any case); ``types``: Independent, Shared (any case) or
    kinds (cosell, marketplace, partner); ``linked``: with (True) or without (False) a domain;
    ``updated_since``: an ISO time.
    """
    where, params = _referrals_where(statuses, types, linked, updated_since)
    sql = f"SELECT {', '.join(LIST_COLUMNS)} FROM referrals{where} ORDER BY updated_at DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    cur = conn.execute(sql, params)
    while rows := cur.fetchmany(500):
        for r in rows:
            yield dict(zip(LIST_COLUMNS, r, strict=True))


def list_referrals(
    conn: sqlite3.Connection,
    statuses: Sequence[str] = (),
    types: Sequence[str] = (),
    linked: bool | None = None,
    updated_since: str | None = None,
) -> list[dict]:
    """:func:`iter_referrals` as a list."""
    return list(iter_referrals(conn, statuses, types, linked, updated_since))


def count_referrals(
    conn: sqlite3.Connection,
    statuses: Sequence[str] = (),
    types: Sequence[str] = (),
    linked: bool | None = None,
    updated_since: str | None = None,
) -> int:
    """How many referrals :func:`iter_referrals` gives without a limit."""
    where, params = _referrals_where(statuses, types, linked, updated_since)
    return conn.execute(f"SELECT count(*) FROM referrals{where}", params).fetchone()[0]


def referral_link(conn: sqlite3.Connection, referral_id: str) -> tuple[str | None, str | None, str | None] | None:
    """``(link, domain, customer_name)`` of a stored referral, or None when the id is unknown."""
    row = conn.execute("SELECT link, domain, customer_name FROM referrals WHERE id = ?", (referral_id,)).fetchone()
    return (row[0], row[1], row[2]) if row else None


def put_referral(conn: sqlite3.Connection, values: dict) -> None:
    """Insert or replace one referral row (``values``: REFERRAL_COLUMNS and raw_json), in the caller's transaction.

    A linked domain must already be a lead (``referrals.domain`` references ``domains``).
    """
    cols = list(values)
    conn.execute(
        f"INSERT OR REPLACE INTO referrals ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
        [values[c] for c in cols],
    )


def set_manual_link(conn: sqlite3.Connection, referral_id: str, domain: str) -> None:
    """Link a referral to ``domain`` by hand (a lead already); later syncs keep this link."""
    conn.execute(
        "UPDATE referrals SET domain = ?, link = 'manual', domain_source = 'manual' WHERE id = ?",
        (domain, referral_id),
    )


def unscanned_referral_leads(conn: sqlite3.Connection) -> list[str]:
    """The leads a referral names (linked by a sync or by hand) that were never scanned, not even tried:
    stored by ``referrals sync --no-scan`` or ``referrals link``; sorted."""
    return [
        d
        for (d,) in conn.execute(
            "SELECT DISTINCT r.domain FROM referrals r JOIN domains d ON d.domain = r.domain"
            " WHERE d.last_attempt_at IS NULL AND d.last_good_at IS NULL ORDER BY r.domain"
        )
    ]
