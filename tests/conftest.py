"""Shared fixtures: a real DNS server on loopback and a runner for the `hunter` CLI.

The scan under test talks to the server over UDP/TCP exactly as it talks to a
production resolver; nothing in Hunter's own core is mocked.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from dnsserver import DNSTestServer, load_zone_dir  # noqa: E402

from hunter_cli.cli import app  # noqa: E402

ZONES = Path(__file__).parent / "zones"


@pytest.fixture(scope="session")
def zone_text() -> str:
    return load_zone_dir(ZONES)


@pytest.fixture(scope="session")
def _session_dns(zone_text):
    with DNSTestServer(zone_text) as srv:
        yield srv


@pytest.fixture
def dns(_session_dns, zone_text):
    """The shared test DNS server, with faults and the query log reset for each test."""
    _session_dns.clear_faults()
    _session_dns.reset_log()
    yield _session_dns
    _session_dns.clear_faults()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "hunter.db"


class Hunter:
    """Runs `hunter` in-process through Typer's runner against the test DNS server."""

    def __init__(self, server: DNSTestServer, db: Path):
        self.server = server
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None, dns_args: bool = True):
        argv = list(args)
        if dns_args and argv and argv[0] == "scan":
            argv += ["--nameserver", self.server.nameserver, "--timeout", "0.3", "--retries", "1"]
        if "--db" not in argv:
            argv += ["--db", str(self.db)]
        full_env = {"NO_COLOR": "1", "COLUMNS": "120"}
        full_env.update(env or {})
        return self.runner.invoke(app, argv, input=input, env=full_env, catch_exceptions=False)

    def scan_json(self, *args: str, **kw) -> dict[str, dict]:
        """Scan with --json and return the results keyed by domain (every stdout line must be JSON)."""
        result = self("scan", *args, "--json", **kw)
        assert result.exit_code == 0, result.stderr
        out = {}
        for line in result.stdout.splitlines():
            obj = json.loads(line)
            out[obj["domain"]] = obj
        return out


@pytest.fixture
def hunter(dns, db) -> Hunter:
    return Hunter(dns, db)


@pytest.fixture
def hunter_cmd(dns, db):
    """argv prefix to run hunter as a real subprocess (for signals and concurrency tests)."""
    base = [sys.executable, "-m", "hunter_cli"]
    env = dict(os.environ, NO_COLOR="1", HUNTER_DB=str(db))
    return base, env
