"""One place that makes HTTP clients, so they share a TLS context and say who they are.

Building a TLS context loads the CA bundle (about 50 ms); httpx does it again for
every client unless given one, which cost `hunter prep` a quarter of a second.
"""

from __future__ import annotations

import functools

from . import __version__

USER_AGENT = f"hunter/{__version__} (company mail research; python-httpx)"


@functools.cache
def tls_context():
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def async_client(*, timeout: float = 10.0, max_connections: int = 10, headers: dict | None = None):
    import httpx

    return httpx.AsyncClient(
        timeout=timeout,
        verify=tls_context(),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
    )


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1): the suite's local stand-ins."""
    import ipaddress

    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token_base(base_url: str) -> None:
    """Raise ValueError unless a bearer token may be sent to ``base_url``.

    https anywhere; plain http only to a loopback host (a local test server),
    since a token sent in clear over the network is a token given away
    (RFC 6750 section 5.3: always use TLS).
    """
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    raise ValueError(f"{base_url!r} is not an https URL (plain http is allowed only for a loopback test server)")


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, with the default port left out; no path, query or user info."""
    from urllib.parse import urlsplit

    p = urlsplit(url)
    host = p.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = p.port
    except ValueError:
        port = None
    default = {"https": 443, "http": 80}.get(p.scheme)
    return f"{p.scheme}://{host}" + (f":{port}" if port and port != default else "")


def check_next_link(base_url: str, current_url: str, link: str) -> str:
    """The absolute URL of a paging link (``@odata.nextLink``) if the bearer token may follow it.

    The link is resolved against ``current_url`` and must have the same origin
    (scheme, host, port: RFC 6454) as ``base_url``, which itself must pass
    :func:`check_token_base`. Raises ValueError naming only the link's origin
    (its query may hold secrets).
    """
    from urllib.parse import urljoin

    check_token_base(base_url)
    absolute = urljoin(current_url, link)
    if origin(absolute) != origin(base_url):
        raise ValueError(f"the next-page link leads to {origin(absolute) or 'an unusable URL'}, not {origin(base_url)}")
    return absolute
