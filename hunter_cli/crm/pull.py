"""``hunter crm pull``: read the status of every pushed lead back from Dynamics 365.

``GET leads?$select=leadid,statecode,statuscode,_ownerid_value,createdon,modifiedon``
with ``$filter`` on ``modifiedon`` since the last pull and on the pushed lead
ids (50 per request, so the filter stays short and only Hunter's leads are
read), paged by ``@odata.nextLink`` (same origin only). The owner's name and
the status reason's label come from the ``FormattedValue`` annotations
(Microsoft Learn, "Query data: formatted values"). All pages are read before
anything is written; the statuses and the new watermark (the newest
``modifiedon`` seen) are stored in one transaction, so a failed pull changes
nothing. Items that cannot be read (no id, a state that is not a number) are
skipped and reported.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field

from ..said import Said, said_of
from ..store import crm as crm_store
from .client import FORMATTED, DataverseClient

CHUNK = 50
SELECT = "leadid,statecode,statuscode,_ownerid_value,createdon,modifiedon"


@dataclass
class PullResult:
    asked: int = 0  # pushed leads Hunter asked about
    read: int = 0  # items the server returned
    updated: int = 0  # crm_leads rows written
    malformed: list[str] = field(default_factory=list)
    watermark: str | None = None
    states: dict[str, int] = field(default_factory=dict)


class Malformed(ValueError):
    pass


def parse_item(item: object) -> dict:
    """One lead of the answer -> the stored status fields. Raises :class:`Malformed`."""
    if not isinstance(item, dict):
        raise Malformed(Said("cli.crm.malformed.not_object"))
    raw_id = item.get("leadid")
    try:
        lead_id = str(uuid.UUID(str(raw_id))) if raw_id else None
    except ValueError:
        lead_id = None
    if lead_id is None:
        if raw_id:  # it has one, but not a GUID
            raise Malformed(Said("cli.crm.malformed.not_guid", value=repr(raw_id)))
        raise Malformed(Said("cli.crm.malformed.no_leadid"))
    state, status = item.get("statecode"), item.get("statuscode")
    if not isinstance(state, int) or isinstance(state, bool) or state not in crm_store.STATES:
        raise Malformed(Said("cli.crm.malformed.statecode", value=repr(state)))
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
        raise Malformed(Said("cli.crm.malformed.statuscode", value=repr(status)))
    modified = item.get("modifiedon")
    if modified is not None and not isinstance(modified, str):
        raise Malformed(Said("cli.crm.malformed.modifiedon"))
    label = item.get(f"statuscode@{FORMATTED}")
    owner = item.get(f"_ownerid_value@{FORMATTED}")
    return {
        "lead_id": lead_id,
        "statecode": state,
        "statuscode": status,
        "status_label": label if isinstance(label, str) else crm_store.STATUS_LABELS.get(status or -1),
        "owner_id": item.get("_ownerid_value") if isinstance(item.get("_ownerid_value"), str) else None,
        "owner_name": owner if isinstance(owner, str) else None,
        "created_on": item.get("createdon") if isinstance(item.get("createdon"), str) else None,
        "modified_on": modified,
    }


def id_filter(ids: list[str], since: str | None) -> str:
    """``(leadid eq A or leadid eq B) and modifiedon ge 2026-12-01T10:00:00Z`` (GUID literals are bare in OData 4)."""
    ors = " or ".join(f"leadid eq {i}" for i in ids)
    text = f"({ors})" if len(ids) > 1 else ors
    return f"{text} and modifiedon ge {since}" if since else text


def pull(conn: sqlite3.Connection, client: DataverseClient, environment: str, full: bool = False) -> PullResult:
    """Read statuses (all pages first), then store them and the watermark in one transaction."""
    result = PullResult()
    known = crm_store.pushed_ids(conn, environment)
    since = None if full else crm_store.watermark(conn, environment)
    ids = sorted(known)
    result.asked = len(ids)
    statuses: list[dict] = []
    newest = since
    for i in range(0, len(ids), CHUNK):
        params = {"$select": SELECT, "$filter": id_filter(ids[i : i + CHUNK], since)}
        for n, item in enumerate(client.query("leads", params), 1):
            result.read += 1
            try:
                s = parse_item(item)
            except Malformed as exc:
                ident = item.get("leadid") if isinstance(item, dict) else None
                which = ident if isinstance(ident, str) else Said("cli.partner.item_n", n=n)
                result.malformed.append(Said("cli.partner.malformed_item", item=which, reason=said_of(exc)))
                continue
            domain = known.get(s["lead_id"])
            if domain is None:
                continue  # not one of Hunter's (the filter should not let it through)
            s["domain"] = domain
            statuses.append(s)
            if s["modified_on"] and (newest is None or s["modified_on"] > newest):
                newest = s["modified_on"]
    result.updated = crm_store.apply_pull(conn, environment, statuses, newest if newest != since else None)
    result.watermark = newest
    for s in statuses:
        name = crm_store.STATES[s["statecode"]]
        result.states[name] = result.states.get(name, 0) + 1
    return result
