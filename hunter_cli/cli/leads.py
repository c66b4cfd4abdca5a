"""`hunter leads` and `hunter leads show`: the stored leads, filtered and sorted in SQL, for people or spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..render import formats
from ..said import Said, said_of
from . import app, complete
from .common import (
    CsvSeparatorOption,
    DbOption,
    JsonSameOption,
    TableJson,
    db_path,
    domain_arg,
    fail,
    messages_lang_option,
    open_store,
    shown,
    speak_in,
    store_errors,
    table_json_option,
    use_csv_separator,
    warn,
)
from .csvout import NoBomOption, use_bom
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
    PartialOption,
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
from .lazygroup import ShowHintGroup, collect_garbage

leads_app = typer.Typer(cls=ShowHintGroup)  # help: the callback's docstring
app.add_typer(leads_app, name="leads")

TABLE_LIMIT = 50  # render.leads.TABLE_LIMIT, named in the help
STREAM_ABOVE = 500  # render.leads.STREAM_ABOVE: longer tables are printed in pieces

if TYPE_CHECKING:
    Format = formats.Format
else:  # the formats of `hunter leads` (render/leads.py)
    Format = formats.choices(
        "Format", formats.Format.table, formats.Format.json, formats.Format.ndjson, formats.Format.csv
    )


def _connect(db: Path | None):
    """The store for a reading command, with a warning when its stored priorities may come from other
    scoring rules than this Hunter's (an upgrade, a new rules file): `hunter rescore` updates them."""
    from .. import config
    from ..rules_identity import rules_digest
    from ..store import leads as core
    from ..store.writer import scores_stale

    conn = core.prepare(open_store(db))  # exit 1 with the message when the database is not usable
    digest = rules_digest(config.get("rules"))
    stale = scores_stale(conn, digest)
    if (stale or digest is None) and config.get("rules"):  # a rules file that cannot be used is said as such
        from ..services.rules_file import configured_problem

        problem = configured_problem()
        if problem is not None:
            warn(problem)
            return conn
    if stale:
        from ..said import Said

        warn(Said("cli.leads.stale_other" if stale == "other" else "cli.leads.stale_unknown"))
    return conn


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
    search: list[str] = SearchOption,
    changed_since: str | None = ChangedSinceOption,
    stale: str | None = StaleOption,
    failed: bool = FailedOption,
    partial: bool = PartialOption,
    has_referral: bool | None = HasReferralOption,
    crm_status: list[str] = CrmStatusOption,
    uses: list[str] = UsesOption,
    workload: list[str] = WorkloadOption,
    missing: list[str] = MissingOption,
    sort: list[str] = typer.Option(
        [],
        "--sort",
        metavar="[-]COLUMN",
        autocompletion=complete.sort_columns,
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
        help="table (people), json (one array), ndjson (one lead per line) or csv (Excel: UTF-8 starting with a"
        " byte-order mark; --no-bom leaves it out for scripts).",
    ),
    as_json: bool = JsonSameOption,
    csv_separator: str | None = CsvSeparatorOption,
    no_bom: bool = NoBomOption,
    db: Path | None = DbOption,
    lang: str = messages_lang_option(),
) -> None:
    """List the stored leads, filtered and sorted.

    One row per domain with its current signals; `hunter leads show DOMAIN`
    shows everything stored about one. Filters combine with AND; a
    repeated filter matches any of its values, except --missing, which
    matches a lead missing all of them. The table shows the first 50
    (--limit 0 for all) and says on stderr how many match.
    Exit codes: 0 listed (also when nothing matches), 1 the database is not usable, 2 usage error.
    """
    speak_in(lang)
    if ctx.invoked_subcommand is not None:
        return
    if as_json:
        fmt = Format.json
    use_csv_separator(csv_separator)
    use_bom(no_bom)
    formats.whole_lists_on_pipes()
    if formats.Format.of(fmt) is not formats.Format.table or limit == 0 or (limit or 0) > STREAM_ABOVE:
        collect_garbage()  # a list of any length: the collector back on (lazygroup.py)
    import sqlite3

    from ..render.formats import render
    from ..render.leads import LeadList
    from ..store import leads as core

    if uses or workload or missing:
        from .. import config
        from ..modelbase import trusted_reading

        if not config.get("rules"):  # a rules file of one's own is checked (_connect): that needs pydantic
            trusted_reading()  # the footprint's bundled catalogs name the values: read without pydantic
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
        partial=partial,
        has_referral=has_referral,
        crm_status=crm_status,
        uses=uses,
        workload=workload,
        missing=missing,
    )
    try:
        order = core.parse_sort(sort)
    except core.LeadQueryError as exc:
        raise typer.BadParameter(said_of(exc), param_hint=exc.option) from None

    conn = _connect(db)
    try:
        render("leads", fmt, LeadList(conn, f, order, limit))
    except sqlite3.DatabaseError as exc:
        raise fail(f"cannot read the leads: {exc}") from None
    finally:
        conn.close()


@leads_app.command("show")
def show(
    ctx: typer.Context,
    domain: str = typer.Argument(..., help="Company domain (or a URL or e-mail address)."),
    db: Path | None = DbOption,
    fmt: TableJson = table_json_option("everything as one JSON object"),
    json_out: bool = JsonSameOption,
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Language of messages and the table: en or tr. Default: the lang setting.",
        show_default=False,
    ),
) -> None:
    """Everything stored about one domain: current signals, registration, tags, notes, changes and scan history.

    Reads the database only. Exit codes: 0 shown, 1 not in the database (the message names the
    command to run), 2 usage error.
    """
    json_out = json_out or fmt is TableJson.json
    from ..modelbase import trusted_reading
    from ..render.formats import render
    from ..store import leads as core

    if lang is not None:
        speak_in(lang)
    from .. import config

    if not config.get("rules"):  # a rules file of one's own is checked (_connect): that needs pydantic
        trusted_reading()  # the stored view, shown: models without pydantic (hunter_cli/lightmodel.py)
    name = domain_arg(domain)
    if db is None and ctx.parent is not None:  # `hunter leads --db X show DOMAIN`
        db = ctx.parent.params.get("db")
    conn = _connect(db)
    try:
        with store_errors(db):
            d = core.detail(conn, name)
            if d is not None and json_out:  # the lead as `hunter leads -f json` gives it (render.leads.detail_object)
                listed, _ = core.page(conn, core.LeadFilter(domains=(name,)), limit=1)
                d["listed"] = listed[0] if listed else None
    finally:
        conn.close()
    if d is None:
        raise fail(Said("cli.leads.not_in_db", domain=shown(name), path=str(db_path(db))))
    render("lead", formats.Format.json if json_out else formats.Format.table, d)
