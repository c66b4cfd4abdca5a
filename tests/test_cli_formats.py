"""Every command whose output is a table or one JSON object takes ``-f/--format table|json`` as
``hunter leads`` and ``sales-summary`` do; ``--json`` stays the same as ``-f json``."""

from __future__ import annotations

import json

import pytest

COMMANDS = [
    ("leads", "show", "firma.com.tr"),
    ("db", "check"),
    ("db", "prune", "--dry-run"),
    ("config", "show"),
    ("explain", "firma.com.tr"),
]


def _run(hunter, *argv: str):
    """`hunter ARGV`; `config show` without the fixture's added --db (it has none)."""
    if argv[0] != "config":
        return hunter(*argv)
    from hunter_cli.cli import app

    return hunter.runner.invoke(app, list(argv), env=hunter.env, catch_exceptions=False)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_format_json_is_the_same_as_json(hunter, argv):
    assert hunter.scan_json("firma.com.tr")
    by_flag = _run(hunter, *argv, "--json")
    for spelling in (("-f", "json"), ("--format", "json"), ("--format=json",)):
        by_format = _run(hunter, *argv, *spelling)
        assert by_format.exit_code == by_flag.exit_code == 0, by_format.stderr
        first, second = json.loads(by_flag.stdout), json.loads(by_format.stdout)
        for data in (first, second):  # times and durations differ between two runs
            if isinstance(data, dict):
                for key in ("seconds", "checked_at", "elapsed"):
                    data.pop(key, None)
        assert first.keys() == second.keys()


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_format_table_is_for_people_and_a_bad_format_is_a_usage_error(hunter, argv):
    assert hunter.scan_json("firma.com.tr")
    table = _run(hunter, *argv, "-f", "table")
    assert table.exit_code == 0, table.stderr
    with pytest.raises(ValueError):
        json.loads(table.stdout)
    bad = _run(hunter, *argv, "-f", "xml")
    assert bad.exit_code == 2 and "--format" in bad.stderr


def test_leads_show_json_by_format_carries_the_listed_lead(hunter):
    hunter.scan_json("firma.com.tr")
    shown = json.loads(hunter("leads", "show", "firma.com.tr", "-f", "json").stdout)
    listed = json.loads(hunter("leads", "-f", "json").stdout)[0]
    assert shown["lead"].items() >= listed.items()  # the lead as `hunter leads -f json` gives it, and more
