"""`hunter import`: bring a company list into the store without scanning it."""

from __future__ import annotations

from pathlib import Path

import typer

from ..said import Said
from . import app
from .common import (
    EXIT_FATAL,
    DbOption,
    SheetOption,
    column_hints,
    fail,
    keeps_a_new_database_only_on_success,
    open_store,
    report_unreadable,
    stderr_console,
    store_errors,
)


@app.command("import")
@keeps_a_new_database_only_on_success
def import_(
    files: list[Path] = typer.Argument(..., metavar="FILE...", help="CSV or XLSX files (a .txt list works too)."),
    db: Path | None = DbOption,
    domain_column: str | None = typer.Option(
        None,
        "--domain-column",
        metavar="COLUMN",
        help="Column with websites or e-mails: header, number or letter.",
        show_default=False,
    ),
    company_column: str | None = typer.Option(
        None,
        "--company-column",
        metavar="COLUMN",
        help="Column with company names: header, number or letter.",
        show_default=False,
    ),
    sheet: str | None = SheetOption,
    overwrite_company: bool = typer.Option(
        False, "--overwrite-company", help="Replace company names already stored (default: only fill in empty ones)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Import leads with their company names; nothing is scanned (use `hunter scan FILE` for both).

    Columns are found by their Turkish or English headers (web sitesi, e-posta,
    firma ünvanı, company, ...) and confirmed by their content; title rows above
    the header are passed over. Re-importing the same file changes nothing.
    Exit codes: 0 imported, 1 a file could not be read (the others are still imported) or no valid
    domain, 2 usage error.
    """
    from .. import store
    from ..inputs import InputError, InputStats, leads, missing_files

    missing = missing_files([str(f) for f in files]) or [str(f) for f in files if not f.exists()]
    if missing:
        raise typer.BadParameter(Said("cli.file.missing", path=missing[0]), param_hint="FILE")
    hints = column_hints(files, domain_column, company_column, sheet)
    conn = open_store(db, write=True, create=True)
    stats = InputStats()
    try:
        with store_errors(db):
            rows = leads([str(f) for f in files], stats, hints)
            counts = store.import_leads(conn, rows, overwrite_company)
    except InputError as exc:
        raise fail(str(exc)) from None
    finally:
        conn.close()
    err = stderr_console()
    if stats.accepted == 0:
        if stats.lines:
            _report(err, stats, counts)
        report_unreadable(stats)
        if stats.unreadable and not stats.lines:
            raise typer.Exit(EXIT_FATAL)

        raise fail(Said("cli.scan.no_valid_domain"))
    if not quiet:
        _report(err, stats, counts)
    if report_unreadable(stats):
        raise typer.Exit(EXIT_FATAL)


def _report(err, stats, counts) -> None:
    from ..render.scan_tables import import_table
    from .common import current_lang

    err.print(import_table(stats, counts, current_lang()))
