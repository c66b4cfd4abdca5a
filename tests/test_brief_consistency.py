"""A brief never contradicts itself: over every golden brief in tests/golden/, in each language,
the summary, the risk level, the talking points and the offer tell the same story.

The claims are read from the message files (hunter_cli/brief/messages/*.json), so the test
follows any rewording: each message below is turned into a pattern and looked for in the text.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from hunter_cli.brief.messages import load

GOLDEN = Path(__file__).parent / "golden"

# Sentences that say the domain is well protected / has gaps / has nothing to sell.
# A list message is named with the index of the line that makes the claim (talk.P4[0]).
PROTECTED = [
    "one_liner.P4",
    "one_liner.P3_protected",
    "talk.P4[0]",
    "talk.P3_protected[0]",
    "offer.why.existing_strong",
]
WEAK = [
    "one_liner.P3",
    "one_liner.P4_gaps",
    "talk.P3[0]",
    "talk.P4_gaps[0]",
    "offer.why.existing_weak",
    "talk.risk_high",
    "talk.risk_medium",
    "offer.why.risk",
]
NOTHING_TO_SELL = [
    "one_liner.P6",
    "one_liner.P6_no_mail",
    "one_liner.P6_nxdomain",
    "one_liner.P6_parked",
    "offer.skip",
    "offer.none",
    "offer.nxdomain",
    "next.P6",
]


def _pattern(template: str) -> re.Pattern:
    """A message template as a regex: literal text kept, each {placeholder} any text."""
    out = ""
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out += re.escape(literal)
        if name is not None:
            out += ".+?"
    return re.compile(out)


def _patterns(lang: str, keys: list[str]) -> dict[str, list[re.Pattern]]:
    msgs = load(lang)
    out: dict[str, list[re.Pattern]] = {}
    for name in keys:
        key, _, index = name.partition("[")
        value = msgs[key]
        if index:
            value = [value[int(index.rstrip("]"))]]
        out[name] = [_pattern(v) for v in (value if isinstance(value, list) else [value])]
    return out


def _said(text: str, groups: dict[str, list[re.Pattern]]) -> list[str]:
    lines = text.splitlines()
    return [k for k, pats in groups.items() if any(p.search(line) for p in pats for line in lines)]


def _risk(text: str, lang: str) -> str | None:
    """The risk level the brief states (high, medium, low, none), None when it states none."""
    msgs = load(lang)
    before = re.escape(msgs["risk.line"].split("{level}")[0])
    levels = {msgs[f"risk.{lvl}"]: lvl for lvl in ("high", "medium", "low", "none")}
    found = {levels[m.group(1)] for m in re.finditer(before + r"(.+?)\.$", text, re.M) if m.group(1) in levels}
    assert len(found) <= 1, f"two risk levels in one brief: {found}"
    return found.pop() if found else None


def _category(text: str) -> str | None:
    cats = set(re.findall(r"(?:Category|Kategori) (P[1-6])", text))
    assert len(cats) <= 1, cats
    return cats.pop() if cats else None


BRIEFS = sorted(GOLDEN.glob("*.md"))


def test_there_are_golden_briefs_in_both_languages():
    langs = {p.name.rsplit(".", 2)[-2] for p in BRIEFS}
    assert langs == {"en", "tr"} and len(BRIEFS) >= 24


@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.name)
def test_a_brief_never_contradicts_itself(path):
    lang = path.name.rsplit(".", 2)[-2]
    text = path.read_text("utf-8")
    risk = _risk(text, lang)
    category = _category(text)
    protected = _said(text, _patterns(lang, PROTECTED))
    weak = _said(text, _patterns(lang, WEAK))
    dead = _said(text, _patterns(lang, NOTHING_TO_SELL))

    assert not (protected and weak), f"well protected ({protected}) and weak ({weak}) in one brief"
    if risk in ("high", "medium"):
        assert not protected, f"risk {risk} but called well protected: {protected}"
    if risk == "low":
        assert not weak, f"risk low but called weak: {weak}"
    if category is None:  # unscored: no verdict, no offer
        assert not dead and not protected
        return
    if category == "P6":
        assert dead, "P6 without saying there is nothing to sell"
        if risk in ("high", "medium"):  # archived while spoofable: only a domain that takes no mail at all
            assert "one_liner.P6_no_mail" in dead, f"archived as not worth a call, yet its spoofing risk is {risk}"
    else:
        assert not dead, f"{category} but says there is nothing to sell: {dead}"
        offer = _pattern(load(lang)["offer.line"])
        assert any(offer.search(line) for line in text.splitlines()), f"{category} without an offer"
    if risk == "none":  # the domain does not exist or is parked: nothing to sell
        assert category == "P6"
    if risk == "high" and category != "P6":
        assert "talk.risk_high" in weak, "a high risk the talking points do not mention"


def test_the_check_catches_a_contradiction():
    """The test above would fail on the brief the issue describes (risk high, yet archived)."""
    en = load("en")
    text = "\n".join(
        [
            "**" + en["one_liner.P6"].format(provider="shared hosting at Natro") + "**",
            "- " + en["risk.line"].format(level=en["risk.high"]),
            "- Category P6, No-Go / Archive; segment Skip; readiness score 5 of 100.",
            "1. " + en["talk.P4"][0],
            "- " + en["offer.why.existing_weak"],
        ]
    )
    protected = _said(text, _patterns("en", PROTECTED))
    weak = _said(text, _patterns("en", WEAK))
    assert protected and weak and _risk(text, "en") == "high"
