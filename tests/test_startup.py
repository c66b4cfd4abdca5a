"""Start-up: `hunter --help` imports none of the heavy libraries; the commands that need them import them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import test_brief

golden_scan = test_brief.scanned  # the golden briefs' database, a fixture

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
    # a variable or a file that sets plain values: checked without the settings model (config._plain)
    assert "pydantic" not in _modules("leads", "--db", str(db), env={**env, "HUNTER_DB_WAIT": "5"})
    (tmp_path / "config" / "hunter").mkdir(parents=True)
    (tmp_path / "config" / "hunter" / "config.toml").write_text("db_wait = 5\n")
    assert "pydantic" not in _modules("leads", "--db", str(db), env=env)
    # ... and a value that does not pass is still refused, in the model's words
    bad = subprocess.run(
        [sys.executable, "-m", "hunter_cli", "leads", "--db", str(db)],
        env=dict(env, HUNTER_DB_WAIT="-1", PYTHONSAFEPATH="1", NO_COLOR="1"),
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "HUNTER_DB_WAIT=-1: a wait cannot be negative" in bad.stderr, bad.stderr


def test_settings_checked_without_the_model_are_the_models_values():
    """config._plain (no pydantic) gives exactly the settings model's values, or leaves the decision
    to the model: every value the model refuses, and every kind it is not sure of, goes to the model."""
    import random
    from pathlib import PurePath

    from pydantic import ValidationError

    from hunter_cli import config

    texts = "|| |x|~/h.db|./rules.toml|a\udcff|1.1.1.1|127.0.0.1:5353|1.1.1.1, 8.8.8.8|::1|[::1]:53|dns.example|tr|TR"
    texts += "|en|xx|Debug| INFO |verbose|auto|Keyring|files|selector1,google|a b|5|2.5"
    numbers = [0, 1, 4, 16, 17, 443, 65535, 65536, -1, 2.5, 0.0, -0.5, float("nan"), float("inf"), True, False]
    others = [None, [], ["1.1.1.1"], ["1.1.1.1", 5], ["s1", "s2"], {}, PurePath("x"), Path("~/x")]
    pool: list[object] = [*texts.split("|"), *numbers, *others]
    names = [*config.NAMES, "not_a_setting"]
    rng = random.Random(15)
    cases = [{name: value} for name in names for value in pool]
    cases += [{rng.choice(names): rng.choice(pool) for _ in range(rng.randint(2, 6))} for _ in range(400)]
    plain_used = 0
    for data in cases:
        try:
            checked = config.model().model_validate(data)
        except (ValidationError, ValueError, TypeError):  # what the model refuses, the fast path leaves to it
            assert config._plain(data) is None, data
            continue
        expected = {name: getattr(checked, name) for name in config.SETTINGS}
        for name, s in config.SETTINGS.items():
            if s.secret and expected[name] is not None:
                expected[name] = expected[name].get_secret_value()
        plain = config._plain(data)
        if plain is not None:
            plain_used += 1
            assert plain == expected and {k: type(v) for k, v in plain.items()} == {
                k: type(v) for k, v in expected.items()
            }, data
        assert config.validated(data) == expected, data
    assert plain_used > 200  # the fast path is the usual one
    # what the benchmarks and a rep's environment set: plain
    assert config._plain({"ms_login_url": "http://127.0.0.1:1", "whois_host": "127.0.0.1:9", "db_wait": 5.0})


# -- the command tree, built as the command line needs it (hunter_cli/cli/lazygroup.py) -----------------
def _help_both_ways(argv: list[str], columns: int) -> tuple[str, str]:
    """(what `hunter ARGV` prints through hunter_cli.cli.main, whose subcommands are built lazily;
    what Typer's eager build of the same app prints, ``app()``), each a process at ``columns``."""
    env = dict(os.environ, PYTHONSAFEPATH="1", NO_COLOR="1", COLUMNS=str(columns))
    eager_code = "import sys; from hunter_cli.cli import app; sys.argv[0] = 'hunter'; app(prog_name='hunter')"
    out = []
    for cmd in ([sys.executable, "-m", "hunter_cli"], [sys.executable, "-c", eager_code]):
        proc = subprocess.run([*cmd, *argv], env=env, capture_output=True, text=True)
        out.append((proc.returncode, proc.stdout, proc.stderr))
    assert out[0][0] == out[1][0] and out[0][2] == out[1][2], (argv, out)
    return out[0][1], out[1][1]


def test_the_lazy_command_tree_prints_the_same_help_as_typers_own():
    for argv, columns in (
        (["--help"], 80),
        (["--help"], 200),
        (["-h"], 45),
        (["leads", "--help"], 80),
        (["leads", "show", "--help"], 100),
        (["crm", "--help"], 80),
        (["rules", "matrix", "--help"], 80),
        (["prep", "--help"], 120),
    ):
        lazy, eager = _help_both_ways(argv, columns)
        assert lazy == eager and "Usage: hunter" in lazy, argv


def test_the_root_help_builds_no_subcommand_and_a_command_builds_only_its_own(monkeypatch):
    import typer.testing
    from typer.testing import CliRunner

    from hunter_cli.cli import app
    from hunter_cli.cli.lazygroup import LazyCommands, click_command

    group = click_command(app)
    commands = group.commands
    assert isinstance(commands, LazyCommands)
    import typer.main

    assert list(commands) == list(typer.main.get_command(app).commands)  # the names, in Typer's order
    monkeypatch.setattr(typer.testing, "_get_command", lambda _app: group)  # the runner runs the lazy group
    result = CliRunner().invoke(group, ["--help"])
    assert result.exit_code == 0 and "sales-summary" in result.stdout and "referrals" in result.stdout
    assert commands._built == {}  # listed from stand-ins: nothing built
    result = CliRunner().invoke(group, ["leads", "show", "--help"], prog_name="hunter")
    assert result.exit_code == 0 and "Usage: hunter leads show" in result.stdout
    assert set(commands._built) == {"leads"}
    assert set(commands._built["leads"].commands._built) == {"show"}  # a sub-group is lazy too
    # a mistyped command is still told the closest name (from the names alone)
    result = CliRunner().invoke(group, ["sales-sumary", "x"])
    assert result.exit_code == 2 and "sales-summary" in result.output and set(commands._built) == {"leads"}


# -- prep: one HTTP library, no sqlite-utils for a new file, no httpx command line --------------------
def test_prep_of_a_new_database_imports_one_http_library_and_no_sqlite_utils(hunter, dns, ms, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    env.update(hunter.env, XDG_CONFIG_HOME=str(tmp_path / "config"))
    db = tmp_path / "new.db"
    argv = ("prep", "firma.com.tr", "--db", str(db), "--nameserver", dns.nameserver, "-f", "markdown")
    modules = _modules(*argv, env=env)
    loaded = {m.split(".")[0] for m in modules}
    assert "httpx" in loaded and "pycares" in loaded  # the registration lane and DNS ran
    assert not loaded & {"aiohttp", "sqlite_utils", "click", "pygments"}, sorted(
        loaded & {"aiohttp", "sqlite_utils", "click", "pygments"}
    )
    # nor what a quiet rescan never draws (a scan's tables); the WHOIS parser's patterns wait for an answer
    assert "rich.table" not in modules and "hunter_cli.render.scan_tables" not in modules
    assert ms.count("openid", "firma.com.tr") == 1 and ms.count("realm", "firma.com.tr") == 1  # through httpx
    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("SELECT tenant, tenant_id FROM domains").fetchone() == (
        "Managed",
        "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10",
    )
    from hunter_cli.store.schema import latest_version

    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, latest_version() + 1))


def test_a_bulk_scan_keeps_aiohttp_for_the_tenant_lane(hunter, dns, ms, tmp_path):
    env = dict(os.environ, **hunter.env, XDG_CONFIG_HOME=str(tmp_path / "config"))
    argv = ("scan", "firma.com.tr", "--db", str(tmp_path / "h.db"), "--nameserver", dns.nameserver, "--no-whois", "-q")
    loaded = {m.split(".")[0] for m in _modules(*argv, env=env)}
    assert "aiohttp" in loaded and "httpx" not in loaded
    assert ms.count("openid", "firma.com.tr") == 1


def _lookup_both_ways(ms, domain: str) -> list[tuple[str, object]]:
    """``domain``'s tenant lookup through aiohttp and through httpx (tenant.client.one_library):
    each as ("tenant", (id, namespace type, brand)) or ("no tenant", None) or ("failure", kind)."""
    import asyncio

    from hunter_cli.tenant.client import TenantClient, TenantFailure, one_library

    async def lookup() -> tuple[str, object]:
        client = TenantClient(ms.base_url, timeout=2.0)
        try:
            t = await client.lookup(domain)
            return ("no tenant", None) if t is None else ("tenant", (t.id, t.namespace_type, t.brand))
        except TenantFailure as exc:
            return ("failure", exc.kind)
        finally:
            await client.close()

    outcomes = [asyncio.run(lookup())]
    with one_library():
        outcomes.append(asyncio.run(lookup()))
    return outcomes


def test_the_tenant_client_answers_the_same_through_either_http_library(ms, retries):
    assert _lookup_both_ways(ms, "federe.com.tr") == [("tenant", (GUID_FEDERE, "Federated", "Federe Holding"))] * 2
    assert _lookup_both_ways(ms, "nomail.com") == [("no tenant", None)] * 2
    ms.faults[("gw-ms-token.com", "realm")] = ("503", None, 100)  # every try fails: the lookup fails
    assert _lookup_both_ways(ms, "gw-ms-token.com") == [("failure", "http-503")] * 2
    assert retries == [("the Microsoft sign-in service", 503, None)] * 6  # tried again (3 times each) before that
    retries.clear()
    ms.faults[("firma.com.tr", "openid")] = ("429", 1, 2)  # a 429 with Retry-After (each time), then the answer
    assert _lookup_both_ways(ms, "firma.com.tr") == [("tenant", (GUID, "Managed", "Firma A.Ş."))] * 2
    assert retries == [("the Microsoft sign-in service", 429, 1.0)] * 2  # waited as asked, either way
    ms.clear_faults()
    ms.faults["google-tenant.com.tr"] = "reset"  # the connection is dropped: unreachable, not "no tenant"
    assert _lookup_both_ways(ms, "google-tenant.com.tr") == [("failure", "unreachable")] * 2


GUID = "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10"
GUID_FEDERE = "99999999-8888-4777-8666-555555555555"


# -- a new database from fresh-schema.json is the database the migrations build ------------------------
def _dump(conn) -> tuple[list, dict]:
    master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    data = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        columns = "version, name" if table == "schema_migrations" else "*"  # applied_at is the time it ran
        data[table] = conn.execute(f"SELECT {columns} FROM [{table}] ORDER BY 1").fetchall()
    return master, data


def test_a_new_database_gets_exactly_the_schema_the_migrations_build(tmp_path):
    import sqlite3

    from hunter_cli.store import fresh, schema

    assert fresh.load() == (fresh.generate()["version"], fresh.generate()["statements"]), (
        "hunter_cli/store/fresh-schema.json is out of date: run python -m hunter_cli.store.fresh"
    )
    migrated = sqlite3.connect(tmp_path / "migrated.db", isolation_level=None)
    assert schema.migrate(migrated, fresh=False) == list(range(1, schema.latest_version() + 1))
    made = sqlite3.connect(tmp_path / "made.db", isolation_level=None)
    assert schema.migrate(made) == list(range(1, schema.latest_version() + 1))
    assert _dump(made) == _dump(migrated)
    assert schema.migrate(made) == [] and schema.migrate(migrated) == []  # both are at the last version
    # and the store's own opening of a new file takes that road, without sqlite-utils
    code = (
        "import sys; from hunter_cli.store.connection import connect; "
        f"c = connect({str(tmp_path / 'opened.db')!r}); c.close(); print('sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert _dump(sqlite3.connect(tmp_path / "opened.db"))[0] == _dump(migrated)[0]


def test_a_schema_file_for_an_older_migration_is_not_used(tmp_path, monkeypatch):
    """A fresh-schema.json left behind by a new migration is passed over: the migrations run."""
    import json
    import sqlite3

    from hunter_cli.store import fresh, schema

    stale = tmp_path / "fresh-schema.json"
    version, statements = fresh.load()
    stale.write_text(json.dumps({"version": version - 1, "statements": statements[:3]}))
    monkeypatch.setattr(fresh, "FILE", stale)
    conn = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    assert schema.migrate(conn) == list(range(1, schema.latest_version() + 1))
    migrated = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    schema.migrate(migrated, fresh=False)
    assert _dump(conn) == _dump(migrated)


# -- the reading commands build their models without validating stored data again (hunter_cli/trusted.py) --
def _same_model(a, b, where: str = "") -> None:
    """``a`` and ``b`` hold the same values, types and set fields, all the way down."""
    from pydantic import BaseModel

    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, where
        for name in type(a).model_fields:
            _same_model(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_model(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same_model(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert a == b, (where, a, b)


def test_stored_views_make_the_lead_validation_made(hunter, dns, tmp_path):
    """Every kind of domain the loopback zones hold, as stored (the packed view read back) and as
    an older release stored it (no verdicts of its own, nothing of the footprint)."""
    import sqlite3

    from test_lead_view_fast import _domains

    from hunter_cli.lead import Lead
    from hunter_cli.store import leads as core

    dns.faults[("_spf.yavas.spf-saglayici.net", "TXT")] = "servfail"  # a partial scan, with its errors
    path = tmp_path / "list.txt"
    path.write_text("\n".join(_domains()) + "\n")
    hunter.scan_json(str(path), "--no-whois")
    conn = sqlite3.connect(hunter.db, isolation_level=None)
    details = [core.detail(conn, d) for d in _domains()]
    assert len(details) > 40 and all(d and d["view"] for d in details)
    kinds = set()
    for d in details:
        view = d["view"]
        old = {k: v for k, v in view.items() if k not in ("state", "microsoft", "services")}
        for spf_dmarc in ("spf", "dmarc"):
            if isinstance(old.get(spf_dmarc), dict):
                old[spf_dmarc] = {k: v for k, v in old[spf_dmarc].items() if k != "result"}
        for v in (view, old):
            tags = d["tags"]["user"] + d["tags"]["auto"]
            fast = Lead.from_store(d["lead"], v, registration=d["registration"], tags=tags, validate=False)
            checked = Lead.from_store(d["lead"], v, registration=d["registration"], tags=tags)
            _same_model(fast, checked, d["lead"]["domain"])
            kinds.add((fast.provider, fast.mx_state, fast.spf_result, bool(fast.errors), bool(fast.services)))
    assert len(kinds) > 15  # many kinds of lead, not one kind many times
    never = {"domain": "never.example", "domain_unicode": "never.example", "tags": []}
    _same_model(Lead.from_store(never, None, validate=False), Lead.from_store(never, None), "never scanned")


def test_the_bundled_rules_read_without_validation_are_the_validated_rules(monkeypatch):
    import json
    from importlib import resources

    from hunter_cli import scoring

    data = json.loads(resources.files("hunter_cli.scoring").joinpath("rules.json").read_text("utf-8"))
    fast = scoring._check(data, "bundled rules", bundled=True)
    checked = scoring._check(data, "bundled rules")
    _same_model(fast.model, checked.model, "rules")
    assert fast.digest == checked.digest
    # a rules file someone wrote is still checked, with every fault named
    with __import__("pytest").raises(scoring.RulesError, match="unknown condition 'spff'"):
        scoring._check({**data, "signals": [{"code": "x", "points": 1, "when": {"spff": True}}]}, "mine.json")


def test_the_bundled_plays_read_without_validation_are_the_validated_plays():
    import json
    from importlib import resources

    from hunter_cli.footprint.schema import PlaysCatalog, plays_catalog

    data = json.loads(resources.files("hunter_cli.catalog").joinpath("plays.json").read_text("utf-8"))
    _same_model(plays_catalog(), PlaysCatalog.model_validate(data), "plays")


def test_the_bundled_catalogs_read_without_validation_are_the_validated_catalogs():
    """microsoft.json and services.json, as a process with the light models reads them (no validator runs,
    so none may rewrite a value: a host name in upper case or with its trailing dot would fail here)."""
    from hunter_cli.footprint.schema import MicrosoftCatalog, ServicesCatalog, _read
    from hunter_cli.trusted import construct

    for cls, name in ((MicrosoftCatalog, "microsoft.json"), (ServicesCatalog, "services.json")):
        _same_model(construct(cls, _read(name)), cls.model_validate(_read(name)), name)  # type: ignore[type-var]


def test_the_reading_commands_import_no_pydantic(tmp_path, hunter, dns):
    """`sales-summary` (rich, markdown) and `leads show` build their models from the stored view and the
    bundled rules and catalogs with the light model base (hunter_cli/lightmodel.py): pydantic is never
    imported. The JSON brief is written by pydantic's serializer, so `sales-summary -f json` keeps
    pydantic's models; so does a rules file of the user's, which is validated."""
    hunter.scan_json("firma.com.tr", "gmailer.de", "federe.com.tr", "--no-whois")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    db = str(hunter.db)
    for argv in (
        ("sales-summary", "firma.com.tr"),
        ("sales-summary", "gmailer.de", "--lang", "tr", "-f", "markdown"),
        ("sales-summary", "federe.com.tr", "--lang", "tr"),  # a federated tenant: the services catalog
        ("leads", "show", "firma.com.tr"),
        ("leads", "show", "federe.com.tr"),
        ("leads", "show", "gmailer.de", "--json"),
        ("sales-summary", "firma.com.tr", "--json"),
    ):
        ran = subprocess.run(
            [sys.executable, "-m", "hunter_cli", *argv, "--db", db],
            env=dict(env, PYTHONSAFEPATH="1"),
            capture_output=True,
            text=True,
        )
        domain = next(a for a in argv if "." in a)
        assert ran.returncode == 0 and domain in ran.stdout, ran.stderr
        loaded = _modules(*argv, "--db", db, env=env)
        dumped = argv[0] == "sales-summary" and "--json" in argv  # by pydantic's serializer
        models = "hunter_cli.lead.view" in loaded
        assert models == ("--json" not in argv or dumped), argv  # leads show's JSON needs no model
        assert ("hunter_cli.lightmodel" in loaded) == (models and not dumped), argv
        assert bool({m for m in loaded if m.split(".")[0] == "pydantic"}) == dumped, argv
        assert not loaded & {"sqlite_utils", "aiohttp", "httpx"}, argv
    # a rules file of the user's is checked by pydantic's models, its faults named
    rules = tmp_path / "mine.json"
    rules.write_text('{"signals": [{"code": "x", "points": "many"}]}')
    argv = ("sales-summary", "firma.com.tr", "--rules", str(rules), "--db", db)
    ran = subprocess.run(
        [sys.executable, "-m", "hunter_cli", *argv], env=dict(env, PYTHONSAFEPATH="1"), capture_output=True, text=True
    )
    assert ran.returncode == 1 and "mine.json" in ran.stderr and "points" in ran.stderr, ran.stderr
    assert "hunter_cli.lightmodel" not in _modules(*argv, env=env)
    # as is one named by the environment
    ran = subprocess.run(
        [sys.executable, "-m", "hunter_cli", "sales-summary", "firma.com.tr", "--db", db],
        env=dict(env, PYTHONSAFEPATH="1", HUNTER_RULES=str(rules)),
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 1 and "mine.json" in ran.stderr and "points" in ran.stderr, ran.stderr


# -- what each reading command leaves out, and the collector (cli/lazygroup.py) ---------------------------
def test_the_reading_commands_leave_out_what_they_do_not_draw(tmp_path, hunter, dns):
    """The lead list's page is laid out without Rich's table (render.leads.plain_lines) and its rules
    digest needs no OpenSSL; `leads show`'s panel titles need no emoji table."""
    hunter.scan_json("firma.com.tr", "gmailer.de", "--no-whois")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    db = str(hunter.db)
    page = _modules("leads", "--category", "P2", "-n", "50", "--db", db, env={**env, "COLUMNS": "120"})
    assert "hunter_cli.render.leads" in page  # the page was drawn
    assert not page & {"rich.table", "rich.panel", "hashlib", "_hashlib", "rich._emoji_codes"}, sorted(
        page & {"rich.table", "rich.panel", "hashlib", "_hashlib", "rich._emoji_codes"}
    )
    show = _modules("leads", "show", "firma.com.tr", "--db", db, env=env)
    assert "rich.panel" in show and "rich._emoji_codes" not in show


# __main__.py is compiled before it runs (on every run where no bytecode is written, as under
# PYTHONDONTWRITEBYTECODE), and the compiler's objects may trigger a collection before its first line
# turns the collector off: compile it first, then count, then run it as `python -m hunter_cli` would.
GC_PROBE = """
import atexit, gc, importlib.util, sys
spec = importlib.util.find_spec("hunter_cli.__main__")
code = spec.loader.get_code(spec.name)
seen = []
gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(info["generation"]))
atexit.register(lambda: print(f"collections={len(seen)} frozen={gc.get_freeze_count()}", file=sys.stderr))
sys.argv = ["hunter", *sys.argv[1:]]
exec(code, {"__name__": "__main__", "__package__": "hunter_cli", "__spec__": spec, "__file__": spec.origin})
"""


def test_short_commands_run_without_the_collector_and_the_others_with_it(tmp_path, hunter, dns):
    """`python -m hunter_cli` starts with the cyclic collector off; `sales-summary`, `leads show` and a
    page of `leads` keep it off and freeze before exit; a long list, CSV and every other command get
    it back before they run."""
    hunter.scan_json("firma.com.tr", "--no-whois")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONSAFEPATH="1", NO_COLOR="1")
    db = str(hunter.db)

    def probe(*argv: str) -> tuple[int, int]:
        out = subprocess.run(
            [sys.executable, "-c", GC_PROBE, *argv, "--db", db], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        collections, frozen = out.stderr.strip().splitlines()[-1].split()
        return int(collections.split("=")[1]), int(frozen.split("=")[1])

    for argv in (
        ("sales-summary", "firma.com.tr"),
        ("leads", "show", "firma.com.tr"),
        ("leads", "-n", "50"),
        ("prep", "firma.com.tr", "-f", "markdown"),  # scanned a moment ago: the stored brief
    ):
        collections, frozen = probe(*argv)
        assert collections == 0 and frozen > 10_000, argv
    for argv in (("leads", "-f", "csv"), ("leads", "--limit", "0"), ("changes",)):
        collections, frozen = probe(*argv)
        assert collections > 0 and frozen == 0, argv


def test_a_scan_has_the_collector_while_its_loop_runs_and_leaves_it_as_it_was():
    """`prep` starts without the collector (cli/lazygroup.py); its rescan's event loop runs with it
    (services/scan.run_async), and the command goes on as it started."""
    import gc

    from hunter_cli.services.scan import run_async

    async def enabled() -> bool:
        return gc.isenabled()

    was = gc.isenabled()
    try:
        gc.disable()
        assert run_async(enabled()) is True and not gc.isenabled()
        gc.enable()
        assert run_async(enabled()) is True and gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


# -- the light model base (hunter_cli/lightmodel.py): the same text as pydantic's models, without pydantic --
# A process that prints every stored view's `leads show` panels and `sales-summary` brief (rich in both
# languages, without and with colour, and markdown), the briefs' and leads' values all the way down
# (type, set fields, values), and the golden briefs' markdown from the inputs given on stdin. argv: the
# model base ("light": chosen first, as the two commands choose it; "pydantic": a model module imported
# first), the database, the domains. Prints one JSON object.
BOTH_WAYS = r"""
import contextlib, io, json, os, sys
from datetime import date

mode, db, *domains = sys.argv[1:]
if mode == "light":
    from hunter_cli.modelbase import trusted_reading

    assert trusted_reading()
else:
    import hunter_cli.lead  # noqa: F401  (the models are pydantic's from here on)

from hunter_cli import store
from hunter_cli.brief.compose import compose
from hunter_cli.lead import Lead
from hunter_cli.modelbase import BaseModel, chosen
from hunter_cli.render.brief import markdown
from hunter_cli.render.formats import Format, render
from hunter_cli.said import said_of
from hunter_cli.scoring import load_rules
from hunter_cli.services.brief import NoBrief, load_brief
from hunter_cli.store import leads as core


def shape(x):
    if isinstance(x, BaseModel):
        fields = [n for n in type(x).model_fields if n in x.__dict__]
        return [type(x).__name__, sorted(x.model_fields_set), {n: shape(getattr(x, n)) for n in fields}]
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, [shape(v) for v in x]]
    if isinstance(x, dict):
        return ["dict", [[repr(k), shape(v)] for k, v in x.items()]]
    return repr(x)


COLOURS = {"plain": {"NO_COLOR": "1"}, "colour": {"FORCE_COLOR": "1", "COLORTERM": "truecolor"}}


def printed(kind, fmt, value, colour):
    for k in ("NO_COLOR", "FORCE_COLOR", "COLORTERM"):
        os.environ.pop(k, None)
    os.environ.update(COLOURS[colour], COLUMNS="100")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        render(kind, fmt, value)
    return out.getvalue()


rules = load_rules()
conn = store.connect(db)
shown = {}
for domain in domains:
    d = core.detail(conn, domain)
    tags = d["tags"]["user"] + d["tags"]["auto"]
    lead = Lead.from_store(d["lead"], d["view"], registration=d["registration"], tags=tags, validate=False)
    shown[f"{domain} lead"] = shape(lead)
    for colour in COLOURS:
        shown[f"{domain} show {colour}"] = printed("lead", Format.table, d, colour)
    for lang in ("en", "tr"):
        try:
            brief = load_brief(conn, domain, lang, rules)
        except NoBrief as exc:
            shown[f"{domain} brief {lang}"] = str(said_of(exc))
            continue
        shown[f"{domain} brief {lang}"] = shape(brief)
        shown[f"{domain} markdown {lang}"] = printed("brief", Format.markdown, brief, "plain")
        for colour in COLOURS:
            shown[f"{domain} rich {lang} {colour}"] = printed("brief", Format.rich, brief, colour)
golden = {}
for key, data in json.load(sys.stdin).items():
    day = date.fromisoformat(data.pop("today"))
    lead = Lead.from_view(data.pop("view"), validate=False)
    golden[key] = markdown(compose(lead, today=day, **data))
pydantic = sorted(m for m in sys.modules if m.split(".")[0] == "pydantic")
print(json.dumps({"chosen": chosen(), "pydantic": pydantic, "shown": shown, "golden": golden}))
"""


def _zone_domains() -> list[str]:
    """Every domain the loopback zones hold: the owners of MX records in each zone file, and the
    cases of tests/test_lead_view_fast.py (domains without MX, that do not exist, ...)."""
    import re

    from test_lead_view_fast import _domains

    names = set(_domains())
    for zone in (Path(__file__).parent / "zones").glob("*.zone"):
        for line in zone.read_text().splitlines():
            m = re.match(r"^([a-z0-9.-]+)\.\s", line)
            if m and " MX " in line:
                names.add(m.group(1))
    return sorted(names)


def _both_ways(db: Path, domains: list[str], golden: dict) -> tuple[dict, dict]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    procs = [  # side by side: one a core
        subprocess.Popen(
            [sys.executable, "-c", BOTH_WAYS, mode, str(db), *domains],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env, PYTHONSAFEPATH="1"),
            text=True,
        )
        for mode in ("light", "pydantic")
    ]
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(json.dumps(golden))
        assert proc.returncode == 0, stderr
        out.append(json.loads(stdout))
    return out[0], out[1]


def test_the_light_models_print_what_pydantic_models_print(hunter, dns, tmp_path):
    """Every stored view of the loopback zones, through the light models and through pydantic's: the same
    leads and briefs (types, set fields, values, all the way down) and the same text, byte for byte
    (`leads show`; `sales-summary` rich in English and Turkish, without and with colour, and markdown)."""
    dns.faults[("_spf.yavas.spf-saglayici.net", "TXT")] = "servfail"  # a partial scan, with its errors
    dns.faults[("gmailer.de", "MX")] = "servfail"  # a domain whose only scan failed: no brief, said why
    domains = _zone_domains()
    path = tmp_path / "list.txt"
    path.write_text("\n".join(domains) + "\n")
    hunter.scan_json(str(path), "--no-whois")
    hunter("tag", "firma.com.tr", "arandı")  # what the store keeps beside the view
    hunter("note", "firma.com.tr", "Bilgi işlem müdürü: Ayşe Hanım")
    light, checked = _both_ways(hunter.db, domains, {})
    assert light["chosen"] == "light" and light["pydantic"] == []
    assert checked["chosen"] == "pydantic" and "pydantic.main" in checked["pydantic"]
    assert light["shown"].keys() == checked["shown"].keys()
    for key, text in checked["shown"].items():
        assert light["shown"][key] == text, key
    shown = checked["shown"]
    assert len(domains) > 250 and len(shown) > 8 * 250
    assert "\x1b[" in shown["firma.com.tr rich tr colour"] and "\x1b[" not in shown["firma.com.tr rich tr plain"]
    assert "\x1b[" in shown["firma.com.tr show colour"] and "Ayşe" in shown["firma.com.tr show plain"]
    assert "MX" in shown["gmailer.de brief en"] and "gmailer.de markdown en" not in shown  # no brief, said why
    assert "Görüşme öncesi özet" in shown["firma.com.tr markdown tr"]


def test_the_light_models_read_an_older_release_database_as_pydantic_models_do(tmp_path):
    """A 0.1.0 database, upgraded by `leads show` (a process with the light models: the migrations run
    there) into the same file pydantic's models make of it, then shown both ways, byte for byte."""
    import sqlite3

    from hunter_cli.store import connect

    release = Path(__file__).parent / "data" / "release" / "hunter-0.1.0.db"
    light_db, checked_db = tmp_path / "light.db", tmp_path / "checked.db"
    shutil.copy(release, light_db)
    shutil.copy(release, checked_db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    argv = [sys.executable, "-m", "hunter_cli", "leads", "show", "firma.com.tr", "--db", str(light_db)]
    ran = subprocess.run(argv, env=dict(env, PYTHONSAFEPATH="1", NO_COLOR="1"), capture_output=True, text=True)
    assert ran.returncode == 0 and "upgraded the database" in ran.stderr, ran.stderr
    connect(checked_db).close()  # upgraded here, with pydantic's models
    assert _dump(sqlite3.connect(light_db)) == _dump(sqlite3.connect(checked_db))
    domains = [r[0] for r in sqlite3.connect(light_db).execute("SELECT domain FROM domains ORDER BY 1")]
    light, checked = _both_ways(light_db, domains, {})
    assert light["pydantic"] == [] and len(domains) > 30
    assert light["shown"] == checked["shown"]


def test_the_light_models_write_the_golden_briefs(golden_scan):
    """tests/golden/, both languages, composed with the light models (as `sales-summary` composes them)."""
    db, conn = golden_scan
    inputs = {}
    for domain in test_brief.GOLDEN_DOMAINS:
        data = test_brief._inputs(conn, domain)
        for lang in ("en", "tr"):
            inputs[f"{domain}.{lang}"] = {
                "view": data["view"],
                "lang": lang,
                "history": data["history"],
                "registration": data["registration"],
                "company": data["company"],
                "today": test_brief.TODAY.isoformat(),
            }
    light, checked = _both_ways(db, [], inputs)
    assert light["pydantic"] == [] and len(light["golden"]) == 2 * len(test_brief.GOLDEN_DOMAINS)
    for key, text in light["golden"].items():
        assert text == (test_brief.GOLDEN / f"{key}.md").read_text(encoding="utf-8"), key
    assert light["golden"] == checked["golden"]


def test_a_process_with_the_light_models_refuses_to_validate():
    """Whatever asks a light model to validate (or to do what only pydantic does) gets a clear error."""
    code = """
import sys
from hunter_cli.modelbase import trusted_reading
assert trusted_reading()
from hunter_cli.lead import Lead
from hunter_cli.lightmodel import ValidationRefused
from hunter_cli.models import DomainResult
from hunter_cli.scoring import RulesFile
view = Lead.model_construct(domain="acme.com")
calls = [
    lambda: Lead(domain="acme.com"),
    lambda: Lead.from_view({"domain": "acme.com"}),
    lambda: DomainResult.model_validate({"domain": "acme.com"}),
    lambda: DomainResult.model_validate_json("{}"),
    lambda: RulesFile.model_validate({}),
    lambda: view.model_dump_json(),
    lambda: view.model_dump(mode="json"),
    lambda: view.model_copy(),
]
for call in calls:
    try:
        call()
    except ValidationRefused as exc:
        assert "validates nothing" in str(exc)
    else:
        sys.exit("not refused")
assert "pydantic" not in sys.modules
print("refused")
"""
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.stdout.strip() == "refused", ran.stderr
    # and a process that imported a model module first keeps pydantic's, validating
    code = "from hunter_cli import models; from hunter_cli.modelbase import trusted_reading; print(trusted_reading())"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.stdout.strip() == "False", ran.stderr
