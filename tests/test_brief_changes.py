"""The brief's "What changed" from the stored change events, over the suite's real DNS server: a
domain scanned again after its zone changed (Exchange moved to Exchange Online, Intune enrolment
appeared, Zoom replaced Dropbox, mail moved to Microsoft 365, DMARC published) is told in English
and Turkish with names, never ids; the JSON carries each event; the list is bounded; the first scan
and a scan with nothing new say so. The wording is the one `hunter changes` uses."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from hunter_cli import store
from hunter_cli.brief.compose import CHANGES_SHOWN, compose
from hunter_cli.brief.events import event_text, messages
from hunter_cli.render.brief import markdown
from hunter_cli.render.changes import describe

GOLDEN = Path(__file__).parent / "golden"
D = "degisim-ornek.com.tr"

# An own mail server with Exchange on it, Dropbox verified, SPF "mx -all", no DMARC.
BEFORE = f"""{D}. 300 IN MX 10 mail.{D}.
mail.{D}. 300 IN A 198.51.100.160
{D}. 300 IN TXT "v=spf1 mx -all"
{D}. 300 IN TXT "dropbox-domain-verification=k3m9x2p7q1zt"
autodiscover.{D}. 300 IN CNAME mail.{D}.
"""
# Then: mail and Exchange in Microsoft 365, devices enrol in Intune, Zoom verified instead of
# Dropbox, DMARC published at quarantine.
AFTER = f"""{D}. 300 IN MX 0 degisim-ornek-com-tr.mail.protection.outlook.com.
degisim-ornek-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.161
{D}. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"
{D}. 300 IN TXT "ZOOM_verify_Hq4Lm8Np2Rs6Tv0W"
autodiscover.{D}. 300 IN CNAME autodiscover.outlook.com.
enterpriseenrollment.{D}. 300 IN CNAME enterpriseenrollment.manage.microsoft.com.
_dmarc.{D}. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@{D}"
"""
# And later: Slack and DocuSign verified, Zoom gone, DMARC at reject, Teams Online records, devices
# register with Entra ID.
LATER = f"""{D}. 300 IN MX 0 degisim-ornek-com-tr.mail.protection.outlook.com.
degisim-ornek-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.161
{D}. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"
{D}. 300 IN TXT "slack-domain-verification=Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg9Hj8Kl7M"
{D}. 300 IN TXT "docusign=7c1e9a52-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
autodiscover.{D}. 300 IN CNAME autodiscover.outlook.com.
enterpriseenrollment.{D}. 300 IN CNAME enterpriseenrollment.manage.microsoft.com.
enterpriseregistration.{D}. 300 IN CNAME enterpriseregistration.windows.net.
lyncdiscover.{D}. 300 IN CNAME webdir.online.lync.com.
_dmarc.{D}. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{D}"
"""


@pytest.fixture(autouse=True)
def _tenant(ms):
    """A tenant answers for the domain throughout (set up before its first scan, as the day's tenant answer is
    cached): the Microsoft 365 records are confirmed, so the lists and the change events take them as they are."""
    from msserver import Tenant

    ms.tenants[D] = Tenant(id="d1d1d1d1-1111-4222-8333-444444444444", brand="Degisim Ornek", region="EU")


def _scan_through(hunter, dns, zone_text, *zones: str, domain: str = D) -> None:
    """Scan ``domain`` once with each of ``zones`` added to the suite's zones, then load them back."""
    try:
        for zone in zones:
            dns.load(zone_text + zone)
            assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    finally:
        dns.load(zone_text)


def _section(markdown_text: str, title: str) -> list[str]:
    """The bullet lines of one section of a Markdown brief."""
    body = markdown_text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in body.splitlines() if line.startswith("- ")]


def _events(db) -> list[tuple[str, str, str | None, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT occurred_at, kind, old, new FROM events WHERE domain = ? ORDER BY occurred_at DESC, scan_id DESC, id",
            (D,),
        ).fetchall()
    finally:
        conn.close()


def test_the_brief_tells_workloads_and_services_that_came_and_went(hunter, dns, db, zone_text):
    _scan_through(hunter, dns, zone_text, BEFORE, AFTER)
    stored = _events(db)
    kinds = {k for _, k, _, _ in stored}
    assert {"workload_changed", "workload_added", "service_added", "service_removed"} <= kinds
    day = date.fromisoformat(stored[0][0][:10])

    en = _section(hunter("sales-summary", D, "--format", "markdown").stdout, "What changed")
    for said in (
        "Exchange: on-premises → online",
        "Intune enrolment: absent → online",
        "Zoom domain verification record added",  # a verification token alone: a record, not use
        "Dropbox domain verification record removed",
        "Provider: an in-house mail server → Microsoft 365",
        "DMARC published: p=quarantine",
        "SPF: mechanism `include:spf.protection.outlook.com` added; mechanism `mx` removed",
    ):
        assert f"{day.isoformat()}: {said}." in en, (said, en)
    assert not [line for line in en if re.search(r"\bintune\b|\bexchange:|on_premises", line)]  # no raw ids

    tr = _section(hunter("sales-summary", D, "--format", "markdown", "--lang", "tr").stdout, "Neler değişti")
    from hunter_cli.brief.localize import format_date

    short = format_date(day, "tr")  # the brief's one Turkish date style ("1 Aralık 2026")
    for said in (
        "Exchange: kendi sunucularında → Microsoft bulutunda",
        "Intune cihaz yönetimi kaydı: yok → Microsoft bulutunda",
        "Zoom alan adı doğrulama kaydı eklendi",
        "Dropbox alan adı doğrulama kaydı kaldırıldı",
        "E-posta sağlayıcısı değişti: şirket içi e-posta sunucusu → Microsoft 365",
        "DMARC kaydı yayımlandı; politika: karantina (p=quarantine)",
    ):
        assert f"{short}: {said}." in tr, (said, tr)
    assert len(en) == len(tr) == len(stored)  # every event, no "earlier" note while they fit


def test_the_json_brief_carries_each_event(hunter, dns, db, zone_text):
    _scan_through(hunter, dns, zone_text, BEFORE, AFTER)
    stored = _events(db)
    conn = sqlite3.connect(db)
    try:  # the detail that words an event (a service known only by its verification token)
        details = dict(conn.execute("SELECT kind || ':' || coalesce(old, new), detail FROM events").fetchall())
    finally:
        conn.close()
    for lang in ("en", "tr"):
        brief = json.loads(hunter("sales-summary", D, "--json", "--lang", lang).stdout)
        changes = brief["changes"]
        assert [(c["occurred_at"], c["kind"], c["old"], c["new"]) for c in changes] == stored  # newest first
        for c in changes:
            assert set(c) == {"occurred_at", "kind", "old", "new", "text"}
            assert datetime.fromisoformat(c["occurred_at"]).tzinfo is not None  # ISO 8601 with its offset
            detail = details.get(f"{c['kind']}:{c['old'] or c['new']}")
            assert c["text"].endswith(event_text(messages(lang), c["kind"], c["old"], c["new"], detail) + ".")
        assert brief["changes_total"] == len(stored) and brief["changes_note"] is None
    # `hunter changes` tells each event in the English brief's words
    table = json.loads(hunter("sales-summary", D, "--json").stdout)["changes"]
    for c in table:
        detail = details.get(f"{c['kind']}:{c['old'] or c['new']}")
        assert (
            c["text"].split(": ", 1)[1].replace("`", "") == describe(c["kind"], c["old"], c["new"], detail=detail) + "."
        )


def test_a_long_history_shows_the_latest_and_counts_the_rest(hunter, dns, db, zone_text):
    """Three scans (8 events, then 6) may fall in one second: the later scan still comes first, and the
    events of one scan keep their order (the provider first)."""
    _scan_through(hunter, dns, zone_text, BEFORE, AFTER, LATER)
    stored = _events(db)
    assert len(stored) == 14
    en = _section(hunter("sales-summary", D, "--format", "markdown").stdout, "What changed")
    assert [line.split(": ", 1)[1] for line in en[:CHANGES_SHOWN]] == [
        "DMARC: p=quarantine → p=reject.",
        "Teams / Skype for Business: absent → online.",
        "Entra device registration: absent → online.",
        "DocuSign domain verification record added.",
        "Slack domain verification record added.",
        "Zoom domain verification record removed.",
        "Provider: an in-house mail server → Microsoft 365.",
        "DMARC published: p=quarantine.",
    ]
    assert en[CHANGES_SHOWN:] == [f"And 6 earlier changes: `hunter leads show {D}` lists them all."]
    tr = _section(hunter("sales-summary", D, "--format", "markdown", "--lang", "tr").stdout, "Neler değişti")
    assert [line.split(": ", 1)[1] for line in tr[:3]] == [
        "DMARC politikası değişti: karantina (p=quarantine) → reddetme (p=reject).",
        "Teams / Skype for Business: yok → Microsoft bulutunda.",
        "Entra cihaz kaydı: yok → Microsoft bulutunda.",
    ]
    assert tr[CHANGES_SHOWN:] == [f"Bunlardan önce 6 değişiklik daha var; tamamını `hunter leads show {D}` gösterir."]
    brief = json.loads(hunter("sales-summary", D, "--json").stdout)
    assert [c["kind"] for c in brief["changes"]][:2] == ["dmarc_policy_changed", "workload_added"]
    assert len(brief["changes"]) == CHANGES_SHOWN and brief["changes_total"] == 14
    assert brief["changes_note"] == en[-1]


def test_one_earlier_change_is_told_as_one(hunter, dns, db, zone_text):
    """Nine events: eight shown, and "one earlier change" (not "1 earlier changes")."""
    _scan_through(hunter, dns, zone_text, BEFORE, AFTER)
    conn = sqlite3.connect(db)
    conn.execute(  # registration data is a slower lane: its expiry event has no scan
        "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES (?, '2026-01-01T00:00:00+00:00',"
        " 'expires_soon', NULL, '2026-01-20')",
        (D,),
    )
    conn.commit()
    conn.close()
    en = _section(hunter("sales-summary", D, "--format", "markdown").stdout, "What changed")
    assert en[-1] == f"And one earlier change: `hunter leads show {D}` lists it."
    assert "Registration expires" not in " ".join(en)  # the oldest is the one left out
    tr = _section(hunter("sales-summary", D, "--format", "markdown", "--lang", "tr").stdout, "Neler değişti")
    assert tr[-1] == f"Bunlardan önce bir değişiklik daha var; `hunter leads show {D}` onu da gösterir."


def test_first_scan_and_nothing_new_are_said(hunter, dns, db, zone_text):
    _scan_through(hunter, dns, zone_text, BEFORE)
    first = _section(hunter("sales-summary", D, "--format", "markdown").stdout, "What changed")
    assert len(first) == 1 and first[0].startswith("First scanned on ")
    _scan_through(hunter, dns, zone_text, BEFORE)
    assert not _events(db)
    same = _section(hunter("sales-summary", D, "--format", "markdown").stdout, "What changed")
    assert len(same) == 1 and same[0].startswith("No change seen since ")
    tr = _section(hunter("sales-summary", D, "--format", "markdown", "--lang", "tr").stdout, "Neler değişti")
    assert tr[0].endswith(" tarihinden bu yana değişiklik görülmedi.")
    brief = json.loads(hunter("sales-summary", D, "--json").stdout)
    assert brief["changes"] == [] and brief["changes_total"] == 0 and brief["changes_note"] == same[0]


def test_the_brief_says_the_same_after_a_prune(hunter, dns, db, zone_text):
    """`hunter db prune` thins a lead's scan history out; the brief (its "What changed" too) must not
    change, as docs/database.md promises (trial24 F2: "across 4 scans" became "across 2 scans")."""
    _scan_through(hunter, dns, zone_text, BEFORE, BEFORE, BEFORE, BEFORE)
    assert not _events(db)
    conn = sqlite3.connect(db)
    ids = [i for (i,) in conn.execute("SELECT id FROM scans WHERE domain = ? ORDER BY id", (D,))]
    for i, when in zip(ids[:3], ("2020-01-10", "2020-02-10", "2020-03-10"), strict=True):  # the first three, long ago
        conn.execute("UPDATE scans SET scanned_at = ? WHERE id = ?", (f"{when}T09:00:00+00:00", i))
    conn.commit()
    conn.close()

    def briefs() -> list[str]:
        return [hunter("sales-summary", D, "--format", "markdown", "--lang", lang).stdout for lang in ("en", "tr")] + [
            hunter("sales-summary", D, "--json").stdout
        ]

    before = briefs()
    assert _section(before[0], "What changed") == ["No change seen since 2020-01-10."]
    pruned = hunter("db", "prune", "--keep", "90d", "--json")
    assert pruned.exit_code == 0, pruned.stderr
    assert json.loads(pruned.stdout)["removed"] == 2  # the first good scan and the latest are kept
    assert briefs() == before


FROZEN = ("2026-11-27T09:00:00+00:00", "2026-11-12T09:00:00+00:00")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_golden_brief_with_changes(hunter, dns, db, zone_text, lang):
    """A golden brief whose "What changed" has events (the golden briefs of test_brief.py are first scans)."""
    _scan_through(hunter, dns, zone_text, BEFORE, AFTER)
    conn = store.connect(db)
    try:
        data = store.brief_inputs(conn, D, events=CHANGES_SHOWN)
    finally:
        conn.close()
    assert data is not None
    data["view"]["scanned_at"] = FROZEN[0]
    for h, when in zip(data["history"], FROZEN[::-1], strict=True):
        h["scanned_at"] = when
    for e in data["events"]:
        e["occurred_at"] = FROZEN[0]
    brief = compose(
        data["view"],
        lang=lang,
        history=data["history"],
        events=data["events"],
        events_total=data["events_total"],
        registration=None,
        company=None,
        today=date(2026, 11, 27),
    )
    text = markdown(brief)
    path = GOLDEN / f"{D}.{lang}.md"
    if os.environ.get("HUNTER_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_every_event_kind_has_its_own_words(lang):
    """Each kind `hunter changes --kind` accepts is worded by its own message, never the raw fallback,
    and workload and service ids come out as names."""
    from hunter_cli.cli.monitor import EVENT_KINDS

    m = messages(lang)
    values = {
        "workload_added": ("device-registration: absent", "device-registration: online"),
        "workload_removed": ("msoid: online", "msoid: absent"),
        "workload_changed": ("teams: on_premises", "teams: hybrid"),
        "service_added": (None, "amazon-ses"),
        "service_removed": ("atlassian", None),
        "expires_soon": (None, "2026-12-05"),
        "state_changed": ("active", "parked"),
    }
    for kind in EVENT_KINDS:
        old, new = values.get(kind, ("google", "m365") if kind == "provider_changed" else ("a", "b"))
        text = event_text(m, kind, old, new)
        assert text != m("event.other", kind=kind.replace("_", " "), old=old or "-", new=new or "-"), kind
        assert not re.search(r"device-registration|msoid|on_premises|amazon-ses|atlassian\b", text), text
    names = {
        "en": ("Entra device registration: absent → online", "Teams / Skype for Business: on-premises → hybrid"),
        "tr": (
            "Entra cihaz kaydı: yok → Microsoft bulutunda",
            "Teams / Skype for Business: kendi sunucularında → hibrit",
        ),
    }[lang]
    assert event_text(m, "workload_added", *values["workload_added"]) == names[0]
    assert event_text(m, "workload_changed", *values["workload_changed"]).startswith(names[1])
    assert "Atlassian (Jira, Confluence)" in event_text(m, "service_removed", "atlassian", None)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_mail_security_records_that_come_and_go_are_change_events(hunter, dns, db, zone_text, lang):
    """trial 19: MTA-STS and TLS reporting published between two scans showed in the footprint section while
    "What changed" said nothing had; each is now an event of its own, in `hunter changes` and the brief."""
    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    added = AFTER + f'_smtp._tls.{D}. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls@{D}"\n'
    added += f'_mta-sts.{D}. 300 IN TXT "v=STSv1; id=20261130"\n'  # no mta-sts.{D} host: published, not usable
    _scan_through(hunter, dns, zone_text, AFTER, added, AFTER)
    kinds = [(k, o, n) for _, k, o, n in _events(db) if k == "mail_security_changed"]
    assert sorted(kinds) == sorted(
        [
            ("mail_security_changed", "tls-rpt: absent", "tls-rpt: published"),
            ("mail_security_changed", "mta-sts: absent", "mta-sts: invalid"),
            ("mail_security_changed", "tls-rpt: published", "tls-rpt: absent"),
            ("mail_security_changed", "mta-sts: invalid", "mta-sts: absent"),
        ]
    ), kinds
    said = hunter("sales-summary", D, "--format", "markdown", "--lang", lang).stdout
    tls = m("fp.mailsec.name.tls-rpt")
    assert f"{tls}: {m('event.mailsec_state.absent')} → {m('event.mailsec_state.published')}" in said, said
    listed = hunter("changes", "--since", "7d", "--kind", "mail_security_changed", "-f", "json", "--lang", lang)
    assert len(json.loads(listed.stdout)) == 4, listed.stdout


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_workload_kept_from_an_earlier_scan_is_said_as_such(hunter, dns, zone_text, lang):
    """trial 19: the Intune enrolment lookup failed (SERVFAIL) in a rescan; the store kept Intune as the earlier
    scan saw it (right), and the brief said "we see enterpriseenrollment ... their devices enrol in Intune" as if
    seen again. It now says the lookups failed and the picture may be from an earlier scan."""
    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    _scan_through(hunter, dns, zone_text, AFTER)
    said = m("fp.partly_checked", names=m("fp.name.intune"))
    assert said not in json.loads(hunter("sales-summary", D, "--json", "--lang", lang).stdout)["microsoft"]
    dns.faults[f"enterpriseenrollment.{D}"] = "servfail"
    try:
        _scan_through(hunter, dns, zone_text, AFTER)
    finally:
        dns.clear_faults()
    brief = json.loads(hunter("sales-summary", D, "--json", "--lang", lang).stdout)
    assert said in brief["microsoft"], brief["microsoft"]
    assert any("enterpriseenrollment" in line for line in brief["microsoft"])  # the kept state is still shown
