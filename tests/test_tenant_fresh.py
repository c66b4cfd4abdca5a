"""A stored tenant answer ("no tenant", or a tenant) is reused by the scans of the next day
(store.TENANT_TTL_SECONDS). A trial's rep, whose customer had just made a tenant, saw "none" as current with
nothing saying so: `scan --help` says answers are kept for a day, `leads show` and the brief say when a reused
answer was asked, and `scan --fresh-tenant` asks again. Real scans against the sign-in stand-in."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from msserver import Tenant

DOMAIN = "iki-tercih.com.tr"  # tests/zones/trial15.zone: Google mail, no tenant until the test makes one
WIDE = {"COLUMNS": "200"}


def _flat(text: str) -> str:
    return re.sub(r"[\s│]+", " ", text)  # a panel's wrapped lines joined


def _asked_earlier(db, hours: int = 3, domain: str = DOMAIN) -> str:
    """The stored answer as if the sign-in service gave it ``hours`` ago; returns that time as people read it."""
    when = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=hours)
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "UPDATE tenant_cache SET fetched_at = ? WHERE domain = ?", (when.isoformat(), domain)
        ).rowcount
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def _in_brief(when: str, lang: str) -> str:
    """``2026-11-30 09:12`` as the brief writes a moment: its one date style per language, then the time
    (Turkish ``30 Kasım 2026 09:12``)."""
    from datetime import date

    from hunter_cli.brief.localize import format_date

    return f"{format_date(date.fromisoformat(when[:10]), lang)} {when[11:]}"


@pytest.fixture
def reused(hunter, ms, db):
    """DOMAIN scanned with no tenant, then a tenant made and DOMAIN scanned again: the second scan reuses "none"."""
    assert hunter("scan", DOMAIN, "--no-whois", "-q").exit_code == 0
    asked = _asked_earlier(db)
    ms.tenants[DOMAIN] = Tenant(id="15151515-2222-4333-8444-555555555555", brand="Iki Tercih", namespace="Federated")
    again = hunter("scan", DOMAIN, "--no-whois", "--json")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["tenant"] is None  # the day's cached answer, not the new tenant
    return asked


@pytest.mark.parametrize(
    "lang, said",
    [("en", "none (asked {when}; `hunter scan --fresh-tenant` asks again)"), ("tr", "yok ({when} tarihinde soruldu;")],
)
def test_leads_show_says_when_a_reused_answer_was_asked(hunter, reused, lang, said):
    out = hunter("leads", "show", DOMAIN, "--lang", lang, env=WIDE)
    assert out.exit_code == 0, out.stderr
    assert said.format(when=_in_brief(reused, lang)) in _flat(out.stdout), out.stdout  # one date style a screen


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "gave this answer on {when}, before this scan (kept for a day); to ask again:"),
        ("tr", "bu yanıtı bu taramadan önce, {when} tarihinde verdi (bir gün saklanır); yeniden sormak için:"),
    ],
)
@pytest.mark.parametrize("command", ["sales-summary", "prep"])
def test_the_brief_says_when_a_reused_answer_was_asked_where_it_matters(hunter, db, ms, command, lang, said):
    """A "no tenant" while their DNS names Exchange Online, given beside the same records the scan before: the
    second scan reuses it (asking again tells nothing new, trial 32 COST_REASK), and the brief says when it was
    given, in one sentence, because a move since would make it stale (trial 30, BRIEF_NOISE)."""
    domain = "fp-m365-aciklar.com.tr"  # tests/zones/footprint.zone: M365 MX, no tenant at the stand-in
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    when = _asked_earlier(db, domain=domain)
    ms.reset_log()
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    assert ms.count() == 0  # the records were there when the answer was given: not asked again
    out = hunter(command, domain, "--lang", lang, env=WIDE)
    assert out.exit_code == 0, out.stderr
    text = _flat(out.stdout)
    assert said.format(when=_in_brief(when, lang)) in text and f"hunter scan {domain} --fresh-tenant" in text, (
        out.stdout
    )


@pytest.mark.parametrize("command", ["sales-summary", "prep"])
def test_the_brief_leaves_out_a_reused_answer_that_does_not_matter(hunter, reused, command):
    """Google mail and no Microsoft record: a "no tenant" from the day's cache changes nothing the rep says,
    and three lines about it in every brief after a second scan were noise (trial 30, BRIEF_NOISE)."""
    out = hunter(command, DOMAIN, env=WIDE)
    assert out.exit_code == 0, out.stderr
    assert "before this scan" not in _flat(out.stdout), out.stdout


def test_fresh_tenant_asks_again_and_the_answer_is_current(hunter, reused, ms):
    ms.reset_log()
    out = hunter("scan", DOMAIN, "--no-whois", "--fresh-tenant", "--json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["tenant"]["namespace_type"] == "Federated"
    show = _flat(hunter("leads", "show", DOMAIN, env=WIDE).stdout)
    assert "Federated 15151515-2222-4333-8444-555555555555" in show and "(asked" not in show, show
    brief = _flat(hunter("sales-summary", DOMAIN, env=WIDE).stdout)
    assert "Hunter keeps tenant answers for a day" not in brief, brief


def test_an_answer_the_scan_asked_itself_carries_no_time(hunter):
    assert hunter("scan", DOMAIN, "--no-whois", "-q").exit_code == 0
    show = _flat(hunter("leads", "show", DOMAIN, env=WIDE).stdout)
    assert re.search(r"Tenant none\b", show) and "(asked" not in show, show
    brief = _flat(hunter("sales-summary", DOMAIN, env=WIDE).stdout)
    assert "Hunter keeps tenant answers for a day" not in brief, brief


def test_scan_help_says_answers_are_kept_for_a_day(hunter):
    out = _flat(hunter("scan", "--help", env=WIDE).stdout)
    assert "--fresh-tenant" in out and "kept for a day" in out, out


def test_fresh_tenant_and_no_tenant_contradict(hunter):
    out = hunter("scan", DOMAIN, "--fresh-tenant", "--no-tenant", "--lang", "tr", env=WIDE)
    assert out.exit_code == 2 and "yalnızca birini verin" in _flat(out.stderr), out.stderr


def test_rescan_fresh_tenant_asks_again(hunter, reused, ms, dns):
    ns = ("--nameserver", dns.nameserver, "--timeout", "0.3")
    out = hunter("rescan", "--older-than", "0s", "--fresh-tenant", "--no-whois", "--json", *ns)
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["tenant"]["namespace_type"] == "Federated"
    assert hunter("rescan", "--fresh-tenant", "--no-tenant").exit_code == 2  # asking again and never asking


def test_prep_that_rescans_asks_the_sign_in_service_again(hunter, reused, ms, dns):
    """prep is read just before a call: when it rescans it never takes the day's stored tenant answer."""
    ns = ("--nameserver", dns.nameserver, "--timeout", "0.3")
    out = hunter("prep", DOMAIN, "--max-age", "0s", "--no-whois", "--json", *ns)
    assert out.exit_code == 0, out.stderr
    show = _flat(hunter("leads", "show", DOMAIN, env=WIDE).stdout)
    assert "Federated 15151515-2222-4333-8444-555555555555" in show and "(asked" not in show, show


def _kept_after_failed_lookup(hunter, ms, db) -> str:
    """DOMAIN's stored answer, then a --fresh-tenant scan whose lookup fails (HTTP 500): the store keeps the answer.
    Returns when it was asked, as `leads show` says it."""
    ms.faults[DOMAIN] = ("500", 100)
    out = hunter("scan", DOMAIN, "--no-whois", "--fresh-tenant", "-q")
    assert out.exit_code == 0, out.stderr
    show = _flat(hunter("leads", "show", DOMAIN, env=WIDE).stdout)
    found = re.search(r"\(last asked ([0-9-]+ [0-9:]+); the latest lookup failed\)", show)
    assert found, show
    return found.group(1)


@pytest.mark.parametrize(
    "lang, said, not_said",
    [
        (
            "en",
            "No Microsoft tenant claimed this domain when Microsoft's sign-in service was last asked ({when}); "
            "the latest lookup failed.",
            "We could not check whether a Microsoft tenant exists",
        ),
        (
            "tr",
            "Microsoft'un oturum açma hizmetine en son sorulduğunda ({when}) bu alan adı hiçbir Microsoft "
            "tenant'ına kayıtlı değildi; son sorgu başarısız oldu.",
            "Microsoft tenant'ı olup olmadığı kontrol edilemedi",
        ),
    ],
)
@pytest.mark.parametrize("command", ["sales-summary", "prep"])
def test_the_brief_says_a_kept_no_tenant_and_reuses_nothing(hunter, ms, db, dns, command, lang, said, not_said):
    """trial 25 F10: a kept "no tenant" is said as leads show says it, with no cache reuse that did not happen
    (prep rescans the partial lead; its lookup fails again and the answer stays kept)."""
    assert hunter("scan", DOMAIN, "--no-whois", "-q").exit_code == 0
    _asked_earlier(db)
    when = _kept_after_failed_lookup(hunter, ms, db)
    ns = ("--nameserver", dns.nameserver, "--timeout", "0.3", "--no-whois") if command == "prep" else ()
    out = hunter(command, DOMAIN, "--lang", lang, *ns, env=WIDE)
    assert out.exit_code == (5 if command == "prep" else 0), out.stderr  # prep: some lookups failed (stale)
    text = _flat(out.stdout)
    assert said.format(when=_in_brief(when, lang)) in text, text
    assert not_said not in text and "--fresh-tenant" not in text, text


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "Microsoft's sign-in service last answered for this domain on {when}; the latest lookup failed."),
        ("tr", "Microsoft'un oturum açma hizmeti bu alan adı için en son {when} tarihinde yanıt verdi; son sorgu"),
    ],
)
def test_the_brief_says_a_kept_tenant_was_asked_before_the_failed_lookup(hunter, ms, db, lang, said):
    ms.tenants[DOMAIN] = Tenant(id="15151515-2222-4333-8444-555555555555", brand="Iki Tercih", namespace="Federated")
    assert hunter("scan", DOMAIN, "--no-whois", "-q").exit_code == 0
    _asked_earlier(db)
    when = _kept_after_failed_lookup(hunter, ms, db)
    out = hunter("sales-summary", DOMAIN, "--lang", lang, env=WIDE)
    assert out.exit_code == 0, out.stderr
    text = _flat(out.stdout)
    assert "Iki Tercih" in text and said.format(when=_in_brief(when, lang)) in text, text
    assert "--fresh-tenant" not in text, text
