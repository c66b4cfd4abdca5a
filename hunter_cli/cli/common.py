"""What every command shares: exit codes, consoles, the database option."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from ..exits import ExitStatus
from ..said import Said, said_of

# Documented in docs/cli.md; scripts rely on them (hunter_cli/exits.py).
EXIT_OK = ExitStatus.OK
EXIT_FATAL = ExitStatus.FATAL
EXIT_USAGE = ExitStatus.USAGE
EXIT_SIGN_IN = ExitStatus.SIGN_IN
EXIT_RESOLVER = ExitStatus.RESOLVER
EXIT_STALE = ExitStatus.STALE
EXIT_INTERRUPTED = ExitStatus.INTERRUPTED
EXIT_TERMINATED = ExitStatus.TERMINATED
EXIT_PIPE = ExitStatus.PIPE


def setting_option(name: str, *decls: str, help: str, fallback=None, **kw):
    """A Typer option backed by setting ``name`` of hunter_cli/config.py: flag > HUNTER_* env > file > default.

    The option's own default is None (so a flag given is told apart from none); when
    none is given the callback asks the configuration, which is imported only then,
    so ``--help`` stays quick; ``fallback`` when no layer sets it. Help names the
    environment variable as click would. A flag's value goes through the setting's own check
    (``config.check``) and a bad one names the flag; a bad value from the environment or the
    config file is reported by ``config.load`` naming the variable, or the file, line and key.
    """
    env = "HUNTER_" + name.upper()  # config.env_name(), without importing config for --help

    def from_settings(ctx, param, value):
        if ctx.resilient_parsing:  # shell completion
            return value
        from .. import config

        if (
            value is None
        ):  # given before the command name (`hunter --db X leads`): that flag (hunter_cli/cli/__init__.py)
            value = ctx.meta.get(f"hunter.setting.{name}")
        if value is not None and value != () and value != []:  # the flag: its mistakes name the flag
            try:
                return config.check(name, value)
            except ValueError as exc:
                raise typer.BadParameter(said_of(exc), ctx=ctx, param=param) from None
        try:  # the variable or the file: config.load() names the variable, or the file, line and key
            resolved = config.checked(name)
        except config.ConfigError as exc:
            raise fail(said_of(exc), EXIT_USAGE) from None
        return fallback if resolved is None else resolved

    kw.setdefault("show_default", False)
    return typer.Option(None, *decls, help=f"{help}  [env var: {env}]", callback=from_settings, **kw)


def fresh_tenant_option() -> Any:
    """``--fresh-tenant`` for the commands that scan many domains (scan, rescan): ask the sign-in service
    again instead of reusing the day's answer (store.TENANT_TTL_SECONDS; docs/tenant.md)."""
    return typer.Option(
        False,
        "--fresh-tenant",
        help="Ask Microsoft's sign-in service again for every domain. Its answers (a tenant, or none) are kept"
        " for a day and reused by the scans of that day.",
    )


def refuse_fresh_without_tenant(fresh_tenant: bool, no_tenant: bool) -> None:
    """``--fresh-tenant`` with ``--no-tenant`` (asking again, and never asking): a usage error (exit 2)."""
    if fresh_tenant and no_tenant:
        from ..said import Said

        raise typer.BadParameter(Said("cli.scan.fresh_tenant_off"), param_hint="--fresh-tenant")


def processes_option(long_list: str):
    """``--processes N`` (scan, rescan): typed, it applies to any list; the variable and the config key
    (read by the scan service) only set how many a long list gets. ``long_list`` says what is long."""
    return typer.Option(
        None,
        "--processes",
        metavar="N",
        min=1,
        max=16,
        show_default=False,
        help=f"Processes that scan, 1 to 16. Default: one per CPU, at most 4, for {long_list}; fewer"
        " domains scan in one process unless this is given.  [env var: HUNTER_SCAN_PROCESSES, for long"
        " lists only]",
    )


DbOption = setting_option("db", "--db", help="SQLite file to use. Default: hunter.db in your user data folder.")

CsvSeparatorOption = setting_option(
    "csv_separator",
    "--csv-separator",
    metavar="SEP",
    help="Between CSV cells: ',' (default), ';' (Excel in a Turkish, German or French locale) or tab.",
)


def use_csv_separator(value: str | None) -> None:
    """Write this command's CSV with ``value`` (``--csv-separator``; None: a comma); a bad one is a usage error."""
    from ..render.csvsafe import parse_separator, separator

    try:
        separator.set(parse_separator(value or ","))  # set each time: one process may run several commands
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--csv-separator") from None


SheetOption = typer.Option(
    None,
    "--sheet",
    metavar="SHEET",
    help=(
        "Excel sheet to read: name or number, or 'all' for every sheet with a domain column"
        " (default: the first sheet with one; the summary names the other sheets that have one)."
    ),
    show_default=False,
)


def column_hints(inputs, domain: str | None, company: str | None, sheet: str | None):
    """The --domain-column/--company-column/--sheet hints, checked against the table inputs' first rows.

    A column or sheet the input does not have is a usage error (exit 2) naming those it has.
    """
    from ..inputs import ColumnError, ColumnHints, check_hints

    hints = ColumnHints(domain, company, sheet)
    try:
        check_hints([str(i) for i in inputs], hints)
    except ColumnError as exc:
        raise typer.BadParameter(said_of(exc), param_hint=exc.option) from None
    return hints


def stderr_console():
    """Messages and progress: stderr, colour only on a terminal, NO_COLOR respected by Rich.

    While the log goes to a terminal this is the log's own console, so log lines
    are printed above a progress bar instead of through it (hunter_cli/logs.py).
    """
    from .. import logs

    if logs.console is not None:
        return logs.console
    from ..render.formats import message_console

    return message_console()


def print_message(text: str, console: Any = None, **kw) -> None:
    """Print a message line (``error:``, ``warning:``, ``note:``, a wait) on ``console`` (default
    :func:`stderr_console`; a progress bar's own, above the bar): wrapped at word boundaries to the terminal's
    width on a terminal (a 220-character warning at 80 columns), one line per message anywhere else (a log
    file, a pipe: grep finds it whole)."""
    con = console if console is not None else stderr_console()
    con.print(text, soft_wrap=not con.is_terminal, **kw)


def stdout_console():
    from ..render.formats import data_console

    return data_console()


def db_path(value: Path | None) -> Path:
    if value is not None:
        return value
    from ..store import default_db_path

    return default_db_path()


def messages_lang_option():
    """``--lang`` for a command that prints no brief (scan): the language of its messages and summary,
    from the same ``lang`` setting as the brief's (HUNTER_LANG, the config file)."""
    from . import complete

    return setting_option(
        "lang",
        "--lang",
        help="Language of messages and the summary: en or tr. Default: en.",
        fallback="en",
        autocompletion=complete.languages,
    )


def language_of(lang: str) -> str:
    """A ``--lang`` value as typed (``TR``, ``tr_TR.UTF-8``) as the language it names (tr); a language
    Hunter does not speak is a usage error naming the option."""
    from ..brief.messages import LANGUAGES
    from ..choices import language

    found = language(lang, LANGUAGES)
    if found is None:
        raise typer.BadParameter(
            Said("cli.lang.unavailable", value=repr(lang), languages=", ".join(LANGUAGES)), param_hint="--lang"
        )
    return found


def speak_in(lang: str) -> None:
    """:func:`speak` for a ``--lang`` value as typed (:func:`language_of`)."""
    speak(language_of(lang))


def speak(lang: str) -> None:
    """Print this command's errors, warnings and notes in ``lang`` (en, tr): the brief's commands
    (prep, sales-summary) say them in the brief's language (messages ``cli.*``, hunter_cli/said.py)."""
    ctx = _context()
    if ctx is not None:
        ctx.meta["hunter.lang"] = lang


def _context():
    """The running command's context (shared ``meta`` for this run), None outside a command."""
    from typer._click.globals import get_current_context  # Typer 0.29 carries its own click

    return get_current_context(silent=True)


def current_lang() -> str:
    """The language of this command's sentences (en, tr): ``--lang`` where the command has it
    (:func:`speak`), else the ``lang`` setting (HUNTER_LANG, the config file), else en. Read once
    a run; a setting that is not a language is left to the commands that check it (the brief's).
    When the settings cannot be read (the error being said is theirs): :func:`.usage.early_lang` (``--lang``
    on the command line, else HUNTER_LANG, else the config file's ``lang`` key even beside a wrong one)."""
    ctx = _context()
    if ctx is not None and ctx.meta.get("hunter.lang"):
        return ctx.meta["hunter.lang"]
    from .. import config

    try:
        lang = config.checked("lang") or "en"
    except Exception:  # noqa: BLE001 - a bad config file is reported by the command that reads it
        from .usage import early_lang

        lang = early_lang()
    if ctx is not None:
        ctx.meta["hunter.lang"] = lang
    return lang


def _said(kind: str, message: str) -> tuple[str, str] | None:
    """The label (error, warning, note) and ``message`` in the command's language; None when this run
    of the command has already printed the same line (a warning reached from two layers, or the store
    opened twice, prints once)."""
    from ..said import in_lang

    ctx = _context()
    lang = current_lang()
    text = in_lang(message, lang)
    if ctx is not None:
        seen = ctx.meta.setdefault("hunter.said", set())
        if (kind, text) in seen:
            return None
        seen.add((kind, text))
    if lang in (None, "en"):
        return kind, text
    from ..brief.messages import Messages

    return Messages(lang)(f"cli.label.{kind}"), text


def fail(message: str, code: int = EXIT_FATAL) -> typer.Exit:
    """Print ``message`` to stderr (once per run of a command) and return the Exit to raise.

    The message is plain text: brackets in it (a file name, a server's words) are
    printed as they are, never read as Rich markup.
    """
    from rich.markup import escape

    said = _said("error", message)
    if said is not None:
        print_message(f"[bold red]{said[0]}:[/] {escape(said[1])}")
    return typer.Exit(code)


def report_unreadable(stats) -> bool:
    """One `error:` line per input that could not be read (the others were used); True when there was one."""
    for message in stats.unreadable:
        fail(message)
    return bool(stats.unreadable)


def stdout_is_tty() -> bool:
    if not sys.stdout.isatty():
        return False
    from ..config import dumb_terminal

    return not dumb_terminal()


def shown(name: str) -> str:
    """A stored domain (A-label, ``xn--irket-idb.com.tr``) as people typed it and read it
    (``şirket.com.tr``), for the lines that confirm or refuse what a command did to it."""
    from ..domains import to_unicode

    return to_unicode(name)


def domain_arg(text: str, param_hint: str = "DOMAIN") -> str:
    """A DOMAIN argument normalised to the registrable domain; a usage error (exit 2) otherwise."""
    from ..domains import Rejected, normalize

    name = normalize(text)
    if isinstance(name, Rejected):
        from ..render.scan_tables import skip_said

        raise typer.BadParameter(
            Said("cli.domain.not_company", value=repr(text), reason=skip_said(name.reason)), param_hint=param_hint
        )
    return name


def warn(message: str) -> None:
    """A warning on stderr, once per run of a command, in the command's language (:func:`speak`)."""
    said = _said("warning", message)
    if said is not None:
        print_message(f"[bold yellow]{said[0]}:[/] {said[1]}", markup=True)


def warn_if_listed_otherwise(domain: str, listed: str | None, category: str | None) -> None:
    """Warn when ``hunter leads`` lists ``domain`` under another category (``listed``, store.stored_category)
    than ``category`` (what this command computed with the current rules): its stored priority came from
    other scoring rules."""
    if listed and category and listed != category:
        from ..said import Said

        warn(Said("cli.listed_otherwise", listed=listed, domain=domain, category=category))


def notice(message: str) -> None:
    """A line on stderr saying what a command did besides its work (an upgrade of the database), once per
    run of a command, in the command's language (:func:`speak`)."""
    said = _said("note", message)
    if said is not None:
        print_message(f"[bold]{said[0]}:[/] {said[1]}", markup=True, highlight=False)


def open_store(db: Path | None, *, write: bool = False, create: bool = False, edit: bool = False):
    """The database connection for a command; a clear fatal error (exit 1) when it cannot be used.

    ``write=True`` for commands that change the store: a read-only, damaged or newer
    database is refused. Reading commands open a read-only or newer database with a
    warning on stderr. A missing file is refused with the reading commands' "no database at
    PATH" unless ``create`` is set: only the commands that fill a database (import, referrals
    sync, crm pull; scan, rescan and prep through the scan service) create one, so that a
    mistyped ``--db`` never becomes a new empty file (docs/cli.md, "No database"). ``edit`` (tag,
    untag, note: a row or two) gives the damage check at open half a second instead of two.
    """
    from .. import store

    path = db_path(db)
    if write and not create and not store.real_path(path).exists():
        from ..store.connection import missing_message

        raise fail(missing_message(path))
    try:
        from ..store.connection import EDIT_CHECK_SECONDS, OPEN_CHECK_SECONDS

        conn = store.connect(
            path,
            write=write,
            check_seconds=EDIT_CHECK_SECONDS if edit else OPEN_CHECK_SECONDS,
            on_wait=lock_wait_reporter(path) if write else None,
        )
    except store.StoreError as exc:
        raise store_fail(exc) from None
    for message in conn.notices:
        notice(message)
    for message in conn.warnings:
        warn(message)
    return conn


class WaitLine:
    """The line a command prints while another process holds the write lock (docs/cli.md, "Another
    process holds the database"): due once a wait passes 3 s, then every 30 s; a wait shorter than
    the last one seen is a new wait, reported afresh. Call it with each wait's length (seconds), the
    results waiting and how to get the give-up time; it returns the line when one is due, else None."""

    def __init__(self, path) -> None:
        self.path = path
        self.lang = current_lang()  # asked here: the scan's writer thread, which calls it, has no command context
        self._reported = 0.0  # how long the wait had lasted at its last line
        self._seen = 0.0  # how long it had lasted at the last call

    def __call__(self, seconds: float, pending: int, give_up: Callable[[], float]) -> str | None:
        if seconds < self._seen:
            self._reported = 0.0
        self._seen = seconds
        if seconds < 3 or (self._reported and seconds - self._reported < 30):
            return None
        self._reported = max(seconds, 0.001)
        from rich.markup import escape

        from ..brief.messages import Messages

        m = Messages(self.lang)
        key = "cli.store.waiting_pending" if pending else "cli.store.waiting"
        text = m(key, path=str(self.path), seconds=seconds, pending=pending, limit=seconds_of(give_up()))
        return f"[bold yellow]{m('cli.label.waiting')}:[/] {escape(text)}"


def seconds_of(value: float) -> int | float:
    """A number of seconds as a message shows it: ``2`` for 2.0, ``0.5`` (``0,5`` in Turkish) otherwise."""
    return int(value) if float(value).is_integer() else value


def lock_wait_reporter(path, limit=None):
    """``on_wait(seconds, pending=0)`` for a writing command: says on stderr that it waits for another
    process (:class:`WaitLine`). ``limit`` is the number of seconds shown as the point of giving up
    (default: the command's HUNTER_DB_WAIT wait).
    """
    from .. import store

    line = WaitLine(path)

    def give_up() -> float:
        value = limit() if callable(limit) else limit
        return store.write_wait_limit(store.COMMAND_WAIT_LIMIT) if value is None else value

    def on_wait(seconds: float, pending: int = 0) -> None:
        text = line(seconds, pending, give_up)
        if text is not None:
            print_message(text)

    return on_wait


@contextmanager
def new_database_kept_only_on_success(db: Path | None):
    """Around a command that may create its database (scan, prep, import, referrals sync, crm pull),
    when the file did not exist before, this process created it (:func:`hunter_cli.store.connection.created_here`:
    never a file another process made at the same path) and the command fails (an exit status other than 0, an
    error, Ctrl-C) having stored no lead, referral or CRM lead (:func:`hunter_cli.store.connection.contents`):
    a file that holds nothing is removed with the ``-wal``, ``-shm`` and ``.lock`` files the command
    made beside it, under the scan lock (:func:`_remove_if_unused`); one that holds the record of the failed
    run (the run log, docs/partner.md) is kept, and a line on stderr says that the command created it and what
    it holds. A failed first run never leaves an empty database behind unannounced (docs/cli.md, exit status 1)."""
    from .. import store
    from ..store.connection import contents, created_here

    shown = db_path(db)
    real = store.real_path(shown)
    made = [real, *(Path(f"{real}{suffix}") for suffix in ("-wal", "-shm", ".lock", ".lock-holder"))]

    def exists(p: Path) -> bool:
        try:
            return p.exists()
        except OSError:  # a path that cannot be looked at (too long, no permission): never ours to remove
            return True

    before = {p: exists(p) for p in made}
    ok = False
    try:
        yield
        ok = True
    except typer.Exit as exc:
        ok = not exc.exit_code
        raise
    except SystemExit as exc:
        ok = not exc.code
        raise
    finally:
        mine = not (ok or before[real]) and exists(real) and real.is_file() and created_here(real)
        held = contents(real) if mine else None
        if held == "nothing":
            _remove_if_unused(real, [p for p in made if not before[p]])
        elif held == "runs":
            from ..said import Said

            notice(Said("cli.created_database", path=str(shown)))


def _remove_if_unused(real: Path, files: list[Path]) -> None:
    """Remove ``files`` (the new database ``real`` and those beside it) while holding its scan lock, and only
    when it still holds nothing: a scan of another process that opened the file meanwhile holds the lock, or
    has stored a lead, and keeps its database (two first scans of one new ``--db`` at once, trial 18)."""
    from ..store.connection import contents, created_here
    from ..store.scanlock import UNKNOWN, ScanLock

    lock = ScanLock(real, UNKNOWN)
    try:
        if not lock.try_acquire():
            return
    except OSError:
        return
    try:
        if created_here(real) and contents(real) == "nothing":
            for p in files:
                try:
                    p.unlink(missing_ok=True)
                except OSError:
                    pass
    finally:
        lock.release()


def keeps_a_new_database_only_on_success(command: Callable) -> Callable:
    """A command (``scan``, ``prep``, ``import``, ``referrals sync``, ``crm pull``) run inside
    :func:`new_database_kept_only_on_success` for its ``--db``; Typer reads the wrapped signature."""
    import functools

    @functools.wraps(command)
    def run(*args, **kwargs):
        with new_database_kept_only_on_success(kwargs.get("db")):
            return command(*args, **kwargs)

    return run


def store_fail(exc: Exception) -> typer.Exit:
    """A :class:`~hunter_cli.store.StoreError` as the command's last line and the Exit to raise: 130 for Ctrl-C
    while it waited for another process's write lock (``StoreInterrupted``: nothing was changed), else 1."""
    from .. import store

    return fail(said_of(exc), EXIT_INTERRUPTED if isinstance(exc, store.StoreInterrupted) else EXIT_FATAL)


@contextmanager
def store_errors(db: Path | None):
    """Turn SQLite trouble met while a command uses the store into a clear fatal error (exit 1).

    A full disk, a read-only file, damage found mid-way or a lock held too long get one
    sentence each (``store.store_error``), never a traceback; Ctrl-C while waiting for another
    process's write lock says that nothing was changed and exits 130 (:func:`store_fail`).
    """
    import sqlite3

    from .. import store
    from ..said import said_of

    try:
        yield
    except store.StoreError as exc:
        raise store_fail(exc) from None
    except sqlite3.Error as exc:
        raise fail(said_of(store.store_error(exc, db_path(db)))) from None


class TableJson(str, enum.Enum):
    """``-f/--format`` of a command that prints a table (or lines) for people or one JSON object;
    its ``--json`` is the same as ``-f json``, as on ``hunter leads`` and ``sales-summary``."""

    table = "table"
    json = "json"


def table_json_option(what: str) -> Any:
    """The ``--format/-f table|json`` option; ``what`` says what json prints."""
    return typer.Option(TableJson.table, "--format", "-f", help=f"table (people) or json ({what}).")


JsonSameOption: Any = typer.Option(False, "--json", help="Same as --format json.")


def say(message: str) -> str:
    """``message`` (a :class:`hunter_cli.said.Said`) in the command's language, for a line on stdout."""
    from ..said import in_lang

    return in_lang(message, current_lang())
