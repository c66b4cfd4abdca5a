"""The Microsoft footprint read to where each record ends (trial 19, 1.1 to 1.3, 3.1 and 4.4), over the
suite's real DNS server (tests/zones/footprint19.zone) and the CLI: a CNAME chain inside the domain that
ends at Microsoft is online, not their own server; a record whose target does not exist is a leftover, not a
running server; a wildcard's answer is no other service; a domain that takes no mail gets a short footprint.
"""

from __future__ import annotations

import json

import pytest
from test_brief_footprint_agree import _brief, _text

from hunter_cli.brief.messages import Messages

CHAIN = "f19-zincir.com.tr"
OWN = "f19-kendi.com.tr"
GONE = "f19-kalinti.com.tr"
LOOP = "f19-dongu.com.tr"
WILD_APEX = "f19-yildiz.com.tr"
WILD_HOST = "f19-park.com.tr"
PROXY = "f19-proxy.com.tr"
NO_MAIL = "f19-bos.com.tr"
MDM = "f19-mdm.com.tr"
ALL = (CHAIN, OWN, GONE, LOOP, WILD_APEX, WILD_HOST, PROXY, NO_MAIL, MDM)


def _workloads(result: dict) -> dict[str, dict]:
    return result["microsoft"]["workloads"]


def _listed(h, *args: str) -> set[str]:
    out = h("leads", *args, "--format", "json")
    assert out.exit_code == 0, out.stderr
    return {r["domain"] for r in json.loads(out.stdout)} & set(ALL)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import scanned_once

    return scanned_once(tmp_path_factory, _session_dns, _session_ms, _session_reg, "footprint19", ALL, (CHAIN,), "1919")


def test_a_chain_through_their_own_names_that_ends_at_microsoft_is_online(hunter, dns):
    res = hunter.scan_json(CHAIN, "--no-whois")[CHAIN]
    w = _workloads(res)
    assert {k: w[k]["state"] for k in ("exchange", "teams", "intune", "device-registration")} == dict.fromkeys(
        ("exchange", "teams", "intune", "device-registration"), "online"
    )
    assert w["exchange"]["tags"] == ["exchange-online"] and w["teams"]["tags"] == ["teams"]
    assert w["exchange"]["own_hosts"] == [] and w["teams"]["own_hosts"] == []
    # the whole chain is quoted, each hop once
    assert f"autodiscover CNAME → ad.{CHAIN} → autodiscover.outlook.com" in w["exchange"]["records"]
    assert f"lyncdiscover CNAME → ld.{CHAIN} → ld2.{CHAIN} → webdir.online.lync.com" in w["teams"]["records"]
    assert f"_sip._tls SRV → sip.{CHAIN}:443 → sipdir.online.lync.com" in w["teams"]["records"]
    # one question per name inside the domain; sip's own record was a footprint question already
    assert dns.count(f"ad.{CHAIN}", "CNAME") == 1
    assert dns.count(f"ld2.{CHAIN}", "CNAME") == 1
    assert dns.count(f"sip.{CHAIN}", "CNAME") == 1
    assert dns.count("autodiscover.outlook.com") == 0  # a target outside the domain is never asked


def test_a_chain_that_ends_at_microsoft_sells_no_migration(scanned):
    text = _text(_brief(scanned, CHAIN))
    assert "their own servers" not in text and "server of your own" not in text
    assert f"autodiscover CNAME → ad.{CHAIN} → autodiscover.outlook.com" in text
    assert CHAIN not in _listed(scanned, "--workload", "lync-onprem")
    assert CHAIN not in _listed(scanned, "--workload", "exchange-onprem")
    assert CHAIN not in _listed(scanned, "--missing", "teams")
    assert CHAIN in _listed(scanned, "--workload", "teams")


def test_their_own_server_behind_an_alias_stays_on_premises_with_the_chain(hunter):
    w = _workloads(hunter.scan_json(OWN, "--no-whois")[OWN])["exchange"]
    assert w["state"] == "on_premises" and w["tags"] == ["exchange-onprem"]
    assert w["own_hosts"] == [
        f"autodiscover CNAME → owa.{OWN} → mail.{OWN}",
        f"_autodiscover._tcp SRV → mail.{OWN}:443",
    ]


def test_a_target_that_does_not_exist_is_a_leftover_not_a_running_server(hunter):
    w = _workloads(hunter.scan_json(GONE, "--no-whois")[GONE])
    assert (w["exchange"]["state"], w["exchange"]["tags"]) == ("absent", [])
    assert (w["teams"]["state"], w["teams"]["tags"]) == ("absent", [])
    assert w["exchange"]["leftovers"] == [f"autodiscover CNAME → oldexch.{GONE}"]
    assert w["teams"]["leftovers"] == [
        f"lyncdiscover CNAME → gone.{GONE}",
        f"_sipfederationtls._tcp SRV → edge.{GONE}:5061",
    ]
    assert w["exchange"]["own_hosts"] == [] and w["teams"]["records"] == []


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_brief_asks_about_a_leftover_and_sells_no_migration(scanned, lang):
    m = Messages(lang)
    brief = _brief(scanned, GONE, lang)
    said = brief["microsoft"]
    assert m("fp.leftover", records=f"autodiscover CNAME → oldexch.{GONE}") in said
    both = f"lyncdiscover CNAME → gone.{GONE}, _sipfederationtls._tcp SRV → edge.{GONE}:5061"
    assert m("fp.leftover_many", records=both) in said
    assert m("fp.teams.on_premises", records=f"lyncdiscover CNAME → gone.{GONE}") not in said
    text = _text(brief)
    assert "Lync" not in " ".join(brief["talking_points"] + brief["offer"]["lines"])
    assert m("fp.exchange.on_premises", records=f"autodiscover CNAME → oldexch.{GONE}") not in text


def test_a_leftover_earns_no_on_premises_tag(scanned):
    assert GONE not in _listed(scanned, "--workload", "lync-onprem")
    assert GONE not in _listed(scanned, "--workload", "exchange-onprem")


OUT_GONE = "f29-eski.com.tr"
RESELLER = "f29-bayi.com.tr"


def test_a_target_outside_the_domain_that_does_not_exist_is_a_leftover_not_another_service(hunter, dns):
    w = _workloads(hunter.scan_json(OUT_GONE, "--no-whois")[OUT_GONE])
    assert (w["exchange"]["state"], w["exchange"]["leftovers"]) == (
        "absent",
        ["autodiscover CNAME → autodiscover.eski-hosting-ornek.net"],
    )
    assert (w["intune"]["state"], w["intune"]["leftovers"]) == (
        "absent",
        ["enterpriseenrollment CNAME → enroll.eski-mdm-ornek.com"],
    )
    # a host outside that exists, through an alias of its own: another service, the chain quoted whole
    reg = w["device-registration"]
    assert reg["state"] == "other" and reg["leftovers"] == []
    assert "enterpriseregistration CNAME → reg.mdm-ornek.com → mdm-lb.mdm-ornek.com" in reg["records"]
    assert dns.count("autodiscover.eski-hosting-ornek.net", "CNAME") == 1


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_brief_calls_a_dead_name_outside_the_domain_left_over(hunter, lang):
    m = Messages(lang)
    hunter.scan_json(OUT_GONE, "--no-whois")
    out = hunter("prep", OUT_GONE, "--format", "json", "--lang", lang)
    assert out.exit_code == 0, out.stderr
    said = json.loads(out.stdout)["microsoft"]
    assert m("fp.leftover", records="autodiscover CNAME → autodiscover.eski-hosting-ornek.net") in said
    assert not any(line.startswith(m("fp.exchange.other", records="\x00").split("\x00")[0]) for line in said)


def test_a_name_outside_the_domain_that_aliases_to_microsoft_is_online(hunter, dns):
    ex = _workloads(hunter.scan_json(RESELLER, "--no-whois")[RESELLER])["exchange"]
    assert ex["state"] == "online" and ex["tags"] == ["exchange-online"]
    assert "autodiscover CNAME → autodiscover.bayi-ornek.net → autodiscover.outlook.com" in ex["records"]
    assert dns.count("autodiscover.outlook.com") == 0  # a name the catalog knows is never asked


def test_a_target_outside_whose_lookup_fails_is_unknown_not_gone(hunter, dns):
    dns.faults["autodiscover.eski-hosting-ornek.net"] = "servfail"
    res = hunter.scan_json(OUT_GONE, "--no-whois")[OUT_GONE]
    ex = _workloads(res)["exchange"]
    assert ex["state"] == "unknown" and ex["leftovers"] == []
    assert "CNAME autodiscover.eski-hosting-ornek.net: servfail" in ex["failed"]


def test_a_target_whose_lookup_fails_is_unknown_not_gone(hunter, dns):
    dns.faults[f"oldexch.{GONE}"] = "servfail"
    res = hunter.scan_json(GONE, "--no-whois")[GONE]
    ex = _workloads(res)["exchange"]
    assert ex["state"] == "unknown" and ex["leftovers"] == [] and ex["tags"] == []
    assert f"CNAME oldexch.{GONE}: servfail" in ex["failed"]
    assert res["status"] == "partial"


def test_a_loop_inside_the_domain_is_a_finding_not_a_hang(hunter, dns):
    teams = _workloads(hunter.scan_json(LOOP, "--no-whois")[LOOP])["teams"]
    assert teams["state"] == "absent" and teams["tags"] == []
    assert teams["loops"] == [f"lyncdiscover CNAME → l1.{LOOP} → l2.{LOOP} → l1.{LOOP}"]
    assert dns.count(f"l1.{LOOP}", "CNAME") == 1 and dns.count(f"l2.{LOOP}", "CNAME") == 1


@pytest.mark.parametrize(("domain", "target"), [(WILD_APEX, WILD_APEX), (WILD_HOST, "parking.hosting-ornek.net")])
def test_a_wildcard_answer_is_absent_not_another_service(hunter, dns, domain, target):
    res = hunter.scan_json(domain, "--no-whois")[domain]
    assert res["microsoft"]["wildcard"] == target
    for wid, w in _workloads(res).items():
        assert (wid, w["state"], w["tags"], w["records"]) == (wid, "absent", [], [])
        assert w["wildcard"]
    assert dns.count(target, "CNAME") == 0  # recognised from the answers at hand: no question more


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize(("domain", "target"), [(WILD_APEX, WILD_APEX), (WILD_HOST, "parking.hosting-ornek.net")])
def test_the_brief_says_wildcard_never_another_service(scanned, lang, domain, target):
    m = Messages(lang)
    said = _brief(scanned, domain, lang)["microsoft"]
    assert m("fp.wildcard", target=target) in said
    for key in ("fp.intune.other", "fp.exchange.other", "fp.teams.other", "fp.device-registration.other"):
        stem = m(key, records="\x00").split("\x00")[0]
        assert not any(line.startswith(stem) for line in said), key


def test_a_wildcard_domain_counts_as_missing_the_workloads(scanned):
    # a wildcard only answers names with no record of their own (RFC 4592 2.2): no Intune record is there
    assert {WILD_APEX, WILD_HOST} <= _listed(scanned, "--missing", "intune")
    assert not {WILD_APEX, WILD_HOST} & _listed(scanned, "--workload", "lync-onprem")


def test_one_host_of_their_own_behind_three_names_is_no_wildcard(hunter):
    res = hunter.scan_json(PROXY, "--no-whois")[PROXY]
    assert res["microsoft"]["wildcard"] is None  # msoid does not exist: a wildcard would have answered it
    assert _workloads(res)["exchange"]["state"] == "on_premises"
    assert _workloads(res)["teams"]["state"] == "on_premises"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_domain_that_takes_no_mail_gets_a_short_footprint(scanned, lang):
    m = Messages(lang)
    said = _brief(scanned, NO_MAIL, lang)["microsoft"]
    # what is seen, and no advice: no Teams note, no "not published: MTA-STS, ..." for a domain without mail
    assert said == [m("fp.absent", names=_all_names(m))]


def _all_names(m: Messages) -> str:
    names = [m(f"fp.name.{w}") for w in ("exchange", "teams", "intune", "device-registration")]
    return m("list.and", first=", ".join(names[:-1]), last=names[-1])


def test_turkish_names_intune_enrolment_and_entra_registration_apart(scanned):
    m = Messages("tr")
    said = _brief(scanned, MDM, "tr")["microsoft"]
    intune = m("fp.intune.other", records="enterpriseenrollment CNAME → enroll.mdm-ornek.com")
    reg = m(
        "fp.device-registration.other",
        records="enterpriseregistration CNAME → reg.mdm-ornek.com → mdm-lb.mdm-ornek.com",
    )
    assert intune in said and reg in said
    assert intune.startswith(m("fp.name.intune")) and reg.startswith(m("fp.name.device-registration"))
    assert intune.split()[:2] != reg.split()[:2]
