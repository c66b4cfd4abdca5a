"""Tenant lookups while scan worker processes scan (hunter_cli/scan_pool.py, ``--processes 2``).

The run's process asks the sign-in service for every job with one client and the whole ceiling; the
answer follows the job to its worker, whose DNS runs meanwhile. These tests check that a worker's
result carries the same tenant facts, failures and sources as a one-process scan's, that the run's
one client keeps the ceiling whole (``--tenant-concurrency 1`` no longer costs the workers), and
that a domain not in DNS does not wait for its lookup.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from test_scan_pool import _in_dns, _workers_of
from test_store_faults import Scan
from test_writer_process import _bulk_list

from hunter_cli import store

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers")

TWO = ("--processes", "2")
GUID = "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10"


def test_a_worker_result_has_every_tenant_fact_one_process_finds(hunter, ms):
    names = ["firma.com.tr", "federe.com.tr", "google-tenant.com.tr", "nomail.com", "gw-ms-token.com"]
    one = hunter.scan_json(*names, "--no-whois", "--processes", "1", "--db", str(hunter.db.parent / "one.db"))
    ms.reset_log()
    two = hunter.scan_json(*names, "--no-whois", *TWO)
    assert {d: r["tenant"] for d, r in two.items()} == {d: r["tenant"] for d, r in one.items()}
    assert two["federe.com.tr"]["tenant"]["federation_host"] == "sts.federe.com.tr"
    assert two["firma.com.tr"]["tenant"]["brand"] == "Firma A.Ş."
    assert two["nomail.com"]["tenant"] is None and two["nomail.com"]["errors"] == []
    for name in names:  # asked once by the run, not once per worker
        assert ms.count("openid", name) == 1
    assert [r["status"] for r in two.values()] == ["ok"] * len(names)


def test_a_failed_lookup_is_a_tenant_error_in_the_worker_result_not_no_tenant(hunter, ms, db):
    ms.faults["firma.com.tr"] = ("500", 100)
    r = hunter.scan_json("firma.com.tr", "nomail.com", "--no-whois", *TWO)
    assert r["firma.com.tr"]["tenant"] is None and r["firma.com.tr"]["status"] == "partial"
    assert [(e["check"], e["kind"]) for e in r["firma.com.tr"]["errors"]] == [("tenant", "http-500")]
    assert r["nomail.com"]["status"] == "ok" and r["nomail.com"]["tenant"] is None
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT domain FROM tenant_cache").fetchall() == [("nomail.com",)]  # failures not cached
    ms.clear_faults()
    again = hunter.scan_json("firma.com.tr", "--no-whois", *TWO)["firma.com.tr"]
    assert again["tenant"]["id"] == GUID and again["status"] == "ok"


def test_cached_tenants_reach_the_workers_with_no_request(hunter, ms, db):
    hunter.scan_json("firma.com.tr", "nomail.com", "--no-whois", *TWO)
    ms.reset_log()
    res = hunter.scan_json("firma.com.tr", "nomail.com", "--no-whois", *TWO)
    assert ms.count() == 0
    assert res["firma.com.tr"]["tenant"]["namespace_type"] == "Managed" and res["nomail.com"]["tenant"] is None
    conn = store.connect(db)  # an older scan's raw records are a delta against the newer scan's (migration 19)
    sources = [
        store.scan_records(conn, i)["tenant_source"] for (i,) in conn.execute("SELECT id FROM scans ORDER BY id")
    ]
    conn.close()
    assert sources == ["lookup", "lookup", "cache", "cache"]  # known from the cache, not "off" (not asked)


def test_the_whole_ceiling_is_one_client_beside_two_workers(hunter_cmd, dns, ms, db, tmp_path, zone_text):
    """--tenant-concurrency 1 with two workers: both workers scan, and one request is in flight at most."""
    path, names = _bulk_list(dns, tmp_path, n=30, delay=0.0)
    for name in names:
        ms.faults[name] = ("slow", 0.05)
    with _in_dns(dns, zone_text, names):
        scan = Scan(hunter_cmd, dns, [path], "--no-whois", "--tenant-concurrency", "1", *TWO)
        assert len(_workers_of(scan.proc.pid)) == 2
        code, err = scan.finish()
    assert code == 0, err
    assert scan.printed() == set(names)
    assert {d for _, d in ms.requests} >= set(names)
    assert ms.peak_in_flight == 1


def test_a_domain_not_in_dns_does_not_wait_for_its_lookup(hunter, ms, db):
    """The worker's result comes back first; the run drops the lookup still waiting for its answer."""
    ms.faults["no-such-company-4711.com"] = ("slow", 6.0)
    try:
        r = hunter.scan_json("no-such-company-4711.com", "--no-whois", *TWO)["no-such-company-4711.com"]
        assert r["state"] == "nxdomain" and r["status"] == "ok"
        assert r["tenant"] is None and not r["errors"]
        (raw,) = sqlite3.connect(db).execute("SELECT raw_json FROM scans").fetchone()
        assert json.loads(raw)["tenant_source"] == "nxdomain"  # dropped unanswered: not waited for
    finally:  # the stand-in still holds that answer: let it go before the next test counts requests in flight
        end = time.monotonic() + 15
        while ms.in_flight and time.monotonic() < end:
            time.sleep(0.1)


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_domain_not_in_dns_reads_the_same_whichever_answer_comes_first(hunter, ms, dns, db, processes):
    """The sign-in service answers before DNS says NXDOMAIN: the lookup is dropped as when it answers
    after, so the domain is never "tenant: none" beside the summary's "not asked (not in DNS)"."""
    from conftest import Tenant

    name = "no-such-company-4711.com"
    dns.faults[(name, "MX")] = ("delay", 0.15)  # within the suite's 0.3 s timeout; the stand-in answers at once
    ms.tenants[name] = Tenant(id="55555555-4444-4333-8222-111111111111", brand="Gone", region="EU")
    r = hunter.scan_json(name, "--no-whois", "--processes", processes)[name]
    assert r["state"] == "nxdomain" and r["tenant"] is None and not r["errors"]
    assert any(d == name for _, d in ms.requests)  # it was asked, and answered, before the NXDOMAIN
    (raw,) = sqlite3.connect(db).execute("SELECT raw_json FROM scans ORDER BY id DESC").fetchone()
    assert json.loads(raw)["tenant_source"] == "nxdomain"
