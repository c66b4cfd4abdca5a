"""Machine output keeps one vocabulary (docs/cli.md, docs/brief.md): `leads show --json` gives the lead as
`hunter leads -f json` does (the documented names, true/false), and `sales-summary --json` gives each
Partner Center referral as one object with the lines the brief shows for it."""

from __future__ import annotations

import json

import pytest
from pcserver import PartnerCenterServer, load_referrals

TOKEN = "fixed-automation-token"
RAW_COLUMNS = ("last_good_at", "last_attempt_at", "last_change_at", "last_scan_id", "last_good_scan_id", "last_ok_at")


@pytest.fixture
def partner_env(hunter, tmp_path):
    with PartnerCenterServer(load_referrals(), page_size=4) as srv:
        srv.valid_tokens.add(TOKEN)
        yield {
            "HUNTER_PARTNER_API_URL": srv.base_url,
            "HUNTER_PARTNER_TOKEN": TOKEN,
            "HUNTER_TOKEN_CACHE": str(tmp_path / "cache.json"),
        }


def _listed(hunter, domain: str) -> dict:
    rows = json.loads(hunter("leads", "-f", "json", "--limit", "0", dns_args=False).stdout)
    return next(r for r in rows if r["domain"] == domain)


def _shown(hunter, domain: str) -> dict:
    shown = hunter("leads", "show", domain, "--json", dns_args=False)
    assert shown.exit_code == 0, shown.stderr
    return json.loads(shown.stdout)


def test_leads_show_json_gives_the_lead_as_the_list_does_with_real_booleans(hunter, partner_env):
    hunter.scan_json("firma.com.tr", "gmailer.de", "nomail.com", "--no-whois")
    assert hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False).exit_code == 0
    hunter("tag", "firma.com.tr", "vip")
    for domain in ("firma.com.tr", "gmailer.de", "nomail.com"):
        listed = _listed(hunter, domain)
        lead = _shown(hunter, domain)["lead"]
        assert {k: lead[k] for k in listed} == listed, domain  # the same names and values as the list
        assert set(lead) - set(listed) == {"added_at", "state", "spf_result", "dkim_state"}
        assert not set(RAW_COLUMNS) & set(lead)
        assert isinstance(lead["active_cosell"], bool) and type(lead["referrals"]) is int
        assert lead["dkim"] is None or isinstance(lead["dkim"], bool)
    firma = _shown(hunter, "firma.com.tr")["lead"]
    assert firma["active_cosell"] is True and firma["referrals"] >= 1 and firma["dkim"] is True
    assert firma["tags"] == ["vip"] and firma["state"] == "active" and firma["last_scanned"]
    assert _shown(hunter, "nomail.com")["lead"]["active_cosell"] is False


def test_leads_show_json_of_an_imported_lead_never_scanned(hunter, tmp_path):
    src = tmp_path / "l.csv"
    src.write_text("domain,company\nyeni-firma.com.tr,Yeni Firma A.Ş.\n", "utf-8")
    assert hunter("import", str(src)).exit_code == 0
    lead = _shown(hunter, "yeni-firma.com.tr")["lead"]
    assert lead["company"] == "Yeni Firma A.Ş." and lead["last_scanned"] is None
    assert lead["dkim"] is None and lead["active_cosell"] is False and lead["referrals"] == 0


def test_sales_summary_json_gives_each_referral_as_one_object_with_its_lines(hunter, partner_env):
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert hunter("referrals", "sync", "--no-scan", env=partner_env, dns_args=False).exit_code == 0
    brief = json.loads(hunter("sales-summary", "firma.com.tr", "--json", dns_args=False).stdout)
    refs = brief["referrals"]
    assert refs and all(isinstance(r, dict) for r in refs)
    listed = {r["id"]: r for r in json.loads(hunter("referrals", "list", "--json", dns_args=False).stdout)}
    for r in refs:
        same = listed[r["id"]]  # the names and values of `hunter referrals list --json`
        for key in ("name", "customer_name", "kind", "type", "status", "substatus", "currency", "microsoft_contact"):
            assert r[key] == same[key], key
        assert r["deal_value"] == (None if same["deal_value"] is None else float(same["deal_value"]))
        assert r["lines"] and r["lines"][0].endswith(".")
    cosell = next(r for r in refs if r["kind"] == "cosell")
    assert cosell["lines"][0].startswith("Microsoft co-sell referral")
    assert any(line.startswith("Microsoft contact") for line in cosell["lines"])
    # the text shows the same lines, each referral's together and in the same order
    text = hunter("sales-summary", "firma.com.tr", "-f", "markdown", dns_args=False).stdout
    section = text.split("## Partner Center referrals")[1].split("##")[0]
    assert [line[2:] for line in section.strip().splitlines()] == [line for r in refs for line in r["lines"]]
    tr = json.loads(hunter("sales-summary", "firma.com.tr", "--json", "--lang", "tr", dns_args=False).stdout)
    assert [r["id"] for r in tr["referrals"]] == [r["id"] for r in refs]
    assert any("yönlendirmesi" in line or "yönlendirme" in line for r in tr["referrals"] for line in r["lines"])
