"""Microsoft workload states from DNS answers given as plain data (no I/O in the classifier)."""

from __future__ import annotations

import pytest

from hunter_cli.footprint import Reply, microsoft_footprint, questions, reply_from, workload_tags
from hunter_cli.footprint.microsoft import parse_tags

D = "ornek-firma.com.tr"


def answers(records: dict[tuple[str, str], Reply] | None = None, default: Reply | None = None) -> dict:
    """Every question answered NXDOMAIN unless given; names relative to D."""
    out = {q: (default or Reply.nxdomain()) for q in questions(D)}
    for (name, rtype), reply in (records or {}).items():
        out[(f"{name}.{D}", rtype)] = reply
    return out


def cname(target: str) -> Reply:
    return Reply(records=[target])


def srv(*targets: str) -> Reply:
    return Reply(records=[(100, 1, 443, t) for t in targets])


def test_questions_are_absolute_and_cover_every_workload():
    qs = questions("Ornek-Firma.com.tr.")
    assert ("autodiscover.ornek-firma.com.tr", "CNAME") in qs
    assert ("_autodiscover._tcp.ornek-firma.com.tr", "SRV") in qs
    assert ("_sipfederationtls._tcp.ornek-firma.com.tr", "SRV") in qs
    assert ("enterpriseenrollment.ornek-firma.com.tr", "CNAME") in qs
    assert ("msoid.ornek-firma.com.tr", "CNAME") in qs
    assert ("_mta-sts.ornek-firma.com.tr", "TXT") in qs
    assert ("_smtp._tls.ornek-firma.com.tr", "TXT") in qs
    assert ("default._bimi.ornek-firma.com.tr", "TXT") in qs
    assert len(qs) == len(set(qs)) == 12
    assert not any(t == "MX" for _, t in qs)  # the scan's own MX answer is passed in


@pytest.mark.parametrize(
    ("record", "target", "cloud"),
    [
        ("autodiscover", "autodiscover.outlook.com", "commercial"),
        ("autodiscover", "autodiscover.partner.outlook.cn", "21vianet"),
        ("autodiscover", "autodiscover.office365.us", "gcc-high"),
        ("autodiscover", "autodiscover-dod.office365.us", "dod"),
        ("autodiscover", "Autodiscover.Outlook.com.", "commercial"),  # case and trailing dot
    ],
)
def test_exchange_online_per_cloud(record, target, cloud):
    fp = microsoft_footprint(D, answers({(record, "CNAME"): cname(target)}), mx_hosts=[])
    ex = fp.workloads["exchange"]
    assert (ex.state, ex.cloud) == ("online", cloud)
    assert ex.evidence[0].startswith(f"autodiscover CNAME to {target.lower().rstrip('.')}")
    assert "exchange-online" in ex.tags and "exchange-onprem" not in ex.tags
    assert fp.clouds == [cloud]


@pytest.mark.parametrize(
    ("lyncdiscover", "fed", "cloud"),
    [
        ("webdir.online.lync.com", "sipfed.online.lync.com", "commercial"),
        ("webdir.online.partner.lync.cn", "sipfed.online.partner.lync.cn", "21vianet"),
        (None, "sipfed.online.gov.skypeforbusiness.us", "gcc-high"),
        (None, "sipfed.online.dod.skypeforbusiness.us", "dod"),
    ],
)
def test_teams_online_per_cloud(lyncdiscover, fed, cloud):
    given = {("_sipfederationtls._tcp", "SRV"): Reply(records=[(100, 1, 5061, fed + ".")])}
    if lyncdiscover:
        given[("lyncdiscover", "CNAME")] = cname(lyncdiscover)
    t = microsoft_footprint(D, answers(given)).workloads["teams"]
    assert (t.state, t.cloud) == ("online", cloud)
    assert f"_sipfederationtls._tcp SRV to {fed}:5061" in " ".join(t.evidence)


@pytest.mark.parametrize(
    ("target", "cloud"),
    [
        ("enterpriseenrollment.manage.microsoft.com", "commercial"),
        ("enterpriseenrollment-s.manage.microsoft.com", "commercial"),
        ("EnterpriseEnrollment-s.manage.microsoft.us", "us-government"),
    ],
)
def test_intune_online(target, cloud):
    fp = microsoft_footprint(D, answers({("enterpriseenrollment", "CNAME"): cname(target)}))
    w = fp.workloads["intune"]
    assert (w.state, w.cloud, w.tags) == ("online", cloud, ["intune"])
    assert w.evidence[0].startswith(f"enterpriseenrollment CNAME to {target.lower()}")
    assert fp.lacks("intune") is False


def test_device_registration_target_shared_by_clouds_names_no_cloud():
    fp = microsoft_footprint(
        D, answers({("enterpriseregistration", "CNAME"): cname("enterpriseregistration.windows.net")})
    )
    w = fp.workloads["device-registration"]
    assert (w.state, w.cloud) == ("online", None)
    assert any("US government" in n for n in w.notes)


def test_msoid_21vianet_and_legacy_note():
    china = microsoft_footprint(
        D, answers({("msoid", "CNAME"): cname("clientconfig.partner.microsoftonline-p.net.cn")})
    )
    assert (china.workloads["msoid"].state, china.workloads["msoid"].cloud) == ("online", "21vianet")
    assert china.workloads["msoid"].notes == []
    legacy = microsoft_footprint(D, answers({("msoid", "CNAME"): cname("clientconfig.microsoftonline-p.net")}))
    assert legacy.workloads["msoid"].state == "online"
    assert any("remove" in n for n in legacy.workloads["msoid"].notes)


def test_on_premises_exchange_lync_and_adfs_registration():
    fp = microsoft_footprint(
        D,
        answers(
            {
                ("autodiscover", "CNAME"): cname(f"mail.{D}"),
                ("_autodiscover._tcp", "SRV"): srv(f"mail.{D}."),
                ("_sip._tls", "SRV"): srv(f"sip.{D}"),
                ("sip", "CNAME"): Reply.nodata(),  # the SRV target exists and is no alias: their own edge
                ("enterpriseregistration", "CNAME"): cname(f"adfs.{D}"),
            }
        ),
        mx_hosts=[f"mail.{D}"],
    )
    ex, teams, reg = fp.workloads["exchange"], fp.workloads["teams"], fp.workloads["device-registration"]
    assert ex.state == "on_premises" and ex.cloud is None
    assert ex.tags == ["exchange-onprem"]
    assert f"autodiscover CNAME → mail.{D}" in ex.own_hosts
    assert any("an Exchange server of their own" in e for e in ex.evidence)
    assert teams.state == "on_premises" and teams.tags == ["lync-onprem"]
    assert reg.state == "on_premises"
    assert fp.clouds == []


def test_hybrid_exchange_mx_online_autodiscover_on_premises():
    fp = microsoft_footprint(
        D,
        answers({("autodiscover", "CNAME"): cname(f"owa.{D}")}),
        mx_hosts=["ornek-firma-com-tr.mail.protection.outlook.com"],
    )
    ex = fp.workloads["exchange"]
    assert ex.state == "hybrid" and ex.cloud == "commercial"
    assert set(ex.tags) == {"exchange-online", "exchange-onprem", "exchange-hybrid"}
    assert ex.own_hosts == [f"autodiscover CNAME → owa.{D}"]


def test_hybrid_teams_online_discovery_own_federation_edge():
    fp = microsoft_footprint(
        D,
        answers(
            {
                ("lyncdiscover", "CNAME"): cname("webdir.online.lync.com"),
                ("_sipfederationtls._tcp", "SRV"): Reply(records=["0 0 5061 edge.ornek-firma.com.tr."]),
            }
        ),
    )
    assert fp.workloads["teams"].state == "hybrid"


def test_us_government_mx_alone_names_no_finer_cloud():
    ex = microsoft_footprint(D, answers(), mx_hosts=["x.mail.protection.office365.us"]).workloads["exchange"]
    assert (ex.state, ex.cloud) == ("online", "us-government")


def test_clouds_that_disagree_are_noted_not_chosen():
    ex = microsoft_footprint(
        D,
        answers({("autodiscover", "CNAME"): cname("autodiscover.partner.outlook.cn")}),
        mx_hosts=["x.mail.protection.outlook.com"],
    ).workloads["exchange"]
    assert ex.state == "online" and ex.cloud is None
    assert any("more than one Microsoft cloud" in n for n in ex.notes)


def test_mx_alone_in_the_new_dnssec_namespace_is_exchange_online():
    fp = microsoft_footprint(D, answers(), mx_hosts=["ornek-firma-com-tr.a-v1.mx.microsoft"])
    assert fp.workloads["exchange"].state == "online"


@pytest.mark.parametrize(
    ("record", "rtype", "reply", "workload", "why"),
    [
        ("_autodiscover._tcp", "SRV", srv("cpanelemaildiscovery.cpanel.net."), "exchange", "cPanel"),
        ("autodiscover", "CNAME", cname("autodiscover.secureserver.net"), "exchange", "outside Microsoft"),
        ("enterpriseenrollment", "CNAME", cname(f"mdm.{D}"), "intune", "not Intune"),
    ],
)
def test_other(record, rtype, reply, workload, why):
    w = microsoft_footprint(D, answers({(record, rtype): reply}), mx_hosts=[]).workloads[workload]
    assert w.state == "other"
    assert why in " ".join(w.evidence)
    assert w.tags == []


def test_a_target_equal_to_the_domain_is_a_wildcard_answer_not_another_service():
    fp = microsoft_footprint(D, answers({("lyncdiscover", "CNAME"): cname(D)}), mx_hosts=[])  # *.domain CNAME domain
    w = fp.workloads["teams"]
    assert (w.state, w.tags, w.records) == ("absent", [], [])
    assert w.wildcard == [f"lyncdiscover CNAME → {D}"]
    assert fp.wildcard == D
    assert "wildcard" in " ".join(w.evidence)


def test_absent_needs_every_answer_and_says_what_was_asked():
    fp = microsoft_footprint(D, answers(default=Reply.nodata()), mx_hosts=["mx.yandex.net"])
    for w in fp.workloads.values():
        assert w.state == "absent", w.id
        assert w.evidence and w.evidence[0].startswith("no ")
    assert fp.lacks("intune") is True
    assert fp.tags() == []


def test_srv_dot_target_declares_the_service_unavailable():
    t = microsoft_footprint(D, answers({("_sipfederationtls._tcp", "SRV"): srv(".")})).workloads["teams"]
    assert t.state == "absent"
    assert "declared unavailable" in " ".join(t.evidence)


@pytest.mark.parametrize("failure", ["timeout", "servfail", "refused"])
def test_failed_lookup_is_unknown_never_absent(failure):
    fp = microsoft_footprint(D, answers({("enterpriseenrollment", "CNAME"): Reply.failed(failure)}))
    w = fp.workloads["intune"]
    assert w.state == "unknown"
    assert w.failed == [f"CNAME enterpriseenrollment.{D}: {failure}"]
    assert fp.lacks("intune") is None  # neither has it nor lacks it


def test_missing_mx_makes_exchange_unknown_not_absent():
    fp = microsoft_footprint(D, answers(), mx_hosts=None)
    assert fp.workloads["exchange"].state == "unknown"
    assert fp.workloads["teams"].state == "absent"


def test_question_not_answered_at_all_counts_as_failed():
    fp = microsoft_footprint(D, {}, mx_hosts=[])
    assert {w.state for w in fp.workloads.values()} == {"unknown"}
    assert {m.state for m in fp.mail_security.values()} == {"unknown"}


def test_positive_evidence_stands_when_another_question_failed():
    fp = microsoft_footprint(
        D,
        answers(
            {
                ("lyncdiscover", "CNAME"): cname("webdir.online.lync.com"),
                ("_sipfederationtls._tcp", "SRV"): Reply.failed("timeout"),
            }
        ),
    )
    t = fp.workloads["teams"]
    assert t.state == "online"
    assert t.failed == [f"SRV _sipfederationtls._tcp.{D}: timeout"]


def test_srv_record_shapes_are_equivalent():
    shapes = [
        (100, 1, 5061, "sipfed.online.lync.com."),
        {"priority": 100, "weight": 1, "port": 5061, "target": "sipfed.online.lync.com"},
        "100 1 5061 sipfed.online.lync.com.",
    ]
    results = [
        microsoft_footprint(D, answers({("_sipfederationtls._tcp", "SRV"): Reply(records=[s])})).workloads["teams"]
        for s in shapes
    ]
    assert len({(w.state, tuple(w.evidence)) for w in results}) == 1
    assert results[0].state == "online"


def test_reply_from_resolver_outcomes():
    from hunter_cli.dns.resolver import Answer, LookupFailure

    ok = reply_from(Answer("noerror", ["autodiscover.outlook.com"], [("a.x", "b.y")]))
    assert (ok.rcode, ok.records, ok.cnames, ok.failure) == (
        "noerror",
        ["autodiscover.outlook.com"],
        [("a.x", "b.y")],
        None,
    )
    assert reply_from(Answer("nxdomain")).rcode == "nxdomain"
    failed = reply_from(LookupFailure("servfail", "x.example", "CNAME"))
    assert failed.failure == "servfail"
    with pytest.raises(TypeError):
        reply_from(object())


def test_workload_tags_are_the_filter_vocabulary():
    tags = workload_tags()
    assert {"exchange-online", "exchange-onprem", "teams", "lync-onprem", "intune", "device-registration"} <= set(tags)


# --- MTA-STS (RFC 8461 3.1), TLS-RPT (RFC 8460 3), BIMI (draft 4.2) ---------------------


def security(name: str, reply: Reply) -> dict:
    return microsoft_footprint(D, answers({(name, "TXT"): reply})).mail_security


@pytest.mark.parametrize(
    ("name", "record", "key"),
    [
        ("_mta-sts", "v=STSv1; id=20261101T000000;", "mta-sts"),
        ("_mta-sts", "v=STSv1;id=abc123", "mta-sts"),
        ("_smtp._tls", "v=TLSRPTv1; rua=mailto:tls@ornek-firma.com.tr", "tls-rpt"),
        ("_smtp._tls", "v=TLSRPTv1; rua=https://rapor.ornek.com/v1,mailto:a@b.c", "tls-rpt"),
        (
            "default._bimi",
            "v=BIMI1; l=https://ornek-firma.com.tr/logo.svg; a=https://ornek-firma.com.tr/vmc.pem",
            "bimi",
        ),
    ],
)
def test_mail_security_published(name, record, key):
    m = security(name, Reply(records=["some-other-token=1", record]))[key]
    assert m.state == "published", m.evidence
    assert m.record == record.strip()
    assert m.tags["v"]


@pytest.mark.parametrize(
    ("name", "records", "key", "why"),
    [
        ("_mta-sts", ["v=STSv1; id=1", "v=STSv1; id=2"], "mta-sts", "2 v=STSv1 records"),
        ("_mta-sts", ["v=STSv1;"], "mta-sts", "id tag is missing"),
        ("_mta-sts", ["v=STSv1; id=this-id-has-dashes"], "mta-sts", "letters and digits"),
        ("_mta-sts", ["v=STSv1; id=" + "a" * 33], "mta-sts", "letters and digits"),
        ("_smtp._tls", ["v=TLSRPTv1; rua=ftp://x/y"], "tls-rpt", "mailto: or https:"),
        ("_smtp._tls", ["v=TLSRPTv1;"], "tls-rpt", "rua tag is missing"),
        ("default._bimi", ["v=BIMI1; l=http://x/logo.svg"], "bimi", "https://"),
        ("default._bimi", ["v=BIMI1 garbage"], "bimi", "tag=value"),
    ],
)
def test_mail_security_invalid(name, records, key, why):
    m = security(name, Reply(records=records))[key]
    assert m.state == "invalid"
    assert why in " ".join(m.evidence)


def test_mail_security_absent_and_unknown():
    absent = security("_mta-sts", Reply(records=["v=spf1 -all"]))["mta-sts"]
    assert absent.state == "absent"
    unknown = security("_smtp._tls", Reply.failed("timeout"))["tls-rpt"]
    assert unknown.state == "unknown" and unknown.failed


def test_mta_sts_delegated_by_cname_names_the_host():
    m = security("_mta-sts", Reply(records=["v=STSv1; id=x1"], cnames=[(f"_mta-sts.{D}", "_mta-sts.provider.example")]))
    assert m["mta-sts"].state == "published"
    assert m["mta-sts"].hosted_by == "_mta-sts.provider.example"


def test_parse_tags():
    assert parse_tags("v=STSv1; id=20160831085700Z;") == {"v": "STSv1", "id": "20160831085700Z"}
    assert parse_tags("v=STSv1; nonsense") is None


# Exchange Online's sending side (Microsoft Learn, "How to use DKIM for email in your custom domain":
# selector1-<CustomDomain>._domainkey.<InitialDomain>, or <InitialDomainPrefix>.<x>-v1.dkim.mail.microsoft for
# domains added since May 2025; "Set up SPF ...": include:spf.protection.outlook.com)
@pytest.mark.parametrize(
    ("dkim", "spf", "cloud", "fact"),
    [
        (
            [("selector1", "selector1-ornek-firma-com-tr._domainkey.ornekfirma.onmicrosoft.com")],
            [],
            "commercial",
            "selector1._domainkey CNAME → selector1-ornek-firma-com-tr._domainkey.ornekfirma.onmicrosoft.com",
        ),
        (
            [("selector2", "Selector2-Ornek-Firma-com-tr._domainkey.ornekfirma.p-v1.dkim.mail.microsoft.")],
            [],
            "commercial",
            "selector2._domainkey CNAME → selector2-ornek-firma-com-tr._domainkey.ornekfirma.p-v1.dkim.mail.microsoft",
        ),
        ([("selector1", "selector1-x._domainkey.ornek.partner.onmschina.cn")], [], "21vianet", None),
        ([], ["spf.protection.outlook.com"], "commercial", "SPF include:spf.protection.outlook.com"),
        ([], ["_spf.relay.example", "spf.protection.office365.us"], "us-government", None),  # nested include
    ],
)
def test_exchange_online_from_a_dkim_key_in_the_tenant_or_the_spf_include(dkim, spf, cloud, fact):
    """Behind a gateway (MX elsewhere, no autodiscover) a DKIM key kept by Microsoft 365 or the SPF include
    is Exchange Online evidence, shown as the record seen."""
    fp = microsoft_footprint(D, answers(), mx_hosts=["eu-smtp-inbound-1.mimecast.com"], dkim=dkim, spf_includes=spf)
    ex = fp.workloads["exchange"]
    assert (ex.state, ex.cloud) == ("online", cloud)
    assert "exchange-online" in ex.tags
    if fact:
        assert ex.records == [fact]


def test_dkim_and_spf_that_name_someone_else_are_no_exchange_evidence():
    fp = microsoft_footprint(
        D,
        answers(),
        mx_hosts=["aspmx.l.google.com"],
        dkim=[("google", "google._domainkey.example.net"), ("s1", "s1.domainkey.u123.wl.sendgrid.net")],
        spf_includes=["_spf.google.com", "spf.protection.outlook.com.evil.example", "outlook.com"],
    )
    ex = fp.workloads["exchange"]
    assert ex.state == "absent" and ex.records == []
    assert "DKIM key in a Microsoft 365 tenant" in ex.evidence[0] and "Microsoft SPF include" in ex.evidence[0]


def test_an_own_autodiscover_with_the_spf_include_is_hybrid():
    fp = microsoft_footprint(
        D,
        answers({("autodiscover", "CNAME"): cname(f"mail.{D}")}),
        mx_hosts=[f"mail.{D}"],
        spf_includes=["spf.protection.outlook.com"],
    )
    ex = fp.workloads["exchange"]
    assert ex.state == "hybrid" and {"exchange-hybrid", "exchange-online", "exchange-onprem"} <= set(ex.tags)


def test_an_mx_alias_of_exchange_online_is_exchange_online():
    fp = microsoft_footprint(
        D, answers(), mx_hosts=[f"mx1.{D}"], mx_canonical={f"mx1.{D}": "ornek-firma-com-tr.mail.protection.outlook.com"}
    )
    ex = fp.workloads["exchange"]
    assert ex.state == "online" and ex.records == [f"MX mx1.{D} → ornek-firma-com-tr.mail.protection.outlook.com"]
    assert "an alias of" in ex.evidence[0]


def test_a_failed_dkim_or_spf_lookup_never_makes_exchange_absent():
    """Nothing found and a DKIM or TXT lookup without an answer: unknown, not absent; found evidence stands."""
    failed_dkim = microsoft_footprint(D, answers(), mx_hosts=[], unchecked=["DKIM: selector1: timeout"])
    assert failed_dkim.workloads["exchange"].state == "unknown"
    no_txt = microsoft_footprint(D, answers(), mx_hosts=[], spf_includes=None)
    assert no_txt.workloads["exchange"].state == "unknown"
    assert microsoft_footprint(D, answers(), mx_hosts=[]).workloads["exchange"].state == "absent"
    found = microsoft_footprint(
        D, answers(), mx_hosts=[], spf_includes=["spf.protection.outlook.com"], unchecked=["DKIM: timeout"]
    )
    assert found.workloads["exchange"].state == "online"
    assert microsoft_footprint(D, answers(), mx_hosts=[]).workloads["teams"].failed == []  # others unaffected


def test_only_a_target_inside_the_domain_costs_a_question_more():
    from hunter_cli.footprint.microsoft import chain_questions

    given = answers(
        {
            ("autodiscover", "CNAME"): cname("autodiscover.outlook.com"),
            ("lyncdiscover", "CNAME"): cname(f"ld.{D}"),
            ("_autodiscover._tcp", "SRV"): srv(f"ld.{D}"),  # the same name: asked once
        }
    )
    assert chain_questions(D, given) == [(f"ld.{D}", "CNAME")]
    given[(f"ld.{D}", "CNAME")] = cname("webdir.online.lync.com")
    assert chain_questions(D, given) == []
    assert chain_questions(D, answers()) == []  # most domains: nothing inside the domain to follow


def test_a_chain_the_resolver_already_gave_needs_no_question():
    from hunter_cli.footprint.microsoft import chain_questions

    # a resolver that adds the rest of the chain to a CNAME answer (dns/resolver.py keeps it as cnames)
    given = answers(
        {("autodiscover", "CNAME"): Reply(records=[f"ad.{D}"], cnames=[(f"ad.{D}", "autodiscover.outlook.com")])}
    )
    assert chain_questions(D, given) == []
    ex = microsoft_footprint(D, given, mx_hosts=[]).workloads["exchange"]
    assert ex.state == "online"
    assert ex.records == [f"autodiscover CNAME → ad.{D} → autodiscover.outlook.com"]


def test_a_chain_longer_than_the_limit_is_a_finding_not_more_questions():
    from hunter_cli.footprint.microsoft import MAX_CHAIN, chain_questions

    given = answers({("lyncdiscover", "CNAME"): cname(f"h0.{D}")})
    asked = 0
    while more := chain_questions(D, given):
        asked += 1
        assert asked <= MAX_CHAIN
        for name, rtype in more:
            given[(name, rtype)] = cname(f"h{int(name.split('.')[0][1:]) + 1}.{D}")
    teams = microsoft_footprint(D, given).workloads["teams"]
    assert asked == MAX_CHAIN
    assert teams.state == "absent" and len(teams.loops) == 1
    assert "past 4 names" in " ".join(teams.evidence)


def test_a_failed_lookup_on_the_way_is_unknown_not_gone_nor_their_server():
    given = answers({("autodiscover", "CNAME"): cname(f"ad.{D}"), ("ad", "CNAME"): Reply.failed("timeout")})
    ex = microsoft_footprint(D, given, mx_hosts=[]).workloads["exchange"]
    assert (ex.state, ex.leftovers, ex.own_hosts) == ("unknown", [], [])
    assert f"CNAME ad.{D}: timeout" in ex.failed


def test_three_names_at_one_target_are_a_wildcard_unless_a_one_label_name_does_not_exist():
    same = {(n, "CNAME"): cname("parking.hoster.example") for n in ("autodiscover", "lyncdiscover", "sip")}
    hoster = {(n, "CNAME"): cname("parking.hoster.example") for n in ("enterpriseenrollment", "enterpriseregistration")}
    nodata = {("msoid", "CNAME"): Reply.nodata()}
    fp = microsoft_footprint(D, answers({**same, **hoster, **nodata}), mx_hosts=[])
    assert fp.wildcard == "parking.hoster.example"
    assert fp.workloads["intune"].state == "absent" and fp.workloads["intune"].wildcard
    # msoid NXDOMAIN (the helper's default): a wildcard would have answered it, so these are records of theirs
    fp = microsoft_footprint(D, answers(same), mx_hosts=[])
    assert fp.wildcard is None and fp.workloads["teams"].state == "other"
