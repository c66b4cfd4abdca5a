"""The score breakdown of `hunter explain`, as a Rich table or one JSON object."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from rich import box
from rich.table import Table

from ..scoring import Facts, Outcome
from .formats import Format, Output, formatter
from .short import heading

ITEM_TEXT = {
    "spf": "SPF record published",
    "dkim": "DKIM key published",
    "dmarc_quarantine": "DMARC policy quarantine",
    "dmarc_reject": "DMARC policy reject",
    "gateway": "security gateway in front of the mailbox",
    "no_spf": "no valid SPF record (none, or a broken one)",
    "no_dkim": "no DKIM key found",
    "dmarc_none": "DMARC policy none (monitoring only)",
    "no_dmarc": "no DMARC record (scores like p=none, never better)",
    "weak_hosting": "shared hosting with neither SPF nor DKIM",
}
RULE_TEXT = {
    "no_mail": "the domain receives no mail",
    "existing": "mail runs on Microsoft 365",
    "migration": "score 60 or more on a non-Microsoft provider",
    "cold": "mail works, score below 60",
    "domain_does_not_exist": "the domain does not exist",
    "parked": "the domain is parked",
    "broken_mail": "MX records exist but no MX host resolves",
    "greenfield": "own server or shared hosting, whatever the score",
    "tenant_cross_sell": "a Microsoft tenant exists while mail runs elsewhere",
    "no_go": "segment Skip: nothing to sell",
    "competitive": "Google, Yandex or Zoho, whatever the score",
    "competitive_niche": "another mail service, ready to migrate",
    "weak_partner": "Microsoft 365 with score 69 or less",
    "renewal": "Microsoft 365 with score 70 or more",
    "nurture": "no stronger rule applied",
    "cosell_referral": "an active Microsoft co-sell referral names the company: one step up",
    "onprem_migration": "Exchange or Lync still runs on their own servers: one step up",
}


def item_text(code: str) -> str:
    if code.startswith("provider:"):
        return f"mail provider {code.split(':', 1)[1]}"
    return ITEM_TEXT.get(code, code)


def explain_table(domain: str, facts: Facts, out: Outcome) -> Table:
    from ..domains import to_unicode

    title = f"Score of {to_unicode(domain)}"
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False)
    table.add_column(heading("Points"), justify="right")
    table.add_column(heading("Why"), overflow="fold")
    for item in out.items:
        table.add_row(f"{item.points:+d}", item_text(item.code))
    clamp = f" (sum {out.raw_score}, kept within 0..100)" if out.raw_score != out.score else ""
    table.add_row(
        f"[bold]{out.score}[/]",
        f"[bold]readiness score[/]{clamp}: how much of a sound mail set-up is in place (the category is the ranking)",
    )
    table.caption = (
        f"Segment {out.segment}: {RULE_TEXT.get(out.segment_rule, out.segment_rule)}.\n"
        f"Category {out.category} {out.label}: "
        f"{'; '.join(RULE_TEXT.get(part, part) for part in out.category_rule.split('+'))}; "
        f"follow up: {out.window}."
    )
    table.caption_justify = "left"
    return table


@dataclass
class Explanation:
    """A domain's score: the facts scoring read and the outcome of the rules (scoring.evaluate)."""

    domain: str
    facts: Facts
    outcome: Outcome


@formatter("explain", Format.table)
def _explain_table(e: Explanation, out: Output) -> None:
    out.console.print(explain_table(e.domain, e.facts, e.outcome))


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
