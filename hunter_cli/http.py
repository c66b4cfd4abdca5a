"""One place that makes HTTP clients, so they share a TLS context and say who they are.

The TLS context trusts the operating system's certificate store, so a root that
IT installed there (a corporate TLS-inspection proxy's, say) is trusted by every
client Hunter has: httpx (Partner Center, Dataverse, RDAP, MSAL's sign-in calls,
data downloads) and aiohttp (tenant lookups). See :func:`tls_context`.

Building a TLS context loads the CA bundle (about 50 ms); httpx does it again for
every client unless given one, which cost `hunter prep` a quarter of a second.
Nothing here is imported by ``hunter --help``: the TLS libraries load only in the
commands that make HTTP requests.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    import ssl

USER_AGENT = f"hunter/{__version__} (company mail research; python-httpx)"

# Where Linux and BSD distributions keep their CA bundle, for a Python whose OpenSSL
# was built with other default paths (the list truststore uses, after certifi-system-store).
CA_BUNDLE_CANDIDATES = (
    "/etc/ssl/cert.pem",  # Alpine, Arch, Fedora, RHEL 9+, BSD
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # Fedora, RHEL
    "/etc/pki/tls/cert.pem",  # older Fedora, RHEL, CentOS
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu (ca-certificates)
    "/etc/ssl/ca-bundle.pem",  # SUSE
)


def _openssl_store() -> ssl.SSLContext | None:
    """A context over OpenSSL's system store (``SSL_CERT_FILE``/``SSL_CERT_DIR`` or the
    distribution's bundle), or None when this machine has none."""
    import ssl

    paths = ssl.get_default_verify_paths()  # reads SSL_CERT_FILE and SSL_CERT_DIR; None where missing
    has_dir = bool(paths.capath) and any(name[-2:-1] == "." for name in _listdir(paths.capath))
    if paths.cafile or has_dir:
        return ssl.create_default_context()
    for bundle in CA_BUNDLE_CANDIDATES:
        if os.path.isfile(bundle):
            return ssl.create_default_context(cafile=bundle)
    return None


def _listdir(path: str | None) -> list[str]:
    try:
        return os.listdir(path) if path else []
    except OSError:
        return []


def _platform_verifier() -> ssl.SSLContext | None:
    """truststore's context on Windows and macOS (the system verifier: CryptoAPI, Security framework)."""
    import ssl

    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception:  # ImportError, or the platform library would not load (ctypes): use certifi
        return None


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every HTTP client uses: the operating system's trust store, else certifi's.

    * Windows and macOS: ``truststore.SSLContext``, which asks the system to
      verify each certificate chain (the Windows certificate store, the macOS
      keychains), with the roots, enterprise policies and revocation IT set.
    * Linux and other Unix: the system CA store through OpenSSL (``SSL_CERT_FILE``
      and ``SSL_CERT_DIR`` when set, else the distribution's bundle, where
      ``update-ca-certificates`` or ``update-ca-trust`` put local roots). That is
      what truststore does on these systems too, but it reloads the bundle for
      every handshake (measured 34 ms against 2 ms per connection on this
      machine), so Hunter loads it once.
    * certifi's bundle (Mozilla's roots) where neither works: truststore cannot
      load, or the machine has no CA store (a bare container).

    Raises nothing; built once per process.
    """
    if sys.platform in ("win32", "darwin"):
        ctx = _platform_verifier()
    else:
        ctx = _openssl_store()
    if ctx is not None:
        return ctx
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
    from .said import Said

    raise ValueError(Said("cli.http.not_https", url=repr(base_url)))


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
        from .said import Said

        target = origin(absolute) or Said("cli.http.unusable_url")
        raise ValueError(Said("cli.http.next_link_away", target=target, base=origin(base_url)))
    return absolute
