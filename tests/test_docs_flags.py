"""docs/config.md's Flag column says which commands take each flag, and its short form (trial12 E1, E2)."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from hunter_cli.cli import app

CONFIG = Path(__file__).resolve().parent.parent / "docs" / "config.md"


def _commands(cmd=None, path=()):
    cmd = cmd or typer.main.get_command(app)
    if path:
        yield " ".join(path), cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def _row(key: str) -> str:
    for line in CONFIG.read_text("utf-8").splitlines():
        if line.startswith(f"| `{key}` |"):
            return line.split(" | ")[2]
    raise AssertionError(f"no row for {key} in docs/config.md")


def test_the_lang_row_names_every_command_with_lang():
    flag = _row("lang")
    named = set(re.findall(r"`([a-z][a-z -]*)`", flag.split("(", 1)[1]))
    having = {path for path, cmd in _commands() if "--lang" in [o for p in cmd.params for o in p.opts]}
    assert named == having, named ^ having


def test_the_nameserver_row_gives_no_short_form_it_does_not_have():
    flag = _row("nameservers")
    shorts = {
        o for _, cmd in _commands() for p in cmd.params if "--nameserver" in p.opts for o in p.opts if len(o) == 2
    }
    claimed = set(re.findall(r"`(-[a-zA-Z])`", flag.split("(", 1)[0]))  # the flags, before the commands
    assert claimed <= shorts, flag
