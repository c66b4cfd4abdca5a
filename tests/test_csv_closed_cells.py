"""CSV cells Hunter writes from a closed set of its own need no formula guard (a trial opened the export in
Excel and read `'-all`): the `spf_all` column gives RFC 7208 4.6.2's result words (`-all` fail, `~all`
softfail, `?all` neutral, `+all` pass) in both export paths, byte for byte; free text keeps its guard."""

from __future__ import annotations

import csv
import io

from hunter_cli import store

CASES = {  # domain (tests/zones) -> its SPF record's all, as the CSV writes it
    "firma.com.tr": "fail",  # -all
    "gmailer.de": "softfail",  # ~all
    "notr.com.tr": "neutral",  # ?all
    "acik-kapi.com.tr": "pass",  # +all (RFC 7208 4.6.2: "+" is the default qualifier too)
    "nomail.com": "fail",
}


def _csv(hunter) -> dict[str, dict[str, str]]:
    out = hunter("leads", "-f", "csv").stdout_bytes.decode("utf-8-sig")
    return {r["domain"]: r for r in csv.DictReader(io.StringIO(out, newline=""))}


def test_spf_all_is_rfc_7208s_result_word_and_free_text_keeps_its_guard(hunter, db):
    from hunter_cli.render import leads as render

    hunter.scan_json(*CASES, "--no-whois", "--no-tenant")
    conn = store.connect(db, write=True)
    conn.execute("UPDATE domains SET company = '-Eksi A.Ş.' WHERE domain = 'gmailer.de'")
    conn.execute("UPDATE domains SET company = '+90 Ltd' WHERE domain = 'notr.com.tr'")
    conn.commit()
    conn.close()
    rows = _csv(hunter)
    assert {d: r["spf_all"] for d, r in rows.items()} == CASES
    assert rows["gmailer.de"]["company"] == "'-Eksi A.Ş." and rows["notr.com.tr"]["company"] == "'+90 Ltd"
    # the column set is what it was; JSON keeps the qualifier as written
    assert list(rows["firma.com.tr"])[10] == "spf_all" and len(rows["firma.com.tr"]) == len(render.FIELDS)
    assert {r["domain"]: r["spf_all"] for r in map(_json, hunter("leads", "-f", "ndjson").stdout.splitlines())} == {
        "firma.com.tr": "-all",
        "gmailer.de": "~all",
        "notr.com.tr": "?all",
        "acik-kapi.com.tr": "+all",
        "nomail.com": "-all",
    }


def _json(line: str) -> dict:
    import json

    return json.loads(line)


def test_both_csv_paths_write_the_same_words_and_guard_a_value_outside_the_set(hunter, db):
    """The slow path (the renderer over lead dicts) and the fast ones (cells in SQL, lines in SQL) agree byte for
    byte, for every qualifier and for a value no scan writes (a hand-edited file): that one keeps the guard."""
    from hunter_cli.render import leads as render
    from hunter_cli.store import leads as core

    hunter.scan_json(*CASES, "--no-whois", "--no-tenant")
    conn = store.connect(db, write=True)
    conn.execute(
        "INSERT INTO domains (domain, added_at, spf_all) VALUES ('el-yazisi.com.tr', '2026-01-01T00:00:00+00:00', ?)",
        ("-ALL",),
    )
    conn.commit()
    conn.close()
    conn = core.prepare(store.connect(db))
    try:
        slow, cells, lines = io.BytesIO(), io.BytesIO(), io.BytesIO()
        render.write_csv(core.iter_leads(conn, core.LeadFilter()), slow)
        render.write_csv_cells(core.csv_rows(conn, core.LeadFilter()), cells)
        got = core.csv_lines(conn, core.LeadFilter(), quote=render.csv_quote, batch=2)
        assert got is not None
        render.write_csv_lines(got, lines)
    finally:
        conn.close()
    assert slow.getvalue() == cells.getvalue() == lines.getvalue()
    rows = {r[0]: r for r in csv.reader(io.StringIO(slow.getvalue().decode("utf-8-sig"), newline=""))}
    assert rows["el-yazisi.com.tr"][10] == "'-ALL"
    assert [rows[d][10] for d in CASES] == list(CASES.values())
    assert not any(cell.startswith("'") for r in rows.values() for cell in r[10:11] if r[0] in CASES)
