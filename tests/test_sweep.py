"""Every `hunter` command under every expected failure: never a traceback (issue 11, item 13).

The commands are enumerated from the Typer app, so a new command is swept
without touching this file (a new argument name needs a sample value in
``SAMPLES``; the test says so). Each (failure, command) pair runs as a real
subprocess of the entry point (``python -m hunter_cli``) in a fresh temporary
directory of its own (its own copy of a seeded database, token cache and user
folders), so the installed package is what runs. Nothing reaches the network:
every URL Hunter knows points at a loopback stand-in or at a closed loopback
port, and the proxy variables point at a closed loopback port too, so a
hard-wired host (Microsoft's sign-in service for MSAL) fails at once.

Failures swept (``SCENARIOS``): no network, DNS unreachable, read-only database
file, read-only database directory, database locked by another process (a held
write transaction and the scan lock), rules file missing, not JSON, or of the
wrong shape, no sign-in, client id unset. A case fails on ``Traceback`` or
"Unclosed client session" anywhere in its output, on a failing exit code with
no message, or when the command hangs.

The runs happen once per module, in parallel (a thread pool; the locked-database
runs, which mostly wait on SQLite's busy timeout, get threads of their own);
each parametrized test only checks its own run.

Running as root: the read-only cases drop CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH from the child's bounding set (prctl), so file modes bind
root too; when that is impossible the read-only cases are skipped.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer.main
from pcserver import PartnerCenterServer, load_referrals
from typer.testing import CliRunner

from hunter_cli.cli import app

TOKEN = "sweep-partner-token"
CLIENT_ID = "22222222-0000-4000-8000-000000000002"
# seconds; SQLite's busy timeout is 30 s, and a loaded 2-core machine starts 29 waiting runs at once
RUN_TIMEOUT = 120.0

# Sample values for positional arguments, by parameter name. "{case}" is the run's own folder.
SAMPLES: dict[str, list[str]] = {
    "domain": ["firma.com.tr"],
    "inputs": ["firma.com.tr", "gmailer.de"],
    "domains": ["firma.com.tr"],
    "dest": ["{case}/backup.db"],
    "files": ["{case}/leads.csv"],
    "tags": ["vip"],
    "text": ["Called Ayşe; call back in March"],
    "referral_id": ["75a1f384-e6bc-416f-a9d8-343e5901b2f5"],
    "rules": ["{rules}"],
}
# Options added when a command has them: fast DNS failure, no waiting on registries.
FAST_OPTIONS = {"--timeout": ["0.3"], "--retries": ["0"]}


def commands() -> list[tuple[str, ...]]:
    """Every invocable command path of the Typer app, e.g. ("scan",), ("auth", "login"), ("leads",)."""
    out: list[tuple[str, ...]] = []

    def walk(cmd, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs is None:
            out.append(path)
            return
        if path and getattr(cmd, "invoke_without_command", False):
            out.append(path)
        for name, sub in sorted(subs.items()):
            walk(sub, path + (name,))

    walk(typer.main.get_command(app), ())
    return out


def _click_command(path: tuple[str, ...]):
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def argv_for(path: tuple[str, ...], case: Path, rules: str) -> list[str]:
    cmd = _click_command(path)
    argv = list(path)
    options = {o for p in cmd.params for o in getattr(p, "opts", ())}
    for p in cmd.params:
        if p.param_type_name != "argument" or getattr(cmd, "commands", None) is not None:
            continue
        if p.name not in SAMPLES:
            raise AssertionError(f"`hunter {' '.join(path)}`: add a sample value for argument {p.name!r} to SAMPLES")
        argv += [v.format(case=case, rules=rules) for v in SAMPLES[p.name]]
    for opt, values in FAST_OPTIONS.items():
        if opt in options:
            argv += [opt, *values]
    return argv


def closed_port() -> socket.socket:
    """A TCP socket bound to a loopback port and never listening: connections there are refused,
    UDP to the same port gets ICMP port unreachable, and no other process can take the port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    return s


_libc = ctypes.CDLL(None, use_errno=True)


def _drop_dac_override() -> None:  # runs in the child between fork and exec
    if os.geteuid() == 0:
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            _libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP: gone for the exec'd program


def modes_bind_us(tmp: Path) -> bool:
    probe = tmp / "probe-ro"
    probe.write_text("x")
    probe.chmod(0o444)
    r = subprocess.run(
        ["sh", "-c", f"echo y >> '{probe}'"], preexec_fn=_drop_dac_override, capture_output=True, check=False
    )
    probe.chmod(0o644)
    return r.returncode != 0


@dataclass
class Scenario:
    name: str
    env: dict = field(default_factory=dict)  # added to (or None: removed from) the base environment
    db: str = "ok"  # ok | readonly-file | readonly-dir | locked
    rules: str | None = None  # None | missing | not-json | wrong-shape
    sign_in: str = "token"  # token (HUNTER_PARTNER_TOKEN) | none (client id, empty cache) | no-client-id
    network: str = "up"  # up | down | dns-down


SCENARIOS = [
    Scenario("no-network", network="down"),
    Scenario("dns-unreachable", network="dns-down"),
    Scenario("readonly-db-file", db="readonly-file"),
    Scenario("readonly-db-dir", db="readonly-dir"),
    Scenario("db-locked", db="locked"),
    Scenario("rules-missing", rules="missing"),
    Scenario("rules-not-json", rules="not-json"),
    Scenario("rules-wrong-shape", rules="wrong-shape"),
    Scenario("no-sign-in", sign_in="none"),
    Scenario("client-id-unset", sign_in="no-client-id"),
]


def _wrong_shape_rules() -> str:
    """The bundled rules with every section present but values of the wrong type."""
    from importlib import resources

    data = json.loads(resources.files("hunter_cli.scoring").joinpath("rules.json").read_text("utf-8"))
    data["provider_points"] = {k: "fifty" for k in data["provider_points"]}
    data["signals"][0]["points"] = [10]
    data["segments"][1]["when"] = {"score_min": "sixty"}
    return json.dumps(data)


RULES_TEXT = {
    "not-json": '{"points": {"spf": 10,',
    "wrong-shape": _wrong_shape_rules(),
}


@dataclass
class Run:
    argv: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    skipped: str | None = None


class Sweep:
    """Sets up every case, runs them all in parallel, and keeps the results by (scenario, command)."""

    def __init__(self, root: Path, seed: Path, dns, ms, reg, pc) -> None:
        self.root = root
        self.seed = seed
        self.dns, self.ms, self.reg, self.pc = dns, ms, reg, pc
        self.closed = closed_port()
        self.dead = f"127.0.0.1:{self.closed.getsockname()[1]}"
        self.holders: list = []
        self.results: dict[tuple[str, tuple[str, ...]], Run] = {}
        self.readonly_ok = modes_bind_us(root)

    def close(self) -> None:
        for h in self.holders:
            try:
                h.close()
            except Exception:
                pass
        self.closed.close()
        for path in self.root.rglob("*"):  # let pytest clean up the read-only folders
            if path.is_dir():
                path.chmod(0o755)

    def env_for(self, sc: Scenario, case: Path, db: Path) -> dict:
        dead_url = f"http://{self.dead}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(case / "home"),
            "XDG_CONFIG_HOME": str(case / "config"),
            "XDG_CACHE_HOME": str(case / "cache"),
            "XDG_DATA_HOME": str(case / "data"),
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
            "COLUMNS": "120",
            "HUNTER_DB": str(db),
            "HUNTER_TOKEN_CACHE": str(case / "cache" / "msal_token_cache.json"),
            "HUNTER_NAMESERVERS": self.dns.nameserver,
            "HUNTER_MS_LOGIN_URL": self.ms.base_url,
            "HUNTER_RDAP_URL": self.reg[0].base_url,
            "HUNTER_WHOIS_HOST": self.reg[1].host_port,
            "HUNTER_PARTNER_API_URL": self.pc.base_url,
            "HUNTER_PSL_URL": dead_url + "/public_suffix_list.dat",
            "HUNTER_RDAP_BOOTSTRAP_URL": dead_url + "/dns.json",
            "HUNTER_CLIENT_ID": CLIENT_ID,
            "HUNTER_PARTNER_TOKEN": TOKEN,
            "HUNTER_CRM_URL": dead_url,  # no Dataverse stand-in here: always unreachable
            "HUNTER_CRM_TOKEN": TOKEN,
            # Hosts Hunter has no setting for (MSAL's login.microsoftonline.com) go to a dead proxy.
            "HTTPS_PROXY": dead_url,
            "HTTP_PROXY": dead_url,
            "ALL_PROXY": dead_url,
            "https_proxy": dead_url,
            "http_proxy": dead_url,
            "all_proxy": dead_url,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        if sc.network == "down":
            env.update(
                HUNTER_MS_LOGIN_URL=dead_url,
                HUNTER_RDAP_URL=dead_url,
                HUNTER_WHOIS_HOST=self.dead,
                HUNTER_PARTNER_API_URL=dead_url,
                NO_PROXY="",
                no_proxy="",
            )
        if sc.network in ("down", "dns-down"):
            env["HUNTER_NAMESERVERS"] = self.dead
        if sc.sign_in != "token":
            env.pop("HUNTER_PARTNER_TOKEN")
            env.pop("HUNTER_CRM_TOKEN")
        if sc.sign_in == "no-client-id":
            env.pop("HUNTER_CLIENT_ID")
        if sc.rules == "missing":
            env["HUNTER_RULES"] = str(case / "no-such-rules.json")
        elif sc.rules:
            env["HUNTER_RULES"] = str(case / "rules.json")
        for k, v in sc.env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def prepare(self, sc: Scenario, path: tuple[str, ...]) -> tuple[list[str], dict, Path] | str:
        case = self.root / sc.name / "-".join(path)
        (case / "home").mkdir(parents=True)
        (case / "leads.csv").write_text("Firma,Web Sitesi\nFirma A.Ş.,firma.com.tr\nYeni,yeni-firma.com.tr\n")
        rules_file = case / "rules.json"
        if sc.rules in RULES_TEXT:
            rules_file.write_text(RULES_TEXT[sc.rules])
        elif sc.rules == "missing":
            rules_file = case / "no-such-rules.json"
        else:
            from importlib import resources

            rules_file.write_text(resources.files("hunter_cli.scoring").joinpath("rules.json").read_text("utf-8"))
        dbdir = case / "db"
        dbdir.mkdir()
        db = dbdir / "hunter.db"
        shutil.copyfile(self.seed, db)
        if sc.db in ("readonly-file", "readonly-dir"):
            if not self.readonly_ok:
                return "file modes do not bind this user (root without a way to drop CAP_DAC_OVERRIDE)"
            if sc.db == "readonly-file":
                db.chmod(0o444)
            else:
                dbdir.chmod(0o555)
        elif sc.db == "locked":
            self.holders.append(_Holder(db))
        env = self.env_for(sc, case, db)
        return ["-m", "hunter_cli", *argv_for(path, case, str(rules_file))], env, case

    def run_one(self, key, argv, env, case) -> None:
        start = time.monotonic()
        try:
            p = subprocess.run(
                [sys.executable, *argv],
                cwd=case,
                env=env,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=RUN_TIMEOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_drop_dac_override,
                check=False,
            )
            run = Run(argv[2:], p.returncode, p.stdout, p.stderr, time.monotonic() - start)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            run = Run(argv[2:], None, out, err, time.monotonic() - start)
        self.results[key] = run

    def run_all(self, wanted: set) -> None:
        slow, fast = [], []
        for sc in SCENARIOS:
            for path in commands():
                key = (sc.name, path)
                if key not in wanted:
                    continue
                prepared = self.prepare(sc, path)
                if isinstance(prepared, str):
                    self.results[key] = Run([], None, "", "", 0.0, skipped=prepared)
                    continue
                (slow if sc.db == "locked" else fast).append((key, *prepared))
        threads = [threading.Thread(target=self.run_one, args=job, daemon=True) for job in slow]
        for t in threads:
            t.start()
        with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2))) as pool:
            for f in [pool.submit(self.run_one, *job) for job in fast]:
                f.result()
        for t in threads:
            t.join(RUN_TIMEOUT + 10)


class _Holder:
    """Another process's hold on a database: an open write transaction and the scan lock."""

    def __init__(self, db: Path) -> None:
        from filelock import FileLock

        self.lock = FileLock(str(db) + ".lock")
        self.lock.acquire(timeout=0)
        self.conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE domains SET company = company")

    def close(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()
        self.lock.release()


def _selected(request) -> set[tuple[str, tuple[str, ...]]]:
    """The (scenario, command) cases this pytest session will check (so `-k` narrows the work)."""
    out = set()
    for item in request.session.items:
        spec = getattr(item, "callspec", None)
        if spec is not None and getattr(item, "module", None) is sys.modules[__name__]:
            if "scenario" in spec.params:
                out.add((spec.params["scenario"], spec.params["path"]))
    return out


@pytest.fixture(scope="module")
def sweep(request, tmp_path_factory, _session_dns, _session_ms, _session_reg):
    root = tmp_path_factory.mktemp("sweep")
    seed = root / "seed.db"
    env = {
        "NO_COLOR": "1",
        "HUNTER_MS_LOGIN_URL": _session_ms.base_url,
        "HUNTER_RDAP_URL": _session_reg[0].base_url,
        "HUNTER_WHOIS_HOST": _session_reg[1].host_port,
        "HUNTER_RULES": "",
    }
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "scan",
            "firma.com.tr",
            "nomail.com",
            "gmailer.de",
            "--db",
            str(seed),
            "--nameserver",
            _session_dns.nameserver,
            "-q",
        ],
        env=env,
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.stderr
    with PartnerCenterServer(load_referrals()) as pc:
        pc.valid_tokens.add(TOKEN)
        r = runner.invoke(
            app,
            ["referrals", "sync", "--no-scan", "--db", str(seed)],
            env={**env, "HUNTER_PARTNER_TOKEN": TOKEN, "HUNTER_PARTNER_API_URL": pc.base_url},
            catch_exceptions=False,
        )
        assert r.exit_code == 0, r.stderr
        sqlite3.connect(seed).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
        s = Sweep(root, seed, _session_dns, _session_ms, _session_reg, pc)
        started = time.monotonic()
        try:
            s.run_all(_selected(request))
            s.seconds = time.monotonic() - started
            yield s
        finally:
            s.close()


def _case_id(value) -> str:
    return value if isinstance(value, str) else "-".join(value)


CASES = []
for _sc in SCENARIOS:
    for _path in commands():
        CASES.append(pytest.param(_sc.name, _path, id=f"{_sc.name}:{' '.join(_path)}"))


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("scenario", "path"), CASES)
def test_no_traceback(sweep, scenario, path):
    run = sweep.results[(scenario, path)]
    if run.skipped:
        pytest.skip(run.skipped)
    shown = (
        f"$ hunter {' '.join(run.argv)}\n[exit {run.returncode}]\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
    )
    assert run.returncode is not None, f"hung for {RUN_TIMEOUT:g} s\n{shown}"
    assert "Traceback" not in run.stdout + run.stderr, shown
    assert "Unclosed client session" not in run.stderr, shown
    assert "Unclosed connector" not in run.stderr, shown
    if run.returncode != 0:
        assert (run.stdout + run.stderr).strip(), f"failed without saying why\n{shown}"


def test_the_sweep_covers_every_command_under_every_failure():
    paths = commands()
    # sub-commands of groups, and the group that also runs on its own
    assert {("scan",), ("auth", "login"), ("referrals", "sync"), ("leads",), ("leads", "show")} <= set(paths)
    assert len(paths) >= 24
    swept = {(c.values[0], c.values[1]) for c in CASES}
    assert swept == {(sc.name, p) for sc in SCENARIOS for p in paths}
    for path in paths:  # every command gets sample arguments
        argv_for(path, Path("/tmp"), "rules.json")
