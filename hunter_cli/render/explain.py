"""The score breakdown of `hunter explain`, as a Rich table or one JSON object."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from rich import box
from rich.markup import escape
from rich.table import Table

from ..brief.messages import Messages
from ..scoring import Facts, Outcome, Rules
from .formats import Format, Output, formatter
from .short import heading


def item_text(code: str, lang: str = "en") -> str:
    """One score item in words (``explain.item.*`` of the brief's message files); a rules file's own code
    as it is. A provider item names the provider as the brief does (``provider:m365`` -> Microsoft 365,
    compose.provider_label), never by its id."""
    m = Messages(lang)
    if code.startswith("provider:"):
        from ..brief.compose import provider_label

        return m("explain.provider", provider=provider_label(m, code.split(":", 1)[1]))
    return m(f"explain.item.{code}") if m.has(f"explain.item.{code}") else code


def reason_lines(reasons: list[str], lang: str = "en", spf_short: str | None = None) -> list[str]:
    """A lead's stored reasons (``provider:m365 +50``, ``no_dkim -15``, ``segment:existing``,
    ``category:renewal``; scoring.evaluate) in words, as `hunter explain` words them: each score item
    with its points (``+50  mail provider Microsoft 365``), then the rules that chose the segment and
    the category (messages ``show.reason_segment``, ``show.reason_category``). ``spf_short``:
    why their SPF does not protect them (posture.spf_shortfall), for compose.shown_code."""
    from ..brief.compose import shown_code

    m = Messages(lang)
    items: list[str] = []
    rules: list[str] = []
    for reason in reasons:
        code, _, points = reason.partition(" ")
        if code.startswith(("segment:", "category:")):
            kind, _, rule = code.partition(":")
            rules.append(m(f"show.reason_{kind}", rule=rule_text(rule, lang)))
        elif points:
            items.append(f"{points} {item_text(shown_code(code, spf_short), lang)}")
        else:
            items.append(item_text(shown_code(code, spf_short), lang))
    return items + rules


def rule_text(rule: str, lang: str = "en") -> str:
    """The rules that chose a segment or a category (``renewal+onprem_migration``), in words."""
    m = Messages(lang)
    return "; ".join(m(f"explain.rule.{p}") if m.has(f"explain.rule.{p}") else p for p in rule.split("+"))


def follow_up_window(rules: Rules, category: str, lang: str = "en") -> str:
    """The category's follow-up window in ``lang`` ("48 hours", "48 saat")."""
    from ..brief.compose import follow_up

    return follow_up(Messages(lang), rules, category)


def explain_table(
    domain: str,
    facts: Facts,
    out: Outcome,
    lang: str = "en",
    window: str | None = None,
    doubt: str | None = None,
    spf_short: str | None = None,
) -> Table:
    """The breakdown as a table: each point with its reason, the readiness score, then the segment and
    the category, each with what it means (the brief's words: hunter_cli/brief/compose.py). ``doubt``
    (compose.evidence_doubt) words the Microsoft 365 segment and category as the records' claim;
    ``spf_short``: why the no-SPF points are taken from a valid record (posture.spf_shortfall)."""
    from ..brief.compose import category_means, segment_means, shown_code
    from ..domains import to_unicode

    m = Messages(lang)
    title = m("explain.title", domain=to_unicode(domain))
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False)
    table.add_column(heading(m("explain.points")), justify="right")
    table.add_column(heading(m("explain.why")), overflow="fold")
    for item in out.items:
        table.add_row(f"{item.points:+d}", item_text(shown_code(item.code, spf_short), lang))
    clamp = m("explain.clamp", raw=out.raw_score) if out.raw_score != out.score else ""
    total = m("explain.total", clamp=clamp)
    head, _, rest = total.partition(":")
    table.add_row(f"[bold]{out.score}[/]", f"[bold]{escape(head)}[/]:{escape(rest)}" if rest else escape(total))
    segment = m(
        "explain.segment",
        segment=m(f"segment.{out.segment}"),
        means=segment_means(m, out.segment, doubt),
        rule=rule_text(out.segment_rule, lang),
    )
    category = m(
        "explain.category",
        category=out.category,
        label=m(f"label.{out.category}"),
        means=category_means(m, out.category, out.category_rule, doubt),
        rule=rule_text(out.category_rule, lang),
        window=window or out.window,
    )
    table.caption = escape(f"{segment}\n{category}")
    table.caption_justify = "left"
    return table


@dataclass
class Explanation:
    """A domain's score: the facts scoring read and the outcome of the rules (scoring.evaluate)."""

    domain: str
    facts: Facts
    outcome: Outcome
    lang: str = "en"  # the words of the table (--lang); the JSON keeps the stored values
    window: str | None = None  # the follow-up window in ``lang``
    doubt: str | None = None  # compose.evidence_doubt: the Microsoft records are not confirmed
    spf_short: str | None = None  # why their SPF does not protect them (posture.spf_shortfall)


@formatter("explain", Format.table)
def _explain_table(e: Explanation, out: Output) -> None:
    out.console.print(explain_table(e.domain, e.facts, e.outcome, e.lang, e.window, e.doubt, e.spf_short))


@formatter("explain", Format.json)
def _explain_json(e: Explanation, out: Output) -> None:
    o = e.outcome
    doc = {
        "domain": e.domain,
        "score": o.score,
        "raw_score": o.raw_score,
        "segment": o.segment,
        "segment_rule": o.segment_rule,
        "category": o.category,
        "category_label": o.label,
        "category_rule": o.category_rule,
        "follow_up": o.window,
        "items": [{"code": i.code, "points": i.points} for i in o.items],
        "facts": dataclasses.asdict(e.facts),
    }
    out.write(json.dumps(doc, ensure_ascii=False) + "\n")
