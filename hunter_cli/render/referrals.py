"""`hunter referrals list` output: the stored referrals as a table, JSON or CSV."""

from __future__ import annotations

import json

from .formats import Format, Output, formatter


@formatter("referrals", Format.json)
def _json(rows: list[dict], out: Output) -> None:
    out.write(json.dumps(rows, ensure_ascii=False) + "\n")


@formatter("referrals", Format.csv)
def _csv(rows: list[dict], out: Output) -> None:
    from ..store.referrals import LIST_COLUMNS
    from .csvsafe import write_csv

    write_csv(out.stream, list(LIST_COLUMNS), [[r[c] for c in LIST_COLUMNS] for r in rows])


@formatter("referrals", Format.table)
def _table(rows: list[dict], out: Output) -> None:
    if not rows:
        out.err.print("No referrals match.")
        return
    out.console.print(referrals_table(rows))


def referrals_table(rows: list[dict]):
    """Referrals (store.list_referrals rows) as a Rich table: updated, customer, domain, kind, status, deal, closing."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for c in ("Updated", "Customer", "Domain", "Kind", "Status", "Deal", "Closing"):
        table.add_column(c, overflow="fold")
    for r in rows:
        deal = f"{r['deal_value']:,.0f} {r['currency'] or ''}".strip() if r["deal_value"] is not None else ""
        table.add_row(
            (r["updated_at"] or "")[:10],
            r["customer_name"] or r["name"] or r["id"],
            r["domain"] or "(unlinked)",
            r["kind"],
            f"{r['status'] or ''} {r['substatus'] or ''}".strip(),
            deal,
            r["closing_date"] or "",
        )
    return table
