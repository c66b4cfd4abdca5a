"""The brief, the score and the risk level say the same thing about DKIM keys in testing mode or with an
error, parked domains and an SPF record that still names the old mail provider; `explain` speaks the
brief's languages; every label says what it means (issue 13: a brief never contradicts itself).

Scanned over the loopback DNS server (tests/zones/brief7.zone)."""

from __future__ import annotations

from datetime import date

import pytest

from hunter_cli.brief.messages import LANGUAGES, Messages

DKIM = (
    "b7-dkim-test.com.tr",
    "b7-dkim-test-spfsiz.com.tr",
    "b7-dkim-ikili.com.tr",
    "b7-dkim-kirik.com.tr",
    "dkim-test-y.com.tr",
)
PARKED = (
    "b7-park-null.com.tr",
    "b7-park-spf.com.tr",
    "b7-park-izle.com.tr",
    "b7-park-tam.com.tr",
    "b7-park-alt.com.tr",
)
MOVED = (
    "b7-tasindi.com.tr",
    "b7-natro-kaldi.com.tr",
    "b7-google-eski-ms.com",
    "b7-gonderici.com.tr",
    "b7-gw.com.tr",
    "b7-kendi.com.tr",
)


def _brief(view: dict, lang: str):
    from hunter_cli.brief.compose import compose

    return compose(view, lang=lang, today=date(2026, 11, 27))


def _text(brief) -> str:
    from hunter_cli.render.brief import markdown

    return markdown(brief)


@pytest.fixture
def dkim(hunter):
    return hunter.scan_json(*DKIM, "--no-tenant", "--no-whois")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_dkim_key_in_testing_mode_earns_nothing_and_is_never_called_protection(dkim, lang):
    """RFC 6376 3.6.1: verifiers MUST treat mail signed with a t=y key as unsigned. Such a key is worth
    what no key is worth: no DKIM points, the no-DKIM risk, and the brief says the key is there but ignored."""
    m = Messages(lang)
    view = dkim["b7-dkim-test.com.tr"]  # Microsoft 365, SPF -all, DMARC reject, the only key t=y
    assert "no_dkim -15" in view["reasons"] and "dkim +10" not in view["reasons"]
    assert (view["score"], view["category"]) == (65, "P3")
    b = _brief(view, lang)
    assert b.risk == "medium"
    assert m("sec.dkim_testing", selectors="selector1") in b.security
    text = _text(b)
    for key in ("sec.dkim_ok", "sec.dkim_missing", "sec.dkim_delegated", "one_liner.P4"):
        assert m(key, selectors="selector1", window=b.follow_up or "") not in text
    assert b.one_liner == m("one_liner.P3.unconfirmed", window=b.follow_up)  # no tenant behind its Exchange Online MX
    assert "dmarc_service" in b.offer.addons
    own = _brief(dkim["dkim-test-y.com.tr"], lang)  # their own server, no SPF, no DMARC, t=y only
    assert own.risk == "high" and m("sec.dkim_testing", selectors="mail") in own.security
    assert not any("works" in line or "çalışıyor" in line for line in own.security)
    bare = _brief(dkim["b7-dkim-test-spfsiz.com.tr"], lang)  # no SPF, DMARC reject: their own mail fails DMARC
    policy, fate = m.label("dmarc.policy", "reject"), m("dmarc.fate.reject")
    assert m("sec.own_mail_fails_dmarc_testing", policy=policy, fate=fate) in bare.security
    assert m("sec.own_mail_fails_dmarc", policy=policy, fate=fate) not in bare.security


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_working_key_beside_one_in_testing_mode_counts_and_the_other_is_named(dkim, lang):
    m = Messages(lang)
    view = dkim["b7-dkim-ikili.com.tr"]
    assert "dkim +10" in view["reasons"]
    b = _brief(view, lang)
    assert m("sec.dkim_ok", selectors="google") in b.security
    assert m("sec.dkim_testing_beside", selectors="default") in b.security
    assert b.risk == "low"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_key_with_an_error_earns_nothing_either(dkim, lang):
    """A cut-off RSA key (dkim-bad-rsa-key): signatures with it fail (PERMFAIL, RFC 6376 6.1.2), which
    DMARC treats as no DKIM: the score, the risk and the brief agree."""
    m = Messages(lang)
    view = dkim["b7-dkim-kirik.com.tr"]
    assert "no_dkim -15" in view["reasons"] and view["score"] == 65
    b = _brief(view, lang)
    assert b.risk == "medium" and b.one_liner == m("one_liner.P3.unconfirmed", window=b.follow_up)  # no tenant known
    reason = m("dkim_error.dkim-bad-rsa-key")
    assert m("sec.dkim_unusable_why", selectors="selector1", reason=reason) in b.security


@pytest.fixture
def parked(hunter):
    return hunter.scan_json(*PARKED, "--no-tenant", "--no-whois")


# what M3AAWG's parked-domain practice asks that each zone lacks (null MX, SPF -all, DMARC p=reject)
PARKED_MISSING = {
    "b7-park-null.com.tr": ["spf", "dmarc"],
    "b7-park-spf.com.tr": ["null_mx", "dmarc"],
    "b7-park-izle.com.tr": ["dmarc"],
    "b7-park-tam.com.tr": [],
    "b7-park-alt.com.tr": ["dmarc"],  # sp=none: every subdomain can still be forged
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_parked_domain_stays_out_of_the_call_lists_but_is_never_called_unspoofable(parked, lang):
    """No risk to sell on (P6, risk none), but without DMARC p=reject a forged From: still works: the brief
    names M3AAWG's three records, what is missing, and says the name can be forged until DMARC rejects."""
    from hunter_cli.lead.posture import parked_gaps

    m = Messages(lang)
    for domain, missing in PARKED_MISSING.items():
        view = parked[domain]
        assert (view["state"], view["category"]) == ("parked", "P6"), domain
        assert parked_gaps(view) == (missing, []), domain
        b = _brief(view, lang)
        assert b.risk == "none" and b.offer.tier is None and b.category == "P6", domain
        assert m("sec.parked_practice") in b.security, domain
        names = [m(f"parked.{r}") for r in missing]
        listed = "".join(names) if len(names) < 2 else m("list.and", first=", ".join(names[:-1]), last=names[-1])
        text = _text(b)
        if "dmarc" in missing:
            assert m("sec.parked_missing_dmarc", missing=listed) in b.security, domain
            # no MX at all (not a null MX): it most likely receives no mail (the implicit MX, RFC 5321 5.1)
            forgeable = "risk.parked_forgeable_no_mx" if "null_mx" in missing else "risk.parked_forgeable"
            assert b.risk_text == m(forgeable) and b.risk_text in b.security, domain
            assert m("risk.line", level=m("risk.none")) not in text, domain
        elif missing:
            assert m("sec.parked_missing", missing=listed) in b.security, domain
        else:
            assert m("sec.parked_complete") in b.security, domain
            assert b.risk_text == m("risk.line", level=m("risk.none")), domain


def test_a_parked_domain_is_not_tagged_as_a_security_risk(hunter, parked):
    import json

    out = hunter("leads", "--format", "json")
    assert out.exit_code == 0, out.stderr
    rows = {r["domain"]: r for r in json.loads(out.stdout)}
    for domain in PARKED:
        assert "security-risk" not in (rows[domain].get("tags") or ""), domain
        assert rows[domain]["category"] == "P6"


@pytest.fixture
def moved(hunter):
    return hunter.scan_json(*MOVED, "--no-tenant", "--no-whois")


# the other mailbox provider each SPF record still authorizes (catalog names), or none
OTHER = {
    "b7-tasindi.com.tr": ("Google Workspace", "_spf.google.com"),
    "b7-natro-kaldi.com.tr": ("Natro", "_spfcls.natrohost.com"),
    "b7-google-eski-ms.com": ("Microsoft 365", "spf.protection.outlook.com"),
    "b7-gonderici.com.tr": None,  # SendGrid and Amazon SES send for them: sending services
    "b7-gw.com.tr": None,  # the Mimecast include is the gateway in front
    "b7-kendi.com.tr": None,  # their own server: no known mailbox provider to compare with
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_spf_that_still_names_the_old_mail_provider_is_a_warning(moved, lang):
    """MX at one provider, SPF still authorizing another provider's include: legal (a warning in
    spf.warnings, never an error, the score unchanged), named in the brief from the catalog."""
    from hunter_cli.brief.compose import provider_label

    m = Messages(lang)
    for domain, other in OTHER.items():
        view = moved[domain]
        codes = [w["code"] for w in view["spf"]["warnings"]]
        errors = [e["code"] for e in view["spf"]["errors"]]
        assert "spf-other-mail-provider" not in errors, domain
        b = _brief(view, lang)
        from hunter_cli.brief.compose import _hedged, evidence_doubt
        from hunter_cli.lead import as_lead

        # "their mail now arrives at" only when the Microsoft records are not in doubt (no tenant found)
        key = _hedged(m, "mail.spf_other_provider", evidence_doubt(as_lead(view)))
        said = [line for line in b.mail if line.startswith(m.data[key].split("{")[0])]
        if other is None:
            assert "spf-other-mail-provider" not in codes, domain
            assert said == [], domain
            continue
        name, include = other
        assert codes.count("spf-other-mail-provider") == 1, domain
        warning = next(w for w in view["spf"]["warnings"] if w["code"] == "spf-other-mail-provider")
        assert warning["where"] == [include] and name in warning["message"], domain
        provider = provider_label(m, view["provider"], view.get("provider_name"))
        assert said == [m(key, provider=provider, other=name, include=include)], domain
    assert "spf +10" in moved["b7-tasindi.com.tr"]["reasons"]  # a warning: the SPF record still scores


def test_the_warning_needs_the_catalog_not_the_examples():
    """Any two mailbox providers of the catalog, either way round (no list of pairs in the code)."""
    from hunter_cli.catalog import load_catalog, other_mail_providers

    cat = load_catalog()
    spf = {e.id: t for t, e in cat.spf.items() if e.kind == "mailbox" and e.id != "hosting"}
    for mine in ("m365", "google", "zoho", "yandex"):
        for theirs, target in spf.items():
            got = [e.id for _, e in other_mail_providers(mine, None, [target])]
            if theirs == mine or theirs == "amazon":  # Amazon SES: a sending service (services.json)
                assert got == [], (mine, theirs)
            else:
                assert got == [theirs], (mine, theirs)
    # behind a gateway the mailbox is deduced: only said when SPF names the provider's own servers too
    assert other_mail_providers("m365", None, ["_spf.google.com"], gateway="mimecast") == []
    both = ["spf.protection.outlook.com", "_spf.google.com"]
    assert [e.id for _, e in other_mail_providers("m365", None, both, gateway="mimecast")] == ["google"]
    for provider in ("self-hosted", "other", "broken", "none", "unknown", None):
        assert other_mail_providers(provider, None, both) == []


def test_explain_speaks_the_brief_languages(hunter, monkeypatch):
    """`explain --lang` as `prep` and `sales-summary` take it: the same default (en) and setting (HUNTER_LANG)."""
    hunter.scan_json("b7-dkim-test.com.tr", "--no-tenant", "--no-whois")
    en = hunter("explain", "b7-dkim-test.com.tr")
    assert en.exit_code == 0, en.stderr
    assert "Score of b7-dkim-test.com.tr" in en.stdout and "no DKIM key receivers use" in en.stdout
    tr = hunter("explain", "b7-dkim-test.com.tr", "--lang", "tr")
    assert tr.exit_code == 0, tr.stderr
    text = " ".join(tr.stdout.split())
    assert "b7-dkim-test.com.tr alan adının puan dökümü" in text
    assert "alıcıların kullandığı bir DKIM anahtarı yok" in text
    assert "Hazırlık segmenti: Mevcut" in text and "Kategori P3 (Mevcut Microsoft Müşterisi" in text
    assert "takip: 5 gün" in text and "Score of" not in text
    monkeypatch.setenv("HUNTER_LANG", "tr")
    assert "puan dökümü" in hunter("explain", "b7-dkim-test.com.tr").stdout
    assert "Score of" in hunter("explain", "b7-dkim-test.com.tr", "--lang", "en").stdout
    bad = hunter("explain", "b7-dkim-test.com.tr", "--lang", "de")
    assert bad.exit_code == 2 and "--lang" in bad.stderr
    js = hunter("explain", "b7-dkim-test.com.tr", "--lang", "tr", "--json")
    assert js.exit_code == 0 and '"segment": "Existing"' in js.stdout  # the stored values, not the words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_says_what_it_means(dkim, hunter, lang):
    """The category (the ranking) and the inherited readiness segment each come with their meaning, so
    "High Potential Greenfield" never stands bare beside "Cold", nor "Weak Partner" beside a sound set-up."""
    from hunter_cli.brief.compose import category_means, segment_means

    m = Messages(lang)
    own = _brief(dkim["dkim-test-y.com.tr"], lang)  # their own server: P1 greenfield, segment Cold
    assert (own.category, own.segment) == ("P1", "Cold")
    means = category_means(m, "P1", "greenfield")
    assert own.priority[0] == m("prio.category", category="P1", label=m("label.P1"), means=means)
    assert own.priority[1] == m(
        "prio.segment", segment=m("segment.Cold"), means=segment_means(m, "Cold"), score=own.score
    )
    assert m("label_note.P3") in category_means(m, "P3", "renewal+onprem_migration")
    assert m("boost_means.onprem_migration") in category_means(m, "P3", "renewal+onprem_migration")
    assert "mine" in category_means(m, "P2", "mine")  # a rule of the user's own file is named
    # a Microsoft 365 customer moved up to P2 by a co-sell referral is no "Competitive Takeover" (trial 16): the
    # label is said to name the rank it reached; a category reached by its own rule gets no such note
    moved = m("label_note.moved", label=m("label.P2"))
    assert moved in category_means(m, "P2", "renewal+cosell_referral")
    assert moved not in category_means(m, "P2", "competitive")
    if lang == "en":
        show = hunter("leads", "show", "dkim-test-y.com.tr")
        text = " ".join(show.stdout.replace("│", " ").split())
        assert "Segment Cold (readiness segment): their mail set-up is not ready to move yet" in text
        assert "Category P1 High Potential Greenfield: their mailboxes are on" in text
