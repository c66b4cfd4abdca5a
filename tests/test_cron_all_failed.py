"""A night where nothing was scanned must not look like a good one to cron (trial 23, A7).

A local forwarder whose upstream is gone answers SERVFAIL to everything, the resolver's own checks
included; a SERVFAIL is an answer, so the run is not "no DNS" (exit 6), and it exited 0 in silence
with every lead failed: `rescan -q` printed nothing, so cron mailed nobody. Now every domain failed
exits ALL_FAILED (7) with one line on stderr even with `-q`; a night where none ended ok but some
were partial and some failed keeps 0 with a warning line (cron mails any output); a run where some
domains fail is normal and says nothing more. `--log-file` gets a last line saying how the run ended.
Real DNS server on loopback, the CLI through the conftest `hunter` fixture.
"""

from __future__ import annotations

import pytest

from hunter_cli.brief.messages import Messages
from hunter_cli.exits import ExitStatus

GOOD = ["firma.com.tr", "gmailer.de", "oz-sunucu.com.tr"]


def NS(hunter) -> list[str]:  # noqa: N802 - the scan options the fixture adds only when "scan" comes first
    return ["--nameserver", hunter.server.nameserver, "--timeout", "0.3"]


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_resolver_that_servfails_everything_is_not_a_quiet_success(hunter, dns, db, tmp_path, lang):
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    dns.faults["*"] = "servfail"
    log = tmp_path / "cron.log"
    result = hunter("--log-file", str(log), "--lang", lang, "rescan", "--older-than", "0s", "-q", "--no-whois",
                    "--nameserver", hunter.server.nameserver, "--timeout", "0.3")  # fmt: skip
    assert result.exit_code == ExitStatus.ALL_FAILED == 7, result.stderr
    assert result.stdout == ""
    m = Messages(lang)
    said = one_line(result.stderr)
    assert said.startswith(m("cli.label.error") + ": " + m.data["cli.scan.all_failed.many"].split(":")[0]), said
    assert "SERVFAIL" in said and hunter.server.nameserver in said  # names the resolver to check
    assert said.count(m("cli.label.error")) == 1  # one line, said once
    last = log.read_text().splitlines()[-1]
    assert "run ended failed (exit 7): 3 domains scanned, 3 stored: ok 0, partial 0, failed 3" in last, last


def test_one_domain_that_fails_exits_7(hunter, dns):
    dns.faults[("firma.com.tr", "MX")] = "servfail"
    result = hunter("scan", "firma.com.tr", "--no-whois", "-q")
    assert result.exit_code == ExitStatus.ALL_FAILED, result.stderr
    said = one_line(result.stderr)
    assert "every domain failed: the one domain scanned got no usable answer (MX SERVFAIL)" in said, said
    assert "as a resolver whose own upstream is down" not in said  # one domain says nothing of the resolver


def test_a_run_where_some_domains_fail_stays_0_and_quiet(hunter, dns, tmp_path):
    dns.faults[("firma.com.tr", "MX")] = "servfail"
    log = tmp_path / "cron.log"
    ns = ["--nameserver", hunter.server.nameserver, "--timeout", "0.3"]
    result = hunter("--log-file", str(log), "scan", *GOOD, "--no-whois", "-q", *ns)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "run ended ok (exit 0): 3 domains scanned, 3 stored: ok 2, partial 0, failed 1" in log.read_text()


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_night_with_no_complete_scan_warns_even_when_quiet(hunter, dns, lang):
    """The lossy-network night: none ok, some partial, some failed. What the partial scans read is stored
    (exit 0), but a line on stderr tells cron nothing was refreshed completely."""
    dns.faults[("firma.com.tr", "MX")] = "servfail"
    dns.faults["_dmarc.gmailer.de"] = "servfail"
    result = hunter("--lang", lang, "scan", "firma.com.tr", "gmailer.de", "--no-whois", "-q", *NS(hunter))
    assert result.exit_code == 0, result.stderr
    m = Messages(lang)
    said = one_line(result.stderr)
    assert said.startswith(one_line(m("cli.label.warning") + ": " + m.data["cli.scan.none_complete"].split(":")[0]))
    # the resolver answered (SERVFAIL is an answer): the domain's own DNS fails, not the network (trial 30, F8)
    assert one_line(m("cli.scan.none_complete.network")).strip(". ") not in said, said
    assert "SERVFAIL" in said, said
    assert m.data["cli.scan.none_complete.own_dns"].split(":")[-1] in said, said  # their own DNS servers fail


def test_the_network_hint_only_when_lookups_got_no_answer_at_all():
    """trial 30 F8: "Check the network" only when the failed domains got no DNS answer at all and the
    resolver did not answer its own check names; a SERVFAIL at their name, or a resolver that answered
    its check names, is the domains' own DNS (one fact: ScanTally.network_unanswered)."""
    from collections import Counter

    from hunter_cli.services.scan import ScanTally, _none_complete

    def tally(no_answer: int, checks: bool | None) -> ScanTally:
        t = ScanTally()
        t.status = Counter(partial=1, failed=2)
        t.no_answer = Counter(timeout=no_answer)
        t.failed_mx = Counter(timeout=no_answer, servfail=2 - no_answer)
        t.checks_answered = checks
        return t

    assert tally(2, None).network_unanswered and tally(2, False).network_unanswered
    assert not tally(2, True).network_unanswered  # the resolver answered its check names
    assert not tally(1, None).network_unanswered  # one failed domain got SERVFAIL: an answer
    assert "Check the network" in str(_none_complete(tally(2, None)))
    for t in (tally(2, True), tally(1, None)):
        said = str(_none_complete(t))
        assert "Check the network" not in said and "own DNS servers fail" in said, said


def test_a_nightly_retry_of_a_lead_that_still_fails_is_no_alarm(hunter, dns, tmp_path):
    """trial 25: with retries of failed leads (rescan), a lead whose DNS is broken for good made every night's
    `rescan -q` exit 7 "every domain failed" when nothing else was due. A lead that failed last time too is no
    news to a retry: exit 0, the log still counts it; a lead that worked before and fails now is still 7."""
    assert hunter("scan", "firma.com.tr", "gmailer.de", "-q", "--no-whois").exit_code == 0
    dns.faults[("firma.com.tr", "MX")] = "servfail"
    ns = ["--nameserver", hunter.server.nameserver, "--timeout", "0.3"]
    news = hunter("scan", "firma.com.tr", "--no-whois", "-q")  # it worked before: news
    assert news.exit_code == ExitStatus.ALL_FAILED, news.stderr
    log = tmp_path / "cron.log"
    again = hunter("--log-file", str(log), "rescan", "--older-than", "7d", "-q", "--no-whois", *ns)
    assert again.exit_code == 0, again.stderr
    assert again.stderr == ""
    assert "failed 1" in log.read_text().splitlines()[-1]
