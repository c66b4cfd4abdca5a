"""A local stand-in for the Dataverse Web API (``/api/data/v9.2/leads``) of a Dynamics 365 environment.

Real TCP sockets on loopback, HTTP/1.1 with keep-alive, standard library only.
Shapes follow Microsoft Learn's Dataverse Web API pages: "Create a table row"
(``POST leads`` -> 204 + ``OData-EntityId``; 201 + the record with ``Prefer:
return=representation``), "Update and delete table rows" (``PATCH leads(<id>)``:
with ``If-Match: *`` 404 when missing, without it an upsert; ``PATCH
leads(<key>='<value>')`` upserts by an alternate key: 201 created / 200 updated
with return=representation, else 204), "Compose HTTP requests and handle
errors" (``{"error": {"code": "0x...", "message": "..."}}``), "Query data"
(``$select``, ``$filter``, ``Prefer: odata.maxpagesize``, ``@odata.nextLink``
carrying ``$skiptoken``, ``FormattedValue`` annotations) and "Service protection
API limits" (429 + ``Retry-After``).

Use::

    with DataverseServer() as dv:
        dv.valid_tokens.add("tok")
        dv.alternate_keys.add("new_hunterdomain")      # an alternate key the environment defines
        dv.faults.append({"status": 429, "retry_after": 7, "times": 1, "method": "PATCH"})
        ... # requests to dv.url + "/api/data/v9.2/leads"
        dv.set_status(lead_id, statecode=2, statuscode=4, owner="Ayşe Kaya")

Records live in ``dv.leads`` (id -> dict of columns plus ``leadid``, ``statecode``,
``statuscode``, ``_ownerid_value``, ``createdon``, ``modifiedon``). New leads are
open (statecode 0, statuscode 1 "New") and owned by ``dv.default_owner``.
``modifiedon`` comes from a clock that moves one second per write.

Validation (400, code 0x80044331 / 0x80060888): text longer than the standard
column's maximum (subject 300, companyname 100, websiteurl 200, description 2000),
a column that is neither standard nor in ``dv.custom_columns``, and anything a
function in ``dv.validators`` (body -> message or None) objects to.

Faults (``dv.faults``), checked in order before authentication; the first that
applies fires: ``{"status": 429, "retry_after": 3}``, ``{"status": 503}``,
``{"status": 401}`` (even with a valid token), ``{"drop": True}``,
``{"status": 400, "message": "..."}``, ``{"hold": 30}`` (the request is held open, unanswered, for up to 30 s
or until ``dv.release()``, then handled as usual: a create still creates); optional ``"method"`` and
``"path_contains"`` narrow it, ``"after": N`` holds it back until N requests were served; ``times`` an int (default 1) or ``"always"``.
``dv.injected`` items are appended to every collection answer (malformed items);
``dv.next_link_base`` makes next links point elsewhere (an off-origin link).

Request log (``dv.requests``): ``{"method", "path", "query", "headers", "body", "status"}``
with lower-case header names and the parsed JSON body.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

API = "/api/data/v9.2"
FORMATTED = "OData.Community.Display.V1.FormattedValue"
MAX_LENGTH = {"subject": 300, "companyname": 100, "websiteurl": 200, "description": 2000}
STANDARD = set(MAX_LENGTH) | {
    "leadid",
    "firstname",
    "lastname",
    "emailaddress1",
    "telephone1",
    "statecode",
    "statuscode",
}
STATUS_LABELS = {
    1: "New",
    2: "Contacted",
    3: "Qualified",
    4: "Lost",
    5: "Cannot Contact",
    6: "No Longer Interested",
    7: "Canceled",
}
STATE_OF_STATUS = {1: 0, 2: 0, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2}


class ODataError(ValueError):
    pass


# -- a small $filter: comparisons joined by and/or, parentheses ---------------------------
_TOKEN = re.compile(r"\s*(\(|\)|'(?:[^']|'')*'|[^\s()]+)")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _literal(tok: str):
    if tok.startswith("'"):
        return tok[1:-1].replace("''", "'")
    if _GUID.match(tok):
        return tok.lower()
    if _DT.match(tok):
        return datetime.fromisoformat(tok.replace("Z", "+00:00"))
    if tok in ("null",):
        return None
    if re.fullmatch(r"-?\d+", tok):
        return int(tok)
    raise ODataError(f"Syntax error: unknown literal '{tok}' in $filter")


def compile_filter(text: str):
    tokens = _TOKEN.findall(text or "")
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def primary():
        if peek() == "(":
            take()
            e = expr()
            if take() != ")":
                raise ODataError("Syntax error: ')' expected in $filter")
            return e
        field, op, lit = take(), take(), take()
        if op not in ("eq", "ne", "gt", "ge", "lt", "le") or lit is None:
            raise ODataError(f"Syntax error at '{field} {op}' in $filter")
        value = _literal(lit)

        def cmp(item):
            have = item.get(field)
            if isinstance(value, datetime) and isinstance(have, str):
                have = datetime.fromisoformat(have.replace("Z", "+00:00"))
            if isinstance(have, str) and isinstance(value, str):
                have, v = have.lower(), value.lower()
            else:
                v = value
            if op == "eq":
                return have == v
            if op == "ne":
                return have != v
            if have is None or v is None:
                return False
            return {"gt": have > v, "ge": have >= v, "lt": have < v, "le": have <= v}[op]

        return cmp

    def conj():
        left = primary()
        while peek() == "and":
            take()
            right = primary()
            left = (lambda a, b: lambda i: a(i) and b(i))(left, right)
        return left

    def expr():
        left = conj()
        while peek() == "or":
            take()
            right = conj()
            left = (lambda a, b: lambda i: a(i) or b(i))(left, right)
        return left

    if not tokens:
        return lambda item: True
    pred = expr()
    if pos != len(tokens):
        raise ODataError(f"Syntax error: unexpected '{tokens[pos]}' in $filter")
    return pred


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 30

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):
        pass

    def _any(self):
        self.server.dv._handle(self)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _any


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class DataverseServer:
    """Fake Dataverse environment; see the module docstring."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, page_size: int = 5000) -> None:
        self.leads: dict[str, dict] = {}
        self.valid_tokens: set[str] = set()
        self.alternate_keys: set[str] = set()
        self.custom_columns: set[str] = set()
        self.validators: list = []
        self.faults: list[dict] = []
        self.injected: list = []
        self.requests: list[dict] = []
        self.page_size = page_size
        self.next_link_base: str | None = None
        self.default_owner = ("0a0b0c0d-1111-4222-8333-444455556666", "Ayşe Kaya")
        self._clock = datetime(2026, 12, 1, 9, 0, 0, tzinfo=timezone.utc)
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._released = threading.Event()  # ends every "hold" fault
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> DataverseServer:
        if self._httpd is None:
            self._httpd = _HTTPServer((self._host, self._port), _Handler)
            self._httpd.dv = self
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="dvserver", daemon=True
            )
            self._thread.start()
        return self

    def release(self) -> None:
        """Answer every request a ``hold`` fault keeps open, and hold no more."""
        self._released.set()

    def stop(self) -> None:
        self.release()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    def __enter__(self) -> DataverseServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The environment URL (``http://127.0.0.1:PORT``), as Hunter's HUNTER_CRM_URL."""
        return f"http://{self._host}:{self._httpd.server_address[1]}"

    # -- helpers for tests ------------------------------------------------------------
    def tick(self) -> str:
        with self._lock:
            self._clock += timedelta(seconds=1)
            return self._clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def set_status(self, lead_id: str, statecode: int | None = None, statuscode: int = 1, owner: str | None = None):
        """What a salesperson does in Dynamics: qualify, disqualify, reassign (moves modifiedon)."""
        with self._lock:
            lead = self.leads[lead_id.lower()]
            lead["statuscode"] = statuscode
            lead["statecode"] = STATE_OF_STATUS[statuscode] if statecode is None else statecode
            if owner:
                lead["_ownerid_value"] = str(uuid.uuid5(uuid.NAMESPACE_OID, owner))
                lead["owner_name"] = owner
            lead["modifiedon"] = self.tick()

    def delete(self, lead_id: str) -> None:
        with self._lock:
            del self.leads[lead_id.lower()]

    def by_key(self, column: str, value) -> dict | None:
        for lead in self.leads.values():
            if lead.get(column) == value:
                return lead
        return None

    def count(self, method: str | None = None, status: int | None = None) -> int:
        return sum(
            1
            for r in list(self.requests)
            if (method is None or r["method"] == method) and (status is None or r["status"] == status)
        )

    # -- request handling -------------------------------------------------------------
    def _take_fault(self, method: str, path: str) -> dict | None:
        with self._lock:
            for f in self.faults:
                if f.get("method") and f["method"] != method:
                    continue
                if f.get("path_contains") and f["path_contains"] not in unquote(path):
                    continue
                if f.get("after") is not None and len(self.requests) <= int(f["after"]):
                    continue  # only from request number after+1 on
                times, fired = f.get("times", 1), f.get("fired", 0)
                if times != "always" and fired >= int(times):
                    continue
                f["fired"] = fired + 1
                return f
        return None

    def _handle(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in h.headers.items()}
        raw = b""
        n = int(headers.get("content-length") or 0)
        if n:
            raw = h.rfile.read(n)
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        entry = {"method": h.command, "path": unquote(path), "query": query, "headers": headers, "body": body}
        with self._lock:
            self.requests.append(entry)
        status, payload, extra = self._respond(h, path, query, headers, body)
        entry["status"] = status
        if status is None:
            return
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        h.send_response(status)
        h.send_header("OData-Version", "4.0")
        h.send_header("REQ_ID", str(uuid.uuid4()))
        if payload is not None:
            h.send_header("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
        for k, v in extra.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if data:
            h.wfile.write(data)

    def _respond(self, h, path, query, headers, body):
        fault = self._take_fault(h.command, path)
        if fault is not None and fault.get("hold"):
            self._released.wait(float(fault["hold"]))  # a stalled service: no answer yet, then the usual one
            fault = None
        if fault is not None:
            if fault.get("drop"):
                h.close_connection = True
                try:
                    h.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return None, None, {}
            st = int(fault["status"])
            extra = {}
            if fault.get("retry_after") is not None:
                extra["Retry-After"] = str(fault["retry_after"])
            if st == 401:
                extra["WWW-Authenticate"] = (
                    "Bearer authorization_uri=https://login.microsoftonline.com/x/oauth2/authorize"
                )
            if "raw" in fault:
                return st, fault["raw"], extra
            message = fault.get("message") or {
                429: "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
                503: "The service is temporarily unavailable.",
                500: "An unexpected error occurred.",
                401: "The user is not authenticated.",
            }.get(st, f"HTTP {st}")
            code = {429: "0x80072322", 401: "0x80072560"}.get(st, "0x80040216")
            return st, _error(code, message), extra

        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not token or token not in self.valid_tokens:
            return 401, _error("0x80072560", "The user is not authenticated."), {"WWW-Authenticate": "Bearer"}
        if not path.startswith(API + "/leads"):
            return 404, _error("0x8006088a", f"Resource not found for the segment '{path.rsplit('/', 1)[-1]}'."), {}
        rest = unquote(path[len(API + "/leads") :])
        prefer = headers.get("prefer", "")
        try:
            if rest == "" and h.command == "GET":
                return 200, self._collection(query, prefer), {}
            if rest == "" and h.command == "POST":
                return self._create(body, prefer)
            m = re.fullmatch(r"\((.*)\)", rest)
            if m and h.command == "PATCH":
                return self._patch(m.group(1), body, headers, prefer)
            if m and h.command == "GET":
                lead = self._find(m.group(1))
                if lead is None:
                    return 404, _error("0x80040217", f"lead With Id = {m.group(1)} Does Not Exist"), {}
                return 200, self._public(lead, None, prefer), {}
        except ODataError as exc:
            return 400, _error("0x0", str(exc)), {}
        return 405, _error("0x80060888", f"The HTTP method '{h.command}' is not allowed here."), {}

    def _validate(self, body) -> str | None:
        if not isinstance(body, dict):
            return "The request body is not a JSON object."
        for k, v in body.items():
            if k not in STANDARD and k not in self.custom_columns and k not in self.alternate_keys:
                return f"Invalid property '{k}' was found in entity 'Microsoft.Dynamics.CRM.lead'."
            limit = MAX_LENGTH.get(k)
            if limit and isinstance(v, str) and len(v) > limit:
                return (
                    f"A validation error occurred. The length of the '{k}' attribute of the 'lead' entity"
                    f" exceeded the maximum allowed length of '{limit}'."
                )
        for check in self.validators:
            msg = check(body)
            if msg:
                return msg
        return None

    def _entity_id(self, lead_id: str) -> dict:
        return {"OData-EntityId": f"{self.url}{API}/leads({lead_id})"}

    def _new(self, lead_id: str, body: dict) -> dict:
        now = self.tick()
        owner_id, owner = self.default_owner
        lead = {
            **body,
            "leadid": lead_id,
            "statecode": 0,
            "statuscode": 1,
            "_ownerid_value": owner_id,
            "owner_name": owner,
            "createdon": now,
            "modifiedon": now,
        }
        self.leads[lead_id] = lead
        return lead

    def _create(self, body, prefer):
        msg = self._validate(body)
        if msg:
            return 400, _error("0x80044331" if "length" in msg else "0x80060888", msg), {}
        lead_id = str(body.get("leadid") or uuid.uuid4()).lower()
        with self._lock:
            if lead_id in self.leads:
                return 412, _error("0x80040237", "A record with matching key values already exists."), {}
            for k in self.alternate_keys:
                if k in body and self.by_key(k, body[k]):
                    return 412, _error("0x80040237", "A record with matching key values already exists."), {}
            lead = self._new(lead_id, body)
        if "return=representation" in prefer:
            return 201, self._public(lead, None, prefer), self._entity_id(lead_id)
        return 204, None, self._entity_id(lead_id)

    def _find(self, ref: str) -> dict | None:
        if _GUID.match(ref):
            return self.leads.get(ref.lower())
        m = re.fullmatch(r"(\w+)='((?:[^']|'')*)'", ref)
        if not m:
            raise ODataError(f"Bad key segment '{ref}'.")
        if m.group(1) not in self.alternate_keys:
            raise ODataError(f"The key '{m.group(1)}' is not defined as an alternate key for the entity 'lead'.")
        return self.by_key(m.group(1), m.group(2).replace("''", "'"))

    def _patch(self, ref, body, headers, prefer):
        msg = self._validate(body)
        if msg:
            return 400, _error("0x80044331" if "length" in msg else "0x80060888", msg), {}
        with self._lock:
            lead = self._find(ref)
            if lead is None:
                if headers.get("if-match") == "*":
                    return 404, _error("0x80040217", f"lead With Id = {ref} Does Not Exist"), {}
                key = {}
                if not _GUID.match(ref):
                    col, val = ref.split("=", 1)
                    key = {col: val[1:-1].replace("''", "'")}
                lead_id = ref.lower() if _GUID.match(ref) else str(uuid.uuid4())
                lead = self._new(lead_id, {**body, **key})
                status = 201
            else:
                if headers.get("if-none-match") == "*":
                    return 412, _error("0x80040237", "A record with matching key values already exists."), {}
                lead.update(body)
                lead["modifiedon"] = self.tick()
                status = 200
        if "return=representation" in prefer:
            return status, self._public(lead, None, prefer), self._entity_id(lead["leadid"])
        return 204, None, self._entity_id(lead["leadid"])

    def _public(self, lead: dict, select: list[str] | None, prefer: str) -> dict:
        out = {"@odata.etag": f'W/"{abs(hash(lead["modifiedon"])) % 10**7}"'}
        cols = select or [k for k in lead if k != "owner_name"]
        for c in cols:
            out[c] = lead.get(c)
        if "FormattedValue" in prefer:
            if "statuscode" in cols:
                out[f"statuscode@{FORMATTED}"] = STATUS_LABELS.get(lead.get("statuscode"), "")
            if "statecode" in cols:
                out[f"statecode@{FORMATTED}"] = {0: "Open", 1: "Qualified", 2: "Disqualified"}[lead["statecode"]]
            if "_ownerid_value" in cols:
                out[f"_ownerid_value@{FORMATTED}"] = lead.get("owner_name")
        return out

    def _collection(self, query: dict, prefer: str) -> dict:
        select = [c for c in query.get("$select", "").split(",") if c] or None
        pred = compile_filter(query.get("$filter", ""))
        m = re.search(r"odata\.maxpagesize=(\d+)", prefer)
        size = min(int(m.group(1)) if m else 5000, self.page_size)
        skip = 0
        if "$skiptoken" in query:
            skip = json.loads(base64.urlsafe_b64decode(query["$skiptoken"]))["skip"]
        with self._lock:
            items = sorted((dict(x) for x in self.leads.values() if pred(x)), key=lambda x: x["leadid"])
        page = [self._public(x, select, prefer) for x in items[skip : skip + size]]
        out = {"@odata.context": f"{self.url}{API}/$metadata#leads", "value": page}
        if skip == 0:
            out["value"] += list(self.injected)
        if skip + size < len(items):
            q = {k: v for k, v in query.items() if k != "$skiptoken"}
            q["$skiptoken"] = base64.urlsafe_b64encode(json.dumps({"skip": skip + size}).encode()).decode()
            base = self.next_link_base or self.url
            out["@odata.nextLink"] = f"{base}{API}/leads?{urlencode(q)}"
        return out
