"""`hunter changes` output: the change events as a table, JSON or CSV."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .formats import Format, Output, formatter

CSV_COLUMNS = ["occurred_at", "domain", "company", "kind", "old", "new", "category"]


@dataclass
class Changes:
    """Change events newest first (store.events_since rows), seen within ``since`` (as typed, e.g. 7d),
    i.e. at or after ``cutoff`` (ISO time)."""

    rows: list[dict]
    since: str
    cutoff: str


@formatter("changes", Format.json)
def _json(c: Changes, out: Output) -> None:
    out.write(json.dumps(c.rows, ensure_ascii=False) + "\n")


@formatter("changes", Format.csv)
def _csv(c: Changes, out: Output) -> None:
    from .csvsafe import write_csv

    write_csv(out.stream, CSV_COLUMNS, [[r[k] for k in CSV_COLUMNS] for r in c.rows])


@formatter("changes", Format.table)
def _table(c: Changes, out: Output) -> None:
    if not c.rows:
        out.err.print(f"No changes in the last {c.since}.")
        return
    out.console.print(changes_table(c.rows))
    out.err.print(f"{len(c.rows)} changes since {c.cutoff[:10]}")


def changes_table(rows: list[dict]):
    """The events as a Rich table: when, domain, change, from, to, category."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("When", "Domain", "Change", "From", "To", "Cat"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["occurred_at"][:10],
            r["domain"],
            r["kind"].replace("_", " "),
            r["old"] or "",
            r["new"] or "",
            r["category"] or "",
        )
    return table
