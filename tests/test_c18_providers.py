"""Trial 18: real provider host names (tests/zones/c18-providers.zone), over the suite's DNS server.

- The DKIM selectors a mailbox provider hands out (``dkim_selectors`` in providers.json: Proton's
  ``protonmail``..``protonmail3``, IONOS's ``s1-ionos``/``s2-ionos``, Fastmail's ``fm1``..``fm3``,
  mailbox.org's ``MBO0001``..``MBO0004``) are asked in the selector wave when the MX or the SPF record names
  the provider; a domain whose provider hands out none is asked the default list only.
- An SPF include under the same registrable domain as the provider's MX host (Natro's
  ``spf.kurumsaleposta.com`` beside ``mx.kurumsaleposta.com``) is the provider's own: no "SPF does not
  list their provider", and no "shared hosting with neither SPF nor DKIM" for a domain that has SPF.
- Providers and gateways added: Cloudflare Email Security (``*.mxrecord.io``/``*.mxrecord.mx``), Uzman
  Posta, Aruba Business, GMX.
- A provider change names the hosting firm: ``Natro (shared hosting) → Microsoft 365``.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from hunter_cli.brief.events import event_text, messages
from hunter_cli.brief.messages import LANGUAGES, Messages
from hunter_cli.dns.dkim import DEFAULT_SELECTORS
from hunter_cli.lead.posture import changes

SELECTORS = {
    "c18-proton.ch": (["protonmail", "protonmail2", "protonmail3"], "protonmail2"),
    "c18-ionos.de": (["s1-ionos", "s2-ionos"], "s2-ionos"),
    "c18-fastmail.com": (["fm1", "fm2", "fm3"], "fm3"),
    "c18-mbo.de": (["mbo0001", "mbo0002", "mbo0003", "mbo0004"], "mbo0004"),
    "c18-ionos-relay.de": (["s1-ionos", "s2-ionos"], "s1-ionos"),  # named by the SPF record only
}


def test_the_selectors_a_provider_hands_out_are_asked(hunter):
    got = hunter.scan_json(*SELECTORS, "c18-google.com", "--no-tenant", "--no-whois")
    for domain, (extra, published) in SELECTORS.items():
        dkim = got[domain]["dkim"]
        assert dkim["checked"] == [*DEFAULT_SELECTORS, *extra], domain
        assert [(s["selector"], s["key_type"]) for s in dkim["selectors"]] == [(published, "rsa")], domain
        assert "dkim +10" in got[domain]["reasons"] and "no_dkim -15" not in got[domain]["reasons"], domain
    # a provider that hands out no selectors of its own: the default list only (no question more), so the
    # key published at a Proton selector of a Google Workspace domain is not seen
    google = got["c18-google.com"]["dkim"]
    assert google["checked"] == list(DEFAULT_SELECTORS) and google["selectors"] == []


def test_selectors_given_on_the_command_line_still_get_the_providers(hunter):
    got = hunter.scan_json("c18-proton.ch", "--no-tenant", "--no-whois", "--dkim-selectors", "google")
    dkim = got["c18-proton.ch"]["dkim"]
    assert dkim["checked"] == ["google", "protonmail", "protonmail2", "protonmail3"]
    assert [s["selector"] for s in dkim["selectors"]] == ["protonmail2"]


NATRO_OWN = ["c18-natro-kep.com.tr", "c18-natro-red.com.tr"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_include_of_the_providers_own_mail_host_family_is_theirs(hunter, lang):
    from hunter_cli.brief.compose import compose
    from hunter_cli.render.brief import markdown

    m = Messages(lang)
    got = hunter.scan_json(*NATRO_OWN, "c18-natro-foreign.com.tr", "--no-tenant", "--no-whois")
    for domain in NATRO_OWN:
        data = got[domain]
        assert (data["provider"], data["provider_name"]) == ("hosting", "Natro"), domain
        assert data["spf"]["result"] == "valid"
        assert "spf +10" in data["reasons"] and "weak_hosting -10" not in data["reasons"], data["reasons"]
        text = markdown(compose(data, lang=lang, today=date(2026, 11, 30)))
        assert m("reason.spf_omits_provider", points=-10) not in text, domain
        assert m("sec.spf_omits_provider", provider="Natro", all="~all", result=m("spf_result.softfail")) not in text
    # an include of a host that is not Natro's still leaves Natro out: counted as no SPF, and without DKIM
    # the hosting item fires, worded for a record that exists but does not protect their mail
    data = got["c18-natro-foreign.com.tr"]
    assert "no_spf -10" in data["reasons"] and "weak_hosting -10" in data["reasons"], data["reasons"]
    text = markdown(compose(data, lang=lang, today=date(2026, 11, 30)))
    assert m("reason.spf_omits_provider", points=-10) in text
    assert m("reason.weak_hosting", points=-10) not in text  # the brief's first reasons; all: `explain`, below


def test_explain_does_not_say_neither_spf_nor_dkim_beside_an_spf_record(hunter):
    hunter.scan_json("c18-natro-foreign.com.tr", "--no-tenant", "--no-whois")
    en = Messages("en")
    for lang in LANGUAGES:
        m = Messages(lang)
        out = hunter("explain", "c18-natro-foreign.com.tr", "--lang", lang).output
        assert m("explain.item.weak_hosting_spf") in out, out
        assert m("explain.item.weak_hosting") not in out, out
    assert "neither" not in en("explain.item.weak_hosting_spf")


ADDED = {
    "c18-cf-m365.com.tr": ("m365", None, "cloudflare"),
    "c18-cf-google.com": ("google", None, "cloudflare"),
    "c18-uzman.com.tr": ("hosting", "Uzman Posta", None),
    "c18-arubabiz.it": ("hosting", "Aruba", None),
    "c18-gmx.de": ("hosting", "GMX / mail.com", None),
}


def test_providers_and_gateways_added_in_trial_18(hunter):
    got = hunter.scan_json(*ADDED, "--no-tenant", "--no-whois")
    for domain, (provider, name, gateway) in ADDED.items():
        r = got[domain]
        assert r["status"] == "ok", domain
        assert r["provider"] == provider and r["gateway"] == gateway, (domain, r["provider"], r["gateway"])
        if name:
            assert r["provider_name"] == name, domain
    assert any("Cloudflare Email Security" in e for e in got["c18-cf-m365.com.tr"]["evidence"])


D = "c18-tasinan.com.tr"
NATRO = f"""{D}. 300 IN MX 10 mx.kurumsaleposta.com.
{D}. 300 IN TXT "v=spf1 include:spf.kurumsaleposta.com ~all"
"""
M365 = f"""{D}. 300 IN MX 0 c18-tasinan-com-tr.mail.protection.outlook.com.
c18-tasinan-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.221
{D}. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"
"""
TURHOST = f"""{D}. 300 IN MX 10 srvm12.turhost.com.
srvm12.turhost.com. 300 IN A 198.51.100.222
"""


def _provider_events(db) -> list[tuple[str, str | None, str | None, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT kind, old, new, detail FROM events WHERE domain = ? AND kind = 'provider_changed'"
            " ORDER BY scan_id, id",
            (D,),
        ).fetchall()
    finally:
        conn.close()


def test_a_provider_change_names_the_hosting_firm(hunter, dns, db, zone_text):
    try:
        for zone in (NATRO, M365, TURHOST, NATRO):
            dns.load(zone_text + zone)
            assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    events = _provider_events(db)
    # Natro -> Microsoft 365 -> Turhost -> Natro: a move between two hosting firms is a change too
    assert [(k, o, n) for k, o, n, _ in events] == [
        ("provider_changed", "hosting", "m365"),
        ("provider_changed", "m365", "hosting"),
        ("provider_changed", "hosting", "hosting"),
    ]
    en, tr = messages("en"), messages("tr")
    said = [event_text(en, *e) for e in events]
    assert said == [
        "Provider: Natro (shared hosting) → Microsoft 365",
        "Provider: Microsoft 365 → Turhost (shared hosting)",
        "Provider: Turhost (shared hosting) → Natro (shared hosting)",
    ]
    assert event_text(tr, *events[0]) == "E-posta sağlayıcısı değişti: Natro (paylaşımlı hosting) → Microsoft 365"
    out = hunter("changes", "--since", "7d").output
    assert "Natro (shared hosting) → Microsoft 365" in out, out
    brief = hunter("sales-summary", D, "--lang", "tr").output
    assert "Turhost (paylaşımlı hosting) → Natro (paylaşımlı hosting)" in brief, brief
    # a view stored without the firm's name makes no change of a named one
    natro, unnamed = {"provider": "hosting", "provider_name": "Natro"}, {"provider": "hosting"}
    assert changes(natro, unnamed) == [] and changes(unnamed, natro) == []
    # an event stored before the names were kept (no detail) still reads as it did
    assert event_text(en, "provider_changed", "hosting", "m365", None) == "Provider: shared hosting → Microsoft 365"
