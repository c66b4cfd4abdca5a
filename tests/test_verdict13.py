"""Trial 13's wrong verdicts, each fixed for its whole kind (tests/zones/verdict13.zone).

DKIM keys restricted to another service (RFC 6376 3.6.1 ``s=``), selectors that are CNAMEs to no key
(RFC 6376 6.1.2), several key records at one selector (3.6.2.2), Ed25519-only keys (RFC 8463), SPF
records that do not begin with ``v=spf1`` (RFC 7208 4.5), and DMARC tags later than RFC 7489 (RFC 9091
``np``, DMARCbis ``t``).
"""

from __future__ import annotations

import pytest

from hunter_cli.dns import dkim, dmarc, spf
from hunter_cli.facts import dkim_state

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo3WTmcKP4wkZLyP1ehM6lTKlYCaV5b2TTE3Qi62b2SdgOhMMSVpYCXUyuMY+Xy1RKMTNwjPtx3n6uwmwu/LEhY9kJWwm9MYTenwghoREuEE55Jz4Ld3mMfYfn3FIvrwR7SuZ0srG1OCn90AV8PBTGwGNJ2FMDf+56LpbbK/VH3YoMVbUXHOiSGqoHyuy+SEOxeCbE6lZdMQCG6D4PS/rpkzCudqUmiRMz/i4sbjm5QejYVkhvUXSbqYa47sI0BQonkgEDBYgvyDPe+EYMvzwb5ziKW5YdWgADmUmgXofgsHQcZhC2xd0LiScNgAS3rmTD0V+w6BHUMsgiOSpN/6FxQIDAQAB"  # noqa: E501
ED = "2YmWYFGw+AwNoQvf0mvY0l2S6lRpODzsZWHFk0Rvq/c="

DOMAINS = (
    "v13-ksvc.com.tr",
    "v13-ksvc-ok.com.tr",
    "v13-kdead.com.tr",
    "v13-kdead-own.com.tr",
    "v13-knodata.com.tr",
    "v13-m365-off.com.tr",
    "v13-kmulti.com.tr",
    "v13-kmulti-ok.com.tr",
    "v13-ked.com.tr",
    "v13-ked-rsa.com.tr",
    "v13-slead.com.tr",
    "v13-strail.com.tr",
    "v13-supper.com.tr",
    "v13-dtest.com.tr",
    "v13-dnp.com.tr",
)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """The zone's domains scanned once into a database of their own: ``(hunter, results by domain)``."""
    from conftest import Hunter

    _session_dns.clear_faults()
    h = Hunter(_session_dns, tmp_path_factory.mktemp("verdict13") / "hunter.db", _session_ms, _session_reg)
    return h, h.scan_json(*DOMAINS, "--no-whois")


def brief(h, domain: str, lang: str) -> str:
    out = h("sales-summary", domain, "--lang", lang)
    assert out.exit_code == 0, out.stderr
    return " ".join(out.stdout.replace("│", " ").split())


def codes(findings) -> list[str]:
    return [f["code"] for f in findings]


# -- A2: s= --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s_tag", "usable"),
    [
        (None, True),
        ("email", True),
        ("*", True),
        ("email:*", True),
        ("EMAIL", True),  # RFC 6376 3.6.1 values are compared case-insensitively
        ("tlsrpt:email", True),
        ("tlsrpt", False),
        ("other", False),
    ],
)
def test_a_key_for_another_service_cannot_verify_mail(s_tag, usable):
    txt = f"v=DKIM1; k=rsa; {'' if s_tag is None else f's={s_tag}; '}p={KEY}"
    sel = dkim.parse_key("google", [txt], None)
    assert sel is not None
    assert (sel.problem_code is None) is usable
    if not usable:
        assert sel.problem_code == dkim.E_OTHER_SERVICE and f"s={s_tag}" in (sel.problem or "")


def test_scanned_key_for_tls_reporting_is_no_dkim_key(scanned):
    h, got = scanned
    assert codes(got["v13-ksvc.com.tr"]["dkim"]["errors"]) == ["dkim-other-service"]
    assert dkim_state(got["v13-ksvc.com.tr"]["dkim"]) == "none"
    assert dkim_state(got["v13-ksvc-ok.com.tr"]["dkim"]) == "key"
    en, tr = brief(h, "v13-ksvc.com.tr", "en"), brief(h, "v13-ksvc.com.tr", "tr")
    assert "DKIM keys are published" not in en
    assert "limits the key to another service than e-mail" in en and "DKIM key found" not in en
    assert "e-posta dışında bir hizmetle sınırlıyor" in tr


# -- A6: a CNAME to no key ------------------------------------------------------------------------------


def test_a_selector_aliased_to_a_missing_name_costs_no_extra_question(scanned, hunter, dns):
    """A selector whose alias ends in NXDOMAIN: the TXT answer keeps no CNAME, and asking every NXDOMAIN
    selector for one cost bulk scans 14 % more questions, so outside Microsoft 365's selectors under a
    Microsoft hint it is not asked, and the selector reads as not found (the documented limit)."""
    h, got = scanned
    d = got["v13-kdead.com.tr"]["dkim"]
    assert d["selectors"] == [] and dkim_state(d) == "none"
    hunter.scan_json("v13-kdead.com.tr", "--no-whois", "--no-tenant")
    assert dns.count("google._domainkey.v13-kdead.com.tr", "CNAME") == 0


def test_a_selector_aliased_to_no_key_in_their_own_domain_is_an_error(scanned):
    """An alias to a name that exists and holds no key: the TXT answer keeps the CNAME, no extra question."""
    h, got = scanned
    domain, selector, where = "v13-knodata.com.tr", "s1", "holds no DKIM key"
    d = got[domain]["dkim"]
    assert [s["selector"] for s in d["selectors"]] == [selector]
    assert codes(d["errors"]) == ["dkim-cname-dangling"] and where in d["errors"][0]["message"]
    en = brief(h, domain, "en")
    assert "No DKIM key was found" not in en and "signing was never turned on" not in en
    assert "an alias (CNAME) for a name where no key is published" in en
    assert "anahtar yayımlanmamış bir ada yönlenen" in brief(h, domain, "tr")


def test_microsoft_selectors_are_asked_for_a_cname_only_under_a_microsoft_hint(hunter, dns):
    hunter.scan_json("v13-ksvc.com.tr", "v13-ksvc-ok.com.tr", "v13-m365-off.com.tr", "--no-whois", "--no-tenant")
    for domain in ("v13-ksvc.com.tr", "v13-ksvc-ok.com.tr", "v13-m365-off.com.tr"):  # no Microsoft MX or SPF
        assert dns.count(f"selector1._domainkey.{domain}", "CNAME") == 0, domain
    assert dns.count("google._domainkey.v13-ksvc.com.tr", "CNAME") == 0


# -- A8: several key records -------------------------------------------------------------------------


def test_several_key_records_at_one_selector(scanned):
    h, got = scanned
    bad, ok = got["v13-kmulti.com.tr"]["dkim"], got["v13-kmulti-ok.com.tr"]["dkim"]
    assert codes(bad["errors"]) == ["dkim-multiple-records-unusable"] and dkim_state(bad) == "key"
    assert (bad["selectors"][0]["key_records"], bad["selectors"][0]["unusable_records"]) == (2, 1)
    assert ok["errors"] == [] and codes(ok["warnings"]) == ["dkim-multiple-records"]
    en, tr = brief(h, "v13-kmulti.com.tr", "en"), brief(h, "v13-kmulti.com.tr", "tr")
    assert "more than one key record, and one of them is withdrawn or unusable" in en
    assert "birden çok anahtar kaydı var" in tr
    assert "only one is allowed" in brief(h, "v13-kmulti-ok.com.tr", "en")


def test_the_usable_key_is_reported_whichever_record_comes_first():
    sel = dkim.parse_key("s", ["v=DKIM1; k=rsa; p=", f"v=DKIM1; k=rsa; p={KEY}"], None)
    assert sel is not None and not sel.revoked and sel.bits == 2048
    assert (sel.key_records, sel.unusable_records) == (2, 1)
    assert dkim.parse_key("s", [f"v=DKIM1; p={KEY}"], None).key_records is None  # type: ignore[union-attr]


# -- A9: Ed25519 only --------------------------------------------------------------------------------


def test_ed25519_only_asks_for_an_rsa_key_too(scanned):
    h, got = scanned
    only, both = got["v13-ked.com.tr"]["dkim"], got["v13-ked-rsa.com.tr"]["dkim"]
    assert codes(only["warnings"]) == ["dkim-ed25519-only"] and dkim_state(only) == "key"
    assert both["warnings"] == []
    assert "an RSA key should be added beside it" in brief(h, "v13-ked.com.tr", "en")
    assert "yanına bir RSA anahtarı da eklenmeli" in brief(h, "v13-ked.com.tr", "tr")


# -- A5: SPF must begin with v=spf1 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("txt", "is_spf"),
    [
        ("v=spf1 -all", True),
        ("v=spf1", True),
        ("V=SPF1 -all", True),  # RFC 5234 2.3: quoted strings are case-insensitive
        ("v=spf1 -all   ", True),  # record = version terms *SP
        ("  v=spf1 -all", False),
        ("\tv=spf1 -all", False),
        ("v=spf1\t-all", False),  # the version section ends with SP or the end
        ("v=spf10 -all", False),
    ],
)
def test_an_spf_record_begins_with_exactly_v_spf1(txt, is_spf):
    assert spf.is_spf(txt) is is_spf
    # discarded but meant as SPF: whitespace before v=spf1, or a tab after it (trial 22); v=spf10 is another version
    body = txt.lstrip()
    meant = body[:6].lower() == "v=spf1" and not body[6:7].isdigit()
    assert bool(spf.discarded_records([txt])) is (not is_spf and meant)


def test_a_record_with_leading_spaces_is_no_spf_record(scanned):
    h, got = scanned
    r = got["v13-slead.com.tr"]
    assert r["spf"] is None
    assert codes(r["spf_discarded"]) == ["spf-not-at-start"]
    assert r["spf_discarded"][0]["where"] == ["  v=spf1 include:_spf.google.com -all"]
    en, tr = brief(h, "v13-slead.com.tr", "en"), brief(h, "v13-slead.com.tr", "tr")
    # said as a malformed record receivers ignore, not as "no SPF record" (trial 22)
    assert "Their SPF record is malformed" in en and "SPF is published" not in en
    assert 'begins with spaces ("v=spf1 include:_spf.google.com -all")' in en
    assert "SPF kaydı hatalı yazılmış" in tr and "boşlukla başlıyor" in tr
    assert "begins with spaces" not in brief(h, "v13-strail.com.tr", "en")
    for domain in ("v13-strail.com.tr", "v13-supper.com.tr"):
        assert got[domain]["spf"]["result"] == "valid" and got[domain]["spf"]["all"] == "-all"
        assert got[domain]["spf_discarded"] == []


# -- A7: DMARC tags later than RFC 7489 ----------------------------------------------------------------


def test_np_and_t_are_not_unknown_tags():
    info = dmarc.parse_record("v=DMARC1; p=reject; sp=none; np=none; t=n; psd=u; rau=mailto:a@b.c")
    assert [(w.code, w.where) for w in info.warnings if w.code.startswith("dmarc-tag")] == [
        ("dmarc-tag-not-rfc7489", ["np"]),
        ("dmarc-tag-not-rfc7489", ["t"]),
        ("dmarc-tag-not-rfc7489", ["psd"]),
        ("dmarc-tag-unknown", ["rau"]),
    ]
    assert "RFC 9091" in info.warnings[0].message and "receivers ignore it" not in info.warnings[0].message
    assert info.policy == "reject"  # the verdict stays RFC 7489's
    testing = dmarc.parse_record("v=DMARC1; p=quarantine; t=y")
    assert [w.code for w in testing.warnings if w.code == "dmarc-testing"] == ["dmarc-testing"]
    assert testing.policy == "quarantine"


def test_t_y_puts_a_caveat_beside_enforcement(scanned):
    h, got = scanned
    assert got["v13-dtest.com.tr"]["dmarc"]["policy"] == "reject"
    en, tr = brief(h, "v13-dtest.com.tr", "en"), brief(h, "v13-dtest.com.tr", "tr")
    assert "DMARC is enforced with policy reject" in en
    assert "t=y, which is not part of RFC 7489" in en and "quarantine it instead" in en
    assert "t=y etiketi de var" in tr and "karantinaya alıyor" in tr
    assert "t=y" not in brief(h, "v13-dnp.com.tr", "en")
