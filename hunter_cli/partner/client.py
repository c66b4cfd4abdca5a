"""The Partner Center Referrals API client: paging, retries, one token refresh.

``GET {base}/v1.0/engagements/referrals`` with ``$filter=updatedDateTime gt
...`` for an incremental sync, following ``@odata.nextLink`` to the end. Every
call carries a fresh ``client-request-id``. 429, 503 and timeouts are tried
again under :data:`hunter_cli.retry.PARTNER_CENTER` (``Retry-After`` honoured,
bounded backoff with jitter); a 401 triggers one silent token refresh; anything
else fails the whole sync, so a failure is never mistaken for "no new referrals".

The bearer token goes only where it belongs: the base URL must be https (plain
http only for a loopback test server), next links are followed only to the base
URL's origin, redirects are never followed, and every error text is redacted
and bounded (:mod:`hunter_cli.redact`) before anyone sees or stores it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx

from .. import retry
from ..redact import remember, summary
from ..said import Said, said_of
from .auth import InteractionRequired, TokenProvider

DEFAULT_BASE = "https://api.partner.microsoft.com"
PATH = "/v1.0/engagements/referrals"
MAX_PAGES = 10_000


class SyncError(Exception):
    """The sync could not finish; nothing was recorded as synced. The message is redacted and bounded."""

    def __init__(self, message: str) -> None:
        super().__init__(summary(message, 400))  # a Said stays one (redact.summary)


class TokenRefused(InteractionRequired):
    """Partner Center answered 401 to a token that cannot be renewed silently (exit code 3)."""


class ReferralsClient:
    def __init__(
        self,
        tokens: TokenProvider,
        base_url: str = DEFAULT_BASE,
        http: httpx.Client | None = None,
        policy: retry.Policy = retry.PARTNER_CENTER,
    ) -> None:
        from ..http import USER_AGENT, tls_context

        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.http = http or httpx.Client(timeout=60, verify=tls_context(), headers={"User-Agent": USER_AGENT})
        self.policy = policy
        self.calls = 0

    def _send(self, url: str, params: dict | None, token: str) -> httpx.Response:
        self.calls += 1
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "client-request-id": str(uuid.uuid4()),
        }
        return self.http.get(url, params=params, headers=headers)

    def _get(self, url: str, params: dict | None) -> dict:
        token = self._token()
        refreshed = False

        def attempt() -> httpx.Response:
            nonlocal token, refreshed
            resp = self._send(url, params, token)
            if resp.status_code == 401 and not refreshed and self.tokens.can_refresh:
                refreshed = True  # one silent renewal per request, not per try
                token = self._token(force_refresh=True)
                resp = self._send(url, params, token)
            self.policy.check(resp.status_code, resp.headers.get("Retry-After"), f"HTTP {resp.status_code}")
            return resp

        try:
            resp = retry.call(self.policy, attempt, transient=(httpx.TimeoutException,))
        except httpx.TimeoutException:
            raise SyncError(Said("cli.partner.timeout", url=self.base_url)) from None
        except httpx.TransportError as exc:
            raise SyncError(Said("cli.partner.unreachable", url=self.base_url, error=exc.__class__.__name__)) from None
        except retry.RetryableAnswer as exc:
            raise SyncError(exc.give_up_text(self.policy.retry_after_max)) from None
        if resp.status_code == 401:
            if not self.tokens.can_refresh:
                raise TokenRefused(Said("cli.partner.fixed_token_refused"))
            raise TokenRefused(Said("cli.partner.token_refused"))
        if resp.status_code != 200:  # the service's own words, quoted in other languages
            raise SyncError(Said("cli.partner.http_error", status=resp.status_code, detail=_error_text(resp)))
        try:
            data = resp.json()
        except ValueError:
            raise SyncError(Said("cli.partner.not_json")) from None
        if not isinstance(data, dict) or not isinstance(data.get("value", []), list):
            raise SyncError(Said("cli.partner.no_list"))
        return data

    def _token(self, force_refresh: bool = False) -> str:
        token = self.tokens.token(force_refresh=force_refresh)
        remember(token)  # from here on, redact() removes it wherever it shows up
        return token

    def referrals(self, updated_after: str | None = None) -> Iterator[object]:
        """Every referral (raw JSON items) updated after the watermark, all pages."""
        first: dict[str, str] = {"$orderby": "updatedDateTime asc"}
        if updated_after:
            first["$filter"] = f"updatedDateTime gt {updated_after}"
        params: dict[str, str] | None = first
        from ..http import check_next_link, check_token_base

        try:
            check_token_base(self.base_url)
        except ValueError as exc:
            raise SyncError(Said("cli.partner.token_base", reason=said_of(exc))) from None
        url = self.base_url + PATH
        for _ in range(MAX_PAGES):
            data = self._get(url, params)
            yield from data.get("value", [])
            link = data.get("@odata.nextLink")
            if not link:
                return
            if not isinstance(link, str):
                raise SyncError(Said("cli.partner.next_not_url"))
            try:
                url = check_next_link(self.base_url, url, link)
            except ValueError as exc:
                raise SyncError(Said("cli.partner.paging", reason=said_of(exc))) from None
            params = None  # the next link carries its own query
        raise SyncError(Said("cli.partner.too_many_pages", pages=MAX_PAGES))

    def close(self) -> None:
        self.http.close()


def _error_text(resp: httpx.Response) -> str:
    """What the error body says, redacted and at most 200 characters; the raw body is never kept."""
    try:
        data = resp.json()
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            text = str(err.get("message") or err.get("code") or "")
        else:
            text = str(data.get("message") or err or "") if isinstance(data, dict) else ""
    except ValueError:
        text = resp.text[:20_000]  # enough to redact whole tokens near the start; the rest is never read
    return summary(text, 200)
