"""A DMARC record that gives no policy is ``invalid`` in every list, as in the scan table and `leads show`
(trial 13, B3): `hunter leads` showed ``-`` and its CSV and JSON an empty ``dmarc_policy``, the same as for a
domain with no record, though "has a broken record" is another conversation than "has none". Real scans of
tests/zones/lists13.zone and dmarc_mx.zone through the suite's DNS server.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

# domain -> the DMARC value every list gives (None: empty in CSV, null in JSON, "-" in the table)
CASES = {
    "l13-dnosemi.com.tr": "invalid",  # "v=DMARC1 p=reject": the version is not exactly DMARC1 (RFC 7489 6.6.3)
    "kirmizi-kalem.com.tr": "invalid",  # p=rejectt and no rua: no policy applies
    "l13-dyok.com.tr": None,
    "l13-dnone.com.tr": "none",
}
WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import scanned_once

    return scanned_once(tmp_path_factory, _session_dns, _session_ms, _session_reg, "dmarcinv", CASES, (), "1314")


def _table_cells(text: str, domain: str) -> list[str]:
    return next(line.split() for line in text.splitlines() if domain in line.split())


@pytest.mark.parametrize("domain", sorted(CASES))
def test_json_csv_and_table_give_the_scan_tables_dmarc_cell(scanned, domain):
    want = CASES[domain]
    rows = {r["domain"]: r for r in json.loads(scanned("leads", "-f", "json").stdout)}
    assert rows[domain]["dmarc_policy"] == want
    ndjson = {
        json.loads(line)["domain"]: json.loads(line) for line in scanned("leads", "-f", "ndjson").stdout.splitlines()
    }
    assert ndjson[domain]["dmarc_policy"] == want
    text = scanned("leads", "-f", "csv").stdout_bytes.decode("utf-8-sig")
    cells = {r["domain"]: r for r in csv.DictReader(io.StringIO(text))}
    assert cells[domain]["dmarc_policy"] == (want or "")
    table = scanned("leads", "--sort", "domain", env=WIDE).stdout
    assert (want or "-") in _table_cells(table, domain)
    # the same cell as the scan's own table and `leads show --json`'s lead object
    scan = scanned("scan", domain, "--no-whois", env=WIDE)
    assert (want or "-") in _table_cells(scan.stdout, domain)
    detail = json.loads(scanned("leads", "show", domain, "--json").stdout)
    assert detail["lead"]["dmarc_policy"] == want


def test_sorting_by_dmarc_puts_no_record_last(scanned):
    rows = json.loads(scanned("leads", "-f", "json", "--sort", "dmarc").stdout)
    policies = [r["dmarc_policy"] for r in rows if r["domain"] in CASES]
    assert policies == ["invalid", "invalid", "none", None]


def test_an_older_file_lists_invalid_once_opened(scanned, tmp_path):
    """Migration 13: a file whose column is NULL for a record that gives no policy (what the release before it
    stored) says ``invalid`` once opened; a domain with no record stays empty."""
    import shutil

    from hunter_cli.store.schema import latest_version

    old = tmp_path / "old.db"
    shutil.copy(scanned.db, old)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE domains SET dmarc_policy = NULL WHERE dmarc_policy = 'invalid'")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 13")
    out = scanned("leads", "-f", "json", "--db", str(old))
    assert out.exit_code == 0, out.stderr
    rows = {r["domain"]: r["dmarc_policy"] for r in json.loads(out.stdout)}
    assert {d: rows[d] for d in CASES} == CASES
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (latest_version(),)


def test_a_read_only_older_file_lists_invalid_without_upgrading(scanned, tmp_path):
    """A file a read-only share keeps before migration 13 cannot be changed: the lists read a NULL column's
    view through the writer's definition instead (schema.dmarc_column_of), in JSON and CSV alike."""
    import shutil

    from conftest import read_only_folder

    folder = tmp_path / "rw"
    folder.mkdir()
    old = folder / "old.db"
    shutil.copy(scanned.db, old)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE domains SET dmarc_policy = NULL WHERE dmarc_policy = 'invalid'")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 13")
        conn.execute("PRAGMA journal_mode = DELETE")
    with read_only_folder(folder, tmp_path / "ro", files=(old,)) as seen:
        db = str(seen / old.name)
        out = scanned("leads", "-f", "json", "--db", db)
        assert out.exit_code == 0, out.stderr
        rows = {r["domain"]: r["dmarc_policy"] for r in json.loads(out.stdout)}
        assert {d: rows[d] for d in CASES} == CASES
        text = scanned("leads", "-f", "csv", "--db", db).stdout_bytes.decode("utf-8-sig")
        cells = {r["domain"]: r["dmarc_policy"] for r in csv.DictReader(io.StringIO(text))}
        assert {d: cells[d] for d in CASES} == {d: v or "" for d, v in CASES.items()}
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:  # nothing was written
            assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (12,)


def test_a_failed_lookup_is_not_known_never_no_record(hunter, dns):
    """A DMARC lookup that failed (SERVFAIL) with no record seen before: the brief says "we do not know their
    policy", the scan table ``?``; the lists said ``-`` and `leads show` "no DMARC record". A record an earlier
    scan saw is kept through a failed lookup (the store keeps the last known state)."""
    dns.faults[("_dmarc.firma.com.tr", "TXT")] = "servfail"
    out = hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]
    assert out["dmarc"] is None and "dmarc" in [e["check"] for e in out["errors"]]
    rows = {r["domain"]: r for r in json.loads(hunter("leads", "-f", "json").stdout)}
    assert rows["firma.com.tr"]["dmarc_policy"] == "?"
    assert "?" in _table_cells(hunter("leads", env=WIDE).stdout, "firma.com.tr")
    show = " ".join(hunter("leads", "show", "firma.com.tr", env=WIDE).stdout.split())
    assert "DMARC not checked (DNS lookup failed)" in show and "no DMARC record" not in show
    tr = " ".join(hunter("leads", "show", "firma.com.tr", "--lang", "tr", env=WIDE).stdout.split())
    assert "DMARC denetlenemedi (DNS sorgusu başarısız)" in tr
    dns.clear_faults()
    assert hunter.scan_json("firma.com.tr", "--no-whois")["firma.com.tr"]["dmarc"]["policy"] == "reject"
    dns.faults[("_dmarc.firma.com.tr", "TXT")] = "servfail"
    hunter.scan_json("firma.com.tr", "--no-whois")
    rows = {r["domain"]: r for r in json.loads(hunter("leads", "-f", "json").stdout)}
    assert rows["firma.com.tr"]["dmarc_policy"] == "reject"  # the record seen before, kept
