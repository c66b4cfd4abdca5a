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


def _label(ids: list[str], short: bool) -> str:
    """A column's heading: every provider id, or the first and how many more (``godaddy +6``) when short."""
    whole = " / ".join(ids)
    return f"{ids[0]} +{len(ids) - 1}" if short and len(ids) > 1 and len(whole) > 13 else whole


def markdown(rules: Rules | None = None, width: int | None = None) -> str:
    """Three tables: plain, with a gateway in front, with a Microsoft tenant present.

    ``width`` (a terminal's columns): each table is split into as many tables as it takes for
    every line to fit, with shortened headings (``godaddy +6``) and a legend of the shared
    columns; None for one wide table each (docs/scoring.md).
    """
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
        chunks = [cols]
        full = len("| SPF | DKIM | DMARC |") + sum(max(len(_label(ids, False)), 10) + 3 for ids, _ in cols)
        short = width is not None and full > width
        if short and width is not None:
            chunks, line = [[]], len("| SPF | DKIM | DMARC |")
            for col in cols:
                cell = max(len(_label(col[0], True)), 10) + 3
                if chunks[-1] and line + cell > width:
                    chunks.append([])
                    line = len("| SPF | DKIM | DMARC |")
                chunks[-1].append(col)
                line += cell
        lines = [f"#### {title}"]
        for chunk in chunks:
            header = "| SPF | DKIM | DMARC | " + " | ".join(_label(ids, short) for ids, _ in chunk) + " |"
            sep = "|---|---|---|" + "---|" * len(chunk)
            lines += ["", header, sep]
            for i, (spf, dkim, dmarc) in enumerate(rows()):
                cells = [f"{o[i].score} {SEG_SHORT[o[i].segment]} {o[i].category}" for _, o in chunk]
                lines.append(
                    f"| {'Y' if spf else 'N'} | {'Y' if dkim else 'N'} | {dmarc} | " + " | ".join(cells) + " |"
                )
            shared = [ids for ids, _ in chunk if short and _label(ids, True) != " / ".join(ids)]
            if shared:
                lines += [""] + [f"{_label(ids, True)}: {', '.join(ids)}" for ids in shared]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
