"""A failed attempt is worded once (hunter_cli/facts.py ``failure_words`` and ``failure_part``) and said the same
by `leads show`, `sales-summary`, `prep` and the brief's mail section, in English and Turkish.

Before, four copies each wrote it their own way: `leads show` said "MX timeout" and an English date inside a
Turkish sentence, the Turkish brief said "FOOTPRINT zaman aşımı" where the scan history says "Microsoft
kayıtları", and none of the three summaries named an MTA-STS policy fetch as such ("FOOTPRINT unreachable").
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from hunter_cli import store
from hunter_cli.brief.compose import CHANGES_SHOWN, compose
from hunter_cli.facts import failure_words
from hunter_cli.said import in_lang
from hunter_cli.services import brief as service

D = "f12-tenantli.com.tr"
MTA_STS = "MTA-STS policy: https://mta-sts.f12-tenantli.com.tr/.well-known/mta-sts.txt: connection refused"
ERRORS = [
    {"check": "mx", "kind": "timeout", "message": "MX timeout"},
    {"check": "footprint", "kind": "timeout", "message": "autodiscover timeout"},
    {"check": "footprint", "kind": "unreachable", "message": MTA_STS},
]
WORDS = {
    "en": "MX timeout, FOOTPRINT timeout, MTA-STS unreachable",
    "tr": "MX zaman aşımı, Microsoft kayıtları zaman aşımı, MTA-STS politikası ulaşılamadı",
}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_one_wording_of_a_failed_attempt(lang):
    assert in_lang(failure_words(ERRORS), lang) == WORDS[lang]
    # each failure once, at most three, and words for none
    assert in_lang(failure_words(ERRORS[:1] * 2), lang) == WORDS[lang].split(", ")[0]
    assert len(in_lang(failure_words([*ERRORS, {"check": "dkim", "kind": "refused"}]), lang).split(", ")) == 3
    assert in_lang(failure_words([]), lang) == {"en": "unknown error", "tr": "bilinmeyen hata"}[lang]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_brief_and_prep_say_a_failed_latest_scan_in_the_same_words(hunter, db, lang):
    assert hunter("scan", D, "--no-whois", "-q").exit_code == 0
    conn = store.connect(db)
    try:
        data = store.brief_inputs(conn, D, events=CHANGES_SHOWN)
    finally:
        conn.close()
    assert data is not None
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")  # after the good scan
    failed = {"status": "failed", "scanned_at": later, "errors": ERRORS}
    brief = compose(data["view"], lang=lang, history=[*data["history"], failed], today=date.today())
    assert f"({WORDS[lang]})" in brief.mail[0], brief.mail[0]
    last = data["history"][-1]["scanned_at"]
    after = service.after_rescan(D, code=5, attempts=[failed], last_good=last, nameservers=(), lang=lang)
    assert WORDS[lang] in (after.warning or ""), after.warning


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "no successful scan yet; last attempt failed (MX timeout) on {day}"),
        ("tr", "henüz başarılı bir tarama yok; {day} tarihindeki son deneme başarısız oldu (MX zaman aşımı)"),
    ],
)
def test_leads_show_and_the_summary_say_a_never_good_domain_alike(hunter, dns, lang, said):
    """Before, `leads show --lang tr` said "20 November 2026 tarihindeki ... (MX timeout)"."""
    from hunter_cli.brief.localize import format_date

    dns.faults[(D, "MX")] = "drop"
    assert hunter("scan", D, "--no-whois", "-q").exit_code == 7  # its one domain failed
    scanned = json.loads(hunter("leads", "--format", "json").stdout)
    assert [r["last_status"] for r in scanned if r["domain"] == D] == ["failed"]
    sentence = said.format(day=format_date(datetime.now().astimezone().date(), lang))  # en 2026-12-01, tr 1 Aralık 2026
    show = hunter("leads", "show", D, "--lang", lang, env={"COLUMNS": "300"})
    assert show.exit_code == 0, show.stderr
    assert sentence in _flat(show.stdout), show.stdout
    summary = hunter("sales-summary", D, "--lang", lang, env={"COLUMNS": "300"})
    assert summary.exit_code == 1
    assert f"{D}: {sentence}" in _flat(summary.stderr), summary.stderr
