"""Selectors asked by evidence: a service the domain shows (an SPF include or redirect target, a TXT
token: hunter_cli/catalog/services.json) has its ``dkim_selectors`` asked too, in the same wave as
the default list; a domain that shows none is asked the default list only (tests/zones/dkim_services.zone)."""

from __future__ import annotations

from hunter_cli.dns.dkim import DEFAULT_SELECTORS, selectors_shown
from hunter_cli.facts import dkim_state


def test_selectors_come_from_the_records_written_at_the_apex():
    assert selectors_shown(["v=spf1 include:mail.zendesk.com -all"]) == ("zendesk1", "zendesk2")
    assert selectors_shown(["v=spf1 redirect=1.spf01.hubspotemail.net"]) == ("hs1", "hs2")
    assert selectors_shown(["mailchimp=2e7c4a1f9b3d", "v=spf1 include:sendgrid.net ~all"]) == (
        "k1", "k2", "k3", "s1", "s2",
    )  # fmt: skip
    assert selectors_shown(["v=spf1 mx -all"]) == ()
    assert selectors_shown([]) == ()
    assert selectors_shown(["v=spf1 include:%{d}.mail.zendesk.com -all"]) == ()  # a macro is not evidence
    assert selectors_shown(["v=spf1 a:mail.zendesk.com -all"]) == ()  # only include and redirect name a sender


def test_a_service_the_domain_shows_has_its_selectors_asked(hunter):
    domains = ["hizmet-zendesk.com.tr", "hizmet-mailchimp.com.tr", "hizmet-hubspot.com.tr", "hizmet-yok.com.tr"]
    got = hunter.scan_json(*domains, "--no-tenant", "--no-whois")
    for domain in domains:
        assert got[domain]["status"] == "ok", domain

    def found(domain):
        return [(s["selector"], s["key_type"]) for s in got[domain]["dkim"]["selectors"]]

    zd = got["hizmet-zendesk.com.tr"]["dkim"]
    assert zd["checked"] == [*DEFAULT_SELECTORS, "zendesk1", "zendesk2"]
    assert found("hizmet-zendesk.com.tr") == [("zendesk2", "rsa")] and dkim_state(zd) == "key"
    mc = got["hizmet-mailchimp.com.tr"]["dkim"]
    assert mc["checked"] == [*DEFAULT_SELECTORS, "k2", "k3"]  # k1 is in the default list already
    assert found("hizmet-mailchimp.com.tr") == [("k3", "rsa")]
    assert got["hizmet-hubspot.com.tr"]["dkim"]["checked"][-2:] == ["hs1", "hs2"]
    assert found("hizmet-hubspot.com.tr") == [("hs1", "rsa")]
    assert "HubSpot" in [s["name"] for s in got["hizmet-hubspot.com.tr"]["services"]]
    # no service shown: the default list only, so the key at zendesk1 is not seen (and costs no query)
    none = got["hizmet-yok.com.tr"]["dkim"]
    assert none["checked"] == list(DEFAULT_SELECTORS) and none["selectors"] == [] and dkim_state(none) == "none"


def test_selectors_given_on_the_command_line_still_get_the_evidence_ones(hunter):
    got = hunter.scan_json("hizmet-zendesk.com.tr", "--no-tenant", "--no-whois", "--dkim-selectors", "google")
    dkim = got["hizmet-zendesk.com.tr"]["dkim"]
    assert dkim["checked"] == ["google", "zendesk1", "zendesk2"]
    assert [s["selector"] for s in dkim["selectors"]] == ["zendesk2"]
