"""What a nightly job retries (trial 23, A6): a lead whose latest attempt was partial or failed is due.

The scan's summary says lookups that failed are "retried on the next run", and docs/cron.md's crontab
line (`hunter rescan --older-than 7d`) relies on it. A partial scan moves ``last_good_at`` (its view is
kept), and a failed one leaves an older ok scan's ``last_ok_at`` in place; neither may make the lead look
up to date for `rescan --older-than`, `scan --max-age`, or fresh for `leads --stale`. Real DNS server on
loopback (tests/dnsserver.py), the CLI through the conftest `hunter` fixture.
"""

from __future__ import annotations

import json
import sqlite3

from test_store import rows

GOOD = ["firma.com.tr", "gmailer.de"]


def status(db, domain: str) -> str:
    return rows(db, "SELECT last_status FROM domains WHERE domain = ?", domain)[0][0]


def rescan(hunter, *args: str):
    return hunter("rescan", *args, "--no-whois", "--json", "--nameserver", hunter.server.nameserver, "--timeout", "0.3")


def rescanned(result) -> set[str]:
    assert result.exit_code == 0, result.stderr
    return {json.loads(line)["domain"] for line in result.stdout.splitlines()}


def test_a_partial_lead_is_due_for_the_nightly_rescan(hunter, dns, db):
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    dns.faults["_dmarc.firma.com.tr"] = "servfail"
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    assert status(db, "firma.com.tr") == "partial" and status(db, "gmailer.de") == "ok"
    dns.faults.clear()
    result = rescan(hunter, "--older-than", "7d")
    assert rescanned(result) == {"firma.com.tr"}  # gmailer.de's ok scan is recent
    assert status(db, "firma.com.tr") == "ok"
    # now every lead is complete and recent: nothing to do, said as such
    nothing = rescan(hunter, "--older-than", "7d")
    assert rescanned(nothing) == set()
    assert "recent complete scan" in nothing.stderr


def test_a_failed_lead_with_a_recent_ok_scan_is_not_up_to_date_for_max_age(hunter, dns, db):
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    dns.faults[("firma.com.tr", "MX")] = "servfail"
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    assert status(db, "firma.com.tr") == "failed"
    dns.faults.clear()
    result = hunter("scan", *GOOD, "--no-whois", "--max-age", "1d")
    assert result.exit_code == 0, result.stderr
    assert status(db, "firma.com.tr") == "ok"
    assert "1 domain scanned recently" in " ".join(result.stderr.split())  # gmailer.de only


def test_a_partial_lead_is_not_up_to_date_for_max_age(hunter, dns, db):
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    dns.faults["_dmarc.firma.com.tr"] = "servfail"
    assert hunter("scan", "firma.com.tr", "-q", "--no-whois").exit_code == 0
    dns.faults.clear()
    assert hunter("scan", *GOOD, "-q", "--no-whois", "--max-age", "1d").exit_code == 0
    assert status(db, "firma.com.tr") == "ok"


def test_stale_counts_from_the_last_complete_scan(hunter, dns, db):
    """A partial scan did not re-read what failed: a lead whose last ok scan is ten days old is stale for
    `--stale 7d` even when a partial scan came today."""
    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE domains SET last_ok_at = '2000-01-01T00:00:00+00:00', last_good_at = last_ok_at")
    conn.close()
    dns.faults["_dmarc.firma.com.tr"] = "servfail"
    assert hunter("scan", "firma.com.tr", "-q", "--no-whois").exit_code == 0
    dns.faults.clear()
    out = hunter("leads", "--stale", "7d", "-f", "json")
    assert out.exit_code == 0, out.stderr
    assert sorted(lead["domain"] for lead in json.loads(out.stdout)) == ["firma.com.tr", "gmailer.de"]


def test_the_due_query_walks_indexes(hunter, db):
    """The selection stays one indexed query: no full walk of the domains table."""
    from hunter_cli.store import reads

    assert hunter("scan", *GOOD, "-q", "--no-whois").exit_code == 0
    conn = sqlite3.connect(db)
    try:
        seen: list[str] = []
        conn.set_trace_callback(seen.append)
        reads.due_for_rescan(conn, "2000-01-01")
        plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + seen[-1]))  # the SQL with its values
    finally:
        conn.close()
    assert "SCAN domains" not in plan, plan
