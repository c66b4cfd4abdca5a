"""Trial 25 (F13): smaller faults, each as a kind, over the suite's real DNS server (tests/zones/small30.zone)
and the sign-in stand-in, in English and Turkish."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from msserver import Tenant
from test_change_events import _scan_through

from hunter_cli.brief.messages import Messages

LANGUAGES = ("en", "tr")


def _brief(hunter, domain: str, lang: str) -> dict:
    out = hunter("sales-summary", domain, "--json", "--lang", lang)
    assert out.exit_code == 0, out.stderr
    return json.loads(out.stdout)


def _hours_ago(hours: int) -> str:
    return (datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=hours)).isoformat()


def _flat(text: str) -> str:
    return re.sub(r"[\s│]+", " ", text)  # a panel's wrapped lines joined


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_no_tenant_scan_does_not_say_tenant_answers_are_kept_for_a_day(hunter, ms, db, lang):
    """A scan with --no-tenant asked nobody and reused no cached answer: the kept tenant is the last scan's,
    and "Hunter keeps tenant answers for a day" explains a reuse that did not happen."""
    domain = "k30-noktali.com.tr"
    ms.tenants[domain] = Tenant(id="30303030-1111-4222-8333-444444444444", brand="Noktali")
    try:
        assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
        with sqlite3.connect(db) as conn:  # asked three hours before the next scan
            conn.execute("UPDATE tenant_cache SET fetched_at = ? WHERE domain = ?", (_hours_ago(3), domain))
        assert hunter("scan", domain, "--no-whois", "--no-tenant", "-q").exit_code == 0
    finally:
        del ms.tenants[domain]
    m = Messages(lang)
    reuse = m("mail.tenant_asked", when="\0", domain=domain).split("\0")[1].split("`")[0]
    mail = _brief(hunter, domain, lang)["mail"]
    assert not any(reuse in line for line in mail), mail
    carried = m("mail.tenant_carried", when="\0", domain=domain).split("\0")[0]
    assert any(line.startswith(carried) for line in mail), mail


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exit_7_does_not_blame_the_resolvers_upstream_when_its_checks_answered(hunter, dns, lang):
    """Every domain SERVFAIL while the resolver answered its check names (spf.protection.outlook.com, com SOA):
    the resolver's upstream is not down; the words say what was seen."""
    domains = ["k30-noktali.com.tr", "k30-bitisik.com.tr"]
    for d in domains:
        dns.faults[(d, "MX")] = "servfail"
    ns = ["--nameserver", hunter.server.nameserver, "--timeout", "0.3"]
    result = hunter("--lang", lang, "scan", *domains, "--no-whois", "--no-tenant", "-q", *ns)
    assert result.exit_code == 7, result.stderr
    m = Messages(lang)
    said = " ".join(result.stderr.split())
    upstream = m("cli.scan.all_failed.servfail", who="\0").split("\0")[0].strip("; ")
    assert upstream not in said, said
    answered = m("cli.scan.all_failed.servfail.checks_answered", who=hunter.server.nameserver)
    assert " ".join(answered.split()).strip("; ") in said, said


@pytest.mark.parametrize("lang", LANGUAGES)
def test_leads_show_says_which_family_a_one_family_hole_opens(hunter, lang):
    """`include:` of `ip6:::/0 -all` lets every IPv6 sender pass, not every server."""
    domain = "k30-v6-acik.com.tr"
    hunter.scan_json(domain, "--no-whois", "--no-tenant")
    out = hunter("leads", "show", domain, "--lang", lang, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    m = Messages(lang)
    shown = _flat(out.stdout)
    assert m("show.spf_open.v6", terms=f"include:acik.{domain}") in shown, shown
    assert m("show.spf_open", terms=f"include:acik.{domain}") not in shown, shown


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_exists_term_is_said_to_decide_every_sender_not_an_address_family(hunter, lang):
    """`~exists:e -all` (e always has an A record): exists asks for an A record whatever the sender's family."""
    domain = "k30-exists-once.com.tr"
    hunter.scan_json(domain, "--no-whois", "--no-tenant")
    m = Messages(lang)
    line = m(
        "sec.spf_all_decided.soft",
        own="-all",
        all="~all",
        terms=f"~exists:e.{domain}",
        who=m("sec.spf_all_decided.who.any"),
    )
    assert line in _brief(hunter, domain, lang)["security"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_exists_name_with_only_an_aaaa_record_has_no_a_record(hunter, lang):
    """exists: asks for an A record only (RFC 7208 5.7): a name with an AAAA record exists, and has no A record."""
    domain = "k30-exists-aaaa.com.tr"
    got = hunter.scan_json(domain, "--no-whois", "--no-tenant")[domain]
    void = [w["message"] for w in got["spf"]["warnings"] if w["code"] == "spf-void-lookup"]
    assert void == [f"'-exists:e.{domain}' asks e.{domain}, which has no A record"], void
    m = Messages(lang)
    said = m("spf_warning.spf-void-lookup.exists_no_a", voids=f"'-exists:e.{domain}'")
    assert any(said in line for line in _brief(hunter, domain, lang)["security"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mail_does_not_go_to_an_other_host_that_is_only_an_ip_literal(hunter, lang):
    """MX `192.0.2.4.` beside an unresolved host, or beside a null MX: the only other "host" is an address
    most senders do not deliver to (RFC 5321 5.1), so no "mail goes to the other hosts"."""
    hunter.scan_json("k30-mx-literal.com.tr", "k30-mx-null-literal.com.tr", "--no-whois", "--no-tenant")
    m = Messages(lang)
    mail = _brief(hunter, "k30-mx-literal.com.tr", lang)["mail"]
    assert m("mail.mx_unresolved.literal", hosts="gone.k30-mx-literal.com.tr") in mail, mail
    assert m("mail.mx_unresolved", hosts="gone.k30-mx-literal.com.tr") not in mail, mail
    mail = _brief(hunter, "k30-mx-null-literal.com.tr", lang)["mail"]
    assert m("mail.null_mx_mixed.literal") in mail and m("mail.null_mx_mixed") not in mail, mail


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_single_string_with_a_mark_after_the_version_is_not_blamed_on_parts(hunter, lang):
    """`v=spf1;ip4:...` and `v=spf1-all` are one string each: a ';' where the space belongs, a missing space
    before '-all'; "a record published in parts" (RFC 7208 3.3) is not what went wrong."""
    hunter.scan_json("k30-noktali.com.tr", "k30-bitisik.com.tr", "--no-whois", "--no-tenant")
    m = Messages(lang)
    for domain, key, mark, record in (
        ("k30-noktali.com.tr", "separator", ";", "v=spf1;ip4:198.51.100.30 -all"),
        ("k30-bitisik.com.tr", "mark", "-", "v=spf1-all"),
    ):
        said = _brief(hunter, domain, lang)["security"]
        assert m(f"sec.spf_version_joined.{key}", mark=mark, record=record) in said, said
        assert m("sec.spf_version_joined", record=record) not in said, said


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_control_character_in_a_quoted_record_is_shown_by_name(hunter, lang):
    """A carriage return after v=spf1 is shown as <CR> in the brief and in `leads show`, never as a JSON
    escape (\\u000d) nor printed raw."""
    domain = "k30-satir.com.tr"
    hunter.scan_json(domain, "--no-whois", "--no-tenant")
    m = Messages(lang)
    said = _brief(hunter, domain, lang)["security"]
    assert m("sec.spf_version_whitespace", record="v=spf1<CR>ip4:198.51.100.30 -all") in said, said
    assert not any("\\u" in line or "\r" in line for line in said), said
    out = hunter("leads", "show", domain, "--lang", lang, env={"COLUMNS": "200"})
    assert "v=spf1<CR>ip4:198.51.100.30 -all" in out.stdout and "\r" not in out.stdout, out.stdout


LOOK = "k30-degisen.com.tr"
LOOK_BASE = f"""{LOOK}. 300 IN MX 10 mail.{LOOK}.
mail.{LOOK}. 300 IN A 198.51.100.30
"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_record_edited_into_a_look_alike_is_malformed_not_removed(hunter, dns, db, zone_text, lang):
    """`v=spf1 mx -all` edited into `v=spf1<TAB>mx -all`, and `v=DMARC1; p=reject` into `v=DMARC1 p=reject`:
    the records are there, malformed, and receivers ignore them (RFC 7208 4.5, RFC 7489 6.3)."""
    zones = (
        f'{LOOK}. 300 IN TXT "v=spf1 mx -all"\n_dmarc.{LOOK}. 300 IN TXT "v=DMARC1; p=reject"\n',
        f'{LOOK}. 300 IN TXT "v=spf1\\009mx -all"\n_dmarc.{LOOK}. 300 IN TXT "v=DMARC1 p=reject"\n',
    )
    _scan_through(hunter, dns, zone_text, *zones, domain=LOOK, base=LOOK_BASE)
    m = Messages(lang)
    out = hunter("changes", "--lang", lang, env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.stderr
    said = _flat(out.stdout)
    assert m("event.spf_malformed") in said, said
    assert m("event.spf_removed") not in said, said
    assert m("event.dmarc_removed", old="\0", new="\0").split("\0")[0] not in said, said
    assert m("event.dmarc_malformed", old=m.label("dmarc.policy", "reject")) in said, said  # not "p=reject → p=?"
    brief = hunter("sales-summary", LOOK, "--lang", lang, "--format", "markdown").stdout
    assert m("event.spf_malformed") in _flat(brief), brief


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_look_alike_beside_the_spf_record_is_to_be_deleted(hunter, lang):
    """`v=spf1<TAB>-all` beside `v=spf1 mx -all`: receivers ignore it, but corrected it would be a second SPF
    record (permerror, RFC 7208 3.2): the brief and `leads show` say so and name every look-alike."""
    one, two = "k30-yanindaki.com.tr", "k30-iki-bozuk.com.tr"
    hunter.scan_json(one, two, "--no-whois", "--no-tenant")
    m = Messages(lang)
    said = _brief(hunter, one, lang)["security"]
    assert m("sec.spf_lookalike_beside", records='"v=spf1<TAB>-all"', n=1) in said, said
    both = m("list.and", first='"v=spf1<TAB>-all"', last='"v=spf1;ip4:198.51.100.30 -all"')
    said = _brief(hunter, two, lang)["security"]
    assert m("sec.spf_lookalike_beside.many", records=both, n=2) in said, said
    for domain, key, records in (
        (one, "show.spf_lookalike_beside", "v=spf1<TAB>-all"),
        (two, "show.spf_lookalike_beside.many", "v=spf1<TAB>-all, v=spf1;ip4:198.51.100.30 -all"),
    ):
        out = hunter("leads", "show", domain, "--lang", lang, env={"COLUMNS": "250"})
        assert _flat(m(key, n=2, records=records)) in _flat(out.stdout), out.stdout


@pytest.mark.parametrize("lang", LANGUAGES)
def test_two_look_alikes_and_no_record_name_both(hunter, lang):
    """Two malformed records and none in force: the brief names the second too (only one may be published),
    `leads show` says two are malformed."""
    domain = "k30-iki-sahte.com.tr"
    got = hunter.scan_json(domain, "--no-whois", "--no-tenant")[domain]
    assert len(got["spf_discarded"]) == 2
    first, second = (f["where"][0] for f in got["spf_discarded"])
    m = Messages(lang)
    from hunter_cli.dns.spf import readable

    said = _brief(hunter, domain, lang)["security"]
    assert m("sec.spf_lookalikes_more", records=f'"{readable(second)}"') in said, said
    out = hunter("leads", "show", domain, "--lang", lang, env={"COLUMNS": "250"})
    code = got["spf_discarded"][0]["code"]
    assert _flat(m("show.spf_discarded.many", n=2, code=code, record=readable(first))) in _flat(out.stdout)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tls_rpt_and_mta_sts_record_mistakes_get_a_warning(hunter, lang):
    """`rua=mailto:bad-address` names no address; `rua=` twice and MTA-STS `id=` twice leave the sender to pick
    one (RFC 8460 3, RFC 8461 3.1): each gets a warning in the JSON and a line in the brief."""
    adres, iki, sts = "k30-tlsrpt-adres.com.tr", "k30-tlsrpt-iki.com.tr", "k30-sts-iki.com.tr"
    got = hunter.scan_json(adres, iki, sts, "--no-whois", "--no-tenant")
    warned = {d: got[d]["microsoft"]["mail_security"] for d in got}
    assert any("mailto:bad-address" in w for w in warned[adres]["tls-rpt"]["warnings"]), warned[adres]
    assert any(w.startswith("rua= is given more than once") for w in warned[iki]["tls-rpt"]["warnings"])
    assert any(w.startswith("id= is given more than once") for w in warned[sts]["mta-sts"]["warnings"])
    m = Messages(lang)

    def said(domain):
        brief = _brief(hunter, domain, lang)
        return [line for v in brief.values() if isinstance(v, list) for line in v if isinstance(line, str)]

    assert m("fp.mailsec.rua_not_address", uris="mailto:bad-address") in said(adres)
    assert m("fp.mailsec.repeated.tls-rpt.rua") in said(iki)
    assert m("fp.mailsec.repeated.mta-sts.id") in said(sts)


def test_turkish_says_a_malformed_record_is_treated_as_absent_without_saying_it_twice(hunter):
    """tr: "alıcılar onu yokmuş gibi yok sayıyor" said the same thing twice."""
    domain = "k30-satir.com.tr"
    hunter.scan_json(domain, "--no-whois", "--no-tenant")
    said = _brief(hunter, domain, "tr")["security"]
    assert any("hiç yokmuş gibi değerlendiriyor" in line for line in said), said
    assert not any("yokmuş gibi yok sayıyor" in line for line in said), said
