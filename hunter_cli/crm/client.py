"""The Dataverse Web API client: writes with retries, reads with same-origin paging.

Requests follow Microsoft Learn, "Compose HTTP requests and handle errors"
(``OData-MaxVersion``/``OData-Version: 4.0``, JSON, ``{"error": {"code",
"message"}}`` bodies), "Create a table row" (``POST leads`` answers 204 with
``OData-EntityId``), "Update and delete table rows" (``PATCH leads(<id>)`` with
``If-Match: *`` never creates; ``PATCH leads(<key>='<value>')`` without it is
an upsert by alternate key) and "Service protection API limits" (429 with
``Retry-After``: every worker waits that long before its next request).

Retries follow :data:`hunter_cli.retry.DATAVERSE`: 5xx and timeouts up to five
tries with backoff and jitter, 429 up to eight more, each ``Retry-After`` (at
most 300 s) held by every worker, not only the one that was told.

Outcomes of a write: a result, :class:`LeadFailed` (this lead only: 400, 404,
403, 412, or 5xx after the bounded retries) or :class:`CrmError` (the run
cannot go on: the server is unreachable, the token is refused, sign-in is
needed). Error texts pass through :func:`redact`; raw bodies are never kept.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from .. import retry
from ..said import Said
from .auth import SERVICE, CrmTokens, is_loopback
from .redact import redact

API_PATH = "/api/data/v9.2"
MAX_PAGES = 10_000
PAGE_SIZE = 500  # Prefer: odata.maxpagesize; Dataverse's own maximum is 5,000
FORMATTED = "OData.Community.Display.V1.FormattedValue"


class CrmError(Exception):
    """The run cannot go on (unreachable, token refused, a broken answer to a read)."""


class LeadFailed(Exception):
    """One lead could not be written; ``status`` is the HTTP status (0 when none)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WriteResult:
    outcome: str  # "created" or "updated"
    lead_id: str | None


def entity_path(entity_set: str, lead_id: str) -> str:
    return f"{entity_set}({lead_id})"


def key_path(entity_set: str, key: dict[str, object]) -> str:
    """``leads(hunter_domain='acme.com.tr')``: string values quoted, ``'`` doubled (OData ABNF), URL-escaped."""
    parts = []
    for column, value in key.items():
        if isinstance(value, bool) or value is None:
            raise ValueError(f"alternate key column {column!r} needs a value, not {value!r}")
        lit = str(value) if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'"
        parts.append(f"{column}={quote(lit, safe=chr(39) + '@-._~')}")
    return f"{entity_set}({','.join(parts)})"


def id_from_entity_id(header: str | None) -> str | None:
    """``.../leads(00aa00aa-...)`` -> ``00aa00aa-...``; None when the header has no GUID."""
    if not header or not header.endswith(")") or "(" not in header:
        return None
    inner = header[header.rindex("(") + 1 : -1]
    try:
        return str(uuid.UUID(inner))
    except ValueError:
        return None


def error_message(resp: httpx.Response, secrets: tuple[str, ...] = ()) -> str:
    """Dataverse's ``error.message`` (with its code), redacted; never the raw body."""
    code = msg = None
    try:
        data = resp.json()
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            code, msg = err.get("code"), err.get("message")
    except ValueError:
        pass
    key = "cli.crm.http_error" + ("_message" if msg else "") + ("_code" if code else "")
    return redact(Said(key, status=resp.status_code, message=msg, code=code), secrets)  # quoted in other languages


class DataverseClient:
    """One environment's Web API. Thread-safe: the push runs up to ``concurrency`` writes at once."""

    def __init__(
        self,
        url: str,
        tokens: CrmTokens,
        *,
        http: httpx.Client | None = None,
        policy: retry.Policy = retry.DATAVERSE,
        concurrency: int = 4,
        timeout: float = 60.0,
    ) -> None:
        from ..http import USER_AGENT, tls_context

        self.url = url.rstrip("/")
        self.api = self.url + API_PATH
        self.tokens = tokens
        self.policy = policy
        self.http = http or httpx.Client(
            timeout=timeout,
            verify=tls_context(),
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            follow_redirects=False,
        )
        self._gate = threading.Lock()
        self._not_before = 0.0  # monotonic time before which nobody sends (after a 429)
        self.calls = 0
        self.throttled = 0

    # -- plumbing -------------------------------------------------------------------
    def _wait_for_gate(self) -> None:
        with self._gate:
            wait = self._not_before - time.monotonic()
        if wait > 0:
            retry.hold(wait)

    def _throttle(self, seconds: float) -> None:
        """Hold every worker back for ``seconds`` (a ``Retry-After``), not only the one that was told."""
        with self._gate:
            self.throttled += 1
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def _request(self, method: str, url: str, body: dict | None, headers: dict | None, token: str) -> httpx.Response:
        self._wait_for_gate()
        h = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
            "client-request-id": str(uuid.uuid4()),
            **(headers or {}),
        }
        if body is not None:
            h["Content-Type"] = "application/json; charset=utf-8"
        with self._gate:
            self.calls += 1
        return self.http.request(method, url, json=body, headers=h)

    def _send(self, method: str, url: str, *, body: dict | None = None, headers: dict | None = None) -> httpx.Response:
        """One request under the retry policy; returns any answer that is not 401, 429 or 5xx."""
        token, generation = self.tokens.token()
        refreshed = False

        def attempt() -> httpx.Response:
            nonlocal token, generation, refreshed
            resp = self._request(method, url, body, headers, token)
            if resp.status_code == 401 and not refreshed and self.tokens.can_refresh:
                refreshed = True  # one silent renewal per request, not per try
                token, generation = self.tokens.refresh(generation)
                resp = self._request(method, url, body, headers, token)
            if resp.status_code == 401:
                raise CrmError(
                    Said("cli.crm.token_refused" if self.tokens.can_refresh else "cli.crm.token_refused_fixed")
                )
            status = resp.status_code
            if status in self.policy.statuses:
                wait = retry.parse_retry_after(resp.headers.get("Retry-After"))
                if wait is not None and wait <= self.policy.retry_after_max:
                    self._throttle(wait)
                raise retry.RetryableAnswer(status, wait, error_message(resp, self.tokens.secrets), SERVICE)
            return resp

        try:
            return retry.call(self.policy, attempt, transient=(httpx.TimeoutException,))
        except httpx.TimeoutException:
            raise CrmError(Said("cli.crm.timeout", url=self.url)) from None
        except httpx.TransportError as exc:
            raise CrmError(Said("cli.crm.unreachable", url=self.url, error=exc.__class__.__name__)) from None
        except retry.RetryableAnswer as exc:
            if exc.refused_wait is not None:
                raise LeadFailed(exc.give_up_text(self.policy.retry_after_max), exc.status) from None
            if exc.status == 429:
                raise LeadFailed(Said("cli.crm.throttled_out"), 429) from None
            raise LeadFailed(Said("cli.crm.after_tries", detail=exc.detail, tries=exc.tries), exc.status) from None

    def _fail(self, resp: httpx.Response) -> LeadFailed:
        return LeadFailed(error_message(resp, self.tokens.secrets), resp.status_code)

    # -- writes ---------------------------------------------------------------------
    def create(self, entity_set: str, body: dict) -> WriteResult:
        """``POST <entity_set>``: 204 with ``OData-EntityId`` (or 201 with the record)."""
        resp = self._send("POST", f"{self.api}/{entity_set}", body=body)
        if resp.status_code not in (201, 204):
            raise self._fail(resp)
        lead_id = id_from_entity_id(resp.headers.get("OData-EntityId"))
        if lead_id is None and resp.status_code == 201:
            lead_id = _id_in_body(resp, entity_set)
        if lead_id is None:
            raise LeadFailed(Said("cli.crm.no_id"), 0)
        return WriteResult("created", lead_id)

    def update(self, entity_set: str, lead_id: str, body: dict, *, upsert: bool = False) -> WriteResult:
        """``PATCH <entity_set>(<id>)``; with ``If-Match: *`` unless ``upsert`` (a 404 is then :class:`LeadFailed`)."""
        headers = {} if upsert else {"If-Match": "*"}
        resp = self._send("PATCH", f"{self.api}/{entity_path(entity_set, lead_id)}", body=body, headers=headers)
        if resp.status_code in (200, 201, 204):
            return WriteResult("created" if resp.status_code == 201 else "updated", lead_id)
        raise self._fail(resp)

    def upsert_by_key(self, entity_set: str, key: dict[str, object], body: dict, known: bool) -> WriteResult:
        """``PATCH <entity_set>(<key>='<value>')`` without If-Match: creates or updates, never duplicates.

        Sent with ``Prefer: return=representation`` so the status says which
        happened (201 created, 200 updated); a plain 204 counts as an update
        when Hunter already knew the lead (``known``), else as created.
        """
        path = key_path(entity_set, key)
        select = "leadid" if entity_set == "leads" else None
        url = f"{self.api}/{path}" + (f"?$select={select}" if select else "")
        resp = self._send("PATCH", url, body=body, headers={"Prefer": "return=representation"})
        if resp.status_code not in (200, 201, 204):
            raise self._fail(resp)
        lead_id = id_from_entity_id(resp.headers.get("OData-EntityId"))
        if lead_id is None and resp.status_code in (200, 201):
            lead_id = _id_in_body(resp, entity_set)
        outcome = {201: "created", 200: "updated"}.get(resp.status_code) or ("updated" if known else "created")
        return WriteResult(outcome, lead_id)

    # -- reads ----------------------------------------------------------------------
    def same_origin(self, link: str) -> bool:
        """A next link may only go back to the environment: same scheme, host and port, https
        (plain http only when the environment itself is a loopback test server)."""
        base, nxt = urlsplit(self.url), urlsplit(link)
        if (nxt.scheme, nxt.hostname, nxt.port) != (base.scheme, base.hostname, base.port):
            return False
        return nxt.scheme == "https" or (nxt.scheme == "http" and is_loopback(nxt.hostname))

    def query(self, entity_set: str, params: dict[str, str]) -> Iterator[dict]:
        """Every page of ``GET <entity_set>?...``, following ``@odata.nextLink`` (same origin only).

        Yields raw items (dicts or whatever the server put in ``value``).
        Raises :class:`CrmError` for an answer that is not a collection.
        """
        url: str | None = f"{self.api}/{entity_set}"
        query: dict[str, str] | None = params
        prefer = f'odata.maxpagesize={PAGE_SIZE},odata.include-annotations="{FORMATTED}"'
        for _ in range(MAX_PAGES):
            assert url is not None
            resp = self._send("GET", url + _query_string(query), headers={"Prefer": prefer})
            if resp.status_code != 200:
                raise CrmError(
                    Said("cli.crm.read_failed", what=entity_set, error=error_message(resp, self.tokens.secrets))
                )
            try:
                data = resp.json()
            except ValueError:
                raise CrmError(Said("cli.crm.not_json")) from None
            if not isinstance(data, dict) or not isinstance(data.get("value"), list):
                raise CrmError(Said("cli.crm.no_list", what=entity_set))
            yield from data["value"]
            nxt = data.get("@odata.nextLink")
            if not nxt:
                return
            if not isinstance(nxt, str) or not self.same_origin(nxt):
                raise CrmError(Said("cli.crm.next_away", url=self.url))
            url, query = nxt, None
        raise CrmError(Said("cli.crm.too_many_pages", pages=MAX_PAGES))

    def close(self) -> None:
        self.http.close()


def _query_string(params: dict[str, str] | None) -> str:
    """OData system query options, percent-encoded but keeping ``$`` readable."""
    if not params:
        return ""
    return "?" + "&".join(f"{k}={quote(v, safe=chr(39) + '(),:$@=')}" for k, v in params.items())


def _id_in_body(resp: httpx.Response, entity_set: str) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    key = entity_set[:-1] + "id" if entity_set.endswith("s") else entity_set + "id"
    value = data.get(key)
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None
