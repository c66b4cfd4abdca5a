"""Start-up: `hunter --help` imports none of the heavy libraries; the commands that need them import them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HEAVY = ("aiohttp", "httpx", "msal", "msal_extensions", "uvloop", "pycares", "pydantic", "sqlite_utils", "rich")


def imported(*argv: str) -> set[str]:
    """Top-level packages a fresh `python -m hunter_cli ARGV` process imported (python -X importtime)."""
    env = dict(os.environ, PYTHONSAFEPATH="1", NO_COLOR="1")
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hunter_cli", *argv], env=env, capture_output=True, text=True
    )
    names = set()
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[-1].strip().split(".")[0])
    return names


def test_help_imports_no_heavy_library():
    loaded = imported("--help")
    assert "typer" in loaded  # the measurement works
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


NETWORK = {"aiohttp", "httpx", "msal", "msal_extensions", "uvloop", "pycares", "sqlite_utils"}


def test_a_subcommand_help_imports_no_network_library():
    # (typer itself imports pydantic to build a subcommand's options: typer._adapters)
    loaded = imported("scan", "--help") | imported("crm", "push", "--help") | imported("leads", "--help")
    assert not loaded & NETWORK, sorted(loaded & NETWORK)


def test_the_network_libraries_stay_out_of_commands_that_read_the_database(tmp_path):
    db = tmp_path / "empty.db"
    imported("leads", "--db", str(db))  # creates the file: its migrations import sqlite-utils, once
    loaded = imported("leads", "--db", str(db)) | imported("changes", "--db", str(db))
    assert not loaded & NETWORK
    assert "sqlite3" in loaded


def test_the_lead_list_builds_no_lead_view(tmp_path):
    """`hunter leads` (table and csv) and `changes` read columns: the lead view's pydantic models
    (hunter_cli.lead, .models, the footprint catalogs) are left for the commands that show one lead."""
    db = tmp_path / "h.db"
    imported("leads", "--db", str(db))

    def ours(*argv: str) -> set[str]:
        env = dict(os.environ, PYTHONSAFEPATH="1", NO_COLOR="1")
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "hunter_cli", *argv], env=env, capture_output=True, text=True
        )
        return {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if "hunter_cli." in line}

    for argv in (("leads", "--category", "P1", "-n", "50"), ("leads", "-f", "csv"), ("changes",)):
        loaded = ours(*argv, "--db", str(db))
        assert "hunter_cli.store.leads" in loaded or argv[0] == "changes"
        assert not loaded & {"hunter_cli.lead", "hunter_cli.models", "hunter_cli.footprint.schema"}, argv


def _modules(*argv: str, env: dict | None = None) -> set[str]:
    """Every module a fresh `python -m hunter_cli ARGV` process imported (``env``: its whole environment)."""
    env = dict(env if env is not None else os.environ, PYTHONSAFEPATH="1", NO_COLOR="1")
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hunter_cli", *argv], env=env, capture_output=True, text=True
    )
    return {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}


def test_plain_options_build_no_pydantic_adapter(tmp_path):
    """Typer would build a pydantic TypeAdapter for each of `hunter leads`' 29 options at every run
    (hunter_cli/cli/coerce.py); text, numbers and paths are coerced without one."""
    db = tmp_path / "h.db"
    _modules("leads", "--db", str(db))
    loaded = _modules("leads", "--category", "P1", "-n", "50", "--sort", "-score", "--db", str(db))
    assert "hunter_cli.store.leads" in loaded  # the command ran
    assert "typer._adapters" not in loaded


def test_a_command_without_settings_to_check_imports_no_pydantic(tmp_path):
    """No config file and no HUNTER_* variable: the settings are the defaults, with nothing for pydantic
    to check, and the lead list needs no model either (hunter_cli/config.py)."""
    db = tmp_path / "h.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    _modules("leads", "--db", str(db))
    for argv in (("leads", "--category", "P1", "-n", "50"), ("leads", "-f", "csv"), ("changes",)):
        loaded = _modules(*argv, "--db", str(db), env=env)
        assert "hunter_cli.config" in loaded, argv  # the settings were read
        assert not {m for m in loaded if m.split(".")[0] == "pydantic"}, argv
    # a database whose scores come from other rules: the warning is given without the rules' models
    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "release" / "hunter-0.1.0.db", old)
    _modules("leads", "--db", str(old), env=env)  # the upgrade (its migrations may import what they need)
    warned = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hunter_cli", "leads", "--db", str(old)],
        env=dict(env, PYTHONSAFEPATH="1", NO_COLOR="1"),
        capture_output=True,
        text=True,
    )
    assert "hunter rescore" in warned.stderr
    assert not [line for line in warned.stderr.splitlines() if line.rstrip().endswith("| pydantic")]
    assert "pydantic" in _modules("leads", "--db", str(db), env={**env, "HUNTER_DB_WAIT": "5"})  # checked
    (tmp_path / "config" / "hunter").mkdir(parents=True)
    (tmp_path / "config" / "hunter" / "config.toml").write_text("db_wait = 5\n")
    assert "pydantic" in _modules("leads", "--db", str(db), env=env)  # a file to check: checked
