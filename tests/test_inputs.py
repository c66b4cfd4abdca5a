"""Inputs: files with headers, BOMs, comments and garbage; CSV/XLSX column choice; streaming."""

import io

import pytest
from openpyxl import Workbook

from hunter_cli import inputs
from hunter_cli.inputs import InputStats


def collect(*args):
    stats = InputStats()
    return list(inputs.domains(args, stats)), stats


def test_text_file_with_bom_crlf_comments_blanks_and_duplicates(tmp_path):
    p = tmp_path / "list.txt"
    p.write_bytes(
        b"\xef\xbb\xbfdomain\r\n# chamber list 2026\r\nfirma.com.tr\r\n\r\nhttps://www.FIRMA.com.tr/x\r\n"
        b"satis@gmailer.de  # sales contact\r\nali@gmail.com\r\n"
    )
    got, stats = collect(str(p))
    assert got == ["firma.com.tr", "gmailer.de"]
    assert stats.duplicates == 1 and stats.headers == 1 and stats.consumer == 1
    assert stats.skipped["consumer mailbox domain, not a company"] == ["list.txt:7"]


def test_garbage_file_is_reported_line_by_line_and_the_rest_kept(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(
        b"firma.com.tr\n"
        b"\x00\x01\x02\xff\xfe binary\n"
        + b"a" * 10000
        + b".com\n"
        + b"bad_label.com\n"
        + b"\x81\x8d\x90.com\n"
        + b"not a domain at all\n"
        + b"b" * (3 << 20)  # 3 MiB without a newline: never held whole
        + b"\nnomail.com\n"
    )
    got, stats = collect(str(p))
    assert got == ["firma.com.tr", "nomail.com"]
    assert stats.skipped["binary data"] == ["junk.txt:2"]
    assert stats.skipped["line too long to be a domain"] == ["junk.txt:3"]  # read, then judged
    assert stats.skipped["line too long (over 1 MiB)"] == ["junk.txt:7"]
    assert stats.skipped_total == 6
    where = [w for ws in stats.skipped.values() for w in ws]
    assert "junk.txt:4" in where and "junk.txt:6" in where


def test_turkish_windows_encoding_is_read(tmp_path):
    p = tmp_path / "cp1254.txt"
    p.write_bytes("çiçekçi-ahmet.com.tr\n".encode("cp1254"))
    assert collect(str(p))[0] == ["xn--ieki-ahmet-n6abc.com.tr"]


def test_csv_header_picks_website_not_address(tmp_path):
    p = tmp_path / "osb.csv"
    p.write_text(
        "FİRMA ÜNVANI;ADRES;TELEFON;WEB SİTESİ;E-POSTA\n"
        "Firma A.Ş.;Organize Sanayi 3. Cad. No:5 Bursa;0224 000;www.firma.com.tr;info@firma.com.tr\n"
        "Gmailer GmbH;Berlin Str. 1;;;kontakt@gmailer.de\n"
        "Boş Satır Ltd;Adres yok;;;\n",
        encoding="utf-8-sig",
    )
    got, stats = collect(str(p))
    assert got == ["firma.com.tr", "gmailer.de"]  # e-mail column used when the website cell is empty
    assert stats.headers == 1
    assert stats.skipped["no domain in the chosen column"] == ["osb.csv:4"]


def test_csv_without_header_finds_the_column_by_content(tmp_path):
    p = tmp_path / "plain.csv"
    p.write_text("1,Firma,firma.com.tr\n2,Gmailer,https://gmailer.de\n")
    assert collect(str(p))[0] == ["firma.com.tr", "gmailer.de"]


def test_xlsx_with_title_rows_above_the_header(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["BURSA OSB ÜYE LİSTESİ"])
    ws.append([])
    ws.append(["S.NO", "FİRMA ÜNVANI", "ADRES", "WEB SİTESİ"])
    ws.append([1, "Firma A.Ş.", "OSB 1. Cad.", "http://www.firma.com.tr"])
    ws.append([2, "Yandex Örnek", "OSB 2. Cad.", "çiçekçi-ahmet.com.tr"])
    ws.append([3, "Boş", None, None])
    p = tmp_path / "osb.xlsx"
    wb.save(p)
    got, stats = collect(str(p))
    assert got == ["firma.com.tr", "xn--ieki-ahmet-n6abc.com.tr"]
    assert stats.headers == 2  # the title and the header (the blank row is not in the file at all)
    assert stats.lines == 6  # but it is a row of the sheet: rows are counted as the sheet numbers them (trial 30)
    assert stats.skipped_total == 1  # the row without a website


def test_input_is_streamed_not_read_whole(monkeypatch):
    consumed = []

    def endless():
        i = 0
        while True:
            consumed.append(i)
            yield f"firma{i}.com\n".encode()
            i += 1

    stats = InputStats()
    gen = inputs._text_candidates(endless(), "stdin", stats)
    first = [next(gen) for _ in range(3)]
    assert [c.text for c in first] == ["firma0.com", "firma1.com", "firma2.com"]
    assert len(consumed) <= 4


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(inputs.InputError, match="save it as .xlsx or .csv"):
        list(inputs.candidates(str(tmp_path / "old.xls"), InputStats()))
    got, stats = collect(str(tmp_path / "old.xls"), "acme.com")  # the other inputs are still read
    assert got == ["acme.com"]
    assert stats.unreadable == ["old.xls: this spreadsheet format is not supported; save it as .xlsx or .csv"]
    assert inputs.missing_files([str(tmp_path / "nope.txt"), "acme.com"]) == [str(tmp_path / "nope.txt")]


def test_count_lines_for_progress(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("a.com\nb.com\nc.com\n")
    assert inputs.count_lines([str(p), "x.com"]) == 4
    assert inputs.count_lines(["-"]) is None


def test_fold_handles_turkish_capitals():
    assert inputs.fold("FİRMA ÜNVANI") == "firmaunvani"
    assert inputs.fold("WEB SİTESİ") == "websitesi"
    assert inputs.fold("E-Posta") == "eposta"


def test_stdin_via_cli(hunter):
    result = hunter("scan", "-", "--json", input="firma.com.tr\nnomail.com\n")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


_ = io


@pytest.mark.parametrize("sep", ["; ", ", ", ";"])
def test_a_cell_holding_two_domains_gives_both_leads_of_the_rows_company(tmp_path, sep):
    """A member list's website cell with two sites: both are leads, as on a text line (a trial saw the row
    skipped as 'contains spaces'). A cell of a domain and free text stays one candidate."""
    wb = Workbook()
    ws = wb.active
    ws.append(["FİRMA ÜNVANI", "WEB SİTESİ"])
    ws.append(["Kendi A.Ş.", f"kendi-sunucu.com.tr{sep}oz-sunucu.com.tr"])
    ws.append(["Firma A.Ş.", "firma.com.tr, merkez ofis"])
    ws.append(["Gmailer GmbH", "www.gmailer.de"])
    ws.append(["Natro Örnek", "natro-ornek.com.tr"])
    p = tmp_path / "uyeler.xlsx"
    wb.save(p)
    stats = InputStats()
    got = [(lead.domain, lead.company) for lead in inputs.leads([str(p)], stats)]
    assert got == [
        ("kendi-sunucu.com.tr", "Kendi A.Ş."),
        ("oz-sunucu.com.tr", "Kendi A.Ş."),
        ("firma.com.tr", "Firma A.Ş."),
        ("gmailer.de", "Gmailer GmbH"),
        ("natro-ornek.com.tr", "Natro Örnek"),
    ]
    assert stats.skipped_total == 0


@pytest.mark.parametrize("column", ["E", "Website", "5"])
def test_a_column_named_on_the_command_line_is_looked_for_past_a_cover_sheet(tmp_path, column):
    """--domain-column without --sheet: a cover sheet that lacks the column is passed over, as it is when no
    column is named (a trial got 'no such column' from the cover page's title cell)."""
    wb = Workbook()
    cover = wb.active
    cover.title = "Kapak"
    cover.append(["OSB Üye Listesi 2026"])
    members = wb.create_sheet("Üyeler")
    members.append(["No", "Firma", "Adres", "Telefon", "Website"])
    members.append([1, "Firma A.Ş.", "OSB", "0224", "www.firma.com.tr"])
    members.append([2, "Gmailer GmbH", "Berlin", "030", "gmailer.de"])
    p = tmp_path / "uyeler.xlsx"
    wb.save(p)
    stats = InputStats()
    hints = inputs.ColumnHints(domain=column)
    inputs.check_hints([str(p)], hints)  # no usage error before the scan starts
    assert [lead.domain for lead in inputs.leads([str(p)], stats, hints)] == ["firma.com.tr", "gmailer.de"]
    with pytest.raises(inputs.ColumnError) as err:
        inputs.check_hints([str(p)], inputs.ColumnHints(domain="Web Sitesi"))  # in no sheet: still refused
    assert "'Kapak'" in str(err.value) and "'Üyeler'" in str(err.value)


def test_a_header_with_no_website_column_is_a_header_not_a_skipped_row(tmp_path):
    """trial 17: `Firma;Telefon` then one row: the header row was counted as a row skipped for having no
    website column. A header it recognises (a company column) is a header; the data rows are skipped."""
    p = tmp_path / "nosite.csv"
    p.write_text("Firma;Telefon\nAcme Ltd;123\n", encoding="utf-8")
    got, stats = collect(str(p))
    assert got == [] and stats.headers == 1
    assert stats.skipped["no domain, website or e-mail column found"] == ["nosite.csv:2"]
    bare = tmp_path / "bare.csv"  # no header it knows: every row is data, and skipped as such
    bare.write_text("Acme Ltd;123\nBeta AS;456\n", encoding="utf-8")
    got, stats = collect(str(bare))
    assert got == [] and stats.headers == 0
    assert stats.skipped["no domain, website or e-mail column found"] == ["bare.csv:1", "bare.csv:2"]
