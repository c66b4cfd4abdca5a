"""Inputs from trial 18: a social-media or site-builder page is no company domain (the row falls back
to its e-mail column), a number is said to be a number, a merged cell's name reaches every row of its
range, and a workbook's other sheets with a website column are named (and read with --sheet all)."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook

from hunter_cli import inputs
from hunter_cli.domains import Rejected, normalize

PLATFORM_PAGES = [
    "https://www.instagram.com/firma",
    "instagram.com/firma/",
    "https://m.facebook.com/firma-ltd",
    "https://www.linkedin.com/company/firma-a-s/",
    "https://x.com/firma",
    "twitter.com/firma",
    "https://www.youtube.com/@firma",
    "https://www.tiktok.com/@firma",
    "https://wa.me/905551112233",
    "https://linktr.ee/firma",
    "https://sites.google.com/view/firma",
    "https://firma.wixsite.com/anasayfa",
    "http://firma.blogspot.com",
    "https://firma-ltd.business.site/",
    "FIRMA.WORDPRESS.COM",
    "https://firma.github.io/",
    "https://bit.ly/3abcdEF",
    "instagr.am/firma",
]


@pytest.mark.parametrize("text", PLATFORM_PAGES)
def test_a_page_on_a_social_network_or_site_builder_is_not_a_company_domain(text):
    result = normalize(text)
    assert isinstance(result, Rejected) and result.platform, (text, result)
    assert result.reason == "a social-media or site-builder page, not the company's own domain"


@pytest.mark.parametrize(
    "text", ["google.com.tr", "acme-instagram.com", "xfacebook.com", "wix.com.tr", "firma.com", "3m.com", "365.com.tr"]
)
def test_names_that_only_look_like_a_platform_stay_domains(text):
    assert normalize(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "905551112233",
        " 42 ",
        "123.45",  # a decimal, not a host under a ".45"
        "9.05551112233E+11",  # a long number as a workbook stores it
        "905321234567.0",
        "12,345",
        "+90 555 111 22 33",  # a phone number in the website column
        "(0212) 555-11-22",
    ],
)
def test_a_number_is_said_to_be_a_number(text):
    result = normalize(text)
    assert isinstance(result, Rejected) and result.reason == "a number, not a domain", result


def _read(*args: str, hints: inputs.ColumnHints = inputs.ColumnHints()):
    stats = inputs.InputStats()
    got = [(lead.domain, lead.company) for lead in inputs.leads(list(args), stats, hints)]
    return got, stats


def test_a_social_page_in_the_website_cell_falls_back_to_the_e_mail_column(tmp_path):
    path = tmp_path / "oda.csv"
    path.write_text(
        "Firma Adı;Web Adresi;E-posta\n"
        "Instagram A.Ş.;https://www.instagram.com/firma;info@firma-k.com.tr\n"
        "Yalnız Sayfa Ltd;https://firma.wixsite.com/site;\n"
        "Acme A.Ş.;acme.com.tr;bilgi@acme.com.tr\n",
        "utf-8",
    )
    got, stats = _read(str(path))
    assert got == [("firma-k.com.tr", "Instagram A.Ş."), ("acme.com.tr", "Acme A.Ş.")]
    assert stats.skipped == {"a social-media or site-builder page, not the company's own domain": ["oda.csv:3"]}


def test_a_social_page_beside_a_name_on_a_text_line_says_why(tmp_path):
    path = tmp_path / "liste.txt"
    path.write_text("Acme Ltd, https://www.facebook.com/acme\n", "utf-8")
    got, stats = _read(str(path))
    assert got == [] and list(stats.skipped) == ["a social-media or site-builder page, not the company's own domain"]


@pytest.mark.parametrize(
    "lang, platform, number",
    [
        ("en", "1 (oda.txt:2): a social-media or site-builder page, not the company's own domain",
         "1 (oda.txt:3): a number, not a domain"),
        ("tr", "1 satır (oda.txt:2) — sosyal medya ya da site kurucu sayfası, firmanın kendi alan adı değil",
         "1 satır (oda.txt:3) — bir sayı, alan adı değil"),
    ],
)  # fmt: skip
def test_the_scan_summary_names_the_social_page_and_the_number(hunter, tmp_path, lang, platform, number):
    listing = tmp_path / "oda.txt"
    listing.write_text("firma.com.tr\nhttps://www.instagram.com/firma\n12345\n", "utf-8")
    result = hunter("scan", str(listing), "--no-whois", env={"COLUMNS": "200", "HUNTER_LANG": lang})
    assert result.exit_code == 0, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert platform in err and number in err, err


def test_a_merged_company_cell_names_every_row_of_its_range(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Üyeler"
    sheet["A1"] = "Oda Üye Listesi"
    sheet.merge_cells("A1:D1")  # a title on one row: stays in A1 only
    sheet.append([])
    sheet.append(["Sıra No", "Firma Adı", "Web Adresi", "Telefon"])
    sheet.append([1, "Birleşik Hücre A.Ş.", "pp-m365.com.tr", "0212"])
    sheet.append([2, None, "mc-m365.com.tr", None])
    sheet.append([3, None, "bc-m365.com.tr", None])
    sheet.append([4, "Tek Satır Ltd", "tek.com.tr", None])
    sheet.merge_cells("B4:B6")
    sheet.merge_cells("D4:D5")
    path = tmp_path / "oda.xlsx"
    book.save(path)
    got, stats = _read(str(path))
    assert got == [
        ("pp-m365.com.tr", "Birleşik Hücre A.Ş."),
        ("mc-m365.com.tr", "Birleşik Hücre A.Ş."),
        ("bc-m365.com.tr", "Birleşik Hücre A.Ş."),
        ("tek.com.tr", "Tek Satır Ltd"),
    ]
    rows = dict(__import__("hunter_cli.xlsx", fromlist=["read_rows"]).read_rows(str(path), "oda.xlsx"))
    assert rows[1] == ["Oda Üye Listesi"] and rows[5][3] == "0212" and len(rows[6]) == 3


def _two_sheet_book(path):
    book = Workbook()
    first = book.active
    first.title = "Üyeler"
    first.append(["Firma Adı", "Web Adresi"])
    first.append(["Acme A.Ş.", "acme.com.tr"])
    second = book.create_sheet("Ek Liste")
    second.append(["Firma Adı", "Web Adresi"])
    for n, domain in enumerate(["proton-k.ch", "zohoeu-k.de", "strato-k.de"]):
        second.append([f"Ek {n} Ltd", domain])
    cover = book.create_sheet("Notlar")
    cover.append(["Bu liste 2026 yılı üyeleridir."])
    third = book.create_sheet("Eksik Liste")
    third.append(["Firma Adı", "Web Adresi"])
    third.append(["Eksik Ltd", None])
    third.append(["Tam Ltd", "tam.com.tr"])
    book.save(path)
    return path


def test_another_sheet_with_a_website_column_is_named_with_how_to_read_it(tmp_path):
    path = _two_sheet_book(tmp_path / "oda.xlsx")
    got, stats = _read(str(path))
    assert got == [("acme.com.tr", "Acme A.Ş.")]
    notes = [str(n) for n in stats.notes]
    assert notes == [
        "oda.xlsx: sheet 'Ek Liste' also has a website or e-mail column (3 rows) and was not read;"
        " to read it, add --sheet 'Ek Liste', or --sheet all for every such sheet",
        "oda.xlsx: sheet 'Eksik Liste' also has a website or e-mail column (1 row) and was not read;"
        " to read it, add --sheet 'Eksik Liste', or --sheet all for every such sheet",
    ]


def test_sheet_all_reads_every_sheet_with_a_website_column_each_row_named_by_sheet(tmp_path):
    path = _two_sheet_book(tmp_path / "oda.xlsx")
    got, stats = _read(str(path), hints=inputs.ColumnHints(sheet="all"))
    assert [d for d, _ in got] == ["acme.com.tr", "proton-k.ch", "zohoeu-k.de", "strato-k.de", "tam.com.tr"]
    assert stats.notes == []
    assert stats.skipped == {"no domain in the chosen column": ["oda.xlsx[Eksik Liste]:2"]}
    got, stats = _read(str(path), hints=inputs.ColumnHints(sheet="Ek Liste"))
    assert [d for d, _ in got] == ["proton-k.ch", "zohoeu-k.de", "strato-k.de"] and stats.notes == []


@pytest.mark.parametrize(
    "lang, note",
    [
        ("en", "oda.xlsx: sheet 'Ek Liste' also has a website or e-mail column (3 rows) and was not read"),
        ("tr", "oda.xlsx: 'Ek Liste' sayfasında da web sitesi ya da e-posta sütunu var (3 satır), bu sayfa okunmadı"),
    ],
)
def test_the_scan_summary_names_the_unread_sheet_and_sheet_all_reads_it(hunter, tmp_path, lang, note):
    path = _two_sheet_book(tmp_path / "oda.xlsx")
    result = hunter("scan", str(path), "--no-whois", env={"COLUMNS": "200", "HUNTER_LANG": lang})
    assert result.exit_code == 0, result.stderr
    assert note in re.sub(r"\s+", " ", result.stderr), result.stderr
    result = hunter("scan", str(path), "--no-whois", "--sheet", "all", env={"COLUMNS": "200", "HUNTER_LANG": lang})
    assert result.exit_code == 0, result.stderr
    assert "(oda.xlsx[Eksik Liste]:2)" in re.sub(r"\s+", " ", result.stderr), result.stderr
    listed = hunter("leads", "-f", "csv", "--limit", "0")
    assert all(d in listed.stdout for d in ("acme.com.tr", "proton-k.ch", "zohoeu-k.de", "strato-k.de"))


def _number(text: str) -> int:
    return int(text.replace(",", "").replace(".", ""))


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_an_interrupted_scan_says_exact_figures_that_add_up(hunter_cmd, dns, db, tmp_path, lang):
    """Trial 18, 2.4: the summary said "Input 8,960 lines" and the last line "about 11,502 not scanned" of a
    19,997-line file: the domains read but not yet scanned were counted in both. Now the lines read and not
    read add up to the file's, the domains scanned and read-but-not-scanned to the unique ones, and the
    summary and the last line give the same figures."""
    import signal
    import subprocess

    from test_store import _slow_list, _wait_for_rows

    path, names = _slow_list(dns, tmp_path, n=3000, delay=0.05)
    path.write_text("# oda listesi\n" + "\n".join(names[:5] + names) + "\n")  # a comment and 5 duplicates
    total = 1 + 5 + len(names)
    base, env = hunter_cmd
    args = base + ["scan", str(path), "-c", "2", "--nameserver", dns.nameserver, "--timeout", "2", "--no-whois"]
    proc = subprocess.Popen(
        args, env=dict(env, HUNTER_LANG=lang, COLUMNS="200"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _wait_for_rows(db, 3)
    proc.send_signal(signal.SIGINT)
    _, raw = proc.communicate(timeout=60)
    err = re.sub(r"\s+", " ", raw.decode())
    assert proc.returncode == 130, err
    n = r"([\d.,]+)"
    if lang == "en":
        summary = re.search(
            rf"Input {n} of {n} lines, {n} unique domains, {n} duplicates?(?: \([^)]*\))?, {n} read but not scanned",
            err,
        )
        last = re.search(rf"interrupted: {n} domains? read but not scanned, {n} lines? not read; results so far", err)
        scanned = re.search(rf"Scanned {n} domains?", err)
    else:
        summary = re.search(
            rf"Girdi {n} satırın {n} tanesi, {n} benzersiz alan adı, {n} [^,(]+(?: \([^)]*\))?, {n} tanesi okundu ama taranmadı",
            err,
        )
        last = re.search(rf"{n} alan adı okundu ama taranmadı, {n} satır okunmadı", err)
        scanned = re.search(rf"{n} alan adı", err[err.index("Tarama özeti") :])
    assert summary and last and scanned, err
    if lang == "tr":
        read_lines, total_lines, unique, _dupes, left = (_number(g) for g in summary.groups())
        read_lines, total_lines = total_lines, read_lines  # "{total} satırın {n} tanesi"
    else:
        read_lines, total_lines, unique, _dupes, left = (_number(g) for g in summary.groups())
    left_again, unread = (_number(g) for g in last.groups())
    assert total_lines == total and left == left_again > 0 and unread > 0
    assert read_lines + unread == total_lines  # every line read or not read
    assert _number(scanned.group(1)) + left == unique  # every unique domain read: scanned, or not
