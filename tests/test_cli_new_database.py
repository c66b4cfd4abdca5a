"""A first command that fails leaves no database it created (docs/cli.md, exit status 1): the commands
that may create a database (scan, prep, import, referrals sync) remove the file, and the -wal, -shm and
.lock files beside it, when they fail having stored nothing; anything stored, or a file that was there
before, is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

DEAD = "127.0.0.1:9"  # the discard port: nothing answers DNS there


def _left(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(name))


def test_a_first_prep_without_dns_leaves_no_database(hunter, tmp_path):
    db = tmp_path / "new" / "prep.db"
    db.parent.mkdir()
    result = hunter("prep", "firma.com.tr", "--db", str(db), "--nameserver", DEAD, "--timeout", "0.2", "--no-whois")
    assert result.exit_code == 1, result.output
    assert "DNS is unreachable" in result.stderr
    assert _left(db.parent, "prep.db") == []


def test_a_first_scan_without_dns_leaves_no_database_nor_lock_file(hunter, tmp_path):
    db = tmp_path / "scan.db"
    result = hunter(
        "scan", "firma.com.tr", "gmailer.de", "--db", str(db), "--nameserver", DEAD, "--timeout", "0.2", dns_args=False
    )
    assert result.exit_code == 6, result.output
    assert _left(tmp_path, "scan.db") == []


def test_a_first_import_of_no_valid_domain_leaves_no_database(hunter, tmp_path):
    src = tmp_path / "list.txt"
    src.write_text("Firma Ltd\nnot a domain\n", "utf-8")
    db = tmp_path / "import.db"
    result = hunter("import", str(src), "--db", str(db))
    assert result.exit_code == 1 and "no valid domain" in result.stderr
    assert _left(tmp_path, "import.db") == []


def test_a_first_referral_sync_that_cannot_reach_partner_center_leaves_no_database(hunter, tmp_path):
    db = tmp_path / "sync.db"
    env = {"HUNTER_PARTNER_TOKEN": "not-a-real-token", "HUNTER_PARTNER_API_URL": f"http://{DEAD}"}
    result = hunter("referrals", "sync", "--db", str(db), env=env)
    assert result.exit_code == 1 and "referral sync failed" in result.stderr
    assert _left(tmp_path, "sync.db") == []


def test_a_database_that_was_there_or_holds_a_lead_is_kept(hunter, tmp_path, dns):
    # there before: a failed scan leaves it as it was
    db = tmp_path / "kept.db"
    assert hunter("scan", "firma.com.tr", "--db", str(db), "--no-whois").exit_code == 0
    failed = hunter(
        "scan", "gmailer.de", "--db", str(db), "--nameserver", DEAD, "--timeout", "0.2", "--no-whois", dns_args=False
    )
    assert failed.exit_code == 6 and db.exists()
    assert sqlite3.connect(db).execute("SELECT domain FROM domains").fetchall() == [("firma.com.tr",)]
    # new, failed, but something stored: a lead imported before a file in the same run could not be read
    src = tmp_path / "list.txt"
    src.write_text("firma.com.tr\n", "utf-8")
    other = tmp_path / "partial.db"
    result = hunter("import", str(src), str(tmp_path), "--db", str(other))
    assert result.exit_code != 0 and other.exists(), result.output
    assert sqlite3.connect(other).execute("SELECT count(*) FROM domains").fetchone() == (1,)
