"""`hunter db check`, `db prune` and `db vacuum`: what they found or did, as lines for people or one JSON object."""

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


@dataclass
class PruneReport:
    """store.prune's ``report`` (older, removed, kept, scans) for scans older than ``cutoff`` (ISO time)."""

    report: dict[str, Any]
    cutoff: str
    dry_run: bool


@formatter("db-prune", Format.json)
def _prune_json(p: PruneReport, out: Output) -> None:
    out.write(json.dumps(dict(p.report, before=p.cutoff, dry_run=p.dry_run)) + "\n")


@formatter("db-prune", Format.table)
def _prune_text(p: PruneReport, out: Output) -> None:
    from ..timefmt import day_for_people

    r = p.report
    verb = "would remove" if p.dry_run else "removed"
    out.console.print(
        f"{r['older']:,} scans older than {day_for_people(p.cutoff)}: {verb} {r['removed']:,}, kept {r['kept']:,}"
        f" that leads, change events or the brief need; {r['scans']:,} scans in the database"
        + ("" if p.dry_run or not r["removed"] else "; `hunter db vacuum` gives the space back to the disk"),
        markup=False,
        soft_wrap=True,
    )


@dataclass
class VacuumReport:
    """store.vacuum's ``report`` (before, after, freed: bytes) for the database at ``path``."""

    path: Path
    report: dict[str, Any]


@formatter("db-vacuum", Format.json)
def _vacuum_json(v: VacuumReport, out: Output) -> None:
    out.write(json.dumps(v.report) + "\n")


@formatter("db-vacuum", Format.table)
def _vacuum_text(v: VacuumReport, out: Output) -> None:
    r = v.report
    out.console.print(
        f"{v.path}: {r['before']:,} bytes before, {r['after']:,} after; freed {r['freed']:,} bytes",
        markup=False,
        soft_wrap=True,
    )
