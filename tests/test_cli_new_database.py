"""A first command that fails never leaves a database it created behind unannounced (docs/cli.md, exit
status 1): the commands that may create one (scan, prep, import, referrals sync, crm pull) remove the
file, and the -wal, -shm and .lock files beside it, when they fail having stored nothing at all; when
the file holds the record of the failed run (the run log, docs/partner.md) it is kept and a line says
that the command created it. Leads stored, or a file that was there before, are kept without a word."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

DEAD = "127.0.0.1:9"  # the discard port: nothing answers DNS there


def _left(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(name))


def _said_created(stderr: str, db: Path) -> bool:
    line = f"note: this command created the database {db}; it holds no lead yet, only the record of this run, which stored none"
    return line in " ".join(stderr.split())


def _runs(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM domains").fetchone() == (0,)
        return conn.execute("SELECT command, outcome FROM runs").fetchall()
    finally:
        conn.close()


def test_a_first_prep_without_dns_says_it_created_the_database_holding_the_failed_run(hunter, tmp_path):
    db = tmp_path / "new" / "prep.db"
    db.parent.mkdir()
    result = hunter("prep", "firma.com.tr", "--db", str(db), "--nameserver", DEAD, "--timeout", "0.2", "--no-whois")
    assert result.exit_code == 1, result.output
    assert "DNS is unreachable" in result.stderr and _said_created(result.stderr, db), result.stderr
    assert _runs(db) == [("scan", "failed")]
    assert "prep.db-wal" not in _left(db.parent, "prep.db")  # closed cleanly: no WAL left beside it


def test_a_first_scan_without_dns_says_it_created_the_database(hunter, tmp_path):
    db = tmp_path / "scan.db"
    result = hunter(
        "scan", "firma.com.tr", "gmailer.de", "--db", str(db), "--nameserver", DEAD, "--timeout", "0.2", dns_args=False
    )
    assert result.exit_code == 6, result.output
    assert _said_created(result.stderr, db) and _runs(db) == [("scan", "failed")]
    assert result.stdout == ""


def test_a_first_import_of_no_valid_domain_leaves_no_database(hunter, tmp_path):
    src = tmp_path / "list.txt"
    src.write_text("Firma Ltd\nnot a domain\n", "utf-8")
    db = tmp_path / "import.db"
    result = hunter("import", str(src), "--db", str(db))
    assert result.exit_code == 1 and "no valid domain" in result.stderr
    assert _left(tmp_path, "import.db") == []


@pytest.mark.parametrize("command", ["scan", "import"])
def test_a_first_scan_or_import_of_no_valid_domain_leaves_no_database(hunter, tmp_path, command):
    """trial12 E3: `scan` kept the new database (its run record of nothing tried) and an empty .lock,
    where `import` of the same input left nothing; both leave nothing now, as docs/cli.md says."""
    src = tmp_path / "junk.txt"
    src.write_text("Firma Ltd\nnot a domain\nnan\n", "utf-8")
    db = tmp_path / "new.db"
    result = hunter(command, str(src), "--db", str(db))
    assert result.exit_code == 1 and "no valid domain" in result.stderr, result.output
    assert "created the database" not in result.stderr
    assert _left(tmp_path, "new.db") == []


def test_a_first_referral_sync_that_cannot_reach_partner_center_says_it_created_the_database(hunter, tmp_path):
    db = tmp_path / "sync.db"
    env = {"HUNTER_PARTNER_TOKEN": "not-a-real-token", "HUNTER_PARTNER_API_URL": f"http://{DEAD}"}
    result = hunter("referrals", "sync", "--db", str(db), env=env)
    assert result.exit_code == 1 and "referral sync failed" in result.stderr
    assert _said_created(result.stderr, db) and _runs(db) == [("referrals sync", "failed")]


def test_a_first_command_that_fails_before_recording_a_run_leaves_no_file(hunter, tmp_path):
    """An interrupted first scan that stored nothing, not even its run, leaves nothing behind."""
    db = tmp_path / "empty.db"
    from hunter_cli.cli.common import new_database_kept_only_on_success
    from hunter_cli.store import connect

    with pytest.raises(KeyboardInterrupt), new_database_kept_only_on_success(db):
        connect(db).close()  # the schema is made, as a scan's first open does
        raise KeyboardInterrupt
    assert _left(tmp_path, "empty.db") == []


def test_a_database_that_was_there_or_holds_a_lead_is_kept(hunter, tmp_path, dns):
    # there before: a failed scan leaves it as it was
    db = tmp_path / "kept.db"
    assert hunter("scan", "firma.com.tr", "--db", str(db), "--no-whois").exit_code == 0
    failed = hunter(
        "scan", "gmailer.de", "--db", str(db), "--nameserver", DEAD, "--timeout", "0.2", "--no-whois", dns_args=False
    )
    assert failed.exit_code == 6 and db.exists() and "created the database" not in failed.stderr
    assert sqlite3.connect(db).execute("SELECT domain FROM domains").fetchall() == [("firma.com.tr",)]
    # new, failed, but something stored: a lead imported before a file in the same run could not be read
    src = tmp_path / "list.txt"
    src.write_text("firma.com.tr\n", "utf-8")
    other = tmp_path / "partial.db"
    result = hunter("import", str(src), str(tmp_path), "--db", str(other))
    assert result.exit_code != 0 and other.exists() and "created the database" not in result.stderr, result.output
    assert sqlite3.connect(other).execute("SELECT count(*) FROM domains").fetchone() == (1,)


def test_a_failed_command_never_removes_a_new_database_another_scan_is_writing(hunter_cmd, dns, tmp_path):
    """trial 18: two first scans of one new --db started together. The one refused by the scan lock saw no file
    when it started and removed the file, WAL and lock of the one that won, which went on to write every result
    into a removed file and exit 0. A command now removes only a file it created itself, and only while it holds
    the scan lock (nobody scanning into it) and the file still holds nothing."""
    import typer
    from test_store_faults import Scan, stored
    from test_writer_process import _bulk_list

    from hunter_cli.cli.common import new_database_kept_only_on_success
    from hunter_cli.store.scanlock import Holder, LockTaken, ScanLock, holder_path

    path, names = _bulk_list(dns, tmp_path, n=40, delay=0.3)
    db = tmp_path / "shared.db"
    with pytest.raises(typer.Exit), new_database_kept_only_on_success(db):  # the second scan: no file when it began
        first = Scan(hunter_cmd, dns, [path], "--db", str(db), "-c", "4", "--no-whois")
        deadline = time.monotonic() + 30
        while not holder_path(db).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(LockTaken):  # what refused the second scan
            ScanLock(db, Holder("scan")).acquire()
        raise typer.Exit(1)
    assert db.exists(), "the other scan's new database was removed"
    code, err = first.finish()
    assert code == 0, err
    assert stored(db) == set(names)


def test_an_empty_database_this_process_did_not_create_is_kept(tmp_path):
    """A file that appeared at the path while the command ran, made by someone else (here plain sqlite3, not the
    store's open), is not the command's to remove, even empty."""
    from hunter_cli.cli.common import new_database_kept_only_on_success

    db = tmp_path / "theirs.db"
    with pytest.raises(KeyboardInterrupt), new_database_kept_only_on_success(db):
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
        raise KeyboardInterrupt
    assert db.exists()
