"""The scan against a real DNS server: answers, failures, retries, TCP fallback, query economy."""

import pytest

from hunter_cli.exits import ExitStatus


def test_m365_domain_full_record(hunter):
    r = hunter.scan_json("firma.com.tr")["firma.com.tr"]
    assert r["status"] == "ok" and r["errors"] == []
    assert r["provider"] == "m365" and r["gateway"] is None
    assert r["mx"] == [
        {"host": "firma-com-tr.mail.protection.outlook.com", "preference": 10, "resolved": True, "canonical": None}
    ]
    assert r["null_mx"] is False and r["mx_errors"] == [] and r["mx_warnings"] == []
    assert r["spf"]["all"] == "-all" and r["spf"]["includes"] == ["spf.protection.outlook.com"]
    assert r["dmarc"]["policy"] == "reject" and r["dmarc"]["subdomain_policy"] == "none"
    assert r["dmarc"]["pct"] == 100 and r["dmarc"]["rua"] == ["mailto:dmarc@firma.com.tr"]
    sel = r["dkim"]["selectors"]
    assert [s["selector"] for s in sel] == ["selector1"]
    assert sel[0]["cname"] == "selector1-firma-com-tr._domainkey.firmatr.onmicrosoft.com"
    assert sel[0]["key_type"] == "rsa"
    assert r["dkim"]["tenant_domain"] == "firmatr.onmicrosoft.com"
    assert (r["score"], r["segment"], r["category"]) == (90, "Existing", "P4")


def test_dangling_m365_dkim_cname_still_names_the_tenant(hunter):
    r = hunter.scan_json("dangling.com")["dangling.com"]
    sel = {s["selector"]: s for s in r["dkim"]["selectors"]}
    assert sel["selector1"]["cname"].endswith("danglingco.onmicrosoft.com")
    assert sel["selector1"]["key_type"] is None  # no key behind it: DKIM not enabled
    assert r["dkim"]["tenant_domain"] == "danglingco.onmicrosoft.com"


def test_google_selectors_and_case_insensitive_dmarc(hunter):
    r = hunter.scan_json("gmailer.de")["gmailer.de"]
    assert r["provider"] == "google"
    found = {s["selector"]: s for s in r["dkim"]["selectors"]}
    assert set(found) == {"google", "k1", "s1"}
    assert found["s1"]["revoked"] is True
    d = r["dmarc"]
    assert (d["policy"], d["pct"]) == ("quarantine", 50)
    assert d["rua"] == ["mailto:a@gmailer.de", "mailto:b@report.example.net"]


def test_two_spf_and_two_dmarc_records_are_errors(hunter):
    r = hunter.scan_json("double.com")["double.com"]
    assert r["provider"] == "self-hosted"
    assert r["spf"]["valid"] is False and "2 SPF records" in r["spf"]["problems"][0]
    assert r["dmarc"]["valid"] is False and r["dmarc"]["policy"] is None


def test_spf_include_loop_is_evaluated_until_a_limit(hunter):
    # heavy.com -> a -> c -> (a:x, a:y: nothing there) -> a -> c -> a:x again: the third void lookup
    spf = hunter.scan_json("heavy.com")["heavy.com"]["spf"]
    assert spf["result"] == "permerror" and spf["valid"] is False
    assert [e["code"] for e in spf["errors"]] == ["spf-void-lookup-limit"]
    assert spf["errors"][0]["where"] == [
        "heavy.com",
        "a.heavy-relay.net",
        "c.heavy-relay.net",
        "a.heavy-relay.net",
        "c.heavy-relay.net",
    ]
    assert spf["lookups"] == 7 and spf["void_lookups"] == 3
    assert spf["expanded"] == ["a.heavy-relay.net", "c.heavy-relay.net"]


def test_spf_redirect_and_missing_include(hunter):
    r = hunter.scan_json("redirected.com")["redirected.com"]
    spf = r["spf"]
    assert spf["redirect"] == "_spf.redirected.com"
    assert "spf.protection.outlook.com" in spf["expanded"]
    assert any("gone.example.org publishes no SPF" in p for p in spf["problems"])
    assert spf["result"] == "permerror" and spf["errors"][0]["code"] == "spf-include-none"
    assert spf["errors"][0]["where"] == ["redirected.com", "_spf.redirected.com", "gone.example.org"]
    assert r["status"] == "ok"  # a dead include is the domain's problem, not a lookup failure


def test_huge_txt_falls_back_to_tcp(hunter, dns):
    r = hunter.scan_json("bigtxt.com")["bigtxt.com"]
    assert r["status"] == "ok"
    assert r["spf"]["includes"] == ["_spf.google.com"]
    assert dns.count("bigtxt.com", "TXT", "tcp") >= 1


def test_forced_truncation_uses_tcp(hunter, dns):
    dns.faults["truncated.com"] = "truncate"
    r = hunter.scan_json("truncated.com")["truncated.com"]
    assert r["status"] == "ok" and r["provider"] == "m365"
    assert dns.count("truncated.com", "MX", "tcp") >= 1


def test_null_mx_nxdomain_and_nodata_are_real_answers(hunter):
    res = hunter.scan_json("nomail.com", "parked.net", "does-not-exist-at-all.com")
    assert res["nomail.com"]["provider"] == "none" and res["nomail.com"]["null_mx"] is True
    assert res["nomail.com"]["mx"] == []
    for d in ("parked.net", "does-not-exist-at-all.com"):
        assert res[d]["provider"] == "none"
        assert res[d]["status"] == "ok" and res[d]["errors"] == []


@pytest.mark.parametrize("fault, kind", [("drop", "timeout"), ("servfail", "servfail"), ("refused", "refused")])
def test_mx_failure_is_unknown_not_none(hunter, dns, fault, kind):
    dns.faults[("slowmx.com", "MX")] = fault
    r = hunter.scan_json("slowmx.com", code=ExitStatus.ALL_FAILED)["slowmx.com"]  # its one domain failed
    assert r["status"] == "failed"
    assert r["provider"] == "unknown"
    assert {"check": "mx", "kind": kind} == {k: r["errors"][0][k] for k in ("check", "kind")}
    assert r["score"] is None and r["segment"] is None and r["category"] is None
    # the SPF still answered and is reported
    assert r["spf"]["includes"] == ["spf.protection.outlook.com"]


def test_timeouts_are_retried(hunter, dns):
    dns.faults[("flaky.com", "MX")] = "drop-once"
    r = hunter.scan_json("flaky.com")["flaky.com"]
    assert r["status"] == "ok" and r["provider"] == "m365"
    assert dns.count("flaky.com", "MX") == 2


def test_servfail_is_not_retried_or_hidden(hunter, dns):
    dns.faults["_dmarc.halfbroken.com"] = "servfail"
    r = hunter.scan_json("halfbroken.com")["halfbroken.com"]
    assert r["status"] == "partial"
    assert r["provider"] == "m365"
    assert r["dmarc"] is None
    assert [e["check"] for e in r["errors"]] == ["dmarc"]
    assert dns.count("_dmarc.halfbroken.com", "TXT") == 1


def test_dkim_selectors_probed_only_where_domainkey_exists(hunter, dns):
    hunter.scan_json("nomail.com", "firma.com.tr")
    assert dns.count("_domainkey.nomail.com", "TXT") == 1
    assert dns.count("selector1._domainkey.nomail.com") == 0
    assert dns.count("selector2._domainkey.firma.com.tr", "TXT") == 1
    assert dns.count("mail._domainkey.firma.com.tr", "TXT") == 1


def test_configurable_selectors(hunter, dns):
    """--dkim-selectors replaces the default list; the selector the MX's provider hands out (Google's `google`,
    providers.json `dkim_selectors`) is still asked beside it."""
    r = hunter.scan_json("gmailer.de", "--dkim-selectors", "k1,custom")["gmailer.de"]
    assert r["dkim"]["checked"] == ["k1", "custom", "google"]
    assert [s["selector"] for s in r["dkim"]["selectors"]] == ["k1", "google"]
    assert dns.count("default._domainkey.gmailer.de") == 0  # the default list is not asked


def test_spf_include_targets_are_fetched_once_per_run(hunter, dns):
    hunter.scan_json("firma.com.tr", "dangling.com", "slowmx.com", "flaky.com")
    assert dns.count("spf.protection.outlook.com", "TXT") == 1


def test_no_answer_cache_between_queries(hunter, dns):
    """c-ares' own cache is off: a rescan asks the server again and sees changed data."""
    hunter.scan_json("firma.com.tr")
    hunter.scan_json("firma.com.tr")
    assert dns.count("firma.com.tr", "MX") == 2


def test_idn_input_is_scanned_as_a_label(hunter):
    res = hunter.scan_json("https://www.çiçekçi-ahmet.com.tr/iletisim")
    r = res["xn--ieki-ahmet-n6abc.com.tr"]
    assert r["provider"] == "yandex"
    assert r["spf"]["redirect"] == "_spf.yandex.net"


def test_failover_to_second_nameserver(hunter, dns):
    # 127.0.0.1:9 answers nothing (discard port, closed): the scan must move on to the real server.
    result = hunter(
        "scan",
        "firma.com.tr",
        "--json",
        "--nameserver",
        "127.0.0.1:9",
        "--nameserver",
        dns.nameserver,
        "--timeout",
        "0.3",
        dns_args=False,
    )
    assert result.exit_code == 0, result.stderr
    assert '"provider":"m365"' in result.stdout
