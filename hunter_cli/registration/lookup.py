"""One registration lookup: RDAP when the TLD has it, else port-43 WHOIS, else unavailable.

Routing always follows the bootstrap file and the WHOIS server table; the two test
overrides only change where the chosen protocol connects:

- ``rdap_url`` (``HUNTER_RDAP_URL``, read by the caller) replaces the RDAP base URL of
  every TLD that has an RDAP service;
- ``whois_host`` (``HUNTER_WHOIS_HOST``: ``host`` or ``host:port``) replaces the WHOIS
  server of every TLD without RDAP that has a WHOIS server.

So a test run with both set still sends .com to RDAP, .com.tr to WHOIS, and makes no
network call at all for a TLD that has neither.

An RDAP answer of 429 or 5xx, or a connection the server dropped, is asked again
under :data:`hunter_cli.retry.RDAP` (at most 3 tries, ``Retry-After`` up to 10 s);
a longer ``Retry-After``, a timeout or a refused connection fails the lookup at
once, and the next run asks again.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

import httpx

from hunter_cli.models import Registration
from hunter_cli.registration import RegistrationFailure
from hunter_cli.registration.rdap import Bootstrap, load_bootstrap, parse_rdap
from hunter_cli.registration.whois import (
    QUOTA_NOTE,
    WHOIS_PORT,
    parse_whois,
    query_whois,
    whois_query,
    whois_server,
)
from hunter_cli.retry import RDAP, RetryableAnswer, acall

RDAP_ACCEPT = "application/rdap+json"
OUTAGE_LOOKUPS = 4  # lookups in a row to one service that reached nothing: the service counts as down
PROBE_SECONDS = 30.0  # while it is down, one lookup goes through this often to see whether it is back
UNREACHED = ("unreachable", "timeout")  # failures that reached nothing (an HTTP error is an answer)

log = logging.getLogger("hunter.registration")


class Reach:
    """What one run learns about reaching the registry services (docs/registration.md).

    Host names are resolved by the system resolver (``getaddrinfo``: /etc/hosts, then the resolvers of
    /etc/resolv.conf; never ``--nameserver``), once per host and run, each in a daemon thread: a scan
    stopped with Ctrl-C never waits for a resolution still under way, and a name that resolved is not
    asked again for every domain. A service (an RDAP base URL, a WHOIS ``host:port``) that reached
    nothing for :data:`OUTAGE_LOOKUPS` lookups in a row (name not resolved, connection refused, no
    answer in time) counts as down, as the tenant lane does (docs/tenant.md): each further lookup of it
    fails at once as ``unreachable`` ("not asked: ..."), but one goes through every
    :data:`PROBE_SECONDS`, and the first that reaches it puts it back to normal.
    """

    def __init__(self) -> None:
        self._hosts: dict[tuple[str, int], asyncio.Future] = {}
        self._unreached: Counter[str] = Counter()
        self._probe_at: dict[str, float] = {}  # services counted as down -> when the next probe may go
        self.not_asked = 0

    async def addresses(self, host: str, port: int, what: str) -> list[tuple]:
        """``getaddrinfo`` socket addresses of ``host``; RegistrationFailure ``unreachable`` if it does not resolve."""
        key = (host, port)
        fut = self._hosts.get(key)
        if fut is None:
            loop = asyncio.get_running_loop()
            fut = loop.create_future()
            self._hosts[key] = fut
            threading.Thread(target=_getaddrinfo, args=(loop, fut, host, port), daemon=True).start()
        infos, exc = await asyncio.shield(fut)
        if exc is not None:
            if self._hosts.get(key) is fut:
                del self._hosts[key]  # a failure is asked again (by the next lookup, or the probe)
            raise RegistrationFailure("unreachable", f"cannot resolve {what} {host}: {exc.strerror or exc}")
        return [info[4] for info in infos]

    def check(self, service: str) -> None:
        """Raise RegistrationFailure ``unreachable`` at once while ``service`` counts as down (but for a probe)."""
        probe_at = self._probe_at.get(service)
        if probe_at is None:
            return
        now = time.monotonic()
        if now >= probe_at:
            self._probe_at[service] = now + PROBE_SECONDS
            return
        self.not_asked += 1
        raise RegistrationFailure(
            "unreachable",
            f"not asked: {service} reached nothing for the last {OUTAGE_LOOKUPS} or more lookups"
            " (asked again on the next run)",
        )

    def outcome(self, service: str, reached: bool) -> None:
        if reached:
            self._unreached.pop(service, None)
            self._probe_at.pop(service, None)
            return
        self._unreached[service] += 1
        if self._unreached[service] >= OUTAGE_LOOKUPS and service not in self._probe_at:
            self._probe_at[service] = time.monotonic() + PROBE_SECONDS
            log.warning(
                "%s reached nothing for %d lookups in a row: its registration lookups fail at once for now"
                " (one try every %d s)",
                service,
                self._unreached[service],
                PROBE_SECONDS,
            )


def _getaddrinfo(loop: asyncio.AbstractEventLoop, fut: asyncio.Future, host: str, port: int) -> None:
    """Resolve in this (daemon) thread; hand ``(infos, None)`` or ``([], error)`` to ``fut`` as a value."""
    try:
        got: tuple[list, OSError | None] = (socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), None)
    except OSError as exc:
        got = ([], exc)

    def put() -> None:
        if not fut.done():
            fut.set_result(got)

    try:
        loop.call_soon_threadsafe(put)
    except RuntimeError:  # the loop has closed: the run ended without this answer
        pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def split_host_port(value: str, default_port: int = WHOIS_PORT) -> tuple[str, int]:
    """``"host"``, ``"host:4343"``, ``"[::1]:4343"`` or ``"::1"`` -> (host, port)."""
    v = value.strip()
    if v.startswith("["):
        host, _, rest = v[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif v.count(":") == 1:
        host, port = v.split(":")
    else:  # a bare name, or a bare IPv6 address
        host, port = v, ""
    if port:
        try:
            n = int(port)
        except ValueError:
            raise ValueError(f"bad WHOIS host {value!r}: port {port!r} is not a number") from None
        if not 0 < n < 65536:
            raise ValueError(f"bad WHOIS host {value!r}: port out of range")
        return host, n
    return host, default_port


async def _rdap(domain: str, base: str, http: httpx.AsyncClient, timeout: float, reach: Reach | None) -> Registration:
    if not base.endswith("/"):
        base += "/"
    url = f"{base}domain/{quote(domain, safe='.-')}"
    if reach is not None:  # a name that does not resolve fails here, once per run, not in every lookup
        parts = urlsplit(base)
        await reach.addresses(
            parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), "RDAP server"
        )

    async def attempt() -> httpx.Response:
        resp = await http.get(url, headers={"Accept": RDAP_ACCEPT}, timeout=timeout, follow_redirects=True)
        RDAP.check(resp.status_code, resp.headers.get("Retry-After"), f"HTTP {resp.status_code}")
        return resp

    try:
        # A connection the server dropped is asked again; a timeout or a refused connection is not
        # (waiting again in a bulk scan gains little: a later run retries the domain).
        resp = await acall(RDAP, attempt, transient=(httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError))
    except httpx.TimeoutException:
        raise RegistrationFailure("timeout", f"RDAP server {base} did not answer within {timeout:g} s") from None
    except (httpx.ConnectError, httpx.NetworkError) as exc:
        raise RegistrationFailure("unreachable", f"RDAP server {base}: {exc.__class__.__name__}: {exc}") from None
    except httpx.HTTPError as exc:  # protocol errors, too many redirects, ...
        raise RegistrationFailure("protocol", f"RDAP server {base}: {exc.__class__.__name__}: {exc}") from None
    except RetryableAnswer as exc:
        if exc.status == 429:
            hint = f"; retry after {exc.retry_after:.0f} s" if exc.retry_after is not None else ""
            raise RegistrationFailure(
                "rate-limited", f"RDAP server {base} answered HTTP 429 (too many requests{hint})"
            ) from None
        raise RegistrationFailure(
            "server-error", f"RDAP server {base} answered HTTP {exc.status} after {exc.tries} tries"
        ) from None

    code = resp.status_code
    if code == 200:
        try:
            data = resp.json()
        except ValueError:
            return Registration(status="unavailable", source="rdap", note="the RDAP server's answer was not JSON")
        return parse_rdap(data)
    if code in (404, 410):
        return Registration(status="unavailable", source="rdap", note="not found in the registry")
    if code in (400, 422):
        return Registration(status="unavailable", source="rdap", note=f"the registry rejected the query (HTTP {code})")
    if code >= 500:
        raise RegistrationFailure("server-error", f"RDAP server {base} answered HTTP {code}")
    raise RegistrationFailure("http-error", f"RDAP server {base} answered HTTP {code}")


async def _whois(
    domain: str, tld: str, server: str, host: str, port: int, timeout: float, reach: Reach | None
) -> Registration:
    # The query line is the registry's format even when a test override changes the host.
    connect_to = None
    if reach is not None:
        connect_to = (await reach.addresses(host, port, "WHOIS server"))[0][:2]
    text = await query_whois(domain, host, port, timeout, query=whois_query(domain, server), address=connect_to)
    if not text.strip():
        raise RegistrationFailure("empty-answer", f"WHOIS server {host}:{port} closed the connection without an answer")
    reg = parse_whois(text, tld)
    if reg.status == "unavailable" and reg.note and reg.note.startswith(QUOTA_NOTE):
        raise RegistrationFailure("rate-limited", f"WHOIS server {host}:{port}: {reg.note}")
    return reg


async def lookup(
    domain: str,
    *,
    http: httpx.AsyncClient,
    bootstrap: Bootstrap | None = None,
    rdap_url: str | None = None,
    whois_host: str | None = None,
    timeout: float = 10,
    reach: Reach | None = None,
) -> Registration:
    """Registration data for ``domain`` (an A-label registrable domain such as ``acme.com.tr``).

    Returns ``status="ok"`` with whatever the registry published, or
    ``status="unavailable"`` with a ``note`` (not registered, no service for the TLD,
    nothing parsable). Raises :class:`RegistrationFailure` when no answer was had
    (timeout, connection error, HTTP 429/5xx, WHOIS quota): the caller retries later. ``reach``, one
    per run, resolves each server's name once and fails the lookups of a service that is down at once.
    """
    name = domain.strip().rstrip(".").lower()
    tld = name.rsplit(".", 1)[-1]
    boot = bootstrap if bootstrap is not None else load_bootstrap()

    base = boot.base_url(name)
    server = whois_server(tld) if base is None else None
    if base is None and server is None:
        reg = Registration(status="unavailable", note=f"no RDAP or WHOIS service known for .{tld}")
        reg.fetched_at = _now()
        return reg
    host, port = split_host_port(whois_host) if whois_host else (server or "", WHOIS_PORT)
    service = rdap_url or base if base is not None else f"{host}:{port}"
    if reach is not None:
        reach.check(service)
    try:
        if base is not None:
            reg = await _rdap(name, rdap_url or base, http, timeout, reach)
        else:
            reg = await _whois(name, tld, server or "", host, port, timeout, reach)
    except RegistrationFailure as exc:
        if reach is not None:
            reach.outcome(service, exc.kind not in UNREACHED)
        raise
    if reach is not None:
        reach.outcome(service, True)
    reg.fetched_at = _now()
    return reg


__all__ = ["Reach", "lookup", "split_host_port"]
