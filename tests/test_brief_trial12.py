"""Wrong verdicts and self-contradictions a fresh-user trial found (stop 26), each as a kind, over the suite's
real DNS server (zones in tests/zones/trial12.zone), in English and Turkish:

- MX hosts of the same preference at two providers: mail arrives at each (RFC 5321 5.1), the records decide
  which is their suite, and neither provider's SPF include is "left over from a move";
- a backup MX at another provider or their own server is said, and its include is no leftover either;
- a withdrawn DKIM key (empty ``p=``) is said as withdrawn, never "no key found" (RFC 6376 3.6.1);
- ``v=DKIM1`` after another tag is a warning (RFC 6376 3.6.1: it MUST be first);
- a key in testing mode "works" for nobody, and an SPF record with an error or a neutral ``all`` never
  "works, but";
- DMARC reports to a domain that has not authorised them never "go to" it (RFC 7489 7.1);
- an SPF include loop is said as a loop, and no lookup-limit fix is offered for it;
- several mailbox providers in one SPF record and none in the MX: no one of them is sold against;
- an MTA-STS record whose policy host does not exist, or one with another version, is said as what it is;
- a neutral SPF record (``?all``, no ``all``) is an SPF gap for the offer (RFC 7208 8.2);
- a mailbox provider that the MX delivers to, or that an SPF include names, is a service in use.
"""

from __future__ import annotations

import json

import pytest
from msserver import Tenant
from test_brief_consistency import check

from hunter_cli.brief.messages import LANGUAGES, Messages


def _brief(hunter, domain: str, lang: str) -> dict:
    result = hunter("sales-summary", domain, "--json", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _consistent(hunter, domain: str, lang: str) -> None:
    assert check(hunter("sales-summary", domain, "--format", "markdown", "--lang", lang).stdout, lang) == []


def _codes(findings) -> list[str]:
    return [f["code"] for f in findings]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_equal_preference_mx_at_two_providers_is_a_split_not_a_leftover(hunter, ms, lang):
    """MX 10 Google and MX 10 Microsoft 365 with a tenant: Microsoft 365 is their suite (the tenant stands
    behind it), the split is said, and the Microsoft include is no leftover to delete."""
    domain = "t12-esit.com.tr"
    ms.tenants[domain] = Tenant(id="12121212-1111-4222-8333-444444444444", brand="Esit")
    m = Messages(lang)
    out = hunter.scan_json(domain, "--no-whois")[domain]
    assert out["provider"] == "m365"
    assert _codes(out["mx_warnings"]) == ["mx-split-providers"]
    assert "spf-other-mail-provider" not in _codes(out["spf"]["warnings"])
    brief = _brief(hunter, domain, lang)
    split = m("mail.mx_split", names=m("list.and", first="Google Workspace", last="Microsoft 365"))
    assert split in brief["mail"]
    assert "google-workspace" not in brief["offer"]["plays"]  # "their mailboxes are not there" is false
    _consistent(hunter, domain, lang)


def test_without_a_tenant_the_records_order_decides_and_nothing_is_a_leftover(hunter):
    """No record stands behind either provider more: the first host in order, still with the split warning and
    no leftover include."""
    domain = "t12-esit.com.tr"
    out = hunter.scan_json(domain, "--no-whois", "--no-tenant")[domain]
    assert out["provider"] == "google"
    assert _codes(out["mx_warnings"]) == ["mx-split-providers"]
    assert "spf-other-mail-provider" not in _codes(out["spf"]["warnings"])
    row = next(r for r in json.loads(hunter("leads", "-f", "json").stdout) if r["domain"] == domain)
    assert "google" in row["footprint"]
    brief = _brief(hunter, domain, "en")
    head = Messages("en").data["fp.exchange.online_split"].split(":")[0]  # part of their mail, not "beside"
    assert [line for line in brief["microsoft"] if line.startswith(head)]
    for lang in LANGUAGES:
        _consistent(hunter, domain, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_backup_mx_elsewhere_is_said_and_its_include_is_no_leftover(hunter, lang):
    m = Messages(lang)
    out = hunter.scan_json("t12-yedek.com.tr", "t12-yedek-ev.com.tr", "--no-whois")
    google = out["t12-yedek.com.tr"]
    assert google["provider"] == "google" and _codes(google["mx_warnings"]) == ["mx-backup-elsewhere"]
    assert "spf-other-mail-provider" not in _codes(google["spf"]["warnings"])
    brief = _brief(hunter, "t12-yedek.com.tr", lang)
    host = "t12-yedek-com-tr.mail.protection.outlook.com"
    assert m("mail.mx_backup", host=host, name="Microsoft 365", primary="Google Workspace") in brief["mail"]
    assert not [line for line in brief["mail"] if "before a move" in line or "geçişten" in line]
    own = out["t12-yedek-ev.com.tr"]
    assert own["provider"] == "m365" and own["mx_warnings"][0]["where"] == ["mx.t12-yedek-ev.com.tr"]
    brief = _brief(hunter, "t12-yedek-ev.com.tr", lang)
    name = m("provider.self-hosted")
    line = m("mail.mx_backup", host="mx.t12-yedek-ev.com.tr", name=name, primary="Microsoft 365")
    assert line in brief["mail"]
    _consistent(hunter, "t12-yedek.com.tr", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dkim_keys_withdrawn_late_version_and_testing(hunter, lang):
    m = Messages(lang)
    out = hunter.scan_json("t12-iptal.com.tr", "t12-vsonra.com.tr", "t12-test.com.tr", "--no-whois")
    assert out["t12-iptal.com.tr"]["dkim"]["selectors"][0]["revoked"] is True
    brief = _brief(hunter, "t12-iptal.com.tr", lang)
    assert m("sec.dkim_revoked", selectors="google") in brief["security"]
    assert m("sec.dkim_missing") not in brief["security"]

    late = out["t12-vsonra.com.tr"]["dkim"]
    assert late["selectors"][0]["version_not_first"] is True
    assert _codes(late["warnings"]) == ["dkim-version-not-first"]
    brief = _brief(hunter, "t12-vsonra.com.tr", lang)
    why = m("dkim_warning.dkim-version-not-first")
    assert m("sec.dkim_warning", selectors="google", reason=why) in brief["security"]

    brief = _brief(hunter, "t12-test.com.tr", lang)
    short = m("dkim_warning.dkim-rsa-under-2048")
    assert m("sec.dkim_warning_testing", selectors="google", reason=short) in brief["security"]
    assert m("sec.dkim_warning", selectors="google", reason=short) not in brief["security"]  # "works, but"
    for domain in ("t12-iptal.com.tr", "t12-test.com.tr"):
        _consistent(hunter, domain, lang)


def test_a_record_starting_with_another_tag_and_a_later_other_version_is_discarded():
    from hunter_cli.dns.dkim import parse_key

    key = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7"
    sel = parse_key("s", [f"k=rsa; v=DKIM2; p={key}"], None)
    assert sel is not None and sel.key_type is None and "v=DKIM2" in (sel.problem or "")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_spf_never_works_beside_its_own_error_or_a_neutral_all(hunter, lang):
    """A redirect ignored beside -all leaves Google out (an error): the redirect is said as one more thing to
    fix, not "SPF works, but". The same for ?all, which protects nothing (RFC 7208 8.2)."""
    m = Messages(lang)
    hunter.scan_json("t12-yonlen.com.tr", "t12-soru.com.tr", "t12-allsiz.com.tr", "--no-whois")
    brief = _brief(hunter, "t12-yonlen.com.tr", lang)
    works = m("sec.spf_warning", reason="").split("{")[0].rstrip(" .")
    assert not [line for line in brief["security"] if line.startswith(works)]
    ignored = m("spf_warning.spf-redirect-ignored", redirect="redirect=_spf.google.com")
    assert m("sec.spf_warning_also", reason=ignored) in brief["security"]
    for domain in ("t12-soru.com.tr", "t12-allsiz.com.tr"):
        brief = _brief(hunter, domain, lang)
        assert m("gap.spf") in " ".join(brief["offer"]["lines"] + brief["offer"]["addons"]), domain
        _consistent(hunter, domain, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dmarc_reports_nobody_authorised_are_not_said_to_go_there(hunter, lang):
    m = Messages(lang)
    out = hunter.scan_json("t12-rapor.com.tr", "--no-whois")["t12-rapor.com.tr"]
    assert "dmarc-report-authorization-missing" in _codes(out["dmarc"]["warnings"])
    brief = _brief(hunter, "t12-rapor.com.tr", lang)
    assert m("sec.dmarc_report_unauthorized", hosts="t12-baska.com.tr") in brief["security"]
    assert not [line for line in brief["security"] if "rapor@t12-baska.com.tr" in line]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_spf_include_loop_is_said_as_a_loop_and_not_offered_as_flattening(hunter, lang):
    m = Messages(lang)
    out = hunter.scan_json("t12-dongu.com.tr", "--no-whois")["t12-dongu.com.tr"]
    assert out["spf"]["result"] == "permerror" and _codes(out["spf"]["errors"]) == ["spf-include-loop"]
    brief = _brief(hunter, "t12-dongu.com.tr", lang)
    loop = m("spf_error.spf-include-loop", target="t12-dongu.com.tr")
    assert m("sec.spf_invalid", reason=loop) in brief["security"]
    offered = " ".join(brief["offer"]["lines"] + brief["offer"]["addons"])
    assert m("gap.lookups") not in offered and m("gap.spf") in offered
    _consistent(hunter, "t12-dongu.com.tr", lang)


def test_several_suites_in_one_spf_record_sell_against_none(hunter):
    hunter.scan_json("t12-coklu.com.tr", "--no-whois")
    brief = _brief(hunter, "t12-coklu.com.tr", "en")
    assert brief["provider"] == "self-hosted"
    assert "google-workspace" not in brief["offer"]["plays"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mta_sts_with_no_policy_host_or_another_version(hunter, lang):
    m = Messages(lang)
    out = hunter.scan_json("t12-sts-yok.com.tr", "t12-sts2.com.tr", "--no-whois")
    sts = out["t12-sts-yok.com.tr"]["microsoft"]["mail_security"]["mta-sts"]
    assert sts["state"] == "invalid" and sts["policy"]["invalid_kind"] == "host-missing"
    brief = _brief(hunter, "t12-sts-yok.com.tr", lang)
    assert m("fp.mts.invalid.host-missing", host="mta-sts.t12-sts-yok.com.tr") in brief["microsoft"]
    assert not [line for line in brief["microsoft"] if line.startswith("MTA-STS:") and "{" in line]

    two = out["t12-sts2.com.tr"]["microsoft"]["mail_security"]
    assert two["mta-sts"]["state"] == "invalid" and two["mta-sts"]["record"] == "v=STSv2; id=1"
    assert two["tls-rpt"]["state"] == "invalid"
    brief = _brief(hunter, "t12-sts2.com.tr", lang)
    names = m("list.and", first=m("fp.mailsec.name.mta-sts"), last=m("fp.mailsec.name.tls-rpt"))
    assert m("fp.mailsec.invalid_many", names=names) in brief["microsoft"]


def test_a_mailbox_provider_by_mx_or_by_its_include_is_a_service_in_use(hunter):
    out = hunter.scan_json("t12-zoho.com.tr", "--no-whois")["t12-zoho.com.tr"]
    zoho = next(s for s in out["services"] if s["id"] == "zoho")
    assert ["mx", "mx.zoho.eu"] in zoho["found"] and ["spf", "zoho.eu"] in zoho["found"]
    listed = json.loads(hunter("leads", "--uses", "zoho", "-f", "json").stdout)
    assert [r["domain"] for r in listed] == ["t12-zoho.com.tr"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_broken_spf_record_allows_nobody_whatever_it_names(hunter, lang):
    """permerror: receivers evaluate none of it (RFC 7208 2.6.7), so no line says it "allows" or "lets" a
    server send; the services it names are said as named by a broken record."""
    m = Messages(lang)
    out = hunter.scan_json("t12-kirik.com.tr", "--no-whois")["t12-kirik.com.tr"]
    assert out["spf"]["result"] == "permerror"
    brief = _brief(hunter, "t12-kirik.com.tr", lang)
    allows = m.data["mail.spf_includes"].split("{")[0]
    assert not [line for line in brief["mail"] if line.startswith(allows)]
    how = m("svc.how.spf_broken", host="_spf.google.com")
    assert [line for line in brief["services"] if how in line]
    assert m("svc.how.spf", host="_spf.google.com") not in " ".join(brief["services"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_delegated_selector_to_a_testing_key_is_testing_in_every_output(hunter, lang):
    m = Messages(lang)
    domain = "t12-cname-test.com.tr"
    out = hunter.scan_json(domain, "--no-whois")[domain]
    assert out["dkim"]["selectors"][0]["testing"] is True
    brief = _brief(hunter, domain, lang)
    target = out["dkim"]["selectors"][0]["cname"]
    # the key lives at the alias' target (Microsoft's): the switch is there, not "remove t=y from the record"
    assert m("sec.dkim_testing_hosted", selectors="selector1", host=target) in brief["security"]
    assert m("sec.dkim_testing", selectors="selector1") not in brief["security"]
    shown = hunter("leads", "show", domain, "--lang", lang, env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.stderr
    assert m("show.dkim_testing", selectors="selector1") in shown.stdout
    assert m("show.dkim_delegated", targets=target) not in shown.stdout


OPEN = {
    "t13-acik-ip4.com.tr": "ip4:0.0.0.0/0",
    "t13-acik-ip6.com.tr": "ip6:::/0",
    "t13-acik-exists.com.tr": "exists:t13-acik-exists.com.tr",
    "t13-acik-inc.com.tr": "include:spf.t13-acik-inc.com.tr",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_terms_as_open_as_plus_all_are_said_and_sold_like_it(hunter, lang):
    """A /0 network (RFC 7208 5.6), an exists: that always matches (5.7) and an include of +all (5.2) let any
    server pass whatever the closing -all says: the brief says so instead of "ends in -all", SPF is a gap for
    the risk level and the offer, and "-ip4:0.0.0.0/0" (fail for everyone) is no such term."""
    m = Messages(lang)
    out = hunter.scan_json(*OPEN, "t13-kapali-ip4.com.tr", "--no-whois")
    for domain, term in OPEN.items():
        assert "spf-pass-all" in _codes(out[domain]["spf"]["warnings"]), domain
        brief = _brief(hunter, domain, lang)
        # a /0 of one family opens that family only, and is said so (trial 20); the others open every sender
        key = {"ip4:": "sec.spf_open_term.v4", "ip6:": "sec.spf_open_term.v6"}.get(term[:4], "sec.spf_open_term")
        assert m(key, terms=term) in brief["security"], domain
        assert m("sec.spf_ok", all="-all") not in brief["security"]
        assert m("gap.spf") in " ".join(brief["offer"]["lines"] + brief["offer"]["addons"]), domain
        _consistent(hunter, domain, lang)
    closed = out["t13-kapali-ip4.com.tr"]
    assert "spf-pass-all" not in _codes(closed["spf"]["warnings"])
    assert m("sec.spf_ok", all="-all") in _brief(hunter, "t13-kapali-ip4.com.tr", lang)["security"]


def test_a_backup_mx_at_another_suite_is_no_service_in_use(hunter):
    """A backup host takes mail only when the primary ones fail (RFC 5321 5.1): Yandex 360 is not a service
    they use, in the JSON, `--uses` and the brief, while the backup line says where it is."""
    domain = "t13-yedek-yandex.com.tr"
    out = hunter.scan_json(domain, "--no-whois")[domain]
    assert _codes(out["mx_warnings"]) == ["mx-backup-elsewhere"]
    assert "yandex" not in {s["id"] for s in out["services"]}
    assert json.loads(hunter("leads", "--uses", "yandex", "-f", "json").stdout) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_gateway_beside_a_mailbox_host_is_a_bypass_not_a_split(hunter, lang):
    """Mimecast and Google at the same preference: Mimecast holds no mailboxes, so this is no "move half
    done"; the mail senders hand to Google skips the gateway, and the brief says the gateway filters part."""
    m = Messages(lang)
    domain = "t13-gw-yarim.com.tr"
    out = hunter.scan_json(domain, "--no-whois")[domain]
    assert (out["provider"], out["gateway"]) == ("google", "mimecast")
    assert _codes(out["mx_warnings"]) == ["mx-gateway-bypass"]
    brief = _brief(hunter, domain, lang)
    assert m("mail.mx_gateway_bypass", gateway="Mimecast", direct="Google Workspace") in brief["mail"]
    assert m("mail.gateway", gateway="Mimecast") not in brief["mail"]
    assert m("sec.gateway_part", gateway="Mimecast") in brief["security"]
    _consistent(hunter, domain, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_national_cloud_tenant_is_unknown_not_absent(hunter, lang):
    """National clouds sign their tenants in through their own Entra instance, not the worldwide service Hunter
    asks: its "no tenant" says nothing, so the records are not "probably left over", the lists count Exchange
    Online as in use, and the brief names the cloud."""
    m = Messages(lang)
    out = hunter.scan_json("t13-cin.com.tr", "t13-gcch.com.tr", "--no-whois")
    for domain, cloud in (("t13-cin.com.tr", "21vianet"), ("t13-gcch.com.tr", None)):
        clouds = out[domain]["microsoft"]["clouds"]
        cloud = cloud or next(c for c in clouds if c != "commercial")
        brief = _brief(hunter, domain, lang)
        assert m("mail.tenant_national", clouds=m(f"cloud.{cloud}")) in brief["mail"], (domain, clouds)
        assert m("mail.no_tenant_but_exchange") not in brief["mail"]
        _consistent(hunter, domain, lang)
    listed = {r["domain"] for r in json.loads(hunter("leads", "--workload", "exchange-online", "-f", "json").stdout)}
    assert {"t13-cin.com.tr", "t13-gcch.com.tr"} <= listed
    # trial 19: the offer says the worldwide price list does not apply there, and GCC High is named once
    for domain in ("t13-cin.com.tr", "t13-gcch.com.tr"):
        brief = _brief(hunter, domain, lang)
        assert brief["offer"]["lines"][0].startswith(m("offer.national", clouds="\x00").split("\x00")[0]), brief[
            "offer"
        ]
        # no plain "Suggest Business Premium" a rep could quote: the tier only as a guide (trial 20)
        plain = m("offer.line", tier="\x00").split("\x00")[0]
        assert not any(line.startswith(plain) for line in brief["offer"]["lines"]), brief["offer"]
        # nor do the talking points promise partner work in a cloud sold through its own channel (trial 20)
        first = m("talk.national", clouds="\x00")[0].split("\x00")[0]
        assert brief["talking_points"][0].startswith(first), brief["talking_points"]
    gcch = " ".join(_brief(hunter, "t13-gcch.com.tr", lang)["mail"])
    assert m("cloud.us-government") not in gcch or m("cloud.gcc-high") not in gcch, gcch
    # trial 19: nor do the lists call their tenant "none": not among those known to have none
    rows = {r["domain"]: r["tenant"] for r in json.loads(hunter("leads", "-f", "json").stdout)}
    assert rows["t13-cin.com.tr"] == "?" and rows["t13-gcch.com.tr"] == "?", rows  # not known (trial 32 CSV_FAILED)
    none = {r["domain"] for r in json.loads(hunter("leads", "--no-tenant", "-f", "json").stdout)}
    assert not {"t13-cin.com.tr", "t13-gcch.com.tr"} & none, none


def test_a_national_cloud_tenant_stored_as_none_is_unknown_after_the_upgrade(hunter, tmp_path):
    """trial 19: a file from before holds `none` for a 21Vianet or GCC High lead; migration 17 makes it unknown,
    and the scan's summary never counts it among the tenants that are none."""
    import sqlite3

    result = hunter("scan", "t13-cin.com.tr", "t13-gcch.com.tr", "--no-whois")
    assert result.exit_code == 0 and "none 2" not in result.stdout + result.stderr, result.output
    old = tmp_path / "old.db"
    with sqlite3.connect(hunter.db) as src, sqlite3.connect(old) as dst:
        src.backup(dst)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE domains SET tenant = 'none'")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 17")
    none = {r["domain"] for r in json.loads(hunter("leads", "--no-tenant", "-f", "json", "--db", str(old)).stdout)}
    assert none == set(), none


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_domain_gone_from_dns_that_a_tenant_claimed_is_no_typo(hunter, dns, ms, zone_text, lang):
    """Scanned with a tenant, then gone from DNS (NXDOMAIN) with no registration data: the brief never says
    "check the spelling" beside the tenant it shows from the earlier scan."""
    m = Messages(lang)
    domain = "t13-giden.com.tr"
    ms.tenants[domain] = Tenant(id="13131313-1111-4222-8333-444444444444", brand="Giden")
    try:
        dns.load(zone_text + f"{domain}. 300 IN MX 10 smtp.google.com.\n")
        assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
        dns.load(zone_text)
        assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    finally:
        dns.load(zone_text)
    brief = _brief(hunter, domain, lang)
    assert brief["state"] == "nxdomain" and brief["tenant"]
    assert brief["one_liner"] == m("one_liner.P6_nxdomain_tenant")
    assert m("mail.nxdomain_tenant") in brief["mail"]
    _consistent(hunter, domain, lang)


def test_a_nameserver_address_written_wrong_is_not_called_a_name(hunter):
    """`--nameserver 300.1.1.1` is an IP address written wrong (trial 14): said so, in both languages; a host
    name stays "give an IP address, not a name"."""
    bad = hunter("scan", "x.com.tr", "--nameserver", "300.1.1.1", dns_args=False)
    assert bad.exit_code == 2 and "not a valid IP address" in bad.stderr and "not a name" not in bad.stderr
    tr = hunter("--lang", "tr", "scan", "x.com.tr", "--nameserver", "300.1.1.1", dns_args=False)
    assert tr.exit_code == 2 and "geçerli bir IP adresi değil" in tr.stderr
    name = hunter("scan", "x.com.tr", "--nameserver", "dns.google", dns_args=False)
    assert name.exit_code == 2 and "not a name" in name.stderr
