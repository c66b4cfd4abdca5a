"""Shared fixtures: a real DNS server on loopback and a runner for the `hunter` CLI.

The scan under test talks to the server over UDP/TCP exactly as it talks to a
production resolver; nothing in Hunter's own core is mocked.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from pathlib import Path

import pytest
import stamina
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

# A suite started in the background (`pytest &`, nohup) inherits SIGINT ignored, and so would every `hunter`
# it starts (an ignored signal stays ignored across exec): the Ctrl-C tests need it delivered, as in a
# terminal. A handler of Python's own is reset to the default in each child.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from dnsserver import DNSTestServer, load_zone_dir  # noqa: E402
from msserver import MsLoginServer, Tenant  # noqa: E402
from regserver import RdapServer, WhoisServer, rdap_domain, trabis_whois  # noqa: E402
from stsserver import Policy, StsPolicyServer  # noqa: E402

from hunter_cli.cli import app  # noqa: E402

ZONES = Path(__file__).parent / "zones"

# No test sleeps for a retry: stamina's test mode makes every backoff and Retry-After wait 0 s
# while keeping each policy's own number of tries (cap=True: min(1000, the policy's attempts)).
# hunter_cli.retry.hold() (Dataverse's shared throttle) follows the same switch.
stamina.set_testing(True, attempts=1000, cap=True)
# The token cache never touches a developer's real keyring (hunter_cli/partner/token_cache.py).
os.environ["HUNTER_TOKEN_STORE"] = "file"
# No developer's own config file (~/.config/hunter/config.toml) changes what a test sees: an empty one.
os.environ["HUNTER_CONFIG"] = os.devnull


# MTA-STS policy files the loopback policy server gives the test zones' policy hosts (tests/zones/mta_sts.zone).
_ENFORCE_M365 = "version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\nmax_age: 604800\r\n"
STS_POLICIES = {
    "mta-sts.fp-exo-ornek.com.tr": Policy(_ENFORCE_M365),
    "mta-sts.fp-m365-aciklar.com.tr": Policy(_ENFORCE_M365),
    "mta-sts.fp-sts-hosted.com.tr": Policy(
        "version: STSv1\nmode: testing\nmx: mx.fp-sts-hosted.com.tr\nmax_age: 86400\n"
    ),
    "mta-sts.sts-enforce.com.tr": Policy("version: STSv1\nmode: enforce\nmx: *.sts-enforce.com.tr\nmax_age: 1209600\n"),
    "mta-sts.sts-eksik.com.tr": Policy("version: STSv1\nmode: enforce\nmx: mx1.sts-eksik.com.tr\nmax_age: 604800\n"),
    "mta-sts.sts-test.com.tr": Policy("version: STSv1\nmode: testing\nmx: mx.baska-firma.net\nmax_age: 604800\n"),
    "mta-sts.sts-404.com.tr": Policy("not here", status=404, content_type="text/html"),
    "mta-sts.sts-yonlen.com.tr": Policy(
        "", status=301, headers={"Location": "https://www.sts-yonlen.com.tr/.well-known/mta-sts.txt"}
    ),
    "mta-sts.sts-sertifika.com.tr": Policy(_ENFORCE_M365),
    "mta-sts.sts-bozuk.com.tr": Policy("version: STSv1\nmode: Enforce\nmx: mx.sts-bozuk.com.tr\nmax_age: 604800\n"),
    "mta-sts.sts-html.com.tr": Policy(
        "version: STSv1\nmode: enforce\nmx: mx.sts-html.com.tr\nmax_age: 604800\n", content_type="text/html"
    ),
    "mta-sts.sts-none.com.tr": Policy("version: STSv1\nmode: none\nmax_age: 86400\n"),
}


@pytest.fixture(autouse=True)
def _settings_read_again():
    """After each test, the settings are read again at their next use: a command run with a bad setting in its
    environment (``HUNTER_RULES`` naming an unreadable file) would otherwise leave them loaded for a test that
    uses Hunter as a library (services.run_scan reads them through config.get)."""
    yield
    from hunter_cli import config

    config._loaded = None


@pytest.fixture(scope="session", autouse=True)
def _session_sts(tmp_path_factory):
    """The MTA-STS policy server for every test: its port and root reach Hunter through the environment
    (``HUNTER_MTA_STS_PORT``; ``SSL_CERT_FILE`` with the root added, the system store as IT would extend it)."""
    import certifi

    from hunter_cli import http as hunter_http

    folder = tmp_path_factory.mktemp("mta-sts")
    names = [h for h in STS_POLICIES if h != "mta-sts.sts-sertifika.com.tr"]  # that one gets a certificate without it
    with StsPolicyServer(folder, STS_POLICIES, names) as srv:
        bundle = folder / "store.pem"
        bundle.write_bytes(Path(certifi.where()).read_bytes() + srv.root.read_bytes())
        saved = {k: os.environ.get(k) for k in ("HUNTER_MTA_STS_PORT", "SSL_CERT_FILE")}
        os.environ["HUNTER_MTA_STS_PORT"] = str(srv.port)
        os.environ["SSL_CERT_FILE"] = str(bundle)
        hunter_http.tls_context.cache_clear()
        yield srv
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        hunter_http.tls_context.cache_clear()


@pytest.fixture
def retries():
    """Every retry Hunter schedules, as (service, HTTP status or exception name, Retry-After or None)."""
    from hunter_cli.retry import RetryableAnswer

    seen: list[tuple[str, object, float | None]] = []

    def record(details) -> None:
        exc = details.caused_by
        if isinstance(exc, RetryableAnswer):
            seen.append((exc.service, exc.status, exc.retry_after))
        else:
            seen.append(("", exc.__class__.__name__, None))

    stamina.instrumentation.set_on_retry_hooks([record])
    yield seen
    stamina.instrumentation.set_on_retry_hooks(None)


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


# Tenants the sign-in stand-in knows; every other domain has none (HTTP 400 invalid_tenant).
TENANTS = {
    "firma.com.tr": Tenant(id="3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10", brand="Firma A.Ş.", region="EU"),
    "gw-ms-token.com": Tenant(id="0b1c2d3e-4f50-4617-8899-aabbccddeeff", brand="Token Ltd", region="EU"),
    "google-tenant.com.tr": Tenant(id="11111111-2222-4333-8444-555555555555", brand="Google Tenant", region="EU"),
    "federe.com.tr": Tenant(
        id="99999999-8888-4777-8666-555555555555",
        brand="Federe Holding",
        namespace="Federated",
        auth_host="sts.federe.com.tr",
    ),
}


@pytest.fixture(scope="session")
def _session_ms():
    with MsLoginServer(dict(TENANTS)) as srv:
        yield srv


@pytest.fixture
def ms(_session_ms):
    """The sign-in stand-in, with tenants, faults and the request log reset for each test."""
    _session_ms.tenants.clear()
    _session_ms.tenants.update(TENANTS)
    _session_ms.clear_faults()
    _session_ms.reset_log()
    yield _session_ms
    _session_ms.clear_faults()


# Registration data the RDAP and WHOIS stand-ins serve; unknown names get "not found".
RDAP = {
    "nomail.com": dict(registrar="GoDaddy.com, LLC", created="2004-03-01", expires="2027-03-01"),
    "gw-ms-token.com": dict(registrar="MarkMonitor Inc.", created="1999-05-04", expires="2020-05-04"),  # expired
}
WHOIS = {
    "firma.com.tr": dict(created="2001-09-11", expires="2027-09-10"),
    "google-tenant.com.tr": dict(created="2010-01-05", expires="2026-12-05"),
}


@pytest.fixture(scope="session")
def _session_reg():
    rdap = RdapServer({d: rdap_domain(d, **kw) for d, kw in RDAP.items()})
    whois = WhoisServer({d: trabis_whois(d, **kw) for d, kw in WHOIS.items()})
    with rdap, whois:
        yield rdap, whois


@pytest.fixture
def registries(_session_reg):
    """(RDAP server, WHOIS server) stand-ins, logs and faults reset for each test."""
    for srv in _session_reg:
        srv.clear_faults()
        srv.reset_log()
    return _session_reg


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "hunter.db"


class Hunter:
    """Runs `hunter` in-process through Typer's runner against the test DNS server."""

    def __init__(self, server: DNSTestServer, db: Path, ms: MsLoginServer, registries):
        self.server = server
        self.db = db
        self.ms = ms
        self.rdap, self.whois = registries
        self.runner = CliRunner()

    @property
    def env(self) -> dict:
        return {
            "NO_COLOR": "1",
            "COLUMNS": "120",
            "HUNTER_MS_LOGIN_URL": self.ms.base_url,
            "HUNTER_RDAP_URL": self.rdap.base_url,
            "HUNTER_WHOIS_HOST": self.whois.host_port,
        }

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None, dns_args: bool = True):
        argv = list(args)
        if dns_args and argv and argv[0] == "scan":
            argv += ["--nameserver", self.server.nameserver, "--timeout", "0.3", "--retries", "1"]
        if "--db" not in argv and argv and argv[0] not in ("rules", "data", "auth"):
            argv += ["--db", str(self.db)]
        full_env = self.env
        full_env.update(env or {})
        return self.runner.invoke(app, argv, input=input, env=full_env, catch_exceptions=False)

    def scan_json(self, *args: str, code: int = 0, **kw) -> dict[str, dict]:
        """Scan with --json and return the results keyed by domain (every stdout line must be JSON); the scan
        must exit with ``code`` (7 when every domain failed, docs/cli.md)."""
        result = self("scan", *args, "--json", **kw)
        assert result.exit_code == code, result.stderr
        out = {}
        for line in result.stdout.splitlines():
            obj = json.loads(line)
            out[obj["domain"]] = obj
        return out


def scanned_once(tmp_path_factory, dns, ms, reg, name: str, domains, with_tenant, id_prefix: str) -> Hunter:
    """A :class:`Hunter` on a database of its own (for a module-scoped fixture) holding ``domains`` scanned
    once, with the sign-in stand-in knowing a tenant for each of ``with_tenant`` during that scan only (ids
    ``<id_prefix><n>-2222-4333-8444-555555555555``, ``id_prefix`` four hex digits)."""
    h = Hunter(dns, tmp_path_factory.mktemp(name) / "hunter.db", ms, reg)
    dns.clear_faults()
    ms.tenants.clear()
    ms.tenants.update(TENANTS)
    for i, d in enumerate(with_tenant):
        ms.tenants[d] = Tenant(id=f"{id_prefix}{i:04d}-2222-4333-8444-555555555555", brand=d, region="EU")
    try:
        out = h("scan", *domains, "--no-whois", "-q")
        assert out.exit_code == 0, out.stderr
    finally:
        ms.tenants.clear()
        ms.tenants.update(TENANTS)
    return h


PARTNER_TOKEN = "fixed-automation-token"  # the token the Partner Center stand-in takes (HUNTER_PARTNER_TOKEN)
CRM_TOKEN = "crm-fixed-token-5f1c2a9e7b"  # the token the Dataverse stand-in takes (HUNTER_CRM_TOKEN)


@pytest.fixture
def pc():
    """The Partner Center stand-in (tests/pcserver.py) with the bundled referrals, four to a page."""
    from pcserver import PartnerCenterServer, load_referrals

    with PartnerCenterServer(load_referrals(), page_size=4) as srv:
        srv.valid_tokens.add(PARTNER_TOKEN)
        yield srv


@pytest.fixture
def dv():
    """The Dataverse Web API stand-in (tests/dvserver.py)."""
    from dvserver import DataverseServer

    with DataverseServer() as srv:
        srv.valid_tokens.add(CRM_TOKEN)
        yield srv


@pytest.fixture
def hunter(dns, db, ms, registries) -> Hunter:
    return Hunter(dns, db, ms, registries)


@pytest.fixture
def hunter_cmd(hunter, db):
    """argv prefix to run hunter as a real subprocess (for signals and concurrency tests).

    ``-m`` would put the working directory first on ``sys.path``; PYTHONSAFEPATH keeps
    it off, so the subprocess imports the installed package (the wheel under CI), never
    the source tree the tests happen to run from.
    """
    base = [sys.executable, "-m", "hunter_cli"]
    env = dict(os.environ, HUNTER_DB=str(db), PYTHONSAFEPATH="1", **hunter.env)
    return base, env


@contextlib.contextmanager
def read_only_folder(folder: Path, mount_point: Path, files: tuple[Path, ...] = ()):
    """``folder`` seen read-only: a read-only bind mount at ``mount_point`` as root (root writes
    through permissions), else the folder itself chmodded 0555 and ``files`` 0444. Yields the folder
    to use; skips the test when root cannot bind-mount here."""
    import os
    import subprocess

    if os.geteuid() == 0:
        mount_point.mkdir(exist_ok=True)
        r = subprocess.run(["mount", "--bind", str(folder), str(mount_point)], capture_output=True)
        if r.returncode != 0:
            pytest.skip(f"cannot bind-mount here: {r.stderr.decode().strip()}")
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount_point)], check=True)
        try:
            yield mount_point
        finally:
            subprocess.run(["umount", "-l", str(mount_point)], check=False)
    else:
        for p in files:
            p.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
            for p in files:
                p.chmod(0o644)
