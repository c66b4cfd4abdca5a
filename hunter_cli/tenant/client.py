"""Fetch tenant signals from the sign-in service, as a polite client of a shared service.

The two documents of a domain are asked at the same time while the lane has
room (one after the other, the second only for a tenant, when it is full). Requests in flight
adapt to the service's answers under fixed ceilings (:class:`~.pace.Pace`:
at most :data:`CEILING` in flight and :data:`MAX_RATE` a second), HTTP/1.1
keep-alive, retries under :data:`hunter_cli.retry.TENANT` (429 and 5xx,
``Retry-After`` honoured up to 30 s, backoff with jitter, at most 4 tries;
connection errors and timeouts too), and a User-Agent that says who is asking.

The client is aiohttp, chosen by measurement: against a loopback stand-in,
httpx's AsyncClient spent about 3.2 ms of CPU per request (so tenant lookups
cut a bulk scan to a sixth of its DNS-only rate), aiohttp about 0.3 ms
(docs/performance.md). Low-volume HTTP (RDAP, Partner Center) stays on httpx.
A command that asks about one domain (`hunter prep`) makes its two requests
through httpx instead (:func:`one_library`): importing aiohttp beside httpx,
which the registration lookup needs anyway, cost it about 150 ms of CPU, far
more than two requests cost either way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .. import retry
from ..http import USER_AGENT, tls_context
from ..models import TenantInfo
from .pace import Pace
from .parse import UnexpectedAnswer, apply_realm, parse_openid

log = logging.getLogger("hunter.tenant")

DEFAULT_BASE = "https://login.microsoftonline.com"
START = 16  # requests in flight before the service's answers say more (or fewer) are welcome
CEILING = 128  # never more requests in flight (``--tenant-concurrency`` lowers it)
MAX_RATE = 1000  # never more requests sent in any one second
OUTAGE_LOOKUPS = 8  # tries in a row that reached nothing (any request's, retries included): the service is down
PROBE_SECONDS = 30.0  # while it is down, one request goes through this often to see whether it is back


class TenantFailure(Exception):
    """No answer about the tenant: timeout, 5xx, 429 after retries, or a garbled reply."""

    def __init__(self, kind: str, message: str) -> None:
        from ..redact import summary

        message = summary(message, 300)  # stored with the scan: redacted and bounded
        super().__init__(message)
        self.kind = kind
        self.message = message


class TenantClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE,
        *,
        concurrency: int = CEILING,
        rate: float = MAX_RATE,
        start: int = START,
        timeout: float = 10.0,
        policy: retry.Policy = retry.TENANT,
    ) -> None:
        """``concurrency``: the most requests in flight; ``rate``: the most sent in any second; ``start``:
        requests in flight at first (see :class:`~.pace.Pace`)."""
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        ceiling = max(1, concurrency)
        self.pace = Pace(start=start, ceiling=ceiling, rate=rate, retry_after_max=policy.retry_after_max)
        self._http = _Httpx(ceiling, timeout) if _LIBRARY.get() == "httpx" else _Aiohttp(ceiling, timeout)
        self.requests = 0
        self.active = 0  # lookups in progress
        self.together = 0  # lookups that asked both documents at once
        self.unreached = 0  # tries in a row that reached nothing (timeouts, refused or unresolved)
        self.unanswered = 0  # of those, tries that connected and got no answer in time (a service that hangs)
        self.down_kind = "unreachable"  # why it counts as down: "timeout" when every such try was unanswered
        self.down_since: float | None = None  # the service counts as down (see _reachable)
        self._probe_at = 0.0  # while down: when the next request may go through to see if it is back
        self.not_asked = 0  # lookups failed at once while the service was down

    def _reachable(self) -> None:
        """Raise TenantFailure("unreachable") at once while the service is down, but for one lookup
        (the probe) every PROBE_SECONDS. Down: OUTAGE_LOOKUPS tries in a row, whichever requests made them,
        reached nothing (a laptop offline, a firewall, a name that does not resolve), so asking on would
        only cost each domain its retries' waits; the retries already waiting stop too. Every domain
        still gets a tenant failure, never "no tenant", and is asked again on the next run (docs/tenant.md).
        Counting tries, not requests that used up their retries, matters when each try waits seconds (a
        resolver that never answers): 128 requests in flight, four tries each, took minutes to say so."""
        if self.down_since is None:
            return
        now = time.monotonic()
        if now >= self._probe_at:
            self._probe_at = now + PROBE_SECONDS
            return
        self.not_asked += 1
        raise self._not_asked()

    def _not_asked(self) -> TenantFailure:
        """The failure of a lookup not sent while the service is down, of the kind that put it down: ``timeout``
        when it took the connections and never answered (trial 23: not "could not be reached"), else
        ``unreachable``."""
        if self.down_kind == "timeout":
            return TenantFailure(
                "timeout",
                f"not asked: {self.base_url} did not answer in time for the last {OUTAGE_LOOKUPS} or more tries"
                " (asked again on the next run)",
            )
        return TenantFailure(
            "unreachable",
            f"not asked: {self.base_url} reached nothing for the last {OUTAGE_LOOKUPS} or more tries"
            " (asked again on the next run)",
        )

    def _outcome(self, reached: bool, unanswered: bool = False) -> None:
        """Count one try: ``reached`` the service (any HTTP answer), or not; ``unanswered``: not reached because
        no answer came in time on a connection that was made (a read timeout, not a refused connection)."""
        if reached:
            self.unreached = self.unanswered = 0
            self.down_since = None
            return
        self.unreached += 1
        self.unanswered += 1 if unanswered else 0
        if self.unreached >= OUTAGE_LOOKUPS and self.down_since is None:
            self.down_kind = "timeout" if self.unanswered == self.unreached else "unreachable"
            self.down_since = time.monotonic()
            self._probe_at = self.down_since + PROBE_SECONDS
            log.warning(
                "%s reached nothing for %d tries in a row: tenant lookups fail at once for now (one try every %d s)",
                self.base_url,
                self.unreached,
                PROBE_SECONDS,
            )

    def _gone_down(self, since: float) -> bool:
        """Whether the service counted as down after ``since``, when a lookup began (a probe begins after)."""
        return self.down_since is not None and self.down_since >= since

    async def _get(self, url: str, params: dict | None = None, *, since: float = 0.0) -> tuple[int, object]:
        """One document; each try says whether it reached the service (:meth:`_outcome`). ``since``: when the
        lookup began (``time.monotonic()``): a try the service went down after that is not sent."""
        pace = self.pace
        http = self._http

        def stopped() -> TenantFailure:
            return self._not_asked()

        async def attempt() -> tuple[int, bytes]:
            if self._gone_down(since):  # a retry, or a try that waited for a slot, while the service is down
                raise stopped()
            sent = await pace.acquire()  # a slot for the request only, never held during a retry's wait
            if self._gone_down(since):
                pace.abandon()
                raise stopped()
            self.requests += 1
            try:
                status, body, retry_after = await http.get(url, params)
            except asyncio.CancelledError:
                pace.abandon()
                raise
            except BaseException as exc:
                pace.done(sent, throttled=True)  # timeout, refused or reset connection: ask less
                if isinstance(exc, (*http.unreachable, *http.timeouts)):
                    self._outcome(False, unanswered=_unanswered(exc, http))
                raise
            self._outcome(True)  # an HTTP answer, whatever its status: the service was reached
            throttled = status == 429 or status >= 500
            wait = retry.parse_retry_after(retry_after) if throttled else None
            pace.done(sent, throttled=throttled, retry_after=wait)
            self.policy.check(status, retry_after, f"HTTP {status} from {self.base_url}")
            return status, body

        try:
            status, body = await retry.acall(self.policy, attempt, transient=(*http.unreachable, *http.timeouts))
        except http.timeouts as exc:
            if not _unanswered(exc, http):  # no connection in time (a firewall that drops): not reached at all
                raise TenantFailure("unreachable", f"cannot reach {self.base_url}: no connection in time") from None
            raise TenantFailure("timeout", f"no answer from {self.base_url} in time") from None
        except http.unreachable as exc:
            raise TenantFailure("unreachable", f"cannot reach {self.base_url}: {exc.__class__.__name__}") from None
        except retry.RetryableAnswer as exc:
            if exc.refused_wait is not None:
                message = exc.give_up_text(self.policy.retry_after_max)
            else:
                message = f"{exc.detail} after {exc.tries} tries"
            raise TenantFailure(f"http-{exc.status}", message) from None
        try:
            return status, json.loads(body)
        except ValueError:
            raise TenantFailure("bad-response", f"HTTP {status} with a body that is not JSON") from None

    async def lookup(self, domain: str) -> TenantInfo | None:
        """The domain's tenant, or None when no tenant owns it. Raises TenantFailure.

        While the lane has room (the requests of every lookup in progress fit
        under the pace's limit), both documents are asked at once: one round
        trip, not two. When the lane is full (a bulk scan), waiting costs
        nothing in latency that matters and every request counts against the
        ceiling, so the user realm is asked only once the OpenID configuration
        has named a tenant: 1.4 requests a domain instead of 2 on a typical
        list, and so more domains a second under the same ceiling. Either way
        the user realm counts only for a tenant, so its failure never fails a
        domain that has none.
        """
        self._reachable()  # while the service is down: a failure at once, but for one lookup now and then
        since = time.monotonic()
        openid_url = f"{self.base_url}/{domain}/v2.0/.well-known/openid-configuration"
        realm_args = (f"{self.base_url}/getuserrealm.srf", {"login": f"someone@{domain}", "json": "1"})
        self.active += 1
        try:
            if 2 * self.active <= self.pace.limit:
                self.together += 1
                openid, realm = await asyncio.gather(
                    self._get(openid_url, since=since), self._get(*realm_args, since=since), return_exceptions=True
                )
            else:
                openid, realm = await self._get(openid_url, since=since), None
        finally:
            self.active -= 1
        if isinstance(openid, BaseException):
            raise openid
        status, doc = openid
        try:
            tenant = parse_openid(status, doc)
        except UnexpectedAnswer as exc:
            raise TenantFailure("bad-response", f"OpenID configuration: {exc}") from None
        if tenant is None:
            return None
        if realm is None:
            realm = await self._get(*realm_args, since=since)
        elif isinstance(realm, BaseException):
            raise realm
        status, doc = realm
        if status != 200:
            raise TenantFailure(f"http-{status}", f"user realm: HTTP {status}")
        try:
            return apply_realm(tenant, doc)
        except UnexpectedAnswer as exc:
            raise TenantFailure("bad-response", f"user realm: {exc}") from None

    async def close(self) -> None:
        await self._http.close()


_LIBRARY: ContextVar[str] = ContextVar("tenant_http_library", default="aiohttp")


@contextmanager
def one_library() -> Iterator[None]:
    """Tenant clients made inside this block send through httpx, the library the registration
    lookups use, instead of aiohttp: for a command that asks about one domain (`hunter prep`),
    where importing a second HTTP library costs more than the requests."""
    token = _LIBRARY.set("httpx")
    try:
        yield
    finally:
        _LIBRARY.reset(token)


def _unanswered(exc: BaseException, http: _Aiohttp | _Httpx) -> bool:
    """Whether a failed try connected and then got no answer in time (a service that hangs, trial 23), not a
    connection refused, reset or never made in time (:attr:`_Aiohttp.connect_timeouts`)."""
    return isinstance(exc, http.timeouts) and not isinstance(exc, http.connect_timeouts)


class _Aiohttp:
    """The bulk scan's transport: GET, no redirects, ``timeout`` seconds in all per request."""

    def __init__(self, limit: int, timeout: float) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit, ssl=tls_context()),
            timeout=aiohttp.ClientTimeout(total=timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self.timeouts: tuple[type[BaseException], ...] = (asyncio.TimeoutError,)
        self.unreachable: tuple[type[BaseException], ...] = (aiohttp.ClientError,)
        # the connection itself not made in time: a TimeoutError too, but the service was never reached
        self.connect_timeouts: tuple[type[BaseException], ...] = (aiohttp.ConnectionTimeoutError,)

    async def get(self, url: str, params: dict | None) -> tuple[int, bytes, str | None]:
        """(status, body, Retry-After header or None) of one GET."""
        async with self._session.get(url, params=params, allow_redirects=False) as resp:
            return resp.status, await resp.read(), resp.headers.get("Retry-After")

    async def close(self) -> None:
        await self._session.close()


class _Httpx:
    """The same requests through httpx (:func:`one_library`), with the shared TLS context."""

    def __init__(self, limit: int, timeout: float) -> None:
        import httpx

        self._timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=timeout,
            verify=tls_context(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
            follow_redirects=False,
        )
        self.timeouts: tuple[type[BaseException], ...] = (asyncio.TimeoutError, httpx.TimeoutException)
        self.unreachable: tuple[type[BaseException], ...] = (httpx.TransportError,)
        self.connect_timeouts: tuple[type[BaseException], ...] = (httpx.ConnectTimeout,)

    async def get(self, url: str, params: dict | None) -> tuple[int, bytes, str | None]:
        """(status, body, Retry-After header or None) of one GET, ``timeout`` seconds in all as aiohttp's."""
        resp = await asyncio.wait_for(self._client.get(url, params=params), self._timeout)
        return resp.status_code, resp.content, resp.headers.get("Retry-After")

    async def close(self) -> None:
        await self._client.aclose()
