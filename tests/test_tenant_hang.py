"""A sign-in service that takes the connection and never answers is a timeout, not "could not be reached"
(trial 23, B2).

Through the sign-in stand-in (tests/msserver.py) holding every answer longer than the client waits: each
lookup fails of kind ``timeout``, also those not sent once the service counts as down, and the run-level
warning says the service "did not answer in time". A reset connection stays ``unreachable``.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from hunter_cli.brief.messages import Messages
from hunter_cli.said import in_lang
from hunter_cli.services.scan import ScanTally, _tenant_unreached
from hunter_cli.tenant.client import OUTAGE_LOOKUPS, TenantClient, TenantFailure


def _lookups(ms, domains, timeout: float):
    async def run():
        client = TenantClient(ms.base_url, start=16, timeout=timeout)
        try:
            outcomes = await asyncio.gather(*(client.lookup(d) for d in domains), return_exceptions=True)
            return outcomes, client
        finally:
            await client.close()

    return asyncio.run(run())


def _drain(ms) -> None:
    """The stand-in still holds the answers it was told to delay: let them go before the next test."""
    end = time.monotonic() + 15
    while ms.in_flight and time.monotonic() < end:
        time.sleep(0.1)


def test_a_service_that_hangs_is_a_timeout_even_once_it_counts_as_down(ms):
    domains = [f"askida{i}.com" for i in range(OUTAGE_LOOKUPS + 8)]
    for d in domains:
        ms.faults[d] = ("slow", 2.0)
    try:
        outcomes, client = _lookups(ms, domains, timeout=0.2)
    finally:
        _drain(ms)
    assert client.down_since is not None and client.down_kind == "timeout"
    kinds = {getattr(o, "kind", o) for o in outcomes}
    assert kinds == {"timeout"}, outcomes
    not_sent = [o for o in outcomes if isinstance(o, TenantFailure) and "not asked" in str(o)]
    assert not_sent and all("did not answer in time" in str(o) for o in not_sent)


def test_a_reset_connection_is_still_unreachable(ms):
    domains = [f"kopuk{i}.com" for i in range(OUTAGE_LOOKUPS + 4)]
    for d in domains:
        ms.faults[d] = "reset"
    outcomes, client = _lookups(ms, domains, timeout=2.0)
    assert {getattr(o, "kind", o) for o in outcomes} == {"unreachable"}, outcomes
    assert client.down_kind == "unreachable"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_run_warning_says_what_happened(lang):
    m = Messages(lang)
    url = "http://127.0.0.1:9"
    hung = ScanTally()
    hung.error_kinds["tenant timeout"] = 4
    said = in_lang(_tenant_unreached(hung, url), lang)
    assert said == m("cli.scan.tenant_timeout.many", n=4, url=url)
    if lang == "en":
        assert "did not answer in time for 4 domains" in said and "could not be reached" not in said
    down = ScanTally()
    down.error_kinds["tenant unreachable"] = 2
    assert in_lang(_tenant_unreached(down, url), lang) == m("cli.scan.tenant_unreached.many", n=2, url=url)
    both = ScanTally()
    both.error_kinds["tenant unreachable"] = 2
    both.error_kinds["tenant timeout"] = 3
    assert in_lang(_tenant_unreached(both, url), lang) == m("cli.scan.tenant_unreached_or_slow", n=2, slow=3, url=url)
