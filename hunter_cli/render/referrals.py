"""`hunter referrals list` output: the stored Partner Center referrals as a table that fits the
terminal, JSON or CSV."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich import box
from rich.table import Table
from rich.text import Text

from ..domains import to_unicode
from ..timefmt import day_for_people, for_people
from .fold import Folded
from .formats import Format, Output, formatter
from .short import heading
from .words import lang, number, said

WIDE = 120  # from this width every field has a column of its own


def referrals_table(rows: list[dict], width: int = 80) -> Table:
    """Updated, customer, domain (never cut: folded at a dot or hyphen when it must), kind, status, deal, closing date.

    Below :data:`WIDE` columns the kind and status go under the customer's name and the update
    shows as a day, so that the domain keeps its whole width.
    """
    wide = width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1, 0, 0), expand=True)
    table.add_column(heading("Updated"), no_wrap=True)
    table.add_column(heading("Customer"), overflow="fold", ratio=1, min_width=10)
    table.add_column(heading("Domain"))  # a domain too long for the room left folds after a dot or hyphen
    if wide:
        table.add_column(heading("Kind"), no_wrap=True)
        table.add_column(heading("Status"), no_wrap=True)
    table.add_column(heading("Deal"), no_wrap=True, justify="right")
    table.add_column(heading("Closing"), no_wrap=True)
    for r in rows:
        deal = f"{number(r['deal_value'])} {r['currency'] or ''}".strip() if r["deal_value"] is not None else ""
        status = f"{r['status'] or ''} {r['substatus'] or ''}".strip()
        customer = Text(r["customer_name"] or r["name"] or r["id"])
        if not wide:
            customer.append(f"\n{r['kind']}, {status}" if status else f"\n{r['kind']}", style="dim")
        cells = [
            for_people(r["updated_at"], lang()) if wide else day_for_people(r["updated_at"], lang()),
            customer,
            Folded(to_unicode(r["domain"])) if r["domain"] else said("cli.partner.unlinked"),
            *([r["kind"], status] if wide else []),
            deal,
            day_for_people(r["closing_date"], lang()),
        ]
        table.add_row(*cells)
    return table


@dataclass
class Referrals:
    """store.iter_referrals rows (streamed); ``filtered`` when the command narrowed the list
    (status, kind, since...)."""

    rows: Iterable[dict]
    filtered: bool = False
    total: int = 0  # how many match without the limit (the table's footer)


@formatter("referrals", Format.json)
def _json(r: Referrals, out: Output) -> None:
    from .paging import write_json_array

    write_json_array(r.rows, out.stream)


@formatter("referrals", Format.csv)
def _csv(r: Referrals, out: Output) -> None:
    from ..store.referrals import LIST_COLUMNS
    from .csvsafe import write_csv

    write_csv(out.stream, list(LIST_COLUMNS), ([row[c] for c in LIST_COLUMNS] for row in r.rows))


@formatter("referrals", Format.table)
def _table(r: Referrals, out: Output) -> None:
    rows = list(r.rows)
    if not rows:
        out.err.print(said("cli.partner.none_match" if r.filtered else "cli.partner.none_yet"), markup=False)
        return
    out.console.print(referrals_table(rows, out.console.width))
    if len(rows) < r.total:
        out.err.print(said("cli.partner.footer_more", shown=len(rows), total=r.total))
