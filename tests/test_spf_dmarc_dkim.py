"""SPF (RFC 7208), DMARC (RFC 7489) and DKIM record parsing: pure functions, no DNS."""

from hunter_cli.dns import dkim, dmarc, spf, spf_eval
from hunter_cli.dns.resolver import Answer
from hunter_cli.models import SpfInfo


def _evaluate(domain, zone):
    """Evaluate against a dict zone {(name, rtype): records}; absent names are NXDOMAIN."""
    answers = {}
    while True:
        ev = spf_eval.evaluate(domain, answers | {(domain, "TXT"): Answer("noerror", zone[(domain, "TXT")])})
        if not ev.missing:
            return ev
        for key in ev.missing:
            records = zone.get(key)
            answers[key] = Answer("noerror", records) if records else Answer("nxdomain")


def test_spf_terms_includes_all_and_lookups():
    info = spf.describe("v=spf1 ip4:1.2.3.4 include:_spf.google.com include:spf.protection.outlook.com a mx ~all")
    assert info.all == "~all"
    assert info.includes == ["_spf.google.com", "spf.protection.outlook.com"]
    assert info.lookups == 4  # this record's own terms; the evaluator counts the tree
    assert info.terms[0] == "ip4:1.2.3.4"


def test_spf_is_case_insensitive_and_ignores_other_txt():
    assert spf.spf_records(["google-site-verification=x", "V=SPF1 INCLUDE:Spf.Example.net -ALL"]) == [
        "V=SPF1 INCLUDE:Spf.Example.net -ALL"
    ]
    info = spf.describe("V=SPF1 INCLUDE:Spf.Example.net -ALL")
    assert info.includes == ["spf.example.net"] and info.all == "-all"
    assert spf.spf_records(["v=spf10 nothing"]) == []
    assert spf.spf_records([]) == []


def test_two_spf_records_are_an_error():
    ev = _evaluate("x.test", {("x.test", "TXT"): ["v=spf1 -all", "v=spf1 include:x.com ~all"]})
    assert ev.result == "permerror"
    assert ev.errors[0].code == "spf-multiple-records" and "2 SPF records" in ev.errors[0].message


def test_spf_redirect_and_modifiers():
    info = spf.describe("v=spf1 redirect=_spf.acme.net exp=explain.acme.net")
    assert info.redirect == "_spf.acme.net" and info.all is None
    assert info.lookups == 1
    zone = {("acme.test", "TXT"): ["v=spf1 -all redirect=_spf.acme.net"]}
    ev = _evaluate("acme.test", zone)  # _spf.acme.net does not exist, but is never asked
    assert ev.result == "valid" and ev.lookups == 0
    assert [w.code for w in ev.warnings] == ["spf-redirect-ignored"]


def test_spf_unknown_mechanism_is_reported():
    record = spf.parse("v=spf1 ip4:1.2.3.4 foo:bar -all")
    assert [code for code, _ in record.errors] == ["spf-unknown-mechanism"]


def test_spf_lookup_count_through_the_include_tree():
    zone = {
        ("root.test", "TXT"): ["v=spf1 include:a.test include:b.test ip4:192.0.2.1 -all"],
        ("a.test", "TXT"): ["v=spf1 include:c.test a:h.test mx:h.test ~all"],
        ("b.test", "TXT"): ["v=spf1 " + " ".join(f"exists:{i}.x.test" for i in range(6)) + " -all"],
        ("c.test", "TXT"): ["v=spf1 ip4:1.1.1.1 -all"],
        ("h.test", "A"): ["192.0.2.1"],
        ("h.test", "MX"): [(10, "h.test")],
    } | {(f"{i}.x.test", "A"): ["127.0.0.2"] for i in range(6)}
    ev = _evaluate("root.test", zone)
    # root: 2 includes; a: include + a + mx = 3; b: 6 exists, the 11th term is the last exists
    assert ev.result == "permerror" and ev.lookups == 11
    assert ev.errors[0].code == "spf-lookup-limit" and ev.errors[0].where == ["root.test", "b.test"]


def test_spf_include_loop_ends_in_the_lookup_limit():
    """A loop ends where receivers stop, past 10 lookups (RFC 7208 4.6.4); its code names the loop, and
    ``where`` the chain, each name once."""
    zone = {
        ("root.test", "TXT"): ["v=spf1 include:a.test -all"],
        ("a.test", "TXT"): ["v=spf1 include:root.test -all"],
    }
    ev = _evaluate("root.test", zone)
    assert ev.result == "permerror" and ev.lookups == 11
    assert ev.errors[0].code == "spf-include-loop" and ev.errors[0].where == ["root.test", "a.test"]


def test_spf_missing_include_target_is_a_permerror():
    ev = _evaluate("root.test", {("root.test", "TXT"): ["v=spf1 include:gone.test -all"]})
    assert ev.result == "permerror"
    assert ev.errors[0].code == "spf-include-none" and ev.errors[0].where == ["root.test", "gone.test"]


def test_dmarc_reject_with_sp_none_is_reject():
    d = dmarc.parse_txt(["v=DMARC1; p=reject; sp=none; rua=mailto:a@x.com,mailto:b@y.com; ruf=mailto:f@x.com"])
    assert d.policy == "reject" and d.subdomain_policy == "none"
    assert d.rua == ["mailto:a@x.com", "mailto:b@y.com"] and d.ruf == ["mailto:f@x.com"]
    assert d.pct == 100 and d.adkim == "r" and d.aspf == "r"


def test_dmarc_is_case_insensitive():
    d = dmarc.parse_txt(["V=DMARC1; P=Reject; PCT=50; ADKIM=S; ASPF=s"])
    assert d.policy == "reject" and d.pct == 50 and d.adkim == "s" and d.aspf == "s"
    assert d.subdomain_policy == "reject"
    assert any("50%" in p for p in d.problems)


def test_dmarc_several_records_means_no_policy():
    d = dmarc.parse_txt(["v=DMARC1; p=reject", "v=DMARC1; p=none"])
    assert d.valid is False and d.policy is None
    assert "2 DMARC records" in d.problems[0]


def test_dmarc_absent_and_unrelated_txt():
    assert dmarc.parse_txt([]) is None
    assert dmarc.parse_txt(["some other text"]) is None


def test_dmarc_invalid_policy():
    bad = dmarc.parse_txt(["v=DMARC1; p=block"])
    assert bad.valid is False and bad.policy is None
    rua_only = dmarc.parse_txt(["v=DMARC1; rua=mailto:x@y.com"])
    assert rua_only.policy == "none" and rua_only.valid  # RFC 7489 6.6.3
    bad_pct = dmarc.parse_txt(["v=DMARC1; p=quarantine; pct=abc"])
    assert bad_pct.pct == 100 and any("pct" in p for p in bad_pct.problems)


def test_dkim_key_records():
    s = dkim.parse_key("google", ["v=DKIM1; k=rsa; p=MIIBIjANBg"], None)  # a key cut short: no RSA key in it
    assert s.key_type == "rsa" and not s.revoked and s.problem_code == "dkim-bad-rsa-key"
    p_only = dkim.parse_key("s1", ["p=MIGfMA0G"], None)  # six bytes: the start of a key, no more
    assert p_only is not None and p_only.key_type == "rsa" and p_only.problem_code == "dkim-bad-rsa-key"
    revoked = dkim.parse_key("s1", ["v=DKIM1; p="], None)
    assert revoked.revoked and revoked.problem is None  # withdrawn, not broken
    assert dkim.parse_key("s1", ["p=MIGfMA0GC"], None).problem_code == "dkim-bad-base64"  # one past a group of 4
    ed = dkim.parse_key("s1", ["v=DKIM1; k=ed25519; p=11qYAYKx"], None)
    assert ed.key_type == "ed25519" and ed.problem_code == "dkim-bad-ed25519-key"
    assert dkim.parse_key("s1", ["not a key"], None) is None


def test_dkim_tenant_from_cname():
    assert (
        dkim.tenant_from_cname("selector1-acme-com._domainkey.acmecorp.onmicrosoft.com.") == "acmecorp.onmicrosoft.com"
    )
    assert dkim.tenant_from_cname("s1.domainkey.u123.wl.sendgrid.net") is None
    assert dkim.tenant_from_cname(None) is None


def test_dkim_selector_list_parsing():
    assert dkim.parse_selectors("selector1, Google ,selector1") == ("selector1", "google")
    import pytest

    with pytest.raises(ValueError):
        dkim.parse_selectors("bad selector!")


def test_spfinfo_defaults_are_independent():
    a, b = SpfInfo(), SpfInfo()
    a.includes.append("x")
    assert b.includes == []
