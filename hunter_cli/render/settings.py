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
    (name, value as shown, source: flag/env/file/default, its environment variable, the default in words)."""

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

    from .fold import Folded

    table = Table(box=None, show_edge=False, pad_edge=False, title=None)
    table.add_column(heading("setting"), no_wrap=True)
    table.add_column(heading("source"), no_wrap=True)
    table.add_column(heading("value"), overflow="fold")
    for r in s.rows:
        value = r["shown"]
        if value == "-" and r["default"]:
            value = f"({r['default']})"
        table.add_row(r["name"], r["source"], Folded(str(value)))  # a URL never broken mid-word (render/fold.py)
    where = s.file + ("" if s.file_exists else " (none there)")
    out.console.print(f"config file: {where}", markup=False, soft_wrap=True)
    out.console.print("environment variables: HUNTER_ and the name in capitals", markup=False)
    out.console.print(table)
