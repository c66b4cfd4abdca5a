"""`hunter crm`: Dynamics 365 Sales over the Dataverse Web API (login, status, push, pull)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from . import app
from .brief import LangOption, _check_lang
from .common import (
    EXIT_SIGN_IN,
    DbOption,
    db_path,
    domain_arg,
    fail,
    open_store,
    setting_option,
    stderr_console,
    stdout_console,
    store_errors,
)
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
from .rules import RulesOption

crm_app = typer.Typer(help="Dynamics 365 Sales: push qualified leads, read their status back.", no_args_is_help=True)
app.add_typer(crm_app, name="crm")

EXIT_INTERACTION_REQUIRED = EXIT_SIGN_IN  # as for `hunter referrals sync`: run `hunter crm login`

UrlOption = typer.Option(
    None,
    "--url",
    metavar="URL",
    show_default=False,
    help="Dynamics 365 environment URL (https://contoso.crm4.dynamics.com). Default: HUNTER_CRM_URL,"
    " else the one saved by `hunter crm login`.",
)


def _url(flag: str | None) -> str:
    from ..crm.auth import CrmConfigError, environment_url

    try:
        return environment_url(flag)
    except CrmConfigError as exc:
        raise fail(str(exc)) from None


def _settings(client_id: str | None = None, tenant: str | None = None):
    from ..partner.auth import AuthError, settings

    try:
        return settings(client_id, tenant)
    except AuthError as exc:
        raise fail(str(exc)) from None


def _tokens(url: str):
    """Tokens for push and pull; with no client id configured nobody can be signed in: exit 3."""
    from ..config import get
    from ..crm.auth import CrmTokens
    from ..partner.auth import AuthError, settings

    if get("crm_token"):
        return CrmTokens(url, None)
    try:
        return CrmTokens(url, settings())
    except AuthError as exc:
        raise fail(
            f"{exc}. Then sign in once with: hunter crm login --client-id <application id>"
            " (or pass a token in HUNTER_CRM_TOKEN)",
            EXIT_INTERACTION_REQUIRED,
        ) from None


def _client(url: str, concurrency: int = 4):
    from ..crm.client import DataverseClient

    return DataverseClient(url, _tokens(url), concurrency=concurrency)


@crm_app.command("login")
def login(
    url: str | None = UrlOption,
    client_id: str | None = setting_option("client_id", "--client-id", help="Public client application id."),
    tenant: str | None = setting_option("tenant_id", "--tenant", help="Your tenant id or domain."),
) -> None:
    """Sign in to Dynamics 365 with a device code: open the page shown on stderr and enter the code there.

    Asks for the scope <environment URL>/user_impersonation with the same app
    registration and token cache as `hunter auth login`. The environment URL,
    client id and tenant are remembered for later runs (cron included).
    Exit codes: 0 signed in, 1 sign-in failed or a setting is missing.
    """
    from ..crm.auth import AuthError, save_environment, token_store
    from ..partner.auth import save_settings

    env = _url(url)
    s = _settings(client_id, tenant)
    err = stderr_console()
    try:
        with token_store(s, env) as store:
            who = store.device_login(lambda message: err.print(message, markup=False, highlight=False))
    except AuthError as exc:
        raise fail(str(exc)) from None
    save_settings(s)
    save_environment(env)
    err.print(f"Signed in to {env} as {who['account'] or 'unknown account'}.", markup=False)


@crm_app.command("status")
def status(
    url: str | None = UrlOption,
    db: Path | None = DbOption,
    json_out: bool = typer.Option(False, "--json", help="As JSON."),
) -> None:
    """Which environment, signed in as whom, and how many leads were pushed, are pending or failed.

    Reads the token cache and the database only (no request to Dynamics 365).
    Exit codes: 0 shown, 1 no environment configured or the database is not usable.
    """
    from ..crm.auth import token_store
    from ..store import crm as crm_store

    env = _url(url)
    account: dict | None
    from ..config import get

    if get("crm_token"):
        account = {"account": None, "source": "HUNTER_CRM_TOKEN"}
    else:
        from ..crm.redact import redact
        from ..partner.auth import AuthError, settings

        try:
            with token_store(settings(), env) as store:
                account = store.status()
        except AuthError as exc:  # no client id: the counts are still worth showing
            account = {"account": None, "error": str(exc)}
        except Exception as exc:  # noqa: BLE001  a cache or network problem must not hide the counts
            account = {"account": None, "error": redact(f"{exc.__class__.__name__}: {exc}")}
    conn = open_store(db)
    try:
        counts = crm_store.summary(conn, env)
    finally:
        conn.close()
    info = {"environment": env, "signed_in": account, **counts}
    if json_out:
        typer.echo(json.dumps(info, ensure_ascii=False))
        return
    out = stdout_console()
    out.print(f"Environment: {env}", markup=False)
    if not account:
        out.print("Not signed in. Run: hunter crm login")
    elif account.get("source"):
        out.print("Using the token in HUNTER_CRM_TOKEN.")
    elif account.get("error"):
        out.print(f"Sign-in state not known: {account['error']}", markup=False)
    else:
        out.print(f"Signed in as {account['account']} (tenant {account['tenant']}).", markup=False)
    out.print(
        f"Leads in Dynamics: {counts['pushed']} pushed, {counts['pending']} pending, {counts['failed']} failed"
        f" ({counts['deleted']} deleted in Dynamics); open {counts['open']}, qualified {counts['qualified']},"
        f" disqualified {counts['disqualified']}."
    )
    out.print(f"Last push: {counts['last_push'] or 'never'}; last pull: {counts['last_pull'] or 'never'}.")
    for f in counts["failures"]:
        out.print(f"  failed {f['domain']}: {f['error']}", markup=False)


@crm_app.command("push")
def push(
    domains: list[str] = typer.Argument(None, metavar="DOMAIN", help="Only these domains (and the filters)."),
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
    mapping: Path | None = setting_option(
        "crm_mapping",
        "--mapping",
        metavar="FILE",
        help="Mapping file (JSON; docs/dynamics.md). Default: the bundled one (standard lead columns only).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be sent as JSON; no network, no writes."),
    recreate: bool = typer.Option(False, "--recreate", help="Create leads again that were deleted in Dynamics."),
    include_disqualified: bool = typer.Option(
        False, "--include-disqualified", help="Push leads disqualified in Dynamics too."
    ),
    force: bool = typer.Option(False, "--force", help="Send leads whose payload has not changed since the last push."),
    concurrency: int = typer.Option(4, "--concurrency", "-c", min=1, max=16, help="Requests in flight at once."),
    lang: str = LangOption,
    rules: Path | None = RulesOption,
    url: str | None = UrlOption,
    db: Path | None = DbOption,
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but failures."),
) -> None:
    """Create or update one Dynamics 365 lead per domain, with the brief and the key facts.

    Selects leads with the filters of `hunter leads`. Idempotent: Hunter keeps
    each lead's Dataverse id and updates that record next time (or upserts by
    the mapping's alternate key). Exit codes: 0 every selected lead is in
    Dynamics (or unchanged or skipped), 1 some leads failed or the run stopped
    (the summary says which and why; rerun to finish), 2 usage error,
    3 sign-in needed: run `hunter crm login`.
    """
    from datetime import date

    from rich.markup import escape

    from ..crm import push as pusher
    from ..crm.auth import InteractionRequired
    from ..crm.client import CrmError
    from ..crm.mapping import MappingError, load
    from ..store import leads as core
    from .rules import _rules

    lang = _check_lang(lang)
    names = tuple(dict.fromkeys(domain_arg(d) for d in domains or []))
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
        domains=names,
    )
    try:
        mp = load(mapping)
    except MappingError as exc:
        raise fail(str(exc), 2) from None
    scoring_rules = _rules(rules)
    env: str | None
    if dry_run:
        from ..crm.auth import CrmConfigError, environment_url

        try:
            env = environment_url(url)
        except CrmConfigError:
            env = None  # a dry run needs no environment; URLs are then relative
    else:
        env = _url(url)
    err = stderr_console()
    with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
        conn = core.prepare(open_store(db, write=True))
        try:
            rows = list(core.iter_leads(conn, f, core.DEFAULT_SORT))
            missing = sorted(set(names) - {r["domain"] for r in rows}) if names else []
            plans = pusher.plan(
                conn,
                rows,
                mp,
                env,
                lang=lang,
                rules=scoring_rules,
                today=date.today(),
                recreate=recreate,
                include_disqualified=include_disqualified,
                force=force,
            )
            if dry_run:
                from ..crm.client import API_PATH

                api = env + API_PATH if env else ""
                out = [p.request(api) for p in plans]
                out += [{"domain": d, "action": "skip", "reason": "not in the database"} for d in missing]
                sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
                return
            assert env is not None
            from .. import store

            client = _client(env, concurrency)
            run_id = store.start_run(conn, "crm push")
            summary = None
            code = 0
            try:
                summary = pusher.run(conn, client, plans, env, concurrency=concurrency, recreate=recreate)
            except InteractionRequired as exc:
                summary = getattr(exc, "summary", None)
                err.print(str(exc), markup=False)
                code = EXIT_INTERACTION_REQUIRED
            except CrmError as exc:
                summary = getattr(exc, "summary", None)
                err.print(f"[bold red]error:[/] push stopped: {escape(str(summary.stopped if summary else exc))}")
                code = 1
            except KeyboardInterrupt:
                store.finish_run(conn, run_id, "interrupted", {})
                raise
            finally:
                client.close()
            if summary is not None:
                for d in missing:
                    summary.skipped.append((d, "not in the database"))
            counts = summary.counts() if summary else {}
            store.finish_run(
                conn,
                run_id,
                "ok" if code == 0 and not counts.get("failed") else "failed",
                {**counts, "stopped": summary.stopped if summary else None},
            )
        finally:
            conn.close()
    if summary is not None:
        _report(summary, json_out, quiet)
        if summary.failed and code == 0:
            code = 1
    if code:
        raise typer.Exit(code)


def _report(summary, json_out: bool, quiet: bool) -> None:
    err = stderr_console()
    c = summary.counts()
    if json_out:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    elif not quiet:
        line = (
            f"Dynamics 365: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged,"
            f" {c['failed']} failed, {c['skipped']} skipped"
        )
        if summary.not_sent:
            line += f"; {summary.not_sent} not sent (the run stopped; run it again to finish)"
        if summary.throttled:
            line += f"; throttled {summary.throttled} times (service protection limits)"
        err.print(line + ".", markup=False)
        for d, reason in summary.skipped:
            err.print(f"  skipped {d}: {reason}", markup=False)
    if not json_out:
        for d, reason in summary.failed:
            err.print(f"  failed {d}: {reason}", markup=False)


@crm_app.command("pull")
def pull(
    full: bool = typer.Option(
        False, "--full", help="Read every pushed lead, not only those modified since the last pull."
    ),
    url: str | None = UrlOption,
    db: Path | None = DbOption,
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Read the status (open, qualified, disqualified), status reason and owner of every pushed lead.

    Uses silent sign-in only, so it runs from cron. Exit codes: 0 read,
    1 the pull failed (nothing was stored), 3 sign-in needed: run `hunter crm login`.
    """
    from .. import store
    from ..crm.auth import InteractionRequired
    from ..crm.client import CrmError
    from ..crm.pull import pull as run_pull

    env = _url(url)
    with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
        conn = open_store(db, write=True)
        client = _client(env)
        run_id = store.start_run(conn, "crm pull")
        try:
            result = run_pull(conn, client, env, full=full)
        except InteractionRequired as exc:
            store.finish_run(conn, run_id, "failed", {"error": "interaction required"})
            conn.close()
            stderr_console().print(str(exc), markup=False)
            raise typer.Exit(EXIT_INTERACTION_REQUIRED) from None
        except CrmError as exc:
            from ..crm.redact import redact

            message = redact(str(exc), client.tokens.secrets)
            store.finish_run(conn, run_id, "failed", {"error": message})
            conn.close()
            raise fail(f"pull failed: {message}") from None
        finally:
            client.close()
        stats = {
            "asked": result.asked,
            "read": result.read,
            "updated": result.updated,
            "malformed": len(result.malformed),
            "watermark": result.watermark,
            **result.states,
        }
        store.finish_run(conn, run_id, "ok", stats)
        conn.close()
    if json_out:
        typer.echo(json.dumps({**stats, "malformed": result.malformed}, ensure_ascii=False))
    elif not quiet:
        states = ", ".join(f"{n} {k}" for k, n in sorted(result.states.items())) or "no changes"
        stderr_console().print(
            f"Dynamics 365: asked about {result.asked} leads, {result.read} read ({states}).", markup=False
        )
    for line in result.malformed:
        stderr_console().print(f"skipped malformed lead {line}", markup=False)


__all__ = ["crm_app", "db_path", "stdout_console"]
