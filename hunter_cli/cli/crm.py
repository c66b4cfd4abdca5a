"""`hunter crm`: Dynamics 365 Sales over the Dataverse Web API (login, status, push, pull)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..said import Said, said_of
from . import app, complete
from .brief import _check_lang
from .common import (
    EXIT_SIGN_IN,
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
    speak,
    speak_in,
    stderr_console,
    stdout_console,
    store_errors,
    table_json_option,
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


# `crm push --lang`: the language of the lead text sent to Dynamics 365 and of the command's own lines
PushLangOption = setting_option(
    "lang",
    "--lang",
    help="Language of the lead text sent and of messages: en or tr. Default: en.",
    fallback="en",
    autocompletion=complete.languages,
)


def _url(flag: str | None) -> str:
    from ..crm.auth import CrmConfigError, environment_url

    try:
        return environment_url(flag)
    except CrmConfigError as exc:
        raise fail(said_of(exc)) from None


def _settings(client_id: str | None = None, tenant: str | None = None):
    from ..partner.auth import AuthError, settings

    try:
        return settings(client_id, tenant)
    except AuthError as exc:
        raise fail(said_of(exc)) from None


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
        raise fail(Said("cli.crm.no_client_id", reason=said_of(exc)), EXIT_INTERACTION_REQUIRED) from None


def _client(url: str, concurrency: int = 4):
    from ..crm.client import DataverseClient

    return DataverseClient(url, _tokens(url), concurrency=concurrency)


@crm_app.command("login")
def login(
    url: str | None = UrlOption,
    client_id: str | None = setting_option("client_id", "--client-id", help="Public client application id."),
    tenant: str | None = setting_option("tenant_id", "--tenant", help="Your tenant id or domain."),
    lang: str = messages_lang_option(),
) -> None:
    """Sign in to Dynamics 365 with a device code: open the page shown on stderr and enter the code there.

    Asks for the scope <environment URL>/user_impersonation with the same app
    registration and token cache as `hunter auth login`. The environment URL,
    client id and tenant are remembered for later runs (cron included).
    Exit codes: 0 signed in, 1 sign-in failed or a setting is missing.
    """
    from ..crm.auth import AuthError, save_environment, token_store
    from ..partner.auth import save_settings

    speak_in(lang)
    env = _url(url)
    s = _settings(client_id, tenant)
    err = stderr_console()
    try:
        with token_store(s, env) as store:
            who = store.device_login(lambda message: err.print(message, markup=False, highlight=False))
    except AuthError as exc:
        raise fail(said_of(exc)) from None
    save_settings(s)
    save_environment(env)
    account = who["account"] or Said("cli.auth.unknown_account")
    err.print(say(Said("cli.crm.signed_in", env=env, account=account)), markup=False)


@crm_app.command("status")
def status(
    url: str | None = UrlOption,
    db: Path | None = DbOption,
    fmt: TableJson = table_json_option("one JSON object"),
    json_out: bool = JsonSameOption,
    lang: str = messages_lang_option(),
) -> None:
    """Which environment, signed in as whom, and how many leads were pushed, are pending or failed.

    Reads the token cache and the database only (no request to Dynamics 365).
    Exit codes: 0 shown, 1 no environment configured or the database is not usable.
    """
    speak_in(lang)
    json_out = json_out or fmt is TableJson.json
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
            account = {"account": None, "error": said_of(exc)}
        except Exception as exc:  # noqa: BLE001  a cache or network problem must not hide the counts
            account = {"account": None, "error": redact(f"{exc.__class__.__name__}: {exc}")}
    conn = open_store(db)
    try:
        counts = crm_store.summary(conn, env)
    finally:
        conn.close()
    from ..render.accounts import CrmStatus
    from ..render.formats import Format, render

    render("crm-status", Format.json if json_out else Format.table, CrmStatus(env, account, counts))


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
    search: list[str] = SearchOption,
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
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Print what would be sent as JSON and how many leads would be created, updated and skipped (and why);"
        " no network, no writes.",
    ),
    recreate: bool = typer.Option(False, "--recreate", help="Create leads again that were deleted in Dynamics."),
    include_disqualified: bool = typer.Option(
        False, "--include-disqualified", help="Push leads disqualified in Dynamics too."
    ),
    force: bool = typer.Option(False, "--force", help="Send leads whose payload has not changed since the last push."),
    concurrency: int = typer.Option(4, "--concurrency", "-c", min=1, max=16, help="Requests in flight at once."),
    lang: str = PushLangOption,
    rules: Path | None = RulesOption,
    url: str | None = UrlOption,
    db: Path | None = DbOption,
    fmt: TableJson = table_json_option("the summary as JSON"),
    json_out: bool = JsonSameOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but failures."),
) -> None:
    """Create or update one Dynamics 365 lead per domain, with the brief and the key facts.

    Selects leads with the filters of `hunter leads`. Idempotent: Hunter keeps
    each lead's Dataverse id and updates that record next time (or upserts by
    the mapping's alternate key). Exit codes: 0 every selected lead is in
    Dynamics (or unchanged or skipped), 1 some leads failed or the run stopped
    (the summary says which and why; rerun to finish), 2 usage error,
    3 sign-in needed: run `hunter crm login`, 130 interrupted (Ctrl-C stops
    at once, even while Dynamics asks to wait; what was sent is stored and
    the rest counted: rerun to finish).
    """
    json_out = json_out or fmt is TableJson.json
    from datetime import date

    from rich.markup import escape

    from ..crm import push as pusher
    from ..crm.mapping import MappingError, load
    from ..services import crm as crm_service
    from ..store import leads as core
    from .rules import _rules

    lang = _check_lang(lang)
    speak(lang)  # the messages in the language of the text sent
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
    except MappingError as exc:  # every problem of the file, each with its line, in the command's language
        for problem in exc.problems[:-1]:
            fail(problem, 2)
        raise fail(exc.problems[-1], 2) from None
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
    interrupted = None
    with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
        conn = core.prepare(open_store(db, write=not dry_run))  # a dry run only reads
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
                planned = list(plans)
                out = [p.request(api) for p in planned]
                out += [{"domain": d, "action": "skip", "reason": Said("cli.crm.skip.not_stored")} for d in missing]
                would = pusher.forecast(planned, missing)
                from ..render.accounts import PushReport
                from ..render.formats import Format, render

                if json_out:  # one object: the counts a run would report, and the requests
                    render("crm-push", Format.json, PushReport(would, quiet, dry_run=True, requests=out))
                else:  # the requests on stdout (`> plan.json`), the counts on stderr as after a run
                    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
                    render("crm-push", Format.table, PushReport(would, quiet, dry_run=True))
                return
            assert env is not None
            client = _client(env, concurrency)
            try:
                run = crm_service.push(
                    conn, client, plans, env, concurrency=concurrency, recreate=recreate, missing=missing
                )
            finally:
                client.close()
            summary, code = run.summary, run.code
            if run.interrupted:
                interrupted = summary
            if run.mapping is not None:  # one line naming the file and the column, not one 400 per lead
                fail(_mapping_rejected(run.mapping, mapping), code)
                if summary is not None and not (summary.created or summary.updated or summary.failed):
                    summary = None  # nothing was done: the line says it all
            elif run.sign_in:
                err.print(say(run.sign_in), markup=False)
            elif run.stopped:
                from .common import _said

                label, text = _said("error", Said("cli.crm.push_stopped", reason=run.stopped)) or ("", "")
                err.print(f"[bold red]{label}:[/] {escape(text)}")
        finally:
            conn.close()
    if summary is not None:
        from ..render.accounts import PushReport
        from ..render.formats import Format, render

        render("crm-push", Format.json if json_out else Format.table, PushReport(summary, quiet))
        if summary.failed and code == 0:
            code = 1
    if interrupted is not None:  # Ctrl-C: what was sent and what was not, and how to finish (exit 130)
        sent = len(interrupted.created) + len(interrupted.updated)
        if interrupted.unanswered:  # in flight at the Ctrl-C: they may have arrived; the rerun finishes them
            raise fail(
                Said(
                    "cli.crm.push_interrupted_unanswered",
                    sent=sent,
                    unanswered=interrupted.unanswered,
                    not_sent=interrupted.not_sent,
                ),
                code,
            )
        raise fail(Said("cli.crm.push_interrupted", sent=sent, not_sent=interrupted.not_sent), code)
    if code:
        raise typer.Exit(code)


def _mapping_rejected(exc, path: Path | None):
    """The sentence for crm.push.MappingRejected: the mapping file and the line of the column or key."""
    from ..crm.mapping import key_line

    text = None
    if path is not None:
        try:
            text = Path(path).read_text("utf-8")
        except OSError:
            text = None
    part = "alternate_key" if exc.kind == "key" else "columns"
    line = key_line(text, (part, exc.column)) if text is not None else None
    source = str(path) if path is not None else "bundled mapping.json"
    where = (
        Said("cli.crm.mapping.where_line", path=source, line=str(line))
        if line
        else Said("cli.crm.mapping.where", path=source)
    )
    return Said(f"cli.crm.mapping.rejected_{exc.kind}", where=where, column=repr(exc.column), message=exc.message)


@crm_app.command("pull")
@keeps_a_new_database_only_on_success
def pull(
    full: bool = typer.Option(
        False, "--full", help="Read every pushed lead, not only those modified since the last pull."
    ),
    url: str | None = UrlOption,
    db: Path | None = DbOption,
    fmt: TableJson = table_json_option("the result as JSON"),
    json_out: bool = JsonSameOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    lang: str = messages_lang_option(),
) -> None:
    """Read the status (open, qualified, disqualified), status reason and owner of every pushed lead.

    Uses silent sign-in only, so it runs from cron. Exit codes: 0 read,
    1 the pull failed (nothing was stored), 3 sign-in needed: run `hunter crm login`.
    """
    json_out = json_out or fmt is TableJson.json
    from ..crm.auth import InteractionRequired
    from ..services import crm as crm_service

    speak_in(lang)
    env = _url(url)
    with store_errors(db):  # a locked or read-only database: one sentence, never a traceback
        conn = open_store(db, write=True, create=True)
        client = _client(env)
        try:
            result, stats = crm_service.pull(conn, client, env, full=full)
        except InteractionRequired as exc:
            conn.close()
            stderr_console().print(say(said_of(exc)), markup=False)
            raise typer.Exit(EXIT_INTERACTION_REQUIRED) from None
        except crm_service.PullFailed as exc:
            conn.close()
            raise fail(Said("cli.crm.pull_failed", reason=said_of(exc))) from None
        finally:
            client.close()
        conn.close()
    from ..render.accounts import PullReport
    from ..render.formats import Format, render

    render("crm-pull", Format.json if json_out else Format.table, PullReport(result, stats, quiet))


__all__ = ["crm_app", "db_path", "stdout_console"]
