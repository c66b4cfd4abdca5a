"""The scoring model: readiness score, segment and CSP priority category, from a rules file.

Everything a sales manager may want to tune lives in ``rules.json`` (or the
file named by ``--rules`` / ``HUNTER_RULES``); this module only evaluates it.
Pure functions: facts in, outcome out, with every point explained.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..facts import dkim_state, dmarc_policy, domain_state, spf_result

CONDITION_KEYS = frozenset(
    {
        "spf",
        "dkim",
        "dmarc",
        "gateway",
        "tenant",
        "cosell",
        "provider",
        "provider_in",
        "group",
        "group_in",
        "score_min",
        "score_max",
        "segment",
        "segment_in",
        "state",
    }
)
DMARC_STATES = ("absent", "none", "quarantine", "reject")
SEGMENTS = ("Existing", "Migration", "Cold", "Skip")
CATEGORIES = ("P1", "P2", "P3", "P4", "P5", "P6")


class RulesError(ValueError):
    """The rules file is not usable; the message says where."""


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
    data: dict
    source: str

    @property
    def groups(self) -> dict[str, list[str]]:
        return self.data["groups"]

    def group_of(self, provider: str) -> str | None:
        for name, members in self.groups.items():
            if provider in members:
                return name
        return None

    def category_info(self, category: str) -> dict:
        return self.data["category_info"][category]


def _check(data: dict, source: str) -> Rules:
    try:
        for section in ("groups", "provider_points", "signals", "risks", "segments", "categories", "category_info"):
            if section not in data:
                raise RulesError(f"{source}: missing section {section!r}")
        for section in ("signals", "risks", "segments", "categories", "boosts"):
            for i, rule in enumerate(data.get(section, [])):
                unknown = set(rule.get("when", {})) - CONDITION_KEYS
                if unknown:
                    raise RulesError(f"{source}: {section}[{i}] has unknown condition {sorted(unknown)[0]!r}")
        for rule in data["segments"]:
            if rule["segment"] not in SEGMENTS:
                raise RulesError(f"{source}: unknown segment {rule['segment']!r}")
        for rule in data["categories"]:
            if rule["category"] not in CATEGORIES:
                raise RulesError(f"{source}: unknown category {rule['category']!r}")
        for category in CATEGORIES:
            if category not in data["category_info"]:
                raise RulesError(f"{source}: category_info has no entry for {category}")
            follow_up_parts(data["category_info"][category].get("follow_up"))
        if data["segments"][-1].get("when") or data["categories"][-1].get("when"):
            raise RulesError(f"{source}: the last segment and category rules must match everything (empty 'when')")
        _check_types(data, source)
        rules = Rules(data, source)
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        if isinstance(exc, RulesError):
            raise
        raise RulesError(f"{source}: malformed rules ({exc.__class__.__name__}: {exc})") from None
    return rules


_BOOL_KEYS = ("spf", "dkim", "gateway", "tenant", "cosell")
_STR_KEYS = ("provider", "group", "segment")
_LIST_KEYS = ("provider_in", "group_in", "segment_in")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_types(data: dict, source: str) -> None:
    """Every value the evaluator reads has the type it needs, so a wrong one fails when the file is
    loaded, naming the file and the place, and never in the middle of a scan."""

    def bad(where: str, what: str) -> RulesError:
        return RulesError(f"{source}: {where} must be {what}")

    if not isinstance(data["groups"], dict) or not all(
        isinstance(m, list) and all(isinstance(p, str) for p in m) for m in data["groups"].values()
    ):
        raise bad("groups", "an object of provider lists")
    if not isinstance(data["provider_points"], dict):
        raise bad("provider_points", "an object")
    for provider, points in data["provider_points"].items():
        if not _is_int(points):
            raise bad(f"provider_points.{provider}", "a whole number")
    for section in ("signals", "risks", "segments", "categories", "boosts"):
        rules = data.get(section, [])
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise bad(section, "a list of objects")
        for i, rule in enumerate(rules):
            where = f"{section}[{i}]"
            when = rule.get("when", {})
            if not isinstance(when, dict):
                raise bad(f"{where}.when", "an object")
            for key, want in when.items():
                if key in _BOOL_KEYS and not isinstance(want, bool):
                    raise bad(f"{where}.when.{key}", "true or false")
                if key == "dmarc" and want not in DMARC_STATES:
                    raise bad(f"{where}.when.dmarc", f"one of {', '.join(DMARC_STATES)}")
                if key in _STR_KEYS and not isinstance(want, str):
                    raise bad(f"{where}.when.{key}", "a string")
                if key in _LIST_KEYS and not (isinstance(want, list) and all(isinstance(w, str) for w in want)):
                    raise bad(f"{where}.when.{key}", "a list of strings")
                if key in ("score_min", "score_max") and not _is_int(want):
                    raise bad(f"{where}.when.{key}", "a whole number")
            if section in ("signals", "risks"):
                if not isinstance(rule.get("code"), str):
                    raise bad(f"{where}.code", "a string")
                if not _is_int(rule.get("points")):
                    raise bad(f"{where}.points", "a whole number")
            if section in ("segments", "categories", "boosts") and not isinstance(rule.get("rule"), str):
                raise bad(f"{where}.rule", "a string")
            if section == "boosts" and not _is_int(rule.get("steps", 1)):
                raise bad(f"{where}.steps", "a whole number")
    if not isinstance(data["category_info"], dict):
        raise bad("category_info", "an object")
    for category in CATEGORIES:
        info = data["category_info"].get(category)
        if not isinstance(info, dict) or not isinstance(info.get("label"), str):
            raise bad(f"category_info.{category}", "an object with a label")
        follow_up = info.get("follow_up")
        if follow_up is not None and not isinstance(follow_up, dict):
            raise bad(f"category_info.{category}.follow_up", "an object")
        for unit in ("hours", "days", "weeks"):
            if follow_up and unit in follow_up and not _is_int(follow_up[unit]):
                raise bad(f"category_info.{category}.follow_up.{unit}", "a whole number")


def load_rules(path: str | None = None) -> Rules:
    """The bundled rules, or the file named by ``path`` / env ``HUNTER_RULES`` (read once per path)."""
    return _load_rules(path or os.environ.get("HUNTER_RULES") or None)


@functools.cache
def _load_rules(path: str | None) -> Rules:
    if path:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise RulesError(f"cannot read rules file {path}: {exc.strerror or exc}") from None
        source = path
    else:
        text = resources.files("hunter_cli.scoring").joinpath("rules.json").read_text("utf-8")
        source = "bundled rules"
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RulesError(f"{source}: not valid JSON ({exc})") from None
    return _check(data, source)


def _matches(when: dict, facts: Facts, group: str | None, score: int | None = None, segment: str | None = None) -> bool:
    for key, want in when.items():
        if key in ("spf", "dkim", "gateway", "tenant", "cosell"):
            if getattr(facts, key) != want:
                return False
        elif key == "dmarc":
            if facts.dmarc != want:
                return False
        elif key == "provider":
            if facts.provider != want:
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
        elif key == "segment_in":
            if segment not in want:
                return False
        elif key == "state":
            if facts.state != want:
                return False
    return True


def evaluate(facts: Facts, rules: Rules | None = None) -> Outcome:
    rules = rules or load_rules()
    data = rules.data
    group = rules.group_of(facts.provider)
    items = [Item(f"provider:{facts.provider}", int(data["provider_points"].get(facts.provider, 0)))]
    if group != "no_mail" and facts.state == "active":  # no security points for what takes no mail
        for rule in data["signals"] + data["risks"]:
            if _matches(rule.get("when", {}), facts, group):
                items.append(Item(rule["code"], int(rule["points"])))
    raw = sum(i.points for i in items)
    score = max(0, min(100, raw))
    segment = seg_rule = None
    for rule in data["segments"]:
        if _matches(rule.get("when", {}), facts, group, score):
            segment, seg_rule = rule["segment"], rule["rule"]
            break
    category = cat_rule = None
    for rule in data["categories"]:
        if _matches(rule.get("when", {}), facts, group, score, segment):
            category, cat_rule = rule["category"], rule["rule"]
            break
    for boost in data.get("boosts", []):
        if _matches(boost.get("when", {}), facts, group, score, segment):
            stepped = CATEGORIES[max(0, CATEGORIES.index(category) - int(boost.get("steps", 1)))]
            if stepped != category:
                category, cat_rule = stepped, f"{cat_rule}+{boost['rule']}"
    # The last segment and category rules match everything (_check insists), so both are set.
    assert segment is not None and seg_rule is not None and category is not None and cat_rule is not None
    info = rules.category_info(category)
    return Outcome(
        score, segment, category, info["label"], follow_up_text(info.get("follow_up")), items, raw, seg_rule, cat_rule
    )


def follow_up_parts(follow_up: dict | None) -> tuple[str, int | None]:
    """A rules file's follow-up window as (unit, n): ("hours", 48), ("monthly", None), ("none", None)."""
    if not follow_up:
        return "none", None
    if follow_up.get("monthly"):
        return "monthly", None
    for unit in ("hours", "days", "weeks"):
        if unit in follow_up:
            return unit, int(follow_up[unit])
    raise RulesError(f"follow_up must give hours, days, weeks or monthly, not {follow_up!r}")


def follow_up_text(follow_up: dict | None) -> str:
    """English wording of a follow-up window, for `hunter explain` and the docs."""
    unit, n = follow_up_parts(follow_up)
    if unit == "none":
        return "no follow-up"
    if unit == "monthly":
        return "monthly"
    return f"{n} {unit[:-1] if n == 1 else unit}"


def facts_from(result: dict, rules: Rules | None = None, cosell: bool = False) -> Facts | None:
    """Facts from a scan result (its JSON form); None when a lookup the score needs failed."""
    rules = rules or load_rules()
    if result.get("status") == "failed" or result.get("provider") in (None, "unknown"):
        return None
    failed = {e["check"] for e in result.get("errors") or []}
    if failed & set(rules.data.get("unscored_checks", ())):
        return None
    spf = result.get("spf") or {}
    dmarc = result.get("dmarc") or {}
    dkim = result.get("dkim") or {}
    return Facts(
        provider=result["provider"],
        spf=spf_result(spf) == "valid",
        dkim=dkim_state(dkim) == "key",
        dmarc=dmarc_policy(dmarc) or "absent",
        gateway=bool(result.get("gateway")),
        tenant=bool(result.get("tenant")),
        cosell=cosell,
        state=domain_state(result),
    )


_FACT_FIELDS = {"status", "provider", "errors", "spf", "dmarc", "dkim", "gateway", "tenant", "state", "null_mx", "mx"}


def apply(result, rules: Rules | None = None, cosell: bool = False) -> None:
    """Set score, segment, category and reasons on a DomainResult (left null when unscorable)."""
    facts = facts_from(result.model_dump(include=_FACT_FIELDS), rules, cosell)
    if facts is None:
        result.score = result.segment = result.category = None
        result.reasons = []
        return
    out = evaluate(facts, rules)
    result.score, result.segment, result.category = out.score, out.segment, out.category
    result.reasons = out.reasons
