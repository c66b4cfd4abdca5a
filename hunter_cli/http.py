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
