"""Briefs trial 32 found saying more than the evidence shows, each as a kind, over the suite's real DNS
server (tests/zones/trial32.zone) and sign-in stand-in:

- a talking point never says "the same Microsoft tenant as your mail" when their mail is not in Exchange
  Online (their own Exchange server, Google): plays.json ``pitch_mail_elsewhere``;
- a tenant the sign-in service confirmed is said as a fact, never "a Microsoft tenant or Microsoft records".
"""

from __future__ import annotations

import pytest
from msserver import Tenant
from test_brief_changes import _scan_through
from test_brief_trial30 import WIDE, _flat
from test_brief_trial30 import _brief as _markdown_brief

from hunter_cli.footprint.plays import plays_catalog

ONPREM = "t32-onprem.com.tr"  # Exchange on their own server, a tenant at the stand-in, no Intune record
GOOGLE = "google-tenant.com.tr"  # Google Workspace mail beside a tenant (tests/conftest.py TENANTS)


def _brief(hunter, domain: str, lang: str) -> str:
    """The markdown brief of ``domain`` after a scan, its whitespace flattened."""
    return _flat(_markdown_brief(hunter, domain, lang))


@pytest.fixture
def onprem_tenant(ms):
    ms.tenants[ONPREM] = Tenant(id="32323232-1111-4222-8333-444444444444", brand="Onprem Cam", region="EU")
    return ms


SAME_TENANT = {"en": "same Microsoft tenant as your mail", "tr": "e-postanızla aynı Microsoft tenant"}
YOUR_TENANT = {"en": "the Microsoft tenant you already have", "tr": "zaten sahip olduğunuz Microsoft tenant"}


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("domain", [ONPREM, GOOGLE])
def test_a_pitch_never_puts_mail_in_the_tenant_when_it_is_elsewhere(hunter, onprem_tenant, domain, lang):
    text = _brief(hunter, domain, lang)
    assert "Intune" in text, text
    assert SAME_TENANT[lang] not in text, text
    assert YOUR_TENANT[lang] in text, text
    assert "as your mail" not in text and "e-postanızla aynı" not in text, text


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_pitch_for_microsoft_365_mail_keeps_the_same_tenant(hunter, ms, lang):
    assert SAME_TENANT[lang] in _brief(hunter, "firma.com.tr", lang)


def test_every_pitch_that_names_their_mail_has_a_variant_for_mail_elsewhere():
    """The kind: a play pitch that ties the product to their mail ("as your mail") says it otherwise when the
    mail is not in Microsoft 365."""
    for p in plays_catalog().plays:
        for pitch in (p.pitch, p.pitch_many, p.pitch_hybrid):
            if pitch is not None and ("as your mail" in pitch.en or "e-postanızla aynı" in pitch.tr):
                other = p.pitch_mail_elsewhere
                assert other is not None, p.id
                assert "as your mail" not in other.en and "e-postanızla" not in other.tr, p.id


HEDGE = {"en": "a Microsoft tenant or Microsoft records", "tr": "Microsoft tenant'ı ya da Microsoft kayıtları"}
FACT = {"en": "although they already have a Microsoft tenant:", "tr": "ama bir Microsoft tenant'ı zaten var:"}


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_confirmed_tenant_is_said_as_a_fact(hunter, onprem_tenant, lang):
    text = _brief(hunter, ONPREM, lang)
    assert FACT[lang] in text, text
    assert HEDGE[lang] not in text and "tenant'ları ya da Microsoft kayıtları" not in text, text


# A Zoom verification token comes, then goes (tests/zones/trial32.zone has none of these names).
TOKEN = "t32-token.com.tr"
TOKEN_BASE = f"""{TOKEN}. 300 IN MX 10 mail.{TOKEN}.
mail.{TOKEN}. 300 IN A 198.51.100.53
{TOKEN}. 300 IN TXT "v=spf1 mx -all"
"""
TOKEN_ZOOM = f'{TOKEN}. 300 IN TXT "ZOOM_verify_abcdefghijklmnop"\n'
TOKEN_SPF = f'{TOKEN}. 300 IN TXT "v=spf1 mx include:spf.protection.outlook.com -all"\n'

VERIFIED = {
    "en": ("Zoom domain verification record added", "Zoom domain verification record removed", "Now uses Zoom"),
    "tr": ("Zoom alan adı doğrulama kaydı eklendi", "Zoom alan adı doğrulama kaydı kaldırıldı", "Zoom kullanmaya"),
}


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_verification_token_is_told_as_a_record_not_as_use(hunter, ms, dns, zone_text, lang):
    """A service found only by its domain verification TXT (services.json ``txt``) proves the domain was
    verified, not that the service is used: its events say the record came or went, in ``changes`` and in
    the brief."""
    _scan_through(hunter, dns, zone_text, TOKEN_BASE, TOKEN_BASE + TOKEN_ZOOM, TOKEN_BASE, domain=TOKEN)
    added, removed, uses = VERIFIED[lang]
    listed = hunter("--lang", lang, "changes", "--since", "1d", env=WIDE)
    assert listed.exit_code == 0, listed.stderr
    brief = _brief_only(hunter, TOKEN, lang)
    for text in (_flat(listed.stdout), brief):
        assert added in text and removed in text, text
        assert uses not in text and "No longer uses Zoom" not in text and "Artık Zoom" not in text, text


def _brief_only(hunter, domain: str, lang: str, fmt: str = "markdown") -> str:
    out = hunter("sales-summary", domain, "--lang", lang, "--format", fmt, env=WIDE)
    assert out.exit_code == 0, out.stderr
    return _flat(out.stdout)


def test_the_terminal_brief_prints_no_code_marks_and_markdown_keeps_them(hunter, ms, dns, zone_text):
    """The brief on the terminal shows an SPF mechanism as `changes` does, without Markdown's backticks;
    the Markdown brief keeps them."""
    _scan_through(hunter, dns, zone_text, TOKEN_BASE, TOKEN_SPF, domain=TOKEN)
    terminal = _brief_only(hunter, TOKEN, "en", "rich")
    assert "mechanism include:spf.protection.outlook.com added" in terminal, terminal
    assert "`" not in terminal, terminal
    assert "mechanism `include:spf.protection.outlook.com` added" in _brief_only(hunter, TOKEN, "en")


MOVE = {
    "en": ("Offer migration to Exchange Online", "The offer below (What to offer) covers the move.", "mail migration"),
    "tr": (
        "Önerilecek: Exchange Online'a geçiş",
        "Geçiş, aşağıdaki öneride (Ne önerilmeli) yer alıyor.",
        "e-posta taşıma",
    ),
}


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_mail_move_is_offered_once_in_the_offer(hunter, onprem_tenant, lang):
    """Exchange on their own server beside a tenant: "their other services" states the fact and points to
    the offer; the offer says the move (the migration add-on), no other section offers it."""
    text = _brief(hunter, ONPREM, lang)
    offer_there, pointer, addon = MOVE[lang]
    assert offer_there not in text, text
    assert pointer in text and addon in text, text
