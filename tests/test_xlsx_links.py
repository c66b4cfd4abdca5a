"""Websites a chamber-of-industry workbook gives only as links: a ``HYPERLINK`` formula, or a hyperlink
attached to a cell whose text is "Web Sitesi", "Site" or the company's name (the sheet's ``<hyperlinks>``
and its external relationships, ECMA-376 Part 1 §18.3.1.47, Part 2 §9.3). Genuine workbooks written by
openpyxl, read by Hunter's own reader (hunter_cli/xlsx.py)."""

from __future__ import annotations

import json

import pytest

openpyxl = pytest.importorskip("openpyxl")

from hunter_cli import xlsx  # noqa: E402


def _workbook(path, rows, links=None, formulas=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref, target in (links or {}).items():
        ws[ref].hyperlink = target
    for ref, formula in (formulas or {}).items():
        ws[ref] = formula
    wb.save(path)
    return path


def test_the_reader_gives_each_cell_its_link(tmp_path):
    path = _workbook(
        tmp_path / "uyeler.xlsx",
        [["Firma Adı", "Web Sitesi"], ["Natro Örnek A.Ş.", None], ["Firma A.Ş.", "Web Sitesi"], ["Acme", "Acme Ltd"]],
        links={"B3": "https://www.firma.com.tr/iletisim", "B4": "mailto:info@acme.com.tr"},
        formulas={"B2": '=HYPERLINK("http://natro-ornek.com.tr","Site")'},
    )
    rows = dict(xlsx.read_rows(str(path), path.name))
    assert rows[2][1] == "Site" and rows[2][1].link == "http://natro-ornek.com.tr"
    assert rows[3][1] == "Web Sitesi" and rows[3][1].link == "https://www.firma.com.tr/iletisim"
    assert rows[4][1].link == "mailto:info@acme.com.tr"
    assert not hasattr(rows[2][0], "link")  # a cell without a link is plain text


@pytest.mark.parametrize(
    "formula, expected",
    [
        ('HYPERLINK("http://natro-ornek.com.tr","Site")', ("http://natro-ornek.com.tr", "Site")),
        ('hyperlink( "https://www.acme.com.tr/" )', ("https://www.acme.com.tr/", None)),
        ('HYPERLINK("http://a.com.tr/?q=""x""","Git")', ('http://a.com.tr/?q="x"', "Git")),
        ('HYPERLINK(A2,"Site")', None),  # a cell reference: no literal URL to read
        ('CONCATENATE("http://", A2)', None),
    ],
)
def test_a_hyperlink_formula_gives_its_literal_url(formula, expected):
    assert xlsx.hyperlink_formula(formula) == expected


def _import_and_list(hunter, path):
    result = hunter("import", str(path))
    assert result.exit_code == 0, result.stderr
    listed = hunter("leads", "-f", "json")
    return {lead["domain"]: lead.get("company") for lead in json.loads(listed.stdout)}, result


def test_a_website_column_of_links_gives_the_domains(hunter, tmp_path):
    path = _workbook(
        tmp_path / "oda.xlsx",
        [
            ["Firma Adı", "Web Sitesi", "Telefon"],
            ["Natro Örnek A.Ş.", None, "0212"],
            ["Firma A.Ş.", "Web Sitesi", "0312"],
            ["Acme Ltd. Şti.", "Site", "0232"],
            ["Posta A.Ş.", "E-posta", "0216"],
            ["Düz Yazı A.Ş.", "duz-yazi.com.tr", "0224"],
        ],
        links={
            "B3": "https://www.firma.com.tr/iletisim",
            "B4": "http://acme.com.tr",
            "B5": "mailto:bilgi@posta-ornek.com.tr",
            "B6": "https://baska-bir-site.com.tr/",  # the cell's own text is a domain: it wins
        },
        formulas={"B2": '=HYPERLINK("http://natro-ornek.com.tr","Site")'},
    )
    leads, result = _import_and_list(hunter, path)
    assert leads == {
        "natro-ornek.com.tr": "Natro Örnek A.Ş.",
        "firma.com.tr": "Firma A.Ş.",
        "acme.com.tr": "Acme Ltd. Şti.",
        "posta-ornek.com.tr": "Posta A.Ş.",
        "duz-yazi.com.tr": "Düz Yazı A.Ş.",
    }, result.stderr
    assert "no domain in the chosen column" not in result.stderr


def test_company_names_linked_to_their_websites_give_both(hunter, tmp_path):
    path = _workbook(
        tmp_path / "sanayi.xlsx",
        [["Firma Adı", "İlçe"], ["Örnek Tekstil A.Ş.", "Bursa"], ["Demir Çelik Ltd. Şti.", "Kocaeli"]],
        links={"A2": "http://www.ornek-tekstil.com.tr", "A3": "https://demir-celik.com.tr/tr/"},
    )
    leads, result = _import_and_list(hunter, path)
    assert leads == {
        "ornek-tekstil.com.tr": "Örnek Tekstil A.Ş.",
        "demir-celik.com.tr": "Demir Çelik Ltd. Şti.",
    }, result.stderr


def test_a_scan_of_a_workbook_of_formula_links_reads_the_domain(hunter, tmp_path):
    path = _workbook(
        tmp_path / "liste.xlsx",
        [["Firma", "Web"], ["Firma A.Ş.", None]],
        formulas={"B2": '=HYPERLINK("https://www.firma.com.tr","Siteye git")'},
    )
    results = hunter.scan_json(str(path), "--no-whois")
    assert list(results) == ["firma.com.tr"]


def test_a_long_formula_is_read_for_its_link_without_a_cut_text_note(tmp_path):
    long_formula = "=" + "+".join(["1"] * 700)  # 1,400 characters: longer than any cell text is kept
    path = _workbook(tmp_path / "uzun.xlsx", [["Web", "Toplam"], ["firma.com.tr", None]], formulas={"B2": long_formula})
    notes = xlsx.ReadNotes()
    rows = dict(xlsx.read_rows(str(path), path.name, notes))
    assert rows[2][0] == "firma.com.tr" and notes.cut_texts == 0
