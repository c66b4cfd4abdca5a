"""The database as other tools see it: foreign keys, the leads view, the search index, and SQL in one place.

Everything here reads real files: leads go in through `hunter import`, `hunter note` and
`hunter scan` against the suite's DNS server, and come out through `hunter leads` and through
the sqlite-utils Python API (what `sqlite-utils` and Datasette use to open the file).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from hunter_cli import store
from hunter_cli.store import leads as core
from hunter_cli.store.search import fold, search_text

PACKAGE = Path(__file__).resolve().parent.parent / "hunter_cli"

# What reps type (no Turkish letters, any case) -> what the list holds.
COMPANIES = {
    "insaat-ornek.com.tr": "ÖRNEK İNŞAAT SAN. VE TİC. A.Ş.",
    "isik-elektrik.com.tr": "Işık Elektrik Ltd. Şti.",
    "dogan-gida.com.tr": "DOĞAN GIDA",
    "cagri-lojistik.com": "Çağrı Lojistik",
    "ozgur-tekstil.com.tr": "özgür tekstil",
    "sahin-makina.com.tr": "SAHIN MAKINA",  # typed without Turkish letters in the source list
    "xn--iek-1lab.com.tr": None,  # çiçek.com.tr: found by its Unicode form
    "plain.com": "Plain Trading",
}


def _import(hunter, tmp_path: Path, companies: dict[str, str | None] = COMPANIES) -> None:
    src = tmp_path / "leads.csv"
    lines = ["domain,company"] + [f"{d},{c or ''}" for d, c in companies.items()]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = hunter("import", str(src))
    assert result.exit_code == 0, result.stderr


def searched(hunter, text: str) -> set[str]:
    result = hunter("leads", "--search", text, "--limit", "0", "-f", "json")
    assert result.exit_code == 0, result.stderr
    return {lead["domain"] for lead in json.loads(result.stdout)}


# -- folding --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("inşaat", "İNŞAAT"),
        ("insaat", "İNŞAAT"),
        ("isik", "Işık"),
        ("ISIK", "ışık"),
        ("ıgdır", "IĞDIR"),
        ("Ödemiş", "ODEMIS"),
        ("çağlayan", "CAGLAYAN"),
        ("güneş", "GÜNEŞ"),
        ("İzmir", "izmir"),
        ("Şile", "şİLE"),
    ],
)
def test_turkish_letters_fold_alike(typed, stored):
    assert fold(typed) == fold(stored)
    assert fold(typed).isascii()


def test_folding_keeps_distinct_words_apart_and_spaces_tidy():
    assert fold("Kaş") != fold("Kaz")
    assert fold("  ÖZ   SUNUCU\t") == "oz sunucu"
    assert fold(None) is None


def test_search_text_parts_cannot_run_into_each_other():
    text = search_text("abc.com", "abc.com", "Def Ltd", ["ghi"])
    assert text.split("\n") == ["abc.com", "def ltd", "ghi"]  # the Unicode form is left out when the same
    assert "comdef" not in text


# -- search through `hunter leads` -------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("inşaat", {"insaat-ornek.com.tr"}),  # İNŞAAT in the company, and the domain too
        ("INSAAT SAN", {"insaat-ornek.com.tr"}),
        ("isik elek", {"isik-elektrik.com.tr"}),  # Işık typed without Turkish letters
        ("IŞIK", {"isik-elektrik.com.tr"}),
        ("doğan gıda", {"dogan-gida.com.tr"}),
        ("DOGAN GIDA", {"dogan-gida.com.tr"}),
        ("çağrı", {"cagri-lojistik.com"}),
        ("ÖZGÜR", {"ozgur-tekstil.com.tr"}),
        ("şahin", {"sahin-makina.com.tr"}),  # Turkish letters typed, plain ones stored
        ("çiçek", {"xn--iek-1lab.com.tr"}),  # the Unicode form of an xn-- domain
        ("cicek.com", {"xn--iek-1lab.com.tr"}),
        ("xn--iek", {"xn--iek-1lab.com.tr"}),  # the stored ASCII form too
        ("tekstil", {"ozgur-tekstil.com.tr"}),
        ("nothing-like-this", set()),
        ("a.ş.", {"insaat-ornek.com.tr"}),
        ('"quoted"', set()),  # FTS5 syntax in the text is taken literally
        ("gida OR plain", set()),
        ("%", set()),
        ("_", set()),
    ],
)
def test_search_finds_turkish_names_typed_without_turkish_letters(hunter, tmp_path, typed, expected):
    _import(hunter, tmp_path)
    assert searched(hunter, typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ış", {"isik-elektrik.com.tr"}),  # two letters: LIKE on the folded column, same folding
        ("IS", {"isik-elektrik.com.tr"}),
        ("ç", {"cagri-lojistik.com", "xn--iek-1lab.com.tr"}),
        ("zz", set()),
    ],
)
def test_short_searches_fall_back_to_like_with_the_same_folding(hunter, tmp_path, typed, expected):
    _import(hunter, tmp_path)
    found = searched(hunter, typed)
    assert expected <= found
    if not expected:
        assert found == set()
    every = {d for d in COMPANIES if fold(typed) in search_text(d, _uni(d), COMPANIES[d])}
    assert found == every


def _uni(domain: str) -> str:
    from hunter_cli.domains import to_unicode

    return to_unicode(domain)


def test_notes_and_later_company_names_are_searchable_at_once(hunter, tmp_path):
    _import(hunter, tmp_path, {"plain.com": "Plain Trading", "bare.com.tr": None})
    assert searched(hunter, "ayse hanim") == set()
    assert hunter("note", "plain.com", "Ayşe Hanım ile görüşüldü").exit_code == 0
    assert searched(hunter, "ayse hanim") == {"plain.com"}
    assert searched(hunter, "görüşüldü") == {"plain.com"}
    # a company name filled in later (import fills empty names) is indexed too
    _import(hunter, tmp_path, {"bare.com.tr": "Yıldız Kimya"})
    assert searched(hunter, "yildiz kim") == {"bare.com.tr"}
    # and one replaced with --overwrite-company drops the old name from the index
    src = tmp_path / "rename.csv"
    src.write_text("domain,company\nplain.com,Kartal Enerji\n", encoding="utf-8")
    assert hunter("import", str(src), "--overwrite-company").exit_code == 0
    assert searched(hunter, "plain trading") == set()
    assert searched(hunter, "kartal") == {"plain.com"}


def test_scanned_leads_stay_searchable(hunter):
    hunter.scan_json("firma.com.tr", "oz-sunucu.com.tr", "--no-whois")
    assert searched(hunter, "oz-sunucu") == {"oz-sunucu.com.tr"}
    hunter.scan_json("oz-sunucu.com.tr", "--no-whois")  # a rescan rewrites the row, not the index
    assert searched(hunter, "sunucu") == {"oz-sunucu.com.tr"}
    conn = sqlite3.connect(hunter.db)
    try:
        # the external-content index agrees with the table (FTS5's own check)
        conn.execute("INSERT INTO domains_fts(domains_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def test_search_on_a_file_without_the_index_uses_the_old_path(db, monkeypatch):
    """A file from before the index, opened without upgrading (as a read-only file is), still searches."""
    monkeypatch.setattr(store.schema, "MIGRATIONS", store.MIGRATIONS[:6])
    conn = store.connect(db)
    conn.executemany(  # as the writer of that schema stored leads
        "INSERT INTO domains (domain, domain_unicode, company, added_at) VALUES (?, ?, ?, '2026-01-01')",
        [(d, _uni(d), c) for d, c in COMPANIES.items()],
    )
    conn.close()
    monkeypatch.undo()
    conn = store.open_for_inspection(db)  # read only: no migration
    try:
        assert not core.has_search_index(conn)
        for typed, expected in (("ışık ELEK", ["isik-elektrik.com.tr"]), ("doğan gıda", ["dogan-gida.com.tr"])):
            rows, total = core.page(conn, core.LeadFilter(search=typed), limit=10)
            assert [r["domain"] for r in rows] == expected and total == 1
    finally:
        conn.close()


# -- the database as sqlite-utils and Datasette see it -----------------------------------
def test_view_and_search_index_through_sqlite_utils(hunter, tmp_path):
    _import(hunter, tmp_path)
    hunter.scan_json("firma.com.tr", "gmailer.de", "nomail.com", "--no-whois")
    assert hunter("tag", "firma.com.tr", "vip", "q3").exit_code == 0
    listed = json.loads(hunter("leads", "--limit", "0", "-f", "json").stdout)

    db = sqlite_utils.Database(hunter.db)
    try:
        assert "leads" in db.view_names()
        assert db["domains"].detect_fts() == "domains_fts"
        found = list(db["domains"].search(fold("İNŞAAT") or "", columns=["domain"]))
        assert [r["domain"] for r in found] == ["insaat-ornek.com.tr"]

        view = {r["domain"]: r for r in db["leads"].rows}
        assert set(view) == {lead["domain"] for lead in listed}
        for lead in listed:
            row = view[lead["domain"]]
            for key in ("company", "provider", "provider_name", "gateway", "tenant", "dmarc_policy", "spf_all"):
                assert row[key] == lead[key], (lead["domain"], key)
            for key in ("score", "segment", "category", "last_scanned", "last_status", "referrals", "crm_status"):
                if key == "last_status" and row[key] is None:  # the lists say never-scanned in words (docs/cli.md)
                    assert lead[key] == "not_scanned", lead["domain"]
                    continue
                assert row[key] == lead[key], (lead["domain"], key)
            assert (row["tags"] or "") == ", ".join(lead["tags"])
        firma = view["firma.com.tr"]
        assert firma["dkim_state"] in ("key", "delegated", "none") and firma["state"] == "active"
        assert firma["spf_result"] == "valid" and "vip" in firma["tags"]
        assert view["nomail.com"]["state"] in ("nxdomain", "parked", "active")
        assert view["plain.com"]["last_scanned"] is None and view["plain.com"]["state"] is None
        # the view filters like a table
        assert [r["domain"] for r in db["leads"].rows_where("provider = ?", ["m365"])] == ["firma.com.tr"]
    finally:
        db.close()


def test_every_link_is_a_foreign_key(hunter):
    hunter.scan_json("firma.com.tr", "--no-whois")
    db = sqlite_utils.Database(hunter.db)
    try:
        links = {(t.name, fk.column, fk.other_table, fk.other_column) for t in db.tables for fk in t.foreign_keys}
    finally:
        db.close()
    for link in [
        ("domains", "last_scan_id", "scans", "id"),
        ("domains", "last_good_scan_id", "scans", "id"),
        ("scans", "domain", "domains", "domain"),
        ("scans", "run_id", "runs", "id"),
        ("tenant_cache", "domain", "domains", "domain"),
        ("registrations", "domain", "domains", "domain"),
        ("referrals", "domain", "domains", "domain"),
        ("crm_leads", "domain", "domains", "domain"),
        ("tags", "domain", "domains", "domain"),
        ("notes", "domain", "domains", "domain"),
        ("events", "domain", "domains", "domain"),
        ("events", "scan_id", "scans", "id"),
    ]:
        assert link in links, link


def test_foreign_keys_are_enforced_on_every_store_connection(hunter, tmp_path):
    hunter.scan_json("firma.com.tr", "--no-whois")
    conn = store.connect(hunter.db)
    try:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO registrations (domain, fetched_at, status) VALUES ('not-a-lead.com', '2026-01-01', 'ok')"
            )
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE domains SET last_scan_id = 999999 WHERE domain = 'firma.com.tr'")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO notes (domain, created_at, text) VALUES ('nobody.com', '2026-01-01', 'x')")
    finally:
        conn.close()
    ro = store.open_for_inspection(hunter.db)
    try:
        assert ro.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        ro.close()


def test_key_facts_are_columns_that_follow_the_scan(hunter):
    scanned = hunter.scan_json("firma.com.tr", "gmailer.de", "natro-ornek.com.tr", "--no-whois")
    conn = sqlite3.connect(hunter.db)
    try:
        rows = {
            r[0]: r[1:]
            for r in conn.execute("SELECT domain, provider, spf_result, spf_all, dkim_state, dmarc_policy FROM domains")
        }
    finally:
        conn.close()
    from hunter_cli.facts import dkim_state, dmarc_policy, spf_result

    for domain, result in scanned.items():
        assert rows[domain] == (
            result["provider"],
            spf_result(result["spf"]),
            (result["spf"] or {}).get("all"),
            dkim_state(result["dkim"]),
            dmarc_policy(result["dmarc"]),
        ), domain


# -- a database made by today's main, with links that point at nothing -----------------
def test_schema_6_with_dangling_links_upgrades_with_clean_foreign_keys(db, monkeypatch):
    monkeypatch.setattr(store.schema, "MIGRATIONS", store.MIGRATIONS[:6])
    conn = store.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")  # what a file written without enforcement can hold
    conn.execute(
        "INSERT INTO domains (domain, domain_unicode, company, added_at, last_scan_id, last_good_scan_id)"
        " VALUES ('kept.com.tr', 'kept.com.tr', 'Işıklar Döküm', '2026-01-01', 41, 41)"
    )
    conn.execute("INSERT INTO registrations (domain, fetched_at, status) VALUES ('only-whois.com', '2026-01-01', 'ok')")
    conn.execute("INSERT INTO tenant_cache (domain, fetched_at) VALUES ('only-tenant.com', '2026-01-01')")
    conn.execute(
        "INSERT INTO referrals (id, kind, domain, link, raw_json, synced_at)"
        " VALUES ('r1', 'cosell', 'only-referral.com.tr', 'auto', '{}', '2026-01-01')"
    )
    conn.execute("INSERT INTO notes (domain, created_at, text) VALUES ('kept.com.tr', '2026-01-02', 'Çağrı Bey')")
    conn.close()
    monkeypatch.undo()

    conn = store.connect(db)
    try:
        assert store.schema_version(conn) == store.latest_version()
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        leads = {r[0] for r in conn.execute("SELECT domain FROM domains")}
        assert {"kept.com.tr", "only-whois.com", "only-tenant.com", "only-referral.com.tr"} <= leads
        assert conn.execute("SELECT last_scan_id, company FROM domains WHERE domain = 'kept.com.tr'").fetchone() == (
            None,
            "Işıklar Döküm",
        )
        assert conn.execute("SELECT domain FROM referrals WHERE id = 'r1'").fetchone() == ("only-referral.com.tr",)
        rows, _ = core.page(conn, core.LeadFilter(search="isiklar"))
        assert [r["domain"] for r in rows] == ["kept.com.tr"]
        rows, _ = core.page(conn, core.LeadFilter(search="cagri bey"))  # notes are in the search text
        assert [r["domain"] for r in rows] == ["kept.com.tr"]
        with pytest.raises(sqlite3.IntegrityError):  # the rebuilt table kept its CHECK constraint
            conn.execute("UPDATE referrals SET link = 'guessed' WHERE id = 'r1'")
    finally:
        conn.close()


# -- SQL lives in the store ---------------------------------------------------------------
SQL_CALL = re.compile(r"\.(execute|executemany|executescript)\(")
SQL_TEXT = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)")


def test_sql_appears_only_in_the_store_package():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "store":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL_CALL.search(line) or SQL_TEXT.search(line):
                offenders.append(f"hunter_cli/{rel}:{n}: {line.strip()}")
    assert offenders == [], "SQL outside hunter_cli/store/:\n" + "\n".join(offenders)


LAYER_BANS = {
    # the CLI parses, calls a service and picks a formatter: no scan lock, no tables, no SQL
    "cli": re.compile(
        r"\bFileLock\b|\bTable\(|sqlite_utils|\bsqlite3\.connect\b|\bstore\.(prior|ResultWriter|start_run)\b"
    ),
    # services return typed values: they print nothing
    "services": re.compile(r"\bprint\(|\bconsole\b|\bTable\(|sqlite_utils|\bsqlite3\.connect\b|sys\.std(out|err)"),
}


def test_cli_and_services_keep_to_their_layer():
    offenders = []
    for layer, banned in LAYER_BANS.items():
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if banned.search(line) or SQL_CALL.search(line) or SQL_TEXT.search(line):
                    offenders.append(f"hunter_cli/{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert offenders == [], "outside its layer:\n" + "\n".join(offenders)
    assert LAYER_BANS["cli"].search("lock = FileLock(path)") and LAYER_BANS["services"].search("print(x)")


def test_the_sql_check_would_catch_sql():
    assert SQL_CALL.search('conn.execute("x")') and SQL_TEXT.search("SELECT domain FROM domains")
    assert SQL_TEXT.search("INSERT OR IGNORE INTO tags") and SQL_TEXT.search("DELETE FROM tags")
    assert not SQL_TEXT.search('SELECT = "leadid,statecode"')  # Dataverse's $select, not SQL


def test_db_check_reports_links_that_point_at_nothing(hunter):
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert hunter("db", "check").exit_code == 0
    conn = sqlite3.connect(hunter.db)  # another tool, writing without foreign keys on
    conn.execute("INSERT INTO notes (domain, created_at, text) VALUES ('gone.com.tr', '2026-01-01', 'x')")
    conn.commit()
    conn.close()
    result = hunter("db", "check", "--json")
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    assert not report["healthy"]
    assert any("notes row" in p and "domain points at a missing row of domains" in p for p in report["problems"])
