"""The Microsoft footprint and the services list as `hunter scan --json` reports them, over the
suite's real DNS server (tests/zones/footprint.zone): each workload state, each service, a failed
lookup recorded as a failure, `--quick`, and the change events when a footprint changes."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_footprint_zone import EXPECTED

from hunter_cli.footprint import questions
from hunter_cli.footprint.schema import services_catalog
from hunter_cli.store.packing import loads


@pytest.fixture(scope="module")
def workloads(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """Every footprint domain of test_footprint_zone.EXPECTED, scanned once through the CLI."""
    from conftest import Hunter

    _session_dns.clear_faults()
    h = Hunter(_session_dns, tmp_path_factory.mktemp("fp") / "hunter.db", _session_ms, _session_reg)
    return h.scan_json(*sorted(EXPECTED), "--no-whois")


@pytest.mark.parametrize("domain", sorted(EXPECTED))
def test_scan_json_reports_each_workload_state(workloads, domain):
    ms = workloads[domain]["microsoft"]
    got = {w: (ms["workloads"][w]["state"], ms["workloads"][w]["cloud"]) for w in EXPECTED[domain]}
    assert got == EXPECTED[domain]
    assert not [e for e in workloads[domain]["errors"] if e["check"] == "footprint"]
    for w in ms["workloads"].values():
        assert w["evidence"], w  # every state says why
        if w["state"] in ("online", "on_premises", "hybrid", "other"):
            assert w["records"], w


def test_srv_records_come_back_from_the_resolver(workloads):
    """The resolver asks SRV (RFC 2782) and the scan reads priority, weight, port and target."""
    teams = workloads["fp-sunucu-ornek.com.tr"]["microsoft"]["workloads"]["teams"]
    assert "_sipfederationtls._tcp SRV → sip.fp-sunucu-ornek.com.tr:5061" in teams["records"]
    assert "lync-onprem" in teams["tags"]
    declined = workloads["fp-bos-ornek.com.tr"]["microsoft"]["workloads"]["teams"]
    assert declined["state"] == "absent" and "declared unavailable" in " ".join(declined["evidence"])


def test_mail_security_and_hybrid_tags_in_json(workloads):
    exo = workloads["fp-exo-ornek.com.tr"]["microsoft"]
    assert {k: v["state"] for k, v in exo["mail_security"].items()} == {
        "mta-sts": "published",
        "tls-rpt": "published",
        "bimi": "invalid",  # the record is good, but the domain has no DMARC policy: no logo is shown
    }
    assert "BIMI needs DMARC at enforcement" in exo["mail_security"]["bimi"]["evidence"][-1]
    assert exo["mail_security"]["mta-sts"]["policy"]["mode"] == "enforce"
    hybrid = workloads["fp-hibrit-ornek.com.tr"]["microsoft"]["workloads"]["exchange"]
    assert hybrid["tags"] == ["exchange-online", "exchange-onprem", "exchange-hybrid"]
    assert workloads["fp-hibrit-ornek.com.tr"]["microsoft"]["clouds"] == ["commercial"]


SERVICES = [s for s in services_catalog().services if s.listed and (s.txt or s.spf or s.dkim or s.ns)]


@pytest.fixture(scope="module")
def services(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import Hunter

    _session_dns.clear_faults()
    h = Hunter(_session_dns, tmp_path_factory.mktemp("svc") / "hunter.db", _session_ms, _session_reg)
    return h.scan_json(*(f"fp-svc-{s.id}.com.tr" for s in SERVICES), "--no-whois")


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.id)
def test_scan_finds_each_service_with_its_evidence(services, svc):
    found = services[f"fp-svc-{svc.id}.com.tr"]["services"]
    assert [s["id"] for s in found] == [svc.id]
    (one,) = found
    assert one["name"] == svc.name and one["category"] == svc.category and one["evidence"] and one["found"]


def test_services_from_name_servers_and_federation(hunter, ms):
    """NS is asked with the footprint; a federated tenant's sign-in host names its identity service."""
    from conftest import Tenant

    ms.tenants["fp-svc-okta.com.tr"] = Tenant(
        id="12345678-1234-4234-8234-123456789abc",
        brand="Okta Kullanan",
        namespace="Federated",
        auth_host="acme.okta.com",
    )
    out = hunter.scan_json("fp-svc-okta.com.tr", "fp-svc-cloudflare.com.tr", "--no-whois")
    okta = out["fp-svc-okta.com.tr"]["services"]
    assert [s["id"] for s in okta] == ["okta"] and okta[0]["found"] == [["federation", "acme.okta.com"]]
    cf = out["fp-svc-cloudflare.com.tr"]["services"]
    assert [s["id"] for s in cf] == ["cloudflare"] and ["ns", "amy.ns.cloudflare.com"] in cf[0]["found"]
    # trial 21: Okta's cloud is no identity provider "of their own", as AD FS at sts.<their domain> is
    from hunter_cli.brief.messages import Messages

    for lang in ("en", "tr"):
        m = Messages(lang)
        mail = json.loads(hunter("sales-summary", "fp-svc-okta.com.tr", "--json", "--lang", lang).stdout)["mail"]
        assert m("mail.tenant_federated_service", host="acme.okta.com", service="Okta") in mail, mail
        assert m("mail.tenant_federated", host="acme.okta.com") not in mail


def test_each_footprint_question_is_asked_once(hunter, dns):
    d = "fp-exo-ornek.com.tr"
    hunter.scan_json(d, "--no-whois", "--no-tenant")
    for name, rtype in [*questions(d), (d, "NS")]:
        assert dns.count(name, rtype) == 1, (name, rtype)


def test_a_failed_footprint_lookup_is_a_failure_not_an_absence(hunter, dns):
    d = "fp-hata-ornek.com.tr"
    for name in ("enterpriseenrollment", "lyncdiscover", "_sipfederationtls._tcp", "_mta-sts"):
        dns.faults[f"{name}.{d}"] = "servfail"
    r = hunter.scan_json(d, "--no-whois")[d]
    ms = r["microsoft"]["workloads"]
    assert ms["intune"]["state"] == "unknown" and ms["teams"]["state"] == "unknown"
    assert ms["exchange"]["state"] == "online"  # positive evidence stands
    assert r["microsoft"]["mail_security"]["mta-sts"]["state"] == "unknown"
    fp_errors = [e for e in r["errors"] if e["check"] == "footprint"]
    assert len(fp_errors) == 4 and all(e["kind"] == "servfail" for e in fp_errors)
    assert r["status"] == "partial"
    assert r["score"] is not None and r["category"] is not None  # a footprint failure never unscores


def test_a_failed_lookup_keeps_the_stored_state_and_raises_no_event(hunter, dns, db):
    d = "fp-exo-ornek.com.tr"
    hunter.scan_json(d, "--no-whois")
    dns.faults[f"enterpriseenrollment.{d}"] = "servfail"
    dns.faults[(d, "NS")] = "servfail"
    hunter.scan_json(d, "--no-whois")
    conn = sqlite3.connect(db)
    view = loads(conn.execute("SELECT current_view FROM domains WHERE domain = ?", (d,)).fetchone()[0])
    assert view["microsoft"]["workloads"]["intune"]["state"] == "online"  # carried, not "unknown"
    kinds = [k for (k,) in conn.execute("SELECT kind FROM events WHERE domain = ?", (d,))]
    assert not [k for k in kinds if k.startswith(("workload_", "service_"))]


def test_quick_skips_the_footprint_and_keeps_the_stored_one(hunter, dns, db):
    d = "fp-sunucu-ornek.com.tr"
    hunter.scan_json(d, "--no-whois")
    dns.reset_log()
    r = hunter.scan_json(d, "--no-whois", "--quick")[d]
    assert r["microsoft"] is None
    assert dns.count(f"autodiscover.{d}") == 0 and dns.count(d, "NS") == 0
    assert dns.count(d, "MX") == 1
    conn = sqlite3.connect(db)
    view = loads(conn.execute("SELECT current_view FROM domains WHERE domain = ?", (d,)).fetchone()[0])
    assert view["microsoft"]["workloads"]["exchange"]["state"] == "on_premises"
    assert conn.execute("SELECT category FROM domains WHERE domain = ?", (d,)).fetchone()[0] == "P1"
    assert not conn.execute("SELECT kind FROM events WHERE domain = ?", (d,)).fetchall()


def test_quick_keeps_services_known_from_name_servers(hunter, dns, db):
    d = "fp-svc-route53.com.tr"  # known from its name servers alone
    assert [s["id"] for s in hunter.scan_json(d, "--no-whois")[d]["services"]] == ["route53"]
    r = hunter.scan_json(d, "--no-whois", "--quick")[d]
    assert r["services"] == []  # this scan did not ask NS
    conn = sqlite3.connect(db)
    view = loads(conn.execute("SELECT current_view FROM domains WHERE domain = ?", (d,)).fetchone()[0])
    assert [s["id"] for s in view["services"]] == ["route53"]
    assert not conn.execute("SELECT kind FROM events WHERE domain = ?", (d,)).fetchall()


def test_change_events_when_workloads_and_services_come_and_go(hunter, dns, db, zone_text, ms):
    from msserver import Tenant

    d = "fp-degisen-ornek.com.tr"
    before = f"""{d}. 300 IN MX 10 mail.{d}.
mail.{d}. 300 IN A 198.51.100.150
autodiscover.{d}. 300 IN CNAME mail.{d}.
{d}. 300 IN TXT "slack-domain-verification=Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8Vb7Nm6M"
"""
    # then: Exchange moved to Exchange Online, devices enrol in Intune, Zoom replaced Slack; a tenant answers for
    # the domain throughout, so the lists take the new records as they are (lead/footprint.py evidence_doubt)
    after = f"""{d}. 300 IN MX 0 fp-degisen-ornek-com-tr.mail.protection.outlook.com.
fp-degisen-ornek-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.152
autodiscover.{d}. 300 IN CNAME autodiscover.outlook.com.
enterpriseenrollment.{d}. 300 IN CNAME enterpriseenrollment-s.manage.microsoft.com.
{d}. 300 IN TXT "ZOOM_verify_z9Y8x7W6v5U4t3S2"
"""
    ms.tenants[d] = Tenant(id="5e5e5e5e-1111-4222-8333-444444444444", brand="Degisen", region="EU")
    try:
        dns.load(zone_text + before)
        first = hunter.scan_json(d, "--no-whois")[d]
        assert first["microsoft"]["workloads"]["exchange"]["state"] == "on_premises"
        dns.load(zone_text + after)
        hunter.scan_json(d, "--no-whois")
    finally:
        dns.load(zone_text)
    out = hunter("changes", "--since", "1d", "--json")
    events = {(e["kind"], e["old"], e["new"]) for e in json.loads(out.stdout) if e["domain"] == d}
    assert ("workload_changed", "exchange: on_premises", "exchange: online") in events
    assert ("workload_added", "intune: absent", "intune: online") in events
    assert ("service_added", None, "Zoom") in events
    assert ("service_removed", "Slack", None) in events
    assert ("provider_changed", "self-hosted", "m365") in events
    only = hunter("changes", "--since", "1d", "--kind", "service_added", "--json")
    assert only.exit_code == 0 and {e["new"] for e in json.loads(only.stdout) if e["domain"] == d} == {"Zoom"}


def _view(states: dict[str, str] | None, services: list[str] | None) -> dict:
    # a tenant stands behind the records: the lists take them as they are (lead/footprint.py evidence_doubt)
    view: dict = {"provider": "m365", "tenant": {"id": "0c0c0c0c-1111-4222-8333-444444444444"}}
    if states is not None:
        workloads = {w: {"id": w, "name": w, "state": s} for w, s in states.items()}
        view["microsoft"] = {"workloads": workloads, "mail_security": {}}
    if services is not None:
        view["services"] = [{"id": s, "name": s.title(), "category": "storage"} for s in services]
    return view


def test_changes_never_compare_an_unknown_or_a_footprint_never_asked():
    from hunter_cli.lead.posture import changes

    # a failed lookup (unknown) on either side is no change
    assert changes(_view({"intune": "online"}, []), _view({"intune": "unknown"}, [])) == []
    assert changes(_view({"intune": "unknown"}, []), _view({"intune": "online"}, [])) == []
    # a view from before the footprint existed (or a --quick view with nothing carried) is no change
    assert changes(_view(None, None), _view({"exchange": "on_premises"}, ["zoom"])) == []
    # other -> absent (another MDM removed) is a change of state, not a removal of Intune
    assert changes(_view({"intune": "other"}, []), _view({"intune": "absent"}, [])) == [
        ("workload_changed", "intune: other", "intune: absent")
    ]
    assert changes(_view({"teams": "hybrid"}, []), _view({"teams": "online"}, [])) == [
        ("workload_changed", "teams: hybrid", "teams: online")
    ]
    assert changes(_view({"exchange": "online"}, ["box"]), _view({"exchange": "absent"}, [])) == [
        ("workload_removed", "exchange: online", "exchange: absent"),
        ("service_removed", "Box", None),
    ]
