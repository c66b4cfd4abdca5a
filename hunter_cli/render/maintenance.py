"""`hunter db check`: the store's health as lines for people or one JSON object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formats import Format, Output, formatter


@dataclass
class CheckReport:
    """store.check's ``report`` of the database at ``path``; ``healthy`` = sound and writable by this Hunter."""

    path: Path
    report: dict[str, Any]
    healthy: bool


@formatter("db-check", Format.json)
def _json(c: CheckReport, out: Output) -> None:
    out.write(json.dumps(dict(c.report, healthy=c.healthy), ensure_ascii=False) + "\n")


@formatter("db-check", Format.table)
def _text(c: CheckReport, out: Output) -> None:
    report, con = c.report, out.console
    con.print(f"database:       {c.path} ({report['bytes']:,} bytes)", markup=False, soft_wrap=True)
    newer = " (newer than this Hunter: read only)" if not report["writable_by_this_version"] else ""
    con.print(
        f"schema version: {report['schema_version']} (this Hunter: {report['latest_version']}){newer}",
        markup=False,
    )
    con.print(f"integrity:      {'ok' if report['sound'] else 'DAMAGED'}", markup=False)
    for problem in report["problems"][:20]:
        con.print(f"  {problem}", markup=False, soft_wrap=True)
    if len(report["problems"]) > 20:
        con.print(f"  ... {len(report['problems']) - 20} more", markup=False)
    con.print(f"runs:           {report['unfinished_runs']} unfinished, {report['crashed_runs']} crashed", markup=False)
