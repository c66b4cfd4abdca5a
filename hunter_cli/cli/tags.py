"""`hunter tag`, `hunter untag`, `hunter note`: a rep's own marks on a lead."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from . import app
from .common import DbOption, domain_arg, fail, open_store, stdout_console, store_errors, warn

_TAG = re.compile(r"^[a-z0-9çğıöşü][a-z0-9çğıöşü_.-]{0,39}$")


def _tags(values: list[str]) -> list[str]:
    from ..lead.posture import user_tag_problem

    out = []
    for v in values:
        t = v.strip().replace("İ", "i").replace("I", "ı").lower() if not v.isascii() else v.strip().lower()
        if not _TAG.match(t):
            raise typer.BadParameter(f"{v!r}: a tag is 1-40 letters, digits, '-', '_' or '.'", param_hint="TAG")
        if problem := user_tag_problem(t):
            raise typer.BadParameter(problem, param_hint="TAG")
        out.append(t)
    return out


def new_lead_message(name: str) -> str:
    return f"{name} was not a lead yet: added it as a new lead (run `hunter scan {name}` to fill in its facts)"


@app.command()
def tag(
    domain: str = typer.Argument(..., help="Company domain."),
    tags: list[str] = typer.Argument(..., metavar="TAG...", help="Tags to add."),
    db: Path | None = DbOption,
) -> None:
    """Add your own tags to a lead (Hunter's automatic tags are kept apart and recomputed on each scan)."""
    from .. import store

    name, values = domain_arg(domain), _tags(tags)
    conn = open_store(db, write=True, edit=True)
    try:
        with store_errors(db):
            created = store.add_tags(conn, name, values)
    finally:
        conn.close()
    if created:
        warn(new_lead_message(name))
    stdout_console().print(f"{name}: tagged {', '.join(values)}")


@app.command()
def untag(
    domain: str = typer.Argument(..., help="Company domain."),
    tags: list[str] = typer.Argument(..., metavar="TAG...", help="Tags to remove."),
    db: Path | None = DbOption,
) -> None:
    """Remove your own tags from a lead. Exit code 1 when the lead had none of them."""
    from .. import store

    name, values = domain_arg(domain), _tags(tags)
    conn = open_store(db, write=True, edit=True)
    try:
        with store_errors(db):
            removed = store.remove_tags(conn, name, values)
    finally:
        conn.close()
    if not removed:
        raise fail(f"{name} has none of these tags: {', '.join(values)}")
    stdout_console().print(f"{name}: removed {removed} tag(s)")


@app.command()
def note(
    domain: str = typer.Argument(..., help="Company domain."),
    text: str = typer.Argument(..., help="The note, in quotes."),
    db: Path | None = DbOption,
) -> None:
    """Add a timestamped note to a lead; notes show in the brief and in `hunter leads show`."""
    from .. import store

    name = domain_arg(domain)
    body = text.strip()
    if not body:
        raise typer.BadParameter("the note is empty", param_hint="TEXT")
    conn = open_store(db, write=True, edit=True)
    try:
        with store_errors(db):
            created = store.add_note(conn, name, body[:4000])
    finally:
        conn.close()
    if created:
        warn(new_lead_message(name))
    stdout_console().print(f"{name}: note saved")
