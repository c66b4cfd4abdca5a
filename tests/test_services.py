"""The service layer: a scan run through services.scan returns a typed summary, records its run and
prints nothing; prep's decisions are pure functions of what is stored."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from hunter_cli.exits import ExitStatus
from hunter_cli.services import brief as brief_service
from hunter_cli.services.scan import ScanRefused, build_options, run_scan


def _options(dns, **kw):
    return build_options(nameserver=[dns.nameserver], timeout=0.3, retries=1, no_tenant=True, no_whois=True, **kw)


def _runs(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT command, outcome FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_scan_run_returns_its_summary_records_its_run_and_prints_nothing(dns, db, capfd):
    emitted: list[str] = []
    domains = ["m365-firma.com.tr", "google-ornek.com.tr", "google-ornek.com.tr", "not a domain"]
    summary = run_scan(domains, db, _options(dns), fresh_since=None, emit=emitted.extend)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert summary.outcome == "ok" and summary.code == ExitStatus.OK and summary.error is None
    assert summary.tally.scanned == 2 and summary.tally.provider == {"m365": 1, "google": 1}
    assert summary.stats.duplicates == 1 and summary.stats.skipped_total == 1
    assert summary.record["stored"] == 2 and summary.record["scanned"] == 2
    assert sorted('"m365-firma.com.tr"' in t for t in emitted) == [False, True]  # each stored result, emitted once
    assert _runs(db) == [("scan", "ok")]

    again = run_scan(domains[:2], db, _options(dns), fresh_since="2000-01-01T00:00:00+00:00")
    assert again.tally.scanned == 0 and again.tally.fresh_skipped == 2 and again.code == 0


def test_a_scan_run_that_cannot_start_is_refused_without_a_record(dns, db):
    run_scan(["m365-firma.com.tr"], db, _options(dns), fresh_since=None)
    from hunter_cli.store.scanlock import Holder, ScanLock

    lock = ScanLock(db, Holder("scan"))  # as a bulk scan holds it
    assert lock.try_acquire()
    try:
        with pytest.raises(ScanRefused, match="a bulk scan is writing to"):
            run_scan(["google-ornek.com.tr"], db, _options(dns), fresh_since=None)
    finally:
        lock.release()
    with pytest.raises(ScanRefused, match="rules"):
        bad = db.parent / "rules.json"
        bad.write_text('{"weights": "no"}')
        run_scan(["google-ornek.com.tr"], db, _options(dns, rules=str(bad)), fresh_since=None)
    assert _runs(db) == [("scan", "ok")]


def test_a_bad_nameserver_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="300.1.1.1"):
        build_options(nameserver=["127.0.0.1:53,300.1.1.1"])


# -- prep's decisions ---------------------------------------------------------------------
NOW = "2026-06-01T12:00:00+00:00"
DAY_AGO = "2026-05-31T12:00:00+00:00"
WEEK_AGO = "2026-05-25T12:00:00+00:00"


def _before(last_good, *, read_only=False, free=True, age=timedelta(days=1), since=DAY_AGO):
    return brief_service.before_rescan(
        "firma.com.tr", "/x/hunter.db", last_good=last_good, read_only=read_only, lock_free=lambda: free,
        age=age, since=since,
    )  # fmt: skip


def test_prep_shows_a_fresh_brief_without_asking_for_the_lock():
    def never() -> bool:
        raise AssertionError("the lock is not asked for a fresh brief")

    step = brief_service.before_rescan(
        "firma.com.tr", "/x/hunter.db", last_good=NOW, read_only=False, lock_free=never,
        age=timedelta(days=1), since=DAY_AGO,
    )  # fmt: skip
    assert (step.action, step.code, step.warning) == ("show", 0, None)


def test_prep_rescans_a_stale_or_missing_brief_and_0s_always_rescans():
    assert _before(WEEK_AGO).action == "rescan"
    assert _before(None).action == "rescan"
    assert _before(NOW, age=timedelta(0), since=NOW).action == "rescan"


def test_prep_shows_the_stored_brief_with_a_warning_when_it_cannot_rescan():
    ro = _before(WEEK_AGO, read_only=True)
    assert (ro.action, ro.code) == ("show", ExitStatus.STALE) and "showing the scan of" in ro.warning
    busy = _before(WEEK_AGO, free=False)
    assert (busy.action, busy.code) == ("show", ExitStatus.STALE) and busy.warning.startswith("a bulk scan is writing")
    nothing = _before(None, free=False)
    assert (nothing.action, nothing.code) == ("fail", ExitStatus.FATAL) and "has no stored scan" in nothing.message
    assert "read-only" in _before(None, read_only=True).message


def _after(code, attempts, last_good=None):
    return brief_service.after_rescan(
        "firma.com.tr", code=code, attempts=attempts, last_good=last_good, nameservers=("127.0.0.1:5353",)
    )


def test_prep_after_a_rescan_shows_fresh_or_stale_or_says_why_not():
    ok = {"status": "ok", "errors": []}
    partial = {"status": "partial", "errors": [{"check": "dmarc", "kind": "timeout"}]}
    failed = {"status": "failed", "errors": [{"check": "mx", "kind": "timeout"}]}
    servfail = {"status": "failed", "errors": [{"check": "mx", "kind": "servfail"}]}
    assert _after(0, [ok]).action == "show" and _after(0, [ok]).warning is None
    part = _after(0, [partial], last_good=WEEK_AGO)  # the rescan's brief, said not to be all fresh (trial 23)
    assert (part.action, part.code) == ("show", ExitStatus.STALE) and "DMARC timeout" in part.warning
    stale = _after(0, [failed], last_good=WEEK_AGO)
    assert (stale.action, stale.code) == ("show", ExitStatus.STALE) and stale.warning.startswith("could not refresh")
    unreachable = _after(0, [failed])
    assert unreachable.action == "fail" and "DNS is unreachable" in unreachable.message
    assert "127.0.0.1:5353" in unreachable.message
    assert "no successful scan yet" in _after(0, [servfail]).message
    gone = _after(ExitStatus.RESOLVER, [])
    assert (gone.action, gone.code, gone.message) == ("fail", ExitStatus.RESOLVER, None)


def test_the_scan_table_shows_the_highest_priority_not_the_first_to_finish():
    """The quickest domains to finish are the dead ones: the table keeps the best 50, whatever the order."""
    import random

    from hunter_cli.models import DomainResult
    from hunter_cli.services.scan import ScanTally

    results = [
        DomainResult(
            domain=f"d{i:03}.com",
            status="ok",
            scanned_at="2026-11-30T00:00:00+00:00",
            provider="hosting",
            category=f"P{1 + i % 6}",
            score=i % 7,
        )
        for i in range(120)
    ]
    best = sorted(results, key=lambda r: (r.category, -(r.score or 0), r.domain))[:50]
    for seed in (1, 2):
        tally = ScanTally()
        shuffled = results[:]
        random.Random(seed).shuffle(shuffled)
        for r in shuffled:
            tally.add(r)
        assert sorted(r.domain for r in tally.sample) == sorted(r.domain for r in best)
        assert tally.scanned == 120


def test_summary_counts_are_written_with_thousands_separators():
    """'3,000 domains' beside 'ok 3,000', never 'ok 3000'."""
    from rich.console import Console

    from hunter_cli.inputs import InputStats
    from hunter_cli.render.scan_tables import summary_table
    from hunter_cli.services.scan import ScanTally

    tally = ScanTally(scanned=3000)
    tally.status["ok"] = 3000
    tally.category["P3"] = 1044
    tally.provider["m365"] = 1201
    console = Console(width=100, record=True, color_system=None)
    console.print(summary_table(tally, InputStats(lines=3000, accepted=3000), 9.5))
    text = console.export_text()
    assert "ok 3,000" in text and "P3 1,044" in text and "Microsoft 365 1,201" in text
    assert "3000" not in text and "1044" not in text
