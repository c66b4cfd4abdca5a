"""The full decision matrix, generated from the rules: provider x SPF x DKIM x DMARC.

docs/scoring.md embeds the Markdown this module renders; a test fails when the
two drift apart. Providers that behave the same in every row share a column.
"""

from __future__ import annotations

from itertools import product

from . import DMARC_STATES, Facts, Rules, evaluate, load_rules

SEG_SHORT = {"Existing": "Ex", "Migration": "Mig", "Cold": "Cold", "Skip": "Skip"}


def rows(gateway: bool = False, tenant: bool = False) -> list[tuple[bool, bool, str]]:
    return [(spf, dkim, dmarc) for spf, dkim, dmarc in product((True, False), (True, False), reversed(DMARC_STATES))]


def columns(rules: Rules, providers: list[str], gateway: bool = False, tenant: bool = False):
    """[(provider ids sharing a column, [outcome per row])], in provider order."""
    out: list[tuple[list[str], list]] = []
    for p in providers:
        outcomes = [evaluate(Facts(p, spf, dkim, dmarc, gateway, tenant), rules) for spf, dkim, dmarc in rows()]
        key = [(o.score, o.segment, o.category) for o in outcomes]
        for ids, existing in out:
            if [(o.score, o.segment, o.category) for o in existing] == key:
                ids.append(p)
                break
        else:
            out.append(([p], outcomes))
    return out


def markdown(rules: Rules | None = None) -> str:
    """Three tables: plain, with a gateway in front, with a Microsoft tenant present."""
    rules = rules or load_rules()
    providers = [p for p in rules.data["provider_points"]]
    parts = []
    for title, gateway, tenant, subset in (
        ("Without gateway or tenant", False, False, providers),
        (
            "With a security gateway in front (the mailbox provider behind it is scored)",
            True,
            False,
            [p for p in providers if p != "none"],
        ),
        ("With a Microsoft tenant present", False, True, [p for p in providers if p != "none"]),
    ):
        cols = columns(rules, subset, gateway, tenant)
        header = "| SPF | DKIM | DMARC | " + " | ".join(" / ".join(ids) for ids, _ in cols) + " |"
        sep = "|---|---|---|" + "---|" * len(cols)
        lines = [f"#### {title}", "", header, sep]
        for i, (spf, dkim, dmarc) in enumerate(rows()):
            cells = [f"{o[i].score} {SEG_SHORT[o[i].segment]} {o[i].category}" for _, o in cols]
            lines.append(f"| {'Y' if spf else 'N'} | {'Y' if dkim else 'N'} | {dmarc} | " + " | ".join(cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
