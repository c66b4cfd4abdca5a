"""A database made by the previous release upgrades in place and loses nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from hunter_cli import store

RELEASES = Path(__file__).parent / "data" / "release"
MADE_BY = sorted(p.name for p in RELEASES.glob("hunter-*.db"))


def test_there_is_a_database_from_the_previous_release():
    assert "hunter-0.1.0.db" in MADE_BY


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def schema_objects(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(path)
    try:
        out: dict[str, set[str]] = {}
        for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"):
            out.setdefault(kind, set()).add(name)
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("made_by", MADE_BY)
def test_release_database_upgrades_without_loss(hunter, tmp_path, made_by):
    db = tmp_path / made_by
    shutil.copy(RELEASES / made_by, db)
    before = counts(db)
    objects_before = schema_objects(db)

    listed = hunter("leads", "-f", "json", "--limit", "0", "--db", str(db))
    assert listed.exit_code == 0, listed.stderr
    leads = json.loads(listed.stdout)
    assert len(leads) == before["domains"]

    after = counts(db)
    for table, n in before.items():
        if table != "schema_migrations":
            assert after.get(table, 0) >= n, f"{table}: {n} rows before the upgrade, {after.get(table)} after"

    shown = hunter("leads", "show", "firma.com.tr", "--db", str(db))
    assert shown.exit_code == 0 and "vip" in shown.stdout and "Ayşe Hanım" in shown.stdout
    summary = hunter("sales-summary", "firma.com.tr", "--db", str(db))
    assert summary.exit_code == 0, summary.stderr
    assert hunter("referrals", "list", "--db", str(db)).exit_code == 0
    rescanned = hunter("scan", "firma.com.tr", "--db", str(db), "-q")
    assert rescanned.exit_code == 0, rescanned.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # every table and index the release had is still there (the rebuilt tables got theirs back)
    objects_after = schema_objects(db)
    for kind in ("table", "index"):
        assert objects_before.get(kind, set()) <= objects_after[kind], kind
    assert {"leads"} <= objects_after["view"] and "domains_fts" in objects_after["table"]
    # the key facts were filled from the stored views, for every scanned lead
    assert conn.execute(
        "SELECT count(*) FROM domains WHERE current_view IS NOT NULL AND (dkim_state IS NULL OR spf_result IS NULL"
        " OR state IS NULL OR search_text IS NULL)"
    ).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM leads").fetchone()[0] == after["domains"]
    conn.execute("INSERT INTO domains_fts(domains_fts, rank) VALUES ('integrity-check', 1)")
    assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == store.latest_version()
    conn.close()
    # the upgraded file searches through the index: a company, and a note typed without Turkish letters
    for typed, domain in (("YENI FIRMA tek", "yeni-firma.com.tr"), ("ayse hanim ile", "firma.com.tr")):
        found = hunter("leads", "--search", typed, "-f", "json", "--db", str(db))
        assert [lead["domain"] for lead in json.loads(found.stdout)] == [domain], typed
