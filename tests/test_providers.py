"""Every provider and gateway id, classified from realistic records served over real DNS."""

import json
from pathlib import Path

import pytest

from hunter_cli.catalog import GATEWAY_IDS, MAILBOX_IDS, load_catalog

EXPECTED = json.loads((Path(__file__).parent / "zones" / "providers_expected.json").read_text())

# The catalog audit's domains (tests/zones/cat5-providers.zone): (provider, gateway)
CAT5_EXPECTED = {
    "cat5-m365-de.de": ("m365", None),
    "cat5-spamexperts-m365.com.tr": ("m365", "spamexperts"),
    "cat5-spamexperts-eu.com.tr": ("google", "spamexperts"),
    "cat5-antispamcloud.com.tr": ("other", "spamexperts"),
    "cat5-forcepoint-m365.co.uk": ("m365", "forcepoint"),
    "cat5-messagelabs-us.com": ("google", "symantec"),
    "cat5-hornet-m365de.de": ("m365", "hornetsecurity"),
}


def test_fixtures_cover_every_id():
    providers = {v["provider"] for v in EXPECTED.values()}
    from test_c18_providers import ADDED  # trial 18's additions (tests/zones/c18-providers.zone)

    gateways = {v["gateway"] for v in EXPECTED.values()} | {g for _, g in CAT5_EXPECTED.values()}
    gateways |= {g for _, _, g in ADDED.values()}
    gateways -= {None}
    assert set(MAILBOX_IDS) <= providers
    assert {"self-hosted", "other", "none"} <= providers
    assert set(GATEWAY_IDS) == gateways


def test_every_fixture_domain_is_classified_as_expected(hunter):
    results = hunter.scan_json(*EXPECTED)
    assert set(results) == set(EXPECTED)
    wrong = {
        d: (r["provider"], r["gateway"], EXPECTED[d])
        for d, r in results.items()
        if (r["provider"], r["gateway"]) != (EXPECTED[d]["provider"], EXPECTED[d]["gateway"])
    }
    assert not wrong
    for r in results.values():
        assert r["status"] == "ok" and r["errors"] == []
        assert r["evidence"], r["domain"]


def test_gateway_with_m365_two_includes_deep(hunter):
    r = hunter.scan_json("gw-mimecast-deep.com.tr")["gw-mimecast-deep.com.tr"]
    assert (r["provider"], r["gateway"]) == ("m365", "mimecast")
    assert "spf.protection.outlook.com" in r["spf"]["expanded"]
    assert any("spf.protection.outlook.com" in e for e in r["evidence"])


def test_catalog_ids_are_the_documented_ones():
    cat = load_catalog()
    ids = {e.id for e in cat.mx.values()}
    assert ids <= set(MAILBOX_IDS) | set(GATEWAY_IDS)
    assert cat.match_mx("acme-com.mail.protection.outlook.com").id == "m365"
    assert cat.match_mx("acme-com.a-v1.mx.microsoft").id == "m365"
    assert cat.match_mx("smtp.google.com").id == "google"
    assert cat.match_mx("mx1.secureserver.net").id == "godaddy"
    # consumer Outlook.com's own MX is not a business M365 tenant
    assert cat.match_mx("outlook-com.olc.protection.outlook.com") is None


def test_audited_gateways_and_clouds_are_classified_over_real_dns(hunter):
    results = hunter.scan_json(*CAT5_EXPECTED)
    got = {d: (r["provider"], r["gateway"]) for d, r in results.items()}
    assert got == CAT5_EXPECTED
    for r in results.values():
        assert r["status"] == "ok" and r["errors"] == [], r["domain"]
    assert any(
        "SpamExperts" in e and "security gateway" in e for e in results["cat5-spamexperts-m365.com.tr"]["evidence"]
    )
    assert any("onmicrosoft.com" in e for e in results["cat5-spamexperts-m365.com.tr"]["evidence"])


@pytest.mark.parametrize(
    "host, want",
    [
        # Microsoft 365 national clouds (MX)
        ("contoso-de.mail.protection.outlook.de", "m365"),
        ("contoso-com.mail.protection.office365.us", "m365"),
        ("contoso-cn.mail.protection.partner.outlook.cn", "m365"),
        # SpamExperts: global, regional and Local Cloud hosts (N-able's MX page)
        ("mx.spamexperts.com", "spamexperts"),
        ("fallbackmx.spamexperts.eu", "spamexperts"),
        ("lastmx.spamexperts.net", "spamexperts"),
        ("mx3-us.spamexperts.com", "spamexperts"),
        ("filter40.antispamcloud.com", "spamexperts"),
        # Forcepoint customer MX
        ("cust41036-1.in.mailcontrol.com", "forcepoint"),
        # the others still where they were
        ("de-smtp-inbound-1.mimecast.com", "mimecast"),
        ("mx1-us1.ppe-hosted.com", "proofpoint"),
        ("d123456a.ess.barracudanetworks.com", "barracuda"),
        ("mx1.hc1234-56.iphmx.com", "cisco"),
        ("cluster9.eu.messagelabs.com", "symantec"),
        # look-alikes are nobody
        ("mailcontrol.com.example.net", None),
        ("notspamexperts.com", None),
        ("antispamcloud.com.tr", None),
        ("mail.protection.outlook.de.example", None),
    ],
)
def test_catalog_hosts_from_the_vendors_docs(host, want):
    e = load_catalog().match_mx(host)
    assert (e.id if e else None) == want


@pytest.mark.parametrize(
    "include, want",
    [
        ("spf.protection.outlook.com", "m365"),
        ("spf.protection.outlook.de", "m365"),  # Microsoft Cloud Deutschland (Microsoft's SPF syntax table, row 4)
        ("spf.protection.office365.us", "m365"),
        ("spf.protection.partner.outlook.cn", "m365"),
        ("_spf.google.com", "google"),
        ("_spf.yandex.net", "yandex"),
        ("spf.protection.outlook.de.example", None),
    ],
)
def test_spf_includes_of_the_mailbox_clouds(include, want):
    e = load_catalog().match_spf(include)
    assert (e.id if e else None) == want
