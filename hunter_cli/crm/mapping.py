"""Which Hunter field goes to which Dataverse column: the mapping file, and the payload it makes. Pure.

A mapping is a JSON object (docs/dynamics.md)::

    {"alternate_key": {"new_hunterdomain": "domain"},          optional: upsert by this key
     "columns": {"subject": {"template": "{category} {domain_unicode}", "max_length": 300},
                 "new_hunterscore": "score",                     a field, typed (int, bool, text)
                 "companyname": {"field": "company_or_domain", "max_length": 100}}}

A column's value is a Hunter field (:data:`FIELDS`) or a template with
``{field}`` placeholders; ``max_length`` shortens text with "…" (Dataverse
rejects longer text with a 400). The bundled default (``mapping.json``) uses
only standard ``lead`` columns: subject, companyname, websiteurl, description.
"""

from __future__ import annotations

import functools
import json
import re
import string
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# The fields a mapping may name; push.lead_context() fills every one of them.
FIELDS: dict[str, str] = {
    "domain": "the registrable domain, ASCII (xn-- form for international names)",
    "domain_unicode": "the domain as people write it",
    "company": "the company name, when known",
    "company_or_domain": "the company name, else the domain",
    "website": "https://<domain>",
    "provider": "mail provider id (m365, google, hosting, ...)",
    "provider_label": "the provider as the brief names it, in the brief's language",
    "gateway": "security gateway id, when there is one",
    "tenant": "Microsoft tenant kind (Managed, Federated, Unknown, none)",
    "tenant_id": "Microsoft tenant id",
    "dmarc_policy": "DMARC policy (none, quarantine, reject; invalid: a record that gives none; ?: lookup failed)",
    "spf_all": "the SPF all qualifier any server meets (-all, ~all, ...; +all when a term lets every server pass)",
    "dkim": "true when a DKIM key is published",
    "score": "score 0-100 (a whole number)",
    "segment": "Existing, Migration, Cold or Skip",
    "category": "P1..P6",
    "category_label": "the category's name in the brief's language",
    "risk": "spoofing risk: high, medium, low",
    "one_liner": "the brief's one-line summary",
    "tags": "tags, comma-separated",
    "last_scanned": "time of the last good scan (UTC, ISO 8601)",
    "facts_markdown": "the key facts as a Markdown list",
    "brief_markdown": "the whole call brief in Markdown",
}

_COLUMN = re.compile(r"^[a-z_][a-z0-9_]{0,99}$")


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the file and the problem."""


def _template_fields(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"bad template {template!r}: {exc}") from None


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str | None = None
    template: str | None = None
    max_length: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_source(self):
        if (self.field is None) == (self.template is None):
            raise ValueError("give either 'field' or 'template'")
        names = [self.field] if self.field is not None else _template_fields(self.template or "")
        unknown = [n for n in names if n not in FIELDS]
        if unknown:
            raise ValueError(f"unknown Hunter field {unknown[0]!r}; known: {', '.join(FIELDS)}")
        return self

    def value(self, ctx: dict) -> object:
        if self.field is not None:
            value = ctx.get(self.field)
        else:
            value = (self.template or "").format_map({k: "" if v is None else v for k, v in ctx.items()}).strip()
            value = value or None
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str) and self.max_length and len(value) > self.max_length:
            value = value[: self.max_length - 1].rstrip() + "…"
        return value


class Mapping(BaseModel):
    """A parsed mapping file."""

    model_config = ConfigDict(extra="forbid")

    alternate_key: dict[str, str] | None = None  # Dataverse key column -> Hunter field
    columns: dict[str, Column]

    @field_validator("columns", mode="before")
    @classmethod
    def _shorthand(cls, value):
        if not isinstance(value, dict):
            return value
        out = {}
        for name, spec in value.items():
            if isinstance(spec, str):
                spec = {"template": spec} if "{" in spec else {"field": spec}
            out[name] = spec
        return out

    @model_validator(mode="after")
    def _names(self):
        if not self.columns:
            raise ValueError("columns is empty")
        if "leadid" in self.columns:
            raise ValueError("leadid is Hunter's to set (it is the record's id); map another column")
        for name in list(self.columns) + list(self.alternate_key or {}):
            if not _COLUMN.match(name):
                raise ValueError(f"{name!r} is not a column's logical name (lower case, like 'subject' or 'new_score')")
        for column, fld in (self.alternate_key or {}).items():
            if fld not in FIELDS:
                raise ValueError(f"alternate_key {column!r}: unknown Hunter field {fld!r}")
        if self.alternate_key == {}:
            raise ValueError("alternate_key is empty; leave it out to create and update by lead id")
        return self

    def key(self, ctx: dict) -> dict[str, object] | None:
        """The alternate key's values for one lead; None when the mapping has no key."""
        if not self.alternate_key:
            return None
        return {column: ctx.get(fld) for column, fld in self.alternate_key.items()}

    def payload(self, ctx: dict) -> dict:
        """The JSON body for one lead: every mapped column, minus empty values and the key's own columns."""
        body = {}
        for name, col in self.columns.items():
            if self.alternate_key and name in self.alternate_key:
                continue  # Dataverse sets key columns from the URL
            value = col.value(ctx)
            if value is not None:
                body[name] = value
        return body


def parse(data: object, source: str = "mapping") -> Mapping:
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise MappingError(f"{source}: {where}: {first['msg']}") from None


def load(path: Path | None = None) -> Mapping:
    """The mapping in ``path``, or the bundled default. Raises :class:`MappingError`."""
    if path is None:
        return default()
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise MappingError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise MappingError(f"{path} is not JSON: {exc}") from None
    return parse(data, str(path))


@functools.cache
def default() -> Mapping:
    text = resources.files("hunter_cli.crm").joinpath("mapping.json").read_text("utf-8")
    return parse(json.loads(text), "bundled mapping.json")
