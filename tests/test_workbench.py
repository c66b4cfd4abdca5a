"""Imports with company names, tags and notes, change events between scans, rescans and cron use."""

import csv
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).parent))
from dnsserver import DNSTestServer  # noqa: E402


def q(db, sql, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def osb_workbook(path):
    """A chamber-of-industry list as they really come: title rows, merged cells, Turkish headers."""
    wb = Workbook()
    ws = wb.active
    ws.append(["BURSA ORGANİZE SANAYİ BÖLGESİ"])
    ws.merge_cells("A1:G1")
    ws.append(["ÜYE FİRMA LİSTESİ - 2026"])
    ws.append([])
    ws.append([None, None, "Güncelleme: Kasım 2026"])
    ws.append(["S.NO", "FİRMA ÜNVANI", "FAALİYET KONUSU", "TELEFON", "ADRES", "WEB SİTESİ", "E-POSTA"])
    ws.append(
        [
            1,
            "Firma Bilişim A.Ş.",
            "Yazılım",
            "0224 000 00 00",
            "OSB Mavi Cad. No:3 Nilüfer/Bursa",
            "www.firma.com.tr",
            None,
        ]
    )
    ws.append([2, "Gmailer GmbH Türkiye", "Tekstil", None, "OSB Yeşil Cad. 5", None, "satis@gmailer.de"])
    ws.append([3, None, "Otomotiv", None, "OSB Kırmızı Cad.", "http://nomail.com", None])
    ws.append([])
    ws.append([4, "Firma Bilişim A.Ş.", "Yazılım", None, "OSB Mavi Cad. No:3", "https://firma.com.tr/iletisim", None])
    ws.append([5, "Şahıs Firması", "Ticaret", None, "Çarşı", None, "ali@gmail.com"])
    ws.append([6, "nan", "Lojistik", None, "Liman Yolu", "oz-sunucu.com.tr", None])
    wb.save(path)


def test_import_xlsx_with_title_rows_turkish_headers_and_merged_cells(hunter, db, tmp_path):
    path = tmp_path / "osb.xlsx"
    osb_workbook(path)
    result = hunter("import", str(path), dns_args=False)
    assert result.exit_code == 0, result.stderr
    rows = dict(q(db, "SELECT domain, company FROM domains"))
    assert rows == {
        "firma.com.tr": "Firma Bilişim A.Ş.",
        "gmailer.de": "Gmailer GmbH Türkiye",
        "nomail.com": None,
        "oz-sunucu.com.tr": None,  # "nan" is a blank, never a name
    }
    out = " ".join(result.stderr.split())
    assert "Leads created 4" in out and "Duplicates merged 1" in out
    assert "consumer mailbox domain" in out and "osb.xlsx:11" in out
    assert q(db, "SELECT count(*) FROM scans")[0][0] == 0  # import never scans


def test_reimporting_the_same_file_changes_nothing(hunter, db, tmp_path):
    path = tmp_path / "osb.xlsx"
    osb_workbook(path)
    hunter("import", str(path), dns_args=False)
    before = q(db, "SELECT * FROM domains ORDER BY domain")
    again = hunter("import", str(path), dns_args=False)
    assert again.exit_code == 0
    assert "Leads created 0" in " ".join(again.stderr.split())
    assert q(db, "SELECT * FROM domains ORDER BY domain") == before


def test_address_column_is_never_taken_for_the_website(hunter, db, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "Firma;Adres;Web\nFirma A.Ş.;Atatürk Cad. No:5 web.com.tr binası;www.firma.com.tr\nGmailer;Berlin;gmailer.de\n",
        encoding="utf-8-sig",
    )
    assert hunter("import", str(path), dns_args=False).exit_code == 0
    assert dict(q(db, "SELECT domain, company FROM domains")) == {"firma.com.tr": "Firma A.Ş.", "gmailer.de": "Gmailer"}


def test_column_overrides_and_a_wrong_column_name(hunter, db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\nAcme Ltd,x,firma.com.tr\n")
    ok = hunter("import", str(path), "--domain-column", "C", "--company-column", "1", dns_args=False)
    assert ok.exit_code == 0
    assert q(db, "SELECT domain, company FROM domains") == [("firma.com.tr", "Acme Ltd")]
    bad = hunter("import", str(path), "--company-column", "Ünvan", dns_args=False)
    assert bad.exit_code == 2 and "no such column" in bad.stderr and "A/1='a'" in bad.stderr


def test_a_stored_company_name_is_kept_unless_asked(hunter, db, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("company,website\nFirma Bilişim A.Ş.,firma.com.tr\n")
    second = tmp_path / "b.csv"
    second.write_text("company,website\nFIRMA BILISIM,firma.com.tr\n,gmailer.de\n")
    hunter("import", str(first), dns_args=False)
    hunter("import", str(second), dns_args=False)
    assert q(db, "SELECT company FROM domains WHERE domain='firma.com.tr'") == [("Firma Bilişim A.Ş.",)]
    hunter("import", str(second), "--overwrite-company", dns_args=False)
    assert q(db, "SELECT company FROM domains WHERE domain='firma.com.tr'") == [("FIRMA BILISIM",)]


def test_scan_of_a_file_keeps_company_names(hunter, db, tmp_path):
    path = tmp_path / "osb.xlsx"
    osb_workbook(path)
    result = hunter("scan", str(path), "-q", "--no-whois")
    assert result.exit_code == 0, result.stderr
    assert q(db, "SELECT company, provider FROM domains WHERE domain='firma.com.tr'") == [
        ("Firma Bilişim A.Ş.", "m365")
    ]


def test_tags_and_notes(hunter, db):
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert hunter("tag", "firma.com.tr", "vip", "Bursa", dns_args=False).exit_code == 0
    assert sorted(q(db, "SELECT tag FROM tags WHERE source='user'")) == [("bursa",), ("vip",)]
    assert hunter("untag", "firma.com.tr", "vip", dns_args=False).exit_code == 0
    assert hunter("untag", "firma.com.tr", "vip", dns_args=False).exit_code == 1
    assert hunter("tag", "firma.com.tr", "bad tag!", dns_args=False).exit_code == 2
    assert hunter("note", "firma.com.tr", "Called Ayşe, IT manager; call back in March.", dns_args=False).exit_code == 0
    brief = hunter("sales-summary", "firma.com.tr", "-f", "markdown", dns_args=False)
    assert "Called Ayşe, IT manager" in brief.stdout
    # a later scan keeps the rep's tags and notes
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert q(db, "SELECT tag FROM tags WHERE source='user'") == [("bursa",)]
    assert q(db, "SELECT count(*) FROM notes")[0][0] == 1


def test_auto_tags_are_recomputed_on_each_scan(hunter, db):
    hunter.scan_json("m365-zayif.com.tr", "gw-ms-token.com", "gmailer.de", "--no-whois")
    auto = {}
    for domain, tag in q(db, "SELECT domain, tag FROM tags WHERE source='auto'"):
        auto.setdefault(domain, set()).add(tag)
    assert auto["m365-zayif.com.tr"] == {"security-risk", "weak-dmarc"}
    assert auto["gw-ms-token.com"] == {"security-risk", "weak-dmarc", "gateway"}
    assert auto["gmailer.de"] == {"migration-ready", "weak-dmarc"}  # DMARC at 50%


def zone(google: bool) -> str:
    mx = "smtp.google.com." if google else "degisen-com-tr.mail.protection.outlook.com."
    spf = "include:_spf.google.com ~all" if google else "include:spf.protection.outlook.com -all"
    dmarc = "" if google else '_dmarc.degisen.com.tr. TXT "v=DMARC1; p=quarantine"\n'
    gw = "" if google else "gw-gelen.com. MX 10 eu-smtp-inbound-1.mimecast.com.\n"
    return (
        f'degisen.com.tr. MX 1 {mx}\ndegisen.com.tr. TXT "v=spf1 {spf}"\n{dmarc}'
        f"gw-gelen.com. MX 20 gw-gelen-com.mail.protection.outlook.com.\n{gw}"
        '_spf.google.com. TXT "v=spf1 ip4:192.0.2.1 -all"\nspf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.2 -all"\n'
        # MX hosts resolve (a host without an address is a broken set-up)
        "smtp.google.com. A 192.0.2.10\ndegisen-com-tr.mail.protection.outlook.com. A 192.0.2.11\n"
        "gw-gelen-com.mail.protection.outlook.com. A 192.0.2.12\neu-smtp-inbound-1.mimecast.com. A 192.0.2.13\n"
    )


def test_changes_between_two_scans_are_stored_and_listed(hunter, db, ms):
    with DNSTestServer(zone(google=True)) as srv:
        args = ["scan", "degisen.com.tr", "gw-gelen.com", "-q", "--no-whois", "--nameserver", srv.nameserver]
        assert hunter(*args, dns_args=False).exit_code == 0
        assert q(db, "SELECT count(*) FROM events")[0][0] == 0  # first scan: nothing to compare
        srv.load(zone(google=False))
        ms.reset_log()
        assert hunter(*args, dns_args=False).exit_code == 0
    kinds = {(d, k, o, n) for d, k, o, n in q(db, "SELECT domain, kind, old, new FROM events")}
    assert ("degisen.com.tr", "provider_changed", "google", "m365") in kinds
    assert ("degisen.com.tr", "dmarc_added", None, "quarantine") in kinds
    assert any(k == "spf_changed" for _, k, _, _ in kinds)
    assert ("gw-gelen.com", "gateway_added", None, "mimecast") in kinds
    table = hunter("changes", "--since", "1d", dns_args=False)
    assert table.exit_code == 0 and "Provider: Google Workspace → Microsoft 365" in table.stdout
    assert "Gateway Mimecast added" in table.stdout and "DMARC published: p=quarantine" in table.stdout
    js = json.loads(hunter("changes", "--since", "1d", "--kind", "provider_changed", "--json", dns_args=False).stdout)
    assert [(e["domain"], e["old"], e["new"]) for e in js] == [("degisen.com.tr", "google", "m365")]
    raw = hunter("changes", "--since", "1d", "--format", "csv", dns_args=False).stdout
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(raw.lstrip("\ufeff").splitlines()))
    assert rows[0][:4] == ["occurred_at", "domain", "company", "kind"] and len(rows) == len(kinds) + 1
    brief = hunter("sales-summary", "degisen.com.tr", "-f", "markdown", dns_args=False)
    assert ": Provider: Google Workspace → Microsoft 365." in brief.stdout  # the words of `hunter changes`
    assert hunter("changes", "--kind", "nonsense", dns_args=False).exit_code == 2


def test_rescan_picks_old_failed_and_never_scanned_leads(hunter, db, dns, tmp_path):
    hunter.scan_json("firma.com.tr", "gmailer.de", "--no-whois")
    (tmp_path / "new.txt").write_text("nomail.com\n")
    hunter("import", str(tmp_path / "new.txt"), dns_args=False)
    conn = sqlite3.connect(db)
    conn.execute(  # its last complete scan is old (rescan counts from last_ok_at)
        "UPDATE domains SET last_good_at = '2026-01-01T00:00:00+00:00', last_ok_at = '2026-01-01T00:00:00+00:00'"
        " WHERE domain = 'gmailer.de'"
    )
    conn.commit()
    conn.close()
    dns.reset_log()
    result = hunter("rescan", "--older-than", "7d", "--no-whois", "--nameserver", dns.nameserver, "-q", dns_args=False)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert dns.count("gmailer.de", "MX") == 1 and dns.count("nomail.com", "MX") == 1
    assert dns.count("firma.com.tr", "MX") == 0
    dns.reset_log()
    p2 = hunter(
        "rescan",
        "--older-than",
        "0s",
        "--category",
        "P4",
        "--no-whois",
        "--nameserver",
        dns.nameserver,
        "-q",
        dns_args=False,
    )
    assert p2.exit_code == 0 and dns.count("firma.com.tr", "MX") == 1 and dns.count("gmailer.de", "MX") == 0
    nothing = hunter("rescan", "--older-than", "30d", "--nameserver", dns.nameserver, dns_args=False)
    assert nothing.exit_code == 0 and "Nothing to rescan" in nothing.stderr


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)"])
def test_csv_cells_are_excel_safe(value):
    import io

    from hunter_cli.render.csvsafe import write_csv

    out = io.StringIO()
    write_csv(out, ["a"], [[value], [["x", "y"]]])
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    assert rows[1] == ["'" + value] and rows[2] == ["x;y"]
