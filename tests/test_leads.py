"""`hunter leads` and `hunter leads show`: filters, sort orders, paging, formats, one lead in full, and the query plan."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import typer.main

from hunter_cli import store
from hunter_cli.cli import app
from hunter_cli.durations import ago_iso
from hunter_cli.render import leads as render
from hunter_cli.store import leads as core
from hunter_cli.store.search import fold, search_text

SCANNED = (
    "firma.com.tr",
    "gmailer.de",
    "m365-zayif.com.tr",
    "gw-ms-token.com",
    "nomail.com",
    "natro-ornek.com.tr",
    "oz-sunucu.com.tr",
    "google-tenant.com.tr",
)
IDN = "xn--iek-1lab.com.tr"  # çiçek.com.tr, imported but never scanned
INJECTION = "=cmd|' /C calc'!A0"

# Fixed priorities, so these tests do not move when the scoring rules are tuned.
PRIORITY = {
    "firma.com.tr": (90, "Existing", "P4"),
    "gmailer.de": (85, "Migration", "P2"),
    "m365-zayif.com.tr": (35, "Existing", "P3"),
    "gw-ms-token.com": (40, "Existing", "P3"),
    "nomail.com": (0, "Skip", "P6"),
    "natro-ornek.com.tr": (5, "Skip", "P6"),
    "oz-sunucu.com.tr": (45, "Cold", "P1"),
    "google-tenant.com.tr": (35, "Skip", "P2"),
}
COMPANY = {
    "firma.com.tr": "Firma A.Ş.",
    "gmailer.de": "gmailer GmbH",
    "m365-zayif.com.tr": "Zayıf Bilişim Ltd. Şti.",
    "gw-ms-token.com": INJECTION,
    "natro-ornek.com.tr": "Natro Örnek",
    "oz-sunucu.com.tr": "ÖZ SUNUCU İNŞAAT A.Ş.",
    IDN: "Çiçek Ticaret",
}
ALL = set(SCANNED) | {IDN}


_TEMPLATE: dict[str, Path] = {}


def _copy_db(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


@pytest.fixture
def leads(hunter, tmp_path_factory):
    """The eight zone domains scanned, plus what other commands would add: companies, tags, notes, changes.

    Scanned once per test run; every test gets its own copy of that database.
    """
    if "db" in _TEMPLATE:
        _copy_db(_TEMPLATE["db"], hunter.db)
        return hunter
    _fill(hunter)
    template = tmp_path_factory.mktemp("leads-template") / "hunter.db"
    _copy_db(hunter.db, template)
    _TEMPLATE["db"] = template
    return hunter


def _fill(hunter) -> None:
    hunter.scan_json(*SCANNED, "--no-whois")
    now = store.utcnow()
    conn = sqlite3.connect(hunter.db)
    with conn:
        for domain, (score, segment, category) in PRIORITY.items():
            conn.execute(
                "UPDATE domains SET score = ?, segment = ?, category = ? WHERE domain = ?",
                (score, segment, category, domain),
            )
        # through the store, as `hunter import` does: it also keeps the folded search text current
        store.upsert_lead(conn, IDN, None)
        for domain, company in COMPANY.items():
            store.upsert_lead(conn, domain, company, overwrite=True)
        conn.executemany(
            "INSERT INTO tags (domain, tag, source, added_at) VALUES (?, ?, 'user', ?)",
            [
                ("firma.com.tr", "vip", now),
                ("gmailer.de", "vip", now),
                ("gmailer.de", "q3", now),
                (IDN, "fuar-2026", now),
            ],
        )
        conn.execute(
            "INSERT OR IGNORE INTO tags (domain, tag, source, added_at) VALUES ('gmailer.de', 'zz-auto', 'auto', ?)",
            (now,),
        )
        conn.executemany(
            "INSERT INTO notes (domain, created_at, text) VALUES ('firma.com.tr', ?, ?)",
            [
                (ago_iso(timedelta(days=3)), "called, asked for a demo"),
                (ago_iso(timedelta(hours=1)), "demo booked for Monday"),
            ],
        )
        conn.executemany(
            "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES ('firma.com.tr', ?, ?, ?, ?)",
            [
                (ago_iso(timedelta(days=20)), "dmarc", "none", "quarantine"),
                (ago_iso(timedelta(days=1)), "dmarc", "quarantine", "reject"),
            ],
        )
        conn.execute(
            "UPDATE domains SET last_change_at = ? WHERE domain = 'firma.com.tr'", (ago_iso(timedelta(days=1)),)
        )
        conn.execute(
            "UPDATE domains SET last_change_at = ? WHERE domain = 'gmailer.de'", (ago_iso(timedelta(days=40)),)
        )
        store.writer.refresh_search_text(conn, "firma.com.tr")  # the notes above are searchable
        conn.execute("UPDATE domains SET last_status = 'failed' WHERE domain = 'm365-zayif.com.tr'")
        conn.execute(
            "UPDATE domains SET last_good_at = '2020-01-02T03:04:05+00:00',"
            " last_ok_at = '2020-01-02T03:04:05+00:00' WHERE domain = 'natro-ornek.com.tr'"
        )
    conn.close()


def listed(hunter, *args) -> list[str]:
    """Domains `hunter leads ARGS --format json` prints, in order."""
    result = hunter("leads", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [o["domain"] for o in json.loads(result.stdout)]


def column(hunter, key: str, *args) -> list:
    result = hunter("leads", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [o[key] for o in json.loads(result.stdout)]


# -- what is listed ------------------------------------------------------------------
def test_signals_come_from_the_scan(leads):
    rows = {o["domain"]: o for o in json.loads(leads("leads", "--format", "json").stdout)}
    assert set(rows) == ALL
    assert rows["firma.com.tr"]["provider"] == "m365" and rows["firma.com.tr"]["tenant"] == "Managed"
    assert rows["firma.com.tr"]["dmarc_policy"] == "reject" and rows["firma.com.tr"]["dkim"] is True
    assert rows["gw-ms-token.com"]["gateway"] == "mimecast"
    assert rows["natro-ornek.com.tr"]["provider_name"] == "Natro"
    assert rows["gmailer.de"]["tenant"] == "none" and rows["gmailer.de"]["dkim"] is True
    never = rows[IDN]
    assert never["domain_unicode"] == "çiçek.com.tr" and never["company"] == "Çiçek Ticaret"
    assert never["provider"] is None and never["last_scanned"] is None and never["dkim"] is None


def test_default_order_is_category_then_score_then_domain_with_never_scanned_last(leads):
    assert listed(leads) == [
        "oz-sunucu.com.tr",  # P1
        "gmailer.de",
        "google-tenant.com.tr",  # P2: 85, 35
        "gw-ms-token.com",
        "m365-zayif.com.tr",  # P3: 40, 35
        "firma.com.tr",  # P4
        "natro-ornek.com.tr",
        "nomail.com",  # P6: 5, 0
        IDN,  # no category
    ]


def test_table_shows_every_column_and_the_footer(leads):
    result = leads("leads", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "Domain",
        "Company",
        "Provider",
        "Gateway",
        "Tenant",
        "DMARC",
        "Score",
        "Segment",
        "Cat",
        "Scanned",
        "Tags",
    ):
        assert text in out
    line = next(line for line in out.splitlines() if line.startswith("firma.com.tr"))
    for text in (
        "Firma A.Ş.",
        "Microsoft 365",
        "Managed",
        "reject",
        "90",
        "Existing",
        "P4",
        store.utcnow()[:10],
        "vip",
    ):
        assert text in line
    assert "Natro" in out and "mimecast" in out and "çiçek.com.tr" in out
    assert "9 leads match" in result.stderr and "9 leads match" not in out


def test_a_tag_longer_than_every_domain_is_never_cut_at_80_columns(leads):
    """Tags asked about (--tag) go under the domain at 80 columns: the column is as wide as the longest tag too."""
    assert leads("tag", "firma.com.tr", "migration-ready-2026-q1").exit_code == 0
    result = leads("leads", "--limit", "0", "--tag", "migration-ready-2026-q1", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert "migration-ready-2026-q1" in result.stdout  # whole, on one line
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_table_fits_80_columns(leads):
    result = leads("leads", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for domain in SCANNED:
        assert domain in result.stdout  # every domain whole, never shortened
    assert "Firma A.Ş." in result.stdout  # the company under the domain
    assert "vip" not in result.stdout and "Tags are not shown at this width" in result.stderr  # the tags: said where
    tagged = leads("leads", "--tag", "vip", env={"COLUMNS": "80"})
    assert "vip" in tagged.stdout and max(len(line) for line in tagged.stdout.splitlines()) <= 80


def test_never_scanned_leads_say_so_and_have_blank_signals(leads):
    """Blank signals (nothing was asked), and "not scanned" where the provider would be (trial 30: a row of
    blank cells read as a broken table)."""
    line = next(
        line for line in leads("leads", env={"COLUMNS": "200"}).stdout.splitlines() if line.startswith("çiçek.com.tr")
    )
    assert line.split() == ["çiçek.com.tr", "Çiçek", "Ticaret", "not", "scanned", "fuar-2026"]
    scanned_unknown = render._cells({"domain": "a.com", "last_scanned": "2026-01-01T00:00:00+00:00", "tenant": None})
    assert scanned_unknown["tenant"] == "?" and scanned_unknown["dmarc"] == "-"  # scanned: not known / no record


def test_nothing_matching_is_not_an_error(leads):
    result = leads("leads", "--tag", "no-such-tag")
    assert result.exit_code == 0
    assert result.stdout == "" and "No leads match." in result.stderr
    assert json.loads(leads("leads", "--tag", "no-such-tag", "--format", "json").stdout) == []
    assert leads("leads", "--tag", "no-such-tag", "--format", "ndjson").stdout == ""


def test_empty_database(hunter, db):
    from hunter_cli import store

    store.connect(db).close()
    result = hunter("leads")
    assert result.exit_code == 0 and "No leads yet: run `hunter scan FILE` or `hunter import FILE`." in result.stderr


# -- filters -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, expected",
    [
        (["--segment", "existing"], {"firma.com.tr", "m365-zayif.com.tr", "gw-ms-token.com"}),
        (
            ["--segment", "Existing", "--segment", "COLD"],
            {"firma.com.tr", "m365-zayif.com.tr", "gw-ms-token.com", "oz-sunucu.com.tr"},
        ),
        (["--category", "P1", "--category", "p2"], {"oz-sunucu.com.tr", "gmailer.de", "google-tenant.com.tr"}),
        (["--category", "P3,P4"], {"gw-ms-token.com", "m365-zayif.com.tr", "firma.com.tr"}),
        (["--provider", "google"], {"gmailer.de", "google-tenant.com.tr"}),
        (
            ["--provider", "M365", "--provider", "none"],
            {"firma.com.tr", "m365-zayif.com.tr", "gw-ms-token.com", "nomail.com"},
        ),
        (["--provider", "natro"], {"natro-ornek.com.tr"}),  # a hosting brand
        (["--provider", "NATRO", "--provider", "google"], {"natro-ornek.com.tr", "gmailer.de", "google-tenant.com.tr"}),
        (["--provider", "self-hosted"], {"oz-sunucu.com.tr"}),
        (["--gateway", "mimecast"], {"gw-ms-token.com"}),
        (["--gateway", "any"], {"gw-ms-token.com"}),
        (["--gateway", "proofpoint"], set()),
        (["--gateway", "none"], set(SCANNED) - {"gw-ms-token.com"}),
        (["--tenant"], {"firma.com.tr", "gw-ms-token.com", "google-tenant.com.tr"}),
        (["--no-tenant"], {"gmailer.de", "m365-zayif.com.tr", "nomail.com", "natro-ornek.com.tr", "oz-sunucu.com.tr"}),
        (["--min-score", "40"], {"firma.com.tr", "gmailer.de", "gw-ms-token.com", "oz-sunucu.com.tr"}),
        (["--max-score", "5"], {"nomail.com", "natro-ornek.com.tr"}),
        (["--min-score", "40", "--max-score", "85"], {"gmailer.de", "gw-ms-token.com", "oz-sunucu.com.tr"}),
        (["--tag", "vip"], {"firma.com.tr", "gmailer.de"}),
        (["--tag", "VIP"], {"firma.com.tr", "gmailer.de"}),  # tags are stored in lower case
        (["--tag", "q3", "--tag", "fuar-2026"], {"gmailer.de", IDN}),
        (["--tag", "zz-auto"], {"gmailer.de"}),  # automatic tags count too
        (["--search", "FIRMA"], {"firma.com.tr"}),
        (["--search", "gmbh"], {"gmailer.de"}),  # company
        (["--search", "öz sunucu"], {"oz-sunucu.com.tr"}),  # Turkish letters, any case
        (["--search", "inşaat"], {"oz-sunucu.com.tr"}),  # İ and i match
        (["--search", "ZAYIF"], {"m365-zayif.com.tr"}),  # I and ı match
        (["--search", "ÇİÇEK"], {IDN}),  # the Unicode domain and company
        (["--search", "_"], set()),  # LIKE wildcards are taken literally
        (["--search", "%"], set()),
        (["--changed-since", "7d"], {"firma.com.tr"}),
        (["--changed-since", "8w"], {"firma.com.tr", "gmailer.de"}),
        (["--stale", "30d"], {"natro-ornek.com.tr", IDN}),
        (["--failed"], {"m365-zayif.com.tr"}),
        # combined: AND across options
        (["--segment", "Existing", "--tenant"], {"firma.com.tr", "gw-ms-token.com"}),
        (["--segment", "Existing", "--tenant", "--min-score", "50"], {"firma.com.tr"}),
        (["--provider", "m365", "--gateway", "any", "--tenant"], {"gw-ms-token.com"}),
        (["--category", "P2", "--no-tenant", "--tag", "vip"], {"gmailer.de"}),
        (["--provider", "google", "--search", "tenant"], {"google-tenant.com.tr"}),
        (["--stale", "30d", "--provider", "hosting"], {"natro-ornek.com.tr"}),
        (["--failed", "--segment", "Skip"], set()),
    ],
)
def test_filters(leads, args, expected):
    assert set(listed(leads, *args)) == expected


# -- sort ----------------------------------------------------------------------------
def test_sort_descending_then_ascending_with_nulls_last(leads):
    order = listed(leads, "--sort", "-score", "--sort", "domain")
    assert order[:2] == ["firma.com.tr", "gmailer.de"]
    assert order.index("google-tenant.com.tr") < order.index("m365-zayif.com.tr")  # 35 and 35: by domain
    assert order[-1] == IDN  # no score: last
    assert listed(leads, "--sort=-score,domain") == order


def test_sort_ascending_puts_nulls_last(leads):
    scores = column(leads, "score", "--sort", "score")
    assert scores == sorted(s for s in scores if s is not None) + [None]
    companies = column(leads, "company", "--sort", "company")
    # Turkish alphabetical order, case aside (schema 11): Ç after C, Ö after O, both before Z
    assert companies == [
        INJECTION,
        "Çiçek Ticaret",
        "Firma A.Ş.",
        "gmailer GmbH",
        "Natro Örnek",
        "ÖZ SUNUCU İNŞAAT A.Ş.",
        "Zayıf Bilişim Ltd. Şti.",
        None,
        None,
    ]
    policies = column(leads, "dmarc_policy", "--sort", "dmarc")
    assert policies[:3] == ["quarantine", "quarantine", "reject"] and set(policies[3:]) == {None}


def test_sort_descending_puts_nulls_last(leads):
    scanned = column(leads, "last_scanned", "--sort", "-scanned")
    assert scanned[-1] is None and scanned[-2] == "2020-01-02T03:04:05+00:00"
    tenants = column(leads, "tenant", "--sort", "-tenant", "--sort", "domain")
    assert tenants[:5] == ["none"] * 5 and tenants[-1] is None


@pytest.mark.parametrize(
    "name", ["domain", "company", "provider", "gateway", "tenant", "dmarc", "score", "segment", "category", "scanned"]
)
def test_every_shown_column_sorts_both_ways(leads, name):
    up, down = listed(leads, "--sort", name), listed(leads, "--sort", f"-{name}")
    assert set(up) == set(down) == ALL


# -- limit ---------------------------------------------------------------------------
def test_limit_and_footer(leads):
    result = leads("leads", "--limit", "3")
    assert "3 of 9 leads match (use --limit 0 for all)" in result.stderr
    assert "oz-sunucu.com.tr" in result.stdout and "gw-ms-token.com" not in result.stdout
    assert listed(leads, "--limit", "2") == ["oz-sunucu.com.tr", "gmailer.de"]
    assert len(listed(leads, "--limit", "0")) == 9


def test_table_shows_50_by_default_machine_formats_everything(leads):
    conn = sqlite3.connect(leads.db)
    with conn:
        conn.executemany(
            "INSERT INTO domains (domain, domain_unicode, added_at) VALUES (?, ?, ?)",
            [(f"aday{i:02d}.com.tr", f"aday{i:02d}.com.tr", store.utcnow()) for i in range(60)],
        )
    conn.close()
    table = leads("leads")
    assert "50 of 69 leads match (use --limit 0 for all)" in table.stderr
    # the eight scanned leads, then the never-scanned ones by domain: aday00 .. aday41
    assert "aday41.com.tr" in table.stdout and "aday42.com.tr" not in table.stdout
    everything = leads("leads", "--limit", "0")
    assert "69 leads match" in everything.stderr and "aday59.com.tr" in everything.stdout
    assert len(listed(leads)) == 69
    assert len(leads("leads", "--format", "ndjson").stdout.splitlines()) == 69
    assert len(leads("leads", "--format", "csv").stdout_bytes.splitlines()) == 70
    assert len(listed(leads, "--limit", "5")) == 5


def test_long_tables_print_in_pieces(leads, monkeypatch):
    monkeypatch.setattr(render, "STREAM_ABOVE", 2)
    every = leads("leads", "--limit", "0", env={"COLUMNS": "200"})
    assert every.exit_code == 0 and "9 leads match" in every.stderr
    shown = [line.split()[0] for line in every.stdout.splitlines()[2:] if line[:1].strip()]  # not wrapped tags
    assert shown == column(leads, "domain_unicode") and len(shown) == 9
    some = leads("leads", "--limit", "4")
    assert "4 of 9 leads match (use --limit 0 for all)" in some.stderr
    none = leads("leads", "--limit", "0", "--tag", "nope")
    assert none.exit_code == 0 and "No leads match." in none.stderr and none.stdout == ""

    rows = json.loads(leads("leads", "--format", "json").stdout)
    pieces = list(render.leads_tables(rows, 120, chunk=4))
    assert [n for _, n in pieces] == [4, 4, 1]
    assert pieces[0][0].show_header and not any(t.show_header for t, _ in pieces[1:])
    assert len({tuple(c.width for c in t.columns) for t, _ in pieces}) == 1  # one layout for all pieces


# -- formats -------------------------------------------------------------------------
REQUIRED = {
    "domain",
    "domain_unicode",
    "company",
    "provider",
    "provider_name",
    "gateway",
    "tenant",
    "tenant_id",
    "dmarc_policy",
    "spf_all",
    "dkim",
    "score",
    "segment",
    "category",
    "last_scanned",
    "last_status",
    "tags",
    "expires",
}


def test_json_is_one_array_of_leads(leads):
    result = leads("leads", "--format", "json")
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 9 and result.stderr == ""
    for obj in data:
        assert REQUIRED <= set(obj)
        assert isinstance(obj["tags"], list) and obj["tags"] == sorted(obj["tags"])
    firma = next(o for o in data if o["domain"] == "firma.com.tr")
    assert firma["tenant_id"] == "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10" and "vip" in firma["tags"]
    gmailer = next(o for o in data if o["domain"] == "gmailer.de")
    assert {"q3", "vip", "zz-auto"} <= set(gmailer["tags"])


def test_ndjson_is_one_lead_per_line(leads):
    result = leads("leads", "--format", "ndjson", "--category", "P3", "--sort", "domain")
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["domain"] for o in objs] == ["gw-ms-token.com", "m365-zayif.com.tr"]
    assert all(REQUIRED <= set(o) for o in objs)
    assert objs[1]["last_status"] == "failed"


def test_csv_is_excel_safe(leads):
    result = leads("leads", "--format", "csv")
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header == list(render.FIELDS) and REQUIRED <= set(header)
    assert len(body) == 9
    by_domain = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert by_domain["gw-ms-token.com"]["company"] == "'" + INJECTION
    assert by_domain["firma.com.tr"]["spf_all"] == "fail"  # -all, in RFC 7208's word: no guard needed
    assert by_domain["oz-sunucu.com.tr"]["company"] == "ÖZ SUNUCU İNŞAAT A.Ş."
    tags = by_domain["gmailer.de"]["tags"].split(";")
    assert {"q3", "vip", "zz-auto"} <= set(tags) and tags == sorted(tags)
    assert by_domain["firma.com.tr"]["dkim"] == "yes" and by_domain["firma.com.tr"]["score"] == "90"
    assert by_domain[IDN]["domain_unicode"] == "çiçek.com.tr" and by_domain[IDN]["score"] == ""
    # ISO 8601 with the offset, as in JSON: one format for machines (issue 16)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", by_domain["firma.com.tr"]["last_scanned"])
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_look_like_formulas_get_a_quote(value):
    from hunter_cli.render.csvsafe import excel_safe

    assert excel_safe(value) == "'" + value
    assert excel_safe(["=a", "b"]) == "'=a;b" and excel_safe(["b", "=a"]) == "b;=a"
    assert excel_safe(None) == "" and excel_safe(True) == "yes" and excel_safe(7) == 7
    assert excel_safe("Natro Örnek") == "Natro Örnek"


# -- one lead ------------------------------------------------------------------------
def test_show_prints_everything_stored(leads):
    result = leads("leads", "show", "https://www.firma.com.tr/iletisim")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "firma.com.tr",
        "Firma A.Ş.",
        "m365",
        "Managed",
        "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10",
        "-all",
        "selector1",
        "reject",
        "90",
        "Existing",
        "P4",
        "Tags",
        "vip",
        "Notes",
        "Changes",
        "Scan history",
        "ok",
    ):
        assert text in out, text
    assert out.index("demo booked for Monday") < out.index("called, asked for a demo")  # newest first
    changes = [
        line.split("dmarc: ")[1].strip()
        for line in out[out.index("Changes") : out.index("Scan history")].splitlines()
        if "dmarc" in line
    ]
    assert changes == ["quarantine → reject", "none → quarantine"]  # newest first, one line each


def test_show_json(leads):
    result = leads("leads", "show", "firma.com.tr", "--json")
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    assert d["lead"]["domain"] == "firma.com.tr" and d["lead"]["company"] == "Firma A.Ş."
    assert d["view"]["provider"] == "m365" and d["view"]["dmarc"]["policy"] == "reject"
    assert d["tags"]["user"] == ["vip"]
    assert [n["text"] for n in d["notes"]] == ["demo booked for Monday", "called, asked for a demo"]
    assert [(e["kind"], e["old"], e["new"]) for e in d["events"]] == [
        ("dmarc", "quarantine", "reject"),
        ("dmarc", "none", "quarantine"),
    ]
    assert len(d["history"]) == 1 and d["history"][0]["status"] == "ok" and d["history"][0]["provider"] == "m365"
    assert "registration" in d


def test_show_with_registration(hunter):
    hunter.scan_json("nomail.com")  # RDAP stand-in knows nomail.com
    d = json.loads(hunter("leads", "show", "nomail.com", "--json").stdout)
    assert d["registration"]["registrar"] == "GoDaddy.com, LLC"
    out = hunter("leads", "show", "nomail.com").stdout
    assert "Registration" in out and "GoDaddy.com, LLC" in out and "2027-03-01" in out


def test_show_never_scanned_lead(leads):
    result = leads("leads", "show", "çiçek.com.tr")
    assert result.exit_code == 0
    assert "Çiçek Ticaret" in result.stdout and "hunter scan xn--iek-1lab.com.tr" in result.stdout
    assert "fuar-2026" in result.stdout


def test_show_unknown_and_rejected_domains(leads):
    unknown = leads("leads", "show", "bilinmeyen-firma.com.tr")
    assert unknown.exit_code == 1 and "hunter scan bilinmeyen-firma.com.tr" in unknown.stderr
    assert leads("leads", "show", "gmail.com").exit_code == 2
    assert leads("leads", "show", "not a domain").exit_code == 2


def test_show_takes_db_given_before_the_subcommand(leads):
    result = leads("leads", "--db", str(leads.db), "show", "firma.com.tr", "--json", env={"HUNTER_DB": ""})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["lead"]["domain"] == "firma.com.tr"


# -- usage errors --------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["--category", "P9"], "P1, P2, P3, P4, P5, P6"),
        (["--segment", "hot"], "Existing, Migration, Cold, Skip"),
        (["--gateway", "firewall"], "mimecast"),
        (["--changed-since", "soon"], "not a duration"),
        (["--stale", "3 days"], "not a duration"),
        (["--sort", "colour"], "domain, company, provider"),
        (["--limit", "-1"], ""),
        (["--min-score", "high"], ""),
        (["--min-score", "90", "--max-score", "10"], "above"),
        (["--format", "xml"], ""),
    ],
)
def test_bad_values_are_usage_errors(leads, args, message):
    result = leads("leads", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_unusable_database_is_exit_1(hunter, tmp_path):
    bad = tmp_path / "not-a.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = hunter("leads", "--db", str(bad))
    assert result.exit_code == 1 and "cannot use" in result.stderr
    assert hunter("leads", "show", "firma.com.tr", "--db", str(bad)).exit_code == 1


def test_help_lists_the_options(hunter):
    result = hunter("leads", "--help", dns_args=False)
    assert result.exit_code == 0
    for word in (
        "--segment",
        "--category",
        "--provider",
        "--gateway",
        "--tenant",
        "--sort",
        "--limit",
        "--format",
        "show",
    ):
        assert word in result.stdout


def test_cli_md_lists_exactly_the_leads_options():
    group = typer.main.get_command(app).commands["leads"]
    options = {o for p in group.params for o in p.opts + p.secondary_opts if o.startswith("--")} - {"--help"}
    show = {o for p in group.commands["show"].params for o in p.opts if o.startswith("--")} - {"--help"}
    text = (Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    start = text.index("## `hunter leads")
    section = text[start : text.find("\n## ", start + 5)]
    assert options | show == set(re.findall(r"`(--[a-z-]+)", section))


# -- the query itself ----------------------------------------------------------------
def test_query_is_parameterised():
    evil = "x'; DROP TABLE domains; --"
    f = core.LeadFilter(search=evil, tags=(evil,), providers=(evil,), segments=("Cold",))
    sql, params = core.select_sql(f, core.parse_sort(["-company"]), 50)
    assert evil not in sql and "DROP" not in sql
    assert params.count(50) == 1 and "Cold" in params and evil in params
    csql, cparams = core.count_sql(f)
    assert csql.startswith("SELECT count(*)") and "ORDER BY" not in csql and "LIMIT" not in csql


def _synthetic(path: Path, n: int = 100_000) -> list[tuple]:
    rnd = random.Random(42)
    rows, tags = [], []
    for i in range(n):
        domain = f"firma{i:06d}.com.tr"
        if rnd.random() < 0.05:
            rows.append(
                (domain, domain, None, "2026-01-01T00:00:00+00:00", None, None, None, None, None, None, None, None)
            )
            continue
        category = rnd.choice(("P1", "P2", "P3", "P4", "P5", "P6"))
        rows.append(
            (
                domain,
                domain,
                f"Firma {i} A.Ş." if rnd.random() < 0.6 else None,
                "2026-01-01T00:00:00+00:00",
                f"2026-0{rnd.randint(1, 3)}-{rnd.randint(10, 28)}T10:00:00+00:00",
                "ok",
                rnd.choice(("m365", "google", "hosting", "self-hosted", "none")),
                rnd.choice((None,) * 9 + ("mimecast",)),
                rnd.choice(("Managed", "none", None)),
                rnd.randint(0, 100) if rnd.random() < 0.98 else None,
                rnd.choice(core.SEGMENTS),
                category,
            )
        )
        if rnd.random() < 0.1:
            tags.append((domain, "vip", "user", "2026-01-01T00:00:00+00:00"))
    conn = store.connect(path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO domains (domain, domain_unicode, company, added_at, last_good_at, last_status, provider, gateway,"
        " tenant, score, segment, category, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r + (search_text(r[0], r[1], r[2]),) for r in rows],
    )
    conn.executemany("INSERT INTO tags (domain, tag, source, added_at) VALUES (?, ?, ?, ?)", tags)
    conn.execute("COMMIT")
    conn.close()
    return rows


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("leads") / "big.db"
    return path, _synthetic(path)


def _table_plan(plan: list[str]) -> list[str]:
    return [p for p in plan if re.match(r"(SCAN|SEARCH) d\b", p)]


def test_first_page_of_100k_leads_walks_an_index(big_db):
    path, rows = big_db
    conn = core.prepare(store.connect(path))
    try:
        # default order: the (category, score DESC) index gives the order, no sort of the whole table
        sql, params = core.select_sql(core.LeadFilter(), core.DEFAULT_SORT, 50)
        plan = core.explain(conn, sql, params)
        assert any("INDEX domains_category_score" in p for p in _table_plan(plan)), plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # at most the tie-break on domain

        # --category P1 --category P2
        f = core.LeadFilter(categories=("P1", "P2"))
        sql, params = core.select_sql(f, core.DEFAULT_SORT, 50)
        plan = core.explain(conn, sql, params)
        assert any("INDEX domains_category_score (category=?)" in p for p in _table_plan(plan)), plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        count_plan = core.explain(conn, *core.count_sql(f))
        assert any("INDEX domains_category_score" in p for p in count_plan), count_plan

        # other indexed filters
        for f, index in (
            (core.LeadFilter(segments=("Cold",)), "domains_segment"),
            (core.LeadFilter(providers=("google",)), "domains_provider"),
            (core.LeadFilter(gateways=("mimecast",)), "domains_gateway"),
        ):
            plan = core.explain(conn, *core.select_sql(f, core.DEFAULT_SORT, 50))
            assert any(index in p or "domains_category_score" in p for p in _table_plan(plan)), plan
        plan = core.explain(conn, *core.select_sql(core.LeadFilter(tags=("vip",)), core.DEFAULT_SORT, 50))
        assert any("tags_tag" in p for p in plan), plan
        plan = core.explain(conn, *core.tags_sql(["firma000001.com.tr", "firma000002.com.tr"]))
        assert any("INDEX" in p for p in plan), plan

        # and the page is the right one: the true first 50 of all rows, NULLs last
        page, total = core.page(conn, f := core.LeadFilter(categories=("P1", "P2")), core.DEFAULT_SORT, 50)
        assert total == sum(1 for r in rows if r[11] in ("P1", "P2"))
        expected = sorted(
            (r for r in rows if r[11] in ("P1", "P2")), key=lambda r: (r[11], r[9] is None, -(r[9] or 0), r[0])
        )
        assert [p["domain"] for p in page] == [r[0] for r in expected[:50]]
        page, total = core.page(conn, core.LeadFilter(), core.DEFAULT_SORT, 50)
        assert total == len(rows)
        expected = sorted(rows, key=lambda r: (r[11] is None, r[11] or "", r[9] is None, -(r[9] or 0), r[0]))
        assert [p["domain"] for p in page] == [r[0] for r in expected[:50]]
        vip, total = core.page(conn, core.LeadFilter(tags=("vip",)), limit=0)
        assert total == len(vip) == conn.execute("SELECT count(*) FROM tags WHERE tag = 'vip'").fetchone()[0] > 0
        assert all(p["tags"] == ["vip"] for p in vip)
    finally:
        conn.close()


def test_ascending_sort_on_nullable_columns_keeps_nulls_last_without_nulls_last_syntax(big_db, monkeypatch):
    path, rows = big_db
    conn = core.prepare(store.connect(path))
    try:
        new = [p["domain"] for p in core.page(conn, core.LeadFilter(), core.parse_sort(["company"]), 30)[0]]
        monkeypatch.setattr(core, "_HAS_NULLS_LAST", False)  # SQLite before 3.30
        sql, _ = core.select_sql(core.LeadFilter(), core.parse_sort(["company"]), 30)
        assert "NULLS LAST" not in sql and "IS NULL" in sql
        old = [p["domain"] for p in core.page(conn, core.LeadFilter(), core.parse_sort(["company"]), 30)[0]]
        assert new == old
        named = sum(1 for r in rows if r[2] is not None)
        for patched in (False, True):
            monkeypatch.setattr(core, "_HAS_NULLS_LAST", patched)
            sql, params = core.select_sql(core.LeadFilter(), core.parse_sort(["company"]), 2, offset=named - 1)
            last_named, first_unnamed = conn.execute(sql, params).fetchall()
            assert last_named[2] is not None and first_unnamed[2] is None
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("text", "walks"),
    [
        ("A.Ş.", True),  # every company name: ~57,000 matches, read in the sort index's order
        ("firma", True),  # every lead
        ("firma 1", False),  # ~6,400: below WALK_ABOVE
        ("FİRMA 4242", False),  # a dozen matches, read from the index's match list
        ("firma012345.", False),
        ("no such firm", False),
    ],
)
def test_search_of_100k_leads_reads_the_index_either_way_and_gets_the_true_page(big_db, text, walks):
    path, rows = big_db
    conn = core.prepare(store.connect(path))
    try:
        f = core.LeadFilter(search=text)
        matches = core.search_matches(conn, f)
        assert (matches >= core.WALK_ABOVE) is walks
        plan = _table_plan(core.explain(conn, *core.select_sql(f, core.DEFAULT_SORT, 50, walk=walks)))
        if walks:
            assert any("INDEX domains_category_score" in p for p in plan), plan
        else:
            assert any("INTEGER PRIMARY KEY (rowid=?)" in p for p in plan), plan
        page, total = core.page(conn, f, core.DEFAULT_SORT, 50)
        for sort in (core.parse_sort(["company"]), core.parse_sort(["-score"])):  # both plans, other orders
            assert core.page(conn, f, sort, 50)[1] == total
    finally:
        conn.close()
    term = fold(text) or ""
    hits = [r for r in rows if term in search_text(r[0], r[1], r[2])]
    assert total == len(hits) == matches
    expected = sorted(hits, key=lambda r: (r[11] is None, r[11] or "", r[9] is None, -(r[9] or 0), r[0]))[:50]
    assert [p["domain"] for p in page] == [r[0] for r in expected]


def test_leads_show_says_first_that_a_domain_does_not_exist(hunter):
    """Every other row of a name DNS does not know is empty for that reason: say it (a trial saw only
    'Provider none (No mail)' and 'no SPF record')."""
    hunter.scan_json("yok-firma-xyz.com.tr", "--no-whois")
    out = hunter("leads", "show", "yok-firma-xyz.com.tr")
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "does not exist in DNS (NXDOMAIN)" in text
    assert text.index("does not exist") < text.index("Provider")
    firma = hunter("leads", "show", "firma.com.tr") if hunter.scan_json("firma.com.tr", "--no-whois") else None
    assert firma is not None and "does not exist" not in firma.stdout


def test_a_domain_given_to_leads_points_at_leads_show(hunter):
    out = hunter("leads", "m365-firma.com.tr")
    assert out.exit_code == 2
    assert "To see one lead: hunter leads show m365-firma.com.tr" in " ".join(out.stderr.split())
    other = hunter("leads", "frobnicate")
    assert other.exit_code == 2 and "leads show" not in other.stderr


def test_show_says_why_a_published_dkim_record_gives_no_key(hunter):
    """A key in testing mode (t=y) or a record that cannot be used is "no usable key" with the reason, in
    the command's language; "no key found" is only for selectors where nothing stands (a trial found the
    panel saying "no key found" beside a brief that named the testing key)."""
    hunter.scan_json("b7-dkim-test.com.tr", "b7-dkim-kirik.com.tr", "natro-ornek.com.tr", "--no-whois")

    def dkim(domain: str, *args: str) -> str:
        out = hunter("leads", "show", domain, *args, env={"COLUMNS": "200"}).stdout
        return " ".join(next(line for line in out.splitlines() if "DKIM" in line).split())

    assert "no usable key: selector1 in testing mode (t=y)" in dkim("b7-dkim-test.com.tr")
    assert "selector1 test modunda (t=y)" in dkim("b7-dkim-test.com.tr", "--lang", "tr")
    kirik = dkim("b7-dkim-kirik.com.tr")
    assert "no usable key: the record at selector1 cannot be used (" in kirik and "no key found" not in kirik
    assert "kullanılamıyor (anahtar (p=)" in dkim("b7-dkim-kirik.com.tr", "--lang", "tr")
    assert "no key found" in dkim("natro-ornek.com.tr")


def test_show_words_exchange_online_as_the_brief_does(hunter, ms):
    """Exchange Online that only an SPF include names, while the MX delivers elsewhere, is no mailbox
    claim in `leads show` either: "absent (only an SPF include names it ...)", as the lists count it; with
    no tenant found behind the records it is "online by the records (no tenant found)" as the brief doubts it."""
    from msserver import Tenant

    ms.tenants.clear()
    ms.tenants["b8-google-spf-ms.com"] = Tenant(id="7a7a7a7a-1111-4222-8333-444444444444", brand="Google SPF")
    hunter.scan_json("b8-google-spf-ms.com", "b7-natro-kaldi.com.tr", "--no-whois")

    def microsoft(domain: str) -> str:
        out = hunter("leads", "show", domain, env={"COLUMNS": "250"}).stdout
        return " ".join(next(line for line in out.splitlines() if "│ Microsoft" in line).split())

    assert (
        "Exchange: absent (only an SPF include names it, left from before a move: their MX delivers elsewhere)"
        in microsoft("b8-google-spf-ms.com")
    )
    assert "Exchange: online by the records (no tenant found)" in microsoft("b7-natro-kaldi.com.tr")
