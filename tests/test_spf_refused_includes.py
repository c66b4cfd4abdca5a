"""An include under a `-`, `~` or `?` qualifier lets nobody pass (RFC 7208 4.6.2, 5.2): it authorizes no
sender, so it names no service in use, no provider and no Exchange Online (trial 25: `-include:sendgrid.net`
listed the domain under `--uses sendgrid`). A record whose every term carries such a qualifier (`v=spf1 ?all`)
lets nobody pass either: with DMARC enforced and no DKIM key, any mail they send fails DMARC."""

from __future__ import annotations

import json

import pytest

from hunter_cli.brief.messages import Messages

REFUSED = "s29-ret-inc.com.tr"
NOBODY = "s29-notr-tek.com.tr"


def test_a_refused_include_authorizes_nobody(hunter):
    out = hunter.scan_json(REFUSED, "--no-whois", "--no-tenant")[REFUSED]
    assert out["spf"]["includes"] == ["spf.protection.outlook.com"]
    assert "sendgrid.net" not in out["spf"]["expanded"] and "_spf.google.com" not in out["spf"]["expanded"]
    assert {s["id"] for s in out["services"]} & {"sendgrid", "google"} == set()
    assert out["provider"] == "m365"
    listed = json.loads(hunter("leads", "--uses", "sendgrid", "-f", "json").stdout)
    assert REFUSED not in {r["domain"] for r in listed}
    mail = json.loads(hunter("sales-summary", REFUSED, "--json").stdout)["mail"]
    assert not any("sendgrid.net" in line or "_spf.google.com" in line for line in mail), mail


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_record_that_passes_nobody_says_their_mail_fails_dmarc(hunter, lang):
    m = Messages(lang)
    hunter.scan_json(NOBODY, "--no-whois", "--no-tenant")
    said = json.loads(hunter("sales-summary", NOBODY, "--json", "--lang", lang).stdout)["security"]
    line = m(
        "sec.own_mail_unlisted_fails_dmarc.none_listed",
        policy=m.label("dmarc.policy", "reject"),
        fate=m("dmarc.fate.reject"),
        record="v=spf1 ?all",
    )
    assert line in said, said


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_key_in_testing_is_not_called_no_key_in_the_talking_point(hunter, lang):
    m = Messages(lang)
    domain = "b7-dkim-test-spfsiz.com.tr"
    hunter.scan_json(domain, "--no-whois", "--no-tenant")
    talk = json.loads(hunter("sales-summary", domain, "--json", "--lang", lang).stdout)["talking_points"]
    point = m(
        "talk.own_mail_fails_dmarc.no_spf.testing",
        policy=m.label("dmarc.policy", "reject"),
        fate=m("dmarc.fate.reject"),
    )
    assert point in talk, talk


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_term_decided_before_a_weaker_own_all_is_not_fixed_by_removing_it(hunter, lang):
    """trial 25 (F8): `?exists:x +all` (x always resolves) is neutral for everyone, and the advice "remove that
    term" would leave `+all`; `~exists:x ?all` is softfail, and removing the term would leave `?all`, whose
    `spf-neutral-all` warning was given though no sender reaches it."""
    m = Messages(lang)
    got = hunter.scan_json("s29-once-arti.com.tr", "s29-once-notr.com.tr", "--no-whois", "--no-tenant")
    assert got["s29-once-notr.com.tr"]["spf"]["all"] == "~all"
    assert "spf-neutral-all" not in {w["code"] for w in got["s29-once-notr.com.tr"]["spf"]["warnings"]}
    for domain, key, own, given, term in (
        ("s29-once-arti.com.tr", "neutral", "+all", "?all", "?exists:e.s29-once-arti.com.tr"),
        ("s29-once-notr.com.tr", "soft", "?all", "~all", "~exists:e.s29-once-notr.com.tr"),
    ):
        said = json.loads(hunter("sales-summary", domain, "--json", "--lang", lang).stdout)["security"]
        who = m("sec.spf_all_decided.who.any")  # exists: asks for an A record whatever the sender's family
        line = m(f"sec.spf_all_decided.{key}.end", own=own, all=given, terms=term, who=who)
        assert line in said, said
