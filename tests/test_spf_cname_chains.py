"""An SPF name that no resolver can follow is permerror, deliberately (tests/zones/spf_chains.zone).

RFC 7208 4.4 maps a failed lookup (a resolver answers a CNAME loop, or a chain longer than it
follows, with SERVFAIL) to temperror; but 2.6.6 defines temperror as transient, "a later retry may
succeed without further DNS operator action", and a loop in the zone never clears by itself: that is
2.6.7's permerror, "an error condition that definitely requires DNS operator intervention to be
resolved". An include target's permerror is the including record's (5.2), a redirect target's too
(6.1). DMARC and DKIM make the same choice (`dmarc-cname-loop`, `dkim-cname-loop`): a finding about
the record, and the domain complete (``ok``), never retried as if the resolver had failed. A real
SERVFAIL at a name whose chain ends stays temperror and ``partial``.
"""

from __future__ import annotations

import pytest

from hunter_cli.dns import spf_eval


def scan(hunter, *domains: str) -> dict[str, dict]:
    return hunter.scan_json(*domains, "--no-whois", "--no-tenant")


@pytest.mark.parametrize(
    ("domain", "where", "said"),
    [
        ("spf-uzun-include.com.tr", ["spf-uzun-include.com.tr", "_spf.spf-uzun-include.com.tr"], "longer than 16"),
        ("spf-uzun-redirect.com.tr", ["spf-uzun-redirect.com.tr", "_spf.spf-uzun-redirect.com.tr"], "longer than 16"),
        ("spf-halka.com.tr", ["spf-halka.com.tr", "spf.halka-bir.example"], "loop"),
        ("spf-mx-dongu.com.tr", ["spf-mx-dongu.com.tr"], "loop"),
        ("spf-exists-dongu.com.tr", ["spf-exists-dongu.com.tr"], "loop"),
    ],
)
def test_a_name_no_resolver_can_follow_is_permerror_and_the_domain_complete(hunter, domain, where, said):
    r = scan(hunter, domain)[domain]
    assert r["status"] == "ok" and r["errors"] == []  # the zone's fault: not a lookup to retry
    spf = r["spf"]
    assert spf["result"] == "permerror" and spf["valid"] is False
    assert [e["code"] for e in spf["errors"]] == [spf_eval.E_CNAME_LOOP]
    assert spf["errors"][0]["where"] == where
    assert said in spf["errors"][0]["message"] and "RFC 7208 2.6.7" in spf["errors"][0]["message"]


def test_a_chain_resolvers_follow_is_an_alias_like_any_other(hunter):
    r = scan(hunter, "spf-kisa-zincir.com.tr")["spf-kisa-zincir.com.tr"]
    assert r["status"] == "ok" and r["spf"]["result"] == "valid" and r["spf"]["errors"] == []
    assert r["spf"]["all"] == "-all"  # the redirect target's, reached through its chain (RFC 7208 6.1)


def test_one_hop_past_the_limit_is_already_too_long(hunter):
    r = scan(hunter, "spf-17-adim.com.tr")["spf-17-adim.com.tr"]
    assert r["spf"]["result"] == "permerror"
    assert [e["code"] for e in r["spf"]["errors"]] == [spf_eval.E_CNAME_LOOP]


def test_a_loop_behind_a_servfail_is_still_permerror_and_a_real_servfail_temperror(hunter, dns):
    # Resolvers answer a loop, or a chain too long, with SERVFAIL: Hunter follows it a hop at a time.
    dns.faults[("_spf.spf-uzun-redirect.com.tr", "TXT")] = "servfail"
    dns.faults[("spf.halka-bir.example", "TXT")] = "servfail"
    dns.faults[("_spf.spf-gercek-hata.com.tr", "TXT")] = "servfail"  # the chain ends: a real failure
    out = scan(hunter, "spf-uzun-redirect.com.tr", "spf-halka.com.tr", "spf-gercek-hata.com.tr")
    for domain in ("spf-uzun-redirect.com.tr", "spf-halka.com.tr"):
        assert out[domain]["status"] == "ok" and out[domain]["spf"]["result"] == "permerror", domain
        assert [e["code"] for e in out[domain]["spf"]["errors"]] == [spf_eval.E_CNAME_LOOP]
    real = out["spf-gercek-hata.com.tr"]
    assert real["status"] == "partial" and real["spf"]["result"] == "temperror"
    assert [(e["check"], e["kind"]) for e in real["errors"]] == [("spf", "servfail")]
