"""The one formatter interface: every kind a command renders has formatters, and choices come from one enum."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from hunter_cli.render import formats
from hunter_cli.render.formats import Format

PACKAGE = Path(__file__).parent.parent / "hunter_cli"


def test_every_kind_rendered_by_a_command_has_formatters():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r'\brender\(\s*"([a-z-]+)"', path.read_text(encoding="utf-8")))
    assert {"scan", "brief", "leads", "lead", "changes", "referrals", "explain", "db-check"} <= used
    assert used <= set(formats.MODULES), f"kinds without a formatter module: {used - set(formats.MODULES)}"
    for kind in formats.MODULES:
        assert formats.supported(kind), kind


@pytest.mark.parametrize(
    ("module", "name", "kind"),
    [("leads", "Format", "leads"), ("monitor", "ChangeFormat", "changes"), ("partner", "RefFormat", "referrals")]
    + [("brief", "Format", "brief")],
)
def test_format_choices_are_what_the_formatters_write(module, name, kind):
    import importlib

    choices = {m.value for m in getattr(importlib.import_module(f"hunter_cli.cli.{module}"), name)}
    assert choices <= {f.value for f in Format}
    assert choices == {f.value for f in formats.supported(kind)}


def test_an_unsupported_format_is_refused_not_guessed():
    from hunter_cli.render.changes import Changes

    with pytest.raises(ValueError, match="changes cannot be written as markdown"):
        formats.render("changes", Format.markdown, Changes([], "7d", "2026-01-01"))
    with pytest.raises(ValueError, match="no formatter"):
        formats.render("nothing-like-this", Format.json, None)


def test_formatters_write_data_to_the_given_stream():
    from hunter_cli.render.changes import Changes

    row = {"occurred_at": "2026-05-01T10:00:00+00:00", "domain": "a.com.tr", "company": "=cmd", "kind": "spf_changed"}
    row |= {"old": None, "new": "v=spf1 -all", "category": "P2"}
    out = io.StringIO()
    formats.render("changes", Format.csv, Changes([row], "7d", "2026-04-24"), formats.Output(out))
    text = out.getvalue()
    assert text.startswith("\ufeffoccurred_at,domain,company,kind,old,new,category\r\n")
    assert "'=cmd" in text  # formula-safe, as every CSV
    out = io.StringIO()
    formats.render("changes", "json", Changes([row], "7d", "2026-04-24"), formats.Output(out))
    assert json.loads(out.getvalue())[0]["occurred_at"] == row["occurred_at"] and out.getvalue().endswith("]\n")
