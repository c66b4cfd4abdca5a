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


def test_bimi_version_is_case_sensitive_but_spaces_around_equals_are_allowed(hunter):
    """BIMI draft 4.2: ``bimi-version = %x76 *WSP "=" *WSP %x42.49.4d.49 1DIGIT``; 4.3: receivers ignore a
    record whose version does not match and MUST NOT fix capitalization (trial 25 F9)."""
    got = hunter.scan_json("bimi-kucuk.com.tr", "bimi-bosluk.com.tr", "--no-tenant", "--no-whois")
    lower = got["bimi-kucuk.com.tr"]["microsoft"]["mail_security"]["bimi"]
    assert lower["state"] == "invalid"
    said = "does not start with v=BIMI1 (the version is case-sensitive), so mail clients ignore it"
    assert said in lower["evidence"][0]
    assert got["bimi-bosluk.com.tr"]["microsoft"]["mail_security"]["bimi"]["state"] == "published"
