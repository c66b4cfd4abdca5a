"""`hunter leads` and `hunter leads show`: the stored leads, filtered and sorted in SQL, for people or spreadsheets."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from . import app
from .common import DbOption, db_path, domain_arg, fail, open_store, stderr_console, stdout_console, store_errors
from .filters import (
    CategoryOption,
    ChangedSinceOption,
    CrmStatusOption,
    FailedOption,
    GatewayOption,
    HasReferralOption,
    MaxScoreOption,
    MinScoreOption,
    MissingOption,
    ProviderOption,
    SearchOption,
    SegmentOption,
    StaleOption,
    TagOption,
    TenantOption,
    UsesOption,
    WorkloadOption,
    lead_filter,
)

leads_app = typer.Typer()  # help: the callback's docstring
app.add_typer(leads_app, name="leads")

TABLE_LIMIT = 50
STREAM_ABOVE = 500  # longer tables are printed in pieces


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def _connect(db: Path | None):
    from ..store import leads as core

    return core.prepare(open_store(db))  # exit 1 with the message when the database is not usable


def _binary_stdout():
    sys.stdout.flush()
    return getattr(sys.stdout, "buffer", sys.stdout)


def _quiet_broken_pipe() -> None:
    """`hunter leads --format csv | head`: stop quietly once the reader has gone."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


@leads_app.callback(invoke_without_command=True)
def leads(
    ctx: typer.Context,
    segment: list[str] = SegmentOption,
    category: list[str] = CategoryOption,
    provider: list[str] = ProviderOption,
    gateway: list[str] = GatewayOption,
    tenant: bool | None = TenantOption,
    min_score: int | None = MinScoreOption,
    max_score: int | None = MaxScoreOption,
    tag: list[str] = TagOption,
    search: str | None = SearchOption,
    changed_since: str | None = ChangedSinceOption,
    stale: str | None = StaleOption,
    failed: bool = FailedOption,
    has_referral: bool | None = HasReferralOption,
    crm_status: list[str] = CrmStatusOption,
    uses: list[str] = UsesOption,
    workload: list[str] = WorkloadOption,
    missing: list[str] = MissingOption,
    sort: list[str] = typer.Option(
        [],
        "--sort",
        metavar="[-]COLUMN",
        show_default=False,
        help="domain, company, provider, gateway, tenant, dmarc, score, segment, category or scanned; '-' first for"
        " descending; repeatable. Default: category, -score, domain. Empty values always come last.",
    ),
    limit: int | None = typer.Option(
        None,
        "--limit",
        "-n",
        min=0,
        metavar="N",
        show_default=False,
        help=f"Show N leads; 0 for all. Default: {TABLE_LIMIT} in the table, all in json, ndjson and csv.",
    ),
    fmt: Format = typer.Option(
        Format.table,
        "--format",
        "-f",
        help="table (people), json (one array), ndjson (one lead per line) or csv (Excel).",
    ),
    db: Path | None = DbOption,
) -> None:
    """List the stored leads, filtered and sorted.

    One row per domain with its current signals; `hunter leads show DOMAIN`
    shows everything stored about one. Filters combine with AND; a
    repeated filter matches any of its values. The table shows the first 50
    (--limit 0 for all) and says on stderr how many match.
    Exit codes: 0 listed (also when nothing matches), 1 the database is not usable, 2 usage error.
    """
    if ctx.invoked_subcommand is not None:
        return
    import sqlite3

    from ..render import leads as render
    from ..store import leads as core

    f = lead_filter(
        segment=segment,
        category=category,
        provider=provider,
        gateway=gateway,
        tenant=tenant,
        min_score=min_score,
        max_score=max_score,
        tag=tag,
        search=search,
        changed_since=changed_since,
        stale=stale,
        failed=failed,
        has_referral=has_referral,
        crm_status=crm_status,
        uses=uses,
        workload=workload,
        missing=missing,
    )
    try:
        order = core.parse_sort(sort)
    except core.LeadQueryError as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.option) from None

    conn = _connect(db)
    try:
        if fmt is Format.table:
            n = TABLE_LIMIT if limit is None else limit
            console = stdout_console()
            if n and n <= STREAM_ABOVE:
                rows, total = core.page(conn, f, order, n)
                if rows:
                    console.print(render.leads_table(rows, console.width))
                shown = len(rows)
            else:  # hundreds or all: print the table piece by piece as the rows arrive
                total = core.count(conn, f)
                shown = 0
                rows_iter = core.iter_leads(conn, f, order, n or None)
                try:
                    for table, count in render.leads_tables(rows_iter, console.width):
                        console.print(table)
                        shown += count
                finally:
                    rows_iter.close()
            if not shown:
                stderr_console().print("No leads match.")
            else:
                stderr_console().print(render.footer(shown, max(total, shown)))
            return
        rows_iter = core.iter_leads(conn, f, order, limit or None)
        try:
            if fmt is Format.csv:
                out = _binary_stdout()
                cells = core.csv_rows(conn, f, order, limit or None)  # the cells computed in SQL
                if cells is not None:
                    try:
                        render.write_csv_cells(cells, out)
                    finally:
                        cells.close()
                else:  # a file from before schema 8, read-only
                    render.write_csv(rows_iter, out)
                out.flush()
            elif fmt is Format.json:
                render.write_json(rows_iter, sys.stdout)
            else:
                render.write_ndjson(rows_iter, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
        finally:
            rows_iter.close()
    except sqlite3.DatabaseError as exc:
        raise fail(f"cannot read the leads: {exc}") from None
    finally:
        conn.close()


@leads_app.command("show")
def show(
    ctx: typer.Context,
    domain: str = typer.Argument(..., help="Company domain (or a URL or e-mail address)."),
    db: Path | None = DbOption,
    json_out: bool = typer.Option(False, "--json", help="Print everything as one JSON object."),
) -> None:
    """Everything stored about one domain: current signals, registration, tags, notes, changes and scan history.

    Reads the database only. Exit codes: 0 shown, 1 not in the database (the message names the
    command to run), 2 usage error.
    """
    from ..render import leads as render
    from ..store import leads as core

    name = domain_arg(domain)
    if db is None and ctx.parent is not None:  # `hunter leads --db X show DOMAIN`
        db = ctx.parent.params.get("db")
    conn = _connect(db)
    try:
        with store_errors(db):
            d = core.detail(conn, name)
    finally:
        conn.close()
    if d is None:
        raise fail(f"{name} is not in {db_path(db)}; run: hunter scan {name}")
    if json_out:
        sys.stdout.write(render.detail_json(d) + "\n")
        return
    stdout_console().print(render.lead_detail(d))
