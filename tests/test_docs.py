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
