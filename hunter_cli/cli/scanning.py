"""How a scan run looks on the console: the progress bar, lock-wait lines, the run's report.

Shared by every command that runs a scan through :mod:`hunter_cli.services.scan`
(`scan`, `rescan`, `prep`, `referrals sync`): the service does the work and
returns a :class:`~hunter_cli.services.scan.ScanSummary`; this module shows it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from ..said import Said, said_of
from ..services.scan import ScanRefused, ScanSummary, run_scan
from .common import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_PIPE,
    EXIT_TERMINATED,
    WaitLine,
    current_lang,
    fail,
    notice,
    print_message,
    report_unreadable,
    stderr_console,
)


class ConsoleObserver:
    """A progress bar on a terminal's stderr (unless quiet) and the lock-wait lines (after 3 s, every 30 s)."""

    def __init__(self, path: Path, quiet: bool) -> None:
        self.path = path
        self.err = stderr_console()
        self.progress: Any = None
        self.task_id: Any = None
        self._show = not quiet and self.err.is_terminal
        self._wait_line = WaitLine(path)

    def waiting(self, seconds: float, pending: int = 0) -> None:
        from .. import store

        text = self._wait_line(seconds, pending, store.write_wait_limit)
        if text is not None:
            print_message(text, self.progress.console if self.progress is not None else self.err)

    def notice(self, text: str) -> None:
        notice(text)

    def start(self, inputs: Sequence[str]) -> None:
        if not self._show:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from ..inputs import count_lines

        self.progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
        )
        self.task_id = self.progress.add_task("scan", total=count_lines(inputs))
        self.progress.start()

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task_id)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def scan_options(**values):
    """The service's ScanOptions (:func:`hunter_cli.services.scan.build_options`); a bad --nameserver
    is a usage error (exit 2)."""
    from ..services.scan import build_options

    try:
        return build_options(**values)
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--nameserver") from None


def typed_options(ctx: typer.Context, skip: tuple[str, ...] = ()) -> list[str]:
    """The options typed on this command line (not the defaults, not the environment's), as argv words
    in the order Click declares them, less ``skip`` (parameter names): what a command that continues
    this one must repeat."""
    words: list[str] = []
    for param in ctx.command.params:
        name = param.name or ""
        source = ctx.get_parameter_source(name)
        if name in skip or not param.opts or not param.opts[0].startswith("-") or source is None:
            continue
        if source.name != "COMMANDLINE":
            continue
        value = ctx.params.get(name)
        flag = param.opts[0]
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            words += [flag] * (int(value or 0) if getattr(param, "count", False) else int(bool(value)))
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            words += [flag, str(item)]
    return words


def scan(
    inputs,
    path: Path,
    options,
    *,
    fresh_since: str | None,
    json_out: bool,
    quiet: bool,
    hints=None,
    repeat: list[str] | None = None,
    continue_with: list[str] | None = None,
    holder=None,
    lock_wait: float | None = None,
) -> int:
    """Run a scan through the service and show it; returns the exit status (raises typer.Exit on a fatal error).

    With ``json_out`` each result is written to stdout as one JSON line once it is stored.
    ``continue_with``: the command (argv words, without --db) an interrupted run suggests, when it
    is not a scan of the same inputs (rescan). ``holder`` and ``lock_wait``: what the run is to others
    that find the scan lock taken, and how long it waits for a prep's lock (services.scan.run_scan).
    """
    from ..render.jsonl import with_unicode, write_line

    out = sys.stdout

    def emit(texts: list[str]) -> None:
        # Runs in the writer thread right after COMMIT: what is printed is already stored.
        for text in texts:
            write_line(out, with_unicode(text))

    observer = ConsoleObserver(path, quiet)
    try:
        summary = run_scan(
            inputs,
            path,
            options,
            fresh_since=fresh_since,
            hints=hints,
            observer=observer,
            emit=emit if json_out else None,
            holder=holder,
            lock_wait=lock_wait,
        )
    except ScanRefused as exc:
        raise fail(said_of(exc), exc.code) from None
    return report(
        summary, json_out=json_out, quiet=quiet, inputs=inputs, path=path, repeat=repeat, continue_with=continue_with
    )


def report(
    summary: ScanSummary,
    *,
    json_out: bool,
    quiet: bool,
    inputs: Sequence[str],
    path: Path,
    repeat: list[str] | None = None,
    continue_with: list[str] | None = None,
) -> int:
    """Print a run's results table (stdout), summary and messages (stderr); the exit status.

    ``inputs``, ``path`` and ``repeat`` (the other options typed) are the run's input files, database
    and options, named in the command that continues an interrupted run."""
    from ..render.formats import Format, render

    if summary.stdout_closed:
        sys.stdout = None  # the reader has gone (| head): nothing more can go there
    code = summary.code
    stats, tally = summary.stats, summary.tally
    summary.lang = lang = current_lang()
    summary.rescan = continue_with is not None  # rescan: the inputs are the stored domains due, by name
    err = stderr_console()
    if summary.error:
        raise fail(summary.error, code)
    if code == 0 and stats.accepted == 0:
        if not quiet and stats.lines:
            from ..render.scan_tables import summary_table

            err.print(summary_table(tally, stats, summary.seconds, inputs_only=True, lang=lang))  # no empty figures
        report_unreadable(stats)
        if stats.unreadable and not stats.lines:
            raise typer.Exit(EXIT_FATAL)
        n = stats.skipped_total
        if n and not quiet:
            raise fail(Said("cli.scan.no_valid_domain_skipped." + ("one" if n == 1 else "many"), n=n))
        raise fail(Said("cli.scan.no_valid_domain"))
    stopped = code in (EXIT_INTERRUPTED, EXIT_TERMINATED) or summary.dns_stopped
    if stopped and continue_with is None:  # the summary and the last line count what was left of the same lines
        from ..inputs import count_lines

        summary.total_lines = count_lines(inputs)
    if not quiet and code not in (EXIT_FATAL, EXIT_PIPE):
        render("scan", Format.ndjson if json_out else Format.table, summary)
    if summary.no_dns:  # the run ended, but the resolver answered nothing: said after the figures, even with -q
        fail(summary.no_dns, code)
    if summary.all_failed:  # every domain failed: said after the figures, even with -q (cron mails it)
        fail(summary.all_failed, code)
    if summary.tenant_unreached and code not in (EXIT_FATAL, EXIT_PIPE):  # even with -q: a nightly run's log
        from .common import warn

        warn(summary.tenant_unreached)
    if summary.none_complete:  # nothing was refreshed completely: even with -q, so cron mails it
        from .common import warn

        warn(summary.none_complete)
    if stopped:
        from ..render.scan_tables import continue_note
        from ..store import default_db_path

        signal_name = "dns" if summary.dns_stopped else "terminated" if code == EXIT_TERMINATED else "interrupted"
        db_arg = None if Path(path) == default_db_path() else str(path)
        lines = summary.total_lines  # rescan: names, not files (None)
        note = continue_note(
            list(inputs), stats, tally, lines, db_arg, signal_name, repeat or [], continue_with, lang=lang
        )
        err.print(note, markup=False, soft_wrap=True)
    if report_unreadable(stats) and code == 0:
        code = EXIT_FATAL
    return code
