"""`hunter tag`, `hunter untag`, `hunter note`: a rep's own marks on a lead."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from ..said import Said
from . import app
from .common import (
    DbOption,
    domain_arg,
    fail,
    messages_lang_option,
    open_store,
    say,
    shown,
    speak_in,
    stdout_console,
    store_errors,
    warn,
)

_TAG = re.compile(r"^[a-z0-9çğıöşü][a-z0-9çğıöşü_.-]{0,39}$")


def _tags(values: list[str]) -> list[str]:
    from ..lead.posture import AUTO_TAGS, user_tag_problem

    out = []
    for v in values:
        t = v.strip().replace("İ", "i").replace("I", "ı").lower() if not v.isascii() else v.strip().lower()
        if not _TAG.match(t):
            raise typer.BadParameter(say(Said("cli.tags.bad_tag", tag=repr(v))), param_hint="TAG")
        if user_tag_problem(t):
            raise typer.BadParameter(
                say(Said("cli.tags.auto_tag", tag=repr(t), auto=list(AUTO_TAGS))), param_hint="TAG"
            )
        out.append(t)
    return out


def new_lead_message(name: str) -> str:
    return Said("cli.tags.new_lead", domain=shown(name))


@app.command()
def tag(
    domain: str = typer.Argument(..., help="Company domain."),
    tags: list[str] = typer.Argument(..., metavar="TAG...", help="Tags to add."),
    db: Path | None = DbOption,
    lang: str = messages_lang_option(),
) -> None:
    """Add your own tags to a lead (Hunter's automatic tags are kept apart and recomputed on each scan)."""
    from .. import store

    speak_in(lang)
    name, values = domain_arg(domain), _tags(tags)
    conn = open_store(db, write=True, edit=True)
    try:
        with store_errors(db):
            created = store.add_tags(conn, name, values)
    finally:
        conn.close()
    if created:
        warn(new_lead_message(name))
    stdout_console().print(say(Said("cli.tags.tagged", domain=shown(name), tags=values)), markup=False)


@app.command()
def untag(
    domain: str = typer.Argument(..., help="Company domain."),
    tags: list[str] = typer.Argument(..., metavar="TAG...", help="Tags to remove."),
    db: Path | None = DbOption,
    lang: str = messages_lang_option(),
) -> None:
    """Remove your own tags from a lead. Exit code 1 when the lead had none of them."""
    from .. import store

    speak_in(lang)
    name, values = domain_arg(domain), _tags(tags)
    conn = open_store(db, write=True, edit=True)
    try:
        with store_errors(db):
            removed = store.remove_tags(conn, name, values)
    finally:
        conn.close()
    if not removed:
        raise fail(Said("cli.tags.none_of", domain=shown(name), tags=values))
    key = "cli.tags.removed." + ("one" if removed == 1 else "many")
    stdout_console().print(say(Said(key, domain=shown(name), n=removed)), markup=False)


@app.command()
def note(
    domain: str = typer.Argument(..., help="Company domain."),
    text: str = typer.Argument(..., help="The note, in quotes."),
    db: Path | None = DbOption,
    lang: str = messages_lang_option(),
) -> None:
    """Add a timestamped note to a lead; notes show in the brief and in `hunter leads show`."""
    from .. import store

    speak_in(lang)
    name = domain_arg(domain)
    body = text.strip()
    if not body:
        raise typer.BadParameter(say(Said("cli.tags.note_empty")), param_hint="TEXT")
    conn = open_store(db, write=True, edit=True)
    try:
        with store_errors(db):
            created = store.add_note(conn, name, body[:4000])
    finally:
        conn.close()
    if created:
        warn(new_lead_message(name))
    stdout_console().print(say(Said("cli.tags.note_saved", domain=shown(name))), markup=False)
