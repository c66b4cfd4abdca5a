"""A company that moves to Microsoft 365 within the day of its cached "no tenant" answer (trial 30, F1):
its MX, SPF include, ``MS=`` token and autodiscover now point at Microsoft, and an accepted domain needs a
tenant (Microsoft Learn, "Add a domain to Microsoft 365"), so the scan asks the sign-in service again
instead of reusing the day's "no tenant"; the tenant appears as an event and no brief calls the brand-new
records "left over". Real scans over the suite's DNS server and the sign-in stand-in."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from msserver import Tenant

D = "tasinan-m365.com.tr"
TENANT_ID = "30303030-1111-4222-8333-444444444444"
HOSTING = f"""{D}. 300 IN MX 10 mx.natrohost.com.
{D}. 300 IN TXT "v=spf1 include:_spfcls.natrohost.com ~all"
"""
M365 = f"""{D}. 300 IN MX 0 tasinan-m365-com-tr.mail.protection.outlook.com.
tasinan-m365-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.130
{D}. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"
{D}. 300 IN TXT "MS=ms30303030"
autodiscover.{D}. 300 IN CNAME autodiscover.outlook.com.
"""


def _flat(text: str) -> str:
    return re.sub(r"[\s│]+", " ", text)


def _events(db) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT kind, old, new FROM events WHERE domain = ? ORDER BY id", (D,)).fetchall()


@pytest.fixture(params=["1", "2"], ids=["one-process", "workers"])
def moved(request, hunter, dns, ms, zone_text):
    """D scanned on hosting (no tenant), then moved to Microsoft 365 with a tenant the same day; the rescan
    in one process or through scan worker processes (whose tenant lookups the run's process makes)."""
    try:
        dns.load(zone_text + HOSTING)
        first = hunter("scan", D, "--no-whois", "--json")
        assert first.exit_code == 0, first.stderr
        assert json.loads(first.stdout)["tenant"] is None
        dns.load(zone_text + M365)
        ms.tenants[D] = Tenant(id=TENANT_ID, brand="Tasinan")
        ms.reset_log()
        yield hunter("scan", D, "--no-whois", "--json", "--processes", request.param)
    finally:
        dns.load(zone_text)


def test_a_move_to_microsoft_asks_the_sign_in_service_again(moved, db):
    assert moved.exit_code == 0, moved.stderr
    assert json.loads(moved.stdout)["tenant"]["id"] == TENANT_ID
    assert ("tenant_appeared", None, TENANT_ID) in _events(db)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_moved_company_brief_finds_the_tenant_and_says_nothing_left_over(hunter, moved, lang):
    assert moved.exit_code == 0, moved.stderr
    out = hunter("sales-summary", D, "--lang", lang, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    text = _flat(out.stdout)
    assert TENANT_ID in text or "Tasinan" in text, text
    assert "left over" not in text and "eski bir kurulumdan kalmış" not in text, text


def test_a_cached_no_tenant_on_hosting_is_still_reused(hunter, dns, ms, zone_text):
    """The guard: with no Microsoft records the day's "no tenant" stands, and the sign-in service is not asked."""
    try:
        dns.load(zone_text + HOSTING)
        assert hunter("scan", D, "--no-whois", "-q").exit_code == 0
        ms.reset_log()
        assert hunter("scan", D, "--no-whois", "-q").exit_code == 0
        assert ms.count("openid", D) == 0 and ms.count("realm", D) == 0
    finally:
        dns.load(zone_text)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_records_newer_than_a_cached_answer_are_not_called_left_over(hunter, dns, ms, db, zone_text, lang):
    """A stored scan that reused a "no tenant" asked before it (a scan from before this fix, or a lookup
    since made stale): the brief says the answer predates the scan, not that the records are left over."""
    try:
        dns.load(zone_text + M365)
        assert hunter("scan", D, "--no-whois", "-q").exit_code == 0  # asked now: no tenant at the stand-in
    finally:
        dns.load(zone_text)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE tenant_cache SET fetched_at = '2020-01-01T00:00:00+00:00' WHERE domain = ?", (D,))
    out = hunter("sales-summary", D, "--lang", lang, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    text = _flat(out.stdout)
    assert "left over" not in text and "kalmış" not in text, text
    assert ("before this scan" if lang == "en" else "bu taramadan önce") in text, text


@pytest.mark.parametrize(
    "signal",
    [
        f'{D}. 300 IN TXT "MS=ms30303030"\n',
        f"autodiscover.{D}. 300 IN CNAME autodiscover.outlook.com.\n",
        f"selector1._domainkey.{D}. 300 IN CNAME selector1-tasinan-m365-com-tr._domainkey.tasinan.onmicrosoft.com.\n"
        'selector1-tasinan-m365-com-tr._domainkey.tasinan.onmicrosoft.com. 300 IN TXT "v=DKIM1; k=rsa; p=MIGfMA0"\n',
    ],
    ids=["ms-token", "autodiscover", "dkim-cname"],
)
def test_each_microsoft_signal_alone_asks_again(hunter, dns, ms, db, zone_text, signal):
    """The kind: any one record a tenant stands behind, added beside the old hosting set-up, makes the scan
    ask again (a company setting up Microsoft 365 before it moves its MX)."""
    try:
        dns.load(zone_text + HOSTING)
        assert hunter("scan", D, "--no-whois", "-q").exit_code == 0
        dns.load(zone_text + HOSTING + signal)
        ms.tenants[D] = Tenant(id=TENANT_ID, brand="Tasinan")
        again = hunter("scan", D, "--no-whois", "--json")
    finally:
        dns.load(zone_text)
    assert again.exit_code in (0, 5), again.stderr
    assert (json.loads(again.stdout)["tenant"] or {}).get("id") == TENANT_ID, again.stdout
    assert ("tenant_appeared", None, TENANT_ID) in _events(db)


@pytest.mark.parametrize(
    "include",
    ["spf.protection.outlook.com", "spf.protection.partner.outlook.cn", "spf.protection.office365.us"],
    ids=["worldwide", "21vianet", "us-government"],
)
@pytest.mark.parametrize(
    "flags",
    [("--processes", "1"), ("--processes", "2"), ("--processes", "1", "--quick"), ("--processes", "2", "--quick")],
    ids=["one-process", "workers", "one-process-quick", "workers-quick"],
)
def test_a_microsoft_spf_include_of_any_cloud_asks_again(hunter, dns, ms, db, zone_text, include, flags):
    """The kind, for the SPF include: Microsoft's sending name of every cloud (providers.json ``m365``, the
    national clouds' too) is a record a tenant stands behind, read from the parsed record, in one process and
    through scan workers alike, and with ``--quick`` too, where no footprint reads the include."""
    spf = f'{D}. 300 IN TXT "v=spf1 include:_spfcls.natrohost.com include:{include} ~all"\n'
    try:
        dns.load(zone_text + HOSTING)
        assert hunter("scan", D, "--no-whois", "-q").exit_code == 0
        dns.load(zone_text + HOSTING.splitlines(keepends=True)[0] + spf)
        ms.tenants[D] = Tenant(id=TENANT_ID, brand="Tasinan")
        again = hunter("scan", D, "--no-whois", "--json", *flags)
    finally:
        dns.load(zone_text)
    assert again.exit_code in (0, 5), again.stderr
    assert (json.loads(again.stdout)["tenant"] or {}).get("id") == TENANT_ID, again.stdout


def test_a_look_alike_include_or_a_legacy_msoid_record_does_not_ask_again(hunter, dns, ms, zone_text):
    """The guard for the kind: a name that only contains Microsoft's (``spf.protection.outlook.com.example.net``)
    is not Microsoft's, and the legacy ``msoid`` CNAME proves no tenant in use today (Microsoft: "What is the
    purpose of the Office 365 CNAME record for MSOID?"): the day's "no tenant" stands."""
    spf = (
        f'{D}. 300 IN TXT "v=spf1 include:_spfcls.natrohost.com include:spf.protection.outlook.com.example.net ~all"\n'
    )
    msoid = f"msoid.{D}. 300 IN CNAME clientconfig.microsoftonline-p.net.\n"
    try:
        dns.load(zone_text + HOSTING)
        assert hunter("scan", D, "--no-whois", "-q").exit_code == 0
        dns.load(zone_text + HOSTING.splitlines(keepends=True)[0] + spf + msoid)
        ms.reset_log()
        assert hunter("scan", D, "--no-whois", "-q").exit_code in (0, 5)
        assert hunter("scan", D, "--no-whois", "-q", "--processes", "2").exit_code in (0, 5)
    finally:
        dns.load(zone_text)
    assert ms.count("openid", D) == 0 and ms.count("realm", D) == 0
