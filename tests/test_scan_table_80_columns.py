"""Tables at 80 columns (a trial): one 62-character domain took the Gateway, Tenant and DMARC columns from
every row of `hunter scan` and `hunter leads` (the domain column now folds it, render/fold.py); a lead's tags
wrapped one a line under the domain; the summary said "hosting 1" where the table said "Natro"; numbers were
written two ways ("6,417" and "6453"), and in Turkish must be written the Turkish way (6.417)."""

from __future__ import annotations

import pytest

LONG = "bu-cok-uzun-bir-alan-adi-ornegi-firma-isimleri-uzun-olabilir.com.tr"  # 62 characters + .com.tr
NORMAL = ("natro-ornek.com.tr", "kendi-sunucu.com.tr", "gw-mimecast-m365.co.uk", "firma.com.tr", "nomail.com")
ENV80 = {"COLUMNS": "80"}


def _header(out: str) -> str:
    return next(line for line in out.splitlines() if "Domain" in line or "Alan adı" in line)


def _folded_whole(out: str, domain: str) -> bool:
    """Whether ``domain`` is shown whole, on one line or folded over lines after a dot or a hyphen."""
    pieces = [line.strip().split()[0] for line in out.splitlines() if line.strip()]
    text = "".join(pieces)
    return domain in text and all(len(line.rstrip()) <= 80 for line in out.splitlines())


@pytest.mark.parametrize(
    "long_domain",
    [
        LONG,
        "anadolu-yakasi-insaat-taahhut-ve-gayrimenkul-gelistirme.com.tr",
        "ornekfirmaadiburadabitisikyazilmisbirisim.com",
    ],
)
def test_one_long_domain_keeps_every_rows_columns(hunter, tmp_path, long_domain):
    p = tmp_path / "liste.txt"
    p.write_text("\n".join((*NORMAL, long_domain)) + "\n", encoding="utf-8")
    scan = hunter("scan", str(p), "--no-whois", env=ENV80)
    assert scan.exit_code == 0, scan.stderr
    head = _header(scan.stdout)
    for name in ("Gateway", "Tenant", "DMARC"):
        assert name in head, scan.stdout
    assert _folded_whole(scan.stdout, long_domain), scan.stdout
    leads = hunter("leads", env=ENV80)
    head = _header(leads.stdout)
    for name in ("Gateway", "Tenant", "DMARC"):
        assert name in head, leads.stdout
    assert _folded_whole(leads.stdout, long_domain), leads.stdout
    assert "mimecast" in leads.stdout and "mimecast" in scan.stdout


@pytest.mark.parametrize("columns", ["80", "100"])
def test_tags_under_the_domain_take_as_few_lines_as_fit(hunter, columns):
    """Short domains, three tags: two lines, not one tag a line (the column was as wide as the longest tag)."""
    hunter.scan_json("firma.com.tr", "nomail.com", "--no-whois")
    assert hunter("tag", "firma.com.tr", "aranacak", "guvenlik-riski", "zayif").exit_code == 0
    out = hunter("leads", "--tag", "zayif", env={"COLUMNS": columns}).stdout  # asked about: under the domain
    lines = [line.strip() for line in out.splitlines()]
    # two lines at most, however they break: never one tag a line ("aranacak," / "guvenlik-riski," / "zayif")
    tagged = [line for line in lines if any(t in line for t in ("aranacak", "guvenlik-riski", "zayif"))]
    assert 1 <= len(tagged) <= 2, out


def test_the_summary_names_the_provider_as_the_table_does(hunter, tmp_path):
    p = tmp_path / "liste.txt"
    p.write_text("\n".join(NORMAL) + "\n", encoding="utf-8")
    for env in (ENV80, {"COLUMNS": "120"}):
        result = hunter("scan", str(p), "--no-whois", env=env)
        providers = next(line for line in result.stderr.splitlines() if "Providers" in line)
        assert "Natro 1" in providers and "hosting" not in providers, result.stderr
        assert "Natro" in result.stdout


def test_numbers_are_written_one_way_and_the_turkish_way_in_turkish(hunter, tmp_path):
    p = tmp_path / "cok.txt"
    p.write_text("".join(f"firma-{i}.com.tr\n" for i in range(1234)), encoding="utf-8")
    imported = hunter("import", str(p))
    assert imported.exit_code == 0, imported.stderr
    assert "1,234" in imported.stderr
    en = hunter("leads", "--limit", "3", env=ENV80).stderr
    assert "3 of 1,234 leads match" in en, en
    tr = hunter("leads", "--limit", "3", "--lang", "tr", env=ENV80).stderr
    assert "1.234 müşteri adayından 3 tanesi" in tr, tr
    tr_import = hunter("import", str(p), env={"HUNTER_LANG": "tr"}).stderr
    assert "1.234" in tr_import and "1,234" not in tr_import, tr_import
