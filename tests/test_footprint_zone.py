"""tests/zones/footprint.zone: it loads, and over real DNS it gives each workload state.

The answers are fetched with dnspython straight from the suite's DNS server (the scan
wiring comes later); the classification is Hunter's own pure code.
"""

from __future__ import annotations

from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from dnsserver import load_zone_dir, parse_records

from hunter_cli.footprint import Reply, find_services, microsoft_footprint, questions
from hunter_cli.footprint.schema import services_catalog

ZONES = Path(__file__).parent / "zones"


@pytest.mark.parametrize("path", sorted(ZONES.glob("*.zone")), ids=lambda p: p.name)
def test_every_zone_file_parses(path):
    assert parse_records(path.read_text("utf-8"))


def test_zone_dir_loads_with_the_footprint_zone():
    text = load_zone_dir(ZONES)
    names = {r.name.to_text() for r in parse_records(text)}
    assert "autodiscover.fp-exo-ornek.com.tr." in names
    assert "m365-firma.com.tr." in names  # the other zones are still there


def ask(server, name: str, rtype: str) -> Reply:
    q = dns.message.make_query(name, rtype)
    q.flags |= dns.flags.RD
    try:
        r = dns.query.udp(q, server.address[0], port=server.address[1], timeout=2)
    except dns.exception.Timeout:
        return Reply.failed("timeout")
    rcode = r.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return Reply.nxdomain()
    if rcode != dns.rcode.NOERROR:
        return Reply.failed(dns.rcode.to_text(rcode).lower())
    want = dns.rdatatype.from_text(rtype)
    records, cnames = [], []
    for rrset in r.answer:
        for rd in rrset:
            if rrset.rdtype == want:
                if want == dns.rdatatype.CNAME:
                    records.append(rd.target.to_text())
                elif want == dns.rdatatype.SRV:
                    records.append((rd.priority, rd.weight, rd.port, rd.target.to_text()))
                elif want == dns.rdatatype.TXT:
                    records.append(b"".join(rd.strings).decode())
                else:
                    records.append(rd.to_text())
            elif rrset.rdtype == dns.rdatatype.CNAME:
                cnames.append((rrset.name.to_text().rstrip("."), rd.target.to_text().rstrip(".")))
    return Reply(rcode="noerror" if records else "nodata", records=records, cnames=cnames)


def footprint(server, domain: str):
    answers = {q: ask(server, *q) for q in questions(domain)}
    mx = ask(server, domain, "MX")
    hosts = None if mx.failure else [str(r).split()[-1] for r in mx.records]
    return microsoft_footprint(domain, answers, mx_hosts=hosts)


EXPECTED = {
    "fp-exo-ornek.com.tr": {
        "exchange": ("online", "commercial"),
        "teams": ("online", "commercial"),
        "intune": ("online", "commercial"),
        "device-registration": ("online", None),
        "msoid": ("absent", None),
    },
    "fp-china-ornek.com.cn": {
        "exchange": ("online", "21vianet"),
        "teams": ("online", "21vianet"),
        "intune": ("absent", None),
        "device-registration": ("online", "21vianet"),
        "msoid": ("online", "21vianet"),
    },
    "fp-gcch-agency.us": {
        "exchange": ("online", "gcc-high"),
        "teams": ("online", "gcc-high"),
        "intune": ("online", "us-government"),
    },
    "fp-dod-agency.us": {"exchange": ("online", "dod"), "teams": ("online", "dod")},
    "fp-sunucu-ornek.com.tr": {
        "exchange": ("on_premises", None),
        "teams": ("on_premises", None),
        "device-registration": ("on_premises", None),
        "intune": ("absent", None),
    },
    "fp-hibrit-ornek.com.tr": {
        "exchange": ("hybrid", "commercial"),
        "teams": ("hybrid", "commercial"),
        "intune": ("online", "commercial"),
    },
    "fp-cpanel-ornek.com.tr": {"exchange": ("other", None), "teams": ("absent", None)},
    "fp-bos-ornek.com.tr": {
        w: ("absent", None) for w in ("exchange", "teams", "intune", "device-registration", "msoid")
    },
    "fp-eski-ornek.com.tr": {
        "msoid": ("online", "commercial"),
        "intune": ("other", None),
        "exchange": ("online", "commercial"),
    },
}


@pytest.mark.parametrize("domain", sorted(EXPECTED))
def test_workload_states_over_real_dns(dns, domain):
    fp = footprint(dns, domain)
    got = {w: (fp.workloads[w].state, fp.workloads[w].cloud) for w in EXPECTED[domain]}
    assert got == EXPECTED[domain], {w: fp.workloads[w].evidence for w in EXPECTED[domain]}
    for w in fp.workloads.values():
        assert w.failed == [], w


def test_gcc_high_and_dod_share_the_mx_namespace_autodiscover_tells_them_apart(dns):
    gcch = footprint(dns, "fp-gcch-agency.us").workloads["exchange"]
    assert any("autodiscover.office365.us" in e for e in gcch.evidence)
    assert any(
        "mail.protection.office365.us is Exchange Online (Microsoft 365 US Government" in e for e in gcch.evidence
    )
    assert gcch.notes == []  # not "more than one cloud"
    dod = footprint(dns, "fp-dod-agency.us").workloads["exchange"]
    assert any("autodiscover-dod.office365.us" in e for e in dod.evidence)


def test_failures_over_real_dns_are_unknown_not_absent(dns):
    d = "fp-hata-ornek.com.tr"
    for name in ("enterpriseenrollment", "lyncdiscover", "_sipfederationtls._tcp", "_mta-sts"):
        dns.faults[f"{name}.{d}"] = "servfail"
    fp = footprint(dns, d)
    assert fp.workloads["exchange"].state == "online"  # positive evidence stands
    assert fp.workloads["intune"].state == "unknown"
    assert fp.workloads["teams"].state == "unknown"
    assert fp.workloads["device-registration"].state == "absent"
    assert fp.mail_security["mta-sts"].state == "unknown"
    assert fp.lacks("intune") is None


def test_mail_security_over_real_dns(dns):
    good = footprint(dns, "fp-exo-ornek.com.tr").mail_security
    assert {k: m.state for k, m in good.items()} == {
        "mta-sts": "published",
        "tls-rpt": "published",
        "bimi": "published",
    }
    bad = footprint(dns, "fp-eski-ornek.com.tr").mail_security
    assert {k: m.state for k, m in bad.items()} == {"mta-sts": "invalid", "tls-rpt": "invalid", "bimi": "invalid"}
    hosted = footprint(dns, "fp-sts-hosted.com.tr").mail_security["mta-sts"]
    assert (hosted.state, hosted.hosted_by) == ("published", "_mta-sts.sts-provider.example")


def test_srv_dot_over_real_dns(dns):
    teams = footprint(dns, "fp-bos-ornek.com.tr").workloads["teams"]
    assert teams.state == "absent" and "declared unavailable" in " ".join(teams.evidence)


SERVICES = [s for s in services_catalog().services if s.listed and (s.txt or s.spf or s.dkim or s.ns)]


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.id)
def test_each_service_zone_domain_reveals_its_service_over_real_dns(dns, svc):
    d = f"fp-svc-{svc.id}.com.tr"
    txt = ask(dns, d, "TXT").records
    spf = [r for r in txt if r.lower().startswith("v=spf1")]
    includes = [t.split(":", 1)[1] for r in spf for t in r.split() if t.startswith("include:")]
    dkim = []
    for sel in ("k1", "s1", "s2"):
        dkim += ask(dns, f"{sel}._domainkey.{d}", "CNAME").records
    ns = ask(dns, d, "NS").records
    found = find_services(txt=txt, spf_includes=includes, dkim_cnames=dkim, nameservers=ns)
    assert [s.id for s in found] == [svc.id]
