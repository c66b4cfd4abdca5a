"""Change events compare the footprint as the lists state it (lead/footprint.py), not the raw records: an
Exchange Online SPF include left from before a move is no Exchange Online on either side, a service named only
by such an include is no service in use, and a workload online by records no tenant stands behind is neither in
use nor missing, so it is not compared (like a failed lookup). Two scans each through the suite's real DNS
server and sign-in stand-in; events as the store wrote them and as `hunter changes` and the brief tell them."""

from __future__ import annotations

import json
import sqlite3

from msserver import Tenant

D = "f12-degisen.com.tr"
NATRO = f"""{D}. 300 IN MX 10 mx-in01.natrohost.com.
"""
M365 = f"""{D}. 300 IN MX 0 f12-degisen-com-tr.mail.protection.outlook.com.
f12-degisen-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.124
"""


def _spf(*includes: str) -> str:
    terms = " ".join(f"include:{i}" for i in includes)
    return f'{D}. 300 IN TXT "v=spf1 {terms} ~all"\n'


def _scan_through(hunter, dns, zone_text, *zones: str) -> None:
    try:
        for zone in zones:
            dns.load(zone_text + zone)
            out = hunter("scan", D, "--no-whois", "-q")
            assert out.exit_code == 0, out.stderr
    finally:
        dns.load(zone_text)


def _events(db) -> set[tuple[str, str | None, str | None]]:
    conn = sqlite3.connect(db)
    return set(conn.execute("SELECT kind, old, new FROM events WHERE domain = ?", (D,)))


def _footprint(hunter) -> str:
    out = hunter("leads", "--format", "json")
    return next(r["footprint"] for r in json.loads(out.stdout) if r["domain"] == D)


def test_a_leftover_include_dropped_is_no_workload_removed(hunter, dns, db, zone_text):
    """Before: "Exchange Online: online → absent" when the leftover include went, though the list called
    Exchange Online missing both times."""
    natro = "_spfcls.natrohost.com"
    _scan_through(hunter, dns, zone_text, NATRO + _spf(natro, "spf.protection.outlook.com"))
    assert _footprint(hunter) == "none"
    _scan_through(hunter, dns, zone_text, NATRO + _spf(natro))
    assert _footprint(hunter) == "none"
    events = _events(db)
    assert {kind for kind, _, _ in events} == {"spf_changed"}, events
    out = hunter("changes", "--since", "1d", "--json")
    assert [e["kind"] for e in json.loads(out.stdout) if e["domain"] == D] == ["spf_changed"]


def test_mail_moved_to_microsoft_365_beside_a_leftover_include_is_exchange_online_added(hunter, dns, db, zone_text, ms):
    """Before: no event, as the include put Exchange Online "online" both times; the list went from missing
    to "exo", and so does the brief's "What changed"."""
    ms.tenants[D] = Tenant(id="12120009-2222-4333-8444-555555555555", brand="Degisen", region="EU")
    _scan_through(hunter, dns, zone_text, NATRO + _spf("_spfcls.natrohost.com", "spf.protection.outlook.com"))
    assert _footprint(hunter) == "none"  # the tenant left behind: Exchange Online still missing
    _scan_through(hunter, dns, zone_text, M365 + _spf("spf.protection.outlook.com"))
    assert _footprint(hunter) == "exo"
    assert ("workload_added", "exchange: absent", "exchange: online") in _events(db)
    brief = json.loads(hunter("sales-summary", D, "--json").stdout)
    assert "Exchange: absent → online." in [c["text"].split(": ", 1)[1] for c in brief["changes"]]


def test_a_leftover_service_include_dropped_is_no_service_removed(hunter, dns, db, zone_text, ms):
    """Microsoft 365 with its tenant, and Google's include left from before the move: the list never named
    Google Workspace, so dropping the include removes no service."""
    ms.tenants[D] = Tenant(id="12120008-2222-4333-8444-555555555555", brand="Degisen", region="EU")
    _scan_through(hunter, dns, zone_text, M365 + _spf("spf.protection.outlook.com", "_spf.google.com"))
    assert _footprint(hunter) == "exo"
    _scan_through(hunter, dns, zone_text, M365 + _spf("spf.protection.outlook.com"))
    assert {kind for kind, _, _ in _events(db)} == {"spf_changed"}


def test_records_no_tenant_stands_behind_add_no_workload(hunter, dns, db, zone_text):
    """Teams records appear beside an MX at Microsoft 365 with no tenant behind either: the list has "teams?"
    (neither in use nor missing), so no "Teams added" (before: workload_added teams: absent -> online)."""
    teams = f"lyncdiscover.{D}. 300 IN CNAME webdir.online.lync.com.\n"
    spf = _spf("spf.protection.outlook.com")
    _scan_through(hunter, dns, zone_text, M365 + spf)
    _scan_through(hunter, dns, zone_text, M365 + spf + teams)
    assert _footprint(hunter) == "exo?,teams?"
    assert not _events(db)


def test_stored_events_of_the_raw_reading_stay_readable(hunter, dns, db, zone_text):
    """An event an earlier release stored from the raw states (the leftover include's Exchange Online going
    away) keeps its form, and `hunter changes` and the brief still tell it."""
    _scan_through(hunter, dns, zone_text, NATRO + _spf("_spfcls.natrohost.com"))
    conn = sqlite3.connect(db)
    with conn:
        scan_id = conn.execute("SELECT MAX(id) FROM scans WHERE domain = ?", (D,)).fetchone()[0]
        conn.execute(
            "INSERT INTO events (domain, scan_id, occurred_at, kind, old, new, detail)"
            " VALUES (?, ?, '2026-11-01T10:00:00+00:00', 'workload_removed', 'exchange: online', 'exchange: absent', NULL)",
            (D, scan_id),
        )
    conn.close()
    out = hunter("changes", "--since", "60d", "--json")
    assert [(e["kind"], e["old"], e["new"]) for e in json.loads(out.stdout) if e["domain"] == D] == [
        ("workload_removed", "exchange: online", "exchange: absent")
    ]
    brief = json.loads(hunter("sales-summary", D, "--json").stdout)
    assert [c["text"] for c in brief["changes"]] == ["2026-11-01: Exchange: online → absent."]
    brief = json.loads(hunter("sales-summary", D, "--json", "--lang", "tr").stdout)
    assert [c["text"] for c in brief["changes"]] == ["1 Kasım 2026: Exchange: Microsoft bulutunda → yok."]
