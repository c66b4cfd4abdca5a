"""`prep` and the brief after partial and failed scans (trial 23, A5 and C6).

A5: after a partial scan and then a failed one, the brief named both "the latest scan"; it says one thing
about the latest attempt and names the earlier partial scan by its date and time. C6: a `prep` whose rescan
is partial exits 5 with a warning naming what was not refreshed, as one whose rescan failed does (docs/cli.md),
never 0 in silence. Real DNS server on loopback, the CLI through the conftest `hunter` fixture.
"""

from __future__ import annotations

import re

import pytest

from hunter_cli.brief.messages import Messages
from hunter_cli.exits import ExitStatus

D = "firma.com.tr"


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_brief_calls_only_the_latest_attempt_the_latest_scan(hunter, dns, lang):
    assert hunter("scan", D, "-q", "--no-whois").exit_code == 0
    dns.faults[f"_dmarc.{D}"] = "servfail"
    assert hunter("scan", D, "-q", "--no-whois").exit_code == 0  # partial: DMARC not read
    dns.faults[(D, "MX")] = "servfail"
    assert hunter("scan", D, "-q", "--no-whois").exit_code == ExitStatus.ALL_FAILED  # failed at MX
    dns.faults.clear()
    out = hunter("--lang", lang, "sales-summary", D, "-f", "json")
    assert out.exit_code == 0, out.stderr
    import json

    mail = json.loads(out.stdout)["mail"]
    m = Messages(lang)
    latest = m.data["mail.stale"].split("(")[0]  # "The latest scan " / "Son tarama "
    text = " ".join(mail)
    assert text.count(latest) == 1, mail  # only the failed attempt is "the latest scan"
    assert mail[0].startswith(m.data["mail.latest_failed"].split("(")[0])
    earlier = m.data["mail.stale_earlier"].split("{")[0]
    assert any(line.startswith(earlier) for line in mail) if earlier else any("{" not in line for line in mail)
    # both scans by date and time: two events of one day are not run together
    # (English ISO days, Turkish "1 Aralık 2026": the brief's one date style, with the time)
    moment = r"\d{4}-\d\d-\d\d \d\d:\d\d" if lang == "en" else r"\d{1,2} \w+ \d{4} \d\d:\d\d"
    assert len(re.findall(moment, mail[0])) == 2, mail[0]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_prep_whose_rescan_is_partial_warns_and_exits_5(hunter, dns, lang):
    assert hunter("scan", D, "-q", "--no-whois").exit_code == 0
    dns.faults[f"_dmarc.{D}"] = "servfail"
    result = hunter("--lang", lang, "prep", D, "--max-age", "0s", "--no-whois", "--nameserver",
                    hunter.server.nameserver, "--timeout", "0.3")  # fmt: skip
    assert result.exit_code == ExitStatus.STALE, result.stderr
    said = one_line(result.stderr)
    assert "DMARC SERVFAIL" in said, said
    m = Messages(lang)
    assert m.data["prep.partly_refreshed"].split("{why}")[1].split(";")[0].strip(") ") in said, said
    assert D in result.stdout  # the brief is printed


def test_prep_rescans_a_lead_whose_latest_scan_was_partial(hunter, dns, db):
    """A partial latest scan is not fresh for `prep --max-age` (as for `scan --max-age`): prep asks again."""
    dns.faults[f"_dmarc.{D}"] = "servfail"
    assert hunter("scan", D, "-q", "--no-whois").exit_code == 0
    dns.faults.clear()
    result = hunter("prep", D, "--no-whois", "--nameserver", hunter.server.nameserver, "--timeout", "0.3")
    assert result.exit_code == 0, result.stderr
    from test_store import rows

    assert rows(db, "SELECT last_status FROM domains WHERE domain = ?", D) == [("ok",)]
