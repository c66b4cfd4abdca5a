"""MTA-STS policy files (RFC 8461): the parser and MX matching, then what a scan makes of each kind of
policy host over real DNS and real HTTPS (tests/stsserver.py, policies in conftest.STS_POLICIES)."""

from __future__ import annotations

import pytest

from hunter_cli.footprint.mta_sts import PolicyError, judge, mx_matches, parse_policy

GOOD = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n"


# -- the policy file (RFC 8461 3.2) --------------------------------------------------------------


def test_a_policy_with_crlf_or_lf_lines_parses_to_its_fields():
    crlf = GOOD.replace("\n", "\r\n")
    for body in (GOOD, crlf, GOOD.rstrip("\n")):
        mode, mx, max_age, warnings = parse_policy(body)
        assert (mode, mx, max_age, warnings) == ("enforce", ["mail.example.com", "*.example.net"], 604800, [])


def test_unknown_fields_are_ignored_and_fields_may_come_in_any_order():
    body = "mode: testing\nmx: mx.example.com\nfoo_bar: 1\nmax_age: 86400\nversion: STSv1\n"
    assert parse_policy(body)[:3] == ("testing", ["mx.example.com"], 86400)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("mode: enforce\nmx: a.example.com\nmax_age: 86400\n", "no version line"),
        ("version: STSv2\nmode: enforce\nmx: a.example.com\nmax_age: 86400\n", "'STSv2'"),
        ("version: STSv1\nmode: Enforce\nmx: a.example.com\nmax_age: 86400\n", "'Enforce'"),
        ("version: STSv1\nmx: a.example.com\nmax_age: 86400\n", "no mode line"),
        ("version: STSv1\nmode: enforce\nmx: a.example.com\n", "no max_age line"),
        ("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 1w\n", "not a number"),
        ("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: -5\n", "not a number"),
        ("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 31557601\n", "about a year"),
        ("version: STSv1\nmode: testing\nmax_age: 86400\n", "without an mx line"),
        ("version: STSv1\nmode enforce\nmx: a.example.com\nmax_age: 86400\n", "line 2 is not 'key: value'"),
        ("<html><body>Not found</body></html>", "line 1 is not 'key: value'"),
    ],
)
def test_a_policy_senders_cannot_use_is_refused_with_the_reason(body, why):
    with pytest.raises(PolicyError, match=why.replace("(", r"\(").replace("'", "'")):
        parse_policy(body)


def test_legal_but_doubtful_policies_parse_with_warnings():
    _, _, _, warnings = parse_policy("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 300\n")
    assert any("300 seconds" in w for w in warnings)
    _, _, _, warnings = parse_policy(
        "version: STSv1\nmode: enforce\nmode: testing\nmx: a.example.com\nmax_age: 86400\n"
    )
    assert warnings == ["mode is given twice; the first ('enforce') counts"]
    _, _, _, warnings = parse_policy("version: STSv1\nmode: enforce\nmx: mail*.example.com\nmax_age: 86400\n")
    assert any("mail*.example.com" in w for w in warnings)
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 60\n")[3] == []  # withdrawing: no mx, short age


# -- MX host validation (RFC 8461 4.1) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("mail.example.com", "mail.example.com", True),
        ("mail.example.com", "MAIL.Example.COM.", True),
        ("*.example.com", "mail.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.mail.protection.outlook.com", "acme-com.mail.protection.outlook.com", True),
        ("mail.example.com", "mail.example.com.evil.net", False),
        ("*example.com", "mail.example.com", False),
        ("mail.*.com", "mail.example.com", False),
        ("*.com", "example.com", False),
        ("", "example.com", False),
    ],
)
def test_mx_patterns_match_as_rfc_8461_says(pattern, host, matches):
    assert mx_matches(pattern, host) is matches


def test_judging_says_which_mx_hosts_an_enforce_or_testing_policy_leaves_out():
    enforce = judge("mta-sts.example.com", GOOD, ["mail.example.com", "backup.other.org"])
    assert enforce.state == "valid" and enforce.uncovered == ["backup.other.org"]
    assert "will not deliver there" in enforce.errors[0]
    nothing = judge("mta-sts.example.com", GOOD, ["mx.other.org"])
    assert "deliver no mail at all" in nothing.errors[0]
    testing = judge("mta-sts.example.com", GOOD.replace("enforce", "testing"), ["backup.other.org"])
    assert testing.errors == [] and "testing policy does not list backup.other.org" in testing.warnings[0]
    unknown_mx = judge("mta-sts.example.com", GOOD, None)  # the MX lookup failed: nothing said about coverage
    assert (unknown_mx.errors, unknown_mx.uncovered) == ([], [])
    null_mx = judge("mta-sts.example.com", GOOD, ["."])
    assert null_mx.errors == []


# -- a scan over real DNS and HTTPS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def scanned(_session_dns, _session_ms, _session_reg, _session_sts, tmp_path_factory):
    from conftest import Hunter

    h = Hunter(_session_dns, tmp_path_factory.mktemp("sts") / "hunter.db", _session_ms, _session_reg)
    domains = [
        "sts-enforce.com.tr",
        "sts-eksik.com.tr",
        "sts-test.com.tr",
        "sts-404.com.tr",
        "sts-yonlen.com.tr",
        "sts-sertifika.com.tr",
        "sts-yok.com.tr",
        "sts-bozuk.com.tr",
        "sts-html.com.tr",
        "sts-kapali.com.tr",
        "sts-none.com.tr",
        "fp-sts-hosted.com.tr",
    ]
    return h, h.scan_json(*domains, "--no-tenant", "--no-whois")


def sts(results, domain):
    return results[domain]["microsoft"]["mail_security"]["mta-sts"]


def test_a_good_enforce_policy_is_read_with_its_mode_and_patterns(scanned):
    _, results = scanned
    s = sts(results, "sts-enforce.com.tr")
    assert s["state"] == "published"
    p = s["policy"]
    assert (p["state"], p["mode"], p["mx"], p["max_age"], p["errors"]) == (
        "valid",
        "enforce",
        ["*.sts-enforce.com.tr"],
        1209600,
        [],
    )
    assert results["sts-enforce.com.tr"]["status"] == "ok"


def test_an_enforce_policy_that_leaves_out_an_mx_host_is_an_error(scanned):
    _, results = scanned
    p = sts(results, "sts-eksik.com.tr")["policy"]
    assert p["uncovered"] == ["yedek.yedekmx.net"]
    assert "yedek.yedekmx.net" in p["errors"][0] and "will not deliver there" in p["errors"][0]


def test_a_testing_policy_that_leaves_out_the_mx_is_a_warning_only(scanned):
    _, results = scanned
    p = sts(results, "sts-test.com.tr")["policy"]
    assert (p["state"], p["mode"], p["errors"]) == ("valid", "testing", [])
    assert "mail.sts-test.com.tr" in p["warnings"][0]


@pytest.mark.parametrize(
    ("domain", "why"),
    [
        ("sts-404.com.tr", "HTTP 404"),
        ("sts-yonlen.com.tr", "HTTP 301, a redirect to https://www.sts-yonlen.com.tr"),
        ("sts-sertifika.com.tr", "certificate of mta-sts.sts-sertifika.com.tr is not valid"),
        ("sts-yok.com.tr", "mta-sts.sts-yok.com.tr does not exist"),
        ("sts-bozuk.com.tr", "mode is 'Enforce'"),
    ],
)
def test_a_policy_senders_cannot_use_makes_mta_sts_invalid_with_the_reason(scanned, domain, why):
    _, results = scanned
    s = sts(results, domain)
    assert s["state"] == "invalid" and s["policy"]["state"] == "invalid"
    assert why in s["policy"]["errors"][0]
    assert any(why in e for e in s["evidence"])
    assert results[domain]["status"] == "ok"  # a fault of the domain, found: not a failed lookup


def test_a_policy_served_as_html_is_used_with_a_warning(scanned):
    _, results = scanned
    p = sts(results, "sts-html.com.tr")["policy"]
    assert p["state"] == "valid" and any("text/html" in w for w in p["warnings"])


def test_mode_none_and_a_policy_host_behind_a_cname(scanned):
    _, results = scanned
    assert sts(results, "sts-none.com.tr")["policy"]["mode"] == "none"
    hosted = sts(results, "fp-sts-hosted.com.tr")
    assert (hosted["state"], hosted["policy"]["mode"], hosted["policy"]["state"]) == ("published", "testing", "valid")


def test_an_unreachable_policy_host_is_a_failed_lookup_not_a_verdict(scanned):
    _, results = scanned
    r = results["sts-kapali.com.tr"]
    s = sts(results, "sts-kapali.com.tr")
    assert s["state"] == "published" and s["policy"]["state"] == "unknown"
    assert r["status"] == "partial"
    assert [e["check"] for e in r["errors"]] == ["footprint"] and "MTA-STS policy" in r["errors"][0]["message"]


def test_a_rescan_reuses_the_policy_while_the_record_is_the_same(scanned, _session_sts):
    """RFC 8461 3.1/5.1: the record's id says whether the policy changed; a fresh stored policy is judged again."""
    h, first = scanned
    asked = _session_sts.requests.count("mta-sts.sts-enforce.com.tr")
    again = h.scan_json("sts-enforce.com.tr", "--no-tenant", "--no-whois")
    p = sts(again, "sts-enforce.com.tr")["policy"]
    assert p["cached"] is True and p["fetched_at"] == sts(first, "sts-enforce.com.tr")["policy"]["fetched_at"]
    assert (p["state"], p["mode"], p["errors"]) == ("valid", "enforce", [])
    assert _session_sts.requests.count("mta-sts.sts-enforce.com.tr") == asked  # not asked again


def test_a_stored_policy_is_fetched_again_when_the_record_changes_or_it_is_too_old():
    from datetime import datetime, timedelta, timezone

    from hunter_cli.footprint.mta_sts import reuse

    now = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    fetched = (now - timedelta(days=2)).isoformat()
    good = judge("mta-sts.example.com", GOOD, ["mail.example.com"]).model_dump()
    good.update(body=GOOD, content_type="text/plain", fetched_at=fetched)
    stored = {"record": "v=STSv1; id=1", "policy": good}
    reused = reuse(stored, "v=STSv1; id=1", ["mail.example.com"], now)
    assert reused is not None and reused.cached and reused.errors == []
    moved = reuse(stored, "v=STSv1; id=1", ["mx.new-provider.net"], now)  # MX changed since: judged again
    assert moved is not None and moved.uncovered == ["mx.new-provider.net"]
    assert reuse(stored, "v=STSv1; id=2", ["mail.example.com"], now) is None  # a new id: a new policy
    assert reuse(stored, "v=STSv1; id=1", ["mail.example.com"], now + timedelta(days=6)) is None  # past max_age
    short = {**stored, "policy": {**good, "max_age": 3600}}
    assert reuse(short, "v=STSv1; id=1", ["mail.example.com"], now) is None
    assert reuse({"record": "v=STSv1; id=1", "policy": {**good, "body": None}}, "v=STSv1; id=1", [], now) is None


def test_a_new_policy_fault_replaces_the_old_policy_and_a_failed_fetch_keeps_it(
    _session_dns, _session_ms, _session_reg, _session_sts, tmp_path
):
    from conftest import Hunter

    from hunter_cli.footprint.microsoft import carry_forward

    h = Hunter(_session_dns, tmp_path / "hunter.db", _session_ms, _session_reg)
    host = "mta-sts.sts-html.com.tr"
    saved = _session_sts.policies.pop(host)
    try:  # 404 now, in a database that has no policy stored: a fault found
        found = h.scan_json("sts-html.com.tr", "--no-tenant", "--no-whois")
    finally:
        _session_sts.policies[host] = saved
    assert sts(found, "sts-html.com.tr")["policy"]["errors"][0].endswith("senders find no policy")
    # the writer's merge: a policy that could not be fetched keeps the last one of the same record
    old = {"workloads": {}, "mail_security": {"mta-sts": {"state": "published", "record": "v=STSv1; id=1",
           "evidence": ["x"], "policy": {"state": "valid", "mode": "enforce"}}}}  # fmt: skip
    new = {"workloads": {}, "mail_security": {"mta-sts": {"state": "published", "record": "v=STSv1; id=1",
           "evidence": ["x"], "policy": {"state": "unknown", "failed": "timeout"}}}}  # fmt: skip
    kept = carry_forward(new, old)["mail_security"]["mta-sts"]
    assert kept["policy"] == {"state": "valid", "mode": "enforce"}
    other = {
        "workloads": {},
        "mail_security": {"mta-sts": {**new["mail_security"]["mta-sts"], "record": "v=STSv1; id=2"}},
    }
    assert carry_forward(other, old)["mail_security"]["mta-sts"]["policy"]["state"] == "unknown"


def test_every_fetch_asks_the_policy_host_by_name_and_only_for_published_records(scanned, _session_sts):
    _, results = scanned
    asked = set(_session_sts.requests)
    assert "mta-sts.sts-enforce.com.tr" in asked
    assert not any(h.startswith("mta-sts.sts-yok") for h in asked)  # no address: nothing to ask


def test_a_record_whose_version_only_begins_like_stsv1_is_discarded():
    """Senders discard a record that does not begin with v=STSv1 (RFC 8461 3.1): MTA-STS is not in force.
    Published all the same, it is a mistake to fix, so its state is ``invalid``, not ``absent``."""
    from hunter_cli.footprint import Reply, microsoft_footprint
    from hunter_cli.footprint import questions as footprint_questions

    def sts_state(*records: str) -> str:
        answers = {q: Reply.nodata() for q in footprint_questions("example.com")}
        answers[("_mta-sts.example.com", "TXT")] = Reply(records=list(records))
        return microsoft_footprint("example.com", answers, mx_hosts=[]).mail_security["mta-sts"].state

    assert sts_state("v=STSv10; id=1") == "invalid"
    assert sts_state("v=spf1 -all") == "absent"  # another kind of record altogether
    assert sts_state("v=STSv1; id=1") == "published"
    assert sts_state("v=STSv1 ; id=1") == "published"
    assert sts_state("v=STSv1; id=1", "v=STSv10; id=2") == "published"  # the other one is not MTA-STS at all


def test_a_policy_host_that_does_not_answer_in_time_is_a_timeout_not_a_verdict(dns, _session_sts):
    import asyncio
    import dataclasses

    from hunter_cli.dns.resolver import ResolverConfig, open_resolver
    from hunter_cli.mta_sts_fetch import StsFetcher

    host = "mta-sts.sts-enforce.com.tr"
    saved = _session_sts.policies[host]
    _session_sts.policies[host] = dataclasses.replace(saved, delay=1.0)

    async def go():
        resolver = await open_resolver(ResolverConfig(nameservers=(dns.nameserver,), timeout=1.0))
        fetcher = StsFetcher(resolver, port=_session_sts.port, timeout=0.3)
        try:
            return await fetcher.fetch("sts-enforce.com.tr", ["mx1.sts-enforce.com.tr"])
        finally:
            await fetcher.close()
            await resolver.close()

    try:
        policy = asyncio.run(go())
    finally:
        _session_sts.policies[host] = saved
    assert (policy.state, policy.failure_kind, policy.errors) == ("unknown", "timeout", [])
    assert "within 0.3 s" in (policy.failed or "")
