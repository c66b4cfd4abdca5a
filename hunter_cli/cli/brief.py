"""`hunter sales-summary` and `hunter prep`: the brief a rep reads before a call."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from . import app
from .common import (
    EXIT_STALE,
    DbOption,
    db_path,
    domain_arg,
    fail,
    open_store,
    stderr_console,
    stdout_console,
    store_errors,
)
from .rules import RulesOption


class Format(str, enum.Enum):
    rich = "rich"
    markdown = "markdown"
    json = "json"


LangOption = typer.Option("en", "--lang", envvar="HUNTER_LANG", help="Language of the brief: en or tr.")
FormatOption = typer.Option(Format.rich, "--format", "-f", help="rich (terminal), markdown (CRM, e-mail) or json.")
JsonOption = typer.Option(False, "--json", help="Same as --format json.")


def _check_lang(lang: str) -> str:
    from ..brief.messages import LANGUAGES

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r} is not available; use one of: {', '.join(LANGUAGES)}", param_hint="--lang")
    return lang


def print_brief(
    path: Path, domain: str, lang: str, fmt: Format, rules_path: Path | None, warning: str | None = None
) -> None:
    """Print the stored brief (``warning`` first, on stderr); a clear fatal error when there is none."""
    from datetime import date

    from .. import store
    from ..brief.compose import compose
    from ..render import brief as render
    from ..store import crm as crm_store
    from .rules import _rules

    rules = _rules(rules_path)
    conn = open_store(path)
    try:
        with store_errors(path):
            data = store.brief_inputs(conn, domain)
            attempts = store.history(conn, domain) if data is None else []
            crm = crm_store.lead_crm(conn, domain) if data is not None else None
    finally:
        conn.close()
    if data is None and attempts:
        from ..facts import failure_text, long_date

        last = attempts[-1]
        raise fail(
            f"{domain}: no successful scan yet; last attempt failed ({failure_text(last['errors'])})"
            f" on {long_date(last['scanned_at'])}"
        )
    if data is None:
        raise fail(f"{domain} has not been scanned yet; run: hunter prep {domain}  (or: hunter scan {domain})")
    if warning:
        stderr_console().print(f"[bold yellow]warning:[/] {warning}", soft_wrap=True)
    from ..lead import Lead

    lead = Lead.from_view(data["view"])
    lead.tenant_known = data["tenant_known"]
    brief = compose(
        lead,
        lang=lang,
        history=data["history"],
        registration=data["registration"],
        company=data["company"],
        today=date.today(),
        rules=rules,
        notes=[f"{n['created_at'][:10]}: {n['text']}" for n in data["notes"]],
        referrals=data["referrals"],
        cosell=data["cosell"],
        crm=crm,
    )
    if fmt is Format.json:
        sys.stdout.write(brief.model_dump_json() + "\n")
    elif fmt is Format.markdown:
        sys.stdout.write(render.markdown(brief))
    else:
        stdout_console().print(render.rich(brief))


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
    print_brief(db_path(db), domain_arg(domain), _check_lang(lang), Format.json if json_out else fmt, rules)


@app.command()
def prep(
    domain: str = typer.Argument(..., help="Company domain (or a URL or e-mail address)."),
    db: Path | None = DbOption,
    max_age: str = typer.Option(
        "1d", "--max-age", metavar="DURATION", help="Rescan first when the last good scan is older."
    ),
    nameserver: list[str] = typer.Option(
        [],
        "--nameserver",
        "-n",
        envvar="HUNTER_NAMESERVERS",
        show_default=False,
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
    """Before a call: rescan the domain if its last good scan is older than --max-age, then print the brief.

    Registration data is asked at the same time as DNS and gets one second beyond the scan at most;
    if the registry is slower it shows on the next prep.
    Exit codes: 0 printed (fresh or rescanned), 1 no brief to show (never scanned successfully: the
    message says why, e.g. DNS unreachable) or the database is not usable, 2 usage error,
    5 the rescan failed or a bulk scan holds the database: the stored brief was printed after a warning.
    """
    from filelock import FileLock, Timeout

    from .. import store
    from ..durations import ago_iso, parse_duration
    from ..facts import failure_text, long_date
    from .scan import build_options, run_scan

    name = domain_arg(domain)
    lang = _check_lang(lang)
    fmt = Format.json if json_out else fmt
    try:
        age = parse_duration(max_age)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--max-age") from None
    since = ago_iso(age)
    path = db_path(db)
    conn = open_store(path)
    try:
        with store_errors(path):
            last_good = store.last_good_at(conn, name)
        read_only = conn.readonly
    finally:
        conn.close()
    # --max-age 0s means no stored scan is fresh enough (times are stored to the second, so a scan made
    # in the same second would otherwise count as fresh)
    if last_good and age.total_seconds() > 0 and last_good >= since:
        print_brief(path, name, lang, fmt, rules)
        return
    if read_only:  # no rescan can be stored (open_store has said why): show what is stored, if anything
        if last_good:
            print_brief(path, name, lang, fmt, rules, warning=f"showing the scan of {long_date(last_good)}")
            raise typer.Exit(EXIT_STALE)
        raise fail(f"{name} has no stored scan, and {path} is read-only, so it cannot be scanned into it")
    lock = FileLock(str(store.real_path(path)) + ".lock")  # the scan lock is on the real file
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if last_good:
            print_brief(
                path, name, lang, fmt, rules,
                warning=f"a bulk scan is writing to {path}; showing the scan of {long_date(last_good)}",
            )  # fmt: skip
            raise typer.Exit(EXIT_STALE) from None
        raise fail(
            f"a bulk scan is writing to {path} and {name} has no stored scan; try again when it ends,"
            " or use --db for a separate database"
        ) from None
    lock.release()
    options = build_options(
        nameserver=nameserver,
        timeout=timeout,
        no_tenant=no_tenant,
        no_whois=no_whois,
        rules=str(rules) if rules else None,
        registration_wait=1.0,
        registration_early=True,  # registration lookups start with DNS: a slow registry gets the whole scan's time
    )
    started = store.utcnow()
    err = stderr_console()
    try:
        if err.is_terminal:
            with err.status(f"rescanning {name}…", spinner="dots"):
                code = run_scan([name], path, options, fresh_since=None, json_out=False, quiet=True)
        else:
            code = run_scan([name], path, options, fresh_since=None, json_out=False, quiet=True)
    except typer.Exit as exc:  # run_scan printed why
        code = exc.exit_code
    conn = open_store(path)
    try:
        attempts = [h for h in store.history(conn, name) if h["scanned_at"] >= started]
    finally:
        conn.close()
    last = attempts[-1] if attempts else None
    if code == 0 and last is not None and last["status"] != "failed":
        print_brief(path, name, lang, fmt, rules)
        return
    why = failure_text(last["errors"]) if last else f"the scan ended with exit code {code}"
    if last_good:
        print_brief(
            path,
            name,
            lang,
            fmt,
            rules,
            warning=f"could not refresh: {why}; showing the scan of {long_date(last_good)}",
        )
        raise typer.Exit(EXIT_STALE)
    if last and last["errors"] and all(e["kind"] in ("timeout", "unreachable") for e in last["errors"]):
        who = ", ".join(options.resolver.nameservers) or "the system resolver"
        raise fail(f"cannot scan {name}: DNS is unreachable ({why} asking {who}); check the network or --nameserver")
    if last:
        raise fail(f"{name}: no successful scan yet; last attempt failed ({why})")
    raise typer.Exit(code or 1)
