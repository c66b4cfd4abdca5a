"""What a user installs is what the suite tests.

`.ci/run` builds the wheel, installs it (not editable) into a fresh virtual
environment and runs this suite against that installation with
``HUNTER_EXPECT_INSTALLED=1`` and ``HUNTER_WHEEL`` set. These tests check the
release path itself: every tracked file ships, the suite imports the installed
package, the console script works end to end, and the pieces of the dependency
set that the code leans on still behave.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import hunter_cli

ROOT = Path(__file__).resolve().parent.parent


def _tracked_package_files() -> list[str]:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: nothing to compare the wheel with")
    out = subprocess.run(["git", "ls-files", "hunter_cli"], cwd=ROOT, capture_output=True, text=True, check=True)
    files = [line for line in out.stdout.splitlines() if line]
    assert files, "git lists no file under hunter_cli/"
    return files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel CI installed (``HUNTER_WHEEL``), or one built here from the working tree."""
    given = os.environ.get("HUNTER_WHEEL")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: hatchling comes with the test extras, so no network is needed.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("hunter_cli-*.whl")
    return built


def test_wheel_ships_every_tracked_file_of_the_package(wheel):
    """A data file added under hunter_cli/ ships without anyone naming it (issue: rules.json was left out)."""
    shipped = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in _tracked_package_files() if f not in shipped]
    assert not missing, f"{wheel.name} lacks: {', '.join(missing)}"
    # and nothing from outside the package sneaks in
    stray = [n for n in shipped if not n.startswith(("hunter_cli/", "hunter_cli-"))]
    assert not stray


def test_the_suite_imports_the_installed_package():
    """Under CI the package must come from site-packages, never from the source tree beside the tests."""
    location = Path(hunter_cli.__file__).resolve()
    if os.environ.get("HUNTER_EXPECT_INSTALLED") != "1":
        pytest.skip("HUNTER_EXPECT_INSTALLED is not set: a developer's editable install is fine")
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert site in location.parents, f"hunter_cli imported from {location}, not from {site}"
    assert ROOT not in location.parents


def test_version_comes_from_the_package_metadata():
    assert hunter_cli.__version__ == version("hunter-cli")


def test_pycares_answer_cache_stays_off(dns):
    """dns/resolver.py turns c-ares' answer cache off through pycares' private ``_lib``.

    If a pycares release breaks that, a bulk scan's memory grows with every answer
    (docs/performance.md): asking one name twice must reach the server twice.
    """
    from hunter_cli.dns.resolver import AresResolver, ResolverConfig

    async def twice() -> None:
        resolver = AresResolver(ResolverConfig(nameservers=(dns.nameserver,), timeout=1.0, retries=1))
        try:
            first = await resolver.query("firma.com.tr", "MX")
            second = await resolver.query("firma.com.tr", "MX")
        finally:
            await resolver.close()
        assert first.records and first.records == second.records

    dns.reset_log()
    asyncio.run(twice())
    assert dns.count("firma.com.tr", "MX") == 2


def _console_script() -> str:
    script = Path(sys.executable).with_name("hunter.exe" if os.name == "nt" else "hunter")
    if not script.exists():
        found = shutil.which("hunter")
        if found is None:
            pytest.fail("the `hunter` console script is not installed beside this Python")
        return found
    return str(script)


def test_installed_console_script_end_to_end(hunter, tmp_path):
    """The `hunter` script a user runs: scan, rules matrix, Turkish summary, Markdown brief, CSV, explain.

    Run as real processes from an empty folder, so nothing can come from the source tree.
    """
    script = _console_script()
    env = dict(os.environ, **hunter.env, HUNTER_DB=str(tmp_path / "smoke.db"))
    env.pop("HUNTER_RULES", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([script, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == 0, f"hunter {' '.join(args)} exited {done.returncode}: {done.stderr}"
        return done

    assert run("--version").stdout.strip() == f"hunter {version('hunter-cli')}"
    scanned = run(
        "scan", "firma.com.tr", "gmailer.de", "--json", "--nameserver", hunter.server.nameserver, "--timeout", "0.5"
    )
    results = {r["domain"]: r for r in map(json.loads, scanned.stdout.splitlines())}
    assert results["firma.com.tr"]["provider"] == "m365" and results["firma.com.tr"]["tenant"]["id"]
    assert results["gmailer.de"]["provider"] == "google"
    assert all(r["category"] for r in results.values())

    assert "P1" in run("rules", "matrix").stdout
    turkish = run("sales-summary", "firma.com.tr", "--lang", "tr").stdout
    assert "Microsoft 365" in turkish and "DKIM" in turkish
    brief = run("prep", "firma.com.tr", "-f", "markdown", "--nameserver", hunter.server.nameserver).stdout
    assert brief.lstrip().startswith("#") and "firma.com.tr" in brief
    exported = run("leads", "-f", "csv").stdout
    assert exported.startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(exported[1:])))
    assert {row["domain"] for row in rows} == {"firma.com.tr", "gmailer.de"}
    explained = run("explain", "firma.com.tr").stdout
    assert "provider" in explained.lower()
