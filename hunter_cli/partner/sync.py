"""Pull referrals into the store: incremental by ``updatedDateTime``, idempotent by id.

All pages are fetched before anything is written; the referrals, new leads and
the watermark are then stored in one transaction. A failed sync therefore
changes nothing and is recorded as failed, never as "synced 0 referrals".
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from .. import store
from .referrals import MalformedReferral, Referral, parse

WATERMARK = "referrals.updated_after"


@dataclass
class SyncResult:
    fetched: int = 0
    stored: int = 0
    created: int = 0  # referrals new to the store
    malformed: list[str] = field(default_factory=list)
    unlinked: int = 0
    new_domains: list[str] = field(default_factory=list)  # leads created by this sync (to scan)
    linked_domains: list[str] = field(default_factory=list)
    watermark: str | None = None


def _row(r: Referral, now: str, link: str | None, domain: str | None) -> tuple:
    return (
        r.id,
        r.engagement_id,
        r.name,
        r.status,
        r.substatus,
        r.type,
        r.qualification,
        r.direction,
        r.kind,
        r.customer_name,
        r.address.get("country"),
        r.size,
        json.dumps(r.contacts, ensure_ascii=False),
        r.microsoft_contact,
        r.deal_value,
        r.currency,
        r.closing_date,
        json.dumps(r.requirements, ensure_ascii=False),
        r.created,
        r.updated,
        domain,
        {"auto": r.domain_source, "manual": "manual"}.get(link) if link else None,
        link,
        json.dumps(r.address, ensure_ascii=False) if r.address else None,
        json.dumps(r.raw, ensure_ascii=False),
        now,
    )


def store_referrals(conn: sqlite3.Connection, items: list, result: SyncResult) -> None:
    """Parse and upsert referrals inside the caller's transaction. A manual link always wins."""
    now = store.utcnow()
    cols = tuple(c for c in store.REFERRAL_COLUMNS if c != "synced_at") + ("raw_json", "synced_at")
    touched: list[str] = []
    for n, item in enumerate(items, 1):
        try:
            r = parse(item)
        except MalformedReferral as exc:
            from ..said import Said, said_of

            rid = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
            which = rid if rid is not None else Said("cli.partner.item_n", n=n)
            result.malformed.append(Said("cli.partner.malformed_item", item=which, reason=said_of(exc)))
            continue
        old = store.referral_link(conn, r.id)
        link: str | None
        domain: str | None
        if old and old[0] == "manual":
            link, domain = "manual", old[1]
        else:
            link, domain = ("auto", r.domain) if r.domain else (None, None)
        if not old:
            result.created += 1
        if domain:
            if store.upsert_lead(conn, domain, r.customer_name) == "created":
                result.new_domains.append(domain)
            touched.append(domain)
        else:
            result.unlinked += 1
        if old and old[1] and old[1] != domain:
            touched.append(old[1])
        store.put_referral(conn, dict(zip(cols, _row(r, now, link, domain), strict=True)))
        result.stored += 1
        if r.updated and (result.watermark is None or r.updated > result.watermark):
            result.watermark = r.updated
    store.refresh_referral_flags(conn, touched)
    result.linked_domains = sorted(set(touched))


def sync(conn: sqlite3.Connection, client, full: bool = False, rules=None) -> SyncResult:
    """Fetch (all pages first), then store everything and move the watermark in one transaction."""
    result = SyncResult()
    after = None if full else store.get_state(conn, WATERMARK)
    items = list(client.referrals(after))
    result.fetched = len(items)
    with store.write_transaction(conn):  # rolled back whole on any error (SQLite may have already: disk full)
        store_referrals(conn, items, result)
        if result.watermark and (after is None or result.watermark > after):
            store.set_state(conn, WATERMARK, result.watermark)
        else:
            result.watermark = after
        if rules is not None and result.linked_domains:
            store.rescore(conn, rules, result.linked_domains, transaction=False)
    return result


def link(conn: sqlite3.Connection, referral_id: str, domain: str, rules=None) -> str | None:
    """Link a referral to a domain by hand; returns the previous domain. Raises KeyError for an unknown id."""
    with store.write_transaction(conn):
        row = store.referral_link(conn, referral_id)
        if row is None:
            raise KeyError(referral_id)
        _link, previous, customer = row
        store.upsert_lead(conn, domain, customer)
        store.set_manual_link(conn, referral_id, domain)
        touched = [domain] + ([previous] if previous else [])
        store.refresh_referral_flags(conn, touched)
        if rules is not None:
            store.rescore(conn, rules, touched, transaction=False)
    return previous
