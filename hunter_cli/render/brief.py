"""The call brief for people: a Rich layout for the terminal, Markdown for a CRM or e-mail."""

from __future__ import annotations

from ..brief.compose import Brief
from ..brief.localize import as_day
from ..brief.messages import Messages
from .fold import Folded  # one folding rule for brief lines and domain cells
from .formats import Format, Output, formatter
from .words import unmarked  # the terminal shows no Markdown code marks, as the `changes` table does

CATEGORY_STYLE = {"P1": "bold green", "P2": "bold cyan", "P3": "bold yellow", "P4": "yellow", "P5": "dim", "P6": "dim"}
RISK_STYLE = {"high": "bold red", "medium": "yellow", "low": "green", "none": "dim"}


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
    """A renderable for a Rich console: a headline panel, then one panel per section. Markdown code marks
    (```include:x` added``) are left out on the terminal, as in the `changes` table; :func:`markdown` keeps them."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    m = Messages(b.lang)
    head = Text()
    if b.category:
        head.append(f"{b.category} ", style=CATEGORY_STYLE.get(b.category, ""))
        head.append(f"{b.category_label} · {m('head.score', score=b.score)} · {b.follow_up}\n")
    head.append(unmarked(b.one_liner))
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
            body.add_row(f"{i}." if numbered else "•", Folded(unmarked(line)))
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
