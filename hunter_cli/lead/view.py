"""The lead view: one pydantic value per domain, built once, read by every feature.

A scan result travels as JSON (:class:`hunter_cli.models.DomainResult` dumped,
the store's ``current_json``); the store keeps more beside it (company, tags,
referrals, registration, Dynamics 365 status, the times of the last good and the
last attempted scan). :class:`Lead` puts both together and derives each verdict
once, through the definitions in :mod:`hunter_cli.facts`: scoring
(:func:`hunter_cli.scoring.facts_from`), the risk level and automatic tags
(:mod:`hunter_cli.lead.posture`), the lead list's columns, the scan table, ``leads
show``, ``explain``, the brief and the CRM facts all read these fields instead of
the JSON, so they cannot tell different stories about the same domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

from .. import facts
from ..facts import DkimState, DomainState, SpfResult
from ..footprint import FoundService, MicrosoftFootprint
from ..modelbase import BaseModel, ConfigDict, Field
from ..models import (
    DkimInfo,
    DmarcInfo,
    DomainResult,
    Finding,
    MxHost,
    Registration,
    ScanError,
    SpfInfo,
    Status,
    TenantInfo,
)
from .footprint import Listed

DmarcResult = Literal["valid", "invalid", "absent"]
DmarcPolicy = Literal["none", "quarantine", "reject"]
SpfVerdict = Literal["unknown", "valid", "permerror", "temperror", "none"]
DmarcVerdict = Literal["unknown", "absent", "invalid", "applied_none", "none", "quarantine", "reject"]
# hosts: MX hosts answer; null: "MX 0 ." (RFC 7505); none: no MX records; failed: the MX lookup failed
MxState = Literal["hosts", "null", "none", "failed"]

# Short cells of the scan table (and the CRM facts): key published / CNAME into the
# provider with no key behind it / nothing found.
DKIM_CELL: dict[str, str] = {"key": "yes", "delegated": "no key", "none": "-", "unknown": "?"}

# The fields of a result that the verdicts are computed from (a partial dump is enough).
_VERDICT_FIELDS = {
    "status",
    "provider",
    "errors",
    "spf",
    "dmarc",
    "dkim",
    "gateway",
    "tenant",
    "state",
    "null_mx",
    "mx",
    "carried",
}


def _dmarc_result(dmarc: Mapping[str, Any] | None) -> DmarcResult:
    """``absent`` (no record), ``invalid`` (RFC 7489 6.6.3: receivers discard the record or a
    tag of it; see :attr:`Lead.dmarc_policy` for what is then applied) or ``valid``.
    Results stored before ``result`` existed carry only ``valid``."""
    if not dmarc:
        return "absent"
    result = dmarc.get("result")
    if result is None:
        return "valid" if dmarc.get("valid", True) else "invalid"
    return "invalid" if result == "invalid" else "valid"


def _mx_state(view: Mapping[str, Any]) -> MxState:
    if view.get("status") == "failed" or view.get("provider") == "unknown":
        return "failed"
    if view.get("null_mx"):
        return "null"
    return "hosts" if view.get("mx") else "none"


def _errors(view: Mapping[str, Any]) -> list[dict[str, str]]:
    """The view's errors as :class:`ScanError` fields (a missing part as validation of older views gave it)."""
    return [
        {
            "check": str(e.get("check") or ""),
            "kind": str(e.get("kind") or "error"),
            "message": str(e.get("message") or ""),
        }
        for e in view.get("errors") or []
    ]


def dmarc_listed(policy: str | None, has_record: bool, failed: bool) -> str | None:
    """The DMARC value the lists give (the store's ``dmarc_policy`` column): the effective ``policy``; ``invalid``
    when a record stands but no policy applies (RFC 7489 6.6.3: receivers discard it); ``?`` when the lookup
    failed and no scan has seen a record (the scan table's ``?``: not known, never "no record"); None for no
    record. A record an earlier scan saw is kept through a failed lookup, as the store keeps it."""
    if policy:
        return policy
    if has_record:
        return "invalid"
    return "?" if failed else None


class Lead(BaseModel):
    """What Hunter knows about one domain now.

    The observed records (``spf``, ``dmarc``, ``dkim``, ``mx``, ``tenant``) are
    the models of :mod:`hunter_cli.models`; the verdicts beside them
    (``spf_result``, ``dmarc_result``, ``dmarc_policy``, ``dkim_state``,
    ``mx_state``, ``state``) are computed once when the view is built, by
    :mod:`hunter_cli.facts` (RFC 7208 2.6, RFC 7489 6.6.3, RFC 6376 3.6.1,
    RFC 7505). Checks that failed in the last scan are in ``errors``; the store
    carries the last good values of those checks forward (``store.carry_forward``).
    """

    # built from stored views without validation (hunter_cli/trusted.py): the validator waits for a first use
    model_config = ConfigDict(defer_build=True)

    domain: str
    domain_unicode: str = ""
    company: str | None = None
    status: Status | None = None  # of the scan behind the view; None when never scanned well
    scanned_at: str | None = None
    provider: str | None = None  # catalog id (m365, google, hosting, none, unknown, ...)
    provider_name: str | None = None  # brand, e.g. "Natro" for provider "hosting"
    gateway: str | None = None
    mx: list[MxHost] = Field(default_factory=list)
    null_mx: bool = False
    mx_errors: list[Finding] = Field(default_factory=list)
    mx_warnings: list[Finding] = Field(default_factory=list)
    mx_state: MxState = "none"
    state: DomainState = "active"  # active, nxdomain or parked: facts.domain_state
    spf: SpfInfo | None = None
    spf_result: SpfResult = "none"  # facts.spf_result; temperror when the apex TXT lookup failed (RFC 7208 4.4)
    spf_discarded: list[Finding] = Field(default_factory=list)  # look-alike SPF records receivers discard
    dmarc: DmarcInfo | None = None
    dmarc_result: DmarcResult = "absent"
    dmarc_policy: DmarcPolicy | None = None  # the effective policy receivers apply: facts.dmarc_policy
    dkim: DkimInfo = Field(default_factory=DkimInfo)
    dkim_state: DkimState = "none"  # key, delegated or none: facts.dkim_state; unknown: the lookups failed
    dkim_key_selectors: list[str] = Field(default_factory=list)  # selectors that publish a usable key
    verifications: list[str] = Field(default_factory=list)
    tenant: TenantInfo | None = None
    tenant_known: bool | None = None  # False: the tenant lookup failed or was not made; None: not recorded
    microsoft: MicrosoftFootprint | None = None  # workloads and mail-security records; None: never asked
    services: list[FoundService] = Field(default_factory=list)  # other cloud services (docs/footprint.md)
    registration: Registration | None = None  # as the scan carried it (the store's registrations row wins)
    expires: str | None = None  # registration expiry (ISO date), from the store
    score: int | None = None
    segment: str | None = None
    category: str | None = None
    reasons: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)  # the rep's and Hunter's, sorted, de-duplicated
    referrals: int = 0  # Partner Center referrals naming the company
    cosell: bool = False  # one of them is an active Microsoft co-sell referral
    crm_status: str | None = None  # open, qualified, disqualified, pushed, deleted; None: never sent
    errors: list[ScanError] = Field(default_factory=list)
    # checks whose values an earlier scan observed and the store kept through a failed lookup: when observed
    carried: dict[str, str] = Field(default_factory=dict)
    unknown: set[str] = Field(default_factory=set)  # checks whose values are not known: facts.unknown_checks
    last_good_at: str | None = None
    last_attempt_at: str | None = None
    last_status: Status | None = None

    # -- building ------------------------------------------------------------------
    @classmethod
    def from_view(cls, view: Mapping[str, Any], *, validate: bool = True, **store: Any) -> Lead:
        """The lead from a result's JSON form (``current_json``) plus what the store keeps beside it.

        ``store`` takes the other fields by name (``company``, ``cosell``, ``tags``,
        ``last_good_at``, ...). Views written by older releases (no ``result`` in
        SPF or DMARC, no ``state``) get the same verdicts as they always did.

        ``validate=False``, for a command that shows one lead (``sales-summary``, ``leads show``):
        the view is a result Hunter validated when it stored it, so the lead is built from it without
        validating it again (:func:`hunter_cli.trusted.construct`: the same models, lists and
        defaults; tests/test_startup.py compares the two). Building the lead's validator costs
        such a command more than the validation; code that reads many leads (the store's writer,
        ``rescore``, ``crm push``) validates, about 15 times faster a lead once the validator exists."""
        spf, dmarc, dkim = view.get("spf"), view.get("dmarc"), view.get("dkim") or {}
        tenant = view.get("tenant")
        unknown = facts.unknown_checks(view)
        domain = str(view.get("domain") or store.pop("domain", ""))
        store.pop("domain", None)
        fields = dict(
            domain=domain,
            domain_unicode=store.pop("domain_unicode", None) or _unicode(domain),
            status=view.get("status"),
            scanned_at=view.get("scanned_at"),
            provider=view.get("provider"),
            provider_name=view.get("provider_name"),
            gateway=view.get("gateway"),
            mx=view.get("mx") or [],
            null_mx=bool(view.get("null_mx")),
            mx_errors=view.get("mx_errors") or [],
            mx_warnings=view.get("mx_warnings") or [],
            mx_state=_mx_state(view),
            state=facts.domain_state(view),
            spf=facts.spf_in_force(spf) or None,  # a view stored before: no include after 'all' counts
            spf_result="temperror" if "txt" in unknown else facts.spf_result(spf),
            spf_discarded=view.get("spf_discarded") or [],
            dmarc=dmarc or None,
            dmarc_result=_dmarc_result(dmarc),
            dmarc_policy=facts.dmarc_policy(dmarc),
            dkim=dkim,
            dkim_state="unknown" if "dkim" in unknown else facts.dkim_state(dkim),
            dkim_key_selectors=[s["selector"] for s in facts.dkim_keys(dkim)],
            verifications=view.get("verifications") or [],
            tenant=tenant or None,
            microsoft=view.get("microsoft") or None,
            services=view.get("services") or [],
            registration=view.get("registration"),
            score=view.get("score"),
            segment=view.get("segment"),
            category=view.get("category"),
            reasons=view.get("reasons") or [],
            errors=_errors(view),
            carried=view.get("carried") or {},
            unknown=unknown,
            **store,
        )
        if not validate:
            from ..trusted import construct

            return construct(cls, fields)
        return cls(**fields)

    @classmethod
    def from_result(cls, result: DomainResult, *, cosell: bool = False) -> Lead:
        """The lead as one scan sees it, before the store: the tenant is known when it was looked
        up (from the sign-in endpoints or the day's cache) and did not fail.

        The verdicts come from the result's JSON form, as :meth:`from_view` computes them;
        the observed parts are the result's own models, already validated, so the lead is
        built without validating them again (this runs once per scanned domain, for the
        score). ``Lead.from_view`` of the stored view gives the same lead
        (tests/test_lead_view_fast.py)."""
        view = result.model_dump(include=_VERDICT_FIELDS)
        spf, dmarc, dkim = view.get("spf"), view.get("dmarc"), view.get("dkim") or {}
        unknown = facts.unknown_checks(view)
        return cls.model_construct(
            domain=result.domain,
            domain_unicode=_unicode(result.domain),
            status=result.status,
            scanned_at=result.scanned_at,
            provider=result.provider,
            provider_name=result.provider_name,
            gateway=result.gateway,
            mx=list(result.mx),
            null_mx=bool(result.null_mx),
            mx_errors=list(result.mx_errors),
            mx_warnings=list(result.mx_warnings),
            mx_state=_mx_state(view),
            state=facts.domain_state(view),
            spf=result.spf,
            spf_result="temperror" if "txt" in unknown else facts.spf_result(spf),
            spf_discarded=list(result.spf_discarded),
            dmarc=result.dmarc,
            dmarc_result=_dmarc_result(dmarc),
            dmarc_policy=cast("DmarcPolicy | None", facts.dmarc_policy(dmarc)),  # one of the three, or None
            dkim=result.dkim,
            dkim_state="unknown" if "dkim" in unknown else facts.dkim_state(dkim),
            dkim_key_selectors=[s["selector"] for s in facts.dkim_keys(dkim)],
            verifications=list(result.verifications),
            tenant=result.tenant,
            tenant_known=result_tenant_known(result),
            microsoft=result.microsoft,
            services=list(result.services),
            registration=result.registration,
            score=result.score,
            segment=result.segment,
            category=result.category,
            reasons=list(result.reasons),
            errors=list(result.errors),
            carried={},
            unknown=unknown,
            cosell=cosell,
            # every other field too: a default left to model_construct inspects its factory's signature each time
            company=None,
            expires=None,
            tags=[],
            referrals=0,
            crm_status=None,
            last_good_at=None,
            last_attempt_at=None,
            last_status=None,
        )

    @classmethod
    def from_store(
        cls,
        row: Mapping[str, Any],
        view: Mapping[str, Any] | None,
        *,
        registration: Mapping[str, Any] | None = None,
        tags: list[str] | None = None,
        crm_status: str | None = None,
        validate: bool = True,
    ) -> Lead:
        """The lead from its ``domains`` row (as :func:`hunter_cli.leads.detail` reads it, or a
        ``hunter leads`` row) and its current view; a lead never scanned well has no view.
        ``validate``: as in :meth:`from_view`."""
        domain = row["domain"]
        tenant_col = row.get("tenant")
        store: dict[str, Any] = {
            "domain": domain,
            "domain_unicode": row.get("domain_unicode") or _unicode(domain),
            "company": row.get("company"),
            "referrals": int(row.get("referrals") or 0),
            "cosell": bool(row.get("active_cosell")),
            "crm_status": crm_status if crm_status is not None else row.get("crm_status"),
            "tags": sorted(set(tags if tags is not None else row.get("tags") or [])),
            "last_good_at": row.get("last_good_at", row.get("last_scanned")),
            "last_attempt_at": row.get("last_attempt_at", row.get("last_attempt")),
            "last_status": row.get("last_status"),
            "expires": row.get("expires") or (registration or {}).get("expires"),
            "tenant_known": tenant_col is not None,  # NULL: the lookup was not made, or failed
        }
        if view is None:
            if validate:
                return cls(**store)
            from ..trusted import construct

            return construct(cls, store)
        return cls.from_view(view, validate=validate, **store)

    # -- derived facts -------------------------------------------------------------
    @property
    def scanned(self) -> bool:
        """There is a good scan behind the view."""
        return self.status is not None

    @property
    def failed_checks(self) -> set[str]:
        """The checks whose lookups failed in the scan behind the view (mx, txt, spf, dmarc, dkim, tenant, ...)."""
        return {e.check for e in self.errors}

    @property
    def has_dkim(self) -> bool:
        """A DKIM key is published: what scoring, ``hunter leads`` (``dkim``) and the CRM call DKIM."""
        return self.dkim_state == "key"

    @property
    def dkim_delegated_to(self) -> list[str]:
        """CNAME targets of the selectors that point into the provider (not those to a name with no key)."""
        return [s.cname for s in self.dkim.selectors if s.cname and not s.problem]  # not an alias to no key

    @property
    def dmarc_applied_as_none(self) -> bool:
        """An invalid record whose broken ``p``/``sp`` receivers apply as ``none`` (RFC 7489 6.6.3)."""
        return self.dmarc_result == "invalid" and self.dmarc_policy is not None

    @property
    def provider_label(self) -> str:
        """The provider as a rep reads it: the brand for shared hosting (Natro), the id otherwise (m365)."""
        if self.provider == "hosting" and self.provider_name:
            return self.provider_name
        return self.provider or ""

    @property
    def tenant_label(self) -> str:
        """Managed / Federated / Unknown for a tenant, ``none`` when there is none, ``?`` when not known."""
        from .footprint import national_of

        named = self.dkim.tenant_domain if self.dkim else None
        return tenant_label(self.tenant, bool(self.tenant_known), named, bool(national_of(self.microsoft)))

    @property
    def spf_all(self) -> str | None:
        """The all qualifier as written (``-all``, ``~all``, ...), the record's own or its redirect's."""
        return self.spf.all if self.spf else None

    @property
    def spf_all_listed(self) -> str | None:
        """The ``all`` result any server on the internet meets, the ``spf_all`` column of ``hunter leads``:
        :attr:`spf_all`, or ``+all`` when another term of the valid record already lets every server pass
        (``ip4:0.0.0.0/0 -all``, an include of ``+all``: RFC 7208 5.6, 5.2; :func:`posture.spf_open_terms`),
        so no list or export calls an open record ``-all`` / ``fail``."""
        from .posture import spf_open_terms

        return "+all" if self.spf_all != "+all" and spf_open_terms(self) else self.spf_all

    @property
    def workload_tags(self) -> list[str]:
        """Filter names of the workloads in use (``exchange-online``, ``intune``, ...), sorted; empty when
        never asked. Not the tags of a workload Hunter reads as a leftover or doubts (lead/footprint.py)."""
        return sorted(self.listed_footprint.tags)

    @property
    def service_ids(self) -> list[str]:
        """Ids of the other cloud services in use (``zoom``, ``okta``, ...), in catalog order; not one
        named only by an SPF include read as a leftover (lead/footprint.py)."""
        return self.listed_footprint.services

    @property
    def listed_footprint(self) -> Listed:
        """The footprint as the lists, the CSV, ``--json`` and ``leads show`` state it (lead/footprint.py)."""
        from .footprint import listed

        return listed(self)

    @property
    def footprint_cell(self) -> str:
        """The compact footprint column of ``hunter leads``: see :meth:`Listed.cell`."""
        return self.listed_footprint.cell()

    # -- verdicts as shown: the scan table's cells, the CRM facts' words ------------------
    @property
    def spf_verdict(self) -> SpfVerdict:
        """``unknown`` (the apex TXT lookup failed), else the SPF result (RFC 7208 2.6)."""
        return "unknown" if "txt" in self.unknown else self.spf_result

    @property
    def dmarc_verdict(self) -> DmarcVerdict:
        """``unknown`` (the lookup failed), ``absent``, ``invalid`` (no policy applies),
        ``applied_none`` (an invalid record applied as ``none``, RFC 7489 6.6.3) or the policy."""
        if "dmarc" in self.unknown:
            return "unknown"
        if self.dmarc is None:
            return "absent"
        if self.dmarc_policy is None:
            return "invalid"
        return "applied_none" if self.dmarc_applied_as_none else self.dmarc_policy

    @property
    def spf_cell(self) -> str:
        """``?`` not known (lookup failed, temperror), ``-`` no record, ``invalid`` (permerror),
        otherwise the all qualifier or ``no all``."""
        verdict = self.spf_verdict
        if verdict in ("unknown", "temperror"):
            return "?"
        if verdict == "none" or self.spf is None:
            return "-"
        if verdict != "valid":
            return "invalid"
        return self.spf.all or "no all"

    @property
    def dkim_cell(self) -> str:
        """``yes`` key, ``no key`` delegated without a key, ``-`` none, ``?`` the lookups failed."""
        return DKIM_CELL[self.dkim_state]

    @property
    def dmarc_cell(self) -> str:
        """The effective policy; ``invalid`` when no policy applies, ``-`` no record, ``?`` the lookup failed."""
        verdict = self.dmarc_verdict
        if verdict == "unknown":
            return "?"
        if verdict == "absent":
            return "-"
        return self.dmarc_policy or "invalid"

    # -- the store's columns -------------------------------------------------------
    def columns(self) -> dict[str, Any]:
        """The key facts as the store's ``domains`` columns (what ``hunter leads`` lists and sorts by).

        ``tenant`` is the namespace type (``Unknown`` for a tenant known only from an M365 DKIM CNAME),
        ``none`` when the lookup found no tenant and nothing names one, NULL when it was not made or failed.
        ``dmarc_policy`` is :func:`dmarc_listed`'s."""
        tenant = self.tenant
        label = self.tenant_label  # a tenant named by their DKIM records counts too
        return {
            "provider": self.provider,
            "provider_name": self.provider_name,
            "gateway": self.gateway,
            "dmarc_policy": dmarc_listed(self.dmarc_policy, self.dmarc is not None, "dmarc" in self.unknown),
            "spf_all": "?" if "txt" in self.unknown else self.spf_all_listed,  # not known: never "no record"
            "dkim": None if self.dkim_state == "unknown" else int(self.has_dkim),
            "tenant": None if label == "?" else label,
            "tenant_id": tenant.id if tenant else None,
            "score": self.score,
            "segment": self.segment,
            "category": self.category,
            # verdicts the store may keep as columns too (not written by this release)
            "spf_result": self.spf_result,
            "dmarc_result": self.dmarc_result,
            "dkim_state": self.dkim_state,
            "state": self.state,
        }


def footprint_cell(tags: list[str], services: list[str], asked: bool) -> str:
    """The compact footprint column of tags and service ids as given (a file before schema 8 opened
    read-only, migration 8): see :meth:`hunter_cli.lead.footprint.Listed.cell`."""
    from .footprint import Listed

    return Listed(asked, tags, [], [], services).cell()


def tenant_label(tenant: TenantInfo | None, known: bool, named: str | None = None, national: bool = False) -> str:
    """Managed / Federated / Unknown for a tenant, ``none`` when the lookup found none, ``?`` when not known.

    ``named``: a tenant's initial domain that a Microsoft 365 DKIM CNAME names (``acme.onmicrosoft.com``):
    the tenant exists whatever the sign-in service said, its namespace type unknown (``Unknown``).
    ``national``: their Microsoft records point at a national cloud (21Vianet, GCC High, DoD:
    :func:`hunter_cli.lead.footprint.national_of`), whose tenants sign in elsewhere, so the worldwide
    service's "no tenant" is no answer (``?``; Microsoft identity platform, "National clouds")."""
    if tenant is not None:
        return tenant.namespace_type or "Unknown"
    if named:
        return "Unknown"
    return "none" if known and not national else "?"


def result_tenant_label(r: DomainResult) -> str:
    """:func:`tenant_label` of a scan's result (the scan's summary and table)."""
    from .footprint import national_of

    return tenant_label(
        r.tenant, result_tenant_known(r), r.dkim.tenant_domain if r.dkim else None, bool(national_of(r.microsoft))
    )


def tenant_not_asked(result: DomainResult) -> bool:
    """Whether the scan did not look the tenant up at all: ``--no-tenant`` (the day's cache is not read
    either), or a domain not in DNS, whose lookup is dropped (``tenant_source`` ``off`` / ``nxdomain``)."""
    return (result.raw or {}).get("tenant_source") in ("off", "nxdomain")


def result_tenant_known(result: DomainResult) -> bool:
    """A scan knows the tenant when it looked it up (or read the day's cache) and the lookup did not fail;
    not when it did not ask (:func:`tenant_not_asked`), nor when the domain's scan failed: the store keeps
    nothing of a failed scan (store/writer.py keeps the last good signals), so its table and summary say
    ``?`` as ``hunter leads`` then does, never ``none`` (trial 30)."""
    return not tenant_not_asked(result) and result.status != "failed" and "tenant" not in result.failed_checks()


def as_lead(view: Lead | Mapping[str, Any]) -> Lead:
    """``view`` as a :class:`Lead`: a Lead as it is, a result's JSON form built into one."""
    return view if isinstance(view, Lead) else Lead.from_view(view)


def _unicode(domain: str) -> str:
    if "xn--" not in domain:  # nothing to decode (and IDNA is slow: this runs once per scanned domain)
        return domain
    from ..domains import to_unicode

    return to_unicode(domain)
