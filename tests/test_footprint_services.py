"""The services catalog: every entry found from its own examples, and only that entry."""

from __future__ import annotations

import pytest

from hunter_cli.catalog import load_catalog
from hunter_cli.footprint import find_services
from hunter_cli.footprint.schema import services_catalog
from hunter_cli.footprint.services import identity_service_for, verification_prefixes

CATALOG = services_catalog()
LISTED = [s for s in CATALOG.services if s.listed]


def evidence_of(svc) -> dict:
    """The service's own examples as find_services arguments."""
    return {
        "txt": [t.example for t in svc.txt],
        "spf_includes": [p.example for p in svc.spf],
        "dkim_cnames": [p.example for p in svc.dkim],
        "nameservers": [p.example for p in svc.ns],
        "federation_host": svc.federation[0].example if svc.federation else None,
    }


def test_catalog_is_big_enough_and_covers_the_issue():
    ids = {s.id for s in LISTED}
    assert len(ids) >= 40
    wanted = {
        "google",
        "zoom",
        "slack",
        "okta",
        "duo",
        "dropbox",
        "box",
        "atlassian",
        "salesforce",
        "hubspot",
        "zendesk",
        "freshdesk",
        "mailchimp",
        "sendgrid",
        "mailgun",
        "amazon-ses",
        "docusign",
        "adobe-sign",
        "cloudflare",
    }
    assert wanted <= ids


@pytest.mark.parametrize("svc", LISTED, ids=lambda s: s.id)
def test_each_service_is_found_from_its_own_examples_and_nothing_else(svc):
    found = find_services(**evidence_of(svc))
    assert [s.id for s in found] == [svc.id], "an example must name its own service only"
    (hit,) = found
    kinds = len(svc.txt) + len(svc.spf) + len(svc.dkim) + len(svc.ns) + len(svc.federation[:1])
    assert len(hit.evidence) == kinds  # one sentence per piece of evidence
    assert (hit.name, hit.category) == (svc.name, svc.category)


@pytest.mark.parametrize("svc", LISTED, ids=lambda s: s.id)
def test_each_example_alone_is_enough(svc):
    for t in svc.txt:
        assert [s.id for s in find_services(txt=[t.example])] == [svc.id]
    for p in svc.spf:
        assert [s.id for s in find_services(spf_includes=[p.example])] == [svc.id]
    for p in svc.dkim:
        assert [s.id for s in find_services(dkim_cnames=[p.example])] == [svc.id]
    for p in svc.ns:
        assert [s.id for s in find_services(nameservers=[p.example])] == [svc.id]
    for p in svc.federation:
        assert [s.id for s in find_services(federation_host=p.example)] == [svc.id]


def test_evidence_is_plain_words():
    (zoom,) = find_services(txt=["ZOOM_verify_abc"])
    assert zoom.evidence == ["apex TXT token ZOOM_verify_…"]
    (mc,) = find_services(dkim_cnames=["dkim.mcsv.net."])
    assert mc.evidence == ["DKIM selector CNAME to dkim.mcsv.net"]
    (cf,) = find_services(nameservers=["Amy.NS.Cloudflare.com."])
    assert cf.evidence == ["name server amy.ns.cloudflare.com: their name servers are Cloudflare's"]


def test_near_misses_are_not_services():
    assert (
        find_services(
            txt=["v=spf1 include:sendgrid.net -all", "zoom_verify", "slack-domain-verification"],
            spf_includes=["notsendgrid.net", "mcsv.net.example.com"],
            dkim_cnames=["dkim.mcsv.net.evil.example"],
            nameservers=["ns.cloudflare.com.evil.example", "ns1.awsdns.com"],
            federation_host="okta.com.evil.example",
        )
        == []
    )


def test_microsoft_token_is_not_an_other_service():
    assert find_services(txt=["MS=ms12345678"]) == []


def test_several_services_in_catalog_order_with_evidence_merged():
    found = find_services(
        txt=["slack-domain-verification=x", "ZOOM_verify_y", "docusign=z"],
        spf_includes=["servers.mcsv.net", "sendgrid.net", "_spf.salesforce.com"],
        dkim_cnames=["s1.domainkey.u1.wl1.sendgrid.net"],
    )
    ids = [s.id for s in found]
    order = [s.id for s in LISTED]
    assert ids == sorted(ids, key=order.index)
    assert set(ids) == {"slack", "zoom", "docusign", "mailchimp", "sendgrid", "salesforce"}
    sendgrid = next(s for s in found if s.id == "sendgrid")
    assert len(sendgrid.evidence) == 2


def test_identity_service_for_federation_hosts():
    assert identity_service_for("acme.okta.com") == "okta"
    assert identity_service_for("sso-1.sso.duosecurity.com") == "duo"
    assert identity_service_for("sts.acme.com.tr") is None


OLD_VERIFICATION = [
    ("MS=", "microsoft"),
    ("google-site-verification=", "google"),
    ("facebook-domain-verification=", "facebook"),
    ("apple-domain-verification=", "apple"),
    ("apple-domain=", "icloud"),
    ("atlassian-domain-verification=", "atlassian"),
    ("atlassian-sending-domain-verification=", "atlassian"),
    ("status-page-domain-verification=", "statuspage"),
    ("docusign=", "docusign"),
    ("ZOOM_verify_", "zoom"),
    ("adobe-idp-site-verification=", "adobe"),
    ("adobe-sign-verification=", "adobe"),
    ("globalsign-domain-verification=", "globalsign"),
    ("_globalsign-domain-verification=", "globalsign"),
    ("amazonses:", "amazon"),
    ("yandex-verification:", "yandex"),
    ("zoho-verification=", "zoho"),
    ("protonmail-verification=", "proton"),
    ("stripe-verification=", "stripe"),
    ("dropbox-domain-verification=", "dropbox"),
    ("openai-domain-verification=", "openai"),
    ("anthropic-domain-verification", "anthropic"),
    ("onetrust-domain-verification=", "onetrust"),
    ("miro-verification=", "miro"),
    ("notion-domain-verification=", "notion"),
    ("canva-site-verification=", "canva"),
    ("yahoo-verification-key=", "yahoo"),
    ("duo_sso_verification=", "duo"),
    ("cloudflare_dashboard_sso=", "cloudflare"),
    ("zapier-domain-verification-challenge=", "zapier"),
    ("brevo-code:", "brevo"),
    ("sendinblue-code:", "brevo"),
    ("mgverify=", "mailgun"),
    ("klaviyo-site-verification=", "klaviyo"),
    ("tmes=", "trendmicro"),
]


def test_catalog_verifications_behave_exactly_as_before():
    """The 35 kinds moved to services.json; Catalog.verifications() reports the same ids."""
    assert sorted(verification_prefixes()) == sorted((p.lower(), s) for p, s in OLD_VERIFICATION)
    cat = load_catalog()

    def old(txts):  # the former implementation, over the former list
        found = []
        for txt in txts:
            low = txt.strip().lower()
            for prefix, service in OLD_VERIFICATION:
                if low.startswith(prefix.lower()) and service not in found:
                    found.append(service)
        return found

    samples = [p + "token" for p, _ in OLD_VERIFICATION] + ["slack-domain-verification=x", "v=spf1 -all", " MS=ms1 "]
    for s in samples:
        assert cat.verifications([s]) == old([s]), s
    assert cat.verifications(samples) == old(samples)
    assert cat.verifications(list(reversed(samples))) == old(list(reversed(samples)))
    # new tokens are services, not stored verifications (the stored kinds stay as they were)
    assert cat.verifications(["slack-domain-verification=x", "hubspot-developer-verification=y"]) == []


def test_a_users_own_providers_file_with_a_verification_list_still_works():

    from hunter_cli.catalog import _load

    cat = _load({"mailbox": [], "gateways": [], "verification": [{"prefix": "Acme-Verify=", "service": "acme"}]})
    assert cat.verifications(["acme-verify=1", "MS=ms1"]) == ["acme"]
    bundled = _load({"mailbox": [], "gateways": []})
    assert bundled.verifications(["MS=ms1"]) == ["microsoft"]
