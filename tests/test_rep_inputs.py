"""Inputs that reps really paste, and commands that must not surprise them.

- a comma- or semicolon-separated list in one argument, or on one text line when every field is a domain;
- an explicit --domain-column / --company-column honoured or refused (exit 2, naming the columns found),
  never replaced by the detected column; --sheet for workbooks with a cover page;
- UTF-16 ("Unicode text" from Excel, with or without a BOM), UTF-8 with a BOM, cp1254 Turkish text;
- tag / note on a domain that is not a lead yet say so; a user tag may not be named like an automatic one;
- reading commands never create a database or its folder.
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from hunter_cli import store
from hunter_cli.cli import app
from hunter_cli.domains import normalize
from hunter_cli.inputs import ColumnError, ColumnHints, InputStats, leads
from hunter_cli.lead import posture


def _leads(*args: str, hints: ColumnHints = ColumnHints()) -> tuple[list[tuple[str, str | None]], InputStats]:
    stats = InputStats()
    out = [(lead.domain, lead.company) for lead in leads(list(args), stats, hints) if not lead.duplicate]
    return out, stats


def _stored(hunter) -> dict[str, str]:
    text = hunter("leads", "-f", "csv").stdout.lstrip("\ufeff")
    return {row["domain"]: row["company"] for row in csv.DictReader(io.StringIO(text))}


# -- lists pasted into one argument or one line --------------------------------------------------------------
@pytest.mark.parametrize(
    "arg",
    ["firma.com.tr,gmailer.de", "firma.com.tr; gmailer.de", " firma.com.tr ,gmailer.de;", "firma.com.tr;;gmailer.de"],
)
def test_a_list_in_one_argument_is_each_domain(arg):
    found, stats = _leads(arg)
    assert [d for d, _ in found] == ["firma.com.tr", "gmailer.de"]
    assert stats.skipped_total == 0


def test_a_list_argument_reports_the_bad_item_and_keeps_the_rest():
    found, stats = _leads("https://www.firma.com.tr/iletisim, ali@gmailer.de, not a domain")
    assert [d for d, _ in found] == ["firma.com.tr", "gmailer.de"]
    assert stats.skipped_total == 1


def test_scan_takes_a_pasted_list(hunter):
    results = hunter.scan_json("firma.com.tr,gmailer.de;nomail.com", "--no-whois")
    assert set(results) == {"firma.com.tr", "gmailer.de", "nomail.com"}


def test_a_text_line_of_domains_gives_each_but_a_company_line_stays_one(tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text("a.com.tr, b.com.tr; c.com.tr\nÖrnek Ltd, d.com.tr\ne.com.tr\tf.com.tr\nacme.com, not one\n")
    found, stats = _leads(str(p))
    assert [d for d, _ in found] == ["a.com.tr", "b.com.tr", "c.com.tr", "d.com.tr", "e.com.tr", "f.com.tr", "acme.com"]
    assert stats.skipped_total == 0


# -- explicit columns ------------------------------------------------------------------------------------------
@pytest.fixture
def sheet_csv(tmp_path) -> Path:
    p = tmp_path / "musteriler.csv"
    p.write_text(
        "Firma Ünvanı;Web Sitesi;Yetkili E-posta;Not\n"
        "Acme A.Ş.;acme.com.tr;ali@acme-posta.com.tr;x\n"
        "Beta Ltd;;veli@beta.com.tr;y\n"
        "Gama;gama.com.tr;;z\n",
        encoding="utf-8",
    )
    return p


@pytest.mark.parametrize("spec", ["Yetkili E-posta", "yetkili e-posta", "3", "C", "c"])
def test_an_explicit_domain_column_is_honoured(sheet_csv, spec):
    found, _ = _leads(str(sheet_csv), hints=ColumnHints(domain=spec))
    assert [d for d, _ in found] == ["acme-posta.com.tr", "beta.com.tr"]


def test_the_detected_column_never_stands_in_for_the_named_one(sheet_csv):
    # row 4 has no e-mail: it is skipped, not read from the website column the detector would choose
    found, stats = _leads(str(sheet_csv), hints=ColumnHints(domain="Yetkili E-posta"))
    assert "gama.com.tr" not in [d for d, _ in found]
    assert stats.skipped_counts.get("no domain in the chosen column") == 1


@pytest.mark.parametrize(
    ("hints", "option"),
    [
        (ColumnHints(domain="Website"), "--domain-column"),
        (ColumnHints(domain="9"), "--domain-column"),
        (ColumnHints(domain="Z"), "--domain-column"),
        (ColumnHints(company="Şirket"), "--company-column"),
    ],
)
def test_a_column_that_is_not_there_is_a_usage_error_naming_the_columns(sheet_csv, hints, option):
    with pytest.raises(ColumnError) as err:
        _leads(str(sheet_csv), hints=hints)
    assert err.value.option == option
    assert "'Firma Ünvanı'" in str(err.value) and "C/3='Yetkili E-posta'" in str(err.value)


def test_a_headerless_file_names_its_width(tmp_path):
    p = tmp_path / "liste.csv"
    p.write_text("acme.com.tr,Acme\nbeta.com.tr,Beta\n")
    with pytest.raises(ColumnError, match=r"2 columns, 1-2 or A-B"):
        _leads(str(p), hints=ColumnHints(domain="3"))
    assert _leads(str(p), hints=ColumnHints(domain="A", company="2"))[0] == [
        ("acme.com.tr", "Acme"),
        ("beta.com.tr", "Beta"),
    ]


def test_scan_and_import_refuse_a_wrong_column_with_exit_2_before_anything_is_written(hunter, db, sheet_csv):
    scan = hunter("scan", str(sheet_csv), "--domain-column", "Website")
    assert scan.exit_code == 2 and "--domain-column" in scan.stderr and "Web Sitesi" in scan.stderr
    imported = hunter("import", str(sheet_csv), "--company-column", "X")
    assert imported.exit_code == 2 and "Firma Ünvanı" in imported.stderr
    assert not db.exists()
    ok = hunter("import", str(sheet_csv), "--domain-column", "Yetkili E-posta", "-q")
    assert ok.exit_code == 0, ok.stderr
    assert _stored(hunter) == {"acme-posta.com.tr": "Acme A.Ş.", "beta.com.tr": "Beta Ltd"}


# -- workbooks with a cover sheet ------------------------------------------------------------------------------------
def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


COVER = [["Müşteri listesi 2026"], ["Hazırlayan: Satış ekibi"], [""], ["Gizlidir"]]
LIST = [["Firma", "Web Sitesi"], ["Acme A.Ş.", "acme.com.tr"], ["Beta", "www.beta.com.tr"]]
OTHER = [["Bölge", "Kişi"], ["Marmara", "Ayşe"]]


def test_a_cover_sheet_is_passed_over_and_said(tmp_path):
    book = _workbook(tmp_path / "liste.xlsx", {"Kapak": COVER, "Liste": LIST})
    found, stats = _leads(str(book))
    assert found == [("acme.com.tr", "Acme A.Ş."), ("beta.com.tr", "Beta")]
    assert any("read sheet 'Liste'" in n and "'Kapak'" in n for n in stats.notes)


@pytest.mark.parametrize("sheet", ["Liste", "liste", "3"])
def test_sheet_by_name_or_number(tmp_path, sheet):
    book = _workbook(tmp_path / "liste.xlsx", {"Kapak": COVER, "Bölgeler": OTHER, "Liste": LIST})
    found, _ = _leads(str(book), hints=ColumnHints(sheet=sheet))
    assert [d for d, _ in found] == ["acme.com.tr", "beta.com.tr"]


def test_an_unknown_sheet_is_a_usage_error_listing_the_sheets(tmp_path, hunter, db):
    book = _workbook(tmp_path / "liste.xlsx", {"Kapak": COVER, "Liste": LIST})
    with pytest.raises(ColumnError, match=r"no sheet 'Müşteriler'; the sheets are: 1='Kapak', 2='Liste'"):
        _leads(str(book), hints=ColumnHints(sheet="Müşteriler"))
    with pytest.raises(ColumnError):
        _leads(str(book), hints=ColumnHints(sheet="3"))
    result = hunter("import", str(book), "--sheet", "Müşteriler")
    assert result.exit_code == 2 and "'Kapak'" in result.stderr and not db.exists()


def test_no_usable_sheet_names_the_sheets_looked_at(tmp_path, hunter):
    book = _workbook(tmp_path / "bos.xlsx", {"Kapak": COVER, "Bölgeler": OTHER})
    _, stats = _leads(str(book))
    assert stats.unreadable == [
        "bos.xlsx: no domain, website or e-mail column in any sheet (looked at 'Kapak', 'Bölgeler');"
        " name one with --sheet and --domain-column"
    ]
    result = hunter("import", str(book))
    assert result.exit_code == 1 and "looked at 'Kapak', 'Bölgeler'" in result.stderr


# -- encodings -------------------------------------------------------------------------------------------------------
TABLE = "Firma Ünvanı\tWeb Sitesi\r\nÇiçekçi Ahmet Ltd. Şti.\tçiçekçi-ahmet.com.tr\r\nİzmir Gıda\tizmirgida.com.tr\r\n"
EXPECTED = [("xn--ieki-ahmet-n6abc.com.tr", "Çiçekçi Ahmet Ltd. Şti."), ("izmirgida.com.tr", "İzmir Gıda")]


@pytest.mark.parametrize(
    "encoded",
    [
        TABLE.encode("utf-16"),  # Excel's "Unicode text": BOM + UTF-16LE, tab-separated
        TABLE.encode("utf-16-le"),  # the same without its BOM
        TABLE.encode("utf-16-be"),
        "\ufeff".encode() + TABLE.encode("utf-8"),  # UTF-8 with a BOM
        TABLE.encode("cp1254"),  # Turkish Windows
    ],
    ids=["utf16-bom", "utf16le-no-bom", "utf16be-no-bom", "utf8-bom", "cp1254"],
)
@pytest.mark.parametrize("suffix", [".txt", ".csv"])
def test_excel_text_exports_are_read_in_every_encoding(tmp_path, encoded, suffix):
    p = tmp_path / f"export{suffix}"
    p.write_bytes(encoded)
    found, stats = _leads(str(p))
    assert found == EXPECTED, stats
    assert "binary data" not in stats.skipped_counts


def test_a_one_column_utf16_list_without_bom(tmp_path):
    p = tmp_path / "liste.txt"
    p.write_bytes("şeker.com.tr\nbeta.com.tr\n".encode("utf-16-le"))
    assert [d for d, _ in _leads(str(p))[0]] == [normalize("şeker.com.tr"), "beta.com.tr"]


# -- tag and note ----------------------------------------------------------------------------------------------------
def test_tag_and_note_say_when_they_create_a_lead(hunter):
    from hunter_cli import store

    store.connect(hunter.db).close()  # an empty database: tag and note change one, never create it
    first = hunter("tag", "yeni-firma.com.tr", "vip")
    assert first.exit_code == 0 and "not a lead yet" in first.stderr and "hunter scan yeni-firma.com.tr" in first.stderr
    again = hunter("tag", "yeni-firma.com.tr", "sicak")
    assert again.exit_code == 0 and "not a lead yet" not in again.stderr
    note = hunter("note", "baska.com.tr", "Ayşe Hanım'ı ara")
    assert note.exit_code == 0 and "baska.com.tr was not a lead yet" in note.stderr
    assert "not a lead yet" not in hunter("note", "yeni-firma.com.tr", "arandı").stderr
    assert set(_stored(hunter)) == {"yeni-firma.com.tr", "baska.com.tr"}


@pytest.mark.parametrize("name", posture.AUTO_TAGS + ("Gateway", "EXPIRES-SOON"))
def test_a_user_tag_may_not_take_an_automatic_tags_name(hunter, db, name):
    result = hunter("tag", "firma.com.tr", "vip", name)
    assert result.exit_code == 2 and "automatic tags" in result.stderr
    assert not db.exists()  # refused before the store was opened


def test_auto_tags_lists_every_automatic_tag():
    """posture.AUTO_TAGS must name every tag auto_tags can append (read from its source)."""
    tree = ast.parse(Path(posture.__file__).read_text("utf-8"))
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "auto_tags")
    appended = {
        c.args[0].value
        for c in ast.walk(fn)
        if isinstance(c, ast.Call) and getattr(c.func, "attr", "") == "append" and isinstance(c.args[0], ast.Constant)
    }
    assert appended and appended == set(posture.AUTO_TAGS)


# -- reading commands never create a database ---------------------------------------------------------------------
READING = [
    ["leads"],
    ["leads", "show", "firma.com.tr"],
    ["sales-summary", "firma.com.tr"],
    ["changes"],
    ["explain", "firma.com.tr"],
    ["referrals", "list"],
    ["rescan"],
    ["db", "check"],
]


@pytest.mark.parametrize("argv", READING, ids=" ".join)
def test_reading_commands_never_create_a_database(hunter, tmp_path, argv):
    path = tmp_path / "yazim-hatasi" / "huntr.db"
    result = hunter(*argv, "--db", str(path))
    assert result.exit_code == 1, result.stderr
    assert "no database at" in result.stderr and str(path) in result.stderr
    assert not path.parent.exists()


@pytest.mark.parametrize("argv", READING[:5], ids=" ".join)
def test_the_default_database_folder_is_not_created_either(tmp_path, argv):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HUNTER_DB": None, "NO_COLOR": "1", "COLUMNS": "120"}
    result = CliRunner().invoke(app, argv, env=env, catch_exceptions=False)
    assert result.exit_code == 1 and "no database at" in result.stderr
    assert "hunter scan" in result.stderr
    assert not (tmp_path / "data").exists()


def test_reading_an_existing_empty_database_still_works(hunter, db):
    store.connect(db).close()
    assert hunter("leads").exit_code == 0


def test_a_near_miss_of_a_sheet_or_column_names_the_nearest(tmp_path, hunter, db):
    """--sheet and --domain-column are choices among what the file has: a near miss says which one."""
    book = _workbook(tmp_path / "liste.xlsx", {"Kapak": COVER, "Liste": LIST})
    result = hunter("import", str(book), "--sheet", "Lsite")
    err = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "the sheets are: 1='Kapak', 2='Liste'; did you mean 'Liste'?" in err, err
    table = tmp_path / "firmalar.txt"
    table.write_text(TABLE, encoding="utf-8")
    result = hunter("import", str(table), "--domain-column", "Web Sitsi")
    err = " ".join(result.stderr.split())
    assert result.exit_code != 0 and "did you mean 'Web Sitesi'?" in err, err
    result = hunter("import", str(table), "--company-column", "Telefon")
    assert result.exit_code != 0 and "no such column" in result.stderr and "did you mean" not in result.stderr
