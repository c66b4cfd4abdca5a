"""`hunter sales-summary` and `hunter prep`: the brief a rep reads before a call."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..render import formats
from ..said import Said, said_of
from . import app, complete
from .common import (
    DbOption,
    db_path,
    domain_arg,
    fail,
    keeps_a_new_database_only_on_success,
    open_store,
    setting_option,
    speak,
    stderr_console,
    store_errors,
    warn,
    warn_if_listed_otherwise,
)
from .rules import RulesOption

if TYPE_CHECKING:
    Format = formats.Format
else:  # the formats a brief is written in (render/brief.py)
    Format = formats.choices("Format", formats.Format.rich, formats.Format.markdown, formats.Format.json)


LangOption = setting_option(
    "lang",
    "--lang",
    help="Language of the brief: en or tr. Default: en.",
    fallback="en",
    autocompletion=complete.languages,
)
FormatOption = typer.Option(Format.rich, "--format", "-f", help="rich (terminal), markdown (CRM, e-mail) or json.")
JsonOption = typer.Option(False, "--json", help="Same as --format json.")


def _check_lang(lang: str) -> str:
    from ..brief.messages import LANGUAGES
    from ..choices import language

    found = language(lang, LANGUAGES)
    if found is None:
        raise typer.BadParameter(
            Said("cli.lang.unavailable", value=repr(lang), languages=", ".join(LANGUAGES)), param_hint="--lang"
        )
    return found


def _rescan(err, name: str, path: Path, options, lang: str, holder) -> int:
    """Prep's rescan of ``name`` into ``path`` (a spinner on a terminal, in ``lang``): the scan's exit status.

    It holds the scan lock as ``holder`` (a prep of ``name``) and waits for another prep's lock up to
    HUNTER_DB_WAIT, else 30 s."""
    from .. import store
    from ..brief.messages import Messages
    from .scanning import scan as run_scan

    wait = store.write_wait_limit(store.COMMAND_WAIT_LIMIT)
    if err.is_terminal:
        with err.status(Messages(lang)("cli.prep.rescanning", domain=name), spinner="dots"):
            return run_scan(
                [name], path, options, fresh_since=None, json_out=False, quiet=True, holder=holder, lock_wait=wait
            )
    return run_scan([name], path, options, fresh_since=None, json_out=False, quiet=True, holder=holder, lock_wait=wait)


def print_brief(
    path: Path, domain: str, lang: str, fmt: Format, rules_path: Path | None, warning: str | None = None
) -> None:
    """Print the stored brief (``warning`` first, on stderr); a clear fatal error when there is none."""
    from rich.markup import escape

    from .. import store
    from ..render.formats import render
    from ..said import said_of
    from ..services.brief import NoBrief, load_brief
    from .rules import _rules

    rules = _rules(rules_path)
    conn = open_store(path)
    try:
        with store_errors(path):
            brief = load_brief(conn, domain, lang, rules)
            warn_if_listed_otherwise(domain, store.stored_category(conn, domain), brief.category)
    except NoBrief as exc:
        raise fail(said_of(exc)) from None
    finally:
        conn.close()
    if warning:
        warn(escape(warning))
    render("brief", fmt, brief)


@app.command("sales-summary")
def sales_summary(
    domain: str = typer.Argument(..., help="Company domain (or a URL or e-mail address)."),
    db: Path | None = DbOption,
    lang: str = LangOption,
    fmt: Format = FormatOption,
    json_out: bool = JsonOption,
    rules: Path | None = RulesOption,
) -> None:
    """The call brief from stored results only (no network).

    Exit codes: 0 printed, 1 no successful scan yet (the message says why, or names the command to run),
    2 usage error.
    """
    lang = _check_lang(lang)
    speak(lang)  # errors and warnings in the brief's language
    fmt = Format.json if json_out else fmt
    if fmt != Format.json and rules is None:  # a stored view and the bundled rules: nothing to validate
        from ..modelbase import trusted_reading

        trusted_reading()  # models without pydantic (hunter_cli/lightmodel.py); its JSON dump needs pydantic
    print_brief(db_path(db), domain_arg(domain), lang, fmt, rules)


@app.command()
@keeps_a_new_database_only_on_success
def prep(
    domain: str = typer.Argument(..., help="Company domain (or a URL or e-mail address)."),
    db: Path | None = DbOption,
    max_age: str = typer.Option(
        "1d", "--max-age", metavar="DURATION", help="Rescan first when the last complete scan is older."
    ),
    nameserver: list[str] = setting_option(
        "nameservers",
        "--nameserver",
        help="DNS server HOST[:PORT] (repeatable). Default: the system resolver.",
    ),
    timeout: float = typer.Option(3.0, "--timeout", min=0.05, max=60, help="Seconds to wait for one DNS answer."),
    no_tenant: bool = typer.Option(False, "--no-tenant", help="Do not ask Microsoft's sign-in service."),
    no_whois: bool = typer.Option(False, "--no-whois", help="Do not look up registration data."),
    lang: str = LangOption,
    fmt: Format = FormatOption,
    json_out: bool = JsonOption,
    rules: Path | None = RulesOption,
) -> None:
    """Before a call: rescan the domain if its last complete scan is older than --max-age (or its latest scan
    was partial or failed), then print the brief.

    Registration data is asked at the same time as DNS and gets one second beyond the scan at most;
    if the registry is slower it shows on the next prep.
    Exit codes: 0 printed (fresh or rescanned), 1 no brief to show (never scanned successfully: the
    message says why, e.g. DNS unreachable) or the database is not usable, 2 usage error,
    5 the rescan failed or was partial, or a bulk scan holds the database: the brief was printed after a
    warning naming what was not refreshed.
    """
    from .. import store
    from ..durations import ago_iso, parse_duration
    from ..services import brief as service
    from ..services.scan import scan_lock_holder
    from ..store.scanlock import Holder
    from ..tenant.client import one_library
    from .scanning import scan_options as build_options

    lang = _check_lang(lang)
    speak(lang)  # errors and warnings in the brief's language
    name = domain_arg(domain)
    fmt = Format.json if json_out else fmt
    try:
        age = parse_duration(max_age)
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--max-age") from None
    path = db_path(db)
    last_good, latest_ok, read_only, last_id = None, False, False, 0
    if store.real_path(path).exists():  # no database yet: the scan below creates it
        conn = open_store(path)  # a read-only store is opened with a warning that says why
        try:
            with store_errors(path):
                last_good = store.last_good_at(conn, name)
                latest_ok = store.latest_ok(conn, name)
                last_id = service.last_scan_id(conn, name)
            read_only = conn.readonly
        finally:
            conn.close()
    asked: list[Holder | None] = []

    def held() -> Holder | None:  # what holds the scan lock, looked at once
        if not asked:
            asked.append(scan_lock_holder(path))
        return asked[0]

    def free() -> bool:  # another prep holds the lock for one domain's scan: the rescan waits for it (run_scan)
        who = held()
        return who is None or who.brief

    step = service.before_rescan(
        name,
        path,
        last_good=last_good,
        latest_ok=latest_ok,
        read_only=read_only,
        lock_free=free,
        lock_holder=held,
        age=age,
        since=ago_iso(age),
        lang=lang,
    )
    if step.action == "rescan":
        options = build_options(
            nameserver=nameserver,
            timeout=timeout,
            no_tenant=no_tenant,
            fresh_tenant=not no_tenant,  # one request, just before a call: never a day-old answer
            no_whois=no_whois,
            rules=str(rules) if rules else None,
            registration_wait=1.0,
            registration_early=True,  # registration lookups start with DNS: a slow registry gets the scan's time
        )
        started = store.utcnow()
        err = stderr_console()
        try:
            with one_library():  # one HTTP library for the tenant and registration lanes (tenant/client.py)
                code = _rescan(err, name, path, options, lang, Holder("prep", name))
        except typer.Exit as exc:  # run_scan printed why
            code = exc.exit_code
        conn = open_store(path)
        try:
            with store_errors(path):
                attempts = service.attempts_since(conn, name, started, after_id=last_id)
        finally:
            conn.close()
        step = service.after_rescan(
            name, code=code, attempts=attempts, last_good=last_good, nameservers=options.resolver.nameservers, lang=lang
        )
    if step.action == "show":
        print_brief(path, name, lang, fmt, rules, warning=step.warning)
        if step.code:
            raise typer.Exit(step.code)
        return
    if step.message:
        raise fail(step.message, step.code)
    raise typer.Exit(step.code)
