"""Partner Center referrals end to end: MSAL offline, a local Referrals API, the store and the CLI."""

import json
import os
import sqlite3
import stat
from pathlib import Path

import httpx
import pytest
from conftest import PARTNER_TOKEN
from fake_authority import FakeAuthority
from pcserver import EXPECTED_DOMAINS, PartnerCenterServer, load_referrals

from hunter_cli.partner import auth as auth_mod
from hunter_cli.partner.referrals import MalformedReferral, parse

TOKEN = PARTNER_TOKEN


def q(db, sql, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_domains_kinds_and_malformed_items_from_realistic_payloads():
    for item in load_referrals():
        rid = item.get("id") if isinstance(item, dict) else None
        if rid not in EXPECTED_DOMAINS:
            with pytest.raises(MalformedReferral):
                parse(item)
            continue
        r = parse(item)
        assert r.domain == EXPECTED_DOMAINS[rid], rid
    kinds = {parse(i).kind for i in load_referrals(valid_only=True)}
    assert kinds == {"cosell", "marketplace", "partner"}


@pytest.fixture
def partner_env(hunter, pc, tmp_path):
    return {
        **hunter.env,
        "HUNTER_PARTNER_API_URL": pc.base_url,
        "HUNTER_PARTNER_TOKEN": TOKEN,
        "HUNTER_TOKEN_CACHE": str(tmp_path / "cache.json"),
        "HUNTER_NAMESERVERS": hunter.server.nameserver,
    }


def test_sync_stores_links_scans_and_is_incremental(hunter, pc, partner_env, db, dns):
    result = hunter("referrals", "sync", env=partner_env, dns_args=False)
    assert result.exit_code == 0, result.stderr
    assert "14 fetched, 12 new, 12 stored, 1 without a domain" in result.stderr
    assert result.stderr.count("skipped malformed referral") == 2
    assert q(db, "SELECT count(*) FROM referrals")[0][0] == 12
    assert q(db, "SELECT count(*) FROM referrals WHERE domain IS NULL")[0][0] == 1
    # every page was fetched, each call with its own client-request-id
    calls = [r for r in pc.requests if r["path"].endswith("/referrals")]
    assert len(calls) == 4
    ids = [r["headers"]["client-request-id"] for r in calls]
    assert len(set(ids)) == len(ids)
    # new leads were added with the customer's name and scanned
    assert q(db, "SELECT company FROM domains WHERE domain = 'firma.com.tr'")[0][0]
    assert q(db, "SELECT count(*) FROM scans WHERE domain = 'yeni-firma.com.tr'")[0][0] == 1
    # the next sync asks only for what changed since the newest updatedDateTime
    pc.reset()
    again = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
    assert again.exit_code == 0
    sent = pc.requests[0]["query"].get("$filter", "")
    watermark = q(db, "SELECT value FROM sync_state")[0][0]
    assert sent.startswith("updatedDateTime gt ") and watermark in sent
    assert "0 fetched" in again.stderr
    full = hunter("referrals", "sync", "--full", "--no-scan", env=partner_env, dns_args=False)
    assert "14 fetched, 0 new" in full.stderr
    assert q(db, "SELECT count(*) FROM referrals")[0][0] == 12  # idempotent by id


def test_retry_after_and_failures_leave_the_watermark_alone(hunter, pc, partner_env, db):
    pc.faults.append({"status": 429, "retry_after": 1, "times": 1})
    pc.faults.append({"status": 503, "retry_after": 1, "times": 1})
    ok = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
    assert ok.exit_code == 0, ok.stderr
    mark = q(db, "SELECT value FROM sync_state")
    pc.reset()
    pc.faults.append({"status": 500, "times": 1})
    failed = hunter("referrals", "sync", "--full", "--no-scan", env=partner_env, dns_args=False)
    assert failed.exit_code == 1 and "referral sync failed" in failed.stderr and "HTTP 500" in failed.stderr
    assert q(db, "SELECT value FROM sync_state") == mark
    assert q(db, "SELECT outcome FROM runs WHERE command = 'referrals sync' ORDER BY id") == [("ok",), ("failed",)]


def test_retries_are_bounded_and_a_client_error_or_a_long_retry_after_is_final(hunter, pc, partner_env, retries):
    pc.faults.append({"status": 503, "times": "always"})
    busy = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
    assert busy.exit_code == 1 and "kept answering HTTP 503 (6 tries)" in " ".join(busy.stderr.split())
    assert pc.count(status=503) == 6 and retries == [("Partner Center", 503, None)] * 5
    for fault, said in (
        ({"status": 400, "times": 1}, "HTTP 400"),
        ({"status": 404, "times": 1}, "HTTP 404"),
        ({"status": 429, "retry_after": 3600, "times": 1}, "asks to wait 3600 s"),
    ):
        pc.reset()
        retries.clear()
        pc.faults.append(fault)
        result = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
        assert result.exit_code == 1 and said in " ".join(result.stderr.split()), result.stderr
        assert pc.count() == 1 and retries == []


def test_a_fixed_token_that_is_refused_exits_3_and_names_the_variable(hunter, pc, partner_env, db):
    env = {**partner_env, "HUNTER_PARTNER_TOKEN": "not-valid-but-long"}
    result = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert result.exit_code == 3, result.stderr
    err = " ".join(result.stderr.split())
    assert "HTTP 401" in err and "HUNTER_PARTNER_TOKEN" in err and "refused" in err
    assert "unset HUNTER_PARTNER_TOKEN" in err  # signing in cannot help while it is set
    assert "not-valid-but-long" not in result.stderr + result.stdout
    assert pc.count(status=401) == 1  # a fixed token is not "refreshed": one try
    assert q(db, "SELECT outcome FROM runs WHERE command = 'referrals sync'") == [("failed",)]


def _no_client_id_env(partner_env, tmp_path):
    env = {k: v for k, v in partner_env.items() if k != "HUNTER_PARTNER_TOKEN"}
    env.update(HUNTER_PARTNER_TOKEN=None, HUNTER_CLIENT_ID=None, XDG_CONFIG_HOME=str(tmp_path / "no-config"))
    return env


def test_sync_with_nobody_signed_in_and_no_client_id_says_what_to_do_and_exits_3(hunter, pc, partner_env, tmp_path, db):
    result = hunter("referrals", "sync", env=_no_client_id_env(partner_env, tmp_path), dns_args=False)
    assert result.exit_code == 3, result.stderr
    err = " ".join(result.stderr.split())
    assert "hunter auth login" in err and "--client-id" in err and "HUNTER_CLIENT_ID" in err
    assert "Traceback" not in result.stderr
    assert pc.requests == []  # nothing was asked without a token
    assert q(db, "SELECT outcome FROM runs WHERE command = 'referrals sync'") == [("failed",)]


def test_sync_with_a_client_id_but_nobody_signed_in_exits_3_without_the_network(
    hunter, pc, partner_env, authority, tmp_path
):
    env = {**_no_client_id_env(partner_env, tmp_path), "HUNTER_CLIENT_ID": authority.client_id}
    result = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert result.exit_code == 3, result.stderr
    assert "not signed in to Partner Center; run: hunter auth login" in result.stderr
    assert authority.calls == [] and pc.requests == []


class _NoNetwork:
    """MSAL's http_client when the network is down: every request fails to connect."""

    def get(self, url, **kw):
        raise httpx.ConnectError("[Errno 101] Network is unreachable")

    post = get

    def close(self):
        pass


def test_auth_commands_without_network(hunter, pc, partner_env, authority, monkeypatch, tmp_path):
    env = {**_no_client_id_env(partner_env, tmp_path), "HUNTER_CLIENT_ID": authority.client_id}
    env["HUNTER_TENANT_ID"] = authority.tenant
    assert hunter("auth", "login", env=env, dns_args=False).exit_code == 0
    monkeypatch.setattr(auth_mod, "make_http_client", _NoNetwork)
    before = len(authority.calls)

    # status and logout read the token cache only
    status = hunter("auth", "status", env=env, dns_args=False)
    assert status.exit_code == 0 and "Signed in as rep@partner.com.tr" in status.stdout
    # login and a sync that must renew the token say the sign-in service is unreachable (exit 1, not 3)
    login = hunter("auth", "login", env=env, dns_args=False)
    assert login.exit_code == 1 and "cannot reach the Microsoft sign-in service" in login.stderr
    sync = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert sync.exit_code == 1 and "cannot reach the Microsoft sign-in service" in sync.stderr
    out = hunter("auth", "logout", env=env, dns_args=False)
    assert out.exit_code == 0 and "Signed out" in out.stdout
    after = hunter("auth", "status", env=env, dns_args=False)
    assert after.exit_code == 1 and "Not signed in" in after.stdout
    for r in (status, login, sync, out, after):
        assert "Traceback" not in r.stdout + r.stderr
    assert len(authority.calls) == before  # nothing reached the (fake) identity platform
    with open(env["HUNTER_TOKEN_CACHE"]) as fh:  # logout emptied the cache file itself
        cache = json.load(fh)
    assert not any(cache.get(kind) for kind in ("AccessToken", "RefreshToken", "IdToken", "Account"))


def test_status_without_a_client_id_tells_how_to_set_one(hunter, partner_env, tmp_path):
    result = hunter("auth", "status", env=_no_client_id_env(partner_env, tmp_path), dns_args=False)
    assert result.exit_code == 1
    assert "hunter auth login" in result.stdout and "HUNTER_CLIENT_ID" in result.stdout


def _db_bytes(db) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file())


SECRET_TOKENS = [
    "fixed-automation-token",
    # JWT-shaped, as Entra issues them
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyIn0.c2lnbmF0dXJlLWJ5dGVz",
    "0.AXoAbC-dEf_GhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjK",  # opaque, refresh-token-like
]


@pytest.mark.parametrize("echo", ["json", "text"])
@pytest.mark.parametrize("token", SECRET_TOKENS, ids=["plain", "jwt", "opaque"])
def test_an_error_body_that_echoes_the_request_never_leaks_the_token(hunter, pc, partner_env, db, echo, token):
    pc.valid_tokens.add(token)
    pc.faults.append({"status": 500 if echo == "json" else 502, "echo": echo, "times": "always"})
    env = {**partner_env, "HUNTER_PARTNER_TOKEN": token}
    result = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert result.exit_code == 1
    assert pc.requests[0]["headers"]["authorization"] == f"Bearer {token}"  # the server did see it
    err = " ".join(result.stderr.split())
    assert "referral sync failed" in err and "HTTP 50" in err and "<redacted>" in err
    assert token not in result.stdout + result.stderr
    assert token.encode() not in _db_bytes(db)
    stored = json.loads(q(db, "SELECT stats_json FROM runs WHERE command = 'referrals sync'")[0][0])["error"]
    assert "<redacted>" in stored and len(stored) < 600  # a redacted, bounded summary, not the body


def test_an_echo_of_an_msal_token_is_redacted_too(hunter, pc, partner_env, authority, db, tmp_path):
    env = {**_no_client_id_env(partner_env, tmp_path), "HUNTER_CLIENT_ID": authority.client_id}
    env["HUNTER_TENANT_ID"] = authority.tenant
    assert hunter("auth", "login", env=env, dns_args=False).exit_code == 0
    pc.faults.append({"status": 500, "echo": "text", "times": "always"})
    result = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert result.exit_code == 1 and "Authorization: <redacted>" in result.stderr
    for secret in authority.issued_access_tokens + authority.issued_refresh_tokens:
        assert f"Bearer {secret}" not in result.stderr + result.stdout
        assert f"Bearer {secret}".encode() not in _db_bytes(db)


def test_a_next_link_to_another_origin_is_not_followed(hunter, pc, partner_env, db):
    with PartnerCenterServer(load_referrals()) as other:
        other.valid_tokens.add(TOKEN)
        pc.next_link_base = other.base_url  # same host, another port: another origin
        result = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
        assert other.requests == []  # the token never went there
        other_url = other.base_url
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "not following" in err and other_url in err
    assert pc.count() == 1
    # nothing was stored and the watermark did not move: a refused page is a failed sync
    assert q(db, "SELECT count(*) FROM referrals") == [(0,)]
    assert q(db, "SELECT count(*) FROM sync_state") == [(0,)]


def test_the_token_is_sent_only_over_https_or_to_loopback(hunter, partner_env):
    env = {**partner_env, "HUNTER_PARTNER_API_URL": "http://partner-proxy.example"}
    result = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert result.exit_code == 1 and "not an https URL" in result.stderr


@pytest.fixture
def authority(monkeypatch, tmp_path):
    fake = FakeAuthority(client_id="11111111-0000-4000-8000-000000000001")
    monkeypatch.setattr(auth_mod, "make_http_client", fake.http_client)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    yield fake
    fake.close()


def test_device_login_then_silent_refresh_then_interaction_required(hunter, pc, partner_env, authority, db):
    env = {k: v for k, v in partner_env.items() if k != "HUNTER_PARTNER_TOKEN"}
    env.update(HUNTER_CLIENT_ID=authority.client_id, HUNTER_TENANT_ID=authority.tenant)

    class Issued(set):
        def __contains__(self, token):
            return token in authority.issued_access_tokens

    pc.valid_tokens = Issued()
    login = hunter("auth", "login", env=env, dns_args=False)
    assert login.exit_code == 0, login.stderr
    assert "microsoft.com/devicelogin" in login.stderr and "Signed in as rep@partner.com.tr" in login.stderr
    cache = env["HUNTER_TOKEN_CACHE"]
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    status = json.loads(hunter("auth", "status", "--json", env=env, dns_args=False).stdout)
    assert status["account"] == "rep@partner.com.tr"

    # silent sync from the persisted cache; a 401 makes it refresh once and go on
    pc.faults.append({"status": 401, "times": 1})
    synced = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert synced.exit_code == 0, synced.stderr
    assert "refresh_token" in authority.grants()

    # tokens never reach the output
    everything = login.stdout + login.stderr + synced.stdout + synced.stderr + json.dumps(status)
    for secret in authority.issued_access_tokens + authority.issued_refresh_tokens:
        assert secret not in everything

    # the refresh token stops working: cron gets exit code 3 and a one-line message
    authority.refresh_fails = True
    authority.access_token_lifetime = 0
    authority.revoke_refresh_tokens()
    with open(cache) as fh:
        data = json.load(fh)
    for entry in data.get("AccessToken", {}).values():
        entry["expires_on"] = "1"
    with open(cache, "w") as fh:
        json.dump(data, fh)
    stuck = hunter("referrals", "sync", "--no-scan", env=env, dns_args=False)
    assert stuck.exit_code == 3
    assert "hunter auth login" in stuck.stderr and len(stuck.stderr.strip().splitlines()) == 1
    out = hunter("auth", "logout", env=env, dns_args=False)
    assert out.exit_code == 0 and "Signed out" in out.stdout
    assert hunter("auth", "status", env=env, dns_args=False).exit_code == 1


def test_list_link_boost_and_brief(hunter, pc, partner_env, db):
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert q(db, "SELECT category FROM domains WHERE domain='firma.com.tr'") == [("P4",)]
    assert hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False).exit_code == 0
    # an active co-sell referral lifts the lead one category
    cat, cosell = q(db, "SELECT category, active_cosell FROM domains WHERE domain='firma.com.tr'")[0]
    assert (cat, cosell) == ("P3", 1)
    listed = json.loads(hunter("referrals", "list", "--unlinked", "--json", dns_args=False).stdout)
    assert len(listed) == 1
    unlinked_id = listed[0]["id"]
    cosell = json.loads(
        hunter("referrals", "list", "--type", "cosell", "--status", "active", "--json", dns_args=False).stdout
    )
    assert cosell and all(r["kind"] == "cosell" for r in cosell)
    linked = hunter("referrals", "link", unlinked_id, "gmailer.de", dns_args=False)
    assert linked.exit_code == 0
    hunter("referrals", "sync", "--full", "--no-scan", env=partner_env, dns_args=False)
    assert q(db, "SELECT domain, link FROM referrals WHERE id = ?", unlinked_id) == [("gmailer.de", "manual")]
    assert hunter("referrals", "link", "no-such-id", "gmailer.de", dns_args=False).exit_code == 1
    brief = hunter("sales-summary", "firma.com.tr", "-f", "markdown", dns_args=False).stdout
    assert "Microsoft co-sell referral" in brief and "Microsoft contact" in brief
    # Turkish: the kind names the referral whole ("Partner kaynaklı yönlendirme", never "... yönlendirmesi")
    tr = hunter("sales-summary", "firma.com.tr", "-f", "markdown", "--lang", "tr", dns_args=False).stdout
    assert "Microsoft ortak satış (co-sell) yönlendirmesi:" in tr
    assert "kaynaklı yönlendirmesi" not in tr
    csv_out = hunter("referrals", "list", "--format", "csv", dns_args=False).stdout
    assert csv_out.startswith("\ufeff") and "firma.com.tr" in csv_out


def test_leads_has_referral_filter_and_column(hunter, pc, partner_env):
    hunter.scan_json("firma.com.tr", "gmailer.de", "nomail.com", "--no-whois")
    hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
    with_ref = json.loads(hunter("leads", "--has-referral", "--format", "json", dns_args=False).stdout)
    assert {r["domain"] for r in with_ref} >= {"firma.com.tr", "gmailer.de"}
    assert "nomail.com" not in {r["domain"] for r in with_ref}
    firma = next(r for r in with_ref if r["domain"] == "firma.com.tr")
    assert firma["referrals"] >= 1 and firma["active_cosell"] is True
    without = json.loads(hunter("leads", "--no-referral", "--format", "json", dns_args=False).stdout)
    assert "nomail.com" in {r["domain"] for r in without}


def _signed_in_env(partner_env, authority, tmp_path):
    env = {**_no_client_id_env(partner_env, tmp_path), "HUNTER_CLIENT_ID": authority.client_id}
    env.update(HUNTER_TENANT_ID=authority.tenant, XDG_DATA_HOME=str(tmp_path / "data"))
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


def test_the_cache_lives_in_the_user_data_folder_and_an_old_one_moves_there_once(
    hunter, pc, partner_env, authority, tmp_path
):
    env = _signed_in_env(partner_env, authority, tmp_path)
    old = tmp_path / "cache" / "hunter" / "msal_token_cache.json"  # where 0.1.0 kept it
    new = tmp_path / "data" / "hunter" / "msal_token_cache.json"
    assert hunter("auth", "login", env={**env, "HUNTER_TOKEN_CACHE": str(old)}, dns_args=False).exit_code == 0
    tokens = old.read_text()
    env["HUNTER_TOKEN_CACHE"] = None  # the default place from here on
    calls = len(authority.calls)

    status = hunter("auth", "status", env=env, dns_args=False)  # offline, and the first use: moves the cache
    assert status.exit_code == 0 and "Signed in as rep@partner.com.tr" in status.stdout, status.stdout
    assert f"Token cache: {new}" in " ".join(status.stdout.split()) and "readable only by you" in status.stdout
    assert not old.exists() and new.read_text() == tokens
    assert stat.S_IMODE(new.stat().st_mode) == 0o600 and stat.S_IMODE(new.parent.stat().st_mode) == 0o700
    assert len(authority.calls) == calls  # moving needs no network

    # cron shares it: a sync from the new place renews nothing it does not need to
    pc.valid_tokens = {t for t in authority.issued_access_tokens}
    assert hunter("referrals", "sync", "--no-scan", env=env, dns_args=False).exit_code == 0
    # a stale copy at the old place is not moved over a newer cache
    old.write_text("{}")
    assert hunter("auth", "status", env=env, dns_args=False).exit_code == 0 and old.exists()
    logout = hunter("auth", "logout", env=env, dns_args=False)
    assert logout.exit_code == 0 and "Signed out" in logout.stdout
    assert not json.loads(new.read_text()).get("RefreshToken")


@pytest.mark.parametrize("damage", ["", "{not json", "[1, 2]", "\x00\xff"])
def test_a_damaged_cache_reads_as_nobody_signed_in_and_login_replaces_it(
    hunter, partner_env, authority, tmp_path, damage
):
    env = _signed_in_env(partner_env, authority, tmp_path)
    Path(env["HUNTER_TOKEN_CACHE"]).write_text(damage, encoding="latin-1")
    status = hunter("auth", "status", env=env, dns_args=False)
    assert status.exit_code == 1 and "Not signed in" in status.stdout and "Traceback" not in status.stderr
    assert hunter("auth", "logout", env=env, dns_args=False).exit_code == 0
    assert hunter("auth", "login", env=env, dns_args=False).exit_code == 0
    assert hunter("auth", "status", env=env, dns_args=False).exit_code == 0


def test_a_keyring_asked_for_where_there_is_none_says_how_to_do_without(hunter, partner_env, authority, tmp_path):
    env = {**_signed_in_env(partner_env, authority, tmp_path), "HUNTER_TOKEN_STORE": "keyring"}
    for args in (("auth", "status"), ("auth", "logout"), ("referrals", "sync", "--no-scan")):
        result = hunter(*args, env=env, dns_args=False)
        err = " ".join(result.stderr.split())
        assert result.exit_code in (1, 3) and "HUNTER_TOKEN_STORE=file" in err, (args, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
    bad = hunter("auth", "status", env={**env, "HUNTER_TOKEN_STORE": "vault"}, dns_args=False)
    # a bad setting, as every other: exit 2, the variable named, the valid values listed
    assert bad.exit_code == 2 and "environment variable HUNTER_TOKEN_STORE=vault" in bad.stderr
    assert "use one of: auto, keyring, file" in bad.stderr


def test_linux_without_a_keyring_keeps_a_private_file(tmp_path, monkeypatch):
    from hunter_cli.partner import token_cache

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")  # a bus that is not there
    for setting in ("auto", "file"):
        where = tmp_path / setting / "cache.json"
        store = token_cache.persistence(where, setting)
        assert store.is_encrypted is False and store.get_location() == str(where)
        store.save('{"AccessToken": {}}')
        assert stat.S_IMODE(where.stat().st_mode) == 0o600 and store.load() == '{"AccessToken": {}}'
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")  # cron: no session at all
    assert token_cache.persistence(tmp_path / "cron.json", "auto").is_encrypted is False


def test_a_lock_left_by_a_dead_process_does_not_block_cron(hunter, partner_env, authority, tmp_path):
    env = _signed_in_env(partner_env, authority, tmp_path)
    assert hunter("auth", "login", env=env, dns_args=False).exit_code == 0
    Path(env["HUNTER_TOKEN_CACHE"] + ".lockfile").write_text("12345 hunter")  # killed while writing
    out = hunter("auth", "logout", env=env, dns_args=False)
    assert out.exit_code == 0 and "Signed out" in out.stdout
    assert not Path(env["HUNTER_TOKEN_CACHE"] + ".lockfile").exists()


def test_ctrl_c_during_a_retry_after_wait_stops_at_once_and_says_nothing_was_stored(partner_env, pc, hunter_cmd, db):
    """Partner Center asks to wait 50 s; SIGINT in a real process ends the sync at once with exit 130 and
    one line: nothing of this sync was stored, run it again (trial 16: it stopped but printed nothing)."""
    import signal
    import subprocess
    import time

    pc.faults.append({"status": 429, "retry_after": 50, "times": "always"})
    base, env = hunter_cmd
    proc = subprocess.Popen(
        [*base, "referrals", "sync", "--no-scan"],
        env={**env, **partner_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        end = time.monotonic() + 20
        while not any(r.get("status") == 429 for r in list(pc.requests)):
            assert time.monotonic() < end
            time.sleep(0.02)
        time.sleep(0.2)  # in the wait now
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert time.monotonic() - started < 5 and proc.returncode == 130, err
    assert "interrupted: nothing of this sync was stored" in err and "hunter referrals sync" in err, err
    assert "Traceback" not in err and out == ""
    assert q(db, "SELECT count(*) FROM referrals") == [(0,)]
    assert q(db, "SELECT outcome FROM runs WHERE command = 'referrals sync'") == [("interrupted",)]


def test_a_sync_that_scans_also_scans_referral_leads_stored_earlier_without_a_scan(hunter, pc, partner_env, db, dns):
    """docs/partner.md: sync scans the companies the referrals name. Leads stored by `sync --no-scan` were
    never scanned by a later sync ("0 new leads", `Scanned never`, trial 16); --no-scan says how many wait."""
    first = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
    assert first.exit_code == 0, first.stderr
    named = q(db, "SELECT count(DISTINCT domain) FROM referrals WHERE domain IS NOT NULL")[0][0]
    assert named > 3 and q(db, "SELECT count(*) FROM scans") == [(0,)]
    assert f"Not scanned yet: {named} of the leads that referrals name" in first.stderr, first.stderr
    assert "`hunter referrals sync` (without --no-scan) scans them" in first.stderr
    again = hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False)
    assert f"Not scanned yet: {named} of the leads" in again.stderr  # still waiting, still said
    pc.reset()
    scanned = hunter("referrals", "sync", env=partner_env, dns_args=False)
    assert scanned.exit_code == 0, scanned.stderr
    assert "0 new leads" in scanned.stderr
    assert f"Scanning the leads that referrals name and that were stored earlier without a scan: {named}" in (
        scanned.stderr
    )
    assert q(db, "SELECT count(DISTINCT domain) FROM scans") == [(named,)]
    assert q(db, "SELECT count(*) FROM scans WHERE domain = 'yeni-firma.com.tr'") == [(1,)]
    quiet = hunter("referrals", "sync", env=partner_env, dns_args=False)  # nothing waits any more
    assert "stored earlier without a scan" not in quiet.stderr and "Not scanned yet" not in quiet.stderr
    assert q(db, "SELECT count(*) FROM scans WHERE domain = 'yeni-firma.com.tr'") == [(1,)]
