"""Domain normalisation: what a rep pastes becomes one registrable ASCII domain, or a clear reason."""

import pytest

from hunter_cli.domains import Rejected, normalize, to_unicode


@pytest.mark.parametrize(
    "text, expected",
    [
        ("acme.com", "acme.com"),
        ("  ACME.COM.  ", "acme.com"),
        ("www.acme.com.tr", "acme.com.tr"),
        ("https://www.Acme.com.tr/iletisim", "acme.com.tr"),
        ("HTTP://Q.COM", "q.com"),
        ("acme.com/contact?x=1", "acme.com"),
        ("acme.com:8080", "acme.com"),
        ("satis@acme.com.tr", "acme.com.tr"),
        ("Ahmet Yılmaz <ahmet@mail.acme.com.tr>", "acme.com.tr"),
        ("mailto:info@acme.de?subject=hi", "acme.de"),
        ("mail.acme.co.uk", "acme.co.uk"),
        ("çiçekçi-ahmet.com.tr", "xn--ieki-ahmet-n6abc.com.tr"),
        ("https://çiçekçi-ahmet.com.tr/", "xn--ieki-ahmet-n6abc.com.tr"),
        ("WWW.İSTANBULFİRMA.COM.TR", "istanbulfirma.com.tr"),
        # a chamber list in capitals: the same domain as the lower-case spelling, in URLs and addresses too
        ("ÇİÇEKÇİ-AHMET.COM.TR", "xn--ieki-ahmet-n6abc.com.tr"),
        ("HTTPS://WWW.ÇİÇEKÇİ-AHMET.COM.TR/iletisim", "xn--ieki-ahmet-n6abc.com.tr"),
        ("SATIS@ÇİÇEKÇİ-AHMET.COM.TR", "xn--ieki-ahmet-n6abc.com.tr"),
        ("çi\u0307çekçi\u0307-ahmet.com.tr", "xn--ieki-ahmet-n6abc.com.tr"),  # lower-cased the Unicode way
        ('"acme.com"', "acme.com"),
    ],
)
def test_normalize_accepts(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text, reason_part",
    [
        ("", "no domain"),
        ("nan", "placeholder"),
        ("Web Sitesi", "placeholder"),
        ("localhost", "no dot"),
        ("192.168.1.10", "IP address"),
        ("acme..com", "empty label"),
        ("-acme.com", "invalid label"),
        ("ac_me.com", "invalid label"),
        ("acme.notatld", "unknown top-level domain"),
        ("com.tr", "public suffix"),
        ("x" * 600, "too long"),
        ("ac me.com", "spaces"),
        ("a\x00b.com", "control"),
        ("a" * 64 + ".com", "invalid label"),
    ],
)
def test_normalize_rejects_with_reason(text, reason_part):
    r = normalize(text)
    assert isinstance(r, Rejected)
    assert reason_part in r.reason


@pytest.mark.parametrize("text", ["ali@gmail.com", "x@hotmail.com.tr", "yandex.com", "icloud.com", "outlook.com"])
def test_consumer_mailboxes_are_not_leads(text):
    r = normalize(text)
    assert isinstance(r, Rejected) and r.consumer


def test_to_unicode_round_trip():
    assert to_unicode("xn--ieki-ahmet-n6abc.com.tr") == "çiçekçi-ahmet.com.tr"
    assert to_unicode("acme.com") == "acme.com"
