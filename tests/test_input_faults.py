"""Hostile and damaged input files through `hunter import` / `hunter scan` (docs/reliability.md, "Input files").

Every fault is a real file (or a closed descriptor) handed to the real CLI:
stray CSV quotes, very long lines, workbooks built to hang or exhaust the
reader, directories and closed standard input among the inputs.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import hostile_xlsx as hx  # noqa: E402

from hunter_cli import inputs, xlsx  # noqa: E402


def companies(db) -> dict[str, str | None]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT domain, company FROM domains").fetchall())
    finally:
        conn.close()


def json_domains(stdout: str) -> set[str]:
    return {json.loads(line)["domain"] for line in stdout.splitlines()}


def flat(text: str) -> str:
    return " ".join(text.split())


def do_import(hunter, *paths):
    return hunter("import", *[str(p) for p in paths], dns_args=False)


# -- CSV: a broken quote costs its own line ----------------------------------------------------------------
def test_stray_quote_costs_one_line_and_says_which(hunter, db, tmp_path):
    p = tmp_path / "q.csv"
    p.write_bytes(b'Firma,Web Sitesi\nA,a-corp.com\n"Acme Best Ltd,b-corp.com\nC,c-corp.com\n')
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    assert companies(db) == {"a-corp.com": "A", "c-corp.com": "C"}
    out = flat(result.stderr)
    assert "Skipped 1 (q.csv:3): broken CSV row: unbalanced quote (line skipped)" in out
    assert "Leads created 2" in out


@pytest.mark.parametrize("bad_rows", [[5000], [17, 18], [9998], [1234, 1236]])
def test_ten_thousand_rows_lose_only_the_broken_ones(hunter, db, tmp_path, bad_rows):
    lines = ["Firma;Adres;Web Sitesi;Notlar"]
    for n in range(1, 10_001):
        name = f'"Firma {n}; Ltd' if n in bad_rows else f"Firma {n} Ltd"  # an opening quote that never closes
        lines.append(f"{name};OSB {n}. Cad.;www.firma{n}.com.tr;ok")
    p = tmp_path / "big.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    got = companies(db)
    assert len(got) == 10_000 - len(bad_rows)
    assert all(f"firma{n}.com.tr" not in got for n in bad_rows)
    assert got["firma9999.com.tr" if 9999 not in bad_rows else "firma1.com.tr"] is not None
    out = flat(result.stderr)
    where = ", ".join(f"big.csv:{n + 1}" for n in bad_rows)
    assert f"Skipped {len(bad_rows)} ({where}): broken CSV row" in out


def test_two_stray_quotes_that_happen_to_balance_lose_only_the_first_line(hunter, db, tmp_path):
    # Line 3 opens a quote and line 5 "closes" it: read as one value, the record would have
    # one column instead of two, so it is not a record; line 3 alone is dropped.
    p = tmp_path / "two.csv"
    p.write_text('Firma,Web\nA,a-corp.com\n"B,b-corp.com\nC,c-corp.com\nD,d-corp.com"\nE,e-corp.com\n')
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    assert set(companies(db)) == {"a-corp.com", "c-corp.com", "d-corp.com", "e-corp.com"}
    assert "(two.csv:3)" in flat(result.stderr)


def test_legitimate_multiline_quoted_values_are_kept_whole(hunter, db, tmp_path):
    p = tmp_path / "crm.csv"
    p.write_text(
        "Company,Notes,Website\r\n"
        'Acme Ltd,"Called twice;\r\nasked for a ""quote"", call back\r\nin March",acme-corp.com.tr\r\n'
        '"Beta, Inc.",,beta-corp.com\r\n'
        'Gamma AŞ,"one line, with a comma",gamma-corp.com\r\n',
        encoding="utf-8",
    )
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    assert companies(db) == {
        "acme-corp.com.tr": "Acme Ltd",
        "beta-corp.com": "Beta, Inc.",
        "gamma-corp.com": "Gamma AŞ",
    }
    assert "Skipped" not in result.stderr


def test_quote_open_past_the_line_limit_is_unbalanced(hunter, db, tmp_path):
    # A value that would run over more than MAX_QUOTED_LINES lines is not a value: the
    # opening line goes, the lines after it are read as rows again.
    rows = ["Firma,Web", 'X,"x-corp.com'] + [f"F{n},f{n}-corp.com" for n in range(inputs.MAX_QUOTED_LINES + 5)]
    rows.append('Y,y-corp.com"')
    p = tmp_path / "long.csv"
    p.write_text("\n".join(rows) + "\n")
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    got = companies(db)
    assert "x-corp.com" not in got
    assert {f"f{n}-corp.com" for n in range(inputs.MAX_QUOTED_LINES + 5)} <= set(got)
    assert "(long.csv:2)" in flat(result.stderr)


def test_quotes_inside_an_unquoted_value_are_just_text(hunter, db, tmp_path):
    p = tmp_path / "inch.csv"
    p.write_text('Firma,Ürün,Web\nA,"5"" boru",a-corp.com\nB,5" boru,b-corp.com\nC,"Acme" Best,c-corp.com\n')
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    assert set(companies(db)) == {"a-corp.com", "b-corp.com", "c-corp.com"}
    assert "Skipped" not in result.stderr


# -- long lines -------------------------------------------------------------------------------------------
def test_wide_rows_and_long_notes_are_read(hunter, db, tmp_path):
    header = ["Firma"] + [f"Alan {i}" for i in range(600)] + ["Web Sitesi"]
    lines = [";".join(header)]
    for n in range(3):
        lines.append(";".join([f"Firma {n}"] + [f"değer {i} " * 3 for i in range(600)] + [f"www.wide{n}.com.tr"]))
    lines.append(";".join(["Notlu"] + ["x" * 20_000] + [""] * 599 + ["notlu.com.tr"]))
    p = tmp_path / "wide.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert all(len(line.encode()) > 4096 for line in lines)
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    assert companies(db) == {
        "wide0.com.tr": "Firma 0",
        "wide1.com.tr": "Firma 1",
        "wide2.com.tr": "Firma 2",
        "notlu.com.tr": "Notlu",
    }


def test_long_text_lines_are_read_and_only_useless_ones_skipped(hunter, tmp_path):
    p = tmp_path / "list.txt"
    p.write_text("firma.com.tr  # " + "not " * 3000 + "\n" + "nomail.com\n" + "y" * 6000 + "\n")
    got = hunter.scan_json(str(p))
    assert set(got) == {"firma.com.tr", "nomail.com"}


# -- UTF-16 ("Unicode text" from Excel) -------------------------------------------------------------------
def test_excel_unicode_text_export_is_a_table(hunter, db, tmp_path):
    p = tmp_path / "uyeler.txt"
    text = "Firma Ünvanı\tAdres\tWeb Sitesi\r\nÇiçek Ltd\tOSB 1\twww.cicek-corp.com.tr\r\nBeta AŞ\tOSB 2\tbeta-corp.com\r\n"
    p.write_bytes(text.encode("utf-16"))  # BOM + UTF-16LE, as Excel writes it
    result = do_import(hunter, p)
    assert result.exit_code == 0, result.stderr
    assert companies(db) == {"cicek-corp.com.tr": "Çiçek Ltd", "beta-corp.com": "Beta AŞ"}


def test_utf16_big_endian_list_is_not_binary(tmp_path):
    p = tmp_path / "list.txt"
    p.write_bytes("\ufeffçiçekçi-ahmet.com.tr\nnomail.com\n".encode("utf-16-be"))
    stats = inputs.InputStats()
    assert list(inputs.domains([str(p)], stats)) == ["xn--ieki-ahmet-n6abc.com.tr", "nomail.com"]
    assert stats.skipped_total == 0


# -- inputs that cannot be read ---------------------------------------------------------------------------
def test_directory_after_a_valid_file_is_reported_and_the_rest_scanned(hunter, tmp_path):
    first = tmp_path / "first.txt"
    first.write_text("firma.com.tr\n")
    (tmp_path / "folder").mkdir()
    last = tmp_path / "last.csv"
    last.write_text("web\nnomail.com\n")
    result = hunter("scan", str(first), str(tmp_path / "folder"), str(last), "--json")
    assert result.exit_code == 1
    scanned = json_domains(result.stdout)
    assert scanned == {"firma.com.tr", "nomail.com"}
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {tmp_path / 'folder'}: is a directory, not a file; give the files in it instead"]
    assert "Traceback" not in result.stderr


def test_refused_workbook_among_inputs_leaves_the_others_imported(hunter, db, tmp_path):
    bomb = hx.huge_shared_string(tmp_path / "bomb.xlsx", megabytes=64)
    good = tmp_path / "good.csv"
    good.write_text("Firma,Web\nA,a-corp.com\n")
    result = do_import(hunter, bomb, good)
    assert result.exit_code == 1
    assert companies(db) == {"a-corp.com": "A"}
    err = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and err[0].startswith("error: bomb.xlsx: refused: its part xl/sharedStrings.xml unpacks to")


def _run(base, env, args, **kw):
    return subprocess.run(base + args, env=env, capture_output=True, text=True, timeout=60, **kw)


def test_closed_stdin_is_one_line_and_other_inputs_still_scanned(hunter_cmd, dns):
    base, env = hunter_cmd
    args = ["scan", "-", "firma.com.tr", "--json", "--no-tenant", "--no-whois", "--nameserver", dns.nameserver]
    proc = _run(base, env, args, preexec_fn=lambda: os.close(0))
    assert proc.returncode == 1, proc.stderr
    assert json_domains(proc.stdout) == {"firma.com.tr"}
    assert "error: standard input (-): it is closed, nothing to read" in proc.stderr
    assert "Traceback" not in proc.stderr
    alone = _run(base, env, ["scan", "-", "--nameserver", dns.nameserver], preexec_fn=lambda: os.close(0))
    assert alone.returncode == 1
    assert [line for line in alone.stderr.splitlines() if line.strip()] == [
        "error: standard input (-): it is closed, nothing to read"
    ]


def test_unreadable_user_data_folder_is_not_a_traceback(hunter_cmd, dns, tmp_path):
    base, env = hunter_cmd
    # A data folder that cannot be looked into. Tests run as root, where permissions do not
    # bite, so the folder's path is made unusable (ENAMETOOLONG, like EACCES not "missing").
    blocked = tmp_path / ("x" * 300)
    if os.geteuid() != 0:
        blocked = tmp_path / "locked"
        blocked.mkdir()
        blocked.chmod(0)
    env = dict(env, XDG_DATA_HOME=str(blocked))
    args = ["scan", "firma.com.tr", "--json", "--no-tenant", "--no-whois", "--nameserver", dns.nameserver]
    proc = _run(base, env, args)
    assert proc.returncode == 0, proc.stderr
    assert json_domains(proc.stdout) == {"firma.com.tr"}
    assert "using the bundled public suffix list" in flat(proc.stderr)
    no_db = {k: v for k, v in env.items() if k != "HUNTER_DB"}  # the database would live in that folder too
    proc = _run(base, no_db, args)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.strip()][0].startswith(
        "error: cannot create the database"
    )


# -- .xlsx: bounded work ----------------------------------------------------------------------------------
def test_whole_column_dimension_reads_only_real_cells(hunter, db, tmp_path):
    p = hx.whole_column_dimension(tmp_path / "dim.xlsx")
    start = time.monotonic()
    result = do_import(hunter, p)
    assert time.monotonic() - start < 5
    assert result.exit_code == 0, result.stderr
    assert companies(db) == {"a-corp.com": "A", "c-corp.com": "C"}
    assert "dim.xlsx: 1 cells right of column AMJ (1024) not read (rows 1048576)" in flat(result.stderr)


def test_genuine_workbook_shapes_are_read(tmp_path):
    # Rich text with a phonetic run, a prefixed namespace, cells without references,
    # booleans, numbers and a formula's cached string.
    sheet = (
        f'<x:worksheet xmlns:x="{hx.NS}"><x:sheetData>'
        '<x:row r="1"><x:c t="inlineStr"><x:is><x:t>Firma</x:t></x:is></x:c><x:c t="s"><x:v>0</x:v></x:c></x:row>'
        '<x:row><x:c t="s"><x:v>1</x:v></x:c><x:c t="str"><x:f>LOWER("A.COM")</x:f><x:v>rich-corp.com</x:v></x:c>'
        '<x:c r="D2" t="b"><x:v>1</x:v></x:c><x:c r="E2"><x:v>42</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    shared = (
        f'<sst xmlns="{hx.NS}"><si><t>Web Sitesi</t></si>'
        "<si><r><t>Zengin </t></r><r><rPr><b/></rPr><t>Metin AŞ</t></r><rPh><t>ignored</t></rPh></si></sst>"
    )
    p = hx.write_package(tmp_path / "shapes.xlsx", sheet, shared)
    rows = list(xlsx.read_rows(str(p), "shapes.xlsx"))
    assert rows == [(1, ["Firma", "Web Sitesi"]), (2, ["Zengin Metin AŞ", "rich-corp.com", "", "TRUE", "42"])]


def test_openpyxl_workbook_with_shared_strings_reads_like_before(tmp_path):
    p = hx.member_list(tmp_path / "members.xlsx", 200)
    stats = inputs.InputStats()
    got = list(inputs.leads([str(p)], stats))
    assert len(got) == 200 and got[0] == inputs.Lead("firma0.com.tr", "Firma 0 A.Ş.")
    assert stats.headers == 2 and stats.skipped_total == 0


def test_not_a_workbook_and_damaged_workbooks_are_refused_clearly(tmp_path):
    cases = {
        "old.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        "text.xlsx": b"firma.com.tr\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    damaged = hx.write_package(tmp_path / "cut.xlsx", '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>x')
    messages = {}
    for p in [tmp_path / "old.xlsx", tmp_path / "text.xlsx", damaged]:
        stats = inputs.InputStats()
        assert list(inputs.leads([str(p)], stats)) == []
        messages[p.name] = stats.unreadable[0]
    assert "password-protected workbook or an old .xls file" in messages["old.xlsx"]
    assert messages["text.xlsx"].startswith("text.xlsx: not an Excel workbook")
    assert messages["cut.xlsx"].startswith("cut.xlsx: the workbook is damaged (xl/worksheets/sheet1.xml")


def test_workbook_saved_as_csv_is_read_as_a_workbook(tmp_path):
    p = hx.whole_column_dimension(tmp_path / "renamed.xlsx")
    renamed = p.rename(tmp_path / "export.csv")
    stats = inputs.InputStats()
    assert list(inputs.domains([str(renamed)], stats)) == ["a-corp.com", "c-corp.com"]


HOSTILE_SMALL = {
    # The cases and their kin, each under 1 MB (sizes kept small so the suite stays fast;
    # benchmarks/xlsx_bounds.py runs the full-size ones).
    "whole-column dimension": (hx.whole_column_dimension, {}, None),
    "shared-strings bomb": (hx.huge_shared_string, {"megabytes": 200}, "refused: its part xl/sharedStrings.xml"),
    "empty shared strings": (hx.many_shared_strings, {"count": 3_000_000}, "refused: xl/sharedStrings.xml holds"),
    "wide row": (hx.wide_row, {"cells": 600_000}, "refused: xl/worksheets/sheet1.xml holds"),
    "empty rows": (hx.empty_rows, {"rows": 2_000_000}, "refused: xl/worksheets/sheet1.xml holds"),
    "row of empty cells": (hx.empty_cells, {"cells": 2_000_000}, "refused: xl/worksheets/sheet1.xml holds"),
    # Inside every budget: the structure openpyxl's read-only mode spends most memory on per byte
    # (docs/performance.md, "Workbook reading"), read here in a few megabytes.
    "row of empty cells inside the budget": (hx.empty_cells, {"cells": 200_000}, None),
    "deep nesting": (hx.deep_nesting, {"depth": 100_000}, "nests elements more than 64 deep"),
    "huge cell value": (hx.huge_cell_value, {"megabytes": 200}, "refused: its part xl/worksheets/sheet1.xml"),
    "entity expansion": (hx.entity_bomb, {}, "declares a document type"),
}


_LAUNCH = (
    "import json, os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))\n"
)


@pytest.mark.parametrize("case", list(HOSTILE_SMALL))
def test_hostile_workbook_is_read_or_refused_in_5s_and_200mb(case, hunter_cmd, tmp_path):
    build, kw, refusal = HOSTILE_SMALL[case]
    p = build(tmp_path / "hostile.xlsx", **kw)
    assert p.stat().st_size < 1_000_000
    base, env = hunter_cmd
    start = time.monotonic()
    # A child's ru_maxrss starts from the memory of the process it was forked from (Linux keeps the old
    # high-water mark across exec), so hunter is started by a small launcher, not by pytest itself.
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *base, "import", str(p)], env=env, capture_output=True, text=True, timeout=60
    )
    elapsed = time.monotonic() - start
    stderr = done.stderr
    code, maxrss_kb = json.loads(done.stdout.strip().splitlines()[-1])
    status = code << 8 if code >= 0 else -code
    peak_mb = maxrss_kb / 1024  # kB on Linux
    assert elapsed < 5, f"{case}: {elapsed:.1f} s"
    assert peak_mb < 200, f"{case}: {peak_mb:.0f} MB"
    assert "Traceback" not in stderr
    if refusal is None:
        assert os.waitstatus_to_exitcode(status) == 0, stderr
    else:
        assert os.waitstatus_to_exitcode(status) == 1
        errors = [line for line in stderr.splitlines() if line.startswith("error:")]
        assert errors and refusal in flat(" ".join(errors)), stderr


def test_ctrl_c_while_a_workbook_is_being_read_stops_at_once(hunter_cmd, dns, db, tmp_path):
    # A 6 MB workbook (an incompressible attachment earns it a large budget) whose sheet is
    # millions of empty rows: seconds of reading without a single domain to hand on.
    p = hx.empty_rows(tmp_path / "slow.xlsx", rows=6_000_000)
    with zipfile.ZipFile(p, "a") as pad:
        pad.writestr("xl/media/image1.bin", os.urandom(6_000_000))
    base, env = hunter_cmd
    args = ["scan", str(p), "-q", "--no-tenant", "--no-whois", "--nameserver", dns.nameserver]
    proc = subprocess.Popen(base + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not db.exists() and time.monotonic() < deadline:  # the store is opened just before reading
        time.sleep(0.05)
    time.sleep(0.5)
    assert proc.poll() is None, "the workbook was read before Ctrl-C could be tried"
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert time.monotonic() - start < 2, "one Ctrl-C must stop the read promptly"
    assert proc.returncode == 130
    assert "Traceback" not in stderr
