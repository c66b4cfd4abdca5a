"""Trial 18: real provider host names (tests/zones/c18-providers.zone), over the suite's DNS server.

- The DKIM selectors a mailbox provider hands out (``dkim_selectors`` in providers.json: Proton's
  ``protonmail``..``protonmail3``, IONOS's ``s1-ionos``/``s2-ionos``, Fastmail's ``fm1``..``fm3``,
  mailbox.org's ``MBO0001``..``MBO0004``) are asked in the selector wave when the MX or the SPF record names
  the provider; a domain whose provider hands out none is asked the default list only.
- Providers and gateways added: Cloudflare Email Security (``*.mxrecord.io``/``*.mxrecord.mx``), Uzman
  Posta, Aruba Business, GMX.
"""

from __future__ import annotations

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
