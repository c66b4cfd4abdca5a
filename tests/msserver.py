"""A local stand-in for Microsoft's public sign-in discovery endpoints.

It answers over real TCP sockets on loopback (HTTP/1.1, keep-alive) with
payloads shaped like the real ones served by login.microsoftonline.com, using
only the standard library.  Values (GUIDs, brands, hosts) are whatever the
test gives; field names, casing, types, order and status codes copy the real
service.

Endpoints (paths relative to ``server.base_url``)::

    GET /{domain}/v2.0/.well-known/openid-configuration
        tenant  -> 200, the v2.0 OpenID discovery document of the tenant
        none    -> 400, {"error":"invalid_tenant", ... AADSTS90002 ...}
    GET /getuserrealm.srf?login=someone@{domain}&json=1
        200 always: NameSpaceType "Managed" | "Federated" | "Unknown"
    anything else -> 404 JSON

In-process use (tests)::

    from msserver import MsLoginServer, Tenant

    with MsLoginServer({"acme.com": Tenant(id=GUID, brand="Acme")}) as srv:
        srv.faults["acme.com"] = ("429", 2, 1)          # one 429, then normal
        srv.faults[("slow.com", "realm")] = ("slow", 0.5)
        ...  # GET srv.base_url + "/acme.com/v2.0/.well-known/openid-configuration"
        assert srv.count("openid", "acme.com") == 2
        assert srv.peak_in_flight <= 8        # most requests being answered at once
        srv.arrivals                          # monotonic arrival time of each logged request

Subprocess use (benchmarks)::

    python tests/msserver.py [--tenants-file F.json] [--host 127.0.0.1]
        [--port 0] [--no-log]

prints ``READY http://host:port`` once listening and serves until
SIGTERM/SIGINT.  F.json is ``{"acme.com": {"id": "...", "brand": "Acme",
"namespace": "Federated", "auth_host": "sts.acme.com"}, ...}`` (the keys of
each entry are the fields of :class:`Tenant`).

Faults (``server.faults``) are checked per request before normal answering.
Keys: a domain (both endpoints) or ``(domain, "openid"|"realm")`` (that
endpoint only; when present it alone decides).  Domains are lower-cased.
Values::

    ("429", retry_after, times)  429 + "Retry-After: <retry_after>" + small JSON
                                 for the first `times` requests of that key
    ("503", retry_after, times)  same with 503
    ("500", times)               500 for the first `times` requests
    ("slow", seconds)            wait, then answer normally (every request)
    "reset"                      close the connection (TCP RST) without answering

Extensions: ``retry_after=None`` omits the header; ``("slow", seconds, times)``
and ``("reset", times)`` limit those to the first `times` requests; codes may
be ints (429) as well as strings.  Each key has its own counter; (re)setting
a key re-arms it.

Speed: the 200 bodies are rendered once per tenant (re-rendered only when the
tenant's fields change); the realm body is pieced together from pre-encoded
bytes around the login; the 400 body comes from a cached template.  Each
response (status line, headers, body) goes out in a single send with
TCP_NODELAY set, so a keep-alive client never waits on Nagle/delayed ACK.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import socket
import struct
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

from serve import NormDict

__all__ = ["Tenant", "MsLoginServer", "main"]

ENDPOINTS = ("openid", "realm")
IDLE_TIMEOUT = 60.0  # seconds a keep-alive connection may sit idle

_OPENID_SUFFIX = "/v2.0/.well-known/openid-configuration"
_REALM_PATH = "/getuserrealm.srf"
_JSON_CT = "application/json; charset=utf-8"
_ISSUER_URI = "urn:federation:MicrosoftOnline"

# Hosts that do not follow Tenant.cloud (values of the public cloud).
_GRAPH_HOST = "graph.windows.net"
_MSGRAPH_HOST = "graph.microsoft.com"
_RBAC_URL = "https://pas.windows.net"


@dataclass
class Tenant:
    id: str  # GUID
    brand: str
    namespace: str = "Managed"  # "Managed" | "Federated"
    region: str | None = "EU"  # tenant_region_scope (null is a real value)
    cloud: str = "microsoftonline.com"
    auth_host: str | None = None  # Federated: IdP host in AuthURL (default "sts.<domain>")

    def _sig(self) -> tuple:
        return (self.id, self.brand, self.namespace, self.region, self.cloud, self.auth_host)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _jstr(s: str) -> bytes:
    """A JSON string literal, as bytes."""
    return _dumps(s).encode("utf-8")


def openid_document(domain: str, t: Tenant) -> dict:
    """The v2.0 discovery document, field order as served by Entra ID."""
    base = f"https://login.{t.cloud}/{t.id}"
    return {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"https://{_MSGRAPH_HOST}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "at_hash",
            "c_hash",
            "email",
        ],
        "kerberos_endpoint": f"{base}/kerberos",
        "tenant_region_scope": t.region,
        "cloud_instance_name": t.cloud,
        "cloud_graph_host_name": _GRAPH_HOST,
        "msgraph_host": _MSGRAPH_HOST,
        "rbac_url": _RBAC_URL,
    }


def auth_url_parts(domain: str, t: Tenant) -> tuple[str, str]:
    """AuthURL of a federated domain split around the URL-encoded login."""
    host = t.auth_host or f"sts.{domain}"
    if host.endswith(".okta.com"):
        prefix = f"https://{host}/app/office365/exk1a2b3c4d5e6f7g8h9/sso/wsfed/passive?username="
    else:
        prefix = f"https://{host}/adfs/ls/?username="
    return prefix, "&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx="


class _Rendered:
    """Pre-encoded response pieces of one tenant."""

    __slots__ = ("sig", "openid", "realm_head", "realm_mid", "realm_tail", "federated")

    def __init__(self, domain: str, t: Tenant):
        self.sig = t._sig()
        self.openid = _dumps(openid_document(domain, t)).encode("utf-8")
        d, brand, cloud = _jstr(domain), _jstr(t.brand), _jstr(t.cloud)
        self.federated = t.namespace.lower() == "federated"
        if self.federated:
            prefix, suffix = auth_url_parts(domain, t)
            self.realm_head = b'{"State":3,"UserState":2,"Login":'
            self.realm_mid = (
                b',"NameSpaceType":"Federated","DomainName":'
                + d
                + b',"FederationGlobalVersion":-1,"AuthURL":"'
                + _jstr(prefix)[1:-1]
            )
            self.realm_tail = (
                _jstr(suffix)[1:-1]
                + b'","FederationBrandName":'
                + brand
                + b',"AuthNForwardType":1,"CloudInstanceName":'
                + cloud
                + b',"CloudInstanceIssuerUri":'
                + _jstr(_ISSUER_URI)
                + b"}"
            )
        else:
            self.realm_head = b'{"State":4,"UserState":1,"Login":'
            self.realm_mid = b""
            self.realm_tail = (
                b',"NameSpaceType":"Managed","DomainName":'
                + d
                + b',"FederationBrandName":'
                + brand
                + b',"CloudInstanceName":'
                + cloud
                + b',"CloudInstanceIssuerUri":'
                + _jstr(_ISSUER_URI)
                + b"}"
            )

    def realm(self, login: str) -> bytes:
        lj = _jstr(login)
        if self.federated:
            return self.realm_head + lj + self.realm_mid + quote(login, safe="").encode("ascii") + self.realm_tail
        return self.realm_head + lj + self.realm_tail


_UNKNOWN_HEAD = b'{"State":4,"UserState":1,"Login":'
_UNKNOWN_TAIL = b',"NameSpaceType":"Unknown"}'

# AADSTS90002 as returned by login.microsoftonline.com ("\r\n" separators are
# part of the real error_description).
_INVALID_TENANT = (
    '{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant \'%(tenant)s\' '
    "not found. Check to make sure you have the correct tenant ID and are signing into "
    "the correct cloud. Check with your subscription administrator, this may happen if "
    "there are no active subscriptions for the tenant."
    '\\r\\nTrace ID: %(trace)s\\r\\nCorrelation ID: %(corr)s\\r\\nTimestamp: %(ts)s",'
    '"error_codes":[90002],"timestamp":"%(ts)s","trace_id":"%(trace)s",'
    '"correlation_id":"%(corr)s","error_uri":"https://login.microsoftonline.com/error?code=90002"}'
)

_FAULT_BODIES = {
    429: b'{"error":"too_many_requests","error_description":"Too many requests. Retry later."}',
    503: b'{"error":"temporarily_unavailable","error_description":"The service is temporarily unavailable."}',
    500: b'{"error":"server_error","error_description":"An internal server error occurred."}',
}
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_NOT_FOUND = b'{"error":"not_found","error_description":"No such endpoint."}'


class _Clock:
    """Date header and AADSTS timestamp, recomputed at most once a second."""

    __slots__ = ("sec", "http_date", "ts")

    def __init__(self):
        self.sec = -1
        self.http_date = ""
        self.ts = ""

    def now(self) -> _Clock:
        sec = int(time.time())
        if sec != self.sec:
            self.http_date = email.utils.formatdate(sec, usegmt=True)
            self.ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(sec))
            self.sec = sec
        return self


# --------------------------------------------------------------------------
# Key-normalising dicts
# --------------------------------------------------------------------------


def _norm_domain(d) -> str:
    d = str(d).strip().lower()
    if len(d) > 1 and d.endswith("."):
        d = d[:-1]
    return d


def _norm_fault_key(key):
    if isinstance(key, tuple):
        domain, endpoint = key
        endpoint = str(endpoint).lower()
        if endpoint not in ENDPOINTS:
            raise KeyError(f"endpoint must be one of {ENDPOINTS}, not {endpoint!r}")
        return (_norm_domain(domain), endpoint)
    return _norm_domain(key)


def _parse_fault(value):
    """-> (kind, times or None, arg): kind in 429/503/500/"slow"/"reset".

    Raises ValueError for anything else."""
    try:
        return _parse_fault_inner(value)
    except (IndexError, TypeError, ValueError) as e:
        raise ValueError(f"bad fault {value!r}: {e}") from None


def _parse_fault_inner(value):
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not value:
        raise ValueError(f"bad fault {value!r}")
    kind = str(value[0]).lower()
    if kind in ("429", "503"):
        _, retry_after, times = value
        return int(kind), int(times), retry_after
    if kind == "500":
        _, times = value
        return 500, int(times), None
    if kind == "slow":
        seconds = float(value[1])
        times = int(value[2]) if len(value) > 2 else None
        return "slow", times, seconds
    if kind == "reset":
        times = int(value[1]) if len(value) > 1 else None
        return "reset", times, None
    raise ValueError(f"bad fault {value!r}")


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    owner: MsLoginServer

    def process_request(self, request, client_address):
        owner = self.owner
        with owner._lock:
            owner.connections += 1
            owner._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.owner._lock:
            self.owner._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        pass  # client went away mid-request, reset fault, ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    owner: MsLoginServer  # set on a per-server subclass

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - silence stderr
        pass

    def _send(self, status: int, body: bytes, extra: tuple = (), cache: str = "no-store, no-cache") -> None:
        clock = self.owner._clock.now()
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            f"Cache-Control: {cache}\r\n"
            f"Content-Type: {_JSON_CT}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            f"x-ms-request-id: {uuid.uuid4()}\r\n"
            f"Date: {clock.http_date}\r\n"
        )
        for name, value in extra:
            head += f"{name}: {value}\r\n"
        if self.close_connection:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode("latin-1") + b"\r\n" + body)

    def _reset(self) -> None:
        """Close the TCP connection with an RST and send nothing."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.rfile.close()
            sock.close()
        except OSError:
            pass

    def do_GET(self):  # noqa: N802
        owner = self.owner
        raw = self.path
        path, _, query = raw.partition("?")
        if path.startswith(("http://", "https://")):  # absolute-form request target
            path = urlsplit(path).path or "/"
        endpoint = domain = None
        login = ""
        if path.endswith(_OPENID_SUFFIX) and path.startswith("/"):
            seg = path[1 : -len(_OPENID_SUFFIX)]
            if seg and "/" not in seg:
                endpoint, seg = "openid", unquote(seg)
                domain = seg
        elif path.lower() == _REALM_PATH:
            endpoint = "realm"
            for part in query.split("&"):
                k, _, v = part.partition("=")
                if k.lower() == "login":
                    login = unquote(v.replace("+", " "))
                    break
            domain = login.rpartition("@")[2]

        if owner.log_enabled:
            ua = self.headers.get("User-Agent", "")
            with owner._lock:
                owner.user_agents.append(ua)
                if endpoint is not None:
                    owner.requests.append((endpoint, _norm_domain(domain)))
                    owner.arrivals.append(time.monotonic())
        with owner._lock:
            owner.in_flight += 1
            owner.peak_in_flight = max(owner.peak_in_flight, owner.in_flight)
        try:
            self._answer(owner, endpoint, domain, login)
        finally:
            with owner._lock:
                owner.in_flight -= 1

    def _answer(self, owner, endpoint, domain, login) -> None:

        if endpoint is None:
            self._send(404, _NOT_FOUND)
            return

        key_domain = _norm_domain(domain)
        if owner._faults:
            fault = owner._take_fault(key_domain, endpoint)
            if fault is not None:
                kind, arg = fault
                if kind == "reset":
                    self._reset()
                    return
                if kind == "slow":
                    if owner._stop_event.wait(arg):
                        self._reset()
                        return
                else:
                    extra = ()
                    if kind != 500 and arg is not None:
                        ra = arg
                        if isinstance(ra, float) and ra.is_integer():
                            ra = int(ra)
                        extra = (("Retry-After", ra),)
                    self._send(kind, _FAULT_BODIES[kind], extra)
                    return

        rendered = owner._rendered(key_domain)
        if endpoint == "openid":
            if rendered is not None:
                self._send(200, rendered.openid, cache="max-age=86400, private")
            else:
                self._send(400, owner._invalid_tenant(domain))
        else:
            if rendered is not None:
                body = rendered.realm(login)
            else:
                body = _UNKNOWN_HEAD + _jstr(login) + _UNKNOWN_TAIL
            self._send(200, body)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


class MsLoginServer:
    """HTTP/1.1 server on loopback imitating the Entra ID discovery endpoints."""

    def __init__(
        self,
        tenants: dict[str, Tenant] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: bool = True,
    ):
        self.host = host
        self.port = port
        self.log_enabled = log
        self.requests: list[tuple[str, str]] = []
        self.arrivals: list[float] = []  # time.monotonic() of each logged request, in order
        self.user_agents: list[str] = []
        self.connections = 0
        self.in_flight = 0  # requests being answered now (a "slow" fault holds one in flight)
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._fault_hits: dict = {}
        self._faults = NormDict(_norm_fault_key, on_set=self._rearm_fault, check=_parse_fault)
        self._tenants = NormDict(_norm_domain, tenants)
        self._cache: dict[str, _Rendered] = {}
        self._clock = _Clock()
        self._conns: set = set()
        self._stop_event = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # ---- data -------------------------------------------------------------

    @property
    def tenants(self) -> dict[str, Tenant]:
        return self._tenants

    @tenants.setter
    def tenants(self, value) -> None:
        self._tenants = NormDict(_norm_domain, value)

    def _rendered(self, domain: str) -> _Rendered | None:
        t = self._tenants.get(domain)
        if t is None:
            return None
        r = self._cache.get(domain)
        if r is None or r.sig != t._sig():
            r = self._cache[domain] = _Rendered(domain, t)
        return r

    def _invalid_tenant(self, tenant: str) -> bytes:
        clock = self._clock.now()
        return (
            _INVALID_TENANT
            % {
                "tenant": _dumps(tenant)[1:-1],
                "trace": uuid.uuid4(),
                "corr": uuid.uuid4(),
                "ts": clock.ts,
            }
        ).encode("utf-8")

    # ---- faults -----------------------------------------------------------

    @property
    def faults(self) -> dict:
        return self._faults

    @faults.setter
    def faults(self, value) -> None:
        with self._lock:
            self._fault_hits.clear()
        self._faults = NormDict(_norm_fault_key, value, on_set=self._rearm_fault, check=_parse_fault)

    def _rearm_fault(self, key) -> None:
        with self._lock:
            self._fault_hits.pop(key, None)

    def clear_faults(self) -> None:
        self._faults.clear()
        with self._lock:
            self._fault_hits.clear()

    def _take_fault(self, domain: str, endpoint: str):
        """The fault to apply to this request as (kind, arg), or None."""
        faults = self._faults
        key = (domain, endpoint)
        value = dict.get(faults, key)
        if value is None:
            key = domain
            value = dict.get(faults, domain)
            if value is None:
                return None
        kind, times, arg = _parse_fault(value)
        if times is not None:
            with self._lock:
                n = self._fault_hits.get(key, 0)
                if n >= times:
                    return None
                self._fault_hits[key] = n + 1
        return kind, arg

    # ---- request log ------------------------------------------------------

    def count(self, endpoint: str | None = None, domain: str | None = None) -> int:
        if domain is not None:
            domain = _norm_domain(domain)
        with self._lock:
            log = list(self.requests)
        return sum(1 for ep, d in log if (endpoint is None or ep == endpoint) and (domain is None or d == domain))

    def reset_log(self) -> None:
        """Forget logged requests, arrival times and user agents; set `connections` to 0 and the peak to now."""
        with self._lock:
            del self.requests[:]
            del self.arrivals[:]
            del self.user_agents[:]
            self.connections = 0
            self.peak_in_flight = self.in_flight

    # ---- lifecycle ---------------------------------------------------------

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __enter__(self) -> MsLoginServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> MsLoginServer:
        if self._httpd is not None:
            return self
        handler = type("MsLoginHandler", (_Handler,), {"owner": self})
        server_cls = _HTTPServer
        if ":" in self.host:
            server_cls = type("_HTTPServer6", (_HTTPServer,), {"address_family": socket.AF_INET6})
        httpd = server_cls((self.host, self.port), handler)
        httpd.owner = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"MsLoginServer-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None or self._stopped:
            return
        self._stopped = True
        self._stop_event.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:  # wake threads blocked on idle keep-alive connections
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2.0)


# --------------------------------------------------------------------------
# Subprocess mode
# --------------------------------------------------------------------------


def load_tenants(path: str) -> dict[str, Tenant]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {domain: Tenant(**fields) for domain, fields in data.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Local Microsoft sign-in discovery test server")
    ap.add_argument(
        "--tenants-file",
        action="append",
        default=[],
        metavar="F",
        help='JSON {"domain": {"id": ..., "brand": ..., ...}}; repeatable',
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-log", action="store_true", help="do not keep a request log")
    args = ap.parse_args(argv)

    tenants: dict[str, Tenant] = {}
    for path in args.tenants_file:
        tenants.update(load_tenants(path))
    server = MsLoginServer(tenants, host=args.host, port=args.port, log=not args.no_log)
    from serve import serve_until_signalled

    return serve_until_signalled(server, lambda: server.base_url)


if __name__ == "__main__":
    sys.exit(main())
