"""The shape of the footprint data files, as pydantic models.

``microsoft.json``, ``services.json`` and ``plays.json`` (all in
``hunter_cli/catalog/``) are loaded through these models, so a malformed file
fails with field-level errors (``workloads.2.online.0.pattern: Field required``)
instead of a ``KeyError`` halfway through a scan. ``extra="forbid"`` catches a
misspelt key. No I/O here besides reading the bundled files.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Literal, TypeVar

from ..modelbase import BaseModel, ConfigDict, Field, field_validator, model_validator

RType = Literal["CNAME", "SRV", "TXT"]
WorkloadState = Literal["online", "on_premises", "hybrid", "other", "absent", "unknown"]
Lang = Literal["en", "tr"]
_C = TypeVar("_C", bound=BaseModel)


class _Strict(BaseModel):
    # each catalog's validator is built when that catalog is first read, not at import
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(_Strict):
    title: str
    url: str | None = None


def _host(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    if not value or " " in value:
        raise ValueError(f"not a host name or pattern: {value!r}")
    return value


# --------------------------------------------------------------------------
# microsoft.json
# --------------------------------------------------------------------------


class Question(_Strict):
    """One DNS question, its name relative to the scanned domain (``autodiscover``)."""

    name: str
    type: RType

    @field_validator("name")
    @classmethod
    def _relative(cls, v: str) -> str:
        v = v.strip().lower()
        if not v or v.endswith(".") or " " in v:
            raise ValueError("a question name is relative to the domain, without a trailing dot")
        return v


class TargetRule(_Strict):
    """A host (or host suffix) whose appearance as a target means the rule's state."""

    pattern: str
    cloud: str | None = None
    label: str | None = None
    note: str | None = None
    source: str

    _norm = field_validator("pattern")(classmethod(lambda cls, v: _host(v)))


class Workload(_Strict):
    id: str
    name: str
    questions: list[Question] = Field(min_length=1)
    mx: bool = False  # the domain's MX hosts are evidence too (matched against mx_online)
    own_host: Literal["on_premises", "other"]  # what a target inside the domain means
    own_host_label: str
    tags: dict[Literal["online", "on_premises", "hybrid"], list[str]] = Field(default_factory=dict)
    online: list[TargetRule] = Field(default_factory=list)
    mx_online: list[TargetRule] = Field(default_factory=list)
    # the domain's DKIM CNAME targets and SPF includes are evidence too (the scan passes them):
    # a key hosted in the tenant, or the provider's SPF include, means the provider sends their mail
    dkim_online: list[TargetRule] = Field(default_factory=list)
    spf_online: list[TargetRule] = Field(default_factory=list)
    other: list[TargetRule] = Field(default_factory=list)


class MailSecurityRecord(_Strict):
    id: str
    name: str
    question: Question
    version: str  # the tag=value every record of this kind starts with, e.g. "v=STSv1"
    # True when the grammar writes the version as one case-sensitive string with nothing before it or around
    # its '=' (RFC 7405 %s: MTA-STS %s"v=STSv1", RFC 8461 3.1; TLS-RPT %s"v=TLSRPTv1", RFC 8460 3); False
    # for BIMI, whose draft allows spaces around '=' but not another case (4.2: %x76 *WSP "=" *WSP %x42.49.4d.49)
    exact_version: bool = False
    required: list[str] = Field(default_factory=list)  # tags a valid record must carry
    source: str


class MicrosoftCatalog(_Strict):
    schema_: int = Field(alias="schema")
    updated: str
    about: str = ""
    sources: dict[str, Source]
    clouds: dict[str, str]
    workloads: list[Workload]
    mail_security: list[MailSecurityRecord]

    @model_validator(mode="after")
    def _references(self) -> MicrosoftCatalog:
        ids = [w.id for w in self.workloads] + [m.id for m in self.mail_security]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate workload id in {ids}")
        for w in self.workloads:
            for rule in (*w.online, *w.mx_online, *w.dkim_online, *w.spf_online, *w.other):
                if rule.source not in self.sources:
                    raise ValueError(f"workload {w.id}: unknown source {rule.source!r}")
                if rule.cloud is not None and rule.cloud not in self.clouds:
                    raise ValueError(f"workload {w.id}: unknown cloud {rule.cloud!r}")
        for m in self.mail_security:
            if m.source not in self.sources:
                raise ValueError(f"{m.id}: unknown source {m.source!r}")
        return self


# --------------------------------------------------------------------------
# services.json
# --------------------------------------------------------------------------


class TxtToken(_Strict):
    """An apex TXT verification token in the vendor's exact format: the record starts with
    ``prefix`` character for character (case and the ``=``/``:`` separator included) and the rest
    is matched whole by the regular expression ``value`` (default: one or more non-space characters).
    A prefix that ends without a separator (``webexdomainverification.``) needs a ``value`` that
    spells the rest, so it cannot read another vendor's token."""

    prefix: str = Field(min_length=2)
    value: str = r"\S+"
    example: str
    source: str
    label: str | None = None
    # the id Catalog.verifications() reports (the stored `verifications`); None: a service only
    verification: str | None = None

    @field_validator("value")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"value is not a regular expression: {exc}") from None
        return v

    def matches(self, txt: str) -> bool:
        """True when the TXT string (surrounding blanks ignored) is this token."""
        txt = txt.strip()
        return txt.startswith(self.prefix) and re.fullmatch(self.value, txt[len(self.prefix) :]) is not None

    @model_validator(mode="after")
    def _example_matches(self) -> TxtToken:
        if not self.example.strip().startswith(self.prefix):
            raise ValueError(f"example {self.example!r} does not start with {self.prefix!r}")
        if not self.matches(self.example):
            raise ValueError(f"example {self.example!r}: what follows {self.prefix!r} does not match /{self.value}/")
        return self


class HostPattern(_Strict):
    """A host suffix (``sendgrid.net``) or a glob over the whole name (``*.ns.cloudflare.com``)."""

    pattern: str
    example: str
    source: str
    label: str | None = None

    _norm = field_validator("pattern", "example")(classmethod(lambda cls, v: _host(v)))

    @model_validator(mode="after")
    def _example_matches(self) -> HostPattern:
        from .hosts import host_matches

        if not host_matches(self.example, self.pattern):
            raise ValueError(f"example {self.example!r} does not match {self.pattern!r}")
        return self


class SelectorHint(_Strict):
    """A DKIM selector the service has its customers publish (``zendesk1``): asked for only at domains
    that show the service (:func:`hunter_cli.dns.dkim.selectors_shown`), not at every domain."""

    selector: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=63)
    source: str


class Service(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    category: str
    listed: bool = True  # False: kept for Catalog.verifications() only (Microsoft's own MS= token)
    txt: list[TxtToken] = Field(default_factory=list)
    spf: list[HostPattern] = Field(default_factory=list)
    dkim: list[HostPattern] = Field(default_factory=list)
    ns: list[HostPattern] = Field(default_factory=list)
    federation: list[HostPattern] = Field(default_factory=list)
    dkim_selectors: list[SelectorHint] = Field(default_factory=list)  # not evidence: what to ask once it is seen

    @model_validator(mode="after")
    def _has_evidence(self) -> Service:
        if not (self.txt or self.spf or self.dkim or self.ns or self.federation):
            raise ValueError(f"service {self.id} names no evidence")
        return self


class ServicesCatalog(_Strict):
    schema_: int = Field(alias="schema")
    updated: str
    about: str = ""
    sources: dict[str, Source]
    categories: dict[str, str]
    services: list[Service]

    def name_of(self, service_id: str) -> str | None:
        """The display name of the service ``service_id`` (``okta`` -> ``Okta``), None for an id not listed."""
        return next((s.name for s in self.services if s.id == service_id), None)

    @model_validator(mode="after")
    def _references(self) -> ServicesCatalog:
        seen: set[str] = set()
        for s in self.services:
            if s.id in seen:
                raise ValueError(f"duplicate service id {s.id!r}")
            seen.add(s.id)
            if s.category not in self.categories:
                raise ValueError(f"service {s.id}: unknown category {s.category!r}")
            items: list[TxtToken | HostPattern | SelectorHint] = [
                *s.txt,
                *s.spf,
                *s.dkim,
                *s.ns,
                *s.federation,
                *s.dkim_selectors,
            ]
            for item in items:
                if item.source not in self.sources:
                    raise ValueError(f"service {s.id}: unknown source {item.source!r}")
        return self


# --------------------------------------------------------------------------
# plays.json
# --------------------------------------------------------------------------


class Text(_Strict):
    en: str
    tr: str


class PlayWhen(_Strict):
    """What must be observed for a play; exactly one kind per play."""

    services_any: list[str] | None = None  # any of these service ids was found
    found_by: list[str] | None = None  # ... by one of these kinds of evidence (txt, spf, dkim, ns, federation, mx)
    unless_provider: list[str] | None = None  # not when the mail provider is one of these (the offer replaces it)
    workload: str | None = None  # this workload is in one of `states`
    states: list[WorkloadState] | None = None
    tenant_without: str | None = None  # a tenant exists and this workload is absent (not unknown)
    federated_own_server: bool | None = None  # federated to a host that is no known identity service
    with_online: list[str] | None = None  # only when the footprint reports each of these workloads online

    @model_validator(mode="after")
    def _one_kind(self) -> PlayWhen:
        kinds = [
            self.services_any is not None,
            self.workload is not None,
            self.tenant_without is not None,
            bool(self.federated_own_server),
        ]
        if sum(kinds) != 1:
            raise ValueError(
                "a play's `when` names exactly one of services_any, workload, tenant_without, federated_own_server"
            )
        if (self.workload is None) != (self.states is None):
            raise ValueError("`workload` and `states` go together")
        if self.found_by is not None and self.services_any is None:
            raise ValueError("`found_by` narrows `services_any`")
        return self


class PlayRule(_Strict):
    id: str
    offer: Text  # the title, as a line or a list starts with it
    offer_inline: Text | None = None  # the title inside a sentence, when it starts with a common word
    reason: Text  # why, for the rep (third person); may use {services}, {evidence}, {host}
    pitch: Text  # the talking point said to the customer (second person); the same placeholders
    # the same, when {services} names more than one service ("records for Zoom and Slack ... them")
    reason_many: Text | None = None
    pitch_many: Text | None = None
    # a workload play's words when the workload is hybrid (part already in Microsoft's cloud): finish the move
    reason_hybrid: Text | None = None
    pitch_hybrid: Text | None = None
    # the talking point when their mail is not in Exchange Online (on-premises, Google, ...): a pitch that
    # says "the same tenant as your mail" would be false there
    pitch_mail_elsewhere: Text | None = None
    # the observation alone, without the offer ("They run Exchange on a server of their own (...)."): the
    # services section says it for a play the offer section already offers (the mail move), said once there
    fact: Text | None = None
    fact_hybrid: Text | None = None
    when: PlayWhen
    # the Microsoft workloads (microsoft.json ids) the play sells: it is left out when the footprint
    # reports one of them online, since the customer already has it
    sells: list[str] = Field(default_factory=list)


class TierRule(_Strict):
    """A licence the brief's offer suggests (``offer.<id>`` in the messages) and what it sells."""

    id: str
    sells: list[str] = Field(default_factory=list)  # workloads that come with it (Business Premium: Intune)
    # the tier offered instead when the footprint reports one of `sells` online, by mail provider id
    # ("m365") or "other": Business Premium's Intune already in use leaves Defender for a Microsoft 365
    # customer, and Business Standard (with Defender as an add-on) for anyone else
    instead: dict[str, str] = Field(default_factory=dict)


class PlaysCatalog(_Strict):
    schema_: int = Field(alias="schema")
    about: str = ""
    plays: list[PlayRule]
    tiers: list[TierRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PlaysCatalog:
        ids = [p.id for p in self.plays]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate play id in {ids}")
        return self

    def tier(self, tier_id: str) -> TierRule | None:
        """The tier rule of ``tier_id`` (basic, standard, premium, defender), None when it has none."""
        return next((t for t in self.tiers if t.id == tier_id), None)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def _read(name: str) -> object:
    return json.loads(resources.files("hunter_cli.catalog").joinpath(name).read_text("utf-8"))


@functools.cache
def microsoft_catalog() -> MicrosoftCatalog:
    """The bundled ``microsoft.json``; raises pydantic.ValidationError when it is malformed. Read without
    validation by a process with the light models (hunter_cli/modelbase.py): tests/test_startup.py holds
    it equal to ``model_validate``'s, so no validator rewrites a value of the bundled file."""
    return _bundled(MicrosoftCatalog, "microsoft.json")


@functools.cache
def services_catalog() -> ServicesCatalog:
    """The bundled ``services.json``; raises pydantic.ValidationError when it is malformed (read as
    :func:`microsoft_catalog` is)."""
    return _bundled(ServicesCatalog, "services.json")


def _bundled(cls: type[_C], name: str) -> _C:
    from .. import modelbase

    if modelbase.chosen() == "light":  # nothing validates in such a process
        from ..trusted import construct

        return construct(cls, _read(name))  # type: ignore[arg-type]  # a JSON object
    return cls.model_validate(_read(name))


@functools.cache
def plays_catalog() -> PlaysCatalog:
    """The bundled ``plays.json``, read without building the validator: its validators only check (none
    rewrites a value), and tests/test_startup.py holds it equal to ``PlaysCatalog.model_validate``'s."""
    from ..trusted import construct

    return construct(PlaysCatalog, _read("plays.json"))  # type: ignore[arg-type]  # a JSON object
