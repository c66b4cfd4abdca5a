"""Fetch tenant signals from the sign-in service, as a polite client of a shared service.

Bounded concurrency to the host (default 16), HTTP/1.1 keep-alive over a small
pool of clients (one httpx client tops out near 270 requests/s on this kind of
machine; several share the load), ``Retry-After`` honoured on 429 and 503 with
capped exponential backoff, and a User-Agent that says who is asking.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import json
import time

import httpx

from ..http import async_client
from ..models import TenantInfo
from .parse import UnexpectedAnswer, apply_realm, parse_openid

DEFAULT_BASE = "https://login.microsoftonline.com"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class TenantFailure(Exception):
    """No answer about the tenant: timeout, 5xx, 429 after retries, or a garbled reply."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def retry_after_seconds(value: str | None, default: float, cap: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped."""
    if value:
        value = value.strip()
        if value.isdigit():
            return min(float(value), cap)
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, min(when.timestamp() - time.time(), cap))
        except (TypeError, ValueError):
            pass
    return min(default, cap)


class TenantClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE,
        *,
        concurrency: int = 16,
        pool: int = 4,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._limit = asyncio.Semaphore(max(1, concurrency))
        n = max(1, min(pool, concurrency))
        per_client = max(1, -(-concurrency // n))
        self._clients = [
            async_client(timeout=timeout, max_connections=per_client, headers={"Accept": "application/json"})
            for _ in range(n)
        ]
        self._next = itertools.cycle(self._clients)
        self.requests = 0

    async def _get(self, url: str, params: dict | None = None) -> tuple[int, object]:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                async with self._limit:
                    self.requests += 1
                    resp = await next(self._next).get(url, params=params)
            except httpx.TransportError as exc:  # timeouts included: both are retried with backoff
                if last:
                    if isinstance(exc, httpx.TimeoutException):
                        raise TenantFailure("timeout", f"no answer from {self.base_url} in time") from None
                    raise TenantFailure("unreachable", f"cannot reach {self.base_url}: {exc.__class__.__name__}") from None
                await asyncio.sleep(delay)
                delay *= 2
                continue
            if resp.status_code in RETRY_STATUSES:
                if last:
                    raise TenantFailure(f"http-{resp.status_code}", f"HTTP {resp.status_code} from {self.base_url} after {attempt + 1} tries")
                wait = retry_after_seconds(resp.headers.get("Retry-After"), delay, self.max_wait)
                await asyncio.sleep(wait)
                delay *= 2
                continue
            try:
                return resp.status_code, json.loads(resp.content)
            except ValueError:
                raise TenantFailure("bad-response", f"HTTP {resp.status_code} with a body that is not JSON") from None
        raise AssertionError("unreachable")

    async def lookup(self, domain: str) -> TenantInfo | None:
        """The domain's tenant, or None when no tenant owns it. Raises TenantFailure."""
        status, doc = await self._get(f"{self.base_url}/{domain}/v2.0/.well-known/openid-configuration")
        try:
            tenant = parse_openid(status, doc)
        except UnexpectedAnswer as exc:
            raise TenantFailure("bad-response", f"OpenID configuration: {exc}") from None
        if tenant is None:
            return None
        status, doc = await self._get(f"{self.base_url}/getuserrealm.srf", {"login": f"someone@{domain}", "json": "1"})
        if status != 200:
            raise TenantFailure(f"http-{status}", f"user realm: HTTP {status}")
        try:
            return apply_realm(tenant, doc)
        except UnexpectedAnswer as exc:
            raise TenantFailure("bad-response", f"user realm: {exc}") from None

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self._clients), return_exceptions=True)
