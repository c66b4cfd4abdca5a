"""pct below 100 (RFC 7489 6.6.4): the mail left out of p=reject is quarantined, the mail left out of
p=quarantine gets only the receiver's usual filtering. The brief says which, in both languages (a trial
read "covers only 25% of failing mail" as if the rest went through)."""

from __future__ import annotations


def test_the_brief_says_what_happens_to_the_rest(hunter):
    hunter.scan_json("yarim-koruma.com.tr", "gmailer.de", "--no-whois")
    en = " ".join(hunter("sales-summary", "yarim-koruma.com.tr", "--format", "markdown").stdout.split())
    assert "applies to only 25% of the mail that fails DMARC; for the rest, receivers quarantine it instead" in en
    tr = " ".join(hunter("sales-summary", "yarim-koruma.com.tr", "--format", "markdown", "--lang", "tr").stdout.split())
    assert "yalnızca %25'ine uygulanıyor; alıcılar kalanını karantinaya alıyor" in tr, tr
    quarantine = " ".join(hunter("sales-summary", "gmailer.de", "--format", "markdown").stdout.split())
    assert "for the rest, receivers apply only their usual spam filtering" in quarantine, quarantine
