"""Compose a call brief from stored facts. Pure: no I/O, ``today`` is passed in.

Each part is derived from something the scan observed and says why; where a
lookup failed the brief says so instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone

from ..dns.dmarc import ignored_mistakes
from ..dns.spf import W_QUOTED, W_VERSION_JOINED, W_VERSION_SPACED, W_VERSION_WHITESPACE, readable
from ..facts import SPF_ALL_RESULTS, dkim_testing, failure_words, spf_first_all, spf_terms_after_all
from ..footprint import Play
from ..footprint.microsoft import BIMI_NEEDS_DMARC, repeated_fields, rua_not_addresses, rua_skipped
from ..footprint.plays import online_workloads
from ..footprint.schema import plays_catalog
from ..lead import Lead, as_lead
from ..lead.footprint import evidence_doubt as evidence_doubt  # the brief's doubt is every output's (lead/)
from ..lead.footprint import exchange_online as _exchange_online
from ..lead.footprint import exchange_state as _exchange_state
from ..lead.footprint import in_use as _in_use
from ..lead.footprint import (
    lead_plays,
    leftover_only,
    listed_footprint,
    listed_reading,
    names_microsoft,
    national_clouds,
    spf_leftover_services,
)
from ..lead.footprint import mx_receivers as _mx_receivers
from ..lead.footprint import spf_leftovers as _spf_leftovers
from ..lead.posture import (
    EXPIRY_SOON_DAYS,
    gateway_bypassed,
    own_mail_fails_dmarc,
    parked_gaps,
    security_risk,
    spf_omits_provider,
    spf_open_families,
    spf_open_terms,
    spf_passes_nobody,
    spf_shortfall,
)
from ..modelbase import BaseModel, ConfigDict, Field
from ..models import DmarcInfo, Finding, SpfInfo
from ..said import in_lang
from ..scoring import Rules, evaluate, facts_from, follow_up_parts, load_rules
from ..trusted import construct, plain, replaced
from .events import event_text
from .localize import as_day
from .messages import Messages

SUITES = frozenset({"google", "yandex", "zoho", "amazon", "proton", "fastmail", "icloud"})
TOP_REASONS = 4
TOP_SERVICES = 6  # services named one per line; the rest share a line
TOP_PLAY_TALKS = 2  # plays that become talking points
# workloads in the order the footprint section tells them
WORKLOADS = ("exchange", "teams", "intune", "device-registration", "msoid")
# the gaps of :func:`hunter_cli.lead.posture.security_risk` the set-up service closes, in the order named
GAPS = ("dmarc", "partial", "subdomains", "dkim", "spf", "lookups")
CHANGES_SHOWN = 8  # the latest change events told; the rest are counted ("and 3 earlier changes")


class _Model(BaseModel):
    # the validator is built at the first validation or dump, not at import (hunter_cli/trusted.py)
    model_config = ConfigDict(defer_build=True)


class Offer(_Model):
    tier: str | None = None
    addons: list[str] = Field(default_factory=list)
    plays: list[str] = Field(default_factory=list)  # ids of the Microsoft plays offered beyond mail
    lines: list[str] = Field(default_factory=list)


class Change(_Model):
    """One stored change event as the brief tells it: the ``events`` row (docs/database.md) and its line."""

    occurred_at: str  # ISO 8601, as stored
    kind: str  # provider_changed, workload_added, service_added, ... (docs/cli.md, `hunter changes`)
    old: str | None = None
    new: str | None = None
    text: str  # the line in the brief's language, dated: "2026-11-12: Now uses Zoom."


class Referral(_Model):
    """One Partner Center referral as the brief tells it: the fields ``hunter referrals list --json``
    gives (docs/partner.md) and the lines the brief shows for it, in the brief's language."""

    id: str | None = None
    name: str | None = None
    customer_name: str | None = None
    kind: str | None = None  # cosell, marketplace, partner
    type: str | None = None  # Independent, Shared
    status: str | None = None
    substatus: str | None = None
    deal_value: float | None = None
    currency: str | None = None
    closing_date: str | None = None
    microsoft_contact: str | None = None
    updated_at: str | None = None
    lines: list[str] = Field(default_factory=list)


class Brief(_Model):
    """The brief as data; docs/brief.md documents this JSON."""

    domain: str
    domain_unicode: str
    company: str | None = None
    lang: str
    generated_on: str
    scanned_at: str | None = None
    status: str | None = None
    provider: str | None = None
    gateway: str | None = None
    tenant: dict | None = None
    score: int | None = None
    segment: str | None = None
    category: str | None = None
    category_label: str | None = None
    follow_up: str | None = None
    risk: str | None = None  # high, medium, low; none (the domain does not exist or is parked); None when checks failed
    risk_text: str | None = None  # the risk line as told (a parked domain's says what can still be forged)
    state: str = "active"  # active, nxdomain (the domain does not exist) or parked
    one_liner: str
    mail: list[str] = Field(default_factory=list)
    security: list[str] = Field(default_factory=list)
    microsoft: list[str] = Field(default_factory=list)  # the Microsoft footprint, observed and explained
    services: list[str] = Field(default_factory=list)  # their other cloud services, then the plays
    plays: list[Play] = Field(default_factory=list)  # the Microsoft plays the evidence supports
    priority: list[str] = Field(default_factory=list)
    talking_points: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    offer: Offer = Field(default_factory=Offer)
    next_step: str = ""
    registration: list[str] = Field(default_factory=list)
    expires: str | None = None
    changes: list[Change] = Field(default_factory=list)  # the latest change events, newest first
    changes_total: int = 0  # how many change events are stored in all (more than shown: changes_note says so)
    changes_note: str | None = None  # first scan, no change since the first scan, or how many earlier changes
    referrals: list[Referral] = Field(default_factory=list)  # the latest 3, each with its lines
    crm: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def _day(text: str | None) -> date | str:
    """An ISO date or timestamp as a day for the message formatter; the text itself when it is not one."""
    return as_day(text) or (text or "?")


def _when(text: str | None) -> date | str:
    """An ISO timestamp (the store's UTC) as a local moment for the message formatter, which writes it in the
    brief's one date style with the time (en ``2026-12-01 04:51``, tr ``1 Aralık 2026 04:51``); a bare day
    stays a day, other text stays itself (trial 30: one Turkish brief mixed three date styles)."""
    if not text or len(text) == 10:
        return _day(text)
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone()


def follow_up(m: Messages, rules: Rules, category: str) -> str:
    """The category's follow-up window from the rules, in the brief's language."""
    unit, n = follow_up_parts(rules.category_info(category).follow_up)
    if n is None:
        return m(f"window.{unit}")
    return m(f"window.{unit[:-1]}" if n == 1 else f"window.{unit}", n=n)


def provider_label(m: Messages, provider: str | None, name: str | None = None) -> str:
    if provider == "hosting":
        return m("provider.hosting", name=name) if name and name != "Shared hosting" else m("provider.hosting_unnamed")
    key = f"provider.{provider or 'unknown'}"
    return m(key) if m.has(key) else (name or provider or "?")


def _gateway_name(lead: Lead) -> str | None:
    from ..catalog import load_catalog

    gw = lead.gateway
    return load_catalog().names.get(gw, gw) if gw else None


def _mx_party(m: Messages, lead: Lead, host: str) -> str | None:
    """Who an MX host belongs to, in the brief's words: a catalog provider or gateway, their own server (a host
    inside the domain), else None, as :func:`hunter_cli.catalog.mx_provider_findings` counts parties."""
    from ..catalog import mx_party

    canonical = next((h.canonical for h in lead.mx if h.host == host), None)
    who = mx_party(lead.domain or "", host, canonical)
    if who is None:
        return None
    if isinstance(who, str):  # "self": a host inside the domain
        return m("provider.self-hosted")
    return provider_label(m, who.id, who.name) if who.kind == "mailbox" else who.name


def _mx_party_lines(m: Messages, lead: Lead) -> list[str]:
    """The MX set's ``mx-split-providers``, ``mx-gateway-bypass`` and ``mx-backup-elsewhere`` warnings
    (:func:`hunter_cli.catalog.mx_provider_findings`), one line each, in the brief's words."""
    from ..catalog import W_MX_BACKUP, W_MX_BYPASS, W_MX_SPLIT
    from ..dns.mx import lowest_preference, taking_mail
    from ..lead.footprint import mx_records

    def parties(hosts: Sequence[str]) -> list[str]:
        return [p for p in dict.fromkeys(_mx_party(m, lead, h) for h in hosts) if p]

    lines: list[str] = []
    mx, _, unresolved = mx_records(lead)
    primary = parties(lowest_preference(taking_mail(mx, unresolved)))
    split = next((f for f in lead.mx_warnings if f.code in (W_MX_SPLIT, W_MX_BYPASS)), None)
    if split is not None and split.code == W_MX_SPLIT:
        primary = parties(split.where)
        lines.append(m("mail.mx_split", names=_names(m, primary)))
    elif split is not None:  # a gateway beside a mailbox host: the mail sent to the latter is not filtered
        primary = parties(split.where)
        gateway = _gateway_name(lead) or "?"
        direct = [p for p in primary if p != gateway]
        lines.append(m("mail.mx_gateway_bypass", gateway=gateway, direct=_names(m, direct)))
    for f in lead.mx_warnings:
        if f.code == W_MX_BACKUP and f.where:
            host = f.where[0]
            name = _mx_party(m, lead, host) or host
            lines.append(m("mail.mx_backup", host=host, name=name, primary=_names(m, primary)))
    return lines


def once(hosts: Iterable[str]) -> list[str]:
    """Each MX host once, in the order first seen (lowest preference first, as stored): a host listed at
    two preferences (``MX 5 aspmx.l.google.com``, ``MX 20 aspmx.l.google.com``) is one server."""
    return list(dict.fromkeys(hosts))


def mx_finding_lines(m: Messages, lead: Lead) -> list[str]:
    """What the MX set's errors and warnings (the scan's ``mx_errors`` and ``mx_warnings``,
    docs/json-schema.md) mean, one sentence each in ``m``'s language: a null MX beside real hosts, hosts
    that do not resolve (or none that does), an IP address where a host belongs, an alias (the first of
    three hosts) and the parties (:func:`_mx_party_lines`: a split, a backup elsewhere); with no MX host,
    a malformed null MX. The brief's "Who runs" section says them after the hosts, `hunter leads show` in
    its MX row (render/leads.py). [] when none applies (no finding, a failed lookup, a null MX, NXDOMAIN)."""
    lines: list[str] = []
    mx = lead.mx
    codes = {f.code for f in lead.mx_errors}
    if lead.state == "nxdomain" or lead.mx_state in ("failed", "null"):
        return lines
    if lead.mx_state == "none":  # only "." but not as the single "MX 0 ." (RFC 7505 3): no mail arrives
        return [m("mail.null_mx_malformed")] if "null-mx-malformed" in codes else lines
    unresolved = once(h.host for h in mx if h.resolved is False)
    literal = once(mx_ip_literals(lead))
    # the other hosts mail could go to are only addresses written where a host belongs, which most senders
    # skip (RFC 5321 5.1): no "mail goes to the other hosts", none takes it
    bare = {a.strip("[]").rstrip(".").lower() for a in literal}
    named = [h for h in mx if h.host.strip(".") and h.host.strip("[]").rstrip(".").lower() not in bare]
    only_literal = bool(literal) and not any(h.resolved is not False for h in named)
    if "null-mx-mixed" in codes:
        lines.append(m("mail.null_mx_mixed" + (".literal" if only_literal else "")))
    if lead.provider == "broken" and not literal:
        lines.append(m("mail.mx_broken"))
    elif unresolved:
        key = "mail.mx_unresolved" + (".literal" if only_literal else "")
        lines.append(m(key, hosts=", ".join(unresolved[:2])))
    if literal:  # an address where a host belongs (RFC 5321 5.1): the only MX, or one others stand beside
        key = "mail.mx_ip_literal" if lead.provider == "broken" else "mail.mx_ip_literal_beside"
        lines.append(m(key, hosts=", ".join(literal[:2])))
    for h in mx[:3]:
        if h.canonical:
            lines.append(m("mail.mx_alias", host=h.host, target=h.canonical))
            break
    lines += _mx_party_lines(m, lead)
    return lines


def _behind_unknown_filter(lead: Lead) -> bool:
    """A mailbox suite no MX host names: the scan read it from SPF and the records behind it, with the MX in front
    most likely a filter the catalog does not know (catalog.classify); said so, not passed off as its MX."""
    from ..catalog import MAILBOX_IDS, mx_party

    if lead.provider not in MAILBOX_IDS or not lead.mx:
        return False
    return all(mx_party(lead.domain, h.host, h.canonical) is None for h in lead.mx)


def _mail_lines(
    m: Messages, lead: Lead, provider: str, nx: str = "", doubt: str | None = None, tenant_asked: str | None = None
) -> list[str]:
    """The "who runs their mail" lines. ``tenant_asked``: when the day's cached tenant answer this scan
    reused was given (ISO time, store.tenant_asked_at), None when the scan asked itself."""
    lines: list[str] = []
    # a "no tenant" given before this scan cannot tell whether records this scan saw are left over
    asked = bool(tenant_asked) and lead.tenant_known and "tenant" not in lead.failed_checks
    mx = lead.mx
    if lead.mx_state == "failed":
        lines.append(m("mail.mx_failed"))
    elif lead.state == "nxdomain":
        lines.append(m(_variant(m, "mail.nxdomain", nx)))
    elif lead.mx_state == "null":
        lines.append(m("mail.null_mx"))
    elif lead.mx_state == "none" and any(f.code == "null-mx-malformed" for f in lead.mx_errors):
        lines += mx_finding_lines(m, lead)
    elif lead.mx_state == "none":
        lines.append(m("mail.no_mx"))
    else:
        lines.append(m("mail.mx", hosts=", ".join(once(h.host for h in mx)[:3])))
        lines += mx_finding_lines(m, lead)
    gateway = _gateway_name(lead)
    if gateway:
        if any(f.code == "mx-gateway-bypass" for f in lead.mx_warnings):
            pass  # said above with the MX hosts: the gateway takes only part of the mail
        elif gateway_bypassed(lead):  # a backup MX behind the gateway that is no gateway: said above too
            lines.append(m("mail.gateway_but_backup", gateway=gateway))
        else:
            lines.append(m("mail.gateway", gateway=gateway))
        if lead.provider == "other":
            lines.append(m("mail.behind_gateway_unknown"))
        elif lead.provider == "m365" and _exchange_state(lead) in ("absent", "on_premises", "other"):
            # only a tenant and its MS= token put the mailboxes there (catalog.classify): say so
            lines.append(m("mail.behind_gateway_tenant"))
        else:  # records no tenant stands behind put it at Microsoft 365: said as likely, not as fact
            lines.append(
                m(_hedged(m, "mail.behind_gateway", doubt if lead.provider == "m365" else None), provider=provider)
            )
    elif _behind_unknown_filter(lead):
        lines.append(m("mail.behind_unknown_filter", provider=provider))
    # the names they allow to send for them: a broken record (permerror) allows nobody (RFC 7208 2.6.7)
    if lead.spf and lead.spf_result == "valid":
        senders = spf_senders(m, lead.spf.terms, lead.domain)
        if senders:
            lines.append(m("mail.spf_includes", includes=_names(m, senders[:SPF_SENDERS_SHOWN])))
    redirect = lead.spf.redirect if lead.spf and lead.spf_result == "valid" else None
    ignored = lead.spf is not None and any(w.code == "spf-redirect-ignored" for w in lead.spf.warnings)
    if redirect and "%" not in redirect and not ignored:  # RFC 7208 6.1: the target's record decides
        lines.append(m("mail.spf_redirect", target=redirect))
    leftover_key = _hedged(m, "mail.spf_other_provider", doubt)  # "arrives at" only when not doubted
    for target, e in _spf_leftovers(lead):  # mail moved, SPF still names the old provider (catalog data)
        lines.append(m(leftover_key, provider=provider, other=e.name, include=target))
    cnames = lead.dkim_delegated_to
    if cnames:
        lines.append(m("mail.dkim_cname", targets=", ".join(cnames[:2])))
    if "microsoft" in lead.verifications:
        lines.append(m("mail.ms_token"))
    tenant = lead.tenant
    # the answer an earlier lookup gave, kept through this scan's failed one (store.carry_forward): when asked
    kept = lead.carried.get("tenant") if "tenant" in lead.failed_checks else None
    said_kept = False  # a line below states the kept answer: when it was given follows it
    if tenant:
        said_kept = True
        ns = m(f"namespace.{tenant.namespace_type or 'Unknown'}")
        region = m.label("region", tenant.region) if tenant.region else m("region.unknown")
        if tenant.brand:
            lines.append(m("mail.tenant", brand=tenant.brand, namespace=ns, region=region))
        else:
            lines.append(m("mail.tenant_no_brand", namespace=ns, region=region))
        if tenant.initial_domain:
            lines.append(m("mail.tenant_initial", initial=tenant.initial_domain))
        if tenant.federation_host:
            lines.append(_federation_line(m, lead.domain, tenant.federation_host))
        if lead.provider == "broken":  # no mail runs anywhere now: not "their mail runs on <a set-up that fails>"
            lines.append(m("mail.cross_sell_broken"))
        elif lead.provider not in ("m365", "none", "unknown"):
            lines.append(m("mail.cross_sell", provider=provider))
    elif lead.dkim.tenant_domain:  # M365 DKIM CNAMEs name the tenant's initial domain: a tenant exists
        lines.append(m("mail.tenant_from_dkim", initial=lead.dkim.tenant_domain))
    elif "tenant" in lead.failed_checks and not kept:
        lines.append(m("mail.tenant_unknown"))
    elif lead.state == "nxdomain":  # not in DNS (said above): no tenant was asked, whatever the flags
        pass
    elif clouds := national_clouds(lead):  # their tenant signs in elsewhere: the worldwide lookup cannot tell
        # (asked or not: the lists store its tenant as not known, so this comes before "not checked")
        lines.append(m("mail.tenant_national", clouds=_names(m, [m.label("cloud", c) for c in clouds])))
    elif lead.tenant_known is False:  # the lookup was not made (--no-tenant): say so, never "no tenant"
        lines.append(m("mail.tenant_not_checked"))
    elif _exchange_online(lead) or lead.provider == "m365":
        # Exchange Online serves only domains verified in a tenant: "no tenant" would contradict the records;
        # a "no tenant" asked before this scan is older than the records it saw: never "left over" (trial 30)
        if asked:
            lines.append(m("mail.no_tenant_before_exchange"))
        else:
            lines.append(m("mail.no_tenant_but_exchange"))
        said_kept = True
    elif online := [w for w in WORKLOADS if w in _in_use(lead)]:
        # Teams, Intune and device registration in Microsoft's cloud all belong to a tenant, as above
        names = _names(m, [m(f"fp.workload.{w}") for w in online])
        if asked:
            lines.append(m("mail.no_tenant_before_online", names=names))
        else:
            lines.append(m("mail.no_tenant_but_online", names=names))
        said_kept = True
    elif kept:  # "no tenant" as last asked, never as today's answer
        lines.append(m("mail.no_tenant_kept", when=_when(kept)))
    else:
        lines.append(m("mail.no_tenant"))
    if kept and said_kept:  # after the lines that state it: that answer is from before the failed lookup
        lines.append(m("mail.tenant_kept", when=_when(kept)))
    return lines


SPF_SENDERS_SHOWN = 6


def spf_senders(m: Messages, terms: Sequence[str], domain: str) -> list[str]:
    """Who an SPF record lets send, in the record's order, as the brief names them: each ``include`` target,
    the addresses of ``ip4``/``ip6`` (one item), the MX hosts of ``mx`` and the address of ``a`` (RFC 7208
    5.2-5.6). Only terms that pass (no qualifier or ``+``, RFC 7208 4.6.2) allow anyone; a target with a
    macro (``%{i}``) is filled in per message and is left out; ``exists`` and ``ptr`` name nobody to show.
    A record listing only includes read as if it allowed nobody else (trial 30: the own server's ``ip4``
    and an ``mx`` left out)."""
    out: list[str] = []
    ips: list[str] = []
    at = None  # where the addresses go in the list: at the first ip4/ip6
    for raw in terms:
        term = raw.strip()
        if term.lstrip("+-~?").lower() == "all":  # terms after it are never reached (RFC 7208 5.1)
            break
        if term[:1] in "+-~?":
            if term[0] != "+":
                continue
            term = term[1:]
        name, _, value = term.partition(":")
        name = name.lower().split("/")[0]
        if "%" in value or "=" in name:
            continue
        if name == "include" and value:
            out.append(value.rstrip("."))
        elif name in ("ip4", "ip6") and value:
            if at is None:
                at = len(out)
            ips.append(value)
        elif name == "mx":
            host = value.split("/")[0].rstrip(".")  # mx:host/24: the prefix length is no name
            out.append(m("spf.sender.mx_of", host=host) if host else m("spf.sender.mx"))
        elif name == "a":
            out.append(m("spf.sender.a", host=value.split("/")[0].rstrip(".") or domain))
    if ips:
        key = "spf.sender.ip" if len(ips) == 1 else "spf.sender.ips"
        out.insert(at or 0, m(key, ips=", ".join(ips[:4]) + (", …" if len(ips) > 4 else "")))
    return list(dict.fromkeys(out))


def mx_ip_literals(lead: Lead) -> list[str]:
    """The MX exchanges written as IP addresses (the scan's ``mx-ip-literal`` warning, docs/json-schema.md):
    an MX names a host (RFC 5321 5.1, RFC 7505 3) and most MTAs will not deliver to an address literal
    there; when no other MX host takes mail the provider is ``broken`` (hunter_cli/catalog ``classify``)."""
    return [f.where[0] for f in (*lead.mx_errors, *lead.mx_warnings) if f.code == "mx-ip-literal" and f.where]


def _cached_answer_matters(lead: Lead) -> bool:
    """Whether the brief says that the tenant answer came from the day's cache (``mail.tenant_asked``): only
    where that answer matters, a "no tenant" while their DNS names Microsoft (Exchange Online, another
    workload online, the provider, or Microsoft's ``MS=`` verification token), which a move since may have
    made stale. Elsewhere the line was noise in every brief after a second scan on one day (trial 30)."""
    return lead.tenant is None and not lead.dkim.tenant_domain and names_microsoft(lead)


def _uses_microsoft(lead: Lead) -> bool:
    """A tenant is known (sign-in service or DKIM), a record names Exchange Online, or the footprint
    reports another workload online (Teams, Intune, device registration: each lives in a tenant): not
    a greenfield."""
    return lead.tenant is not None or bool(lead.dkim.tenant_domain) or _exchange_online(lead) or bool(_in_use(lead))


# providers whose label is Hunter's own category ("a mail service we do not recognise"), not a name the
# customer would use: never put in a sentence said to the customer
UNNAMED = frozenset({"other", "broken", "unknown", "none"})


def _said_variant(m: Messages, key: str, provider: str | None) -> str:
    """``key``, or its ``.unnamed`` variant (no provider named) when ``provider`` is one of ``UNNAMED``:
    the talking points and questions are said to the customer, and an internal label is no name."""
    return f"{key}.unnamed" if provider in UNNAMED and m.has(f"{key}.unnamed") else key


def _testing_selectors(lead: Lead) -> list[str]:
    """The selectors whose otherwise usable key is in testing mode (``t=y``, RFC 6376 3.6.1:
    :func:`facts.dkim_testing`): their mail counts as unsigned."""
    return dkim_testing({"selectors": [plain(s) for s in lead.dkim.selectors]}) if lead.dkim else []


def _all_decided_first(terms: Sequence[str], effective: str | None) -> tuple[str | None, list[str]]:
    """``(own all, terms)``: the record's own ``all`` term (``terms``: its words after ``v=spf1``), and the terms
    before it with the qualifier of the ``all`` a sender meets (``effective``, the evaluation's ``spf.all``) when
    that differs from the record's own, i.e. when earlier ranges decide a whole address family first (RFC 7208
    4.6.2: ``~ip4:0.0.0.0/0 -all`` gives every IPv4 sender ``~``); ``(own, [])`` when the record's own ``all`` is
    what a sender meets."""
    at = spf_first_all(terms)
    if at is None:
        return None, []
    own = terms[at]
    shown = own if own[0] in "+-~?" else "+" + own
    if effective is None or shown.lower() == effective.lower():
        return own, []
    return own, [t for t in terms[:at] if t[0] == effective[0]]


def _decided_who(terms: Sequence[str]) -> str:
    """Whom the terms that decide before the record's own ``all`` (:func:`_all_decided_first`) decide, as a
    ``sec.spf_all_decided.who.*`` key: ``family`` for ranges (``ip4``, ``ip6``, ``a``, ``mx``: every sender of an
    address family), ``any`` for ``exists:`` alone (it asks for an A record whatever the sender's family, RFC
    7208 5.7), ``include`` when an ``include:`` is among them (whom it matches is the included record's)."""
    names = {t.lstrip("+-~?").split(":", 1)[0].split("/", 1)[0].lower() for t in terms}
    if names and names <= {"exists"}:
        return "any"
    if "include" in names and not names & {"ip4", "ip6", "a", "mx"}:
        return "include"
    return "family"


def _federation_line(m: Messages, domain: str, host: str) -> str:
    """Where a federated tenant's users sign in: their own identity provider (AD FS at a host inside the domain),
    a known identity service (Okta's ``acme.okta.com``, by services.json ``federation``), or an outside one."""
    from ..domains import is_within
    from ..footprint.schema import services_catalog
    from ..footprint.services import identity_service_for

    if is_within(host.rstrip("."), domain):
        return m("mail.tenant_federated", host=host)
    sid = identity_service_for(host)
    name = services_catalog().name_of(sid) if sid else None
    if name:
        return m("mail.tenant_federated_service", host=host, service=name)
    return m("mail.tenant_federated_outside", host=host)


def _delegated(lead: Lead, selectors: Sequence[str]) -> bool:
    """Whether every one of ``selectors`` is an alias (CNAME) to a name outside the domain: the key record is
    the target's (their provider's, as ``s1-ionos._domainkey CNAME s1.dkim.ionos.com``), not one they wrote."""
    from ..domains import is_within

    cnames = {s.selector: s.cname for s in lead.dkim.selectors}
    return bool(selectors) and all(
        (c := cnames.get(name)) and not is_within(c.rstrip("."), lead.domain) for name in selectors
    )


def _hedged(m: Messages, key: str, doubt: str | None) -> str:
    """``key``, or its ``.unconfirmed`` variant (a question or a condition) when the brief doubts the
    Microsoft evidence (:func:`evidence_doubt`) and the message files have one."""
    return f"{key}.unconfirmed" if doubt and m.has(f"{key}.unconfirmed") else key


def _tenant_variant(m: Messages, key: str, lead: Lead) -> str:
    """``key``, or its ``.tenant`` variant ("they already have a Microsoft tenant") when the sign-in
    service confirmed a tenant (``lead.tenant``) and the message files have one: no "a tenant or
    Microsoft records" hedge when the tenant is a fact."""
    return f"{key}.tenant" if lead.tenant is not None and m.has(f"{key}.tenant") else key


def _owned_variant(m: Messages, key: str, owned: set[str]) -> str:
    """``key``, or its variant for a customer who already uses a workload (``talk.P2.with_teams``) when
    the footprint reports that workload online (``owned``): no sentence sells what they already have."""
    for wid in WORKLOADS:
        if wid in owned and m.has(f"{key}.with_{wid}"):
            return f"{key}.with_{wid}"
    return key


def _spf_error_words(m: Messages, spf: SpfInfo, domain: str) -> str:
    """The first SPF error in plain words for the rep (codes in docs/json-schema.md)."""
    if not spf.errors:  # results stored before evaluation existed: only several records made them invalid
        return m("spf_error.spf-multiple-records", target=domain)
    first = spf.errors[0]
    where = first.where
    key = f"spf_error.{first.code}"
    if not m.has(key):  # a code this release has no words for: said plainly in the brief's language
        return m("spf_error.other", code=first.code or "?")
    return m(key, target=where[-1] if where else "?")


def _by_code(findings: Sequence[Finding]) -> dict[str, list[str]]:
    """Selectors by finding code, in order: ``where`` is the selector, or its ``<selector>._domainkey`` name."""
    out: dict[str, list[str]] = {}
    for f in findings:
        sel = f.where[0].split("._domainkey")[0] if f.where else "?"
        if sel not in out.setdefault(f.code, []):
            out[f.code].append(sel)
    return out


def _security_lines(m: Messages, lead: Lead, level: str | None, nx: str = "", doubt: str | None = None) -> list[str]:
    if lead.state == "parked":  # no risk to sell on, but the name can be forged without DMARC p=reject
        return _parked_lines(m, lead)
    if lead.state != "active":  # nothing to protect: no record-by-record verdicts
        return [m(_variant(m, f"sec.{lead.state}", nx)), risk_text(m, lead, level, nx)]
    lines: list[str] = []
    # what their own mail meets under DMARC follows from the SPF, DKIM and DMARC lines: said after them, where
    # the reader has the facts it rests on (trial 30)
    consequences: list[str] = []
    failed = lead.failed_checks
    spf = lead.spf
    spf_verdict = lead.spf_result
    # keys in testing mode (t=y): their mail counts as unsigned (RFC 6376 3.6.1)
    testing = _testing_selectors(lead)
    # a record meant as SPF that receivers discard (RFC 7208 4.5): "malformed and ignored", not "no SPF record"
    discarded = ".discarded" if not spf and lead.spf_discarded and "txt" not in failed else ""
    if "txt" in lead.unknown:  # never read: no "no SPF" (RFC 7208 4.4: a DNS error is temperror)
        lines.append(m("sec.spf_txt_unknown"))
    elif "txt" in failed:
        pass
    elif "spf" in failed or spf_verdict == "temperror":
        lines.append(m("sec.spf_unknown"))
    elif not spf and lead.dmarc_policy in ("quarantine", "reject") and "dmarc" not in failed:
        # forged mail still fails DMARC (RFC 7489 6.6.2); quarantine is no refusal (RFC 7489 6.3)
        enforcing, fate = m.label("dmarc.policy", lead.dmarc_policy), m(f"dmarc.fate.{lead.dmarc_policy}")
        lines.append(m(_variant(m, "sec.spf_missing_dmarc", discarded), policy=enforcing, fate=fate))
        if lead.dkim_state != "key" and "dkim" not in failed:  # neither SPF nor DKIM can align: RFC 7489 4.2
            key = "sec.own_mail_fails_dmarc_testing" if testing else _variant(m, "sec.own_mail_fails_dmarc", discarded)
            consequences.append(m(key, policy=enforcing, fate=fate))
    elif not spf:
        lines.append(m(_variant(m, "sec.spf_missing", discarded)))
    elif spf_verdict != "valid":
        lines.append(m("sec.spf_invalid", reason=_spf_error_words(m, spf, lead.domain or "?")))
        if own_mail_fails_dmarc(lead) == "spf_broken":  # a pass for nobody, no DKIM key: RFC 7489 4.2
            enforcing = m.label("dmarc.policy", lead.dmarc_policy)
            consequences.append(
                m("sec.own_mail_fails_dmarc_broken", policy=enforcing, fate=m(f"dmarc.fate.{lead.dmarc_policy}"))
            )
    else:
        qualifier = spf.all
        # a term as open as +all (a /0 network, an exists: that always matches, an include of +all): what the
        # record's own 'all' says protects nothing, so that is the line
        opened = spf_open_terms(lead) if qualifier != "+all" else []
        own, deciding = _all_decided_first(spf.terms, qualifier)
        if opened:  # a range that opens one family only (mx/0 with IPv4 hosts) is said as that family
            families = spf_open_families(lead)
            key = f"sec.spf_open_term.v{families.pop()}" if len(families) == 1 else "sec.spf_open_term"
            lines.append(m(key, terms=", ".join(opened[:3])))
        elif deciding and qualifier in ("~all", "?all"):  # `~ip4:0.0.0.0/0 -all`: IPv4 meets ~ before the -all
            key = "sec.spf_all_decided.neutral" if qualifier == "?all" else "sec.spf_all_decided.soft"
            if (own or "").lstrip("+").lower() != "-all":  # without the term, their own all would be no better
                key += ".end"
            who = m(f"sec.spf_all_decided.who.{_decided_who(deciding)}")
            lines.append(m(key, own=own, all=qualifier, terms=", ".join(deciding[:3]), who=who))
        elif qualifier == "-all":
            lines.append(m("sec.spf_ok", all=qualifier))
        elif qualifier == "~all":
            lines.append(m("sec.spf_soft", all=qualifier))
        elif qualifier == "?all":  # neutral is treated exactly like no SPF record (RFC 7208 8.2)
            lines.append(m("sec.spf_neutral"))
        elif qualifier == "+all":  # reached by one family only when earlier terms decide the other (-a/0 +all)
            families = spf_open_families(lead)
            key = f"sec.spf_open.v{families.pop()}" if len(families) == 1 else "sec.spf_open"
            lines.append(m(key, all=qualifier))
        elif spf.redirect and "%{" in spf.redirect:  # RFC 7208 6.1: the target depends on the sender
            lines.append(m("sec.spf_redirect_macro", target=spf.redirect))
        else:
            lines.append(m("sec.spf_no_all"))
        omits = spf_omits_provider(lead)
        if omits:  # an error for their own mail, not a style point
            label = provider_label(m, lead.provider, lead.provider_name)
            # what an unlisted sender gets (RFC 7208 4.7, 8.3-8.5): never "fails" for ~all or ?all
            result = SPF_ALL_RESULTS.get(spf.all or "", "neutral")  # no "all" at all: neutral (RFC 7208 4.7)
            # Microsoft 365 itself in doubt (no tenant behind its records): a condition, as the SPF record
            # may be right and the MX left over; another provider is not what the doubt is about
            hedge = doubt if lead.provider == "m365" else None
            lines.append(
                m(
                    _hedged(m, "sec.spf_omits_provider", hedge),
                    provider=label,
                    all=spf.all or "?",
                    result=m(f"spf_result.{result}"),
                )
            )
            enforced = lead.dmarc_policy in ("quarantine", "reject") and "dmarc" not in failed
            if enforced and lead.dkim_state != "key" and "dkim" not in failed:  # nothing aligns: RFC 7489 4.2
                enforcing = m.label("dmarc.policy", lead.dmarc_policy)
                fate = m(f"dmarc.fate.{lead.dmarc_policy}")
                key = _hedged(m, "sec.own_mail_fails_dmarc_omits", hedge)
                consequences.append(m(key, provider=label, policy=enforcing, fate=fate))
        # "SPF works, but" only where it does: not beside an error for their own mail (it omits the
        # provider), nor for ?all, +all or no 'all' (their lines say it does nothing against forgery)
        works = qualifier in ("-all", "~all") and not omits and not opened
        warn_key = "sec.spf_warning" if works else "sec.spf_warning_also"
        lines += [m(warn_key, reason=reason) for reason in _spf_warning_words(m, spf)]
        if own_mail_fails_dmarc(lead) == "unlisted":  # where they send from is not seen: a condition
            enforcing = m.label("dmarc.policy", lead.dmarc_policy)
            fate = m(f"dmarc.fate.{lead.dmarc_policy}")
            # a record that lists no sender at all (v=spf1 -all): any mail they send fails, if they send any
            key = "sec.own_mail_unlisted_fails_dmarc" + (".none_listed" if spf_passes_nobody(lead) else "")
            consequences.append(m(key, policy=enforcing, fate=fate, record=spf.record or "v=spf1 -all"))
    if discarded:  # RFC 7208 4.5: not a record, but meant as one; what is wrong with it, and the fix
        first = lead.spf_discarded[0]
        said = {
            W_VERSION_WHITESPACE: "sec.spf_version_whitespace",
            W_VERSION_JOINED: "sec.spf_version_joined",
            W_VERSION_SPACED: "sec.spf_version_spaced",
            W_QUOTED: "sec.spf_quoted",
        }
        text = (first.where or ["?"])[0].strip()
        record = readable(text)  # a tab or other whitespace shown by name (<TAB>, <CR>), not printed as itself
        key = said.get(first.code, "sec.spf_not_at_start")
        mark = text[6:7] if first.code == W_VERSION_JOINED and text[:6].lower() == "v=spf1" else ""
        if mark and not mark.isalnum():  # a single string with a mark where the space belongs: no split involved
            key += ".separator" if mark in ";,." else ".mark"
        lines.append(m(key, record=record, mark=mark))
        others = [readable((f.where or ["?"])[0].strip()) for f in lead.spf_discarded[1:]]
        if others:  # fixing each would publish several SPF records: permerror (RFC 7208 3.2, 4.5)
            lines.append(m("sec.spf_lookalikes_more", records=_names(m, [f'"{r}"' for r in others[:3]])))
    elif spf and lead.spf_discarded and "txt" not in failed:
        # a look-alike beside the record in force: receivers ignore it, but "fixing" it would publish a second
        # SPF record, and two make every check fail (permerror, RFC 7208 3.2, 4.5): it is to be deleted
        shown = [f'"{readable((f.where or ["?"])[0].strip())}"' for f in lead.spf_discarded]
        key = "sec.spf_lookalike_beside" + (".many" if len(shown) > 1 else "")
        lines.append(m(key, records=_names(m, shown[:3]), n=len(shown)))
    state = lead.dkim_state
    unusable = [s.selector for s in lead.dkim.selectors if s.problem] if lead.dkim else []  # RFC 6376 3.6.1
    unusable += [  # a selector whose name is a CNAME loop publishes no key either
        e.where[0].split("._domainkey")[0]
        for e in (lead.dkim.errors if lead.dkim else [])
        if e.where
        if e.code == "dkim-cname-loop"
    ]
    revoked = [s.selector for s in lead.dkim.selectors if s.revoked] if lead.dkim else []  # empty p=
    if state == "key":
        lines.append(m("sec.dkim_ok", selectors=", ".join(lead.dkim_key_selectors)))
        if revoked:
            lines.append(m("sec.dkim_revoked_beside", selectors=", ".join(revoked[:3])))
    elif testing:  # never "no key found" nor "signing never turned on": a key is there, and ignored
        hosted = [s.cname for s in lead.dkim.selectors if s.selector in testing and s.cname]
        if hosted:  # the record lives where the selector's alias points: the switch is there, not in their DNS
            lines.append(m("sec.dkim_testing_hosted", selectors=", ".join(testing[:3]), host=hosted[0]))
        else:
            lines.append(m("sec.dkim_testing", selectors=", ".join(testing[:3])))
    elif state == "delegated":
        lines.append(m("sec.dkim_delegated"))
    elif "dkim" in failed:
        lines.append(m("sec.dkim_unknown"))
    elif revoked:  # a key was published and withdrawn (RFC 6376 3.6.1): not "never set up"
        lines.append(m("sec.dkim_revoked", selectors=", ".join(revoked[:3])))
    elif not unusable:
        lines.append(m("sec.dkim_missing"))
    # why each unusable record or weak key fails or falls short, one line per reason (docs/json-schema.md)
    if unusable and not lead.dkim.errors:  # results stored before dkim.errors existed
        lines.append(m("sec.dkim_unusable", selectors=", ".join(unusable[:3])))
    for kind, findings in (("dkim_error", lead.dkim.errors), ("dkim_warning", lead.dkim.warnings)):
        for code, where in _by_code(findings).items():
            if code == "dkim-testing":  # no key that "works, but": receivers ignore its signatures (above)
                if state == "key":
                    lines.append(m("sec.dkim_testing_beside", selectors=", ".join(where[:3])))
                continue
            key = "sec.dkim_unusable_why" if kind == "dkim_error" else "sec.dkim_warning"
            if m.has(f"sec.{kind}_line.{code}"):  # a whole line of its own: the key works, but may not be used
                lines.append(m(f"sec.{kind}_line.{code}", selectors=", ".join(where[:3])))
                continue
            if kind == "dkim_warning" and set(where) <= set(testing):  # a key in testing mode "works" for nobody
                key = "sec.dkim_warning_testing"
            if m.has(f"{kind}.{code}"):
                # a record delegated (CNAME) to a host outside the domain is the host's to fix, not pasted by them
                reason = f"{kind}.{code}.delegated" if _delegated(lead, where) else f"{kind}.{code}"
                reason = reason if m.has(reason) else f"{kind}.{code}"
                lines.append(m(key, selectors=", ".join(where[:3]), reason=m(reason)))
            elif kind == "dkim_error":
                lines.append(m("sec.dkim_unusable", selectors=", ".join(where[:3])))
    dmarc = lead.dmarc
    policy = lead.dmarc_policy
    if "dmarc" in failed:
        lines.append(m("sec.dmarc_unknown"))
    elif dmarc is None:
        lines.append(m("sec.dmarc_missing"))
    elif policy is None:
        lines.append(m("sec.dmarc_invalid"))
    elif lead.dmarc_applied_as_none:
        # RFC 7489 6.6.3: a broken p/sp with a valid rua is applied as p=none
        key = "sec.dmarc_ignored" if dmarc.published_policy else "sec.dmarc_ignored.no_p"  # no p= at all
        if dmarc.published_policy == "":  # "p= ;": the tag is there, empty
            key = "sec.dmarc_ignored.empty_p"
        lines.append(m(key, published=dmarc.published_policy or "?"))
    elif policy == "none" and any(w.code == "dmarc-pct-zero" for w in dmarc.warnings):
        # p=quarantine; pct=0: no failing message is selected, so none applies to all (RFC 7489 6.6.4)
        lines.append(m("sec.dmarc_none_pct_zero", published=dmarc.published_policy or "?"))
    elif policy == "none":
        lines.append(m("sec.dmarc_none"))
    else:
        pct = dmarc.pct
        if spf_shortfall(lead) == "spf_open":  # a forger passes SPF in their name, aligned: DMARC passes it
            families = spf_open_families(lead)  # one family open (a /0 of IPv6 only): forgery over that one
            key = (
                f"sec.dmarc_enforced_spf_open.v{families.pop()}"
                if len(families) == 1
                else "sec.dmarc_enforced_spf_open"
            )
            lines.append(m(key, policy=m.label("dmarc.policy", policy)))
        elif pct >= 100 or pct == 0:  # pct=0: the next weaker policy, already the effective one, for all mail
            lines.append(m("sec.dmarc_enforced", policy=m.label("dmarc.policy", policy)))
        else:
            # the rest gets the next weaker treatment: reject -> quarantine, quarantine -> none (RFC 7489 6.6.4)
            rest = m(f"sec.dmarc_rest.{policy}") if m.has(f"sec.dmarc_rest.{policy}") else "?"
            lines.append(m("sec.dmarc_partial", policy=m.label("dmarc.policy", policy), pct=pct, rest=rest))
        if policy in ("quarantine", "reject") and any(w.code == "dmarc-testing" for w in dmarc.warnings):
            # t=y: DMARCbis receivers apply one level below p; RFC 7489's apply p as written
            lower = m(f"sec.dmarc_rest.{policy}")
            lines.append(m("sec.dmarc_testing_bis", policy=m.label("dmarc.policy", policy), lower=lower))
        if any(w.code == "dmarc-pct-zero" for w in dmarc.warnings):  # RFC 7489 6.6.4
            # the applied policy in the language's words ("karantina (p=quarantine)"), as the line above says it
            applied = m.label("dmarc.policy", policy)
            lines.append(m("sec.dmarc_pct_zero", published=dmarc.published_policy or "?", policy=applied))
        if any(w.code == "dmarc-sp-weaker" for w in dmarc.warnings):  # RFC 7489 6.3: subdomains spoofable
            sp = dmarc.subdomain_policy or "none"
            lines.append(m("sec.dmarc_sp_weaker" if sp == "none" else "sec.dmarc_sp_quarantine", sp=sp))
    lines += consequences
    if dmarc and "dmarc" not in failed and (mistakes := dmarc_mistakes(m, dmarc)):
        # errors the JSON lists that receivers ignore, the record applied all the same (RFC 7489 6.3)
        key = "sec.dmarc_mistakes_many" if len(ignored_mistakes(dmarc)) > 1 else "sec.dmarc_mistakes"
        lines.append(m(key, mistakes=mistakes))
    if dmarc and "dmarc" not in failed:
        rua = _report_addresses(dmarc.rua)
        unauthorized = [
            w.where[0] for w in dmarc.warnings if w.code == "dmarc-report-authorization-missing" and w.where
        ]
        # reports to a domain that has not agreed to take them are never sent (RFC 7489 7.1): not "go to"
        refused = {h.lower().rstrip(".") for h in unauthorized}
        arrive = [a for a in rua if a.rpartition("@")[2].lower().rstrip(".") not in refused]
        # rua= given twice: receivers differ on which they keep (RFC 7489 6.3), so either may get the reports
        other = [a for a in _duplicate_rua(dmarc) if a not in arrive and a.rpartition("@")[2].lower() not in refused]
        if arrive and other:
            lines.append(m("sec.dmarc_rua_either", rua=", ".join(arrive[:2]), other=", ".join(other[:2])))
        elif arrive:
            lines.append(m("sec.dmarc_rua", rua=", ".join(arrive[:2])))
        elif not rua:
            lines.append(m("sec.dmarc_no_rua"))
        if unauthorized:
            lines.append(m("sec.dmarc_report_unauthorized", hosts=", ".join(unauthorized[:2])))
    gateway = _gateway_name(lead)
    if gateway:
        lines.append(m("sec.gateway_part" if gateway_bypassed(lead) else "sec.gateway", gateway=gateway))
    if lead.provider == "none" and not lead.null_mx:
        # no MX (P6, nothing to sell): what to pass on if they send no mail either, as for a parked domain
        missing, _ = parked_gaps(lead)
        if missing:
            names = _names(m, [m(f"parked.{r}") for r in missing])
            lines.append(m("sec.no_mail_practice", missing=names))
    if level:
        lines.append(risk_text(m, lead, level))
    return lines


def dmarc_mistakes(m: Messages, dmarc: DmarcInfo) -> str:
    """The mistakes in a DMARC record that receivers ignore, said in ``m``'s language (``pct=101 (not 0 to 100,
    so read as pct=100)``), joined; ``""`` for none (:func:`hunter_cli.dns.dmarc.ignored_mistakes`). The brief's
    security section and `hunter leads show` say them."""
    words = [m(f"dmarc_mistake.{code}", shown=shown) for code, shown in ignored_mistakes(dmarc)[:3]]
    return "; ".join(words)


def _written_tag(dmarc: DmarcInfo, tag: str) -> list[str]:
    """Each ``tag=value`` of ``tag`` as the record writes it (``p=Rejected``), in the record's order."""
    parts = [t.strip(" \t") for t in (dmarc.record or "").split(";")]
    return [t for t in parts if t.partition("=")[0].strip(" \t").lower() == tag and "=" in t]


def _duplicate_rua(dmarc: DmarcInfo) -> list[str]:
    """The report addresses of a second (third...) ``rua=`` the record gives, the one the parser did not keep:
    ``[]`` unless ``rua`` is among its duplicate tags (RFC 7489 6.3, receivers differ on which one they keep)."""
    if not any(e.code == "dmarc-tag-duplicate" and e.where[:1] == ["rua"] for e in dmarc.errors):
        return []
    later = _written_tag(dmarc, "rua")[1:]
    return _report_addresses([u.strip(" \t") for t in later for u in t.partition("=")[2].split(",")])


def dmarc_policy_mistake(m: Messages, dmarc: DmarcInfo) -> str:
    """The mistake that decides the policy of an invalid DMARC record, and what receivers make of it, in ``m``'s
    language (``p=rejected is not none, quarantine or reject, so receivers treat the record as p=none``); ``""``
    when ``p`` and ``sp`` are valid. An empty ``p=`` is said empty, not missing. RFC 7489 6.3 and 6.6.3: with a
    valid ``rua`` the record is applied as ``p=none``, without one no policy applies. `hunter leads show` says
    it as the brief's DMARC line does."""
    codes = {e.code for e in dmarc.errors}
    if "dmarc-p-missing" in codes:
        what = m("dmarc_policy_mistake.p_missing")
    elif "dmarc-p-invalid" in codes and dmarc.published_policy == "":
        what = m("dmarc_policy_mistake.p_empty")
    elif "dmarc-p-invalid" in codes or "dmarc-sp-invalid" in codes:
        tag = "p" if "dmarc-p-invalid" in codes else "sp"
        what = m("dmarc_policy_mistake.invalid", shown=(_written_tag(dmarc, tag) or [f"{tag}="])[0])
    else:
        return ""
    if dmarc.policy == "none":
        return m("show.dmarc_policy_mistake.none", what=what)
    return m("show.dmarc_policy_mistake.no_policy", what=what)


_VOID = re.compile(r"'([^']*)' asks (\S+), which")


def _spf_warning_words(m: Messages, spf) -> list[str]:
    """Why their own valid SPF record is worth fixing, one reason per warning code of that record
    (``spf_warning.*``: ptr, terms after ``all``, an ignored redirect, unknown modifiers, nearly ten
    lookups, void lookups; RFC 7208 4.6.4, 5.1, 5.5, 6, 6.1). The warnings the main SPF line already
    says (``+all``, ``?all``, no ``all``), those of other providers' records reached through an
    include, and the other-provider leftover (the mail section's) are left out."""
    terms = spf.terms or []
    values = {
        "terms": ", ".join(spf_terms_after_all(terms) or []),
        "redirect": next((t for t in terms if t.lower().startswith("redirect=")), "redirect="),
        "lookups": spf.lookups,
    }
    out: list[str] = []
    seen: set[str] = set()
    for f in spf.warnings:
        if f.code in seen or len(f.where) > 1 or not m.has(f"spf_warning.{f.code}"):
            continue
        seen.add(f.code)
        if f.code == "spf-unknown-modifier":
            known = ("redirect=", "exp=")
            odd = [t for t in terms if "=" in t.split(":", 1)[0] and not t.lower().startswith(known)]
            values["modifiers"] = ", ".join(odd) or "?"
        elif f.code == "spf-void-lookup":  # "'a' asks acme.com, which ..." (dns/spf_eval.py, _Evaluator._void)
            said = [_VOID.match(w.message) for w in spf.warnings if w.code == f.code and len(w.where) <= 1]
            voids = [f"'{v[1]}' ({v[2]})" if v[2] not in v[1] else f"'{v[1]}'" for v in said if v]
            values["voids"] = ", ".join(dict.fromkeys(voids)) or "?"
            # an exists: whose name is there without an A record: exists asks for A only (RFC 7208 5.7)
            if (
                said
                and all(v and v[1].lstrip("+-~?").lower().startswith("exists:") for v in said)
                and all(w.message.endswith("has no A record") for w in spf.warnings if w.code == f.code)
            ):
                out.append(m("spf_warning.spf-void-lookup.exists_no_a", **values))
                continue
        out.append(m(f"spf_warning.{f.code}", **values))
    return out


def risk_text(m: Messages, lead: Lead, level: str | None, nx: str = "") -> str:
    """The brief's risk line ("Spoofing and phishing risk: medium."). A parked domain is no risk to sell
    on (level ``none``), but until DMARC ``p=reject`` is published its name can still be forged in the
    From: line (:func:`hunter_cli.lead.posture.parked_gaps`): the line says so instead of "none"."""
    if lead.state == "parked":
        missing, unknown = parked_gaps(lead)
        nx = no_mx_suffix(lead)  # no null MX: "most likely receives no mail", as the mail section says
        if "dmarc" in missing:
            return m(_variant(m, "risk.parked_forgeable", nx))
        if "dmarc" in unknown:
            return m(_variant(m, "risk.parked_unknown", nx))
    return m("risk.line", level=risk_level(m, lead, level, nx))


def risk_level(m: Messages, lead: Lead, level: str | None, nx: str = "") -> str:
    """The words of a risk level ("medium"; "none (the domain does not exist)"), as the brief's risk line
    and the CRM's facts say it. ``nx``: :func:`nx_suffix`. A domain DNS does not know does not "take no
    mail": it does not exist or, per the registry, is not in DNS; a parked one with no MX at all most likely
    receives none (RFC 5321 5.1)."""
    if lead.state == "nxdomain":
        return m(_variant(m, "risk.none_nxdomain", nx))
    if lead.state == "parked":
        return m(_variant(m, f"risk.{level or 'none'}", no_mx_suffix(lead)))
    return m(f"risk.{level or 'none'}")


def nx_suffix(lead: Lead, registration: dict | None, today: date) -> str:
    """The variant suffix of every line that says whether the domain takes mail: how the registry explains
    a domain DNS does not know (:func:`_nxdomain_kind`), else ``_no_mx`` for one with no MX at all
    (:func:`no_mx_suffix`), else ""."""
    return _nxdomain_kind(lead, registration, today) or no_mx_suffix(lead)


def no_mx_suffix(lead: Lead) -> str:
    """``_no_mx`` for a domain in DNS with no MX record at all, else "": its mail goes to the domain's own
    address records (the implicit MX, RFC 5321 5.1), which seldom accept mail, so it only most likely
    receives none (``mail.no_mx``); a null MX (RFC 7505) or an MX set of only "." says it takes none. The
    variant suffix of every line (one-liner, security, risk, offer) that says whether it takes mail."""
    if lead.state == "nxdomain" or lead.mx_state != "none":
        return ""
    return "" if any(f.code == "null-mx-malformed" for f in lead.mx_errors) else "_no_mx"


def _parked_lines(m: Messages, lead: Lead) -> list[str]:
    """A parked domain's security section: what M3AAWG's parked-domain practice asks (null MX, SPF
    ``-all``, DMARC ``p=reject``), what is missing, as advice to pass on, and the risk line."""
    missing, unknown = parked_gaps(lead)
    lines = [m(_variant(m, "sec.parked", no_mx_suffix(lead))), m("sec.parked_practice")]
    if missing:
        names = _names(m, [m(f"parked.{r}") for r in missing])
        lines.append(m("sec.parked_missing_dmarc" if "dmarc" in missing else "sec.parked_missing", missing=names))
    if unknown:
        lines.append(m("sec.parked_unknown", names=_names(m, [m(f"parked.{r}") for r in unknown])))
    if not missing and not unknown:
        lines.append(m("sec.parked_complete"))
    lines.append(risk_text(m, lead, "none"))
    return lines


def _report_addresses(rua: list[str]) -> list[str]:
    """The addresses DMARC reports can reach, as a rep reads them: the ``mailto:`` URIs the DMARC parser
    accepts (:func:`hunter_cli.dns.dmarc.parse_uri`, RFC 7489 6.2), without ``mailto:``, a size limit
    (``!10m``) or a query."""
    from ..dns.dmarc import parse_uri

    out = []
    for text in rua:
        uri, mail_domain, problem = parse_uri(text)
        if problem is None and mail_domain is not None:
            out.append(uri.split(":", 1)[1].split("?", 1)[0])
    return out


def _names(m: Messages, names: list[str]) -> str:
    """``a, b and c`` in the brief's language."""
    if len(names) <= 1:
        return "".join(names)
    return m("list.and", first=", ".join(names[:-1]), last=names[-1])


def _microsoft_lines(m: Messages, lead: Lead, doubt: str | None = None) -> list[str]:
    """What they run with Microsoft and what not yet, each with the records seen (docs/footprint.md).

    A workload whose lookups failed is said to be unchecked, never absent; a workload in Microsoft's cloud
    that only records show, while the sign-in service finds no tenant, is said as possibly left over
    (:func:`evidence_doubt`: what the mail section doubts, this section doubts too). A record that leads to
    no host (``leftovers``, ``loops``) is said apart, as left over or broken, never as a server of theirs; a
    wildcard's answers are said as such, never as another service. For a domain that takes no mail
    (provider ``none``) only what is seen: no Teams note, no "not published" MTA-STS / TLS-RPT / BIMI line.
    """
    if lead.state != "active":
        return []
    fp = lead.microsoft
    if fp is None:
        return [m("fp.not_asked")] if lead.scanned else []
    lines: list[str] = []
    absent: list[str] = []
    unknown: list[str] = []
    aside: list[str] = []  # records that lead to no host: said after the workloads, never as a server of theirs
    no_mail = lead.provider == "none"  # takes no mail (no MX, or a null MX): what is seen, no advice
    for wid in WORKLOADS:
        w = fp.workloads.get(wid)
        if w is None:
            continue
        if w.leftovers:
            key = "fp.leftover_many" if len(w.leftovers) > 1 else "fp.leftover"
            aside.append(m(key, records=", ".join(w.leftovers[:3])))
        if w.loops:
            aside.append(m("fp.loop", records=", ".join(w.loops[:3])))
        m365 = wid == "exchange" and lead.provider == "m365"
        if w.state == "absent" and not m365:
            if wid != "msoid" and not w.leftovers and not w.loops:  # a missing legacy record is nothing to sell
                absent.append(wid)
            continue
        if w.state == "unknown":
            unknown.append(m(f"fp.name.{wid}"))
            continue
        records = ", ".join(w.records[:3]) or "?"
        key = f"fp.{wid}.{w.state}"
        if wid == "msoid" and w.state == "online" and w.cloud == "21vianet":
            key = "fp.msoid.required"
        elif m365 and w.state in ("absent", "on_premises", "other"):
            # the mail section puts the mailboxes on Microsoft 365 from other evidence (a tenant with its
            # MS= token behind a gateway): say that no Exchange record confirms it, never "not seen"
            key = f"fp.exchange.{w.state}_m365"
        elif (reading := listed_reading(lead, wid, doubt)) in ("mx_dangling", "no_mail"):
            # the MX names Exchange Online but no MX host resolves (it bounces), or the domain takes no mail
            key = f"fp.exchange.{reading}"
        elif wid == "exchange" and w.state == "online" and lead.provider in ("none", "unknown"):
            key = "fp.exchange.online_sending"  # no working MX (or it is not known): no mailbox claim
        elif reading == "leftover":  # missing in the lists: only the include the mail section reads as a leftover
            key = "fp.exchange.spf_leftover"
        elif wid == "exchange" and w.state == "online" and lead.provider != "m365":
            # their MX delivers to another provider, or (MX hosts of the same preference) to both
            split = "m365" in {e.id for e in _mx_receivers(lead)} and any(
                f.code == "mx-split-providers" for f in lead.mx_warnings
            )
            key = "fp.exchange.online_split" if split else "fp.exchange.online_beside"
        key = _hedged(m, key, doubt)
        if m.has(key):
            lines.append(m(key, records=records, provider=provider_label(m, lead.provider, lead.provider_name)))
    lines += aside
    if absent:
        lines.append(m("fp.absent", names=_names(m, [m(f"fp.name.{w}") for w in absent])))
    if fp.wildcard and any(w.wildcard for w in fp.workloads.values()):
        # a wildcard's answer at autodiscover, enterpriseenrollment, ... is no other service (footprint.md)
        lines.append(m("fp.wildcard", target=fp.wildcard))
    # records these workloads do not need: their absence proves nothing (Teams needs none any more; Intune's
    # enrolment CNAME is optional, Learn "Set up enrollment for Windows devices"; trial 30)
    teams, intune = fp.workloads.get("teams"), fp.workloads.get("intune")
    no_teams = teams is not None and teams.state == "absent" and not no_mail
    no_intune = intune is not None and intune.state == "absent" and not no_mail
    if no_teams or no_intune:
        lines.append(
            m(
                "fp.teams_intune_absent_note"
                if no_teams and no_intune
                else "fp.teams_absent_note"
                if no_teams
                else "fp.intune_absent_note"
            )
        )
    if unknown:
        lines.append(m("fp.unknown", names=_names(m, unknown)))
    # a state shown although some of its lookups failed in the latest scan: kept from an earlier scan
    # (store.carry_forward), or seen only in part
    partly = [
        m(f"fp.name.{wid}") for wid in WORKLOADS if (w := fp.workloads.get(wid)) and w.failed and w.state != "unknown"
    ]
    if partly:
        lines.append(m("fp.partly_checked", names=_names(m, partly)))
    by_state: dict[str, list[str]] = {}
    waiting = False  # a sound BIMI record that shows no logo: DMARC is not at enforcement (not "invalid")
    unusable_policy = None  # an MTA-STS record whose policy file senders cannot use: said with its reason
    for sec in fp.mail_security.values():
        if sec.id == "bimi" and sec.state == "invalid" and any(e.startswith(BIMI_NEEDS_DMARC) for e in sec.evidence):
            waiting = True
            continue
        kind = sec.policy.invalid_kind if sec.policy is not None and sec.state == "invalid" else None
        if kind and m.has(f"fp.mts.invalid.{kind}"):
            unusable_policy = m(f"fp.mts.invalid.{kind}", host=sec.policy.host if sec.policy else "?")
            continue
        by_state.setdefault(sec.state, []).append(m(f"fp.mailsec.name.{sec.id}"))
    for state in ("published", "invalid") if no_mail else ("published", "invalid", "absent"):
        names = by_state.get(state)  # a domain that takes no mail needs no MTA-STS or TLS reporting: not said
        if names:
            key = "fp.mailsec.invalid_many" if state == "invalid" and len(names) > 1 else f"fp.mailsec.{state}"
            lines.append(m(key, names=_names(m, names)))
    for sec in fp.mail_security.values():  # in use, but with a mistake beside it (RFC 8461 3.1, RFC 8460 3)
        if sec.id in ("mta-sts", "tls-rpt") and sec.state in ("published", "invalid"):
            # a field given twice: senders keep either (RFC 8461 3.1, RFC 8460 3); said whatever else is wrong
            for field in repeated_fields(sec.record)[:2]:
                key = f"fp.mailsec.repeated.{sec.id}.{field}"
                key = key if m.has(key) else "fp.mailsec.repeated"
                lines.append(m(key, name=m(f"fp.mailsec.name.{sec.id}"), field=field))
        if sec.state != "published":
            continue
        if sec.discarded:
            name = m(f"fp.mailsec.name.{sec.id}")
            lines.append(m("fp.mailsec.discarded", name=name, record=sec.discarded[0].strip()[:60]))
        skipped = rua_skipped(sec.tags)[1] if sec.id == "tls-rpt" else []
        if skipped:
            lines.append(m("fp.mailsec.rua_skipped", uris=", ".join(skipped[:3])))
        nowhere = rua_not_addresses(sec.tags) if sec.id == "tls-rpt" else []
        if nowhere:  # mailto: and no address (RFC 6068 2): the reports go nowhere
            lines.append(m("fp.mailsec.rua_not_address", uris=", ".join(nowhere[:3])))
    if unusable_policy:
        lines.append(unusable_policy)
    if waiting:
        lines.append(m("fp.mailsec.bimi_needs_dmarc"))
    sts = fp.mail_security.get("mta-sts")
    policy = sts.policy if sts is not None and sts.state == "published" else None
    if policy is not None and policy.state == "valid" and policy.mode:  # what the policy file says (RFC 8461)
        rpt = fp.mail_security.get("tls-rpt")
        no_reports = policy.mode == "testing" and (rpt is None or rpt.state != "published")  # RFC 8460 3
        lines.append(m("fp.mts.testing_no_rpt" if no_reports else f"fp.mts.{policy.mode}"))
        if policy.mode != "none" and policy.uncovered:
            key = "fp.mts.uncovered" if policy.mode == "enforce" else "fp.mts.uncovered_testing"
            lines.append(m(key, hosts=", ".join(once(policy.uncovered)[:3])))
        media = (policy.content_type or "").split(";", 1)[0].strip().lower()
        if media != "text/plain":  # RFC 8461 3.3: senders SHOULD check it, so some ignore the policy
            lines.append(m("fp.mts.content_type", type=media) if media else m("fp.mts.no_content_type"))
    elif policy is not None and policy.state == "unknown":
        lines.append(m("fp.mts.unknown"))
    if by_state.get("unknown"):
        lines.append(m("fp.unknown", names=_names(m, by_state["unknown"])))
    return lines


def _service_lines(
    m: Messages, lead: Lead, plays: list[Play], offering: bool = False, doubt: str | None = None
) -> list[str]:
    """Each service with how we know it, then the plays with their reasons. A listed service that is their
    mail provider itself (Google Workspace for a Google customer) points at the main offer when there is one."""
    if lead.state != "active" or not lead.scanned:
        return []
    lines: list[str] = []
    shown = lead.services[:TOP_SERVICES]
    leftover = spf_leftover_services(lead)
    for svc in shown:
        if leftover_only(svc, leftover):
            label = provider_label(m, lead.provider, lead.provider_name)
            key = _hedged(m, "svc.leftover", doubt)  # "arrives at" only when not doubted
            lines.append(m(key, name=svc.name, include=leftover[svc.id], provider=label))
            continue
        hows = []
        for kind, value in svc.found[:2]:
            # the include the mail section reads as a leftover is said as one here too, never as in use
            how = "svc.how.spf_leftover" if kind == "spf" and svc.id in leftover else f"svc.how.{kind}"
            if kind == "spf" and lead.spf_result == "permerror":  # a broken record allows nobody (RFC 7208 2.6.7)
                how = "svc.how.spf_broken"
            hows.append(m(how, token=value.rstrip("=:_-."), host=value))
        category = m(f"svc.cat.{svc.category}") if m.has(f"svc.cat.{svc.category}") else svc.category
        lines.append(m("svc.line", name=svc.name, category=category, how="; ".join(hows) or "?"))
    rest = lead.services[TOP_SERVICES:]
    if rest:
        lines.append(m("svc.more", n=len(rest), names=", ".join(s.name for s in rest)))
    if "txt" in lead.unknown:  # the TXT set holds most services' tokens: unread, it is no "none"
        lines.append(m("svc.txt_unknown" if lead.services else "svc.unknown"))
    elif not lead.services and lead.microsoft is not None:
        lines.append(m("svc.none"))
    own = next((svc for svc in lead.services if svc.id == lead.provider), None)
    if own is not None and offering:
        lines.append(m("svc.provider", name=own.name))
    # the mail move is offered once, in "What to offer" (the migration add-on or the mail play): here the fact
    # and a pointer there (trial 32)
    lines += [
        m("play.line_offered", fact=p.fact)
        if p.fact and moves_mail(p.id)
        else m("play.line", offer=p.offer_inline or p.offer, reason=p.reason)
        for p in plays
    ]
    return lines


def shown_code(code: str, spf_shortfall: str | None) -> str:
    """The score item ``code`` as the brief, `explain` and `leads show` word it: ``no_spf`` for a valid
    record that does not protect their mail is said with why (``spf_open``, ``spf_neutral``,
    ``spf_omits_provider``: :func:`hunter_cli.lead.posture.spf_shortfall`), never "no SPF record"; the
    stored reasons keep the rules' own code. ``weak_hosting`` ("neither SPF nor DKIM") beside a record that
    exists but protects nothing is said as such (``weak_hosting_spf``)."""
    if code == "weak_hosting" and spf_shortfall not in (None, "no_spf"):
        return "weak_hosting_spf"
    return spf_shortfall if code == "no_spf" and spf_shortfall else code


def category_means(m: Messages, category: str, rule: str, doubt: str | None = None) -> str:
    """What the category says of this lead, from the rule that chose it and the boosts that moved it
    (``renewal+onprem_migration``), and what its label does not mean (``label_note.P3``: "Weak Partner"
    is about partner support, not their security); a rule of the user's own rules file is named.
    ``doubt`` (:func:`evidence_doubt`) words "an existing Microsoft 365 customer" as the records' claim."""
    base, *boosts = rule.split("+")
    key = _hedged(m, f"rule_means.{base}", doubt)
    parts = [m(key) if m.has(key) else m("rule_means.other", rule=base)]
    for b in boosts:
        parts.append(m(f"boost_means.{b}") if m.has(f"boost_means.{b}") else m("boost_means.other", rule=b))
    if m.has(f"label_note.{category}"):
        parts.append(m(f"label_note.{category}"))
    elif boosts:  # a rank reached by a step up: its label names the rank, not this lead (a customer is no takeover)
        parts.append(m("label_note.moved", label=m(f"label.{category}")))
    return "; ".join(parts)


def segment_means(m: Messages, segment: str, doubt: str | None = None) -> str:
    """What the inherited readiness segment measures (docs/scoring.md): how ready the mail set-up is to
    move, not how good a lead the company is; hedged when the brief doubts the Microsoft evidence."""
    return m(_hedged(m, f"segment_means.{segment}", doubt))


def priority_lines(
    m: Messages, category: str, rule: str, segment: str, score: int, doubt: str | None = None
) -> list[str]:
    """The category and the segment, each with what it means, so that no label reads as a verdict another
    line contradicts ("High Potential Greenfield" beside "segment Cold"): the category is the ranking
    (whom to call first, and why this kind of lead), the segment the inherited readiness segment (how
    ready the mail set-up is to move; docs/scoring.md), shown with the readiness score it follows."""
    return [
        m(
            "prio.category",
            category=category,
            label=m(f"label.{category}"),
            means=category_means(m, category, rule, doubt),
        ),
        m("prio.segment", segment=m(f"segment.{segment}"), means=segment_means(m, segment, doubt), score=score),
    ]


def _reason_lines(
    m: Messages, outcome, provider: str, nx: str = "", domain: str = "", spf_short: str | None = None
) -> list[str]:
    """The score's point items in words, largest first: the first ``TOP_REASONS`` with words (one more when only
    one would be left), then what the rest add together ("and 2 more: +5, see `hunter explain`"), then the clamp
    to 0..100 when the
    items sum past it, so the reasons shown always add up to the score stated beside them."""
    ranked = sorted(outcome.items, key=lambda i: -abs(i.points))
    # one item past the first few is named itself: "and 1 more" would hide the very point it stands for
    shown = TOP_REASONS + 1 if sum(1 for i in ranked if i.points) == TOP_REASONS + 1 else TOP_REASONS
    out: list[str] = []
    rest: list = []
    for i in ranked:
        if len(out) >= shown:
            if i.points:  # a zero beyond the first few adds nothing to tell
                rest.append(i)
        elif i.code.startswith("provider:"):
            out.append(m("reason.provider", provider=provider, points=i.points))
        elif m.has(key := f"reason.{shown_code(i.code, spf_short)}"):  # no_spf: valid, but their own mail fails
            out.append(m(key, points=i.points))
        elif i.points:  # a rule this release has no words for: counted with the rest, never dropped
            rest.append(i)
    if rest:
        points = sum(i.points for i in rest)
        key = "reason.more_one" if len(rest) == 1 else "reason.more"
        out.append(m(key, n=len(rest), points=points, domain=domain))
    if outcome.raw_score != outcome.score:  # the items sum past 0..100
        out.append(m("reason.clamped", raw=outcome.raw_score, score=outcome.score))
    if outcome.segment_rule in ("domain_does_not_exist", "parked"):
        out.insert(0, m(_variant(m, f"reason.{outcome.segment_rule}", nx)))
    if outcome.category_rule.startswith("tenant_cross_sell"):
        out.append(m("reason.tenant_cross_sell"))
    if "+cosell_referral" in outcome.category_rule:
        out.append(m("reason.cosell_referral"))
    if "+onprem_migration" in outcome.category_rule:
        out.append(m("reason.onprem_migration"))
    return out


def _referral_lines(m: Messages, referrals: list[dict]) -> list[Referral]:
    """The latest three referrals (``referrals`` rows, newest first), each with the lines the brief shows."""
    out: list[Referral] = []
    for r in referrals[:3]:
        lines: list[str] = []
        words = [m.label("referral.status", r.get("status"))] if r.get("status") else []
        if r.get("substatus"):
            words.append(m.label("referral.substatus", r.get("substatus")))
        status = " / ".join(words) or m("referral.status.Unknown")
        lines.append(
            m(
                "referral.line",
                kind=m(f"referral.kind.{r.get('kind') or 'partner'}"),
                status=status,
                name=r.get("name") or r.get("customer_name") or r.get("id"),
            )
        )
        if r.get("deal_value") is not None:
            value = float(r["deal_value"])
            if r.get("closing_date"):
                lines.append(
                    m("referral.deal", value=value, currency=r.get("currency") or "", closing=_day(r["closing_date"]))
                )
            else:
                lines.append(m("referral.deal_no_close", value=value, currency=r.get("currency") or ""))
        if r.get("microsoft_contact"):
            lines.append(m("referral.microsoft", contact=r["microsoft_contact"]))
        fields = {k: r.get(k) for k in Referral.model_fields if k != "lines"}
        fields["deal_value"] = None if r.get("deal_value") is None else float(r["deal_value"])
        values = {k: v if k == "deal_value" or v is None else str(v) for k, v in fields.items()}
        out.append(construct(Referral, {**values, "lines": lines}))  # each value made here (hunter_cli/trusted.py)
    return out


def note_line(m: Messages, note: dict) -> str:
    """A rep's note (a ``notes`` row: created_at, text) as the brief lists it, dated in the brief's language."""
    return m("note.line", date=_day(note.get("created_at")), text=note.get("text") or "")


def crm_lines(m: Messages, crm: dict | None) -> list[str]:
    """ "In Dynamics 365 since ..., owner ..., status ..." from the lead's ``crm_leads`` row (see store/crm.py)."""
    if not crm:
        return []
    since = _day(crm.get("crm_created_on") or crm.get("first_pushed_at"))
    if crm.get("push_state") == "deleted":
        return [m("crm.deleted", date=_day(crm.get("attempted_at")))]
    failed = crm.get("status")  # crm_status (store/schema.py CRM_STATUS_SQL): failed, update failed, ...
    if failed == "failed":  # Dynamics holds no lead from Hunter
        return [m("crm.failed", date=_day(crm.get("attempted_at")), error=in_lang(crm.get("error") or "?", m.lang))]
    state = crm.get("state")
    if state is None:
        lines = [m("crm.pushed_not_pulled", since=since)]
    else:
        word = m(f"crm.state.{state}")
        label = crm.get("status_label")
        status = m("crm.status", state=word, label=label) if label and label.lower() != word.lower() else word
        lines = [m("crm.line", since=since, owner=crm.get("owner_name") or m("crm.owner_unknown"), status=status)]
    if failed == "update failed":
        lines.append(
            m(
                "crm.update_failed",
                date=_day(crm.get("attempted_at")),
                error=in_lang(crm.get("error") or "?", m.lang),  # stored as a sentence: said in the brief's language
                pushed=_day(crm.get("pushed_at")),
            )
        )
    return lines


def _runs_own_servers(lead: Lead) -> bool:
    """Whether the footprint puts Exchange or Lync / Skype for Business on a server of their own (state
    on_premises or hybrid, catalog/microsoft.json): a firm that runs those is often past the 300 users
    Microsoft 365 Business plans cover (Microsoft: "Microsoft 365 for business subscriptions ... up to 300
    users")."""
    workloads = lead.microsoft.workloads if lead.microsoft is not None else {}
    return any(
        (w := workloads.get(wid)) is not None and w.state in ("on_premises", "hybrid") for wid in ("exchange", "teams")
    )


def moves_mail(play_id: str) -> bool:
    """True when the play (plays.json id) sells their mail itself (``sells`` names ``exchange``): the
    mail offer, never an offer "beyond mail"."""
    return any("exchange" in r.sells for r in plays_catalog().plays if r.id == play_id)


def _offer(
    m: Messages,
    lead: Lead,
    category: str | None,
    level: str | None,
    factors: dict,
    plays: Sequence[Play] = (),
    nx: str = "",
    doubt: str | None = None,
    winback: bool = False,
    owned: set[str] | None = None,
) -> Offer:
    """The licence and add-ons to suggest, and why. ``owned``: the workloads they already use as the lists
    state it (``online_workloads`` of :func:`hunter_cli.lead.footprint.listed_footprint`): a tier that sells
    one of them is swapped (plays.json ``tiers``)."""
    provider = lead.provider
    if lead.state == "nxdomain":
        return Offer.model_construct(lines=[m(_variant(m, "offer.nxdomain", nx))])
    if provider == "none" and lead.tenant is not None:  # a tenant holds this domain that takes no mail
        brand = lead.tenant.brand or lead.domain
        return Offer.model_construct(lines=[m(_variant(m, "offer.none", nx)), m("offer.tenant_domain", brand=brand)])
    if provider == "none":
        return Offer.model_construct(lines=[m(_variant(m, "offer.none", nx))])
    if category is None:
        return Offer.model_construct()
    if category == "P6":
        return Offer.model_construct(lines=[m("offer.skip")])
    addons: list[str] = []
    why: list[str] = []  # message keys
    gaps = [g for g in GAPS if factors.get(g)]  # what the security section found missing, in this order
    if "lookups" in gaps and "spf" in gaps:  # over the lookup limit is the SPF gap: named once, as that
        gaps.remove("spf")
    gap_words = _names(m, [m(f"gap.{g}") for g in gaps])
    if category in ("P5", "P6"):
        tier = "basic"
        if winback:  # the way back is a mail move: said once, as the add-on (the reason names no move)
            addons.append("migration")
        why.append("offer.why.winback" if winback else "offer.why.nurture")
    elif provider == "m365" and level in ("high", "medium") and not (set(gaps) & {"spf", "dkim", "dmarc"}):
        # SPF, DKIM and an enforced DMARC in place: only a setting is missing (sp=, pct=), nothing to call
        # poorly protected; fix that one thing beside the Defender and renewal talk
        tier = "defender"
        why.append("offer.why.existing_gap")
    elif provider == "m365":
        tier, reason = ("premium", "existing_weak") if level in ("high", "medium") else ("defender", "existing_strong")
        why.append(f"offer.why.{reason}")
    elif provider == "broken":  # mail bounces: a working, protected mail set-up first, nothing to migrate
        tier = "premium" if level == "high" else "standard"
        # an MX written as an address: mail may bounce or be refused, as the mail section says, not "bounces"
        why.append("offer.why.broken_mx_ip" if mx_ip_literals(lead) else "offer.why.broken")
    elif winback:  # they left Microsoft 365: a way back that answers why they moved, not a first sale
        tier = "premium" if level == "high" else "standard"
        addons.append("migration")
        why.append("offer.why.winback")
    elif provider in SUITES:
        tier = "premium" if level == "high" else "standard"
        addons.append("migration")
        why.append("offer.why.competitive")
    else:
        tier = "premium" if level == "high" else "standard"
        addons.append("migration")
        why.append("offer.why.greenfield_microsoft" if _uses_microsoft(lead) else "offer.why.greenfield")
    owned = owned or set()
    why = [_tenant_variant(m, _hedged(m, k, doubt), lead) for k in why]
    rule = plays_catalog().tier(tier)
    have = [w for w in rule.sells if w in owned] if rule else []
    if rule and have:  # the tier sells what they already use (Business Premium's Intune): plays.json `tiers`
        tier = rule.instead.get(provider or "", rule.instead.get("other", tier))
        why = [_owned_variant(m, k, owned) for k in why] + [f"offer.why.has.{w}" for w in have]
    if gaps:  # the set-up service names only the gaps found, never the records already sound
        addons.append("dmarc_service")
    if level == "high" and tier not in ("premium", "defender") and category not in ("P5", "P6"):
        addons.append("defender")
    reasons = [m(k, gaps=gap_words, provider=provider_label(m, provider, lead.provider_name)) for k in why]
    if tier in ("premium", "standard") and provider == "self-hosted" and _runs_own_servers(lead):
        reasons.append(m("offer.why.seat_cap"))  # an Exchange or Lync server of their own: often past 300 users
    # protection first: said for a working set-up; for mail that bounces, offer.why.broken already puts it in
    if level in ("high", "medium") and category not in ("P5", "P6") and provider != "broken":
        # a tier without Defender (Business Standard): the protection in the first offer is the set-up service
        key = (
            "offer.why.risk_setup"
            if tier not in ("premium", "defender") and "dmarc_service" in addons
            else "offer.why.risk"
        )
        reasons.append(m(key, level=m(f"risk.{level}")))
    lines = [m("offer.line", tier=m(f"offer.{tier}"))]
    if clouds := national_clouds(lead):  # sold through that cloud's own channel, not the worldwide price list
        national = m("offer.national", clouds=_names(m, [m.label("cloud", c) for c in clouds]))
        lines = [national, m("offer.line_indicative", tier=m(f"offer.{tier}"))]
    if addons:
        words = [m("offer.gap_service", gaps=gap_words) if a == "dmarc_service" else m(f"offer.{a}") for a in addons]
        lines.append(m("offer.addons", addons=", ".join(words)))
    catalog = plays_catalog()
    chosen = set(t.sells) if (t := catalog.tier(tier)) else set()
    sells = {r.id: set(r.sells) for r in catalog.plays}
    # a play the suggested licence already includes (Intune in Business Premium) is not offered twice
    extra = [p for p in plays if not (chosen and sells.get(p.id) and sells[p.id] <= chosen)]
    # the mail move (Exchange on a server of their own to Exchange Online) is the mail offer, never "beyond
    # mail": said by the migration add-on when the offer has one, else once as the mail play (trial 30)
    mail = [p for p in extra if moves_mail(p.id)]
    if mail and "migration" not in addons:
        lines.append(m("offer.plays_mail", offers="; ".join(p.offer_inline or p.offer for p in mail)))
    if beyond := [p for p in extra if not moves_mail(p.id)]:
        lines.append(m("offer.plays", offers="; ".join(p.offer_inline or p.offer for p in beyond)))
    return Offer.model_construct(tier=tier, addons=addons, plays=[p.id for p in plays], lines=lines + reasons)


# the checks whose last good values the store keeps when a scan fails them (store/writer.py CARRIED_FIELDS)
CARRIED_CHECKS = frozenset({"txt", "spf", "dmarc", "dkim"})


def _stale_checks(lead: Lead, rules: Rules) -> set[str]:
    """The failed checks the brief reads from the last scan that could look them up: a partial scan
    that failed only lookups whose last good values the store carried forward (``store.carry_forward``),
    and kept the lead's last score with them, as ``hunter leads`` shows it (docs/database.md: a good result
    is never overwritten with an empty one). Empty otherwise: the brief then says "not scored yet"."""
    failed = lead.failed_checks & set(rules.model.unscored_checks)
    if lead.status != "partial" or lead.score is None or not failed or not failed <= CARRIED_CHECKS:
        return set()
    return failed


def _last_good_scan(history: Sequence[dict], checks: set[str]) -> str | None:
    """When the newest scan in ``history`` (oldest first) that looked up every one of ``checks`` ran."""
    for h in reversed(history):
        if h.get("status") in ("ok", "partial") and not {e.get("check") for e in h.get("errors") or []} & checks:
            return h.get("scanned_at")
    return None


def left_microsoft(lead: Lead, events: Sequence[dict]) -> dict | None:
    """The newest stored ``provider_changed`` event (``events`` newest first, docs/database.md) that took their
    mail away from Microsoft 365, when no later one brought it back: a win-back, told as one in the one-liner,
    talking points, questions, next step and offer. None when the mail never left Microsoft 365 (among the
    events read), came back, or now bounces or is gone (``broken``, ``none``: fixing comes first)."""
    if lead.state != "active" or lead.provider in (None, "m365", "broken", "none", "unknown"):
        return None
    for e in events:
        if e.get("kind") != "provider_changed":
            continue
        if e.get("new") == "m365":  # back at Microsoft 365 since (or never left): no win-back
            return None
        if e.get("old") == "m365":
            return e
    return None


def _variant(m: Messages, key: str, suffix: str) -> str:
    """``key`` + ``suffix`` when the message files have that variant, else ``key``."""
    return key + suffix if suffix and m.has(key + suffix) else key


def _nxdomain_kind(lead: Lead, reg: dict | None, today: date) -> str:
    """How the registry explains a domain DNS does not know (NXDOMAIN): ``_registered`` (the registry
    holds it and it has not expired: no name servers in use, or on hold), ``_expired`` (its registration
    ran out), ``_tenant`` (no registration data, but a Microsoft tenant claimed it when it was in DNS: no
    typo, so never "check the spelling"), or "" (no registration data, or the registry has no record: it
    does not exist). "" for a
    domain DNS knows. The registry is asked beside DNS (prep): the brief must not call a domain that the
    registry holds nonexistent."""
    if lead.state != "nxdomain":
        return ""
    if not reg or reg.get("status") == "unavailable" or not reg.get("expires"):
        # no registry to ask; a tenant seen on it before says it is no typo: the company's domain went away
        return "_tenant" if lead.tenant is not None else ""
    try:
        days = (date.fromisoformat(reg["expires"]) - today).days
    except ValueError:
        return ""
    return "_expired" if days < 0 else "_registered"


def _registration_lines(m: Messages, reg: dict | None, today: date, domain: str, nxdomain: bool = False) -> list[str]:
    if not reg:
        return [m("reg.unknown")]
    if reg.get("status") == "failed" and not reg.get("expires"):  # tried and failed: not "yet" (leads show agrees)
        kind = str((reg.get("error") or {}).get("kind") or "")
        return [
            m("reg.failed", why=m(f"show.reg_kind.{kind}"))
            if m.has(f"show.reg_kind.{kind}")
            else m("reg.failed_unknown")
        ]
    if reg.get("status") == "unavailable":
        note = reg.get("note") or ""
        if note.startswith("not found"):
            return [m("reg.not_found")]
        if note.startswith("no RDAP or WHOIS service"):
            return [m("reg.no_service", tld=domain.rsplit(".", 1)[-1])]
        return [m("reg.unavailable")]
    expires = reg.get("expires")
    if not expires:
        return [m("reg.unknown")]
    days = (date.fromisoformat(expires) - today).days
    day = _day(expires)
    if days < 0:  # gone from DNS as well: the expiry is why
        return [m("reg.expired_nxdomain" if nxdomain else "reg.expired", date=day)]
    line = (
        m("reg.line", registrar=reg["registrar"], date=day)
        if reg.get("registrar")
        else m("reg.line_no_registrar", date=day)
    )
    lines = [line]
    if days == 0:
        lines.append(m("reg.soon_today"))
    elif days == 1:
        lines.append(m("reg.soon_one"))
    elif days <= EXPIRY_SOON_DAYS:
        lines.append(m("reg.soon", days=days))
    return lines


def _changes(
    m: Messages, events: Sequence[dict], total: int, history: list[dict], lead: Lead
) -> tuple[list[Change], str | None]:
    """The latest change events (``events`` rows, newest first), each on a dated line, and a note:
    how many earlier ones are left out of ``total``; or, with none stored, that this is the first good
    scan or that no change was seen since ``history``'s first good scan."""
    shown = [
        Change.model_construct(
            occurred_at=e["occurred_at"],
            kind=e["kind"],
            old=e.get("old"),
            new=e.get("new"),
            text=m(
                "change.line",
                date=_day(e["occurred_at"]),
                text=event_text(m, e["kind"], e.get("old"), e.get("new"), e.get("detail")),
            ),
        )
        for e in events[:CHANGES_SHOWN]
    ]
    if shown:
        earlier = max(total, len(events)) - len(shown)
        if earlier == 1:
            return shown, m("change.more_one", domain=lead.domain)
        return shown, (m("change.more", n=earlier, domain=lead.domain) if earlier > 0 else None)
    good = [h for h in history if h.get("status") in ("ok", "partial")]
    if len(good) < 2:
        return [], m("change.first", first=_day(good[0]["scanned_at"] if good else lead.scanned_at))
    # No count of scans: `hunter db prune` thins the history out, and the brief must say the same after it
    # (the first good scan and the events, which this line rests on, are never pruned).
    return [], m("change.none", first=_day(good[0]["scanned_at"]))


def compose(
    view: Lead | dict,
    *,
    lang: str = "en",
    history: Sequence[dict] = (),
    events: Sequence[dict] = (),
    events_total: int = 0,
    provider_events: Sequence[dict] | None = None,
    registration: dict | None = None,
    company: str | None = None,
    today: date,
    rules: Rules | None = None,
    referrals: Sequence[dict] = (),
    notes: Sequence[str | dict] = (),
    cosell: bool = False,
    crm: dict | None = None,
    tenant_asked: str | None = None,
) -> Brief:
    """The brief for one domain from its lead view (a result's JSON form is built into one).

    ``tenant_asked``: when the sign-in service gave the tenant answer the scan reused from the day's cache
    (ISO time, store.tenant_asked_at); None when the scan asked itself.

    ``history`` is the domain's scans oldest first (store.history); ``events`` its latest change
    events newest first and ``events_total`` how many it has in all (store.events_of);
    ``provider_events`` all its ``provider_changed`` events newest first (None: read them from ``events``).
    """
    from ..domains import to_unicode

    m = Messages(lang)
    rules = rules or load_rules()
    lead = as_lead(view)
    domain = lead.domain
    stale = _stale_checks(lead, rules)
    latest_scan = lead.scanned_at
    if stale:  # the brief reads the carried values as the last known ones, as the lead list does
        lead = replaced(lead, errors=[e for e in lead.errors if e.check not in stale])
    provider = provider_label(m, lead.provider, lead.provider_name)
    facts = facts_from(lead, rules, cosell)
    outcome = evaluate(facts, rules) if facts is not None else None
    level, factors = security_risk(lead)
    category = outcome.category if outcome else None
    tenant = lead.tenant
    nx = nx_suffix(lead, registration, today)  # a domain DNS does not know, as the registry explains it
    doubt = evidence_doubt(lead)  # what one section calls unconfirmed is unconfirmed in every section
    winback = left_microsoft(lead, events if provider_events is None else provider_events)
    # the footprint as the lists state it (lead/footprint.py): the plays, what they already use and the
    # offer read it, never the raw one (a leftover include is no Exchange Online in use, records no
    # tenant confirms put no workload in use, nor make one missing)
    owned = online_workloads(listed_footprint(lead, doubt))
    plays = lead_plays(lead, m.lang, doubt) if lead.state == "active" and category != "P6" else []
    offer = _offer(m, lead, category, level, factors, plays, nx, doubt, winback=winback is not None, owned=owned)
    brief = construct(  # every value made here: built without Brief's validator (hunter_cli/trusted.py)
        Brief,
        dict(
            domain=domain,
            domain_unicode=to_unicode(domain),
            company=company,
            lang=lang,
            generated_on=today.isoformat(),
            scanned_at=lead.scanned_at,
            status=lead.status,
            provider=lead.provider,
            gateway=lead.gateway,
            tenant=plain(tenant) if tenant else None,
            risk=level,
            state=lead.state,
            one_liner="",
        ),
    )
    if outcome is None:
        failed = sorted(lead.failed_checks) or ["mx"]
        checks = _names(m, [m.label("check", c) for c in failed])
        brief.one_liner = m("one_liner.unscored", checks=checks, domain=domain)
        brief.priority = [m("prio.unscored")]
        brief.next_step = m("next.unscored", domain=domain)
    else:
        brief.score, brief.segment, brief.category = outcome.score, outcome.segment, outcome.category
        brief.category_label = m(f"label.{category}")
        brief.follow_up = follow_up(m, rules, outcome.category)
        variant = category
        protected = level == "low"  # one judgement for the summary, talking points and offer
        rule = outcome.category_rule
        if winback is not None and category != "P6":
            # they left Microsoft 365 for another provider: ask why, what they miss; a tenant left behind
            # (their sign-ins may still live there) does not make it a first sale
            variant = "winback"
        elif category == "P2" and tenant and rule.startswith("tenant_cross_sell"):
            variant = "P2_tenant"
        elif lead.provider == "m365" and category != "P6":
            # A Microsoft 365 customer is told as one, whatever boost moved the category; the words
            # about protection follow the risk level, as the offer does.
            if rule.startswith("renewal"):
                variant = ("P3_protected" if "+onprem_migration" in rule else "P4") if protected else "P4_gaps"
            elif rule.startswith("weak_partner"):
                variant = "P3" if not protected else "P4"
        elif lead.provider == "broken" and category != "P6":
            # mail bounces (or, to an MX written as an address, is refused): fix it first, whatever the label says
            variant = "P1_mx_ip" if mx_ip_literals(lead) else "P1_broken"
        elif category == "P1" and _uses_microsoft(lead):
            variant = "P1_microsoft"  # a tenant or Exchange Online already: not a greenfield
        elif category == "P6" and lead.state != "nxdomain" and lead.provider == "none" and tenant is not None:
            variant = "P6_tenant_domain"  # no mail here, but a tenant holds the domain: its company is the lead
        elif category == "P6" and lead.state != "active":
            variant = _variant(m, f"one_liner.P6_{lead.state}", nx).removeprefix("one_liner.")
        elif category == "P6" and lead.provider == "none":
            variant = "P6_no_mail"
        one_key = _tenant_variant(m, _hedged(m, f"one_liner.{variant}", doubt), lead)
        if variant == "P6_no_mail":  # no MX at all: most likely no mail, as the mail section says
            one_key = _variant(m, one_key, nx)
        brief.one_liner = m(
            one_key,
            brand=(tenant.brand if tenant else None) or domain,
            provider=provider,
            window=brief.follow_up,
            date=_day(winback["occurred_at"]) if winback else "?",
        )
        reasons = _reason_lines(m, outcome, provider, nx, domain, spf_shortfall(lead))
        brief.priority = [
            *priority_lines(m, outcome.category, outcome.category_rule, outcome.segment, outcome.score, doubt),
            m("prio.reasons", reasons="; ".join(reasons)),
        ]
        talk_key = _owned_variant(m, f"talk.{variant}" if m.has(f"talk.{variant}") else f"talk.{category}", owned)
        talk_key = _said_variant(m, _hedged(m, talk_key, doubt), lead.provider)
        brief.talking_points = m(talk_key, provider=provider, brand=(tenant.brand if tenant else None) or domain)
        if (clouds := national_clouds(lead)) and category != "P6":
            # sold and supported through that cloud's own channel: no promise of partner work there (the offer
            # says the same)
            names = _names(m, [m.label("cloud", c) for c in clouds])
            brief.talking_points = m("talk.national", clouds=names)
        if category not in ("P6",):
            if level in ("high", "medium"):
                brief.talking_points.append(m(f"talk.risk_{level}", domain=domain))
            if (why := own_mail_fails_dmarc(lead)) in ("no_spf", "spf_broken"):  # certain: their mail bounces
                policy = m.label("dmarc.policy", lead.dmarc_policy)
                fate = m(f"dmarc.fate.{lead.dmarc_policy}")
                testing = ".testing" if _testing_selectors(lead) else ""  # as the security line says it
                brief.talking_points.append(m(f"talk.own_mail_fails_dmarc.{why}{testing}", policy=policy, fate=fate))
            gateway = _gateway_name(lead)
            if gateway and lead.provider != "m365":
                brief.talking_points.append(m("talk.gateway", gateway=gateway))
            elif gateway:  # Microsoft 365 behind a gateway they pay for: Defender is sold as its successor
                brief.talking_points.append(m(_hedged(m, "talk.gateway_m365", doubt), gateway=gateway))
            # the mail move is pitched by the points above when the offer carries it (its migration add-on):
            # its play's pitch would say it again (trial 30)
            moving = "migration" in offer.addons
            for play in [p for p in plays if not (moving and moves_mail(p.id))][:TOP_PLAY_TALKS]:
                brief.talking_points.append(play.pitch or play.reason)  # said to the customer, like the points above
            q_key = f"q.{variant}" if m.has(f"q.{variant}") else f"q.{category}"
            q_key = _said_variant(m, _hedged(m, _owned_variant(m, q_key, owned), doubt), lead.provider)
            if lead.provider == "self-hosted":  # their own server: no "hosting company" to ask about
                q_key = _variant(m, q_key, ".own_server")
            brief.questions = m(q_key, provider=provider) + m("q.common")
        next_key = f"next.{variant}" if m.has(f"next.{variant}") else f"next.{category}"
        brief.next_step = m(next_key, window=brief.follow_up, brand=(tenant.brand if tenant else None) or domain)
    brief.mail = _mail_lines(m, lead, provider, nx, doubt, tenant_asked)
    if (  # after its line; a scan whose own lookup failed reused nothing (the kept answer is said above)
        tenant_asked
        and ("tenant" in lead.carried or _cached_answer_matters(lead))
        and lead.tenant_known
        and "tenant" not in lead.failed_checks
        and (lead.tenant or not lead.dkim.tenant_domain)
    ):
        # a scan run with --no-tenant asked nobody and read no cache: the answer is the one an earlier scan
        # got, carried forward (store.carry_forward), not one "kept for a day"
        key = "mail.tenant_carried" if "tenant" in lead.carried else "mail.tenant_asked"
        brief.mail.append(m(key, when=_when(tenant_asked), domain=domain))
    last = history[-1] if history else None
    last_failed = last is not None and last.get("status") == "failed"
    if stale and outcome is not None:  # said first, where the rep reads what the records say
        checks = _names(m, [m.label("check", c) for c in sorted(stale)])
        good, latest = _day(_last_good_scan(history, stale)), _day(latest_scan)
        if good == latest:  # one day named twice says nothing: the two scans by their times
            good, latest = _when(_last_good_scan(history, stale)), _when(latest_scan)
        if last_failed:  # the scan shown is not the latest attempt: named by its time, never "the latest scan"
            shown = _when(latest_scan)
            brief.mail.insert(0, m("mail.stale_earlier", scan=shown, checks=checks, good=good))
            brief.priority.insert(0, m("prio.stale_earlier", scan=shown, checks=checks, good=good))
        else:
            brief.mail.insert(0, m("mail.stale", latest=latest, checks=checks, good=good, domain=domain))
            brief.priority.insert(0, m("prio.stale", latest=latest, checks=checks, good=good))
    if last_failed:
        # the latest attempt failed and the store kept the last good result (docs/database.md): said first, the
        # one bullet about the latest attempt; both scans by date and time, which a day alone would run together
        assert last is not None
        why = in_lang(failure_words(last.get("errors") or []), m.lang)
        said = m("mail.latest_failed", latest=_when(last.get("scanned_at")), why=why, good=_when(latest_scan))
        brief.mail.insert(0, f"{said} {m('mail.rescan', domain=domain)}")
    brief.security = _security_lines(m, lead, level, nx, doubt)
    brief.risk_text = risk_text(m, lead, level, nx) if level else None
    brief.microsoft = _microsoft_lines(m, lead, doubt)
    brief.plays = plays
    brief.services = _service_lines(m, lead, plays, offering=category not in (None, "P6"), doubt=doubt)
    brief.offer = offer
    brief.registration = _registration_lines(m, registration, today, domain, nxdomain=lead.state == "nxdomain")
    brief.expires = (registration or {}).get("expires")
    brief.changes, brief.changes_note = _changes(m, events, events_total, list(history), lead)
    brief.changes_total = max(events_total, len(events))
    brief.referrals = _referral_lines(m, list(referrals))
    brief.crm = crm_lines(m, crm)
    brief.notes = [n if isinstance(n, str) else note_line(m, n) for n in notes]
    return brief
