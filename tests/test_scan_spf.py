"""SPF verdicts of `hunter scan --json` over the loopback DNS server (tests/zones/spf.zone).

Each case asserts the exact verdict receivers reach under RFC 7208: the result,
the error code and where it was found.
"""

import asyncio
import json

import pytest

from hunter_cli.dns.resolver import ResolverConfig, open_resolver
from hunter_cli.scan import Scanner, ScanOptions


def spf_of(hunter, *domains):
    out = hunter.scan_json(*domains, "--no-tenant", "--no-whois")
    return {d: out[d] for d in domains}


def codes(findings):
    return [f["code"] for f in findings]


# -- the examples ------------------------------------------------------------------
def test_redirect_to_itself_is_a_permerror(hunter):
    r = spf_of(hunter, "ayna-tekstil.com.tr")["ayna-tekstil.com.tr"]
    spf = r["spf"]
    assert spf["result"] == "permerror" and spf["valid"] is False
    assert codes(spf["errors"]) == ["spf-include-loop"]
    assert spf["lookups"] == 11 and spf["lookup_limit_exceeded"] is True
    assert r["status"] == "ok" and r["errors"] == []
    assert "spf +10" not in r["reasons"] and "no_spf -10" in r["reasons"]


def test_sender_macros_are_counted_not_sent(hunter, dns):
    r = spf_of(hunter, "makro-gonderen.com.tr")["makro-gonderen.com.tr"]
    spf = r["spf"]
    assert r["status"] == "ok" and r["errors"] == []
    assert spf["result"] == "valid" and spf["errors"] == [] and spf["lookups"] == 2
    assert not [q for q in dns.queries if "%" in q[0] or "_ehlo" in q[0]]
    assert "spf +10" in r["reasons"]


# -- every kind, one domain each -------------------------------------------------------------
CASES = {
    # loops and limits
    "dongu-kilim.com.tr": ("permerror", "spf-include-loop"),
    "yonlen-cift.com.tr": ("permerror", "spf-include-loop"),
    "on-bir-sorgu.com.tr": ("permerror", "spf-lookup-limit"),
    "bos-a.com.tr": ("permerror", "spf-void-lookup-limit"),
    "bos-karisik.com.tr": ("permerror", "spf-void-lookup-limit"),
    "cok-mx.com.tr": ("permerror", "spf-mx-limit"),
    # broken include and redirect targets
    "iki-kayit.com.tr": ("permerror", "spf-multiple-records"),
    "kayitsiz-hedef.com.tr": ("permerror", "spf-include-none"),
    "olmayan-hedef.com.tr": ("permerror", "spf-include-none"),
    "bos-yanit.com.tr": ("permerror", "spf-include-none"),
    "d-makro-yok.com.tr": ("permerror", "spf-include-none"),
    "yonlen-yok.com.tr": ("permerror", "spf-redirect-none"),
    "yonlen-bos.com.tr": ("permerror", "spf-redirect-none"),
    "yonlen-gecersiz.com.tr": ("permerror", "spf-invalid-ip"),
    "derin-hata.com.tr": ("permerror", "spf-invalid-cidr"),
    "yonlen-derin.com.tr": ("permerror", "spf-include-none"),
    # syntax
    "a-cidr.com.tr": ("permerror", "spf-invalid-cidr"),
    "mx-cidr6.com.tr": ("permerror", "spf-invalid-cidr"),
    "ip6-cidr.com.tr": ("permerror", "spf-invalid-cidr"),
    "ip4-cidr-bos.com.tr": ("permerror", "spf-invalid-cidr"),
    "ip4-sifir.com.tr": ("permerror", "spf-invalid-cidr"),
    "ip4-bozuk.com.tr": ("permerror", "spf-invalid-ip"),
    "ip4-buyuk.com.tr": ("permerror", "spf-invalid-ip"),
    "ip6-bozuk.com.tr": ("permerror", "spf-invalid-ip"),
    "ip6-v4.com.tr": ("permerror", "spf-invalid-ip"),
    "tld-yok.com.tr": ("permerror", "spf-invalid-domain"),
    "tld-sayi.com.tr": ("permerror", "spf-invalid-domain"),
    "bos-etiket.com.tr": ("permerror", "spf-invalid-domain"),
    "all-arguman.com.tr": ("permerror", "spf-unexpected-argument"),
    "ptr-cidr.com.tr": ("permerror", "spf-unexpected-argument"),
    "ip4-arguman.com.tr": ("permerror", "spf-unexpected-argument"),
    "exists-yalniz.com.tr": ("permerror", "spf-missing-argument"),
    "include-bos.com.tr": ("permerror", "spf-missing-argument"),
    "ip4-yalniz.com.tr": ("permerror", "spf-missing-argument"),
    "redirect-bos.com.tr": ("permerror", "spf-missing-argument"),
    "makro-bozuk.com.tr": ("permerror", "spf-invalid-macro"),
    "makro-harf.com.tr": ("permerror", "spf-invalid-macro"),
    "makro-kapanmayan.com.tr": ("permerror", "spf-invalid-macro"),
    "makro-sifir.com.tr": ("permerror", "spf-invalid-macro"),
    "makro-exp-harfi.com.tr": ("permerror", "spf-invalid-macro"),
    "niteleyici-adi.com.tr": ("permerror", "spf-invalid-modifier"),
    "iki-redirect.com.tr": ("permerror", "spf-duplicate-modifier"),
    "iki-exp.com.tr": ("permerror", "spf-duplicate-modifier"),
    "kontrol-karakter.com.tr": ("permerror", "spf-invalid-character"),
    "ascii-disi.com.tr": ("permerror", "spf-invalid-character"),
    "bilinmeyen-mekanizma.com.tr": ("permerror", "spf-unknown-mechanism"),
    # valid, maybe with warnings
    "saglam.com.tr": ("valid", None),
    "on-mx.com.tr": ("valid", None),
    "on-sorgu.com.tr": ("valid", None),
    "sekiz-sorgu.com.tr": ("valid", None),
    "iki-bos-a.com.tr": ("valid", None),
    "v6-adres.com.tr": ("valid", None),
    "d-makro.com.tr": ("valid", None),
    "d-makro-icinde.com.tr": ("valid", None),
    "gonderen-makro.com.tr": ("valid", None),
    "yonlen-yoksay.com.tr": ("valid", None),
    "sonra-gelen.com.tr": ("valid", None),
    "acik-kapi.com.tr": ("valid", None),
    "notr.com.tr": ("valid", None),
    "kapanissiz.com.tr": ("valid", None),
    "ptr-kullanan.com.tr": ("valid", None),
    "bilinmeyen-niteleyici.com.tr": ("valid", None),
}


@pytest.fixture(scope="module")
def verdicts(_session_dns, tmp_path_factory, _session_ms, _session_reg):
    """Every case scanned in one run, as a bulk scan meets them."""
    from conftest import Hunter

    _session_dns.clear_faults()
    hunter = Hunter(_session_dns, tmp_path_factory.mktemp("spf") / "h.db", _session_ms, _session_reg)
    return spf_of(hunter, *CASES)


@pytest.mark.parametrize("domain", list(CASES))
def test_verdict(verdicts, domain):
    result, code = CASES[domain]
    r = verdicts[domain]
    spf = r["spf"]
    assert r["status"] == "ok" and r["errors"] == [], r["errors"]
    assert spf["result"] == result and spf["valid"] is (result == "valid")
    assert codes(spf["errors"])[:1] == ([code] if code else [])
    assert spf["problems"][: len(spf["errors"])] == [e["message"] for e in spf["errors"]]
    if result != "valid":  # a broken SPF earns nothing
        assert "spf +10" not in r["reasons"]


WARNINGS = {
    "saglam.com.tr": [],
    "on-mx.com.tr": [],
    "on-sorgu.com.tr": ["spf-many-lookups"],
    "sekiz-sorgu.com.tr": ["spf-many-lookups"],
    "iki-bos-a.com.tr": ["spf-void-lookup", "spf-void-lookup"],
    "v6-adres.com.tr": ["spf-void-lookup", "spf-void-lookup"],
    # exists:%{d1r}.izin... names no sender (only the domain): it resolves for every sender (RFC 7208 5.7)
    "d-makro.com.tr": ["spf-pass-all"],
    "d-makro-icinde.com.tr": [],
    "gonderen-makro.com.tr": ["spf-ptr"],
    "yonlen-yoksay.com.tr": ["spf-redirect-ignored"],
    "sonra-gelen.com.tr": ["spf-terms-after-all", "spf-many-lookups"],
    "acik-kapi.com.tr": ["spf-pass-all"],
    "notr.com.tr": ["spf-neutral-all"],
    "kapanissiz.com.tr": ["spf-no-all"],
    "ptr-kullanan.com.tr": ["spf-ptr"],
    "bilinmeyen-niteleyici.com.tr": ["spf-unknown-modifier"],
}


@pytest.mark.parametrize("domain", list(WARNINGS))
def test_warnings(verdicts, domain):
    assert codes(verdicts[domain]["spf"]["warnings"]) == WARNINGS[domain]


def test_lookup_counts(verdicts):
    counted = {
        d: verdicts[d]["spf"]["lookups"] for d in ("on-sorgu.com.tr", "sekiz-sorgu.com.tr", "sonra-gelen.com.tr")
    }
    assert counted == {"on-sorgu.com.tr": 10, "sekiz-sorgu.com.tr": 8, "sonra-gelen.com.tr": 10}
    assert verdicts["gonderen-makro.com.tr"]["spf"]["lookups"] == 5  # exists, a, mx, ptr and redirect
    assert verdicts["on-bir-sorgu.com.tr"]["spf"]["lookups"] == 11


def test_errors_carry_the_chain(verdicts):
    where = {d: verdicts[d]["spf"]["errors"][0]["where"] for d in CASES if CASES[d][0] == "permerror"}
    assert where["derin-hata.com.tr"] == [
        "derin-hata.com.tr",
        "_a.derin.spf-saglayici.net",
        "_b.derin.spf-saglayici.net",
    ]
    assert where["yonlen-derin.com.tr"] == [
        "yonlen-derin.com.tr",
        "_spf.yonlen-derin.com.tr",
        "_spf.bos.spf-saglayici.net",
    ]
    assert where["iki-kayit.com.tr"] == ["iki-kayit.com.tr", "_spf.ikili.spf-saglayici.net"]
    assert where["bos-karisik.com.tr"] == ["bos-karisik.com.tr", "_spf.bosluk.spf-saglayici.net"]
    assert where["d-makro-yok.com.tr"] == ["d-makro-yok.com.tr", "d-makro-yok.com.tr._spf.spf-saglayici.net"]
    assert where["a-cidr.com.tr"] == ["a-cidr.com.tr"]


def test_domain_macros_are_expanded_and_asked(hunter, dns):
    spf_of(hunter, "d-makro.com.tr", "d-makro-icinde.com.tr")
    assert dns.count("d-makro.com.tr._spf.spf-saglayici.net", "TXT") == 1
    assert dns.count("d-makro.izin.spf-saglayici.net", "A") == 1  # %{d1r}: the leftmost label
    assert dns.count("spf-saglayici.net.host.spf-saglayici.net", "A") == 1  # %{d2} of the include target


def test_sender_macros_and_ptr_are_never_asked(hunter, dns):
    domain = "gonderen-makro.com.tr"
    spf_of(hunter, domain)
    from hunter_cli.footprint import questions

    own = {domain, f"_dmarc.{domain}", f"_domainkey.{domain}"} | {n for n, _ in questions(domain)}
    assert not [q for q in dns.queries if q[0].endswith(domain) and q[0] not in own]
    assert dns.count(qtype="PTR") == 0


def test_redirect_ignored_when_all_is_present_is_not_followed(hunter, dns):
    spf_of(hunter, "yonlen-yoksay.com.tr")
    assert dns.count("_spf.yonlen-yok.com.tr") == 0


def test_syntax_errors_cost_no_lookups(hunter, dns):
    spf_of(hunter, "tld-yok.com.tr", "makro-harf.com.tr")
    assert dns.count("localhost") == 0 and dns.count("example.net") == 0


def test_shared_records_and_targets_are_asked_once_per_run(hunter, dns):
    spf_of(hunter, "on-sorgu.com.tr", "sonra-gelen.com.tr", "sekiz-sorgu.com.tr", "on-bir-sorgu.com.tr")
    assert dns.count("_h.spf-saglayici.net", "TXT") == 1
    for i in range(1, 5):
        assert dns.count(f"h{i}.spf-saglayici.net", "A") == 1


# -- DNS failures in the tree: temperror, partial, never valid and never absent -----------------
@pytest.mark.parametrize(
    "domain, name, rtype",
    [
        ("bozuk-dns.com.tr", "_spf.yavas.spf-saglayici.net", "TXT"),
        ("bozuk-a.com.tr", "mail.bozuk-a.com.tr", "A"),
    ],
)
@pytest.mark.parametrize("fault, kind", [("drop", "timeout"), ("servfail", "servfail")])
def test_a_dns_failure_in_the_tree_is_a_temperror(hunter, dns, domain, name, rtype, fault, kind):
    dns.faults[(name, rtype)] = fault
    r = spf_of(hunter, domain)[domain]
    assert r["status"] == "partial"
    assert [(e["check"], e["kind"]) for e in r["errors"]] == [("spf", kind)]
    assert r["spf"] is not None and r["spf"]["result"] == "temperror" and r["spf"]["valid"] is False
    assert codes(r["spf"]["errors"]) == ["spf-temperror"]
    assert r["score"] is None  # a lookup the score needs failed: not scored, rescanned
    assert r["provider"] == "m365"


def test_a_temperror_keeps_the_last_good_spf_in_the_store(hunter, dns):
    first = spf_of(hunter, "bozuk-dns.com.tr")["bozuk-dns.com.tr"]
    assert first["spf"]["result"] == "valid"
    dns.faults[("_spf.yavas.spf-saglayici.net", "TXT")] = "servfail"
    again = spf_of(hunter, "bozuk-dns.com.tr")["bozuk-dns.com.tr"]
    assert again["spf"]["result"] == "temperror"
    shown = hunter("leads", "show", "bozuk-dns.com.tr", "--json")
    assert shown.exit_code == 0
    view = json.loads(shown.stdout)["view"]
    assert view["spf"]["result"] == "valid"  # carried from the last good scan
    assert [(e["check"], e["kind"]) for e in view["errors"]] == [("spf", "servfail")]
    assert view["score"] == first["score"]  # the lead keeps its last known priority


def test_failures_are_not_cached_across_domains(dns):
    async def run():
        config = ResolverConfig(nameservers=(dns.nameserver,), timeout=0.3, retries=0)
        resolver = await open_resolver(config)
        scanner = Scanner(resolver, ScanOptions(resolver=config, tenant=False, registration=False))
        try:
            dns.faults[("_spf.yavas.spf-saglayici.net", "TXT")] = "servfail"
            broken = await scanner.scan("bozuk-dns.com.tr")
            dns.clear_faults()
            fixed = await scanner.scan("bozuk-dns.com.tr")
            cached = await scanner.scan("bozuk-dns.com.tr")
        finally:
            await resolver.close()
        return broken, fixed, cached

    broken, fixed, cached = asyncio.run(run())
    assert broken.spf.result == "temperror" and broken.status == "partial"
    assert fixed.spf.result == "valid" and fixed.status == "ok"
    assert cached.spf.result == "valid"
    assert dns.count("_spf.yavas.spf-saglayici.net", "TXT") == 2  # the failure, then one good answer kept


@pytest.mark.parametrize(
    "domain, shared",
    [
        ("derin-hata.com.tr", ["_a.derin.spf-saglayici.net", "_b.derin.spf-saglayici.net"]),  # error two includes deep
        ("dongu-kilim.com.tr", ["_spf1.spf-saglayici.net", "_spf2.spf-saglayici.net"]),  # include loop to the limit
        ("sonra-gelen.com.tr", ["_h.spf-saglayici.net"]),  # warnings, a targets under a shared include
        ("bos-karisik.com.tr", ["_spf.bosluk.spf-saglayici.net"]),  # void lookups, own and shared
    ],
)
def test_a_tree_already_in_the_run_cache_gives_the_same_verdict(dns, domain, shared):
    """The second scan finds every shared record of the tree cached and evaluates it in one pass:
    the verdict, findings, counts and reached targets must be those of the cold scan, and the
    shared names are not asked again."""

    async def run():
        config = ResolverConfig(nameservers=(dns.nameserver,), timeout=1.0, retries=1)
        resolver = await open_resolver(config)
        scanner = Scanner(resolver, ScanOptions(resolver=config, tenant=False, registration=False))
        try:
            cold = await scanner.scan(domain)
            warm = await scanner.scan(domain)
        finally:
            await resolver.close()
        return cold, warm

    cold, warm = asyncio.run(run())
    assert cold.spf is not None and warm.spf is not None
    assert warm.spf.model_dump() == cold.spf.model_dump()
    assert warm.status == cold.status == "ok"
    for name in shared:
        assert dns.count(name, "TXT") == 1


def test_brief_names_a_broken_spf_and_its_first_error(hunter):
    spf_of(hunter, "dongu-kilim.com.tr", "iki-kayit.com.tr")
    en = hunter("sales-summary", "dongu-kilim.com.tr", "--format", "markdown").stdout
    # a loop is said as a loop (the limit is only how receivers end it), and no flattening is offered
    assert "SPF is published but broken" in en and "it includes itself through" in en
    assert "10-lookup limit" not in en
    tr = hunter("sales-summary", "iki-kayit.com.tr", "--format", "markdown", "--lang", "tr").stdout
    assert "SPF kaydı var ama hatalı" in tr and "_spf.ikili.spf-saglayici.net" in tr


def test_the_domains_own_mx_answer_is_reused_for_its_mx_mechanism(hunter, dns):
    r = spf_of(hunter, "oz-sunucu.com.tr")["oz-sunucu.com.tr"]  # v=spf1 a mx -all; no address at the apex
    assert r["spf"]["result"] == "valid" and r["spf"]["lookups"] == 2 and r["spf"]["void_lookups"] == 1
    assert dns.count("oz-sunucu.com.tr", "MX") == 1
    assert dns.count("oz-sunucu.com.tr", "A") == 1 and dns.count("oz-sunucu.com.tr", "AAAA") == 1


def test_the_all_of_a_redirect_target_is_the_domains_own(hunter):
    """RFC 7208 6.1: without an 'all', the redirect target's result is the domain's; its 'all' applies."""
    got = hunter.scan_json(
        "yandex-ornek.com.tr", "yonlen-yoksay.com.tr", "yonlen-derin.com.tr", "--no-tenant", "--no-whois"
    )
    assert got["yandex-ornek.com.tr"]["spf"]["all"] == "~all"  # v=spf1 redirect=_spf.yandex.net (... ~all)
    assert got["yonlen-yoksay.com.tr"]["spf"]["all"] == "-all"  # its own all wins; the redirect is ignored
    brief = hunter("sales-summary", "yandex-ornek.com.tr")
    assert "~all" in brief.stdout and "no closing" not in brief.stdout


def test_an_included_records_all_is_not_the_domains():
    """An include's own '-all' only ends the include (RFC 7208 5.2): the domain without 'all' has none."""
    from hunter_cli.dns import spf_eval
    from hunter_cli.dns.resolver import Answer

    answers = {
        ("example.com", "TXT"): Answer("noerror", ["v=spf1 include:_spf.provider.net"]),
        ("_spf.provider.net", "TXT"): Answer("noerror", ["v=spf1 ip4:192.0.2.0/24 -all"]),
    }
    ev = spf_eval.evaluate("example.com", answers)
    assert (ev.result, ev.effective_all) == ("valid", None)
