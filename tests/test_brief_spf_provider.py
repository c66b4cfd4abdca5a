"""An SPF record that does not list the servers of the provider that sends their mail (issue 13).

RFC 7208 2.6: a sender the record does not authorize gets ``softfail`` (``~all``) or ``fail`` (``-all``),
never ``pass``; RFC 7489 4.2: DMARC then passes only through DKIM. So the record earns no SPF points (it
counts as no SPF: docs/scoring.md, ``FACTS_REVISION`` 3), the risk counts it as an SPF gap, and the brief
says it as an error for their own outgoing mail, not a style warning. A record with a mechanism other than
``include:`` (an address of their own may be a relay) gets no verdict."""

from datetime import date

import pytest

from hunter_cli.brief.messages import LANGUAGES, Messages

OMITS = {"b7-natro-kaldi.com.tr": "Microsoft 365", "b8-google-spf-ms.com": "Google Workspace"}
LISTS = ["natro-ornek.com.tr", "b7-gonderici.com.tr", "firma.com.tr", "b8-m365-ip4.com.tr", "gmailer.de"]


@pytest.fixture
def scanned(hunter, ms):
    return hunter.scan_json(*OMITS, *LISTS, "--no-whois")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_spf_that_leaves_out_the_mail_provider_earns_nothing_and_is_an_error(scanned, lang):
    from test_brief_consistency import _patterns, _said, check

    from hunter_cli.brief.compose import compose
    from hunter_cli.render.brief import markdown

    m = Messages(lang)
    for domain, name in OMITS.items():
        data = scanned[domain]
        assert data["spf"]["result"] == "valid", domain  # legal SPF ...
        assert "no_spf -10" in data["reasons"] and "spf +10" not in data["reasons"], data["reasons"]
        brief = compose(data, lang=lang, today=date(2026, 11, 27))
        spf_all = data["spf"]["all"]
        assert m("sec.spf_omits_provider", provider=name, all=spf_all) in brief.security, domain
        assert brief.risk in ("medium", "high")
        text = markdown(brief)
        assert not _said(text, _patterns(lang, ["reason.spf"])), domain  # never "SPF published: +10"
        assert m("reason.spf_omits_provider", points=-10) in text
        assert check(text, lang) == [], domain
    for domain in LISTS:  # the provider listed, or no verdict to give
        data = scanned[domain]
        brief = compose(data, lang=lang, today=date(2026, 11, 27))
        assert not _said(markdown(brief), _patterns(lang, ["sec.spf_omits_provider"])), domain
        if data["spf"]["result"] == "valid":
            assert "spf +10" in data["reasons"], (domain, data["reasons"])
