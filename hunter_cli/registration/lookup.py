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

from datetime import datetime, timezone
from urllib.parse import quote

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


async def _rdap(domain: str, base: str, http: httpx.AsyncClient, timeout: float) -> Registration:
    if not base.endswith("/"):
        base += "/"
    url = f"{base}domain/{quote(domain, safe='.-')}"

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


async def _whois(domain: str, tld: str, server: str, host: str, port: int, timeout: float) -> Registration:
    # The query line is the registry's format even when a test override changes the host.
    text = await query_whois(domain, host, port, timeout, query=whois_query(domain, server))
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
) -> Registration:
    """Registration data for ``domain`` (an A-label registrable domain such as ``acme.com.tr``).

    Returns ``status="ok"`` with whatever the registry published, or
    ``status="unavailable"`` with a ``note`` (not registered, no service for the TLD,
    nothing parsable). Raises :class:`RegistrationFailure` when no answer was had
    (timeout, connection error, HTTP 429/5xx, WHOIS quota): the caller retries later.
    """
    name = domain.strip().rstrip(".").lower()
    tld = name.rsplit(".", 1)[-1]
    boot = bootstrap if bootstrap is not None else load_bootstrap()

    base = boot.base_url(name)
    if base is not None:
        reg = await _rdap(name, rdap_url or base, http, timeout)
    else:
        server = whois_server(tld)
        if server is None:
            reg = Registration(status="unavailable", note=f"no RDAP or WHOIS service known for .{tld}")
        else:
            host, port = split_host_port(whois_host) if whois_host else (server, WHOIS_PORT)
            reg = await _whois(name, tld, server, host, port, timeout)
    reg.fetched_at = _now()
    return reg


__all__ = ["lookup", "split_host_port"]
