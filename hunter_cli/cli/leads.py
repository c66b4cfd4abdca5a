"""`hunter leads` and `hunter leads show`: the stored leads, filtered and sorted in SQL, for people or spreadsheets."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from . import app
from .common import DbOption, db_path, domain_arg, fail, open_store, stderr_console, stdout_console, store_errors

leads_app = typer.Typer()  # help: the callback's docstring
app.add_typer(leads_app, name="leads")

TABLE_LIMIT = 50
STREAM_ABOVE = 500  # longer tables are printed in pieces


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def _since(value: str | None, option: str) -> str | None:
    from ..durations import ago_iso, parse_duration

    if value is None:
        return None
    try:
        return ago_iso(parse_duration(value))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def _connect(db: Path | None):
    from .. import leads as core

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
    segment: list[str] = typer.Option(
        [],
        "--segment",
        metavar="NAME",
        show_default=False,
        help="Existing, Migration, Cold or Skip (repeatable; any of them matches).",
    ),
    category: list[str] = typer.Option(
        [], "--category", metavar="P1..P6", show_default=False, help="Priority category (repeatable)."
    ),
    provider: list[str] = typer.Option(
        [],
        "--provider",
        metavar="ID",
        show_default=False,
        help="Mail provider id (m365, google, hosting, self-hosted, none, ...)"
        " or a hosting brand such as Natro (repeatable).",
    ),
    gateway: list[str] = typer.Option(
        [],
        "--gateway",
        metavar="ID",
        show_default=False,
        help="Security gateway (mimecast, proofpoint, ...), 'any' for any gateway, 'none' for none (repeatable).",
    ),
    tenant: bool | None = typer.Option(
        None,
        "--tenant/--no-tenant",
        show_default=False,
        help="Only domains with a Microsoft tenant (Managed, Federated, Unknown) / only those known to have none.",
    ),
    min_score: int | None = typer.Option(
        None, "--min-score", metavar="N", show_default=False, help="Score at least N."
    ),
    max_score: int | None = typer.Option(None, "--max-score", metavar="N", show_default=False, help="Score at most N."),
    tag: list[str] = typer.Option(
        [], "--tag", metavar="TAG", show_default=False, help="Has this tag, user or auto (repeatable)."
    ),
    search: str | None = typer.Option(
        None,
        "--search",
        "-s",
        metavar="TEXT",
        show_default=False,
        help="Case-insensitive part of the domain or company name.",
    ),
    changed_since: str | None = typer.Option(
        None,
        "--changed-since",
        metavar="DURATION",
        show_default=False,
        help="A signal changed within this long (7d, 12h, 2w).",
    ),
    stale: str | None = typer.Option(
        None,
        "--stale",
        metavar="DURATION",
        show_default=False,
        help="Never scanned, or last good scan older than this.",
    ),
    failed: bool = typer.Option(False, "--failed", help="The latest scan attempt failed."),
    has_referral: bool | None = typer.Option(
        None,
        "--has-referral/--no-referral",
        show_default=False,
        help="A Partner Center referral names the lead (or none does).",
    ),
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

    from .. import leads as core
    from ..render import leads as render

    try:
        f = core.LeadFilter(
            segments=core.parse_segments(segment),
            categories=core.parse_categories(category),
            providers=core.parse_providers(provider),
            gateways=core.parse_gateways(gateway),
            tenant=tenant,
            min_score=min_score,
            max_score=max_score,
            tags=core.parse_tags(tag),
            search=search if search and search.strip() else None,
            changed_since=_since(changed_since, "--changed-since"),
            stale_before=_since(stale, "--stale"),
            failed=failed,
            has_referral=has_referral,
        )
        order = core.parse_sort(sort)
    except core.LeadQueryError as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.option) from None
    if min_score is not None and max_score is not None and min_score > max_score:
        raise typer.BadParameter(f"--min-score {min_score} is above --max-score {max_score}", param_hint="--min-score")

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
    from .. import leads as core
    from ..render import leads as render

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
