"""A failed lookup is no "no record", and a known answer outlives a failed one (trials 22 F1, 23 A1-A4, C1, C2, C7).

A DNS timeout or SERVFAIL at the apex TXT (SPF, verification tokens) or at a DKIM selector on a lead's first
scan leaves those facts not known: the lists, the CSV, `leads show`, the brief and the database's `leads` view
say `?` / null / `unknown` and name the failed checks, never `no SPF` / `no DKIM`. The next scan that reads
them writes no change event (nothing was published). A failed sign-in lookup keeps a stored "no tenant".
Real DNS server and sign-in stand-in (tests/dnsserver.py, tests/msserver.py), through the CLI.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

D = "bilinmez.com.tr"
KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwEC9QvauR1WG3KBeu7LxDag1YAm6+VahfkMvjX1sIO2XDgHb7nBPl8acFLyrs+eX"
    "Ip8OAs9P/oJxY0c8fJqcMhtZf2f0nv01Q3v2JVUAvNJSvDsIX3vJjbGPTBeOYjjlGT0vYAfs"
)
KEY2 = (
    "cp4Spn9fc4IM0bNrrrW8wP1cuTjKowH0pLApYQU1AYvcDteBCZLFrav0TAnZ7ziEDGwsr7qsJrgXjxmtZ3+76qZVzH1H8sE8lpsbOINVHGS4Lw"
    "P9FS6RLSYRALPPW43A3EPEsGI4uDoLyUcYmeID1t4pc+Km9sJrpMSDriteJReUp6bh20peNCa/tEfUVKRYQFICf2siPgSrZwIDAQAB"
)
ZONE = f"""
{D}. 300 IN MX 10 mail.{D}.
mail.{D}. 300 IN A 192.0.2.81
{D}. 300 IN TXT "v=spf1 mx -all"
{D}. 300 IN TXT "atlassian-domain-verification=abc123"
google._domainkey.{D}. 300 IN TXT "v=DKIM1; k=rsa; p={KEY}" "{KEY2}"
_dmarc.{D}. 300 IN TXT "v=DMARC1; p=reject"
"""


@pytest.fixture
def zone(dns, zone_text):
    dns.load(zone_text + ZONE)
    yield dns
    dns.load(zone_text)


def _fail_first_scan(hunter, dns) -> None:
    dns.faults[(D, "TXT")] = "servfail"
    dns.faults[f"google._domainkey.{D}"] = "servfail"
    dns.faults[f"_dmarc.{D}"] = "servfail"
    out = hunter("scan", D, "--no-whois", "--no-tenant", "--json")
    assert json.loads(out.stdout)["status"] == "partial", out.stderr
    dns.clear_faults()


def _listed(hunter, *args: str) -> dict:
    out = hunter("leads", "-f", "json", *args)
    assert out.exit_code == 0, out.stderr
    return {r["domain"]: r for r in json.loads(out.stdout)}


def test_a_first_scan_whose_lookups_failed_lists_them_as_not_known(hunter, zone):
    """A3/A4/F1: `leads -f json` (and its `--json` alias, C7), CSV, `leads show` (text and JSON) and the `leads`
    view: SPF and DKIM not known, never "no SPF" / "no key"; `failed_checks` names the lookups that failed."""
    _fail_first_scan(hunter, zone)
    lead = _listed(hunter)[D]
    assert lead["spf_all"] == "?" and lead["dkim"] is None and lead["dmarc_policy"] == "?"
    assert lead["failed_checks"] == ["dkim", "dmarc", "txt"]
    assert lead["footprint"] == "?"  # Exchange not known (its SPF include was not read): never "none"
    assert _listed(hunter, "--json") == _listed(hunter)  # docs/cli.md "Conventions": --json is -f json

    out = hunter("leads", "-f", "csv", "--no-bom")
    row = next(r for r in csv.DictReader(io.StringIO(out.stdout)) if r["domain"] == D)
    assert (row["spf_all"], row["dkim"], row["dmarc_policy"], row["failed_checks"]) == ("?", "?", "?", "dkim;dmarc;txt")

    shown = hunter("leads", "show", D, env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "SPF not checked (the TXT lookup failed)" in text
    assert "DKIM lookup failed (selector google: SERVFAIL); not known" in text
    assert "no SPF record" not in text and "no key found" not in text
    detail = json.loads(hunter("leads", "show", D, "--json").stdout)["lead"]
    assert (detail["spf_result"], detail["dkim_state"], detail["dkim"]) == ("temperror", "unknown", None)

    conn = sqlite3.connect(hunter.db)
    try:
        view = conn.execute(
            "SELECT spf_result, spf_all, dkim, dkim_state, dmarc_policy, failed_checks FROM leads WHERE domain = ?",
            (D,),
        ).fetchone()
    finally:
        conn.close()
    assert view == ("temperror", "?", None, "unknown", "?", "dkim,dmarc,txt")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_leads_show_says_the_dkim_lookup_failed_in_each_language(hunter, zone, lang):
    _fail_first_scan(hunter, zone)
    text = " ".join(hunter("leads", "show", D, "--lang", lang, env={"COLUMNS": "200"}).stdout.split())
    if lang == "en":
        assert "selector google: SERVFAIL" in text
    else:
        assert "sorgu başarısız oldu (google seçicisi: SERVFAIL); bilinmiyor" in text
        assert "denetlenemedi (TXT sorgusu başarısız oldu)" in text
        assert "anahtar bulunamadı" not in text


def test_the_brief_does_not_say_no_other_service_when_the_txt_lookup_failed(hunter, zone):
    """F1: the TXT set holding every verification token was never read: no "No other cloud service shows",
    and an SPF line that says it could not be checked."""
    _fail_first_scan(hunter, zone)
    out = hunter("sales-summary", D, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "No other cloud service shows in their DNS" not in text
    assert "We could not check their other cloud services: the lookup of their DNS TXT records failed." in text
    assert "SPF could not be checked: the lookup of their DNS TXT records failed." in text


def _events(hunter) -> list[tuple]:
    """The change events stored for the domain, as (kind, old, new)."""
    conn = sqlite3.connect(hunter.db)
    try:
        return conn.execute("SELECT kind, old, new FROM events WHERE domain = ?", (D,)).fetchall()
    finally:
        conn.close()


def test_a_value_read_after_a_failed_first_lookup_is_no_change(hunter, zone):
    """A1: the records were there all along; the first scan could not read them. No "DMARC published",
    no "SPF: record published", no service added; the columns now say what the second scan read."""
    _fail_first_scan(hunter, zone)
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    events = _events(hunter)
    assert events == []
    assert D not in hunter("changes", "--json").stdout
    lead = _listed(hunter)[D]
    assert (lead["spf_all"], lead["dkim"], lead["dmarc_policy"], lead["failed_checks"]) == ("-all", True, "reject", [])


def test_a_known_value_that_changes_after_the_failed_scan_is_still_an_event(hunter, zone, zone_text):
    """The guard: a value seen by a good scan, then another by a later one, is a change, a failed scan between."""
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    zone.faults[f"_dmarc.{D}"] = "servfail"
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    zone.clear_faults()
    zone.load(zone_text + ZONE.replace("p=reject", "p=none"))
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    events = _events(hunter)
    assert events == [("dmarc_policy_changed", "reject", "none")]


def test_a_failed_dkim_lookup_keeps_a_known_no_key(hunter, zone, zone_text):
    """A known "no key" (every selector answered, none has one) stays known through a scan whose selector
    lookup failed: the store keeps the last good answer, it does not turn into "not known"."""
    zone.load(zone_text + ZONE.replace(f"google._domainkey.{D}.", f"legacy._domainkey.{D}."))  # not asked
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    assert _listed(hunter)[D]["dkim"] is False
    zone.faults[f"google._domainkey.{D}"] = "servfail"
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    lead = _listed(hunter)[D]
    assert lead["dkim"] is False and lead["last_status"] == "partial" and lead["failed_checks"] == ["dkim"]
    text = " ".join(hunter("leads", "show", D, env={"COLUMNS": "200"}).stdout.split())
    assert "DKIM no key found" in text and "(as read " in text and "; the latest lookup failed)" in text


@pytest.mark.parametrize("how", ["--fresh-tenant", "--no-tenant"])
def test_a_failed_or_skipped_tenant_lookup_keeps_a_known_no_tenant(hunter, ms, how):
    """A2: "no tenant" (the sign-in service said so) survives a lookup that fails (HTTP 500) or is not made:
    `leads --no-tenant` still lists the lead, and `leads show` says when it was last asked."""
    assert hunter("scan", "gmailer.de", "--no-whois", "-q").exit_code == 0
    assert "gmailer.de" in _listed(hunter, "--no-tenant")
    ms.faults["gmailer.de"] = ("500", 100)
    assert hunter("scan", "gmailer.de", "--no-whois", how, "-q").exit_code == 0
    lead = _listed(hunter, "--no-tenant").get("gmailer.de")
    assert lead is not None and lead["tenant"] == "none"
    if how == "--fresh-tenant":
        assert lead["failed_checks"] == ["tenant"]
        text = " ".join(hunter("leads", "show", "gmailer.de", env={"COLUMNS": "200"}).stdout.split())
        assert "none (last asked" in text and "the latest lookup failed)" in text


def test_a_lead_whose_only_attempt_failed_shows_question_marks(hunter, dns):
    """C1: not an all-blank row (that is a lead never scanned): `?` for what is not known, and the failure."""
    dns.faults[("gmailer.de", "MX")] = "servfail"
    hunter("scan", "gmailer.de", "--no-whois", "--no-tenant", "-q")
    out = hunter("leads", env={"COLUMNS": "160"})
    assert out.exit_code == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if "gmailer.de" in line)
    assert row.split()[1:5] == ["?", "?", "?", "?"] and "failed" in row


def test_partial_lists_the_leads_whose_latest_attempt_was_partial(hunter, zone):
    """C2: `--partial` (and with `--failed`, either)."""
    _fail_first_scan(hunter, zone)
    zone.faults[("gmailer.de", "MX")] = "servfail"
    hunter("scan", "gmailer.de", "--no-whois", "--no-tenant", "-q")
    assert hunter("scan", "nomail.com", "--no-whois", "--no-tenant", "-q").exit_code == 0
    assert set(_listed(hunter, "--partial")) == {D}
    assert set(_listed(hunter, "--failed")) == {"gmailer.de"}
    assert set(_listed(hunter, "--partial", "--failed")) == {D, "gmailer.de"}
    assert set(_listed(hunter)) == {D, "gmailer.de", "nomail.com"}


def test_an_older_file_lists_failed_lookups_as_not_known_once_opened(hunter, zone, tmp_path):
    """Migration 18 on a file as release 17 left it: columns `none` / 0 for a failed SPF or DKIM lookup, no
    `failed_checks`, the leads view without it, and a "no tenant" a failed lookup had wiped (tenant NULL while
    tenant_cache holds the "no tenant" answer)."""
    import shutil

    from hunter_cli.store.schema import _V7_CRM_STATUS, CRM_STATUS_SQL, LEADS_VIEW_SQL, latest_version

    _fail_first_scan(hunter, zone)
    assert hunter("scan", "gmailer.de", "--no-whois", "-q").exit_code == 0
    hunter.ms.faults["gmailer.de"] = ("500", 100)
    assert hunter("scan", "gmailer.de", "--no-whois", "--fresh-tenant", "-q").exit_code == 0
    old = tmp_path / "old.db"
    shutil.copy(hunter.db, old)
    with sqlite3.connect(old) as conn:
        conn.execute(
            "UPDATE domains SET spf_result = 'none', spf_all = NULL, dkim = 0, dkim_state = 'none' WHERE domain = ?",
            (D,),
        )
        conn.execute("UPDATE domains SET tenant = NULL WHERE domain = 'gmailer.de'")
        conn.execute("DROP VIEW leads")
        conn.execute("ALTER TABLE domains DROP COLUMN failed_checks")
        conn.execute("CREATE VIEW leads AS " + LEADS_VIEW_SQL.replace(_V7_CRM_STATUS, CRM_STATUS_SQL))
        conn.execute("DELETE FROM schema_migrations WHERE version >= 18")
    out = hunter("leads", "-f", "json", "--db", str(old))
    assert out.exit_code == 0, out.stderr
    assert f"from schema version 17 to {latest_version()}" in out.stderr
    rows = {r["domain"]: r for r in json.loads(out.stdout)}
    assert (rows[D]["spf_all"], rows[D]["dkim"], rows[D]["failed_checks"]) == ("?", None, ["dkim", "dmarc", "txt"])
    assert rows["gmailer.de"]["tenant"] == "none" and rows["gmailer.de"]["failed_checks"] == ["tenant"]
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT dkim_state, failed_checks FROM leads WHERE domain = ?", (D,)).fetchone() == (
            "unknown",
            "dkim,dmarc,txt",
        )


def test_no_spoofing_risk_level_that_hangs_on_a_dkim_lookup_that_failed(hunter, zone):
    """F1: SPF -all and DMARC p=reject, the DKIM selector SERVFAIL: with a key the risk is low, without one
    medium, so the brief gives no level (it said "medium" beside "we do not know whether they sign")."""
    zone.faults[f"google._domainkey.{D}"] = "servfail"
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    text = " ".join(hunter("sales-summary", D, env={"COLUMNS": "200"}).stdout.split())
    assert "we do not know whether they sign their mail" in text
    assert "Spoofing and phishing risk" not in text
    zone.clear_faults()
    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0  # the guard: read, it has a level
    assert "Spoofing and phishing risk: low" in " ".join(hunter("sales-summary", D).stdout.split())


@pytest.fixture
def schema17_read_only(hunter, zone, db, tmp_path, request):
    """D scanned well, then once more with a lookup failing (``request.param``: the DMARC lookup, a partial scan;
    the MX lookup, a failed one); the file taken back to schema 17 (before ``domains.failed_checks``) and put
    behind a read-only folder. Yields the file and what ``leads -f json`` said of D before."""
    import shutil

    from conftest import read_only_folder

    from hunter_cli.store import schema

    assert hunter("scan", D, "--no-whois", "--no-tenant", "-q").exit_code == 0
    zone.faults[request.param] = "servfail"
    hunter("scan", D, "--no-whois", "--no-tenant", "-q")
    zone.clear_faults()
    before = _listed(hunter)[D]
    folder = tmp_path / "rw17"
    folder.mkdir()
    shutil.copy(db, folder / "old.db")
    conn = sqlite3.connect(folder / "old.db")
    with conn:
        conn.execute(f"DROP VIEW [{schema.LEADS_VIEW}]")
        conn.execute("ALTER TABLE domains DROP COLUMN failed_checks")
        conn.execute(
            f"CREATE VIEW [{schema.LEADS_VIEW}] AS " + schema.LEADS_VIEW_V18_SQL.replace("  d.failed_checks,\n", "")
        )
        conn.execute("DELETE FROM schema_migrations WHERE version >= ?", (schema.UNKNOWN_NOT_NONE,))
    conn.close()
    with read_only_folder(folder, tmp_path / "ro17", files=(folder / "old.db",)) as seen:
        yield seen / "old.db", before


@pytest.mark.parametrize("schema17_read_only", [f"_dmarc.{D}", (D, "MX")], indirect=True, ids=["partial", "failed"])
def test_an_old_read_only_file_names_the_failed_checks_of_the_latest_scan(hunter, schema17_read_only):
    """trial 25 F6: a schema-17 file read-only has no failed_checks column; the lists read the checks from the
    latest scan's errors, as migration 18 fills the column, never `[]` ("nothing failed") for a partial or failed lead."""
    path, before = schema17_read_only
    assert before["last_status"] in ("partial", "failed") and before["failed_checks"], before
    listed = hunter("leads", "--db", str(path), "-f", "json")
    assert listed.exit_code == 0, listed.stderr
    lead = next(r for r in json.loads(listed.stdout) if r["domain"] == D)
    assert lead["failed_checks"] == before["failed_checks"], lead
    out = hunter("leads", "--db", str(path), "-f", "csv", "--no-bom")
    assert out.exit_code == 0, out.stderr
    row = next(r for r in csv.DictReader(io.StringIO(out.stdout)) if r["domain"] == D)
    assert row["failed_checks"] == ";".join(before["failed_checks"]), row
