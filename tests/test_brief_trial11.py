"""Call-brief faults a fresh-user trial found (stop 25), each as a kind, over the suite's real DNS server
(zones in tests/zones/brief11.zone, brief10.zone and brief8.zone), in English and Turkish:

- an SPF term after ``all`` is never evaluated (RFC 7208 5.1), nor a redirect beside an ``all`` (6.1): what
  it names is not "allowed to send", not a service in use, and the brief says why it is worth fixing;
- the SPF warnings of their own record (``ptr``, void lookups, ...) are said, each in plain words;
- ``?all`` is neutral, treated exactly like no SPF record (RFC 7208 8.2), never "receivers mark it";
- ``p=quarantine; pct=0`` is quoted as published and explained (RFC 7489 6.6.4), not "p=none";
- quarantine puts mail in spam or holds it, it does not refuse it (RFC 7489 6.3);
- mail to an MX written as an address "may bounce or be refused" in the offer too;
- a move away from Microsoft 365 stays a win-back when a tenant is still there;
- a latest scan that failed is said: the brief is from the last good scan.
"""

from __future__ import annotations

import json

import pytest
from test_brief_consistency import check

from hunter_cli.brief.messages import LANGUAGES, Messages
from hunter_cli.exits import ExitStatus


def _brief(hunter, domain: str, lang: str) -> dict:
    result = hunter("sales-summary", domain, "--json", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _scan(hunter, *domains: str) -> None:
    result = hunter("scan", *domains, "--no-whois", "-q")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_spf_terms_after_all_are_never_in_force(hunter, lang):
    """``v=spf1 ptr include:_spf.google.com -all include:spf.protection.outlook.com``: Microsoft 365's include
    is never evaluated, so it allows nobody to send; the brief and the lists never count Exchange Online
    on it, and the security section says both warnings."""
    domain = "b11-sonra-ms.com.tr"
    m = Messages(lang)
    out = hunter.scan_json(domain, "--no-whois")[domain]
    assert out["spf"]["includes"] == ["_spf.google.com"] and out["spf"]["redirect"] is None
    assert "m365" not in {s["id"] for s in out["services"]}
    assert out["microsoft"]["workloads"]["exchange"]["state"] == "absent"
    brief = _brief(hunter, domain, lang)
    text = "\n".join(brief["mail"] + brief["services"] + brief["microsoft"])
    assert "spf.protection.outlook.com" not in text
    after = m("spf_warning.spf-terms-after-all", terms="include:spf.protection.outlook.com")
    assert m("sec.spf_warning", reason=after) in brief["security"]
    assert m("sec.spf_warning", reason=m("spf_warning.spf-ptr")) in brief["security"]
    assert check(hunter("sales-summary", domain, "--format", "markdown", "--lang", lang).stdout, lang) == []
    row = json.loads(hunter("leads", "-f", "json").stdout)
    assert "exo" not in next(r for r in row if r["domain"] == domain)["footprint"]


def test_a_view_stored_before_reads_the_includes_in_force():
    """A result stored by an earlier release listed every include and the ignored redirect: the lead view
    reads them as a receiver evaluates them, from the record itself."""
    from hunter_cli.lead import Lead

    record = "v=spf1 include:_spf.google.com ~all include:spf.protection.outlook.com redirect=_spf.example.net"
    old = {
        "record": record,
        "terms": record.split()[1:],
        "all": "~all",
        "includes": ["_spf.google.com", "spf.protection.outlook.com"],
        "redirect": "_spf.example.net",
        "result": "valid",
        "valid": True,
    }
    lead = Lead.from_view({"domain": "eski.com.tr", "status": "ok", "provider": "google", "spf": old, "mx": []})
    assert lead.spf.includes == ["_spf.google.com"] and lead.spf.redirect is None
    plain = {**old, "record": "v=spf1 include:_spf.google.com -all", "terms": ["include:_spf.google.com", "-all"]}
    plain["includes"], plain["redirect"] = ["_spf.google.com"], None
    kept = Lead.from_view({"domain": "yeni.com.tr", "status": "ok", "provider": "google", "spf": plain, "mx": []})
    assert kept.spf.includes == ["_spf.google.com"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_spf_neutral_ignored_redirect_and_void_lookups_are_said_as_the_rfc_has_them(hunter, lang):
    m = Messages(lang)
    _scan(hunter, "b11-notr.com.tr", "b11-yoksay.com.tr", "oz-sunucu.com.tr")
    neutral = _brief(hunter, "b11-notr.com.tr", lang)["security"]
    assert m("sec.spf_neutral") in neutral  # RFC 7208 8.2: treated exactly like no record
    assert m("sec.spf_soft", all="?all") not in neutral
    redirect = _brief(hunter, "b11-yoksay.com.tr", lang)["security"]
    ignored = m("spf_warning.spf-redirect-ignored", redirect="redirect=_spf.google.com")
    assert m("sec.spf_warning", reason=ignored) in redirect
    void = _brief(hunter, "oz-sunucu.com.tr", lang)["security"]  # "v=spf1 a mx -all", no address at the apex
    assert m("sec.spf_warning", reason=m("spf_warning.spf-void-lookup", voids="'a' (oz-sunucu.com.tr)")) in void


def test_each_spf_warning_names_its_own_terms(hunter):
    """An unknown modifier and a term after ``all`` in one record: neither line borrows the other's terms."""
    m = Messages("en")
    _scan(hunter, "b11-ayar.com.tr")
    security = _brief(hunter, "b11-ayar.com.tr", "en")["security"]
    assert m("sec.spf_warning", reason=m("spf_warning.spf-terms-after-all", terms="a")) in security
    assert m("sec.spf_warning", reason=m("spf_warning.spf-unknown-modifier", modifiers="foo=bar")) in security


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quarantine_with_pct_zero_is_quoted_and_explained(hunter, lang):
    m = Messages(lang)
    _scan(hunter, "b11-pct-sifir.com.tr")
    security = _brief(hunter, "b11-pct-sifir.com.tr", lang)["security"]
    assert m("sec.dmarc_none_pct_zero", published="quarantine") in security
    assert m("sec.dmarc_none") not in security


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quarantine_is_never_said_as_refusal(hunter, lang):
    """No SPF, no DKIM key, DMARC quarantine: receivers put their own mail in spam or hold it (RFC 7489 6.3)."""
    m = Messages(lang)
    _scan(hunter, "b11-karantina-spfsiz.com.tr")
    security = _brief(hunter, "b11-karantina-spfsiz.com.tr", lang)["security"]
    policy, fate = m.label("dmarc.policy", "quarantine"), m("dmarc.fate.quarantine")
    assert m("sec.spf_missing_dmarc", policy=policy, fate=fate) in security
    assert m("sec.own_mail_fails_dmarc", policy=policy, fate=fate) in security
    assert not any(m("dmarc.fate.reject") in line for line in security)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mail_to_an_address_mx_may_bounce_in_the_offer_too(hunter, lang):
    m = Messages(lang)
    _scan(hunter, "b10-ipmx.com.tr")
    offer = _brief(hunter, "b10-ipmx.com.tr", lang)["offer"]["lines"]
    assert m("offer.why.broken_mx_ip") in offer and m("offer.why.broken") not in offer


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_win_back_with_a_tenant_left_behind(hunter, dns, zone_text, ms, lang):
    """Microsoft 365, then Google Workspace, and the tenant is still there: still a win-back in the
    one-liner, talking points and questions, never "bring the mailboxes home" as a first sale."""
    from conftest import Tenant
    from test_brief_trial10 import ON_GOOGLE, ON_M365, W, _scan_through

    ms.tenants[W] = Tenant(id="66666666-5555-4444-8333-222222222222", brand="Geri Kazan", region="EU")
    _scan_through(hunter, dns, zone_text, ON_M365, ON_GOOGLE)
    m = Messages(lang)
    brief = _brief(hunter, W, lang)
    assert brief["tenant"] is not None
    google = m("provider.google")
    assert brief["one_liner"].startswith(m.data["one_liner.winback"].split("{")[0])
    assert brief["talking_points"][: len(m.data["talk.winback"])] == m("talk.winback", provider=google)
    assert brief["questions"][: len(m.data["q.winback"])] == m("q.winback", provider=google)
    assert not brief["one_liner"].startswith(m.data["one_liner.P2_tenant"].split("{")[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_failed_latest_scan_is_said(hunter, dns, lang):
    """The last good scan is kept (a failed one never replaces it), and the brief says it is not the latest."""
    domain = "b11-notr.com.tr"
    _scan(hunter, domain)
    dns.faults[domain] = "servfail"  # MX, TXT: the zone's servers fail
    assert hunter.scan_json(domain, "--no-whois", code=ExitStatus.ALL_FAILED)[domain]["status"] == "failed"
    m = Messages(lang)
    brief = _brief(hunter, domain, lang)
    first = brief["mail"][0]
    assert first.startswith(m.data["mail.latest_failed"].split("(")[0]), first
    assert m("mail.rescan", domain=domain) in first
    assert brief["status"] == "ok"  # what the brief reads is the last good scan
