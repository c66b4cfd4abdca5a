"""Each DKIM, SPF and DMARC fact is defined once (hunter_cli/facts.py, read through the lead view
hunter_cli/lead): the scan table, `hunter leads` (table, JSON, CSV), `leads show`, `explain`, the
brief (EN and TR) and the CRM facts must tell the same story about a domain, in every state.

The domains come from the loopback zones (tests/zones); each case states what the records
are (RFC 7208 2.6 results, RFC 7489 6.6.3 policies, RFC 6376 3.6.1 keys, RFC 7505 null MX)
and every surface is held to it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date

import pytest

from hunter_cli.brief.messages import Messages
from hunter_cli.lead import Lead

# verdict -> (scan-table cell, `leads show` text starts with, brief message key, explain item code, CRM word key)
DKIM = {
    "key": ("yes", "yes: ", "sec.dkim_ok", "dkim", "crm.facts.dkim.key"),
    "delegated": ("no key", "no key: delegated to", "sec.dkim_delegated", "no_dkim", "crm.facts.dkim.delegated"),
    "none": ("-", "no key found", "sec.dkim_missing", "no_dkim", "crm.facts.dkim.none"),
}
DMARC = {
    "reject": ("reject", "reject", "sec.dmarc_enforced", "dmarc_reject", None),
    "quarantine": ("quarantine", "quarantine", "sec.dmarc_enforced", "dmarc_quarantine", None),
    "none": ("none", "none", "sec.dmarc_none", "dmarc_none", None),
    "applied_none": ("none", "none", "sec.dmarc_ignored", "dmarc_none", "crm.facts.dmarc.applied_none"),
    "invalid": ("invalid", "invalid", "sec.dmarc_invalid", "no_dmarc", "crm.facts.dmarc.invalid"),
    "absent": ("-", "no DMARC record", "sec.dmarc_missing", "no_dmarc", "crm.facts.dmarc.absent"),
}
SPF = {
    "valid": (None, None, None, "spf", None),  # cell, text and sentence: by the all qualifier
    "permerror": ("invalid", "invalid (", "sec.spf_invalid", "no_spf", "crm.facts.spf.permerror"),
    "temperror": ("?", "not checked (DNS lookup failed)", "sec.spf_unknown", None, "crm.facts.spf.temperror"),
    "none": ("-", "no SPF record", "sec.spf_missing", "no_spf", "crm.facts.none"),
}
# domain -> (DKIM state, DMARC verdict, SPF result); every state of each appears at least once
CASES = {
    "firma.com.tr": ("key", "reject", "valid"),
    "gmailer.de": ("key", "quarantine", "valid"),
    "dangling.com": ("delegated", "absent", "valid"),
    "halfbroken.com": ("none", "quarantine", "valid"),
    "izleme.com.tr": ("none", "none", "none"),
    "lale-mobilya.com.tr": ("none", "applied_none", "none"),
    "kirmizi-kalem.com.tr": ("none", "invalid", "none"),
    "iki-kayit.com.tr": ("none", "invalid", "permerror"),
    "m365-zayif.com.tr": ("none", "absent", "valid"),
    "bozuk-dns.com.tr": ("none", "absent", "temperror"),
}
# domains that take no mail: (domain state, segment rule)
STATES = {
    "no-such-company-4711.com": ("nxdomain", "domain_does_not_exist"),
    "posta-yok.com.tr": ("parked", "parked"),
    "parked-spf.com": ("parked", "parked"),
}
ALL = [*CASES, *STATES]


def _message_start(m: Messages, key: str) -> str:
    """The fixed text of a message before its first placeholder."""
    return m.data[key].split("{", 1)[0]


@pytest.fixture
def surfaces(hunter, dns):
    """Everything each surface says about every domain, after one scan into one database."""
    dns.faults[("_spf.yavas.spf-saglayici.net", "TXT")] = "servfail"  # bozuk-dns.com.tr: SPF temperror
    scanned = hunter.scan_json(*ALL, "--no-whois")
    scan = hunter("scan", *ALL, "--no-whois", env={"COLUMNS": "200"})
    assert scan.exit_code == 0, scan.stderr
    table = scan.stdout
    rows = {r["domain"]: r for r in json.loads(hunter("leads", "-f", "json", "--limit", "0").stdout)}
    csv_text = hunter("leads", "-f", "csv", "--limit", "0").stdout_bytes.decode("utf-8-sig")
    csv_rows = {r["domain"]: r for r in csv.DictReader(io.StringIO(csv_text))}
    leads_table = hunter("leads", "--limit", "0", env={"COLUMNS": "200"}).stdout
    return scanned, table, rows, csv_rows, leads_table


def _cells(table: str, domain: str) -> list[str]:
    row = next(line for line in table.splitlines() if line.lstrip().startswith(domain + " "))
    return [c.strip() for c in row.split("  ") if c.strip()]


def _crm_auth(hunter, domain: str, row: dict, lang: str) -> str:
    from hunter_cli import store
    from hunter_cli.crm.push import lead_context
    from hunter_cli.scoring import load_rules

    conn = sqlite3.connect(hunter.db)
    try:
        data = store.brief_inputs(conn, domain)
    finally:
        conn.close()
    ctx = lead_context(row, data, lang, load_rules(), date(2026, 1, 15))
    return ctx["facts_markdown"]


@pytest.mark.parametrize("domain", sorted(CASES))
def test_every_surface_tells_the_same_story(hunter, surfaces, domain):
    scanned, table, rows, csv_rows, leads_table = surfaces
    dkim, dmarc, spf = CASES[domain]
    lead = Lead.from_view(scanned[domain])
    # the records are what the case says (the anchor every surface is held to)
    assert (lead.dkim_state, lead.dmarc_verdict, lead.spf_result) == (dkim, dmarc, spf)

    # scan table
    cells = _cells(table, domain)
    dkim_cell, dkim_show, dkim_brief, dkim_item, dkim_crm = DKIM[dkim]
    dmarc_cell, dmarc_show, dmarc_brief, dmarc_item, dmarc_crm = DMARC[dmarc]
    spf_cell, spf_show, spf_brief, spf_item, spf_crm = SPF[spf]
    spf_cell = spf_cell or lead.spf_all
    # RFC 7208 5.1, 8.4: -all fails, ~all and ?all only mark, +all lets anyone send
    qualifier = {"-all": "sec.spf_ok", "~all": "sec.spf_soft", "?all": "sec.spf_soft", "+all": "sec.spf_open"}
    spf_brief = spf_brief or qualifier.get(lead.spf_all or "", "sec.spf_no_all")
    if dmarc_brief == "sec.dmarc_enforced" and lead.dmarc and lead.dmarc.pct < 100:
        dmarc_brief = "sec.dmarc_partial"  # RFC 7489 6.6.4: the policy covers pct% of failing mail
    # the columns after the tenant: SPF, DKIM, DMARC
    shown_tenant = {"Unknown": "exists"}.get(rows[domain]["tenant"] or "?", rows[domain]["tenant"] or "?")
    tenant_at = cells.index(shown_tenant, 2)  # the scan table words a tenant of unknown kind "exists"
    assert cells[tenant_at + 1 : tenant_at + 4] == [spf_cell, dkim_cell, dmarc_cell], cells

    # hunter leads: JSON, CSV and the table
    row = rows[domain]
    assert row["dkim"] is (dkim == "key")
    # a record that gives no policy is "invalid", as in the scan table; no record is empty (trial 13, B3)
    assert row["dmarc_policy"] == ({"applied_none": "none", "absent": None}.get(dmarc, dmarc))
    assert row["spf_all"] == lead.spf_all  # the all qualifier as written, even in a broken record
    assert csv_rows[domain]["dkim"] == ("yes" if dkim == "key" else "no")
    assert (csv_rows[domain]["dmarc_policy"] or None) == row["dmarc_policy"]
    listed = _cells(leads_table, domain)
    assert (row["dmarc_policy"] or "-") in listed
    assert dmarc_cell in listed  # the list's cell is the scan table's

    # leads show
    show = " ".join(hunter("leads", "show", domain, env={"COLUMNS": "400"}).stdout.split())
    assert f"DKIM {dkim_show}" in show
    assert f"DMARC {dmarc_show}" in show
    assert f"SPF {spf_show or lead.spf_all}" in show

    # explain: the same verdicts scored (a temperror leaves the domain unscored everywhere)
    explained = hunter("explain", domain, "--json")
    if spf == "temperror":
        assert explained.exit_code == 1 and "cannot be scored" in explained.stderr
        assert row["score"] is None and scanned[domain]["score"] is None
    else:
        out = json.loads(explained.stdout)
        codes = {i["code"] for i in out["items"]}
        assert {dkim_item, dmarc_item, spf_item} <= codes, codes
        assert out["facts"]["dkim"] is (dkim == "key") and out["facts"]["spf"] is (spf == "valid")
        assert (out["score"], out["category"]) == (row["score"], row["category"]) == (lead.score, lead.category)

    # the brief, in English and Turkish
    for lang in ("en", "tr"):
        m = Messages(lang)
        brief = json.loads(hunter("sales-summary", domain, "--lang", lang, "--json").stdout)
        security = brief["security"]
        for key in (dkim_brief, dmarc_brief, spf_brief):
            start = _message_start(m, key)
            assert any(line.startswith(start) for line in security), (lang, key, security)
        assert (brief["score"], brief["category"]) == (row["score"], row["category"])

        # the CRM facts, in the same language
        facts = _crm_auth(hunter, domain, row, lang)
        auth = m(
            "crm.facts.auth",
            spf=m(spf_crm) if spf_crm else lead.spf_all,
            dkim=m(dkim_crm),
            dmarc=m(dmarc_crm) if dmarc_crm else m(f"dmarc.policy.{dmarc}"),
        )
        assert f"- {auth}" in facts.splitlines(), facts


@pytest.mark.parametrize("domain", sorted(STATES))
def test_domains_that_take_no_mail_agree(hunter, surfaces, domain):
    scanned, table, rows, csv_rows, leads_table = surfaces
    state, rule = STATES[domain]
    lead = Lead.from_view(scanned[domain])
    assert lead.state == scanned[domain]["state"] == state
    explained = json.loads(hunter("explain", domain, "--json").stdout)
    assert explained["segment_rule"] == rule and explained["facts"]["state"] == state
    assert explained["items"] == [{"code": "provider:none", "points": 0}]  # no security points
    row = rows[domain]
    assert (row["score"], row["segment"], row["category"]) == (explained["score"], "Skip", explained["category"])
    for lang in ("en", "tr"):
        m = Messages(lang)
        brief = json.loads(hunter("sales-summary", domain, "--lang", lang, "--json").stdout)
        assert brief["state"] == state and brief["risk"] == "none"
        # no MX at all (not a null MX): it most likely receives no mail (the implicit MX, RFC 5321 5.1)
        no_mx = "_no_mx" if lead.mx_state == "none" and state != "nxdomain" else ""
        sec = f"sec.{state}{no_mx}" if m.has(f"sec.{state}{no_mx}") else f"sec.{state}"
        assert brief["security"][0] == m(sec)
        facts = _crm_auth(hunter, domain, row, lang)
        # a domain that does not exist is not one that "takes no mail", and a parked one whose name can still be
        # forged is no bare "none" (trial 16): the CRM says the brief's own risk line
        assert f"- {brief['risk_text']}" in facts.splitlines(), (brief["risk_text"], facts)
        words = m("risk.none_nxdomain") if state == "nxdomain" else m("risk.none" + no_mx)
        if state == "nxdomain":
            assert brief["risk_text"] == m("risk.line", level=words)
    assert "security-risk" not in row["tags"] and "weak-dmarc" not in row["tags"]


def test_the_scan_json_is_the_view_the_store_keeps(hunter, surfaces):
    """`scan --json` and the lead view built from the store give the same verdicts."""
    from hunter_cli.store import leads

    scanned = surfaces[0]
    conn = sqlite3.connect(hunter.db)
    try:
        for domain in ALL:
            d = leads.detail(conn, domain)
            assert d is not None
            stored = Lead.from_store(d["lead"], d["view"])
            fresh = Lead.from_view(scanned[domain])
            for f in ("spf_result", "dmarc_result", "dmarc_policy", "dkim_state", "state", "mx_state", "score"):
                assert getattr(stored, f) == getattr(fresh, f), (domain, f)
            assert stored.columns()["dkim"] == int(d["lead"]["dkim"])
            assert stored.columns()["dmarc_policy"] == d["lead"]["dmarc_policy"]
    finally:
        conn.close()
