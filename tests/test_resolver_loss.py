"""Lost packets: the adaptive retry timeout (RFC 6298), retries on another nameserver, no partial domains.

Loss is made deterministic with the test server's ``("drop", n)`` fault: the
first n queries for a name are never answered, the next ones are.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from dnsserver import DNSTestServer
from test_no_dns import dead_port

from hunter_cli.dns.resolver import RTO_FLOOR, Answer, AresResolver, LookupFailure, ResolverConfig, RttEstimator

SPF = "v=spf1 include:spf.protection.outlook.com -all"  # firma.com.tr's TXT in tests/zones/behaviour.zone
WARM = [("firma.com.tr", "MX"), ("nomail.com", "TXT"), ("_dmarc.firma.com.tr", "TXT"), ("federe.com.tr", "MX")]


def ask(config: ResolverConfig, questions, warm: bool = True):
    """Answer the questions with a fresh resolver (after warm-up answers, when ``warm``).

    Returns (outcomes, seconds the questions took, the resolver).
    """

    async def run():
        resolver = AresResolver(config)
        try:
            if warm:
                for _ in range(3):
                    await resolver.query_many(WARM)
            started = time.monotonic()
            out = await resolver.query_many(questions)
            return out, time.monotonic() - started, resolver
        finally:
            await resolver.close()

    return asyncio.run(run())


def test_rto_follows_rfc_6298():
    est = RttEstimator(ceiling=3.0, floor=0.2)
    assert est.rto() == 1.0  # no answer timed yet: RFC 6298 2.1's initial value
    est.sample(0.3)  # first sample: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
    assert est.rto() == pytest.approx(0.3 + 4 * 0.15)
    est.sample(0.3)  # RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R
    assert (est.srtt, est.rttvar) == (pytest.approx(0.3), pytest.approx(0.1125))
    assert est.rto(1) == pytest.approx(1.5 * (0.3 + 4 * 0.1125))  # a try already timed out waits longer
    assert est.rto(20) == 3.0  # never past the configured timeout
    fast = RttEstimator(ceiling=3.0, floor=0.2)
    for _ in range(10):
        fast.sample(0.001)
    assert fast.rto() == 0.2  # never below the floor
    jitter = RttEstimator(ceiling=3.0, floor=0.01)
    for rtt in [0.03, 0.03, 0.03, 0.03]:
        jitter.sample(rtt)
    steady = jitter.rto()
    for rtt in [0.03, 0.25, 0.03, 0.25]:
        jitter.sample(rtt)
    assert jitter.rto() > steady + 0.2  # variance widens the timeout


def test_round_trips_seen_set_the_retry_timeout(dns):
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=3.0, retries=2)
    _, _, resolver = ask(config, [("firma.com.tr", "TXT")])
    assert resolver.rtt.samples >= 13  # every answer is timed
    assert resolver.rtt.rto() == RTO_FLOOR  # loopback answers in well under a millisecond: the floor


def test_a_lost_question_is_asked_again_after_a_round_trip_not_a_timeout(dns):
    dns.faults[("firma.com.tr", "TXT")] = ("drop", 2)
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=2.0, retries=2)
    (answer,), took, _ = ask(config, [("firma.com.tr", "TXT")])
    assert isinstance(answer, Answer) and answer.records == [SPF]
    assert dns.count("firma.com.tr", "TXT") == 3
    # each lost try is asked again after the adaptive timeout (50 ms on loopback), not after one 2 s timeout
    assert took < 1.0


def test_a_lost_first_try_is_asked_again_before_c_ares_own_timer(dns):
    """c-ares waits 125 ms at least before its first try times out; the hedge asks after the measured RTO."""
    dns.faults[("firma.com.tr", "TXT")] = ("drop", 1)
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=2.0, retries=2)
    (answer,), took, resolver = ask(config, [("firma.com.tr", "TXT")])
    assert isinstance(answer, Answer) and answer.records == [SPF]
    assert resolver.hedged == 1
    assert dns.count("firma.com.tr", "TXT") == 2  # the lost one and the extra try: nothing more
    assert took < 0.12  # RTO_FLOOR plus a loopback round trip, where c-ares alone takes 125 to 250 ms


def test_answered_questions_are_not_asked_twice(dns):
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=2.0, retries=2)
    questions = [("firma.com.tr", "TXT"), ("federe.com.tr", "TXT"), ("_dmarc.nomail.com", "TXT")]  # not in WARM
    out, _, resolver = ask(config, questions)
    assert all(isinstance(o, Answer) for o in out)
    assert resolver.hedged == 0
    assert [dns.count(n, t) for n, t in questions] == [1, 1, 1]


def test_an_extra_try_that_fails_leaves_the_first_try_to_answer(dns):
    """Only an answer ends a question early: the extra try's refusal must not become its outcome."""
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    dead = f"127.0.0.1:{s.getsockname()[1]}"
    s.close()  # the second nameserver refuses at once; the hedge goes there
    dns.faults[("firma.com.tr", "TXT")] = ("delay", 0.2)  # slower than the RTO, faster than c-ares' timer
    config = ResolverConfig(nameservers=(dns.nameserver, dead), timeout=2.0, retries=2)
    (answer,), _, resolver = ask(config, [("firma.com.tr", "TXT")])
    assert isinstance(answer, Answer) and answer.records == [SPF]
    assert resolver.hedged == 1


def test_more_losses_than_retries_within_the_budget_still_get_an_answer(dns):
    dns.faults[("firma.com.tr", "TXT")] = ("drop", 4)
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=1.5, retries=2)
    (answer,), took, _ = ask(config, [("firma.com.tr", "TXT")])
    assert isinstance(answer, Answer) and answer.records == [SPF]  # five tries fit in the 3 s budget
    assert dns.count("firma.com.tr", "TXT") == 5  # where two retries would have left a failure
    assert took < 4.5


def test_a_name_never_answered_is_a_timeout_within_the_budget(dns):
    dns.faults[("firma.com.tr", "TXT")] = "drop"
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=0.5, retries=2)
    (failure,), took, _ = ask(config, [("firma.com.tr", "TXT")])
    assert isinstance(failure, LookupFailure) and failure.kind == "timeout"  # never "no record"
    assert took < 0.5 + 2 * 0.5 + 1.0  # the first try, the budget of retries * timeout, some slack
    assert 3 <= dns.count("firma.com.tr", "TXT") <= 8  # asked again at the adaptive timeout, backing off


def test_no_retries_means_one_try(dns):
    dns.faults[("firma.com.tr", "TXT")] = "drop"
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=0.3, retries=0)
    (failure,), _, _ = ask(config, [("firma.com.tr", "TXT")], warm=False)
    assert isinstance(failure, LookupFailure) and failure.kind == "timeout"
    assert dns.count("firma.com.tr", "TXT") == 1


def test_a_retry_goes_to_another_nameserver(dns, zone_text):
    dns.faults[("firma.com.tr", "TXT")] = "drop"  # the first nameserver never answers this one
    with DNSTestServer(zone_text) as second:
        config = ResolverConfig(nameservers=(dns.nameserver, second.nameserver), timeout=1.0, retries=2)
        (answer,), took, _ = ask(config, [("firma.com.tr", "TXT")], warm=False)
        assert isinstance(answer, Answer) and answer.records == [SPF]
        assert dns.count("firma.com.tr", "TXT") == 1  # asked first, lost
        assert second.count("firma.com.tr", "TXT") == 1  # the retry went to the other one
        assert took < 2.5  # one timeout of the first try, then the other server's answer


def test_refused_connections_are_not_hammered(dns):
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    dead = f"127.0.0.1:{s.getsockname()[1]}"
    s.close()  # nothing listens there: every query is refused at once (ICMP port unreachable)
    config = ResolverConfig(nameservers=(dead,), timeout=0.5, retries=2)
    (failure,), took, resolver = ask(config, [("firma.com.tr", "TXT")], warm=False)
    assert isinstance(failure, LookupFailure) and failure.kind in ("unreachable", "timeout")
    assert resolver.queries_sent <= 8  # one try per adaptive timeout, not a busy loop
    assert took < 3.0


def test_loss_does_not_leave_a_domain_partial(hunter, dns):
    for name, rtype in [
        ("firma.com.tr", "MX"),
        ("firma.com.tr", "TXT"),
        ("_dmarc.firma.com.tr", "TXT"),
        ("nomail.com", "TXT"),
        ("federe.com.tr", "MX"),
    ]:
        dns.faults[(name, rtype)] = ("drop", 3)  # more losses in a row than the old fixed retries (2)
    args = ["--json", "--no-whois", "--no-tenant", "--nameserver", dns.nameserver, "--timeout", "1", "--retries", "2"]
    result = hunter("scan", "firma.com.tr", "nomail.com", "federe.com.tr", *args, dns_args=False)
    assert result.exit_code == 0, result.stderr
    import json

    rows = {r["domain"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert {d: (r["status"], r["errors"]) for d, r in rows.items()} == {
        "firma.com.tr": ("ok", []),
        "nomail.com": ("ok", []),
        "federe.com.tr": ("ok", []),
    }
    assert rows["firma.com.tr"]["mx"] and rows["federe.com.tr"]["mx"]
    assert dns.count("firma.com.tr", "MX") == 4


def test_no_try_waits_longer_than_the_timeout_however_slow_the_answers_were(dns):
    """c-ares times each try at five times the average answer seen; --timeout caps it."""
    for name, rtype in WARM:
        dns.faults[(name, rtype)] = ("delay", 0.3)  # average 300 ms: c-ares alone would wait 1.5 s
    dns.faults[("firma.com.tr", "TXT")] = "drop"
    config = ResolverConfig(nameservers=(dns.nameserver,), timeout=0.5, retries=0)
    (failure,), took, _ = ask(config, [("firma.com.tr", "TXT")])
    assert isinstance(failure, LookupFailure) and failure.kind == "timeout"
    assert took < 0.9


def test_a_nameserver_nothing_listens_on_fails_at_once_not_after_the_budget():
    """A mistyped --nameserver: every try is refused and nothing ever answered, so the question fails
    as ``unreachable`` in a moment. It waited out timeout x retries (6 s by default) before."""
    config = ResolverConfig(nameservers=(f"127.0.0.1:{dead_port()}",), timeout=3.0, retries=2)
    (out,), took, _ = ask(config, [("firma.com.tr", "MX")], warm=False)
    assert isinstance(out, LookupFailure) and out.kind == "unreachable"
    assert took < 1.5


def test_a_resolver_that_answered_and_then_refuses_is_waited_for():
    """Refused after answers came (a resolver restarting): the question keeps its whole budget."""

    async def run():
        with DNSTestServer("firma.com.tr. 300 IN MX 0 mx.firma.com.tr.\n") as server:
            config = ResolverConfig(nameservers=(server.nameserver,), timeout=0.4, retries=2)
            resolver = AresResolver(config)
            try:
                (first,) = await resolver.query_many([("firma.com.tr", "MX")])
                server.stop()
                started = time.monotonic()
                (second,) = await resolver.query_many([("firma.com.tr", "TXT")])
                return first, second, time.monotonic() - started
            finally:
                await resolver.close()

    first, second, took = asyncio.run(run())
    assert isinstance(first, Answer) and first.records
    assert isinstance(second, LookupFailure) and second.kind == "unreachable"
    assert took >= 0.7  # the budget, 0.4 s x 2, less the timer's slack
