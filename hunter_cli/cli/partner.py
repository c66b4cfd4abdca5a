"""`hunter auth` and `hunter referrals`: Partner Center sign-in and referral sync."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..render import formats
from ..said import Said, said_of
from . import app, complete
from .common import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_SIGN_IN,
    CsvSeparatorOption,
    DbOption,
    JsonSameOption,
    TableJson,
    db_path,
    domain_arg,
    fail,
    keeps_a_new_database_only_on_success,
    messages_lang_option,
    open_store,
    say,
    setting_option,
    speak_in,
    stderr_console,
    stdout_console,
    store_errors,
    table_json_option,
    use_csv_separator,
)
from .csvout import NoBomOption, use_bom

auth_app = typer.Typer(help="Sign in to Microsoft Partner Center (device code flow).", no_args_is_help=True)
ref_app = typer.Typer(help="Partner Center referrals: sync, list, link.", no_args_is_help=True)
app.add_typer(auth_app, name="auth")
app.add_typer(ref_app, name="referrals")


def _settings(client_id=None, tenant=None):
    from ..partner.auth import AuthError, settings

    try:
        return settings(client_id, tenant)
    except AuthError as exc:
        raise fail(said_of(exc)) from None


@auth_app.command("login")
def login(
    client_id: str | None = setting_option("client_id", "--client-id", help="Public client application id."),
    tenant: str | None = setting_option("tenant_id", "--tenant", help="Your partner tenant id or domain."),
    lang: str = messages_lang_option(),
) -> None:
    """Sign in with a device code: open the page shown on stderr and enter the code there.

    The client id and tenant are remembered for later runs (cron included).
    Exit codes: 0 signed in, 1 sign-in failed or a setting is missing.
    """
    from ..partner.auth import AuthError, TokenStore, save_settings

    speak_in(lang)
    s = _settings(client_id, tenant)
    err = stderr_console()
    try:
        with TokenStore(s) as store:
            who = store.device_login(lambda message: err.print(message, markup=False, highlight=False))
    except AuthError as exc:
        raise fail(said_of(exc)) from None
    save_settings(s)
    account = who["account"] or Said("cli.auth.unknown_account")
    err.print(say(Said("cli.auth.signed_in", account=account)), markup=False)


@auth_app.command("status")
def status(
    fmt: TableJson = table_json_option("one object"),
    json_out: bool = JsonSameOption,
    lang: str = messages_lang_option(),
) -> None:
    """Who is signed in, and until when the current access token is valid (it renews by itself).

    Reads the token cache only: no network. Exit codes: 0 signed in (or a token
    in HUNTER_PARTNER_TOKEN), 1 not signed in.
    """
    speak_in(lang)
    json_out = json_out or fmt is TableJson.json
    from ..config import get
    from ..partner.auth import AuthError, TokenStore, optional_settings

    configured = optional_settings()
    info: dict | None
    if get("partner_token"):
        info = {"account": None, "source": "HUNTER_PARTNER_TOKEN"}
    else:
        try:
            with TokenStore(configured) as store:
                info = store.status()
        except AuthError as exc:
            raise fail(said_of(exc)) from None
    from ..render.accounts import AuthStatus
    from ..render.formats import render

    render(
        "auth-status",
        formats.Format.json if json_out else formats.Format.table,
        AuthStatus(info, configured is not None),
    )
    if not info:
        raise typer.Exit(EXIT_FATAL)


@auth_app.command("logout")
def logout(lang: str = messages_lang_option()) -> None:
    """Remove the signed-in account and its tokens from the token cache (no network needed)."""
    from ..partner.auth import AuthError, TokenStore, optional_settings

    speak_in(lang)
    try:
        with TokenStore(optional_settings()) as store:
            removed = store.logout()
    except AuthError as exc:
        raise fail(said_of(exc)) from None
    stdout_console().print(say(Said("cli.auth.signed_out" if removed else "cli.auth.nobody_signed_in")))


@ref_app.command("sync")
@keeps_a_new_database_only_on_success
def sync(
    full: bool = typer.Option(
        False, "--full", help="Fetch every referral again, not only the ones updated since the last sync."
    ),
    no_scan: bool = typer.Option(False, "--no-scan", help="Do not scan the domains of new leads."),
    db: Path | None = DbOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    lang: str = messages_lang_option(),
) -> None:
    """Pull Partner Center referrals into the database and scan the new leads they bring.

    Uses silent sign-in only, so it runs from cron. Exit codes: 0 synced,
    1 the sync failed (nothing was recorded as synced), 3 sign-in needed: nobody
    is signed in (run `hunter auth login`; with no client id configured, pass
    `--client-id` there or set HUNTER_CLIENT_ID), the sign-in has expired, or
    Partner Center refused the token (also the one in HUNTER_PARTNER_TOKEN),
    130 interrupted (nothing of the sync is stored; run it again).
    """
    from .. import store
    from ..config import get
    from ..partner.auth import AuthError, InteractionRequired, TokenProvider, optional_settings
    from ..partner.client import DEFAULT_BASE, ReferralsClient, SyncError
    from ..services.partner import sync_referrals
    from .rules import _rules

    speak_in(lang)
    err = stderr_console()
    rules = _rules(None)  # a bad rules file fails here, before anything is asked or written
    tokens = TokenProvider(None if get("partner_token") else optional_settings())
    path = db_path(db)
    with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
        conn = open_store(path, write=True, create=True)
        client = ReferralsClient(tokens, get("partner_api_url") or DEFAULT_BASE)
        try:
            result = sync_referrals(conn, client, full=full, rules=rules)
        except InteractionRequired as exc:
            conn.close()
            err.print(say(said_of(exc)), markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_SIGN_IN) from None
        except (SyncError, AuthError) as exc:
            conn.close()
            raise fail(Said("cli.partner.sync_failed", reason=said_of(exc))) from None
        except KeyboardInterrupt:  # fetched pages are stored only all at once (partner/sync.py): nothing was
            conn.close()
            raise fail(Said("cli.referrals.sync_interrupted"), EXIT_INTERRUPTED) from None
        finally:
            client.close()
        try:  # referral leads stored earlier without a scan (--no-scan, `referrals link`): scanned now too
            earlier = [d for d in store.unscanned_referral_leads(conn) if d not in set(result.new_domains)]
        finally:
            conn.close()
    if not quiet:
        done = Said(
            "cli.partner.synced",
            fetched=result.fetched,
            created=result.created,
            stored=result.stored,
            unlinked=result.unlinked,
            leads=len(result.new_domains),
        )
        err.print(say(done), markup=False)
    for line in result.malformed:
        err.print(say(Said("cli.partner.malformed", item=line)), markup=False)
    if no_scan:
        waiting = len(result.new_domains) + len(earlier)
        if waiting and not quiet:  # a line of the summary, as the counts above
            err.print(say(Said("cli.referrals.unscanned", n=waiting)), markup=False)
        return
    if earlier and not quiet:
        err.print(say(Said("cli.referrals.scanning_earlier", n=len(earlier))), markup=False)
    if result.new_domains or earlier:
        from ..store.scanlock import Holder
        from .scanning import scan as run_scan
        from .scanning import scan_options as build_options

        code = run_scan(
            result.new_domains + earlier,
            path,
            build_options(),
            fresh_since=None,
            json_out=False,
            quiet=True,
            holder=Holder("partner"),
        )
        if code:
            raise typer.Exit(code)


if TYPE_CHECKING:
    RefFormat = formats.Format
else:  # the formats of `hunter referrals list` (render/referrals.py)
    RefFormat = formats.choices("RefFormat", formats.Format.table, formats.Format.json, formats.Format.csv)


# The values `referrals list --status` and `--type` take (Partner Center's referral status, type and kind).
REFERRAL_STATUSES = ("New", "Active", "Closed")
REFERRAL_TYPES = ("Independent", "Shared", "cosell", "marketplace", "partner")


@ref_app.command("list")
def list_(
    status_: list[str] = typer.Option(
        [],
        "--status",
        help="Only these statuses (New, Active, Closed; repeatable).",
        autocompletion=complete.referral_statuses,
    ),
    type_: list[str] = typer.Option(
        [],
        "--type",
        help="Only these types (Independent, Shared) or kinds (cosell, marketplace, partner).",
        autocompletion=complete.referral_types,
    ),
    linked: bool | None = typer.Option(None, "--linked/--unlinked", help="Only referrals with / without a domain."),
    since: str | None = typer.Option(None, "--since", metavar="DURATION", help="Updated within this long."),
    db: Path | None = DbOption,
    fmt: RefFormat = typer.Option(RefFormat.table, "--format", "-f", help="table, json or csv."),
    json_out: bool = typer.Option(False, "--json", help="Same as --format json."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        "-n",
        min=0,
        metavar="N",
        show_default=False,
        help="At most N referrals; 0 for all. Default: 50 in the table, all in json and csv.",
    ),
    csv_separator: str | None = CsvSeparatorOption,
    no_bom: bool = NoBomOption,
    lang: str = messages_lang_option(),
) -> None:
    """Stored referrals, newest update first."""
    speak_in(lang)
    use_csv_separator(csv_separator)
    use_bom(no_bom)
    formats.whole_lists_on_pipes()
    from .. import store
    from ..choices import choose
    from ..durations import ago_iso, parse_duration

    try:
        status_ = [choose(s, REFERRAL_STATUSES, "referral status") for v in status_ for s in v.split(",") if s.strip()]
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--status") from None
    try:
        type_ = [choose(t, REFERRAL_TYPES, "referral type or kind") for v in type_ for t in v.split(",") if t.strip()]
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--type") from None
    updated_since = None
    if since:
        try:
            updated_since = ago_iso(parse_duration(since))
        except ValueError as exc:
            raise typer.BadParameter(said_of(exc), param_hint="--since") from None
    from ..render import paging
    from ..render.formats import render
    from ..render.referrals import Referrals

    out_fmt = formats.Format.json if json_out else formats.Format(fmt.value)
    where = (status_, type_, linked, updated_since)
    filtered = bool(status_ or type_ or linked is not None or since)
    conn = open_store(db)
    try:
        if out_fmt is formats.Format.table:  # the first page and a count
            rows = store.iter_referrals(conn, *where, limit=paging.table_limit(limit))
            total = store.count_referrals(conn, *where)
        else:  # streamed: never a list of every referral
            rows, total = store.iter_referrals(conn, *where, limit=limit or 0), 0
        render("referrals", out_fmt, Referrals(rows, filtered, total))
    finally:
        conn.close()


@ref_app.command("link")
def link_(
    referral_id: str = typer.Argument(..., help="The referral id (see `hunter referrals list --json`)."),
    domain: str = typer.Argument(..., help="The customer's domain."),
    db: Path | None = DbOption,
    lang: str = messages_lang_option(),
) -> None:
    """Link a referral to a domain by hand (a manual link is never overwritten by a sync)."""
    from ..partner.sync import link
    from .rules import _rules

    speak_in(lang)
    name = domain_arg(domain)
    rules = _rules(None)
    conn = open_store(db, write=True)
    try:
        with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
            previous = link(conn, referral_id, name, rules)
    except KeyError:
        raise fail(Said("cli.partner.no_referral", id=repr(referral_id))) from None
    finally:
        conn.close()
    from .common import shown

    linked = Said("cli.partner.linked", id=referral_id, domain=shown(name))
    if previous:
        linked = Said("cli.partner.linked_was", id=referral_id, domain=shown(name), previous=shown(previous))
    stdout_console().print(say(linked), markup=False)
