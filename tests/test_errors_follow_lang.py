"""trial12 D: every usage error and error message follows the command's language, whole.

In Turkish the first half of these messages was Turkish (Click's frame) and the rest English (the
reason Hunter's own parsing gave): a message raised with a key (hunter_cli/said.py) is said in the
error's language, Click's fixed forms are reworded (hunter_cli/cli/usage.py), and an argument is named as
the usage line names it (ALAN_ADI, ETİKET)."""

from __future__ import annotations

import re

import pytest

# Words of the English messages that a Turkish one never has (values such as column names aside).
ENGLISH = re.compile(
    r"\b(is not|is too long|use one of|use a number|give an|no such|is below|is above|prefix|run:|"
    r"bad nameserver|bad DKIM|is not a CSV|the columns are|did you mean|contains|not a company|for descending|is not in)\b"
)

CASES = [
    (["scan", "--max-age", "soon", "x.com.tr"], "'soon' bir süre değil"),
    (["scan", "--max-age", "99999999d", "x.com.tr"], "çok uzun"),
    (["scan", "--nameserver", "dns.google", "x.com.tr"], "geçersiz ad sunucusu 'dns.google'"),
    (["scan", "--nameserver", "127.0.0.1:99999", "x.com.tr"], "port 1-65535 arasında olmalı"),
    (["leads", "--sort", "bogus"], "(azalan sıra için başına - koyun)"),
    (["leads", "--provider", "microsft"], "ya da Natro gibi bir hosting markası"),
    (["leads", "--limit", "-1"], "-1, izin verilen en küçük değerin (0) altında"),
    (["leads", "--min-score", "5", "--max-score", "2"], "--max-score 2 değerinden büyük"),
    (["explain", "a b"], "ALAN_ADI için geçersiz değer: 'a b' bir şirket alan adı değil: boşluk içeriyor"),
    (["tag", "firma.com.tr", "a b!"], "ETİKET için geçersiz değer"),
    (["scan", "nosuchfile.txt", "--max-age", "1d"], None),  # a domain name typed, or a missing file: either way Turkish
    (["leads", "show", "yok.com.tr"], "yok.com.tr, "),
    (["scan", "x.com.tr", "--dkim-selectors", "a/b"], "geçersiz DKIM seçicisi 'a/b'"),
    (["leads", "-f", "csv", "--csv-separator", "xx"], "'xx' bir CSV ayırıcısı değil"),
    (["changes", "--since", "soon"], "'soon' bir süre değil"),
]


@pytest.mark.parametrize(("args", "expected"), CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
@pytest.mark.parametrize("how", ["env", "flag"])
def test_turkish_errors_are_turkish_to_the_end(hunter, args, expected, how):
    if how == "flag":
        args = [*args, "--lang", "tr"]
    env = {"HUNTER_LANG": "tr"} if how == "env" else {}
    if args[:2] == ["leads", "show"]:
        hunter("scan", "firma.com.tr", "--no-whois", "--no-tenant")  # the database exists; the domain is not in it
    result = hunter(*args, env=env, dns_args=False)
    assert result.exit_code in (1, 2), result.output
    err = re.sub(r"\s+", " ", result.stderr)
    if expected is not None:
        assert expected in err, err
    message = err.split("Hata:", 1)[-1].split("hata:", 1)[-1]
    assert not ENGLISH.search(message), err


def test_english_errors_read_as_before(hunter):
    """The same errors in English are the sentences they always were."""
    said = {
        ("scan", "--max-age", "soon", "x.com.tr"): "'soon' is not a duration; use a number and a unit, like 90s",
        ("leads", "--sort", "bogus"): "scanned (prefix - for descending)",
        ("leads", "--limit", "-1"): "-1 is below the lowest allowed value, 0",
        ("explain", "a b"): "Invalid value for DOMAIN: 'a b' is not a company domain: contains spaces",
        (
            "scan",
            "--nameserver",
            "dns.google",
            "x.com.tr",
        ): "bad nameserver 'dns.google': give an IP address, not a name",
    }
    for args, expected in said.items():
        result = hunter(*args, dns_args=False)
        assert expected in re.sub(r"\s+", " ", result.stderr), result.stderr
    hunter("scan", "firma.com.tr", "--no-whois", "--no-tenant")
    shown = hunter("leads", "show", "yok.com.tr")
    assert "yok.com.tr is not in " in shown.stderr and "run: hunter scan yok.com.tr" in shown.stderr
