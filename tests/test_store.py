"""The store: history, honest merging of failed rescans, migrations, resuming, locking, crashes."""

import json
import signal
import sqlite3
import subprocess
import time

from hunter_cli import store
from hunter_cli.store.packing import loads


def rows(db, sql, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_schema_is_migrated_once_and_recorded(db):
    conn = store.connect(db)
    assert store.schema_version(conn) == len(store.MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    conn = store.connect(db)  # second open applies nothing
    assert store.migrate(conn) == []
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations")] == [v for v, _, _ in store.MIGRATIONS]
    conn.close()


def test_an_older_database_is_upgraded_in_place(db, monkeypatch, hunter):
    monkeypatch.setattr(store.schema, "MIGRATIONS", store.MIGRATIONS[:1])
    conn = store.connect(db)  # a file as the first release left it
    conn.execute("INSERT INTO domains (domain, added_at, provider) VALUES ('old.com.tr', '2026-01-01', 'google')")
    conn.close()
    assert rows(db, "SELECT max(version) FROM schema_migrations")[0][0] == 1
    monkeypatch.undo()
    result = hunter.scan_json("firma.com.tr", "--no-whois")
    assert result["firma.com.tr"]["tenant"]["namespace_type"] == "Managed"
    assert rows(db, "SELECT max(version) FROM schema_migrations")[0][0] == len(store.MIGRATIONS)
    assert rows(db, "SELECT provider FROM domains WHERE domain = 'old.com.tr'") == [("google",)]


def test_not_a_database_is_a_clear_error(tmp_path, hunter):
    bad = tmp_path / "notes.db"
    bad.write_text("this is not sqlite " * 100)
    result = hunter("scan", "firma.com.tr", "--db", str(bad))
    assert result.exit_code == 1
    assert "cannot use" in result.stderr and "Traceback" not in result.stderr


def test_every_scan_is_kept_as_history(hunter, db):
    hunter.scan_json("firma.com.tr")
    hunter.scan_json("firma.com.tr")
    assert rows(db, "SELECT count(*) FROM scans WHERE domain = 'firma.com.tr'")[0][0] == 2
    first, second = (i for (i,) in rows(db, "SELECT id FROM scans ORDER BY id"))
    conn = store.connect(db)
    raw = store.scan_records(conn, first)  # a delta against the second scan's records since migration 19
    assert {**raw, "tenant_source": "cache"} == store.scan_records(conn, second)  # the second read the tenant cache
    conn.close()
    assert raw is not None and raw["mx"] == [[10, "firma-com-tr.mail.protection.outlook.com"]]
    assert any("v=spf1" in t for t in raw["txt"])


def test_failed_rescan_keeps_the_last_good_result(hunter, dns, db):
    hunter.scan_json("slowmx.com")
    dns.faults["slowmx.com"] = "servfail"
    again = hunter.scan_json("slowmx.com", code=7)["slowmx.com"]  # its one domain failed: exit 7
    assert again["status"] == "failed"
    (provider, status, good_id, last_id, current) = rows(
        db, "SELECT provider, last_status, last_good_scan_id, last_scan_id, current_view FROM domains"
    )[0]
    assert provider == "m365"
    assert status == "failed"
    assert good_id != last_id
    assert loads(current)["spf"]["includes"] == ["spf.protection.outlook.com"]
    statuses = [r[0] for r in rows(db, "SELECT status FROM scans ORDER BY id")]
    assert statuses == ["ok", "failed"]


def test_partial_rescan_carries_failed_checks_forward(hunter, dns, db):
    hunter.scan_json("halfbroken.com")
    dns.faults["_dmarc.halfbroken.com"] = "drop"
    r = hunter.scan_json("halfbroken.com")["halfbroken.com"]
    assert r["status"] == "partial" and r["dmarc"] is None  # this scan saw nothing...
    current = store.current(sqlite3.connect(db), "halfbroken.com")
    assert current["dmarc"]["policy"] == "quarantine"  # ...but the store keeps what it knew
    assert [e["check"] for e in current["errors"]] == ["dmarc"]
    assert rows(db, "SELECT dmarc_policy, last_status FROM domains")[0] == ("quarantine", "partial")


def test_max_age_skips_fresh_domains_and_retries_failed_ones(hunter, dns, db):
    dns.faults[("slowmx.com", "MX")] = "servfail"
    hunter.scan_json("firma.com.tr", "slowmx.com")
    dns.reset_log()
    dns.clear_faults()
    result = hunter("scan", "firma.com.tr", "slowmx.com", "--max-age", "1d")
    assert result.exit_code == 0
    assert dns.count("firma.com.tr", "MX") == 0  # fully answered a moment ago: skipped
    assert dns.count("slowmx.com", "MX") == 1  # failed last time: asked again
    assert "1 domain scanned recently" in result.stderr


def test_second_scan_on_the_same_db_is_refused_clearly(hunter, db):
    from hunter_cli.store.scanlock import Holder, ScanLock

    store.connect(db).close()
    lock = ScanLock(db, Holder("scan"))  # as a bulk scan holds it
    assert lock.try_acquire()
    try:
        result = hunter("scan", "firma.com.tr")
    finally:
        lock.release()
    assert result.exit_code == 1
    assert "a bulk scan is writing" in result.stderr


def test_runs_are_recorded(hunter, db):
    hunter.scan_json("firma.com.tr", "nomail.com", "gmail.com")
    (outcome, stats) = rows(db, "SELECT outcome, stats_json FROM runs")[0]
    stats = json.loads(stats)
    assert outcome == "ok"
    assert stats["scanned"] == 2 and stats["skipped"] == {"consumer mailbox domain, not a company": 1}


def _slow_list(dns, tmp_path, n=120, delay=0.05):
    names = [f"slow{i}.com" for i in range(n)]
    for name in names:
        dns.faults[(name, "MX")] = ("delay", delay)
    path = tmp_path / "slow.txt"
    path.write_text("\n".join(names) + "\n")
    return path, names


def _wait_for_rows(db, minimum, deadline=20.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if rows(db, "SELECT count(*) FROM scans")[0][0] >= minimum:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    raise AssertionError("scan never wrote results")


def test_kill_9_mid_scan_leaves_a_consistent_db_and_resume_finishes(hunter, hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path)
    base, env = hunter_cmd
    args = base + ["scan", str(path), "-q", "-c", "2", "--nameserver", dns.nameserver, "--timeout", "2"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for_rows(db, 1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    done = rows(db, "SELECT count(*) FROM scans")[0][0]
    assert 0 < done < len(names)
    # every stored scan has its domain row: no half-written batch
    assert rows(db, "SELECT count(*) FROM scans s LEFT JOIN domains d USING (domain) WHERE d.domain IS NULL")[0][0] == 0
    dns.reset_log()
    resumed = subprocess.run(args + ["--max-age", "1h"], env=env, capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    assert rows(db, "SELECT count(DISTINCT domain) FROM scans")[0][0] == len(names)
    assert dns.count(names[0], "MX") == 0 or done == 0  # already stored: not asked again


def test_ctrl_c_saves_results_so_far_and_exits_130(hunter_cmd, dns, db, tmp_path):
    path, names = _slow_list(dns, tmp_path)
    base, env = hunter_cmd
    proc = subprocess.Popen(
        base + ["scan", str(path), "-c", "2", "--nameserver", dns.nameserver, "--timeout", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_rows(db, 1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    (outcome,) = rows(db, "SELECT outcome FROM runs")[0]
    assert outcome == "interrupted"
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert 0 < rows(db, "SELECT count(*) FROM scans")[0][0] < len(names)
