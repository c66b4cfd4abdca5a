"""Every provider and gateway id, classified from realistic records served over real DNS."""

import json
from pathlib import Path

from hunter_cli.catalog import GATEWAY_IDS, MAILBOX_IDS, load_catalog

EXPECTED = json.loads((Path(__file__).parent / "zones" / "providers_expected.json").read_text())


def test_fixtures_cover_every_id():
    providers = {v["provider"] for v in EXPECTED.values()}
    gateways = {v["gateway"] for v in EXPECTED.values()} - {None}
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
