"""`hunter rescan` and `hunter changes`: the nightly job and what it found."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from . import app
from .common import DbOption, db_path, open_store, stderr_console, stdout_console, store_errors

EVENT_KINDS = (
    "provider_changed",
    "gateway_added",
    "gateway_removed",
    "gateway_changed",
    "tenant_appeared",
    "dmarc_added",
    "dmarc_removed",
    "dmarc_policy_changed",
    "spf_changed",
    "category_changed",
    "workload_added",
    "workload_removed",
    "workload_changed",
    "service_added",
    "service_removed",
    "expires_soon",
)


class ChangeFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
def rescan(
    older_than: str = typer.Option(
        "7d", "--older-than", metavar="DURATION", help="Rescan leads whose last good scan is older."
    ),
    category: list[str] = typer.Option([], "--category", help="Only these categories (repeatable)."),
    tag: list[str] = typer.Option([], "--tag", help="Only leads with one of these tags (repeatable)."),
    db: Path | None = DbOption,
    nameserver: list[str] = typer.Option(
        [],
        "--nameserver",
        "-n",
        envvar="HUNTER_NAMESERVERS",
        show_default=False,
        help="DNS server HOST[:PORT] (repeatable).",
    ),
    timeout: float = typer.Option(3.0, "--timeout", min=0.05, max=60, help="Seconds to wait for one DNS answer."),
    no_tenant: bool = typer.Option(False, "--no-tenant", help="Do not ask Microsoft's sign-in service."),
    no_whois: bool = typer.Option(False, "--no-whois", help="Do not look up registration data."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per rescanned domain on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success (for cron)."),
) -> None:
    """Rescan stored leads that need it: last good scan older than --older-than, never scanned, or failed.

    Each rescan is compared with the previous good one and the differences are
    stored as change events (`hunter changes`). Exit codes: 0 ran (also when
    nothing needed a rescan), 1 fatal error, 2 usage error, 4 the DNS resolver does not tell
    the truth (nothing stored was changed), 130 interrupted (Ctrl-C), 143 stopped by SIGTERM.
    """
    from .. import store
    from ..durations import ago_iso, parse_duration
    from .scan import build_options, run_scan

    try:
        since = ago_iso(parse_duration(older_than))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--older-than") from None
    cats = [c.upper() for c in category]
    bad = [c for c in cats if c not in ("P1", "P2", "P3", "P4", "P5", "P6")]
    if bad:
        raise typer.BadParameter(f"{bad[0]!r} is not a category; use P1 to P6", param_hint="--category")
    path = db_path(db)
    conn = open_store(path)
    try:
        with store_errors(path):
            domains = store.due_for_rescan(conn, since, cats, [t.lower() for t in tag])
    finally:
        conn.close()
    if not domains:
        if not quiet:
            stderr_console().print("Nothing to rescan: every selected lead has a recent good scan.")
        raise typer.Exit(0)
    options = build_options(nameserver=nameserver, timeout=timeout, no_tenant=no_tenant, no_whois=no_whois)
    raise typer.Exit(run_scan(domains, path, options, fresh_since=None, json_out=json_out, quiet=quiet))


@app.command()
def changes(
    since: str = typer.Option("7d", "--since", metavar="DURATION", help="Changes seen within this long."),
    kind: list[str] = typer.Option([], "--kind", help=f"Only these kinds (repeatable): {', '.join(EVENT_KINDS)}."),
    db: Path | None = DbOption,
    fmt: ChangeFormat = typer.Option(ChangeFormat.table, "--format", "-f", help="table, json or csv."),
    json_out: bool = typer.Option(False, "--json", help="Same as --format json."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=0,
        show_default=False,
        help="At most this many; 0 for all. Default: 50 in the table, all in json and csv.",
    ),
) -> None:
    """What changed between scans, newest first: mail provider moves (the strongest sales signal),
    gateways, new tenants, DMARC and SPF changes, category changes, Microsoft workloads and other
    cloud services that appeared or went away (docs/footprint.md), registrations about to expire."""
    from .. import store
    from ..durations import ago_iso, parse_duration

    try:
        cutoff = ago_iso(parse_duration(since))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since") from None
    unknown = [k for k in kind if k not in EVENT_KINDS]
    if unknown:
        raise typer.BadParameter(
            f"{unknown[0]!r} is not a change kind; use one of: {', '.join(EVENT_KINDS)}", param_hint="--kind"
        )
    from ..render import paging

    conn = open_store(db)
    try:
        with store_errors(db):
            if json_out or fmt is not ChangeFormat.table:  # streamed: never a list of every event
                events = store.iter_events(conn, cutoff, kind, limit or 0)
                if fmt is ChangeFormat.csv and not json_out:
                    from ..render.csvsafe import write_csv

                    cols = store.EVENT_COLUMNS
                    write_csv(sys.stdout, list(cols), ([r[c] for c in cols] for r in events))
                else:
                    paging.write_json_array(events, sys.stdout)
                return
            n = paging.table_limit(limit)
            total = store.count_events(conn, cutoff, kind)
            shown = 0
            if total:
                cells = (
                    [
                        r["occurred_at"][:10],
                        r["domain"],
                        r["kind"].replace("_", " "),
                        r["old"] or "",
                        r["new"] or "",
                        r["category"] or "",
                    ]
                    for r in store.iter_events(conn, cutoff, kind, n)
                )
                out = stdout_console()
                headers = ("When", "Domain", "Change", "From", "To", "Cat")
                for table, count in paging.tables(headers, cells, out.width):
                    out.print(table)
                    shown += count
    finally:
        conn.close()
    if not total:
        stderr_console().print(f"No changes in the last {since}.")
        return
    stderr_console().print(paging.footer(shown, total, "change", "changes") + f" since {cutoff[:10]}")
