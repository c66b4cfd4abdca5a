"""Typed results shared by the scan, the store and the renderers.

Field names here are the public JSON schema (docs/json-schema.md): rename nothing
without a migration note in the changelog.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["ok", "partial", "failed"]
DomainState = Literal["active", "nxdomain", "parked"]  # see hunter_cli.facts.domain_state


class Finding(BaseModel):
    """One error or warning about a published record.

    ``code`` is stable (documented in docs/json-schema.md) and scripts may rely on
    it; ``message`` is plain English for people; ``where`` says where it was found,
    e.g. the include chain ``["example.com", "_spf.example.net"]``.
    """

    code: str
    message: str
    where: list[str] = Field(default_factory=list)


class MxHost(BaseModel):
    host: str
    preference: int


class SpfInfo(BaseModel):
    """The domain's SPF policy, parsed per RFC 7208."""

    valid: bool = True
    record: str | None = None
    all: str | None = None  # "-all", "~all", "?all", "+all" or None when the record has no all
    includes: list[str] = Field(default_factory=list)
    redirect: str | None = None
    terms: list[str] = Field(default_factory=list)
    lookups: int = 0  # DNS-querying terms, counted through includes and redirect
    lookup_limit_exceeded: bool = False
    expanded: list[str] = Field(default_factory=list)  # every include/redirect target reached
    problems: list[str] = Field(default_factory=list)


class DmarcInfo(BaseModel):
    """The domain's DMARC policy, parsed per RFC 7489."""

    valid: bool = True
    record: str | None = None
    policy: str | None = None
    subdomain_policy: str | None = None
    pct: int = 100
    rua: list[str] = Field(default_factory=list)
    ruf: list[str] = Field(default_factory=list)
    adkim: str = "r"
    aspf: str = "r"
    problems: list[str] = Field(default_factory=list)


class DkimSelector(BaseModel):
    selector: str
    cname: str | None = None  # CNAME target when the selector is delegated (M365: *.onmicrosoft.com)
    key_type: str | None = None
    revoked: bool = False  # empty p=: the key was withdrawn


class DkimInfo(BaseModel):
    selectors: list[DkimSelector] = Field(default_factory=list)
    checked: list[str] = Field(default_factory=list)  # selectors actually asked for
    domainkey_exists: bool | None = None  # _domainkey.<domain> exists; False means no selector can exist
    tenant_domain: str | None = None  # <name>.onmicrosoft.com named by an M365 DKIM CNAME

    @property
    def state(self) -> str:
        """key, delegated or none: see :func:`hunter_cli.facts.dkim_state`."""
        from .facts import dkim_state

        return dkim_state(self.model_dump())


class TenantInfo(BaseModel):
    """A Microsoft Entra tenant found through the public sign-in endpoints."""

    id: str  # tenant GUID
    namespace_type: str | None = None  # Managed, Federated or Unknown (getuserrealm)
    brand: str | None = None  # FederationBrandName: the tenant's display name
    region: str | None = None  # tenant_region_scope: EU, NA, AS, ...
    cloud: str | None = None  # cloud_instance_name: microsoftonline.com, microsoftonline.us, ...
    initial_domain: str | None = None  # <name>.onmicrosoft.com, from a DKIM CNAME
    federation_host: str | None = None  # identity provider host of a federated domain (ADFS, Okta, ...)


class Registration(BaseModel):
    """Who registered the domain and until when, from RDAP or port-43 WHOIS."""

    status: Literal["ok", "unavailable"] = "ok"  # unavailable: no registry service, or nothing parsable
    source: Literal["rdap", "whois"] | None = None
    registrar: str | None = None
    created: str | None = None  # ISO date (YYYY-MM-DD)
    expires: str | None = None  # ISO date
    nameservers: list[str] = Field(default_factory=list)
    note: str | None = None  # why it is unavailable, in plain words
    fetched_at: str | None = None


class ScanError(BaseModel):
    check: str  # mx, txt, spf, dmarc, dkim
    kind: str  # timeout, servfail, refused, unreachable, ...
    message: str


class DomainResult(BaseModel):
    """Everything one scan learned about one domain."""

    domain: str
    status: Status
    scanned_at: str
    provider: str
    provider_name: str | None = None  # brand, e.g. "Natro" for provider "hosting"
    gateway: str | None = None
    mx: list[MxHost] = Field(default_factory=list)
    null_mx: bool = False
    state: DomainState = "active"  # nxdomain: the domain does not exist; parked: takes no mail and says so
    spf: SpfInfo | None = None
    dmarc: DmarcInfo | None = None
    dkim: DkimInfo = Field(default_factory=DkimInfo)
    verifications: list[str] = Field(default_factory=list)  # services proven by apex TXT tokens (MS=, ...)
    evidence: list[str] = Field(default_factory=list)  # why we think provider/gateway are what they are
    tenant: TenantInfo | None = None  # None: no tenant, or the lookup failed (then errors has check "tenant")
    registration: Registration | None = None  # from the store's weekly cache; fresh lookups land in the store
    score: int | None = None
    segment: str | None = None
    category: str | None = None  # P1..P6
    reasons: list[str] = Field(default_factory=list)  # score items and deciding rules, e.g. "no_dkim -15"
    errors: list[ScanError] = Field(default_factory=list)
    raw: dict | None = Field(default=None, exclude=True)  # records as served; kept in the store only

    def failed_checks(self) -> set[str]:
        return {e.check for e in self.errors}
