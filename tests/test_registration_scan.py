"""Registration data in the scan: its own lane, weekly cache, failures kept apart from data."""

import sqlite3
import subprocess
import time


def reg_row(db, domain):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT status, source, registrar, created, expires, error_json FROM registrations WHERE domain = ?",
            (domain,),
        ).fetchone()
    finally:
        conn.close()


def test_rdap_and_whois_land_in_the_store(hunter, registries, db):
    rdap, whois = registries
    hunter.scan_json("nomail.com", "firma.com.tr", "gw-ms-token.com", "parked.net", "--no-tenant")
    assert reg_row(db, "nomail.com")[:5] == ("ok", "rdap", "GoDaddy.com, LLC", "2004-03-01", "2027-03-01")
    status, source, registrar, created, expires, _ = reg_row(db, "firma.com.tr")
    assert (status, source, created, expires) == ("ok", "whois", "2001-09-11", "2027-09-10")
    assert registrar and "ODTÜ" in registrar
    assert reg_row(db, "gw-ms-token.com")[4] == "2020-05-04"  # expired: stored as it is
    assert reg_row(db, "parked.net")[0] == "unavailable"  # the registry has no record
    assert rdap.count("nomail.com") == 1 and whois.count("firma.com.tr") == 1


def test_registration_is_cached_for_a_week_and_shown_in_json(hunter, registries):
    rdap, _ = registries
    hunter.scan_json("nomail.com", "--no-tenant")
    rdap.reset_log()
    again = hunter.scan_json("nomail.com", "--no-tenant")["nomail.com"]
    assert rdap.count() == 0
    assert again["registration"]["registrar"] == "GoDaddy.com, LLC"
    assert again["registration"]["expires"] == "2027-03-01"


def test_failure_is_recorded_retried_and_never_replaces_data(hunter, registries, db):
    rdap, _ = registries
    hunter.scan_json("nomail.com", "--no-tenant")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE registrations SET fetched_at = '2000-01-01T00:00:00+00:00'")  # make it stale
    conn.commit()
    conn.close()
    rdap.faults["nomail.com"] = "500"
    result = hunter("scan", "nomail.com", "--no-tenant")
    assert result.exit_code == 0
    assert "Registration" in result.stderr and "failed" in result.stderr
    status, _, registrar, _, expires, error = reg_row(db, "nomail.com")
    assert (status, registrar, expires) == ("ok", "GoDaddy.com, LLC", "2027-03-01")
    assert error and "registration" in error
    rdap.clear_faults()
    rdap.reset_log()
    hunter.scan_json("nomail.com", "--no-tenant")
    assert rdap.count("nomail.com") == 1  # the stale entry is asked again
    assert reg_row(db, "nomail.com")[5] is None


def test_first_failure_is_stored_as_failed_and_retried(hunter, registries, db):
    _, whois = registries
    whois.faults["firma.com.tr"] = "close"
    hunter.scan_json("firma.com.tr", "--no-tenant")
    assert reg_row(db, "firma.com.tr")[0] == "failed"
    whois.clear_faults()
    hunter.scan_json("firma.com.tr", "--no-tenant")
    assert reg_row(db, "firma.com.tr")[0] == "ok"


def test_no_whois_asks_no_registry(hunter, registries):
    rdap, whois = registries
    hunter.scan_json("nomail.com", "firma.com.tr", "--no-tenant", "--no-whois")
    assert rdap.count() == 0 and whois.count() == 0


def test_registration_never_holds_back_the_domain_row(hunter_cmd, registries, db, dns):
    _, whois = registries
    whois.faults["firma.com.tr"] = ("slow", 3.0)
    base, env = hunter_cmd
    proc = subprocess.Popen(
        base + ["scan", "firma.com.tr", "-q", "--no-tenant", "--nameserver", dns.nameserver],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen_scan_before_registration = False
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = sqlite3.connect(db)
            scans = conn.execute("SELECT count(*) FROM scans").fetchone()[0]
            regs = conn.execute("SELECT count(*) FROM registrations").fetchone()[0]
            conn.close()
        except sqlite3.OperationalError:
            scans = regs = 0
        if scans == 1 and regs == 0:
            seen_scan_before_registration = True
        time.sleep(0.05)
    proc.wait(timeout=15)
    assert proc.returncode == 0
    assert seen_scan_before_registration
    assert reg_row(db, "firma.com.tr")[0] == "ok"


def test_domains_the_full_lane_cannot_take_are_counted_and_said(hunter, registries):
    """With the lane's backlog full, a domain is left for its next scan: counted, and the summary says so."""
    import asyncio

    from hunter_cli.scan import RegistrationLane, ScanOptions

    deferred: list[str] = []

    async def go():
        lane = RegistrationLane(ScanOptions(registration_backlog=0), lambda *a: None, deferred.append)
        try:
            lane.offer("firma.com.tr")
        finally:
            await lane.close()

    asyncio.run(go())
    assert deferred == ["firma.com.tr"]

    from rich.console import Console

    from hunter_cli.inputs import InputStats
    from hunter_cli.render.scan_tables import summary_table
    from hunter_cli.services.scan import ScanTally

    tally = ScanTally()
    tally.registrations, tally.registration_deferred = 3, 1200
    console = Console(width=200, record=True, no_color=True)
    console.print(summary_table(tally, InputStats(), 1.0))
    assert "1,200 not asked this run" in console.export_text()
