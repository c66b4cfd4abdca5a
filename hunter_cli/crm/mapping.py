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

A file that cannot be used raises :class:`MappingError` with every problem found, each a sentence
in the command's language naming the file and the line of the key (messages ``cli.crm.mapping.*``).
"""

from __future__ import annotations

import functools
import json
import re
import string
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..said import Said

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
    """The mapping file cannot be used; ``problems``: one :class:`Said` per problem, each naming the file
    (and the line of the key, when the file's text is known); the message is the first of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0])
        self.problems = problems


def _template_fields(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(Said("cli.crm.mapping.bad_template", template=repr(template), why=str(exc))) from None


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str | None = None
    template: str | None = None
    max_length: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_source(self):
        if (self.field is None) == (self.template is None):
            raise ValueError(Said("cli.crm.mapping.either"))
        names = [self.field] if self.field is not None else _template_fields(self.template or "")
        unknown = [n for n in names if n not in FIELDS]
        if unknown:
            raise ValueError(_unknown_field(unknown[0]))
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
            raise ValueError(Said("cli.crm.mapping.columns_empty"))
        for name in list(self.columns) + list(self.alternate_key or {}):
            problem = name_problem(name)
            if problem:
                raise ValueError(problem)
        for fld in (self.alternate_key or {}).values():
            if fld not in FIELDS:
                raise ValueError(_unknown_field(fld))
        if self.alternate_key == {}:
            raise ValueError(Said("cli.crm.mapping.key_empty"))
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


def _unknown_field(name: str) -> Said:
    return Said("cli.crm.mapping.unknown_field", name=repr(name), known=", ".join(FIELDS))


def name_problem(name: str) -> Said | None:
    """Why ``name`` cannot be a mapped column (Dataverse logical names are lower case), or None."""
    if name == "leadid":
        return Said("cli.crm.mapping.leadid")
    if _COLUMN.match(name):
        return None
    if _COLUMN.match(name.lower()):
        return Said("cli.crm.mapping.upper_case", name=repr(name), lower=name.lower())
    return Said("cli.crm.mapping.not_logical", name=repr(name))


# pydantic's own checks, in words: error type -> message key (values: the error's ctx)
_PYDANTIC = {
    "greater_than_equal": "cli.crm.mapping.at_least",
    "int_type": "cli.crm.mapping.whole_number",
    "int_parsing": "cli.crm.mapping.whole_number",
    "int_from_float": "cli.crm.mapping.whole_number",
    "string_type": "cli.crm.mapping.text",
    "dict_type": "cli.crm.mapping.object",
    "model_type": "cli.crm.mapping.object",
    "model_attributes_type": "cli.crm.mapping.object",
    "extra_forbidden": "cli.crm.mapping.extra",
    "missing": "cli.crm.mapping.missing",
}
# the keys known where an unknown one was found (extra_forbidden), by the depth of its place
_KNOWN_KEYS = {1: "alternate_key, columns", 3: "field, template, max_length"}


def _problem(error: Any) -> Said:
    """A pydantic error of the mapping model in words: a check's own :class:`Said`, else pydantic's
    check said by :data:`_PYDANTIC`, else pydantic's English words ("invalid value" in Turkish)."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and isinstance(cause.args[0] if cause.args else None, Said):
        return cause.args[0]
    key = _PYDANTIC.get(error.get("type", ""))
    if key == "cli.crm.mapping.at_least":
        return Said(key, limit=(error.get("ctx") or {}).get("ge", 1))
    if key == "cli.crm.mapping.extra":
        return Said(key, known=_KNOWN_KEYS.get(len(error.get("loc") or ()), "alternate_key, columns"))
    if key:
        return Said(key)
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return Said.worded(msg, "cli.crm.mapping.invalid")


def key_line(text: str, loc: tuple) -> int | None:
    """The line (1-based) of the key at ``loc`` (``("columns", "subject", "max_length")``) in the JSON
    ``text``: each key looked for after the one before it; None when a key is not found."""
    pos, line = 0, None
    for part in loc:
        if not isinstance(part, str):
            continue
        m = re.compile(r'"' + re.escape(json.dumps(part)[1:-1]) + r'"\s*:').search(text, pos)
        if m is None:
            break
        pos = m.end()
        line = text.count("\n", 0, m.start()) + 1
    return line


def _where(source: str, text: str | None, loc: tuple) -> Said:
    line = key_line(text, loc) if text is not None else None
    if line:
        return Said("cli.crm.mapping.where_line", path=source, line=str(line))
    return Said("cli.crm.mapping.where", path=source)


def _place(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top)"


def parse(data: object, source: str = "mapping", text: str | None = None) -> Mapping:
    """The mapping in ``data`` (the parsed JSON of ``source``, whose ``text`` gives the lines).

    Raises :class:`MappingError` with every problem found: each column name that is not a lower-case
    logical name (``Subject``) or is ``leadid``, and each problem pydantic finds, in plain words.
    """
    problems: list[tuple[tuple, Said]] = []
    if isinstance(data, dict):
        for part in ("columns", "alternate_key"):
            names = data.get(part)
            if isinstance(names, dict):
                for name in names:
                    problem = name_problem(name)
                    if problem:
                        problems.append(((part, name), problem))
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            if err["loc"] == () and problems:
                continue  # the model's own check found a name problem already listed
            problems.append((tuple(err["loc"]), _problem(err)))
    else:
        if not problems:
            return mapping
    raise MappingError(
        [
            Said("cli.crm.mapping.problem", where=_where(source, text, loc), place=_place(loc), problem=problem)
            for loc, problem in problems
        ]
    )


def load(path: Path | None = None) -> Mapping:
    """The mapping in ``path``, or the bundled default. Raises :class:`MappingError`."""
    if path is None:
        return default()
    try:
        text = Path(path).read_text("utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise MappingError([f"cannot read {path}: {exc.strerror or exc}"]) from None
    except ValueError as exc:
        raise MappingError([f"{path} is not JSON: {exc}"]) from None
    return parse(data, str(path), text)


@functools.cache
def default() -> Mapping:
    text = resources.files("hunter_cli.crm").joinpath("mapping.json").read_text("utf-8")
    return parse(json.loads(text), "bundled mapping.json", text)
