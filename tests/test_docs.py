"""Docs that promise things about the CLI are checked against the CLI itself."""

import re
from pathlib import Path

import typer.main

from hunter_cli.cli import app

DOCS = Path(__file__).parent.parent / "docs"


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n## ", start + len(heading))
    return text[start : nxt if nxt > 0 else None]


def test_cli_md_lists_exactly_the_scan_options():
    command = typer.main.get_command(app).commands["scan"]
    options = {o for p in command.params for o in p.opts if o.startswith("--")} - {"--help"}
    documented = set(re.findall(r"`(--[a-z-]+)", _section((DOCS / "cli.md").read_text(), "## `hunter scan")))
    assert options == documented


def test_json_schema_documents_every_field():
    from hunter_cli.models import DomainResult

    text = (DOCS / "json-schema.md").read_text()
    fields = {name for name, f in DomainResult.model_fields.items() if not f.exclude}
    missing = {f for f in fields if f"`{f}`" not in text}
    assert not missing


def test_database_md_describes_every_table_view_column_and_migration(tmp_path):
    """docs/database.md names each table, each column of the `leads` view and each migration."""
    from hunter_cli import store

    conn = store.connect(tmp_path / "hunter.db")
    try:
        tables = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if not r[0].startswith("domains_fts_")  # FTS5's own shadow tables
        }
        view = [r[1] for r in conn.execute("PRAGMA table_info(leads)")]
    finally:
        conn.close()
    text = (DOCS / "database.md").read_text()
    assert {t for t in tables if f"`{t}`" not in text} == set()
    assert [c for c in view if f"`{c}`" not in _section(text, "## The `leads` view")] == []
    migrations = _section(text, "## Migrations")
    assert [v for v, _, _ in store.MIGRATIONS if f"\n| {v} |" not in migrations] == []


def _architecture_modules() -> tuple[set[str], set[str]]:
    """(modules under hunter_cli/ as architecture.md names them, the names it uses): a package is
    named by its folder (``lead/``), a module by its path (``lead/view.py``, ``scan.py``)."""
    package = Path(__file__).parent.parent / "hunter_cli"
    modules = set()
    for path in package.rglob("*.py"):
        rel = path.relative_to(package).as_posix()
        modules.add(rel[: -len("__init__.py")] if rel.endswith("/__init__.py") else rel)
    text = (DOCS / "architecture.md").read_text()
    block = _section(text, "## Modules")
    named = set(re.findall(r"^\s+((?:[a-z_]+/)*[a-z_]+(?:\.py|/))\s", block, re.M))
    return modules, named


def test_architecture_md_names_every_module():
    modules, named = _architecture_modules()
    assert sorted(modules - named) == [], "modules missing from docs/architecture.md"
    assert sorted(named - modules) == [], "docs/architecture.md names modules that do not exist"


def test_the_module_check_sees_nested_modules():
    modules, named = _architecture_modules()
    assert {"store/writer.py", "store/", "services/scan.py", "scan.py", "__init__.py"} <= modules
    assert {"store/writer.py", "lead/posture.py", "render/formats.py"} <= named


def test_cli_md_help_text_is_generated_from_the_code():
    """docs/cli.md's "Help text of every command" is what `cog -r docs/cli.md` writes today (`cog --check`)."""
    import os

    from cogapp import Cog

    root = DOCS.parent
    cwd = os.getcwd()
    os.chdir(root)  # the cog block finds docs/cli_help.py relative to the repository
    try:
        status = Cog().main(["cog", "--check", "docs/cli.md"])
    finally:
        os.chdir(cwd)
    assert status == 0, "docs/cli.md is out of date: run `cog -r docs/cli.md`"
