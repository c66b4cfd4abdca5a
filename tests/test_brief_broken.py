"""Mail that bounces is the most urgent call (issue 13): a domain whose MX hosts do not resolve (provider
``broken``; RFC 5321 5.1: no address for any MX host, so delivery fails) is ranked P1 by the rule
``broken_mail`` (docs/scoring.md), and its brief says the mail bounces; the footprint never has Exchange
Online handling mail sent to a ``*.mail.protection.outlook.com`` host that does not exist."""

from datetime import date

import pytest

from hunter_cli.brief.messages import LANGUAGES, Messages

# tests/zones/brief8.zone (dangling Exchange Online MX hosts) and tests/zones/dmarc_mx.zone (a typo)
BOUNCING = ["b8-sarkan.com.tr", "b8-kopuk.com"]


@pytest.fixture
def bouncing(hunter, ms):
    ms.tenants.clear()
    return hunter.scan_json(*BOUNCING, "--no-whois")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mail_that_bounces_is_the_first_call_and_never_told_as_handled(bouncing, lang):
    from test_brief_consistency import _patterns, _said, check

    from hunter_cli.brief.compose import compose
    from hunter_cli.render.brief import markdown

    m = Messages(lang)
    for domain in BOUNCING:
        data = bouncing[domain]
        assert data["provider"] == "broken" and data["category"] == "P1", domain
        assert "category:broken_mail" in data["reasons"], data["reasons"]
        brief = compose(data, lang=lang, today=date(2026, 11, 27))
        text = markdown(brief)
        assert check(text, lang) == [], domain
        assert brief.one_liner == m("one_liner.P1_broken", window=brief.follow_up)
        assert brief.talking_points[:3] == m("talk.P1_broken")
        assert not any(m("provider.broken") in t for t in brief.talking_points)
        assert m("offer.why.broken") in brief.offer.lines and "migration" not in brief.offer.addons
        # protection comes with the new set-up in the talk and the offer alike (a trial found "once it works,
        # we can look at protection" beside "put the protection in the first offer, not a later one")
        risk_first = m("offer.why.risk", level="{level}").split("{level}")[-1]
        assert not any(risk_first in line for line in brief.offer.lines), brief.offer.lines
        assert "SPF, DKIM" in m("talk.P1_broken")[2] and "DMARC" in m("talk.P1_broken")[2]
        assert _said(text, _patterns(lang, ["fp.exchange.mx_dangling"])) == ["fp.exchange.mx_dangling"]
        assert not _said(text, _patterns(lang, ["fp.exchange.online", "fp.exchange.online_sending", "next.P5"]))
