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
        result = {"-all": "fail", "~all": "softfail"}[spf_all]  # RFC 7208 8.4, 8.5: ~all never "fails"
        # no tenant stands behind Microsoft 365's MX (the stand-in knows none): a condition, not an error
        key = "sec.spf_omits_provider" + (".unconfirmed" if name == "Microsoft 365" else "")
        said = m(key, provider=name, all=spf_all, result=m(f"spf_result.{result}"))
        assert said in brief.security, domain
        assert brief.risk in ("medium", "high")
        text = markdown(brief)
        assert not _said(text, _patterns(lang, ["reason.spf"])), domain  # never "SPF published: +10"
        assert m("reason.spf_omits_provider", points=-10) in text
        assert check(text, lang) == [], domain
    for domain in LISTS:  # the provider listed, or no verdict to give
        data = scanned[domain]
        brief = compose(data, lang=lang, today=date(2026, 11, 27))
        omits = ["sec.spf_omits_provider", "sec.spf_omits_provider.unconfirmed"]
        assert not _said(markdown(brief), _patterns(lang, omits)), domain
        if data["spf"]["result"] == "valid":
            assert "spf +10" in data["reasons"], (domain, data["reasons"])


def test_one_reading_of_which_catalog_entry_is_their_provider():
    """`spf-other-mail-provider` and `spf_omits_provider` ask the same question of the catalog: hosting
    firms share the id ``hosting`` and differ by name; an unnamed hosting provider is matched by any (so
    no other firm is named against it, and no verdict is given on an include nobody can name)."""
    from hunter_cli.catalog import is_provider, load_catalog

    cat = load_catalog()
    natro = cat.match_spf("spf.natrohost.com")
    m365 = cat.match_spf("spf.protection.outlook.com")
    assert natro is not None and natro.id == "hosting" and m365 is not None and m365.id == "m365"
    assert is_provider(natro, "hosting", natro.name) and is_provider(natro, "hosting", None)
    assert not is_provider(natro, "hosting", "Another Hosting Firm")
    assert is_provider(m365, "m365", "Microsoft 365") and not is_provider(m365, "google", None)
    assert not is_provider(None, "m365", None)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_own_mail_that_cannot_pass_enforced_dmarc_is_urgent(hunter, ms, lang):
    """SPF that leaves out their provider, no DKIM key and DMARC at quarantine: receivers quarantine their
    own mail today (RFC 7489 4.2, 6.3). The brief says so, and says ~all gives softfail, never "fails"."""
    from conftest import Tenant

    from hunter_cli.brief.compose import compose

    m = Messages(lang)
    ms.tenants["b9-karantina.com.tr"] = Tenant(
        id="77777777-1111-4222-8333-444444444444", brand="Karantina", region="EU"
    )
    data = hunter.scan_json("b9-karantina.com.tr", "--no-whois")["b9-karantina.com.tr"]
    assert data["tenant"] is not None
    # the same records with no tenant behind the Microsoft 365 MX: both are conditions, as the SPF record
    # may be right and the MX left over
    said = compose({**data, "tenant": None}, lang=lang, today=date(2026, 11, 27)).security
    policy, soft = m.label("dmarc.policy", "quarantine"), m("spf_result.softfail")
    fate = m("dmarc.fate.quarantine")
    values = dict(provider="Microsoft 365", policy=policy, fate=fate)
    assert m("sec.spf_omits_provider.unconfirmed", provider="Microsoft 365", all="~all", result=soft) in said
    assert m("sec.own_mail_fails_dmarc_omits.unconfirmed", **values) in said
    assert m("sec.own_mail_fails_dmarc_omits", **values) not in said
    brief = compose(data, lang=lang, today=date(2026, 11, 27))
    # quarantine is no refusal (RFC 7489 6.3): spam or held for review
    fate = m("dmarc.fate.quarantine")
    assert m("sec.own_mail_fails_dmarc_omits", provider="Microsoft 365", policy=policy, fate=fate) in brief.security
    assert "refuse" not in m("dmarc.fate.quarantine") and "reddedebilir" not in fate
    soft = m("spf_result.softfail")
    assert m("sec.spf_omits_provider", provider="Microsoft 365", all="~all", result=soft) in brief.security
    natro = hunter.scan_json("b7-natro-kaldi.com.tr", "--no-whois")["b7-natro-kaldi.com.tr"]  # no DMARC
    assert not any(
        "DMARC" in line and "today" in line for line in compose(natro, lang="en", today=date(2026, 11, 27)).security
    )


def test_explain_and_leads_show_name_the_real_spf_fault_and_keep_the_doubt(hunter, ms):
    """`explain` and `leads show` word the no-SPF points of a valid record that leaves out the provider as
    that fault, never "no valid SPF record"; with no tenant found behind the Microsoft 365 records, the
    segment, the category and the footprint say "not confirmed" as the brief's mail section does (a trial
    found `explain` saying "their mail is already on Microsoft 365" beside a brief that doubted it)."""
    ms.tenants.clear()
    hunter.scan_json("b7-natro-kaldi.com.tr", "--no-whois")
    wide = {"COLUMNS": "200"}
    explain = " ".join(hunter("explain", "b7-natro-kaldi.com.tr", env=wide).stdout.split())
    assert "does not list their mail provider's servers" in explain and "no valid SPF" not in explain, explain
    assert "records point at Microsoft 365, not confirmed" in explain, explain
    assert "already on Microsoft 365" not in explain and "(not confirmed)" in explain, explain
    tr = " ".join(hunter("explain", "b7-natro-kaldi.com.tr", "--lang", "tr", env=wide).stdout.split())
    assert "sağlayıcısının sunucularını listelemiyor" in tr and "(doğrulanmadı)" in tr, tr
    show = " ".join(hunter("leads", "show", "b7-natro-kaldi.com.tr", env=wide).stdout.split())
    assert "-10 an SPF record that does not list their mail provider's servers" in show, show  # in words
    assert "no_spf" not in show and "no valid SPF" not in show and "(not confirmed)" in show, show
    assert "Exchange: online by the records (no tenant found)" in show, show
    brief = " ".join(hunter("sales-summary", "b7-natro-kaldi.com.tr", "--format", "markdown").stdout.split())
    assert "so their mailboxes may not be there (any more): ask" in brief, brief
    assert "so their mailboxes are in Microsoft's cloud" not in brief and "now arrives at" not in brief, brief
