"""Brief lines that must say what the records say, no more (found by fresh-user trials): each checked
over real DNS (and the loopback MTA-STS policy server) in both languages."""

from __future__ import annotations

import pytest

CASES = [
    # no SPF, DMARC reject, no DKIM key: forgery is stopped, and their own mail fails DMARC (RFC 7489 4.2)
    ("bimi-tam.com.tr", "their own mail cannot pass DMARC", "anyone can send mail in their name"),
    ("dmarc-sifir.com.tr", "says p=reject with pct=0", "DMARC is enforced with policy reject"),
    ("gonderen-makro.com.tr", "depends on the sender", "no closing 'all'"),
    ("dkim-self.com", "The DKIM record at", "No DKIM key was found"),
    ("sts-html.com.tr", "served as text/html instead of text/plain", None),
    ("sts-kapali.com.tr", "could not be fetched in the last scan", None),
    ("sts-test.com.tr", "reports will show it failing", None),
    # testing mode only sends reports: with no _smtp._tls record nobody gets them (RFC 8460 3)
    ("sts-test.com.tr", "no report reaches them", "it asks for reports"),
    ("sts-eksik.com.tr", "will not deliver there", None),
    # rua=mailto:dmarc@@bozuk, mailto:ok@bozuk-adres.com.tr!10m: only the address receivers can use, no size;
    # the broken one is named only as a mistake receivers ignore (trial 22), never as where reports go
    ("bozuk-adres.com.tr", "DMARC reports go to ok@bozuk-adres.com.tr.", "go to dmarc@@"),
    ("bozuk-adres.com.tr", "mistakes receivers ignore: the report address mailto:dmarc@@bozuk", None),
    # p=reject with sp=none: every subdomain can be forged (RFC 7489 6.3), so the risk is not low
    ("firma.com.tr", "Spoofing and phishing risk: medium", "well protected"),
    # a sound BIMI record beside p=none: no logo until DMARC is enforced, not an "invalid" record
    ("bimi-izleme.com.tr", "no logo shows until DMARC is at enforcement", "published but invalid"),
]


@pytest.fixture(scope="module")
def briefed(_session_dns, _session_ms, _session_reg, _session_sts, tmp_path_factory):
    from conftest import Hunter

    h = Hunter(_session_dns, tmp_path_factory.mktemp("lines") / "hunter.db", _session_ms, _session_reg)
    assert h("scan", *[c[0] for c in CASES], "--no-tenant", "--no-whois", "-q").exit_code in (0, 3)
    return h


@pytest.mark.parametrize(("domain", "says", "never"), CASES)
def test_the_brief_says_what_the_records_say(briefed, domain, says, never):
    out = briefed("sales-summary", domain)
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert says in text
    if never:
        assert never not in text
    tr = briefed("sales-summary", domain, "--lang", "tr")
    assert tr.exit_code == 0 and "Traceback" not in tr.output
