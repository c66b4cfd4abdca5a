"""The scoring model: readiness score, segment and CSP priority category, from a rules file.

Everything a sales manager may want to tune lives in ``rules.json`` (or the
file named by ``--rules`` / ``HUNTER_RULES``); this module only evaluates it.
The file's shape is :class:`RulesFile` (a pydantic model; its JSON Schema is
``rules.schema.json`` beside the bundled file), so a bad file is refused with
the section, rule index and key at fault. Pure functions: facts in, outcome
out, with every point explained.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .. import config
from ..facts import DomainState
from ..modelbase import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, model_validator
from ..said import Said

if TYPE_CHECKING:
    from ..lead import Lead

DmarcState = Literal["absent", "none", "quarantine", "reject"]
Segment = Literal["Existing", "Migration", "Cold", "Skip"]
Category = Literal["P1", "P2", "P3", "P4", "P5", "P6"]
DMARC_STATES: tuple[DmarcState, ...] = ("absent", "none", "quarantine", "reject")
SEGMENTS: tuple[Segment, ...] = ("Existing", "Migration", "Cold", "Skip")
CATEGORIES: tuple[Category, ...] = ("P1", "P2", "P3", "P4", "P5", "P6")


class RulesError(ValueError):
    """The rules file is not usable: ``faults``, one sentence each (a :class:`~hunter_cli.said.Said`, said in
    the command's language), led by where; ``str()`` is the English, one fault a line."""

    def __init__(self, *faults: str) -> None:
        super().__init__("\n".join(faults))
        self.faults = list(faults)


def said_lines(faults: list[str], key: str = "cli.rules.lines") -> str:
    """``faults`` as one sentence, one a line (``key`` ``cli.rules.lines``) or another joiner of two (``{first}``
    and ``{then}``), each in the sentence's language."""
    if len(faults) <= 1:
        return faults[0] if faults else ""
    return Said(key, first=faults[0], then=said_lines(faults[1:], key))


# -- the rules file ------------------------------------------------------------------
class _Strict(BaseModel):
    # built at the first validation: the bundled rules are read without one (load_rules)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# the conditions that compare with a Facts field of the same name
_FACT_KEYS = frozenset(
    {"spf", "spf_open", "dkim", "gateway", "tenant", "cosell", "dmarc", "provider", "state", "onprem"}
)


class When(_Strict):
    """The conditions of a rule; every condition given must hold (an empty ``when`` matches everything).

    ``spf``, ``spf_open``, ``dkim``, ``dmarc``, ``gateway``, ``tenant``, ``cosell`` and
    ``state``, ``onprem`` compare with the domain's :class:`Facts` (``plays_min``
    with its ``plays``); ``group`` is the
    provider's group in ``groups``; ``score_*`` and ``segment*`` apply once the
    score (segments, categories) and the segment (categories) are known."""

    spf: StrictBool | None = Field(
        None,
        description="SPF protects their mail: a valid record, not open to any server, not neutral, listing their"
        " mail provider (RFC 7208)",
    )
    spf_open: StrictBool | None = Field(
        None,
        description="their SPF lets any server on the internet pass (+all, ip4:0.0.0.0/0, ...): a forger passes"
        " SPF aligned, and so DMARC, whatever its policy (RFC 7489 4.2)",
    )
    dkim: StrictBool | None = Field(None, description="a DKIM key is published (not only a delegated selector)")
    dmarc: DmarcState | None = Field(None, description="the effective DMARC policy, or absent")
    gateway: StrictBool | None = Field(None, description="a security gateway is in front of the mailbox")
    tenant: StrictBool | None = Field(None, description="a Microsoft Entra tenant exists for the domain")
    cosell: StrictBool | None = Field(None, description="an active Microsoft co-sell referral names the company")
    provider: str | None = Field(None, description="the mail provider id (providers.json)")
    provider_in: list[str] | None = Field(None, description="one of these provider ids")
    group: str | None = Field(None, description="the provider's group (a key of groups)")
    group_in: list[str] | None = Field(None, description="one of these groups")
    score_min: StrictInt | None = Field(None, description="the score is at least this")
    score_max: StrictInt | None = Field(None, description="the score is at most this")
    segment: Segment | None = None
    segment_in: list[Segment] | None = None
    state: DomainState | None = Field(None, description="active, nxdomain or parked")
    onprem: StrictBool | None = Field(
        None,
        description="Exchange or Lync / Skype for Business runs on their own servers, alone or hybrid (footprint)",
    )
    plays_min: StrictInt | None = Field(
        None, description="at least this many Microsoft plays are backed by observed evidence (plays.json)"
    )

    def matches(self, facts: Facts, group: str | None, score: int | None = None, segment: str | None = None) -> bool:
        """Every condition given holds for ``facts`` (``group``: the provider's group)."""
        for key in self.model_fields_set:
            want = getattr(self, key)
            if key in _FACT_KEYS:
                if getattr(facts, key) != want:
                    return False
            elif key == "provider_in":
                if facts.provider not in want:
                    return False
            elif key == "group":
                if group != want:
                    return False
            elif key == "group_in":
                if group not in want:
                    return False
            elif key == "score_min":
                if score is None or score < want:
                    return False
            elif key == "score_max":
                if score is None or score > want:
                    return False
            elif key == "segment":
                if segment != want:
                    return False
            elif key == "segment_in" and segment not in want:
                return False
            elif key == "plays_min" and facts.plays < want:
                return False
        return True


CONDITION_KEYS = frozenset(When.model_fields)


class PointRule(_Strict):
    """A signal (points added) or a risk (points taken away) that applies when ``when`` holds."""

    code: str
    points: StrictInt
    when: When = Field(default_factory=When)


class SegmentRule(_Strict):
    segment: Segment
    rule: str
    when: When = Field(default_factory=When)


class CategoryRule(_Strict):
    category: Category
    rule: str
    when: When = Field(default_factory=When)


class Boost(_Strict):
    """Moves the category ``steps`` up (P3 -> P2) when ``when`` holds."""

    rule: str
    when: When = Field(default_factory=When)
    steps: StrictInt = Field(1, ge=0)


class FollowUp(_Strict):
    """The follow-up window: exactly one of ``hours``, ``days``, ``weeks`` or ``monthly: true``."""

    hours: StrictInt | None = Field(None, ge=1)
    days: StrictInt | None = Field(None, ge=1)
    weeks: StrictInt | None = Field(None, ge=1)
    monthly: StrictBool | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> FollowUp:
        given = [k for k in ("hours", "days", "weeks", "monthly") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(Said("cli.rules.one_unit"))
        return self


class CategoryInfo(_Strict):
    label: str
    follow_up: FollowUp | None = None  # none: no follow-up


class RulesFile(_Strict):
    """The shape of ``rules.json``; docs/scoring.md explains every section."""

    schema_: str | None = Field(None, alias="$schema", description="the JSON Schema this file follows")
    version: StrictInt = 1
    description: str | None = None
    groups: dict[str, list[str]]
    provider_points: dict[str, StrictInt]
    signals: list[PointRule]
    risks: list[PointRule]
    segments: list[SegmentRule] = Field(min_length=1)
    categories: list[CategoryRule] = Field(min_length=1)
    boosts: list[Boost] = Field(default_factory=list)
    category_info: dict[Category, CategoryInfo]
    unscored_checks: list[str] = Field(
        default_factory=list, description="checks whose failure leaves a domain unscored (mx, txt, spf, ...)"
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _complete(self) -> RulesFile:
        missing = [c for c in CATEGORIES if c not in self.category_info]
        if missing:
            raise ValueError(Said("cli.rules.no_category_info", category=missing[0]))
        if self.segments[-1].when.model_fields_set or self.categories[-1].when.model_fields_set:
            raise ValueError(Said("cli.rules.last_matches_all"))
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a rules file (draft 2020-12), as published in ``rules.schema.json``."""
    schema = RulesFile.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "Hunter scoring rules"}


def schema_text() -> str:
    """``rules.schema.json`` as committed: the schema, indented, with a final newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_complete()]", "function-after[_one_unit()]"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


# pydantic's error types (pydantic_core ErrorType) a rules file can raise -> the message that says what the value
# should be; each with ``{where}`` and ``{got}`` (the value given, as JSON)
_WANTED = {
    "int_type": "cli.rules.want_int",
    "int_parsing": "cli.rules.want_int",
    "int_from_float": "cli.rules.want_int",
    "bool_type": "cli.rules.want_bool",
    "bool_parsing": "cli.rules.want_bool",
    "string_type": "cli.rules.want_text",
    "list_type": "cli.rules.want_list",
    "dict_type": "cli.rules.want_object",
    "model_type": "cli.rules.want_object",
    "model_attributes_type": "cli.rules.want_object",
}
# the bounds of ``Field(ge=..., gt=..., le=..., lt=...)`` -> (message, the ``ctx`` entry with the limit)
_BOUNDS = {
    "greater_than_equal": ("cli.rules.at_least", "ge"),
    "greater_than": ("cli.rules.more_than", "gt"),
    "less_than_equal": ("cli.rules.at_most", "le"),
    "less_than": ("cli.rules.less_than", "lt"),
}


def _choices(expected: str) -> str:
    """pydantic's ``'P1', 'P2' or 'P3'`` (a Literal's choices) as the command's language lists them (``cli.or``)."""
    import re

    items = [c for c in re.split(r", | or ", expected) if c]
    if len(items) < 2:
        return expected
    return Said("cli.or", a=", ".join(items[:-1]), b=items[-1])


def _error_text(err: Mapping[str, Any]) -> str:
    """One pydantic error as ``where: what (expected ...)``, in a rules writer's words: a Said of ``cli.rules.*``
    for every kind a :class:`RulesFile` raises (missing, unknown key, wrong type, not one of the choices, out of
    range, too few items, a rule of the file broken), so each language says which field, what is wrong and what
    is allowed; a kind not foreseen keeps pydantic's English words inside the sentence."""
    loc = tuple(err["loc"])
    where, kind, key = _loc(loc), err["type"], loc[-1] if loc else ""
    ctx = err.get("ctx") or {}
    if kind == "missing":
        if len(loc) == 1:
            return Said("cli.rules.missing_section", name=repr(key))
        return Said("cli.rules.missing_key", where=_loc(loc[:-1]), name=repr(key))
    if kind == "extra_forbidden":
        parent = _loc(loc[:-1])
        if len(loc) >= 2 and loc[-2] == "when":
            known = ", ".join(sorted(CONDITION_KEYS))
            return Said("cli.rules.unknown_condition", where=parent, name=repr(key), known=known)
        if len(loc) == 1:
            return Said("cli.rules.unknown_section", name=repr(key))
        return Said("cli.rules.unknown_key", where=parent, name=repr(key))
    got = err.get("input")
    place: str = where or Said("cli.rules.the_file")
    if kind == "literal_error":
        expected = _choices(str(ctx.get("expected", "")))
        if key == "[key]" and len(loc) >= 2:  # a key of an object that only takes some (category_info: P1..P6)
            return Said("cli.rules.bad_key", where=_loc(loc[:-2]) or place, got=repr(loc[-2]), expected=expected)
        if key in ("segment", "category") and len(loc) >= 3:
            return Said(f"cli.rules.unknown_{key}", where=where, got=repr(got), expected=expected)
        return Said("cli.rules.not_one_of", where=place, got=_shown(got), expected=expected)
    if kind == "value_error":
        reason = ctx.get("error")
        said = reason.args[0] if isinstance(reason, ValueError) and reason.args else None
        if isinstance(said, Said):  # a rule of the file (the model's own validators), said in words of ours
            return Said("cli.rules.at", where=where, what=said) if where else said
        msg = str(err["msg"]).removeprefix("Value error, ")
        return Said.worded(f"{where}: {msg}" if where else msg, "cli.rules.bad_value", where=place, detail=msg)
    if kind in _WANTED:
        return Said(_WANTED[kind], where=place, got=_shown(got))
    if kind in _BOUNDS:
        message, bound = _BOUNDS[kind]
        return Said(message, where=place, limit=ctx.get(bound), got=_shown(got))
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length" if kind == "too_short" else "max_length")
        message = "cli.rules.too_few" if kind == "too_short" else "cli.rules.too_many"
        return Said(message, where=place, n=n, got=ctx.get("actual_length", _shown(got)))
    return Said("cli.rules.bad_type", where=place, detail=str(err["msg"]), got=_shown(got))


def _shown(value: object) -> str:
    """A value of the file as JSON writes it, cut to 60 characters."""
    return json.dumps(value, ensure_ascii=False)[:60]


def parse_rules(data: object, source: str) -> RulesFile:
    """A rules file's JSON as a :class:`RulesFile`; :class:`RulesError` lists every fault, one per line."""
    try:
        return RulesFile.model_validate(data)
    except ValidationError as exc:
        raise RulesError(
            *[Said("cli.rules.fault", source=source, fault=_error_text(e)) for e in exc.errors()]
        ) from None


# -- evaluation ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Facts:
    """What the score is computed from; all of it observed, none of it guessed."""

    provider: str
    spf: bool
    dkim: bool
    dmarc: str  # absent, none, quarantine, reject
    gateway: bool = False
    tenant: bool = False
    cosell: bool = False  # an active Microsoft co-sell referral names this company
    state: str = "active"  # active, nxdomain or parked (hunter_cli.facts.domain_state)
    onprem: bool = False  # Exchange or Lync on their own servers, alone or hybrid (docs/footprint.md)
    plays: int = 0  # Microsoft plays the footprint and services support, as the brief offers them (lead_plays)
    spf_open: bool = False  # SPF lets any server pass (posture.spf_shortfall "spf_open"): DMARC stops no forgery


ONPREM_TAGS = frozenset({"exchange-onprem", "exchange-hybrid", "lync-onprem", "teams-hybrid"})


@dataclass(slots=True)
class Item:
    code: str
    points: int


@dataclass(slots=True)
class Outcome:
    score: int
    segment: str
    category: str
    label: str
    window: str
    items: list[Item] = field(default_factory=list)
    raw_score: int = 0  # before clamping to 0..100
    segment_rule: str = ""
    category_rule: str = ""

    @property
    def reasons(self) -> list[str]:
        """Short machine-friendly reasons: point items, then the rules that decided."""
        out = [f"{i.code} {i.points:+d}" for i in self.items]
        return out + [f"segment:{self.segment_rule}", f"category:{self.category_rule}"]


@dataclass(slots=True)
class Rules:
    """A checked rules file: ``model`` the typed rules, ``data`` the JSON as read, ``source`` where from."""

    data: dict
    source: str
    model: RulesFile
    digest: str = ""  # rules_identity.digest_of(data): stored with every view these rules score

    @property
    def groups(self) -> dict[str, list[str]]:
        return self.model.groups

    def group_of(self, provider: str) -> str | None:
        for name, members in self.model.groups.items():
            if provider in members:
                return name
        return None

    def category_info(self, category: str) -> CategoryInfo:
        return self.model.category_info[category]  # type: ignore[index]  # a Category: evaluate() picks it


def _check(data: object, source: str, *, bundled: bool = False) -> Rules:
    from ..rules_identity import digest_of

    if bundled:  # checked by the test suite (tests/test_startup.py): read without building the validator
        from ..trusted import construct

        model = construct(RulesFile, data)  # type: ignore[arg-type]  # the bundled file is a JSON object
    else:
        model = parse_rules(data, source)
    return Rules(data, source, model, digest_of(data))  # type: ignore[arg-type]  # a dict: RulesFile validated it


def load_rules(path: str | None = None) -> Rules:
    """The bundled rules, or the file named by ``path`` / env ``HUNTER_RULES`` (read once per path)."""
    if not path:
        path = config.get("rules")
    return _load_rules(str(path) if path else None)


@functools.cache
def _load_rules(path: str | None) -> Rules:
    if path:
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:  # a folder, no such file, no access, not UTF-8
            why = config.os_reason(exc, exc.strerror or str(exc)) if isinstance(exc, OSError) else config.os_reason(exc)
            raise RulesError(Said("cli.rules.unreadable", path=path, why=why)) from None
        source = path
    else:
        text = resources.files("hunter_cli.scoring").joinpath("rules.json").read_text("utf-8")
        source = "bundled rules"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RulesError(Said("cli.rules.fault", source=source, fault=not_json(exc))) from None
    return _check(data, source, bundled=not path)


# json.JSONDecodeError's messages (CPython Modules/_json.c, Lib/json/decoder.py) -> ``cli.rules.json.*``
_JSON_FAULTS = {
    "Expecting value": "value",
    "Expecting ',' delimiter": "comma",
    "Expecting ':' delimiter": "colon",
    "Expecting property name enclosed in double quotes": "name",
    "Unterminated string starting at": "unterminated",
    "Invalid control character at": "control",
    "Invalid \\escape": "escape",
    "Invalid \\uXXXX escape": "u_escape",
    "Extra data": "extra",
}


def not_json(exc: json.JSONDecodeError) -> Said:
    """Why a file is not JSON, where (line, column, character: 1-based, 1-based, 0-based as Python counts them),
    in the command's language (``cli.rules.not_json``); English as Python says it."""
    kind = _JSON_FAULTS.get(exc.msg)
    why = Said(f"cli.rules.json.{kind}") if kind else Said("cli.rules.json.other", message=exc.msg)
    return Said("cli.rules.not_json", why=why, line=exc.lineno, column=exc.colno, pos=exc.pos)


def evaluate(facts: Facts, rules: Rules | None = None) -> Outcome:
    rules = rules or load_rules()
    r = rules.model
    group = rules.group_of(facts.provider)
    items = [Item(f"provider:{facts.provider}", r.provider_points.get(facts.provider, 0))]
    if group != "no_mail" and facts.state == "active":  # no security points for what takes no mail
        for rule in r.signals + r.risks:
            if rule.when.matches(facts, group):
                items.append(Item(rule.code, rule.points))
    raw = sum(i.points for i in items)
    score = max(0, min(100, raw))
    segment = seg_rule = None
    for srule in r.segments:
        if srule.when.matches(facts, group, score):
            segment, seg_rule = srule.segment, srule.rule
            break
    category: Category | None = None
    cat_rule = None
    for crule in r.categories:
        if crule.when.matches(facts, group, score, segment):
            category, cat_rule = crule.category, crule.rule
            break
    # The last segment and category rules match everything (RulesFile insists), so both are set.
    assert segment is not None and seg_rule is not None and category is not None and cat_rule is not None
    for boost in r.boosts:
        if boost.when.matches(facts, group, score, segment):
            stepped = CATEGORIES[max(0, CATEGORIES.index(category) - boost.steps)]
            if stepped != category:
                category, cat_rule = stepped, f"{cat_rule}+{boost.rule}"
    info = r.category_info[category]
    return Outcome(score, segment, category, info.label, follow_up_text(info.follow_up), items, raw, seg_rule, cat_rule)


def follow_up_parts(follow_up: FollowUp | Mapping[str, Any] | None) -> tuple[str, int | None]:
    """A rules file's follow-up window as (unit, n): ("hours", 48), ("monthly", None), ("none", None)."""
    if not follow_up:
        return "none", None
    if isinstance(follow_up, Mapping):
        try:
            follow_up = FollowUp.model_validate(follow_up)
        except ValidationError:
            raise RulesError(Said("cli.rules.follow_up", value=repr(dict(follow_up)))) from None
    if follow_up.monthly:
        return "monthly", None
    for unit in ("hours", "days", "weeks"):
        n = getattr(follow_up, unit)
        if n is not None:
            return unit, n
    return "none", None


def follow_up_text(follow_up: FollowUp | Mapping[str, Any] | None) -> str:
    """English wording of a follow-up window, for `hunter explain` and the docs."""
    unit, n = follow_up_parts(follow_up)
    if unit == "none":
        return "no follow-up"
    if unit == "monthly":
        return "monthly"
    return f"{n} {unit[:-1] if n == 1 else unit}"


def facts_from(lead: Lead | Mapping[str, Any], rules: Rules | None = None, cosell: bool | None = None) -> Facts | None:
    """The scoring facts of a lead view (:class:`hunter_cli.lead.Lead`; a result's JSON form is
    built into one); None when a lookup the score needs failed (``unscored_checks``).
    ``cosell`` overrides the lead's own flag."""
    from ..lead import as_lead

    rules = rules or load_rules()
    lead = as_lead(lead)
    if lead.status == "failed" or lead.provider in (None, "unknown"):
        return None
    if lead.failed_checks & set(rules.model.unscored_checks):
        return None
    from ..lead.footprint import lead_plays
    from ..lead.posture import gateway_bypassed, spf_shortfall

    plays = lead_plays(lead)  # the plays the brief offers: the footprint as the lists state it
    return Facts(
        provider=lead.provider,
        # SPF earns its points only where it protects their mail: a record open to any server, a neutral
        # one or one that leaves out their provider's servers is no SPF (RFC 7208 2.6, 8.2; docs/scoring.md)
        spf=(shortfall := spf_shortfall(lead)) is None,
        spf_open=shortfall == "spf_open",
        dkim=lead.has_dkim,
        dmarc=lead.dmarc_policy or "absent",
        # a gateway that mail can go around (mx-gateway-bypass) filters only part of it: no points
        gateway=bool(lead.gateway) and not gateway_bypassed(lead),
        tenant=lead.tenant is not None,
        cosell=lead.cosell if cosell is None else cosell,
        state=lead.state,
        onprem=bool(ONPREM_TAGS & set(lead.workload_tags)),
        plays=len(plays),
    )


def apply(result, rules: Rules | None = None, cosell: bool = False) -> None:
    """Set score, segment, category and reasons on a DomainResult (left null when unscorable)."""
    from ..lead import Lead

    rules = rules or load_rules()
    facts = facts_from(Lead.from_result(result, cosell=cosell), rules)
    if facts is None:
        result.score = result.segment = result.category = None
        result.reasons = []
        result.rules = None
        return
    out = evaluate(facts, rules)
    result.score, result.segment, result.category = out.score, out.segment, out.category
    result.reasons = out.reasons
    result.rules = rules.digest
