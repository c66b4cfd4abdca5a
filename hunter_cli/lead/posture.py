"""Judgements about a stored result that several features share: the spoofing risk
level, the automatic tags and the change events between two scans. Pure functions over the lead view
(:class:`hunter_cli.lead.Lead`; a result's JSON form is built into one)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from .. import facts
from ..domains import organizational_domain
from .view import Lead, as_lead

EXPIRY_SOON_DAYS = 30


def security_risk(view: Lead | Mapping[str, Any]) -> tuple[str | None, dict]:
    """(level, factors). Unenforced DMARC leaves the domain spoofable: at least medium;
    with SPF or DKIM missing too, high. SPF open to any server is high whatever DMARC says: a forger
    passes SPF aligned with the From: domain, and so DMARC (RFC 7489 4.2). An enforced ``p=`` with
    ``sp=none`` leaves every subdomain spoofable (RFC 7489 6.3): medium. None when a needed lookup failed,
    or when the DKIM lookups failed with no key known and the level depends on whether there is one.

    ``"none"`` for a domain that does not exist or is parked (see
    :func:`hunter_cli.facts.domain_state`): no risk to sell on, since it takes no mail; factors then
    hold only ``state``. "None" is no claim that nobody can forge a parked domain's name: a null MX
    and SPF ``-all`` speak for the envelope sender only (RFC 7505 4.2, RFC 7208 8.4), and only DMARC
    ``p=reject`` makes receivers refuse mail showing it in the From: line (:func:`parked_gaps`).
    """
    lead = as_lead(view)
    if lead.state != "active":
        return "none", {"state": lead.state}
    if lead.failed_checks & {"txt", "spf", "dmarc"}:
        return None, {}
    spf, dmarc = lead.spf, lead.dmarc
    shortfall = spf_shortfall(lead)
    f = {
        # missing, broken, open to anyone, neutral, or not listing the provider that sends their mail
        "spf": shortfall is not None,
        # open to any server: a forger's own envelope sender passes SPF aligned with the From: domain, so
        # DMARC passes whatever its policy (RFC 7489 4.2, 3.1.2)
        "spf_open": shortfall == "spf_open",
        "dkim": not lead.has_dkim,
        "dmarc": lead.dmarc_policy in (None, "none"),
        # pct=0 is no partial policy: the next weaker one (the effective policy by then) applies to all mail
        "partial": lead.dmarc_policy in ("quarantine", "reject") and ((dmarc.pct if dmarc else 100) or 100) < 100,
        # over the limit by a loop: the loop is the fault, and no flattening fixes it
        "lookups": bool(spf and spf.lookup_limit_exceeded)
        and not any(e.code == "spf-include-loop" for e in (spf.errors if spf else [])),
        # p= enforced but sp=none: mail in any subdomain's name is delivered (RFC 7489 6.3, 6.6.3)
        "subdomains": lead.dmarc_policy in ("quarantine", "reject")
        and bool(dmarc and dmarc.subdomain_policy == "none"),
    }
    if "dkim" not in lead.unknown:
        return _risk_level(f), f
    # the DKIM lookups failed and no scan has read them: a level only when it is the same with a key or without
    # one, and then no "DKIM missing" among its factors (a failed lookup is no "no key", RFC 6376 6.1.2)
    f["dkim"] = False
    level = _risk_level(f)
    return (level, f) if level == _risk_level({**f, "dkim": True}) else (None, {})


def _risk_level(f: Mapping[str, bool]) -> str:
    if (f["dmarc"] and (f["spf"] or f["dkim"])) or f["spf_open"]:
        return "high"
    if any(f.values()):
        return "medium"
    return "low"


def spf_shortfall(view: Lead | Mapping[str, Any]) -> str | None:
    """Why their SPF does not protect their mail, as the score item's shown code; None when it does.
    ``no_spf``: no record, or a broken one (RFC 7208 4.5, 4.6: ``none`` or ``permerror``); ``spf_open``:
    ``+all`` or a term that lets any server pass (:func:`spf_open_terms`; 5.1, 5.6, 5.7); ``spf_neutral``:
    ``?all`` or no ``all`` at all, which receivers treat as no record (8.2); ``spf_omits_provider``: a
    record that leaves out the servers of their own mail provider (:func:`spf_omits_provider`). One reading
    for the spoofing risk (:func:`security_risk`), the score's SPF fact (``scoring.facts_from``) and the
    words of its points (``brief.compose.shown_code``)."""
    lead = as_lead(view)
    if lead.spf_result != "valid":
        return "no_spf"
    if lead.spf_all == "+all" or spf_open_terms(lead):
        return "spf_open"
    if spf_neutral(lead):
        return "spf_neutral"
    if spf_omits_provider(lead) is not None:
        return "spf_omits_provider"
    return None


def own_mail_fails_dmarc(view: Lead | Mapping[str, Any]) -> str | None:
    """Why their own legitimate mail cannot pass DMARC while DMARC is enforced (``p=quarantine`` or
    ``reject``), so receivers that honour the policy quarantine or refuse it: DMARC passes only on an aligned
    SPF ``pass`` or DKIM signature (RFC 7489 4.2, 6.6.2), and no usable DKIM key was found at the selectors
    asked. ``no_spf``: no SPF record, or one receivers discard (RFC 7208 4.5); ``spf_broken``: a ``permerror``
    record, a pass for nobody (RFC 7208 2.6.7); both are certain. ``unlisted``: a valid record that protects
    their mail (:func:`spf_shortfall` None): only mail from a server it does not list fails, which Hunter
    cannot see, so it is said as a condition. None otherwise, and whenever a TXT, SPF, DMARC or DKIM lookup
    failed (then nothing is certain: a key may stand behind the failed selector)."""
    lead = as_lead(view)
    enforced = lead.dmarc_policy in ("quarantine", "reject")
    if not enforced or lead.failed_checks & {"txt", "spf", "dmarc", "dkim"} or lead.dkim_state == "key":
        return None
    if lead.spf is None:
        return "no_spf"
    if lead.spf_result == "permerror":
        return "spf_broken"
    if lead.spf_result == "valid" and (spf_shortfall(lead) is None or spf_passes_nobody(lead)):
        return "unlisted"
    return None


def spf_passes_nobody(view: Lead | Mapping[str, Any]) -> bool:
    """Whether their valid SPF record lets no sender pass: no redirect, and every mechanism (the closing
    ``all`` too) carries ``-``, ``~`` or ``?``, so whatever matches first, the result is no pass (RFC 7208
    4.6.2): ``v=spf1 -all``, ``v=spf1 ?all``, ``v=spf1 -include:x -all``."""
    from ..dns import spf as spf_mod

    lead = as_lead(view)
    spf = lead.spf
    if spf is None or lead.spf_result != "valid" or spf.redirect or not spf.record:
        return False
    return all(t.qualifier != "+" for t in spf_mod.parse(spf.record).mechanisms)  # the parser's reading, cached


def gateway_bypassed(view: Lead | Mapping[str, Any]) -> bool:
    """Whether mail can reach their mailbox host around their security gateway (RFC 5321 5.1): hosts of the
    same, lowest MX preference are the gateway and a mailbox provider (``mx-gateway-bypass``: senders pick among
    them at random), or a backup MX behind the gateway is no gateway (``mx-backup-elsewhere``: senders, and
    spammers on purpose, hand mail straight to it), so the gateway filters only part of the mail."""
    from ..catalog import mx_party

    lead = as_lead(view)
    if any(f.code == "mx-gateway-bypass" for f in lead.mx_warnings):
        return True
    if not lead.gateway:
        return False
    for f in lead.mx_warnings:
        if f.code == "mx-backup-elsewhere" and f.where:
            who = mx_party(lead.domain, f.where[0])
            if getattr(who, "kind", None) != "gateway":
                return True
    return False


def spf_open_terms(view: Lead | Mapping[str, Any]) -> list[str]:
    """The terms of their valid SPF record that let any server on the internet pass, besides a closing
    ``+all``: a ``/0`` network (``ip4:0.0.0.0/0``, ``ip6:::/0``, RFC 7208 5.6), an ``exists:`` whose name does
    not depend on the sender and has an address (5.7), an include of a record that passes every sender (5.2:
    the include always matches, as the term, ``include:<name>``), each only under a ``+`` qualifier (4.6.2:
    ``-include:`` of such a record fails everyone), and a term of the redirect target as ``redirect=<name>``.
    From the ``spf-pass-all`` warnings of the
    evaluation (hunter_cli/dns/spf_eval.py); empty when the record is not valid."""
    lead = as_lead(view)
    spf = lead.spf
    if spf is None or lead.spf_result != "valid":
        return []
    out: list[str] = []
    redirect = (spf.redirect or "").lower().rstrip(".")
    for w in spf.warnings:
        if w.code != "spf-pass-all":
            continue
        term = _QUOTED.match(w.message)
        own_all = term is not None and term[1].lstrip("+").lower() == "all"  # spf_all, said on its own
        if len(w.where) > 1 and w.where[1] != redirect:  # inside an include: stored before 2026-12-01
            out.append(f"include:{w.where[1]}")
        elif len(w.where) > 1 and not own_all:  # a term of the redirect target (RFC 7208 6.1)
            out.append(f"redirect={w.where[1]}")
        elif term and not own_all:
            out.append(term[1])
    return list(dict.fromkeys(out))


_QUOTED = re.compile(r"'([^']+)'")


def spf_open_families(view: Lead | Mapping[str, Any]) -> set[int]:
    """The address families (4, 6) whose every sender their valid SPF record lets pass: both for ``+all`` or an
    include of it, only the family a range opens (``mx/0`` with IPv4 hosts: {4}; RFC 7208 5.4, 5.6). Read from
    the ``spf-pass-all`` warnings as :func:`spf_open_terms` reads them; empty when the record is not open."""
    lead = as_lead(view)
    spf = lead.spf
    if spf is None or lead.spf_result != "valid":
        return set()
    out: set[int] = set()
    for w in spf.warnings:
        if w.code == "spf-pass-all":
            family = re.search(r"every IPv([46]) sender", w.message)
            out |= {int(family[1])} if family else {4, 6}
    if lead.spf_all == "+all" and not out:
        out |= {4, 6}
    return out


def spf_neutral(view: Lead | Mapping[str, Any]) -> bool:
    """Whether their valid SPF record leaves forged mail ``neutral``: it ends in ``?all``, or has neither an
    ``all`` nor a redirect (RFC 7208 4.7). Receivers treat neutral exactly like no SPF record (RFC 7208 8.2),
    so it protects nothing. A redirect whose target needs the sender (a macro) gives no verdict."""
    lead = as_lead(view)
    spf = lead.spf
    if spf is None or lead.spf_result != "valid":
        return False
    if lead.spf_all == "?all":
        return True
    return lead.spf_all is None and not spf.redirect


# SPF terms a sender can match besides include: and redirect= (RFC 7208 5): with any of them the record might
# authorize the provider's servers some other way, so no verdict is given
_OTHER_MECHANISMS = ("a", "mx", "ip4", "ip6", "ptr", "exists")


def spf_omits_provider(view: Lead | Mapping[str, Any]) -> str | None:
    """The name of their mailbox provider (a catalog entry with SPF includes: Microsoft 365, Google
    Workspace, ...) when their valid SPF record does not authorize it: mail they send through that provider
    then fails SPF at every receiver (RFC 7208 2.6: ``softfail`` or ``fail``, never ``pass``), so it can pass
    DMARC only through DKIM (RFC 7489 4.2). None when it does (an include or redirect target the catalog
    lists for the provider, or one under the registrable domain of the MX host that names the provider:
    :func:`provider_domains`), when there is no verdict to give (no valid
    SPF, ``+all``, a gateway that may relay their outgoing mail, a provider with no SPF include in the
    catalog) or when the record has a mechanism other than ``include:`` that might cover the provider."""
    from ..catalog import MAILBOX_IDS, is_provider, load_catalog

    lead = as_lead(view)
    spf = lead.spf
    if lead.state != "active" or lead.gateway or lead.provider not in MAILBOX_IDS or spf is None:
        return None
    if lead.provider == "hosting" and not lead.provider_name:  # which firm's servers would it name?
        return None
    if lead.spf_result != "valid" or lead.spf_all == "+all" or spf_open_terms(lead):
        return None
    for term in spf.terms:
        mechanism = term.lstrip("+-~?").split(":", 1)[0].split("/", 1)[0].lower()
        if mechanism in _OTHER_MECHANISMS:
            return None
    cat = load_catalog()
    provider, name = lead.provider, lead.provider_name
    if not any(is_provider(e, provider, name) for e in cat.spf.values()):  # no SPF include known for it
        return None
    targets = [t for t in spf.includes + ([spf.redirect] if spf.redirect else []) + spf.expanded if "%" not in t]
    if any(is_provider(cat.match_spf(t), provider, name) for t in targets):
        return None
    # an include the catalog does not list, under the registrable domain of the provider's own MX host
    # (Natro's spf.kurumsaleposta.com beside mx.kurumsaleposta.com), is the provider's own mail host family
    own = provider_domains(lead)
    if any(organizational_domain(t) in own for t in targets):
        return None
    return lead.provider_name or lead.provider


def provider_domains(view: Lead | Mapping[str, Any]) -> set[str]:
    """The registrable domains (RFC 7489 3.2 Organizational Domains: ``kurumsaleposta.com``) of the MX hosts
    that name their mailbox provider in the catalog (by the host's name or its alias' target); empty for an
    own server, an unknown host or a gateway. A firm's SPF include under one of them is the firm's own."""
    from ..catalog import is_provider, load_catalog

    lead = as_lead(view)
    cat = load_catalog()
    out: set[str] = set()
    for mx in lead.mx:
        entry, matched = cat.match_mx_host(mx.host, mx.canonical)
        if is_provider(entry, lead.provider, lead.provider_name):
            out.add(organizational_domain(matched))
    return out


PARKED_RECORDS = ("null_mx", "spf", "dmarc")  # M3AAWG, "Protecting Parked Domains Best Common Practices"


def parked_gaps(view: Lead | Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(missing, unknown): which of the records M3AAWG asks of a parked domain are not published, and
    which could not be checked (a failed lookup is never a missing record). Both empty for a domain
    that is not parked and takes mail (one with no MX at all, provider ``none``, is asked the same).

    M3AAWG's "Protecting Parked Domains Best Common Practices" (2015) asks a domain that sends and takes
    no mail for a null MX (``MX 0 .``, RFC 7505), SPF ``v=spf1 -all`` (nobody may send, RFC 7208 8.4)
    and DMARC ``p=reject`` (receivers refuse mail that shows the domain in its From: line, RFC 7489
    6.3): ``null_mx``, ``spf``, ``dmarc`` (``dmarc`` too when ``sp=`` leaves subdomains weaker).
    """
    from ..facts import is_parking_spf

    lead = as_lead(view)
    if lead.state != "parked" and not (lead.state == "active" and lead.provider == "none"):
        return [], []
    failed = lead.failed_checks
    missing: list[str] = []
    unknown: list[str] = []
    if lead.mx_state != "null":
        missing.append("null_mx")
    if {"txt", "spf"} & failed:
        unknown.append("spf")
    elif not is_parking_spf(lead.spf.record if lead.spf else None):
        missing.append("spf")
    sp = lead.dmarc.subdomain_policy if lead.dmarc else None
    if "dmarc" in failed:
        unknown.append("dmarc")
    elif lead.dmarc_policy != "reject" or sp not in (None, "reject"):
        missing.append("dmarc")
    return missing, unknown


def days_to_expiry(expires: str | None, today: date) -> int | None:
    if not expires:
        return None
    try:
        return (date.fromisoformat(expires[:10]) - today).days
    except ValueError:
        return None


# Every tag auto_tags can give; a rep's own tag may not take one of these names (`hunter tag`).
AUTO_TAGS = ("security-risk", "migration-ready", "expires-soon", "weak-dmarc", "gateway")


def user_tag_problem(tag: str) -> str | None:
    """Why ``tag`` (already lower case) cannot be a rep's own tag, or None when it can."""
    if tag in AUTO_TAGS:
        return f"{tag!r} is one of Hunter's automatic tags ({', '.join(AUTO_TAGS)}); choose another name"
    return None


def auto_tags(view: Lead | Mapping[str, Any], expires: str | None, today: date) -> list[str]:
    """Tags Hunter keeps by itself, recomputed on every scan (a rep's own tags are separate)."""
    lead = as_lead(view)
    tags: list[str] = []
    level, factors = security_risk(lead)
    if level == "high":
        tags.append("security-risk")
    if lead.segment == "Migration":
        tags.append("migration-ready")
    days = days_to_expiry(expires, today)
    if days is not None and 0 <= days <= EXPIRY_SOON_DAYS:
        tags.append("expires-soon")
    if factors.get("dmarc") or factors.get("partial"):
        tags.append("weak-dmarc")
    if lead.gateway:
        tags.append("gateway")
    return tags


def changes(
    old: dict, new: dict, *, old_tenant_known: bool = True, new_tenant_known: bool | None = None
) -> list[tuple[str, str | None, str | None]]:
    """Change events between two good views of a domain: (kind, old, new).

    Only facts both scans observed are compared; a failed check is carried
    forward in the store, so it never shows up as a change. ``old_tenant_known``
    False: the old view's "no tenant" was never observed (its lookup failed, or
    every scan so far ran with ``--no-tenant``), so a tenant in the new view is
    no ``tenant_appeared``, and a provider or category that differ because the
    tenant is now known (a mailbox behind a gateway deduced from it) are no
    change at the company either. ``new_tenant_known``: the same of the new view (None: not recorded).
    The footprint is compared as the lists state it (:func:`footprint_changes`).
    """
    out: list[tuple[str, str | None, str | None]] = []
    # a value no scan could read before (the first scan's lookup failed) that one reads now was there all
    # along: no "DMARC published", as the very first scan of a domain writes no event either
    unknown = facts.unknown_checks(old) | facts.unknown_checks(new)
    tenant_learned = not old_tenant_known and not old.get("tenant") and bool(new.get("tenant"))
    if _provider_moved(old, new) and "unknown" not in (old.get("provider"), new.get("provider")) and not tenant_learned:
        # two hosting firms share the id ``hosting``: a move from one to the other is a change too, told by
        # the firms' names (change_detail)
        out.append(("provider_changed", old.get("provider"), new.get("provider")))
    og, ng = old.get("gateway"), new.get("gateway")
    if og != ng:
        kind = "gateway_added" if not og else ("gateway_removed" if not ng else "gateway_changed")
        out.append((kind, og, ng))
    ot, nt = old.get("tenant"), new.get("tenant")
    if not ot and nt and not tenant_learned:
        out.append(("tenant_appeared", None, nt.get("id")))
    od, nd = old.get("dmarc") or {}, new.get("dmarc") or {}
    op, np_ = od.get("policy"), nd.get("policy")
    if "dmarc" not in unknown:
        if not od and nd:
            out.append(("dmarc_added", None, np_ or "invalid"))
        elif od and not nd:
            out.append(("dmarc_removed", op, None))
        elif op != np_:
            out.append(("dmarc_policy_changed", op, np_))
    os_, ns = (old.get("spf") or {}).get("record"), (new.get("spf") or {}).get("record")
    if os_ != ns and "txt" not in unknown:
        out.append(("spf_changed", os_, ns))
    oc, nc = old.get("category"), new.get("category")
    if oc != nc and oc and nc and old.get("rules") == new.get("rules") and not tenant_learned:
        # scored by other rules (or before views said which), the change may be the rules', not the company's
        out.append(("category_changed", oc, nc))
    ost, nst = old.get("state"), new.get("state")
    # parked is read from the SPF record too (facts.domain_state): not compared while it was not read
    if (
        ost and nst and ost != nst and not ("txt" in unknown and "parked" in (ost, nst))
    ):  # in use, parked (a null MX), gone from DNS: said even when the provider is not
        out.append(("state_changed", ost, nst))
    # the mail provider's own suite (Google Workspace for google) coming or going is the provider change, told
    # once: service events carry the service's name, the provider change the provider's id
    moved = any(kind == "provider_changed" for kind, _, _ in out)
    gone = _suite_names(old) if moved else set()
    came = _suite_names(new) if moved else set()
    for kind, o, n in footprint_changes(old, new, old_tenant_known=old_tenant_known, new_tenant_known=new_tenant_known):
        if kind in ("service_added", "service_removed") and "txt" in unknown:
            continue  # the verification tokens that name most services were not read on one side
        if (kind == "service_removed" and o in gone) or (kind == "service_added" and n in came):
            continue
        out.append((kind, o, n))
    return out


def _provider_moved(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the mail provider differs: another id, or two hosting firms (both ``hosting``) by name; a
    side whose firm has no name (a view stored without it) makes no change of a named one."""
    if old.get("provider") != new.get("provider"):
        return True
    a, b = _hosting_name(old), _hosting_name(new)
    return bool(a and b and a != b)


def _hosting_name(view: Mapping[str, Any]) -> str | None:
    """The hosting firm's name of a view whose provider is ``hosting``, else None."""
    return view.get("provider_name") or None if view.get("provider") == "hosting" else None


def _suite_names(view: Mapping[str, Any]) -> set[str]:
    """The names of the services in ``view`` that are its mail provider itself (``Google Workspace``)."""
    return {s.get("name") for s in view.get("services") or [] if s.get("id") == view.get("provider")}


def change_detail(
    kind: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_value: str | None = None,
    new_value: str | None = None,
) -> str | None:
    """What a DMARC event's policies stand for when one is not the policy as published, or which hosting
    firms a provider event's ``hosting`` stands for; else None.

    A ``provider_changed`` event records provider ids, and the hosting firms share one (``hosting``): its
    detail is JSON, ``{"name": [old, new]}``, the hosting firm's name of each side (null for a side that is
    not a named hosting firm), so the event can say ``Natro (shared hosting) → Microsoft 365``. Events
    stored without it still read with the plain words.

    A ``dmarc_*`` event records the effective policies (``dmarc.policy``), which can differ from the
    ``p=`` written: ``pct=0`` applies the next weaker policy (RFC 7489 6.6.4), an invalid ``p``/``sp``
    with a valid ``rua`` is applied as ``none`` and an invalid record applies none (RFC 7489 6.6.3).
    The detail is JSON, ``{"p": [old, new], "pct": [old, new]}``: the published ``p`` and the ``pct``
    of the two views (null for a side without a record), so the event can say what really changed
    (:func:`hunter_cli.brief.events.event_text`). Stored in ``events.detail``.

    An ``spf_changed`` event whose new side has no record in force but a look-alike that receivers discard
    (``spf_discarded``, RFC 7208 4.5: a tab after ``v=spf1``) has the detail ``{"discarded": code}``, so the
    event says the record became malformed, not that it was removed.

    A ``service_added`` / ``service_removed`` event (``old_value`` / ``new_value``: the event's service name)
    whose service is known on its side only by a domain verification token (services.json ``txt``: proof
    the domain was verified once, not that the service is used) has the detail ``{"by": "txt"}``, so the
    event says the verification record was added or removed, not "now uses".
    """
    import json

    if kind in ("service_added", "service_removed"):
        view, name = (new, new_value) if kind == "service_added" else (old, old_value)
        return json.dumps({"by": "txt"}, separators=(",", ":")) if _verified_only(view, name) else None

    if kind == "provider_changed":
        names = [_hosting_name(v) for v in (old, new)]
        return json.dumps({"name": names}, separators=(",", ":"), ensure_ascii=False) if any(names) else None
    if kind == "spf_changed":  # the record in force gone, but a look-alike receivers discard left in its place
        left = new.get("spf_discarded") or [] if not (new.get("spf") or {}).get("record") else []
        codes = [f.get("code") if isinstance(f, Mapping) else getattr(f, "code", None) for f in left]
        return json.dumps({"discarded": codes[0]}, separators=(",", ":")) if codes and codes[0] else None
    if not kind.startswith("dmarc_"):
        return None
    sides = [(v.get("dmarc") or {}) for v in (old, new)]
    if not any(d and d.get("published_policy") and d.get("policy") != d.get("published_policy") for d in sides):
        return None
    return json.dumps(
        {"p": [d.get("published_policy") for d in sides], "pct": [d.get("pct") if d else None for d in sides]},
        separators=(",", ":"),
    )


def _verified_only(view: Mapping[str, Any], name: str | None) -> bool:
    """Whether the service named ``name`` in ``view`` was found only by a verification token (every
    ``found`` pair of kind ``txt``; hunter_cli/footprint/services.py FoundService). A view stored without
    ``found`` says nothing: False."""
    for s in view.get("services") or []:
        if s.get("name") == name or s.get("id") == name:
            found = s.get("found") or []
            return bool(found) and all(f[0] == "txt" for f in found)
    return False


_PRESENT = frozenset({"online", "on_premises", "hybrid"})  # states in which the domain runs the workload
_NOT_COMPARED = frozenset({"unknown", "unconfirmed"})  # neither in use nor missing in the lists


def footprint_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    old_tenant_known: bool | None = None,
    new_tenant_known: bool | None = None,
) -> list[tuple[str, str | None, str | None]]:
    """Microsoft workloads and other services that appeared or went away between two good views, as the
    lists state them (:func:`hunter_cli.lead.footprint.listed`), never the raw records: Exchange Online named
    only by an SPF include left from before a move is absent on that side, a service named only by such an
    include is not in use, and a workload the lists leave unconfirmed (records no tenant stands behind, an MX
    that does not resolve) is not compared, like a failed lookup. So a leftover include on both sides is no
    change, and neither is a workload whose reading changed while its records did not.

    ``workload_added`` (absent or other -> online, on_premises or hybrid), ``workload_removed``
    (the reverse), ``workload_changed`` (between states, e.g. on_premises -> online: a
    migration happened), with old and new as ``"exchange: on_premises"`` (the states the lists give,
    :func:`hunter_cli.lead.footprint.listed_state`; never ``unconfirmed``);
    ``mail_security_changed``: MTA-STS, TLS reporting or BIMI between ``published``, ``invalid`` and ``absent``
    (``"mta-sts: absent"`` -> ``"mta-sts: published"``; RFC 8461, RFC 8460);
    ``service_added`` / ``service_removed`` with the service's name. A workload
    ``unknown`` on either side (a failed lookup) and views from scans that did not ask
    (no ``microsoft`` object, no ``services`` list) are never compared. ``old_tenant_known`` /
    ``new_tenant_known``: whether each view's "no tenant" was observed (False: the lookup failed or was not
    made, so records are not doubted for it; :func:`hunter_cli.lead.footprint.evidence_doubt`).
    """
    from .footprint import evidence_doubt, listed, listed_state

    out: list[tuple[str, str | None, str | None]] = []
    asked_ms = bool(old.get("microsoft")) and bool(new.get("microsoft"))
    asked_svc = "services" in old and "services" in new
    if not asked_ms and not asked_svc:
        return out
    # validated: the writer reads thousands of views, and a lead once the validator exists costs about 0.03 ms,
    # 15 times less than building it without (lead/view.py Lead.from_view)
    was = Lead.from_view(old, tenant_known=old_tenant_known)
    now = Lead.from_view(new, tenant_known=new_tenant_known)
    if asked_ms:
        assert was.microsoft is not None and now.microsoft is not None
        was_doubt, now_doubt = evidence_doubt(was), evidence_doubt(now)
        for wid in now.microsoft.workloads:
            if wid not in was.microsoft.workloads:
                continue
            a, b = listed_state(was, wid, was_doubt), listed_state(now, wid, now_doubt)
            if a == b or a in _NOT_COMPARED or b in _NOT_COMPARED:
                continue
            if a not in _PRESENT and b in _PRESENT:
                kind = "workload_added"
            elif a in _PRESENT and b not in _PRESENT:
                kind = "workload_removed"
            else:
                kind = "workload_changed"
            out.append((kind, f"{wid}: {a}", f"{wid}: {b}"))
        for sid, sec in now.microsoft.mail_security.items():
            prior = was.microsoft.mail_security.get(sid)
            if prior is None or prior.state == sec.state or "unknown" in (prior.state, sec.state):
                continue
            out.append(("mail_security_changed", f"{sid}: {prior.state}", f"{sid}: {sec.state}"))
    if asked_svc:
        names = {s.id: s.name or s.id for s in was.services} | {s.id: s.name or s.id for s in now.services}
        before, after = listed(was).services, listed(now).services
        out += [("service_added", None, names[i]) for i in after if i not in before]
        out += [("service_removed", names[i], None) for i in before if i not in after]
    return out
