"""Briefs a fresh user's trial (30) found overclaiming, in the wrong tense or offering one thing twice, each
as a kind, over the suite's real DNS server and sign-in stand-in:

- a play that rests on a record missing (plays.json ``tenant_without``: Intune's ``enterpriseenrollment``
  CNAME, optional per Microsoft Learn "Set up enrollment for Windows devices") asks, never states a gap,
  and the footprint says the missing record proves nothing, as it does for Teams;
- Turkish says what a product or a move would do in the aorist ("yönetip korur"), never the present
  continuous ("yönetip koruyor": it is doing so now);
- the move of their mail to Exchange Online is the mail offer, never "beyond mail", said once.
"""

from __future__ import annotations

import json
import re

import pytest

from hunter_cli.footprint.plays import plays_catalog

WIDE = {"COLUMNS": "200"}
TENANT_NO_INTUNE = "firma.com.tr"  # tests/zones: Microsoft 365 with a tenant, no enterpriseenrollment record


def _flat(text: str) -> str:
    return re.sub(r"[\s│]+", " ", text)


def _brief(hunter, domain: str, lang: str) -> str:
    assert hunter("scan", domain, "--no-whois", "-q").exit_code in (0, 5)
    out = hunter("sales-summary", domain, "--lang", lang, "--format", "markdown", env=WIDE)
    assert out.exit_code == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize(
    "lang, note, question",
    [
        ("en", "so a missing record does not prove they do not use Intune", "How do you manage and protect"),
        ("tr", "Intune'u kullanmadıkları anlamına gelmez", "nasıl yönetip koruyorsunuz?"),
    ],
)
def test_a_missing_intune_record_is_no_proof_and_the_play_asks(hunter, ms, lang, note, question):
    text = _flat(_brief(hunter, TENANT_NO_INTUNE, lang))
    assert note in text or ("Intune" in text and "optional" in text) or "isteğe bağlıdır" in text, text
    assert question in text, text
    # never told to the customer as a gap their DNS proves
    assert "your DNS shows no Intune enrolment record" not in text
    assert "Intune cihaz yönetimi kaydı görünmüyor" not in text


def test_every_play_resting_on_a_missing_record_asks():
    """The kind: each plays.json play whose evidence is a record not seen (``tenant_without``) says the
    record proves nothing and asks, in its reason, and puts its pitch to the customer as a question."""
    resting = [p for p in plays_catalog().plays if p.when.tenant_without]
    assert resting
    for p in resting:
        assert "optional" in p.reason.en and "ask" in p.reason.en, p.id
        assert "isteğe bağlı" in p.reason.tr and "sorun" in p.reason.tr, p.id
        assert "?" in p.pitch.en and "?" in p.pitch.tr, p.id


# a clause about what a product does, or what a move would do: its subject is a product or a move
_PRODUCT_CLAUSE = re.compile(
    r"^(?:Teams|Intune|Entra ID|OneDrive|Dynamics 365|Customer Insights|Exchange Online|Defender|Business Premium)"
    r"|\b(?:taşımak|geçmek)\b"
)
_CONTINUOUS = re.compile(r"\b\w+(?:ıyor|iyor|uyor|üyor)\b")


def _tr_texts(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "tr" and isinstance(v, str):
                yield path, v
            else:
                yield from _tr_texts(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _tr_texts(v, f"{path}[{i}]")


def test_turkish_says_what_a_product_would_do_in_the_aorist():
    from importlib import resources

    data = json.loads(resources.files("hunter_cli.catalog").joinpath("plays.json").read_text("utf-8"))
    slips = []
    for path, text in _tr_texts(data["plays"]):
        for clause in re.split(r"[.;:?]\s*|,\s+(?=[A-ZÇĞİÖŞÜ])", text):
            clause = re.sub(r"^(?:ve|ama|yani)\s+", "", clause.strip())
            if _PRODUCT_CLAUSE.search(clause) and (verbs := _CONTINUOUS.findall(clause)):
                slips.append((path, clause, verbs))
    assert slips == []


@pytest.mark.parametrize("domain", ["fp-sunucu-ornek.com.tr", "federe.com.tr", TENANT_NO_INTUNE])
def test_the_turkish_brief_has_no_product_in_the_present_continuous(hunter, ms, domain):
    text = _flat(_brief(hunter, domain, "tr"))
    assert not re.search(r"\b(?:yönetip koruyor|ortadan kaldırıyor|devreden çıkarıyor|içinde yapıyor)\b", text), text


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_mail_move_is_offered_once_and_never_beyond_mail(hunter, ms, lang):
    """Exchange on their own server: the offer's migration add-on is the move; no "beyond mail" line and no
    second pitch of it in the talking points (trial 30's on-premises Exchange company)."""
    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    text = _brief(hunter, "fp-sunucu-ornek.com.tr", lang)
    play = next(p for p in plays_catalog().plays if p.id == "exchange-online-migration")
    title = getattr(play.offer_inline, lang)
    beyond = m("offer.plays", offers="").split(":")[0]
    assert not [line for line in text.splitlines() if beyond in line and title in line], text
    assert getattr(play.pitch, lang) not in text, text
    assert m("offer.migration") in text


NULL_MX_SITE = "web-var-postasiz.com.tr"


@pytest.mark.parametrize(
    "lang, said, never", [("en", "takes no mail (null MX)", "parked"), ("tr", "e-posta almıyor (null MX)", "park")]
)
def test_a_null_mx_domain_with_a_web_site_is_not_called_parked(hunter, dns, zone_text, lang, said, never):
    """RFC 7505 says a null MX domain accepts no mail, nothing about a web presence: "parked" told the rep the
    company has none (trial 30, a company site beside ``MX 0 .``). Every line that names the state says
    it takes no mail; "parked" stays only in the name of M3AAWG's parked-domain practice."""
    try:
        dns.load(zone_text + f"{NULL_MX_SITE}. 300 IN A 192.0.2.80\n{NULL_MX_SITE}. 300 IN MX 0 .\n")
        assert hunter("scan", NULL_MX_SITE, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    out = hunter("sales-summary", NULL_MX_SITE, "--lang", lang, "--format", "markdown", env=WIDE)
    assert out.exit_code == 0, out.stderr
    headline = next(line for line in out.stdout.splitlines() if line.startswith("**"))
    assert said in headline and never not in headline.lower(), headline
    practice = "M3AAWG"
    for line in out.stdout.splitlines():
        if practice not in line:
            assert never not in line.lower(), line


SPF_OWN = "kendi-gonderen.com.tr"


@pytest.mark.parametrize(
    "record, lang, said",
    [
        (
            "v=spf1 ip4:192.0.2.20 include:spf.protection.outlook.com -all",
            "en",
            "allows the address 192.0.2.20 and spf.protection.outlook.com to send for them",
        ),
        (
            "v=spf1 ip4:192.0.2.20 include:spf.protection.outlook.com -all",
            "tr",
            "izin veriyor: 192.0.2.20 adresi ve spf.protection.outlook.com.",
        ),
        (
            "v=spf1 mx include:_spf.google.com ~all",
            "en",
            "allows their MX hosts and _spf.google.com to send for them",
        ),
        ("v=spf1 mx -all", "tr", "izin veriyor: kendi MX sunucuları."),
    ],
)
def test_the_spf_line_names_every_sender_it_allows(hunter, dns, zone_text, record, lang, said):
    """ "Their SPF record allows X to send" named the includes only: a hybrid company's own server (``ip4``)
    and an ``mx`` sender were left out, and English had no "and" before the last (trial 30; RFC 7208 5)."""
    try:
        dns.load(
            zone_text
            + f'{SPF_OWN}. 300 IN MX 10 mail.{SPF_OWN}.\nmail.{SPF_OWN}. 300 IN A 192.0.2.20\n{SPF_OWN}. 300 IN TXT "{record}"\n'
        )
        assert hunter("scan", SPF_OWN, "--no-whois", "--no-tenant", "-q").exit_code in (0, 5)
    finally:
        dns.load(zone_text)
    out = hunter("sales-summary", SPF_OWN, "--lang", lang, "--format", "markdown", env=WIDE)
    assert out.exit_code == 0, out.stderr
    assert said in out.stdout, out.stdout


ORDER = "sira-onemli.com.tr"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_security_section_says_the_facts_before_what_follows_from_them(hunter, dns, zone_text, lang):
    """SPF listing their MX, no DKIM key, DMARC p=quarantine: "with no usable DKIM key … their mail passes
    DMARC only through SPF" came before "No DKIM key was found" and the DMARC line it follows from (trial 30);
    Turkish called the selectors two names in consecutive bullets."""
    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    try:
        dns.load(
            zone_text
            + f"{ORDER}. 300 IN MX 10 mail.{ORDER}.\nmail.{ORDER}. 300 IN A 192.0.2.90\n"
            + f'{ORDER}. 300 IN TXT "v=spf1 mx -all"\n_dmarc.{ORDER}. 300 IN TXT "v=DMARC1; p=quarantine"\n'
        )
        assert hunter("scan", ORDER, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    out = hunter("sales-summary", ORDER, "--lang", lang, "--format", "markdown", env=WIDE)
    assert out.exit_code == 0, out.stderr
    lines = out.stdout.splitlines()

    def at(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    consequence = at(m("sec.own_mail_unlisted_fails_dmarc", policy="§", fate="§").split("§")[0][:40])
    assert at(m("sec.dkim_missing")) < consequence, out.stdout
    dmarc = m("sec.dmarc_enforced", policy=m.label("dmarc.policy", "quarantine"))
    assert at(dmarc) < consequence, out.stdout
    if lang == "tr":
        assert "Yaygın seçici" not in out.stdout and "Bilinen seçicilerde" in out.stdout


DATES = "tarih-bicimi.com.tr"
DATES_ZONE = f'{DATES}. 300 IN MX 10 aspmx.l.google.com.\n_dmarc.{DATES}. 300 IN TXT "v=DMARC1; p=none"\n'


def test_a_turkish_brief_writes_every_date_one_way(hunter, dns, db, zone_text):
    """One Turkish brief wrote "1 Aralık 2026", "01.12.2026" and "2026-12-01 04:51" (trial 30): the first scan
    line, "Neler değişti" and the tenant line each had its own style. Every date is now the prose form, with
    the time where a moment is meant."""
    import sqlite3
    from datetime import datetime, timedelta, timezone

    try:
        dns.load(zone_text + DATES_ZONE + f'{DATES}. 300 IN TXT "v=spf1 mx -all"\n')
        assert hunter("scan", DATES, "--no-whois", "-q").exit_code == 0
        earlier = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(microsecond=0).isoformat()
        with sqlite3.connect(db) as conn:  # the "no tenant" answer the next scan reuses was given before it
            conn.execute("UPDATE tenant_cache SET fetched_at = ? WHERE domain = ?", (earlier, DATES))
        dns.load(zone_text + DATES_ZONE + f'{DATES}. 300 IN TXT "v=spf1 include:_spf.google.com -all"\n')
        # not asked again: the brief says when the answer it shows was given (a reused one is said only where it
        # matters, trial 30 BRIEF_NOISE)
        assert hunter("scan", DATES, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    out = hunter("sales-summary", DATES, "--lang", "tr", "--format", "markdown", env=WIDE)
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    assert "Neler değişti" in text and "tarihinde verdiği yanıt" in text, text  # a change and a kept tenant answer
    assert not re.search(r"\b\d\d\.\d\d\.\d{4}\b", text), text
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text), text
    assert re.search(
        r"\b\d{1,2} (?:Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık) \d{4} \d\d:\d\d\b",
        text,
    )


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_two_scans_of_one_day_are_told_apart_by_their_times(hunter, dns, zone_text, lang):
    """The stale line named "the latest scan (2026-12-01)" and "the last scan that could (2026-12-01)": one day
    twice says nothing; the two scans are named by their times."""
    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    try:
        dns.load(zone_text + DATES_ZONE + f'{DATES}. 300 IN TXT "v=spf1 include:_spf.google.com -all"\n')
        assert hunter("scan", DATES, "--no-whois", "--no-tenant", "-q").exit_code == 0
        dns.faults[(f"_dmarc.{DATES}", "TXT")] = "servfail"
        hunter("scan", DATES, "--no-whois", "--no-tenant", "-q")
    finally:
        dns.clear_faults()
        dns.load(zone_text)
    out = hunter("sales-summary", DATES, "--lang", lang, "-f", "json")
    assert out.exit_code == 0, out.stderr
    mail = json.loads(out.stdout)["mail"]
    stale = m.data["mail.stale"].split("(")[0]
    line = next(x for x in mail if x.startswith(stale))
    assert len(re.findall(r"\b\d\d:\d\d\b", line)) == 2, line
