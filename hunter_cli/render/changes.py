"""`hunter changes` output: the change events as a table (each event in one short line,
"Provider: Google Workspace → Microsoft 365", worded by hunter_cli/brief/events.py), JSON or CSV."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich import box
from rich.table import Table
from rich.text import Text

from ..timefmt import for_people
from .formats import Format, Output, formatter
from .short import heading
from .styles import CATEGORY_STYLE
from .words import column, lang, number, say, unmarked

CSV_COLUMNS = ["occurred_at", "domain", "company", "kind", "old", "new", "category"]


def describe(kind: str, old: str | None, new: str | None, lang: str = "en", detail: str | None = None) -> str:
    """One line a rep reads: what changed, from what to what ("Now uses Zoom", "Zoom domain verification record
    added" when ``detail`` says only the token was seen). Pure; ``kind`` is an
    event kind of docs/database.md. The wording is the message files' ``event.*`` (shared with the
    brief's "What changed", :func:`hunter_cli.brief.events.event_text`), in ``lang``."""
    from ..brief.events import event_text, messages

    return unmarked(event_text(messages(lang), kind, old, new, detail))


def since_words(since: str) -> str:
    """``7d`` (a --since duration) in the command's language, ``7 days`` / ``7 gün`` (messages
    ``window.*``): seconds to weeks, the Turkish units (``1ay``: 1 ay) too; other forms as given."""
    from ..durations import unit_of

    found = unit_of(since)
    if found is None or found[0] != int(found[0]):
        return since
    n = int(found[0])
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month"}[found[1]]
    return say(f"window.{unit}" if n == 1 else f"window.{unit}s", n=number(n))


def _under(when: str, lines: int) -> str:
    """A moment as :func:`~hunter_cli.timefmt.for_people` writes it, over two lines: the time under the day
    (``lines`` 1: ``2026-11-29`` / ``15:30``), or under the day's last word too (2: ``29 Kasım`` / ``2026 15:30``;
    an ISO day has none, so it stays as with 1)."""
    day, _, time = when.rpartition(" ")
    if not day:
        return when
    if lines == 2 and " " in day:
        first, _, year = day.rpartition(" ")
        return f"{first}\n{year} {time}"
    return f"{day}\n{time}"


def changes_table(rows: list[dict], width: int = 80, dom_w: int | None = None, header: bool = True) -> Table:
    """When (local time), domain (never cut), the change in one short line, category.

    The domain column is as wide as the longest domain (or ``dom_w``, for the later pieces of a long
    list), but leaves the description 20 columns; a longer domain folds after a dot or a hyphen
    (render/fold.py). The description takes what is left and wraps.
    """
    from rich.cells import cell_len

    from ..domains import to_unicode
    from .fold import fold, narrowest

    domains = [to_unicode(r["domain"]) for r in rows]
    texts = [describe(r["kind"], r.get("old"), r.get("new"), lang(), detail=r.get("detail")) for r in rows]
    cat_label = say("changes.col.category")  # as `hunter leads` heads it (Turkish Önc): "Öncelik" took 7 columns
    cat_w = max(3, cell_len(cat_label))
    dom_w = dom_w or max([cell_len(column("Domain"))] + [cell_len(d) for d in domains])
    # the description wraps at spaces and never inside a word: a tenant id, a host or a domain is one token,
    # and one broken mid-token (trial 30: a GUID over two lines) can be neither read nor copied
    token = min(40, max([20] + [cell_len(t) for text in texts for t in text.split()]))
    # the time goes under the date (2026-11-29 over 15:30: 10 columns, not 16; Turkish 29 Kasım 2026 over
    # 15:30, or 29 Kasım over 2026 15:30) before a domain folds: both are identifiers
    whens = [for_people(r["occurred_at"], lang()) for r in rows]
    forms = [whens, [_under(w, 1) for w in whens], [_under(w, 2) for w in whens]]
    widths = [max([cell_len(line) for w in form for line in w.split("\n")] + [5]) for form in forms]
    pick = next((i for i, w in enumerate(widths) if w + 2 + dom_w + 2 + token + 2 + cat_w <= width), 2)
    whens, when_w = forms[pick], widths[pick]
    # When, the description's least and Cat, each column but the last followed by 2 (padding and divider)
    room = width - (when_w + 2) - 2 - (token + 2) - cat_w
    if dom_w > room:  # fold rather than cut: as narrow as the room, never narrower than a label
        dom_w = max(room, cell_len(column("Domain")), *(min(narrowest(d), dom_w) for d in domains))
    domains = [d if cell_len(d) <= dom_w else "\n".join(fold(d, dom_w)) for d in domains]
    table = Table(
        box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=True, padding=(0, 1, 0, 0), show_header=header
    )
    table.add_column(heading("When"), no_wrap=True, width=when_w)
    table.add_column(heading("Domain"), no_wrap=True, width=dom_w, style="bold")
    table.add_column(heading("Change"), overflow="fold", min_width=token, ratio=1)
    table.add_column(Text(cat_label, no_wrap=True, overflow="ellipsis"), no_wrap=True, width=cat_w)
    for r, when, d, text in zip(rows, whens, domains, texts, strict=True):
        cat = r.get("category") or ""
        table.add_row(
            when,
            d,
            text,
            Text(cat, style=CATEGORY_STYLE.get(cat, "")),
        )
    return table


@dataclass
class Changes:
    """Change events newest first (store.iter_events rows, streamed), seen within ``since`` (as typed, e.g. 7d),
    i.e. at or after ``cutoff`` (ISO time); ``no_leads`` when the database holds no lead at all."""

    rows: Iterable[dict]
    since: str
    cutoff: str
    no_leads: bool = False
    total: int = 0  # how many match without the limit (the table's footer)


@formatter("changes", Format.json)
def _json(c: Changes, out: Output) -> None:
    from .paging import write_json_array

    write_json_array(c.rows, out.stream)


@formatter("changes", Format.csv)
def _csv(c: Changes, out: Output) -> None:
    from .csvsafe import write_csv

    write_csv(out.stream, CSV_COLUMNS, ([r[k] for k in CSV_COLUMNS] for r in c.rows))


@formatter("changes", Format.table)
def _table(c: Changes, out: Output) -> None:
    """The first page (or every row, in pieces of :data:`paging.PIECE` laid out like the first) and a
    footer on stderr saying how many matched."""
    from itertools import islice

    from rich.cells import cell_len

    from ..domains import to_unicode
    from ..durations import date_of
    from .paging import PIECE

    rows = iter(c.rows)
    piece = list(islice(rows, PIECE))
    if not piece:
        out.err.print(
            say("leads.none_yet")
            if c.no_leads
            else say("changes.none_date", day=c.since.strip())
            if date_of(c.since)
            else say("changes.none", since=since_words(c.since)),
            markup=False,
        )
        return
    dom_w = max([cell_len(column("Domain"))] + [cell_len(to_unicode(r["domain"])) for r in piece])
    shown, header = 0, True
    while piece:  # Rich measures every cell before printing: a table of thousands would take seconds
        for r in piece:  # a later, longer domain widens its own piece's column rather than being cut
            dom_w = max(dom_w, cell_len(to_unicode(r["domain"])))
        out.console.print(changes_table(piece, out.console.width, dom_w=dom_w, header=header))
        shown += len(piece)
        header = False
        piece = list(islice(rows, PIECE))
    day = for_people(c.cutoff, lang())  # a moment (now minus --since), with its minutes: "since 2026-11-29" misled
    if c.total > shown:
        out.err.print(say("changes.footer.some", shown=shown, total=c.total, day=day), markup=False)
    else:
        out.err.print(say(f"changes.footer.{'one' if shown == 1 else 'many'}", n=shown, day=day), markup=False)
