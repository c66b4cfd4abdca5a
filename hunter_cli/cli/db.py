"""`hunter db check` and `hunter db backup`: the health of the store and a safe copy of it."""

from __future__ import annotations

from pathlib import Path

import typer

from ..said import Said, said_of
from . import app
from .common import (
    EXIT_INTERRUPTED,
    DbOption,
    JsonSameOption,
    TableJson,
    current_lang,
    db_path,
    fail,
    messages_lang_option,
    say,
    speak_in,
    stdout_console,
    store_fail,
    table_json_option,
)

db_app = typer.Typer(
    help="The database: check its health, back it up while scans run, prune old scans, reclaim space.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


@db_app.command("check")
def check(
    db: Path | None = DbOption,
    quick: bool = typer.Option(
        False, "--quick", help="SQLite's quick_check (structure only, faster) instead of the full integrity_check."
    ),
    fmt: TableJson = table_json_option("the findings as one JSON object"),
    json_out: bool = JsonSameOption,
    lang: str = messages_lang_option(),
) -> None:
    """Check the database: SQLite's integrity check, the schema version, runs that never finished.

    Reads only; safe while a scan writes. Exit codes: 0 sound and usable by this Hunter,
    1 damaged, not a database, missing, or written by a newer Hunter.
    """
    json_out = json_out or fmt is TableJson.json
    speak_in(lang)
    from .. import store

    path = db_path(db)
    try:
        report = store.check(path, quick=quick)
    except store.StoreError as exc:
        real = store.real_path(path)
        if not real.exists() or real.is_dir() or isinstance(exc, store.StoreMissing):
            raise fail(said_of(exc)) from None
        # not even readable as a database: this is the check's finding, not a reason to run the check
        raise fail(Said("cli.db.unreadable", path=str(path), why=_first_clause(exc))) from None
    healthy = report["sound"] and report["writable_by_this_version"]
    from ..render.formats import Format, render
    from ..render.maintenance import CheckReport

    render("db-check", Format.json if json_out else Format.table, CheckReport(path, report, healthy, current_lang()))
    if not report["sound"]:
        raise fail(Said("cli.db.damaged", path=str(path)))
    if not report["writable_by_this_version"]:
        raise fail(Said("cli.db.newer", path=str(path), version=report["schema_version"]))


def _first_clause(exc: BaseException) -> str:
    """``"x.db is damaged (file is not a database); Run ..."`` -> ``"file is not a database"``; in other
    languages the same reason from the error's keyed sentence (never its English inside their words)."""
    message = str(exc)
    start, end = message.find("("), message.find(")")
    english = message[start + 1 : end] if 0 <= start < end else message.split(";")[0]
    said = said_of(exc)
    if not isinstance(said, Said):
        return english
    if said.key == "cli.store.not_a_db":
        return Said.worded(english, "cli.db.why.not_a_db")
    detail = said.values.get("detail")
    if isinstance(detail, Said):  # what SQLite said (store/core.py sqlite_reason)
        return Said.worded(english, detail.key, **detail.values)
    return english


@db_app.command("backup")
def backup(
    dest: Path = typer.Argument(..., metavar="PATH", help="File to write the copy to."),
    db: Path | None = DbOption,
    force: bool = typer.Option(False, "--force", help="Replace PATH if it exists."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    lang: str = messages_lang_option(),
) -> None:
    """Copy the database to PATH with SQLite's online backup: one consistent snapshot, safe while a scan writes.

    The copy is a single self-contained file, checked before it is put in place; PATH is
    never left half written. Exit codes: 0 copied, 1 the copy failed or shows damage
    (the source is damaged too: run `hunter db check`).
    """
    from .. import store

    speak_in(lang)
    path = db_path(db)
    try:
        report = store.backup(path, dest, overwrite=force)
    except store.StoreError as exc:
        raise fail(said_of(exc)) from None
    if report["problems"]:
        raise fail(Said("cli.db.backup_damaged", path=str(path), dest=str(dest), why=report["problems"][0]))
    if not quiet:
        done = Said(
            "cli.db.backed_up",
            path=str(path),
            dest=str(dest),
            domains=report["domains"],
            bytes=report["bytes"],
            version=report["schema_version"],
        )
        stdout_console().print(say(done), markup=False, soft_wrap=True)


@db_app.command("prune")
def prune(
    keep: str = typer.Option(
        "90d", "--keep", metavar="DURATION", help="Keep every scan newer than this (e.g. 90d, 26w)."
    ),
    db: Path | None = DbOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Say how many scans would go; change nothing."),
    fmt: TableJson = table_json_option("the counts as one JSON object"),
    json_out: bool = JsonSameOption,
    lang: str = messages_lang_option(),
) -> None:
    """Remove scans older than --keep that nothing needs; the space is reused by later scans
    (`hunter db vacuum` gives it back to the disk).

    Kept whatever their age: each lead's last scan and last good scan, scans a change event
    names, each lead's first good scan, and the two scans on either side of a provider or
    gateway change (the brief's "what changed"). Safe while a scan runs. Exit codes: 0 pruned,
    1 the database is not usable, 2 usage error.
    """
    json_out = json_out or fmt is TableJson.json
    speak_in(lang)
    from .. import store
    from ..durations import ago_iso, parse_duration
    from ..store.prune import prune as prune_scans
    from .common import open_store

    try:
        cutoff = ago_iso(parse_duration(keep))
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint="--keep") from None
    path = db_path(db)
    conn = open_store(path, write=True)
    try:
        report = prune_scans(conn, cutoff, dry_run=dry_run)
    except store.StoreError as exc:
        raise store_fail(exc) from None
    except KeyboardInterrupt:  # each batch is its own transaction: what went is gone, the rest is kept whole
        raise fail(Said("cli.db.prune_interrupted"), EXIT_INTERRUPTED) from None
    finally:
        conn.close()
    from ..render.formats import Format, render
    from ..render.maintenance import PruneReport

    render("db-prune", Format.json if json_out else Format.table, PruneReport(report, cutoff, dry_run, current_lang()))


@db_app.command("vacuum")
def vacuum(
    db: Path | None = DbOption,
    fmt: TableJson = table_json_option("the sizes as one JSON object"),
    json_out: bool = JsonSameOption,
    lang: str = messages_lang_option(),
) -> None:
    """Rewrite the database file without its free space (SQLite's VACUUM) and say how much was freed.

    Needs free disk space about the size of the data, and waits for no scan: when one is
    writing, it says so and stops. Readers may go on meanwhile. Exit codes: 0 done, 1 a scan
    holds the database, no room on the disk, or the database is not usable.
    """
    json_out = json_out or fmt is TableJson.json
    speak_in(lang)
    from .. import store
    from ..store.prune import vacuum as vacuum_file
    from .common import open_store

    path = db_path(db)
    conn = open_store(path, write=True)
    try:
        report = vacuum_file(conn, path)
    except store.StoreError as exc:
        raise fail(said_of(exc)) from None
    except KeyboardInterrupt:  # VACUUM is one transaction; the re-pack before it commits in batches
        raise fail(Said("cli.db.vacuum_interrupted"), EXIT_INTERRUPTED) from None
    finally:
        conn.close()
    from ..render.formats import Format, render
    from ..render.maintenance import VacuumReport

    render("db-vacuum", Format.json if json_out else Format.table, VacuumReport(path, report, current_lang()))
