"""DMARC said as written (trial 25 F11), in the brief and `hunter leads show`, in both languages: an empty
``p=`` is an empty tag, not a missing one; a ``p=`` that is no policy and a missing ``p=`` get a line in
`leads show` as lesser mistakes do; ``p=reject; pct=0`` shows the written policy and what applies (RFC 7489
6.6.4); with ``rua=`` given twice the report address is not said as fact. Real DNS: tests/zones/dmarc25.zone.
"""

from __future__ import annotations

import pytest

DOMAINS = (
    "d25-pbos.com.tr",
    "d25-pyanlis.com.tr",
    "d25-pyok.com.tr",
    "d25-sifir.com.tr",
    "d25-ikirua.com.tr",
    "d25-norua.com.tr",
)


@pytest.fixture
def scanned(hunter):
    hunter.scan_json(*DOMAINS, "--no-tenant", "--no-whois")
    return hunter


def _said(hunter, *args: str) -> str:
    return " ".join(hunter(*args).stdout.split())


def _show(hunter, domain: str, lang: str) -> str:
    return _said(hunter, "leads", "show", domain, "--lang", lang)


def _brief(hunter, domain: str, lang: str) -> str:
    return _said(hunter, "sales-summary", domain, "--format", "markdown", "--lang", lang)


def test_an_empty_p_is_said_empty_not_missing(scanned):
    en = _brief(scanned, "d25-pbos.com.tr", "en")
    assert "no p= tag" not in en and "Their DMARC record's p= tag is empty, so receivers treat it as p=none" in en
    tr = _brief(scanned, "d25-pbos.com.tr", "tr")
    assert "p= etiketi yok" not in tr and "DMARC kaydındaki p= etiketi boş" in tr, tr
    assert "its p= tag is empty, so receivers treat the record as p=none" in _show(scanned, "d25-pbos.com.tr", "en")
    assert "p= etiketi boş" in _show(scanned, "d25-pbos.com.tr", "tr")


def test_leads_show_says_the_policy_mistakes(scanned):
    en = _show(scanned, "d25-pyanlis.com.tr", "en")
    assert "p=rejected is not none, quarantine or reject, so receivers treat the record as p=none" in en, en
    tr = _show(scanned, "d25-pyanlis.com.tr", "tr")
    assert "p=rejected geçerli bir politika değil" in tr, tr
    en = _show(scanned, "d25-pyok.com.tr", "en")
    assert "no p= tag, so receivers treat the record as p=none" in en, en
    assert "p= etiketi yok" in _show(scanned, "d25-pyok.com.tr", "tr")
    # no valid rua either: no policy at all (RFC 7489 6.6.3)
    en = _show(scanned, "d25-norua.com.tr", "en")
    assert "p=rejected is not none, quarantine or reject, so receivers apply no DMARC policy" in en, en


def test_leads_show_says_the_written_policy_and_what_applies_at_pct_zero(scanned):
    en = _show(scanned, "d25-sifir.com.tr", "en")
    assert "quarantine pct=0" not in en
    assert "reject pct=0 (in effect quarantine for all failing mail, RFC 7489 6.6.4)" in en, en
    tr = _show(scanned, "d25-sifir.com.tr", "tr")
    assert "p=reject, pct=0 (fiilen DMARC'tan geçemeyen tüm e-postalara p=quarantine uygulanıyor" in tr, tr


def test_a_duplicate_rua_names_both_addresses(scanned):
    en = _brief(scanned, "d25-ikirua.com.tr", "en")
    assert "rua= given twice" in en
    assert "DMARC reports go to d@d25-ikirua.com.tr or e@d25-ikirua.com.tr" in en, en
    tr = _brief(scanned, "d25-ikirua.com.tr", "tr")
    assert "d@d25-ikirua.com.tr veya e@d25-ikirua.com.tr" in tr, tr
