"""A local stand-in for the Partner Center Referrals API (``GET /v1.0/engagements/referrals``).

Real TCP sockets on loopback, HTTP/1.1 with keep-alive, standard library only.
Field names, casing and the collection shape copy Microsoft's documentation of
the Referrals API (learn.microsoft.com/partner-center/developer/get-a-list-of-referrals,
.../referral-resources, .../headers, .../error-codes); values are whatever the
test puts in ``server.referrals`` (``load_referrals()`` gives the invented set
in ``tests/data/referrals``).

Use::

    from pcserver import PartnerCenterServer, load_referrals

    with PartnerCenterServer(load_referrals(), page_size=5) as pc:
        pc.valid_tokens.add("at-1")
        pc.faults.append({"status": 429, "retry_after": 1, "times": 1})
        ...  # GET pc.base_url + "/v1.0/engagements/referrals", Authorization: Bearer at-1
        assert pc.requests[-1]["query"]["$filter"] == "updatedDateTime gt 2026-10-01T00:00:00Z"

Endpoints (relative to ``base_url``, which is the API base *without* /v1.0)::

    GET /v1.0/engagements/referrals        collection, OData $filter/$orderby/$top/$skiptoken/$count
    GET /v1.0/engagements/referrals/{id}   one referral, or 404 itemNotFound
    anything else                          404 (or 405 for another method) with a JSON error body

Collection page::

    {"@odata.context": "<base>/v1.0/$metadata#Referrals", "@odata.count": <matches>,
     "value": [...], "@odata.nextLink": "<base>/v1.0/engagements/referrals?$skiptoken=..."}

``@odata.nextLink`` is absent on the last page. The skiptoken carries the
query (filter, order, page size) and the offset, as the real link carries only
``$skiptoken``. Every page is computed afresh from ``server.referrals``, so
items added or changed between two syncs (or between two pages) show up.

Query options:

* ``$filter``: clauses joined by ``and``; each is ``<field> <op> <literal>`` with
  op one of eq ne gt ge lt le; a field may be a path (``customerProfile/address/country``).
  Fields ending in ``DateTime`` compare as datetimes (literal bare or quoted,
  any ISO 8601 form, ``Z`` or offset, up to 7 fraction digits); quoted strings
  compare case-insensitively. Anything else -> 400 invalidRequest.
* ``$orderby``: ``<field> [asc|desc]`` (comma-separated keys allowed); items
  missing the field sort last. Without it, list order.
* ``$top``: page size, as Hunter uses it (default ``page_size``; capped at
  ``max_page_size`` = 100, the documented page maximum). NB: in OData ``$top``
  limits the total; this fake follows the brief and treats it as a page size.
* ``$count=true`` is accepted; ``@odata.count`` is always sent, as in the docs' example.

Authentication: ``Authorization: Bearer <token>`` with the token in
``server.valid_tokens``; otherwise 401 with ``WWW-Authenticate: Bearer`` and
``{"error": {"code": "unauthenticated", ...}}``.

Faults (``server.faults``): a list checked in order *before* authentication;
the first entry that applies fires (and counts one of its ``times``)::

    {"status": 429, "retry_after": 1, "times": 1}   429 + Retry-After: 1
    {"status": 503, "retry_after": 1, "times": 2}
    {"status": 401, "times": 1}     401 even with a valid token (forces one token refresh)
    {"status": 500, "times": 1}
    {"delay": 2.0, "times": 1}      wait, then answer normally (or with "status" if given)
    {"drop": True, "times": 1}      close the connection without answering
    {"status": 200, "body": "not json", "times": 1}   a raw body instead of the JSON
    {"status": 500, "echo": "json"}  an error whose message repeats the request headers (Authorization first)
    {"status": 502, "echo": "text"}  a plain-text body that dumps the request headers (a proxy's debug page)

``times`` is an int (default 1) or ``"always"``; ``at`` (1-based call number,
counted over every request since start or ``reset()``) delays an entry until
that call. Each entry gets a ``"fired"`` counter so tests can check it.

Request log (``server.requests``): one dict per request, in arrival order::

    {"call": 1, "method": "GET", "path": "/v1.0/engagements/referrals",
     "query": {"$filter": "...", ...},      # decoded, last value wins
     "headers": {"authorization": "...", "client-request-id": "...", ...},   # lower-case keys
     "status": 200, "peer": ("127.0.0.1", 54321)}   # peer: the client socket (keep-alive check)

``server.next_link_base`` (default None): when set, ``@odata.nextLink`` points
at that base URL instead of this server's (a link to another origin).

Response headers copy the documented ones: ``request-id`` (fresh GUID),
``client-request-id`` (echoed when sent), ``Content-Type: application/json; charset=utf-8``.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import struct
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = [
    "PartnerCenterServer",
    "load_referrals",
    "DATA_DIR",
    "EXPECTED_DOMAINS",
    "MALFORMED_FILES",
    "parse_datetime",
    "odata_datetime",
    "COLLECTION_PATH",
]

COLLECTION_PATH = "/v1.0/engagements/referrals"
DATA_DIR = Path(__file__).resolve().parent / "data" / "referrals"

# What a correct sync makes of tests/data/referrals: referral id -> the customer's company
# domain (None = unlinked: no usable domain anywhere). Microsoft (@microsoft.com) and partner
# team members never count; free mail (gmail.com, hotmail.com) never counts.
EXPECTED_DOMAINS: dict[str, str | None] = {
    "75a1f384-e6bc-416f-a9d8-343e5901b2f5": "firma.com.tr",  # 01 co-sell Shared, contact ayse.kaya@firma.com.tr
    "b1d039c4-0cd1-454b-a583-ea5777ba0620": "gmailer.de",  # 02 Independent, partner-sourced (Outgoing)
    "8e3cd94a-ead2-44b4-ae5b-57f7d165b381": "m365-zayif.com.tr",  # 03 MarketplaceLead
    "aac9627e-be8b-41c3-9f17-3775daab060e": "google-tenant.com.tr",  # 04 gmail/hotmail contacts; customerProfile.website
    "622f9bd7-84f2-42e8-81ef-691049758310": None,  # 05 free mail only, no website -> unlinked
    "fdb1d242-4f3e-4150-b24a-2ad522f7fe3f": "yeni-firma.com.tr",  # 06 Closed/Lost
    "0d5627bb-d1e1-43fd-a846-11cd4c070e6a": "firma.com.tr",  # 07 Closed/Won, e-mail in upper case
    "31c112c8-8477-401c-ba41-0c6d4af4cc8e": "m365-zayif.com.tr",  # 08 first contact gmail.com, second the company
    "d8aacb0c-f3e0-4382-a4bf-c7dd7de3ff97": "yeni-firma.com.tr",  # 09 Active, Outgoing co-sell
    "99edb4b3-a149-4946-977f-1130725a5447": "gmailer.de",  # 10 Closed/Expired
    "f9b3b8fb-8862-4992-8fe5-2d01e6acae21": "google-tenant.com.tr",  # 11 Closed/Declined
    "7b59ac2e-5aa4-4ad6-a48b-c33b6e3fac11": "firma.com.tr",  # 12 newest; invited by another partner
}
# Items a robust sync must skip and report (file name -> what is wrong).
MALFORMED_FILES: dict[str, str] = {
    "13-malformed-no-id.json": "no id",
    "14-malformed-customerprofile-string.json": "customerProfile is a string, not an object",
}


def load_referrals(valid_only: bool = False, directory: Path = DATA_DIR) -> list[dict]:
    """The referral items in ``tests/data/referrals``, in file-name order (fresh copies each call)."""
    items = []
    for path in sorted(directory.glob("*.json")):
        if valid_only and path.name in MALFORMED_FILES:
            continue
        items.append(json.loads(path.read_text("utf-8")))
    return items


# ---------------------------------------------------------------------------------------
# Date-times as the API writes them: "2018-10-30T21:03:42.4579542Z" (7 fraction digits)
# ---------------------------------------------------------------------------------------
_DT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def parse_datetime(value) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string (naive = UTC), or None if it is not one."""
    if not isinstance(value, str):
        return None
    m = _DT.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        dt = datetime(
            int(y),
            int(mo),
            int(d),
            int(h or 0),
            int(mi or 0),
            int(s or 0),
            int((frac or "0")[:6].ljust(6, "0")),
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    if tz and tz.upper() != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        dt -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt


def odata_datetime(dt: datetime) -> str:
    """The API's own spelling: UTC, 7 fraction digits, ``Z``."""
    dt = dt.astimezone(timezone.utc) if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0Z"


# ---------------------------------------------------------------------------------------
# OData subset
# ---------------------------------------------------------------------------------------
class ODataError(ValueError):
    pass


_CLAUSE = re.compile(r"^\s*([A-Za-z_][\w/]*)\s+(eq|ne|gt|ge|lt|le)\s+(.+?)\s*$", re.IGNORECASE)
_OPS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def _split_and(text: str) -> list[str]:
    """Split on `` and `` outside quotes."""
    parts, buf, quoted, i = [], [], False, 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        if not quoted and text[i : i + 5].lower() == " and ":
            parts.append("".join(buf))
            buf = []
            i += 5
            continue
        buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return [p for p in (p.strip() for p in parts)]


def _get_path(item, path: str):
    cur = item
    for key in path.split("/"):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def _literal(text: str):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        pass
    if parse_datetime(text) is not None:
        return text
    raise ODataError(f"cannot read the literal {text!r}")


def compile_filter(text: str | None):
    """A predicate over items for an OData ``$filter`` of ``and``-ed comparisons."""
    if not text or not text.strip():
        return lambda item: True
    clauses = []
    for part in _split_and(text):
        m = _CLAUSE.match(part)
        if not m:
            raise ODataError(f"unsupported $filter clause {part!r}")
        field, op, raw = m.group(1), m.group(2).lower(), m.group(3)
        value = _literal(raw)
        if field.lower().endswith("datetime"):
            when = parse_datetime(value) if isinstance(value, str) else None
            if when is None and value is not None:
                raise ODataError(f"{raw!r} is not a date-time")
            clauses.append((field, op, when, True))
        else:
            clauses.append((field, op, value, False))

    def predicate(item) -> bool:
        if not isinstance(item, dict):
            return False
        for field, op, value, is_dt in clauses:
            have = _get_path(item, field)
            if is_dt:
                have = parse_datetime(have)  # a missing or unreadable date-time is null
            elif isinstance(value, str) and isinstance(have, str):
                have, value = have.lower(), value.lower()
            if have is None or value is None:  # null compares only with eq/ne
                if op == "eq" and not (have is None and value is None):
                    return False
                if op == "ne" and have is None and value is None:
                    return False
                if op not in ("eq", "ne"):
                    return False
                continue
            try:
                if not _OPS[op](have, value):
                    return False
            except TypeError:
                return False
        return True

    return predicate


def order_items(items: list, orderby: str | None) -> list:
    if not orderby or not orderby.strip():
        return list(items)
    keys = []
    for part in orderby.split(","):
        bits = part.split()
        if not bits or len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise ODataError(f"unsupported $orderby {orderby!r}")
        keys.append((bits[0], len(bits) == 2 and bits[1].lower() == "desc"))
    out = list(items)
    for field, desc in reversed(keys):  # stable sorts, last key first

        def sort_key(item, field=field):
            v = _get_path(item, field) if isinstance(item, dict) else None
            if field.lower().endswith("datetime"):
                v = parse_datetime(v)
            return v

        present = [i for i in out if sort_key(i) is not None]
        missing = [i for i in out if sort_key(i) is None]
        try:
            present.sort(key=lambda i: (lambda v: v.lower() if isinstance(v, str) else v)(sort_key(i)), reverse=desc)
        except TypeError:
            raise ODataError(f"cannot order by {field!r}") from None
        out = present + missing
    return out


def _encode_token(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_token(token: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        state = json.loads(raw)
    except (ValueError, TypeError):
        raise ODataError("the $skiptoken is not valid") from None
    if not isinstance(state, dict) or not isinstance(state.get("skip"), int):
        raise ODataError("the $skiptoken is not valid")
    return state


def _error(code: str, message: str, target: str = "referral", inner: dict | None = None) -> dict:
    err = {"code": code, "message": message, "target": target}
    if inner:
        err["innerError"] = inner
    return {"error": err}


_STATUS_ERRORS = {
    400: ("invalidRequest", "The request is malformed or incorrect."),
    401: ("unauthenticated", "The caller is not authenticated."),
    403: ("accessDenied", "The caller doesn't have permission to perform the action."),
    404: ("itemNotFound", "The resource could not be found."),
    405: ("invalidRequest", "The HTTP method is not allowed on the resource."),
    429: ("tooManyRequests", "Client application has been throttled. Retry after the time in Retry-After."),
    500: ("generalException", "An unspecified error has occurred."),
    503: ("serviceNotAvailable", "The service is not available. Try the request again after a delay."),
}


# ---------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 30  # idle keep-alive connections end after this

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):  # quiet
        pass

    def do_GET(self):
        self.server.pc._handle(self)

    def _other(self):
        self.server.pc._handle(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _other


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class PartnerCenterServer:
    """Fake Partner Center Referrals API; see the module docstring."""

    def __init__(
        self,
        referrals: list[dict] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 5,
        max_page_size: int = 100,
    ) -> None:
        self.referrals: list = list(referrals) if referrals is not None else []
        self.valid_tokens: set[str] = set()
        self.faults: list[dict] = []
        self.requests: list[dict] = []
        self.next_link_base: str | None = None
        self.page_size = page_size
        self.max_page_size = max_page_size
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._calls = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> PartnerCenterServer:
        if self._httpd is None:
            self._httpd = _HTTPServer((self._host, self._port), _Handler)
            self._httpd.pc = self
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="pcserver", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    def __enter__(self) -> PartnerCenterServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` -- the API base, without /v1.0."""
        return f"http://{self._host}:{self.port}"

    @property
    def collection_url(self) -> str:
        return self.base_url + COLLECTION_PATH

    # -- helpers for tests ------------------------------------------------------------
    def reset(self) -> None:
        """Forget the request log and faults and restart the call count (referrals and tokens stay)."""
        with self._lock:
            self.requests.clear()
            self.faults.clear()
            self._calls = 0

    def count(self, path: str | None = COLLECTION_PATH, status: int | None = None) -> int:
        """Requests logged for ``path`` (None = any) with ``status`` (None = any)."""
        return sum(
            1
            for r in list(self.requests)
            if (path is None or r["path"] == path) and (status is None or r["status"] == status)
        )

    # -- request handling -------------------------------------------------------------
    def _take_fault(self, call: int) -> dict | None:
        with self._lock:
            for f in self.faults:
                times = f.get("times", 1)
                fired = f.get("fired", 0)
                if times != "always" and fired >= int(times):
                    continue
                if f.get("at") is not None and call < int(f["at"]):
                    continue
                f["fired"] = fired + 1
                return f
        return None

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        path = split.path.rstrip("/") or "/"
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in h.headers.items()}
        if h.command in ("POST", "PUT", "PATCH"):
            n = int(headers.get("content-length") or 0)
            if n:
                h.rfile.read(n)
        with self._lock:
            self._calls += 1
            call = self._calls
            entry = {
                "call": call,
                "method": h.command,
                "path": path,
                "query": query,
                "headers": headers,
                "status": None,
                "peer": h.client_address[:2],
            }
            self.requests.append(entry)

        status, body, extra = self._respond(h, call, path, query, headers)
        entry["status"] = status
        if status is None:  # dropped
            return
        self._send(h, status, body, extra, headers)

    def _respond(self, h, call, path, query, headers):
        fault = self._take_fault(call)
        if fault is not None:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault.get("drop"):
                try:
                    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
                h.close_connection = True
                try:
                    h.connection.close()
                except OSError:
                    pass
                return None, b"", {}
            st = fault.get("status")
            if st is not None:
                st = int(st)
                extra = {}
                if fault.get("retry_after") is not None:
                    extra["Retry-After"] = str(fault["retry_after"])
                if st == 401:
                    extra["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                if fault.get("echo"):  # credentials first, as a debugging proxy shows what it forwarded
                    pairs = sorted(h.headers.items(), key=lambda kv: kv[0].lower() != "authorization")
                    if fault["echo"] == "text":
                        dump = "".join(f"{k}: {v}\r\n" for k, v in pairs)
                        return st, f"Upstream error. Forwarded:\r\n{dump}{h.command} {h.path}".encode(), extra
                    msg = f"upstream failed; request headers {json.dumps(dict(pairs))}"
                    return st, self._json(_error("generalException", msg)), extra
                if "body" in fault:
                    b = fault["body"]
                    return st, b.encode("utf-8") if isinstance(b, str) else bytes(b), extra
                if st == 200:
                    pass  # fall through to a normal answer
                else:
                    code, msg = _STATUS_ERRORS.get(st, ("generalException", f"HTTP {st}"))
                    return st, self._json(_error(code, msg)), extra

        if h.command != "GET":
            return 405, self._json(_error(*_STATUS_ERRORS[405])), {"Allow": "GET"}
        is_collection = path == COLLECTION_PATH
        is_item = path.startswith(COLLECTION_PATH + "/") and path.count("/") == COLLECTION_PATH.count("/") + 1
        if not (is_collection or is_item):
            return 404, self._json(_error("itemNotFound", f"No resource at {path}.", target=path)), {}

        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not token or token not in self.valid_tokens:
            return (
                401,
                self._json(
                    _error(
                        "unauthenticated",
                        "The caller is not authenticated.",
                        inner={
                            "code": "invalidToken" if token else "missingToken",
                            "message": "The access token is not valid." if token else "No bearer token.",
                        },
                    )
                ),
                {"WWW-Authenticate": 'Bearer error="invalid_token"' if token else "Bearer"},
            )

        if is_item:
            rid = path.rsplit("/", 1)[1]
            for item in list(self.referrals):
                if isinstance(item, dict) and item.get("id") == rid:
                    body = {"@odata.context": f"{self.base_url}/v1.0/$metadata#Referrals/$entity", **item}
                    return 200, self._json(body), {}
            return 404, self._json(_error("itemNotFound", f"Referral {rid} was not found.")), {}

        try:
            return 200, self._json(self._page(query)), {}
        except ODataError as exc:
            return 400, self._json(_error("invalidRequest", str(exc))), {}

    def _page(self, query: dict) -> dict:
        if "$skiptoken" in query:
            state = _decode_token(query["$skiptoken"])
        else:
            top = query.get("$top")
            if top is not None:
                try:
                    top_n = int(top)
                except ValueError:
                    raise ODataError(f"$top must be a whole number, not {top!r}") from None
                if top_n < 1:
                    raise ODataError("$top must be at least 1")
            else:
                top_n = self.page_size
            state = {
                "filter": query.get("$filter"),
                "orderby": query.get("$orderby"),
                "top": min(top_n, self.max_page_size),
                "skip": 0,
            }
        predicate = compile_filter(state.get("filter"))
        items = order_items([i for i in list(self.referrals) if predicate(i)], state.get("orderby"))
        skip, top = state["skip"], max(1, int(state.get("top") or self.page_size))
        page = items[skip : skip + top]
        body = {
            "@odata.context": f"{self.base_url}/v1.0/$metadata#Referrals",
            "@odata.count": len(items),
            "value": page,
        }
        if skip + top < len(items):
            token = _encode_token(dict(state, skip=skip + top))
            base = (self.next_link_base or self.base_url) + COLLECTION_PATH
            body["@odata.nextLink"] = f"{base}?$skiptoken={quote(token, safe='')}"
        return body

    @staticmethod
    def _json(obj) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def _send(h: _Handler, status: int, body: bytes, extra: dict, req_headers: dict) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Content-Length", str(len(body) if h.command != "HEAD" else 0))
            h.send_header("request-id", str(uuid.uuid4()))
            if req_headers.get("client-request-id"):
                h.send_header("client-request-id", req_headers["client-request-id"])
            for k, v in extra.items():
                h.send_header(k, v)
            if req_headers.get("connection", "").lower() == "close":
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(body)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
