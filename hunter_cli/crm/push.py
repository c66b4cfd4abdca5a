"""``hunter crm push``: one Dataverse lead per domain, created once and updated after.

Planning (no network) reads the store and the mapping and decides per lead:

* ``create``: never pushed: ``POST leads`` with a ``leadid`` Hunter chose and
  stored first (Dataverse accepts a caller-chosen primary key; Microsoft Learn,
  "Create a table row");
* ``finish``: a create whose answer never reached the store (the run was
  stopped): ``PATCH leads(<that id>)`` without If-Match creates or updates it,
  never a second lead;
* ``update``: ``PATCH leads(<id>)`` with ``If-Match: *``, so a lead deleted in
  Dynamics answers 404 (reported; ``--recreate`` creates a new one);
* ``upsert``: the mapping names an alternate key: ``PATCH leads(<key>='<value>')``,
  so two machines never create two leads for one domain;
* ``unchanged``: the same payload was accepted last time; nothing is sent;
* ``skip``: disqualified in Dynamics (unless ``--include-disqualified``), never
  scanned, deleted in Dynamics (unless ``--recreate``), no value for the key.

Running sends up to ``concurrency`` requests at once (threads over one HTTP
client) and stores each outcome in the main thread the moment it arrives.
The threads are daemons (:class:`_Workers`): a Ctrl-C ends the process at once
even while a request is held open, instead of waiting out the HTTP timeout.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import date

from ..said import Said, said_of
from ..store import crm as crm_store
from .client import CrmError, DataverseClient, LeadFailed, WriteResult, entity_path, key_path
from .mapping import Mapping
from .redact import redact

ENTITY_SET = "leads"


@dataclass
class Plan:
    domain: str
    action: str  # create, finish, update, upsert, unchanged, skip
    body: dict = field(default_factory=dict)
    payload_hash: str = ""
    lead_id: str | None = None
    key: dict[str, object] | None = None
    known: bool = False  # Hunter already holds a pushed record of this lead
    reason: str | None = None  # for skip

    def request(self, api: str = "") -> dict:
        """What would be sent, for ``--dry-run`` (no token, no id that does not exist yet)."""
        base = api.rstrip("/") + "/" if api else ""
        out: dict = {"domain": self.domain, "action": self.action}
        if self.action == "skip":
            out["reason"] = self.reason
            return out
        if self.action == "unchanged":
            out["lead_id"] = self.lead_id
            return out
        if self.action == "create":
            out.update(method="POST", url=base + ENTITY_SET)
        elif self.action == "upsert":
            assert self.key is not None
            out.update(method="PATCH", url=base + key_path(ENTITY_SET, self.key))
        else:
            assert self.lead_id is not None
            out.update(method="PATCH", url=base + entity_path(ENTITY_SET, self.lead_id))
            if self.action == "update":
                out["headers"] = {"If-Match": "*"}
        out["body"] = self.body
        return out


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early
    not_sent: int = 0  # selected leads the run never got to (it stopped); the rerun sends them
    # Ctrl-C: requests sent whose answer had not come (they may have arrived); their leads stay as before the
    # request (a create ``creating`` with the id Hunter chose), so the rerun finishes them, never twice
    unanswered: int = 0
    requests: int = 0
    throttled: int = 0

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [{"domain": d, "reason": r} for d, r in self.failed],
            "skipped": [{"domain": d, "reason": r} for d, r in self.skipped],
            "stopped": self.stopped,
            "not_sent": self.not_sent,
            "unanswered": self.unanswered,
            "requests": self.requests,
            "throttled": self.throttled,
        }

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
        }


# -- what a lead looks like to the mapping ---------------------------------------------
def lead_context(row: dict, data: dict, lang: str, rules, today: date) -> dict:
    """Every field of :data:`mapping.FIELDS` for one lead: the ``hunter leads`` row, the brief and its facts."""
    from ..brief.compose import _gateway_name, compose, provider_label
    from ..brief.localize import as_day
    from ..brief.messages import Messages
    from ..lead import Lead
    from ..render.brief import markdown

    view = Lead.from_store(row, data["view"], registration=data["registration"])
    brief = compose(
        view,
        lang=lang,
        history=data["history"],
        events=data.get("events", ()),
        events_total=data.get("events_total", 0),
        provider_events=data.get("provider_events"),
        registration=data["registration"],
        company=data["company"],
        today=today,
        rules=rules,
        notes=data["notes"],
        referrals=data["referrals"],
        cosell=data["cosell"],
    )
    m = Messages(lang)
    domain_u = row.get("domain_unicode") or row["domain"]
    provider = provider_label(m, view.provider, view.provider_name)
    facts = [f"**{m('crm.facts.title', date=as_day(row.get('last_scanned')) or '?')}**", ""]
    if brief.category:
        facts.append(
            "- "
            + m(
                "crm.facts.priority",
                category=brief.category,
                label=brief.category_label,
                score=brief.score,
                segment=m(f"segment.{brief.segment}"),
            )
        )
    else:
        facts.append("- " + m("crm.facts.unscored"))
    facts.append("- " + m("crm.facts.provider", provider=provider))
    facts.append("- " + m("crm.facts.gateway", gateway=_gateway_name(view) or m("crm.facts.none")))
    tenant = row.get("tenant")
    label = view.tenant_label
    tenant_text = (
        m("crm.facts.unknown")
        if label == "?"
        else m("crm.facts.none")
        if label == "none"
        else m.label("crm.facts.tenant_type", label)
    )
    facts.append("- " + m("crm.facts.tenant", tenant=tenant_text))
    facts.append("- " + m("crm.facts.auth", spf=crm_spf(m, view), dkim=crm_dkim(m, view), dmarc=crm_dmarc(m, view)))
    if brief.risk and brief.risk_text:
        # the brief's own risk line: "does not exist", "most likely receives no mail" (RFC 5321 5.1), and for a
        # parked domain whose name can still be forged, that (never a bare "none")
        facts.append("- " + brief.risk_text)
    return {
        "domain": row["domain"],
        "domain_unicode": domain_u,
        "company": row.get("company"),
        "company_or_domain": row.get("company") or domain_u,
        "website": f"https://{domain_u}",
        "provider": row.get("provider"),
        "provider_label": provider,
        "gateway": row.get("gateway"),
        "tenant": tenant,
        "tenant_id": row.get("tenant_id"),
        "dmarc_policy": row.get("dmarc_policy"),
        "spf_all": row.get("spf_all"),
        "dkim": row.get("dkim"),
        "score": row.get("score"),
        "segment": row.get("segment"),
        "category": row.get("category"),
        "category_label": brief.category_label,
        "risk": brief.risk,
        "one_liner": brief.one_liner,
        "tags": ", ".join(row.get("tags") or []),
        "last_scanned": row.get("last_scanned"),
        "facts_markdown": "\n".join(facts),
        "brief_markdown": markdown(brief).rstrip("\n"),
    }


def crm_spf(m, lead) -> str:
    """The SPF verdict in the CRM facts' words: the all qualifier when valid (RFC 7208 2.6), or the terms that
    let any server pass (RFC 7208 5.6, 5.2: ``posture.spf_open_terms``)."""
    from ..lead.posture import spf_open_terms

    verdict = lead.spf_verdict
    if verdict == "valid" and (opened := spf_open_terms(lead)):  # "-all" after ip4:0.0.0.0/0 is never reached
        return m("crm.facts.spf.open", terms=", ".join(opened))
    if verdict == "valid":
        return lead.spf_all or m("crm.facts.spf.no_all")
    if verdict == "none":
        return m("crm.facts.none")
    return m(f"crm.facts.spf.{verdict}")


def crm_dkim(m, lead) -> str:
    """The DKIM state in the CRM facts' words: key published, delegated without a key, none."""
    if lead.dkim_cell == "?":
        return m("crm.facts.unknown")
    return m(f"crm.facts.dkim.{lead.dkim_state}")


def crm_dmarc(m, lead) -> str:
    """The DMARC verdict in the CRM facts' words: the effective policy, or why none applies (RFC 7489 6.6.3)."""
    verdict = lead.dmarc_verdict
    if verdict in ("none", "quarantine", "reject"):
        return m(f"dmarc.policy.{verdict}")
    return m(f"crm.facts.dmarc.{verdict}")


def payload_hash(body: dict, key: dict | None) -> str:
    text = json.dumps({"key": key, "body": body}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- planning ----------------------------------------------------------------------------
class Plans:
    """:func:`plan`'s answer: one :class:`Plan` per lead, made as it is taken (iterate once).

    :meth:`rest` says what became of the leads not taken yet when a run stops: a ``skip`` with its
    reason where the store alone tells (disqualified, never scanned, deleted in Dynamics: what a
    whole run would list as skipped), else ``unsent``; without composing a brief, so a stopped run
    of thousands of leads ends at once.
    """

    def __init__(self, conn, rows, mapping, environment, *, lang, rules, today, recreate, include_disqualified, force):
        self.conn, self.mapping, self.environment = conn, mapping, environment
        self.lang, self.rules, self.today = lang, rules, today
        self.recreate, self.include_disqualified, self.force = recreate, include_disqualified, force
        self._rows = iter(rows)

    def __iter__(self) -> Iterator[Plan]:
        for row in self._rows:
            yield self._plan(row)

    def rest(self) -> Iterator[Plan]:
        """The leads not taken yet, each a ``skip`` (as a whole run would say) or ``unsent``."""
        for row in self._rows:
            rec, reason = self._skip(row)
            yield Plan(row["domain"], "skip", reason=reason) if reason else Plan(row["domain"], "unsent")

    def _skip(self, row: dict) -> tuple[dict | None, str | None]:
        """(the lead's stored CRM row for this environment, why it is skipped or None), from the store only."""
        domain = row["domain"]
        rec = crm_store.record(self.conn, domain)
        if rec and rec["environment"] != self.environment:
            rec = None  # an id from another environment means nothing here
        if rec and rec["statecode"] == crm_store.STATE_CODES["disqualified"] and not self.include_disqualified:
            return rec, Said("cli.crm.skip.disqualified")
        if row.get("last_scanned") is None:
            return rec, Said("cli.crm.skip.not_scanned", domain=domain)
        if self.mapping.alternate_key is None and rec and rec["push_state"] == "deleted" and not self.recreate:
            return rec, Said("cli.crm.skip.deleted")
        return rec, None

    def _plan(self, row: dict) -> Plan:
        from .. import store

        domain = row["domain"]
        rec, reason = self._skip(row)
        if reason:
            return Plan(domain, "skip", reason=reason)
        data = store.brief_inputs(self.conn, domain)
        if data is None:
            return Plan(domain, "skip", reason=Said("cli.crm.skip.not_scanned", domain=domain))
        ctx = lead_context(row, data, self.lang, self.rules, self.today)
        body = self.mapping.payload(ctx)
        key = self.mapping.key(ctx)
        digest = payload_hash(body, key)
        pushed = bool(rec and rec["pushed_at"] and rec["push_state"] in ("pushed", "failed"))
        same = bool(rec and rec["push_state"] == "pushed" and rec["payload_hash"] == digest) and not self.force
        if key is not None:
            empty = [c for c, v in key.items() if v in (None, "")]
            if empty:
                return Plan(domain, "skip", reason=Said("cli.crm.skip.no_key", column=empty[0]))
            if same:
                return Plan(domain, "unchanged", lead_id=rec["lead_id"] if rec else None)
            return Plan(domain, "upsert", body, digest, rec["lead_id"] if rec else None, key, known=pushed)
        if rec and rec["push_state"] == "creating" and rec["lead_id"]:
            return Plan(domain, "finish", body, digest, rec["lead_id"])
        if rec and rec["lead_id"] and rec["push_state"] != "deleted":
            if same:
                return Plan(domain, "unchanged", lead_id=rec["lead_id"])
            return Plan(domain, "update", body, digest, rec["lead_id"], known=True)
        return Plan(domain, "create", body, digest)


def plan(
    conn: sqlite3.Connection,
    rows: Iterable[dict],
    mapping: Mapping,
    environment: str | None,
    *,
    lang: str,
    rules,
    today: date,
    recreate: bool = False,
    include_disqualified: bool = False,
    force: bool = False,
) -> Plans:
    """One :class:`Plan` per lead, from the store only (no network, no writes); see :class:`Plans`."""
    return Plans(
        conn,
        rows,
        mapping,
        environment,
        lang=lang,
        rules=rules,
        today=today,
        recreate=recreate,
        include_disqualified=include_disqualified,
        force=force,
    )


def forecast(plans: Iterable[Plan], missing: Iterable[str] = ()) -> Summary:
    """What a push of ``plans`` would do, for ``--dry-run``: the :class:`Summary` a run would report
    if every request succeeded (``missing``: domains named but not in the database, skipped).

    ``create`` and ``finish`` count as created, ``update`` as updated; an alternate-key ``upsert``
    as updated when Hunter already pushed the lead, else as created (Dynamics may find a record
    with that key made elsewhere and update it instead: only the run can know).
    """
    out = Summary()
    for p in plans:
        if p.action == "skip":
            out.skipped.append((p.domain, p.reason or ""))
        elif p.action == "unchanged":
            out.unchanged.append(p.domain)
        elif p.action == "update" or (p.action == "upsert" and p.known):
            out.updated.append(p.domain)
        else:  # create, finish, an upsert of a lead never pushed
            out.created.append(p.domain)
    out.skipped.extend((d, Said("cli.crm.skip.not_stored")) for d in missing)
    return out


# -- running -----------------------------------------------------------------------------
class _Gone(Exception):
    """A PATCH with If-Match: * answered 404: the lead was deleted in Dynamics."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _execute(client: DataverseClient, p: Plan) -> WriteResult:
    """The request(s) for one plan, in a worker thread."""
    if p.action == "create":
        assert p.lead_id is not None
        return client.create(ENTITY_SET, {**p.body, "leadid": p.lead_id})
    if p.action == "finish":
        assert p.lead_id is not None
        return client.update(ENTITY_SET, p.lead_id, p.body, upsert=True)
    if p.action == "update":
        assert p.lead_id is not None
        try:
            return client.update(ENTITY_SET, p.lead_id, p.body)
        except LeadFailed as exc:
            if exc.status == 404:
                raise _Gone(said_of(exc)) from None
            raise
    if p.action == "upsert":
        assert p.key is not None
        return client.upsert_by_key(ENTITY_SET, p.key, p.body, p.known)
    raise ValueError(f"nothing to send for {p.action}")


class MappingRejected(CrmError):
    """Dynamics 365 answered 400 naming a column (or alternate key) of the mapping as unknown: the mapping
    is wrong for this environment, not the lead, so the run stops at the first such answer.
    ``kind``: ``column`` or ``key``; ``column``: its logical name; ``message``: the server's words (redacted)."""

    def __init__(self, kind: str, column: str, message: str) -> None:
        super().__init__(f"Dynamics 365 does not know the mapping's {kind} {column!r}: {message}")
        self.kind, self.column, self.message = kind, column, message


# Dataverse's 400 for a column the lead table does not have ("Compose HTTP requests and handle errors":
# 0x80060888 "Invalid property 'x' was found in entity ...", OData's "Could not find a property named
# 'x' on type ...") and for an alternate key it does not define ("The key 'x' is not defined ...").
_UNKNOWN_COLUMN = re.compile(r"Invalid property '([^']+)'|Could not find a property named '([^']+)'")
_UNKNOWN_KEY = re.compile(r"The key '([^']+)' is not defined|alternate key '([^']+)' is not defined", re.I)


def mapping_fault(exc: LeadFailed, mapping: Mapping | None) -> MappingRejected | None:
    """The 400 ``exc`` as a fault of ``mapping`` when it names one of the mapping's columns or key
    columns as unknown; None for any other failure (that lead's own: a plug-in, a too long text)."""
    if exc.status != 400 or mapping is None:
        return None
    text = str(exc)
    keys = set(mapping.alternate_key or {})
    m = _UNKNOWN_KEY.search(text)
    if m and (name := m.group(1) or m.group(2)) in keys:
        return MappingRejected("key", name, text)
    m = _UNKNOWN_COLUMN.search(text)
    if m and (name := m.group(1) or m.group(2)) in set(mapping.columns) | keys:
        return MappingRejected("column", name, text)
    return None


INTERRUPT_GRACE = 0.2  # seconds a Ctrl-C waits for the answers already on their way, to store them


class _Workers:
    """Runs each request in a daemon thread of its own, answering through a :class:`Future`.

    ``ThreadPoolExecutor``'s threads are joined when the interpreter exits, so a Ctrl-C while a request
    was held open (a slow or stalled Dynamics) kept the process alive until the HTTP timeout (60 s);
    a daemon thread is left behind instead. Its answer is never stored: the store is written in the
    main thread only, so a request cut off leaves its lead as it was before the request
    (:func:`run`). At most ``concurrency`` requests are in flight (the caller submits no more).
    """

    def submit(self, fn: Callable[..., WriteResult], *args: object) -> Future:
        fut: Future = Future()

        def work() -> None:
            if not fut.set_running_or_notify_cancel():
                return  # cancelled before it started
            try:
                result = fn(*args)
            except BaseException as exc:  # noqa: BLE001  handed to the main thread, which decides
                fut.set_exception(exc)
            else:
                fut.set_result(result)

        threading.Thread(target=work, name="hunter-crm", daemon=True).start()
        return fut


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the run; ``summary`` says what was sent, what failed and what was not sent."""

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary


def run(
    conn: sqlite3.Connection,
    client: DataverseClient,
    plans: Iterable[Plan],
    environment: str,
    *,
    concurrency: int = 4,
    recreate: bool = False,
    progress: Callable[[Plan, str], None] | None = None,
) -> Summary:
    """Send the plans, ``concurrency`` at a time, storing every outcome as it arrives.

    A :class:`CrmError` (or sign-in needed) stops the run: nothing new is sent,
    requests in flight are waited for and stored, then it is raised with the
    summary in ``exc.summary``; so does the first 400 that names a column or key
    of the mapping as unknown (:class:`MappingRejected`). Ctrl-C cuts every wait short (a ``Retry-After``,
    a backoff: :func:`hunter_cli.retry.stop_waiting`), stores the answers that
    come within :data:`INTERRUPT_GRACE`, and raises :class:`Interrupted` without
    waiting for the requests still in flight (counted in ``unanswered``; their
    leads stay as they were: a create ``creating`` with the id Hunter chose, which
    the next run finishes with an upsert on that id, an update still marked with
    the payload of the push before, which the next run sends again). Either
    way the leads never sent are counted as a whole run would count them: those
    the store says are skipped as skipped, the rest in ``not_sent`` (:meth:`Plans.rest`).
    """
    from .. import retry

    retry.resume_waiting()  # a Ctrl-C of an earlier run in this process (the tests' in-process CLI) is over
    mapping = plans.mapping if isinstance(plans, Plans) else None
    summary = Summary()
    in_flight: dict[Future, Plan] = {}
    pending: list[Plan] = []
    it = iter(plans)
    error: BaseException | None = None

    def note(p: Plan, what: str) -> None:
        if progress is not None:
            progress(p, what)

    def settle(fut: Future, p: Plan) -> None:
        nonlocal error
        try:
            result = fut.result()
        except _Gone as exc:
            if recreate:
                pending.append(Plan(p.domain, "create", p.body, p.payload_hash))
                return
            reason: str = Said("cli.crm.failed.deleted", error=said_of(exc))
            crm_store.mark_failed(conn, p.domain, environment, reason, deleted=True)
            summary.failed.append((p.domain, reason))
            note(p, "failed")
            return
        except LeadFailed as exc:
            reason = redact(said_of(exc), client.tokens.secrets)
            fault = mapping_fault(LeadFailed(reason, exc.status), mapping)
            if fault is not None:  # the mapping's fault, not this lead's: stop, and the rerun sends it
                if error is None:
                    error = fault
                pending.append(p)
                return
            crm_store.mark_failed(conn, p.domain, environment, reason)
            summary.failed.append((p.domain, reason))
            note(p, "failed")
            return
        except BaseException as exc:  # CrmError, InteractionRequired: the run stops; the rerun finishes it
            if error is None:
                error = exc
            pending.append(p)  # not sent, or not known to have arrived: counted with the rest
            return
        crm_store.mark_pushed(conn, p.domain, environment, result.lead_id or p.lead_id, p.payload_hash)
        (summary.created if result.outcome == "created" else summary.updated).append(p.domain)
        note(p, result.outcome)

    def count_the_rest() -> None:
        """Every lead the run did not finish: skipped as a whole run would say, else not sent."""
        rest: list[Plan] = list(pending) + list(in_flight.values())
        if interrupted:  # sent, and no answer came: not "not sent" (it may have arrived)
            summary.unanswered = len(in_flight)
            rest = list(pending)
        rest += list(plans.rest()) if isinstance(plans, Plans) else list(it)
        pending.clear()
        for p in rest:
            if p.action == "skip":
                summary.skipped.append((p.domain, p.reason or ""))
            elif p.action == "unchanged":
                summary.unchanged.append(p.domain)
            else:
                summary.not_sent += 1

    pool = _Workers()
    interrupted = False
    try:
        while True:
            while error is None and len(in_flight) < max(1, concurrency):
                p = pending.pop(0) if pending else next(it, None)
                if p is None:
                    break
                if p.action == "skip":
                    summary.skipped.append((p.domain, p.reason or ""))
                    note(p, "skipped")
                    continue
                if p.action == "unchanged":
                    summary.unchanged.append(p.domain)
                    note(p, "unchanged")
                    continue
                if p.action == "create":
                    p.lead_id = str(uuid.uuid4())
                    crm_store.mark_creating(conn, p.domain, environment, p.lead_id)
                in_flight[pool.submit(_execute, client, p)] = p
            if not in_flight:
                break
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for fut in done:
                settle(fut, in_flight.pop(fut))
    except KeyboardInterrupt:  # Ctrl-C: stop every wait, store what comes back at once, say what was not sent
        interrupted = True
        retry.stop_waiting()
        for fut in list(in_flight):
            if fut.cancel():
                pending.append(in_flight.pop(fut))
        done, _ = wait(list(in_flight), timeout=INTERRUPT_GRACE)
        for fut in done:
            p = in_flight.pop(fut)
            try:
                settle(fut, p)
            except BaseException:  # noqa: BLE001  a second Ctrl-C while storing: the rest is counted below
                pending.append(p)
        error = None  # a worker's Stopped is the interruption itself
        count_the_rest()
        summary.stopped = "interrupted"
        raise Interrupted(summary) from None
    finally:
        summary.requests = client.calls
        summary.throttled = client.throttled
    if error is not None:
        count_the_rest()
        summary.stopped = redact(said_of(error), client.tokens.secrets)
        setattr(error, "summary", summary)  # noqa: B010  the CLI prints what was done before the stop
        raise error
    return summary


__all__ = [
    "CrmError",
    "Interrupted",
    "Plan",
    "Plans",
    "Summary",
    "forecast",
    "lead_context",
    "payload_hash",
    "plan",
    "run",
]
