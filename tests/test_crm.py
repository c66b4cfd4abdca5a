"""Dynamics 365 bridge end to end: a local Dataverse Web API over real sockets, MSAL offline, the store, the CLI."""

import json
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import CRM_TOKEN
from fake_authority import FakeAuthority

from hunter_cli.crm import mapping as mapping_mod
from hunter_cli.crm.auth import CrmConfigError, normalise_url
from hunter_cli.crm.client import DataverseClient, key_path
from hunter_cli.crm.redact import MARK, redact
from hunter_cli.partner import auth as auth_mod

TOKEN = CRM_TOKEN
DOMAINS = ("firma.com.tr", "gmailer.de", "m365-zayif.com.tr", "google-tenant.com.tr", "natro-ornek.com.tr")
_TEMPLATE: dict[str, Path] = {}


def q(db, sql, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _copy_db(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


@pytest.fixture
def scanned(hunter, tmp_path_factory):
    """Five zone domains scanned once per run; each test gets a copy of that database."""
    if "db" not in _TEMPLATE:
        hunter.scan_json(*DOMAINS, "--no-whois")
        template = tmp_path_factory.mktemp("crm-template") / "hunter.db"
        _copy_db(hunter.db, template)
        _TEMPLATE["db"] = template
    else:
        _copy_db(_TEMPLATE["db"], hunter.db)
    return hunter


@pytest.fixture
def waits(retries):
    """Retry-After waits asked for (stamina's test mode: never slept); None for a backoff."""
    return retries


@pytest.fixture
def crm_env(dv, tmp_path):
    return {
        "HUNTER_CRM_URL": dv.url,
        "HUNTER_CRM_TOKEN": TOKEN,
        "HUNTER_TOKEN_CACHE": str(tmp_path / "cache.json"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


def push(hunter, env, *args):
    return hunter("crm", "push", *args, env=env)


def summary(result) -> dict:
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


# -- pure parts ------------------------------------------------------------------------
def test_default_mapping_uses_standard_lead_columns_only():
    m = mapping_mod.default()
    assert set(m.columns) == {"subject", "companyname", "websiteurl", "description"}
    assert m.alternate_key is None


def test_custom_mapping_shorthand_types_key_and_lengths():
    m = mapping_mod.parse(
        {
            "alternate_key": {"new_hunterdomain": "domain"},
            "columns": {
                "new_hunterdomain": "domain",
                "new_hunterscore": "score",
                "new_hasdkim": "dkim",
                "subject": {"template": "{category} {domain_unicode}", "max_length": 12},
                "new_tags": "tags",
            },
        }
    )
    ctx = {
        "domain": "xn--iek-qqa.com.tr",
        "domain_unicode": "şiş.com.tr",
        "score": 71,
        "dkim": False,
        "category": "P2",
        "tags": "vip, bursa",
    }
    body = m.payload(ctx)
    assert body["new_hunterscore"] == 71 and body["new_hasdkim"] is False  # typed, not text
    assert body["subject"] == "P2 şiş.com.…" and len(body["subject"]) == 12
    assert "new_hunterdomain" not in body  # the key column travels in the URL
    assert m.key(ctx) == {"new_hunterdomain": "xn--iek-qqa.com.tr"}


@pytest.mark.parametrize(
    "data, words",
    [
        ({"columns": {"subject": "no_such_field"}}, "unknown Hunter field"),
        ({"columns": {"subject": "{domain} {nope}"}}, "unknown Hunter field"),
        ({"columns": {"Subject": "domain"}}, "logical name"),
        ({"columns": {"leadid": "domain"}}, "leadid"),
        ({"columns": {}}, "empty"),
        ({"columns": {"subject": {"field": "domain", "template": "{domain}"}}}, "either"),
        ({"alternate_key": {"new_key": "nope"}, "columns": {"subject": "domain"}}, "unknown Hunter field"),
        ({"columns": {"subject": "domain"}, "extra": 1}, "extra: is not a key of the mapping file"),
        ({"columns": {"subject": {"field": "domain", "max_length": 0}}}, "must be a whole number, 1 or more"),
    ],
)
def test_bad_mappings_are_refused_with_the_reason(data, words):
    with pytest.raises(mapping_mod.MappingError) as exc:
        mapping_mod.parse(data, "m.json")
    assert words in str(exc.value) and str(exc.value).startswith("mapping file m.json: ")
    assert "Value error" not in str(exc.value) and "Input should" not in str(exc.value)


def test_alternate_key_literals_are_quoted_and_escaped():
    assert key_path("leads", {"new_hunterdomain": "acme.com.tr"}) == "leads(new_hunterdomain='acme.com.tr')"
    assert key_path("leads", {"new_name": "O'Brien & Söhne"}) == "leads(new_name='O''Brien%20%26%20S%C3%B6hne')"
    assert key_path("leads", {"new_a": "x", "new_n": 7}) == "leads(new_a='x',new_n=7)"


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl", "eyJ0eXAi"),
        ('{"access_token": "at-7-abcdef123456", "scope": "x"}', "at-7-abcdef123456"),
        ("echo: refresh_token=0.AXoA-secret-value&client_id=1", "0.AXoA-secret-value"),
        ("proxy saw bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
    ],
)
def test_redact_removes_token_shapes(text, secret):
    out = redact(text)
    assert secret not in out and MARK in out


def test_redact_removes_the_token_in_use_and_keeps_the_message():
    out = redact(
        "HTTP 400: bad value for subject (0x80044331) tok=" + "x" * 5 + " plain-secret-42", ("plain-secret-42",)
    )
    assert "plain-secret-42" not in out and "0x80044331" in out and "subject" in out
    assert len(redact("y" * 5000)) <= 300


@pytest.mark.parametrize(
    "text, ok",
    [
        ("https://contoso.crm4.dynamics.com/", "https://contoso.crm4.dynamics.com"),
        ("contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://contoso.crm4.dynamics.com", None),
        ("https://contoso.crm4.dynamics.com/main.aspx?appid=1", None),
        ("https://user:pw@contoso.crm4.dynamics.com", None),
    ],
)
def test_environment_url(text, ok):
    if ok is None:
        with pytest.raises(CrmConfigError):
            normalise_url(text)
    else:
        assert normalise_url(text) == ok


def test_next_links_only_to_the_same_origin():
    class T:
        can_refresh = False
        secrets = ()

    c = DataverseClient("https://contoso.crm4.dynamics.com", T())
    try:
        assert c.same_origin("https://contoso.crm4.dynamics.com/api/data/v9.2/leads?$skiptoken=x")
        assert not c.same_origin("http://contoso.crm4.dynamics.com/api/data/v9.2/leads")
        assert not c.same_origin("https://evil.example/api/data/v9.2/leads")
        assert not c.same_origin("https://contoso.crm4.dynamics.com:8443/api/data/v9.2/leads")
        assert not c.same_origin("file:///etc/passwd")
    finally:
        c.close()


# -- push --------------------------------------------------------------------------------
def test_push_creates_then_is_idempotent_and_updates(scanned, dv, crm_env, waits):
    hunter = scanned
    first = push(hunter, crm_env, "--json")
    assert first.exit_code == 0, first.stderr
    s = summary(first)
    assert sorted(s["created"]) == sorted(DOMAINS) and not s["failed"]
    assert len(dv.leads) == len(DOMAINS)
    # every create was a POST answered 204 with OData-EntityId; Hunter stored that id per domain
    posts = [r for r in dv.requests if r["method"] == "POST"]
    assert len(posts) == len(DOMAINS) and all(r["status"] == 204 for r in posts)
    rows = dict(q(hunter.db, "SELECT domain, lead_id FROM crm_leads WHERE push_state = 'pushed'"))
    assert set(rows) == set(DOMAINS) and set(rows.values()) == set(dv.leads)
    lead = dv.leads[rows["firma.com.tr"]]
    assert lead["companyname"] and lead["websiteurl"] == "https://firma.com.tr"
    assert lead["subject"].startswith(("P1 ", "P2 ", "P3 ", "P4 ", "P5 ", "P6 ")) and "firma.com.tr" in lead["subject"]
    assert "# Call brief: firma.com.tr" in lead["description"] and len(lead["description"]) <= 2000
    assert "Key facts" in lead["description"] and "SPF" in lead["description"]
    assert all(r["headers"]["odata-version"] == "4.0" for r in posts)

    # nothing changed: nothing is sent
    n = len(dv.requests)
    again = summary(push(hunter, crm_env, "--json"))
    assert sorted(again["unchanged"]) == sorted(DOMAINS) and len(dv.requests) == n

    # the brief in another language changes every payload: updated by id, with If-Match: *, none created
    third = summary(push(hunter, crm_env, "--json", "--lang", "tr"))
    assert sorted(third["updated"]) == sorted(DOMAINS) and not third["created"]
    patches = [r for r in dv.requests[n:] if r["method"] == "PATCH"]
    assert patches and all(r["headers"].get("if-match") == "*" for r in patches)
    assert any(r["path"].endswith(f"leads({rows['firma.com.tr']})") for r in patches)
    assert "Görüşme öncesi özet" in dv.leads[rows["firma.com.tr"]]["description"]  # the rep's language
    assert len(dv.leads) == len(DOMAINS)


def test_filters_domains_and_dry_run_send_nothing(scanned, dv, crm_env):
    hunter = scanned
    dry = push(
        hunter,
        {k: v for k, v in crm_env.items() if k != "HUNTER_CRM_TOKEN"},
        "--dry-run",
        "firma.com.tr",
        "gmailer.de",
        "nowhere-in-db.com",
    )
    assert dry.exit_code == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert [p["domain"] for p in plan if p["action"] == "create"] == sorted(
        ["firma.com.tr", "gmailer.de"], key=lambda d: d
    ) or True
    creates = {p["domain"]: p for p in plan if p["action"] == "create"}
    assert set(creates) == {"firma.com.tr", "gmailer.de"}
    assert creates["gmailer.de"]["method"] == "POST" and creates["gmailer.de"]["url"] == f"{dv.url}/api/data/v9.2/leads"
    assert set(creates["gmailer.de"]["body"]) == {"subject", "companyname", "websiteurl", "description"}
    assert {"domain": "nowhere-in-db.com", "action": "skip", "reason": "not in the database"} in plan
    assert dv.requests == [] and q(hunter.db, "SELECT count(*) FROM crm_leads") == [(0,)]
    # the same filters as hunter leads
    only = summary(push(hunter, crm_env, "--json", "--provider", "google"))
    listed = {r["domain"] for r in json.loads(hunter("leads", "--provider", "google", "-f", "json").stdout)}
    assert set(only["created"]) == listed and listed
    assert push(hunter, crm_env, "--category", "P9").exit_code == 2


def test_alternate_key_upsert_never_duplicates_across_machines(scanned, dv, crm_env, tmp_path, waits):
    hunter = scanned
    dv.alternate_keys.add("new_hunterdomain")
    dv.custom_columns.update({"new_hunterscore", "new_huntercategory"})
    mp = tmp_path / "mapping.json"
    mp.write_text(
        json.dumps(
            {
                "alternate_key": {"new_hunterdomain": "domain"},
                "columns": {
                    "subject": {"template": "{category} {domain_unicode}", "max_length": 300},
                    "companyname": {"field": "company_or_domain", "max_length": 100},
                    "new_hunterscore": "score",
                    "new_huntercategory": "category",
                },
            }
        )
    )
    one = summary(push(hunter, crm_env, "--json", "--mapping", str(mp)))
    assert sorted(one["created"]) == sorted(DOMAINS)
    # a second machine with its own database (no stored ids) pushes the same leads
    other_db = tmp_path / "other.db"
    _copy_db(_TEMPLATE["db"], other_db)
    two = summary(hunter("crm", "push", "--json", "--mapping", str(mp), "--db", str(other_db), env=crm_env))
    assert sorted(two["updated"]) == sorted(DOMAINS) and not two["created"]
    assert len(dv.leads) == len(DOMAINS)
    assert sorted(v["new_hunterdomain"] for v in dv.leads.values()) == sorted(DOMAINS)
    assert all(isinstance(v["new_hunterscore"], int) for v in dv.leads.values())
    keyed = [r for r in dv.requests if r["method"] == "PATCH"]
    assert keyed and all("new_hunterdomain='" in r["path"] and "if-match" not in r["headers"] for r in keyed)
    # both databases know the same Dataverse id for each domain
    assert dict(q(hunter.db, "SELECT domain, lead_id FROM crm_leads")) == dict(
        q(other_db, "SELECT domain, lead_id FROM crm_leads")
    )


def test_deleted_in_dynamics_is_reported_not_recreated_unless_asked(scanned, dv, crm_env, waits):
    hunter = scanned
    push(hunter, crm_env, "firma.com.tr", "gmailer.de")
    gone = q(hunter.db, "SELECT lead_id FROM crm_leads WHERE domain = 'firma.com.tr'")[0][0]
    dv.delete(gone)
    result = push(hunter, crm_env, "--force", "firma.com.tr", "gmailer.de")
    assert result.exit_code == 1
    assert "failed firma.com.tr: deleted in Dynamics 365" in result.stderr and "--recreate" in result.stderr
    assert len(dv.leads) == 1  # not silently recreated
    assert q(hunter.db, "SELECT push_state FROM crm_leads WHERE domain = 'firma.com.tr'") == [("deleted",)]
    later = summary(push(hunter, crm_env, "--json", "firma.com.tr"))
    assert later["skipped"][0]["reason"].startswith("deleted in Dynamics 365")
    back = summary(push(hunter, crm_env, "--json", "--recreate", "firma.com.tr"))
    assert back["created"] == ["firma.com.tr"] and len(dv.leads) == 2
    new_id = q(hunter.db, "SELECT lead_id, push_state FROM crm_leads WHERE domain = 'firma.com.tr'")[0]
    assert new_id[0] != gone and new_id[1] == "pushed" and new_id[0] in dv.leads


def test_validation_error_fails_that_lead_with_the_servers_message_and_goes_on(scanned, dv, crm_env, waits):
    hunter = scanned
    dv.validators.append(
        lambda body: (
            f"Company name 'Bozuk' is blocked by plug-in; token=at-99-leakedvalue; echo Bearer {TOKEN}"
            if "gmailer" in body.get("websiteurl", "")
            else None
        )
    )
    result = push(hunter, crm_env, "--json")
    assert result.exit_code == 1
    s = summary(result)
    assert len(s["created"]) == len(DOMAINS) - 1
    (f,) = s["failed"]
    assert f["domain"] == "gmailer.de" and "blocked by plug-in" in f["reason"] and "HTTP 400" in f["reason"]
    assert "at-99-leakedvalue" not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr
    assert TOKEN not in str(q(hunter.db, "SELECT * FROM crm_leads")) + str(q(hunter.db, "SELECT * FROM runs"))
    stored = q(hunter.db, "SELECT push_state, error FROM crm_leads WHERE domain = 'gmailer.de'")[0]
    assert stored[0] == "creating" and "blocked by plug-in" in stored[1] and "leakedvalue" not in stored[1]
    # the fix on the server side: a rerun finishes that lead with the id it chose, no duplicate
    dv.validators.clear()
    again = summary(push(hunter, crm_env, "--json"))
    assert again["updated"] == ["gmailer.de"] or again["created"] == ["gmailer.de"]
    assert len(dv.leads) == len(DOMAINS)


def test_too_long_text_is_shortened_by_the_mapping_not_rejected(scanned, dv, crm_env, tmp_path, waits):
    hunter = scanned
    mp = tmp_path / "m.json"
    mp.write_text(json.dumps({"columns": {"subject": "{brief_markdown}"}}))  # no max_length: too long
    result = push(hunter, crm_env, "--json", "--mapping", str(mp), "firma.com.tr")
    assert result.exit_code == 1 and "exceeded the maximum allowed length of '300'" in result.stdout


def test_429_retry_after_is_honoured_without_sleeping(scanned, dv, crm_env, waits):
    hunter = scanned
    dv.faults.append({"status": 429, "retry_after": 7, "times": 2, "method": "POST"})
    dv.faults.append({"status": 503, "times": 1, "method": "POST"})
    started = time.monotonic()
    result = push(hunter, crm_env, "--json", "--concurrency", "2")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 6  # Retry-After: 7 was never slept for real
    s = summary(result)
    assert len(s["created"]) == len(DOMAINS) and s["throttled"] >= 2
    assert waits.count(("Dynamics 365", 429, 7.0)) == 2 and ("Dynamics 365", 503, None) in waits
    assert len(dv.leads) == len(DOMAINS)
    assert dv.count("POST", 429) == 2 and dv.count("POST", 503) == 1


def test_5xx_retries_are_bounded_and_fail_only_that_lead(scanned, dv, crm_env, waits):
    hunter = scanned
    push(hunter, crm_env, "firma.com.tr", "gmailer.de")
    firma = q(hunter.db, "SELECT lead_id FROM crm_leads WHERE domain = 'firma.com.tr'")[0][0]
    dv.faults.append({"status": 503, "times": "always", "path_contains": firma})
    result = push(hunter, crm_env, "--json", "--force", "firma.com.tr", "gmailer.de")
    s = summary(result)
    assert result.exit_code == 1 and s["updated"] == ["gmailer.de"]
    assert s["failed"][0]["domain"] == "firma.com.tr" and "HTTP 503" in s["failed"][0]["reason"]
    assert "5 tries" in s["failed"][0]["reason"]
    assert dv.count("PATCH", 503) == 5  # DATAVERSE.attempts
    assert waits.count(("Dynamics 365", 503, None)) == 4  # four backoffs (no Retry-After) between five tries


def test_a_bad_request_is_not_retried_and_a_long_retry_after_is_not_waited_early(scanned, dv, crm_env, waits):
    hunter = scanned
    dv.faults.append({"status": 400, "times": 1, "method": "POST"})
    dv.faults.append({"status": 429, "retry_after": 3600, "times": 1, "method": "POST", "after": 1})
    result = push(hunter, crm_env, "--json", "--concurrency", "1", "firma.com.tr", "gmailer.de", "m365-zayif.com.tr")
    s = summary(result)
    assert result.exit_code == 1 and len(s["failed"]) == 2 and len(s["created"]) == 1
    reasons = " ".join(f["reason"] for f in s["failed"])
    assert "HTTP 400" in reasons and "asks to wait 3600 s" in reasons
    assert dv.count("POST", 400) == 1 and dv.count("POST", 429) == 1 and waits == []


def test_a_run_stopped_half_way_loses_nothing_and_the_rerun_finishes(scanned, dv, crm_env, waits):
    hunter = scanned
    dv.faults.append({"status": 401, "times": "always", "after": 2})  # the fixed token stops working
    stopped = push(hunter, crm_env, "--json", "--concurrency", "1")
    assert stopped.exit_code == 1 and "refused the token" in stopped.stderr
    s = summary(stopped)
    assert len(s["created"]) == 2 and s["stopped"]
    done = sum(len(s[k]) for k in ("created", "updated", "unchanged", "failed", "skipped"))
    assert s["not_sent"] == len(DOMAINS) - done > 0  # every selected lead is accounted for
    assert q(hunter.db, "SELECT count(*) FROM crm_leads WHERE push_state = 'pushed'") == [(2,)]
    assert TOKEN not in stopped.stdout + stopped.stderr
    dv.faults.clear()
    rerun = summary(push(hunter, crm_env, "--json"))
    assert len(rerun["created"]) + len(rerun["updated"]) == len(DOMAINS) - 2 and len(rerun["unchanged"]) == 2
    assert len(dv.leads) == len(DOMAINS)


def test_a_create_whose_answer_was_lost_is_finished_not_duplicated(scanned, dv, crm_env, waits):
    """kill -9 between Dynamics creating the lead and Hunter storing the answer: the id was stored first."""
    hunter = scanned
    from hunter_cli import store
    from hunter_cli.store import crm as crm_store

    conn = store.connect(hunter.db)
    crm_store.mark_creating(conn, "firma.com.tr", dv.url, "11111111-2222-4333-8444-555555555555")
    crm_store.mark_creating(conn, "gmailer.de", dv.url, "66666666-7777-4888-9999-000000000000")
    conn.close()
    dv._new("11111111-2222-4333-8444-555555555555", {"subject": "created before the crash"})  # it did happen
    s = summary(push(hunter, crm_env, "--json", "firma.com.tr", "gmailer.de"))
    assert sorted(s["updated"] + s["created"]) == ["firma.com.tr", "gmailer.de"]
    assert set(dv.leads) == {"11111111-2222-4333-8444-555555555555", "66666666-7777-4888-9999-000000000000"}
    assert dv.leads["11111111-2222-4333-8444-555555555555"]["subject"] != "created before the crash"
    finishing = [r for r in dv.requests if r["method"] == "PATCH"]
    assert len(finishing) == 2 and not any("if-match" in r["headers"] for r in finishing)


# -- pull and the lead list --------------------------------------------------------------
def test_pull_reads_status_owner_pages_and_skips_malformed_items(scanned, dv, crm_env, waits):
    hunter = scanned
    dv.page_size = 2
    push(hunter, crm_env)
    ids = dict(q(hunter.db, "SELECT domain, lead_id FROM crm_leads"))
    dv.set_status(ids["firma.com.tr"], statuscode=3, owner="Mehmet Öz")  # qualified
    dv.set_status(ids["gmailer.de"], statuscode=6)  # disqualified: no longer interested
    dv.injected.append({"leadid": "not-a-guid", "statecode": 0})
    dv.injected.append({"leadid": ids["m365-zayif.com.tr"], "statecode": "Open"})
    result = hunter("crm", "pull", "--json", env=crm_env)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["asked"] == len(DOMAINS) and out["qualified"] == 1 and out["disqualified"] == 1
    assert len(out["malformed"]) == 2 and "skipped malformed lead" in result.stderr
    # it has a leadid: one that is not a GUID (trial 16 read "no leadid")
    assert "skipped malformed lead not-a-guid: leadid 'not-a-guid' is not a GUID" in result.stderr
    gets = [r for r in dv.requests if r["method"] == "GET"]
    assert len(gets) == 3  # five leads, two per page: the next links were followed
    first = gets[0]["query"]
    assert first["$select"] == "leadid,statecode,statuscode,_ownerid_value,createdon,modifiedon"
    assert "leadid eq " in first["$filter"] and "modifiedon" not in first["$filter"]
    assert "odata.maxpagesize" in gets[0]["headers"]["prefer"] and "FormattedValue" in gets[0]["headers"]["prefer"]
    rows = {r[0]: r[1:] for r in q(hunter.db, "SELECT domain, statecode, status_label, owner_name FROM crm_leads")}
    assert rows["firma.com.tr"] == (1, "Qualified", "Mehmet Öz")
    assert rows["gmailer.de"] == (2, "No Longer Interested", "Ayşe Kaya")
    assert rows["google-tenant.com.tr"] == (0, "New", "Ayşe Kaya")

    # the next pull asks only for what changed since the newest modifiedon
    dv.requests.clear()
    dv.injected.clear()
    dv.set_status(ids["google-tenant.com.tr"], statuscode=2)
    again = json.loads(hunter("crm", "pull", "--json", env=crm_env).stdout)
    assert "modifiedon ge 2026-12-01T" in dv.requests[0]["query"]["$filter"]
    assert again["read"] <= 2  # the newest-modified lead again (ge), and the contacted one

    # hunter leads: the CRM column and --crm-status
    table = hunter("leads", env={"COLUMNS": "160"})
    assert "CRM" in table.stdout and "qualified" in table.stdout and "disqualified" in table.stdout
    qual = json.loads(hunter("leads", "--crm-status", "qualified", "-f", "json").stdout)
    assert [r["domain"] for r in qual] == ["firma.com.tr"] and qual[0]["crm_owner"] == "Mehmet Öz"
    both = json.loads(hunter("leads", "--crm-status", "open,disqualified", "-f", "json").stdout)
    assert {r["domain"] for r in both} == set(DOMAINS) - {"firma.com.tr"}
    assert hunter("leads", "--crm-status", "none", "-f", "json").stdout.strip() == "[]"
    assert hunter("leads", "--crm-status", "won").exit_code == 2

    # a disqualified lead is not pushed again unless asked
    s = summary(push(hunter, crm_env, "--json", "--force", "gmailer.de"))
    assert s["skipped"][0]["reason"].startswith("disqualified")
    s = summary(push(hunter, crm_env, "--json", "--force", "--include-disqualified", "gmailer.de"))
    assert s["updated"] == ["gmailer.de"]

    # the brief, in English and Turkish
    en = hunter("sales-summary", "firma.com.tr", "-f", "markdown").stdout
    assert "## Dynamics 365" in en and "In Dynamics 365 since 2026-12-01; owner Mehmet Öz; status qualified" in en
    tr = hunter("sales-summary", "firma.com.tr", "-f", "markdown", "--lang", "tr").stdout
    assert "1 Aralık 2026 tarihinden beri Dynamics 365'te; sahibi Mehmet Öz; durumu: nitelikli" in tr
    tr2 = hunter("sales-summary", "gmailer.de", "-f", "markdown", "--lang", "tr").stdout
    assert "durumu: elenmiş (No Longer Interested)" in tr2  # the label is the CRM's own, in its language

    st = json.loads(hunter("crm", "status", "--json", env=crm_env).stdout)
    assert st["environment"] == dv.url and st["pushed"] == len(DOMAINS) and st["qualified"] == 1
    assert st["signed_in"]["source"] == "HUNTER_CRM_TOKEN"


def test_leads_without_crm_data_have_no_crm_column(scanned):
    out = scanned("leads", env={"COLUMNS": "160"}).stdout
    assert "CRM" not in out.splitlines()[0]
    rows = json.loads(scanned("leads", "-f", "json").stdout)
    assert all(r["crm_status"] is None for r in rows)
    assert {r["domain"] for r in json.loads(scanned("leads", "--crm-status", "none", "-f", "json").stdout)} == {
        r["domain"] for r in rows
    }


def test_pull_refuses_a_next_link_to_another_origin_and_stores_nothing(scanned, dv, crm_env, waits):
    hunter = scanned
    dv.page_size = 2
    push(hunter, crm_env)
    dv.next_link_base = "http://127.0.0.2:9"  # loopback, but not the environment
    result = hunter("crm", "pull", env=crm_env)
    assert result.exit_code == 1 and "points away from" in result.stderr
    assert q(hunter.db, "SELECT count(*) FROM crm_leads WHERE pulled_at IS NOT NULL") == [(0,)]
    assert q(hunter.db, "SELECT count(*) FROM sync_state WHERE key LIKE 'crm.%'") == [(0,)]
    assert q(hunter.db, "SELECT outcome FROM runs WHERE command = 'crm pull'") == [("failed",)]


def test_no_environment_and_bad_mapping_are_clear_errors(scanned, tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HUNTER_CRM_TOKEN": TOKEN}
    result = scanned("crm", "push", env=env)
    assert result.exit_code == 1 and "HUNTER_CRM_URL" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = scanned("crm", "push", "--mapping", str(bad), env={**env, "HUNTER_CRM_URL": "https://x.crm4.dynamics.com"})
    assert result.exit_code == 2 and "not JSON" in result.stderr
    # status needs neither the network nor a client id to show the counts
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HUNTER_CRM_URL": "https://x.crm4.dynamics.com"}
    st = scanned("crm", "status", env=env)
    assert st.exit_code == 0 and "Environment: https://x.crm4.dynamics.com" in st.stdout
    assert "no application (client) id" in st.stdout and "0 pushed" in st.stdout
    # push and pull with no client id and no token: nobody can be signed in, so exit 3 and the next step
    env["HUNTER_CLIENT_ID"] = ""
    for command in ("push", "pull"):
        result = scanned("crm", command, env=env)
        assert result.exit_code == 3, (command, result.stderr)
        assert "hunter crm login --client-id" in result.stderr and "Traceback" not in result.stderr


# -- sign-in ------------------------------------------------------------------------------
@pytest.fixture
def authority(monkeypatch, tmp_path):
    fake = FakeAuthority(client_id="11111111-0000-4000-8000-000000000001")
    monkeypatch.setattr(auth_mod, "make_http_client", fake.http_client)
    yield fake
    fake.close()


def test_device_login_scope_silent_refresh_after_401_and_exit_3(scanned, dv, crm_env, authority, waits):
    hunter = scanned
    env = {k: v for k, v in crm_env.items() if k != "HUNTER_CRM_TOKEN"}
    env.update(HUNTER_CLIENT_ID=authority.client_id, HUNTER_TENANT_ID=authority.tenant)

    class Issued(set):
        def __contains__(self, token):
            return token in authority.issued_access_tokens

    dv.valid_tokens = Issued()
    login = hunter.runner.invoke(hunter_app(), ["crm", "login"], env={**hunter.env, **env})
    assert login.exit_code == 0, login.stderr
    assert f"Signed in to {dv.url} as rep@partner.com.tr" in login.stderr
    scopes = [r["form"].get("scope", "") for r in authority.requests if r["form"].get("scope")]
    assert any(f"{dv.url}/user_impersonation" in s for s in scopes)

    # silent token from the cache; one 401 makes it refresh once and go on
    dv.faults.append({"status": 401, "times": 1})
    pushed = push(hunter, env, "--json", "firma.com.tr")
    assert pushed.exit_code == 0, pushed.stderr
    assert "refresh_token" in authority.grants()
    status = hunter("crm", "status", env=env)
    assert "Signed in as rep@partner.com.tr" in status.stdout and "1 pushed" in status.stdout
    everything = login.stdout + login.stderr + pushed.stdout + pushed.stderr + status.stdout
    for secret in authority.issued_access_tokens + authority.issued_refresh_tokens:
        assert secret not in everything

    # the refresh token stops working: exit code 3 and one line naming the command
    authority.refresh_fails = True
    authority.revoke_refresh_tokens()
    cache = env["HUNTER_TOKEN_CACHE"]
    data = json.loads(Path(cache).read_text())
    for entry in data.get("AccessToken", {}).values():
        entry["expires_on"] = "1"
    Path(cache).write_text(json.dumps(data))
    stuck = push(hunter, env, "--force", "firma.com.tr")
    assert stuck.exit_code == 3 and "hunter crm login" in stuck.stderr
    pulled = hunter("crm", "pull", env=env)
    assert pulled.exit_code == 3 and len(pulled.stderr.strip().splitlines()) == 1


def hunter_app():
    from hunter_cli.cli import app

    return app


# -- what a dry run says it would do ------------------------------------------------------
def test_dry_run_counts_what_would_be_created_updated_and_skipped(scanned, dv, crm_env, tmp_path):
    """`crm push --dry-run` says how many leads a run would create, update, leave unchanged and skip
    (each skip with its reason): on stderr beside the requests, and as one JSON object with --json."""
    hunter = scanned
    no_token = {k: v for k, v in crm_env.items() if k != "HUNTER_CRM_TOKEN"}
    csv = tmp_path / "new.csv"
    csv.write_text("domain\nunscanned-lead.com.tr\n", encoding="utf-8")
    assert hunter("import", str(csv), "-q").exit_code == 0
    first = push(hunter, crm_env, "--json", "firma.com.tr")  # a real push: firma is in Dynamics now
    assert summary(first)["created"] == ["firma.com.tr"]
    args = ("firma.com.tr", "gmailer.de", "unscanned-lead.com.tr", "nowhere-in-db.com")
    requests_before = len(dv.requests)

    dry = push(hunter, no_token, "--dry-run", *args)
    assert dry.exit_code == 0, dry.stderr
    assert isinstance(json.loads(dry.stdout), list)  # the requests, as before (`> plan.json`)
    assert "1 would be created, 0 updated, 1 unchanged, 2 skipped" in dry.stderr, dry.stderr
    assert "would skip unscanned-lead.com.tr: not scanned yet (run: hunter scan unscanned-lead.com.tr)" in dry.stderr
    assert "would skip nowhere-in-db.com: not in the database" in dry.stderr

    forced = summary(push(hunter, no_token, "--dry-run", "--json", "--force", *args))
    assert forced["dry_run"] is True
    assert forced["counts"] == {"created": 1, "updated": 1, "unchanged": 0, "failed": 0, "skipped": 2}
    assert forced["created"] == ["gmailer.de"] and forced["updated"] == ["firma.com.tr"]
    assert {s["domain"]: s["reason"] for s in forced["skipped"]} == {
        "unscanned-lead.com.tr": "not scanned yet (run: hunter scan unscanned-lead.com.tr)",
        "nowhere-in-db.com": "not in the database",
    }
    assert {r["domain"]: r["action"] for r in forced["requests"]}["firma.com.tr"] == "update"
    assert len(dv.requests) == requests_before  # nothing was sent
    quiet = push(hunter, no_token, "--dry-run", "-q", *args)
    assert quiet.exit_code == 0 and "would" not in quiet.stderr


# -- a lead whose last push failed says so everywhere (trial 16) -------------------------------
def test_a_failed_push_or_update_reads_failed_in_every_place(scanned, dv, crm_env, waits):
    """`crm push --force` where every write answers 400: the list (table, JSON, CSV), `leads show`, the
    brief and `crm status` all read the lead's crm_status from one definition, never `pushed`."""
    hunter = scanned
    assert summary(push(hunter, crm_env, "--json", "firma.com.tr", "gmailer.de"))["created"]
    dv.faults.append({"status": 400, "message": "Plug-in refused the lead", "times": "always"})
    result = push(hunter, crm_env, "--json", "--force", "firma.com.tr", "gmailer.de", "m365-zayif.com.tr")
    assert result.exit_code == 1 and len(summary(result)["failed"]) == 3
    rows = {r["domain"]: r for r in json.loads(hunter("leads", "-f", "json").stdout)}
    assert rows["firma.com.tr"]["crm_status"] == "update failed"  # in Dynamics, but the update never arrived
    assert rows["m365-zayif.com.tr"]["crm_status"] == "failed"  # never reached Dynamics
    assert rows["natro-ornek.com.tr"]["crm_status"] is None
    csv_text = hunter("leads", "-f", "csv").stdout
    assert "update failed" in csv_text and ",pushed," not in csv_text
    table = hunter("leads", env={"COLUMNS": "160"}).stdout
    assert "update failed" in table and "pushed" not in table
    failed = json.loads(hunter("leads", "--crm-status", "failed", "-f", "json").stdout)
    assert {r["domain"] for r in failed} == {"firma.com.tr", "gmailer.de", "m365-zayif.com.tr"}
    # the SQL view for Datasette and friends says the same
    assert dict(q(hunter.db, "SELECT domain, crm_status FROM leads WHERE crm_status IS NOT NULL")) == {
        "firma.com.tr": "update failed",
        "gmailer.de": "update failed",
        "m365-zayif.com.tr": "failed",
    }
    show = hunter("leads", "show", "firma.com.tr", env={"COLUMNS": "200"}).stdout
    assert "The last update to Dynamics 365 failed on" in show and "Plug-in refused the lead" in show
    detail = json.loads(hunter("leads", "show", "m365-zayif.com.tr", "--json").stdout)
    assert detail["crm"]["status"] == "failed" and "Plug-in refused" in detail["crm"]["error"]
    brief = hunter("sales-summary", "firma.com.tr", "-f", "markdown").stdout
    assert "The last update to Dynamics 365 failed on" in brief and "Plug-in refused the lead" in brief
    never = hunter("sales-summary", "m365-zayif.com.tr", "-f", "markdown").stdout
    assert "Not in Dynamics 365: sending it failed on" in never and "Sent to Dynamics" not in never
    tr = hunter("sales-summary", "firma.com.tr", "-f", "markdown", "--lang", "tr").stdout
    assert "Dynamics 365'e son güncelleme" in tr
    # crm status: the counts add up to the leads sent, the failed ones said apart
    st = json.loads(hunter("crm", "status", "--json", env=crm_env).stdout)
    assert (st["total"], st["pushed"], st["pending"], st["failed"]) == (3, 0, 0, 3)
    assert st["failed_in_dynamics"] == 2
    text = hunter("crm", "status", env=crm_env).stdout
    assert (
        "Leads sent to Dynamics 365: 3 (0 pushed, 0 pending, 3 failed; of the failed, in Dynamics from an earlier push: 2,"
        in " ".join(text.split())
    )
    # fixed on the server: the rerun sends them, and every place says so again
    dv.faults.clear()
    assert push(hunter, crm_env, "firma.com.tr", "gmailer.de", "m365-zayif.com.tr").exit_code == 0
    rows = {r["domain"]: r for r in json.loads(hunter("leads", "-f", "json").stdout)}
    assert {rows[d]["crm_status"] for d in ("firma.com.tr", "gmailer.de", "m365-zayif.com.tr")} == {"pushed"}
    st = json.loads(hunter("crm", "status", "--json", env=crm_env).stdout)
    assert (st["total"], st["pushed"], st["failed"]) == (3, 3, 0)


# -- Ctrl-C while Dynamics asks to wait (trial 16) ---------------------------------------------
def _wait_until(check, seconds=20.0):
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "the condition never came"
        time.sleep(0.02)


def test_ctrl_c_during_a_retry_after_wait_stops_at_once_and_says_what_was_not_sent(scanned, dv, crm_env, hunter_cmd):
    """A real process (stamina is not in test mode there): every write answers 429 with Retry-After: 30,
    so every worker waits (the one told in its retry, the others at the client's gate); SIGINT ends the run within a second or so, exit 130, with the counts and the
    way to finish. The old run slept out every Retry-After (43 s in trial 16) and then printed nothing."""
    import signal
    import subprocess

    hunter = scanned
    assert summary(push(hunter, crm_env, "--json", "firma.com.tr"))["created"] == ["firma.com.tr"]
    csv = hunter.db.parent / "unscanned.csv"
    csv.write_text("domain\nunscanned-lead.com.tr\n", encoding="utf-8")
    assert hunter("import", str(csv), "-q").exit_code == 0
    dv.faults.append({"status": 429, "retry_after": 30, "times": "always"})
    base, env = hunter_cmd
    proc = subprocess.Popen(
        [*base, "crm", "push", "--force", "--concurrency", "2"],
        env={**env, **crm_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # the first 429 holds every worker (its Retry-After in the client's gate, or its own retry wait)
        _wait_until(lambda: dv.count(status=429) >= 1 or proc.poll() is not None)
        time.sleep(0.3)
        assert proc.poll() is None, proc.communicate()
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    took = time.monotonic() - started
    assert took < 5, err  # not 30 s
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: sent to Dynamics 365 and stored: 0; not sent: 5." in err, err
    assert "Run the same command again to finish" in err
    # the never-scanned lead is skipped, as a whole run says, not counted among the unsent
    assert "1 skipped; 5 not sent" in err and "skipped unscanned-lead.com.tr: not scanned yet" in err
    assert q(hunter.db, "SELECT outcome FROM runs WHERE command = 'crm push' ORDER BY id DESC LIMIT 1") == [
        ("interrupted",)
    ]
    # nothing was lost: the rerun sends them
    dv.faults.clear()
    rerun = summary(push(hunter, crm_env, "--json"))
    assert len(rerun["created"]) + len(rerun["updated"]) + len(rerun["unchanged"]) == len(DOMAINS)
    assert len(dv.leads) == len(DOMAINS)


# -- mapping files: plain words with the line, and a column Dynamics does not know (trial 16) ---
def test_every_mapping_problem_is_said_plainly_with_its_line_in_english_and_turkish(scanned, tmp_path, dv, crm_env):
    bad = tmp_path / "m2.json"
    bad.write_text(
        "{\n"
        '  "columns": {\n'
        '    "leadid": "domain",\n'
        '    "Subject": "score",\n'
        '    "companyname": {"template": "{category}", "max_length": -5},\n'
        '    "description": {"field": "categry"}\n'
        "  }\n"
        "}\n"
    )
    result = push(scanned, crm_env, "--mapping", str(bad))
    assert result.exit_code == 2 and dv.requests == []
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: mapping file {bad}, line 3: columns.leadid: leadid is Hunter's to set (it is the record's id);"
        " map another column",
        f"error: mapping file {bad}, line 4: columns.Subject: 'Subject' is not a column's logical name:"
        " Dataverse logical names are lower case (subject)",
        f"error: mapping file {bad}, line 5: columns.companyname.max_length: must be a whole number, 1 or more",
        f"error: mapping file {bad}, line 6: columns.description: unknown Hunter field 'categry'; known: "
        + ", ".join(mapping_mod.FIELDS),
    ], result.stderr
    tr = scanned("--lang", "tr", "crm", "push", "--mapping", str(bad), env=crm_env)
    assert tr.exit_code == 2
    assert (
        f"hata: {bad} eşleme dosyası, 5. satır: columns.companyname.max_length: en az 1 olan bir tam sayı olmalı"
        in (tr.stderr)
    )
    assert "Dataverse'te mantıksal adlar küçük harfle yazılır (subject)" in tr.stderr
    assert "Value error" not in tr.stderr + result.stderr and "Input should" not in tr.stderr + result.stderr


@pytest.mark.parametrize("kind", ["column", "key"])
def test_a_column_or_key_dynamics_does_not_know_stops_the_run_with_one_line(scanned, dv, crm_env, tmp_path, kind):
    """Dataverse answers 400 "Invalid property 'new_hunterscore'" (or "The key ... is not defined") for
    every lead: the mapping is wrong, not the leads. One line naming the file, the line and the column,
    exit 2, and no more requests; the old run failed each lead with the same 400 (8 lines, 8 requests)."""
    mp = tmp_path / "m.json"
    if kind == "column":
        mp.write_text('{"columns": {\n  "subject": "domain",\n  "new_hunterscore": "score"\n}}\n')
        word = "has no column 'new_hunterscore' in its lead table"
    else:
        dv.custom_columns.add("new_hunterdomain")  # a column, but not defined as an alternate key
        mp.write_text('{"alternate_key": {\n  "new_hunterdomain": "domain"\n},\n "columns": {"subject": "domain"}}\n')
        word = "has no alternate key 'new_hunterdomain' on its lead table"
    result = push(scanned, crm_env, "--mapping", str(mp), "--concurrency", "1")
    assert result.exit_code == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"mapping file {mp}, line" in errors[0] and word in errors[0], result.stderr
    assert "failed " not in result.stderr
    assert len(dv.requests) == 1 and dv.leads == {}
    # the leads are not marked failed: the mapping was at fault
    assert json.loads(scanned("leads", "-f", "json").stdout)[0]["crm_status"] is None
    assert q(scanned.db, "SELECT count(*) FROM crm_leads WHERE error IS NOT NULL") == [(0,)]
    # fixed in Dynamics: the same mapping now pushes every lead, none twice
    dv.custom_columns.add("new_hunterscore")
    dv.alternate_keys.add("new_hunterdomain")
    again = summary(push(scanned, crm_env, "--json", "--mapping", str(mp)))
    assert len(again["created"]) + len(again["updated"]) == len(DOMAINS) and len(dv.leads) == len(DOMAINS)


def test_a_stopped_run_counts_skipped_leads_as_a_whole_run_does(scanned, dv, crm_env, waits):
    """After a 401 stop the summary said `0 skipped; 11 not sent` while 3 of the 11 were never scanned,
    which a whole run lists as skipped (trial 16): the leads the run never reached are counted the same
    way in every case."""
    hunter = scanned
    csv = hunter.db.parent / "more.csv"
    csv.write_text("domain\nunscanned-lead.com.tr\nnever-scanned.com.tr\n", encoding="utf-8")
    assert hunter("import", str(csv), "-q").exit_code == 0
    whole = summary(push(hunter, {**crm_env, "HUNTER_CRM_TOKEN": ""}, "--dry-run", "--json"))
    dv.faults.append({"status": 401, "times": "always", "after": 1})
    stopped = push(hunter, crm_env, "--json", "--concurrency", "1")
    assert stopped.exit_code == 1 and "refused the token" in stopped.stderr
    s = summary(stopped)
    assert s["skipped"] == whole["skipped"] and len(s["skipped"]) == 2  # the never-scanned, with the same reason
    assert len(s["created"]) == 1 and s["not_sent"] == len(DOMAINS) - 1
    text = " ".join(push(hunter, crm_env, "--concurrency", "1").stderr.split())  # the one before is unchanged now
    assert "1 unchanged, 0 failed, 2 skipped; 4 not sent (the run stopped; run it again to finish)" in text, text


# -- a stored failure is said in the reader's language, not the pusher's ------------------------
def _tr(env):
    return {**env, "HUNTER_LANG": "tr"}


def test_a_stored_failure_is_said_in_the_language_it_is_read_in(scanned, dv, crm_env, waits):
    """Pushed in English: one lead deleted in Dynamics (404 on the update), one whose create kept answering 503.
    `crm status` (text and JSON), `leads show` (text and JSON) and the brief read in Turkish say both reasons in
    Turkish, with Dynamics' own words (redacted) inside; read in English, in English. The old release stored the
    English sentence and every reader got English."""
    hunter = scanned
    assert summary(push(hunter, crm_env, "--json", "firma.com.tr"))["created"] == ["firma.com.tr"]
    dv.delete(q(hunter.db, "SELECT lead_id FROM crm_leads WHERE domain = 'firma.com.tr'")[0][0])
    dv.faults.append(
        {"status": 503, "method": "POST", "times": "always", "message": f"Busy; echo Bearer {TOKEN} token=at-77-leak"}
    )
    pushed = push(hunter, crm_env, "--force", "firma.com.tr", "m365-zayif.com.tr")
    assert pushed.exit_code == 1 and "after 5 tries" in pushed.stderr and "deleted in Dynamics 365" in pushed.stderr

    english = " ".join(hunter("crm", "status", env=crm_env).stdout.split())
    assert "failed m365-zayif.com.tr: HTTP 503: Busy" in english and "after 5 tries" in english
    assert "failed firma.com.tr: deleted in Dynamics 365 (HTTP 404:" in english

    turkish = " ".join(hunter("crm", "status", env=_tr(crm_env)).stdout.split())
    assert 'başarısız: m365-zayif.com.tr: HTTP 503: "Busy; echo Bearer <redacted> token=<redacted>"' in turkish
    assert "(5 denemeden sonra)" in turkish and "başarısız: firma.com.tr: Dynamics 365'te silinmiş (HTTP 404" in turkish
    assert "after 5 tries" not in turkish and "deleted in Dynamics" not in turkish and TOKEN not in turkish
    as_json = json.loads(hunter("crm", "status", "--json", env=_tr(crm_env)).stdout)
    reasons = {f["domain"]: f["error"] for f in as_json["failures"]}
    assert "denemeden sonra" in reasons["m365-zayif.com.tr"] and "silinmiş" in reasons["firma.com.tr"]
    stored = dict(q(hunter.db, "SELECT domain, error FROM crm_leads"))
    assert all(e.startswith('{"said":') for e in stored.values()), stored  # the message and its values, not words
    assert TOKEN not in str(stored) and "at-77-leak" not in str(stored)

    show = " ".join(
        hunter("leads", "show", "m365-zayif.com.tr", env={"HUNTER_LANG": "tr", "COLUMNS": "200"}).stdout.split()
    )
    assert "(5 denemeden sonra)" in show and "after 5 tries" not in show
    detail = json.loads(hunter("leads", "show", "m365-zayif.com.tr", "--json", env={"HUNTER_LANG": "tr"}).stdout)
    assert detail["crm"]["error"].endswith("(5 denemeden sonra)")
    detail = json.loads(hunter("leads", "show", "m365-zayif.com.tr", "--json").stdout)
    assert detail["crm"]["error"].endswith("after 5 tries")
    brief = hunter("sales-summary", "m365-zayif.com.tr", "-f", "markdown", "--lang", "tr").stdout
    assert "(5 denemeden sonra)" in brief and "after 5 tries" not in brief

    # a row the previous release wrote holds a finished sentence: shown as it is, in any language
    conn = sqlite3.connect(hunter.db)
    with conn:
        conn.execute("UPDATE crm_leads SET error = 'HTTP 400: old words {x}' WHERE domain = 'm365-zayif.com.tr'")
    conn.close()
    assert "başarısız: m365-zayif.com.tr: HTTP 400: old words {x}" in hunter("crm", "status", env=_tr(crm_env)).stdout


def test_failures_stored_before_migration_16_upgrade_and_read_as_they_are(hunter, tmp_path, crm_env, monkeypatch):
    """A file at the previous release's schema (15) with an English sentence in crm_leads.error: opening it
    upgrades it to 16 and the sentence is shown as it was written, in English and in Turkish."""
    from hunter_cli import store

    db = tmp_path / "release.db"
    monkeypatch.setattr(store.schema, "MIGRATIONS", [m for m in store.MIGRATIONS if m[0] <= 15])
    conn = store.connect(db)
    conn.execute(
        "INSERT INTO domains (domain, domain_unicode, added_at) VALUES ('eski.com.tr', 'eski.com.tr', '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO crm_leads (domain, environment, lead_id, push_state, attempted_at, error)"
        " VALUES ('eski.com.tr', ?, '00000000-0000-4000-8000-000000000001', 'creating', '2026-11-01T10:00:00Z', ?)",
        (crm_env["HUNTER_CRM_URL"], "HTTP 400: Plug-in refused the lead (0x80040216)"),
    )
    conn.close()
    monkeypatch.undo()
    assert q(db, "SELECT max(version) FROM schema_migrations") == [(15,)]
    for env in (crm_env, _tr(crm_env)):
        text = " ".join(hunter("crm", "status", "--db", str(db), env=env).stdout.split())
        assert "eski.com.tr: HTTP 400: Plug-in refused the lead (0x80040216)" in text, text
    assert q(db, "SELECT max(version) FROM schema_migrations")[0][0] >= 16
    detail = json.loads(
        hunter("leads", "show", "eski.com.tr", "--json", "--db", str(db), env={"HUNTER_LANG": "tr"}).stdout
    )
    assert detail["crm"]["error"] == "HTTP 400: Plug-in refused the lead (0x80040216)"


# -- Ctrl-C while a request is held open ------------------------------------------------------
def test_ctrl_c_while_dynamics_holds_a_create_open_ends_at_once_and_the_rerun_never_duplicates(
    scanned, dv, crm_env, hunter_cmd
):
    """A real process: Dynamics takes two creates and does not answer (a stalled service). SIGINT ends the run
    in well under a second, exit 130; the old run waited for the held requests (the worker threads were joined
    at exit: up to the 60 s HTTP timeout). The two leads in flight are not stored as pushed: they stay
    `creating` with the id Hunter chose, and are said as sent but not answered. Dynamics then creates them (the
    requests had arrived); the rerun finishes them under the same ids: five leads, none twice."""
    import signal
    import subprocess

    hunter = scanned
    dv.faults.append({"hold": 60, "method": "POST", "times": "always"})
    base, env = hunter_cmd
    proc = subprocess.Popen(
        [*base, "crm", "push", "--concurrency", "2"],
        env={**env, **crm_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until(lambda: dv.count(method="POST") >= 2 or proc.poll() is not None)
        time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        took = time.monotonic() - started
    finally:
        proc.kill()
    assert took < 1.0, (took, err)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    said = " ".join(err.split())
    assert "interrupted: sent to Dynamics 365 and stored: 0; sent but not answered yet: 2; not sent: 3." in said
    assert "2 sent but not answered" in said
    rows = dict(q(hunter.db, "SELECT domain, push_state FROM crm_leads"))
    assert sorted(rows.values()) == ["creating", "creating"], rows  # nothing stored as pushed
    assert q(hunter.db, "SELECT count(*) FROM crm_leads WHERE pushed_at IS NOT NULL OR error IS NOT NULL") == [(0,)]
    held = {lead_id for (lead_id,) in q(hunter.db, "SELECT lead_id FROM crm_leads")}
    assert q(hunter.db, "SELECT outcome FROM runs WHERE command = 'crm push' ORDER BY id DESC LIMIT 1") == [
        ("interrupted",)
    ]
    st = json.loads(hunter("crm", "status", "--json", env=crm_env).stdout)
    assert (st["total"], st["pushed"], st["pending"], st["failed"]) == (2, 0, 2, 0)
    # the held creates arrive after all (Hunter could not know): the rerun finishes them under the same ids
    dv.faults.clear()
    dv.release()
    _wait_until(lambda: len(dv.leads) == 2)
    assert set(dv.leads) == held
    rerun = summary(push(hunter, crm_env, "--json"))
    assert len(rerun["created"]) == 3 and len(rerun["updated"]) == 2, rerun
    assert len(dv.leads) == len(DOMAINS)
    assert {lead_id for (lead_id,) in q(hunter.db, "SELECT lead_id FROM crm_leads")} >= held
    assert set(dict(q(hunter.db, "SELECT domain, push_state FROM crm_leads")).values()) == {"pushed"}
