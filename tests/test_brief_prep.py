"""`hunter prep`, `sales-summary` and `explain` as a rep sees them: no offer of what the customer already
uses, each warning once, every line in the brief's language, long host names folded only between their
labels, a missing domain said plainly."""

from __future__ import annotations

from datetime import date

import pytest

from hunter_cli.brief.messages import LANGUAGES

OWNED = ("sahip-intune.com.tr", "sahip-teams.com.tr", "sahip-google.com", "sahip-sunucu.com.tr")


@pytest.fixture
def owned(hunter, ms):
    """The tests/zones/brief-owned.zone domains scanned over real DNS, two of them with a tenant."""
    from msserver import Tenant

    ms.tenants["sahip-intune.com.tr"] = Tenant(id="51515151-1111-4222-8333-444444444444", brand="Sahip Intune")
    ms.tenants["sahip-google.com"] = Tenant(id="52525252-1111-4222-8333-444444444444", brand="Sahip Google")
    return hunter.scan_json(*OWNED, "--no-whois")


def _brief(data: dict, lang: str):
    from hunter_cli.brief.compose import compose

    return compose(data, lang=lang, today=date(2026, 11, 27))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_never_sells_what_the_footprint_shows_in_use(owned, lang):
    """Intune enrolment, Teams Online: no play, tier, reason or talking point sells them again, the
    consistency check's ``owned`` rule holds, and a Microsoft workload in use is never a greenfield."""
    from test_brief_consistency import check

    from hunter_cli.brief.messages import Messages
    from hunter_cli.render.brief import markdown

    m = Messages(lang)
    briefs = {d: _brief(owned[d], lang) for d in OWNED}
    for d, b in briefs.items():
        assert check(markdown(b), lang) == [], d
    intune = briefs["sahip-intune.com.tr"]  # Microsoft 365, poorly protected, Intune in use
    assert intune.offer.tier == "defender" and "intune" not in intune.offer.plays
    assert m("offer.why.has.intune") in intune.offer.lines
    assert not any("Business Premium" in line for line in intune.offer.lines + intune.talking_points)
    teams = briefs["sahip-teams.com.tr"]  # Teams Online and Zoom: Teams Phone, never Teams itself
    assert teams.offer.plays == ["teams-phone"]
    google = briefs["sahip-google.com"]  # mail on Google; Teams and Intune in use
    assert google.offer.tier == "standard" and "defender" in google.offer.addons
    assert google.offer.plays == ["teams-phone"]
    assert google.questions[1] == m("q.P2.with_teams", provider="")[1]
    own = briefs["sahip-sunucu.com.tr"]  # their own mail server, Teams Online, no tenant found
    assert own.talking_points[:3] == m("talk.P1_microsoft.with_teams", provider=m("provider.self-hosted"))
    assert m("mail.no_tenant") not in own.mail
    assert own.offer.lines[-2] == m("offer.why.greenfield_microsoft")


def _prep(hunter, *args: str, env: dict | None = None):
    """`hunter prep` through the test DNS server."""
    return hunter("prep", *args, "--nameserver", hunter.server.nameserver, "--timeout", "0.3", env=env)


@pytest.mark.parametrize("width", ["80", "60"])
def test_prep_folds_long_host_names_only_between_labels(hunter, width):
    """`COLUMNS=80 hunter prep`: an MX host, a DKIM CNAME target or an SPF include longer than the space
    left is broken after a dot or a hyphen (or starts a line of its own), never inside a label."""
    import json

    from test_brief_consistency import _cuts

    for domain in ("br5-barracuda-yeni.com.tr", "m365-dnssec-ornek.de", "cat5-spamexperts-m365.com.tr"):
        for lang in LANGUAGES:
            shown = _prep(hunter, domain, "--lang", lang, "--no-whois", env={"COLUMNS": width})
            assert shown.exit_code == 0, shown.stderr
            assert max(len(line) for line in shown.stdout.splitlines()) <= int(width)
            brief = json.loads(hunter("sales-summary", domain, "--lang", lang, "--json").stdout)
            texts = [*brief["mail"], *brief["security"], *brief["microsoft"], *brief["services"]]
            assert len(texts) > 5 and _cuts(shown.stdout, texts) == [], (domain, lang)
