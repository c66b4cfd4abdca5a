"""BIMI as mailbox providers read it: a declination record is no BIMI, and a logo needs DMARC at
enforcement (BIMI draft 4.1, 4.3 and 7). Real DNS: tests/zones/bimi.zone."""

from __future__ import annotations


def test_bimi_states_follow_dmarc_and_declination(hunter):
    got = hunter.scan_json(
        "bimi-tam.com.tr", "bimi-izleme.com.tr", "bimi-yarim.com.tr", "bimi-ret.com.tr", "--no-tenant", "--no-whois"
    )

    def bimi(d):
        return got[d]["microsoft"]["mail_security"]["bimi"]

    assert bimi("bimi-tam.com.tr")["state"] == "published"
    assert bimi("bimi-izleme.com.tr")["state"] == "invalid"
    assert "p=none" in bimi("bimi-izleme.com.tr")["evidence"][-1]
    assert bimi("bimi-yarim.com.tr")["state"] == "invalid" and "pct=50" in bimi("bimi-yarim.com.tr")["evidence"][-1]
    assert bimi("bimi-ret.com.tr")["state"] == "absent" and "declination" in bimi("bimi-ret.com.tr")["evidence"][-1]
    brief = hunter("sales-summary", "bimi-izleme.com.tr")
    assert (
        "Published: BIMI" not in brief.stdout
        and "BIMI (brand logo in the inbox): the record is there, but no logo shows" in " ".join(brief.stdout.split())
    )
