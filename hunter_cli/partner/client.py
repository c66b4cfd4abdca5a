"""The Partner Center Referrals API client: paging, retries, one token refresh.

``GET {base}/v1.0/engagements/referrals`` with ``$filter=updatedDateTime gt
...`` for an incremental sync, following ``@odata.nextLink`` to the end. Every
call carries a fresh ``client-request-id``. 429 and 503 honour ``Retry-After``
with bounded backoff; a 401 triggers one silent token refresh; anything else
fails the whole sync, so a failure is never mistaken for "no new referrals".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx

from ..tenant.client import retry_after_seconds
from .auth import TokenProvider

DEFAULT_BASE = "https://api.partner.microsoft.com"
PATH = "/v1.0/engagements/referrals"
MAX_PAGES = 10_000
RETRIES = 5
MAX_WAIT = 60.0


class SyncError(Exception):
    """The sync could not finish; nothing was recorded as synced."""


class ReferralsClient:
    def __init__(
        self, tokens: TokenProvider, base_url: str = DEFAULT_BASE, http: httpx.Client | None = None, sleep=time.sleep
    ) -> None:
        from ..http import USER_AGENT, tls_context

        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.http = http or httpx.Client(timeout=60, verify=tls_context(), headers={"User-Agent": USER_AGENT})
        self.sleep = sleep
        self.calls = 0

    def _get(self, url: str, params: dict | None) -> dict:
        refreshed = False
        delay = 1.0
        token = self.tokens.token()
        for attempt in range(RETRIES + 1):
            self.calls += 1
            headers = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "client-request-id": str(uuid.uuid4()),
            }
            try:
                resp = self.http.get(url, params=params, headers=headers)
            except httpx.TimeoutException:
                if attempt == RETRIES:
                    raise SyncError(f"Partner Center did not answer in time ({self.base_url})") from None
                self.sleep(delay)
                delay = min(delay * 2, MAX_WAIT)
                continue
            except httpx.TransportError as exc:
                raise SyncError(f"cannot reach Partner Center at {self.base_url}: {exc.__class__.__name__}") from None
            if resp.status_code == 401 and not refreshed and self.tokens.can_refresh:
                refreshed = True
                token = self.tokens.token(force_refresh=True)
                continue
            if resp.status_code in (429, 503):
                if attempt == RETRIES:
                    raise SyncError(f"Partner Center kept answering HTTP {resp.status_code}; try again later")
                self.sleep(retry_after_seconds(resp.headers.get("Retry-After"), delay, MAX_WAIT))
                delay = min(delay * 2, MAX_WAIT)
                continue
            if resp.status_code == 401:
                raise SyncError("Partner Center refused the token (HTTP 401); run: hunter auth login")
            if resp.status_code != 200:
                raise SyncError(f"Partner Center answered HTTP {resp.status_code}: {_error_text(resp)}")
            try:
                data = resp.json()
            except ValueError:
                raise SyncError("Partner Center answered with something that is not JSON") from None
            if not isinstance(data, dict) or not isinstance(data.get("value", []), list):
                raise SyncError("Partner Center's answer has no list of referrals")
            return data
        raise SyncError("too many retries")

    def referrals(self, updated_after: str | None = None) -> Iterator[object]:
        """Every referral (raw JSON items) updated after the watermark, all pages."""
        params: dict | None = {"$orderby": "updatedDateTime asc"}
        if updated_after:
            params["$filter"] = f"updatedDateTime gt {updated_after}"
        url = self.base_url + PATH
        for _ in range(MAX_PAGES):
            data = self._get(url, params)
            yield from data.get("value", [])
            url = data.get("@odata.nextLink")
            if not url:
                return
            params = None  # the next link carries its own query
        raise SyncError(f"more than {MAX_PAGES} pages; stopped")

    def close(self) -> None:
        self.http.close()


def _error_text(resp: httpx.Response) -> str:
    try:
        data = resp.json()
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            return str(err.get("message") or err.get("code") or "")[:200]
        return str(data.get("message") or err or "")[:200] if isinstance(data, dict) else ""
    except ValueError:
        return resp.text[:200]
