"""`hunter config show` output: each setting's effective value and where it came from (table, json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .formats import Format, Output, formatter
from .short import heading


@dataclass
class SettingsShown:
    """What `hunter config show` prints: the config file, whether it exists, and one row per setting
    (name, value as shown, source: flag/env/file/default, its environment variable, the default in words,
    whether it is a secret). The table is in the command's language; JSON is data, in English."""

    file: str
    file_exists: bool
    rows: list[dict[str, Any]]


@formatter("settings", Format.json)
def _json(s: SettingsShown, out: Output) -> None:
    body = {
        "config_file": s.file,
        "config_file_exists": s.file_exists,
        "settings": {
            r["name"]: {"value": r["value"], "source": r["source"], "env": r["env"], "default": r["default"]}
            for r in s.rows
        },
    }
    out.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")


@formatter("settings", Format.table)
def _table(s: SettingsShown, out: Output) -> None:
    from rich.table import Table

    from ..said import in_lang
    from .fold import Folded
    from .words import lang, say, value

    speaking = lang()
    table = Table(box=None, show_edge=False, pad_edge=False, title=None)
    table.add_column(heading("setting", speaking), no_wrap=True)
    table.add_column(heading("source", speaking), no_wrap=True)
    table.add_column(heading("value", speaking), overflow="fold")
    for r in s.rows:
        shown = r["shown"]
        if r.get("secret"):  # set or unset, never the value
            shown = say(f"cli.config.show.{shown}")
        elif shown == "-" and r["default"]:
            shown = f"({in_lang(r['default'], speaking)})"
        source = value("source", r["source"], speaking)
        table.add_row(r["name"], source, Folded(str(shown)))  # a URL never broken mid-word (render/fold.py)
    where = say("cli.config.show.file" if s.file_exists else "cli.config.show.file_missing", path=s.file)
    out.console.print(where, markup=False, soft_wrap=True)
    out.console.print(say("cli.config.show.variables"), markup=False)
    out.console.print(table)
