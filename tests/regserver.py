"""Local registry servers for the tests: an RDAP server (HTTP) and a port-43 WHOIS server.

Both listen on loopback with real sockets, so :func:`hunter_cli.registration.lookup.lookup`
is exercised exactly as against a registry; nothing in Hunter is mocked.

Use::

    from regserver import RdapServer, WhoisServer, rdap_domain, trabis_whois

    with RdapServer({"acme.com": rdap_domain("acme.com")}) as rdap, \\
         WhoisServer({"firma.com.tr": trabis_whois("firma.com.tr")}) as whois:
        rdap.faults["down.com"] = "500"              # or ("429", 30), ("slow", 2.0), "close"
        whois.faults["slow.com.tr"] = ("slow", 2.0)  # or "slow" (5 s), "close"
        ...  # lookup(..., rdap_url=rdap.base_url, whois_host=whois.host_port)
        assert rdap.count("acme.com") == 1 and whois.count() == 0

RdapServer: ``domains`` maps a lower-case name to the RDAP domain object served at
``GET /domain/<name>`` (``application/rdap+json``); unknown names get a 404 with an RDAP
error object, as registries answer. ``files`` maps any other path to
``(content_type, body bytes)`` (the bootstrap file for ``refresh_bootstrap``).
``requests`` logs ``(path, headers)`` per request.

WhoisServer: reads one query line, answers ``records[domain]`` (str, sent as UTF-8, or
bytes, sent as is) and closes, like a registry's port-43 service. The domain is the last
word of the query line (so "-T dn,ace x.de" finds "x.de"); unknown names get TRABIS's
"No match found for <domain>". ``queries`` logs the raw query lines.

Faults are keyed by lower-case domain and checked before answering:
``"500"``; ``("429", retry_after_seconds)``; ``("429" or "503", retry_after or None, times)``
(that answer ``times`` times, then normal); ``("slow", seconds)`` (delay, then answer);
``"slow"`` (WHOIS: 5 s); ``"close"`` (close the connection without an answer).
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

_MONTH_ABBR = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

TRABIS_NO_MATCH = "No match found for {domain}\n"


# --------------------------------------------------------------------------- RDAP


class _ThreadingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class _RdapHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeRDAP/1.0"
    owner: RdapServer  # set on the per-server subclass

    def log_message(self, format, *args):  # noqa: A002 - keep the test output clean
        pass

    def handle(self):
        try:
            super().handle()
        except (TimeoutError, ConnectionError, BrokenPipeError, OSError):
            pass

    def _send(self, code: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, code: int, obj: dict, extra: dict | None = None) -> None:
        self._send(code, json.dumps(obj).encode("utf-8"), "application/rdap+json", extra)

    def do_GET(self):  # noqa: N802 - http.server's naming
        owner = self.owner
        path = urlsplit(self.path).path
        with owner._lock:
            owner.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        if path in owner.files:
            content_type, body = owner.files[path]
            self._send(200, body, content_type)
            return
        if not path.startswith("/domain/"):
            self._send_json(400, rdap_error(400, "Bad Request", f"unsupported path {path}"))
            return
        name = unquote(path[len("/domain/") :]).strip().rstrip(".").lower()
        fault = owner.faults.get(name)
        if isinstance(fault, tuple) and fault and fault[0] in ("429", "503") and len(fault) > 2:
            status, retry, times = fault
            if times <= 0:
                fault = None
            else:
                owner.faults[name] = (status, retry, times - 1)
                headers = {"Retry-After": str(retry)} if retry is not None else {}
                self._send_json(int(status), rdap_error(int(status), "Try Again", "Try again later."), headers)
                return
        if fault == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "500":
            self._send_json(500, rdap_error(500, "Internal Server Error", "The server encountered an error."))
            return
        if isinstance(fault, tuple) and fault and fault[0] == "429":
            retry = str(fault[1]) if len(fault) > 1 else "60"
            self._send_json(
                429, rdap_error(429, "Too Many Requests", "Query rate limit exceeded."), {"Retry-After": retry}
            )
            return
        if isinstance(fault, tuple) and fault and fault[0] == "slow":
            time.sleep(float(fault[1]))
        obj = owner.domains.get(name)
        if obj is None:
            self._send_json(404, rdap_error(404, "Not Found", f"The domain {name} was not found."))
            return
        self._send_json(200, obj)


class RdapServer:
    """A threaded HTTP/1.1 RDAP server on loopback. See the module docstring."""

    def __init__(self, domains: dict[str, dict] | None = None, host: str = "127.0.0.1", port: int = 0):
        self.domains: dict[str, dict] = {k.lower(): v for k, v in (domains or {}).items()}
        self.faults: dict[str, object] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.host = host
        self._requested_port = port
        self.port = 0
        self._lock = threading.Lock()
        self._httpd: _ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def count(self, domain: str | None = None) -> int:
        with self._lock:
            if domain is None:
                return len(self.requests)
            want = f"/domain/{domain.lower()}"
            return sum(1 for path, _ in self.requests if unquote(path).lower() == want)

    def reset_log(self) -> None:
        with self._lock:
            del self.requests[:]

    def clear_faults(self) -> None:
        self.faults.clear()

    def start(self) -> RdapServer:
        if self._httpd is not None:
            return self
        handler = type("Handler", (_RdapHandler,), {"owner": self})
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_cls = type("Server", (_ThreadingHTTPServer,), {"address_family": family})
        self._httpd = server_cls((self.host, self._requested_port), handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"RdapServer-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._httpd = None

    def __enter__(self) -> RdapServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- WHOIS


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class _WhoisHandler(socketserver.BaseRequestHandler):
    owner: WhoisServer

    def handle(self):
        owner = self.owner
        sock: socket.socket = self.request
        sock.settimeout(5)
        data = b""
        try:
            while b"\n" not in data and len(data) < 4096:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                data += chunk
        except OSError:
            return
        query = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        words = query.split()
        domain = words[-1].rstrip(".").lower() if words else ""
        with owner._lock:
            owner.queries.append(query)
        fault = owner.faults.get(domain)
        if fault == "close":
            return  # socketserver closes the connection: EOF without an answer
        if fault == "slow" or (isinstance(fault, tuple) and fault and fault[0] == "slow"):
            delay = float(fault[1]) if isinstance(fault, tuple) and len(fault) > 1 else 5.0
            time.sleep(delay)
        answer = owner.records.get(domain)
        if answer is None:
            answer = owner.not_found.format(domain=domain)
        body = answer if isinstance(answer, bytes) else answer.encode("utf-8")
        try:
            sock.sendall(body)
        except OSError:
            pass


class WhoisServer:
    """A threaded port-43 style WHOIS server on loopback. See the module docstring."""

    def __init__(
        self,
        records: dict[str, str | bytes] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        not_found: str = TRABIS_NO_MATCH,
    ):
        self.records: dict[str, str | bytes] = {k.lower(): v for k, v in (records or {}).items()}
        self.faults: dict[str, object] = {}
        self.queries: list[str] = []
        self.not_found = not_found
        self.host = host
        self._requested_port = port
        self.port = 0
        self._lock = threading.Lock()
        self._server: _ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def host_port(self) -> str:
        """``host:port`` as HUNTER_WHOIS_HOST takes it."""
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"

    def count(self, domain: str | None = None) -> int:
        with self._lock:
            if domain is None:
                return len(self.queries)
            d = domain.lower()
            return sum(1 for q in self.queries if q.split() and q.split()[-1].lower() == d)

    def reset_log(self) -> None:
        with self._lock:
            del self.queries[:]

    def clear_faults(self) -> None:
        self.faults.clear()

    def start(self) -> WhoisServer:
        if self._server is not None:
            return self
        handler = type("Handler", (_WhoisHandler,), {"owner": self})
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_cls = type("Server", (_ThreadingTCPServer,), {"address_family": family})
        self._server = server_cls((self.host, self._requested_port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"WhoisServer-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._server = None

    def __enter__(self) -> WhoisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- realistic data


def rdap_error(code: int, title: str, description: str) -> dict:
    """An RFC 9083 error response body."""
    return {
        "rdapConformance": ["rdap_level_0"],
        "errorCode": code,
        "title": title,
        "description": [description],
    }


def _rdap_time(value: str) -> str:
    """ "2001-09-11" -> "2001-09-11T04:00:00Z" (Verisign's time of day); timestamps unchanged."""
    return value if "T" in value else f"{value}T04:00:00Z"


def rdap_domain(
    name: str,
    *,
    registrar: str = "MarkMonitor Inc.",
    iana_id: str = "292",
    created: str = "1997-09-15",
    expires: str = "2028-09-14",
    updated: str = "2019-09-09T15:39:04Z",
    nameservers: tuple[str, ...] | list[str] = ("ns1.google.com", "ns2.google.com"),
    base: str = "https://rdap.verisign.com/com/v1/",
    signed: bool = False,
) -> dict:
    """A domain object shaped like Verisign's RDAP answer for a .com name."""
    upper = name.upper()
    return {
        "objectClassName": "domain",
        "handle": f"{zlib.crc32(name.encode())}_DOMAIN_COM-VRSN",
        "ldhName": upper,
        "links": [
            {
                "value": f"{base}domain/{upper}",
                "rel": "self",
                "href": f"{base}domain/{upper}",
                "type": "application/rdap+json",
            },
            {
                "value": f"https://rdap.markmonitor.com/rdap/domain/{upper}",
                "rel": "related",
                "href": f"https://rdap.markmonitor.com/rdap/domain/{upper}",
                "type": "application/rdap+json",
            },
        ],
        "status": [
            "client delete prohibited",
            "client transfer prohibited",
            "client update prohibited",
        ],
        "entities": [
            {
                "objectClassName": "entity",
                "handle": iana_id,
                "roles": ["registrar"],
                "publicIds": [{"type": "IANA Registrar ID", "identifier": iana_id}],
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]]],
                "entities": [
                    {
                        "objectClassName": "entity",
                        "roles": ["abuse"],
                        "vcardArray": [
                            "vcard",
                            [
                                ["version", {}, "text", "4.0"],
                                ["fn", {}, "text", ""],
                                ["tel", {"type": "voice"}, "uri", "tel:+1.2086851750"],
                                ["email", {}, "text", "abusecomplaints@markmonitor.com"],
                            ],
                        ],
                    }
                ],
            }
        ],
        "events": [
            {"eventAction": "registration", "eventDate": _rdap_time(created)},
            {"eventAction": "expiration", "eventDate": _rdap_time(expires)},
            {"eventAction": "last changed", "eventDate": updated},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-11-27T10:15:42Z"},
        ],
        "secureDNS": {"delegationSigned": signed},
        "nameservers": [{"objectClassName": "nameserver", "ldhName": ns.upper()} for ns in nameservers],
        "rdapConformance": [
            "rdap_level_0",
            "icann_rdap_technical_implementation_guide_1",
            "icann_rdap_response_profile_1",
        ],
        "notices": [
            {
                "title": "Terms of Service",
                "description": ["Service subject to Terms of Use."],
                "links": [
                    {
                        "href": "https://www.verisign.com/domain-names/registration-data-access-protocol/terms-service/index.xhtml",
                        "type": "text/html",
                    }
                ],
            },
            {
                "title": "Status Codes",
                "description": ["For more information on domain status codes, please visit https://icann.org/epp"],
                "links": [{"href": "https://icann.org/epp", "type": "text/html"}],
            },
            {
                "title": "RDDS Inaccuracy Complaint Form",
                "description": ["URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf"],
                "links": [{"href": "https://icann.org/wicf", "type": "text/html"}],
            },
        ],
    }


def _trabis_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{y}-{_MONTH_ABBR[int(m) - 1]}-{d}"


def trabis_whois(
    name: str,
    *,
    registrar: str = "ODTÜ GELİŞTİRME VAKFI BİLGİ TEKNOLOJİLERİ SAN. VE TİC. A.Ş.",
    registrar_handle: str = "ogv40",
    registrant: str = "Firma Bilişim Anonim Şirketi",
    created: str = "2001-09-11",
    expires: str = "2026-09-10",
    nameservers: tuple[str, ...] | list[str] = ("ns1.firma.com.tr", "ns2.firma.com.tr"),
    updated: str = "2026-11-27T13:15:42+03:00",
) -> str:
    """A whois.trabis.gov.tr answer (layout of its 2025 output) for ``name``."""
    ns = "\n".join(nameservers)
    return (
        f"** Domain Name: {name}\n"
        "Domain Status: Active\n"
        "Frozen Status: -\n"
        "Transfer Status: The domain is LOCKED to transfer. \n"
        "\n"
        "** Registrant:\n"
        f"   {registrant}\n"
        "   Hidden upon user request\n"
        "   Hidden upon user request\n"
        "   Hidden upon user request\n"
        "   Hidden upon user request\n"
        "\n"
        "\n"
        "** Registrar:\n"
        f"NIC Handle\t\t: {registrar_handle}\n"
        f"Organization Name\t: {registrar}\n"
        "Address\t\t\t: Mustafa Kemal Mahallesi Dumlupınar Bulvarı\n"
        "\t  No:280G/1104 Çankaya\n"
        "\t  06800 Ankara Türkiye\n"
        "Phone\t\t\t: 90-312-9881106-\n"
        "Fax\t\t\t: - \n"
        "\n"
        "\n"
        "** Domain Servers:\n"
        f"{ns}\n"
        "\n"
        "\n"
        "** Additional Info:\n"
        f"Created on..............: {_trabis_date(created)}.\n"
        f"Expires on..............: {_trabis_date(expires)}.\n"
        "\n"
        "\n"
        "** Whois Server:\n"
        f"Last Update Time: {updated}\n"
    )
