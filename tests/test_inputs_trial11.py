"""Inputs from a fresh user's trial (polish11): IP addresses in every written form are IP addresses, a name
without a dot is said plainly, and workbooks give the domain behind a HYPERLINK formula or a cell's link."""

from __future__ import annotations

import re

import pytest

from hunter_cli.domains import Rejected, normalize

IP_FORMS = [
    "2001:db8::1",
    "2001:DB8:0:0:8:800:200C:417A",
    "[2001:db8::1]",
    "[2001:db8::1]:25",
    "::ffff:192.0.2.1",
    "[::ffff:192.0.2.1]:587",
    "fe80::1%eth0",
    "192.0.2.1:25",
    "http://[2001:db8::5]/iletisim",
    "ahmet@[IPv6:2001:db8::2]",
    "mailto:ahmet@[192.0.2.7]",
    "::1",
]


@pytest.mark.parametrize("text", IP_FORMS)
def test_every_written_form_of_an_ip_address_is_an_ip_address(text):
    result = normalize(text)
    assert isinstance(result, Rejected) and result.reason == "an IP address, not a domain", (text, result)


@pytest.mark.parametrize(
    "text, domain",
    [
        ("acme.com.tr:8080", "acme.com.tr"),
        ("http://acme.com.tr:8443/x", "acme.com.tr"),
        ("x@acme.com.tr", "acme.com.tr"),
    ],
)
def test_a_domain_with_a_port_is_still_a_domain(text, domain):
    assert normalize(text) == domain


@pytest.mark.parametrize(
    "lang, ip, no_dot",
    [
        ("en", "8 (liste.txt:2, liste.txt:3, liste.txt:4, liste.txt:5, liste.txt:6, ...): an IP address, not a domain", "1 (liste.txt:10): a single name with no dot, not a domain"),
        ("tr", "8 satır (liste.txt:2, liste.txt:3, liste.txt:4, liste.txt:5, liste.txt:6, ...) — IP adresi, alan adı değil",
         "1 satır (liste.txt:10) — noktası olmayan tek bir ad, alan adı değil"),
    ],
)  # fmt: skip
def test_the_scan_summary_says_ip_addresses_and_single_names_plainly(hunter, tmp_path, lang, ip, no_dot):
    listing = tmp_path / "liste.txt"
    listing.write_text("\n".join(["firma.com.tr", *IP_FORMS[:8], "intranet"]) + "\n", "utf-8")
    result = hunter("scan", str(listing), "--no-whois", "--lang", lang, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert ip in err and no_dot in err, err
    assert "no dot:" not in err and "nokta yok" not in err
