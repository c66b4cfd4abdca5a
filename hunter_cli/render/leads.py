"""`hunter leads`: the lead list as a Rich table, JSON, NDJSON or CSV, and one lead in full (`hunter leads show`)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Group, JustifyMethod, OverflowMethod, RenderableType
from rich.text import Text

from ..timefmt import day_for_people, for_machines, for_people
from .csvsafe import NOT_KNOWN, bom_text, csv_cell, machine_row, separator
from .fold import fold
from .formats import Format, Output, formatter
from .short import FILTER_COLUMNS, GIVE_WAY, SHORT, heading, narrow
from .styles import CATEGORY_STYLE, PROVIDER_STYLE, STATUS_STYLE
from .words import column, lang, say, value

if TYPE_CHECKING:  # the list itself needs no pydantic model: `leads show` imports the lead view
    from rich.table import Table  # the page of a list mostly lays itself out (plain_lines)

    from ..brief.messages import Messages
    from ..lead import Lead

# Columns of the machine formats, in order (CSV header = these names).
FIELDS = (
    "domain",
    "domain_unicode",
    "company",
    "provider",
    "provider_name",
    "gateway",
    "tenant",
    "tenant_id",
    "footprint",
    "dmarc_policy",
    "spf_all",
    "dkim",
    "score",
    "segment",
    "category",
    "last_scanned",
    "last_status",
    "last_attempt",
    "last_change",
    "expires",
    "referrals",
    "active_cosell",
    "tags",
    "crm_status",
    "crm_owner",
    "failed_checks",  # the checks whose lookups failed in the latest attempt (a list; ';' in CSV)
)
CSV_TIMES = ("last_scanned", "last_attempt", "last_change")  # ISO 8601 with offset, as in JSON


# -- helpers shared by the table and the detail view ---------------------------------
def provider_label(provider: str | None, provider_name: str | None) -> str:
    """The provider as a rep reads it: the brand for shared hosting (Natro), the id otherwise (m365)."""
    if provider == "hosting" and provider_name:
        return provider_name
    return provider or ""


def gateway_name(gateway: str | None) -> str:
    """A security gateway as a rep reads it: its name in the provider catalog (``mimecast`` -> Mimecast),
    else the id; '' for none."""
    if not gateway:
        return ""
    from ..catalog import load_catalog

    return load_catalog().names.get(gateway, gateway)


def failure_words(m: Messages, check: str | None, kind: str | None) -> str:
    """A failed lookup (``dkim unreachable``) in ``m``'s language, as :func:`hunter_cli.facts.failure_part` says
    it (``Microsoft kayıtları SERVFAIL``); English as stored (``footprint servfail``), beside the stored message in
    `leads show`'s errors panel.
    ``check``: :func:`hunter_cli.facts.failed_check` of the stored error."""
    if m.lang == "en":
        return f"{check or ''} {kind or 'error'}".strip()
    from ..facts import failure_part
    from ..said import in_lang

    return in_lang(failure_part(check, kind), m.lang)


def history_errors(m: Messages, errors: list[dict]) -> str:
    """The failed lookups of one scan in the history table, each kind once with how often it failed
    (``DKIM unreachable x11, FOOTPRINT unreachable x13``; messages ``show.repeat``), in first-seen order.
    Worded in every language as the brief and prep word a failed scan (:func:`hunter_cli.facts.failure_part`:
    ``MX CNAME loop``, Turkish ``MX CNAME döngüsü``), never the stored codes (``mx cname-loop``; trial 24)."""
    from collections import Counter

    from ..facts import failure_part
    from ..said import in_lang

    counts = Counter(in_lang(failure_part(e.get("check"), e.get("kind"), e.get("message")), m.lang) for e in errors)
    return ", ".join(m("show.repeat", what=w, n=n) if n > 1 else w for w, n in counts.items())


def registration_failure(m: Messages, reg: dict) -> str:
    """Why a registration lookup failed: the kind in words (messages ``show.reg_kind.*``: ``unreachable``
    -> "the registry server could not be reached"), then the stored detail, kept apart (``; detail: ...``).
    The kinds are registration.RegistrationFailure's."""
    err = reg.get("error") or {}
    kind, detail = str(err.get("kind") or ""), str(err.get("message") or "").strip()
    said = m(f"show.reg_kind.{kind}") if m.has(f"show.reg_kind.{kind}") else kind
    if said and detail:
        return m("show.reg_failure_detail", kind=said, detail=detail)
    return said or detail or m("cli.failure.unknown")


# Providers whose stored name is Hunter's own English words (hunter_cli/catalog/__init__.py), not a brand's
_GENERIC_PROVIDERS = frozenset({"self-hosted", "other", "broken", "none", "unknown"})


def _provider_name(m, provider: str | None, name: str) -> str:
    """The provider's name after its short form in `leads show`: a brand as it is (Google Workspace), Hunter's
    own words for a kind of set-up (No mail) in the command's language (messages ``provider.*``)."""
    if m.lang != "en" and provider in _GENERIC_PROVIDERS and m.has(f"provider.{provider}"):
        return m(f"provider.{provider}")
    return name


def tenant_label(tenant: str | None, scanned: bool) -> str:
    """Managed / Federated / Unknown, "none" when there is none, "?" when not known, blank when never scanned."""
    if not scanned:
        return ""
    return tenant or "?"


def date_part(ts: str | None) -> str:
    """The local day of a stored time (``2026-03-01``; Turkish ``1 Mart 2026``)."""
    return day_for_people(ts, lang())


def _cat(category: str | None) -> Text:
    return Text(category or "", style=CATEGORY_STYLE.get(category or "", ""))


# -- table ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Col:
    header: str
    comfortable: int  # shrunk to this first...
    narrowest: int  # ...and only then down to this
    widest: int
    overflow: OverflowMethod = "ellipsis"  # fold wraps (domains, tags); ellipsis shortens with "…"
    justify: JustifyMethod = "left"


_COLS = {
    "domain": _Col("Domain", 20, 14, 40, "fold"),
    "company": _Col("Company", 12, 8, 28),
    "provider": _Col("Provider", 8, 6, 23),  # Namecheap Private Email
    "gateway": _Col("Gateway", 7, 4, 14),
    "tenant": _Col("Tenant", 7, 4, 9),
    "footprint": _Col("Footprint", 9, 5, 28, "fold"),
    "dmarc": _Col("DMARC", 7, 5, 10),
    "score": _Col("Score", 5, 5, 5, justify="right"),
    "segment": _Col("Segment", 7, 4, 9),
    "category": _Col("Cat", 3, 3, 3),
    "scanned": _Col("Scanned", 10, 10, 10),
    "tags": _Col("Tags", 12, 6, 30, "fold"),
    "referrals": _Col("Ref", 3, 3, 3, justify="right"),
    "crm": _Col("CRM", 4, 4, 13),
}
WIDE = tuple(_COLS)
# Too narrow for eleven columns (80-column terminals): the company goes under the domain, the tags (unless
# --tag asks about them) are left out and the footer says where they are.
NARROW = (
    "domain",
    "provider",
    "gateway",
    "tenant",
    "dmarc",
    "score",
    "segment",
    "category",
    "scanned",
    "referrals",
    "crm",
)
CRM_STYLE = {
    "qualified": "bold green",
    "disqualified": "dim",
    "deleted": "red",
    "failed": "red",
    "update failed": "red",
}


def footprint_shown(stored: str | None) -> str:
    """The footprint as the table shows it: the stored compact form (``exo,teams | zoom``,
    :meth:`hunter_cli.lead.footprint.Listed.cell`) with a space after each comma, and ``-`` for "no
    Microsoft workload" before the services (``- | google``), as the table writes "no record" in
    DMARC: ``none | google`` read as "none, or Google". Alone, ``none`` stays (nothing at all)."""
    text = (stored or "").replace(",", ", ")
    workloads, bar, services = text.partition(" | ")
    return f"- | {services}" if bar and workloads == "none" else text


def _cells(r: dict) -> dict:
    scanned = r.get("last_scanned") is not None
    # attempted, never read: every fact is not known ("?"), never blank as for a lead not scanned yet
    tried = not scanned and r.get("last_attempt") is not None
    return {
        "domain": r.get("domain_unicode") or r["domain"],
        "company": r.get("company") or "",
        "provider": Text(  # never scanned (imported): said, not a row of blank cells (trial 30)
            "?"
            if tried
            else provider_label(r.get("provider"), r.get("provider_name"))
            if scanned or r.get("provider")
            else say("leads.not_scanned"),
            style=PROVIDER_STYLE.get(r.get("provider") or "", "") if scanned or r.get("provider") else "dim",
        ),
        "gateway": NOT_KNOWN if tried else r.get("gateway") or "",  # blank is "no gateway"
        "tenant": "?" if tried else tenant_label(r.get("tenant"), scanned),
        # a space after each comma lets a narrow column wrap between names, never inside one
        "footprint": footprint_shown(r.get("footprint")) if scanned else ("?" if tried else ""),
        "dmarc": (r.get("dmarc_policy") or "-") if scanned else ("?" if tried else ""),
        "score": "" if r.get("score") is None else str(r["score"]),
        "segment": r.get("segment") or "",
        "category": _cat(r.get("category")),
        "scanned": Text(
            value("status", "failed")
            if tried and r.get("last_status") == "failed"
            else date_part(r.get("last_scanned")),
            style="red" if r.get("last_status") == "failed" else "",
        ),
        "tags": ", ".join(r.get("tags") or []),
        "referrals": Text(str(r["referrals"]), style="bold cyan" if r.get("active_cosell") else "")
        if r.get("referrals")
        else "",
        "crm": Text(r.get("crm_status") or "", style=CRM_STYLE.get(r.get("crm_status") or "", "")),
        "unscanned": not scanned and not tried and not r.get("provider"),  # imported, never scanned
    }


def _unscanned_under(cells: dict) -> dict:
    """The narrow layout's cells: "not scanned" goes under the domain (:func:`_domain_cell`), where there is
    room, rather than widening the Provider column until the Tenant column gives way."""
    return dict(cells, provider="") if cells.get("unscanned") else cells


def _natural(cells: dict, name: str, narrow: bool) -> int:
    cell = cells[name]
    n = max(cell_len(line) for line in (cell.plain if isinstance(cell, Text) else cell).split("\n"))
    if narrow and name == "domain":  # the company (one line, shortened) and the tags (wrapped) go under it
        n = max(n, min(cell_len(cells["company"]), 24), min(cell_len(cells["tags"]), 24))
    return n


def _folded(domain: str, width: int) -> str:
    """``domain`` in lines of at most ``width`` cells, broken after a dot or a hyphen (render/fold.py):
    a name longer than its column is folded whole, never cut inside a label."""
    return domain if cell_len(domain) <= width else "\n".join(fold(domain, width))


def _domain_cell(cells: dict, width: int, tags: bool = False) -> Text:
    """The narrow layout's first cell: the domain, the company under it (one line, cut with "…"), and
    the tags under that only when ``tags`` (a --tag filter asked about them)."""
    text = Text(_folded(cells["domain"], width), style="bold")
    if cells["company"]:
        company = Text(cells["company"])
        company.truncate(width, overflow="ellipsis")
        text.append("\n")
        text.append_text(company)
    if tags and cells["tags"]:
        text.append("\n" + cells["tags"], style="dim")
    if cells.get("unscanned"):
        text.append("\n" + say("leads.not_scanned"), style="dim")
    return text


def column_widths(
    names: tuple[str, ...], naturals: list[int], width: int, gap: int, comfortable: dict[str, int] | None = None
) -> list[int]:
    """Fit the columns into ``width``: one character at a time off the widest column still above its
    comfortable width, then above its narrowest (the domain last); what still does not fit is left to Rich."""
    cols = [_COLS[n] for n in names]
    widths = [max(c.narrowest, min(c.widest, n)) for c, n in zip(cols, naturals, strict=True)]
    floors = (
        [min(c.widest, max(c.comfortable, (comfortable or {}).get(n, 0))) for n, c in zip(names, cols, strict=True)],
        # the domain is the last to go below its comfortable width
        [c.comfortable if n == "domain" else c.narrowest for n, c in zip(names, cols, strict=True)],
        [c.narrowest for c in cols],
    )
    excess = sum(widths) + gap * (len(widths) - 1) - width
    for floor in floors:
        while excess > 0:
            candidates = [i for i, w in enumerate(widths) if w > floor[i]]
            if not candidates:
                break
            i = max(candidates, key=lambda i: (widths[i], -i))
            widths[i] -= 1
            excess -= 1
    return widths


@dataclass(frozen=True)
class Layout:
    names: tuple[str, ...]
    widths: tuple[int, ...]
    narrow: bool
    gap: int
    short: bool = False  # values in their short forms (SHORT)
    tags: bool = True  # the tags are shown: their column, or under the domain in the narrow layout
    gateway_under: bool = False  # the Gateway column gave way: each gateway shows under the provider


def _gateway_under(cells: dict) -> dict:
    """``cells`` with the gateway, once its column gave way, under the provider (``Google`` / ``+proofpoint``,
    as the scan's table joins them: ``m365+mimecast``): a security gateway is a first-order fact for a
    Microsoft partner and never vanishes from the list (trial 30). A gateway not known under a provider not
    known says nothing the provider's `?` does not."""
    if not cells["gateway"] or cells["gateway"] == NOT_KNOWN:
        return cells
    out = dict(cells)
    cell = out["provider"]
    said = f"{cell.plain if isinstance(cell, Text) else cell}\n+{cells['gateway']}"
    out["provider"] = Text(said, style=cell.style) if isinstance(cell, Text) else said
    return out


def _row(r: dict, layout: Layout) -> dict:
    """The cells of lead ``r`` as ``layout`` shows them (short forms, the gateway under the provider)."""
    row = _short(_cells(r), layout.short)
    if layout.narrow:
        row = _unscanned_under(row)
    return _gateway_under(row) if layout.gateway_under else row


DOMAIN_MAX = 40  # longer domains (rare) fold rather than push every other column out
DOMAIN_FOLD_ABOVE = 32  # at 80 columns, longer domains fold before any other column gives way; shorter ones stay whole


def _short(cells: dict, short: bool = True) -> dict:
    """``cells`` with the values in their short forms (when ``short``: :data:`SHORT`) and in the command's
    language (render/words.py :func:`value`)."""
    out = dict(cells)
    for name, forms in SHORT.items():
        cell = out[name]
        plain = cell.plain if isinstance(cell, Text) else cell
        said = value(name, forms.get(plain, plain) if short else plain, short=short)
        if said != plain:
            out[name] = Text(said, style=cell.style) if isinstance(cell, Text) else said
    return out


TAGS_TWO_LINES_UP_TO = 26  # the domain column widens up to this to keep a lead's tags on two lines


def _two_lines(tags: list[str]) -> int:
    """The narrowest width (up to :data:`TAGS_TWO_LINES_UP_TO`) at which ``tags``, written "a, b, c" under
    the domain and wrapped at spaces, take at most two lines: ``gateway, security-risk,`` / ``weak-dmarc``
    rather than one tag a line; 0 without tags."""
    if not tags:
        return 0
    words = [t + "," for t in tags[:-1]] + [tags[-1]]
    for width in range(max(cell_len(w) for w in words), TAGS_TWO_LINES_UP_TO + 1):
        lines, line = 1, -1
        for w in words:
            if line >= 0 and line + 1 + cell_len(w) <= width:
                line += 1 + cell_len(w)
            elif line < 0:
                line = cell_len(w)
            else:
                lines, line = lines + 1, cell_len(w)
        if lines <= 2:
            return width
    return 0


def kept_columns(f: Any = None, order: Iterable[tuple[str, bool]] = ()) -> frozenset[str]:
    """The columns that never give way for a lead filter ``f`` (store.leads.LeadFilter) and a sort
    ``order`` (store.leads.parse_sort): the column of each filter given (:data:`FILTER_COLUMNS`)
    and each column sorted by."""
    import dataclasses

    kept = {name for name, _desc in order if name in _COLS}
    if f is not None:  # a filter is given when its field differs from the field's default
        defaults = {field.name: field.default for field in dataclasses.fields(f)}
        kept.update(column for attr, column in FILTER_COLUMNS.items() if getattr(f, attr) != defaults[attr])
    return frozenset(kept)


def table_layout(rows: list[dict], width: int, keep: Iterable[str] = ()) -> Layout:
    """Columns and their widths for ``rows`` on a ``width``-column terminal.

    Every column when they fit (120 columns). Narrower (80 columns): the company goes under the
    domain, the tags go (under the company when ``keep`` has them: a --tag filter), the scan date
    and the footprint go, values take their short forms below
    120 columns (:data:`SHORT`), and if that is not enough whole columns give way in the order of
    :data:`GIVE_WAY`. A column in ``keep`` (:func:`kept_columns`: filtered on or sorted by)
    never gives way and stays in the narrow layout; what then still does not fit folds (the
    footprint first, the domain last). The domain column is as wide as the longest domain, so
    a domain is never cut or wrapped while the terminal has room.
    """
    keep = frozenset(keep)
    english = [_cells(r) for r in rows]
    cells = [_short(c, False) for c in english]
    # a tag is not split over two lines while the columns can still give way elsewhere
    longest_tag = max((cell_len(t) + 1 for r in rows for t in r.get("tags") or []), default=0)
    has_ref = any(r.get("referrals") for r in rows)
    has_crm = any(r.get("crm_status") for r in rows)
    present = tuple(n for n in WIDE if (has_ref or n != "referrals") and (has_crm or n != "crm"))
    naturals = [max([cell_len(column(_COLS[n].header))] + [_natural(c, n, False) for c in cells]) for n in present]
    widths = column_widths(present, naturals, width, 2, {"tags": longest_tag})
    if all(w >= min(_COLS[n].comfortable, x) for n, w, x in zip(present, widths, naturals, strict=True)) and all(
        w >= x for n, w, x in zip(present, widths, naturals, strict=True) if n == "domain"
    ):
        return Layout(present, tuple(widths), False, 2)
    cells = [_unscanned_under(c) for c in cells]
    shown = set(NARROW) - {"scanned"} | (keep - {"company", "tags"})  # company (and tags): under the domain
    names = [n for n in WIDE if n in present and n in shown]
    # the tags go under the domain only when --tag asks about them: a line of tags under every
    # lead, with no header, made a list of 50 leads 120 lines long (trial 18); the footer says where they are
    tags = "tags" in keep
    if not tags:
        longest_tag = 0
    # as wide as the longest domain, and as the longest tag with the comma after it (the tags go under
    # the domain: a tag wider than the column would be cut mid-word, its comma put on a line of its own)
    header_w = cell_len(column(_COLS["domain"].header))
    # as wide as what goes in it on one line each (the domain, the company up to 24, the tags), up to DOMAIN_MAX ...
    domain_w = min(
        DOMAIN_MAX,
        max(
            [header_w, longest_tag]
            + [
                max(cell_len(c["domain"]), min(cell_len(c["company"]), 24), cell_len(c["tags"]) if tags else 0)
                for c in cells
            ]
        ),
    )
    # ... but a long name (or a long list of tags) folds down to this before any other column gives way: one
    # 62-character domain must not take the gateway, tenant and DMARC from every row (render/fold.py folds it)
    domain_floor = min(
        domain_w,
        max(
            [header_w, longest_tag, _COLS["domain"].comfortable]
            + [cell_len(c["domain"]) for c in cells if cell_len(c["domain"]) <= DOMAIN_FOLD_ABOVE]
            + [_two_lines(r.get("tags") or []) for r in rows if tags]
        ),
    )
    gap = 2

    def natural(n: str, forms: list[dict]) -> int:
        if n == "domain":
            return domain_floor
        widest = max([cell_len(column(_COLS[n].header))] + [_natural(c, n, False) for c in forms])
        return min(_COLS[n].widest, widest) if _COLS[n].overflow == "fold" else widest  # a long footprint folds

    def total(forms: list[dict]) -> int:
        return sum(natural(n, forms) for n in names) + gap * (len(names) - 1)

    short = narrow(width)  # short forms below 120 columns, as in every table (render/short.py)
    if short:
        cells = [_unscanned_under(_short(c)) for c in english]
    gateway_under = False
    if total(cells) > width:  # then whole columns give way
        for drop in GIVE_WAY:
            if total(cells) <= width:
                break
            if drop in names and drop not in keep:
                names.remove(drop)
                if drop == "gateway" and "provider" in names:  # said under the provider, never lost
                    gateway_under = True
                    cells = [_gateway_under(c) for c in cells]
    ws = [natural(n, cells) for n in names]
    excess = sum(ws) + gap * (len(ws) - 1) - width
    if excess < 0 and "domain" in names:  # room left: the domain column takes it, up to what it holds on one line
        i = names.index("domain")
        grow = min(-excess, domain_w - ws[i])
        ws[i] += grow
        excess += grow
    # a terminal narrower still: the columns that fold give up width, the domain last
    for i in sorted(
        (i for i, n in enumerate(names) if _COLS[n].overflow == "fold"), key=lambda i: names[i] == "domain"
    ):
        if excess <= 0:
            break
        floor = _COLS[names[i]].narrowest
        give = min(excess, max(0, ws[i] - floor))
        ws[i] -= give
        excess -= give
    if excess > 0:  # still too wide (columns kept by filters and sorts): headers wider than their values
        # give way next, shown cut with "…" (render.short.heading), so that Rich need not squeeze the domain
        # one character at a time from the one with the most room above its values
        floors = [
            ws[i]
            if _COLS[n].overflow == "fold"
            else max(min(3, cell_len(column(_COLS[n].header))), *(_natural(c, n, False) for c in cells))
            for i, n in enumerate(names)
        ]
        while excess > 0:
            i = max(range(len(names)), key=lambda i: (ws[i] - floors[i], -i))
            if ws[i] <= floors[i]:
                break
            ws[i] -= 1
            excess -= 1
    return Layout(tuple(names), tuple(ws), True, gap, short, tags, gateway_under)


def build_table(rows: list[dict], layout: Layout, header: bool = True) -> Table:
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, layout.gap - 1, 0, 0), show_header=header
    )
    for n, w in zip(layout.names, layout.widths, strict=True):
        c = _COLS[n]
        table.add_column(
            heading(c.header), width=w, overflow=c.overflow, no_wrap=c.overflow == "ellipsis", justify=c.justify
        )
    for r in rows:
        row = _row(r, layout)
        if layout.narrow:
            row["domain"] = _domain_cell(row, layout.widths[0], layout.tags)
        elif "domain" in layout.names:
            row["domain"] = _folded(row["domain"], layout.widths[layout.names.index("domain")])
        table.add_row(*(row[n] for n in layout.names))
    return table


def plain_lines(rows: list[dict], layout: Layout, console: Any) -> str | None:
    """What ``console.print(build_table(rows, layout))`` writes, laid out without Rich's table, or None
    where this does not promise the same characters (Rich lays the table out then).

    Only for a console that writes no escape codes (``color_system`` None: a pipe, a file, a dumb
    terminal), where the characters are all that is printed, for a table that fits the console's width
    and has no markup in its text cells (a ``[``). Rich's layout of it (box.SIMPLE_HEAD without edges,
    each column padded by one space on the right but the last, a one-space divider, a rule under the
    header) is rebuilt here: each cell's lines are Rich's own (:meth:`rich.text.Text.wrap` with the
    column's justification and overflow; a one-line cell that fits is taken as it is), padded to the
    column's width in display cells, a row as tall as its tallest cell. Rich's table took about 36 ms
    for 50 rows, most of it measuring and wrapping cells that fit (docs/performance.md).
    """
    if console.color_system is not None or console.record or layout.gap != 2:
        return None
    names, widths = layout.names, layout.widths
    if sum(widths) + layout.gap * (len(widths) - 1) > console.width:
        return None
    cols = [_COLS[n] for n in names]

    def lines_of(cell: Text | str, col: _Col, width: int) -> list[str] | None:
        if not isinstance(cell, Text) and "[" in cell:  # Rich reads a text cell as markup
            return None
        text = cell.plain if isinstance(cell, Text) else cell
        if "\n" not in text and text.isprintable() and text == text.strip():
            size = cell_len(text)
            if size <= width:
                return [" " * (width - size) + text if col.justify == "right" else text + " " * (width - size)]
        if not isinstance(cell, Text):
            cell = Text(cell)
        wrapped = cell.wrap(
            console,
            width,
            justify=cell.justify or col.justify,
            overflow=cell.overflow or col.overflow,
            tab_size=console.tab_size,
            no_wrap=cell.no_wrap if cell.no_wrap is not None else col.overflow == "ellipsis",
        )
        return [set_cell_size(line.plain, width) for line in wrapped]

    table: list[list[list[str]]] = []
    for r in [None, *rows]:
        if r is None:
            row: dict = {n: heading(c.header) for n, c in zip(names, cols, strict=True)}
        else:
            row = _row(r, layout)
            if layout.narrow:
                row["domain"] = _domain_cell(row, widths[0], layout.tags)
            elif "domain" in names:
                row["domain"] = _folded(row["domain"], widths[names.index("domain")])
        cells = []
        for n, col, width in zip(names, cols, widths, strict=True):
            lines = lines_of(row[n], col, width)
            if lines is None:
                return None
            cells.append(lines)
        table.append(cells)
    out: list[str] = []
    for index, cells in enumerate(table):
        height = max(1, *(len(lines) for lines in cells))
        blank = [" " * w for w in widths]
        if index == 0:  # the header's cells sit at the bottom, the rows' at the top
            cells = [[blank[i]] * (height - len(lines)) + lines for i, lines in enumerate(cells)]
        for i in range(height):
            out.append("  ".join(lines[i] if i < len(lines) else blank[c] for c, lines in enumerate(cells)))
        if index == 0:
            padded = [w + 1 for w in widths[:-1]] + [widths[-1]]  # Rich's widths: each with its padding
            rule = box.SIMPLE_HEAD.substitute(console.options, safe=console.safe_box)
            out.append(rule.get_row(padded, "head", edge=False))
    return "\n".join(out) + "\n"


def leads_table(rows: list[dict], width: int = 80, keep: Iterable[str] = ()) -> Table:
    """One row per lead, fitted to ``width`` (the console's); ``keep``: see :func:`table_layout`."""
    return build_table(rows, table_layout(rows, width, keep))


def leads_tables(
    rows: Iterable[dict], width: int = 80, chunk: int = 200, keep: Iterable[str] = (), left_out: list | None = None
) -> Iterator[tuple[Table, int]]:
    """The table in pieces of ``chunk`` rows, laid out by the first piece: long lists (``--limit 0``)
    start printing at once and never sit in memory whole. Yields (table, rows in it). ``left_out``, when
    given, gets True once a row with tags was printed in a layout that leaves the tags out."""
    it = iter(rows)
    layout = None
    while batch := list(islice(it, chunk)):
        if layout is None:
            layout = table_layout(batch, width, keep)
            yield build_table(batch, layout), len(batch)
        else:
            yield build_table(batch, layout, header=False), len(batch)
        if left_out is not None and not left_out and tags_left_out(batch, layout):
            left_out.append(True)


def tags_left_out(rows: list[dict], layout: Layout) -> bool:
    """Whether ``layout`` leaves out tags that some of ``rows`` have (the footer then says where they are)."""
    return not layout.tags and any(r.get("tags") for r in rows)


def footer(shown: int, total: int, tags_hidden: bool = False) -> str:
    """What the table's footer says on stderr, in the command's language; ``tags_hidden``: with the line
    that says where the tags the table left out are."""
    if total > shown:
        said = say("leads.footer.some", shown=shown, total=total)
    else:
        said = say("leads.footer.one") if total == 1 else say("leads.footer.many", n=total)
    return said + ("\n" + say("leads.footer.tags") if tags_hidden else "")


# -- machine formats -------------------------------------------------------------------
def _obj(row: dict) -> dict:
    """A lead of the list as every machine format gives it: not known said as `?`, a lead no scan tried has
    last_status `not_scanned` (:func:`hunter_cli.render.csvsafe.machine_row`)."""
    return machine_row(row, FIELDS)


def write_json(rows: Iterable[dict], out: TextIO) -> int:
    """One JSON array, one lead per line inside it; streams, never holds the list. Returns the count."""
    n = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if n else "\n")
        out.write(json.dumps(_obj(row), ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_ndjson(rows: Iterable[dict], out: TextIO) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(_obj(row), ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv_time(ts: str | None) -> str | None:
    return for_machines(ts)


def write_csv(rows: Iterable[dict], out: BinaryIO, chunk: int = 500) -> int:
    """UTF-8 with a byte-order mark (Excel reads Turkish letters right; none under ``--no-bom``), header row,
    CRLF line ends, times in ISO 8601 with their offset (``2026-03-01T09:30:00+00:00``), as in JSON."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=separator.get(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(FIELDS)
    out.write(bom_text().encode())
    n = 0
    for row in rows:
        cells = machine_row(row, FIELDS, csv=True)
        writer.writerow([csv_cell(k, _csv_time(cells[k]) if k in CSV_TIMES else cells[k]) for k in FIELDS])
        n += 1
        if n % chunk == 0:
            out.write(buf.getvalue().encode("utf-8"))
            buf.seek(0)
            buf.truncate()
    out.write(buf.getvalue().encode("utf-8"))
    return n


def write_csv_cells(rows: Iterable[tuple], out: BinaryIO) -> None:
    """:func:`write_csv` for rows whose cells are already what it would write (``store.leads.csv_rows``):
    the csv module takes them as they come, with no Python function per row."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        text.write(bom_text())
        writer = csv.writer(text, delimiter=separator.get(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(FIELDS)
        writer.writerows(rows)
        text.flush()
    finally:
        try:
            text.detach()  # leave stdout open
        except (OSError, ValueError):  # the reader went away (a closed pipe): the caller has the first error
            pass


def csv_quote(rows: Iterable[tuple]) -> bytes:
    """Rows of cells as :func:`write_csv_cells` writes them (the csv module's quoting), UTF-8."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=separator.get(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_csv_lines(chunks: Iterable[bytes], out: BinaryIO) -> None:
    """:func:`write_csv` for lines SQLite already wrote (``store.leads.csv_lines``): the byte-order mark,
    the header, then the pieces as they come."""
    out.write(bom_text().encode() + separator.get().join(FIELDS).encode() + b"\r\n")
    for chunk in chunks:
        out.write(chunk)


# -- one lead --------------------------------------------------------------------------
def _priority_rows(m: Messages, lead: dict, reasons: list[str], doubt: str | None) -> list[tuple[str, Text]]:
    """The category (the ranking), the readiness segment and the readiness score of ``leads show``, each
    with what it means in the brief's words (hunter_cli/brief/compose.py), so that no label reads as a
    verdict another contradicts ("Greenfield" beside "Cold"); ``doubt`` as the brief's (evidence_doubt).
    Nothing for a lead without a score."""
    from ..brief.compose import category_means, segment_means

    category, segment, score = lead.get("category"), lead.get("segment"), lead.get("score")
    if category is None or segment is None or score is None:
        return [(m("show.score"), Text(m("show.score_none")))] if lead.get("last_good_at") else []
    rule = next((r.removeprefix("category:") for r in reasons if r.startswith("category:")), "")
    cat = Text(category, style=CATEGORY_STYLE.get(category, ""))
    means = category_means(m, category, rule, doubt) if rule else ""
    cat.append(f" {m(f'label.{category}')}: {means}".rstrip(": "))
    segment_text = m(
        "show.segment_means", segment=m.label("segment", segment, segment), means=segment_means(m, segment, doubt)
    )
    return [
        (m("show.category"), cat),
        (m("show.segment"), Text(segment_text)),
        (m("show.readiness"), Text(m("show.readiness_means", score=score))),
    ]


def _kv_table() -> Table:
    """A two-column table of `leads show`: each value folded by render/fold.py (a long DKIM CNAME
    target, MX host or SPF include breaks after a dot, a URL after a slash, never inside a label)."""
    from rich.table import Table
    from rich.text import Text

    from .fold import Folded

    class _Folding(Table):
        def add_row(self, *cells, **kw):
            def folded(cell):
                if isinstance(cell, str):
                    return Folded(cell)
                if isinstance(cell, Text) and not cell.spans:  # one style for the whole value
                    return Folded(cell.plain, str(cell.style or ""))
                return cell

            return super().add_row(*(cells[:1] + tuple(folded(c) for c in cells[1:])), **kw)

    t = _Folding(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    t.add_column(heading("What"), style="bold", no_wrap=True)
    t.add_column(heading("Value"), overflow="fold")
    return t


def _spf_text(m: Messages, lead: Lead) -> str:
    spf = lead.spf
    if "txt" in lead.unknown:  # a failed lookup is no "no record" (RFC 7208 4.4: temperror)
        return m("show.spf_unknown")
    if spf is None and lead.spf_discarded:  # meant as SPF, discarded by receivers (RFC 7208 4.5): say so
        from ..dns.spf import readable

        shown = readable((lead.spf_discarded[0].where or [""])[0].strip())  # <TAB>, <CR>: never printed raw
        key = "show.spf_discarded" + (".many" if len(lead.spf_discarded) > 1 else "")
        return m(key, code=lead.spf_discarded[0].code, record=shown, n=len(lead.spf_discarded)).strip()
    if spf is None:
        return m("show.spf_none")
    if lead.spf_result == "temperror":
        return m("show.spf_temperror", record=spf.record or "").strip()
    if lead.spf_result != "valid":
        why = f" ({spf.errors[0].code})" if spf.errors and spf.errors[0].code else ""
        return m("show.spf_invalid", why=why, record=spf.record or "").strip()
    from ..lead.posture import spf_open_families, spf_open_terms

    # a hole that one address family only goes through (ip6:::/0, mx/0 with IPv4 hosts) is said as that family
    families = spf_open_families(lead)
    family = f".v{next(iter(families))}" if len(families) == 1 else ""
    beside = ""
    if lead.spf_discarded:  # a look-alike beside the record in force: to delete, never to "fix" (two: permerror)
        from ..dns.spf import readable

        shown = ", ".join(readable((f.where or [""])[0].strip()) for f in lead.spf_discarded[:3])
        key = "show.spf_lookalike_beside" + (".many" if len(lead.spf_discarded) > 1 else "")
        beside = "\n" + m(key, n=len(lead.spf_discarded), records=shown)
    if spf.all != "+all" and (opened := spf_open_terms(lead)):  # its own "-all" is never reached (RFC 7208 5.6)
        return f"{m('show.spf_open' + family, terms=', '.join(opened))}   {spf.record or ''}".rstrip() + beside
    if spf.all == "+all" and family:  # earlier terms decide the other family first (-a/0 +all)
        return f"{m('show.spf_open_all' + family)}   {spf.record or ''}".rstrip() + beside
    return f"{spf.all or m('show.spf_no_all')}   {spf.record or ''}".rstrip() + beside


def _dkim_text(m: Messages, lead: Lead) -> str:
    if lead.dkim_state == "unknown":  # TEMPFAIL, not the no-key PERMFAIL (RFC 6376 6.1.2)
        failed = [e for e in lead.errors if e.check == "dkim"]
        why = ", ".join(dict.fromkeys(_dkim_failure(m, e.message, e.kind) for e in failed))
        return m("show.dkim_unknown", why=why) if why else m("show.dkim_unknown_plain")
    if lead.dkim_state == "key":
        keyed = [s for s in lead.dkim.selectors if s.selector in lead.dkim_key_selectors]
        selectors = ", ".join(s.selector + (f" -> {s.cname}" if s.cname else "") for s in keyed)
        return m("show.dkim_key", selectors=selectors)
    # a record stands there but no key works: said as such, never "no key found" (RFC 6376 3.6.1); a key in
    # testing mode behind a delegated selector is that key, as the brief says, not "never turned on"
    from ..facts import dkim_testing
    from ..trusted import plain

    testing = dkim_testing({"selectors": [plain(s) for s in lead.dkim.selectors]})
    if testing:
        return m("show.dkim_testing", selectors=", ".join(testing))
    if lead.dkim_state == "delegated":
        return m("show.dkim_delegated", targets=", ".join(lead.dkim_delegated_to))
    revoked = [s.selector for s in lead.dkim.selectors if s.revoked]
    if revoked:
        return m("show.dkim_revoked", selectors=", ".join(revoked))
    broken = [s for s in lead.dkim.selectors if s.problem]
    if broken:
        code = f"dkim_error.{broken[0].problem_code}"  # the brief's words for why (messages dkim_error.*)
        reason = m(code) if m.has(code) else broken[0].problem
        return m("show.dkim_unusable", selectors=", ".join(s.selector for s in broken), reason=reason)
    checked = lead.dkim.checked
    return m("show.dkim_none") + (m("show.dkim_checked", selectors=", ".join(checked)) if checked else "")


def _kept(m: Messages, lead: Lead, checks: tuple[str, ...]) -> str:
    """`` (as read 2026-11-30 02:00; the latest lookup failed)`` after a value the store kept through a failed
    lookup of one of ``checks`` (the view's ``carried``: when a scan read it); '' otherwise."""
    when = [lead.carried[c] for c in checks if c in lead.carried and c in lead.failed_checks]
    return " " + m("show.kept", when=for_people(max(when), m.lang)) if when else ""


def _dkim_failure(m: Messages, message: str, kind: str) -> str:
    """One failed selector lookup as ``leads show`` names it: ``selector google: SERVFAIL`` (the selector read
    from the stored error's message, ``TXT google._domainkey.acme.com: servfail``), or the kind alone."""
    import re

    from ..facts import failure_part
    from ..said import in_lang

    word = in_lang(failure_part(None, kind), m.lang)
    found = re.search(r"([^\s:]+?)\._domainkey\.", message or "")
    return m("show.dkim_failed_selector", selector=found.group(1), kind=word) if found else word


def _dmarc_text(m: Messages, lead: Lead) -> str:
    dmarc = lead.dmarc
    if dmarc is None:  # a failed lookup is no "no record" (the brief: "we do not know their policy")
        return m("show.dmarc_unknown" if "dmarc" in lead.unknown else "show.dmarc_none")
    policy = m.label("dmarc.policy", lead.dmarc_policy) if lead.dmarc_policy else m("show.dmarc_invalid")
    extra = f" pct={dmarc.pct}" if dmarc.pct != 100 else ""
    if any(w.code == "dmarc-pct-zero" for w in dmarc.warnings):  # the written policy, and the weaker one applied
        shown = m("show.dmarc_pct_zero", published=dmarc.published_policy or "?", policy=lead.dmarc_policy or "?")
        policy, extra = shown, ""
    text = f"{policy}{extra}   {dmarc.record or ''}".rstrip()
    from ..brief.compose import dmarc_mistakes, dmarc_policy_mistake

    if decided := dmarc_policy_mistake(m, dmarc):  # the mistake that makes the policy none or no policy (6.6.3)
        text += "\n" + decided
    if mistakes := dmarc_mistakes(m, dmarc):  # errors receivers ignore, as the brief says them (RFC 7489 6.3)
        text += "\n" + m("show.dmarc_mistakes", mistakes=mistakes)
    return text


def _tenant_text(m: Messages, row: dict, lead: Lead) -> str:
    tenant = lead.tenant
    if tenant:
        parts = [value("tenant", tenant.namespace_type or "Unknown", m.lang), tenant.id or ""]
        if tenant.brand:
            parts.append(f"({tenant.brand})")
        if tenant.initial_domain:
            parts.append(tenant.initial_domain)
        return " ".join(p for p in parts if p)
    known = row.get("tenant")
    if known == "none":
        return m("show.none")
    if known and lead.dkim and lead.dkim.tenant_domain:  # no sign-in answer, but DKIM names the tenant
        return f"{value('tenant', known, m.lang)} ({lead.dkim.tenant_domain})"
    return value("tenant", known, m.lang) if known else m("show.not_known")


# How `leads show` words a workload state the lists read otherwise (lead/footprint.py listed_reading), as the brief does
SHOW_READING = {
    "leftover": "show.spf_only",
    "mx_dangling": "show.mx_dangling",
    "no_mail": "show.no_mail",
    "no_tenant": "show.unconfirmed",
    "mailboxes": "show.mailboxes_by_tenant",
}


def _footprint_text(m: Messages, view, doubt: str | None = None) -> str:
    """Each Microsoft workload and its state, in the brief's words (``Exchange: online; Teams: absent``);
    ``not checked (--quick)`` when the footprint was never asked. A workload the lists count as unconfirmed
    or Exchange Online they count as missing (lead/footprint.py ``listed_state``) says why, as the brief does."""
    if view.microsoft is None:
        return m("show.footprint_unchecked")

    from ..lead.footprint import listed_reading, listed_state

    def state(w) -> str:
        reading = listed_reading(view, w.id, doubt)  # as the lists count it (lead/footprint.py)
        listed = listed_state(view, w.id, doubt)  # a leftover is absent there: said so here too
        words = m(f"fp.state.{w.state if listed == 'unconfirmed' else listed}")
        return m(SHOW_READING[reading], state=words) if reading else words

    return "; ".join(
        f"{m(f'fp.workload.{wid}')}: {state(w)}"
        for wid, w in view.microsoft.workloads.items()
        if wid != "msoid"  # legacy: the brief leaves it out too
    )


def lead_detail(d: dict) -> Group:
    """Panels for `hunter leads show`: current view, registration, tags, notes, changes, scan history,
    in the command's language (messages ``show.*``). The panels' titles are Text, not markup: a title
    given as a string is read for markup and emoji codes (rich.panel), which imports Rich's emoji table
    (about 2 ms) and would read a ``[``."""
    from rich.panel import Panel
    from rich.table import Table

    from ..brief.messages import Messages

    m = Messages(lang())
    lead = d["lead"]
    tags = d["tags"]
    from ..lead import Lead

    view = Lead.from_store(  # one lead: built without a validator (lead/view.py)
        lead,
        d["view"],
        registration=d.get("registration"),
        tags=(tags.get("user") or []) + (tags.get("auto") or []),
        validate=False,
    )
    name = lead["domain_unicode"]
    title = name if name == lead["domain"] else f"{name} ({lead['domain']})"
    parts: list[RenderableType] = []

    cur = _kv_table()
    if lead.get("company"):
        cur.add_row(m("show.company"), lead["company"])
    if not d["view"] and d.get("history"):
        from ..facts import failure_words as attempt_words
        from ..said import in_lang

        last = d["history"][0]
        why = in_lang(attempt_words(last.get("errors") or []), m.lang)  # as the brief and prep say it
        when = day_for_people(last.get("scanned_at"), m.lang)  # as the table below: 2026-11-20, 20 Kasım 2026
        failed = m("show.scanned_failed", why=why, when=when)
        cur.add_row(m("show.scanned"), Text(failed, style="red"))
    elif not d["view"]:
        cur.add_row(m("show.scanned"), m("show.scanned_never", domain=lead["domain"]))
    else:
        if view.state == "nxdomain":  # said first: every row below is empty because of it
            cur.add_row(m("show.domain"), Text(m("show.nxdomain"), style="red"))
        elif view.state == "parked":
            cur.add_row(m("show.domain"), m("show.parked"))
        provider = lead.get("provider")
        shown_as = value("provider", provider_label(provider, lead.get("provider_name")))
        if provider not in (None, "hosting", *_GENERIC_PROVIDERS) and shown_as != provider:
            after = f" ({provider})"  # Microsoft 365 (m365): the name, then the id --provider takes
        elif provider not in (None, "hosting") and lead.get("provider_name"):
            after = f" ({_provider_name(m, provider, lead['provider_name'])})"
        else:
            after = ""
        cur.add_row(column("Provider"), Text(shown_as + after, style=PROVIDER_STYLE.get(provider or "", "")))
        cur.add_row(column("Gateway"), gateway_name(lead.get("gateway")) or m("show.none"))
        tenant_text = _tenant_text(m, lead, view)
        asked = d.get("tenant_asked_at")  # the scan reused the day's cached answer: say when it was asked
        kept = view.carried.get("tenant") if "tenant" in view.failed_checks else None
        if kept and lead.get("tenant") is not None:  # the answer before stands; the latest lookup failed
            tenant_text += " " + m("show.tenant_kept", when=for_people(kept, m.lang))
        elif asked and lead.get("tenant") is not None and (view.tenant or lead.get("tenant") == "none"):
            tenant_text += " " + m("show.tenant_asked", when=for_people(asked, m.lang))
        cur.add_row(column("Tenant"), tenant_text)
        cur.add_row("SPF", _spf_text(m, view) + _kept(m, view, ("txt", "spf")))
        cur.add_row("DKIM", _dkim_text(m, view) + _kept(m, view, ("dkim",)))
        cur.add_row("DMARC", _dmarc_text(m, view) + _kept(m, view, ("dmarc",)))
        from ..lead.footprint import evidence_doubt, leftover_only, spf_leftover_services
        from ..lead.posture import spf_shortfall

        doubt = evidence_doubt(view)
        cur.add_row("Microsoft", _footprint_text(m, view, doubt))
        if view.services:  # a provider the brief reads as an SPF leftover is named as one (brief/compose.py)
            leftover = spf_leftover_services(view)
            names = [
                m("show.service_leftover", name=s.name) if leftover_only(s, leftover) else s.name for s in view.services
            ]
            cur.add_row(m("show.services"), ", ".join(names))
        for label, text in _priority_rows(m, lead, view.reasons, doubt):  # each label with what it means
            cur.add_row(label, text)
        if view.reasons:  # in words, as `hunter explain` says them ("no_spf" for a record that omits
            from .explain import reason_lines  # their provider names the real fault: compose.shown_code)

            cur.add_row(m("show.reasons"), "\n".join(reason_lines(view.reasons, m.lang, spf_shortfall(view))))
        from ..brief.compose import mx_finding_lines, once

        # the MX set's errors and warnings (a split, a backup elsewhere, an alias, an IP address, hosts that do
        # not resolve, a null MX beside hosts) in the brief's words, each on a line under the hosts
        # each host once, at its lowest preference (a host listed at two preferences is one server)
        hosts: dict[str, int] = {}
        for mx in view.mx:
            hosts[mx.host] = min(mx.preference, hosts.get(mx.host, mx.preference))
        mx_lines = ([", ".join(f"{hosts[h]} {h}" for h in once(mx.host for mx in view.mx))] if view.mx else []) + (
            mx_finding_lines(m, view)
        )
        if mx_lines:
            cur.add_row("MX", "\n".join(mx_lines))
        last_scan = for_people(lead.get("last_good_at"), m.lang)
        if lead.get("last_attempt_at") and lead.get("last_attempt_at") != lead.get("last_good_at"):
            status = value("status", lead["last_status"] or "")
            last_scan += m("show.last_attempt", when=for_people(lead["last_attempt_at"], m.lang), status=status)
        cur.add_row(m("show.last_scan"), Text(last_scan))
        from ..facts import failed_check

        for e in view.errors:
            cur.add_row(
                Text(m("show.error"), style="red"),
                f"{failure_words(m, failed_check(e.check, e.message), e.kind)}: {e.message}",
            )
    if lead.get("last_change_at"):
        cur.add_row(m("show.last_change"), for_people(lead["last_change_at"], m.lang))
    crm = d.get("crm")
    if crm:  # the brief's words (hunter_cli/brief/compose.py crm_lines), from the same crm_status
        from ..brief.compose import crm_lines

        failed = crm.get("status") in ("failed", "update failed", "deleted")
        cur.add_row(m("show.crm"), Text("\n".join(crm_lines(m, crm)), style="red" if failed else ""))
    parts.append(Panel(cur, title=Text(title), title_align="left", box=box.ROUNDED))

    reg = d.get("registration")
    if reg:
        t = _kv_table()
        if reg.get("status") == "failed":
            t.add_row(m("show.status"), Text(m("show.lookup_failed", why=registration_failure(m, reg)), style="red"))
        else:
            for key, field in (
                ("show.registrar", "registrar"),
                ("show.created", "created"),
                ("show.expires", "expires"),
                ("show.source", "source"),
                ("show.note", "note"),
            ):
                if reg.get(field):
                    t.add_row(m(key), str(reg[field]))
            if reg.get("nameservers"):
                t.add_row(m("show.nameservers"), ", ".join(reg["nameservers"]))
        t.add_row(m("show.fetched"), for_people(reg.get("fetched_at"), m.lang))
        if reg.get("status") != "failed" and reg.get("error"):  # a later lookup failed; the record above is kept
            when = for_people((reg["error"] or {}).get("at"), m.lang)  # "" for an error stored before its time was
            key = "show.reg_last_failed" if when else "show.reg_last_failed_undated"
            t.add_row(m("show.last_lookup"), Text(m(key, when=when, why=registration_failure(m, reg)), style="red"))
        parts.append(Panel(t, title=Text(m("show.registration")), title_align="left", box=box.ROUNDED))

    t = _kv_table()
    t.add_row(m("show.user"), ", ".join(tags.get("user") or []) or "-")
    t.add_row(m("show.auto"), ", ".join(tags.get("auto") or []) or "-")
    parts.append(Panel(t, title=Text(m("show.tags")), title_align="left", box=box.ROUNDED))

    if d["notes"]:
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=m("show.notes_title"), title_justify="left")
        t.add_column(heading("When"), no_wrap=True)
        t.add_column(heading("Note"), overflow="fold")
        for n in d["notes"]:
            t.add_row(for_people(n["created_at"], m.lang), n["text"])
        parts.append(t)

    if d["events"]:
        from .changes import describe

        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=m("show.changes_title"), title_justify="left")
        t.add_column(heading("When"), no_wrap=True)
        t.add_column(heading("What"), overflow="fold")
        for e in d["events"]:
            what = describe(e["kind"], e.get("old"), e.get("new"), lang=m.lang, detail=e.get("detail"))
            t.add_row(for_people(e["occurred_at"], m.lang), what)
        parts.append(t)

    if d["history"]:
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=m("show.history_title"), title_justify="left")
        t.add_column(heading("When"), no_wrap=True)
        t.add_column(heading("Status"), no_wrap=True)
        t.add_column(heading("Provider"))
        t.add_column(heading("Gateway"))
        t.add_column(heading("Errors"), overflow="fold")
        for h in d["history"]:
            t.add_row(
                for_people(h["scanned_at"], m.lang),
                Text(value("status", h["status"]), style=STATUS_STYLE.get(h["status"], "")),
                value("provider", provider_label(h.get("provider"), h.get("provider_name"))),
                gateway_name(h.get("gateway")),
                history_errors(m, h.get("errors") or []),
            )
        parts.append(t)
    return Group(*parts)


# `hunter leads show --json`: its `lead` is the object `hunter leads -f json` gives for the domain (FIELDS:
# the same names, true and false, times as there), then these facts the list has no column for (docs/cli.md).
DETAIL_FACTS = ("added_at", "state", "spf_result", "dkim_state")
# The list's names for the stored columns (a lead read without the list's row: never with Hunter's own files).
_LIST_NAMES = {"last_scanned": "last_good_at", "last_attempt": "last_attempt_at", "last_change": "last_change_at"}


def detail_object(d: dict) -> dict:
    """The JSON object of `hunter leads show --json` for :func:`hunter_cli.store.leads.detail`'s ``d``
    (with ``listed``, the lead as the list gives it): ``lead``, ``view``, ``registration``, ``tags``,
    ``notes``, ``events``, ``history``, ``crm`` (:data:`CRM_DETAIL` of the lead in Dynamics 365, or None)."""
    stored = d["lead"]
    listed = d.get("listed")
    if listed is not None:
        lead = _obj(listed)
    else:
        lead = machine_row({k: stored.get(_LIST_NAMES.get(k, k)) for k in FIELDS}, FIELDS)
        lead["tags"] = sorted({*d["tags"].get("user", []), *d["tags"].get("auto", [])})
    lead["dkim"] = None if lead.get("dkim") is None else bool(lead["dkim"])
    lead["active_cosell"] = bool(lead.get("active_cosell"))
    lead["referrals"] = int(lead.get("referrals") or 0)
    lead.update({k: stored.get(k) for k in DETAIL_FACTS})
    crm = d.get("crm")
    if crm:  # the lead in Dynamics 365: crm_status (as in the list), and when and why the last push failed
        from ..said import in_lang
        from .words import lang

        crm = {k: crm.get(k) for k in CRM_DETAIL}
        crm["error"] = in_lang(crm["error"], lang()) if crm["error"] is not None else None  # the reader's language
    return {
        "lead": lead,
        **{k: d[k] for k in ("view", "registration", "tags", "notes", "events", "history")},
        "crm": crm,
    }


# `leads show --json`'s "crm": the lead's crm_leads row as far as a reader needs it
CRM_DETAIL = (
    "status",
    "environment",
    "lead_id",
    "first_pushed_at",
    "pushed_at",
    "attempted_at",
    "error",
    "state",
    "status_label",
    "owner_name",
    "pulled_at",
)


def detail_json(d: dict) -> str:
    return json.dumps(detail_object(d), ensure_ascii=False)


# -- the formats of `hunter leads` (render/formats.py) ---------------------------------------
TABLE_LIMIT = 50  # rows in the table unless --limit says otherwise
STREAM_ABOVE = 500  # longer tables are printed in pieces


@dataclass
class LeadList:
    """The leads matching ``filter`` in ``order``, read lazily from the open store ``conn``
    (store.leads); ``limit`` None means the format's default (50 in the table, all otherwise), 0 all."""

    conn: Any
    filter: Any
    order: Any
    limit: int | None = None


@formatter("leads", Format.table)
def _leads_table(q: LeadList, out: Output) -> None:
    from ..store import leads as core

    n = TABLE_LIMIT if q.limit is None else q.limit
    console = out.console
    keep = kept_columns(q.filter, q.order if q.order != core.DEFAULT_SORT else ())
    hidden = False  # tags some shown lead has, left out of the table at this width
    if n and n <= STREAM_ABOVE:
        rows, total = core.page(q.conn, q.filter, q.order, n)
        if rows:
            layout = table_layout(rows, console.width, keep)
            hidden = tags_left_out(rows, layout)
            lines = plain_lines(rows, layout, console)
            if lines is None:
                console.print(build_table(rows, layout))
            else:  # the same characters, without Rich's table layout (plain_lines), through the same console
                from rich.segment import Segment, Segments

                console.print(Segments([Segment(lines)]))
        shown = len(rows)
    else:  # hundreds or all: print the table piece by piece as the rows arrive
        total = core.count(q.conn, q.filter)
        shown = 0
        rows_iter = core.iter_leads(q.conn, q.filter, q.order, n or None)
        left_out: list = []
        try:
            for table, count in leads_tables(rows_iter, console.width, keep=keep, left_out=left_out):
                console.print(table)
                shown += count
        finally:
            rows_iter.close()
        hidden = bool(left_out)
    if not shown:
        from ..store import has_leads

        message = say("leads.none_match") if has_leads(q.conn) else say("leads.none_yet")
        if has_leads(q.conn) and (q.filter.workloads or q.filter.missing) and not core.has_footprints(q.conn):
            message += " " + say("leads.no_footprint")
        out.err.print(message, markup=False)
    else:
        out.err.print(footer(shown, max(total, shown), hidden), markup=False)


def reader_waits(stream) -> bool:
    """Whether a reader takes the output as it comes (a pipe, a socket, a terminal), so the first lines
    should come at once; False for a file or the null device (only the whole counts), or when not known."""
    import stat

    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's buffer)
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(stream.fileno())


def _stream_formatter(fmt: Format):
    def write(q: LeadList, out: Output) -> None:
        from ..store import leads as core

        rows_iter = core.iter_leads(q.conn, q.filter, q.order, q.limit or None)
        try:
            if fmt is Format.csv:
                binary = out.binary()
                lines = core.csv_lines(  # SQL writes them
                    q.conn,
                    q.filter,
                    q.order,
                    q.limit or None,
                    quote=csv_quote,
                    separator=separator.get(),
                    first_soon=reader_waits(binary),
                )
                if lines is not None:
                    try:
                        write_csv_lines(lines, binary)
                    finally:
                        lines.close()
                else:  # a file from before schema 8, read-only
                    write_csv(rows_iter, binary)
                binary.flush()
            elif fmt is Format.json:
                write_json(rows_iter, out.stream)
            else:
                write_ndjson(rows_iter, out.stream)
            out.stream.flush()  # a closed pipe: formats.render ends it as OutputClosed (exit 141)
        finally:
            rows_iter.close()

    return write


for _fmt in (Format.json, Format.ndjson, Format.csv):
    formatter("leads", _fmt)(_stream_formatter(_fmt))


@formatter("lead", Format.table)
def _lead_table(d: dict, out: Output) -> None:
    out.console.print(lead_detail(d))


@formatter("lead", Format.json)
def _lead_json(d: dict, out: Output) -> None:
    out.write(detail_json(d) + "\n")
