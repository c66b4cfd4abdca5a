"""`hunter auth` and `hunter referrals`: Partner Center sign-in and referral sync."""

from __future__ import annotations

import enum
import json
import os
import sys
from pathlib import Path

import typer

from . import app
from .common import (
    EXIT_FATAL,
    EXIT_SIGN_IN,
    DbOption,
    db_path,
    domain_arg,
    fail,
    open_store,
    stderr_console,
    stdout_console,
    store_errors,
)

auth_app = typer.Typer(help="Sign in to Microsoft Partner Center (device code flow).", no_args_is_help=True)
ref_app = typer.Typer(help="Partner Center referrals: sync, list, link.", no_args_is_help=True)
app.add_typer(auth_app, name="auth")
app.add_typer(ref_app, name="referrals")


def _settings(client_id=None, tenant=None):
    from ..partner.auth import AuthError, settings

    try:
        return settings(client_id, tenant)
    except AuthError as exc:
        raise fail(str(exc)) from None


@auth_app.command("login")
def login(
    client_id: str | None = typer.Option(
        None, "--client-id", envvar="HUNTER_CLIENT_ID", help="Public client application id."
    ),
    tenant: str | None = typer.Option(
        None, "--tenant", envvar="HUNTER_TENANT_ID", help="Your partner tenant id or domain."
    ),
) -> None:
    """Sign in with a device code: open the page shown on stderr and enter the code there.

    The client id and tenant are remembered for later runs (cron included).
    Exit codes: 0 signed in, 1 sign-in failed or a setting is missing.
    """
    from ..partner.auth import AuthError, TokenStore, save_settings

    s = _settings(client_id, tenant)
    err = stderr_console()
    try:
        with TokenStore(s) as store:
            who = store.device_login(lambda message: err.print(message, markup=False, highlight=False))
    except AuthError as exc:
        raise fail(str(exc)) from None
    save_settings(s)
    err.print(f"Signed in as {who['account'] or 'unknown account'}.")


@auth_app.command("status")
def status(json_out: bool = typer.Option(False, "--json", help="As JSON.")) -> None:
    """Who is signed in, and until when the current access token is valid (it renews by itself).

    Reads the token cache only: no network. Exit codes: 0 signed in (or a token
    in HUNTER_PARTNER_TOKEN), 1 not signed in.
    """
    from ..partner.auth import AuthError, TokenStore, optional_settings

    configured = optional_settings()
    info: dict | None
    if os.environ.get("HUNTER_PARTNER_TOKEN"):
        info = {"account": None, "source": "HUNTER_PARTNER_TOKEN"}
    else:
        try:
            with TokenStore(configured) as store:
                info = store.status()
        except AuthError as exc:
            raise fail(str(exc)) from None
    if json_out:
        typer.echo(json.dumps(info))
    elif not info and configured is None:
        stdout_console().print(
            "Not signed in, and no application (client) id is set. Run: hunter auth login --client-id"
            " <application id> (or set HUNTER_CLIENT_ID first).",
            markup=False,
        )
    elif not info:
        stdout_console().print("Not signed in. Run: hunter auth login")
    elif info.get("source"):
        stdout_console().print("Using the token in HUNTER_PARTNER_TOKEN.")
    else:
        kept = "encrypted by the operating system" if info.get("encrypted") else "a file readable only by you"
        stdout_console().print(
            f"Signed in as {info['account']} (tenant {info['tenant']}); access token valid until"
            f" {info['access_token_expires'] or 'unknown'}.\nToken cache: {info['token_cache']} ({kept}).",
            markup=False,
            highlight=False,
        )
    if not info:
        raise typer.Exit(EXIT_FATAL)


@auth_app.command("logout")
def logout() -> None:
    """Remove the signed-in account and its tokens from the token cache (no network needed)."""
    from ..partner.auth import AuthError, TokenStore, optional_settings

    try:
        with TokenStore(optional_settings()) as store:
            removed = store.logout()
    except AuthError as exc:
        raise fail(str(exc)) from None
    stdout_console().print("Signed out." if removed else "Nobody was signed in.")


@ref_app.command("sync")
def sync(
    full: bool = typer.Option(
        False, "--full", help="Fetch every referral again, not only the ones updated since the last sync."
    ),
    no_scan: bool = typer.Option(False, "--no-scan", help="Do not scan the domains of new leads."),
    db: Path | None = DbOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Pull Partner Center referrals into the database and scan the new leads they bring.

    Uses silent sign-in only, so it runs from cron. Exit codes: 0 synced,
    1 the sync failed (nothing was recorded as synced), 3 sign-in needed: nobody
    is signed in (run `hunter auth login`; with no client id configured, pass
    `--client-id` there or set HUNTER_CLIENT_ID), the sign-in has expired, or
    Partner Center refused the token (also the one in HUNTER_PARTNER_TOKEN).
    """
    from .. import store
    from ..partner.auth import AuthError, InteractionRequired, TokenProvider, optional_settings
    from ..partner.client import DEFAULT_BASE, ReferralsClient, SyncError
    from ..partner.sync import sync as run_sync
    from ..redact import summary
    from .rules import _rules

    err = stderr_console()
    rules = _rules(None)  # a bad rules file fails here, before anything is asked or written
    tokens = TokenProvider(None if os.environ.get("HUNTER_PARTNER_TOKEN") else optional_settings())
    path = db_path(db)
    with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
        conn = open_store(path, write=True)
        run_id = store.start_run(conn, "referrals sync")
        client = ReferralsClient(tokens, os.environ.get("HUNTER_PARTNER_API_URL") or DEFAULT_BASE)
        try:
            result = run_sync(conn, client, full=full, rules=rules)
        except InteractionRequired as exc:
            store.finish_run(conn, run_id, "failed", {"error": "sign-in needed: " + summary(exc, 300)})
            conn.close()
            err.print(f"{exc}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_SIGN_IN) from None
        except (SyncError, AuthError) as exc:
            store.finish_run(conn, run_id, "failed", {"error": summary(exc, 300)})
            conn.close()
            raise fail(f"referral sync failed: {exc}") from None
        finally:
            client.close()
        store.finish_run(
            conn,
            run_id,
            "ok",
            {
                "fetched": result.fetched,
                "stored": result.stored,
                "new": result.created,
                "malformed": len(result.malformed),
                "unlinked": result.unlinked,
                "new_domains": len(result.new_domains),
                "watermark": result.watermark,
            },
        )
        conn.close()
    if not quiet:
        err.print(
            f"Referrals: {result.fetched} fetched, {result.created} new, {result.stored} stored,"
            f" {result.unlinked} without a domain, {len(result.new_domains)} new leads."
        )
    for line in result.malformed:
        err.print(f"skipped malformed referral {line}", markup=False)
    if result.new_domains and not no_scan:
        from .scan import build_options, run_scan

        code = run_scan(result.new_domains, path, build_options(), fresh_since=None, json_out=False, quiet=True)
        if code:
            raise typer.Exit(code)


class RefFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


@ref_app.command("list")
def list_(
    status_: list[str] = typer.Option([], "--status", help="Only these statuses (New, Active, Closed; repeatable)."),
    type_: list[str] = typer.Option(
        [], "--type", help="Only these types (Independent, Shared) or kinds (cosell, marketplace, partner)."
    ),
    linked: bool | None = typer.Option(None, "--linked/--unlinked", help="Only referrals with / without a domain."),
    since: str | None = typer.Option(None, "--since", metavar="DURATION", help="Updated within this long."),
    db: Path | None = DbOption,
    fmt: RefFormat = typer.Option(RefFormat.table, "--format", "-f", help="table, json or csv."),
    json_out: bool = typer.Option(False, "--json", help="Same as --format json."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=0,
        show_default=False,
        help="At most this many; 0 for all. Default: 50 in the table, all in json and csv.",
    ),
) -> None:
    """Stored referrals, newest update first."""
    from .. import store
    from ..durations import ago_iso, parse_duration

    updated_since = None
    if since:
        try:
            updated_since = ago_iso(parse_duration(since))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--since") from None
    from ..render import paging

    cols = store.referrals.LIST_COLUMNS
    where = (status_, type_, linked, updated_since)
    conn = open_store(db)
    try:
        if json_out or fmt is not RefFormat.table:  # streamed: never a list of every referral
            rows = store.iter_referrals(conn, *where, limit=limit or 0)
            if fmt is RefFormat.csv and not json_out:
                from ..render.csvsafe import write_csv

                write_csv(sys.stdout, list(cols), ([r[c] for c in cols] for r in rows))
            else:
                paging.write_json_array(rows, sys.stdout)
            return
        total = store.count_referrals(conn, *where)
        shown = 0
        if total:
            out = stdout_console()
            headers = ("Updated", "Customer", "Domain", "Kind", "Status", "Deal", "Closing")
            page = store.iter_referrals(conn, *where, limit=paging.table_limit(limit))
            for table, count in paging.tables(headers, (_referral_cells(r) for r in page), out.width):
                out.print(table)
                shown += count
    finally:
        conn.close()
    if not total:
        stderr_console().print("No referrals match.")
        return
    if shown < total:
        stderr_console().print(paging.footer(shown, total, "referral", "referrals"))


def _referral_cells(r: dict) -> list[str]:
    deal = f"{r['deal_value']:,.0f} {r['currency'] or ''}".strip() if r["deal_value"] is not None else ""
    return [
        (r["updated_at"] or "")[:10],
        r["customer_name"] or r["name"] or r["id"],
        r["domain"] or "(unlinked)",
        r["kind"],
        f"{r['status'] or ''} {r['substatus'] or ''}".strip(),
        deal,
        r["closing_date"] or "",
    ]


@ref_app.command("link")
def link_(
    referral_id: str = typer.Argument(..., help="The referral id (see `hunter referrals list --json`)."),
    domain: str = typer.Argument(..., help="The customer's domain."),
    db: Path | None = DbOption,
) -> None:
    """Link a referral to a domain by hand (a manual link is never overwritten by a sync)."""
    from ..partner.sync import link
    from .rules import _rules

    name = domain_arg(domain)
    rules = _rules(None)
    conn = open_store(db, write=True)
    try:
        with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
            previous = link(conn, referral_id, name, rules)
    except KeyError:
        raise fail(f"no referral with id {referral_id!r}; see: hunter referrals list") from None
    finally:
        conn.close()
    stdout_console().print(
        f"Referral {referral_id} linked to {name}" + (f" (was {previous})" if previous else "") + "."
    )
