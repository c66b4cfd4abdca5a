"""The call brief for people: a Rich layout for the terminal, Markdown for a CRM or e-mail."""

from __future__ import annotations

import re

from ..brief.compose import Brief
from ..brief.localize import as_day
from ..brief.messages import Messages
from .formats import Format, Output, formatter

CATEGORY_STYLE = {"P1": "bold green", "P2": "bold cyan", "P3": "bold yellow", "P4": "yellow", "P5": "dim", "P6": "dim"}
RISK_STYLE = {"high": "bold red", "medium": "yellow", "low": "green", "none": "dim"}


_PIECE = re.compile(r"[^.\-]*[.\-]+|[^.\-]+")  # a label and the dots or hyphens after it


def fold(text: str, width: int) -> list[str]:
    """``text`` wrapped into lines of at most ``width`` cells, broken at spaces; a word longer than a
    line (a long MX host, DKIM CNAME target or SPF include) starts a line of its own and is broken
    only after a dot or a hyphen, so no label is cut in two (``outlook.c`` / ``om``). Only a single
    label longer than the line itself is cut where the line ends."""
    from rich.cells import cell_len

    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for word in text.split():
        if cell_len(line) + (1 if line else 0) + cell_len(word) <= width:
            line = f"{line} {word}" if line else word
            continue
        if line:
            lines.append(line)
            line = ""
        if cell_len(word) <= width:
            line = word
            continue
        for piece in _PIECE.findall(word):
            while cell_len(piece) > width:  # one label longer than the line: nothing better to do
                if line:
                    lines.append(line)
                    line = ""
                lines.append(piece[:width])
                piece = piece[width:]
            if cell_len(line) + cell_len(piece) <= width:
                line += piece
            else:
                lines.append(line)
                line = piece
    if line or not lines:
        lines.append(line)
    return lines


class Folded:
    """A brief line for a Rich table cell, wrapped by :func:`fold` at the width the cell gets."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console, options):
        from rich.text import Text

        yield Text("\n".join(fold(self.text, options.max_width)), no_wrap=True, overflow="crop")

    def __rich_measure__(self, console, options):
        from rich.cells import cell_len
        from rich.measure import Measurement

        pieces = [p for word in self.text.split() for p in _PIECE.findall(word)] or [""]
        return Measurement(max(cell_len(p) for p in pieces), cell_len(self.text)).clamp(max_width=options.max_width)


def _sections(b: Brief, m: Messages) -> list[tuple[str, list[str]]]:
    sections = [
        (m("section.mail"), b.mail),
        (m("section.security"), b.security),
        (m("section.microsoft"), b.microsoft),
        (m("section.services"), b.services),
        (m("section.priority"), b.priority),
        (m("section.talking_points"), b.talking_points),
        (m("section.questions"), b.questions),
        (m("section.offer"), b.offer.lines),
        (m("section.next_step"), [b.next_step] if b.next_step else []),
        (m("section.registration"), b.registration),
        (m("section.changes"), [c.text for c in b.changes] + ([b.changes_note] if b.changes_note else [])),
    ]
    if b.referrals:  # each referral's lines, one after another
        sections.append((m("section.referrals"), [line for r in b.referrals for line in r.lines]))
    if b.crm:
        sections.append((m("section.crm"), b.crm))
    if b.notes:
        sections.append((m("section.notes"), b.notes))
    return [(title, lines) for title, lines in sections if lines]


def _title(b: Brief, m: Messages) -> str:
    name = b.domain_unicode
    return m("title", domain=f"{name} ({b.company})" if b.company else name)


def markdown(b: Brief) -> str:
    m = Messages(b.lang)
    out = [f"# {_title(b, m)}", "", f"**{b.one_liner}**", ""]
    if b.scanned_at:
        out += [m("scanned", date=as_day(b.scanned_at) or b.scanned_at[:10]), ""]
    for title, lines in _sections(b, m):
        out.append(f"## {title}")
        out.append("")
        numbered = title in (m("section.talking_points"), m("section.questions"))
        for i, line in enumerate(lines, 1):
            out.append(f"{i}. {line}" if numbered else f"- {line}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def rich(b: Brief):
    """A renderable for a Rich console: a headline panel, then one panel per section."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    m = Messages(b.lang)
    head = Text()
    if b.category:
        head.append(f"{b.category} ", style=CATEGORY_STYLE.get(b.category, ""))
        head.append(f"{b.category_label} · {m('head.score', score=b.score)} · {b.follow_up}\n")
    head.append(b.one_liner)
    if b.risk:
        head.append("\n")
        line = b.risk_text or m("risk.line", level=m(f"risk.{b.risk}"))  # briefs made before risk_text
        head.append(line, style=RISK_STYLE.get(b.risk, ""))
    parts = [Panel(head, title=_title(b, m), title_align="left")]
    for title, lines in _sections(b, m):
        numbered = title in (m("section.talking_points"), m("section.questions"))
        body = Table.grid(padding=(0, 1))  # bullet column + text column: wrapped lines hang under the text
        body.add_column(no_wrap=True)
        body.add_column()
        for i, line in enumerate(lines, 1):
            body.add_row(f"{i}." if numbered else "•", Folded(line))
        parts.append(Panel(body, title=title, title_align="left", border_style="dim"))
    return Group(*parts)


@formatter("brief", Format.rich)
def _brief_rich(b: Brief, out: Output) -> None:
    out.console.print(rich(b))


@formatter("brief", Format.markdown)
def _brief_markdown(b: Brief, out: Output) -> None:
    out.write(markdown(b))


@formatter("brief", Format.json)
def _brief_json(b: Brief, out: Output) -> None:
    out.write(b.model_dump_json() + "\n")
