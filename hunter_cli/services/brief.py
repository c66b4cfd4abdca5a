"""The brief service: the stored call brief for one domain, composed from the lead view (no network)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..brief.compose import Brief
    from ..scoring import Rules
    from ..store import Connection


class NoBrief(Exception):
    """There is no brief to show for the domain; the message says why and what to run (exit status 1)."""


def load_brief(conn: Connection, domain: str, lang: str, rules: Rules) -> Brief:
    """The brief of ``domain`` in ``lang`` from what ``conn`` stores; NoBrief when it has no good scan.

    Reads the lead's current view, history, registration, notes, referrals and CRM status
    (store.brief_inputs) and composes the brief as of today.
    """
    from .. import store
    from ..brief.compose import compose
    from ..facts import failure_text, long_date
    from ..lead import Lead
    from ..store import crm as crm_store

    data = store.brief_inputs(conn, domain)
    if data is None:
        attempts = store.history(conn, domain)
        if attempts:
            last = attempts[-1]
            raise NoBrief(
                f"{domain}: no successful scan yet; last attempt failed ({failure_text(last['errors'])})"
                f" on {long_date(last['scanned_at'])}"
            )
        raise NoBrief(f"{domain} has not been scanned yet; run: hunter prep {domain}  (or: hunter scan {domain})")
    crm = crm_store.lead_crm(conn, domain)
    lead = Lead.from_view(data["view"])
    lead.tenant_known = data["tenant_known"]
    return compose(
        lead,
        lang=lang,
        history=data["history"],
        registration=data["registration"],
        company=data["company"],
        today=date.today(),
        rules=rules,
        notes=[f"{n['created_at'][:10]}: {n['text']}" for n in data["notes"]],
        referrals=data["referrals"],
        cosell=data["cosell"],
        crm=crm,
    )


def attempts_since(conn: Connection, domain: str, started: str) -> list[dict]:
    """The scans of ``domain`` stored at or after ``started`` (ISO time), oldest first: what a rescan did."""
    from .. import store

    return [h for h in store.history(conn, domain) if h["scanned_at"] >= started]
