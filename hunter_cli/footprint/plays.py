"""Microsoft plays chosen from what a scan observed, with plain reasons in English and Turkish.

Pure: a :class:`~hunter_cli.footprint.microsoft.MicrosoftFootprint`, the
``services`` list and the tenant facts go in; plays come out in the order of
``hunter_cli/catalog/plays.json``. A play is chosen only on observed evidence and
lists that evidence; an ``unknown`` workload (a failed lookup) never triggers a
"missing" play.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..modelbase import BaseModel, ConfigDict, Field
from .microsoft import MicrosoftFootprint
from .schema import Lang, PlayRule, PlaysCatalog, plays_catalog
from .services import FoundService, identity_service_for


class _Model(BaseModel):
    # the validator is built at the first validation or dump, not at import (hunter_cli/trusted.py)
    model_config = ConfigDict(defer_build=True)


class TenantFacts(_Model):
    """What the sign-in endpoints told about the domain's Microsoft tenant (docs/tenant.md)."""

    has_tenant: bool = False
    namespace_type: str | None = None  # Managed, Federated or Unknown (getuserrealm)
    federation_host: str | None = None  # identity provider host of a federated domain

    @classmethod
    def from_tenant(cls, tenant: Any) -> TenantFacts:
        """From a ``TenantInfo`` (or its JSON dict); ``None`` means no tenant was found."""
        if tenant is None:
            return cls.model_construct()
        get = tenant.get if isinstance(tenant, Mapping) else lambda k: getattr(tenant, k, None)
        # plain values from a validated tenant: built without a validator (hunter_cli/trusted.py)
        return cls.model_construct(
            has_tenant=True, namespace_type=get("namespace_type"), federation_host=get("federation_host")
        )


class Play(_Model):
    """One thing to offer, why, and the observed evidence it rests on."""

    id: str
    offer: str  # the title
    reason: str  # why, for the rep
    evidence: list[str] = Field(default_factory=list)
    offer_inline: str = ""  # the title inside a sentence ("moving sign-in from AD FS to Entra ID")
    pitch: str = ""  # the talking point, said to the customer
    fact: str = ""  # what was observed, without the offer (plays.json ``fact``): said where the offer is elsewhere


_AND = {"en": " and ", "tr": " ve "}


def _join(names: Sequence[str], lang: Lang) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + _AND[lang] + names[-1]


def online_workloads(microsoft: MicrosoftFootprint | None) -> set[str]:
    """The ids of the workloads the footprint reports ``online`` (a record points at Microsoft's cloud):
    what the customer already uses, so nothing to sell them (docs/footprint.md, "Plays")."""
    if microsoft is None:
        return set()
    return {wid for wid, w in microsoft.workloads.items() if w.state == "online"}


def _match(
    rule: PlayRule,
    microsoft: MicrosoftFootprint | None,
    services: Sequence[FoundService],
    tenant: TenantFacts,
    provider: str | None = None,
    receivers: Collection[str] = (),
    online: set[str] | None = None,
) -> tuple[dict[str, str], list[str]] | None:
    """Template values and evidence when the rule's condition is observed, else None. ``online``:
    :func:`online_workloads` of ``microsoft``, when the caller has it (computed once for every rule)."""
    when = rule.when
    if online is None:
        online = online_workloads(microsoft)
    if when.unless_provider and ({provider, *receivers} & set(when.unless_provider)):
        return None
    if online & set(rule.sells):  # they already have what the play sells
        return None
    if when.with_online and not set(when.with_online) <= online:
        return None
    if when.services_any is not None:
        hits = [s for s in services if s.id in when.services_any]
        if when.found_by is not None:
            hits = [s for s in hits if any(kind in when.found_by for kind, _ in s.found)]
        if not hits:
            return None
        evidence = [f"{s.name}: {e}" for s in hits for e in s.evidence]
        return {"services": "\x00".join(s.name for s in hits)}, evidence
    if when.workload is not None:
        if microsoft is None or when.workload not in microsoft.workloads:
            return None
        w = microsoft.workloads[when.workload]
        if w.state not in (when.states or []):
            return None
        return {"evidence": "; ".join(w.own_hosts or w.evidence), "\x00state": w.state}, list(w.evidence)
    if when.tenant_without is not None:
        if not tenant.has_tenant or microsoft is None or when.tenant_without not in microsoft.workloads:
            return None
        if microsoft.lacks(when.tenant_without) is not True:
            return None
        w = microsoft.workloads[when.tenant_without]
        return {}, ["a Microsoft tenant exists for the domain", *w.evidence]
    if when.federated_own_server:
        host = tenant.federation_host
        if not tenant.has_tenant or (tenant.namespace_type or "").lower() != "federated" or not host:
            return None
        if identity_service_for(host) is not None:
            return None  # Okta, Duo, ...: the services plays speak to that
        return {"host": host}, [
            f"the tenant's namespace type is Federated and sign-in goes to {host}",
            f"{host} belongs to no identity service Hunter knows",
        ]
    return None


def choose_plays(
    microsoft: MicrosoftFootprint | None,
    services: Sequence[FoundService],
    tenant: TenantFacts | None = None,
    *,
    lang: Lang = "en",
    provider: str | None = None,
    receivers: Collection[str] = (),
    catalog: PlaysCatalog | None = None,
) -> list[Play]:
    """The plays the observed evidence supports, in catalog order, worded in ``lang`` (en, tr).

    ``microsoft`` may be None when the footprint was not asked (``--quick``); then no
    workload play is chosen. ``tenant`` None means no tenant facts (no tenant found).
    ``provider`` is the mail provider's id: a play whose ``unless_provider`` names it is
    left out (Google Workspace is the main offer's business when the mailboxes are there), and so is one
    whose ``unless_provider`` names a provider in ``receivers``, the ids of the providers an MX host
    names (a backup, or one of equal preference): part of their mail arrives there today.
    """
    cat = catalog or plays_catalog()
    facts = tenant or TenantFacts.model_construct()
    online = online_workloads(microsoft)
    plays: list[Play] = []
    for rule in cat.plays:
        hit = _match(rule, microsoft, services, facts, provider, receivers, online)
        if hit is None:
            continue
        values, evidence = hit
        many = False
        if "services" in values:
            names = values["services"].split("\x00")
            many = len(names) > 1
            values["services"] = _join(names, lang)
        reason = rule.reason_many if many and rule.reason_many else rule.reason
        pitch = rule.pitch_many if many and rule.pitch_many else rule.pitch
        fact = rule.fact
        if values.pop("\x00state", None) == "hybrid":  # part already online: finish the move, not start it
            reason, pitch = rule.reason_hybrid or reason, rule.pitch_hybrid or pitch
            fact = rule.fact_hybrid or fact
        if provider is not None and provider != "m365" and rule.pitch_mail_elsewhere:
            pitch = rule.pitch_mail_elsewhere  # their mail is not in the tenant: no "as your mail"
        offer = getattr(rule.offer, lang)
        play = Play.model_construct(  # strings and a list of strings: nothing to validate
            id=rule.id,
            offer=offer,
            reason=getattr(reason, lang).format(**values),
            evidence=evidence,
            offer_inline=getattr(rule.offer_inline, lang) if rule.offer_inline else offer,
            pitch=getattr(pitch, lang).format(**values),
            fact=getattr(fact, lang).format(**values) if fact else "",
        )
        plays.append(play)
    return plays
