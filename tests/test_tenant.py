"""Microsoft tenant signals: parsing, the polite client, and their use in every scan."""

import time

import pytest

from hunter_cli.retry import parse_retry_after
from hunter_cli.tenant.parse import UnexpectedAnswer, apply_realm, parse_openid

GUID = "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10"


def test_parse_openid_answers():
    doc = {
        "issuer": f"https://login.microsoftonline.com/{GUID}/v2.0",
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
    }
    t = parse_openid(200, doc)
    assert (t.id, t.region, t.cloud) == (GUID, "EU", "microsoftonline.com")
    assert parse_openid(400, {"error": "invalid_tenant", "error_codes": [90002]}) is None
    with pytest.raises(UnexpectedAnswer):
        parse_openid(400, {"error": "invalid_request", "error_codes": [900023]})
    with pytest.raises(UnexpectedAnswer):
        parse_openid(200, {"issuer": "no guid here"})
    with pytest.raises(UnexpectedAnswer):
        parse_openid(200, ["not", "an", "object"])


def test_apply_realm():
    t = parse_openid(200, {"issuer": f"https://login.microsoftonline.com/{GUID}/v2.0"})
    fed = apply_realm(
        t,
        {
            "NameSpaceType": "Federated",
            "FederationBrandName": "Acme ",
            "AuthURL": "https://sts.acme.com/adfs/ls/?username=x&wa=wsignin1.0",
        },
    )
    assert (fed.namespace_type, fed.brand, fed.federation_host) == ("Federated", "Acme", "sts.acme.com")


def test_retry_after_header_forms():
    assert parse_retry_after("3") == 3
    assert parse_retry_after(" 3600 ") == 3600  # not capped here: the policy decides
    assert parse_retry_after(None) is None and parse_retry_after("") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past


def test_managed_tenant_in_the_scan(hunter, ms):
    r = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert r["tenant"] == {
        "id": GUID,
        "namespace_type": "Managed",
        "brand": "Firma A.Ş.",
        "region": "EU",
        "cloud": "microsoftonline.com",
        "initial_domain": "firmatr.onmicrosoft.com",
        "federation_host": None,
    }
    assert r["status"] == "ok"
    assert any(ua.startswith("hunter/") for ua in ms.user_agents)


def test_no_tenant_means_null_and_each_endpoint_is_asked_once(hunter, ms):
    r = hunter.scan_json("nomail.com", "--no-whois")["nomail.com"]
    assert r["tenant"] is None and r["errors"] == []
    assert ms.count("openid", "nomail.com") == 1
    assert ms.count("realm", "nomail.com") == 1  # asked alongside the OpenID configuration, not after it


def test_a_failing_user_realm_does_not_fail_a_domain_without_a_tenant(hunter, ms):
    ms.faults[("nomail.com", "realm")] = ("500", 100)
    r = hunter.scan_json("nomail.com", "--no-whois")["nomail.com"]
    assert r["tenant"] is None and r["errors"] == [] and r["status"] == "ok"


def test_a_failing_user_realm_fails_the_lookup_of_a_tenant(hunter, ms):
    ms.faults[("firma.com.tr", "realm")] = ("503", None, 100)
    r = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert r["tenant"] is None and r["status"] == "partial"
    assert [(e["check"], e["kind"]) for e in r["errors"]] == [("tenant", "http-503")]


def test_federated_tenant(hunter):
    t = hunter.scan_json("federe.com.tr", "--no-whois")["federe.com.tr"]["tenant"]
    assert t["namespace_type"] == "Federated" and t["federation_host"] == "sts.federe.com.tr"


def test_tenant_and_ms_token_behind_a_gateway_mean_m365(hunter):
    r = hunter.scan_json("gw-ms-token.com", "--no-whois")["gw-ms-token.com"]
    assert (r["provider"], r["gateway"]) == ("m365", "mimecast")
    assert any("MS= verification token" in e for e in r["evidence"])


def test_google_mail_with_a_tenant_is_flagged_for_cross_sell(hunter):
    r = hunter.scan_json("google-tenant.com.tr", "--no-whois")["google-tenant.com.tr"]
    assert r["provider"] == "google"
    assert r["tenant"]["brand"] == "Google Tenant"
    assert any("cross-sell" in e for e in r["evidence"])


def test_endpoint_failure_is_an_error_not_no_tenant(hunter, ms, db):
    import sqlite3

    ms.faults["firma.com.tr"] = ("500", 100)
    r = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert r["tenant"] is None
    assert r["status"] == "partial"
    assert [(e["check"], e["kind"]) for e in r["errors"]] == [("tenant", "http-500")]
    conn = sqlite3.connect(db)
    # not "none": the lookup failed; and firma.com.tr's DKIM CNAMEs name its tenant, so one exists, type unknown
    assert conn.execute("SELECT tenant FROM domains").fetchone()[0] == "Unknown"
    assert conn.execute("SELECT count(*) FROM tenant_cache").fetchone()[0] == 0  # failures are not cached
    ms.clear_faults()
    again = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert again["tenant"]["namespace_type"] == "Managed"


def test_429_retry_after_is_honoured(hunter, ms, retries):
    ms.faults[("firma.com.tr", "openid")] = ("429", 1, 1)
    started = time.monotonic()
    r = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert time.monotonic() - started < 1.0  # stamina's test mode: the wait is asked for, not slept
    assert retries == [("the Microsoft sign-in service", 429, 1.0)]
    assert r["tenant"]["id"] == GUID
    assert ms.count("openid", "firma.com.tr") == 2


def test_tenant_answers_are_cached_for_a_day(hunter, ms):
    hunter.scan_json("firma.com.tr", "nomail.com", "--no-whois")
    ms.reset_log()
    res = hunter.scan_json("firma.com.tr", "nomail.com", "--no-whois")
    assert ms.count() == 0
    assert res["firma.com.tr"]["tenant"]["id"] == GUID and res["nomail.com"]["tenant"] is None


def test_no_tenant_option_asks_nothing_and_keeps_what_was_known(hunter, ms, db):
    import sqlite3

    hunter.scan_json("firma.com.tr", "--no-whois")
    ms.reset_log()
    r = hunter.scan_json("firma.com.tr", "--no-whois", "--no-tenant")["firma.com.tr"]
    assert ms.count() == 0
    assert r["tenant"] is None and r["status"] == "ok"
    assert sqlite3.connect(db).execute("SELECT tenant, tenant_id FROM domains").fetchone() == ("Managed", GUID)


def test_keep_alive_and_bounded_concurrency(hunter, ms, dns, zone_text):
    domains = [f"t{i}.com" for i in range(40)]
    # names in DNS: a domain that does not exist is not asked about (its lookup is dropped)
    dns.load(zone_text + "".join(f"{d}. 300 IN MX 10 mx.{d}.\n" for d in domains))
    try:
        hunter.scan_json(*domains, "--no-whois", "--tenant-concurrency", "4")
    finally:
        dns.load(zone_text)
    assert ms.count("openid") == 40
    assert ms.connections <= 4
    assert ms.peak_in_flight <= 4


def test_summary_counts_tenants(hunter):
    result = hunter("scan", "firma.com.tr", "federe.com.tr", "nomail.com", "--no-whois")
    assert result.exit_code == 0
    assert "Tenants" in result.stderr and "Managed 1" in result.stderr and "Federated 1" in result.stderr
    assert "Tenant" in result.stdout


def test_a_tenant_named_by_dkim_records_is_a_tenant_in_the_list_too(hunter):
    """The sign-in stand-in knows no tenant for gw-cisco-m365.com, but its DKIM CNAMEs name one
    (gwciscom365.onmicrosoft.com): the brief says it has a tenant, so the list and its filter must too."""
    assert hunter("scan", "gw-cisco-m365.com", "nomail.com", "--no-whois", "-q").exit_code == 0
    listed = hunter("leads", "--tenant", "-f", "csv")
    assert "gw-cisco-m365.com" in listed.stdout and "nomail.com" not in listed.stdout
    import json

    shown = json.loads(hunter("leads", "show", "gw-cisco-m365.com", "--json").stdout)
    assert json.dumps(shown).count('"Unknown"') >= 1
    assert "tenant" in hunter("sales-summary", "gw-cisco-m365.com").stdout.lower()


def test_a_scan_without_tenant_lookups_counts_no_tenant_it_did_not_ask(hunter):
    """--no-tenant: no '?' for the tenants never asked (a trial saw 'Tenants ? 18, Unknown 2'); a tenant
    the DKIM records name is still counted."""
    result = hunter("scan", "firma.com.tr", "nomail.com", "gmailer.de", "--no-whois", "--no-tenant")
    assert result.exit_code == 0, result.stderr
    tenants = [line for line in result.stderr.splitlines() if line.strip().startswith("Tenants")]
    assert tenants and "?" not in tenants[0] and "exists 1" in tenants[0], result.stderr  # kind unknown


def test_a_failed_domain_has_one_tenant_answer_in_the_scan_and_the_list(hunter, dns):
    """trial 30 F7: a domain whose every query SERVFAILs (the stand-in knows no tenant for it) was "Tenant
    none" in the scan's table and "Tenants none 1" in its summary, then `?` in `hunter leads`: the store keeps
    nothing of a failed scan. The scan says what the list will say: not known."""
    dns.faults["gmailer.de"] = "servfail"
    result = hunter("scan", "gmailer.de", "firma.com.tr", "--no-whois", env={"COLUMNS": "80"})
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("gmailer.de"))
    assert " none " not in row and "?" in row, result.stdout
    tenants = next(line for line in result.stderr.splitlines() if line.strip().startswith("Tenants"))
    assert "none" not in tenants, tenants
    listed = hunter("leads", "-s", "gmailer", env={"COLUMNS": "80"})
    assert "?" in next(line for line in listed.stdout.splitlines() if line.strip().startswith("gmailer.de"))
