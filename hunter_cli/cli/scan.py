"""`hunter scan`: read inputs, scan them, store and show the results."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import typer

from . import app
from .common import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_RESOLVER,
    EXIT_TERMINATED,
    DbOption,
    db_path,
    fail,
    report_unreadable,
    stderr_console,
    stdout_console,
)


def _nameservers(values: list[str]) -> tuple[str, ...]:
    from ..dns.resolver import parse_nameserver

    out: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                try:
                    out.append(parse_nameserver(part))
                except ValueError as exc:
                    raise typer.BadParameter(str(exc), param_hint="--nameserver") from None
    return tuple(out)


@app.command(no_args_is_help=True)
def scan(
    inputs: list[str] = typer.Argument(
        ...,
        metavar="INPUT...",
        help="Domains, URLs, e-mail addresses, .txt/.csv/.xlsx files, or - for standard input.",
        show_default=False,
    ),
    db: Path | None = DbOption,
    nameserver: list[str] = typer.Option(
        [],
        "--nameserver",
        "-n",
        envvar="HUNTER_NAMESERVERS",
        help="DNS server HOST[:PORT] to ask (repeatable; env: comma-separated). Default: the system resolver.",
        show_default=False,
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
    selectors: str | None = typer.Option(
        None,
        "--dkim-selectors",
        envvar="HUNTER_DKIM_SELECTORS",
        metavar="LIST",
        help="Comma-separated DKIM selectors to probe."
        " Default: selector1,selector2,google,default,k1,s1,s2,zmail,dkim,mail.",
        show_default=False,
    ),
    no_tenant: bool = typer.Option(
        False, "--no-tenant", help="Do not ask Microsoft's sign-in service whether the domain has a tenant."
    ),
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
    rules: Path | None = typer.Option(
        None,
        "--rules",
        envvar="HUNTER_RULES",
        help="Scoring rules file to use instead of the bundled one.",
        show_default=False,
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
    json_out: bool = typer.Option(
        False, "--json", help="Write one JSON object per domain per line to stdout, nothing else."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, table or summary; errors only."),
) -> None:
    """Scan domains: mail provider, security gateway, SPF, DKIM and DMARC.

    Results go into the database; the summary says what was skipped and why.
    Exit codes: 0 the scan ran (some domains may have failed, see the summary),
    1 fatal error (no valid domain, database busy or broken) or an input that could not be
    read (the other inputs are still scanned),
    2 usage error, 4 the DNS resolver does not tell the truth (nothing stored was changed),
    130 interrupted by Ctrl-C, 143 stopped by SIGTERM (results so far are saved either way).
    """
    from ..dns import dkim as dkim_mod
    from ..durations import ago_iso, parse_duration
    from ..inputs import missing_files

    missing = missing_files(inputs)
    if missing:
        raise typer.BadParameter(f"no such file: {missing[0]}", param_hint="INPUT")
    try:
        fresh_since = ago_iso(parse_duration(max_age)) if max_age else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--max-age") from None
    try:
        sel = dkim_mod.parse_selectors(selectors) if selectors else dkim_mod.DEFAULT_SELECTORS
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dkim-selectors") from None
    options = build_options(
        nameserver=nameserver,
        timeout=timeout,
        retries=retries,
        concurrency=concurrency,
        selectors=sel,
        no_tenant=no_tenant,
        tenant_concurrency=tenant_concurrency,
        no_whois=no_whois,
        rules=str(rules) if rules else None,
        quick=quick,
    )
    from ..inputs import ColumnHints

    code = run_scan(
        inputs,
        db_path(db),
        options,
        fresh_since=fresh_since,
        json_out=json_out,
        quiet=quiet,
        hints=ColumnHints(domain_column, company_column),
    )
    raise typer.Exit(code)


def build_options(
    *,
    nameserver: Sequence[str] = (),
    timeout: float = 3.0,
    retries: int = 2,
    concurrency: int = 500,
    selectors: tuple[str, ...] | None = None,
    no_tenant: bool = False,
    tenant_concurrency: int = 128,
    no_whois: bool = False,
    rules: str | None = None,
    registration_wait: float | None = None,
    registration_early: bool = False,
    quick: bool = False,
):
    """ScanOptions from command-line values and the environment (shared by scan and prep)."""
    import os

    from ..dns import dkim as dkim_mod
    from ..dns.resolver import ResolverConfig
    from ..scan import ScanOptions
    from ..tenant.client import DEFAULT_BASE

    if not nameserver and os.environ.get("HUNTER_NAMESERVERS"):  # callers without the option (referrals sync)
        nameserver = [os.environ["HUNTER_NAMESERVERS"]]
    return ScanOptions(
        resolver=ResolverConfig(nameservers=_nameservers(list(nameserver)), timeout=timeout, retries=retries),
        concurrency=concurrency,
        selectors=selectors or dkim_mod.DEFAULT_SELECTORS,
        tenant=not no_tenant,
        tenant_url=os.environ.get("HUNTER_MS_LOGIN_URL") or DEFAULT_BASE,
        tenant_concurrency=tenant_concurrency,
        registration=not no_whois,
        registration_wait=registration_wait,
        registration_early=registration_early,
        rules_path=rules,
        rdap_url=os.environ.get("HUNTER_RDAP_URL") or None,
        whois_host=os.environ.get("HUNTER_WHOIS_HOST") or None,
        footprint=not quick,
    )


def run_async(coro):
    """Run on uvloop where it is installed (not on Windows): it halves the event loop's overhead."""
    import asyncio
    import gc

    # The scan makes millions of short-lived objects and few cycles: collecting
    # less often cut the CPU per domain by about a tenth (docs/performance.md).
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        try:
            import uvloop
        except ImportError:
            return asyncio.run(coro)
        return uvloop.run(coro)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run_scan(inputs, path: Path, options, *, fresh_since: str | None, json_out: bool, quiet: bool, hints=None) -> int:
    """Scan ``inputs`` into the store at ``path``; returns the exit code (docs/cli.md).

    Durability: with ``--json`` a result is printed only after the transaction that
    stores it has committed, so nothing printed is ever missing from the store. SIGTERM
    is handled like Ctrl-C: what was received is stored, the run is marked
    ``interrupted`` and the exit code is 143.
    """
    import signal
    import sqlite3
    from datetime import timedelta

    from filelock import FileLock, Timeout

    from .. import store
    from ..dns.health import ResolverSuspect
    from ..durations import ago_iso
    from ..inputs import InputError, InputStats, count_lines, leads
    from ..render.jsonl import to_json, write_line
    from ..render.scan_tables import ScanTally, results_table, summary_table
    from ..scan import ScanJob, scan_many
    from .rules import _rules

    started = time.monotonic()  # the run's time includes any wait for another process's write lock
    err = stderr_console()
    progress = None
    reported = [0.0, 0.0]  # when this wait was last reported, and how long it had lasted at the last call

    def on_wait(seconds: float, pending: int = 0) -> None:
        # Another process holds the write lock: say so after 3 s, then every 30 s (each wait anew).
        if seconds < reported[1]:
            reported[0] = 0.0
        reported[1] = seconds
        if seconds < 3 or (reported[0] and seconds - reported[0] < 30):
            return
        reported[0] = max(seconds, 0.001)
        what = f"; {pending} results wait to be stored and printed" if pending else ""
        (progress.console if progress is not None else err).print(
            f"[bold yellow]waiting:[/] another process has held the write lock on {path} for {seconds:.0f} s{what}"
            f" (giving up after {store.write_wait_limit():g} s, HUNTER_DB_WAIT)",
            soft_wrap=True,
        )

    # A bad rules file is a fatal error before anything starts (no lock, no run, no client opened).
    _rules(Path(options.rules_path) if options.rules_path else None)
    try:
        # Writes on this connection (the run's record, crashed runs) wait in short slices,
        # report at 3 s and give up after HUNTER_DB_WAIT, like the writer's batches.
        conn = store.connect(path, write=True, on_wait=on_wait, wait_limit=store.write_wait_limit())
    except store.StoreError as exc:
        raise fail(str(exc)) from None
    # The lock belongs to the real file: a symlink or another spelling of the path
    # (./x/../hunter.db) names the same lock.
    lock = FileLock(str(store.real_path(path)) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        conn.close()
        raise fail(
            f"another hunter scan is writing to {path}; wait for it to finish, or use --db for a separate database"
        ) from None
    except OSError as exc:
        conn.close()
        raise fail(f"cannot create the lock file beside {path}: {exc.strerror or exc}") from None

    from ..inputs import ColumnHints

    hints = hints or ColumnHints()
    stats = InputStats()
    tally = ScanTally()
    show_progress = not quiet and err.is_terminal
    task_id = None
    if show_progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        task_id = progress.add_task("scan", total=count_lines(inputs))

    tenant_since = ago_iso(timedelta(seconds=store.TENANT_TTL_SECONDS))
    registration_since = ago_iso(timedelta(seconds=store.REGISTRATION_TTL_SECONDS))

    def source():
        for lead in leads(inputs, stats, hints):
            if lead.company:
                writer.put_lead(lead.domain, lead.company)
            if lead.duplicate:
                continue
            domain = lead.domain
            known = store.prior(conn, domain, fresh_since, tenant_since, registration_since)
            if known.fresh:
                tally.fresh_skipped += 1
                if progress is not None and task_id is not None:
                    progress.advance(task_id)
                continue
            job = ScanJob(domain, cosell=known.cosell, had_mail=known.had_mail)
            if options.tenant and known.tenant_hit:
                job.tenant = known.tenant
            if known.registration is not None or not options.registration:
                job.registration = known.registration
            yield job

    out = sys.stdout

    def on_stored(texts: list[str]) -> None:
        # Runs in the writer thread right after COMMIT: what is printed is already stored.
        if json_out:
            for text in texts:
                write_line(out, text)

    try:
        # Runs left unfinished by a scan that is gone (kill -9, power cut): we hold the
        # scan lock, so no live scan owns them.
        store.with_write_retry(lambda: store.mark_crashed_runs(conn, ("scan",)), path, on_wait)
        run_id = store.with_write_retry(lambda: store.start_run(conn, "scan"), path, on_wait)
    except store.StoreError as exc:
        conn.close()
        lock.release()
        raise fail(str(exc)) from None
    writer = store.ResultWriter(path, run_id, on_stored=on_stored, on_wait=on_wait)

    def on_result(result) -> None:
        text = to_json(result)
        writer.put(result, text)
        tally.add(result)
        if progress is not None and task_id is not None:
            progress.advance(task_id)

    def on_registration(domain, registration, error) -> None:
        try:
            writer.put_registration(domain, registration, error)
        except (store.StoreError, BrokenPipeError):
            return  # the writer has stopped; on_result stops the scan and the summary says what was lost
        tally.registrations += 1 if registration is not None else 0
        tally.registration_failures += 1 if error is not None else 0

    terminated = [False]

    def on_sigterm(signum, frame) -> None:
        # Outside the event loop (before it starts, while the last batch is stored): note it.
        terminated[0] = True

    previous_sigterm = _install(signal.SIGTERM, on_sigterm)
    unexpected = None
    outcome = "failed"
    code = EXIT_FATAL
    error_message = None
    try:
        if progress is not None:
            progress.start()
        finished = run_async(
            _until_sigterm(scan_many(source(), options, on_result, on_registration=on_registration), terminated)
        )
        _install(signal.SIGTERM, on_sigterm)  # the loop put back the default handler
        if not finished:
            raise KeyboardInterrupt
        outcome, code = "ok", 0
    except KeyboardInterrupt:
        outcome, code = "interrupted", EXIT_INTERRUPTED
    except InputError as exc:
        outcome, code, error_message = "failed", EXIT_FATAL, str(exc)
    except BrokenPipeError:
        outcome, code = "interrupted", EXIT_FATAL
        sys.stdout = None  # nothing more can be written there
    except store.StoreError as exc:
        outcome, code, error_message = "failed", EXIT_FATAL, str(exc)
    except ResolverSuspect as exc:
        outcome, code, error_message = "resolver_suspect", EXIT_RESOLVER, str(exc)
    except sqlite3.Error as exc:  # reading what is stored (damage found mid-way, I/O error)
        outcome, code, error_message = "failed", EXIT_FATAL, str(store.store_error(exc, path))
    except Exception as exc:
        # A bug: the traceback still shows, but the run is recorded as failed with its cause, never as ok.
        unexpected = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _install(signal.SIGTERM, on_sigterm)
        if progress is not None:
            progress.stop()
        try:
            writer.close()
        except store.StoreError as exc:
            outcome, code = "failed", EXIT_FATAL
            error_message = (error_message + "; " if error_message else "") + (
                f"{exc}. {writer.stats.unstored} results and {writer.stats.unstored_other} registration records"
                " or company names received were not stored" + ("; every result printed was stored" if json_out else "")
            )
        if writer.output_error is not None and outcome == "ok":
            outcome, code = "interrupted", EXIT_FATAL  # stdout closed (| head): stop quietly
            sys.stdout = None
        if terminated[0] and outcome == "interrupted":
            code = EXIT_TERMINATED
        elapsed = time.monotonic() - started
        summary = {
            "scanned": tally.scanned,
            "stored": writer.stats.written,
            "status": dict(tally.status),
            "fresh_skipped": tally.fresh_skipped,
            "input_lines": stats.lines,
            "accepted": stats.accepted,
            "duplicates": stats.duplicates,
            "skipped": stats.skipped_counts,
            "unreadable": stats.unreadable,
            "seconds": round(elapsed, 2),
        }
        if outcome == "resolver_suspect":
            summary["resolver_suspect"] = error_message
        if terminated[0]:
            summary["signal"] = "SIGTERM"
        if writer.stats.waited:
            summary["lock_waited_seconds"] = round(writer.stats.waited, 1)
        if writer.stats.unstored or writer.stats.unstored_other:
            summary["unstored"] = writer.stats.unstored
            summary["unstored_other"] = writer.stats.unstored_other
        if (error_message or unexpected) and outcome != "resolver_suspect":
            summary["error"] = error_message or unexpected
        conn.wait_limit = max(store.write_wait_limit(), 10.0)  # the run's record is worth a little more patience
        try:
            store.with_write_retry(
                lambda: store.finish_run(conn, run_id, outcome, summary),
                path,
                on_wait,
                limit=max(store.write_wait_limit(), 10.0),  # the run's record is worth a little more patience
            )
        except store.StoreError as exc:
            error_message = (error_message + "; " if error_message else "") + f"the run could not be recorded: {exc}"
            code = code or EXIT_FATAL
        finally:
            conn.close()
            lock.release()
            _install(signal.SIGTERM, previous_sigterm)

    if error_message:
        raise fail(error_message, code)
    if code == 0 and stats.accepted == 0:
        if not quiet and stats.lines:
            err.print(summary_table(tally, stats, elapsed))
        report_unreadable(stats)
        if stats.unreadable and not stats.lines:
            raise typer.Exit(EXIT_FATAL)
        detail = (
            f": {stats.skipped_total} lines skipped, reasons in the summary"
            if stats.skipped_total and not quiet
            else ""
        )
        raise fail("no valid domain in the input" + detail)
    if not quiet and code != EXIT_FATAL:
        if not json_out and tally.sample:
            out_console = stdout_console()
            out_console.print(results_table(tally, out_console.width))
        err.print(summary_table(tally, stats, elapsed, interrupted=code in (EXIT_INTERRUPTED, EXIT_TERMINATED)))
    if terminated[0] and code == EXIT_TERMINATED:
        err.print("terminated (SIGTERM): results received so far are stored; rerun with --max-age to continue")
    if report_unreadable(stats) and code == 0:
        code = EXIT_FATAL
    return code


async def _until_sigterm(coro, terminated: list[bool]) -> bool:
    """Run ``coro``; SIGTERM cancels it as Ctrl-C would. True when it finished, False when stopped.

    systemd and cron stop jobs with SIGTERM. The loop's own signal handler cancels the
    scan's task, so the scan stops where it awaits (in-flight lookups are cancelled,
    nothing is half-handled) and every result already received still reaches the store.
    """
    import asyncio
    import signal

    if terminated[0]:
        coro.close()
        return False
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(coro)

    def stop() -> None:
        terminated[0] = True
        task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        pass
    try:
        await task
        return True
    except asyncio.CancelledError:
        if terminated[0]:
            return False
        raise
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


def _install(signum, handler):
    """Set a signal handler from the main thread; returns the previous one (None elsewhere)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or handler is None:
        return None
    try:
        return signal.signal(signum, handler)
    except (ValueError, OSError):
        return None
