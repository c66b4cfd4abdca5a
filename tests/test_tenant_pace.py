"""The tenant lane's pace: both endpoints at once, adaptive concurrency, the ceilings, Retry-After.

Over real sockets against the sign-in stand-in (tests/msserver.py); stamina's
test mode (tests/conftest.py) turns every wait a 429 asks for into no wait, so
what is checked is that the wait was asked for, not that the clock moved.
"""

from __future__ import annotations

import asyncio
import time

from hunter_cli.tenant.client import CEILING, MAX_RATE, TenantClient
from hunter_cli.tenant.pace import Pace

GUID = "3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10"
SIGN_IN = "the Microsoft sign-in service"


def lookups(ms, domains, **kw):
    """Look every domain up at once with a fresh client; returns (results, client).

    ``client.took`` is the seconds the lookups took (the client's set-up not included).
    """

    async def run():
        client = TenantClient(ms.base_url, **kw)
        try:
            started = time.monotonic()
            results = await asyncio.gather(*(client.lookup(d) for d in domains), return_exceptions=True)
            client.took = time.monotonic() - started
            return results, client
        finally:
            await client.close()

    return asyncio.run(run())


def test_the_two_endpoints_are_asked_at_the_same_time(ms):
    ms.faults["firma.com.tr"] = ("slow", 0.6)  # both endpoints hold their answer 0.6 s
    (tenant,), client = lookups(ms, ["firma.com.tr"])
    assert tenant.id == GUID and tenant.namespace_type == "Managed"
    assert client.took >= 0.6
    assert sorted(ep for ep, _ in ms.requests) == ["openid", "realm"]
    assert abs(ms.arrivals[1] - ms.arrivals[0]) < 0.5  # the second was sent before the first was answered
    assert ms.peak_in_flight == 2  # the server held both at once


def test_429_halves_the_concurrency_and_waits_retry_after(ms, retries):
    ms.faults[("firma.com.tr", "openid")] = ("429", 3, 1)
    (tenant,), client = lookups(ms, ["firma.com.tr"], start=8)
    assert client.took < 2.5  # test mode: the 3 s are asked for, not slept
    assert tenant.id == GUID
    assert retries == [(SIGN_IN, 429, 3.0)]  # the request waits Retry-After before it is asked again
    assert client.pace.pauses == [3.0]  # and so does every new request
    ((before, after),) = client.pace.cuts
    assert before >= 8 and after == before / 2
    assert ms.count("openid", "firma.com.tr") == 2


def test_5xx_halves_the_concurrency_without_a_pause(ms, retries):
    ms.faults[("firma.com.tr", "realm")] = ("500", 1)
    (tenant,), client = lookups(ms, ["firma.com.tr"], start=10)
    assert tenant.id == GUID
    assert [status for _, status, _ in retries] == [500]
    ((before, after),) = client.pace.cuts
    assert before >= 10 and after == before / 2
    assert client.pace.pauses == []


def test_throttled_answers_to_requests_already_in_flight_cut_once(ms, retries):
    first = [f"burst{i}.com" for i in range(8)]
    for d in first:
        ms.faults[(d, "openid")] = ("429", None, 1)
    results, client = lookups(ms, first, start=16)
    assert results == [None] * 8  # retried, then answered: no tenant
    assert len(retries) == 8
    assert len(client.pace.cuts) == 1  # eight 429s to requests sent together: one halving, as TCP does per window
    assert client.pace.cuts[0][1] == client.pace.cuts[0][0] / 2


def test_a_later_throttle_cuts_again():
    async def run():
        pace = Pace(start=16, ceiling=64)
        a = await pace.acquire()
        pace.done(a, throttled=True)
        b = await pace.acquire()  # sent after the first cut
        pace.done(b, throttled=True)
        return pace

    pace = asyncio.run(run())
    assert [after for _, after in pace.cuts] == [8.0, 4.0]
    assert pace.slow_start is False


def test_fast_answers_raise_the_limit_up_to_the_ceiling_and_never_past_it(ms):
    domains = [f"grow{i}.com" for i in range(40)]
    for d in domains:
        ms.faults[d] = ("slow", 0.05)  # answers overlap, so the client can use what it learns
    results, client = lookups(ms, domains, start=2, concurrency=6)
    assert results == [None] * 40
    assert client.pace.limit == 6  # raised from 2 while answers came back fast
    assert client.pace.peak_in_flight == 6
    assert ms.peak_in_flight <= 6  # the server never saw more at once
    assert ms.connections <= 6


def test_the_rate_ceiling_holds_in_every_second(ms):
    """No 41 requests sent within any one second at rate=40: measured when each request is sent (the
    send time its slot returns, taken as it goes to the HTTP library), and every request the stand-in
    answered was one of them. Not measured as arrival times at the stand-in: its handler threads share
    this interpreter, and on a loaded machine they log requests late and bunched (41 within 0.955 s
    while no 41 sends were within 1.000 s), which once failed this test with no ceiling broken."""
    sends: list[float] = []

    async def run():
        client = TenantClient(ms.base_url, rate=40, concurrency=64)
        acquire = client.pace.acquire

        async def recorded() -> float:  # the pace's own answer, looked at on its way out
            sent = await acquire()
            sends.append(sent)
            return sent

        client.pace.acquire = recorded  # type: ignore[method-assign]
        try:
            return await asyncio.gather(*(client.lookup(f"rate{i}.com") for i in range(50))), client
        finally:
            await client.close()

    results, client = asyncio.run(run())
    assert results == [None] * 50
    assert len(sends) == client.requests == len(ms.arrivals) >= 50
    sends.sort()
    assert all(sends[i + 40] - sends[i] >= 1.0 - 1e-9 for i in range(len(sends) - 40))


def test_a_stall_between_grant_and_send_lets_no_burst_through():
    """The rate window counts a request from when it is sent, not from when its slot was granted.

    Waiters granted together resume on a later turn of the event loop; a loop that stalls in between
    (a bulk scan parsing DNS answers, a starved machine) sends them late. Stamped at the grant, they
    left the window on time and the next second's requests went out right behind them: 2 x rate
    sent within 0.1 s. The fake clock stands for the stall."""

    async def run():
        now = [0.0]
        pace = Pace(start=100, ceiling=100, rate=4, clock=lambda: now[0])
        sends: list[float] = []

        async def request() -> None:
            sends.append(await pace.acquire())

        first = [await pace.acquire() for _ in range(4)]  # the window is full at 0.0
        sends.extend(first)
        second = [asyncio.ensure_future(request()) for _ in range(4)]
        await asyncio.sleep(0)  # queued behind the rate window
        now[0] = 1.0
        pace.done(first[0])  # a turn at 1.0 hands the window's four slots on
        now[0] = 1.9  # the loop stalls before the four run
        await asyncio.sleep(0)
        await asyncio.gather(*second)
        third = [asyncio.ensure_future(request()) for _ in range(4)]
        now[0] = 2.0
        pace.done(first[1])
        await asyncio.sleep(0)
        for t in third:  # whatever is still held by the window gives up: nothing leaks
            t.cancel()
        await asyncio.gather(*third, return_exceptions=True)
        return sends, pace

    sends, pace = asyncio.run(run())
    assert sends[4:8] == [1.9] * 4  # stamped when they went, not when they were granted
    assert len(sends) == 8  # none of the third four went at 2.0: 1.9's four are in its window until 2.9
    assert pace.in_flight == 6  # 8 sent, 2 answered; the cancelled waiters hold nothing


def test_slow_answers_do_not_raise_the_limit():
    async def run():
        now = [0.0]
        pace = Pace(start=4, ceiling=64, clock=lambda: now[0])
        a = await pace.acquire()
        now[0] = 0.1
        pace.done(a)  # 100 ms: the fastest yet, so fast
        b = await pace.acquire()
        now[0] = 0.5
        pace.done(b)  # 400 ms, four times the fastest: slow
        return pace

    pace = asyncio.run(run())
    assert pace.limit == 5 and pace.fastest == 0.1


def test_slots_freed_in_one_turn_of_the_loop_are_all_handed_on_in_the_next():
    """A bulk scan's event loop parses DNS answers between turns, so a turn can take milliseconds: a
    lane that hands one freed slot on per turn sent a few hundred requests a second, whatever its
    ceiling. Every waiter whose slot freed must be sending after one turn, still first come first
    served."""

    async def run():
        pace = Pace(start=4, ceiling=4)
        sent = [await pace.acquire() for _ in range(4)]
        order: list[int] = []

        async def wait(i: int) -> None:
            await pace.acquire()
            order.append(i)

        waiters = [asyncio.ensure_future(wait(i)) for i in range(6)]
        await asyncio.sleep(0)  # all six are queued behind the full lane
        assert order == [] and pace.in_flight == 4
        for t in sent:
            pace.done(t)
        await asyncio.sleep(0)  # one turn
        granted = list(order)
        for w in waiters[4:]:  # the two still waiting give up: nothing leaks
            w.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
        return granted, pace

    granted, pace = asyncio.run(run())
    assert granted == [0, 1, 2, 3]
    assert pace.in_flight == 4


def test_a_waiter_cancelled_after_its_grant_gives_the_slot_back():
    async def run():
        pace = Pace(start=1, ceiling=1)
        first = await pace.acquire()
        waiter = asyncio.ensure_future(pace.acquire())
        await asyncio.sleep(0)
        pace.done(first)  # the slot is granted to the waiter ...
        waiter.cancel()  # ... which is cancelled before it runs
        await asyncio.gather(waiter, return_exceptions=True)
        return pace, await pace.acquire()

    pace, _ = asyncio.run(run())
    assert pace.in_flight == 1  # the one just acquired; the cancelled grant was returned


def test_the_documented_ceiling():
    assert (CEILING, MAX_RATE) == (128, 1000)  # docs/tenant.md states these numbers
    pace = Pace(start=500, ceiling=CEILING, rate=MAX_RATE)
    assert pace.limit == CEILING


def test_a_full_lane_asks_the_user_realm_only_for_tenants(ms):
    domains = [f"none{i}.com" for i in range(6)] + ["federe.com.tr"]
    results, client = lookups(ms, domains, concurrency=2)
    assert results[:6] == [None] * 6
    fed = results[6]
    assert (fed.namespace_type, fed.federation_host) == ("Federated", "sts.federe.com.tr")
    assert client.together == 1  # the first lookup found the lane empty and asked both at once
    assert ms.count("openid") == 7
    assert ms.count("realm") == 2  # that first domain's, and the tenant's, asked after its OpenID answer
    assert ms.count("realm", "federe.com.tr") == 1
    assert ms.peak_in_flight <= 2


def test_a_service_that_reaches_nothing_is_asked_no_more_after_a_few_requests():
    """Nothing listens on the port (as for a laptop offline, or a name that does not resolve): after
    OUTAGE_LOOKUPS requests in a row fail, the rest fail at once, each a tenant failure, never 'no tenant'."""
    from hunter_cli.tenant.client import OUTAGE_LOOKUPS, TenantFailure

    async def run():
        client = TenantClient("http://127.0.0.1:9", start=1)
        try:
            outcomes = [await asyncio.gather(client.lookup(f"d{i}.com"), return_exceptions=True) for i in range(40)]
            return [o for (o,) in outcomes], client
        finally:
            await client.close()

    outcomes, client = asyncio.run(run())
    assert all(isinstance(o, TenantFailure) and o.kind == "unreachable" for o in outcomes)
    assert client.down_since is not None
    assert client.requests == OUTAGE_LOOKUPS  # tries are counted: two lookups of four tries each, then no more
    assert client.not_asked == 40 - 2
    assert "not asked" in str(outcomes[-1])


def test_retries_in_flight_stop_once_the_service_counts_as_down(ms):
    """Every try reaches nothing (the connection is reset; offline, each would wait seconds for a name that
    never resolves): once OUTAGE_LOOKUPS tries in a row reached nothing, the retries of the lookups in flight
    stop too, instead of each running its four tries (4 minutes for 330 domains on a machine with no network)."""
    from hunter_cli.tenant.client import OUTAGE_LOOKUPS, TenantFailure

    domains = [f"asili{i}.com" for i in range(40)]
    for d in domains:
        ms.faults[d] = "reset"

    async def run():
        client = TenantClient(ms.base_url, start=16)
        try:
            outcomes = await asyncio.gather(*(client.lookup(d) for d in domains), return_exceptions=True)
            return outcomes, client
        finally:
            await client.close()

    outcomes, client = asyncio.run(run())
    assert all(isinstance(o, TenantFailure) and o.kind in ("timeout", "unreachable") for o in outcomes), outcomes
    assert client.down_since is not None
    # the 16 lookups in flight (one document each while the lane is full) tried once; none tried again
    assert client.requests <= 2 * 16, client.requests
    assert client.requests >= OUTAGE_LOOKUPS


def test_a_service_back_after_an_outage_is_asked_again(ms):
    async def run():
        client = TenantClient(ms.base_url)
        try:
            client.down_since = time.monotonic()  # as after OUTAGE_LOOKUPS failures in a row
            client._probe_at = time.monotonic() + 30
            try:
                await client.lookup("firma.com.tr")
            except Exception as exc:  # noqa: BLE001 - checked below
                first = exc
            asked_while_down = len(ms.requests)
            client._probe_at = 0.0  # the next probe is due
            tenant = await client.lookup("firma.com.tr")
            return first, asked_while_down, tenant, client
        finally:
            await client.close()

    first, asked_while_down, tenant, client = asyncio.run(run())
    assert getattr(first, "kind", None) == "unreachable" and asked_while_down == 0
    assert tenant.id == GUID  # the probe reached the service: it counts as up again
    assert client.down_since is None and client.unreached == 0


# -- the sign-in service out of reach: said once, and no domain not in DNS made partial by it ---------------


def _dead_url() -> str:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def test_a_scan_that_cannot_reach_the_sign_in_service_says_so_even_when_quiet(hunter):
    url = _dead_url()
    result = hunter("scan", "firma.com.tr", "nomail.com", "--no-whois", "-q", env={"HUNTER_MS_LOGIN_URL": url})
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert f"Microsoft's sign-in service ({url}) could not be reached for 2 domains" in said
    assert "unknown, not absent" in said and "HUNTER_MS_LOGIN_URL" in said
    tr = hunter("scan", "firma.com.tr", "--no-whois", "-q", env={"HUNTER_MS_LOGIN_URL": url, "HUNTER_LANG": "tr"})
    assert "Microsoft oturum açma hizmetine" in " ".join(tr.stderr.split())
    fine = hunter("scan", "firma.com.tr", "--no-whois", "-q")
    assert "sign-in service" not in fine.stderr


def test_a_domain_not_in_dns_is_not_made_partial_by_the_sign_in_service(hunter):
    out = hunter.scan_json("no-such-company-4711.com", "--no-whois", env={"HUNTER_MS_LOGIN_URL": _dead_url()})
    r = out["no-such-company-4711.com"]
    assert r["state"] == "nxdomain" and r["status"] == "ok", r["errors"]
    assert r["tenant"] is None and not r["errors"]
