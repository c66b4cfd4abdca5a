"""The Microsoft footprint and the other services as Hunter states them: once, for the lists, the CSV,
``--json``, ``leads show`` and the brief.

The scan's ``microsoft`` and ``services`` objects say what each record names (docs/json-schema.md). Two
readings of them are Hunter's own, and every output takes them from here, so that no list calls a company
an Exchange Online or Google Workspace customer that its brief calls a leftover or a doubt (issue 13):

- **A leftover SPF include.** Their SPF record still authorizes another mailbox provider while their MX
  delivers elsewhere (:func:`hunter_cli.catalog.other_mail_providers`, RFC 7208 5.2): read as left from
  before a move. A service whose only evidence is such an include is not in use (:func:`leftover_only`),
  and Exchange Online named only by the Microsoft 365 include is not either (:func:`exchange_leftover`):
  the lists count that workload as absent.
- **Records no tenant stands behind** (:func:`evidence_doubt` ``no_tenant``): Microsoft's sign-in service
  answered and finds no tenant, and no DKIM key names one, yet records point a workload at Microsoft's
  cloud. Exchange Online and the other cloud workloads only serve domains verified in a tenant (Microsoft
  Learn, "Add a domain to Microsoft 365"), so the records may be left over: the brief asks, and the lists
  count each workload ``online`` by such records alone as unknown (neither in use nor missing), shown
  with a ``?`` in the footprint column. So do Exchange Online behind a gateway by the tenant alone and
  Exchange Online named by an MX host that does not resolve (:func:`listed_reading`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from ..catalog import Entry
    from ..footprint import FoundService, Play
    from ..footprint.microsoft import MicrosoftFootprint
    from .view import Lead

# The short forms of the footprint column (hunter leads, CSV): the long tags would crowd it.
FOOTPRINT_SHORT = {"exchange-online": "exo", "exchange-onprem": "exch-onprem", "exchange-hybrid": "exch-hybrid"}
DOUBTED_MARK = "?"  # after a tag in the footprint column: online by records no tenant stands behind


_LAST: dict[str, tuple[object, Any]] = {}  # per reading: (the last lead it was worked out for, its value)


def _per_lead(name: str, lead: Lead, compute):
    """``compute()`` for ``lead``, remembered while the same lead object asks again: scoring, the lists'
    columns and the brief read the same lead's leftovers, receivers and doubt several times in a row. The
    identity check keeps it right for any other lead; only the last lead of each reading is held."""
    hit = _LAST.get(name)
    if hit is not None and hit[0] is lead:
        return hit[1]
    value = compute()
    _LAST[name] = (lead, value)
    return value


def spf_leftovers(lead: Lead) -> list[tuple[str, Entry]]:
    """``(target, entry)`` for each other mailbox provider their SPF still authorizes while the MX delivers
    elsewhere (:func:`hunter_cli.catalog.other_mail_providers`): read as left from before a move, in every
    output; no play sells against it as a second suite and no list counts it as that provider in use.
    Empty for a domain that does not exist or is parked, and without an SPF record."""
    if not lead.spf or lead.state != "active":
        return []
    return _per_lead("spf_leftovers", lead, lambda: _spf_leftovers(lead))


def _spf_leftovers(lead: Lead) -> list[tuple[str, Entry]]:
    assert lead.spf is not None
    from ..catalog import other_mail_providers

    own = lead.spf.includes + ([lead.spf.redirect] if lead.spf.redirect else [])
    found = other_mail_providers(lead.provider, lead.provider_name, own, gateway=lead.gateway)
    if not found:  # most leads: no MX host to read
        return found
    taking = {(e.id, e.name) for e in mx_receivers(lead)}  # a provider an MX host names takes mail: no leftover
    return [(t, e) for t, e in found if (e.id, e.name) not in taking]


def mx_receivers(lead: Lead) -> list[Entry]:
    """The catalog providers and gateways of every MX host of ``lead`` that takes mail, primary or backup
    (:func:`hunter_cli.catalog.mx_receivers`): each receives part of its mail today."""
    from ..catalog import mx_receivers as receivers

    return receivers(*mx_records(lead))


def mx_records(lead: Lead) -> tuple[list[tuple[int, str]], dict[str, str], frozenset[str]]:
    """The lead's MX set as the catalog's MX readings take it: ``[(preference, exchange)]``, alias exchange ->
    canonical name, and the exchanges proven to have no address."""
    mx = [(h.preference, h.host) for h in lead.mx]
    canonical = {h.host: h.canonical for h in lead.mx if h.canonical}
    return mx, canonical, frozenset(h.host for h in lead.mx if h.resolved is False)


def spf_leftover_services(lead: Lead) -> dict[str, str]:
    """Service id -> the SPF include of each mailbox provider read as left from before a move
    (:func:`spf_leftovers`)."""
    return {e.id: target for target, e in spf_leftovers(lead)}


def leftover_only(svc: FoundService, leftover: Mapping[str, str]) -> bool:
    """Whether the only evidence of service ``svc`` is an SPF include read as a leftover (``leftover``:
    :func:`spf_leftover_services`): named as a leftover, never as a service in use."""
    return svc.id in leftover and all(kind == "spf" for kind, _ in svc.found)


def exchange_state(lead: Lead) -> str | None:
    """The footprint's Exchange state (online, hybrid, ...), None when the footprint was not checked."""
    w = lead.microsoft.workloads.get("exchange") if lead.microsoft is not None else None
    return w.state if w is not None else None


def exchange_online(lead: Lead) -> bool:
    """Whether a record puts their mail at Exchange Online (MX, autodiscover, a DKIM key in the tenant, the SPF
    include), not counting a Microsoft 365 SPF include read as left from before a move
    (:func:`exchange_leftover`): the lists count that Exchange Online as missing, so no output calls them a
    user of it, nor doubts a tenant because of it."""
    return exchange_state(lead) in ("online", "hybrid") and not exchange_leftover(lead)


def exchange_leftover(lead: Lead) -> bool:
    """Whether Exchange Online is ``online`` only through the Microsoft 365 SPF include, and that include is
    read as a leftover (:func:`spf_leftovers`: their MX delivers to another mailbox provider): nothing shows
    Exchange Online handling their mail, so no list counts them as using it."""
    fp = lead.microsoft
    w = fp.workloads.get("exchange") if fp is not None else None
    if w is None or w.state != "online" or not w.records or not all(r.startswith("SPF ") for r in w.records):
        return False
    return any(e.id == "m365" for _, e in spf_leftovers(lead))


def in_use(lead: Lead) -> set[str]:
    """The workloads a record puts in Microsoft's cloud (online or hybrid), each living in a tenant; not
    the legacy msoid record: one left from years ago proves no tenant in use today (Microsoft: "What is
    the purpose of the Office 365 CNAME record for MSOID?"), nor Exchange Online named only by a leftover
    SPF include (:func:`exchange_leftover`)."""
    fp = lead.microsoft
    if fp is None:
        return set()
    leftover = exchange_leftover(lead)
    return {
        wid
        for wid, w in fp.workloads.items()
        if w.state in ("online", "hybrid") and wid != "msoid" and not (wid == "exchange" and leftover)
    }


def spf_names_microsoft(lead: Lead) -> bool:
    """Whether their SPF record includes (or redirects to) a Microsoft 365 sending name of any cloud
    (providers.json ``m365`` ``spf``: spf.protection.outlook.com, its 21Vianet, US government and Germany
    twins), what Microsoft asks of a domain that sends from Exchange Online ("Set up SPF to identify valid
    email sources for your Microsoft 365 domain")."""
    from ..catalog import load_catalog

    if not lead.spf:
        return False
    cat = load_catalog()
    own = lead.spf.includes + ([lead.spf.redirect] if lead.spf.redirect else [])
    return any((e := cat.match_spf(t)) is not None and e.id == "m365" for t in own)


def names_microsoft(lead: Lead) -> bool:
    """Whether their DNS names Microsoft 365 in a record only a tenant stands behind: MX at Exchange Online
    Protection (the provider), Microsoft's ``MS=`` verification token, DKIM selectors delegated to a
    tenant's own domain, Exchange Online by any record but an SPF include read as left over, or another
    workload online (:func:`in_use`). Without a footprint (``scan --quick``) the Microsoft 365 SPF include
    stands for Exchange Online. Exchange Online accepts mail only for a domain verified in a tenant
    (Microsoft Learn, "Add a domain to Microsoft 365"), so a "no tenant" beside such a record is likely out
    of date: the scan asks again and the brief says where the answer came from. False for a domain that
    does not exist."""
    if lead.state == "nxdomain":
        return False
    if lead.provider == "m365" or "microsoft" in lead.verifications or lead.dkim.tenant_domain:
        return True
    if lead.microsoft is None:
        return spf_names_microsoft(lead)
    return exchange_online(lead) or bool(in_use(lead))


def evidence_doubt(lead: Lead) -> str | None:
    """Why Hunter doubts what the records say about Microsoft, or None when it does not.

    ``no_tenant``: the sign-in service answered and finds no tenant, no DKIM key names one, yet a record
    names Exchange Online or another workload in Microsoft's cloud (the brief's mail section says the
    records may be left over: ``mail.no_tenant_but_exchange``); ``mailboxes``: behind a gateway only the
    tenant and its MS= token put the mailboxes at Microsoft 365 (``mail.behind_gateway_tenant``). What one
    output calls unconfirmed is unconfirmed everywhere: the brief's talking points and offer become
    questions or conditions, ``leads show`` says "by the records", and the lists count each workload
    online by those records as unknown (:func:`listed`)."""
    if lead.state != "active":
        return None
    return _per_lead("evidence_doubt", lead, lambda: _evidence_doubt(lead))


def _evidence_doubt(lead: Lead) -> str | None:
    if (
        lead.tenant is None
        and not national_clouds(lead)  # their tenant signs in elsewhere: the lookup's "none" is no answer
        and not lead.dkim.tenant_domain
        and "tenant" not in lead.failed_checks
        and lead.tenant_known is not False
        and (exchange_online(lead) or lead.provider == "m365" or bool(in_use(lead)))
    ):
        return "no_tenant"
    if lead.gateway and lead.provider == "m365" and exchange_state(lead) in ("absent", "on_premises", "other"):
        return "mailboxes"
    return None


# Microsoft's clouds whose tenants sign in through their own Entra instance, not login.microsoftonline.com,
# which is the only sign-in service Hunter asks ("National clouds", Microsoft identity platform docs): a
# "no tenant" answer says nothing about them. Ids as in catalog/microsoft.json.
NATIONAL_CLOUDS = ("21vianet", "us-government", "gcc-high", "dod", "germany")


def national_clouds(lead: Lead) -> list[str]:
    """The national clouds (:data:`NATIONAL_CLOUDS`) the lead's Microsoft records point at, in catalog order;
    empty for the worldwide cloud or when the footprint was not asked."""
    return national_of(lead.microsoft)


def national_of(fp: MicrosoftFootprint | None) -> list[str]:
    """:func:`national_clouds` of a footprint (a lead's, or a scan result's ``microsoft``). ``us-government``
    (the MX namespace GCC High and DoD share) gives way to the one an autodiscover record names, so one cloud
    is never named twice ("US Government and GCC High")."""
    clouds = [] if fp is None else [c for c in NATIONAL_CLOUDS if c in fp.clouds]
    if "us-government" in clouds and ({"gcc-high", "dod"} & set(clouds)):
        clouds.remove("us-government")
    return clouds


def listed_reading(lead: Lead, wid: str, doubt: str | None) -> str | None:
    """Why the lists do not take workload ``wid``'s footprint state as it is, or None when they do:

    - ``leftover``: Exchange Online named only by a leftover SPF include (:func:`exchange_leftover`): missing;
    - ``mx_dangling``: Exchange Online ``online`` while no MX host resolves (provider ``broken``): their mail
      bounces, Exchange Online receives none of it (the brief's ``fp.exchange.mx_dangling``): unconfirmed;
    - ``no_mail``: Exchange Online ``online`` for a domain that takes no mail (a null MX, or no MX at all:
      provider ``none``): no mailbox there receives mail for it; the records may serve another domain of
      theirs (the brief's ``fp.exchange.no_mail``): unconfirmed;
    - ``no_tenant``: ``online`` or ``hybrid`` by records no tenant stands behind (``doubt``,
      :func:`evidence_doubt`): unconfirmed (for ``hybrid``, its Microsoft side: their own servers stand);
    - ``mailboxes``: Exchange behind a gateway that only the tenant and its MS= token put at Microsoft 365
      (``doubt``): no record names Exchange Online, and the brief does not call it missing: unconfirmed.

    ``doubt`` is :func:`evidence_doubt` of the lead (passed in: computed once per lead). ``KeyError`` when the
    footprint has no such workload; the footprint must have been asked."""
    assert lead.microsoft is not None
    w = lead.microsoft.workloads[wid]
    if wid == "exchange" and exchange_leftover(lead):
        return "leftover"
    if wid == "exchange" and w.state == "online" and lead.provider == "broken":
        return "mx_dangling"
    if wid == "exchange" and w.state == "online" and lead.provider == "none":
        return "no_mail"
    if w.state in ("online", "hybrid") and doubt == "no_tenant":
        return "no_tenant"
    if wid == "exchange" and doubt == "mailboxes":
        return "mailboxes"
    return None


def listed_state(lead: Lead, wid: str, doubt: str | None) -> str:
    """The state the lists give workload ``wid`` (:func:`listed_reading`): ``absent`` for a leftover,
    ``unconfirmed`` (neither in use nor missing) for a doubt, else the footprint's state."""
    assert lead.microsoft is not None
    reading = listed_reading(lead, wid, doubt)
    if reading == "leftover":
        return "absent"
    if reading is not None:
        return "unconfirmed"
    return lead.microsoft.workloads[wid].state


def listed_footprint(lead: Lead, doubt: str | None) -> MicrosoftFootprint | None:
    """The footprint with each workload at the state the lists count it in (:func:`listed_state`): what the
    brief's plays, its "they already use" wording and its offer read, so that no play is chosen or left out,
    and no workload is sold or taken as theirs, on a reading the lists do not share. Exchange Online named only
    by a leftover include is ``absent``; a workload ``online`` by records the lists leave unconfirmed is
    ``unknown`` (a failed lookup's state: no play sells it, none takes it as in use, none calls it missing), and
    one ``hybrid`` by such records is ``on_premises`` (their own servers are what the records prove); a
    workload the doubt leaves unconfirmed although its records show something else (their own Exchange server
    behind a gateway) keeps what its records show, as its tags stay in the lists. ``doubt``: :func:`evidence_doubt`
    of the lead. None when the footprint was never asked."""
    fp = lead.microsoft
    if fp is None:
        return None
    from ..trusted import replaced

    workloads = {}
    for wid, w in fp.workloads.items():
        state = listed_state(lead, wid, doubt)
        if state == "unconfirmed":
            state = {"online": "unknown", "hybrid": "on_premises"}.get(w.state, w.state)
        workloads[wid] = w if state == w.state else replaced(w, state=state)
    if all(workloads[wid] is w for wid, w in fp.workloads.items()):
        return fp  # read as recorded (most leads): no copy to build on every scan and rescore
    return replaced(fp, workloads=workloads)


def lead_plays(lead: Lead, lang: str = "en", doubt: str | None = None) -> list[Play]:
    """The Microsoft plays (:func:`hunter_cli.footprint.choose_plays`, worded in ``lang``) the footprint supports
    as the lists state it (:func:`listed_footprint`), without a play found only through SPF (plays.json
    ``found_by``) on an include read as a leftover (:func:`spf_leftovers`: no second suite to sell against).
    What the brief offers and the scoring's ``plays_min`` counts. ``doubt``: :func:`evidence_doubt` of the
    lead, computed here when not given."""
    from ..footprint import TenantFacts, choose_plays
    from ..footprint.schema import plays_catalog

    if doubt is None:
        doubt = evidence_doubt(lead)
    plays = choose_plays(
        listed_footprint(lead, doubt),
        lead.services,
        TenantFacts.from_tenant(lead.tenant),
        lang=lang,  # type: ignore[arg-type]  # LANGUAGES are the plays' languages
        provider=lead.provider,
        receivers=_play_receivers(lead),  # a suite their MX delivers to is no play either
    )
    # and neither is one of several mailbox providers one record names while the MX names none of them
    leftover = {e.id for _, e in spf_leftovers(lead)} | spf_named_suites(lead)
    if not leftover:
        return plays
    when = {r.id: r.when for r in plays_catalog().plays}
    return [
        p
        for p in plays
        if not ((w := when.get(p.id)) and w.found_by == ["spf"] and set(w.services_any or ()) & leftover)
    ]


def _play_receivers(lead: Lead) -> list[str]:
    """The ids of the providers lead's MX hosts name, read only when a service of the lead is one a play's
    ``unless_provider`` names (Google Workspace): what :func:`hunter_cli.footprint.choose_plays` compares."""
    named = _unless_providers()
    if not any(svc.id in named for svc in lead.services):
        return []
    return [e.id for e in mx_receivers(lead)]


@functools.cache
def _unless_providers() -> frozenset[str]:
    """Every provider id a bundled play's ``unless_provider`` names (plays.json, read once)."""
    from ..footprint.schema import plays_catalog

    return frozenset(p for r in plays_catalog().plays for p in (r.when.unless_provider or ()))


def spf_named_suites(lead: Lead) -> set[str]:
    """The ids of the mailbox providers their own SPF record names by include or redirect, when it names two
    or more and no MX host is at any of them (an own server whose record lists Google, Yandex and Zoho):
    none of them is an observed suite to sell against. Empty otherwise. Sending services (Amazon SES) and
    their mail provider itself do not count."""
    from ..catalog import SENDING_CATEGORIES, load_catalog
    from ..footprint.services import spf_categories

    if not lead.spf or lead.state != "active":
        return set()
    own = lead.spf.includes + ([lead.spf.redirect] if lead.spf.redirect else [])
    if len(own) < 2:
        return set()
    cat = load_catalog()
    named = {
        e.id
        for t in own
        if (e := cat.match_spf(t)) is not None and e.kind == "mailbox"
        if not spf_categories([t]) & SENDING_CATEGORIES  # Amazon SES sends for many a suite's customers
    }
    named.discard(lead.provider or "")
    if len(named) < 2 or named & {e.id for e in mx_receivers(lead)}:
        return set()
    return named


def workload_tags(wid: str, state: Literal["online", "on_premises", "hybrid"]) -> list[str]:
    """The tags workload ``wid`` earns in ``state`` (``catalog/microsoft.json``): ``exchange``, ``hybrid`` ->
    ``["exchange-hybrid"]``."""
    from ..footprint.schema import microsoft_catalog

    return next((list(w.tags.get(state, [])) for w in microsoft_catalog().workloads if w.id == wid), [])


def online_tags(wid: str) -> list[str]:
    """The tags workload ``wid`` earns online (``catalog/microsoft.json``): ``["exchange-online"]``."""
    return workload_tags(wid, "online")


class Listed(NamedTuple):
    """The footprint as the lists state it (:func:`listed`)."""

    asked: bool  # the footprint was asked (not `scan --quick`, not an older scan)
    tags: list[str]  # the tags of the workloads in use, in the view's order: what --workload finds
    doubted: list[str]  # the tags of the workloads online by records no tenant stands behind
    unknown: list[str]  # ids of the workloads whose state is not known, doubted ones too: --missing skips them
    services: list[str]  # ids of the services in use, in the view's order: what --uses finds

    def cell(self) -> str:
        """The compact footprint column: the workload tags, then `` | `` and the service ids.

        ``exo,intune | zoom,okta``; a workload online by records no tenant stands behind with a ``?``
        (``exo?``); ``none`` when the footprint was asked and shows no workload, ``?`` when it was never
        asked (``--quick``, older scans) or shows none while a workload's lookups failed (its state unknown).
        The legacy ``msoid`` tag is left out. Never starts with a
        character a spreadsheet reads as a formula."""
        shown = [FOOTPRINT_SHORT.get(t, t) for t in dict.fromkeys(self.tags) if t != "msoid"]
        shown += [FOOTPRINT_SHORT.get(t, t) + DOUBTED_MARK for t in dict.fromkeys(self.doubted) if t != "msoid"]
        # no workload shown while a workload's lookups failed is not known, never "none" (no workload)
        text = ",".join(shown) if shown else ("none" if self.asked and not self.unknown else "?")
        return f"{text} | {','.join(self.services)}" if self.services else text


def listed(lead: Lead) -> Listed:
    """The workload tags, the doubted and unknown workloads and the services the lists, the CSV, the
    store's filter columns and ``leads show`` state for ``lead``: each workload at its
    :func:`listed_state`, each service unless :func:`leftover_only`."""
    leftover = spf_leftover_services(lead)
    services = [s.id for s in lead.services if not leftover_only(s, leftover)]
    fp = lead.microsoft
    if fp is None:
        return Listed(False, [], [], [], services)
    doubt = evidence_doubt(lead)
    tags: list[str] = []
    doubted: list[str] = []
    unknown: list[str] = []
    for wid, w in fp.workloads.items():
        state = listed_state(lead, wid, doubt)
        if state == "unconfirmed" and w.state != "online":  # hybrid with no tenant, or mailboxes behind a gateway
            # what the records show of their own servers stands; the Microsoft side (and "hybrid", which needs it)
            # is doubted
            side = online_tags(wid) + (workload_tags(wid, "hybrid") if w.state == "hybrid" else [])
            tags += [t for t in w.tags if t not in side]
            doubted += side
            unknown.append(wid)
        elif state == "unconfirmed":
            doubted += w.tags
            unknown.append(wid)
        elif state == "unknown":
            unknown.append(wid)
        elif state == w.state:
            tags += w.tags
    return Listed(True, list(dict.fromkeys(tags)), list(dict.fromkeys(doubted)), unknown, services)


def frame(items: list[str]) -> str:
    """``["zoom", "okta"]`` -> ``",zoom,okta,"``: a list a filter finds an item in with
    ``instr(column, ',zoom,') > 0`` (ids never hold a comma)."""
    return "," + ",".join(items) + ("," if items else "")


def footprint_columns(lead: Lead) -> dict[str, Any]:
    """The store's ``domains`` columns of the footprint (what ``hunter leads`` shows and filters on without
    unpacking a view): ``footprint`` (:meth:`Listed.cell`), ``workload_tags`` and ``workloads_unknown``
    (each :func:`frame`d; both None when the footprint was never asked) and ``service_ids``."""
    fp = listed(lead)
    return {
        "footprint": fp.cell(),
        "workload_tags": frame(sorted(fp.tags)) if fp.asked else None,
        "workloads_unknown": frame(fp.unknown) if fp.asked else None,
        "service_ids": frame(fp.services),
    }
