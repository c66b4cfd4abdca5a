"""`hunter scan`: read inputs, scan them, store and show the results."""

from __future__ import annotations

from pathlib import Path

import typer

from ..said import Said, said_of
from . import app
from .common import (
    DbOption,
    SheetOption,
    column_hints,
    db_path,
    fresh_tenant_option,
    keeps_a_new_database_only_on_success,
    messages_lang_option,
    processes_option,
    refuse_fresh_without_tenant,
    setting_option,
    speak_in,
)


@app.command(no_args_is_help=True)
@keeps_a_new_database_only_on_success
def scan(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(
        ...,
        metavar="INPUT...",
        help="Domains, URLs, e-mail addresses, .txt/.csv/.xlsx files, or - for standard input.",
        show_default=False,
    ),
    db: Path | None = DbOption,
    nameserver: list[str] = setting_option(
        "nameservers",
        "--nameserver",
        help="DNS server HOST[:PORT] to ask (repeatable; env: comma-separated). Default: the system resolver.",
    ),
    timeout: float = typer.Option(3.0, "--timeout", min=0.05, max=60, help="Seconds to wait for one DNS answer."),
    retries: int = typer.Option(
        2,
        "--retries",
        min=0,
        max=10,
        help="After a DNS timeout, ask again (next nameserver first) for up to N times --timeout seconds.",
    ),
    concurrency: int = typer.Option(500, "--concurrency", "-c", min=1, max=10000, help="Domains scanned at once."),
    max_age: str | None = typer.Option(
        None,
        "--max-age",
        metavar="DURATION",
        help="Skip domains fully scanned within this long (e.g. 12h, 7d).",
        show_default=False,
    ),
    selectors: str | None = setting_option(
        "dkim_selectors",
        "--dkim-selectors",
        metavar="LIST",
        help="Comma-separated DKIM selectors to probe."
        " Default: selector1, selector2, google, default, k1, s1, s2, zmail, dkim, mail.",
        show_default=False,
    ),
    no_tenant: bool = typer.Option(
        False, "--no-tenant", help="Do not ask Microsoft's sign-in service whether the domain has a tenant."
    ),
    fresh_tenant: bool = fresh_tenant_option(),
    tenant_concurrency: int = typer.Option(
        128,
        "--tenant-concurrency",
        min=1,
        max=256,
        help="Most tenant requests in flight; Hunter adapts below it to the service's answers (docs/tenant.md).",
    ),
    no_whois: bool = typer.Option(False, "--no-whois", help="Do not look up registration data (RDAP/WHOIS)."),
    quick: bool = typer.Option(
        False,
        "--quick",
        help="Skip the Microsoft footprint questions (autodiscover, Teams, Intune, MTA-STS, ..., NS):"
        " about half the DNS queries, for the largest lists. Stored footprints are kept.",
    ),
    processes: int | None = processes_option("an input file of 16 KiB or more (about 800 domains; not a pipe)"),
    rules: Path | None = setting_option(
        "rules", "--rules", help="Scoring rules file to use instead of the bundled one."
    ),
    domain_column: str | None = typer.Option(
        None,
        "--domain-column",
        metavar="COLUMN",
        help="CSV/Excel column with websites or e-mails: header, number or letter.",
        show_default=False,
    ),
    company_column: str | None = typer.Option(
        None,
        "--company-column",
        metavar="COLUMN",
        help="CSV/Excel column with company names: header, number or letter.",
        show_default=False,
    ),
    sheet: str | None = SheetOption,
    json_out: bool = typer.Option(
        False, "--json", help="Write one JSON object per domain per line to stdout, nothing else."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, table or summary; errors only."),
    lang: str = messages_lang_option(),
) -> None:
    """Scan domains: mail provider, security gateway, SPF, DKIM and DMARC.

    Results go into the database; the summary says what was skipped and why.
    Exit codes: 0 the scan ran (some domains may have failed, see the summary),
    1 fatal error (no valid domain, database busy or broken) or an input that could not be read
    (the other inputs are still scanned),
    2 usage error (an unknown option, a file that does not exist), 4 the DNS resolver does not
    tell the truth (no lead's stored result was changed), 6 no DNS answer: no nameserver answered the
    resolver check (nothing was scanned), or no scanned domain got an answer (each is stored as a
    failure and asked again next run), 7 every scanned domain failed though DNS answered (SERVFAIL, a
    CNAME loop: each is stored as a failure and asked again next run; one line says why, even with -q),
    130 interrupted by Ctrl-C, 141 the reader of
    stdout went away (`--json | head`), 143 stopped by SIGTERM (results so far are saved either way).
    """
    from ..dns import dkim as dkim_mod
    from ..durations import ago_iso, parse_duration
    from ..inputs import missing_files

    speak_in(lang)
    missing = missing_files(inputs)
    if missing:
        raise typer.BadParameter(Said("cli.file.missing", path=missing[0]), param_hint="INPUT")
    try:
        fresh_since = ago_iso(parse_duration(max_age)) if max_age else None
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--max-age") from None
    try:
        sel = dkim_mod.parse_selectors(selectors) if selectors else dkim_mod.DEFAULT_SELECTORS
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--dkim-selectors") from None
    refuse_fresh_without_tenant(fresh_tenant, no_tenant)
    from .scanning import scan as run_scan
    from .scanning import scan_options as build_options
    from .scanning import typed_options

    options = build_options(
        nameserver=nameserver,
        timeout=timeout,
        retries=retries,
        concurrency=concurrency,
        selectors=sel,
        no_tenant=no_tenant,
        fresh_tenant=fresh_tenant,
        tenant_concurrency=tenant_concurrency,
        no_whois=no_whois,
        rules=str(rules) if rules else None,
        quick=quick,
        processes=processes,
    )
    hints = column_hints(inputs, domain_column, company_column, sheet)
    code = run_scan(
        inputs,
        db_path(db),
        options,
        fresh_since=fresh_since,
        json_out=json_out,
        quiet=quiet,
        hints=hints,
        repeat=typed_options(ctx, skip=("max_age", "db")),
    )
    raise typer.Exit(code)
