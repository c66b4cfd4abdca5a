"""A resolver that answers nothing: the scan must not pretend to have worked.

A cron job whose resolver was down must see a non-zero exit status (6), and the
failures must stay failures: nothing good is overwritten, and every domain is
asked again on the next run. Real sockets only: a loopback port where nothing
listens, and the suite's DNS server dropping every answer (tests/dnsserver.py).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time

import pytest
from test_store import rows

from hunter_cli.dns import health
from hunter_cli.dns.resolver import Answer, LookupFailure
from hunter_cli.exits import ExitStatus

GOOD = ["firma.com.tr", "gmailer.de", "oz-sunucu.com.tr"]
CANARIES = ["spf.protection.outlook.com", "_spf.google.com", "com"]  # the resolver check's must-exist names
FAST = ["--timeout", "0.2", "--retries", "1"]


def views(db):
    return rows(db, "SELECT domain, provider, category, score, current_view, last_good_at, last_ok_at FROM domains")


def dead_port() -> int:
    """A loopback UDP port with nothing listening (bound, then closed): queries get ICMP port unreachable."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(hunter, nameserver: str, *args: str):
    return hunter("scan", *args, "--no-whois", "--nameserver", nameserver, *FAST, dns_args=False)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_exit_status_is_documented_and_new():
    assert ExitStatus.NO_DNS == 6
    assert len({int(s) for s in ExitStatus}) == len(ExitStatus)  # no two meanings share a code


# -- before the first domain: the resolver check gets no answer -----------------------------------


def test_nothing_listening_stops_the_scan_before_the_first_domain(hunter, db):
    port = dead_port()
    started = time.monotonic()
    result = run(hunter, f"127.0.0.1:{port}", *GOOD, "--json")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    assert time.monotonic() - started < 5
    assert result.stdout == ""  # no result line: nothing was scanned
    message = one_line(result.stderr)
    assert message.startswith("error: DNS is unreachable: no answer from the DNS resolver 127.0.0.1:")
    assert f"127.0.0.1:{port} (connection refused" in message and "--nameserver" in message
    assert "nothing was scanned" in message
    assert rows(db, "SELECT count(*) FROM scans")[0][0] == 0
    assert rows(db, "SELECT count(*) FROM domains")[0][0] == 0
    outcome, stats = rows(db, "SELECT outcome, stats_json FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert outcome == "failed" and "no answer from the DNS resolver" in json.loads(stats)["error"]


def test_a_resolver_that_drops_every_answer_stops_the_scan_and_keeps_good_results(hunter, dns, db):
    assert run(hunter, dns.nameserver, *GOOD, "-q").exit_code == 0
    before = views(db)
    scans = rows(db, "SELECT count(*) FROM scans")[0][0]
    dns.faults["*"] = "drop"
    dns.reset_log()
    result = run(hunter, dns.nameserver, *GOOD, "nomail.com", "-q")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    message = one_line(result.stderr)
    assert f"no answer from the DNS resolver {dns.nameserver} (timed out)" in message
    assert views(db) == before  # not one stored view touched
    assert rows(db, "SELECT count(*) FROM scans")[0][0] == scans  # no scan attempt recorded
    for name in GOOD:
        assert dns.count(name, "MX") == 0  # the scan stopped before asking any domain


def test_every_nameserver_is_tried_before_the_scan_gives_up(hunter, dns, db):
    # One dead nameserver and one that answers: the scan works through the live one.
    dead = f"127.0.0.1:{dead_port()}"
    both = ["--nameserver", dead, "--nameserver", dns.nameserver]
    out = hunter("scan", *GOOD, "--json", "--no-whois", *both, *FAST, dns_args=False)
    assert out.exit_code == 0, out.stderr
    statuses = {json.loads(line)["domain"]: json.loads(line)["status"] for line in out.stdout.splitlines()}
    assert statuses == dict.fromkeys(GOOD, "ok")
    # Two dead ones: both are named in the message.
    other = f"127.0.0.1:{dead_port()}"
    result = hunter("scan", *GOOD, "--nameserver", dead, "--nameserver", other, *FAST, dns_args=False)
    assert result.exit_code == ExitStatus.NO_DNS
    assert f"{dead}, {other}" in one_line(result.stderr)


def test_refused_to_every_question_is_no_answer_but_servfail_is_one(hunter, dns, db):
    dns.faults["*"] = "refused"
    result = run(hunter, dns.nameserver, *GOOD, "-q")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    assert "(refused to answer)" in one_line(result.stderr)
    # A resolver that answers SERVFAIL is there: the scan runs and records the failures; every domain
    # failed, which is not a good night either (exit 7, trial 23), but not "no DNS" (6).
    dns.faults["*"] = "servfail"
    for name in CANARIES:
        dns.faults[name] = ("delay", 0)
    servfail = run(hunter, dns.nameserver, *GOOD, "-q")
    assert servfail.exit_code == ExitStatus.ALL_FAILED, servfail.stderr
    assert "DNS is unreachable" not in servfail.stderr
    assert {r[0] for r in rows(db, "SELECT status FROM scans")} == {"failed"}


def test_no_answer_reads_only_failures_of_no_answer_kinds():
    t = LookupFailure("timeout", "a.example", "TXT")
    refused = LookupFailure("unreachable", "a.example", "TXT")
    assert health.no_answer([t, t, refused]) == "timed out or connection refused"
    assert health.no_answer([t, Answer("nxdomain")]) is None  # one answer is enough: the resolver is there
    assert health.no_answer([t, LookupFailure("servfail", "b.example", "TXT")]) is None
    assert health.no_answer([t, LookupFailure("cname-loop", "b.example", "TXT")]) is None
    assert health.no_answer([]) is None


# -- during the run: the resolver stops answering ---------------------------------------------------


def _answer_only_the_check(dns) -> None:
    """Every question dropped but the resolver check's: the check passes, then every domain times out."""
    dns.faults["*"] = "drop"
    for name in CANARIES:
        dns.faults[name] = ("delay", 0)


def test_a_run_where_no_domain_got_an_answer_fails_and_keeps_good_results(hunter, dns, db):
    assert run(hunter, dns.nameserver, *GOOD, "-q").exit_code == 0
    before = views(db)
    _answer_only_the_check(dns)
    result = run(hunter, dns.nameserver, *GOOD, "--json")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(obj["domain"] for obj in lines) == sorted(GOOD)  # each failure is printed and stored
    assert all(obj["status"] == "failed" and obj["errors"][0]["kind"] == "timeout" for obj in lines)
    message = one_line(result.stderr)
    assert "no domain got a DNS answer: all 3 domains scanned failed (timed out)" in message
    assert dns.nameserver in message and "asked again on the next run" in message
    assert views(db) == before  # failures never replace a good view
    latest = rows(db, "SELECT status FROM scans ORDER BY id DESC LIMIT 3")
    assert [r[0] for r in latest] == ["failed"] * 3
    outcome, stats = rows(db, "SELECT outcome, stats_json FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert outcome == "failed" and json.loads(stats)["error"].startswith("no domain got a DNS answer")
    # Failed attempts are not fresh: the next run (resolver back) asks every domain again.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE domains SET last_ok_at = '2000-01-01T00:00:00+00:00'")  # the good scans are old
    conn.close()
    dns.clear_faults()
    dns.reset_log()
    again = run(hunter, dns.nameserver, *GOOD, "-q", "--max-age", "7d")
    assert again.exit_code == 0, again.stderr
    assert all(dns.count(name, "MX") == 1 for name in GOOD)


def test_quiet_still_says_why_the_run_failed(hunter, dns, db):
    _answer_only_the_check(dns)
    result = run(hunter, dns.nameserver, "gmailer.de", "-q")
    assert result.exit_code == ExitStatus.NO_DNS
    assert "no domain got a DNS answer: the domain scanned failed (timed out)" in one_line(result.stderr)


@pytest.mark.parametrize("answered", ["gmailer.de", "nxdomain-yok.com.tr"])
def test_one_domain_answered_is_enough_for_a_run_to_count(hunter, dns, db, answered):
    # A domain with an answer (records, or NXDOMAIN: an answer too) shows the resolver works.
    _answer_only_the_check(dns)
    dns.faults[answered] = ("delay", 0)
    dns.faults[f"_dmarc.{answered}"] = ("delay", 0)
    dns.faults[f"_domainkey.{answered}"] = ("delay", 0)
    result = run(hunter, dns.nameserver, answered, "firma.com.tr", "-q", "--quick")
    assert result.exit_code == 0, result.stderr
    assert "no domain got a DNS answer" not in result.stderr
    assert rows(db, "SELECT status FROM scans WHERE domain = 'firma.com.tr'")[0][0] == "failed"


@pytest.mark.parametrize("fault", ["servfail", "drop"])
def test_a_domain_whose_mx_alone_fails_is_not_a_dead_resolver(hunter, dns, db, fault):
    # The MX lookup failed (the domain is `failed`), but its TXT and DMARC questions got answers.
    dns.faults[("halfbroken.com", "MX")] = fault
    result = run(hunter, dns.nameserver, "halfbroken.com", "-q")
    assert result.exit_code == ExitStatus.ALL_FAILED, result.stderr  # its one domain failed: 7, not 6
    assert "DNS is unreachable" not in result.stderr and "no domain got a DNS answer" not in result.stderr
    assert rows(db, "SELECT status FROM scans")[0][0] == "failed"


def test_prep_with_dns_down_shows_the_stored_brief(hunter, db):
    assert hunter("scan", "firma.com.tr", "-q", "--no-whois").exit_code == 0
    dead = f"127.0.0.1:{dead_port()}"
    result = hunter("prep", "firma.com.tr", "--max-age", "0s", "--nameserver", dead, "--timeout", "0.2", "--no-whois")
    assert result.exit_code == ExitStatus.STALE, result.stderr
    message = one_line(result.stderr)
    assert f"DNS is unreachable: no answer from the DNS resolver {dead}" in message
    assert "showing the scan of" in message
    assert "firma.com.tr" in result.stdout  # the stored brief


def test_a_nightly_rescan_with_the_resolver_down_exits_6_and_changes_nothing(hunter, db):
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    before = views(db)
    dead = f"127.0.0.1:{dead_port()}"
    result = hunter("rescan", "--older-than", "0s", "-q", "--nameserver", dead, "--timeout", "0.2", "--no-whois")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    assert result.stdout == "" and f"DNS is unreachable: no answer from the DNS resolver {dead}" in one_line(
        result.stderr
    )
    assert views(db) == before


# -- during the run: the resolver stops answering -------------------------------------------------

DEAD = [f"olu-{i:03d}.com.tr" for i in range(90)]


def run_dead_after(hunter, dns, seconds: str, *args: str):
    """A scan through the suite's server with `dns_dead_after` set to ``seconds`` (HUNTER_DNS_DEAD_AFTER)."""
    return hunter(
        "scan",
        *args,
        "--no-whois",
        "--nameserver",
        dns.nameserver,
        *FAST,
        dns_args=False,
        env={"HUNTER_DNS_DEAD_AFTER": seconds},
    )


def test_a_resolver_that_stops_answering_mid_run_stops_the_scan(hunter, dns, db):
    """Fifty domains in a row with no DNS answer and none answered for `dns_dead_after` seconds: the scan
    stops rather than record failures for the rest of the list, says why and how to continue, exits 6,
    and the run is recorded as interrupted. Good results are never replaced."""
    assert run(hunter, dns.nameserver, *GOOD, "-q").exit_code == 0
    before = views(db)
    _answer_only_the_check(dns)
    result = run_dead_after(hunter, dns, "0.2", *GOOD, *DEAD, "--concurrency", "10")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    message = one_line(result.stderr)
    assert "DNS stopped answering:" in message and "domains in a row got no answer (timed out)" in message
    assert dns.nameserver in message
    assert "Continue with: hunter scan" in message and "--max-age 1d" in message
    assert [v for v in views(db) if v[0] in GOOD] == before  # failures never replace a good view
    outcome, stats = rows(db, "SELECT outcome, stats_json FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert outcome == "interrupted"
    assert 50 <= json.loads(stats)["scanned"] < len(GOOD) + len(DEAD)  # stopped before the end of the list


def test_a_dead_resolver_with_the_stop_turned_off_fails_every_domain(hunter, dns, db):
    """`dns_dead_after = 0` never stops: every domain is tried, and the run fails as no domain answered."""
    _answer_only_the_check(dns)
    result = run_dead_after(hunter, dns, "0", *DEAD[:60], "-q")
    assert result.exit_code == ExitStatus.NO_DNS, result.stderr
    assert "no domain got a DNS answer: all 60 domains scanned failed" in one_line(result.stderr)
