"""Fetching MTA-STS policy files for the scan: bounded in number, time and size (RFC 8461 3.3).

Only a domain whose ``_mta-sts`` TXT record is published gets a fetch (a few in a
hundred). The policy host ``mta-sts.<domain>`` is looked up with the scan's own
resolver (so ``--nameserver`` applies, and a proven NXDOMAIN is told apart from a
timeout), then asked over HTTPS at its first address, with the host name as TLS
server name and ``Host``, the certificate checked against the system's trust store
(hunter_cli/http.py). Redirects are not followed and nothing is cached by HTTP
(section 3.3). Like Hunter's other HTTP clients it goes through the proxy the environment names
(``HTTPS_PROXY``), as a corporate network may require. Each connection serves one request, so a shared address never
answers one domain on another's TLS session.

Bounds: :data:`CONCURRENCY` fetches at once per process, :data:`TIMEOUT` seconds for
the whole of one, :data:`MAX_BODY` bytes of policy. What comes back is judged in
:mod:`hunter_cli.footprint.mta_sts` (pure).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .footprint.mta_sts import WELL_KNOWN_PATH, StsPolicy, judge

CONCURRENCY = 16  # policy fetches in flight at once, per process
TIMEOUT = 5.0  # seconds for one fetch: address lookup, connection, TLS and body (a rep waits in `prep`)
_NOT_FOLLOWED = "senders do not follow it (RFC 8461 3.3)"
MAX_BODY = 64 * 1024  # bytes: a policy is a few lines; anything longer is not one


def _cert_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error somewhere in ``exc``'s chain of causes, or None."""
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 10:
        if isinstance(cur, ssl.SSLCertVerificationError):
            return cur
        cur = cur.__cause__ or cur.__context__
        seen += 1
    return None


# Policy hosts are asked over HTTPS on port 443 (RFC 8461 3.3); setting mta_sts_port is for test servers.
MTA_STS_PORT = 443


class StsFetcher:
    """Fetches policy files for one run. ``resolver`` is the scan's (``query_many``);
    ``port`` is 443 except for tests' local servers (setting ``mta_sts_port``)."""

    def __init__(self, resolver: Any, *, port: int = MTA_STS_PORT, timeout: float = TIMEOUT) -> None:
        self._resolver = resolver
        self._port = port
        self._timeout = timeout
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._client: Any = None
        self.fetched = 0

    def _http(self) -> Any:
        if self._client is None:
            import httpx

            from .http import USER_AGENT, tls_context

            self._client = httpx.AsyncClient(
                verify=tls_context(),
                timeout=self._timeout,
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Accept": "text/plain", "Cache-Control": "no-cache"},
                limits=httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=0),
            )
        return self._client

    async def fetch(self, domain: str, mx_hosts: Sequence[str] | None) -> StsPolicy:
        """The judged policy of ``domain`` (never raises for network or server faults)."""
        host = f"mta-sts.{domain}"
        async with self._slots:
            try:
                return await asyncio.wait_for(self._fetch(host, mx_hosts), self._timeout)
            except asyncio.TimeoutError:  # the builtin TimeoutError from Python 3.11 on
                return StsPolicy(
                    state="unknown",
                    host=host,
                    failed=f"no answer from {host} within {self._timeout:g} s",
                    failure_kind="timeout",
                )

    async def _fetch(self, host: str, mx_hosts: Sequence[str] | None) -> StsPolicy:
        from .dns.resolver import Answer

        outcomes = await self._resolver.query_many([(host, "A"), (host, "AAAA")])
        addresses = [a for o in outcomes if isinstance(o, Answer) for a in o.records]
        if not addresses:
            failures = [o for o in outcomes if not isinstance(o, Answer)]
            if failures:
                first = failures[0]
                return StsPolicy(
                    state="unknown", host=host, failed=str(first), failure_kind=getattr(first, "kind", None)
                )
            missing = "does not exist" if all(o.rcode == "nxdomain" for o in outcomes) else "has no address"
            return StsPolicy(
                state="invalid",
                host=host,
                errors=[f"the policy host {host} {missing}, so senders cannot fetch the policy (RFC 8461 3.3)"],
                invalid_kind="host-missing",
            )
        address = addresses[0]
        shown = f"[{address}]" if ":" in address else address
        url = f"https://{shown}:{self._port}{WELL_KNOWN_PATH}"
        headers = {"Host": host if self._port == 443 else f"{host}:{self._port}", "Connection": "close"}
        import httpx

        self.fetched += 1
        try:
            async with self._http().stream("GET", url, headers=headers, extensions={"sni_hostname": host}) as resp:
                status = resp.status_code
                if 300 <= status < 400:
                    where = resp.headers.get("Location", "elsewhere")
                    return StsPolicy(
                        state="invalid",
                        host=host,
                        errors=[f"{host} answers HTTP {status}, a redirect to {where}: {_NOT_FOLLOWED}"],
                        invalid_kind="redirect",
                    )
                if status == 429 or status >= 500:
                    return StsPolicy(
                        state="unknown", host=host, failed=f"{host} answered HTTP {status}", failure_kind="http-error"
                    )
                if status != 200:
                    return StsPolicy(
                        state="invalid",
                        host=host,
                        errors=[f"{host} answers HTTP {status} for {WELL_KNOWN_PATH}: senders find no policy"],
                        invalid_kind="http-status",
                    )
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY:
                        return StsPolicy(
                            state="invalid",
                            host=host,
                            errors=[f"the policy at {host} is longer than {MAX_BODY // 1024} KiB: not a policy file"],
                            invalid_kind="too-large",
                        )
                content_type = resp.headers.get("Content-Type")
        except httpx.HTTPError as exc:
            cert = _cert_error(exc)
            if cert is not None:
                why = cert.verify_message or str(cert)
                return StsPolicy(
                    state="invalid",
                    host=host,
                    errors=[
                        f"the certificate of {host} is not valid ({why}): senders refuse the policy (RFC 8461 3.3)"
                    ],
                    invalid_kind="certificate",
                )
            kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "unreachable"
            detail = str(exc) or type(exc).__name__
            return StsPolicy(state="unknown", host=host, failed=f"{host}: {detail}", failure_kind=kind)
        text = bytes(body).decode("utf-8", errors="replace")
        policy = judge(host, text, mx_hosts, content_type=content_type)
        policy.body, policy.content_type = text, content_type
        policy.fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return policy

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
