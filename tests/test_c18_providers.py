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
"""

from __future__ import annotations

from datetime import date

import pytest

from hunter_cli.brief.messages import LANGUAGES, Messages
from hunter_cli.dns.dkim import DEFAULT_SELECTORS

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
