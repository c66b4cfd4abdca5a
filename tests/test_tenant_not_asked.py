"""Why a tenant was not asked is said truly: `--no-tenant`, or a domain that does not exist in DNS (its
lookup is dropped). A trial found the scan table and the brief blaming `--no-tenant` for a run without it."""

from __future__ import annotations


def test_scan_table_and_brief_name_the_real_reason(hunter, tmp_path):
    p = tmp_path / "list.txt"
    p.write_text("natro-ornek.com.tr\nyok-boyle-bir-firma.com.tr\n", encoding="utf-8")
    result = hunter("scan", str(p), "--no-whois", env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Tenant -: not asked (the domain does not exist in DNS)" in out, out
    assert "--no-tenant" not in out, out
    brief = hunter("sales-summary", "yok-boyle-bir-firma.com.tr", "--format", "markdown").stdout
    assert "does not exist" in brief and "--no-tenant" not in brief, brief
    tr = " ".join(hunter("scan", str(p), "--no-whois", "--lang", "tr", env={"COLUMNS": "120"}).stdout.split())
    assert "Tenant -: sorgulanmadı (alan adı DNS'te yok)" in tr, tr

    off = " ".join(hunter("scan", str(p), "--no-whois", "--no-tenant", env={"COLUMNS": "120"}).stdout.split())
    assert "Tenant: not looked up (--no-tenant)" in off, off


def test_all_rows_not_in_dns(hunter, tmp_path):
    p = tmp_path / "list.txt"
    p.write_text("yok-boyle-bir-firma.com.tr\nhic-olmayan-alan.com.tr\n", encoding="utf-8")
    out = " ".join(hunter("scan", str(p), "--no-whois", env={"COLUMNS": "120"}).stdout.split())
    assert "Tenant: not asked (no domain here exists in DNS)" in out and "--no-tenant" not in out, out
