"""`hunter rescan` and `hunter changes`: the nightly job and what it found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..render import formats
from ..said import said_of
from . import app, complete
from .common import (
    CsvSeparatorOption,
    DbOption,
    db_path,
    fresh_tenant_option,
    messages_lang_option,
    open_store,
    processes_option,
    refuse_fresh_without_tenant,
    setting_option,
    speak_in,
    stderr_console,
    store_errors,
    use_csv_separator,
)
from .csvout import NoBomOption, use_bom

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
    "mail_security_changed",
    "expires_soon",
    "state_changed",
)


if TYPE_CHECKING:
    ChangeFormat = formats.Format
else:  # the formats of `hunter changes` (render/changes.py)
    ChangeFormat = formats.choices("ChangeFormat", formats.Format.table, formats.Format.json, formats.Format.csv)


@app.command()
def rescan(
    ctx: typer.Context,
    older_than: str = typer.Option(
        "7d", "--older-than", metavar="DURATION", help="Rescan leads whose last complete scan is older."
    ),
    category: list[str] = typer.Option(
        [], "--category", help="Only these categories (repeatable).", autocompletion=complete.categories
    ),
    tag: list[str] = typer.Option([], "--tag", help="Only leads with one of these tags (repeatable)."),
    db: Path | None = DbOption,
    nameserver: list[str] = setting_option("nameservers", "--nameserver", help="DNS server HOST[:PORT] (repeatable)."),
    timeout: float = typer.Option(3.0, "--timeout", min=0.05, max=60, help="Seconds to wait for one DNS answer."),
    no_tenant: bool = typer.Option(False, "--no-tenant", help="Do not ask Microsoft's sign-in service."),
    fresh_tenant: bool = fresh_tenant_option(),
    no_whois: bool = typer.Option(False, "--no-whois", help="Do not look up registration data."),
    processes: int | None = processes_option("800 due leads or more"),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per rescanned domain on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success (for cron)."),
    lang: str = messages_lang_option(),
) -> None:
    """Rescan stored leads that need it: last complete scan older than --older-than, never scanned, or latest
    scan partial or failed (what failed is retried on the next run, whatever the age of the last complete one).

    Each rescan is compared with the previous good one and the differences are
    stored as change events (`hunter changes`). Exit codes: 0 ran (also when
    nothing needed a rescan), 1 fatal error, 2 usage error, 4 the DNS resolver does not tell
    the truth (no lead's stored result was changed), 6 no DNS answer (the resolver is unreachable, or no
    rescanned domain got an answer), 7 every rescanned domain failed though DNS answered (SERVFAIL for
    everything: a resolver that lost its upstream; one line says why, even with -q), 130 interrupted (Ctrl-C),
    143 stopped by SIGTERM.
    """
    from .. import store
    from ..durations import ago_iso, parse_duration
    from ..store.scanlock import Holder
    from .scanning import scan as run_scan
    from .scanning import scan_options as build_options

    speak_in(lang)
    refuse_fresh_without_tenant(fresh_tenant, no_tenant)
    try:
        since = ago_iso(parse_duration(older_than))
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--older-than") from None
    from ..store.leads import LeadQueryError, parse_categories

    try:
        cats = list(parse_categories(category))
    except LeadQueryError as exc:
        raise typer.BadParameter(said_of(exc), param_hint=exc.option) from None
    path = db_path(db)
    conn = open_store(path)
    try:
        with store_errors(path):
            domains = store.due_for_rescan(conn, since, cats, [t.lower() for t in tag])
    finally:
        conn.close()
    if not domains:
        if not quiet:
            from ..brief.messages import Messages
            from .common import current_lang

            stderr_console().print(Messages(current_lang())("cli.rescan.nothing"), markup=False)
        raise typer.Exit(0)
    options = build_options(
        nameserver=nameserver,
        timeout=timeout,
        no_tenant=no_tenant,
        fresh_tenant=fresh_tenant,
        no_whois=no_whois,
        processes=processes,
    )
    from .scanning import typed_options

    again = ["hunter", "rescan", *typed_options(ctx, skip=("db",))]  # what is still due is picked again
    raise typer.Exit(
        run_scan(
            domains,
            path,
            options,
            fresh_since=None,
            json_out=json_out,
            quiet=quiet,
            continue_with=again,
            holder=Holder("rescan"),
        )
    )


@app.command()
def changes(
    since: str = typer.Option("7d", "--since", metavar="DURATION", help="Changes seen within this long."),
    kind: list[str] = typer.Option(
        [],
        "--kind",
        help=f"Only these kinds (repeatable): {', '.join(EVENT_KINDS)}.",
        autocompletion=complete.event_kinds,
    ),
    db: Path | None = DbOption,
    fmt: ChangeFormat = typer.Option(ChangeFormat.table, "--format", "-f", help="table, json or csv."),
    json_out: bool = typer.Option(False, "--json", help="Same as --format json."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        "-n",
        min=0,
        metavar="N",
        show_default=False,
        help="At most N changes; 0 for all. Default: 50 in the table, all in json and csv.",
    ),
    csv_separator: str | None = CsvSeparatorOption,
    no_bom: bool = NoBomOption,
    lang: str = messages_lang_option(),
) -> None:
    """What changed between scans, newest first: mail provider moves (the strongest sales signal),
    gateways, new tenants, DMARC and SPF changes, category changes, Microsoft workloads and other
    cloud services that appeared or went away (docs/footprint.md), registrations about to expire."""
    from .. import store
    from ..durations import ago_iso, parse_duration

    speak_in(lang)
    use_csv_separator(csv_separator)
    use_bom(no_bom)
    formats.whole_lists_on_pipes()
    try:
        cutoff = ago_iso(parse_duration(since))
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--since") from None
    from ..choices import choose

    try:
        kind = [choose(k, EVENT_KINDS, "change kind") for k in kind]
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--kind") from None
    from ..render import paging
    from ..render.changes import Changes
    from ..render.formats import render

    out_fmt = formats.Format.json if json_out else formats.Format(fmt.value)
    conn = open_store(db)
    try:
        with store_errors(db):
            if out_fmt is formats.Format.table:  # the first page and a count: a table of every event takes seconds
                rows = store.iter_events(conn, cutoff, kind, paging.table_limit(limit))
                total = store.count_events(conn, cutoff, kind)
                empty = not total and not store.has_leads(conn)
            else:  # streamed: never a list of every event
                rows, total, empty = store.iter_events(conn, cutoff, kind, limit or 0), 0, False
            render("changes", out_fmt, Changes(rows, since, cutoff, no_leads=empty, total=total))
    finally:
        conn.close()
