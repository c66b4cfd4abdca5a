"""The display name of an e-mail address (RFC 5322 §3.4 name-addr, ``Ahmet <ahmet@firma.com.tr>``) is a
person's unless it carries a legal form or is clearly a company: a trial saw ``Ahmet <ahmet@yandex-ornek.com.tr>``
store the company "Ahmet". Each line is scanned and imported for real and the stored company read back."""

from __future__ import annotations

import csv
import io

import pytest

PEOPLE = {  # line -> domain stored without a company
    "Ahmet <ahmet@yandex-ornek.com.tr>": "yandex-ornek.com.tr",
    '"Ayşe Kaya" <ayse@natro-ornek.com.tr>': "natro-ornek.com.tr",
    '"Yılmaz, Mehmet" <mehmet@firma.com.tr>': "firma.com.tr",
    "nomail.com kullanıcısı Zeynep Demir <zeynep@nomail.com>": None,  # two names, no legal form: not a company
    "Can Öztürk, can@kendi-sunucu.com.tr": "kendi-sunucu.com.tr",
    "info@gw-mimecast-m365.co.uk (Elif Şahin)": "gw-mimecast-m365.co.uk",
    "Ali <ali@bimi-izleme.com.tr>": "bimi-izleme.com.tr",
}
COMPANIES = {  # line -> (domain, company stored)
    "Bimi Tam Holding <info@bimi-tam.com.tr>": ("bimi-tam.com.tr", "Bimi Tam Holding"),
    "Ayna Tekstil <satis@ayna-tekstil.com.tr>": ("ayna-tekstil.com.tr", "Ayna Tekstil"),
    '"Gmailer, Inc." <sales@gmailer.de>': ("gmailer.de", "Gmailer, Inc."),
    "Bimi Ret Ltd. Şti. <info@bimi-ret.com.tr>": ("bimi-ret.com.tr", "Bimi Ret Ltd. Şti."),
    "Nomail <destek@nomail.com>": ("nomail.com", "Nomail"),  # the domain by name
    "Ahmet Yılmaz, acme-ornek.com.tr": ("acme-ornek.com.tr", "Ahmet Yılmaz"),  # beside a domain, not an address
}


def _stored(hunter) -> dict[str, str]:
    text = hunter("leads", "-f", "csv").stdout.lstrip("\ufeff")
    return {row["domain"]: row["company"] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("command", ["scan", "import"])
def test_a_persons_display_name_is_not_stored_as_the_company(hunter, tmp_path, command):
    p = tmp_path / "kisiler.txt"
    p.write_text("\n".join(PEOPLE) + "\n" + "\n".join(COMPANIES) + "\n", encoding="utf-8")
    args = ["--no-whois", "--no-tenant"] if command == "scan" else []
    result = hunter(command, str(p), *args)
    assert result.exit_code == 0, result.stderr
    stored = _stored(hunter)
    for line, domain in PEOPLE.items():
        if domain is not None:
            assert stored.get(domain) == "", (line, stored.get(domain))
    for line, (domain, company) in COMPANIES.items():
        assert stored.get(domain) == company, (line, stored.get(domain))
