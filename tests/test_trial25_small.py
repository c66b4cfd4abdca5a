"""Trial 25 (F13): smaller faults, each as a kind, over the suite's real DNS server (tests/zones/small30.zone)
and the sign-in stand-in, in English and Turkish."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from msserver import Tenant

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
