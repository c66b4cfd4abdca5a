"""An `xn--` label is an A-label only when it is Punycode that decodes to a valid U-label, spelled the one
standard way (RFC 5890 2.3.2.1, RFC 5891 5.4). A trial saw `xn--zz.com` (no Punycode at all) scanned and
stored as a lead; every way a domain comes in (a list, a CSV or workbook column, a DOMAIN argument) must
skip or refuse such a label with its own reason, in English and Turkish, and go on with the rest."""

from __future__ import annotations

import json
import re

import pytest
from openpyxl import Workbook

from hunter_cli.domains import Rejected, normalize

# (input, the English reason's tail): each a fault of its own kind.
BAD = [
    ("xn--zz.com", "not valid Punycode"),  # "incomplete punycode string"
    ("XN--ZZ.COM", "not valid Punycode"),  # the ACE prefix is case-insensitive (RFC 5890 2.3.2.1)
    ("https://www.xn--zz.com/iletisim", "not valid Punycode"),
    ("satis@xn--zz.com.tr", "not valid Punycode"),
    ("xn--ls8h.com", "decodes to characters a domain name may not hold"),  # an emoji: DISALLOWED
    ("xn--55a.com", "decodes to characters a domain name may not hold"),  # a capital letter: DISALLOWED
    ("xn--a.com", "decodes to characters a domain name may not hold"),  # U+0080, a control
    ("xn---bbk.com", "not the standard Punycode spelling of its name"),  # a second spelling of xn--bbk
    ("xn--abc-def.com", "decodes to a name the IDNA 2008 rules do not allow"),  # breaks the bidi rule
    ("çiçek.xn--zz.com", "not valid Punycode"),  # among U-labels: the same reason, not idna's English
]
GOOD = ["xn--tda.com", "xn--bbk.com", "XN--TDA.COM", "xn--m-0fa.com.tr"]


@pytest.mark.parametrize("text, why", BAD)
def test_an_xn_label_that_is_no_a_label_is_refused_with_its_reason(text, why):
    result = normalize(text)
    assert isinstance(result, Rejected), (text, result)
    assert result.reason.startswith("invalid A-label 'xn--") and result.reason.endswith(why), result


@pytest.mark.parametrize("text", GOOD)
def test_a_real_a_label_is_still_a_domain(text):
    assert normalize(text) == text.lower()


def test_an_a_label_decoding_to_plain_ascii_is_refused():
    # Punycode of a name with no non-ASCII letter ends in "-": xn--abc- decodes to "abc", no U-label.
    assert isinstance(normalize("xn--abc-.com"), Rejected)


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "1 (liste.txt:3): invalid A-label 'xn--zz': not valid Punycode"),
        ("tr", "1 satır (liste.txt:3) — geçersiz A-etiketi 'xn--zz': geçerli bir Punycode değil"),
    ],
)
def test_a_list_skips_the_line_says_where_and_why_and_scans_the_rest(hunter, tmp_path, lang, said):
    listing = tmp_path / "liste.txt"
    listing.write_text("firma.com.tr\nnomail.com\nxn--zz.com\nxn--ls8h.com\n", "utf-8")
    result = hunter("scan", str(listing), "--no-whois", "--lang", lang, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert said in err, err
    assert "(liste.txt:4)" in err, err
    leads = json.loads(hunter("leads", "--format", "json").stdout)
    assert sorted(o["domain"] for o in leads) == ["firma.com.tr", "nomail.com"]


def test_a_csv_and_a_workbook_column_skip_it_too(hunter, tmp_path):
    sheet = tmp_path / "firmalar.csv"
    sheet.write_text("Firma,Web Sitesi\nAcme,firma.com.tr\nSahte,www.xn--zz.com\n", "utf-8")
    book = tmp_path / "firmalar.xlsx"
    wb = Workbook()
    ws = wb.active
    for row in (["Firma", "Web Sitesi"], ["Acme", "nomail.com"], ["Sahte", "XN--ZZ.COM.TR"]):
        ws.append(row)
    wb.save(book)
    for path in (sheet, book):
        result = hunter("scan", str(path), "--no-whois", env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert "invalid A-label 'xn--zz': not valid Punycode" in re.sub(r"\s+", " ", result.stderr)
    leads = json.loads(hunter("leads", "--format", "json").stdout)
    assert sorted(o["domain"] for o in leads) == ["firma.com.tr", "nomail.com"]


@pytest.mark.parametrize(
    "args, code",
    [(["scan", "xn--zz.com", "--no-whois"], 1), (["prep", "xn--zz.com"], 2), (["leads", "show", "XN--ZZ.com"], 2)],
)
@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", "invalid A-label 'xn--zz': not valid Punycode"),
        ("tr", "geçersiz A-etiketi 'xn--zz': geçerli bir Punycode"),
    ],
)
def test_a_domain_argument_with_a_bad_a_label_is_refused(hunter, args, code, lang, said):
    """`scan` skips it as it skips a bad line (its summary says why, exit 1: nothing to scan); `prep` and
    `leads show` refuse the argument (exit 2)."""
    result = hunter(*args, "--lang", lang, env={"COLUMNS": "200"})
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert said in re.sub(r"\s+", " ", result.stderr), result.stderr
