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
    lang: str = "en"


@formatter("db-check", Format.json)
def _json(c: CheckReport, out: Output) -> None:
    out.write(json.dumps(dict(c.report, healthy=c.healthy), ensure_ascii=False) + "\n")


@formatter("db-check", Format.table)
def _text(c: CheckReport, out: Output) -> None:
    from ..brief.messages import Messages

    m, report, con = Messages(c.lang), c.report, out.console
    labels = {k: m(f"cli.db.check.label.{k}") for k in ("database", "schema", "integrity", "runs")}
    width = max(len(v) for v in labels.values()) + 2  # the values line up in any language

    def line(key: str, value: str) -> None:
        con.print(f"{labels[key] + ':':<{width}}{value}", markup=False, soft_wrap=True)

    line("database", m("cli.db.check.database", path=str(c.path), bytes=report["bytes"]))
    schema = m("cli.db.check.schema", version=report["schema_version"], latest=report["latest_version"])
    if not report["writable_by_this_version"]:
        schema = m("cli.db.check.schema_newer", version=report["schema_version"], latest=report["latest_version"])
    line("schema", schema)
    line("integrity", m("cli.db.check.sound" if report["sound"] else "cli.db.check.damaged"))
    for problem in report["problems"][:20]:
        con.print(f"  {problem}", markup=False, soft_wrap=True)
    if len(report["problems"]) > 20:
        con.print("  " + m("cli.db.check.more", n=len(report["problems"]) - 20), markup=False)
    line("runs", m("cli.db.check.runs", unfinished=report["unfinished_runs"], crashed=report["crashed_runs"]))


@dataclass
class PruneReport:
    """store.prune's ``report`` (older, removed, kept, scans) for scans older than ``cutoff`` (ISO time)."""

    report: dict[str, Any]
    cutoff: str
    dry_run: bool
    lang: str = "en"


@formatter("db-prune", Format.json)
def _prune_json(p: PruneReport, out: Output) -> None:
    out.write(json.dumps(dict(p.report, before=p.cutoff, dry_run=p.dry_run)) + "\n")


@formatter("db-prune", Format.table)
def _prune_text(p: PruneReport, out: Output) -> None:
    from ..brief.messages import Messages
    from ..timefmt import for_people

    m, r = Messages(p.lang), p.report
    key = "cli.db.prune.would_remove" if p.dry_run else "cli.db.prune.removed"
    text = m(
        key,
        older=r["older"],
        day=for_people(p.cutoff, p.lang),  # a moment (now minus --keep): scans of that day may be newer
        removed=r["removed"],
        kept=r["kept"],
        scans=r["scans"],
        now=r["scans"] + r["removed"],  # a dry run removed nothing: "scans" is what would be left
    )
    if not p.dry_run and r["removed"]:
        text += m("cli.db.prune.vacuum_hint")
    out.console.print(text, markup=False)  # wrapped at the terminal's width, at spaces (80 columns)


@dataclass
class VacuumReport:
    """store.vacuum's ``report`` (before, after, freed: bytes; repacked: scans) for the database at ``path``."""

    path: Path
    report: dict[str, Any]
    lang: str = "en"


@formatter("db-vacuum", Format.json)
def _vacuum_json(v: VacuumReport, out: Output) -> None:
    out.write(json.dumps(v.report) + "\n")


@formatter("db-vacuum", Format.table)
def _vacuum_text(v: VacuumReport, out: Output) -> None:
    from ..brief.messages import Messages

    r = v.report
    text = Messages(v.lang)(
        "cli.db.vacuum.done", path=str(v.path), before=r["before"], after=r["after"], freed=r["freed"]
    )
    if r.get("repacked"):
        text += "; " + Messages(v.lang)("cli.db.vacuum.repacked", count=r["repacked"])
    out.console.print(text, markup=False, soft_wrap=True)
