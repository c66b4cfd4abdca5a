"""Typed results shared by the scan, the store and the renderers.

Field names here are the public JSON schema (docs/json-schema.md): rename nothing
without a migration note in the changelog.
"""

from __future__ import annotations

from typing import Literal

from .footprint.microsoft import MicrosoftFootprint
from .footprint.services import FoundService
from .modelbase import BaseModel, ConfigDict, Field

Status = Literal["ok", "partial", "failed"]
DomainState = Literal["active", "nxdomain", "parked"]  # see hunter_cli.facts.domain_state


class _Model(BaseModel):
    # the validator is built at the first validation or dump, not at import: the reading commands
    # build these models from stored views without validating them (hunter_cli/trusted.py)
    model_config = ConfigDict(defer_build=True)


class Finding(_Model):
    """One error or warning about a published record.

    ``code`` is stable (documented in docs/json-schema.md) and scripts may rely on
    it; ``message`` is plain English for people; ``where`` says where it was found,
    e.g. the include chain ``["example.com", "_spf.example.net"]``.
    """

    code: str
    message: str
    where: list[str] = Field(default_factory=list)


class MxHost(_Model):
    """One MX record and what its exchange resolves to (RFC 5321 5.1)."""

    host: str  # exchange name, lower case; an IP literal stays as written
    preference: int
    resolved: bool | None = None  # has A or AAAA records; None when the lookup failed or was not made
    canonical: str | None = None  # where the name's CNAME chain ends, when the exchange is an alias


class SpfInfo(_Model):
    """The domain's SPF policy, parsed and evaluated per RFC 7208 (see docs/json-schema.md).

    ``result`` is the verdict; ``errors`` are what makes receivers return
    permerror (or, for ``spf-temperror``, the failed lookup behind a temperror)
    and ``warnings`` what is legal but worth fixing. ``valid`` and ``problems``
    are kept for older readers: ``valid`` is ``result == "valid"`` and
    ``problems`` the messages of the errors and then the warnings.
    """

    result: Literal["valid", "permerror", "temperror", "none"] = "valid"
    valid: bool = True
    record: str | None = None
    # "-all", "~all", "?all", "+all": the all a sender matching nothing meets, the record's own or, without one,
    # its redirect target's (RFC 7208 6.1); None when neither has one
    all: str | None = None
    includes: list[str] = Field(default_factory=list)
    redirect: str | None = None
    terms: list[str] = Field(default_factory=list)
    lookups: int = 0  # DNS-querying terms a receiver counts, through includes and redirect (RFC 7208 4.6.4)
    void_lookups: int = 0  # lookups that found nothing (NXDOMAIN or no records)
    lookup_limit_exceeded: bool = False
    expanded: list[str] = Field(default_factory=list)  # include/redirect targets reached through + includes
    errors: list[Finding] = Field(default_factory=list)
    warnings: list[Finding] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)


class DmarcInfo(_Model):
    """The domain's DMARC policy as receivers apply it (RFC 7489 6.3, 6.6.3, 7.1).

    ``policy`` is the effective policy (``p=reject; sp=bogus; rua=...`` is applied
    as ``none``); ``published_policy`` is the ``p`` as written. ``errors`` make
    receivers ignore the record or a tag, ``warnings`` are legal but worth fixing.
    ``valid`` and ``problems`` are the older summary of the same facts.
    """

    result: Literal["valid", "invalid"] = "valid"
    valid: bool = True
    record: str | None = None
    policy: str | None = None  # effective: none, quarantine, reject, or None when no DMARC policy applies
    published_policy: str | None = None  # p= as written (lower case), even when not valid
    subdomain_policy: str | None = None  # effective sp (defaults to the effective p)
    pct: int = 100
    rua: list[str] = Field(default_factory=list)
    ruf: list[str] = Field(default_factory=list)
    adkim: str = "r"
    aspf: str = "r"
    errors: list[Finding] = Field(default_factory=list)
    warnings: list[Finding] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)


class DkimSelector(_Model):
    selector: str
    cname: str | None = None  # CNAME target when the selector is delegated (M365: *.onmicrosoft.com)
    key_type: str | None = None
    revoked: bool = False  # empty p=: the key was withdrawn
    problem: str | None = None  # why no usable key stands here (v= not DKIM1, unknown k=): RFC 6376 3.6.1
    problem_code: str | None = None  # the dkim.errors code of ``problem`` (docs/json-schema.md)
    bits: int | None = None  # an RSA key's modulus length (RFC 8301 3.2)
    spki: bool | None = None  # an RSA key wrapped in a SubjectPublicKeyInfo; False: a bare RSAPublicKey
    testing: bool = False  # t=y: testing mode, its signatures count as none (RFC 6376 3.6.1)
    version_not_first: bool = False  # v=DKIM1 written after another tag (RFC 6376 3.6.1: it MUST be first)
    # several key records at the selector (RFC 6376 3.6.2.2: they MUST be unique): how many, and how many of
    # them are withdrawn or unusable; None when there is one
    key_records: int | None = None
    unusable_records: int | None = None


class DkimInfo(_Model):
    selectors: list[DkimSelector] = Field(default_factory=list)
    checked: list[str] = Field(default_factory=list)  # selectors actually asked for
    domainkey_exists: bool | None = None  # _domainkey.<domain> exists; False means no selector can exist
    tenant_domain: str | None = None  # the tenant's initial domain named by an M365 DKIM CNAME (any cloud)
    errors: list[Finding] = Field(default_factory=list)  # selectors with no usable key: CNAME loop, unusable record
    warnings: list[Finding] = Field(default_factory=list)  # usable keys worth fixing: short RSA, t=y, bare RSA

    @property
    def state(self) -> str:
        """key, delegated or none: see :func:`hunter_cli.facts.dkim_state`."""
        from .facts import dkim_state

        return dkim_state(self.model_dump())


class TenantInfo(_Model):
    """A Microsoft Entra tenant found through the public sign-in endpoints."""

    id: str  # tenant GUID
    namespace_type: str | None = None  # Managed, Federated or Unknown (getuserrealm)
    brand: str | None = None  # FederationBrandName: the tenant's display name
    region: str | None = None  # tenant_region_scope: EU, NA, AS, ...
    cloud: str | None = None  # cloud_instance_name: microsoftonline.com, microsoftonline.us, ...
    initial_domain: str | None = None  # <name>.onmicrosoft.com, from a DKIM CNAME
    federation_host: str | None = None  # identity provider host of a federated domain (ADFS, Okta, ...)


class Registration(_Model):
    """Who registered the domain and until when, from RDAP or port-43 WHOIS."""

    status: Literal["ok", "unavailable"] = "ok"  # unavailable: no registry service, or nothing parsable
    source: Literal["rdap", "whois"] | None = None
    registrar: str | None = None
    created: str | None = None  # ISO date (YYYY-MM-DD)
    expires: str | None = None  # ISO date
    nameservers: list[str] = Field(default_factory=list)
    note: str | None = None  # why it is unavailable, in plain words
    fetched_at: str | None = None


class ScanError(_Model):
    check: str  # mx, txt, spf, dmarc, dkim, mx_host, dmarc_report, tenant, footprint, registration
    kind: str  # timeout, servfail, refused, unreachable, ...
    message: str


class DomainResult(_Model):
    """Everything one scan learned about one domain."""

    domain: str
    status: Status
    scanned_at: str
    provider: str
    provider_name: str | None = None  # brand, e.g. "Natro" for provider "hosting"
    gateway: str | None = None
    mx: list[MxHost] = Field(default_factory=list)
    null_mx: bool = False  # "MX 0 ." is the only MX record (RFC 7505 3)
    mx_errors: list[Finding] = Field(default_factory=list)  # what breaks delivery to the MX set
    mx_warnings: list[Finding] = Field(default_factory=list)  # legal but worth fixing (aliases, IP literals)
    state: DomainState = "active"  # nxdomain: the domain does not exist; parked: takes no mail and says so
    spf: SpfInfo | None = None
    # TXT records at the apex that would be SPF records but receivers discard (spf-not-at-start: whitespace
    # before v=spf1, RFC 7208 4.5); warnings, also when no SPF record is published (then spf is None)
    spf_discarded: list[Finding] = Field(default_factory=list)
    dmarc: DmarcInfo | None = None
    dkim: DkimInfo = Field(default_factory=DkimInfo)
    verifications: list[str] = Field(default_factory=list)  # services proven by apex TXT tokens (MS=, ...)
    evidence: list[str] = Field(default_factory=list)  # why we think provider/gateway are what they are
    tenant: TenantInfo | None = None  # None: no tenant, or the lookup failed (then errors has check "tenant")
    registration: Registration | None = None  # from the store's weekly cache; fresh lookups land in the store
    # Microsoft workloads and mail-security records (docs/footprint.md); None when not asked (--quick)
    microsoft: MicrosoftFootprint | None = None
    services: list[FoundService] = Field(default_factory=list)  # other cloud services, with their evidence
    score: int | None = None
    segment: str | None = None
    category: str | None = None  # P1..P6
    reasons: list[str] = Field(default_factory=list)  # score items and deciding rules, e.g. "no_dkim -15"
    rules: str | None = None  # digest of the scoring rules that set score and category (rules_identity)
    errors: list[ScanError] = Field(default_factory=list)
    raw: dict | None = Field(default=None, exclude=True)  # records as served; kept in the store only

    def failed_checks(self) -> set[str]:
        return {e.check for e in self.errors}
