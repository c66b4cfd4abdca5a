"""The full decision matrix, generated from the rules: provider x SPF x DKIM x DMARC.

docs/scoring.md embeds the Markdown this module renders; a test fails when the
two drift apart. Providers that behave the same in every row share a column.
"""

from __future__ import annotations

from itertools import product

from . import DMARC_STATES, Facts, Rules, evaluate, load_rules


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


def _word(column: str, text: str, lang: str, short: bool = False) -> str:
    """``text`` of ``column`` as the tables in ``lang`` write it (messages ``table.value.COLUMN[.short].TEXT``:
    Turkish ``kendi``, ``diğer``, ``yok``, ``Soğuk``, ``Pas``), as ``hunter leads`` does; a provider id or a
    value without a message as it is, so the English matrix (docs/scoring.md) reads the ids."""
    from ..brief.messages import Messages

    m = Messages(lang)
    for key in ([f"table.value.{column}.short.{text}"] if short else []) + [f"table.value.{column}.{text}"]:
        if m.has(key):
            return m(key)
    return text


# provider ids that are words, not brands: said in the command's language (Turkish kendi, diğer, yok, bozuk)
_WORDS = frozenset({"self-hosted", "other", "none", "broken", "unknown"})


def _label(ids: list[str], short: bool, forms: bool = False, lang: str = "en") -> str:
    """A column's heading: every provider id, or the first and how many more (``godaddy +6``) when short;
    with ``forms`` (a narrow terminal) a single provider in its short form (``own srv``, render/short.py).
    The words among them (``self-hosted``, ``other``, ``none``) in ``lang``."""
    from ..render.short import shorten

    if lang != "en":  # brands keep their ids, as in English; the words are said in the language
        ids = [_word("provider", shorten("provider", i) if forms else i, lang) if i in _WORDS else i for i in ids]
    whole = " / ".join(ids)
    if forms and len(ids) == 1:
        return shorten("provider", ids[0])
    return f"{ids[0]} +{len(ids) - 1}" if short and len(ids) > 1 and len(whole) > 13 else whole


def _cell(score: int, segment: str, category: str, forms: bool, lang: str = "en") -> str:
    """``90 Existing P4``; with ``forms`` (a narrow terminal) ``90 Exist P4``, the segment's short form
    every table on that terminal writes (render/short.py); in ``lang`` (Turkish ``90 Mevcut P4``)."""
    from ..render.short import shorten

    said = shorten("segment", segment) if forms else segment
    return f"{score} {_word('segment', said, lang, short=forms) if lang != 'en' else said} {category}"


def markdown(rules: Rules | None = None, width: int | None = None, lang: str = "en") -> str:
    """Three tables: plain, with a gateway in front, with a Microsoft tenant present.

    ``width`` (a terminal's columns): each table is split into as many tables as it takes for
    every line to fit, with shortened headings (``godaddy +6``) and a legend of the shared
    columns; None for one wide table each (docs/scoring.md).
    ``lang``: the headings, yes/no, segments and the provider words in that language (messages
    ``rules.matrix.*``, ``table.value.*``), as every list table writes them (trial 30).
    """
    from ..brief.messages import Messages
    from ..render.short import narrow, shorten

    m = Messages(lang)
    yes, no = m("rules.matrix.yes"), m("rules.matrix.no")

    rules = rules or load_rules()
    forms = narrow(width)
    providers = [p for p in rules.data["provider_points"]]
    parts = []
    for title, gateway, tenant, subset in (
        (m("rules.matrix.plain"), False, False, providers),
        (m("rules.matrix.gateway"), True, False, [p for p in providers if p != "none"]),
        (m("rules.matrix.tenant"), False, True, [p for p in providers if p != "none"]),
    ):
        cols = columns(rules, subset, gateway, tenant)
        chunks = [cols]

        def cell_width(col: tuple[list[str], list], short: bool) -> int:
            ids, outcomes = col
            widest = max(len(_cell(o.score, o.segment, o.category, forms, lang)) for o in outcomes)
            return max(len(_label(ids, short, forms, lang)), widest) + 3

        full = len("| SPF | DKIM | DMARC |") + sum(cell_width(col, False) for col in cols)
        short = width is not None and full > width
        if short and width is not None:
            chunks, line = [[]], len("| SPF | DKIM | DMARC |")
            for col in cols:
                cell = cell_width(col, True)
                if chunks[-1] and line + cell > width:
                    chunks.append([])
                    line = len("| SPF | DKIM | DMARC |")
                chunks[-1].append(col)
                line += cell
        lines = [f"#### {title}"]
        for chunk in chunks:
            header = "| SPF | DKIM | DMARC | " + " | ".join(_label(ids, short, forms, lang) for ids, _ in chunk) + " |"
            sep = "|---|---|---|" + "---|" * len(chunk)
            lines += ["", header, sep]
            for i, (spf, dkim, dmarc) in enumerate(rows()):
                cells = [_cell(o[i].score, o[i].segment, o[i].category, forms, lang) for _, o in chunk]
                policy = m("rules.matrix.absent") if dmarc == "absent" else shorten("dmarc", dmarc) if forms else dmarc
                lines.append(f"| {yes if spf else no} | {yes if dkim else no} | {policy} | " + " | ".join(cells) + " |")
            shared = [ids for ids, _ in chunk if short and len(ids) > 1 and _label(ids, True) != " / ".join(ids)]
            if shared:
                lines += [""] + [f"{_label(ids, True, False, lang)}: {', '.join(ids)}" for ids in shared]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
