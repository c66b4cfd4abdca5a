"""Long lists: a table shows the first page and a footer saying how many matched and how to see
them all; ``--limit 0`` prints the table in pieces as the rows arrive; JSON and CSV are streamed.

Laying out a Rich table measures every cell of every row before it prints the first line (about
1 ms a row), so a table of 11,000 change events took 11 s; a page of 50 takes milliseconds, and
the pieces of a long table share the column widths of the first piece.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TextIO

from rich import box
from rich.cells import cell_len
from rich.table import Table

from .short import heading

TABLE_LIMIT = 50  # rows a table shows unless --limit says otherwise
STREAM_ABOVE = 500  # a longer table is printed in pieces
PIECE = 200  # rows per piece


def table_limit(limit: int | None) -> int:
    """The rows a table shows for ``--limit`` (None: the first page; 0: all)."""
    return TABLE_LIMIT if limit is None else limit


def footer(shown: int, total: int, one: str, many: str) -> str:
    """``"50 of 11,000 changes match (use --limit 0 for all)"``, or ``"3 changes match"``."""
    if total > shown:
        return f"{shown:,} of {total:,} {many} match (use --limit 0 for all, or --format csv)"
    return f"1 {one} matches" if total == 1 else f"{total:,} {many} match"


def _widths(headers: Sequence[str], rows: list[Sequence[str]], width: int, gap: int = 2) -> list[int]:
    natural = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    room = width - gap * (len(headers) - 1)
    widths = list(natural)
    while sum(widths) > room and max(widths) > 8:  # the widest column gives way first (its cells fold)
        i = widths.index(max(widths))
        widths[i] -= 1
    return widths


def _table(headers: Sequence[str], widths: Sequence[int], rows: Iterable[Sequence[str]], header: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=header, padding=(0, 1, 0, 0))
    for h, w in zip(headers, widths, strict=True):
        table.add_column(heading(h), width=w, overflow="fold")
    for r in rows:
        table.add_row(*r)
    return table


def tables(
    headers: Sequence[str], rows: Iterable[Sequence[str]], width: int, piece: int = PIECE
) -> Iterator[tuple[Table, int]]:
    """The rows (each a sequence of cell texts) as tables of ``piece`` rows, laid out by the first
    piece, the header on the first only; yields (table, rows in it). Never holds more than a piece."""
    it = iter(rows)
    widths: list[int] | None = None
    while batch := list(islice(it, piece)):
        first = widths is None
        if widths is None:
            widths = _widths(headers, batch, width)
        yield _table(headers, widths, batch, header=first), len(batch)


def write_json_array(rows: Iterable[dict], out: TextIO) -> int:
    """One JSON array, one object per line inside it, written as the rows arrive; returns the count."""
    n = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if n else "\n")
        out.write(json.dumps(row, ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n
