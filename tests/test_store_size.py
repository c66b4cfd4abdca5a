"""Disk: each scan result stored once (migration 8), `hunter db prune` and `hunter db vacuum`."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from hunter_cli import store
from hunter_cli.store.packing import loads, pack, unpack
from hunter_cli.store.prune import prunable

RELEASE_DB = Path(__file__).parent / "data" / "release" / "hunter-0.1.0.db"


def q(db, sql, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def results_by_scan(db) -> dict[int, dict]:
    conn = store.connect(db)
    try:
        return {i: store.scan_result(conn, i) for (i,) in conn.execute("SELECT id FROM scans")}
    finally:
        conn.close()


def records_by_scan(db) -> dict[int, dict | None]:
    conn = store.connect(db)
    try:
        return {i: store.scan_records(conn, i) for (i,) in conn.execute("SELECT id FROM scans")}
    finally:
        conn.close()


def _stored_form(hunter, domain: str, code: int = 0) -> dict:
    """``scan --json``'s line for ``domain`` as the store keeps it: without ``domain_unicode``, which
    only the output adds (docs/json-schema.md). ``code``: the scan's exit status (7: its one domain failed)."""
    line = hunter.scan_json(domain, code=code)[domain]
    assert line.pop("domain_unicode") == domain
    return line


def test_a_result_is_stored_once_and_kept_when_a_rescan_replaces_it(hunter, db):
    first = _stored_form(hunter, "firma.com.tr")
    (scan_id, stored), *_ = q(db, "SELECT id, result FROM scans")
    assert stored is None  # the result is the current view: stored in domains only
    (current,) = q(db, "SELECT current_view FROM domains WHERE domain = 'firma.com.tr'")[0]
    text = unpack(current)
    assert isinstance(current, bytes) and json.loads(text) == first and ", " not in text[:200]  # packed, compact
    assert len(current) < len(text) / 4
    second = _stored_form(hunter, "firma.com.tr")
    rows = q(db, "SELECT id, result, result_base FROM scans ORDER BY id")
    assert [r[1] is None for r in rows] == [False, True]  # the first scan got its own result back
    # as a delta against the second scan's result (the same company a minute later): a few dozen bytes
    assert rows[0][2] == rows[1][0] and len(rows[0][1]) < 120 < len(current)
    results = results_by_scan(db)
    assert results == {rows[0][0]: first, rows[1][0]: second}


def test_a_failed_rescan_stores_its_own_result_and_leaves_the_current_one(hunter, dns, db):
    good = _stored_form(hunter, "slowmx.com")
    dns.faults["slowmx.com"] = "servfail"
    failed = _stored_form(hunter, "slowmx.com", code=7)
    assert failed["status"] == "failed"
    rows = q(db, "SELECT status, result FROM scans ORDER BY id")
    assert rows[0] == ("ok", None) and loads(rows[1][1]) == failed
    assert results_by_scan(db)[1] == good


def test_rescoring_keeps_each_scan_result_as_scanned(hunter, db, tmp_path):
    before = _stored_form(hunter, "firma.com.tr")
    conn = store.connect(db)
    (stored,) = conn.execute("SELECT current_view FROM domains").fetchone()
    changed = pack(json.dumps({**loads(stored), "score": 1}))
    conn.execute("UPDATE domains SET current_view = ?", (changed,))  # as a rule change would
    conn.close()
    from hunter_cli.scoring import load_rules

    conn = store.connect(db, write=True)
    store.rescore(conn, load_rules())
    conn.close()
    (result,) = q(db, "SELECT result FROM scans")[0]
    assert result is not None and loads(result)["score"] == 1  # what the view held when it was replaced
    assert loads(q(db, "SELECT current_view FROM domains")[0][0])["score"] == before["score"]


def test_release_database_keeps_every_result_through_the_upgrade(hunter, tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_DB, db)
    results = {i: json.loads(t) for i, t in q(db, "SELECT id, result_json FROM scans")}
    views = {
        d: json.loads(t) for d, t in q(db, "SELECT domain, current_json FROM domains WHERE current_json IS NOT NULL")
    }
    size_before = sum(len(t) for (t,) in q(db, "SELECT result_json FROM scans")) + sum(
        len(t) for (t,) in q(db, "SELECT current_json FROM domains WHERE current_json IS NOT NULL")
    )
    assert hunter("leads", "--db", str(db)).exit_code == 0  # opening upgrades
    assert results_by_scan(db) == results
    assert {
        d: loads(v) for d, v in q(db, "SELECT domain, current_view FROM domains WHERE current_view IS NOT NULL")
    } == views
    stored_once = q(db, "SELECT count(*) FROM scans WHERE result IS NULL")[0][0]
    expected = q(RELEASE_DB, "SELECT d.domain, s.result_json FROM domains d JOIN scans s ON s.id = d.last_good_scan_id")
    # every scan whose result is its domain's current view (same JSON, whatever the spacing), and only those
    assert stored_once == sum(json.loads(t) == views[d] for d, t in expected) > 60
    size_after = sum(len(v or b"") for (v,) in q(db, "SELECT result FROM scans")) + sum(
        len(v) for (v,) in q(db, "SELECT current_view FROM domains WHERE current_view IS NOT NULL")
    )
    assert size_after < 0.2 * size_before  # stored once (migration 8), packed (migration 9)
    assert q(db, "SELECT count(*) FROM scans WHERE typeof(result) = 'text'") == [(0,)]
    assert q(db, "SELECT count(*) FROM domains WHERE typeof(current_view) = 'text'") == [(0,)]
    # a NULL result only ever stands for the domain's last good scan
    assert q(
        db,
        "SELECT count(*) FROM scans s JOIN domains d ON d.domain = s.domain"
        " WHERE s.result IS NULL AND s.id IS NOT d.last_good_scan_id",
    ) == [(0,)]


# -- prune ---------------------------------------------------------------------------
def _history_db(path: Path) -> dict[str, int]:
    """Leads with scans at known dates; returns the ids of the scans that matter by name."""
    conn = store.connect(path, write=True)
    ids: dict[str, int] = {}

    def scan(name, domain, when, status="ok", provider="google", gateway=None):
        cur = conn.execute(
            "INSERT INTO scans (domain, scanned_at, status, provider, gateway, result) VALUES (?, ?, ?, ?, ?, ?)",
            (domain, when, status, provider, gateway, pack(json.dumps({"domain": domain, "at": when}))),
        )
        ids[name] = cur.lastrowid

    conn.execute("BEGIN")
    for d in ("a.com.tr", "b.com.tr", "c.com.tr"):
        conn.execute("INSERT INTO domains (domain, added_at) VALUES (?, '2020-01-01T00:00:00+00:00')", (d,))
    # a: weekly rescans, no change, then a failed attempt last
    scan("a_first", "a.com.tr", "2020-01-01T00:00:00+00:00")
    for w in range(2, 10):
        scan(f"a_{w}", "a.com.tr", f"2020-01-{w * 3:02d}T00:00:00+00:00")
    scan("a_good", "a.com.tr", "2030-01-01T00:00:00+00:00")
    scan("a_failed", "a.com.tr", "2030-01-08T00:00:00+00:00", status="failed", provider="unknown")
    # b: moved from Google to Microsoft 365 long ago (the brief's "what changed"), a gateway later
    scan("b_first", "b.com.tr", "2020-01-01T00:00:00+00:00")
    scan("b_mid", "b.com.tr", "2020-02-01T00:00:00+00:00")
    scan("b_before_move", "b.com.tr", "2020-03-01T00:00:00+00:00")
    scan("b_partial_noise", "b.com.tr", "2020-03-05T00:00:00+00:00", status="failed", provider="unknown")
    scan("b_after_move", "b.com.tr", "2020-04-01T00:00:00+00:00", provider="m365")
    scan("b_same", "b.com.tr", "2020-05-01T00:00:00+00:00", provider="m365")
    scan("b_before_gw", "b.com.tr", "2020-06-01T00:00:00+00:00", provider="m365")
    scan("b_gw", "b.com.tr", "2020-07-01T00:00:00+00:00", provider="m365", gateway="mimecast")
    scan("b_last", "b.com.tr", "2030-01-01T00:00:00+00:00", provider="m365", gateway="mimecast")
    # c: an old scan a change event names
    scan("c_first", "c.com.tr", "2020-01-01T00:00:00+00:00")
    scan("c_event", "c.com.tr", "2020-02-01T00:00:00+00:00", provider="google")
    scan("c_plain", "c.com.tr", "2020-03-01T00:00:00+00:00")
    scan("c_last", "c.com.tr", "2030-01-01T00:00:00+00:00")
    conn.execute(
        "INSERT INTO events (domain, scan_id, occurred_at, kind, old, new)"
        " VALUES ('c.com.tr', ?, '2020-02-01T00:00:00+00:00', 'dmarc_added', NULL, 'none')",
        (ids["c_event"],),
    )
    for d, good, last in (
        ("a.com.tr", "a_good", "a_failed"),
        ("b.com.tr", "b_last", "b_last"),
        ("c.com.tr", "c_last", "c_last"),
    ):
        conn.execute(
            "UPDATE domains SET last_good_scan_id = ?, last_scan_id = ? WHERE domain = ?", (ids[good], ids[last], d)
        )
    conn.execute("COMMIT")
    conn.close()
    return ids


def test_prune_removes_only_what_nothing_needs(hunter, tmp_path):
    db = tmp_path / "h.db"
    ids = _history_db(db)
    dry = hunter("db", "prune", "--keep", "365d", "--dry-run", "--json", "--db", str(db))
    assert dry.exit_code == 0, dry.stderr
    assert q(db, "SELECT count(*) FROM scans")[0][0] == len(ids)  # a dry run changes nothing
    done = hunter("db", "prune", "--keep", "365d", "--json", "--db", str(db))
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    left = {i for (i,) in q(db, "SELECT id FROM scans")}
    kept = {name for name, i in ids.items() if i in left}
    assert kept == {
        "a_first",  # first good scan: known since
        "a_good",  # last good scan
        "a_failed",  # last attempt
        "b_first",
        "b_before_move",  # both sides of the provider move
        "b_after_move",
        "b_before_gw",  # both sides of the gateway change
        "b_gw",
        "b_last",
        "c_first",
        "c_event",  # a change event names it
        "c_last",
    }
    would = json.loads(dry.stdout)
    assert {k: report[k] for k in ("older", "removed", "kept", "scans")} == {
        k: would[k] for k in ("older", "removed", "kept", "scans")
    }
    assert would["dry_run"] and not report["dry_run"]
    assert report["removed"] == len(ids) - len(kept) and report["scans"] == len(kept)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_prune_keeps_what_the_brief_says_changed(hunter, tmp_path):
    """The brief's "What changed" reads the change events, which prune never removes."""
    from hunter_cli.brief.compose import _changes
    from hunter_cli.brief.messages import Messages
    from hunter_cli.lead import Lead

    db = tmp_path / "h.db"
    ids = _history_db(db)
    conn = store.connect(db, write=True)
    conn.executemany(  # the events b's two moves raised when they were scanned
        "INSERT INTO events (domain, scan_id, occurred_at, kind, old, new) VALUES ('b.com.tr', ?, ?, ?, ?, ?)",
        [
            (ids["b_after_move"], "2020-04-01T00:00:00+00:00", "provider_changed", "google", "m365"),
            (ids["b_gw"], "2020-07-01T00:00:00+00:00", "gateway_added", None, "mimecast"),
        ],
    )
    conn.commit()
    conn.close()

    def told():
        conn = store.connect(db)
        try:
            events, total = store.events_of(conn, "b.com.tr", 8)
            history = store.history(conn, "b.com.tr")
        finally:
            conn.close()
        changes, note = _changes(Messages("en"), events, total, history, Lead.model_construct())
        return [c.text for c in changes], note

    before = told()
    assert before == (
        ["2020-07-01: Gateway Mimecast added.", "2020-04-01: Provider: Google Workspace → Microsoft 365."],
        None,
    )
    assert hunter("db", "prune", "--keep", "30d", "--db", str(db)).exit_code == 0
    assert told() == before


def test_prune_beside_a_running_scan_and_vacuum_waits_for_none(hunter, tmp_path):
    db = tmp_path / "h.db"
    _history_db(db)
    from hunter_cli.store.scanlock import Holder, ScanLock

    lock = ScanLock(db, Holder("scan"))  # as `hunter scan` holds it
    assert lock.try_acquire()
    try:
        assert hunter("db", "prune", "--keep", "365d", "--db", str(db)).exit_code == 0
        busy = hunter("db", "vacuum", "--db", str(db))
        assert busy.exit_code == 1 and "scan is writing" in busy.stderr
    finally:
        lock.release()
    done = hunter("db", "vacuum", "--json", "--db", str(db))
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["after"] == report["before"] - report["freed"]


def test_vacuum_gives_back_the_space_and_search_still_finds(hunter, db):
    hunter("scan", "firma.com.tr", "-q")
    conn = store.connect(db, write=True)
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE filler (x BLOB)")
    conn.executemany("INSERT INTO filler VALUES (zeroblob(100000))", [()] * 50)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("DROP TABLE filler")
    conn.close()
    result = hunter("db", "vacuum")
    assert result.exit_code == 0, result.stderr
    assert "freed" in result.stdout
    conn = store.connect(db)
    freed = json.loads(hunter("db", "vacuum", "--json").stdout)
    conn.close()
    assert freed["freed"] < 100_000  # nothing left to give back the second time
    found = hunter("leads", "--search", "firma", "-f", "json")
    assert [r["domain"] for r in json.loads(found.stdout)] == ["firma.com.tr"]
    assert q(db, "SELECT count(*) FROM scans") == [(1,)]


def test_prunable_ids_are_read_in_one_snapshot(tmp_path):
    db = tmp_path / "h.db"
    ids = _history_db(db)
    conn = store.connect(db)
    found, older = prunable(conn, "2025-01-01T00:00:00+00:00")
    conn.close()
    assert older == sum(1 for n in ids if not n.endswith(("_good", "_failed", "_last")))
    assert set(found) <= set(ids.values())


def _items(framed: str | None) -> set[str] | None:
    return None if framed is None else {x for x in framed.split(",") if x}


def test_the_footprint_columns_say_what_the_view_says(hunter, db, ms):
    """The footprint cell and the filter columns the writer stores agree with what the lists derive from
    the view in a file opened read-only before they were the lead view's (schemas before 12, not upgraded:
    store.leads.footprint_derived_from), from the packed view and from its JSON text alike."""
    from msserver import Tenant
    from test_footprint_zone import EXPECTED

    from hunter_cli.store.leads import prepare

    doubted = "fp-exo-ornek.com.tr"  # no tenant: its records in Microsoft's cloud are doubted
    for i, domain in enumerate(d for d in sorted(EXPECTED) if d != doubted):
        ms.tenants[domain] = Tenant(id=f"3333{i:04d}-2222-4333-8444-555555555555", brand=domain, region="EU")
    hunter.scan_json(*EXPECTED, "--no-whois")
    conn = prepare(sqlite3.connect(db))
    stored = conn.execute(
        "SELECT domain, footprint, workload_tags, workloads_unknown, service_ids, tenant, current_view FROM domains"
    ).fetchall()
    parts = ("footprint", "workload_tags", "workloads_unknown", "service_ids")
    derived = {}
    for domain, *_, tenant, view in stored:
        for value in (view, unpack(view)):  # packed (schemas 9 to 11) and JSON text (before 9)
            row = conn.execute(
                "SELECT " + ", ".join("hunter_footprint(?, ?, ?, ?)" for _ in parts),
                [x for p in parts for x in (value, domain, tenant, p)],
            ).fetchone()
            assert derived.setdefault(domain, row) == row
    conn.close()
    assert len(stored) == len(EXPECTED)
    cells = {d: cell for d, cell, *_ in stored}
    assert len(set(cells.values())) > 5  # a spread of workloads and services, not one value
    assert len({r[2] for r in stored}) > 5  # a spread of workload tags
    assert "?" in cells[doubted]  # and doubted ones
    for domain, cell, tags, unknown, services, _, _ in stored:
        assert derived[domain] == (cell, tags, unknown, services)
    listed = {r["domain"]: r["footprint"] for r in json.loads(hunter("leads", "-f", "json").stdout)}
    assert listed == cells


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_prune_dry_run_says_what_is_in_the_database_now_and_wraps_at_80_columns(hunter, tmp_path, lang):
    """trial12 E4, E5: a dry run said "159 scans in the database" (what would be left) while 290 were
    there, in one line of 124 characters at 80 columns."""
    db = tmp_path / "h.db"
    ids = _history_db(db)
    dry = hunter("db", "prune", "--keep", "365d", "--dry-run", "--db", str(db), "--lang", lang, env={"COLUMNS": "80"})
    assert dry.exit_code == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert len(lines) > 1 and max(len(line) for line in lines) <= 80, dry.stdout
    text = " ".join(dry.stdout.split())
    now = f"{len(ids)} scans in the database now" if lang == "en" else f"veritabanında şu an {len(ids)} tarama var"
    assert now in text, text


# -- superseded results as deltas (migration 19) ---------------------------------------
def test_each_rescan_keeps_the_older_results_as_small_deltas_and_prune_keeps_them_readable(hunter, db):
    results = [_stored_form(hunter, "firma.com.tr") for _ in range(4)]
    rows = q(db, "SELECT id, result, result_base FROM scans ORDER BY id")
    ids = [r[0] for r in rows]
    # each older result leans on the next scan's, the newest is the current view
    assert [r[2] for r in rows] == [*ids[1:], None] and rows[-1][1] is None
    assert all(len(r[1]) < 120 for r in rows[:-1])  # a week-apart copy costs its time and little more
    assert results_by_scan(db) == dict(zip(ids, results, strict=True))
    raws = q(db, "SELECT raw_json FROM scans ORDER BY id")
    assert all(isinstance(r, bytes) and len(r) < 60 for (r,) in raws[:-1]) and isinstance(raws[-1][0], str)
    records = records_by_scan(db)
    assert records[ids[0]]["mx"] == [[10, "firma-com-tr.mail.protection.outlook.com"]]
    # the first scan is kept (the lead is known since then), the two between go: the first must not lose its result
    conn = sqlite3.connect(db)
    conn.execute("UPDATE scans SET scanned_at = '2020-01-0' || id || 'T00:00:00+00:00' WHERE id < ?", (ids[-1],))
    conn.commit()
    conn.close()
    pruned = hunter("db", "prune", "--keep", "365d", "--json", "--db", str(db))
    assert pruned.exit_code == 0, pruned.stderr
    assert json.loads(pruned.stdout)["removed"] == 2
    assert results_by_scan(db) == {ids[0]: results[0], ids[-1]: results[-1]}
    assert records_by_scan(db) == {i: records[i] for i in (ids[0], ids[-1])}
    assert q(db, "SELECT result_base FROM scans WHERE id = ?", ids[0]) == [(ids[-1],)]  # leans on what stays
    check = hunter("db", "check", "--json", "--db", str(db))
    assert check.exit_code == 0 and json.loads(check.stdout)["problems"] == []


def test_a_result_others_lean_on_cannot_be_deleted_and_a_changed_base_is_found_by_db_check(hunter, db):
    _stored_form(hunter, "firma.com.tr")
    _stored_form(hunter, "firma.com.tr")
    first, second = (i for (i,) in q(db, "SELECT id FROM scans ORDER BY id"))
    conn = store.connect(db, write=True)
    with pytest.raises(sqlite3.IntegrityError):  # the foreign key: the first scan's delta needs the second
        conn.execute("DELETE FROM scans WHERE id = ?", (second,))
    # a view rewritten behind the writer's back (not through a rescan): the delta no longer unpacks, and says so
    (view,) = conn.execute("SELECT current_view FROM domains").fetchone()
    conn.execute("UPDATE domains SET current_view = ?", (pack(json.dumps({**loads(view), "score": 1})),))
    conn.close()
    check = hunter("db", "check", "--json", "--db", str(db))
    assert check.exit_code != 0
    assert [p for p in json.loads(check.stdout)["problems"] if f"scan {first}'s result" in p], check.stdout


def test_rescoring_with_the_same_rules_leaves_the_deltas_readable(hunter, db):
    for _ in range(2):
        _stored_form(hunter, "firma.com.tr")
    before = results_by_scan(db)
    from hunter_cli.scoring import load_rules

    conn = store.connect(db, write=True)
    assert store.rescore(conn, load_rules())["changed"] == 0
    conn.close()
    assert results_by_scan(db) == before


def test_vacuum_repacks_the_scans_an_older_release_kept_whole_and_loses_nothing(hunter, tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_DB, db)
    assert hunter("leads", "--db", str(db)).exit_code == 0  # opening upgrades; older rows stay whole
    results, records = results_by_scan(db), records_by_scan(db)
    whole = q(db, "SELECT count(*) FROM scans WHERE result IS NOT NULL AND result_base IS NULL")[0][0]
    assert whole >= 5
    done = hunter("db", "vacuum", "--json", "--db", str(db))
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    left = q(db, "SELECT count(*) FROM scans WHERE result IS NOT NULL AND result_base IS NULL")[0][0]
    assert report["repacked"] == whole - left > 0
    # what stays whole: only a domain's newest scan (a failed attempt after the current view)
    assert q(
        db,
        "SELECT count(*) FROM scans s WHERE s.result IS NOT NULL AND s.result_base IS NULL AND EXISTS"
        " (SELECT 1 FROM scans n WHERE n.domain = s.domain AND n.id > s.id)",
    ) == [(0,)]
    assert results_by_scan(db) == results and records_by_scan(db) == records
    check = hunter("db", "check", "--json", "--db", str(db))
    assert check.exit_code == 0 and json.loads(check.stdout)["problems"] == []
    text = hunter("db", "vacuum", "--db", str(db), "--lang", "tr")
    assert text.exit_code == 0 and "farklarıyla" not in text.stdout  # nothing left to re-pack the second time


def test_vacuum_after_the_clock_stepped_back_makes_no_loop_and_loses_nothing(hunter, dns, db):
    """trial 31: a partial scan (kept whole) timed before the good scan it follows (a clock stepped back);
    the re-pack ordered by time and made the two lean on each other: both unreadable, the file damaged."""
    _stored_form(hunter, "slowmx.com")
    dns.faults["_dmarc.slowmx.com"] = "servfail"
    try:
        assert hunter.scan_json("slowmx.com")["slowmx.com"]["status"] == "partial"
    finally:
        dns.faults.pop("_dmarc.slowmx.com", None)
    first, second = (i for (i,) in q(db, "SELECT id FROM scans ORDER BY id"))
    conn = sqlite3.connect(db)
    conn.execute("UPDATE scans SET scanned_at = '2020-01-01T00:00:00+00:00' WHERE id = ?", (second,))
    conn.commit()
    conn.close()
    before = results_by_scan(db)
    done = hunter("db", "vacuum", "--json", "--db", str(db))
    assert done.exit_code == 0, done.stderr
    assert q(db, "SELECT id, result_base FROM scans ORDER BY id") == [(first, second), (second, None)]
    assert results_by_scan(db) == before
    check = hunter("db", "check", "--json", "--db", str(db))
    assert check.exit_code == 0 and json.loads(check.stdout)["problems"] == []


def test_removing_a_scan_finds_what_points_at_it_through_an_index(db, hunter):
    """trial 31: without an index on the links to a scan, each scan `db prune` removed read every lead twice
    and every event (sqlite.org/foreignkeys.html, "Required and Suggested Database Indexes")."""
    _stored_form(hunter, "firma.com.tr")
    conn = sqlite3.connect(db)
    for table, column in (("domains", "last_scan_id"), ("domains", "last_good_scan_id"), ("events", "scan_id")):
        plan = " ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE {column} = 1"))
        assert "USING" in plan and "INDEX" in plan, (table, column, plan)
    conn.close()


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_ctrl_c_in_the_middle_of_a_prune_says_what_stays_and_loses_nothing(hunter_cmd, db, lang):
    """trial 31: Ctrl-C during `db prune` exited 130 with nothing said. Each batch is its own transaction."""
    import signal
    import subprocess
    import time

    conn = store.connect(db, write=True)
    conn.execute("BEGIN")
    body = pack(json.dumps({"domain": "x"}))
    for d in range(1500):
        domain = f"p{d}.com.tr"
        conn.execute("INSERT INTO domains (domain, added_at) VALUES (?, '2020-01-01T00:00:00+00:00')", (domain,))
        ids = [
            conn.execute(
                "INSERT INTO scans (domain, scanned_at, status, result) VALUES (?, ?, 'ok', ?)",
                (domain, f"2020-01-{w + 1:02d}T00:00:00+00:00", body),
            ).lastrowid
            for w in range(20)
        ]
        conn.execute(
            "UPDATE domains SET last_good_scan_id = ?, last_scan_id = ? WHERE domain = ?", (ids[-1], ids[-1], domain)
        )
    conn.execute("COMMIT")
    conn.close()
    total = q(db, "SELECT count(*) FROM scans")[0][0]
    base, env = hunter_cmd
    env = {**env, "TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}  # stderr read as a terminal: folded
    proc = subprocess.Popen(
        [*base, "db", "prune", "--keep", "1d", "--lang", lang], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and q(db, "SELECT count(*) FROM scans")[0][0] == total and time.monotonic() < deadline:
        time.sleep(0.005)
    if proc.poll() is not None:
        pytest.skip("the prune ended before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the prune ended before the signal arrived")
    assert proc.returncode == 130, err
    from hunter_cli.brief.messages import Messages

    said = Messages(lang)("cli.db.prune_interrupted")
    assert said in " ".join(err.decode().split()), err.decode()
    # trial 32 INTERRUPT_LINE: folded at 80 columns as every message on a terminal, and a full stop at the end
    lines = re.sub(r"\x1b\[[0-9;]*m", "", err.decode()).splitlines()
    assert len(lines) > 1 and max(len(line) for line in lines) <= 80, err.decode()
    assert lines[-1].endswith("."), err.decode()
    left = q(db, "SELECT count(*) FROM scans")[0][0]
    assert 3000 <= left < total  # some batches went, each lead's first and last scan always stay
    assert q(db, "SELECT count(*) FROM domains d JOIN scans s ON s.id = d.last_good_scan_id") == [(1500,)]
