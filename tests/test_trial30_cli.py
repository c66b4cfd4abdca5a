"""Trial 30's CLI points: each a kind of fault, tried through the CLI (the conftest `hunter` fixture: a real
DNS server on loopback and the sign-in stand-in)."""

from __future__ import annotations

import re

import pytest

from hunter_cli.brief.messages import Messages

NARROW = {"COLUMNS": "80"}


def test_rules_matrix_and_check_speak_turkish(hunter):
    """F9: `hunter --lang tr rules matrix` printed English headings and values (Exist, Migr, Cold, Skip, own srv,
    other, none, Y/N) and `rules check` "usable", while docs/cli.md says every list table takes Turkish values."""
    out = hunter("rules", "matrix", env={**NARROW, "HUNTER_LANG": "tr"})
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    for english in ("Without gateway", "With a", "Exist", "Migr", "Cold", "Skip", "own srv", "| other"):
        assert english not in text, english
    headers = [line for line in text.splitlines() if line.startswith("| SPF")]
    assert not any(" none " in h for h in headers) and any("| yok |" in h for h in headers), headers
    assert re.search(r"^\| [EH] \| [EH] \| ", text, re.M), text
    assert "Soğuk" in text and "Mevcut" in text and "kendi" in text and "diğer" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rules = str(__import__("hunter_cli.scoring", fromlist=["x"]).__file__).replace("__init__.py", "rules.json")
    checked = hunter("rules", "check", rules, env={"HUNTER_LANG": "tr"})
    assert checked.exit_code == 0 and checked.stdout.strip().endswith(": kullanılabilir"), checked.stdout


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_changes_at_80_columns_never_break_a_tenant_id(hunter, ms, lang):
    """F10: "Microsoft tenant appeared (dddddddd-…-dddddddd" / "dddd)" at 80 columns, and the Turkish table spent
    7 columns on "Öncelik" for "P3". An identifier stays on one line; the header is the list's (Önc)."""
    from msserver import Tenant

    domain, guid = "fp-sunucu-ornek.com.tr", "15151515-2222-4333-8444-555555555555"
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    ms.tenants[domain] = Tenant(id=guid, brand="Iki Tercih", namespace="Managed")
    try:
        assert hunter("scan", domain, "--no-whois", "-q", "--fresh-tenant").exit_code == 0
    finally:
        del ms.tenants[domain]
    out = hunter("changes", "--since", "1h", env={**NARROW, "HUNTER_LANG": lang})
    assert out.exit_code == 0, out.stderr
    assert re.search(rf"\(?{guid}\)?", out.stdout), out.stdout  # whole, on one line
    assert all(len(line) <= 80 for line in out.stdout.splitlines())
    header = out.stdout.splitlines()[0]
    assert header.rstrip().endswith(Messages(lang)("table.col.Cat")), header
    assert domain in out.stdout  # the domain whole too


@pytest.mark.parametrize(
    "option, typed, english",
    [
        ("--segment", "Soğuk", "Cold"),
        ("--segment", "Pas", "Skip"),
        ("--segment", "kapsam dışı", "Skip"),
        ("--segment", "Mevcut", "Existing"),
        ("--provider", "yok", "none"),
        ("--provider", "kendi sunucusu", "self-hosted"),
    ],
)
def test_a_filter_takes_the_values_the_turkish_table_shows(hunter, option, typed, english):
    """F13 TR_FILTER_VALUES: `leads --lang tr --segment Soğuk` and `--provider yok` were refused while the Turkish
    table shows them; every value a table writes (messages table.value.*) is read as the value it stands for."""
    assert hunter("scan", "firma.com.tr", "nomail.com", "oz-sunucu.com.tr", "--no-whois", "-q").exit_code == 0
    turkish = hunter("leads", option, typed, "-f", "csv", env={"HUNTER_LANG": "tr"})
    assert turkish.exit_code == 0, turkish.stderr
    assert turkish.stdout == hunter("leads", option, english, "-f", "csv").stdout


def test_search_given_twice_is_refused_never_the_last_alone(hunter):
    """F13 SEARCH_REPEAT_SILENT: `leads -s yavas -s x` silently searched for "x" only. Refused (exit 2), naming both."""
    assert hunter("scan", "firma.com.tr", "nomail.com", "--no-whois", "-q").exit_code == 0
    out = hunter("leads", "-s", "firma", "-s", "nomail")
    assert out.exit_code == 2, out.stdout
    assert "'firma', 'nomail'" in " ".join(out.stderr.split()), out.stderr
    once = hunter("leads", "-s", "firma", "-f", "csv")
    assert once.exit_code == 0 and "firma.com.tr" in once.stdout and "nomail.com" not in once.stdout


def test_db_before_the_command_is_the_commands_db(hunter, tmp_path):
    """F13 LEADS_GLOBAL_DB: `hunter --db X leads` said "No such option: --db" while --lang and --config work
    before the command. It is that command's database; the command's own --db wins when both are given."""
    other = str(tmp_path / "other.db")
    assert hunter("scan", "firma.com.tr", "--no-whois", "-q", "--db", other).exit_code == 0
    listed = hunter("--db", other, "leads", "-f", "csv")
    assert listed.exit_code == 0, listed.stderr
    assert "firma.com.tr" in listed.stdout
    empty = str(tmp_path / "empty.db")
    assert "firma.com.tr" not in hunter("--db", other, "leads", "-f", "csv", "--db", empty).stdout


def test_scan_history_names_the_hosting_brand_as_every_other_view(hunter):
    """F13 HISTORY_PROVIDER_NAME: `leads show`'s scan history said "Shared hosting" where the list, the brief and
    the scan say "Natro"; the brand is read from each scan's result (or the current view, which a scan that
    changed nothing stores as NULL)."""
    for _ in range(2):
        assert hunter("scan", "natro-ornek.com.tr", "--no-whois", "-q").exit_code == 0
    out = hunter("leads", "show", "natro-ornek.com.tr", env={"COLUMNS": "120"})
    history = out.stdout[out.stdout.rindex(Messages("en")("show.history_title")) :]
    assert history.count("Natro") == 2 and "Shared hosting" not in history, history


@pytest.mark.parametrize(
    "since, en, tr",
    [
        ("1m", "No changes in the last 1 minute.", "Son 1 dakika içinde değişiklik yok."),
        ("2g", "No changes in the last 2 days.", "Son 2 gün içinde değişiklik yok."),
        ("1ay", "No changes in the last 1 month.", "Son 1 ay içinde değişiklik yok."),
        (
            "2000-01-01",
            "",
            "",
        ),  # a date in the future is refused (trial 32): "No changes since DAY" in test_trial32_cli
    ],
)
def test_changes_since_reads_turkish_units_and_dates_and_says_them(hunter, since, en, tr):
    """F13 TR_DURATION: `--since 1m --lang tr` said "Son 1m içinde" (a metre, or a month, to a Turkish reader);
    Turkish units (1g, 1ay) and a date were refused."""
    assert hunter("scan", "firma.com.tr", "--no-whois", "-q").exit_code == 0
    for lang, said in (("en", en), ("tr", tr)):
        out = hunter("changes", "--since", since, env={"HUNTER_LANG": lang})
        assert out.exit_code == 0, out.stderr
        if since != "1m":
            continue  # the first scan's events may fall inside these windows
        assert said in out.stderr, out.stderr


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_reserved_example_names_are_skipped_with_a_reason(hunter, tmp_path, lang):
    """F13 EXAMPLE_COM: `example.com` in a list was scanned as a lead. Names reserved for examples and tests
    (RFC 2606, RFC 6761) are skipped with a reason and their line, as a public suffix is."""
    from hunter_cli.domains import Rejected, normalize

    for name in (
        "example.com",
        "www.example.net",
        "a.b.example.org",
        "firma.test",
        "x.example",
        "y.invalid",
        "z.localhost",
    ):
        assert isinstance(normalize(name), Rejected), name
    assert normalize("example.com.tr") == "example.com.tr"  # not reserved: a registrable name under .com.tr
    listed = tmp_path / "list.txt"
    listed.write_text("firma.com.tr\nhttps://www.example.com/\nfirma.test\n", encoding="utf-8")
    out = hunter("scan", str(listed), "--no-whois", env={"HUNTER_LANG": lang, "COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    reason = Messages(lang)("input.skip.reserved")
    assert " ".join(out.stderr.split()).count(reason) >= 1, out.stderr
    assert "example.com" not in out.stdout and "firma.test" not in out.stdout


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_duplicate_is_said_with_its_line_and_blank_rows_count(hunter, tmp_path, lang):
    """F13 INPUT_COUNT: a sheet of a header and 40 rows (two blank) read as "39 lines", and the duplicate had no
    line number while every skip has one; Turkish said "yineleme" (tekrar). Rows are counted as the sheet numbers
    them, and the duplicate's place is said."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Firma", "Web sitesi"])
    ws.append(["Firma A.Ş.", "firma.com.tr"])
    ws.append([])  # a blank row: not in the file, but row 3 of the sheet
    ws.append(["Firma şube", "FIRMA.COM.TR"])
    path = tmp_path / "uyeler.xlsx"
    wb.save(path)
    out = hunter("scan", str(path), "--no-whois", env={"HUNTER_LANG": lang, "COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    said = " ".join(out.stderr.split())
    m = Messages(lang)
    assert m("scan.summary.duplicates_at.one", n=1, where="uyeler.xlsx:4") in said, said
    assert m("scan.summary.lines.many", n=4) in said, said
    assert "yineleme" not in said
