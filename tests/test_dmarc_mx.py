"""DMARC as receivers apply it, MX sets as senders read them, and the tenant named by DKIM CNAMEs.

Unit tests follow RFC 7489 (sections 6.2-6.4, 6.6.3, 7.1) and RFC 7505 section 3;
scan tests run `hunter scan --json` against the loopback DNS server over
tests/zones/dmarc_mx.zone and assert the exact verdict.
"""

from __future__ import annotations

from datetime import date

import pytest

from hunter_cli.brief.compose import compose
from hunter_cli.brief.messages import load
from hunter_cli.catalog import load_catalog
from hunter_cli.dns import dmarc
from hunter_cli.dns import mx as mx_mod
from hunter_cli.facts import dmarc_policy


def codes(findings) -> list[str]:
    return [f["code"] if isinstance(f, dict) else f.code for f in findings]


# ---- RFC 7489 6.3 / 6.4: record selection -------------------------------------------


@pytest.mark.parametrize(
    "txt, selected",
    [
        ("v=DMARC1; p=none", True),
        ("V=DMARC1; p=none", True),  # tag names are case-insensitive
        ("v = DMARC1 ; p=none", True),  # *WSP around '=' and ';'
        ("v=DMARC1", True),
        ("v=dmarc1; p=none", False),  # the value is %x44 %x4d %x41 %x52 %x43 %x31: case-sensitive
        ("v=Dmarc1; p=reject", False),
        ("v=DMARC2; p=none", False),
        ("v=DMARC1 p=reject", False),  # no separator: the version value is not DMARC1
        ("p=reject; v=DMARC1", False),  # v must be the first tag
        ("v=spf1 -all", False),
        ("", False),
    ],
)
def test_version_tag_selects_the_record(txt, selected):
    assert dmarc.is_dmarc(txt) is selected


def test_discarded_records_say_why_and_give_no_policy():
    lower = dmarc.parse_txt(["v=dmarc1; p=reject; rua=mailto:d@a.com.tr"])
    assert lower.result == "invalid" and lower.policy is None and codes(lower.errors) == ["dmarc-version-invalid"]
    late = dmarc.parse_txt(["p=reject; v=DMARC1"])
    assert late.result == "invalid" and late.policy is None and codes(late.errors) == ["dmarc-version-not-first"]
    assert dmarc.parse_txt(["google-site-verification=abc", "v=spf1 -all"]) is None


def test_several_records_mean_no_policy():
    info = dmarc.parse_txt(["v=DMARC1; p=reject", "v=DMARC1; p=reject"])
    assert info.result == "invalid" and info.policy is None and codes(info.errors) == ["dmarc-multiple-records"]
    assert dmarc_policy(info.model_dump()) is None


def test_a_lookalike_beside_the_record_changes_nothing():
    info = dmarc.parse_txt(["v=DMARC1; p=quarantine; rua=mailto:d@a.com.tr", "v=dmarc1; p=none"])
    assert info.result == "valid" and info.policy == "quarantine"
    assert codes(info.warnings) == ["dmarc-record-discarded"]


# ---- RFC 7489 6.6.3 step 6: invalid p / sp ------------------------------------------


@pytest.mark.parametrize(
    "record, result, policy, error",
    [
        ("v=DMARC1; p=reject; sp=rejcet; rua=mailto:dmarc@lale-mobilya.com.tr", "invalid", "none", "dmarc-sp-invalid"),
        ("v=DMARC1; p=reject; sp=rejcet", "invalid", None, "dmarc-sp-invalid"),
        ("v=DMARC1; p=rejectt; rua=mailto:d@a.com.tr", "invalid", "none", "dmarc-p-invalid"),
        ("v=DMARC1; p=block", "invalid", None, "dmarc-p-invalid"),
        ("v=DMARC1; rua=mailto:d@a.com.tr", "invalid", "none", "dmarc-p-missing"),
        ("v=DMARC1", "invalid", None, "dmarc-p-missing"),
        ("v=DMARC1; p=; rua=mailto:d@a.com.tr", "invalid", "none", "dmarc-p-invalid"),
        # a rua that is not a URI does not rescue the record
        ("v=DMARC1; p=quarantine-all; rua=dmarc@a.com.tr", "invalid", None, "dmarc-p-invalid"),
        ("v=DMARC1; p=Reject; sp=QUARANTINE", "valid", "reject", None),  # values are case-insensitive
        ("v=DMARC1; p=quarantine", "valid", "quarantine", None),
    ],
)
def test_effective_policy(record, result, policy, error):
    info = dmarc.parse_record(record)
    assert info.result == result
    assert info.policy == policy
    assert dmarc_policy(info.model_dump()) == policy
    if error is None:
        assert info.errors == []
    else:
        assert error in codes(info.errors)
        assert ("dmarc-policy-ignored" if policy == "none" else "dmarc-no-policy") in codes(info.errors)


def test_published_policy_stays_visible():
    info = dmarc.parse_record("v=DMARC1; p=reject; sp=rejcet; rua=mailto:dmarc@lale-mobilya.com.tr")
    assert info.published_policy == "reject" and info.policy == "none" and info.subdomain_policy == "none"
    assert info.valid is True  # some policy applies (the older summary field)


def test_subdomain_policy_defaults_to_p():
    assert dmarc.parse_record("v=DMARC1; p=quarantine").subdomain_policy == "quarantine"
    weaker = dmarc.parse_record("v=DMARC1; p=reject; sp=none; rua=mailto:d@a.com.tr")
    assert weaker.policy == "reject" and weaker.subdomain_policy == "none"
    assert codes(weaker.warnings) == ["dmarc-sp-weaker"]


# ---- RFC 7489 6.3: other tags -----------------------------------------------------


@pytest.mark.parametrize(
    "pct, ok",
    [
        ("0", True),
        ("100", True),
        ("50", True),
        ("101", False),
        ("-1", False),
        ("abc", False),
        ("", False),
        ("1000", False),
        ("50%", False),
    ],
)
def test_pct_range(pct, ok):
    info = dmarc.parse_record(f"v=DMARC1; p=reject; pct={pct}; rua=mailto:d@a.com.tr")
    # a bad pct is ignored, not the policy; pct=0 selects no mail for reject: quarantine for all (RFC 7489 6.6.4)
    assert info.policy == ("quarantine" if pct == "0" else "reject") and info.result == "valid"
    assert info.published_policy == "reject"
    assert ("dmarc-pct-invalid" in codes(info.errors)) is not ok
    assert info.pct == (int(pct) if ok else 100)


@pytest.mark.parametrize(
    ("record", "policy", "sp"),
    [
        ("v=DMARC1; p=reject; pct=0", "quarantine", "quarantine"),
        ("v=DMARC1; p=quarantine; pct=0", "none", "none"),
        ("v=DMARC1; p=reject; sp=none; pct=0", "quarantine", "none"),
        ("v=DMARC1; p=reject; pct=1", "reject", "reject"),
    ],
)
def test_pct_zero_applies_the_next_weaker_policy_to_all_mail(record, policy, sp):
    info = dmarc.parse_record(record)
    assert (info.policy, info.subdomain_policy) == (policy, sp)
    assert ("dmarc-pct-zero" in codes(info.warnings)) is (record.endswith("pct=0"))


def test_pct_below_100_is_a_warning():
    info = dmarc.parse_record("v=DMARC1; p=quarantine; pct=10; rua=mailto:d@a.com.tr")
    assert info.errors == [] and codes(info.warnings) == ["dmarc-pct-partial"]
    assert dmarc.parse_record("v=DMARC1; p=none; pct=10; rua=mailto:d@a.com.tr").warnings[0].code == "dmarc-policy-none"


@pytest.mark.parametrize(
    "tag, good, bad",
    [
        ("adkim", "s", "x"),
        ("aspf", "R", "strict"),
        ("fo", "0:1:d:s", "2"),
        ("rf", "afrf", "af rf"),
        ("ri", "3600", "soon"),
    ],
)
def test_tag_values(tag, good, bad):
    ok = dmarc.parse_record(f"v=DMARC1; p=reject; rua=mailto:d@a.com.tr; {tag}={good}")
    assert ok.errors == []
    wrong = dmarc.parse_record(f"v=DMARC1; p=reject; rua=mailto:d@a.com.tr; {tag}={bad}")
    assert [(f.code, f.where) for f in wrong.errors] == [("dmarc-tag-value-invalid", [tag])]
    assert wrong.policy == "reject"


def test_unknown_malformed_and_duplicate_tags():
    info = dmarc.parse_record("v=DMARC1; p=reject; rau=mailto:d@a.com.tr; garbage; p=none; rua=mailto:d@a.com.tr")
    assert codes(info.warnings) == ["dmarc-tag-unknown"]
    assert sorted(codes(info.errors)) == ["dmarc-tag-duplicate", "dmarc-tag-malformed"]
    assert info.policy == "reject"  # the first p counts


# ---- RFC 7489 6.2: DMARC URIs -----------------------------------------------------


@pytest.mark.parametrize(
    "uri, host, ok",
    [
        ("mailto:dmarc@acme.com.tr", "acme.com.tr", True),
        ("mailto:dmarc@acme.com.tr!10m", "acme.com.tr", True),
        ("mailto:dmarc@acme.com.tr!500", "acme.com.tr", True),
        ("MAILTO:Dmarc@Acme.COM.tr", "acme.com.tr", True),
        ("mailto:dmarc+rua@acme.com.tr", "acme.com.tr", True),
        ("dmarc@acme.com.tr", None, False),  # no scheme
        ("mailto:dmarc@@acme.com.tr", None, False),
        ("mailto:dmarc@-acme-.com.tr", None, False),
        ("mailto:dmarc@acme", None, False),
        ("mailto:@acme.com.tr", None, False),
        ("mailto:dm arc@acme.com.tr", None, False),
        ("mailto:dmarc@acme.com.tr%2", None, False),
        ("https://rapor.acme.com.tr/dmarc", None, True),  # a URI, though not mailto
    ],
)
def test_report_uris(uri, host, ok):
    _, got_host, problem = dmarc.parse_uri(uri)
    assert (problem is None) is ok
    assert got_host == host


def test_bad_uris_are_errors_and_no_valid_rua_is_a_warning():
    info = dmarc.parse_record("v=DMARC1; p=reject; rua=dmarc@a.com.tr, mailto:x@@a.com.tr")
    assert codes(info.errors) == ["dmarc-uri-invalid", "dmarc-uri-invalid"]
    assert codes(info.warnings) == ["dmarc-no-rua"]
    https = dmarc.parse_record("v=DMARC1; p=reject; rua=https://r.a.com.tr/x")
    assert codes(https.warnings) == ["dmarc-uri-not-mailto"] and https.errors == []


# ---- RFC 7489 7.1: external destinations --------------------------------------------


def test_external_destinations_by_organisational_domain():
    info = dmarc.parse_record(
        "v=DMARC1; p=reject; rua=mailto:a@raporlar.acme.com.tr,mailto:b@rua.vendor.net,mailto:c@vendor.net!5m;"
        " ruf=mailto:f@rua.vendor.net,mailto:g@other.example"
    )
    assert dmarc.external_destinations(info, "acme.com.tr") == ["rua.vendor.net", "vendor.net", "other.example"]
    assert dmarc.authorization_name("acme.com.tr", "vendor.net") == "acme.com.tr._report._dmarc.vendor.net"
    assert dmarc.is_authorization(["v=DMARC1"]) and dmarc.is_authorization(["v=DMARC1; rua=mailto:x@vendor.net"])
    assert not dmarc.is_authorization(["v=spf1 -all"]) and not dmarc.is_authorization([])


# ---- RFC 7505 3 and RFC 5321 5.1: MX sets (pure) -------------------------------------


def test_null_mx_only_alone_with_preference_zero():
    assert mx_mod.check([(0, "")], {}).null_mx is True
    mixed = mx_mod.check([(0, ""), (10, "mx.a.com.tr")], {"mx.a.com.tr": (True, None)})
    assert mixed.null_mx is False and codes(mixed.errors) == ["null-mx-mixed"]
    assert [h.host for h in mixed.hosts] == ["mx.a.com.tr"]
    odd = mx_mod.check([(10, "")], {})
    assert odd.null_mx is False and codes(odd.errors) == ["null-mx-malformed"]


def test_mx_host_verdicts():
    res = mx_mod.check(
        [(5, "alias.a.com.tr"), (10, "gone.a.com.tr"), (20, "192.0.2.1"), (30, "slow.a.com.tr")],
        {"alias.a.com.tr": (True, "x.mail.protection.outlook.com"), "gone.a.com.tr": (False, None)},
    )
    assert [(h.host, h.resolved, h.canonical) for h in res.hosts] == [
        ("alias.a.com.tr", True, "x.mail.protection.outlook.com"),
        ("gone.a.com.tr", False, None),
        ("192.0.2.1", None, None),
        ("slow.a.com.tr", None, None),  # lookup failed: neither resolved nor unresolved
    ]
    assert codes(res.errors) == ["mx-host-unresolved"]
    assert codes(res.warnings) == ["mx-alias", "mx-ip-literal"]
    assert res.unresolved == {"gone.a.com.tr"}


@pytest.mark.parametrize("host", ["192.0.2.1", "[192.0.2.1]", "2001:db8::1", "[IPv6:2001:db8::1]"])
def test_ip_literals(host):
    assert mx_mod.is_ip_literal(host)


@pytest.mark.parametrize("host", ["mx.192.0.2.1.example", "1.2.3", "mail.acme.com.tr"])
def test_names_are_not_ip_literals(host):
    assert not mx_mod.is_ip_literal(host)


# ---- tenant initial domain from DKIM CNAME targets ----------------------------------


@pytest.mark.parametrize(
    "target, initial",
    [
        ("selector1-mavi-liman-com-tr._domainkey.maviliman.r-v1.dkim.mail.microsoft.", "maviliman.onmicrosoft.com"),
        ("selector2-mavi-liman-com-tr._domainkey.maviliman.r-v1.dkim.mail.microsoft", "maviliman.onmicrosoft.com"),
        ("selector1-acme-com._domainkey.acmeltd.n-v2.dkim.mail.microsoft", "acmeltd.onmicrosoft.com"),
        ("SELECTOR1-ACME-COM._domainkey.AcmeLtd.Y-V1.dkim.mail.microsoft", "acmeltd.onmicrosoft.com"),
        ("selector1-acme-com._domainkey.acmecorp.onmicrosoft.com.", "acmecorp.onmicrosoft.com"),
        ("selector1-acme-cn._domainkey.acmecn.partner.onmschina.cn", "acmecn.partner.onmschina.cn"),
        ("selector1-acme-cn._domainkey.acmecn.onmschina.cn", "acmecn.onmschina.cn"),
        ("selector1-agency-us._domainkey.agency.onmicrosoft.us", "agency.onmicrosoft.us"),
        ("selector1-firma-de._domainkey.firmade.onmicrosoft.de", "firmade.onmicrosoft.de"),
        # not a tenant form
        ("selector1-acme-com._domainkey.acme.dkim.mail.microsoft", None),  # no partition label
        ("r-v1.dkim.mail.microsoft", None),
        ("acme.onmicrosoft.com", None),
        ("s1.domainkey.u123.wl.sendgrid.net", None),
        ("selector1-acme-com._domainkey.acme.onmicrosoft.com.evil.example", None),
        ("", None),
        (None, None),
    ],
)
def test_initial_domain_from_dkim_cname(target, initial):
    assert load_catalog().initial_domain(target) == initial


def test_tenant_forms_are_catalog_data():
    cat = load_catalog()
    suffixes = [f.suffix for f in cat.tenant_dkim]
    assert suffixes.index("partner.onmschina.cn") < suffixes.index("onmschina.cn")  # longest first
    for form in cat.tenant_dkim:  # every form is also an M365 DKIM host for classification
        assert cat.match_dkim("x." + form.suffix).id == "m365"


# ---- scans over the loopback DNS server ---------------------------------------------


def test_issue_example_invalid_sp_is_not_reject(hunter):
    r = hunter.scan_json("lale-mobilya.com.tr")["lale-mobilya.com.tr"]
    d = r["dmarc"]
    assert (d["result"], d["policy"], d["published_policy"]) == ("invalid", "none", "reject")
    assert codes(d["errors"]) == ["dmarc-sp-invalid", "dmarc-policy-ignored"]
    assert "dmarc_reject +20" not in r["reasons"] and "dmarc_none -10" in r["reasons"]
    brief = compose(r, today=date(2026, 11, 29))
    assert any("p=reject" in line and "p=none" in line for line in brief.security)
    assert not any("enforced" in line for line in brief.security)


@pytest.mark.parametrize(
    "domain, result, policy, error, reason",
    [
        ("kirmizi-kalem.com.tr", "invalid", None, "dmarc-no-policy", "no_dmarc -10"),
        ("mavi-defter.com.tr", "invalid", None, "dmarc-no-policy", "no_dmarc -10"),
        ("sari-zarf.com.tr", "invalid", "none", "dmarc-p-missing", "dmarc_none -10"),
        ("kucuk-harf.com.tr", "invalid", None, "dmarc-version-invalid", "no_dmarc -10"),
        ("ters-sira.com.tr", "invalid", None, "dmarc-version-not-first", "no_dmarc -10"),
        ("iki-kayit.com.tr", "invalid", None, "dmarc-multiple-records", "no_dmarc -10"),
        ("benzer-kayit.com.tr", "valid", "quarantine", None, "dmarc_quarantine +15"),
        ("buyuk-harf.com.tr", "valid", "reject", None, "dmarc_reject +20"),
        ("yuzde-fazla.com.tr", "valid", "quarantine", "dmarc-pct-invalid", "dmarc_quarantine +15"),
        ("izleme.com.tr", "valid", "none", None, "dmarc_none -10"),
    ],
)
def test_dmarc_verdicts(hunter, domain, result, policy, error, reason):
    r = hunter.scan_json(domain)[domain]
    assert r["status"] == "ok"
    d = r["dmarc"]
    assert (d["result"], d["policy"]) == (result, policy)
    assert (error in codes(d["errors"])) if error else d["errors"] == []
    assert reason in r["reasons"]


def test_dmarc_warnings(hunter):
    res = hunter.scan_json("yarim-koruma.com.tr", "alt-zayif.com.tr", "raporsuz.com.tr", "izleme.com.tr")
    assert codes(res["yarim-koruma.com.tr"]["dmarc"]["warnings"]) == ["dmarc-pct-partial"]
    assert codes(res["alt-zayif.com.tr"]["dmarc"]["warnings"]) == ["dmarc-sp-weaker"]
    assert codes(res["raporsuz.com.tr"]["dmarc"]["warnings"]) == ["dmarc-no-rua"]
    assert codes(res["izleme.com.tr"]["dmarc"]["warnings"]) == ["dmarc-policy-none"]


def test_malformed_tags_and_uris_are_reported(hunter):
    d = hunter.scan_json("bozuk-adres.com.tr")["bozuk-adres.com.tr"]["dmarc"]
    assert d["result"] == "valid" and d["policy"] == "reject"
    assert [(f["code"], f["where"][0]) for f in d["errors"]] == [
        ("dmarc-uri-invalid", "rua"),
        ("dmarc-uri-invalid", "ruf"),
        ("dmarc-tag-value-invalid", "adkim"),
        ("dmarc-tag-value-invalid", "fo"),
        ("dmarc-tag-value-invalid", "ri"),
    ]
    assert codes(d["warnings"]) == ["dmarc-tag-unknown"]


def test_report_authorization(hunter, dns):
    res = hunter.scan_json("dis-rapor.com.tr", "ic-rapor.com.tr", "yanlis-izin.com.tr", "ortak-izin.com.tr")
    ext = res["dis-rapor.com.tr"]
    missing = [f for f in ext["dmarc"]["warnings"] if f["code"] == "dmarc-report-authorization-missing"]
    assert [f["where"] for f in missing] == [["izinsiz-rapor.net"]]
    assert ext["status"] == "ok" and ext["dmarc"]["policy"] == "reject"
    # rapor-hizmeti.net is named by rua and ruf: asked once
    assert dns.count("dis-rapor.com.tr._report._dmarc.rapor-hizmeti.net", "TXT") == 1
    assert res["ic-rapor.com.tr"]["dmarc"]["warnings"] == []
    assert dns.count("ic-rapor.com.tr._report._dmarc.raporlar.ic-rapor.com.tr", "TXT") == 0
    assert codes(res["yanlis-izin.com.tr"]["dmarc"]["warnings"]) == ["dmarc-report-authorization-missing"]
    assert codes(res["ortak-izin.com.tr"]["dmarc"]["warnings"]) == ["dmarc-report-authorization-missing"]
    brief = compose(ext, lang="tr", today=date(2026, 11, 29))
    assert any("izinsiz-rapor.net" in line for line in brief.security)


def test_failed_report_authorization_is_a_failure_not_missing(hunter, dns):
    dns.faults["izin-hatasi.com.tr._report._dmarc.rapor-hizmeti.net"] = "servfail"
    r = hunter.scan_json("izin-hatasi.com.tr")["izin-hatasi.com.tr"]
    assert r["status"] == "partial"
    assert [(e["check"], e["kind"]) for e in r["errors"]] == [("dmarc_report", "servfail")]
    assert r["dmarc"]["warnings"] == [] and r["dmarc"]["policy"] == "reject"
    assert "dmarc_reject +20" in r["reasons"]  # the policy itself answered


def test_issue_example_mx_alias_into_exchange_online(hunter):
    r = hunter.scan_json("orman-ahsap.com.tr")["orman-ahsap.com.tr"]
    assert r["status"] == "ok" and r["provider"] == "m365"
    assert r["mx"] == [
        {
            "host": "mx1.orman-ahsap.com.tr",
            "preference": 10,
            "resolved": True,
            "canonical": "orman-ahsap-com-tr.mail.protection.outlook.com",
        }
    ]
    assert [(f["code"], f["where"]) for f in r["mx_warnings"]] == [
        ("mx-alias", ["mx1.orman-ahsap.com.tr", "orman-ahsap-com-tr.mail.protection.outlook.com"])
    ]
    assert r["mx_errors"] == [] and r["segment"] == "Existing"
    assert any("alias" in e for e in r["evidence"])


@pytest.mark.parametrize(
    "domain, provider, gateway",
    [("takma-ad.com.tr", "google", None), ("iki-adim.com.tr", "other", "mimecast")],
)
def test_aliases_classify_by_canonical_name(hunter, domain, provider, gateway):
    r = hunter.scan_json(domain)[domain]
    assert (r["provider"], r["gateway"]) == (provider, gateway)
    assert codes(r["mx_warnings"]) == ["mx-alias"] and r["mx"][0]["resolved"] is True


@pytest.mark.parametrize("domain", ["yazim-hatasi.com.tr", "nokta-yok.com.tr", "adressiz.com.tr", "kopuk-alias.com.tr"])
def test_no_mx_host_resolves_is_broken(hunter, domain):
    r = hunter.scan_json(domain)[domain]
    assert r["status"] == "ok" and r["errors"] == []
    assert r["provider"] == "broken"
    assert [h["resolved"] for h in r["mx"]] == [False]
    assert codes(r["mx_errors"]) == ["mx-host-unresolved"]
    assert (r["segment"], r["category"]) == ("Cold", "P1")  # mail bounces: the most urgent call (broken_mail)
    brief = compose(r, today=date(2026, 11, 29))
    assert any("broken" in line for line in brief.mail)
    assert "own" not in brief.one_liner.lower()


def test_unresolved_primary_falls_to_the_backup(hunter):
    r = hunter.scan_json("yedekli.com.tr")["yedekli.com.tr"]
    assert r["provider"] == "google"
    assert [(h["host"], h["resolved"]) for h in r["mx"]] == [
        ("mx-eski.yedekli.com.tr", False),
        ("smtp.google.com", True),
    ]
    assert [(f["code"], f["where"]) for f in r["mx_errors"]] == [("mx-host-unresolved", ["mx-eski.yedekli.com.tr"])]


def test_aaaa_only_host_resolves(hunter, dns):
    r = hunter.scan_json("ipv6-sunucu.com.tr")["ipv6-sunucu.com.tr"]
    assert r["provider"] == "self-hosted" and r["mx"][0]["resolved"] is True and r["mx_errors"] == []
    assert dns.count("mx.ipv6-sunucu.com.tr", "AAAA") == 1


def test_nxdomain_host_is_not_asked_for_aaaa(hunter, dns):
    hunter.scan_json("yazim-hatasi.com.tr")
    assert dns.count("mial.yazim-hatasi.com.tr", "A") == 1
    assert dns.count("mial.yazim-hatasi.com.tr", "AAAA") == 0  # NXDOMAIN covers every type (RFC 8020)


def test_ip_literal_mx(hunter, dns):
    r = hunter.scan_json("ip-mx.com.tr")["ip-mx.com.tr"]
    # the only MX: mail bounces, an error (trial 22), not a warning
    assert codes(r["mx_errors"]) == ["mx-ip-literal"] and r["mx_warnings"] == [] and r["mx"][0]["resolved"] is None
    # an address is no MX host (RFC 5321 5.1): most senders will not deliver to it, so, with no other MX
    # host, mail to the domain bounces or is refused: provider broken (docs/scoring.md)
    assert r["provider"] == "broken" and r["status"] == "ok"
    assert dns.count("192.0.2.25") == 0


def test_mx_host_timeout_is_a_failure_not_broken(hunter, dns):
    dns.faults["mx.yavas-mx.com.tr"] = "drop"
    r = hunter.scan_json("yavas-mx.com.tr")["yavas-mx.com.tr"]
    assert r["status"] == "partial"
    assert [(e["check"], e["kind"]) for e in r["errors"]] == [("mx_host", "timeout")]
    assert r["provider"] == "self-hosted" and r["mx"][0]["resolved"] is None
    assert r["mx_errors"] == []
    assert r["score"] is None  # not scored until the host answers


def test_failed_host_lookup_is_not_cached(hunter, dns):
    dns.faults["mx.yavas-mx.com.tr"] = "servfail"
    first = hunter.scan_json("yavas-mx.com.tr")["yavas-mx.com.tr"]
    assert first["status"] == "partial"
    dns.clear_faults()
    again = hunter.scan_json("yavas-mx.com.tr")["yavas-mx.com.tr"]
    assert again["status"] == "ok" and again["mx"][0]["resolved"] is True


def test_shared_mx_host_is_asked_once_per_run(hunter, dns):
    # a generous timeout: on a loaded machine a 0.3 s timeout resends the question, and the count is what is tested
    res = hunter.scan_json(
        "paylasim-bir.com.tr", "paylasim-iki.com.tr", "lale-mobilya.com.tr", "buyuk-harf.com.tr",
        "--nameserver", dns.nameserver, "--timeout", "5", dns_args=False,
    )  # fmt: skip
    assert all(r["mx"][0]["resolved"] for r in res.values())
    assert dns.count("mx.ortak-posta.net", "A") == 1
    assert dns.count("smtp.google.com", "A") == 1


def test_issue_example_null_mx_beside_a_host(hunter):
    r = hunter.scan_json("gunes-cam.com.tr")["gunes-cam.com.tr"]
    assert r["null_mx"] is False
    assert codes(r["mx_errors"]) == ["null-mx-mixed"]
    assert r["provider"] == "self-hosted"
    assert [h["host"] for h in r["mx"]] == ["mx.gunes-cam.com.tr"]
    for lang in ("en", "tr"):
        brief = compose(r, lang=lang, today=date(2026, 11, 29))
        assert brief.mail[1] == load(lang)["mail.null_mx_mixed"]
    en = compose(r, today=date(2026, 11, 29))
    assert not any("accepts no mail" in line for line in en.mail)


def test_null_mx_variants(hunter):
    res = hunter.scan_json("bos-ve-dolu.com.tr", "sifir-degil.com.tr", "posta-yok.com.tr")
    mixed = res["bos-ve-dolu.com.tr"]
    assert (mixed["null_mx"], mixed["provider"], codes(mixed["mx_errors"])) == (False, "google", ["null-mx-mixed"])
    odd = res["sifir-degil.com.tr"]
    assert (odd["null_mx"], odd["provider"], codes(odd["mx_errors"])) == (False, "none", ["null-mx-malformed"])
    proper = res["posta-yok.com.tr"]
    assert (proper["null_mx"], proper["provider"], proper["mx_errors"]) == (True, "none", [])


def test_issue_example_new_dkim_form_names_the_tenant(hunter, dns):
    r = hunter.scan_json("mavi-liman.com.tr")["mavi-liman.com.tr"]
    assert r["dkim"]["tenant_domain"] == "maviliman.onmicrosoft.com"
    assert r["provider"] == "m365"
    # signing never turned on: the CNAMEs stand, no key behind them
    assert [s["key_type"] for s in r["dkim"]["selectors"]] == [None, None]


@pytest.mark.parametrize(
    "domain, initial",
    [
        ("yeni-imza.com.tr", "yeniimzaas.onmicrosoft.com"),
        ("cin-sube.com.cn", "cinsube.partner.onmschina.cn"),
        ("kamu-ajans.us", "kamuajans.onmicrosoft.us"),
    ],
)
def test_tenant_in_each_clouds_suffix(hunter, domain, initial):
    r = hunter.scan_json(domain)[domain]
    assert r["dkim"]["tenant_domain"] == initial and r["provider"] == "m365"


def test_mx_alias_alone_hints_at_microsoft_for_dangling_dkim(hunter, dns):
    r = hunter.scan_json("gizli-ms.com.tr")["gizli-ms.com.tr"]
    assert r["provider"] == "m365"
    assert r["dkim"]["tenant_domain"] == "gizlims.onmicrosoft.com"
    assert dns.count("selector1._domainkey.gizli-ms.com.tr", "CNAME") == 1
