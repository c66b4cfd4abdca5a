"""Big lists: every table pages like `hunter leads` (first 50, a footer with the count and how to see
more), `--limit 0` prints all in pieces, json and csv stream every row."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timedelta, timezone

from hunter_cli import store


def _events_db(db, n: int) -> list[str]:
    """``n`` change events within the last day, one lead each; returns the domains newest first."""
    conn = store.connect(db, write=True)
    now = datetime.now(timezone.utc)
    names = []
    conn.execute("BEGIN")
    for i in range(n):
        d = f"firma{i:05d}.com.tr"
        when = (now - timedelta(minutes=i)).isoformat(timespec="seconds")
        conn.execute("INSERT INTO domains (domain, added_at, category) VALUES (?, ?, 'P1')", (d, when))
        conn.execute(
            "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES (?, ?, 'provider_changed', 'google', 'm365')",
            (d, when),
        )
        names.append(d)
    old = (now - timedelta(days=30)).isoformat(timespec="seconds")
    conn.execute("INSERT INTO domains (domain, added_at) VALUES ('eski.com.tr', ?)", (old,))
    conn.execute(
        "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES ('eski.com.tr', ?, 'gateway_added', NULL, 'mimecast')",
        (old,),
    )
    conn.execute("COMMIT")
    conn.close()
    return names


def _domains_in(text: str) -> list[str]:
    return [w for line in text.splitlines() for w in line.split() if w.startswith("firma")]


def test_changes_table_shows_the_first_page_and_says_how_many_match(hunter, db):
    names = _events_db(db, 130)
    out = hunter("changes", "--since", "7d")
    assert out.exit_code == 0, out.stderr
    assert _domains_in(out.stdout) == names[:50]  # newest first
    assert "50 of 130 changes match" in out.stderr and "--limit 0" in out.stderr
    few = hunter("changes", "--since", "7d", "--limit", "5")
    assert _domains_in(few.stdout) == names[:5] and "5 of 130" in few.stderr
    nothing = hunter("changes", "--since", "1s", "--kind", "dmarc_added")
    assert nothing.exit_code == 0 and "No changes" in nothing.stderr and nothing.stdout == ""


def test_changes_all_rows_come_in_pieces_with_one_header(hunter, db):
    names = _events_db(db, 450)  # more than two pieces of 200
    out = hunter("changes", "--since", "7d", "--limit", "0")
    assert out.exit_code == 0, out.stderr
    assert _domains_in(out.stdout) == names
    assert out.stdout.count("When") == 1
    assert "450 changes since" in out.stderr
    assert "eski.com.tr" not in out.stdout  # older than --since
    widths = {len(line.rstrip()) for line in out.stdout.splitlines() if "firma" in line}
    assert max(widths) <= 120


def test_changes_json_and_csv_stream_every_row(hunter, db):
    names = _events_db(db, 260)
    js = hunter("changes", "--since", "7d", "--json")
    rows = json.loads(js.stdout)
    assert [r["domain"] for r in rows] == names and rows[0]["kind"] == "provider_changed"
    limited = json.loads(hunter("changes", "--since", "7d", "-f", "json", "--limit", "3").stdout)
    assert [r["domain"] for r in limited] == names[:3]
    raw = hunter("changes", "--since", "365d", "--format", "csv").stdout
    table = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    assert table[0] == ["occurred_at", "domain", "company", "kind", "old", "new", "category"]
    assert [r[1] for r in table[1:]] == names + ["eski.com.tr"]
    empty = hunter("changes", "--since", "1s", "--kind", "dmarc_added", "--json")
    assert json.loads(empty.stdout) == []


def test_referrals_list_pages_and_streams(hunter, db):
    conn = store.connect(db, write=True)
    conn.execute("BEGIN")
    for i in range(75):
        conn.execute(
            "INSERT INTO referrals (id, kind, name, status, updated_at, raw_json, synced_at)"
            " VALUES (?, 'cosell', ?, 'Active', ?, '{}', '2026-01-01T00:00:00+00:00')",
            (f"ref-{i:03d}", f"Müşteri {i:03d}", f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00"),
        )
    conn.execute("COMMIT")
    conn.close()
    table = hunter("referrals", "list")
    assert table.exit_code == 0, table.stderr
    shown = [w for line in table.stdout.splitlines() for w in line.split() if w.isdigit() and len(w) == 3]
    assert shown == [f"{i:03d}" for i in range(74, 24, -1)]
    assert "50 of 75 referrals match" in table.stderr
    rows = json.loads(hunter("referrals", "list", "--json").stdout)
    assert len(rows) == 75 and rows[0]["id"] == "ref-074"
    assert len(json.loads(hunter("referrals", "list", "--json", "--limit", "10").stdout)) == 10


def _finish_fixture(db, conn, tags: list[tuple[str, str, str]], crm: tuple[str, str, int, str]):
    """Add ``(domain, tag, source)`` tags and one pushed CRM lead ``(domain, lead id, statecode, owner)``,
    commit the fixture's transaction and reopen the file as the list commands read it."""
    from hunter_cli.store import leads as core

    conn.executemany(
        "INSERT OR IGNORE INTO tags (domain, tag, source, added_at) VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00')",
        tags,
    )
    conn.execute(
        "INSERT INTO crm_leads (domain, environment, lead_id, statecode, owner_name, pushed_at, push_state, attempted_at)"
        " VALUES (?, 'https://x.crm4.dynamics.com', ?, ?, ?, '2026-01-01T00:00:00+00:00', 'pushed',"
        " '2026-01-01T00:00:00+00:00')",
        crm,
    )
    conn.execute("COMMIT")
    conn.close()
    return core.prepare(store.connect(db))


def test_csv_cells_computed_in_sql_are_what_the_renderer_writes(hunter, db):
    """The CSV fast path (cells computed in SQL) against the renderer over the lead dicts, cell for cell."""
    from hunter_cli.render import leads as render
    from hunter_cli.store import leads as core

    hunter.scan_json("firma.com.tr", "m365-zayif.com.tr", "google-ornek.com.tr", "nomail.com", "slowmx.com")
    conn = store.connect(db, write=True)
    conn.execute("BEGIN")
    conn.execute("UPDATE domains SET company = '=HYPERLINK(\"x\")' WHERE domain = 'firma.com.tr'")
    conn.execute("UPDATE domains SET company = '-Eksi A.Ş.', domain_unicode = '' WHERE domain = 'nomail.com'")
    conn.execute("UPDATE domains SET company = 'Şahin İnşaat' WHERE domain = 'google-ornek.com.tr'")
    conn.execute("UPDATE domains SET last_change_at = '2026-03-01T09:30:00+00:00', expires = '2027-01-01'")
    conn.execute("INSERT INTO domains (domain, added_at) VALUES ('yeni.com.tr', '2026-01-01T00:00:00+00:00')")
    conn = _finish_fixture(
        db,
        conn,
        [
            ("firma.com.tr", "vip", "user"),
            ("firma.com.tr", "=cmd", "user"),
            ("firma.com.tr", "vip", "auto"),
            ("nomail.com", "+ara", "user"),
            ("yeni.com.tr", "ankara", "user"),
        ],
        ("firma.com.tr", "l-1", 1, "@Ayşe"),
    )
    try:
        for f, order, limit, n in (
            (core.LeadFilter(), core.DEFAULT_SORT, None, 6),
            (core.LeadFilter(categories=("P1", "P3", "P4", "P6")), core.parse_sort(["-company"]), None, None),
            (core.LeadFilter(), core.parse_sort(["scanned"]), 3, 3),
        ):
            slow, fast = io.BytesIO(), io.BytesIO()
            render.write_csv(core.iter_leads(conn, f, order, limit), slow)
            render.write_csv_cells(core.csv_rows(conn, f, order, limit), fast)
            assert fast.getvalue() == slow.getvalue()
            assert n is None or fast.getvalue().count(b"\r\n") == n + 1
    finally:
        conn.close()
    out = hunter("leads", "-f", "csv").stdout
    assert "'=HYPERLINK" in out and "'-Eksi" in out and "'=cmd;vip" in out and "'@Ayşe" in out and ",fail," in out


def test_csv_lines_written_by_sqlite_are_the_bytes_the_csv_module_writes(hunter, db):
    """The CSV export's lines (printf in SQL, bytes as stored) against the csv module over the lead dicts,
    byte for byte, with cells that need quoting (commas, quotes, CR, LF) spread over small pieces so that
    plain pieces, mixed pieces and quoted leads alike are read; every sort order and a limit."""
    from hunter_cli.render import leads as render
    from hunter_cli.store import leads as core

    hunter.scan_json("firma.com.tr", "m365-zayif.com.tr", "google-ornek.com.tr", "nomail.com", "slowmx.com")
    conn = store.connect(db, write=True)
    conn.execute("BEGIN")
    odd = {
        "a01.com.tr": ("Yıldız, Ticaret A.Ş.", "P1", 90),  # a comma: quoted
        "a02.com.tr": ('Kaya "Usta" Ltd', "P1", 90),  # quotes: doubled inside quotes
        "a03.com.tr": ("Satır\nsonu", "P2", 70),  # LF
        "a04.com.tr": ("Satır\rbaşı", None, None),  # CR, no category, no score
        "a05.com.tr": ('=1+2, "x"', "P3", 55),  # a formula, a comma and quotes
        "a06.com.tr": ("Düz Şirket", "P1", 90),
        "a07.com.tr": ("", "P6", 0),  # an empty company
        "a08.com.tr": (None, "P2", 70),
        "a09.com.tr": ("Ünlü Gıda", "P4", 12),
    }
    for i, (d, (company, category, score)) in enumerate(odd.items()):
        conn.execute(
            "INSERT INTO domains (domain, added_at, company, category, score, referrals, spf_all, last_attempt_at)"
            " VALUES (?, '2026-01-01T00:00:00+00:00', ?, ?, ?, ?, ?, '2026-02-03 04:05:06')",
            (d, company, category, score, i, "-all" if i % 2 else "~all"),
        )
    # a REAL (never written by Hunter): Python prints 0.30000000000000004 where SQLite's printf says 0.3
    conn.execute("UPDATE domains SET score = 0.1 + 0.2 WHERE domain = 'a09.com.tr'")
    conn.execute("UPDATE domains SET provider_name = 'Natro, Hosting' WHERE domain = 'a06.com.tr'")
    conn = _finish_fixture(
        db,
        conn,
        [
            ("a01.com.tr", "ankara", "user"),
            ("a01.com.tr", "ankara", "auto"),
            ("a02.com.tr", "çok,virgül", "user"),  # a comma in a tag (written by hand into the file)
            ("a06.com.tr", '"alıntı"', "auto"),
        ],
        ("a03.com.tr", "l-2", 0, "Demir, Ayşe"),
    )
    try:
        cases = [(core.LeadFilter(), core.parse_sort([name]), None) for name in core.SORT_COLUMNS]
        cases += [(core.LeadFilter(), core.parse_sort(["-" + name]), None) for name in core.SORT_COLUMNS]
        cases += [
            (core.LeadFilter(), core.DEFAULT_SORT, None),
            (core.LeadFilter(), core.DEFAULT_SORT, 4),
            (core.LeadFilter(categories=("P1", "P2")), core.DEFAULT_SORT, None),
            (core.LeadFilter(search="yıldız"), core.DEFAULT_SORT, None),
        ]
        plain = quoted = 0
        for f, order, limit in cases:
            for batch, first_soon in ((1, False), (3, True), (1000, False), (1000, True)):
                slow, fast = io.BytesIO(), io.BytesIO()
                render.write_csv(core.iter_leads(conn, f, order, limit), slow)
                lines = core.csv_lines(
                    conn, f, order, limit, quote=render.csv_quote, batch=batch, first_soon=first_soon
                )
                assert lines is not None
                render.write_csv_lines(lines, fast)
                assert fast.getvalue() == slow.getvalue(), (f, order, limit, batch, first_soon)
                plain += fast.getvalue().count(b"\r\n")
                quoted += fast.getvalue().count(b'"')
        assert plain and quoted
    finally:
        conn.close()
    out = hunter("leads", "-f", "csv").stdout_bytes
    table = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline="")))
    assert len(table) == 1 + 5 + len(odd)
    by_domain = {r[0]: r for r in table[1:]}
    assert by_domain["a01.com.tr"][2] == "Yıldız, Ticaret A.Ş." and by_domain["a01.com.tr"][22] == "ankara"
    assert by_domain["a02.com.tr"][2] == 'Kaya "Usta" Ltd' and by_domain["a02.com.tr"][22] == "çok,virgül"
    assert by_domain["a03.com.tr"][2] == "Satır\nsonu" and by_domain["a03.com.tr"][24] == "Demir, Ayşe"
    assert by_domain["a05.com.tr"][2] == '\'=1+2, "x"' and by_domain["a09.com.tr"][12] == "0.30000000000000004"
    assert by_domain["a04.com.tr"][17] == "2026-02-03T04:05:06+00:00"


def test_csv_export_without_room_for_sqlites_sort_reads_in_index_order(db, tmp_path):
    """The whole list is sorted by SQLite in temporary files; with no room for them (a 64 KB tmpfs as
    SQLITE_TMPDIR) the export reads the same lines in an index walk instead: same bytes, exit 0."""
    import os
    import subprocess
    import sys

    import pytest

    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    conn = store.connect(db, write=True)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO domains (domain, added_at, company, category, score) VALUES (?, '2026-01-01T00:00:00+00:00', ?, ?, ?)",
        [
            (f"firma{i:05d}.com.tr", f"Firma {i} Ticaret, Sanayi ve Dış Ticaret A.Ş." * 3, f"P{i % 6 + 1}", i % 101)
            for i in range(20_000)
        ],
    )
    conn.execute("COMMIT")
    conn.close()
    small = tmp_path / "small-tmp"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        outs = []
        for tmpdir in (str(tmp_path), str(small)):
            env = dict(os.environ, SQLITE_TMPDIR=tmpdir, NO_COLOR="1")
            run = subprocess.run(
                [sys.executable, "-m", "hunter_cli", "leads", "-f", "csv", "--db", str(db)],
                env=env,
                capture_output=True,
            )
            assert run.returncode == 0, run.stderr.decode()
            outs.append(run.stdout)
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
    assert outs[0] == outs[1] and outs[0].count(b"\r\n") == 20_001
    table = list(csv.reader(io.StringIO(outs[0].decode("utf-8-sig"), newline="")))
    assert table[1][0] == "firma00504.com.tr" and table[1][14] == "P1" and table[1][12] == "100"


def test_a_csv_export_into_a_pipe_starts_at_once_and_says_the_same_as_into_a_file(hunter, hunter_cmd, db, tmp_path):
    """trial 24: at 1,000,000 leads `hunter leads -f csv | head -1` waited 9.8 s for SQLite to sort every lead
    before the first line. A reader at the other end of a pipe (or a terminal) now gets the index walk, whose
    first lines come at once; a file or the null device keeps the faster whole sort. Same bytes either way."""
    import subprocess

    from hunter_cli.render.leads import reader_waits

    hunter.scan_json("firma.com.tr", "m365-zayif.com.tr", "google-ornek.com.tr", "nomail.com")
    read, write = os.pipe()
    try:
        with os.fdopen(write, "wb", closefd=False) as piped:
            assert reader_waits(piped)
        with open(tmp_path / "out.csv", "wb") as plain, open(os.devnull, "wb") as null:
            assert not reader_waits(plain) and not reader_waits(null)
    finally:
        os.close(read)
        os.close(write)
    base, env = hunter_cmd
    args = base + ["leads", "-f", "csv", "--db", str(db), "--sort", "company"]
    piped = subprocess.run(args, env=env, stdout=subprocess.PIPE, check=True).stdout
    with open(tmp_path / "leads.csv", "wb") as sink:
        subprocess.run(args, env=env, stdout=sink, check=True)
    assert piped == (tmp_path / "leads.csv").read_bytes() and piped.count(b"\r\n") == 5
