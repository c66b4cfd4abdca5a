"""A company name on a text line is stored as a workbook row's is (a trial saw `Acme Ltd, acme.com.tr` scan
the domain and drop the name): in any order, quoted, tab-, semicolon-, comma- or pipe-separated, or beside the
domain with spaces; and shown where a workbook's company shows (leads table, `leads show`, CSV)."""

from __future__ import annotations

import csv
import io

import pytest

from hunter_cli.inputs import InputStats, leads


def _leads(path) -> tuple[list[tuple[str, str | None]], InputStats]:
    stats = InputStats()
    return [(lead.domain, lead.company) for lead in leads([str(path)], stats)], stats


def _stored(hunter) -> dict[str, str]:
    text = hunter("leads", "-f", "csv").stdout.lstrip("\ufeff")
    return {row["domain"]: row["company"] for row in csv.DictReader(io.StringIO(text))}


LINES = {  # line -> (domain, company stored)
    "Firma A.Ş., firma.com.tr": ("firma.com.tr", "Firma A.Ş."),
    "nomail.com;Nomail Ltd": ("nomail.com", "Nomail Ltd"),
    '"Gmailer, Inc.",gmailer.de': ("gmailer.de", "Gmailer, Inc."),
    "Ayna Tekstil San. ve Tic. A.Ş.\tayna-tekstil.com.tr": ("ayna-tekstil.com.tr", "Ayna Tekstil San. ve Tic. A.Ş."),
    "bimi-tam.com.tr | Bimi Tam Holding": ("bimi-tam.com.tr", "Bimi Tam Holding"),
    "İstanbul, https://www.bimi-ret.com.tr/iletisim, Bimi Ret Ltd. Şti.": ("bimi-ret.com.tr", "Bimi Ret Ltd. Şti."),
    "Bimi İzleme Danışmanlık <satis@bimi-izleme.com.tr>": ("bimi-izleme.com.tr", "Bimi İzleme Danışmanlık"),
    "Bimi Yarım Ltd bimi-yarim.com.tr": ("bimi-yarim.com.tr", "Bimi Yarım Ltd"),
    '"Acik ""Kapi"" Ltd";acik-kapi.com.tr': ("acik-kapi.com.tr", 'Acik "Kapi" Ltd'),
}


def test_a_scanned_text_lines_company_is_stored_in_any_order_and_form(hunter, tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    result = hunter("scan", str(p), "--no-whois", "--no-tenant")
    assert result.exit_code == 0, result.stderr
    assert _stored(hunter) == dict(LINES.values())


def test_the_text_lines_company_shows_where_a_workbooks_does(hunter, tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text("firma.com.tr;Firma Ltd\n", encoding="utf-8")
    assert hunter("scan", str(p), "--no-whois", "--no-tenant").exit_code == 0
    assert "Firma Ltd" in hunter("leads").stdout
    assert "Firma Ltd" in hunter("leads", "show", "firma.com.tr").stdout


def test_import_takes_a_text_lines_company_too(hunter, tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text("Nomail Bilgi İşlem, nomail.com\n", encoding="utf-8")
    assert hunter("import", str(p)).exit_code == 0
    assert _stored(hunter) == {"nomail.com": "Nomail Bilgi İşlem"}


def test_several_domains_on_a_line_are_each_a_lead_and_a_name_beside_them_is_their_company(tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text(
        "a.com.tr, b.com.tr; c.com.tr\n"  # every field a domain: three leads, no company
        "d.com.tr\te.com.tr\n"
        "Kendi Sunucu A.Ş.; kendi-sunucu.com.tr; oz-sunucu.com.tr\n"
        "Firma Ltd, +90 212 555 12 12, firma.com.tr, Kadıköy\n"  # a phone has no name in it; the legal form wins
        "ali@gmail.com, Ali Veli\n",  # a consumer mailbox is no company domain: skipped, nothing stored
        encoding="utf-8",
    )
    found, stats = _leads(p)
    assert found == [
        ("a.com.tr", None),
        ("b.com.tr", None),
        ("c.com.tr", None),
        ("d.com.tr", None),
        ("e.com.tr", None),
        ("kendi-sunucu.com.tr", "Kendi Sunucu A.Ş."),
        ("oz-sunucu.com.tr", "Kendi Sunucu A.Ş."),
        ("firma.com.tr", "Firma Ltd"),
    ]
    assert stats.companies == 3 and stats.consumer == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("acme.com.tr", ("acme.com.tr", None)),
        ("https://www.acme.com.tr/x  # from the fair", ("acme.com.tr", None)),
        ("Acme.com Ltd", ("acme.com", "Acme.com Ltd")),  # the name holds the domain: the whole line is the name
        ("acme.com.tr, -", ("acme.com.tr", None)),  # a placeholder is no name
        ("acme.com.tr; 2024", ("acme.com.tr", None)),  # nor a number
        ("acme.com.tr, acme.example", ("acme.com.tr", None)),  # nor a domain Hunter rejects
        ("ÇİÇEKÇİ AHMET, çiçekçi-ahmet.com.tr", ("xn--ieki-ahmet-n6abc.com.tr", "ÇİÇEKÇİ AHMET")),
    ],
)
def test_what_is_and_is_not_a_company_on_a_line(tmp_path, line, expected):
    p = tmp_path / "l.txt"
    p.write_text(line + "\n", encoding="utf-8")
    assert _leads(p)[0] == [expected]


def test_a_header_line_naming_company_and_website_is_a_header(tmp_path):
    p = tmp_path / "l.txt"
    p.write_text("Firma Adı, Web Sitesi\nAcme Ltd, acme.com.tr\n", encoding="utf-8")
    found, stats = _leads(p)
    assert found == [("acme.com.tr", "Acme Ltd")]
    assert stats.headers == 1 and stats.skipped_total == 0
