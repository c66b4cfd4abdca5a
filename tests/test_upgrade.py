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
    # indexes a migration replaced on purpose: the company sort's (schema 11, Turkish order)
    replaced = {"domains_company": "domains_company_tr"}
    for kind in ("table", "index"):
        assert objects_before.get(kind, set()) - set(replaced) <= objects_after[kind], kind
    assert set(replaced.values()) <= objects_after["index"]
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


def stored_schema(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "args",
    [
        ["leads", "-n", "1"],
        ["leads", "show", "firma.com.tr"],
        ["sales-summary", "firma.com.tr"],
        ["changes"],
        ["referrals", "list"],
        ["explain", "firma.com.tr"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_reading_command_that_upgrades_says_so_once(hunter, tmp_path, args):
    """Any command upgrades a writable older file in place (docs/database.md, "Migrations"), and says
    so in one line on stderr, naming the file and both schema versions; the next command has
    nothing to say about it."""
    db = tmp_path / "old.db"
    shutil.copy(RELEASES / MADE_BY[-1], db)
    old = stored_schema(db)
    assert old < store.latest_version()
    first = hunter(*args, "--db", str(db))
    assert first.exit_code == 0, first.stderr
    said = [line for line in first.stderr.splitlines() if "upgraded" in line]
    assert said == [f"note: upgraded the database {db} from schema version {old} to {store.latest_version()}"]
    assert "upgraded" not in first.stdout
    assert stored_schema(db) == store.latest_version()
    again = hunter(*args, "--db", str(db))
    assert again.exit_code == 0 and "upgraded" not in again.stderr


def test_a_scan_that_upgrades_says_so_and_a_new_file_is_not_called_upgraded(hunter, tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(RELEASES / MADE_BY[-1], db)
    scanned = hunter("scan", "firma.com.tr", "--db", str(db), "-q", "--no-whois")
    assert scanned.exit_code == 0, scanned.stderr
    assert f"upgraded the database {db} from schema version" in scanned.stderr
    assert "upgraded" not in scanned.stdout
    new = hunter("scan", "firma.com.tr", "--db", str(tmp_path / "new.db"), "-q", "--no-whois")
    assert new.exit_code == 0 and "upgraded" not in new.stderr


@pytest.fixture
def release_read_only(tmp_path):
    """The previous release's database behind a read-only folder (a read-only bind mount as root):
    it cannot be upgraded, and reading commands read it as it is."""
    from conftest import read_only_folder

    folder = tmp_path / "rw"
    folder.mkdir()
    shutil.copy(RELEASES / MADE_BY[-1], folder / "old.db")
    with read_only_folder(folder, tmp_path / "ro", files=(folder / "old.db",)) as seen:
        yield seen / "old.db"


def test_a_read_only_release_database_is_listed_as_it_is(hunter, release_read_only):
    """Tables later releases added (crm_leads, schema 6) stand in empty; every reading command works."""
    db = str(release_read_only)
    listed = hunter("leads", "--db", db, "-f", "json")
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and all(r["crm_status"] is None for r in rows)
    assert "cannot be upgraded while read-only" in listed.stderr and "upgraded the database" not in listed.stderr
    assert "make it writable (or copy it somewhere writable) and run any hunter command on it" in " ".join(
        listed.stderr.split()
    )
    for args in (["leads", "-f", "csv"], ["leads", "--crm-status", "none"], ["changes"]):
        out = hunter(*args, "--db", db)
        assert out.exit_code == 0, (args, out.stderr)
    domain = rows[0]["domain"]
    for args in (["leads", "show", domain], ["sales-summary", domain], ["explain", domain]):
        out = hunter(*args, "--db", db)
        assert out.exit_code == 0, (args, out.stderr)
    assert stored_schema(release_read_only) < store.latest_version()  # read as it is, never upgraded


@pytest.fixture
def schema4_read_only(tmp_path):
    """A database from before referral addresses (schema 4: no ``referrals.address_json``), read-only."""
    from conftest import read_only_folder

    folder = tmp_path / "rw4"
    folder.mkdir()
    shutil.copy(RELEASES / MADE_BY[-1], folder / "old.db")
    conn = sqlite3.connect(folder / "old.db")
    with conn:
        conn.execute("ALTER TABLE referrals DROP COLUMN address_json")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 5")
    conn.close()
    with read_only_folder(folder, tmp_path / "ro4", files=(folder / "old.db",)) as seen:
        yield seen / "old.db"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_brief_reads_an_older_read_only_database_without_its_newer_columns(hunter, schema4_read_only, lang):
    """trial 23 (B3): `sales-summary` and `prep` on an older release's file that cannot be upgraded failed with
    "no such column: address_json" (Turkish: "SQLite hatası: SQLITE_ERROR", the reason lost); the warning
    promises that some details may be missing, not a failure."""
    db = str(schema4_read_only)
    domain = json.loads(hunter("leads", "--db", db, "-f", "json").stdout)[0]["domain"]
    for args in (["sales-summary", domain], ["prep", domain, "--max-age", "3650d"]):
        out = hunter(*args, "--db", db, "--lang", lang)
        assert out.exit_code == 0, (args, out.stderr)
        assert domain in out.stdout
    assert stored_schema(schema4_read_only) < 5


def test_an_unexpected_sqlite_error_keeps_its_reason_in_turkish():
    from hunter_cli.brief.messages import Messages
    from hunter_cli.store.core import sqlite_reason

    exc = sqlite3.OperationalError("no such column: address_json")
    exc.sqlite_errorname = "SQLITE_ERROR"  # type: ignore[attr-defined]
    said = sqlite_reason(exc)
    assert str(said) == "no such column: address_json"
    assert Messages("tr")(said.key, **said.values) == "SQLite hatası (SQLITE_ERROR): no such column: address_json"


def test_scores_from_older_rules_are_flagged_until_rescored_and_make_no_change_events(hunter, tmp_path, dns):
    """The previous release scored with other rules: the list says so (its stored categories may differ
    from what `explain` and the brief compute now), `rescore` brings them in line, and a rescan before
    that does not call the rules' category changes changes at the company."""
    db = tmp_path / "old.db"
    shutil.copy(RELEASES / MADE_BY[-1], db)
    listed = hunter("leads", "--db", str(db), "-n", "1")
    assert listed.exit_code == 0 and "hunter rescore" in listed.stderr
    assert "does not say which scoring rules" in listed.stderr  # 0.1.0 did not record them: not known
    # a rescan before any rescore: doruk-ornek.com.tr was P6 under the old rules and is P1 under these
    scanned = hunter("scan", "doruk-ornek.com.tr", "--db", str(db), "--json", "--no-whois")
    assert scanned.exit_code == 0, scanned.stderr
    assert json.loads(scanned.stdout)["category"] == "P1"
    kinds = [k for (k,) in sqlite3.connect(db).execute("SELECT kind FROM events WHERE domain = 'doruk-ornek.com.tr'")]
    assert "category_changed" not in kinds
    done = hunter("rescore", "--db", str(db))
    assert done.exit_code == 0, done.stderr
    again = hunter("leads", "--db", str(db), "-f", "json")
    assert again.exit_code == 0 and "hunter rescore" not in again.stderr
    rows = {r["domain"]: r for r in json.loads(again.stdout)}
    some = next(d for d, r in rows.items() if r["category"])
    explained = json.loads(hunter("explain", some, "--db", str(db), "--json").stdout)
    assert explained["category"] == rows[some]["category"]


def test_a_new_database_is_scored_with_the_current_rules(hunter, db, tmp_path):
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert "hunter rescore" not in hunter("leads").stderr
    other = tmp_path / "rules.json"
    data = json.loads((Path(__file__).parent.parent / "hunter_cli" / "scoring" / "rules.json").read_text())
    data["description"] = "our own rules"
    other.write_text(json.dumps(data))
    warned = hunter("leads", env={"HUNTER_RULES": str(other)}).stderr
    assert "set by other scoring rules than these" in warned and "hunter rescore" in warned


def test_the_upgraded_file_lists_leads_in_the_default_order_from_one_index(tmp_path):
    """Migration 10: the domain joins domains_category_score, so the first page of `hunter leads`
    (category, score descending, domain) is an index walk that stops at the page's end, with or
    without a category filter, and no sort of its own."""
    from hunter_cli.store import leads as core

    db = tmp_path / "old.db"
    shutil.copy(RELEASES / MADE_BY[-1], db)
    conn = store.connect(db, write=True)
    try:
        columns = [r[2] for r in conn.execute("PRAGMA index_info('domains_category_score')")]
        assert columns == ["category", "score", "domain"]
        for f in (core.LeadFilter(), core.LeadFilter(categories=("P1",)), core.LeadFilter(categories=("P1", "P2"))):
            sql, params = core.select_sql(f, core.DEFAULT_SORT, 50)
            plan = core.explain(conn, sql, params)
            assert any("INDEX domains_category_score" in p for p in plan), plan
            assert not any("TEMP B-TREE" in p for p in plan), plan
        listed = core.page(conn, core.LeadFilter(), core.DEFAULT_SORT, 0)[0]
        keys = [
            (r["category"] is None, r["category"] or "", 1 if r["score"] is None else -r["score"], r["domain"])
            for r in listed
        ]
        assert listed and keys == sorted(keys)
    finally:
        conn.close()


def test_a_brief_from_an_upgraded_database_says_when_the_list_shows_another_priority(tmp_path):
    """The 0.1.0 file's categories came from its rules; the brief scores with this release's: it says the
    list differs, and how to bring it in line, instead of two priorities for one lead without a word."""
    import os
    import subprocess
    import sys

    db = tmp_path / "old.db"
    shutil.copy(RELEASES / "hunter-0.1.0.db", db)
    out = subprocess.run(
        [sys.executable, "-m", "hunter_cli", "sales-summary", "bigtxt.com", "--db", str(db)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert out.returncode == 0, out.stderr
    assert "the lead list shows P6 for bigtxt.com" in out.stderr and "`hunter rescore`" in out.stderr
    subprocess.run([sys.executable, "-m", "hunter_cli", "rescore", "--db", str(db)], capture_output=True, check=True)
    again = subprocess.run(
        [sys.executable, "-m", "hunter_cli", "sales-summary", "bigtxt.com", "--db", str(db)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert "the lead list shows" not in again.stderr
