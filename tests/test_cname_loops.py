"""CNAME chains no resolver can follow, at the names of a domain's mail records (tests/zones/loops.zone).

A loop (RFC 1034 3.6.2: "CNAME loops signalled as an error"), or a chain longer
than resolvers follow, is the zone's own fault: every resolver gets the same at
every try. So it is an error of the record concerned, never "no record", and the
domain reaches ``ok``: a permanent fault retried on every run would keep it
``partial`` forever. A timeout or SERVFAIL at the same names stays a failed
lookup (``partial``, asked again): only the loop is permanent.
"""

from __future__ import annotations

import sqlite3

import pytest

from hunter_cli.dns import spf_eval
from hunter_cli.store.packing import loads


def scan(hunter, *domains: str) -> dict[str, dict]:
    return hunter.scan_json(*domains, "--no-whois")


def codes(findings: list[dict]) -> list[str]:
    return [f["code"] for f in findings]


@pytest.mark.parametrize(
    "domain, hops",
    [("loop-dmarc.com", "CNAME loop"), ("dmarc-ring.com.tr", "CNAME loop"), ("dmarc-long.com", "longer than 16")],
)
def test_a_dmarc_name_that_cannot_be_followed_is_no_policy_and_the_domain_is_complete(hunter, domain, hops):
    r = scan(hunter, domain)[domain]
    assert r["status"] == "ok" and r["errors"] == []
    dmarc = r["dmarc"]
    assert dmarc["result"] == "invalid" and dmarc["valid"] is False
    assert dmarc["policy"] is None and dmarc["subdomain_policy"] is None and dmarc["record"] is None
    assert codes(dmarc["errors"]) == ["dmarc-cname-loop"]
    assert dmarc["errors"][0]["where"] == [f"_dmarc.{domain}"] and hops in dmarc["errors"][0]["message"]
    assert not any(reason.startswith("dmarc_") for reason in r["reasons"])  # no policy: never scored as one


def test_a_selector_loop_is_not_a_key_and_other_keys_still_count(hunter):
    out = scan(hunter, "dkim-loop.com.tr", "dkim-self.com")
    both = out["dkim-loop.com.tr"]
    assert both["status"] == "ok" and both["errors"] == []
    assert [s["selector"] for s in both["dkim"]["selectors"]] == ["google"]  # the real key, and no looped one
    assert codes(both["dkim"]["errors"]) == ["dkim-cname-loop", "dkim-cname-loop"]
    assert [f["where"] for f in both["dkim"]["errors"]] == [
        ["selector1._domainkey.dkim-loop.com.tr"],
        ["selector2._domainkey.dkim-loop.com.tr"],
    ]
    alone = out["dkim-self.com"]
    assert alone["status"] == "ok" and alone["errors"] == []
    assert alone["dkim"]["selectors"] == []  # a loop publishes no key: DKIM is missing, not unknown
    assert codes(alone["dkim"]["errors"]) == ["dkim-cname-loop"]
    assert "selector default" in alone["dkim"]["errors"][0]["message"]


@pytest.mark.parametrize(
    "domain, where",
    [
        ("spf-include-loop.com", ["spf-include-loop.com", "_spf.spf-include-loop.com"]),
        ("spf-redirect-loop.com", ["spf-redirect-loop.com", "_spf.redirect-loop.example"]),
        ("spf-a-loop.com", ["spf-a-loop.com"]),
    ],
)
def test_an_spf_name_that_loops_is_permerror_not_temperror(hunter, domain, where):
    r = scan(hunter, domain)[domain]
    assert r["status"] == "ok" and r["errors"] == []
    spf = r["spf"]
    assert spf["result"] == "permerror" and spf["valid"] is False
    assert codes(spf["errors"]) == [spf_eval.E_CNAME_LOOP]
    assert spf["errors"][0]["where"] == where
    assert "RFC 7208 2.6.7" in spf["errors"][0]["message"]


def test_a_provider_include_that_loops_is_permerror_for_every_domain_using_it(hunter, dns):
    out = scan(hunter, "spf-shared-a.com.tr", "spf-shared-b.com.tr")
    for domain in ("spf-shared-a.com.tr", "spf-shared-b.com.tr"):
        r = out[domain]
        assert r["status"] == "ok" and r["errors"] == [], domain
        assert r["spf"]["result"] == "permerror"
        assert r["spf"]["errors"][0]["where"] == [domain, "spf.loop-provider.example"]


def test_a_timeout_or_servfail_at_the_same_names_is_still_a_failure_to_retry(hunter, dns):
    dns.faults["_dmarc.dkim-loop.com.tr"] = "servfail"
    dns.faults["google._domainkey.dkim-loop.com.tr"] = "drop"
    dns.faults["_spf.spf-include-loop.com"] = "servfail"
    out = scan(hunter, "dkim-loop.com.tr", "spf-include-loop.com")
    dkim = out["dkim-loop.com.tr"]
    assert dkim["status"] == "partial" and dkim["dmarc"] is None
    assert {(e["check"], e["kind"]) for e in dkim["errors"]} == {("dmarc", "servfail"), ("dkim", "timeout")}
    assert codes(dkim["dkim"]["errors"]) == ["dkim-cname-loop", "dkim-cname-loop"]  # the loops stay findings
    spf = out["spf-include-loop.com"]
    assert spf["status"] == "partial" and spf["spf"]["result"] == "temperror"
    assert [(e["check"], e["kind"]) for e in spf["errors"]] == [("spf", "servfail")]


def test_a_domain_with_only_loops_counts_as_fresh_and_is_not_asked_again(hunter, dns, db):
    domains = ["loop-dmarc.com", "dkim-self.com", "spf-include-loop.com"]
    first = hunter("scan", *domains, "-q", "--no-whois")
    assert first.exit_code == 0, first.stderr
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT domain, status FROM scans ORDER BY domain").fetchall()
        view = loads(conn.execute("SELECT current_view FROM domains WHERE domain = 'loop-dmarc.com'").fetchone()[0])
    finally:
        conn.close()
    assert rows == sorted((d, "ok") for d in domains)
    assert view["dmarc"]["errors"][0]["code"] == "dmarc-cname-loop"  # the stored view carries the finding
    dns.reset_log()
    again = hunter("scan", *domains, "-q", "--no-whois", "--max-age", "7d")
    assert again.exit_code == 0, again.stderr
    assert all(dns.count(d, "MX") == 0 for d in domains)  # complete: not retried within --max-age


def test_the_brief_says_the_dmarc_record_is_broken(hunter, db):
    assert hunter("scan", "loop-dmarc.com", "-q", "--no-whois").exit_code == 0
    brief = hunter("sales-summary", "loop-dmarc.com")
    assert brief.exit_code == 0, brief.stderr
    text = " ".join(brief.stdout.split())
    assert "DMARC record is broken" in text and "lookup failed" not in text
    tr = " ".join(hunter("sales-summary", "loop-dmarc.com", "--lang", "tr").stdout.split())
    assert "DMARC kaydı hatalı" in tr and "sorgusu başarısız" not in tr


# -- resolvers that answer SERVFAIL for a loop instead of returning the chain ----------------------
# The test server returns the chain; the fault makes it answer the record's own question with SERVFAIL,
# as many recursive resolvers do for a loop, while CNAME questions still get the alias records.


@pytest.mark.parametrize(
    "name, domain",
    [
        ("_dmarc.dmarc-ring.com.tr", "dmarc-ring.com.tr"),
        ("_dmarc.loop-dmarc.com", "loop-dmarc.com"),
        ("_dmarc.dmarc-long.com", "dmarc-long.com"),
    ],
)
def test_a_servfail_that_hides_a_dmarc_loop_is_found_out(hunter, dns, name, domain):
    dns.faults[(name, "TXT")] = "servfail"
    r = scan(hunter, domain)[domain]
    assert r["status"] == "ok" and r["errors"] == []
    assert [e["code"] for e in r["dmarc"]["errors"]] == ["dmarc-cname-loop"]
    assert r["dmarc"]["policy"] is None
    assert 1 <= dns.count(name, "CNAME") <= 2  # followed hop by hop, each name asked once (a ring: once more)


def test_a_servfail_that_hides_a_selector_or_spf_loop_is_found_out(hunter, dns):
    dns.faults[("selector1._domainkey.dkim-loop.com.tr", "TXT")] = "servfail"
    dns.faults[("spf.loop-provider.example", "TXT")] = "servfail"
    out = scan(hunter, "dkim-loop.com.tr", "spf-shared-a.com.tr")
    dkim = out["dkim-loop.com.tr"]
    assert dkim["status"] == "ok" and dkim["errors"] == []
    assert codes(dkim["dkim"]["errors"]) == ["dkim-cname-loop", "dkim-cname-loop"]
    spf = out["spf-shared-a.com.tr"]
    assert spf["status"] == "ok" and spf["spf"]["result"] == "permerror"
    assert codes(spf["spf"]["errors"]) == [spf_eval.E_CNAME_LOOP]


def test_a_servfail_at_an_alias_whose_chain_ends_stays_a_failure(hunter, dns):
    assert scan(hunter, "dmarc-alias.com")["dmarc-alias.com"]["dmarc"]["policy"] == "quarantine"
    dns.faults[("_dmarc.dmarc-alias.com", "TXT")] = "servfail"
    r = scan(hunter, "dmarc-alias.com")["dmarc-alias.com"]
    assert r["status"] == "partial" and r["dmarc"] is None
    assert [(e["check"], e["kind"]) for e in r["errors"]] == [("dmarc", "servfail")]


def test_a_domain_whose_own_zone_fails_is_not_searched_for_loops(hunter, dns):
    # Every name of a lame domain gets SERVFAIL: following CNAMEs there would only cost queries.
    for name in ("dkim-loop.com.tr", "_dmarc.dkim-loop.com.tr", "_domainkey.dkim-loop.com.tr"):
        dns.faults[name] = "servfail"
    for sel in ("selector1", "selector2", "google"):
        dns.faults[f"{sel}._domainkey.dkim-loop.com.tr"] = "servfail"
    r = hunter.scan_json("dkim-loop.com.tr", "--no-whois", code=7)["dkim-loop.com.tr"]  # its one domain failed
    assert r["status"] == "failed"
    assert dns.count("_dmarc.dkim-loop.com.tr", "CNAME") == 0
    assert dns.count("selector1._domainkey.dkim-loop.com.tr", "CNAME") == 0


def test_the_brief_says_why_spf_is_broken(hunter, db):
    assert hunter("scan", "spf-include-loop.com", "-q", "--no-whois").exit_code == 0
    en = " ".join(hunter("sales-summary", "spf-include-loop.com").stdout.split())
    assert "SPF is published but broken" in en and "a CNAME chain that loops" in en
    tr = " ".join(hunter("sales-summary", "spf-include-loop.com", "--lang", "tr").stdout.split())
    assert "SPF kaydı var ama hatalı" in tr and "döngüye giren" in tr
